/* Tests engine/match/matcher.c and engine/match/features.c on the fixtures and planted profiles:
 * contributions, lists against a full sort, masks, incremental updates against a full
 * recompute, and the planted cases. */
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

static int compare_desc(const void *a, const void *b)
{
    tv_hit_t x = *(const tv_hit_t *)a, y = *(const tv_hit_t *)b;

    return tv_hit_better(x, y) ? -1 : tv_hit_better(y, x) ? 1 : 0;
}

static void test_matcher_create_refuses_an_empty_ticket_range(void **state)
{
    tv_taxonomy_t *t = tvt_taxonomy();
    tv_match_config_t c = tvt_match_config();
    tv_matcher_t *m = NULL;

    (void)state;
    c.ticket_high_eur = c.ticket_low_eur;
    assert_int_equal(tv_matcher_create(t, &c, &m), TV_EINVAL);
    c.ticket_low_eur = 0;
    c.ticket_high_eur = 100;
    assert_int_equal(tv_matcher_create(t, &c, &m), TV_EINVAL);
    assert_null(m);
    tv_taxonomy_destroy(t);
}

static void test_match_contributions_sum_to_the_score(void **state)
{
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg);

    (void)state;
    for (size_t c = 0; c < tv_matcher_companies(m); c++) {
        for (size_t i = 0; i < tv_matcher_investors(m); i++) {
            tv_explanation_t e;
            double sum = 0;

            assert_int_equal(tv_matcher_explain(m, c, i, &e), 0);
            for (int b = 0; b < TV_BLOCK_COUNT; b++)
                sum += e.contributions[b];
            if (fabs(sum - e.score) > 1e-5)
                fail_msg("pair %zu,%zu: contributions %.7f, score %.7f", c, i, sum, e.score);
        }
    }
    tv_matcher_destroy(m);
}

/* Every kept list equals a full sort of the allowed pairs, ties by index. */
static void assert_lists_are_exact(const tv_matcher_t *m, size_t k)
{
    size_t nc = tv_matcher_companies(m), ni = tv_matcher_investors(m);
    tv_hit_t *all = malloc((nc + ni) * sizeof(tv_hit_t)), *got = malloc(k * sizeof(tv_hit_t));

    for (size_t i = 0; i < ni; i++) {
        size_t n = 0;
        int have = tv_matcher_for_investor(m, i, k, NULL, got);

        if (have == TV_ENOTFOUND)
            continue; /* removed */
        for (size_t c = 0; c < nc; c++) {
            tv_explanation_t e;

            tv_matcher_explain(m, c, i, &e);
            if (e.allowed && tv_matcher_find_company(m, tv_matcher_company(m, c)->id) >= 0)
                all[n++] = (tv_hit_t){e.score, (uint32_t)c};
        }
        qsort(all, n, sizeof(tv_hit_t), compare_desc);
        assert_int_equal(have, n < k ? n : k);
        for (int r = 0; r < have; r++) {
            if (got[r].index != all[r].index || got[r].score != all[r].score)
                fail_msg("investor %zu rank %d: company %u (%.7f), expected %u (%.7f)", i, r,
                         got[r].index, got[r].score, all[r].index, all[r].score);
        }
    }
    free(all);
    free(got);
}

static void test_match_lists_equal_a_full_sort_and_respect_masks(void **state)
{
    tv_match_config_t strict = cfg;
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg), *e;
    tv_hit_t hits[50];

    (void)state;
    assert_lists_are_exact(m, 20);
    tv_matcher_destroy(m);
    /* ESIBE-only: no company that is not eligible appears anywhere. */
    strict.eligible_only = 1;
    e = tvt_fixture_matcher(tax, &strict);
    for (size_t i = 0; i < tv_matcher_investors(e); i++) {
        int n = tv_matcher_for_investor(e, i, 50, NULL, hits);

        for (int r = 0; r < n; r++)
            assert_int_equal(tv_matcher_eligible(e, hits[r].index), TV_CHECK_PASS);
    }
    assert_lists_are_exact(e, 20);
    tv_matcher_destroy(e);
}

