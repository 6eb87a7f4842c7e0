/* Tests engine/eval/eval.c, engine/eval/eval_data.c and engine/codec/codec_eval.c: the metrics
 * against hand-computed values, the reader's errors, and the time split on a small made-up data set
 * (no peeking, cold start against follow-on, earlier investors set apart). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "support.h"
#include "tavolo/eval.h"

static tv_taxonomy_t *tax;
static tv_match_config_t cfg;

static int setup(void **state)
{
    (void)state;
    tax = tvt_taxonomy();
    cfg = tvt_match_config();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tv_taxonomy_destroy(tax);
    return 0;
}

/* ---- metrics ---- */

static void test_eval_metrics_match_hand_computed_values(void **state)
{
    /* Candidates 0..5; relevant 1 and 4; ranked 3 1 0 4 2 5. */
    const uint32_t ranked[] = {3, 1, 0, 4, 2, 5};
    const uint8_t relevant[] = {0, 1, 0, 0, 1, 0};
    const size_t k[] = {1, 2, 4, 10};
    tv_eval_score_t acc = {0};
    double ideal2 = 1 + 1 / log2(3);

    (void)state;
    tv_eval_score_list(ranked, 6, relevant, 2, k, 4, &acc);
    assert_float_equal(acc.recall[0], 0, 1e-12);
    assert_float_equal(acc.recall[1], 0.5, 1e-12);
    assert_float_equal(acc.recall[2], 1, 1e-12);
    assert_float_equal(acc.recall[3], 1, 1e-12); /* k beyond the list */
    assert_float_equal(acc.ndcg[0], 0, 1e-12);
    assert_float_equal(acc.ndcg[1], (1 / log2(3)) / ideal2, 1e-12);
    assert_float_equal(acc.ndcg[2], (1 / log2(3) + 1 / log2(5)) / ideal2, 1e-12);
    assert_float_equal(acc.mrr, 0.5, 1e-12);
    assert_int_equal(acc.queries, 1);
}

static void test_eval_metrics_of_a_list_missing_a_relevant_one(void **state)
{
    /* Relevant 2 never ranked (masked): recall stays at half, the ideal counts it. */
    const uint32_t ranked[] = {0, 1};
    const uint8_t relevant[] = {1, 0, 1};
    const size_t k[] = {1, 5};
    tv_eval_score_t acc = {0};

    (void)state;
    tv_eval_score_list(ranked, 2, relevant, 2, k, 2, &acc);
    assert_float_equal(acc.recall[0], 0.5, 1e-12);
    assert_float_equal(acc.recall[1], 0.5, 1e-12);
    assert_float_equal(acc.ndcg[1], 1 / (1 + 1 / log2(3)), 1e-12);
    assert_float_equal(acc.mrr, 1, 1e-12);
}

/* ---- reading ---- */

static const char companies[] =
    "{\"id\":\"company/a\",\"name\":\"A\",\"categories\":[\"biotech\"],\"country\":\"USA\","
    "\"state\":\"MA\",\"region\":\"Boston\",\"founded\":\"2005-01-01\"}\n"
    "{\"id\":\"company/b\",\"name\":\"B\",\"categories\":[\"biotech\"],\"country\":\"USA\","
    "\"state\":\"MA\",\"region\":\"Boston\",\"founded\":null}\n"
    "{\"id\":\"company/c\",\"name\":\"C\",\"categories\":[\"medical\"],\"country\":\"USA\","
    "\"state\":\"CA\",\"region\":\"SF Bay\"}\n"
    "{\"id\":\"company/d\",\"name\":\"D\",\"categories\":[\"biotech\"],\"country\":\"USA\","
    "\"state\":\"CA\",\"region\":\"SF Bay\"}\n"
    "{\"id\":\"company/new\",\"name\":\"N\",\"categories\":[\"biotech\"],\"country\":\"USA\","
    "\"state\":\"MA\",\"region\":\"Boston\"}\n"
    "{\"id\":\"company/e\",\"name\":\"E\",\"categories\":[\"health\"],\"country\":\"USA\","
    "\"state\":\"CA\",\"region\":\"SF Bay\"}\n";

