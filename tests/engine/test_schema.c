/* Tests engine/codec/codec_schema.c: the published JSON Schemas are what the codec generates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static void expect_published(tv_profile_kind_t kind, const char *rel)
{
    tv_taxonomy_t *t = tvt_taxonomy();
    char *published = tvt_read_fixture(rel, NULL);
    char *generated = NULL;
    size_t n;

    assert_int_equal(tv_codec_schema(t, kind, &generated), 0);
    n = strlen(published);
    while (n > 0 && published[n - 1] == '\n')
        published[--n] = '\0';
    if (strcmp(published, generated) != 0)
        fail_msg("fixtures/%s is out of date: run tavolo schema %s > fixtures/%s", rel,
                 kind == TV_KIND_COMPANY ? "company" : "investor", rel);
    free(generated);
    free(published);
    tv_taxonomy_destroy(t);
}

static void test_schema_company_file_matches_the_codec(void **state)
{
    (void)state;
    expect_published(TV_KIND_COMPANY, "schema/company.schema.json");
}

static void test_schema_investor_file_matches_the_codec(void **state)
{
    (void)state;
    expect_published(TV_KIND_INVESTOR, "schema/investor.schema.json");
}

static void test_schema_lists_required_fields_and_taxonomy_ids(void **state)
{
    tv_taxonomy_t *t = tvt_taxonomy();
    char *s = NULL;

    (void)state;
    assert_int_equal(tv_codec_schema(t, TV_KIND_COMPANY, &s), 0);
    assert_non_null(strstr(s, "\"required\": [\n    \"id\",\n    \"name\"\n  ]"));
    assert_non_null(strstr(s, "\"oncology.lung\""));
    assert_non_null(strstr(s, "\"additionalProperties\": false"));
    free(s);
    tv_taxonomy_destroy(t);
}

/* The codec refuses a NUL character in any text (PostgreSQL cannot store one), so the schema
 * says so for every free-text field. */
static void test_schema_free_text_forbids_the_nul_character(void **state)
{
    tv_taxonomy_t *t = tvt_taxonomy();
    char *s = NULL;
    const char *desc;

    (void)state;
    assert_int_equal(tv_codec_schema(t, TV_KIND_INVESTOR, &s), 0);
    desc = strstr(s, "\"thesis\": {");
    assert_non_null(desc);
    assert_non_null(strstr(desc, "\"pattern\": \"^[^\\\\u0000]*$\""));
    assert_true(strstr(desc, "\"pattern\"") < strstr(desc, "\"language\""));
    free(s);
    tv_taxonomy_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_company_file_matches_the_codec),
        cmocka_unit_test(test_schema_investor_file_matches_the_codec),
        cmocka_unit_test(test_schema_lists_required_fields_and_taxonomy_ids),
        cmocka_unit_test(test_schema_free_text_forbids_the_nul_character),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
