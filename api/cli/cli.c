/* Helpers shared by the subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pgembed.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;

    fputs("tavolo: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_read_file(const char *path, char **buf, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    size_t cap = 1 << 16, n = 0;
    char *b = NULL;

    if (f == NULL) {
        cli_error("%s: %s", path, strerror(errno));
        return TV_EIO;
    }
    b = malloc(cap);
    while (b != NULL) {
        n += fread(b + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        cap *= 2;
        char *nb = realloc(b, cap);
        if (nb == NULL) {
            free(b);
            b = NULL;
        }
        b = nb;
    }
    if (b == NULL || ferror(f)) {
        cli_error("%s: %s", path, b == NULL ? "out of memory" : strerror(errno));
        free(b);
        if (f != stdin)
            fclose(f);
        return b == NULL ? TV_ENOMEM : TV_EIO;
    }
    if (f != stdin)
        fclose(f);
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

void cli_print_diags(const tv_diags_t *d, const char *file)
{
    char line[1024];

    for (size_t i = 0; i < d->n; i++) {
        tv_diag_format(&d->items[i], file, line, sizeof(line));
        fprintf(stderr, "%s\n", line);
    }
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
    const char *home = getenv("TAVOLO_HOME");

    return home != NULL && home[0] != '\0' ? home : "./var";
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