static const char investors[] =
    "{\"id\":\"investor/boston-1\",\"name\":\"B1\",\"type\":\"unknown\"}\n"
    "{\"id\":\"investor/sf-1\",\"name\":\"S1\",\"type\":\"unknown\"}\n"
    "{\"id\":\"investor/sf-2\",\"name\":\"S2\",\"type\":null}\n"
    "{\"id\":\"investor/late\",\"name\":\"L\",\"type\":\"corporate\",\"country\":\"USA\"}\n";

#define INV(c, i, date, round)                                                                     \
    "{\"company_id\":\"company/" c "\",\"investor_id\":\"investor/" i "\",\"round_type\":" round   \
    ",\"funded_at\":\"" date "\",\"raised_amount_usd\":5000000}\n"

/* Before the 2010-12-31 cut: boston-1 backs a and b in Boston; sf-1 and sf-2 back c and d in
 * the SF Bay. In 2011: new (cold, Boston) raises from boston-1 and the late investor; c (a
 * follow-on) raises from sf-1 again and from sf-2 anew. In 2013, outside the window, e. */
static const char investments[] = INV("a", "boston-1", "2009-03-01", "\"series-a\"")
    INV("b", "boston-1", "2010-05-01", "\"series-a\"") INV("b", "boston-1", "2010-09-01", "null")
        INV("c", "sf-1", "2009-06-01", "\"series-b\"") INV("d", "sf-1", "2010-02-01", "\"venture\"")
            INV("d", "sf-2", "2010-02-01", "\"venture\"")
                INV("new", "boston-1", "2011-04-01", "\"series-a\"")
                    INV("new", "late", "2011-04-01", "\"series-a\"")
                        INV("c", "sf-1", "2011-07-01", "\"series-c+\"")
                            INV("c", "sf-2", "2011-07-01", "\"series-c+\"")
                                INV("e", "sf-1", "2013-01-01", "\"angel\"");

static void load(tv_eval_data_t *data, const char *inv_text)
{
    tv_diags_t d = {0};

    memset(data, 0, sizeof(*data));
    assert_int_equal(
        tv_eval_data_add(tax, TV_EVAL_COMPANIES, companies, strlen(companies), data, &d, NULL), 0);
    assert_int_equal(
        tv_eval_data_add(tax, TV_EVAL_INVESTORS, investors, strlen(investors), data, &d, NULL), 0);
    assert_int_equal(
        tv_eval_data_add(tax, TV_EVAL_INVESTMENTS, inv_text, strlen(inv_text), data, &d, NULL), 0);
    tv_diags_dispose(&d);
}

static void test_eval_data_maps_the_crunchbase_vocabulary(void **state)
{
    tv_eval_data_t data;

    (void)state;
    load(&data, investments);
    assert_int_equal(data.n_companies, 6);
    assert_string_equal(data.companies[0].id, "company/a"); /* sorted by id */
    assert_int_equal(data.companies[0].technology,
                     tv_taxonomy_find(tax, TV_TAXO_TECHNOLOGY, "biopharma"));
    assert_int_equal(data.companies[1].founded, TV_UNKNOWN);
    assert_int_equal(data.companies[0].founded, 2005);
    assert_string_equal(data.companies[0].country, "US");
    assert_int_equal(data.investors[1].kind, tv_taxonomy_find(tax, TV_TAXO_INVESTOR_KIND, "cvc"));
    assert_int_equal(data.investments[0].round, tv_taxonomy_find(tax, TV_TAXO_ROUND, "series_a"));
    assert_int_equal(data.investments[2].round, -1);
    assert_int_equal(data.investments[4].round, -1); /* venture: series not stated */
    assert_int_equal(data.investments[0].date, 20090301);
    assert_int_equal(data.investments[0].raised_eur, 3750000);
    tv_eval_data_dispose(&data);
}

static void test_eval_data_errors_name_line_and_field_and_keep_nothing(void **state)
{
    static const char bad[] = INV("a", "boston-1", "2009-03-01", "\"series-a\"")
        INV("a", "nobody", "2009-03-01", "\"series-a\"") INV("a", "sf-1", "2009-02-30", "null")
            INV("a", "sf-1", "2009-02-01", "\"series-z\"") "not json\n";
    tv_eval_data_t data;
    tv_diags_t d = {0};

    (void)state;
    load(&data, "");
    assert_int_equal(tv_eval_data_add(tax, TV_EVAL_INVESTMENTS, bad, strlen(bad), &data, &d, NULL),
                     TV_EPARSE);
    tvt_assert_diag(&d, 2, "investor_id", "no investor has this id");
    tvt_assert_diag(&d, 3, "funded_at", "YYYY-MM-DD");
    tvt_assert_diag(&d, 4, "round_type", "unknown round type");
    tvt_assert_diag(&d, 5, "", "");
    assert_int_equal(data.n_investments, 0);
    tv_diags_dispose(&d);
    tv_eval_data_dispose(&data);
}

