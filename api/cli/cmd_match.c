/* tavolo match: the ranked, explained matches of one investor or one company. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "signals.h"

#define MAX_SETS 32

typedef struct {
    const char *investor, *company, *event, *config, *lang;
    long k;
    int json;
    char *sets[MAX_SETS];
    size_t n_sets;
} match_opts_t;

static int parse_options(int argc, char **argv, match_opts_t *o)
{
    static const struct option longopts[] = {
        {"investor", required_argument, NULL, 'i'}, {"company", required_argument, NULL, 'c'},
        {"event", required_argument, NULL, 'e'},    {"config", required_argument, NULL, 'f'},
        {"set", required_argument, NULL, 's'},      {"lang", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},           {NULL, 0, NULL, 0}};
    int c;

    while ((c = getopt_long(argc, argv, "i:c:e:f:s:l:jk:", longopts, NULL)) != -1) {
        if (c == 'i')
            o->investor = optarg;
        else if (c == 'c')
            o->company = optarg;
        else if (c == 'e')
            o->event = optarg;
        else if (c == 'f')
            o->config = optarg;
        else if (c == 'l')
            o->lang = optarg;
        else if (c == 'j')
            o->json = 1;
        else if (c == 'k')
            o->k = strtol(optarg, NULL, 10);
        else if (c == 's' && o->n_sets < MAX_SETS)
            o->sets[o->n_sets++] = optarg;
        else
            return -1;
    }
    return optind == argc && (o->investor == NULL) != (o->company == NULL) && o->k > 0 ? 0 : -1;
}

typedef struct {
    const tv_matcher_t *m;
    tv_filter_t filter;
    uint8_t *companies, *investors;
} event_t;

static int on_participant(void *ctx, tv_profile_kind_t kind, const char *id)
{
    event_t *e = ctx;
    int at = kind == TV_KIND_COMPANY ? tv_matcher_find_company(e->m, id)
                                     : tv_matcher_find_investor(e->m, id);

    if (at >= 0)
        (kind == TV_KIND_COMPANY ? e->companies : e->investors)[at] = 1;
    return 0;
}

/* Restricts matching to the participants of event 'id'. */
static int load_event(tv_store_t *st, const tv_matcher_t *m, const char *id, event_t *e)
{
    int rc;

    e->m = m;
    e->companies = calloc(tv_matcher_companies(m) + 1, 1);
    e->investors = calloc(tv_matcher_investors(m) + 1, 1);
    if (e->companies == NULL || e->investors == NULL)
        return TV_ENOMEM;
    rc = tv_store_each_participant(st, id, on_participant, e);
    if (rc != 0)
        cli_error("%s", tv_store_error(st));
    e->filter.companies = e->companies;
    e->filter.investors = e->investors;
    return rc;
}

static int is_it(const char *lang)
{
    return strcmp(lang, "it") == 0;
}

/* The reasons and flags of one match, one sentence a line, in the reader's language. */
static void print_sentences(const tv_taxonomy_t *t, const tv_explanation_t *e, const char *lang)
{
    char line[512];

    for (size_t k = 0; k < e->n_reasons; k++) {
        tv_explain_reason_text(t, e, k, lang, line, sizeof(line));
        printf("%16s %s\n", "", line);
    }
    for (int k = 0; k < TV_FLAG_COUNT; k++) {
        if (e->flags & (1u << k)) {
            tv_explain_flag_text(e, k, lang, line, sizeof(line));
            printf("%16s ! %s\n", "", line);
        }
    }
}

static void print_text(const tv_matcher_t *m, const tv_taxonomy_t *t, int company_side, size_t self,
                       size_t other, int rank, const tv_explanation_t *e, const char *lang)
{
    size_t c = company_side ? self : other, i = company_side ? other : self;
    const char *id = company_side ? tv_matcher_investor(m, i)->id : tv_matcher_company(m, c)->id;
    const char *name =
        company_side ? tv_matcher_investor(m, i)->name : tv_matcher_company(m, c)->name;

    printf("%3d  %3d %-10s %.3f  %-8s %-34.34s", rank, e->fit, tv_level_name(e->level, lang),
           e->score, id, name);
    for (int b = 0; b < TV_BLOCK_COUNT; b++)
        printf(" %5.3f", e->contributions[b]);
    printf("\n");
    print_sentences(t, e, lang);
    if (e->taste != 0) /* ranked with what the side taught (decision 0069) */
        printf("%16s %s %+.3f\n", "",
               is_it(lang) ? "dalle sue risposte:" : "from its answers:", e->taste);
    if (e->n_text > 0) {
        printf("%16s %s:", "", is_it(lang) ? "parole" : "words");
        for (size_t k = 0; k < e->n_text; k++)
            printf("%s %s", k ? "," : "", e->text[k]);
        printf("\n");
    }
}

