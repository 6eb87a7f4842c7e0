/* The outcomes report as JSON (issue 18, decision 0068): GET /v1/events/{id}/report,
 * GET /v1/report and `tavolo report` write it so. */
#include <jansson.h>
#include <stdlib.h>

#include "codec_internal.h"
#include "tavolo/codec.h"
#include "tavolo/error.h"

static json_t *rate_json(tv_ratio_t r, int min_cases)
{
    int enough = r.cases >= min_cases;

    return json_pack(
        "{s:I, s:I, s:o, s:b}", "cases", (json_int_t)r.cases, "count", (json_int_t)r.count, "rate",
        enough ? json_real((double)r.count / (double)r.cases) : json_null(), "too_few", !enough);
}

static json_t *by_json(const tv_outcome_report_t *r)
{
    json_t *by = json_object();

    for (size_t k = 0; by != NULL && k < r->n_rows; k++) {
        const tv_report_row_t *row = &r->rows[k];
        json_t *dim = json_object_get(by, row->dim);

        if (dim == NULL) {
            dim = json_object();
            json_object_set_new(by, row->dim, dim);
        }
        json_object_set_new(dim, row->key,
                            json_pack("[I, I, I, I, I]", (json_int_t)row->counts[0],
                                      (json_int_t)row->counts[1], (json_int_t)row->counts[2],
                                      (json_int_t)row->counts[3], (json_int_t)row->counts[4]));
    }
    return by;
}

int tv_codec_outcome_report_encode(const tv_outcome_report_t *r, char **out)
{
    json_t *acc = json_array(), *cal = json_array(), *recall = json_array(), *doc;
    int m = r->min_cases;

    for (int d = 0; d < TV_REPORT_DECILES; d++) {
        int enough = r->rated_decile[d] >= m;

        json_array_append_new(acc, json_pack("{s:i, s:o}", "decile", d, "requests",
                                             rate_json(r->accept_decile[d], m)));
        json_array_append_new(cal, json_pack("{s:i, s:I, s:I, s:o, s:b, s:o}", "decile", d,
                                             "meetings", (json_int_t)r->meetings_decile[d], "rated",
                                             (json_int_t)r->rated_decile[d], "mean_rating",
                                             enough ? json_real((double)r->rating_sum_decile[d] /
                                                                1000.0 / (double)r->rated_decile[d])
                                                    : json_null(),
                                             "too_few", !enough, "follow_up",
                                             rate_json(r->follow_decile[d], m)));
    }
    for (int k = 0; k < TV_REPORT_KS; k++)
        json_array_append_new(recall, json_pack("{s:i, s:o}", "k", r->recall_k[k], "meetings",
                                                rate_json(r->recall[k], m)));
    doc = json_pack("{s:s, s:i, s:i, s:{s:o, s:o, s:o}, s:o, s:o, s:o}", "event", r->event,
                    "min_cases", m, "recommended_k", r->recommended_k, "acceptance", "recommended",
                    rate_json(r->accept_recommended, m), "other", rate_json(r->accept_other, m),
                    "by_fit_decile", acc, "by_fit_decile", cal, "by", by_json(r), "recall", recall);
    *out = doc != NULL ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(4)) : NULL;
    json_decref(doc);
    return *out != NULL ? 0 : TV_ENOMEM;
}
