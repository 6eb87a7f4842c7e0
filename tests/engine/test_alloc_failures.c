/* Fails each allocation of the codec's paths in turn: every failure must come back as
 * TV_ENOMEM with nothing leaked (the sanitizer build checks leaks) and nothing crashed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "support.h"
#include "tavolo/eligibility.h"

typedef int (*step_fn)(const tv_taxonomy_t *t, const char *text, size_t len);

static int read_jsonl(const tv_taxonomy_t *t, const char *text, size_t len)
{
    tv_read_opts_t o = {TV_FORMAT_JSONL, NULL, NULL};
    tv_docs_t docs = {0};
    tv_diags_t d = {0};
    int rc = tv_codec_read_records(t, TV_KIND_COMPANY, &o, text, len, &docs, &d);

    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
    return rc < 0 ? rc : 0;
}

static int read_csv(const tv_taxonomy_t *t, const char *text, size_t len)
{
    tv_read_opts_t o = {TV_FORMAT_CSV, NULL, NULL};
    tv_docs_t docs = {0};
    tv_diags_t d = {0};
    int rc = tv_codec_read_records(t, TV_KIND_COMPANY, &o, text, len, &docs, &d);

    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
    return rc < 0 ? rc : 0;
}

static int parse_taxonomy(const tv_taxonomy_t *t, const char *text, size_t len)
{
    tv_taxonomy_t *parsed = NULL;
    int rc = tv_codec_taxonomy_parse(text, len, &parsed, NULL);

    (void)t;
    tv_taxonomy_destroy(parsed);
    return rc;
}

/* Runs 'step' failing the 1st, 2nd, ... allocation until it succeeds untouched. */
static void fail_each_allocation(step_fn step, const char *text, size_t len)
{
    tv_taxonomy_t *t = tvt_taxonomy();
    int failures = 0;

    for (long n = 1; n < 100000; n++) {
        int rc;

        tv__alloc_fail_at(n);
        rc = step(t, text, len);
        tv__alloc_fail_at(0);
        if (rc == 0)
            break;
        if (rc != TV_ENOMEM)
            fail_msg("allocation %ld failed: got %d, expected TV_ENOMEM", n, rc);
        failures++;
    }
    assert_true(failures > 10);
    tv_taxonomy_destroy(t);
}

static void test_alloc_failures_in_json_lines_import(void **state)
{
    size_t len;
    char *text = tvt_read_fixture("import/companies_sample.jsonl", &len);

    (void)state;
    /* A record with an error exercises the diagnostic path too. */
    strcat(text = realloc(text, len + 64), "{\"id\":\"bad\",\"name\":5}\n");
    fail_each_allocation(read_jsonl, text, strlen(text));
    free(text);
}

static void test_alloc_failures_in_csv_import(void **state)
{
    size_t len;
    char *text = tvt_read_fixture("import/companies_sample.csv", &len);

    (void)state;
    fail_each_allocation(read_csv, text, len);
    free(text);
}

static void test_alloc_failures_in_taxonomy_parse(void **state)
{
    size_t len;
    char *text = tvt_read_fixture("taxonomy.json", &len);

    (void)state;
    fail_each_allocation(parse_taxonomy, text, len);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_failures_in_json_lines_import),
        cmocka_unit_test(test_alloc_failures_in_csv_import),
        cmocka_unit_test(test_alloc_failures_in_taxonomy_parse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
