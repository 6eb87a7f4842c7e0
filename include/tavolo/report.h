/* tavolo/report.h: the outcomes report's figures (issue 18, decision 0068), counted by the
 * use case (api/app/report.c) and written as JSON by the codec. */
#ifndef TV_REPORT_H
#define TV_REPORT_H

#include <stddef.h>

#define TV_REPORT_DECILES 10
#define TV_REPORT_KS 3

/* A count among its cases. */
typedef struct {
    long cases, count;
} tv_ratio_t;

/* The meetings of one key of one dimension ("investor_kind", "vc"): meetings, no-shows,
 * follow-ups, term sheets, investments. */
typedef struct {
    char dim[24], key[96];
    long counts[5];
} tv_report_row_t;

typedef struct {
    const char *event; /* the event's id, or "tour" */
    int min_cases;     /* below it a rate is null, "too_few" */
    int recommended_k; /* a pair is recommended among the company's best this many */
    tv_ratio_t accept_recommended, accept_other, accept_decile[TV_REPORT_DECILES];
    long meetings_decile[TV_REPORT_DECILES], rated_decile[TV_REPORT_DECILES];
    long rating_sum_decile[TV_REPORT_DECILES]; /* the meetings' mean ratings, in thousandths */
    tv_ratio_t follow_decile[TV_REPORT_DECILES];
    int recall_k[TV_REPORT_KS];
    tv_ratio_t recall[TV_REPORT_KS];
    tv_report_row_t *rows; /* by dimension and key, in the order they came */
    size_t n_rows, cap_rows;
} tv_outcome_report_t;

#endif
