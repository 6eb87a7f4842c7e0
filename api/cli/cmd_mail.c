/* tavolo mail: `send` delivers the queued messages that are due once, as the daemon's mail
 * timer does; `status` lists the queue (never the bodies). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mail_delivery.h"

#define STATUS_USAGE                                                                               \
    "usage: tavolo mail status [--event ID] [--status queued|sending|sent|failed] [--limit N] "    \
    "[--json]"

static const char *const list_cols[] = {"id",         "message_id",      "kind",     "event_id",
                                        "recipient",  "status",          "attempts", "last_reply",
                                        "created_at", "next_attempt_at", "sent_at"};

/* Prints 's' as a JSON string (or null). */
static void json_string(const char *s)
{
    if (s == NULL) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

typedef struct {
    int json;
    size_t n;
} list_t;

static int on_row(void *ctx, const char *const *c, int n)
{
    list_t *l = ctx;

    if (!l->json) {
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c[0], c[5], c[6], c[2],
               c[3] != NULL ? c[3] : "-", c[4], c[1], c[10] != NULL ? c[10] : c[9],
               c[7] != NULL ? c[7] : "");
    } else {
        printf("%s{", l->n > 0 ? "," : "");
        for (int k = 0; k < n && k < 11; k++) {
            printf("%s\"%s\":", k > 0 ? "," : "", list_cols[k]);
            if (k == 0 || k == 6)
                fputs(c[k], stdout);
            else
                json_string(c[k]);
        }
        putchar('}');
    }
    l->n++;
    return 0;
}

static int mail_status(int argc, char **argv)
{
    static const struct option longopts[] = {{"event", required_argument, NULL, 'e'},
                                             {"status", required_argument, NULL, 's'},
                                             {"limit", required_argument, NULL, 'l'},
                                             {"json", no_argument, NULL, 'j'},
                                             {NULL, 0, NULL, 0}};
    tv_mail_filter_t f = {0};
    list_t l = {0};
    tv_store_t *st = NULL;
    int c, rc;

    while ((c = getopt_long(argc, argv, "e:s:l:j", longopts, NULL)) != -1) {
        if (c == 'e')
            f.event_id = optarg;
        else if (c == 's' && (strcmp(optarg, "queued") == 0 || strcmp(optarg, "sending") == 0 ||
                              strcmp(optarg, "sent") == 0 || strcmp(optarg, "failed") == 0))
            f.status = optarg;
        else if (c == 'l' && atoi(optarg) > 0)
            f.limit = atoi(optarg);
        else if (c == 'j')
            l.json = 1;
        else {
            cli_error(STATUS_USAGE);
            return CLI_USAGE;
        }
    }
    if (optind != argc) {
        cli_error(STATUS_USAGE);
        return CLI_USAGE;
    }
    rc = cli_open_store(&st);
    if (rc == 0 && l.json)
        fputs("{\"items\":[", stdout);
    else if (rc == 0)
        printf("id\tstatus\tattempts\tkind\tevent\trecipient\tmessage-id\tsent/next at\tlast "
               "reply\n");
    if (rc == 0)
        rc = tv_store_mail_list(st, &f, on_row, &l);
    if (rc == 0 && l.json)
        fputs("]}\n", stdout);
    if (rc != 0 && st != NULL)
        cli_error("mail status: %s (%s)", tv_strerror(rc), tv_store_error(st));
    tv_store_close(st);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}

int cli_mail_deliver(const char *outbox, mail_delivery_stats_t *s, int *smtp)
{
    mail_delivery_opts_t o;
    app_notes_t notes = {0};
    tv_store_t *st = NULL;
    char buf[4096];
    const char *crash = getenv("TAVOLO_MAIL_CRASH_AFTER");
    int rc = mail_delivery_defaults(&o, buf, sizeof(buf), &notes);

    memset(s, 0, sizeof(*s));
    if (outbox != NULL)
        o.outbox = outbox;
    if (crash != NULL)
        o.crash_after = strtoul(crash, NULL, 10);
    *smtp = o.smtp_url != NULL;
    if (rc == 0)
        rc = cli_open_store(&st);
    if (rc == 0)
        rc = mail_delivery_run(st, &o, s, &notes);
    cli_print_notes(&notes);
    app_notes_dispose(&notes);
    if (rc != 0 && st != NULL)
        cli_error("mail delivery failed: %s (%s)", tv_strerror(rc), tv_store_error(st));
    else if (rc == 0 && s->busy)
        cli_error("another process is sending mail; nothing done");
    tv_store_close(st);
    return rc != 0                  ? (rc == TV_EINVAL ? CLI_USAGE : CLI_FAILED)
           : (s->busy || s->halted) ? CLI_FAILED
                                    : CLI_OK;
}

static int mail_send(int json)
{
    mail_delivery_stats_t s;
    int smtp, rc = cli_mail_deliver(NULL, &s, &smtp);

    if (rc == CLI_USAGE || (rc != CLI_OK && !s.halted))
        return rc;
    if (json)
        printf("{\"sent\":%zu,\"retried\":%zu,\"failed\":%zu,\"recovered\":%zu,\"halted\":%s}\n",
               s.sent, s.retried, s.failed, s.recovered, s.halted ? "true" : "false");
    else
        printf("mail: %zu sent, %zu to retry, %zu failed (%s)\n", s.sent, s.retried, s.failed,
               smtp ? "SMTP relay" : "Maildir outbox");
    return rc;
}

int cmd_mail(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "status") == 0)
        return mail_status(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "send") == 0 &&
        (argc == 2 || (argc == 3 && strcmp(argv[2], "--json") == 0)))
        return mail_send(argc == 3);
    cli_error("usage: tavolo mail send [--json] | tavolo mail status [--event ID] [--status "
              "STATUS] [--limit N] [--json]");
    return CLI_USAGE;
}
