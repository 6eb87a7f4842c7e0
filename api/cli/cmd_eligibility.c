/* tavolo eligibility: the ESIBE admission criteria for stored companies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tavolo/eligibility.h"

typedef struct {
    const tv_taxonomy_t *tax;
    int json;
    size_t seen;
    size_t counts[3]; /* by tv_check_t + 1 */
    const char *const *wanted;
    size_t n_wanted;
} report_t;

static const char *verdict_text(tv_check_t c)
{
    return c == TV_CHECK_PASS ? "eligible" : c == TV_CHECK_FAIL ? "not eligible" : "unknown";
}

static void print_text(const tv_company_t *c, const tv_eligibility_t *e)
{
    printf("%-10s %-40.40s %s\n", c->id, c->name, verdict_text(e->eligible));
    for (int i = 0; i < TV_CRIT_COUNT; i++) {
        const tv_criterion_t *k = &e->criteria[i];

        if (k->result != TV_CHECK_PASS)
            printf("%13s %-14s %-7s %s\n", "", k->name, tv_check_name(k->result), k->reason);
    }
}

static int on_company(void *ctx, const char *id, const char *json, size_t len)
{
    report_t *r = ctx;
    tv_diags_t diags = {0};
    tv_eligibility_t e;
    tv_company_t c;
    char *out = NULL;
    int rc = tv_codec_company_decode(r->tax, json, len, &c, &diags);

    if (rc != 0) {
        cli_error("stored company %s no longer decodes:", id);
        cli_print_diags(&diags, id);
        tv_diags_dispose(&diags);
        return rc;
    }
    tv_eligibility_check(r->tax, &c, &e);
    r->counts[e.eligible + 1]++;
    if (r->json) {
        rc = tv_codec_eligibility_encode(&c, &e, &out);
        if (rc == 0)
            printf("%s\n  %s", r->seen == 0 ? "[" : ",", out);
        free(out);
    } else {
        print_text(&c, &e);
    }
    r->seen++;
    tv_company_dispose(&c);
    return rc;
}

int cmd_eligibility(int argc, char **argv)
{
    report_t r = {NULL, 0, 0, {0, 0, 0}, NULL, 0};
    tv_taxonomy_t *tax = NULL;
    tv_store_t *st = NULL;
    int first = 1, rc;

    if (argc > 1 && strcmp(argv[1], "--json") == 0) {
        r.json = 1;
        first = 2;
    }
    for (int i = first; i < argc; i++) {
        if (argv[i][0] == '-') {
            cli_error("usage: tavolo eligibility [--json] [COMPANY_ID...]");
            return CLI_USAGE;
        }
    }
    r.wanted = (const char *const *)argv + first;
    r.n_wanted = (size_t)(argc - first);
    if (cli_load_taxonomy(&tax) != 0 || cli_open_store(&st) != 0) {
        tv_taxonomy_destroy(tax);
        return CLI_FAILED;
    }
    r.tax = tax;
    rc = tv_store_each(st, TV_KIND_COMPANY, r.wanted, r.n_wanted, on_company, &r);
    if (rc != 0 && rc != TV_EINVAL)
        cli_error("%s", tv_store_error(st));
    if (r.json)
        printf("%s]\n", r.seen == 0 ? "[" : "\n");
    else
        printf("%zu companies: %zu eligible, %zu not eligible, %zu unknown\n", r.seen,
               r.counts[TV_CHECK_PASS + 1], r.counts[TV_CHECK_FAIL + 1],
               r.counts[TV_CHECK_UNKNOWN + 1]);
    if (rc == 0 && r.seen < r.n_wanted) {
        cli_error("%zu of the %zu companies asked for do not exist", r.n_wanted - r.seen,
                  r.n_wanted);
        rc = TV_ENOTFOUND;
    }
    tv_store_close(st);
    tv_taxonomy_destroy(tax);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}
