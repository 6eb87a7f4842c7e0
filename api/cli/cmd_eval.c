/* tavolo eval: matching quality on real investments, split by time (tavolo/eval.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tavolo/calendar.h"
#include "tavolo/eval.h"

#define MAX_SETS 32

typedef struct {
    const char *data, *cutoff, *config;
    size_t k[TV_EVAL_MAX_K], n_k;
    long months, min_companies;
    int json, strict;
    char *sets[MAX_SETS];
    size_t n_sets;
} eval_opts_t;

/* Adds 'k' to the sorted set of list lengths; -1 when it is not a length or the set is full. */
static int add_k(eval_opts_t *o, long k)
{
    size_t at = 0;

    if (k < 1 || k > 100000)
        return -1;
    while (at < o->n_k && o->k[at] < (size_t)k)
        at++;
    if (at < o->n_k && o->k[at] == (size_t)k)
        return 0;
    if (o->n_k == TV_EVAL_MAX_K)
        return -1;
    memmove(&o->k[at + 1], &o->k[at], (o->n_k - at) * sizeof(size_t));
    o->k[at] = (size_t)k;
    o->n_k++;
    return 0;
}

/* "--k 10,20,50"; 10 and 20 are always measured (the report's fixed figures). */
static int parse_ks(eval_opts_t *o, const char *list)
{
    char *end;

    for (const char *p = list; *p != '\0'; p = *end == ',' ? end + 1 : end) {
        long k = strtol(p, &end, 10);

        if (end == p || (*end != ',' && *end != '\0') || add_k(o, k) != 0)
            return -1;
    }
    return 0;
}

static int parse_options(int argc, char **argv, eval_opts_t *o)
{
    static const struct option longopts[] = {
        {"data", required_argument, NULL, 'd'},   {"cutoff", required_argument, NULL, 'c'},
        {"k", required_argument, NULL, 'k'},      {"months", required_argument, NULL, 'm'},
        {"config", required_argument, NULL, 'f'}, {"set", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},         {"min-companies", required_argument, NULL, 'n'},
        {"strict", no_argument, NULL, 'S'},       {NULL, 0, NULL, 0}};
    int c, ks_given = 0;

    while ((c = getopt_long(argc, argv, "d:c:k:m:f:s:jn:", longopts, NULL)) != -1) {
        if (c == 'd')
            o->data = optarg;
        else if (c == 'c')
            o->cutoff = optarg;
        else if (c == 'k' && parse_ks(o, optarg) == 0)
            ks_given = 1;
        else if (c == 'm')
            o->months = strtol(optarg, NULL, 10);
        else if (c == 'f')
            o->config = optarg;
        else if (c == 's' && o->n_sets < MAX_SETS)
            o->sets[o->n_sets++] = optarg;
        else if (c == 'j')
            o->json = 1;
        else if (c == 'n')
            o->min_companies = strtol(optarg, NULL, 10);
        else if (c == 'S')
            o->strict = 1;
        else
            return -1;
    }
    if (!ks_given && parse_ks(o, "50") != 0)
        return -1;
    if (add_k(o, 10) != 0 || add_k(o, 20) != 0)
        return -1;
    return optind == argc && o->data != NULL && o->cutoff != NULL && o->months >= 1 &&
                   o->months <= 1200 && o->min_companies >= 1 && o->min_companies <= 100000
               ? 0
               : -1;
}

static const char *const files[] = {"companies.jsonl", "investors.jsonl", "investments.jsonl"};

static int load_data(const tv_taxonomy_t *tax, const char *dir, int strict, tv_eval_data_t *data)
{
    int rc = 0;

    for (int f = TV_EVAL_COMPANIES; f <= TV_EVAL_INVESTMENTS && rc == 0; f++) {
        char path[4096];
        tv_diags_t diags = {0}, skipped = {0};
        char *text = NULL;
        size_t len = 0;

        snprintf(path, sizeof(path), "%s/%s", dir, files[f]);
        rc = cli_read_file(path, &text, &len);
        if (rc == 0) {
            rc = tv_eval_data_add(tax, (tv_eval_file_t)f, text, len, data, &diags,
                                  strict ? NULL : &skipped);
            if (rc != 0)
                cli_print_diags(&diags, path);
            else
                cli_print_skipped(&skipped, path);
        }
        tv_diags_dispose(&diags);
        tv_diags_dispose(&skipped);
        free(text);
    }
    return rc;
}

