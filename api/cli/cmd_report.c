/* tavolo report EVENT_ID | --all: what came of an event's meetings (or of every event's
 * together, the Tour's), measured (issue 18, decision 0068), as JSON: the same report as GET
 * /v1/events/{id}/report (or GET /v1/report). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "tavolo/error.h"

int cmd_report(int argc, char **argv)
{
    tv_taxonomy_t *tax = NULL;
    tv_store_t *st = NULL;
    tv_matcher_t *m = NULL;
    char *report = NULL, err[512] = "";
    int rc;

    int all = argc == 2 && strcmp(argv[1], "--all") == 0;

    if (argc != 2 || (argv[1][0] == '-' && !all)) {
        cli_error("usage: tavolo report EVENT_ID | --all");
        return CLI_USAGE;
    }
    rc = cli_open_matching(&tax, &st, &m);
    if (rc == 0 && (rc = api_events_report(st, m, all ? NULL : argv[1], all ? "tour" : argv[1],
                                           &report, err, sizeof(err))) != 0)
        cli_error("report %s: %s", argv[1], err[0] ? err : tv_strerror(rc));
    if (rc == 0)
        printf("%s\n", report);
    free(report);
    tv_matcher_destroy(m);
    tv_store_close(st);
    tv_taxonomy_destroy(tax);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}
