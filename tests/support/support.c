/* Helpers shared by the test programs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "support.h"

char *tvt_read_fixture(const char *rel, size_t *len)
{
    char path[1024];
    FILE *f;
    long n;
    char *buf;

    snprintf(path, sizeof(path), "%s/%s", TV_FIXTURES_DIR, rel);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len != NULL)
        *len = (size_t)n;
    return buf;
}

tv_match_config_t tvt_match_config(void)
{
    tv_match_config_t cfg;
    tv_diags_t diags = {0};
    size_t len;
    char *text = tvt_read_fixture("match.json", &len);

    memset(&cfg, 0, sizeof(cfg));
    assert_int_equal(tv_codec_match_config_parse(text, len, 1, &cfg, &diags), 0);
    tv_diags_dispose(&diags);
    free(text);
    return cfg;
}

tv_taxonomy_t *tvt_taxonomy(void)
{
    tv_taxonomy_t *t = NULL;
    tv_diags_t diags = {0};
    size_t len;
    char *buf = tvt_read_fixture("taxonomy.json", &len);
    int rc = tv_codec_taxonomy_parse(buf, len, &t, &diags);

    for (size_t i = 0; i < diags.n; i++)
        fprintf(stderr, "taxonomy: %s: %s\n", diags.items[i].field, diags.items[i].message);
    assert_int_equal(rc, 0);
    tv_diags_dispose(&diags);
    free(buf);
    return t;
}

void tvt_require_pg(void)
{
    const char *dsn = getenv("TV_TEST_PG_DSN");

    if (dsn != NULL && dsn[0] != '\0')
        return;
    if (getenv("TV_TEST_REQUIRE_PG") != NULL) {
        fprintf(stderr, "TV_TEST_PG_DSN is not set but TV_TEST_REQUIRE_PG is\n");
        exit(1);
    }
    fprintf(stderr, "TV_TEST_PG_DSN is not set: skipping\n");
    exit(77);
}

tv_store_t *tvt_scratch_store(const char *name)
{
    char db[128], err[256];
    tv_store_t *admin = NULL, *st = NULL;

    snprintf(db, sizeof(db), "tvt_%s", name);
    if (tv_store_open(getenv("TV_TEST_PG_DSN"), &admin, err, sizeof(err)) != 0)
        fail_msg("cannot connect: %s", err);
    assert_int_equal(tv_store_drop_database(admin, db), 0);
    assert_int_equal(tv_store_create_database(admin, db), 1);
    assert_int_equal(tv_store_open_database(admin, db, &st), 0);
    tv_store_close(admin);
    if (tv_store_migrate(st) < 1)
        fail_msg("migrations: %s", tv_store_error(st));
    return st;
}

void tvt_scratch_drop(tv_store_t *st, const char *name)
{
    char db[128], err[256];
    tv_store_t *admin = NULL;

    snprintf(db, sizeof(db), "tvt_%s", name);
    tv_store_close(st);
    if (tv_store_open(getenv("TV_TEST_PG_DSN"), &admin, err, sizeof(err)) != 0)
        fail_msg("cannot connect: %s", err);
    assert_int_equal(tv_store_drop_database(admin, db), 0);
    tv_store_close(admin);
}

int tvt_read(const tv_taxonomy_t *t, tv_profile_kind_t kind, tv_format_t fmt, const char *text,
             tv_docs_t *docs, tv_diags_t *diags)
{
    tv_read_opts_t opts = {fmt, NULL, NULL};

    return tv_codec_read_records(t, kind, &opts, text, strlen(text), docs, diags);
}

void tvt_assert_diag(const tv_diags_t *d, size_t record, const char *field, const char *needle)
{
    for (size_t i = 0; i < d->n; i++) {
        if (d->items[i].record == record && strcmp(d->items[i].field, field) == 0 &&
            strstr(d->items[i].message, needle) != NULL)
            return;
    }
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "  have: %zu %s: %s\n", d->items[i].record, d->items[i].field,
                d->items[i].message);
    fail_msg("no diagnostic for record %zu field \"%s\" containing \"%s\"", record, field, needle);
}

void tvt_add_fixture(tv_matcher_t *m, const tv_taxonomy_t *t, const char *rel,
                     tv_profile_kind_t kind)
{
    size_t len;
    char *text = tvt_read_fixture(rel, &len);

    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        tv_diags_t d = {0};

        if (kind == TV_KIND_COMPANY) {
            tv_company_t c;

            assert_int_equal(tv_codec_company_decode(t, line, strlen(line), &c, &d), 0);
            assert_int_equal(tv_matcher_add_company(m, &c), 0);
        } else {
            tv_investor_t inv;

            assert_int_equal(tv_codec_investor_decode(t, line, strlen(line), &inv, &d), 0);
            assert_int_equal(tv_matcher_add_investor(m, &inv), 0);
        }
    }
    free(text);
}

tv_matcher_t *tvt_fixture_matcher(const tv_taxonomy_t *t, const tv_match_config_t *cfg)
{
    tv_matcher_t *m = NULL;

    assert_int_equal(tv_matcher_create(t, cfg, &m), 0);
    tvt_add_fixture(m, t, "companies.jsonl", TV_KIND_COMPANY);
    tvt_add_fixture(m, t, "planted/companies.jsonl", TV_KIND_COMPANY);
    tvt_add_fixture(m, t, "investors.jsonl", TV_KIND_INVESTOR);
    tvt_add_fixture(m, t, "planted/investors.jsonl", TV_KIND_INVESTOR);
    assert_int_equal(tv_matcher_build(m), 0);
    return m;
}

const char *tvt_scratch_conninfo(const char *name)
{
    static char conninfo[1024];

    snprintf(conninfo, sizeof(conninfo), "%s dbname=tvt_%s", getenv("TV_TEST_PG_DSN"), name);
    return conninfo;
}

void *tvt_scratch_check(const char *name)
{
    PGconn *check = PQconnectdb(tvt_scratch_conninfo(name));

    assert_int_equal(PQstatus(check), CONNECTION_OK);
    return check;
}

void tvt_exec(void *check, const char *sql)
{
    PGresult *r = PQexec(check, sql);

    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
}

long tvt_scalar(void *check, const char *sql)
{
    PGresult *r = PQexec(check, sql);
    long v;

    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    v = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}