static tv_company_t decode_company(const char *json)
{
    tv_diags_t d = {0};
    tv_company_t c;

    assert_int_equal(tv_codec_company_decode(tax, json, strlen(json), &c, &d), 0);
    return c;
}

static tv_investor_t decode_investor(const char *json)
{
    tv_diags_t d = {0};
    tv_investor_t inv;

    assert_int_equal(tv_codec_investor_decode(tax, json, strlen(json), &inv, &d), 0);
    return inv;
}

/* Copies the first k of every list in both directions. */
static tv_hit_t *snapshot(const tv_matcher_t *m, size_t k, int *counts)
{
    size_t nc = tv_matcher_companies(m), ni = tv_matcher_investors(m);
    tv_hit_t *s = calloc((nc + ni) * k, sizeof(tv_hit_t));

    for (size_t c = 0; c < nc; c++)
        counts[c] = tv_matcher_for_company(m, c, k, NULL, s + c * k);
    for (size_t i = 0; i < ni; i++)
        counts[nc + i] = tv_matcher_for_investor(m, i, k, NULL, s + (nc + i) * k);
    return s;
}

static void test_match_incremental_updates_equal_a_recompute(void **state)
{
    tv_match_config_t small = cfg;
    tv_matcher_t *m;
    const size_t k = 8;
    int *before, *after;
    tv_hit_t *patched, *fresh;
    tv_company_t c;
    tv_investor_t inv;
    size_t total;
    int added;

    (void)state;
    small.k = k;
    small.margin = 2; /* a small margin forces rescans too */
    m = tvt_fixture_matcher(tax, &small);
    c = decode_company("{\"id\":\"c-001\",\"name\":\"Velarna Therapeutics\",\"area\":"
                       "\"precision_medicine\",\"hq_country\":\"IT\",\"pathologies\":"
                       "[\"cardiovascular\"],\"stage\":\"phase2\",\"raise_eur\":30000000,"
                       "\"description\":\"Gene therapy for heart failure.\",\"language\":\"en\"}");
    assert_true(tv_matcher_upsert_company(m, &c) >= 0);
    c = decode_company("{\"id\":\"c-new\",\"name\":\"Nuova\",\"pathologies\":[\"oncology.lung\"],"
                       "\"technologies\":[\"rna\"],\"stage\":\"preclinical\",\"raise_eur\":"
                       "9000000,\"wants\":{\"investor_kinds\":[\"vc\"]}}");
    added = tv_matcher_upsert_company(m, &c);
    assert_int_equal(added, (int)tv_matcher_companies(m) - 1); /* appended */
    inv = decode_investor("{\"id\":\"i-002\",\"name\":\"Changed Fund\",\"kind\":\"cvc\","
                          "\"pathologies\":[\"infectious\"],\"stages\":[\"phase1\"],"
                          "\"ticket_min_eur\":1000000,\"ticket_max_eur\":5000000,"
                          "\"thesis\":\"Antivirals for dengue.\",\"language\":\"en\"}");
    assert_true(tv_matcher_upsert_investor(m, &inv) >= 0);
    assert_int_equal(tv_matcher_remove_company(m, (size_t)tv_matcher_find_company(m, "c-003")), 0);
    assert_int_equal(tv_matcher_remove_investor(m, (size_t)tv_matcher_find_investor(m, "i-006")),
                     0);
    total = tv_matcher_companies(m) + tv_matcher_investors(m);
    before = calloc(total, sizeof(int));
    after = calloc(total, sizeof(int));
    patched = snapshot(m, k, before);
    assert_int_equal(tv_matcher_recompute(m), 0);
    fresh = snapshot(m, k, after);
    for (size_t x = 0; x < total; x++) {
        assert_int_equal(before[x], after[x]);
        for (int r = 0; r < before[x]; r++) {
            if (patched[x * k + r].index != fresh[x * k + r].index ||
                patched[x * k + r].score != fresh[x * k + r].score)
                fail_msg("list %zu rank %d differs after updates", x, r);
        }
    }
    assert_lists_are_exact(m, k);
    free(before), free(after), free(patched), free(fresh);
    tv_matcher_destroy(m);
}

