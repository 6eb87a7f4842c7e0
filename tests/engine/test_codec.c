/* Tests engine/codec.c, codec_encode.c and codec_records.c: decoding with validation,
 * canonical encoding, and whole JSON / JSON Lines files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

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

#define FULL_COMPANY                                                                               \
    "{\"id\":\"c-1\",\"name\":\"Velarna Therapeutics\",\"area\":\"precision_medicine\","           \
    "\"hq_country\":\"IT\",\"hq_region\":\"lombardia\",\"subdivision\":\"MI\",\"city\":"           \
    "\"Milano\","                                                                                  \
    "\"rd_share_italy\":0.8,\"rd_spend_eur\":2500000,\"grants_eur\":300000,"                       \
    "\"commercial\":false,\"patents_owned\":3,\"patents_licensed\":1,"                             \
    "\"pathologies\":[\"oncology.lung\",\"oncology\"],\"technologies\":[\"rna\"],"                 \
    "\"stage\":\"preclinical\",\"round\":\"series_a\",\"raise_eur\":15000000,"                     \
    "\"description\":\"Terapie a RNA per il tumore al polmone.\",\"language\":\"it\","             \
    "\"wants\":{\"investor_kinds\":[\"vc\",\"cvc\"],\"regions\":[\"europe\"],\"lead\":true},"      \
    "\"founded\":2019}"

static void test_codec_decodes_every_company_field(void **state)
{
    tv_diags_t d = {0};
    tv_company_t c;

    (void)state;
    assert_int_equal(tv_codec_company_decode(tax, FULL_COMPANY, strlen(FULL_COMPANY), &c, &d), 0);
    assert_string_equal(c.id, "c-1");
    assert_string_equal(c.name, "Velarna Therapeutics");
    assert_int_equal(c.area, tv_taxonomy_find(tax, TV_TAXO_AREA, "precision_medicine"));
    assert_string_equal(c.hq_country, "IT");
    assert_int_equal(c.hq_region, tv_taxonomy_find(tax, TV_TAXO_IT_REGION, "lombardia"));
    assert_string_equal(c.subdivision, "MI");
    assert_true(fabs(c.rd_share_italy - 0.8) < 1e-12);
    assert_int_equal(c.rd_spend_eur, 2500000);
    assert_int_equal(c.commercial, 0);
    assert_int_equal(c.pathologies.n, 2);
    assert_int_equal(c.stage, tv_taxonomy_find(tax, TV_TAXO_STAGE, "preclinical"));
    assert_int_equal(c.wants.investor_kinds.n, 2);
    assert_int_equal(c.wants.lead, 1);
    assert_int_equal(c.founded, 2019);
    assert_string_equal(c.language, "it");
    tv_company_dispose(&c);
    assert_int_equal(d.n, 0);
}

static void test_codec_encode_is_canonical_and_round_trips(void **state)
{
    tv_diags_t d = {0};
    tv_company_t c, again;
    char *first, *second;

    (void)state;
    assert_int_equal(tv_codec_company_decode(tax, FULL_COMPANY, strlen(FULL_COMPANY), &c, &d), 0);
    assert_int_equal(tv_codec_company_encode(tax, &c, &first), 0);
    assert_int_equal(tv_codec_company_decode(tax, first, strlen(first), &again, &d), 0);
    assert_int_equal(tv_codec_company_encode(tax, &again, &second), 0);
    assert_string_equal(first, second);
    /* Lists come out in taxonomy order whatever the input order. */
    assert_non_null(strstr(first, "\"pathologies\":[\"oncology\",\"oncology.lung\"]"));
    free(first);
    free(second);
    tv_company_dispose(&c);
    tv_company_dispose(&again);
}

static void test_codec_unknown_fields_are_left_out_of_the_canonical_form(void **state)
{
    const char *text = "{\"id\":\"c-2\",\"name\":\"X\",\"rd_spend_eur\":null,\"pathologies\":[]}";
    tv_diags_t d = {0};
    tv_company_t c;
    char *out;

    (void)state;
    assert_int_equal(tv_codec_company_decode(tax, text, strlen(text), &c, &d), 0);
    assert_true(c.rd_spend_eur == TV_UNKNOWN);
    assert_true(isnan(c.rd_share_italy));
    assert_int_equal(c.commercial, -1);
    assert_int_equal(tv_codec_company_encode(tax, &c, &out), 0);
    assert_string_equal(out, "{\"id\":\"c-2\",\"name\":\"X\"}");
    free(out);
    tv_company_dispose(&c);
}

