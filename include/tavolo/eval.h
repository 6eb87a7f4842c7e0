/* tavolo/eval.h: matching quality on real investments, split by time.
 *
 * The data are investments (which investor joined which company's round, when, of what
 * size) with the companies and investors they name, as in the Crunchbase set described in
 * the README. tv_eval_run fits on the investments funded on or before a cut date, then, for
 * every company with a round in the months after it, ranks every investor known before the
 * cut and measures how many of the investors who really joined are found near the top. */
#ifndef TV_EVAL_H
#define TV_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "tavolo/codec.h"
#include "tavolo/match.h"
#include "tavolo/taxonomy.h"

typedef struct {
    char *id, *name;
    int technology; /* the category as a TV_TAXO_TECHNOLOGY index, or -1 */
    char country[3];
    char *state;     /* US state code, or NULL */
    char *region;    /* metro region ("SF Bay"), or NULL */
    int64_t founded; /* year, or TV_UNKNOWN */
} tv_eval_company_t;

typedef struct {
    char *id, *name;
    int kind; /* TV_TAXO_INVESTOR_KIND index (corporate: cvc), or -1 */
    char country[3];
} tv_eval_investor_t;

typedef struct {
    uint32_t company, investor; /* indices into the data's arrays */
    int32_t date;               /* yyyymmdd */
    int round;                  /* TV_TAXO_ROUND index, or -1 */
    int round_type;             /* the source's round type ("venture", "series-a", ...) as an
                                   index of tv_eval_round_type_name, or -1 when not given */
    int64_t raised_eur;         /* the round's total size, or TV_UNKNOWN */
} tv_eval_investment_t;

typedef struct {
    tv_eval_company_t *companies; /* sorted by id */
    size_t n_companies;
    tv_eval_investor_t *investors; /* sorted by id */
    size_t n_investors;
    tv_eval_investment_t *investments;
    size_t n_investments;
} tv_eval_data_t;

/* Which of the three files a text is, for tv_eval_data_add. */
typedef enum { TV_EVAL_COMPANIES, TV_EVAL_INVESTORS, TV_EVAL_INVESTMENTS } tv_eval_file_t;

/* Reads one file's JSON lines into 'data' (companies and investors before investments, which
 * name them). The holes of real exports, an investment without a date (or not YYYY-MM-DD), one
 * naming a company or an investor no row has, and a row the same as an earlier one, are left
 * out and each reported in 'skipped' with its line and field ("funded_at", "company_id",
 * "investor_id", "" for a repeat); with 'skipped' NULL (strict) they are errors. Every other bad
 * line is reported in 'diags' with its line number and field, and nothing of that file is
 * kept. Returns 0, TV_EPARSE or TV_ENOMEM. */
int tv_eval_data_add(const tv_taxonomy_t *t, tv_eval_file_t file, const char *text, size_t len,
                     tv_eval_data_t *data, tv_diags_t *diags, tv_diags_t *skipped);

void tv_eval_data_dispose(tv_eval_data_t *data);

/* The source's round type of index 'type' ("angel", "series-a", ..., "venture", "other"), or
 * NULL. */
const char *tv_eval_round_type_name(int type);

/* A date "YYYY-MM-DD" (already checked) as yyyymmdd. */
int32_t tv_eval_date(const char *s);

typedef enum { TV_EVAL_COLD, TV_EVAL_FOLLOW_ON, TV_EVAL_GROUP_COUNT } tv_eval_group_t;

typedef enum {
    TV_EVAL_TAVOLO,
    TV_EVAL_POPULARITY,
    TV_EVAL_RECENT_POPULARITY,
    TV_EVAL_GEOGRAPHY,
    TV_EVAL_CONTENT,
    TV_EVAL_RANDOM,
    TV_EVAL_METHOD_COUNT
} tv_eval_method_t;

#define TV_EVAL_MAX_K 8

/* "cold", "follow_on"; "tavolo", "popularity", ... */
const char *tv_eval_group_name(tv_eval_group_t g);
const char *tv_eval_method_name(tv_eval_method_t m);

typedef struct {
    double recall[TV_EVAL_MAX_K]; /* mean over queries, at each of the run's k */
    double ndcg[TV_EVAL_MAX_K];
    double mrr;
    size_t queries;
} tv_eval_score_t;

/* What one run measures. */
typedef struct {
    int32_t cutoff;               /* yyyymmdd: fit on the investments funded on or before it */
    int months;                   /* test on the rounds of this many months after it */
    size_t k[TV_EVAL_MAX_K], n_k; /* list lengths, ascending */
    size_t min_companies;         /* rank only investors that backed this many companies before the
                                   * cut (1: every investor known before it) */
} tv_eval_plan_t;

typedef struct {
    int32_t cutoff; /* yyyymmdd */
    int32_t until;  /* the last day of the test window */
    size_t min_companies;
    size_t k[TV_EVAL_MAX_K], n_k;
    tv_eval_score_t scores[TV_EVAL_GROUP_COUNT][TV_EVAL_METHOD_COUNT];
    size_t known_investors; /* investors ranked: min_companies companies before the cut */
    size_t relevant_pairs[TV_EVAL_GROUP_COUNT]; /* (company, new investor) pairs to find */
    size_t unranked_pairs;  /* test pairs whose investor is not ranked (unseen before the cut,
                             * or below min_companies) */
    size_t earlier_pairs;   /* follow-on test pairs by an earlier investor (not ranked) */
    size_t follow_on_pairs; /* every follow-on test pair by a known investor */
} tv_eval_report_t;

/* Runs every method as 'plan' says, with matching configuration 'cfg' (its masks and list
 * length are set for the run: every company may match, and lists cover every investor).
 * Returns TV_EINVAL for a plan out of range. */
int tv_eval_run(const tv_taxonomy_t *t, const tv_match_config_t *cfg, const tv_eval_data_t *data,
                const tv_eval_plan_t *plan, tv_eval_report_t *out);

/* The metrics of one ranked list against its relevant set: 'ranked' holds candidate ids in
 * rank order (n of them), 'relevant' a flag per candidate id below 'n_ids'. Adds recall@k and
 * nDCG@k for each k, and the reciprocal rank, into 'acc'. */
void tv_eval_score_list(const uint32_t *ranked, size_t n, const uint8_t *relevant,
                        size_t n_relevant, const size_t *k, size_t n_k, tv_eval_score_t *acc);

/* The report as JSON: {"cutoff", "until", "groups": {"cold": {method: {"recall@10", ...,
 * "ndcg@20", "mrr", "queries"}}, "follow_on": {...}}, "pairs": {...}}. */
int tv_eval_report_encode(const tv_eval_report_t *r, char **out);

#endif