/* Compares every served list with a recompute from the same vectors. */
static void assert_equals_recompute(tv_matcher_t *m, size_t k)
{
    size_t total = tv_matcher_companies(m) + tv_matcher_investors(m);
    int *before = calloc(total, sizeof(int)), *after = calloc(total, sizeof(int));
    tv_hit_t *patched = snapshot(m, k, before), *fresh;

    assert_int_equal(tv_matcher_recompute(m), 0);
    fresh = snapshot(m, k, after);
    for (size_t x = 0; x < total; x++) {
        assert_int_equal(before[x], after[x]);
        for (int r = 0; r < before[x]; r++) {
            if (patched[x * k + r].index != fresh[x * k + r].index ||
                patched[x * k + r].score != fresh[x * k + r].score)
                fail_msg("list %zu rank %d differs from a recompute", x, r);
        }
    }
    free(before), free(after), free(patched), free(fresh);
}

static void test_match_many_random_updates_equal_a_recompute(void **state)
{
    static const char *const stages[] = {"discovery", "preclinical", "phase1", "phase2", "phase3"};
    static const char *const paths[] = {"oncology", "oncology.lung", "respiratory", "infectious",
                                        "cardiovascular"};
    tv_match_config_t tiny = cfg;
    tv_matcher_t *m;
    unsigned seed = 7;

    (void)state;
    tiny.k = 3;
    tiny.margin = 1;
    m = tvt_fixture_matcher(tax, &tiny);
    for (int round = 0; round < 120; round++) {
        char json[512];
        size_t nc = tv_matcher_companies(m);

        seed = seed * 1103515245u + 12345u;
        if (round % 10 == 9) {
            int at = tv_matcher_find_company(m, tv_matcher_company(m, (seed >> 8) % nc)->id);

            if (at >= 0)
                assert_int_equal(tv_matcher_remove_company(m, (size_t)at), 0);
            continue;
        }
        snprintf(json, sizeof(json),
                 "{\"id\":\"c-%03u\",\"name\":\"Random %d\",\"area\":\"precision_medicine\","
                 "\"hq_country\":\"IT\",\"pathologies\":[\"%s\"],\"stage\":\"%s\","
                 "\"raise_eur\":%u,\"wants\":{\"investor_kinds\":[\"vc\"]}}",
                 1 + (seed >> 4) % 90, round, paths[(seed >> 12) % 5], stages[(seed >> 16) % 5],
                 1000000 + (seed >> 10) % 30000000);
        tv_company_t c = decode_company(json);

        assert_true(tv_matcher_upsert_company(m, &c) >= 0);
    }
    assert_equals_recompute(m, 3);
    /* A removed id that comes back is found again, as a new row. */
    {
        int gone = tv_matcher_find_company(m, "c-010");
        tv_company_t back = decode_company("{\"id\":\"c-010\",\"name\":\"Back\"}");

        if (gone >= 0)
            assert_int_equal(tv_matcher_remove_company(m, (size_t)gone), 0);
        assert_int_equal(tv_matcher_find_company(m, "c-010"), TV_ENOTFOUND);
        assert_true(tv_matcher_upsert_company(m, &back) >= 0);
        assert_string_equal(
            tv_matcher_company(m, (size_t)tv_matcher_find_company(m, "c-010"))->name, "Back");
    }
    assert_equals_recompute(m, 3);
    tv_matcher_destroy(m);
}

/* Rank of company 'company' in investor 'investor''s list of k, or -1. */
static int rank_for_investor(const tv_matcher_t *m, const char *investor, const char *company,
                             size_t k)
{
    tv_hit_t hits[64];
    int n =
        tv_matcher_for_investor(m, (size_t)tv_matcher_find_investor(m, investor), k, NULL, hits);

    for (int r = 0; r < n; r++) {
        if (strcmp(tv_matcher_company(m, hits[r].index)->id, company) == 0)
            return r;
    }
    return -1;
}

static void test_match_planted_perfect_fit_ranks_first(void **state)
{
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg);

    (void)state;
    assert_int_equal(rank_for_investor(m, "p-inv-lung", "p-co-fit", 50), 0);
    tv_matcher_destroy(m);
}