static void print_group(const tv_eval_report_t *r, tv_eval_group_t g)
{
    const tv_eval_score_t *s = r->scores[g];
    size_t at20 = 0, best = TV_EVAL_POPULARITY;

    printf("%-18s", "method");
    for (size_t j = 0; j < r->n_k; j++)
        printf(" recall@%-4zu", r->k[j]);
    for (size_t j = 0; j < r->n_k; j++)
        printf(" ndcg@%-6zu", r->k[j]);
    printf("      mrr\n");
    for (int m = 0; m < TV_EVAL_METHOD_COUNT; m++) {
        printf("%-18s", tv_eval_method_name(m));
        for (size_t j = 0; j < r->n_k; j++)
            printf(" %11.4f", s[m].recall[j]);
        for (size_t j = 0; j < r->n_k; j++)
            printf(" %11.4f", s[m].ndcg[j]);
        printf(" %8.4f\n", s[m].mrr);
    }
    while (r->k[at20] != 20)
        at20++;
    for (int m = TV_EVAL_POPULARITY; m < TV_EVAL_RANDOM; m++) {
        if (s[m].recall[at20] > s[best].recall[at20])
            best = (size_t)m;
    }
    if (s[TV_EVAL_POPULARITY].recall[at20] > 0 && s[best].recall[at20] > 0)
        printf("recall@20: tavolo is %.2fx popularity and %.2fx the best baseline (%s)\n",
               s[TV_EVAL_TAVOLO].recall[at20] / s[TV_EVAL_POPULARITY].recall[at20],
               s[TV_EVAL_TAVOLO].recall[at20] / s[best].recall[at20], tv_eval_method_name(best));
}

static void print_report(const tv_eval_report_t *r)
{
    printf("Fit on the investments funded to %04d-%02d-%02d; tested on the rounds after it, to "
           "%04d-%02d-%02d.\n",
           r->cutoff / 10000, r->cutoff / 100 % 100, r->cutoff % 100, r->until / 10000,
           r->until / 100 % 100, r->until % 100);
    printf("Every company is ranked against the %zu investors that backed at least %zu "
           "companies before the cut; %zu test pairs name another investor and cannot be "
           "found.\n\n",
           r->known_investors, r->min_companies, r->unranked_pairs);
    printf("Cold start (no round before the cut): %zu companies, %zu investors to find\n",
           r->scores[TV_EVAL_COLD][0].queries, r->relevant_pairs[TV_EVAL_COLD]);
    print_group(r, TV_EVAL_COLD);
    printf("\nFollow-on rounds, new investors only: %zu companies, %zu investors to find\n",
           r->scores[TV_EVAL_FOLLOW_ON][0].queries, r->relevant_pairs[TV_EVAL_FOLLOW_ON]);
    print_group(r, TV_EVAL_FOLLOW_ON);
    printf("Earlier investors, not ranked: %zu of the %zu follow-on pairs (%.0f%%) came back.\n",
           r->earlier_pairs, r->follow_on_pairs,
           r->follow_on_pairs > 0 ? 100.0 * (double)r->earlier_pairs / (double)r->follow_on_pairs
                                  : 0.0);
}

int cmd_eval(int argc, char **argv)
{
    eval_opts_t o = {.months = 12, .min_companies = 1};
    tv_eval_plan_t plan;
    tv_eval_data_t data = {0};
    tv_eval_report_t report;
    tv_match_config_t cfg;
    tv_taxonomy_t *tax = NULL;
    char *json = NULL;
    int rc;

    if (parse_options(argc, argv, &o) != 0) {
        cli_error("usage: tavolo eval --data DIR --cutoff YYYY-MM-DD [--k 10,20,50] "
                  "[--months N] [--min-companies N] [--strict] [--json] [--config FILE] "
                  "[--set NAME=VALUE]...");
        return CLI_USAGE;
    }
    if (!tv_calendar_valid_date(o.cutoff)) {
        cli_error("--cutoff: \"%s\" is not a date YYYY-MM-DD", o.cutoff);
        return CLI_USAGE;
    }
    rc = cli_load_taxonomy(&tax);
    if (rc == 0)
        rc = cli_load_match_config(o.config, o.sets, o.n_sets, &cfg);
    if (rc == 0)
        rc = load_data(tax, o.data, o.strict, &data);
    if (rc == 0) {
        plan = (tv_eval_plan_t){.cutoff = tv_eval_date(o.cutoff),
                                .months = (int)o.months,
                                .n_k = o.n_k,
                                .min_companies = (size_t)o.min_companies};
        memcpy(plan.k, o.k, sizeof(o.k));
        rc = tv_eval_run(tax, &cfg, &data, &plan, &report);
        if (rc != 0)
            cli_error("eval: %s", tv_strerror(rc));
    }
    if (rc == 0 && o.json) {
        rc = tv_eval_report_encode(&report, &json);
        if (rc == 0)
            printf("%s\n", json);
    } else if (rc == 0) {
        print_report(&report);
    }
    free(json);
    tv_eval_data_dispose(&data);
    tv_taxonomy_destroy(tax);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}