static void test_eval_data_leaves_out_holes_and_says_where(void **state)
{
    static const char holes[] = INV("a", "boston-1", "2009-03-01", "\"series-a\"") INV(
        "a", "nobody", "2009-03-01",
        "null") "{\"company_id\":\"company/b\",\"investor_id\":\"investor/"
                "sf-1\",\"funded_at\":null}\n" INV("a", "boston-1", "2009-03-01", "\"series-a\"")
                    INV("gone", "sf-1", "2009-03-01", "null")
                        INV("d", "sf-2", "2010-02-01", "\"venture\"")
                            INV("a", "boston-1", "2009-03-01", "\"series-a\"");
    tv_eval_data_t data;
    tv_diags_t d = {0}, skipped = {0};

    (void)state;
    load(&data, "");
    assert_int_equal(
        tv_eval_data_add(tax, TV_EVAL_INVESTMENTS, holes, strlen(holes), &data, &d, &skipped), 0);
    assert_int_equal(d.n, 0);
    assert_int_equal(data.n_investments, 2); /* lines 1 and 6 */
    assert_int_equal(data.investments[1].date, 20100201);
    assert_int_equal(skipped.n, 5);
    tvt_assert_diag(&skipped, 2, "investor_id", "no investor has this id");
    tvt_assert_diag(&skipped, 3, "funded_at", "no date");
    tvt_assert_diag(&skipped, 4, "", "the same row as line 1");
    tvt_assert_diag(&skipped, 5, "company_id", "no company has this id");
    tvt_assert_diag(&skipped, 7, "", "the same row as line 1");
    tv_diags_dispose(&skipped);
    tv_diags_dispose(&d);
    tv_eval_data_dispose(&data);
}

/* ---- the run ---- */

static const tv_eval_plan_t plan_2010 = {20101231, 12, {1, 2, 10, 20}, 4, 1};

static void run_plan(const char *inv_text, const tv_eval_plan_t *plan, tv_eval_report_t *r)
{
    tv_eval_data_t data;

    load(&data, inv_text);
    assert_int_equal(tv_eval_run(tax, &cfg, &data, plan, r), 0);
    tv_eval_data_dispose(&data);
}

static void run(const char *inv_text, tv_eval_report_t *r)
{
    run_plan(inv_text, &plan_2010, r);
}

static void test_eval_splits_cold_and_follow_on_and_sets_earlier_investors_apart(void **state)
{
    tv_eval_report_t r;

    (void)state;
    run(investments, &r);
    assert_int_equal(r.until, 20111231);
    assert_int_equal(r.known_investors, 3); /* late invests only after the cut */
    assert_int_equal(r.unranked_pairs, 1);
    /* Cold: new, to find boston-1. Follow-on: c, to find sf-2; sf-1 came back. */
    assert_int_equal(r.scores[TV_EVAL_COLD][TV_EVAL_TAVOLO].queries, 1);
    assert_int_equal(r.relevant_pairs[TV_EVAL_COLD], 1);
    assert_int_equal(r.scores[TV_EVAL_FOLLOW_ON][TV_EVAL_TAVOLO].queries, 1);
    assert_int_equal(r.relevant_pairs[TV_EVAL_FOLLOW_ON], 1);
    assert_int_equal(r.earlier_pairs, 1);
    assert_int_equal(r.follow_on_pairs, 2);
    /* The Boston investor is the local one, the engine and the geography baseline rank it
     * first; the follow-on ranks only sf-2 and boston-1, and sf-2 shares the SF Bay. */
    assert_float_equal(r.scores[TV_EVAL_COLD][TV_EVAL_TAVOLO].recall[0], 1, 0);
    assert_float_equal(r.scores[TV_EVAL_COLD][TV_EVAL_GEOGRAPHY].recall[0], 1, 0);
    assert_float_equal(r.scores[TV_EVAL_FOLLOW_ON][TV_EVAL_TAVOLO].recall[0], 1, 0);
    assert_float_equal(r.scores[TV_EVAL_FOLLOW_ON][TV_EVAL_TAVOLO].recall[1], 1, 0);
    /* Popularity: sf-1 (2 companies) and boston-1 (2) tie before sf-2 (1); ties by id put
     * boston-1 first. */
    assert_float_equal(r.scores[TV_EVAL_COLD][TV_EVAL_POPULARITY].mrr, 1, 0);
    assert_float_equal(r.scores[TV_EVAL_FOLLOW_ON][TV_EVAL_POPULARITY].mrr, 0.5, 0);
}

