/* Tests engine/match/learn.c and tv_matcher_rank_learned: without signals it ranks as the kept
 * lists; hidden counterparts never come back; an investor's thesis moves toward what it said yes
 * to and away from what it said no to, only with both kinds of judgment and only when learning
 * is on; nothing else changes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "tavolo/codec.h"
#include "tavolo/match.h"

#define PLANTED 40 /* companies: even ones in RNA, odd ones in antibodies, otherwise alike */

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

static void assert_same_hits(const tv_hit_t *a, int na, const tv_hit_t *b, int nb)
{
    assert_int_equal(na, nb);
    for (int r = 0; r < na; r++) {
        if (a[r].index != b[r].index || a[r].score != b[r].score)
            fail_msg("rank %d: %u (%.7f) against %u (%.7f)", r, a[r].index, a[r].score, b[r].index,
                     b[r].score);
    }
}

static void test_learn_without_signals_ranks_as_the_kept_lists(void **state)
{
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg);
    tv_signals_t none = {NULL, 0};
    tv_hit_t a[30], b[30];

    (void)state;
    for (size_t c = 0; c < tv_matcher_companies(m); c++)
        assert_same_hits(a, tv_matcher_for_company(m, c, 30, NULL, a), b,
                         tv_matcher_rank_learned(m, TV_KIND_COMPANY, c, 30, NULL, &none, b));
    for (size_t i = 0; i < tv_matcher_investors(m); i++)
        assert_same_hits(a, tv_matcher_for_investor(m, i, 30, NULL, a), b,
                         tv_matcher_rank_learned(m, TV_KIND_INVESTOR, i, 30, NULL, NULL, b));
    tv_matcher_destroy(m);
}

/* 'out' = 'all' without the rows flagged in 'gone'. */
static int without(const tv_hit_t *all, int n, const uint8_t *gone, tv_hit_t *out)
{
    int k = 0;

    for (int r = 0; r < n; r++) {
        if (!gone[all[r].index])
            out[k++] = all[r];
    }
    return k;
}

static void test_learn_hidden_counterparts_never_come_back(void **state)
{
    tv_matcher_t *m = tvt_fixture_matcher(tax, &cfg);
    size_t ni = tv_matcher_investors(m), nc = tv_matcher_companies(m);
    tv_hit_t all[200], got[200], expect[200];
    uint8_t *gone = calloc(nc + ni, 1);
    tv_signal_t s[2];
    tv_signals_t learned = {s, 2};
    int n;

    (void)state;
    /* An investor: its first and third companies hidden, one with a "no" (thesis unmoved: no
     * "yes" to set against it). The rest keep their order and scores. */
    n = tv_matcher_for_investor(m, 0, 200, NULL, all);
    assert_true(n >= 3);
    s[0] = (tv_signal_t){all[0].index, -1, 1};
    s[1] = (tv_signal_t){all[2].index, 0, 1};
    gone[all[0].index] = gone[all[2].index] = 1;
    assert_same_hits(expect, without(all, n, gone, expect), got,
                     tv_matcher_rank_learned(m, TV_KIND_INVESTOR, 0, 200, NULL, &learned, got));
    /* A company: likewise, its hidden investors only. */
    memset(gone, 0, nc + ni);
    n = tv_matcher_for_company(m, 1, 200, NULL, all);
    assert_true(n >= 2);
    s[0] = (tv_signal_t){all[1].index, 1, 1};
    s[1] = (tv_signal_t){all[n - 1].index, -1, 1};
    gone[all[1].index] = gone[all[n - 1].index] = 1;
    assert_same_hits(expect, without(all, n, gone, expect), got,
                     tv_matcher_rank_learned(m, TV_KIND_COMPANY, 1, 200, NULL, &learned, got));
    free(gone);
    tv_matcher_destroy(m);
}

/* PLANTED companies alike but for their technology (even: RNA, odd: antibodies) and one
 * investor seeking both. */
