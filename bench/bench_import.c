/* bench_import: times validation and the COPY + upsert path on N synthetic companies in a
 * scratch database of the same server as tavolo's ($TAVOLO_DATABASE_URL or the embedded
 * cluster). A program of its own (TV_BUILD_BENCH), never linked into tavolo; it opens the
 * database and reports through the command line's helpers (cli.h). */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"

#define BENCH_DATABASE "tavolo_bench"

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static const char *pick(const tv_taxonomy_t *t, tv_taxo_kind_t kind, uint64_t *s)
{
    return tv_taxonomy_entry(t, kind, next_random(s) % tv_taxonomy_count(t, kind))->id;
}

/* A stage of the same track as area 'area'. */
static const char *pick_stage(const tv_taxonomy_t *t, tv_track_t track, uint64_t *s)
{
    for (;;) {
        const tv_taxo_entry_t *e = tv_taxonomy_entry(
            t, TV_TAXO_STAGE, next_random(s) % tv_taxonomy_count(t, TV_TAXO_STAGE));

        if (e->track == track)
            return e->id;
    }
}

/* Appends one synthetic, valid company as a JSON line. */
static int append_company(const tv_taxonomy_t *t, size_t i, uint64_t *s, char *buf, size_t cap)
{
    size_t a = next_random(s) % tv_taxonomy_count(t, TV_TAXO_AREA);
    const tv_taxo_entry_t *area = tv_taxonomy_entry(t, TV_TAXO_AREA, a);

    return snprintf(
        buf, cap,
        "{\"id\":\"bench-%zu\",\"name\":\"Bench Company %zu\",\"area\":\"%s\",\"hq_country\":"
        "\"IT\",\"hq_region\":\"%s\",\"city\":\"Milano\",\"rd_share_italy\":0.%02d,"
        "\"rd_spend_eur\":%d,\"grants_eur\":%d,\"commercial\":false,\"patents_owned\":%d,"
        "\"patents_licensed\":0,\"pathologies\":[\"%s\",\"%s\"],\"technologies\":[\"%s\"],"
        "\"priorities\":[\"%s\"],\"stage\":\"%s\",\"round\":\"%s\",\"raise_eur\":%d,"
        "\"description\":\"Synthetic company %zu developing %s for %s, with preclinical data "
        "and a first patent family; seeking a lead investor for its next round.\","
        "\"language\":\"en\",\"wants\":{\"investor_kinds\":[\"%s\"],\"regions\":[\"%s\"],"
        "\"lead\":true},\"founded\":%d}\n",
        i, i, area->id, pick(t, TV_TAXO_IT_REGION, s), (int)(next_random(s) % 100),
        (int)(next_random(s) % 9000000), (int)(next_random(s) % 2000000),
        (int)(next_random(s) % 20), pick(t, TV_TAXO_PATHOLOGY, s), pick(t, TV_TAXO_PATHOLOGY, s),
        pick(t, TV_TAXO_TECHNOLOGY, s), pick(t, TV_TAXO_PRIORITY, s), pick_stage(t, area->track, s),
        pick(t, TV_TAXO_ROUND, s), (int)(next_random(s) % 50000000), i,
        pick(t, TV_TAXO_TECHNOLOGY, s), pick(t, TV_TAXO_PATHOLOGY, s),
        pick(t, TV_TAXO_INVESTOR_KIND, s), pick(t, TV_TAXO_REGION, s),
        2005 + (int)(next_random(s) % 20));
}

static char *generate(const tv_taxonomy_t *t, size_t n, size_t *len)
{
    size_t cap = n * 1200 + 1, used = 0;
    char *buf = malloc(cap);
    uint64_t seed = 0x9E3779B97F4A7C15u;

    for (size_t i = 0; buf != NULL && i < n; i++)
        used += (size_t)append_company(t, i, &seed, buf + used, cap - used);
    *len = used;
    return buf;
}

