/* Tests engine/core/eligibility.c: every criterion's pass, fail and unknown, at the thresholds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "tavolo/eligibility.h"

static tv_taxonomy_t *tax;

static int setup(void **state)
{
    (void)state;
    tax = tvt_taxonomy();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tv_taxonomy_destroy(tax);
    return 0;
}

#define MED "\"area\":\"precision_medicine\""
#define IND "\"area\":\"industrial_environmental\""

/* Judges the company whose fields (after id and name) are 'fields'. */
static tv_eligibility_t judge(const char *fields)
{
    char text[1024];
    tv_diags_t d = {0};
    tv_eligibility_t e;
    tv_company_t c;

    snprintf(text, sizeof(text), "{\"id\":\"c\",\"name\":\"C\"%s%s}", fields[0] ? "," : "", fields);
    assert_int_equal(tv_codec_company_decode(tax, text, strlen(text), &c, &d), 0);
    tv_eligibility_check(tax, &c, &e);
    tv_company_dispose(&c);
    return e;
}

static void expect(const char *fields, tv_criterion_id_t k, tv_check_t result,
                   const char *reason_part)
{
    tv_eligibility_t e = judge(fields);

    if (e.criteria[k].result != result || strstr(e.criteria[k].reason, reason_part) == NULL)
        fail_msg("{%s}: %s is %s (%s), expected %s with \"%s\"", fields, e.criteria[k].name,
                 tv_check_name(e.criteria[k].result), e.criteria[k].reason, tv_check_name(result),
                 reason_part);
}

static void test_eligibility_precision_medicine_needs_two_million(void **state)
{
    (void)state;
    expect(MED ",\"rd_spend_eur\":2000000", TV_CRIT_RD_THRESHOLD, TV_CHECK_PASS,
           "EUR 2,000,000 a year meets the EUR 2,000,000");
    expect(MED ",\"rd_spend_eur\":1999999", TV_CRIT_RD_THRESHOLD, TV_CHECK_FAIL,
           "EUR 1,999,999 a year is below the EUR 2,000,000");
    /* Grants do not count for precision medicine. */
    expect(MED ",\"rd_spend_eur\":1000000,\"grants_eur\":5000000", TV_CRIT_RD_THRESHOLD,
           TV_CHECK_FAIL, "below");
    expect(MED, TV_CRIT_RD_THRESHOLD, TV_CHECK_UNKNOWN, "not given");
}

static void test_eligibility_industrial_takes_rd_or_grants(void **state)
{
    (void)state;
    expect(IND ",\"rd_spend_eur\":800000", TV_CRIT_RD_THRESHOLD, TV_CHECK_PASS,
           "R&D spend EUR 800,000");
    expect(IND ",\"rd_spend_eur\":799999,\"grants_eur\":800000", TV_CRIT_RD_THRESHOLD,
           TV_CHECK_PASS, "grant funding EUR 800,000");
    expect(IND ",\"rd_spend_eur\":799999,\"grants_eur\":799999", TV_CRIT_RD_THRESHOLD,
           TV_CHECK_FAIL, "EUR 799,999 and grant funding EUR 799,999");
    expect(IND ",\"rd_spend_eur\":300000", TV_CRIT_RD_THRESHOLD, TV_CHECK_UNKNOWN, "not given");
    expect(IND ",\"grants_eur\":900000", TV_CRIT_RD_THRESHOLD, TV_CHECK_PASS, "grant funding");
}

static void test_eligibility_without_area_the_threshold_is_unknown(void **state)
{
    (void)state;
    expect("\"rd_spend_eur\":5000000", TV_CRIT_RD_THRESHOLD, TV_CHECK_UNKNOWN, "area");
}

static void test_eligibility_commercial_phase(void **state)
{
    (void)state;
    expect("\"commercial\":true", TV_CRIT_NOT_COMMERCIAL, TV_CHECK_FAIL, "commercial phase");
    expect("\"commercial\":false", TV_CRIT_NOT_COMMERCIAL, TV_CHECK_PASS, "not in");
    expect("", TV_CRIT_NOT_COMMERCIAL, TV_CHECK_UNKNOWN, "not given");
}

static void test_eligibility_patents_owned_or_licensed(void **state)
{
    (void)state;
    expect("\"patents_owned\":0,\"patents_licensed\":0", TV_CRIT_PATENTS, TV_CHECK_FAIL,
           "no patent");
    expect("\"patents_owned\":0,\"patents_licensed\":1", TV_CRIT_PATENTS, TV_CHECK_PASS,
           "0 patents owned, 1 licensed");
    expect("\"patents_owned\":2", TV_CRIT_PATENTS, TV_CHECK_PASS, "2 patents owned");
    expect("\"patents_owned\":0", TV_CRIT_PATENTS, TV_CHECK_UNKNOWN, "not given");
    expect("", TV_CRIT_PATENTS, TV_CHECK_UNKNOWN, "not given");
}

static void test_eligibility_italian_hq_and_prevailing_rd(void **state)
{
    (void)state;
    expect("\"hq_country\":\"CH\",\"rd_share_italy\":0.9", TV_CRIT_ITALY, TV_CHECK_FAIL,
           "headquarters in CH");
    expect("\"hq_country\":\"IT\",\"rd_share_italy\":0.5", TV_CRIT_ITALY, TV_CHECK_FAIL,
           "only 50%");
    expect("\"hq_country\":\"IT\",\"rd_share_italy\":0.51", TV_CRIT_ITALY, TV_CHECK_PASS,
           "51% of R&D");
    expect("\"hq_country\":\"IT\"", TV_CRIT_ITALY, TV_CHECK_UNKNOWN, "share");
    expect("\"rd_share_italy\":0.9", TV_CRIT_ITALY, TV_CHECK_UNKNOWN, "country");
}

