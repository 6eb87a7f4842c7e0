/* The tavolo command: dispatches to its subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command_t;

static const command_t commands[] = {
    {"db", cmd_db, "start, stop or locate the embedded PostgreSQL (db start|stop|status|url)"},
    {"migrate", cmd_migrate, "apply pending schema migrations"},
    {"import", cmd_import, "validate and upsert company or investor profiles (JSON, JSONL, CSV)"},
    {"eligibility", cmd_eligibility, "ESIBE admission criteria per company"},
    {"schema", cmd_schema, "print the JSON Schema of company or investor profiles"},
    {"serve", cmd_serve, "the HTTP JSON API daemon (serve [--listen HOST:PORT])"},
    {"event", cmd_event, "import an event: days, slots, tables, participants, requests"},
    {"schedule", cmd_schedule, "select and place the one-to-one meetings of an event"},
    {"agenda", cmd_agenda, "export an event's meetings as iCalendar or a per-table CSV"},
    {"report", cmd_report, "what came of an event's meetings, measured (report EVENT_ID)"},
    {"match", cmd_match, "ranked, explained matches of one investor or company"},
    {"eval", cmd_eval,
     "matching quality on real investments (eval --data DIR --cutoff YYYY-MM-DD [--json])"},
    {"digest", cmd_digest, "run the daily digests (digest [--date YYYY-MM-DD] [--outbox DIR])"},
    {"mail", cmd_mail, "deliver queued mail, or list the queue (mail send | mail status)"},
    {"token", cmd_token, "create, list or revoke API tokens (token create|list|revoke)"},
    {"notify", cmd_notify, "notifications: who gets them (notify recipients EVENT KIND ID)"},
    {"invite", cmd_invite, "sign-in links by e-mail (invite --profile ID | --event ID)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: tavolo COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nenvironment: TAVOLO_DATABASE_URL (libpq conninfo; default: the embedded\n"
                 "cluster in $TAVOLO_HOME/pg), TAVOLO_HOME (default ./var), TAVOLO_TAXONOMY\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    }
    cli_error("unknown command \"%s\" (see tavolo --help)", argv[1]);
    return CLI_USAGE;
}
