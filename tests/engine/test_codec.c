/* Tests engine/codec/codec.c, codec_encode.c and codec_records.c: decoding with validation,
 * canonical encoding, and whole JSON / JSON Lines files; and the parsers of codec_match.c
 * and codec_taxonomy.c on bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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

static void test_codec_rejects_an_empty_existing_investor_id(void **state)
{
    (void)state;
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"investors\":[\"c-002\",\"\"]}",
                         "investors[1]", "expected a non-empty string");
}

/* Decodes 'text' as one investor and asserts it fails with a message for 'field'. */
static void expect_investor_error(const char *text, const char *field, const char *needle)
{
    tv_diags_t d = {0};
    tv_investor_t inv;

    assert_int_equal(tv_codec_investor_decode(tax, text, strlen(text), &inv, &d), TV_EINVAL);
    tvt_assert_diag(&d, 0, field, needle);
    tv_diags_dispose(&d);
}

static void test_codec_names_the_field_of_a_nul_character(void **state)
{
    (void)state;
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"description\":\"a\\u0000b\"}",
                         "description", "contains a NUL character");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"hq_country\":\"IT\\u0000x\"}",
                         "hq_country", "contains a NUL character");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"language\":\"it\\u0000\"}", "language",
                         "contains a NUL character");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"pathologies\":[\"oncology\\u0000x\"]}",
                         "pathologies[0]", "contains a NUL character");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"investors\":[\"i-1\\u0000\"]}",
                         "investors[0]", "contains a NUL character");
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"contacts\":[{\"email\":\"a@b.example"
                         "\\u0000\"}]}",
                         "contacts[0].email", "contains a NUL character");
    expect_investor_error("{\"id\":\"i\",\"name\":\"F\",\"portfolio\":[{\"name\":\"A\\u0000\"}]}",
                          "portfolio[0].name", "contains a NUL character");
}

static void test_codec_names_the_field_of_a_number_out_of_range(void **state)
{
    (void)state;
    expect_company_error("{\"id\":\"c\",\"name\":\"X\",\"raise_eur\":9223372036854775808}",
                         "raise_eur", "number out of range");
    /* Quotes, brackets and commas inside strings before the number do not mislead the path. */
    expect_company_error("{\"id\":\"c\",\"name\":\"\\\"\xc3\xa8:[,{\",\"wants\":{\"lead\":true},"
                         "\"founded\":1e400}",
                         "founded", "number out of range");
    expect_investor_error("{\"id\":\"i\",\"name\":\"F\",\"portfolio\":[{\"name\":\"A\"},"
                          "{\"name\":\"B\",\"raise_eur\":-1e400}]}",
                          "portfolio[1].raise_eur", "number out of range");
}

static void test_codec_files_name_the_field_of_a_number_out_of_range(void **state)
{
    const char *lines = "{\"id\":\"c1\",\"name\":\"A\"}\n"
                        "{\"id\":\"c2\",\"name\":\"B\",\"rd_spend_eur\":1e400}\n"
                        "{\"id\":\"c3\",\"name\":\"C\"}\n";
    const char *array = "[{\"id\":\"c1\",\"name\":\"A\"},\n"
                        " {\"id\":\"c2\",\"name\":\"B\",\"wants\":{\"lead\":true},\"raise_eur\":"
                        "-9223372036854775809}]";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_JSONL, lines, &docs, &d), 3);
    assert_int_equal(docs.n, 2);
    tvt_assert_diag(&d, 2, "rd_spend_eur", "number out of range");
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_JSON, array, &docs, &d), TV_EPARSE);
    tvt_assert_diag(&d, 1, "raise_eur", "number out of range");
    assert_int_equal(d.items[0].is_index, 1);
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
}

/* RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, no cut sequence. */
static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p != 0) {
        int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : 3;

        if (*p >= 0xF5 || (*p >= 0x80 && *p < 0xC2))
            return 0;
        for (int k = 1; k <= n; k++) {
            if ((p[k] & 0xC0) != 0x80)
                return 0;
        }
        p += n + 1;
    }
    return 1;
}