static void test_eligibility_verdict_combines_the_criteria(void **state)
{
    const char *all = MED ",\"rd_spend_eur\":3000000,\"commercial\":false,\"patents_owned\":1,"
                          "\"patents_licensed\":0,\"hq_country\":\"IT\",\"rd_share_italy\":0.9";

    (void)state;
    assert_int_equal(judge(all).eligible, TV_CHECK_PASS);
    /* One failure decides, even when other criteria are unknown. */
    assert_int_equal(judge(MED ",\"commercial\":true").eligible, TV_CHECK_FAIL);
    /* Unknowns without a failure leave the verdict open. */
    assert_int_equal(judge(MED ",\"rd_spend_eur\":3000000,\"commercial\":false").eligible,
                     TV_CHECK_UNKNOWN);
    assert_string_equal(judge("").criteria[TV_CRIT_ITALY].name, "italy");
}

/* The fixtures hold eligible, ineligible and incomplete companies, as the issue asks. */
static void test_eligibility_fixture_spread(void **state)
{
    size_t len, counts[3] = {0, 0, 0};
    char *buf = tvt_read_fixture("companies.jsonl", &len);
    char *line = buf;

    (void)state;
    while (line != NULL && *line != '\0') {
        char *nl = strchr(line, '\n');
        tv_diags_t d = {0};
        tv_eligibility_t e;
        tv_company_t c;

        if (nl != NULL)
            *nl = '\0';
        if (*line != '\0') {
            assert_int_equal(tv_codec_company_decode(tax, line, strlen(line), &c, &d), 0);
            tv_eligibility_check(tax, &c, &e);
            counts[e.eligible + 1]++;
            tv_company_dispose(&c);
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
    free(buf);
    assert_true(counts[TV_CHECK_PASS + 1] >= 30);
    assert_true(counts[TV_CHECK_FAIL + 1] >= 10);
    assert_true(counts[TV_CHECK_UNKNOWN + 1] >= 5);
}

/* Judges 'fields' with the reasons in 'lang'. */
static tv_eligibility_t judge_in(const char *fields, tv_lang_t lang)
{
    char text[1024];
    tv_diags_t d = {0};
    tv_eligibility_t e;
    tv_company_t c;

    snprintf(text, sizeof(text), "{\"id\":\"c\",\"name\":\"C\",%s}", fields);
    assert_int_equal(tv_codec_company_decode(tax, text, strlen(text), &c, &d), 0);
    tv_eligibility_check_lang(tax, &c, lang, &e);
    tv_company_dispose(&c);
    return e;
}

/* The reasons in Italian quote the same figures, written the Italian way; the verdicts are
 * the English ones, and English stays the default. */
static void test_eligibility_reasons_in_italian(void **state)
{
    const char *co = MED ",\"rd_spend_eur\":1500000,\"commercial\":false,\"patents_owned\":2,"
                         "\"patents_licensed\":0,\"hq_country\":\"IT\",\"rd_share_italy\":0.4";
    tv_eligibility_t it = judge_in(co, TV_LANG_IT), en = judge_in(co, TV_LANG_EN);

    (void)state;
    assert_string_equal(it.criteria[TV_CRIT_RD_THRESHOLD].reason,
                        "spesa in R&S di 1.500.000 EUR all'anno, sotto i 2.000.000 EUR richiesti "
                        "dalla medicina di precisione");
    assert_string_equal(it.criteria[TV_CRIT_NOT_COMMERCIAL].reason,
                        "l'azienda non è in fase commerciale");
    assert_string_equal(it.criteria[TV_CRIT_PATENTS].reason,
                        "2 brevetti di proprietà, 0 in licenza");
    assert_string_equal(it.criteria[TV_CRIT_ITALY].reason,
                        "sede in IT ma solo il 40% della R&S svolta lì (serve più della metà)");
    for (int k = 0; k < TV_CRIT_COUNT; k++)
        assert_int_equal(it.criteria[k].result, en.criteria[k].result);
    assert_int_equal(it.eligible, en.eligible);
    assert_string_equal(en.criteria[TV_CRIT_RD_THRESHOLD].reason,
                        judge(co).criteria[TV_CRIT_RD_THRESHOLD].reason);
    assert_non_null(strstr(
        judge_in(IND ",\"grants_eur\":900000", TV_LANG_IT).criteria[TV_CRIT_RD_THRESHOLD].reason,
        "finanziamenti da bandi di 900.000 EUR"));
    assert_string_equal(judge_in("\"founded\":2000", TV_LANG_IT).criteria[TV_CRIT_ITALY].reason,
                        "il paese della sede non è indicato");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eligibility_precision_medicine_needs_two_million),
        cmocka_unit_test(test_eligibility_industrial_takes_rd_or_grants),
        cmocka_unit_test(test_eligibility_without_area_the_threshold_is_unknown),
        cmocka_unit_test(test_eligibility_commercial_phase),
        cmocka_unit_test(test_eligibility_patents_owned_or_licensed),
        cmocka_unit_test(test_eligibility_italian_hq_and_prevailing_rd),
        cmocka_unit_test(test_eligibility_verdict_combines_the_criteria),
        cmocka_unit_test(test_eligibility_fixture_spread),
        cmocka_unit_test(test_eligibility_reasons_in_italian),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
