/* tavolo import: validates profile files and upserts them, one transaction per file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "cli.h"
#include "investments.h"

/* Beside the two profile kinds: investment rows added to the stored profiles. */
#define KIND_INVESTMENTS 2

typedef struct {
    int kind; /* tv_profile_kind_t, KIND_INVESTMENTS, or -1 to guess from each file's name */
    tv_format_t format;
    int skip_invalid;
    int dry_run;
    int strict; /* investments: the holes of a real export are errors */
} import_opts_t;

static int parse_kind(const char *s)
{
    if (strcmp(s, "companies") == 0 || strcmp(s, "company") == 0)
        return TV_KIND_COMPANY;
    if (strcmp(s, "investors") == 0 || strcmp(s, "investor") == 0)
        return TV_KIND_INVESTOR;
    if (strcmp(s, "investments") == 0)
        return KIND_INVESTMENTS;
    return -1;
}

/* Without --kind, a file named like "companies.jsonl" or "investors.csv" says its kind. */
static int guess_kind(const char *path)
{
    const char *base = strrchr(path, '/');

    base = base != NULL ? base + 1 : path;
    if (strstr(base, "compan") != NULL)
        return TV_KIND_COMPANY;
    if (strstr(base, "investor") != NULL)
        return TV_KIND_INVESTOR;
    if (strstr(base, "investment") != NULL)
        return KIND_INVESTMENTS;
    return -1;
}

static void show_progress(void *ctx, size_t records)
{
    fprintf(stderr, "\r%s: %zu records read", (const char *)ctx, records);
}

/* Reads and validates one file; prints every problem. */
static int read_file(const tv_taxonomy_t *tax, const import_opts_t *o, const char *path, int kind,
                     tv_docs_t *docs, size_t *records, size_t *invalid)
{
    tv_read_opts_t ropts = {o->format, NULL, (void *)path};
    tv_diags_t diags = {0};
    size_t len;
    char *buf;
    int rc = cli_read_file(path, &buf, &len);

    if (rc != 0)
        return rc;
    if (ropts.format == TV_FORMAT_AUTO)
        ropts.format = tv_codec_guess_format(path, buf, len);
    if (isatty(STDERR_FILENO))
        ropts.progress = show_progress;
    rc = tv_codec_read_records(tax, (tv_profile_kind_t)kind, &ropts, buf, len, docs, &diags);
    if (ropts.progress != NULL && rc >= TV_PROGRESS_EVERY)
        fputc('\n', stderr);
    cli_print_diags(&diags, path);
    if (rc < 0 && diags.n == 0)
        cli_error("%s: %s", path, tv_strerror(rc));
    *records = rc >= 0 ? (size_t)rc : 0;
    *invalid = diags.n;
    tv_diags_dispose(&diags);
    free(buf);
    return rc < 0 ? rc : 0;
}

/* Investment rows (the format of `tavolo eval`) added to the stored profiles' portfolios and
 * investor lists, in one transaction; the holes of a real export left out and said. */
static int import_investments(const tv_taxonomy_t *tax, tv_store_t **st, const import_opts_t *o,
                              const char *path)
{
    app_investments_stats_t s;
    tv_diags_t diags = {0}, skipped = {0};
    size_t len;
    char *buf;
    int rc = cli_read_file(path, &buf, &len);

    if (rc == 0 && *st == NULL && cli_open_store(st) != 0)
        rc = TV_EUNAVAIL;
    if (rc == 0)
        rc =
            app_import_investments(*st, tax, buf, len, o->strict, o->dry_run, &s, &diags, &skipped);
    cli_print_diags(&diags, path);
    if (rc == 0 || rc == TV_EPARSE)
        cli_print_skipped(&skipped, path);
    if (rc == TV_EPARSE)
        cli_error("%s: nothing written: the lines above are wrong", path);
    else if (rc != 0 && buf != NULL && *st != NULL)
        cli_error("%s: nothing written: %s", path, tv_store_error(*st));
    else if (rc == 0)
        printf("%s: %zu investments%s: %zu holdings added, %zu investors and %zu companies "
               "changed, %zu rows left out\n",
               path, s.rows, o->dry_run ? " (dry run: nothing written)" : "", s.holdings_added,
               s.investors_changed, s.companies_changed, skipped.n);
    tv_diags_dispose(&diags);
    tv_diags_dispose(&skipped);
    free(buf);
    return rc;
}

