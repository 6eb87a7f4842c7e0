/* Tests engine/codec/csv.c and the CSV path of engine/codec/codec_records.c. */
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

static void test_csv_converts_types_lists_and_nested_columns(void **state)
{
    const char *text =
        "id,name,rd_spend_eur,commercial,pathologies,wants.lead,wants.investor_kinds,"
        "rd_share_italy\n"
        "c1,\"Alfa, S.r.l.\",2000000,false,oncology; cardiovascular,true,vc;cvc,0.75\n";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_CSV, text, &docs, &d), 1);
    assert_int_equal(d.n, 0);
    assert_int_equal(docs.n, 1);
    assert_non_null(strstr(docs.items[0].json, "\"name\":\"Alfa, S.r.l.\""));
    assert_non_null(strstr(docs.items[0].json, "\"rd_spend_eur\":2000000"));
    assert_non_null(strstr(docs.items[0].json, "\"commercial\":false"));
    assert_non_null(strstr(docs.items[0].json, "\"wants\":{\"investor_kinds\":[\"vc\",\"cvc\"]"));
    assert_non_null(strstr(docs.items[0].json, "\"lead\":true"));
    assert_non_null(strstr(docs.items[0].json, "\"rd_share_italy\":0.75"));
    tv_docs_dispose(&docs);
}

static void test_csv_reports_the_line_of_a_bad_cell(void **state)
{
    const char *text = "id,name,rd_spend_eur,description\n"
                       "c1,A,100,\"two\nlines\"\n"
                       "c2,B,lots,x\n";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_CSV, text, &docs, &d), 2);
    assert_int_equal(docs.n, 1);
    assert_non_null(strstr(docs.items[0].json, "two\\nlines"));
    tvt_assert_diag(&d, 4, "rd_spend_eur", "expected a non-negative integer, got \"lots\"");
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
}

/* Old Mac spreadsheets end lines with a lone CR: each row still has its own line number. */
static void test_csv_counts_lines_ended_by_a_lone_cr(void **state)
{
    const char *text = "id,name,rd_spend_eur\rc1,A,100\rc2,B,lots\rc3,C,5\r";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_CSV, text, &docs, &d), 3);
    assert_int_equal(docs.n, 2);
    tvt_assert_diag(&d, 3, "rd_spend_eur", "expected a non-negative integer, got \"lots\"");
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
}

static void test_csv_rejects_unknown_column(void **state)
{
    const char *text = "id,name,color\nc1,A,red\n";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_CSV, text, &docs, &d), TV_EPARSE);
    tvt_assert_diag(&d, 1, "color", "unknown column");
    assert_int_equal(docs.n, 0);
    tv_diags_dispose(&d);
}

static void test_csv_rejects_row_of_wrong_width(void **state)
{
    const char *text = "id,name\nc1,A,extra\nc2,B\n";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_CSV, text, &docs, &d), 2);
    tvt_assert_diag(&d, 2, "", "row has 3 cells but the header has 2");
    assert_int_equal(docs.n, 1);
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
}

static void test_csv_rejects_stray_quote_with_its_line(void **state)
{
    const char *text = "id,name\nc1,A\nc2,B\"x\"\n";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_CSV, text, &docs, &d), TV_EPARSE);
    tvt_assert_diag(&d, 3, "", "malformed CSV");
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
}

static void test_csv_skips_byte_order_mark_and_crlf(void **state)
{
    const char *text = "\xEF\xBB\xBFid,name\r\nc1,A\r\n";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_CSV, text, &docs, &d), 1);
    assert_int_equal(d.n, 0);
    assert_string_equal(docs.items[0].json, "{\"id\":\"c1\",\"name\":\"A\"}");
    tv_docs_dispose(&docs);
}

/* The same records as CSV and as JSON Lines give the same canonical documents. */
static void test_csv_and_json_lines_give_the_same_documents(void **state)
{
    char *csv = tvt_read_fixture("import/companies_sample.csv", NULL);
    char *jsonl = tvt_read_fixture("import/companies_sample.jsonl", NULL);
    tv_docs_t a = {0}, b = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_true(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_CSV, csv, &a, &d) >= 8);
    assert_true(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_JSONL, jsonl, &b, &d) >= 8);
    assert_int_equal(d.n, 0);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        assert_string_equal(a.items[i].id, b.items[i].id);
        assert_string_equal(a.items[i].json, b.items[i].json);
    }
    tv_docs_dispose(&a);
    tv_docs_dispose(&b);
    free(csv);
    free(jsonl);
}