/* Opens a fresh scratch database next to the configured one. */
static int open_scratch(tv_store_t **main_st, tv_store_t **out)
{
    int rc = cli_open_store(main_st);

    if (rc == 0)
        rc = tv_store_drop_database(*main_st, BENCH_DATABASE);
    if (rc == 0)
        rc = tv_store_create_database(*main_st, BENCH_DATABASE) < 0 ? TV_EDB : 0;
    if (rc == 0)
        rc = tv_store_open_database(*main_st, BENCH_DATABASE, out);
    if (rc == 0)
        rc = tv_store_migrate(*out) < 0 ? TV_EDB : 0;
    if (rc != 0)
        cli_error("bench: cannot prepare the scratch database %s", BENCH_DATABASE);
    return rc;
}

static int bench_import(size_t n, int json)
{
    tv_read_opts_t ropts = {TV_FORMAT_JSONL, NULL, NULL};
    tv_store_t *main_st = NULL, *st = NULL;
    tv_upsert_stats_t first = {0, 0, 0}, again = {0, 0, 0};
    tv_diags_t diags = {0};
    tv_docs_t docs = {0};
    tv_taxonomy_t *tax = NULL;
    double t0, t_validate = 0, t_insert = 0, t_again = 0;
    size_t len = 0;
    char *buf = NULL;
    int rc = cli_load_taxonomy(&tax);

    if (rc == 0)
        buf = generate(tax, n, &len);
    if (rc == 0 && buf == NULL)
        rc = TV_ENOMEM;
    if (rc == 0)
        rc = open_scratch(&main_st, &st);
    if (rc == 0) {
        t0 = now_seconds();
        rc = tv_codec_read_records(tax, TV_KIND_COMPANY, &ropts, buf, len, &docs, &diags);
        t_validate = now_seconds() - t0;
        rc = rc >= 0 && diags.n == 0 ? 0 : TV_EINVAL;
    }
    if (rc == 0) {
        t0 = now_seconds();
        rc = tv_store_upsert(st, TV_KIND_COMPANY, &docs, "bench", &first);
        t_insert = now_seconds() - t0;
    }
    if (rc == 0) {
        t0 = now_seconds();
        rc = tv_store_upsert(st, TV_KIND_COMPANY, &docs, "bench", &again);
        t_again = now_seconds() - t0;
    }
    if (rc != 0) {
        cli_print_diags(&diags, "bench");
        cli_error("bench import failed: %s", st != NULL ? tv_store_error(st) : tv_strerror(rc));
    } else if (json) {
        printf("{\"records\": %zu, \"bytes\": %zu, \"validate_seconds\": %.4f, "
               "\"insert_seconds\": %.4f, \"reimport_seconds\": %.4f, "
               "\"profiles_per_second\": %.0f, \"goal_profiles_per_second\": 20000}\n",
               n, len, t_validate, t_insert, t_again, (double)n / (t_validate + t_insert));
    } else {
        printf("bench import: %zu companies (%.1f MB JSONL)\n", n, (double)len / 1e6);
        printf("  validate + canonicalise  %8.3f s  %9.0f /s\n", t_validate,
               (double)n / t_validate);
        printf("  COPY + upsert (insert)   %8.3f s  %9.0f /s  (%zu inserted)\n", t_insert,
               (double)n / t_insert, first.inserted);
        printf("  re-import (unchanged)    %8.3f s  %9.0f /s  (%zu unchanged)\n", t_again,
               (double)n / t_again, again.unchanged);
        printf("  end to end               %8.3f s  %9.0f profiles/s (goal 20000)\n",
               t_validate + t_insert, (double)n / (t_validate + t_insert));
    }
    if (main_st != NULL && st != NULL) {
        tv_store_close(st);
        tv_store_drop_database(main_st, BENCH_DATABASE);
    }
    tv_store_close(main_st);
    tv_docs_dispose(&docs);
    tv_diags_dispose(&diags);
    tv_taxonomy_destroy(tax);
    free(buf);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"n", required_argument, NULL, 'n'}, {"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    long n = 100000;
    int json = 0, c;

    while ((c = getopt_long(argc, argv, "n:j", longopts, NULL)) != -1) {
        if (c == 'n')
            n = strtol(optarg, NULL, 10);
        else if (c == 'j')
            json = 1;
        else
            return CLI_USAGE;
    }
    if (n <= 0) {
        cli_error("bench_import: --n must be a positive number");
        return CLI_USAGE;
    }
    return bench_import((size_t)n, json);
}
