/* tavolo digest: runs the daily digest job by hand, as the daemon does at the configured time. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "tavolo/calendar.h"
#include "digest_job.h"

static int parse_options(int argc, char **argv, digest_job_opts_t *o, int *json)
{
    static const struct option longopts[] = {{"date", required_argument, NULL, 'd'},
                                             {"outbox", required_argument, NULL, 'o'},
                                             {"json", no_argument, NULL, 'j'},
                                             {NULL, 0, NULL, 0}};
    int c;

    while ((c = getopt_long(argc, argv, "d:o:j", longopts, NULL)) != -1) {
        if (c == 'd' && tv_calendar_valid_date(optarg))
            snprintf(o->date, sizeof(o->date), "%s", optarg);
        else if (c == 'o')
            o->outbox = optarg;
        else if (c == 'j')
            *json = 1;
        else
            return -1;
    }
    return optind == argc ? 0 : -1;
}

static void report(const digest_job_opts_t *o, const digest_job_stats_t *s,
                   const mail_delivery_stats_t *m, int smtp, int json)
{
    if (json)
        printf("{\"date\":\"%s\",\"recipients\":%zu,\"sent\":%zu,\"empty\":%zu,"
               "\"messages\":%zu,\"already\":%zu,\"resumed\":%zu,\"delivered\":%zu,"
               "\"mail_retried\":%zu,\"mail_failed\":%zu}\n",
               o->date, s->recipients, s->sent, s->empty, s->messages, s->already, s->resumed,
               m->sent, m->retried, m->failed);
    else
        printf("%s: %zu recipients: %zu sent (%zu messages queued), %zu empty, %zu already done; "
               "mail: %zu delivered, %zu to retry, %zu failed (%s %s)\n",
               o->date, s->recipients, s->sent, s->messages, s->empty, s->already, m->sent,
               m->retried, m->failed, smtp ? "SMTP relay" : "outbox", smtp ? "" : o->outbox);
}

int cmd_digest(int argc, char **argv)
{
    digest_job_opts_t o;
    digest_job_stats_t stats;
    tv_match_config_t cfg;
    tv_taxonomy_t *tax = NULL;
    tv_matcher_t *m = NULL;
    tv_store_t *st = NULL;
    char outbox[4096];
    const char *crash = getenv("TAVOLO_DIGEST_CRASH_AFTER");
    app_notes_t notes = {0};
    mail_delivery_stats_t mail = {0};
    int json = 0, smtp = 0, mail_rc = CLI_OK;
    int rc = digest_job_defaults(&o, outbox, sizeof(outbox), &notes);

    cli_print_notes(&notes);
    app_notes_dispose(&notes);
    if (rc != 0)
        return CLI_USAGE;
    if (parse_options(argc, argv, &o, &json) != 0) {
        cli_error("usage: tavolo digest [--date YYYY-MM-DD] [--outbox DIR] [--json]");
        return CLI_USAGE;
    }
    if (crash != NULL)
        o.crash_after = strtoul(crash, NULL, 10);
    if (o.date[0] == '\0' && tv_digest_local_date(o.cfg.time_zone, time(NULL), o.date) != 0) {
        cli_error("unknown time zone %s", o.cfg.time_zone);
        return CLI_USAGE;
    }
    rc = cli_load_taxonomy(&tax);
    if (rc == 0)
        rc = cli_load_match_config(NULL, NULL, 0, &cfg);
    if (rc == 0)
        o.cfg.list_k = cfg.k;
    if (rc == 0)
        rc = cli_open_store(&st);
    if (rc == 0)
        rc = cli_load_matcher(st, tax, &cfg, &m);
    if (rc == 0) {
        rc = digest_job_run(st, m, NULL, tax, &o, &stats, &notes);
        cli_print_notes(&notes);
        app_notes_dispose(&notes);
        if (rc != 0 && rc != TV_EINVAL && rc != TV_EIO)
            cli_error("the digest of %s failed: %s (%s)", o.date, tv_strerror(rc),
                      tv_store_error(st));
    }
    tv_matcher_destroy(m);
    tv_store_close(st);
    tv_taxonomy_destroy(tax);
    if (rc == 0 && stats.busy)
        cli_error("another process is running the digest job; nothing done");
    /* The messages the job queued (and any others due) are delivered at once, as the daemon's
     * mail timer would: to the relay of TAVOLO_SMTP_URL, or into the outbox. */
    if (rc == 0 && !stats.busy)
        mail_rc = cli_mail_deliver(o.outbox, &mail, &smtp);
    if (rc == 0 && !stats.busy && (mail_rc == CLI_OK || mail.halted))
        report(&o, &stats, &mail, smtp, json);
    return rc != 0 || stats.busy ? CLI_FAILED : mail_rc;
}
