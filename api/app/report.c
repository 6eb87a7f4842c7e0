/* What came of an event's meetings, measured (issue 18, decision 0068): the requests and the
 * outcomes of the store against the matcher's fit and ranks. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "scheduling.h"
#include "tavolo/error.h"

#define DECILES 10
#define RECALL_KS 3

static const int recall_k[RECALL_KS] = {5, 10, 20};

typedef struct {
    long cases, count;
} ratio_t;

typedef struct {
    const tv_matcher_t *m;
    uint8_t *event_investors; /* by matcher index: 1 for the event's investors */
    uint32_t *top;            /* [company][API_REPORT_RECOMMENDED]: the best of them */
    uint8_t *n_top;           /* per company: how many, 0xff before it is ranked */
    tv_hit_t hits[API_REPORT_RECOMMENDED];
    /* the meetings */
    ratio_t accept_rec, accept_other, accept_decile[DECILES];
    long meetings_decile[DECILES], rated_decile[DECILES], rating_sum_decile[DECILES];
    ratio_t follow_decile[DECILES];
    ratio_t recall[RECALL_KS];
    json_t *by; /* dimension -> key -> [meetings, no_shows, follow_ups, term_sheets, investments] */
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
        ratio_t *side;

        if (strcmp(q[k].status, "pending") == 0)
            continue;
        fit = pair(x, q[k].company_id, q[k].investor_id, &rank);
        if (fit < 0)
            continue;
        side = rank > 0 ? &x->accept_rec : &x->accept_other;

        side->cases++, side->count += accepted;
        x->accept_decile[decile(fit)].cases++;
        x->accept_decile[decile(fit)].count += accepted;
    }
}

/* ---- the meetings, a row per side that answered ---- */

static const char *const dim_names[5] = {"area", "pathology", "technology", "investor_kind",
                                         "investor_country"};

/* Adds 1 to field 'f' of key 'key' of dimension 'dim'. */
static void bump(json_t *by, const char *dim, const char *key, int f)
{
    json_t *d = json_object_get(by, dim), *counts;

    if (key[0] == '\0')
        return;
    if (d == NULL) {
        d = json_object();
        json_object_set_new(by, dim, d);
    }
    counts = json_object_get(d, key);
    if (counts == NULL) {
        counts = json_pack("[i, i, i, i, i]", 0, 0, 0, 0, 0);
        json_object_set_new(d, key, counts);
    }
    json_array_set_new(counts, (size_t)f,
                       json_integer(json_integer_value(json_array_get(counts, (size_t)f)) + 1));
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

        x->meetings_decile[d]++;
        if (x->ratings > 0) {
            x->rated_decile[d]++;
            x->rating_sum_decile[d] += x->rating_sum * 1000 / x->ratings; /* mean, in thousandths */
        }
        if (x->answered) {
            x->follow_decile[d].cases++;
            x->follow_decile[d].count += followed;
        }
        for (int k = 0; followed && k < RECALL_KS; k++) {
            x->recall[k].cases++;
            x->recall[k].count += rank > 0 && rank <= recall_k[k];
        }
    }
    for (int dim = 0; dim < 5; dim++) {
        char keys[512], *save = NULL;

        snprintf(keys, sizeof(keys), "%s", x->dims[dim]);
        for (char *key = strtok_r(keys, ",", &save); key != NULL;
             key = strtok_r(NULL, ",", &save)) {
            bump(x->by, dim_names[dim], key, 0);
            if (no_show)
                bump(x->by, dim_names[dim], key, 1);
            if (followed)
                bump(x->by, dim_names[dim], key, 2);
            if (x->term_sheet)
                bump(x->by, dim_names[dim], key, 3);
            if (x->investment)
                bump(x->by, dim_names[dim], key, 4);
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

/* ---- the JSON ---- */

static json_t *rate_json(ratio_t r)
{
    int enough = r.cases >= API_REPORT_MIN_CASES;

    return json_pack(
        "{s:I, s:I, s:o, s:b}", "cases", (json_int_t)r.cases, "count", (json_int_t)r.count, "rate",
        enough ? json_real((double)r.count / (double)r.cases) : json_null(), "too_few", !enough);
}

static json_t *report_json(const report_t *x, const char *event_id)
{
    json_t *acc = json_array(), *cal = json_array(), *recall = json_array();

    for (int d = 0; d < DECILES; d++) {
        int enough = x->rated_decile[d] >= API_REPORT_MIN_CASES;

        json_array_append_new(
            acc, json_pack("{s:i, s:o}", "decile", d, "requests", rate_json(x->accept_decile[d])));
        json_array_append_new(cal, json_pack("{s:i, s:I, s:I, s:o, s:b, s:o}", "decile", d,
                                             "meetings", (json_int_t)x->meetings_decile[d], "rated",
                                             (json_int_t)x->rated_decile[d], "mean_rating",
                                             enough ? json_real((double)x->rating_sum_decile[d] /
                                                                1000.0 / (double)x->rated_decile[d])
                                                    : json_null(),
                                             "too_few", !enough, "follow_up",
                                             rate_json(x->follow_decile[d])));
    }
    for (int k = 0; k < RECALL_KS; k++)
        json_array_append_new(
            recall, json_pack("{s:i, s:o}", "k", recall_k[k], "meetings", rate_json(x->recall[k])));
    return json_pack("{s:s, s:i, s:i, s:{s:o, s:o, s:o}, s:o, s:O, s:o}", "event", event_id,
                     "min_cases", API_REPORT_MIN_CASES, "recommended_k", API_REPORT_RECOMMENDED,
                     "acceptance", "recommended", rate_json(x->accept_rec), "other",
                     rate_json(x->accept_other), "by_fit_decile", acc, "by_fit_decile", cal, "by",
                     x->by, "recall", recall);
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

static int on_event(void *ctx, const tv_store_event_summary_t *e)
{
    return json_array_append_new(ctx, json_string(e->id)) == 0 ? 0 : TV_ENOMEM;
}

int api_events_report(tv_store_t *st, const tv_matcher_t *m, const char *event_id, const char *name,
                      char **out, char *err, size_t err_size)
{
    size_t nc = tv_matcher_companies(m), ni = tv_matcher_investors(m);
    report_t *x = calloc(1, sizeof(*x));
    json_t *doc = NULL, *events = json_array();
    int rc = x != NULL && events != NULL ? 0 : TV_ENOMEM;

    *out = NULL;
    if (rc == 0) {
        x->m = m;
        x->event_investors = calloc(ni + 1, 1);
        x->top = calloc(nc * API_REPORT_RECOMMENDED + 1, sizeof(uint32_t));
        x->n_top = malloc(nc + 1);
        x->by = json_object();
        rc = x->event_investors && x->top && x->n_top && x->by ? 0 : TV_ENOMEM;
    }
    if (rc == 0)
        rc = event_id != NULL
                 ? (json_array_append_new(events, json_string(event_id)) == 0 ? 0 : TV_ENOMEM)
                 : tv_store_events_each(st, on_event, events);
    for (size_t k = 0; rc == 0 && k < json_array_size(events); k++)
        rc = add_event(x, st, json_string_value(json_array_get(events, k)));
    if (rc == 0) {
        doc = report_json(x, name);
        *out = doc != NULL ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(4)) : NULL;
        rc = *out != NULL ? 0 : TV_ENOMEM;
    }
    if (rc != 0)
        snprintf(err, err_size, "%s", tv_store_error(st));
    json_decref(doc);
    json_decref(events);
    if (x != NULL) {
        json_decref(x->by);
        free(x->event_investors), free(x->top), free(x->n_top);
    }
    free(x);
    return rc;
}
