/* Tests engine/match/fit.c and engine/match/explain_text.c: the fit's calibration (monotone,
 * 0 to 100, the score's percentile, one scale for every list, stable under upserts), the level
 * words, the reasons (ordered, never filler), the flags, and sentences in both languages. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "tavolo/match.h"

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

static int compare_floats(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;

    return (x > y) - (x < y);
}

/* Every pair's score, sorted; '*n' receives how many. */
static float *all_scores(const tv_matcher_t *m, size_t *n)
{
    size_t nc = tv_matcher_companies(m), ni = tv_matcher_investors(m), k = 0;
    float *s = calloc(nc * ni, sizeof(float));
    tv_explanation_t e;

    for (size_t c = 0; c < nc; c++) {
        for (size_t i = 0; i < ni; i++) {
            assert_int_equal(tv_matcher_explain(m, c, i, &e), 0);
            s[k++] = e.score;
        }
    }
    qsort(s, k, sizeof(float), compare_floats);
    *n = k;
    return s;
}

/* The fixtures have fewer pairs than the sample: the table holds them all, and the fit is the
 * percentile to within the table's step (0.1 point) and the rounding down (1 point). */
static void test_fit_is_the_percentile_monotone_from_0_to_100(void **state)
{
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg);
    size_t n, at_or_below = 0;
    float *s = all_scores(m, &n);
    int last = -1;

    (void)state;
    assert_true(n > 1000 && n <= TV_FIT_SAMPLE);
    for (size_t k = 0; k < n; k++) {
        int fit = tv_matcher_fit(m, s[k]);
        double pct;

        while (at_or_below < n && s[at_or_below] <= s[k])
            at_or_below++;
        pct = 100.0 * (double)at_or_below / (double)n;
        assert_in_range(fit, 0, 100);
        assert_true(fit >= last); /* monotone */
        if (fabs(fit - pct) > 1.5)
            fail_msg("score %.5f: fit %d, percentile %.2f", s[k], fit, pct);
        last = fit;
    }
    assert_int_equal(tv_matcher_fit(m, s[n - 1]), 100);
    assert_int_equal(tv_matcher_fit(m, s[0] - 1.0f), 0);
    assert_int_equal(tv_matcher_fit(m, s[n - 1] + 1.0f), 100);
    free(s);
    tv_matcher_destroy(m);
}

/* Two investors' lists on one scale: merged by score, their fits never go down, and the fit an
 * explanation carries is the matcher's fit of its score. */
static void test_fit_is_comparable_across_two_lists(void **state)
{
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg);
    size_t a = (size_t)tv_matcher_find_investor(m, "p-inv-lung");
    size_t b = (size_t)tv_matcher_find_investor(m, "i-001");
    tv_hit_t hits[40];
    float scores[40];
    int fits_a = 0, n = tv_matcher_for_investor(m, a, 20, NULL, hits);

    (void)state;
    assert_true(n == 20);
    n += tv_matcher_for_investor(m, b, 20, NULL, hits + n);
    for (int k = 0; k < n; k++) {
        tv_explanation_t e;

        assert_int_equal(tv_matcher_explain(m, hits[k].index, k < 20 ? a : b, &e), 0);
        assert_int_equal(e.fit, tv_matcher_fit(m, hits[k].score));
        assert_int_equal(e.level, tv_fit_level(e.fit));
        scores[k] = hits[k].score;
        fits_a += k < 20 ? e.fit : 0;
    }
    qsort(scores, (size_t)n, sizeof(float), compare_floats);
    for (int k = 1; k < n; k++)
        assert_true(tv_matcher_fit(m, scores[k]) >= tv_matcher_fit(m, scores[k - 1]));
    /* A list's own best is not 100 by fiat: the lower of the two tops scores below 100. */
    assert_true(tv_matcher_fit(m, hits[0].score) < 100 || tv_matcher_fit(m, hits[20].score) < 100);
    assert_true(fits_a > 0);
    tv_matcher_destroy(m);
}

