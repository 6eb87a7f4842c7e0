/* The quality report as JSON (see tavolo/eval.h). */
#include <jansson.h>
#include <stdio.h>

#include "core/internal.h"
#include "tavolo/eval.h"

static json_t *date_string(int32_t d)
{
    char s[16];

    snprintf(s, sizeof(s), "%04d-%02d-%02d", (int)(d / 10000), (int)(d / 100 % 100),
             (int)(d % 100));
    return json_string(s);
}

static json_t *score_object(const tv_eval_report_t *r, const tv_eval_score_t *x)
{
    json_t *o = json_object();

    for (size_t j = 0; j < r->n_k; j++) {
        char name[32];

        snprintf(name, sizeof(name), "recall@%zu", r->k[j]);
        json_object_set_new(o, name, json_real(x->recall[j]));
        snprintf(name, sizeof(name), "ndcg@%zu", r->k[j]);
        json_object_set_new(o, name, json_real(x->ndcg[j]));
    }
    json_object_set_new(o, "mrr", json_real(x->mrr));
    json_object_set_new(o, "queries", json_integer((json_int_t)x->queries));
    return o;
}

int tv_eval_report_encode(const tv_eval_report_t *r, char **out)
{
    json_t *root = json_object(), *groups = json_object();

    for (int g = 0; g < TV_EVAL_GROUP_COUNT; g++) {
        json_t *methods = json_object();

        for (int m = 0; m < TV_EVAL_METHOD_COUNT; m++)
            json_object_set_new(methods, tv_eval_method_name(m), score_object(r, &r->scores[g][m]));
        json_object_set_new(groups, tv_eval_group_name(g), methods);
    }
    json_object_set_new(root, "cutoff", date_string(r->cutoff));
    json_object_set_new(root, "until", date_string(r->until));
    json_object_set_new(root, "min_companies", json_integer((json_int_t)r->min_companies));
    json_object_set_new(root, "groups", groups);
    json_object_set_new(root, "pairs",
                        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "known_investors",
                                  (json_int_t)r->known_investors, "cold",
                                  (json_int_t)r->relevant_pairs[TV_EVAL_COLD], "follow_on_new",
                                  (json_int_t)r->relevant_pairs[TV_EVAL_FOLLOW_ON],
                                  "follow_on_earlier", (json_int_t)r->earlier_pairs,
                                  "follow_on_all", (json_int_t)r->follow_on_pairs,
                                  "unranked_investor", (json_int_t)r->unranked_pairs));
    *out = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(root);
    return *out != NULL ? 0 : TV_ENOMEM;
}