static void test_match_planted_ticket_ten_times_too_large_is_masked(void **state)
{
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg);
    int c = tv_matcher_find_company(m, "p-co-toobig");
    int i = tv_matcher_find_investor(m, "p-inv-lung");
    tv_explanation_t e;

    (void)state;
    assert_int_equal(rank_for_investor(m, "p-inv-lung", "p-co-toobig", 50), -1);
    assert_int_equal(tv_matcher_explain(m, (size_t)c, (size_t)i, &e), 0);
    assert_false(e.allowed);
    assert_string_equal(e.constraints[1].name, "ticket");
    assert_int_equal(e.constraints[1].state, TV_CONSTRAINT_FAIL);
    tv_matcher_destroy(m);
}

static void test_match_planted_italian_text_meets_english_thesis(void **state)
{
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg);
    size_t i = (size_t)tv_matcher_find_investor(m, "p-inv-text");
    size_t same = (size_t)tv_matcher_find_company(m, "p-co-it-text");
    size_t other = (size_t)tv_matcher_find_company(m, "p-co-unrelated");
    tv_explanation_t a, b;
    float text_a, text_b;

    (void)state;
    assert_int_equal(tv_matcher_explain(m, same, i, &a), 0);
    assert_int_equal(tv_matcher_explain(m, other, i, &b), 0);
    text_a = a.contributions[TV_BLOCK_TEXT] + a.contributions[TV_BLOCK_TAXONOMY];
    text_b = b.contributions[TV_BLOCK_TEXT] + b.contributions[TV_BLOCK_TAXONOMY];
    /* Both companies say nothing but their Italian description; only the subject differs. */
    if (!(text_a > 0.05f && text_a > 5 * text_b && a.score > 1.5f * b.score))
        fail_msg("same subject: text+terms %.4f score %.4f; unrelated: %.4f, %.4f", text_a, a.score,
                 text_b, b.score);
    assert_true(a.n_terms >= 2); /* lung cancer and RNA found in Italian */
    tv_matcher_destroy(m);
}

static void test_match_planted_wanted_corporate_investor_ranks_above_twin_vc(void **state)
{
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg);
    size_t c = (size_t)tv_matcher_find_company(m, "p-co-wants-cvc");
    int cvc = tv_matcher_find_investor(m, "p-inv-cvc"),
        vc = tv_matcher_find_investor(m, "p-inv-vc");
    tv_hit_t hits[64];
    int n = tv_matcher_for_company(m, c, 50, NULL, hits), at_cvc = -1, at_vc = -1;

    (void)state;
    for (int r = 0; r < n; r++) {
        if ((int)hits[r].index == cvc)
            at_cvc = r;
        if ((int)hits[r].index == vc)
            at_vc = r;
    }
    assert_true(at_cvc >= 0 && at_vc >= 0);
    assert_true(at_cvc < at_vc);
    tv_matcher_destroy(m);
}

/* Issue 19's planted follow-on case: p-co-follow raises a follow-on round after p-inv-earlier;
 * p-inv-coinvest backed two companies beside p-inv-earlier, p-inv-alone is its twin otherwise.
 * The co-investor ranks above the twin, by the syndicate block. */
static void test_match_planted_coinvestor_of_earlier_investors_ranks_above_twin(void **state)
{
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg);
    size_t c = (size_t)tv_matcher_find_company(m, "p-co-follow");
    int with = tv_matcher_find_investor(m, "p-inv-coinvest"),
        alone = tv_matcher_find_investor(m, "p-inv-alone");
    tv_explanation_t a, b;
    tv_hit_t hits[64];
    int n = tv_matcher_for_company(m, c, 64, NULL, hits), at_with = -1, at_alone = -1;

    (void)state;
    for (int r = 0; r < n; r++) {
        at_with = (int)hits[r].index == with ? r : at_with;
        at_alone = (int)hits[r].index == alone ? r : at_alone;
    }
    if (!(at_with >= 0 && at_alone >= 0 && at_with < at_alone))
        fail_msg("co-investor at rank %d, its twin at %d", at_with, at_alone);
    assert_int_equal(tv_matcher_explain(m, c, (size_t)with, &a), 0);
    assert_int_equal(tv_matcher_explain(m, c, (size_t)alone, &b), 0);
    assert_true(a.contributions[TV_BLOCK_SYNDICATE] > 0);
    assert_float_equal(b.contributions[TV_BLOCK_SYNDICATE], 0, 0);
    assert_float_equal(a.reverse, b.reverse, 0); /* the company wants both alike */
    assert_true(a.forward > b.forward);
    tv_matcher_destroy(m);
}