static void test_codec_messages_never_cut_a_character(void **state)
{
    char text[2048], value[512] = "x", key[700] = "", line[40];
    tv_diags_t d = {0};
    tv_company_t c;

    (void)state;
    for (int i = 0; i < 100; i++)
        strcat(value, "\xc3\xa8"); /* one ASCII byte, then two-byte characters */
    for (int i = 0; i < 300; i++)
        strcat(key, "\xc3\xa8");
    snprintf(text, sizeof(text), "{\"id\":\"c\",\"name\":\"X\",\"founded\":\"%s\",\"%s\":1}", value,
             key);
    assert_int_equal(tv_codec_company_decode(tax, text, strlen(text), &c, &d), TV_EINVAL);
    assert_int_equal(d.n, 2);
    for (size_t i = 0; i < d.n; i++) {
        assert_true(valid_utf8(d.items[i].field));
        assert_true(valid_utf8(d.items[i].message));
    }
    tvt_assert_diag(&d, 0, "founded", "got \"x\xc3\xa8");
    tv_diag_format(&d.items[0], "f.json", line, sizeof(line));
    assert_true(valid_utf8(line));
    tv_diags_dispose(&d);
}

static void test_codec_merge_patch_names_a_bad_number_and_keeps_a_nul_for_the_decoder(void **state)
{
    const char *doc = "{\"id\":\"c\",\"name\":\"X\"}";
    const char *huge = "{\"round\":null,\"raise_eur\":1e400}";
    const char *nul = "{\"description\":\"a\\u0000b\"}";
    tv_diags_t d = {0};
    char *out = NULL;

    (void)state;
    assert_int_equal(tv_codec_merge_patch(doc, huge, strlen(huge), &out, &d), TV_EINVAL);
    tvt_assert_diag(&d, 0, "raise_eur", "number out of range");
    tv_diags_dispose(&d);
    assert_int_equal(tv_codec_merge_patch(doc, nul, strlen(nul), &out, &d), 0);
    expect_company_error(out, "description", "contains a NUL character");
    free(out);
}

static void test_codec_match_config_rejects_nan_repeats_and_huge_numbers(void **state)
{
    const char *huge = "{\"weights\":{\"text\":1e400}}";
    const char *twice = "{\"weights\":{\"text\":1},\"weights.text\":2}";
    tv_match_config_t cfg = tvt_match_config(), before = cfg;
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tv_codec_match_config_set(&cfg, "weights.text", "nan", &d), TV_EINVAL);
    tvt_assert_diag(&d, 0, "weights.text", "expected a number from 0 to 100");
    assert_int_equal(tv_codec_match_config_parse(huge, strlen(huge), 0, &cfg, &d), TV_EINVAL);
    tvt_assert_diag(&d, 0, "weights.text", "number out of range");
    assert_int_equal(tv_codec_match_config_parse(twice, strlen(twice), 0, &cfg, &d), TV_EINVAL);
    tvt_assert_diag(&d, 0, "weights.text", "repeats a setting");
    assert_memory_equal(&cfg, &before, sizeof(cfg));
    tv_diags_dispose(&d);
}

/* The fixtures' taxonomy with member 'key' of entry 'index' of list 'list' set to 'value'
 * (index -1: the list itself gets 'value' appended), parsed; asserts the parse fails with a
 * message for 'field'. Takes 'value'. */
static void expect_taxonomy_error(const char *list, int index, const char *key, json_t *value,
                                  const char *field, const char *needle)
{
    char *text = tvt_read_fixture("taxonomy.json", NULL), *changed;
    json_t *root = json_loads(text, 0, NULL), *l = json_object_get(root, list);
    tv_taxonomy_t *t = NULL;
    tv_diags_t d = {0};

    if (index < 0)
        json_array_append_new(l, value);
    else
        json_object_set_new(json_array_get(l, (size_t)index), key, value);
    changed = json_dumps(root, 0);
    assert_true(tv_codec_taxonomy_parse(changed, strlen(changed), &t, &d) < 0);
    assert_null(t);
    tvt_assert_diag(&d, 0, field, needle);
    tv_diags_dispose(&d);
    free(changed);
    json_decref(root);
    free(text);
}