static tv_matcher_t *planted(const tv_match_config_t *c)
{
    tv_matcher_t *m = NULL;
    tv_diags_t d = {0};
    char json[768];

    assert_int_equal(tv_matcher_create(tax, c, &m), 0);
    for (int k = 0; k < PLANTED; k++) {
        tv_company_t co;

        snprintf(json, sizeof(json),
                 "{\"id\":\"p-%03d\",\"name\":\"Planted %d\",\"area\":\"precision_medicine\","
                 "\"hq_country\":\"IT\",\"city\":\"%s\",\"pathologies\":[\"oncology\"],"
                 "\"technologies\":[\"%s\"],\"stage\":\"%s\",\"raise_eur\":%d,"
                 "\"description\":\"%s for solid tumours, %s.\",\"language\":\"en\","
                 "\"wants\":{\"investor_kinds\":[\"vc\"]}}",
                 k, k, k % 3 ? "Milano" : "Torino", k % 2 ? "antibodies" : "rna",
                 k % 4 < 2 ? "preclinical" : "phase1", 4000000 + 250000 * (k % 7),
                 k % 2 ? "Monoclonal antibodies" : "RNA medicines",
                 k % 5 ? "a lead candidate" : "first in vivo data");
        if (tv_codec_company_decode(tax, json, strlen(json), &co, &d) != 0)
            fail_msg("%s: %s", d.items[0].field, d.items[0].message);
        assert_int_equal(tv_matcher_add_company(m, &co), 0);
    }
    {
        tv_investor_t inv;
        const char *i = "{\"id\":\"i-both\",\"name\":\"Both Fund\",\"kind\":\"vc\","
                        "\"pathologies\":[\"oncology\"],\"technologies\":[\"rna\",\"antibodies\"],"
                        "\"stages\":[\"preclinical\",\"phase1\"],\"ticket_min_eur\":1000000,"
                        "\"ticket_max_eur\":10000000,\"thesis\":\"RNA medicines and monoclonal "
                        "antibodies for cancer.\",\"language\":\"en\"}";

        assert_int_equal(tv_codec_investor_decode(tax, i, strlen(i), &inv, &d), 0);
        assert_int_equal(tv_matcher_add_investor(m, &inv), 0);
    }
    assert_int_equal(tv_matcher_build(m), 0);
    return m;
}

static int is_rna(const tv_matcher_t *m, size_t company)
{
    return strstr(tv_matcher_company(m, company)->description, "RNA") != NULL;
}

/* How many of the first 'top' companies not among 'judged' are in RNA, ranked for the investor
 * with 'learned'. */
static int rna_on_top(const tv_matcher_t *m, const tv_signals_t *learned,
                      const tv_signals_t *judged, int top)
{
    tv_hit_t hits[PLANTED];
    int n = tv_matcher_rank_learned(m, TV_KIND_INVESTOR, 0, PLANTED, NULL, learned, hits), seen = 0,
        rna = 0;

    for (int r = 0; r < n && seen < top; r++) {
        int skip = 0;

        for (size_t s = 0; s < judged->n; s++)
            skip |= judged->items[s].counterpart == hits[r].index;
        if (skip)
            continue;
        seen++;
        rna += is_rna(m, hits[r].index);
    }
    return rna;
}

/* Signals: yes to the first 'yes' RNA companies, no to the first 'no' antibody ones (shown). */
static size_t judge(const tv_matcher_t *m, int yes, int no, tv_signal_t *s)
{
    size_t n = 0;

    for (int k = 0; k < PLANTED; k++) {
        if (is_rna(m, (size_t)k) && yes-- > 0)
            s[n++] = (tv_signal_t){(uint32_t)k, 1, 0};
        else if (!is_rna(m, (size_t)k) && no-- > 0)
            s[n++] = (tv_signal_t){(uint32_t)k, -1, 0};
    }
    return n;
}