static void test_match_event_filter_keeps_only_participants(void **state)
{
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg);
    size_t nc = tv_matcher_companies(m);
    uint8_t *companies = calloc(nc, 1);
    tv_filter_t only = {companies, NULL};
    tv_hit_t hits[50];
    int n;

    (void)state;
    for (size_t c = 0; c < nc; c += 3)
        companies[c] = 1;
    n = tv_matcher_for_investor(m, 0, 50, &only, hits);
    assert_true(n > 0);
    for (int r = 0; r < n; r++)
        assert_int_equal(hits[r].index % 3, 0);
    free(companies);
    tv_matcher_destroy(m);
}

/* ---- what a portfolio reveals: place, round size, track record ---- */

static void add_company_json(tv_matcher_t *m, const char *json)
{
    tv_company_t c;
    tv_diags_t d = {0};

    assert_int_equal(tv_codec_company_decode(tax, json, strlen(json), &c, &d), 0);
    assert_int_equal(tv_matcher_add_company(m, &c), 0);
    tv_company_dispose(&c);
}

static void add_investor_json(tv_matcher_t *m, const char *json)
{
    tv_investor_t inv;
    tv_diags_t d = {0};

    assert_int_equal(tv_codec_investor_decode(tax, json, strlen(json), &inv, &d), 0);
    assert_int_equal(tv_matcher_add_investor(m, &inv), 0);
    tv_investor_dispose(&inv);
}

/* The rank of investor 'id' in company 'company''s list. */
static int rank_for_company(const tv_matcher_t *m, const char *company, const char *id)
{
    tv_hit_t hits[16];
    int n = tv_matcher_for_company(m, (size_t)tv_matcher_find_company(m, company), 16, NULL, hits);

    for (int r = 0; r < n; r++) {
        if (strcmp(tv_matcher_investor(m, hits[r].index)->id, id) == 0)
            return r;
    }
    return -1;
}

/* A biopharma holding at a place, with its round size and year. */
#define PLACED_HOLDING(country, subdivision, city, eur, year)                                      \
    "{\"name\":\"h\",\"technologies\":[\"biopharma\"],\"country\":\"" country                      \
    "\",\"subdivision\":\"" subdivision "\",\"city\":\"" city "\",\"raise_eur\":" #eur             \
    ",\"year\":" #year "}"
#define HOLDING(city, eur, year) PLACED_HOLDING("US", "", city, eur, year)

static void test_match_portfolio_reveals_place_and_round_size(void **state)
{
    tv_matcher_t *m = NULL;

    (void)state;
    assert_int_equal(tv_matcher_create(tax, &cfg, &m), 0);
    add_company_json(m, "{\"id\":\"c-boston\",\"name\":\"B\",\"hq_country\":\"US\",\"city\":"
                        "\"Boston\",\"technologies\":[\"biopharma\"],\"raise_eur\":2000000}");
    add_company_json(m, "{\"id\":\"c-sf\",\"name\":\"S\",\"hq_country\":\"US\",\"city\":\"SF Bay\","
                        "\"technologies\":[\"biopharma\"],\"raise_eur\":2000000}");
    add_company_json(m, "{\"id\":\"c-big\",\"name\":\"G\",\"hq_country\":\"US\",\"city\":"
                        "\"boston\",\"technologies\":[\"biopharma\"],\"raise_eur\":80000000}");
    add_investor_json(m, "{\"id\":\"i-boston-seed\",\"name\":\"BS\",\"portfolio\":[" HOLDING(
                             "Boston", 2000000, 2011) "," HOLDING("Boston", 3000000, 2011) "]}");
    add_investor_json(m, "{\"id\":\"i-sf-seed\",\"name\":\"SS\",\"portfolio\":[" HOLDING(
                             "SF Bay", 2000000, 2011) "," HOLDING("SF Bay", 3000000, 2011) "]}");
    add_investor_json(m, "{\"id\":\"i-boston-growth\",\"name\":\"BG\",\"portfolio\":[" HOLDING(
                             "Boston", 70000000, 2011) "," HOLDING("Boston", 90000000, 2011) "]}");
    assert_int_equal(tv_matcher_build(m), 0);
    /* Same round size, different city: the local investor first. */
    assert_int_equal(rank_for_company(m, "c-boston", "i-boston-seed"), 0);
    assert_int_equal(rank_for_company(m, "c-sf", "i-sf-seed"), 0);
    /* Same city (case aside), different round size: the investor of that size first. */
    assert_int_equal(rank_for_company(m, "c-big", "i-boston-growth"), 0);
    tv_matcher_destroy(m);
}

