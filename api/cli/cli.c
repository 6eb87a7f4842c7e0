/* Helpers shared by the subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pgembed.h"

int cli_read_file(const char *path, char **buf, size_t *len)
{
    app_notes_t notes = {0};
    int rc = app_read_file(path, buf, len, &notes);

    cli_print_notes(&notes);
    app_notes_dispose(&notes);
    return rc;
}

int cli_load_taxonomy(tv_taxonomy_t **out)
{
    const char *path = getenv("TAVOLO_TAXONOMY");
    tv_diags_t diags = {0};
    size_t len;
    char *buf;
    int rc;

    if (path == NULL || path[0] == '\0')
        path = TV_DEFAULT_TAXONOMY;
    rc = cli_read_file(path, &buf, &len);
    if (rc != 0)
        return rc;
    rc = tv_codec_taxonomy_parse(buf, len, out, &diags);
    if (rc != 0) {
        cli_error("the taxonomy %s is not valid:", path);
        cli_print_diags(&diags, path);
    }
    tv_diags_dispose(&diags);
    free(buf);
    return rc;
}

const char *cli_home(void)
{
    return app_home();
}

int cli_conninfo(char *buf, size_t size)
{
    const char *url = getenv("TAVOLO_DATABASE_URL");
    pgembed_opts_t opts = {0};

    if (url != NULL && url[0] != '\0') {
        snprintf(buf, size, "%s", url);
        return 0;
    }
    return pgembed_start(cli_home(), &opts, buf, size);
}

int cli_open_store(tv_store_t **out)
{
    char conninfo[4200], err[512];
    tv_store_t *st = NULL;
    int rc = cli_conninfo(conninfo, sizeof(conninfo));

    if (rc != 0)
        return rc;
    rc = tv_store_open(conninfo, &st, err, sizeof(err));
    if (rc != 0) {
        cli_error("cannot connect to the database: %s", err);
        return rc;
    }
    rc = tv_store_migrate(st);
    if (rc < 0) {
        cli_error("cannot apply the schema migrations: %s", tv_store_error(st));
        tv_store_close(st);
        return rc;
    }
    *out = st;
    return 0;
}

int cli_load_match_config(const char *overrides, char *const *sets, size_t n_sets,
                          tv_match_config_t *out)
{
    app_notes_t notes = {0};
    int rc = app_load_match_config(overrides, sets, n_sets, out, &notes);

    cli_print_notes(&notes);
    app_notes_dispose(&notes);
    return rc;
}

int cli_load_matcher(tv_store_t *st, const tv_taxonomy_t *tax, const tv_match_config_t *cfg,
                     tv_matcher_t **out)
{
    app_notes_t notes = {0};
    int rc = app_load_matcher(st, tax, cfg, out, NULL, &notes);

    cli_print_notes(&notes);
    app_notes_dispose(&notes);
    return rc;
}

int cli_open_matching(tv_taxonomy_t **tax, tv_store_t **st, tv_matcher_t **m)
{
    tv_match_config_t cfg;
    int rc = cli_load_taxonomy(tax);

    if (rc == 0)
        rc = cli_load_match_config(NULL, NULL, 0, &cfg);
    if (rc == 0)
        rc = cli_open_store(st);
    if (rc == 0)
        rc = cli_load_matcher(*st, *tax, &cfg, m);
    return rc;
}