/* Decodes 'text' as one company and asserts it fails with a message for 'field'. */
static void expect_company_error(const char *text, const char *field, const char *needle)
{
    tv_diags_t d = {0};
    tv_company_t c;

    assert_int_equal(tv_codec_company_decode(tax, text, strlen(text), &c, &d), TV_EINVAL);
    tvt_assert_diag(&d, 0, field, needle);
    tv_diags_dispose(&d);
}

static void test_codec_rejects_each_bad_company_field(void **state)
{
    (void)state;
    expect_company_error("{\"name\":\"X\"}", "id", "required field is missing");
    expect_company_error("{\"id\":\"a b\",\"name\":\"X\"}", "id", "an id of letters");
    expect_company_error("{\"id\":\"c\",\"name\":\"\"}", "name", "non-empty string");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"rd_spend_eur\":\"lots\"}", "rd_spend_eur",
                         "expected a non-negative integer, got \"lots\"");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"rd_spend_eur\":-5}", "rd_spend_eur",
                         "non-negative integer, got -5");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"rd_spend_eur\":2.5}", "rd_spend_eur",
                         "got 2.5");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"rd_share_italy\":1.5}", "rd_share_italy",
                         "a number from 0 to 1, got 1.5");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"commercial\":\"no\"}", "commercial",
                         "true or false");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"hq_country\":\"XX\"}", "hq_country",
                         "ISO 3166-1 alpha-2");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"language\":\"fr\"}", "language",
                         "\"it\" or \"en\"");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"founded\":1700}", "founded",
                         "an integer from 1800 to 2100");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"pathologies\":[\"oncology\",\"gout\"]}",
                         "pathologies[1]", "unknown pathology \"gout\"");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"pathologies\":\"oncology\"}",
                         "pathologies", "an array of pathology ids");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"stage\":\"phase9\"}", "stage",
                         "unknown stage");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"wants\":{\"lead\":\"yes\"}}", "wants.lead",
                         "true or false");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"wants\":{\"regions\":[\"mars\"]}}",
                         "wants.regions[0]", "unknown region");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"rd_spend\":5}", "rd_spend",
                         "unknown field");
}

static void test_codec_rejects_stage_of_the_other_area(void **state)
{
    (void)state;
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"area\":\"precision_medicine\","
                         "\"stage\":\"pilot\"}",
                         "stage", "does not belong to area \"precision_medicine\"");
}

static void test_codec_counts_length_in_characters(void **state)
{
    char text[1200];
    char name[800] = "";
    tv_diags_t d = {0};
    tv_company_t c;

    (void)state;
    for (int i = 0; i < 200; i++)
        strcat(name, "\xc3\xa8"); /* 200 characters, 400 bytes */
    snprintf(text, sizeof(text), "{\"id\":\"c\",\"name\":\"%s\"}", name);
    assert_int_equal(tv_codec_company_decode(tax, text, strlen(text), &c, &d), 0);
    tv_company_dispose(&c);
    snprintf(text, sizeof(text), "{\"id\":\"c\",\"name\":\"%se\"}", name);
    expect_company_error(text, "name", "at most 200 characters");
}

static void test_codec_investor_checks_ticket_order_and_portfolio(void **state)
{
    const char *bad_ticket = "{\"id\":\"i\",\"name\":\"F\",\"ticket_min_eur\":5000000,"
                             "\"ticket_max_eur\":1000000}";
    const char *bad_holding = "{\"id\":\"i\",\"name\":\"F\",\"portfolio\":[{\"name\":\"A\"},"
                              "{\"name\":\"B\",\"stage\":\"phase7\"}]}";
    const char *good = "{\"id\":\"i\",\"name\":\"F\",\"kind\":\"cvc\",\"portfolio\":[{\"name\":"
                       "\"A\",\"stage\":\"phase1\",\"year\":2020,\"subdivision\":\"CA\"}]}";
    tv_diags_t d = {0};
    tv_investor_t inv;

    (void)state;
    assert_int_equal(tv_codec_investor_decode(tax, bad_ticket, strlen(bad_ticket), &inv, &d),
                     TV_EINVAL);
    tvt_assert_diag(&d, 0, "ticket_max_eur", "must not be below ticket_min_eur");
    assert_int_equal(tv_codec_investor_decode(tax, bad_holding, strlen(bad_holding), &inv, &d),
                     TV_EINVAL);
    tvt_assert_diag(&d, 0, "portfolio[1].stage", "unknown stage \"phase7\"");
    tv_diags_dispose(&d);
    assert_int_equal(tv_codec_investor_decode(tax, good, strlen(good), &inv, &d), 0);
    assert_int_equal(inv.portfolio_n, 1);
    assert_string_equal(inv.portfolio[0].name, "A");
    assert_int_equal(inv.portfolio[0].year, 2020);
    assert_string_equal(inv.portfolio[0].subdivision, "CA");
    assert_int_equal(inv.kind, tv_taxonomy_find(tax, TV_TAXO_INVESTOR_KIND, "cvc"));
    tv_investor_dispose(&inv);
}