static void test_eval_never_peeks_past_the_cut(void **state)
{
    /* The same data with more rounds in the window and after it, by a new investor and by a
     * known one: what was fitted (the ranking of the cold query) must not change. */
    static const char more[] = INV("a", "sf-1", "2011-02-01", "\"series-b\"")
        INV("b", "sf-2", "2011-03-01", "\"series-b\"")
            INV("d", "late", "2012-06-01", "\"series-c+\"");
    char *both = malloc(sizeof(investments) + sizeof(more));
    tv_eval_report_t base, moved;

    (void)state;
    snprintf(both, sizeof(investments) + sizeof(more), "%s%s", investments, more);
    run(investments, &base);
    run(both, &moved);
    assert_int_equal(moved.known_investors, base.known_investors);
    assert_memory_equal(&moved.scores[TV_EVAL_COLD], &base.scores[TV_EVAL_COLD],
                        sizeof(base.scores[TV_EVAL_COLD]));
    /* a and b now have follow-on queries of their own. */
    assert_int_equal(moved.scores[TV_EVAL_FOLLOW_ON][TV_EVAL_TAVOLO].queries, 3);
    free(both);
}

static void test_eval_min_companies_ranks_only_busier_investors(void **state)
{
    tv_eval_plan_t busy = plan_2010;
    tv_eval_report_t r;
    tv_eval_data_t data;

    (void)state;
    busy.min_companies = 2; /* boston-1 and sf-1 backed two companies, sf-2 one */
    run_plan(investments, &busy, &r);
    assert_int_equal(r.known_investors, 2);
    assert_int_equal(r.unranked_pairs, 2); /* late, and sf-2 in c's follow-on */
    assert_int_equal(r.scores[TV_EVAL_FOLLOW_ON][TV_EVAL_TAVOLO].queries, 0);
    assert_int_equal(r.scores[TV_EVAL_COLD][TV_EVAL_TAVOLO].queries, 1);
    busy.min_companies = 0;
    load(&data, investments);
    assert_int_equal(tv_eval_run(tax, &cfg, &data, &busy, &r), TV_EINVAL);
    busy = plan_2010;
    busy.k[1] = 1; /* not ascending */
    assert_int_equal(tv_eval_run(tax, &cfg, &data, &busy, &r), TV_EINVAL);
    tv_eval_data_dispose(&data);
}

/* The content baseline on a hand-made set: company q (Boston, biotech) raises a series A in
 * 2011 from x, which backed two biotech companies in Massachusetts at series A before the cut:
 * (2 + 1) x 2 x 2 = 12; y backed three in California at series A (more popular, but 0 in the
 * state), z one in Massachusetts at series B (0 at the round). Content ranks x first, popularity
 * second. */