/* Upserts and removals keep the build's table; a recompute draws it afresh. */
static void test_fit_stays_after_updates_until_a_recompute(void **state)
{
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg);
    size_t n, ni = tv_matcher_investors(m);
    float *s = all_scores(m, &n);
    int before[9], changed = 0;
    tv_diags_t d = {0};
    tv_company_t c;
    const char *json =
        "{\"id\":\"c-001\",\"name\":\"Velarna\",\"pathologies\":[\"cardiovascular\"],"
        "\"stage\":\"phase2\",\"raise_eur\":30000000,\"description\":\"Gene "
        "therapy for heart failure.\",\"language\":\"en\"}";

    (void)state;
    for (int q = 0; q < 9; q++)
        before[q] = tv_matcher_fit(m, s[(size_t)(q + 1) * n / 10]);
    assert_int_equal(tv_codec_company_decode(tax, json, strlen(json), &c, &d), 0);
    assert_true(tv_matcher_upsert_company(m, &c) >= 0);
    for (size_t i = 0; i < ni / 2; i++)
        assert_int_equal(tv_matcher_remove_investor(m, i), 0);
    for (int q = 0; q < 9; q++)
        assert_int_equal(tv_matcher_fit(m, s[(size_t)(q + 1) * n / 10]), before[q]);
    assert_int_equal(tv_matcher_recompute(m), 0);
    for (int q = 0; q < 9; q++)
        changed += tv_matcher_fit(m, s[(size_t)(q + 1) * n / 10]) != before[q];
    assert_true(changed > 0);
    free(s);
    tv_matcher_destroy(m);
}

static void test_fit_levels_and_their_words(void **state)
{
    static const struct {
        int fit;
        tv_level_t level;
        const char *en, *it;
    } cases[] = {{100, TV_LEVEL_EXCELLENT, "excellent", "eccellente"},
                 {90, TV_LEVEL_EXCELLENT, "excellent", "eccellente"},
                 {89, TV_LEVEL_GOOD, "good", "buona"},
                 {75, TV_LEVEL_GOOD, "good", "buona"},
                 {74, TV_LEVEL_FAIR, "fair", "discreta"},
                 {50, TV_LEVEL_FAIR, "fair", "discreta"},
                 {49, TV_LEVEL_WEAK, "weak", "debole"},
                 {0, TV_LEVEL_WEAK, "weak", "debole"}};

    (void)state;
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        assert_int_equal(tv_fit_level(cases[k].fit), cases[k].level);
        assert_string_equal(tv_level_name(cases[k].level, "en"), cases[k].en);
        assert_string_equal(tv_level_name(cases[k].level, "it"), cases[k].it);
    }
}

/* At most three reasons, largest contribution first, each at least a tenth of the score. */
static void test_reasons_follow_the_contributions(void **state)
{
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg);
    size_t i = (size_t)tv_matcher_find_investor(m, "p-inv-lung");
    size_t c = (size_t)tv_matcher_find_company(m, "p-co-fit");
    tv_hit_t hits[20];
    int n = tv_matcher_for_investor(m, i, 20, NULL, hits), several = 0;
    size_t first = 0;
    tv_explanation_t e;
    char line[512];

    (void)state;
    for (int k = 0; k < n; k++) {
        assert_int_equal(tv_matcher_explain(m, hits[k].index, i, &e), 0);
        assert_true(e.n_reasons >= 1 && e.n_reasons <= TV_EXPLAIN_REASONS);
        for (size_t r = 0; r < e.n_reasons; r++) {
            float x = e.contributions[e.reasons[r]];

            assert_true(x >= 0.1f * e.score);
            if (r > 0)
                assert_true(x <= e.contributions[e.reasons[r - 1]]);
        }
        several += e.n_reasons >= 2;
    }
    assert_true(several > 0);
    assert_int_equal(tv_matcher_explain(m, c, i, &e), 0);
    while (first < e.n_reasons && e.reasons[first] != TV_BLOCK_TAXONOMY)
        first++;
    assert_true(first < e.n_reasons); /* the shared lung cancer drives this pair */
    tv_explain_reason_text(tax, &e, first, "en", line, sizeof(line));
    assert_non_null(strstr(line, "Shared focus: "));
    assert_non_null(strstr(line, "Lung cancer"));
    tv_explain_reason_text(tax, &e, first, "it", line, sizeof(line));
    assert_non_null(strstr(line, "Interessi comuni: "));
    assert_non_null(strstr(line, "Tumore del polmone"));
    tv_matcher_destroy(m);
}