static void test_codec_json_lines_name_the_line(void **state)
{
    const char *text = "{\"id\":\"c1\",\"name\":\"A\"}\n"
                       "\n"
                       "{\"id\":\"c3\",\"name\":\"B\",\"rd_spend_eur\":\"lots\"}\n"
                       "{\"id\":\"c4\",\"name\":\n"
                       "{\"id\":\"c5\",\"name\":\"C\"}\n";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};
    char line[256];

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_JSONL, text, &docs, &d), 4);
    assert_int_equal(docs.n, 2);
    assert_string_equal(docs.items[0].id, "c1");
    assert_string_equal(docs.items[1].id, "c5");
    assert_int_equal(docs.items[1].record, 5);
    assert_int_equal(d.n, 2);
    tv_diag_format(&d.items[0], "companies.jsonl", line, sizeof(line));
    assert_string_equal(line, "companies.jsonl:3: rd_spend_eur: expected a non-negative integer, "
                              "got \"lots\"");
    tvt_assert_diag(&d, 4, "", "malformed JSON");
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
}

static void test_codec_json_array_names_the_index(void **state)
{
    const char *text = "[{\"id\":\"c1\",\"name\":\"A\"}, {\"id\":\"c2\",\"name\":7}]";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};
    char line[256];

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_AUTO, text, &docs, &d), 2);
    assert_int_equal(docs.n, 1);
    assert_int_equal(d.n, 1);
    tv_diag_format(&d.items[0], "companies.json", line, sizeof(line));
    assert_string_equal(line, "companies.json[1]: name: expected a non-empty string, got 7");
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
}

static void test_codec_malformed_json_array_fails_whole_file(void **state)
{
    const char *text = "[{\"id\":\"c1\",\"name\":\"A\"},\n {\"id\":]";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_JSON, text, &docs, &d), TV_EPARSE);
    tvt_assert_diag(&d, 2, "", "malformed JSON");
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
}

static void test_codec_repeated_id_is_reported_and_first_kept(void **state)
{
    const char *text = "{\"id\":\"c1\",\"name\":\"first\"}\n"
                       "{\"id\":\"c2\",\"name\":\"other\"}\n"
                       "{\"id\":\"c1\",\"name\":\"again\"}\n";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_JSONL, text, &docs, &d), 3);
    assert_int_equal(docs.n, 2);
    assert_non_null(strstr(docs.items[0].json, "first"));
    tvt_assert_diag(&d, 3, "id", "repeats the record on line 1");
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
}

static void read_fixture_file(const char *rel, tv_profile_kind_t kind, size_t min_records)
{
    size_t len;
    char *buf = tvt_read_fixture(rel, &len);
    tv_docs_t docs = {0};
    tv_diags_t d = {0};
    int n = tvt_read(tax, kind, TV_FORMAT_AUTO, buf, &docs, &d);

    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "%s:%zu: %s: %s\n", rel, d.items[i].record, d.items[i].field,
                d.items[i].message);
    assert_int_equal(d.n, 0);
    assert_true((size_t)n >= min_records);
    assert_int_equal(docs.n, (size_t)n);
    tv_docs_dispose(&docs);
    free(buf);
}

static void test_codec_fixture_profiles_are_all_valid(void **state)
{
    (void)state;
    read_fixture_file("companies.jsonl", TV_KIND_COMPANY, 80);
    read_fixture_file("investors.jsonl", TV_KIND_INVESTOR, 50);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codec_decodes_every_company_field),
        cmocka_unit_test(test_codec_encode_is_canonical_and_round_trips),
        cmocka_unit_test(test_codec_unknown_fields_are_left_out_of_the_canonical_form),
        cmocka_unit_test(test_codec_rejects_each_bad_company_field),
        cmocka_unit_test(test_codec_rejects_stage_of_the_other_area),
        cmocka_unit_test(test_codec_counts_length_in_characters),
        cmocka_unit_test(test_codec_investor_checks_ticket_order_and_portfolio),
        cmocka_unit_test(test_codec_json_lines_name_the_line),
        cmocka_unit_test(test_codec_json_array_names_the_index),
        cmocka_unit_test(test_codec_malformed_json_array_fails_whole_file),
        cmocka_unit_test(test_codec_repeated_id_is_reported_and_first_kept),
        cmocka_unit_test(test_codec_fixture_profiles_are_all_valid),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