static void test_learn_planted_investor_moves_toward_what_it_welcomed(void **state)
{
    tv_match_config_t off = cfg;
    tv_matcher_t *m = planted(&cfg), *unlearning;
    tv_signal_t s[PLANTED];
    tv_signals_t learned = {s, judge(m, 5, 5, s)}, none = {NULL, 0};
    int before = rna_on_top(m, &none, &learned, 14), after = rna_on_top(m, &learned, &learned, 14);

    (void)state;
    /* Unlearned, the two technologies share the top; learned, RNA fills it (the unjudged are
     * 15 RNA and 15 antibody companies). */
    if (before > 10 || after < 13)
        fail_msg("RNA companies among the best 14 not judged: %d unlearned, %d learned", before,
                 after);
    /* Learning off: the same signals change nothing. */
    off.learning.share = 0;
    unlearning = planted(&off);
    assert_int_equal(rna_on_top(unlearning, &learned, &learned, 14), before);
    tv_matcher_destroy(unlearning);
    tv_matcher_destroy(m);
}

static void test_learn_thesis_needs_both_kinds_of_judgment(void **state)
{
    tv_matcher_t *m = planted(&cfg);
    tv_signal_t s[PLANTED];
    tv_signals_t only_no = {s, judge(m, 0, 8, s)}, none = {NULL, 0};
    tv_hit_t all[PLANTED], a[PLANTED], b[PLANTED];
    uint8_t gone[PLANTED] = {0};
    int n;

    (void)state;
    assert_int_equal(only_no.n, 8);
    assert_int_equal(rna_on_top(m, &only_no, &only_no, 14), rna_on_top(m, &none, &only_no, 14));
    for (size_t k = 0; k < only_no.n; k++) { /* hidden as well: ranks as before without them */
        s[k].hidden = 1;
        gone[s[k].counterpart] = 1;
    }
    n = without(all, tv_matcher_for_investor(m, 0, PLANTED, NULL, all), gone, a);
    assert_same_hits(a, n, b,
                     tv_matcher_rank_learned(m, TV_KIND_INVESTOR, 0, PLANTED, NULL, &only_no, b));
    tv_matcher_destroy(m);
}

/* The mean learned score of the RNA companies not in 'judged' less that of such antibody ones. */
static double rna_lead(const tv_matcher_t *m, const tv_signals_t *learned,
                       const tv_signals_t *judged)
{
    tv_hit_t hits[PLANTED];
    int n = tv_matcher_rank_learned(m, TV_KIND_INVESTOR, 0, PLANTED, NULL, learned, hits);
    double sum[2] = {0, 0};
    int count[2] = {0, 0};

    for (int r = 0; r < n; r++) {
        int skip = 0, rna = is_rna(m, hits[r].index);

        for (size_t s = 0; s < judged->n; s++)
            skip |= judged->items[s].counterpart == hits[r].index;
        if (skip)
            continue;
        sum[rna] += hits[r].score;
        count[rna]++;
    }
    return sum[1] / count[1] - sum[0] / count[0];
}

/* Shrinkage: one judgment of each kind moves the thesis less than five of each. */
static void test_learn_few_judgments_move_the_thesis_less(void **state)
{
    tv_matcher_t *m = planted(&cfg);
    tv_signal_t one[PLANTED], five[PLANTED];
    tv_signals_t a = {one, judge(m, 1, 1, one)}, b = {five, judge(m, 5, 5, five)};
    tv_signals_t none = {NULL, 0};
    double lead = rna_lead(m, &none, &b), lead_one = rna_lead(m, &a, &b),
           lead_five = rna_lead(m, &b, &b);

    (void)state;
    if (!(fabs(lead_one - lead) < lead_five - lead))
        fail_msg("RNA's lead in score: %.5f unlearned, %.5f with one of each, %.5f with five", lead,
                 lead_one, lead_five);
    tv_matcher_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learn_without_signals_ranks_as_the_kept_lists),
        cmocka_unit_test(test_learn_hidden_counterparts_never_come_back),
        cmocka_unit_test(test_learn_planted_investor_moves_toward_what_it_welcomed),
        cmocka_unit_test(test_learn_thesis_needs_both_kinds_of_judgment),
        cmocka_unit_test(test_learn_few_judgments_move_the_thesis_less),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