static void test_eval_content_baseline_against_hand_computed_recall(void **state)
{
    static const char cos[] =
        "{\"id\":\"company/m1\",\"name\":\"M1\",\"categories\":[\"biotech\"],\"country\":\"USA\","
        "\"state\":\"MA\",\"region\":\"Boston\"}\n"
        "{\"id\":\"company/m2\",\"name\":\"M2\",\"categories\":[\"biotech\"],\"country\":\"USA\","
        "\"state\":\"MA\",\"region\":\"Boston\"}\n"
        "{\"id\":\"company/m3\",\"name\":\"M3\",\"categories\":[\"medical\"],\"country\":\"USA\","
        "\"state\":\"MA\",\"region\":\"Boston\"}\n"
        "{\"id\":\"company/c1\",\"name\":\"C1\",\"categories\":[\"biotech\"],\"country\":\"USA\","
        "\"state\":\"CA\",\"region\":\"SF Bay\"}\n"
        "{\"id\":\"company/c2\",\"name\":\"C2\",\"categories\":[\"biotech\"],\"country\":\"USA\","
        "\"state\":\"CA\",\"region\":\"SF Bay\"}\n"
        "{\"id\":\"company/c3\",\"name\":\"C3\",\"categories\":[\"biotech\"],\"country\":\"USA\","
        "\"state\":\"CA\",\"region\":\"SF Bay\"}\n"
        "{\"id\":\"company/q\",\"name\":\"Q\",\"categories\":[\"biotech\"],\"country\":\"USA\","
        "\"state\":\"MA\",\"region\":\"Boston\"}\n";
    static const char invs[] = "{\"id\":\"investor/x\",\"name\":\"X\"}\n"
                               "{\"id\":\"investor/y\",\"name\":\"Y\"}\n"
                               "{\"id\":\"investor/z\",\"name\":\"Z\"}\n";
    static const char rows[] = INV("m1", "x", "2009-03-01", "\"series-a\"")
        INV("m2", "x", "2010-03-01", "\"series-a\"") INV("c1", "y", "2009-03-01", "\"series-a\"")
            INV("c2", "y", "2009-05-01", "\"series-a\"")
                INV("c3", "y", "2010-05-01", "\"series-a\"")
                    INV("m3", "z", "2010-06-01", "\"series-b\"")
                        INV("q", "x", "2011-04-01", "\"series-a\"");
    tv_eval_data_t data = {0};
    tv_eval_report_t r;
    tv_diags_t d = {0};
    const tv_eval_score_t *content = &r.scores[TV_EVAL_COLD][TV_EVAL_CONTENT];

    (void)state;
    assert_int_equal(tv_eval_data_add(tax, TV_EVAL_COMPANIES, cos, strlen(cos), &data, &d, NULL),
                     0);
    assert_int_equal(tv_eval_data_add(tax, TV_EVAL_INVESTORS, invs, strlen(invs), &data, &d, NULL),
                     0);
    assert_int_equal(
        tv_eval_data_add(tax, TV_EVAL_INVESTMENTS, rows, strlen(rows), &data, &d, NULL), 0);
    assert_int_equal(tv_eval_run(tax, &cfg, &data, &plan_2010, &r), 0);
    assert_int_equal(content->queries, 1);
    assert_float_equal(content->recall[0], 1, 0); /* at 1: x first */
    assert_float_equal(content->mrr, 1, 0);
    assert_float_equal(r.scores[TV_EVAL_COLD][TV_EVAL_POPULARITY].recall[0], 0, 0);
    assert_float_equal(r.scores[TV_EVAL_COLD][TV_EVAL_POPULARITY].mrr, 0.5, 0);
    tv_diags_dispose(&d);
    tv_eval_data_dispose(&data);
}

static void test_eval_report_json_has_every_group_and_method(void **state)
{
    tv_eval_report_t r;
    char *json = NULL;
    json_t *root, *cold;

    (void)state;
    run(investments, &r);
    assert_int_equal(tv_eval_report_encode(&r, &json), 0);
    root = json_loads(json, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "cutoff")), "2010-12-31");
    cold = json_object_get(json_object_get(root, "groups"), "cold");
    for (int m = 0; m < TV_EVAL_METHOD_COUNT; m++) {
        json_t *x = json_object_get(cold, tv_eval_method_name(m));

        assert_non_null(json_object_get(x, "recall@20"));
        assert_non_null(json_object_get(x, "ndcg@20"));
        assert_non_null(json_object_get(x, "mrr"));
        assert_int_equal(json_integer_value(json_object_get(x, "queries")), 1);
    }
    assert_non_null(json_object_get(json_object_get(root, "groups"), "follow_on"));
    json_decref(root);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_metrics_match_hand_computed_values),
        cmocka_unit_test(test_eval_metrics_of_a_list_missing_a_relevant_one),
        cmocka_unit_test(test_eval_data_maps_the_crunchbase_vocabulary),
        cmocka_unit_test(test_eval_data_errors_name_line_and_field_and_keep_nothing),
        cmocka_unit_test(test_eval_splits_cold_and_follow_on_and_sets_earlier_investors_apart),
        cmocka_unit_test(test_eval_never_peeks_past_the_cut),
        cmocka_unit_test(test_eval_min_companies_ranks_only_busier_investors),
        cmocka_unit_test(test_eval_data_leaves_out_holes_and_says_where),
        cmocka_unit_test(test_eval_content_baseline_against_hand_computed_recall),
        cmocka_unit_test(test_eval_report_json_has_every_group_and_method),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