static void test_codec_taxonomy_rejects_values_out_of_range(void **state)
{
    (void)state;
    expect_taxonomy_error("stages", 0, "order", json_integer(INT64_C(2147483648)),
                          "stages[0].order", "an integer from 0 to 1000");
    expect_taxonomy_error("events", 0, "month", json_integer(13), "events[0].month",
                          "an integer from 1 to 12");
    expect_taxonomy_error("rounds", 0, "typical_eur", json_pack("[i,i]", 5000, 10),
                          "rounds[0].typical_eur", "minimum then maximum");
    expect_taxonomy_error("rounds", 0, "typical_eur", json_pack("[i,i,i]", 1, 2, 3),
                          "rounds[0].typical_eur", "minimum then maximum");
    expect_taxonomy_error("countries", -1, NULL, json_string("ITA"), "countries[249]",
                          "two capital letters");
    expect_taxonomy_error("countries", -1, NULL, json_string("IT"), "countries[249]", "repeats");
    expect_taxonomy_error("events", 0, "country", json_string("i1"), "events[0].country",
                          "ISO 3166-1 alpha-2");
    expect_taxonomy_error("regions", 1, "countries", json_pack("[s]", "XY"),
                          "regions[1].countries[0]", "is not one of \"countries\"");
}

/* A missing country list is refused, and checking it touches no list that is not there
 * (found by fuzz_taxonomy under clang's UBSan: qsort of a NULL array). */
static void test_codec_taxonomy_refuses_a_missing_country_list(void **state)
{
    char *text = tvt_read_fixture("taxonomy.json", NULL), *changed;
    json_t *root = json_loads(text, 0, NULL);
    tv_taxonomy_t *t = NULL;
    tv_diags_t d = {0};

    (void)state;
    json_object_del(root, "countries");
    changed = json_dumps(root, 0);
    assert_int_equal(tv_codec_taxonomy_parse(changed, strlen(changed), &t, &d), TV_EINVAL);
    tvt_assert_diag(&d, 0, "countries", "expected a non-empty array");
    tv_diags_dispose(&d);
    free(changed);
    json_decref(root);
    free(text);
}

static void test_codec_taxonomy_names_the_field_of_a_number_out_of_range(void **state)
{
    char *text = tvt_read_fixture("taxonomy.json", NULL);
    char *at = strstr(text, "\"order\": 0"), *changed;
    tv_taxonomy_t *t = NULL;
    tv_diags_t d = {0};
    size_t n = strlen(text);

    (void)state;
    assert_non_null(at);
    changed = malloc(n + 16);
    memcpy(changed, text, (size_t)(at - text));
    strcpy(changed + (at - text), "\"order\": 1e400");
    strcat(changed, at + strlen("\"order\": 0"));
    assert_true(tv_codec_taxonomy_parse(changed, strlen(changed), &t, &d) < 0);
    tvt_assert_diag(&d, 0, "stages[0].order", "number out of range");
    tv_diags_dispose(&d);
    free(changed);
    free(text);
}

/* A record with thousands of bad values gets a bounded list of problems, not one each. */
static void test_codec_lists_at_most_fifty_problems_per_record(void **state)
{
    size_t size = 64 + 2000 * 8;
    char *text = malloc(size);
    tv_diags_t d = {0};
    tv_company_t c;
    size_t o;

    (void)state;
    o = (size_t)snprintf(text, size, "{\"id\":\"c\",\"name\":\"X\",\"pathologies\":[");
    for (int i = 0; i < 2000; i++)
        o += (size_t)snprintf(text + o, size - o, "%s\"p%d\"", i > 0 ? "," : "", i);
    snprintf(text + o, size - o, "]}");
    assert_int_equal(tv_codec_company_decode(tax, text, strlen(text), &c, &d), TV_EINVAL);
    assert_int_equal(d.n, 51);
    tvt_assert_diag(&d, 0, "pathologies[49]", "unknown pathology");
    tvt_assert_diag(&d, 0, "", "1950 more problems not listed");
    tv_diags_dispose(&d);
    free(text);
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
        cmocka_unit_test(test_codec_rejects_an_empty_existing_investor_id),
        cmocka_unit_test(test_codec_names_the_field_of_a_nul_character),
        cmocka_unit_test(test_codec_names_the_field_of_a_number_out_of_range),
        cmocka_unit_test(test_codec_files_name_the_field_of_a_number_out_of_range),
        cmocka_unit_test(test_codec_messages_never_cut_a_character),
        cmocka_unit_test(test_codec_merge_patch_names_a_bad_number_and_keeps_a_nul_for_the_decoder),
        cmocka_unit_test(test_codec_match_config_rejects_nan_repeats_and_huge_numbers),
        cmocka_unit_test(test_codec_taxonomy_rejects_values_out_of_range),
        cmocka_unit_test(test_codec_taxonomy_names_the_field_of_a_number_out_of_range),
        cmocka_unit_test(test_codec_taxonomy_refuses_a_missing_country_list),
        cmocka_unit_test(test_codec_lists_at_most_fifty_problems_per_record),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