static void add(tv_matcher_t *m, tv_profile_kind_t kind, const char *json)
{
    tv_diags_t d = {0};

    if (kind == TV_KIND_COMPANY) {
        tv_company_t c;

        assert_int_equal(tv_codec_company_decode(tax, json, strlen(json), &c, &d), 0);
        assert_int_equal(tv_matcher_add_company(m, &c), 0);
    } else {
        tv_investor_t inv;

        assert_int_equal(tv_codec_investor_decode(tax, json, strlen(json), &inv, &d), 0);
        assert_int_equal(tv_matcher_add_investor(m, &inv), 0);
    }
}

/* Italian companies whose descriptions all say "sviluppo", "milioni" and "euro": those words
 * are in every document, so they never make a reason, while a rare shared word does. */
static void test_filler_words_are_never_reasons(void **state)
{
    tv_matcher_t *m = NULL;
    tv_explanation_t e;
    char json[512], line[512];

    (void)state;
    assert_int_equal(tv_matcher_create(tax, &cfg, &m), 0);
    for (int k = 0; k < 60; k++) { /* a subject of its own each: "peptidi", "zqabrk", ... */
        char subject[16];

        snprintf(subject, sizeof(subject), k == 0 ? "peptidi" : "zq%c%crk", 'a' + k / 26,
                 'a' + k % 26);
        snprintf(json, sizeof(json),
                 "{\"id\":\"c-%02d\",\"name\":\"Azienda %d\",\"language\":\"it\",\"description\":"
                 "\"Sviluppo di %s: raccolta di 5 milioni di euro per lo sviluppo.\"}",
                 k, k, subject);
        add(m, TV_KIND_COMPANY, json);
    }
    add(m, TV_KIND_INVESTOR,
        "{\"id\":\"i-1\",\"name\":\"Fondo\",\"language\":\"it\",\"thesis\":\"Investiamo da 1 a 10 "
        "milioni di euro nello sviluppo di peptidi.\"}");
    assert_int_equal(tv_matcher_build(m), 0);
    assert_int_equal(tv_matcher_explain(m, 0, 0, &e), 0);
    assert_true(e.n_text >= 1);
    for (size_t k = 0; k < e.n_text; k++) {
        if (strstr(e.text[k], "svilupp") || strstr(e.text[k], "milion") ||
            strstr(e.text[k], "euro"))
            fail_msg("filler word \"%s\" kept as a shared word", e.text[k]);
    }
    assert_string_equal(e.text[0], "peptidi");
    for (size_t r = 0; r < e.n_reasons; r++) {
        tv_explain_reason_text(tax, &e, r, "it", line, sizeof(line));
        assert_null(strstr(line, "svilupp"));
        assert_null(strstr(line, "milion"));
        assert_null(strstr(line, "euro"));
    }
    tv_matcher_destroy(m);
}

/* A company that fails ESIBE is flagged even though eligibility masks nothing by default; a
 * raise far outside the ticket is flagged by the constraint's name. */
