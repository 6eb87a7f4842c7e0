/* What came of an event's meetings, measured (issue 18, decision 0068): the requests and the
 * outcomes of the store against the matcher's fit and ranks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "scheduling.h"
#include "tavolo/codec.h"
#include "tavolo/error.h"

#define DECILES TV_REPORT_DECILES
#define RECALL_KS TV_REPORT_KS

static const int recall_k[RECALL_KS] = {5, 10, 20};

typedef struct {
    const tv_matcher_t *m;
    uint8_t *event_investors; /* by matcher index: 1 for the event's investors */
    uint32_t *top;            /* [company][API_REPORT_RECOMMENDED]: the best of them */
    uint8_t *n_top;           /* per company: how many, 0xff before it is ranked */
    tv_hit_t hits[API_REPORT_RECOMMENDED];
    tv_outcome_report_t r; /* the figures */
    int failed;            /* out of memory while counting */
    /* the meeting being read (rows come by meeting) */
    char id[24], company[65], investor[65], status[12], dims[5][512];
    int answered, held_yes, held_no, follow, stepped, term_sheet, investment, ratings, rating_sum;
} report_t;

/* The rank (1 to API_REPORT_RECOMMENDED) of investor 'mi' among company 'mc''s best of the
 * event's investors, or 0. */
static int rank_of(report_t *x, int mc, int mi)
{
    uint32_t *top = x->top + (size_t)mc * API_REPORT_RECOMMENDED;

    if (x->n_top[mc] == 0xff) {
        tv_filter_t only = {NULL, x->event_investors};
        int n = tv_matcher_for_company(x->m, (size_t)mc, API_REPORT_RECOMMENDED, &only, x->hits);

        x->n_top[mc] = (uint8_t)(n > 0 ? n : 0);
        for (int k = 0; k < n; k++)
            top[k] = x->hits[k].index;
    }
    for (int k = 0; k < x->n_top[mc]; k++)
        if (top[k] == (uint32_t)mi)
            return k + 1;
    return 0;
}

/* The pair's fit (0 to 100) and rank, by id; -1 when a side is no longer a profile. */
static int pair(report_t *x, const char *company, const char *investor, int *rank)
{
    int mc = tv_matcher_find_company(x->m, company), mi = tv_matcher_find_investor(x->m, investor);
    tv_explanation_t e;

    *rank = 0;
    if (mc < 0 || mi < 0 || tv_matcher_explain(x->m, (size_t)mc, (size_t)mi, &e) != 0)
        return -1;
    *rank = rank_of(x, mc, mi);
    return e.fit;
}

static int decile(int fit)
{
    return fit >= 100 ? DECILES - 1 : fit / 10;
}

/* ---- the requests ---- */

static void count_requests(report_t *x, const tv_request_row_t *q, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        int rank, fit, accepted = strcmp(q[k].status, "accepted") == 0;
        tv_ratio_t *side;

        if (strcmp(q[k].status, "pending") == 0)
            continue;
        fit = pair(x, q[k].company_id, q[k].investor_id, &rank);
        if (fit < 0)
            continue;
        side = rank > 0 ? &x->r.accept_recommended : &x->r.accept_other;

        side->cases++, side->count += accepted;
        x->r.accept_decile[decile(fit)].cases++;
        x->r.accept_decile[decile(fit)].count += accepted;
    }
}

/* ---- the meetings, a row per side that answered ---- */

static const char *const dim_names[5] = {"area", "pathology", "technology", "investor_kind",
                                         "investor_country"};

/* The row of key 'key' of dimension 'dim', added when new; NULL when memory runs out. A few
 * hundred rows at most: found by a linear search. */
static tv_report_row_t *row_of(tv_outcome_report_t *r, const char *dim, const char *key)
{
    tv_report_row_t *row;

    for (size_t k = 0; k < r->n_rows; k++)
        if (strcmp(r->rows[k].dim, dim) == 0 && strcmp(r->rows[k].key, key) == 0)
            return &r->rows[k];
    if (r->n_rows == r->cap_rows) {
        size_t cap = r->cap_rows ? 2 * r->cap_rows : 32;
        tv_report_row_t *grown = realloc(r->rows, cap * sizeof(*grown));

        if (grown == NULL)
            return NULL;
        r->rows = grown;
        r->cap_rows = cap;
    }
    row = &r->rows[r->n_rows++];
    memset(row, 0, sizeof(*row));
    snprintf(row->dim, sizeof(row->dim), "%s", dim);
    snprintf(row->key, sizeof(row->key), "%s", key);
    return row;
}

/* Counts the meeting read so far, then forgets it. */
static void flush_meeting(report_t *x)
{
    int rank, fit, no_show, followed;

    if (x->id[0] == '\0')
        return;
    fit = pair(x, x->company, x->investor, &rank);
    no_show = strcmp(x->status, "no_show") == 0 || (x->held_no && !x->held_yes);
    followed = x->follow || x->stepped;
    if (fit >= 0) {
        int d = decile(fit);

        x->r.meetings_decile[d]++;
        if (x->ratings > 0) {
            x->r.rated_decile[d]++;
            x->r.rating_sum_decile[d] +=
                x->rating_sum * 1000 / x->ratings; /* mean, in thousandths */
        }
        if (x->answered) {
            x->r.follow_decile[d].cases++;
            x->r.follow_decile[d].count += followed;
        }
        for (int k = 0; followed && k < RECALL_KS; k++) {
            x->r.recall[k].cases++;
            x->r.recall[k].count += rank > 0 && rank <= recall_k[k];
        }
    }
    for (int dim = 0; dim < 5; dim++) {
        char keys[512], *save = NULL;

        snprintf(keys, sizeof(keys), "%s", x->dims[dim]);
        for (char *key = strtok_r(keys, ",", &save); key != NULL;
             key = strtok_r(NULL, ",", &save)) {
            tv_report_row_t *row = row_of(&x->r, dim_names[dim], key);

            if (row == NULL) {
                x->failed = 1;
                continue;
            }
            row->counts[0]++;
            row->counts[1] += no_show;
            row->counts[2] += followed;
            row->counts[3] += x->term_sheet;
            row->counts[4] += x->investment;
        }
    }
    x->id[0] = '\0';
}