/* Reads 'len' bytes of CSV text, which may hold NUL bytes. */
static int read_csv_bytes(const char *text, size_t len, tv_docs_t *docs, tv_diags_t *d)
{
    tv_read_opts_t opts = {TV_FORMAT_CSV, NULL, NULL};

    return tv_codec_read_records(tax, TV_KIND_COMPANY, &opts, text, len, docs, d);
}

static void test_csv_rejects_a_nul_byte_naming_line_and_column(void **state)
{
    const char cell[] = "id,name,description\nc1,A,x\nc2,B,ab\0cd\n";
    const char header[] = "id,na\0me\nc1,A\n";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(read_csv_bytes(cell, sizeof(cell) - 1, &docs, &d), TV_EPARSE);
    tvt_assert_diag(&d, 3, "description", "contains a NUL byte");
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
    assert_int_equal(read_csv_bytes(header, sizeof(header) - 1, &docs, &d), TV_EPARSE);
    tvt_assert_diag(&d, 1, "column 2", "contains a NUL byte");
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
}

static void test_csv_rejects_text_that_is_not_utf8(void **state)
{
    const char *text = "id,name\nc1,Caf\xe9 Bio\n"; /* Latin-1, as some spreadsheets save */
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_CSV, text, &docs, &d), TV_EPARSE);
    tvt_assert_diag(&d, 2, "name", "not valid UTF-8");
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
}

static void test_csv_rejects_a_repeated_or_overlapping_column(void **state)
{
    const char *twice = "id,name,name\nc1,A,B\n";
    const char *overlap = "id,name,wants,wants.lead\nc1,A,bad,true\n";
    const char *nameless = "id,,name\nc1,x,A\n";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_CSV, twice, &docs, &d), TV_EPARSE);
    tvt_assert_diag(&d, 1, "name", "repeats column 2");
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_CSV, overlap, &docs, &d), TV_EPARSE);
    tvt_assert_diag(&d, 1, "wants.lead", "overlaps column 3");
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_CSV, nameless, &docs, &d), TV_EPARSE);
    tvt_assert_diag(&d, 1, "column 2", "no name");
    assert_int_equal(docs.n, 0);
    tv_diags_dispose(&d);
}

static void test_csv_rejects_a_quote_left_open_at_the_end(void **state)
{
    const char *text = "id,name,description\nc1,A,\"starts here\nc2,B,x\n";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_CSV, text, &docs, &d), TV_EPARSE);
    tvt_assert_diag(&d, 2, "", "malformed CSV");
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
}

static void test_csv_reports_a_share_that_is_not_a_finite_number(void **state)
{
    const char *text = "id,name,rd_share_italy\nc1,A,nan\nc2,B,inf\nc3,C,1e400\nc4,D,0.5\n";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_CSV, text, &docs, &d), 4);
    tvt_assert_diag(&d, 2, "rd_share_italy", "a number from 0 to 1, got \"nan\"");
    tvt_assert_diag(&d, 3, "rd_share_italy", "got \"inf\"");
    tvt_assert_diag(&d, 4, "rd_share_italy", "got \"1e400\"");
    assert_int_equal(docs.n, 1);
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
}

static void test_csv_json_cell_refuses_repeated_keys(void **state)
{
    const char *text =
        "id,name,contacts\n"
        "c1,A,\"[{\"\"email\"\":\"\"x@y.example\"\",\"\"email\"\":\"\"a@b.example\"\"}]\"\n";
    tv_docs_t docs = {0};
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tvt_read(tax, TV_KIND_COMPANY, TV_FORMAT_CSV, text, &docs, &d), 1);
    tvt_assert_diag(&d, 2, "contacts", "expected an array");
    assert_int_equal(docs.n, 0);
    tv_docs_dispose(&docs);
    tv_diags_dispose(&d);
}

/* ---- an event's participants from a spreadsheet ---- */