static void test_flags_name_what_failed(void **state)
{
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg);
    size_t i = (size_t)tv_matcher_find_investor(m, "p-inv-lung");
    size_t big = (size_t)tv_matcher_find_company(m, "p-co-toobig");
    size_t nc = tv_matcher_companies(m);
    tv_explanation_t e;
    char line[512];
    int found = 0;

    (void)state;
    assert_int_equal(tv_matcher_explain(m, big, i, &e), 0);
    assert_true(e.flags & TV_FLAG_TICKET);
    assert_string_equal(tv_flag_name(1), "ticket");
    tv_explain_flag_text(&e, 1, "it", line, sizeof(line));
    assert_non_null(strstr(line, "Fuori dal ticket: raccolta di EUR"));
    for (size_t c = 0; c < nc; c++) {
        assert_int_equal(tv_matcher_explain(m, c, i, &e), 0);
        if (tv_matcher_eligible(m, c) == TV_CHECK_FAIL) {
            assert_true(e.flags & TV_FLAG_NOT_ELIGIBLE);
            found++;
        } else {
            assert_false(e.flags & TV_FLAG_NOT_ELIGIBLE);
        }
    }
    assert_true(found > 0);
    assert_string_equal(tv_flag_name(0), "not_eligible");
    tv_matcher_destroy(m);
}

/* English words that must not appear in an Italian sentence. */
static const char *const english[] = {"the",     "and",      "shared",  "focus", "common", "words",
                                      "fits",    "investor", "company", "wants", "raise",  "range",
                                      "allowed", "criteria", "holds",   "not",   "with",   "of",
                                      "is",      "where",    "near",    "past",  "kind",   "from"};

static void assert_no_english(const char *s)
{
    char low[512];
    size_t n = strlen(s) < sizeof(low) - 3 ? strlen(s) : sizeof(low) - 3;

    /* Lower case, every non-letter a space, a space at both ends: words are " word ". */
    low[0] = ' ';
    for (size_t k = 0; k < n; k++)
        low[k + 1] = isalpha((unsigned char)s[k]) ? (char)tolower((unsigned char)s[k]) : ' ';
    low[n + 1] = ' ';
    low[n + 2] = '\0';
    for (size_t w = 0; w < sizeof(english) / sizeof(english[0]); w++) {
        char word[32];

        snprintf(word, sizeof(word), " %s ", english[w]);
        if (strstr(low, word) != NULL)
            fail_msg("English \"%s\" in Italian sentence \"%s\"", english[w], s);
    }
}

static void test_italian_sentences_have_no_english(void **state)
{
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg);
    size_t nc = tv_matcher_companies(m), ni = tv_matcher_investors(m), said = 0;
    tv_explanation_t e;
    char line[512];

    (void)state;
    for (size_t c = 0; c < nc; c += 3) {
        for (size_t i = 0; i < ni; i += 2) {
            assert_int_equal(tv_matcher_explain(m, c, i, &e), 0);
            for (size_t r = 0; r < e.n_reasons; r++, said++) {
                tv_explain_reason_text(tax, &e, r, "it", line, sizeof(line));
                if (e.reasons[r] != TV_BLOCK_TEXT) /* quoted words are the profiles' own */
                    assert_no_english(line);
            }
            for (int k = 0; k < TV_FLAG_COUNT; k++) {
                if (e.flags & (1u << k)) {
                    tv_explain_flag_text(&e, k, "it", line, sizeof(line));
                    assert_no_english(line);
                }
            }
            for (size_t k = 0; k < e.n_constraints; k++)
                assert_no_english(e.constraints[k].detail_it);
        }
    }
    assert_true(said > 100);
    tv_matcher_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_is_the_percentile_monotone_from_0_to_100),
        cmocka_unit_test(test_fit_is_comparable_across_two_lists),
        cmocka_unit_test(test_fit_stays_after_updates_until_a_recompute),
        cmocka_unit_test(test_fit_levels_and_their_words),
        cmocka_unit_test(test_reasons_follow_the_contributions),
        cmocka_unit_test(test_filler_words_are_never_reasons),
        cmocka_unit_test(test_flags_name_what_failed),
        cmocka_unit_test(test_italian_sentences_have_no_english),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