#define STATE_HOLDING(country, subdivision, city)                                                  \
    PLACED_HOLDING(country, subdivision, city, 2000000, 2011)

/* A company in a city no investor has backed: the investor of its state (or, for an Italian
 * company, of its hq_region) comes before one of another state. The investors that must lose
 * are added first, so that they would win a tie. */
static void test_match_portfolio_state_counts_beside_the_city(void **state)
{
    tv_matcher_t *m = NULL;

    (void)state;
    assert_int_equal(tv_matcher_create(tax, &cfg, &m), 0);
    add_company_json(m, "{\"id\":\"c-sd\",\"name\":\"D\",\"hq_country\":\"US\",\"subdivision\":"
                        "\"CA\",\"city\":\"San Diego\",\"technologies\":[\"biopharma\"],"
                        "\"raise_eur\":2000000}");
    add_company_json(m, "{\"id\":\"c-pd\",\"name\":\"P\",\"hq_country\":\"IT\",\"hq_region\":"
                        "\"veneto\",\"city\":\"Padova\",\"technologies\":[\"biopharma\"],"
                        "\"raise_eur\":2000000}");
    add_investor_json(m, "{\"id\":\"i-east\",\"name\":\"MA\",\"portfolio\":[" STATE_HOLDING(
                             "US", "MA", "Boston") "," STATE_HOLDING("US", "MA", "Worcester") "]}");
    add_investor_json(m,
                      "{\"id\":\"i-west\",\"name\":\"CA\",\"portfolio\":[" STATE_HOLDING(
                          "US", "CA", "SF Bay") "," STATE_HOLDING("US", "ca", "Los Angeles") "]}");
    add_investor_json(m,
                      "{\"id\":\"i-lazio\",\"name\":\"LA\",\"portfolio\":[" STATE_HOLDING(
                          "IT", "Lazio", "Roma") "," STATE_HOLDING("IT", "Lazio", "Latina") "]}");
    add_investor_json(
        m, "{\"id\":\"i-veneto\",\"name\":\"VE\",\"portfolio\":[" STATE_HOLDING(
               "IT", "Veneto", "Verona") "," STATE_HOLDING("IT", "Veneto", "Treviso") "]}");
    assert_int_equal(tv_matcher_build(m), 0);
    assert_true(rank_for_company(m, "c-sd", "i-west") < rank_for_company(m, "c-sd", "i-east"));
    assert_int_equal(rank_for_company(m, "c-sd", "i-west"), 0);
    assert_true(rank_for_company(m, "c-pd", "i-veneto") < rank_for_company(m, "c-pd", "i-lazio"));
    tv_matcher_destroy(m);
}

/* The portfolio block weighs place and round size together. Both investors have half their
 * deals in Boston and half of 2M euros, so locality and ticket cannot tell them apart; only
 * 'i-match' did its 2M deals in Boston. It is added last, so it would lose a tie. */