static int on_outcome_row(void *ctx, const char *const *c, int n)
{
    report_t *x = ctx;
    const char *v;

    (void)n;
    if (strcmp(c[0], x->id) != 0) {
        flush_meeting(x);
        snprintf(x->id, sizeof(x->id), "%s", c[0]);
        snprintf(x->company, sizeof(x->company), "%s", c[1]);
        snprintf(x->investor, sizeof(x->investor), "%s", c[2]);
        snprintf(x->status, sizeof(x->status), "%s", c[3]);
        for (int d = 0; d < 5; d++)
            snprintf(x->dims[d], sizeof(x->dims[d]), "%s", c[11 + d]);
        x->answered = x->held_yes = x->held_no = x->follow = x->stepped = 0;
        x->term_sheet = x->investment = x->ratings = x->rating_sum = 0;
    }
    if (c[4] == NULL) /* nobody answered */
        return 0;
    x->answered = 1;
    if ((v = c[5]) != NULL && strcmp(v, "1") == 0)
        x->held_yes = 1;
    else if (v != NULL)
        x->held_no = 1;
    if ((v = c[6]) != NULL)
        x->ratings++, x->rating_sum += atoi(v);
    x->follow |= c[7] != NULL && strcmp(c[7], "1") == 0;
    x->stepped |= strcmp(c[8], "1") == 0;
    x->term_sheet |= strcmp(c[9], "1") == 0;
    x->investment |= strcmp(c[10], "1") == 0;
    return 0;
}

/* Adds event 'event_id' to 'x': its investors ranked for its companies, its requests, its
 * meetings and their outcomes. */
static int add_event(report_t *x, tv_store_t *st, const char *event_id)
{
    size_t nc = tv_matcher_companies(x->m), ni = tv_matcher_investors(x->m), n = 0;
    tv_request_row_t *q = NULL;
    tv_event_t e;
    int rc;

    tv_event_init(&e);
    memset(x->n_top, 0xff, nc + 1); /* "recommended" is among this event's investors */
    memset(x->event_investors, 0, ni + 1);
    rc = api_load_event(st, event_id, &e);
    for (size_t a = 0; rc == 0 && a < e.n_attendees; a++) {
        int mi = e.attendees[a].kind == TV_KIND_INVESTOR
                     ? tv_matcher_find_investor(x->m, e.attendees[a].id)
                     : -1;

        if (mi >= 0)
            x->event_investors[mi] = 1;
    }
    if (rc == 0)
        rc = tv_store_requests(st, event_id, &q, &n);
    if (rc == 0)
        count_requests(x, q, n);
    if (rc == 0)
        rc = tv_store_event_outcomes(st, event_id, on_outcome_row, x);
    if (rc == 0)
        flush_meeting(x);
    free(q);
    tv_event_dispose(&e);
    return rc;
}

int api_events_report(tv_store_t *st, const tv_matcher_t *m, const char *event_id, const char *name,
                      char **out, char *err, size_t err_size)
{
    size_t nc = tv_matcher_companies(m), ni = tv_matcher_investors(m);
    report_t *x = calloc(1, sizeof(*x));
    tv_strings_t events = {0};
    int rc = x != NULL ? 0 : TV_ENOMEM;

    *out = NULL;
    if (rc == 0) {
        x->m = m;
        x->event_investors = calloc(ni + 1, 1);
        x->top = calloc(nc * API_REPORT_RECOMMENDED + 1, sizeof(uint32_t));
        x->n_top = malloc(nc + 1);
        x->r = (tv_outcome_report_t){.event = name,
                                     .min_cases = API_REPORT_MIN_CASES,
                                     .recommended_k = API_REPORT_RECOMMENDED,
                                     .recall_k = {recall_k[0], recall_k[1], recall_k[2]}};
        rc = x->event_investors && x->top && x->n_top ? 0 : TV_ENOMEM;
    }
    if (rc == 0 && event_id == NULL)
        rc = tv_store_event_ids(st, &events);
    for (size_t k = 0; rc == 0 && k < (event_id != NULL ? 1 : events.n); k++)
        rc = add_event(x, st, event_id != NULL ? event_id : events.items[k]);
    if (rc == 0 && x->failed)
        rc = TV_ENOMEM;
    if (rc == 0)
        rc = tv_codec_outcome_report_encode(&x->r, out);
    if (rc != 0)
        snprintf(err, err_size, "%s", rc == TV_ENOMEM ? "out of memory" : tv_store_error(st));
    tv_strings_free(&events);
    if (x != NULL) {
        free(x->r.rows);
        free(x->event_investors), free(x->top), free(x->n_top);
    }
    free(x);
    return rc;
}
