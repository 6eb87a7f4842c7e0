/* tavolo notify: the notifications an event lives on, by hand (decision 0044).
 *
 *   tavolo notify recipients EVENT company|investor ID   the people a profile's mail reaches
 *   tavolo notify link EMAIL KIND                          an address's unsubscribe link
 *   tavolo notify run [EVENT] [--now TIME]                 queue what nobody was told yet */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "notify.h"
#include "notify_links.h"
#include "recipients.h"
#include "tavolo/calendar.h"

static const char usage_text[] = "usage: tavolo notify recipients EVENT company|investor ID\n"
                                 "       tavolo notify link EMAIL KIND\n"
                                 "       tavolo notify run [EVENT] [--now TIME]";

/* Prints one person a line: e-mail, language and name, tab-separated. */
static int recipients(int argc, char **argv)
{
    api_recipients_t r = {0};
    tv_store_t *st = NULL;
    int rc;

    if (argc != 5 || (strcmp(argv[3], "company") != 0 && strcmp(argv[3], "investor") != 0)) {
        cli_error("%s", usage_text);
        return CLI_USAGE;
    }
    rc = cli_open_store(&st);
    if (rc == 0)
        rc = api_recipients_find(st, argv[2], argv[3], argv[4], &r);
    if (rc != 0 && st != NULL)
        cli_error("recipients of %s %s at %s: %s", argv[3], argv[4], argv[2], tv_store_error(st));
    for (size_t i = 0; rc == 0 && i < r.n; i++)
        printf("%s\t%s\t%s\n", r.items[i].email, r.items[i].language,
               r.items[i].name != NULL ? r.items[i].name : "");
    api_recipients_dispose(&r);
    tv_store_close(st);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}

/* Prints the one-click unsubscribe link of an address and kind, as the messages carry it. */
static int print_link(int argc, char **argv)
{
    unsigned char key[API_UNSUB_KEY_BYTES];
    tv_store_t *st = NULL;
    char *url = NULL;
    int rc;

    if (argc != 4 || strchr(argv[2], '@') == NULL || !api_notify_kind_valid(argv[3])) {
        cli_error("%s", usage_text);
        return CLI_USAGE;
    }
    rc = cli_open_store(&st);
    if (rc == 0 && (rc = api_unsub_key(st, key)) != 0)
        cli_error("the unsubscribe secret: %s", tv_store_error(st));
    if (rc == 0)
        rc = api_unsub_url(key, argv[2], argv[3], &url);
    if (rc == 0)
        printf("%s\n", url);
    memset(key, 0, sizeof(key));
    free(url);
    tv_store_close(st);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}

/* Reads "run [EVENT] [--now TIME]" into 'o'; -1 (told) on a bad line. "--now" sets the job's
 * "now" for deadlines and reminders (decision 0046): a time with an offset, else UTC. */
static int run_args(int argc, char **argv, api_notify_opts_t *o)
{
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--now") == 0 && i + 1 < argc) {
            if (tv_calendar_parse_time("UTC", argv[++i], &o->now) != 0 || o->now <= 0) {
                cli_error("--now %s: expected an ISO 8601 time, e.g. 2027-01-05T10:00:00Z",
                          argv[i]);
                return -1;
            }
        } else if (argv[i][0] != '-' && o->event_id == NULL) {
            o->event_id = argv[i];
        } else {
            cli_error("%s", usage_text);
            return -1;
        }
    }
    return 0;
}

/* Runs the notify job once and prints what it did. */
static int run(int argc, char **argv)
{
    api_notify_opts_t o;
    api_notify_stats_t s;
    tv_store_t *st = NULL;
    char err[512] = "";
    int rc;

    if (api_notify_defaults(&o) != 0) {
        cli_error("TAVOLO_NOTIFY_QUIET: expected seconds from 0 to 86400");
        return CLI_USAGE;
    }
    if (run_args(argc, argv, &o) != 0)
        return CLI_USAGE;
    rc = cli_open_store(&st);
    if (rc == 0 && (rc = api_notify_run(st, &o, &s, err, sizeof(err))) != 0)
        cli_error("notify: %s", err[0] ? err : tv_strerror(rc));
    if (rc == 0 && s.busy)
        printf("another notify job is running: nothing done\n");
    else if (rc == 0)
        printf("%zu requests and %zu schedules told: %zu messages queued, %zu skipped\n",
               s.requests, s.sides, s.queued, s.skipped);
    if (rc == 0 && s.expired + s.expiring + s.reminded > 0)
        printf("deadlines: %zu requests expired, %zu sides told their requests expire, %zu "
               "sides' reminders told\n",
               s.expired, s.expiring, s.reminded);
    if (rc == 0 && s.asked + s.asked_again > 0)
        printf("outcomes: %zu sides asked what came of their meetings, %zu asked again\n",
               s.asked, s.asked_again);
    tv_store_close(st);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}

int cmd_notify(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        return run(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "link") == 0)
        return print_link(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "recipients") == 0)
        return recipients(argc, argv);
    cli_error("%s", usage_text);
    return CLI_USAGE;
}