static void test_match_portfolio_weighs_place_and_size_together(void **state)
{
    tv_matcher_t *m = NULL;
    tv_explanation_t match, apart;
    int c;

    (void)state;
    assert_int_equal(tv_matcher_create(tax, &cfg, &m), 0);
    add_company_json(m, "{\"id\":\"c\",\"name\":\"C\",\"hq_country\":\"US\",\"city\":\"Boston\","
                        "\"technologies\":[\"biopharma\"],\"raise_eur\":2000000}");
    add_investor_json(m, "{\"id\":\"i-apart\",\"name\":\"A\",\"portfolio\":[" HOLDING(
                             "Boston", 80000000, 2011) "," HOLDING("SF Bay", 2000000, 2011) "]}");
    add_investor_json(m, "{\"id\":\"i-match\",\"name\":\"M\",\"portfolio\":[" HOLDING(
                             "Boston", 2000000, 2011) "," HOLDING("SF Bay", 80000000, 2011) "]}");
    assert_int_equal(tv_matcher_build(m), 0);
    assert_int_equal(rank_for_company(m, "c", "i-match"), 0);
    c = tv_matcher_find_company(m, "c");
    assert_int_equal(
        tv_matcher_explain(m, (size_t)c, (size_t)tv_matcher_find_investor(m, "i-match"), &match),
        0);
    assert_int_equal(
        tv_matcher_explain(m, (size_t)c, (size_t)tv_matcher_find_investor(m, "i-apart"), &apart),
        0);
    assert_true(match.contributions[TV_BLOCK_PORTFOLIO] > 0.01f);
    assert_true(fabsf(apart.contributions[TV_BLOCK_PORTFOLIO]) < 0.01f);
    /* Locality and ticket fit both alike (against taxonomy: contributions are shares of
     * scores that differ). */
    for (int b = TV_BLOCK_TICKET; b <= TV_BLOCK_LOCALITY; b += TV_BLOCK_LOCALITY - TV_BLOCK_TICKET)
        assert_true(fabsf(match.contributions[b] / match.contributions[TV_BLOCK_TAXONOMY] -
                          apart.contributions[b] / apart.contributions[TV_BLOCK_TAXONOMY]) < 1e-4f);
    tv_matcher_destroy(m);
}

static void test_match_recent_deals_scale_an_investors_fit(void **state)
{
    tv_matcher_t *m = NULL;
    tv_explanation_t busy, quiet, old;
    int c;

    (void)state;
    assert_int_equal(tv_matcher_create(tax, &cfg, &m), 0);
    add_company_json(m, "{\"id\":\"c\",\"name\":\"C\",\"hq_country\":\"US\",\"city\":\"Boston\","
                        "\"technologies\":[\"biopharma\"],\"raise_eur\":2000000}");
    add_investor_json(
        m, "{\"id\":\"i-busy\",\"name\":\"B\",\"portfolio\":[" HOLDING(
               "Boston", 2000000,
               2012) "," HOLDING("Boston", 2000000,
                                 2012) "," HOLDING("Boston", 2000000,
                                                   2012) "," HOLDING("Boston", 2000000, 2012) "]}");
    add_investor_json(
        m, "{\"id\":\"i-old\",\"name\":\"O\",\"portfolio\":[" HOLDING(
               "Boston", 2000000,
               2004) "," HOLDING("Boston", 2000000,
                                 2004) "," HOLDING("Boston", 2000000,
                                                   2004) "," HOLDING("Boston", 2000000, 2004) "]}");
    add_investor_json(m, "{\"id\":\"i-quiet\",\"name\":\"Q\",\"portfolio\":[" HOLDING(
                             "Boston", 2000000, 2012) "]}");
    add_investor_json(m, "{\"id\":\"i-none\",\"name\":\"N\"}");
    assert_int_equal(tv_matcher_build(m), 0);
    c = tv_matcher_find_company(m, "c");
    assert_int_equal(
        tv_matcher_explain(m, (size_t)c, (size_t)tv_matcher_find_investor(m, "i-busy"), &busy), 0);
    assert_int_equal(
        tv_matcher_explain(m, (size_t)c, (size_t)tv_matcher_find_investor(m, "i-old"), &old), 0);
    assert_int_equal(
        tv_matcher_explain(m, (size_t)c, (size_t)tv_matcher_find_investor(m, "i-quiet"), &quiet),
        0);
    /* The busiest investor keeps its whole fit; the others keep at least 1 - share of it. */
    assert_float_equal(busy.activity, 1.0, 1e-6);
    assert_true(quiet.activity < 1.0f && quiet.activity >= 1.0f - cfg.activity_share);
    assert_true(old.activity < quiet.activity);
    assert_true(busy.score > quiet.score && quiet.score > old.score);
    assert_int_equal(rank_for_company(m, "c", "i-busy"), 0);
    /* No portfolio on file is unknown, not inactive: not scaled. */
    assert_int_equal(
        tv_matcher_explain(m, (size_t)c, (size_t)tv_matcher_find_investor(m, "i-none"), &quiet), 0);
    assert_float_equal(quiet.activity, 1.0, 0);
    tv_matcher_destroy(m);
}