static int import_file(const tv_taxonomy_t *tax, tv_store_t **st, const import_opts_t *o,
                       const char *path)
{
    int kind = o->kind >= 0 ? o->kind : guess_kind(path);
    tv_upsert_stats_t s = {0, 0, 0};
    tv_docs_t docs = {0};
    size_t records = 0, invalid = 0;
    double t0 = api_seconds();
    int rc;

    if (kind < 0) {
        cli_error("%s: cannot tell companies from investors by the name; use --kind", path);
        return TV_EINVAL;
    }
    if (kind == KIND_INVESTMENTS)
        return import_investments(tax, st, o, path);
    rc = read_file(tax, o, path, kind, &docs, &records, &invalid);
    if (rc == 0 && invalid > 0 && !o->skip_invalid) {
        cli_error("%s: %zu problem%s in %zu records; nothing written (--skip-invalid writes "
                  "the valid ones)",
                  path, invalid, invalid == 1 ? "" : "s", records);
        rc = TV_EINVAL;
    }
    if (rc == 0 && !o->dry_run && *st == NULL && cli_open_store(st) != 0)
        rc = TV_EUNAVAIL;
    if (rc == 0 && !o->dry_run && (rc = tv_store_upsert(*st, kind, &docs, path, &s)) != 0)
        cli_error("%s: nothing written: %s", path, tv_store_error(*st));
    if (rc == 0) {
        double dt = api_seconds() - t0;

        printf("%s: %zu %s%s: %zu inserted, %zu updated, %zu unchanged, %zu invalid skipped "
               "(%.2f s, %.0f records/s)\n",
               path, docs.n, kind == TV_KIND_COMPANY ? "companies" : "investors",
               o->dry_run ? " valid (dry run)" : "", s.inserted, s.updated, s.unchanged,
               records - docs.n, dt, dt > 0 ? (double)records / dt : 0.0);
    }
    tv_docs_dispose(&docs);
    return rc;
}

static int parse_options(int argc, char **argv, import_opts_t *o)
{
    static const struct option longopts[] = {
        {"kind", required_argument, NULL, 'k'},   {"format", required_argument, NULL, 'f'},
        {"skip-invalid", no_argument, NULL, 's'}, {"dry-run", no_argument, NULL, 'n'},
        {"strict", no_argument, NULL, 'S'},       {NULL, 0, NULL, 0}};
    int c;

    while ((c = getopt_long(argc, argv, "k:f:sn", longopts, NULL)) != -1) {
        if (c == 'k' && (o->kind = parse_kind(optarg)) < 0)
            return -1;
        else if (c == 'f' && strcmp(optarg, "json") == 0)
            o->format = TV_FORMAT_JSON;
        else if (c == 'f' && strcmp(optarg, "jsonl") == 0)
            o->format = TV_FORMAT_JSONL;
        else if (c == 'f' && strcmp(optarg, "csv") == 0)
            o->format = TV_FORMAT_CSV;
        else if (c == 's')
            o->skip_invalid = 1;
        else if (c == 'n')
            o->dry_run = 1;
        else if (c == 'S')
            o->strict = 1;
        else if (c != 'k')
            return -1;
    }
    return optind < argc ? 0 : -1;
}

int cmd_import(int argc, char **argv)
{
    import_opts_t o = {-1, TV_FORMAT_AUTO, 0, 0, 0};
    tv_taxonomy_t *tax = NULL;
    tv_store_t *st = NULL;
    int failed = 0;

    if (parse_options(argc, argv, &o) != 0) {
        cli_error("usage: tavolo import [--kind companies|investors|investments] "
                  "[--format json|jsonl|csv] [--skip-invalid] [--strict] [--dry-run] FILE...");
        return CLI_USAGE;
    }
    if (cli_load_taxonomy(&tax) != 0)
        return CLI_FAILED;
    for (int i = optind; i < argc; i++)
        failed |= import_file(tax, &st, &o, argv[i]) != 0;
    tv_store_close(st);
    tv_taxonomy_destroy(tax);
    return failed ? CLI_FAILED : CLI_OK;
}