static void test_participants_csv_groups_people_by_participant(void **state)
{
    const char *text = "Kind,ID,max_meetings,unavailable,name,email,language\r\n"
                       "company,c-1,4,2027-01-11T09:00;2027-01-11T09:30,Ada,ada@c1.example,it\r\n"
                       ",,,,,,\r\n"
                       "investor,i-1,,,Bo,bo@i1.example,\r\n"
                       "company,c-1,4,,\"Rossi, Carla\",carla@c1.example,en\r\n";
    char *out = NULL;
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tv_codec_participants_csv(text, strlen(text), &out, &d), 0);
    assert_int_equal(d.n, 0);
    assert_string_equal(
        out, "{\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\",\"max_meetings\":4,"
             "\"unavailable\":[\"2027-01-11T09:00\",\"2027-01-11T09:30\"],\"people\":[{\"name\":"
             "\"Ada\",\"email\":\"ada@c1.example\",\"language\":\"it\"},{\"name\":\"Rossi, "
             "Carla\",\"email\":\"carla@c1.example\",\"language\":\"en\"}]},{\"kind\":"
             "\"investor\",\"id\":\"i-1\",\"people\":[{\"name\":\"Bo\",\"email\":"
             "\"bo@i1.example\"}]}],\"lines\":[{\"line\":2,\"people\":[2,5]},{\"line\":4,"
             "\"people\":[4]}]}");
    free(out);
    tv_diags_dispose(&d);
}

static void test_participants_csv_names_every_bad_line_and_column(void **state)
{
    const char *text = "kind,id,max_meetings,min_meetings,table\n"
                       "firm,c-1,1,,\n"
                       "company,c 2,1,,\n"
                       "company,c-3,lots,,\n"
                       "company,c-4,2,,\n"
                       "company,c-4,3,,\n";
    char *out = NULL;
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tv_codec_participants_csv(text, strlen(text), &out, &d), TV_EINVAL);
    assert_null(out);
    assert_int_equal(d.n, 5);
    assert_int_equal(d.items[0].record, 1);
    assert_string_equal(d.items[0].field, "table");
    assert_int_equal(d.items[1].record, 2);
    assert_string_equal(d.items[1].field, "kind");
    assert_int_equal(d.items[2].record, 3);
    assert_string_equal(d.items[2].field, "id");
    assert_int_equal(d.items[3].record, 4);
    assert_string_equal(d.items[3].field, "max_meetings");
    assert_int_equal(d.items[4].record, 6);
    assert_string_equal(d.items[4].field, "max_meetings");
    assert_non_null(strstr(d.items[4].message, "differs from line 5"));
    tv_diags_dispose(&d);
}

static void test_participants_csv_needs_kind_and_id_columns(void **state)
{
    const char *text = "id,email\nc-1,a@b.example\n";
    char *out = NULL;
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(tv_codec_participants_csv(text, strlen(text), &out, &d), TV_EINVAL);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.items[0].field, "kind");
    tv_diags_dispose(&d);
    assert_int_equal(tv_codec_participants_csv("", 0, &out, &d), TV_EINVAL);
    assert_non_null(strstr(d.items[0].message, "no header"));
    tv_diags_dispose(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_converts_types_lists_and_nested_columns),
        cmocka_unit_test(test_csv_reports_the_line_of_a_bad_cell),
        cmocka_unit_test(test_csv_counts_lines_ended_by_a_lone_cr),
        cmocka_unit_test(test_csv_rejects_unknown_column),
        cmocka_unit_test(test_csv_rejects_row_of_wrong_width),
        cmocka_unit_test(test_csv_rejects_stray_quote_with_its_line),
        cmocka_unit_test(test_csv_skips_byte_order_mark_and_crlf),
        cmocka_unit_test(test_csv_and_json_lines_give_the_same_documents),
        cmocka_unit_test(test_csv_rejects_a_nul_byte_naming_line_and_column),
        cmocka_unit_test(test_csv_rejects_text_that_is_not_utf8),
        cmocka_unit_test(test_csv_rejects_a_repeated_or_overlapping_column),
        cmocka_unit_test(test_csv_rejects_a_quote_left_open_at_the_end),
        cmocka_unit_test(test_csv_reports_a_share_that_is_not_a_finite_number),
        cmocka_unit_test(test_csv_json_cell_refuses_repeated_keys),
        cmocka_unit_test(test_participants_csv_groups_people_by_participant),
        cmocka_unit_test(test_participants_csv_names_every_bad_line_and_column),
        cmocka_unit_test(test_participants_csv_needs_kind_and_id_columns),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
