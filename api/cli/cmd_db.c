/* tavolo db start|stop|status|url, and tavolo migrate. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pgembed.h"

int cmd_db(int argc, char **argv)
{
    pgembed_opts_t opts = {0};
    char conninfo[4200];
    const char *verb = argc > 1 ? argv[1] : "";

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--no-fsync") == 0) {
            opts.fast = 1;
        } else {
            cli_error("db: unknown option %s", argv[i]);
            return CLI_USAGE;
        }
    }
    if (strcmp(verb, "start") == 0) {
        if (pgembed_start(cli_home(), &opts, conninfo, sizeof(conninfo)) != 0)
            return CLI_FAILED;
        printf("%s\n", conninfo);
        return CLI_OK;
    }
    if (strcmp(verb, "stop") == 0)
        return pgembed_stop(cli_home()) == 0 ? CLI_OK : CLI_FAILED;
    if (strcmp(verb, "status") == 0) {
        int up = pgembed_running(cli_home());

        printf("%s\n", up ? "running" : "stopped");
        return up ? CLI_OK : CLI_FAILED;
    }
    if (strcmp(verb, "url") == 0) {
        if (pgembed_conninfo(cli_home(), conninfo, sizeof(conninfo)) != 0)
            return CLI_FAILED;
        printf("%s\n", conninfo);
        return CLI_OK;
    }
    cli_error("usage: tavolo db start [--no-fsync] | stop | status | url");
    return CLI_USAGE;
}

int cmd_migrate(int argc, char **argv)
{
    tv_store_t *st = NULL;

    (void)argv;
    if (argc > 1) {
        cli_error("usage: tavolo migrate");
        return CLI_USAGE;
    }
    if (cli_open_store(&st) != 0)
        return CLI_FAILED;
    printf("schema version %d\n", tv_store_schema_version(st));
    tv_store_close(st);
    return CLI_OK;
}