static void print_header(const tv_matcher_t *m, int company_side, size_t self, size_t n,
                         const char *lang)
{
    const char *what = is_it(lang) ? (company_side ? "investitori" : "aziende")
                                   : (company_side ? "investors" : "companies");

    printf(is_it(lang) ? "I %zu migliori %s per %s %s\n" : "Best %zu %s for %s %s\n", n, what,
           company_side ? tv_matcher_company(m, self)->id : tv_matcher_investor(m, self)->id,
           company_side ? tv_matcher_company(m, self)->name : tv_matcher_investor(m, self)->name);
    printf(is_it(lang) ? "  #  affinità       punt.  id       nome                              "
                       : "  #  fit level      score  id       name                              ");
    for (int b = 0; b < TV_BLOCK_COUNT; b++)
        printf(" %5.5s", tv_block_label(b, lang));
    printf("\n");
}

static int print_matches(const tv_matcher_t *m, const tv_taxonomy_t *t, const match_opts_t *o,
                         int company_side, size_t self, const tv_hit_t *hits, int n)
{
    const char *lang = o->lang != NULL ? o->lang : "en";

    if (o->json)
        printf("[");
    else
        print_header(m, company_side, self, (size_t)n, lang);
    for (int r = 0; r < n; r++) {
        size_t c = company_side ? self : hits[r].index, i = company_side ? hits[r].index : self;
        tv_explanation_t e;
        char *json = NULL;
        int rc = tv_matcher_explain(m, c, i, &e);

        e.taste = hits[r].score - e.score;
        if (rc == 0 && o->json)
            rc = tv_codec_match_encode(m, t, c, i, &e, lang, &json);
        if (rc != 0)
            return rc;
        if (o->json)
            printf("%s\n  %s", r ? "," : "", json);
        else
            print_text(m, t, company_side, self, hits[r].index, r + 1, &e, lang);
        free(json);
    }
    if (o->json)
        printf("%s]\n", n > 0 ? "\n" : "");
    return 0;
}

/* What profile 'id' taught the ranking (decision 0069), as matcher rows. */
static int read_signals(tv_store_t *st, const tv_matcher_t *m, tv_profile_kind_t kind,
                        const char *id, tv_signals_t *out)
{
    app_signals_t read;
    int rc = app_signals_read(st, kind, id, &read);

    if (rc == 0)
        rc = app_signals_rows(&read, id, m, kind, out);
    else
        cli_error("%s", tv_store_error(st));
    app_signals_dispose(&read);
    return rc;
}

static int run(tv_store_t *st, const tv_taxonomy_t *t, const match_opts_t *o, tv_matcher_t *m)
{
    int company_side = o->company != NULL;
    int self = company_side ? tv_matcher_find_company(m, o->company)
                            : tv_matcher_find_investor(m, o->investor);
    event_t ev = {0};
    tv_signals_t learned = {NULL, 0};
    tv_hit_t *hits = calloc((size_t)o->k, sizeof(tv_hit_t));
    int rc = hits != NULL ? 0 : TV_ENOMEM, n = 0;

    if (rc == 0 && self < 0) {
        cli_error("no %s \"%s\"", company_side ? "company" : "investor",
                  company_side ? o->company : o->investor);
        rc = TV_ENOTFOUND;
    }
    if (rc == 0 && o->event != NULL)
        rc = load_event(st, m, o->event, &ev);
    if (rc == 0)
        rc = read_signals(st, m, company_side ? TV_KIND_COMPANY : TV_KIND_INVESTOR,
                          company_side ? o->company : o->investor, &learned);
    if (rc == 0) {
        const tv_filter_t *only = o->event != NULL ? &ev.filter : NULL;

        n = tv_matcher_rank_learned(m, company_side ? TV_KIND_COMPANY : TV_KIND_INVESTOR,
                                    (size_t)self, (size_t)o->k, only, &learned, hits);
        rc = n < 0 ? n : 0;
    }
    if (rc == 0)
        rc = print_matches(m, t, o, company_side, (size_t)self, hits, n);
    free((void *)learned.items);
    free(ev.companies);
    free(ev.investors);
    free(hits);
    return rc;
}

int cmd_match(int argc, char **argv)
{
    match_opts_t o = {.k = 10};
    tv_match_config_t cfg;
    tv_taxonomy_t *tax = NULL;
    tv_store_t *st = NULL;
    tv_matcher_t *m = NULL;
    int rc;

    if (parse_options(argc, argv, &o) != 0) {
        cli_error("usage: tavolo match (--investor ID | --company ID) [-k N] [--event ID] "
                  "[--json] [--lang it|en] [--config FILE] [--set NAME=VALUE]...");
        return CLI_USAGE;
    }
    if (o.lang != NULL && strcmp(o.lang, "it") != 0 && strcmp(o.lang, "en") != 0) {
        cli_error("--lang: expected it or en, got \"%s\"", o.lang);
        return CLI_USAGE;
    }
    rc = cli_load_taxonomy(&tax);
    if (rc == 0)
        rc = cli_load_match_config(o.config, o.sets, o.n_sets, &cfg);
    if (rc == 0)
        rc = cli_open_store(&st);
    if (rc == 0)
        rc = cli_load_matcher(st, tax, &cfg, &m);
    if (rc == 0)
        rc = run(st, tax, &o, m);
    tv_matcher_destroy(m);
    tv_store_close(st);
    tv_taxonomy_destroy(tax);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}