static void test_match_activity_share_zero_leaves_fit_unscaled(void **state)
{
    tv_match_config_t flat = cfg;
    tv_matcher_t *m = NULL;
    tv_explanation_t a, b;

    (void)state;
    flat.activity_share = 0;
    assert_int_equal(tv_matcher_create(tax, &flat, &m), 0);
    add_company_json(m, "{\"id\":\"c\",\"name\":\"C\",\"hq_country\":\"US\",\"city\":\"Boston\"}");
    add_investor_json(
        m, "{\"id\":\"i-1\",\"name\":\"A\",\"portfolio\":[" HOLDING("Boston", 2000000, 2012) "]}");
    add_investor_json(m, "{\"id\":\"i-2\",\"name\":\"B\",\"portfolio\":[" HOLDING(
                             "Boston", 2000000, 2012) "," HOLDING("Boston", 2000000, 2012) "]}");
    assert_int_equal(tv_matcher_build(m), 0);
    assert_int_equal(tv_matcher_explain(m, 0, 0, &a), 0);
    assert_int_equal(tv_matcher_explain(m, 0, 1, &b), 0);
    assert_float_equal(a.activity, 1.0, 0);
    assert_float_equal(a.score, b.score, 1e-6);
    tv_matcher_destroy(m);
}

static void test_match_config_rejects_unknown_and_out_of_range_settings(void **state)
{
    tv_match_config_t c = cfg;
    tv_diags_t d = {0};
    const char *bad = "{\"weights\": {\"taxonomy\": -1}, \"colour\": 3}";

    (void)state;
    assert_int_equal(tv_codec_match_config_parse(bad, strlen(bad), 0, &c, &d), TV_EINVAL);
    tvt_assert_diag(&d, 0, "weights.taxonomy", "from 0 to 100");
    tvt_assert_diag(&d, 0, "colour", "unknown setting");
    assert_true(c.weights[TV_BLOCK_TAXONOMY] == cfg.weights[TV_BLOCK_TAXONOMY]); /* unchanged */
    tv_diags_dispose(&d);
    assert_int_equal(tv_codec_match_config_set(&c, "weights.text", "0.5", &d), 0);
    assert_true(c.weights[TV_BLOCK_TEXT] == 0.5f);
    assert_int_equal(tv_codec_match_config_set(&c, "masks.eligible_only", "yes", &d), TV_EINVAL);
    tv_diags_dispose(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matcher_create_refuses_an_empty_ticket_range),
        cmocka_unit_test(test_match_contributions_sum_to_the_score),
        cmocka_unit_test(test_match_lists_equal_a_full_sort_and_respect_masks),
        cmocka_unit_test(test_match_incremental_updates_equal_a_recompute),
        cmocka_unit_test(test_match_many_random_updates_equal_a_recompute),
        cmocka_unit_test(test_match_planted_perfect_fit_ranks_first),
        cmocka_unit_test(test_match_planted_ticket_ten_times_too_large_is_masked),
        cmocka_unit_test(test_match_planted_italian_text_meets_english_thesis),
        cmocka_unit_test(test_match_planted_wanted_corporate_investor_ranks_above_twin_vc),
        cmocka_unit_test(test_match_planted_coinvestor_of_earlier_investors_ranks_above_twin),
        cmocka_unit_test(test_match_event_filter_keeps_only_participants),
        cmocka_unit_test(test_match_portfolio_reveals_place_and_round_size),
        cmocka_unit_test(test_match_portfolio_state_counts_beside_the_city),
        cmocka_unit_test(test_match_portfolio_weighs_place_and_size_together),
        cmocka_unit_test(test_match_recent_deals_scale_an_investors_fit),
        cmocka_unit_test(test_match_activity_share_zero_leaves_fit_unscaled),
        cmocka_unit_test(test_match_config_rejects_unknown_and_out_of_range_settings),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
