/* Tests engine/store/store.c against the test PostgreSQL: migrations, transactional upserts,
 * idempotence, portfolios, and CSV/JSON giving the same rows. Checks go through libpq
 * directly so they do not trust the code under test. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "support.h"
#include "tavolo/availability.h"

#define DB "store"

static tv_taxonomy_t *tax;
static tv_store_t *st;
static PGconn *check; /* an independent connection to the scratch database */

static int setup(void **state)
{
    (void)state;
    tvt_require_pg();
    tax = tvt_taxonomy();
    st = tvt_scratch_store(DB);
    check = tvt_scratch_check(DB);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    PQfinish(check);
    tvt_scratch_drop(st, DB);
    tv_taxonomy_destroy(tax);
    return 0;
}

static long scalar(const char *sql)
{
    return tvt_scalar(check, sql);
}

static void load(const char *rel, tv_profile_kind_t kind, tv_docs_t *docs)
{
    size_t len;
    char *text = tvt_read_fixture(rel, &len);
    tv_diags_t d = {0};

    assert_true(tvt_read(tax, kind, tv_codec_guess_format(rel, text, len), text, docs, &d) > 0);
    assert_int_equal(d.n, 0);
    free(text);
}

static void test_store_migrations_apply_once(void **state)
{
    /* Numbers may have gaps while branches that add migrations are merged: each is counted by
     * its row, not by its number. */
    long applied = scalar("SELECT count(*) FROM tv_migrations");

    (void)state;
    assert_int_equal(tv_store_schema_version(st), tv_store_latest_version());
    assert_int_equal(tv_store_migrate(st), 0);
    assert_int_equal(scalar("SELECT count(*) FROM tv_migrations"), applied);
    assert_int_equal(scalar("SELECT max(version) FROM tv_migrations"), tv_store_latest_version());
}

/* A migration merged after a higher-numbered one was applied (two branches, each with its
 * own) is still applied: each version is looked for by its row, not by the highest number. */
static void test_store_migration_merged_late_is_applied(void **state)
{
    (void)state;
    tvt_exec(check, "DROP TABLE person_prefs");
    tvt_exec(check, "DELETE FROM tv_migrations WHERE version = 23");
    assert_int_equal(tv_store_migrate(st), 1);
    assert_int_equal(scalar("SELECT count(*) FROM tv_migrations WHERE version = 23"), 1);
    assert_int_equal(scalar("SELECT count(*) FROM person_prefs"), 0);
}

static void test_store_upsert_inserts_then_leaves_unchanged(void **state)
{
    tv_upsert_stats_t s;
    tv_docs_t docs = {0};

    (void)state;
    load("companies.jsonl", TV_KIND_COMPANY, &docs);
    assert_int_equal(tv_store_upsert(st, TV_KIND_COMPANY, &docs, "test", &s), 0);
    assert_int_equal(s.inserted, docs.n);
    assert_int_equal(s.updated + s.unchanged, 0);
    assert_int_equal(scalar("SELECT count(*) FROM companies"), (long)docs.n);
    assert_int_equal(tv_store_upsert(st, TV_KIND_COMPANY, &docs, "again", &s), 0);
    assert_int_equal(s.unchanged, docs.n);
    assert_int_equal(s.inserted + s.updated, 0);
    /* The second import touched no row. */
    assert_int_equal(scalar("SELECT max(version) FROM companies"), 1);
    assert_int_equal(scalar("SELECT count(*) FROM import_runs"), 2);
    tv_docs_dispose(&docs);
}

static void test_store_upsert_updates_a_changed_record(void **state)
{
    tv_upsert_stats_t s;
    tv_docs_t docs = {0};
    char *old;

    (void)state;
    load("companies.jsonl", TV_KIND_COMPANY, &docs);
    assert_int_equal(tv_store_upsert(st, TV_KIND_COMPANY, &docs, "base", &s), 0);
    old = docs.items[0].json;
    docs.items[0].json = malloc(strlen(old) + 64);
    snprintf(docs.items[0].json, strlen(old) + 64, "{\"id\":\"%s\",\"name\":\"Renamed\"}",
             docs.items[0].id);
    free(old);
    assert_int_equal(tv_store_upsert(st, TV_KIND_COMPANY, &docs, "rename", &s), 0);
    assert_int_equal(s.updated, 1);
    assert_int_equal(s.unchanged, docs.n - 1);
    assert_int_equal(scalar("SELECT count(*) FROM companies WHERE name = 'Renamed' AND "
                            "version = 2"),
                     1);
    tv_docs_dispose(&docs);
}

static void test_store_failed_upsert_writes_nothing(void **state)
{
    long before = scalar("SELECT count(*) FROM companies");
    long runs = scalar("SELECT count(*) FROM import_runs");
    tv_upsert_stats_t s = {7, 7, 7};
    tv_doc_t items[2] = {{"zz-new", "{\"id\":\"zz-new\",\"name\":\"New\"}", 1},
                         {"zz-bad", "{\"id\":\"other\",\"name\":\"Mismatch\"}", 2}};
    tv_docs_t docs = {items, 2, 2};

    (void)state;
    /* The second document breaks the table's CHECK: the first must not land either. */
    assert_int_equal(tv_store_upsert(st, TV_KIND_COMPANY, &docs, "bad", &s), TV_EDB);
    assert_non_null(strstr(tv_store_error(st), "check"));
    assert_int_equal(s.inserted, 7);
    assert_int_equal(scalar("SELECT count(*) FROM companies"), before);
    assert_int_equal(scalar("SELECT count(*) FROM import_runs"), runs);
    /* The store is usable after the failure. */
    docs.n = 1;
    assert_int_equal(tv_store_upsert(st, TV_KIND_COMPANY, &docs, "good", &s), 0);
    assert_int_equal(s.inserted, 1);
}

/* tv_store_replace_all (tavolo import --kind investments): every profile only if unchanged
 * since it was read; one changed meanwhile writes nothing at all, naming it. */
static void test_store_replace_all_writes_all_or_none(void **state)
{
    tv_doc_t items[2] = {{"ra-1", "{\"id\":\"ra-1\",\"name\":\"One\"}", 1},
                         {"ra-2", "{\"id\":\"ra-2\",\"name\":\"Two\"}", 2}};
    tv_docs_t docs = {items, 2, 2};
    tv_upsert_stats_t s;
    tv_store_change_t change[2] = {
        {TV_KIND_COMPANY, "ra-1", "{\"id\":\"ra-1\",\"name\":\"One, changed\"}", items[0].json},
        {TV_KIND_COMPANY, "ra-2", "{\"id\":\"ra-2\",\"name\":\"Two, changed\"}",
         "{\"id\":\"ra-2\",\"name\":\"Two as someone else read it\"}"}};

    (void)state;
    assert_int_equal(tv_store_upsert(st, TV_KIND_COMPANY, &docs, "replace", &s), 0);
    assert_int_equal(tv_store_replace_all(st, change, 2, 0), TV_ESTALE);
    assert_non_null(strstr(tv_store_error(st), "ra-2"));
    assert_int_equal(scalar("SELECT count(*) FROM companies WHERE id IN ('ra-1', 'ra-2') AND "
                            "doc->>'name' LIKE '%changed'"),
                     0);
    change[1].expected = items[1].json;
    assert_int_equal(tv_store_replace_all(st, change, 2, 1), 0); /* a dry run */
    assert_int_equal(scalar("SELECT count(*) FROM companies WHERE doc->>'name' LIKE '%changed'"),
                     0);
    assert_int_equal(tv_store_replace_all(st, change, 2, 0), 0);
    assert_int_equal(scalar("SELECT count(*) FROM companies WHERE id IN ('ra-1', 'ra-2') AND "
                            "doc->>'name' LIKE '%changed'"),
                     2);
}

static void test_store_keeps_portfolio_rows_in_step(void **state)
{
    tv_upsert_stats_t s;
    tv_docs_t docs = {0};
    long holdings;

    (void)state;
    load("investors.jsonl", TV_KIND_INVESTOR, &docs);
    assert_int_equal(tv_store_upsert(st, TV_KIND_INVESTOR, &docs, "inv", &s), 0);
    holdings = scalar("SELECT coalesce(sum(jsonb_array_length(doc->'portfolio')), 0) "
                      "FROM investors");
    assert_true(holdings > 0);
    assert_int_equal(scalar("SELECT count(*) FROM portfolio_entries"), holdings);
    /* Emptying one investor's portfolio removes its rows. */
    free(docs.items[0].json);
    docs.items[0].json = malloc(128);
    snprintf(docs.items[0].json, 128, "{\"id\":\"%s\",\"name\":\"Emptied\"}", docs.items[0].id);
    docs.n = 1;
    assert_int_equal(tv_store_upsert(st, TV_KIND_INVESTOR, &docs, "inv2", &s), 0);
    docs.n = 0;
    assert_int_equal(scalar("SELECT count(*) FROM portfolio_entries"),
                     scalar("SELECT coalesce(sum(jsonb_array_length(doc->'portfolio')), 0) "
                            "FROM investors"));
    tv_docs_dispose(&docs);
}

typedef struct {
    size_t n;
    char last[64];
} walk_t;

static int on_doc(void *ctx, const char *id, const char *json, size_t len)
{
    walk_t *w = ctx;

    assert_true(strcmp(w->last, id) < 0);
    assert_true(len > 0 && json[0] == '{');
    snprintf(w->last, sizeof(w->last), "%s", id);
    w->n++;
    return 0;
}

static void test_store_each_walks_in_id_order_and_filters(void **state)
{
    const char *ids[] = {"c-002", "c-001", "no-such-id"};
    walk_t all = {0, ""}, some = {0, ""};
    int64_t count = 0;

    (void)state;
    assert_int_equal(tv_store_each(st, TV_KIND_COMPANY, NULL, 0, on_doc, &all), 0);
    assert_int_equal(tv_store_count(st, TV_KIND_COMPANY, &count), 0);
    assert_int_equal(all.n, (size_t)count);
    assert_int_equal(tv_store_each(st, TV_KIND_COMPANY, ids, 3, on_doc, &some), 0);
    assert_int_equal(some.n, 2);
}

/* Importing the CSV sample and then the same records as JSON Lines changes nothing. */
static void test_store_csv_and_json_give_the_same_rows(void **state)
{
    tv_upsert_stats_t s;
    tv_docs_t csv = {0}, jsonl = {0};

    (void)state;
    load("import/companies_sample.csv", TV_KIND_COMPANY, &csv);
    load("import/companies_sample.jsonl", TV_KIND_COMPANY, &jsonl);
    assert_int_equal(tv_store_upsert(st, TV_KIND_COMPANY, &csv, "csv", &s), 0);
    assert_int_equal(tv_store_upsert(st, TV_KIND_COMPANY, &jsonl, "jsonl", &s), 0);
    assert_int_equal(s.unchanged, jsonl.n);
    tv_docs_dispose(&csv);
    tv_docs_dispose(&jsonl);
}

/* The setting 'name' on the store's own connection, as SHOW reads it. */
static void assert_setting(const tv_store_t *store, const char *name, const char *expected)
{
    char sql[64];
    PGresult *res;

    snprintf(sql, sizeof(sql), "SHOW %s", name);
    res = PQexec(store->conn, sql);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(res, 0, 0), expected);
    PQclear(res);
}

/* JIT compiled statements whose estimated cost looked high (1.07 s of a 1.30 s request at
 * event size, docs/benchmarks.md) to run them in milliseconds: every store connection turns
 * it off, whichever way it was opened. */
static void test_store_connections_run_without_jit(void **state)
{
    tv_store_t *admin = NULL;
    char err[256];

    (void)state;
    assert_setting(st, "jit", "off");
    assert_int_equal(tv_store_open(getenv("TV_TEST_PG_DSN"), &admin, err, sizeof(err)), 0);
    assert_setting(admin, "jit", "off");
    assert_setting(admin, "client_min_messages", "warning");
    tv_store_close(admin);
}

/* An event 'ev-side' with 15 requests and 15 meetings, pair k = (c-(k % 5), i-(k % 3)). */
static void insert_sides(void)
{
    tvt_exec(check, "INSERT INTO events (id, name, doc) VALUES ('ev-side', 'Sides', "
                    "'{\"time_zone\": \"Europe/Rome\", \"request_deadline\": \"2027-03-01\", "
                    "\"slot_minutes\": 30}'), ('ev-open', 'Open', '{\"time_zone\": \"UTC\"}')");
    tvt_exec(check, "INSERT INTO meeting_requests (event_id, company_id, investor_id, from_kind, "
                    "priority) SELECT 'ev-side', 'c-' || k % 5, 'i-' || k % 3, 'company', 'want' "
                    "FROM generate_series(0, 14) k");
    /* The trigger of migration 008 makes each meeting's time from its slot_start. */
    tvt_exec(check, "INSERT INTO meetings (event_id, company_id, investor_id, slot_index, "
                    "slot_start, table_no, score, origin) SELECT 'ev-side', 'c-' || k % 5, "
                    "'i-' || k % 3, 14 - k, to_char(timestamp '2027-03-01 09:00' + k * "
                    "interval '1 hour', 'YYYY-MM-DD\"T\"HH24:MI'), 1, 0.5, 'want' "
                    "FROM generate_series(0, 14) k");
}

/* A participant's requests are those of all the event's that name it on its side, in order. */
static void assert_requests_of(tv_profile_kind_t kind, const char *id, size_t expected)
{
    tv_request_row_t *all = NULL, *mine = NULL;
    size_t n_all = 0, n_mine = 0, kept = 0;

    assert_int_equal(tv_store_requests(st, "ev-side", &all, &n_all), 0);
    assert_int_equal(tv_store_requests_of(st, "ev-side", kind, id, &mine, &n_mine), 0);
    assert_int_equal(n_mine, expected);
    for (size_t k = 0; k < n_all; k++) {
        const char *side = kind == TV_KIND_COMPANY ? all[k].company_id : all[k].investor_id;

        if (strcmp(side, id) != 0)
            continue;
        assert_true(kept < n_mine);
        assert_int_equal(mine[kept].id, all[k].id);
        assert_string_equal(mine[kept++].investor_id, all[k].investor_id);
    }
    assert_int_equal(kept, n_mine);
    free(all);
    free(mine);
}

static void assert_meetings_of(tv_profile_kind_t kind, const char *id, size_t expected)
{
    tv_meeting_t *all = NULL, *mine = NULL;
    size_t n_all = 0, n_mine = 0, kept = 0;

    assert_int_equal(tv_store_meetings(st, "ev-side", &all, &n_all), 0);
    assert_int_equal(tv_store_meetings_of(st, "ev-side", kind, id, &mine, &n_mine), 0);
    assert_int_equal(n_mine, expected);
    for (size_t k = 0; k < n_all; k++) {
        const char *side = kind == TV_KIND_COMPANY ? all[k].company_id : all[k].investor_id;

        if (strcmp(side, id) != 0)
            continue;
        assert_true(kept < n_mine);
        assert_int_equal(mine[kept].id, all[k].id);
        assert_string_equal(mine[kept++].slot_start, all[k].slot_start);
    }
    assert_int_equal(kept, n_mine);
    free(all);
    free(mine);
}

/* The participant's view of ev-side's file equals 'expected' (JSON). */
static void assert_view(tv_profile_kind_t kind, const char *id, const char *expected)
{
    char *doc = NULL, sql[1024];

    assert_int_equal(tv_store_event_doc_of(st, "ev-side", kind, id, &doc), 0);
    snprintf(sql, sizeof(sql), "SELECT ('%s'::jsonb = '%s'::jsonb)::int", doc, expected);
    if (scalar(sql) != 1)
        fail_msg("view of %s: %s, expected %s", id, doc, expected);
    free(doc);
}

static void test_store_cuts_the_event_file_to_a_participants_view(void **state)
{
    (void)state;
    tvt_exec(check, "UPDATE events SET doc = doc || '{\"participants\": [{\"kind\": \"company\", "
                    "\"id\": \"c-2\", \"people\": [{\"name\": \"A\"}]}, {\"kind\": \"investor\", "
                    "\"id\": \"c-2\"}, {\"kind\": \"company\", \"id\": \"c-3\"}], \"requests\": "
                    "[{\"company_id\": \"c-3\", \"investor_id\": \"c-2\"}, {\"company_id\": "
                    "\"c-2\", \"investor_id\": \"i-1\"}]}' WHERE id = 'ev-side'");
    assert_view(TV_KIND_COMPANY, "c-2",
                "{\"time_zone\": \"Europe/Rome\", \"request_deadline\": \"2027-03-01\", "
                "\"slot_minutes\": 30, \"participants\": [{\"kind\": \"company\", \"id\": \"c-2\", "
                "\"people\": [{\"name\": \"A\"}]}], \"requests\": [{\"company_id\": \"c-2\", "
                "\"investor_id\": \"i-1\"}]}");
    assert_view(TV_KIND_INVESTOR, "c-2",
                "{\"time_zone\": \"Europe/Rome\", \"request_deadline\": \"2027-03-01\", "
                "\"slot_minutes\": 30, \"participants\": [{\"kind\": \"investor\", \"id\": "
                "\"c-2\"}], \"requests\": [{\"company_id\": \"c-3\", \"investor_id\": \"c-2\"}]}");
    assert_view(TV_KIND_INVESTOR, "i-9",
                "{\"time_zone\": \"Europe/Rome\", \"request_deadline\": \"2027-03-01\", "
                "\"slot_minutes\": 30, \"participants\": [], \"requests\": []}");
    tvt_exec(check, "UPDATE events SET doc = doc - 'requests' WHERE id = 'ev-side'");
    assert_view(TV_KIND_COMPANY, "c-3",
                "{\"time_zone\": \"Europe/Rome\", \"request_deadline\": \"2027-03-01\", "
                "\"slot_minutes\": 30, \"participants\": [{\"kind\": \"company\", \"id\": "
                "\"c-3\"}]}");
}

static void test_store_reads_one_participants_side(void **state)
{
    char *tz = NULL, *deadline = NULL;

    (void)state;
    insert_sides();
    assert_requests_of(TV_KIND_COMPANY, "c-2", 3);
    assert_requests_of(TV_KIND_INVESTOR, "i-1", 5);
    assert_requests_of(TV_KIND_INVESTOR, "c-2", 0); /* an id of the other side is not its own */
    assert_meetings_of(TV_KIND_COMPANY, "c-4", 3);
    assert_meetings_of(TV_KIND_INVESTOR, "i-0", 5);
    assert_meetings_of(TV_KIND_COMPANY, "i-0", 0);
    assert_int_equal(tv_store_event_deadline(st, "ev-side", &tz, &deadline), 0);
    assert_string_equal(tz, "Europe/Rome");
    assert_string_equal(deadline, "2027-03-01");
    free(tz);
    free(deadline);
    assert_int_equal(tv_store_event_deadline(st, "ev-open", &tz, &deadline), 0);
    assert_string_equal(tz, "UTC");
    assert_null(deadline);
    free(tz);
    assert_int_equal(tv_store_event_deadline(st, "ev-none", &tz, &deadline), TV_ENOTFOUND);
    assert_int_equal(scalar("SELECT count(*) FROM pg_indexes WHERE indexname IN "
                            "('meeting_requests_by_investor', 'meetings_by_investor')"),
                     2);
    /* Lookups by address never scan a pending list of rows written since the last vacuum
     * (migration 028). */
    assert_int_equal(scalar("SELECT count(*) FROM pg_class WHERE relname LIKE '%by%email' AND "
                            "reloptions @> '{fastupdate=off}'"),
                     3);
}

/* ---- each participant's part of the event file (migration 027) ---- */

/* Imports fixture events/jpm-2027.json, with 'edit' (SQL over jsonb 'd', NULL: none) applied to
 * the file first. */
static void import_jpm(const char *edit)
{
    size_t len;
    char *text = tvt_read_fixture("events/jpm-2027.json", &len), *doc = text, *report = NULL;
    tv_diags_t d = {0};
    tv_event_t e;

    if (edit != NULL) {
        PGresult *res;
        const char *params[1] = {text};
        char sql[512];

        snprintf(sql, sizeof(sql), "SELECT (%s)::text FROM (SELECT $1::jsonb AS d) x", edit);
        res = PQexecParams(check, sql, 1, NULL, params, NULL, NULL, 0);
        assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
        doc = strdup(PQgetvalue(res, 0, 0));
        PQclear(res);
        len = strlen(doc);
    }
    if (tv_codec_event_decode(doc, len, &e, &d) != 0)
        fail_msg("%s: %s", edit != NULL ? edit : "the file", d.n > 0 ? d.items[0].message : "");
    assert_int_equal(tv_store_event_import(st, &e, doc, 0, &report), 0);
    free(report);
    tv_event_dispose(&e);
    tv_diags_dispose(&d);
    if (doc != text)
        free(doc);
    free(text);
}

/* The view of every participant of jpm-2027 read from the parts kept beside the file (and
 * 'extra', not in the file) equals the view cut from the file itself, which the store reads
 * when a participant has no part. Returns how many views were compared. */
static size_t assert_parts_match_the_file(const char *extra)
{
    PGresult *rows = PQexec(check, "SELECT kind, profile_id FROM event_participants WHERE "
                                   "event_id = 'jpm-2027' ORDER BY kind, profile_id");
    int n = PQntuples(rows), kept = 0;
    char **views = calloc((size_t)n, sizeof(char *));

    assert_int_equal(PQresultStatus(rows), PGRES_TUPLES_OK);
    assert_true(n > 0);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < n; i++) {
            tv_profile_kind_t kind =
                strcmp(PQgetvalue(rows, i, 0), "company") == 0 ? TV_KIND_COMPANY : TV_KIND_INVESTOR;
            const char *id = PQgetvalue(rows, i, 1);
            char *doc = NULL;

            assert_int_equal(tv_store_event_doc_of(st, "jpm-2027", kind, id, &doc), 0);
            if (pass == 0) {
                views[i] = doc;
                kept += strcmp(id, extra) != 0;
                continue;
            }
            {
                const char *params[2] = {views[i], doc};
                PGresult *res = PQexecParams(check, "SELECT ($1::jsonb = $2::jsonb)::int", 2, NULL,
                                             params, NULL, NULL, 0);

                if (strcmp(PQgetvalue(res, 0, 0), "1") != 0)
                    fail_msg("%s: kept %s, from the file %s", id, views[i], doc);
                PQclear(res);
            }
            free(doc);
            free(views[i]);
        }
        if (pass == 0) { /* every participant of the file has its part; the one joined later not */
            assert_int_equal(scalar("SELECT count(*) FROM event_participants WHERE event_id = "
                                    "'jpm-2027' AND own IS NOT NULL"),
                             kept);
            tvt_exec(check, "UPDATE event_participants SET own = NULL");
        }
    }
    tvt_exec(check, "SELECT tv_event_own_parts('jpm-2027')");
    PQclear(rows);
    free(views);
    return (size_t)n;
}

static void test_store_keeps_each_participants_part_of_the_file(void **state)
{
    tv_meeting_t *moved = NULL;
    size_t n_moved = 0;
    PGresult *res;

    (void)state;
    import_jpm(NULL);
    assert_int_equal(assert_parts_match_the_file(""), 54);
    /* The head is the file without participants and requests, computed by PostgreSQL. */
    assert_int_equal(scalar("SELECT (head = doc - 'participants' - 'requests' AND NOT head ? "
                            "'requests')::int FROM events WHERE id = 'jpm-2027'"),
                     1);
    /* A participant's own change of its slots (decision 0053) changes its part too. */
    res = PQexec(check, "SELECT head::text, coalesce(own->'participants'->0->'unavailable', "
                        "'[]')::text FROM events, event_participants WHERE id = 'jpm-2027' AND "
                        "event_id = id AND kind = 'company' AND profile_id = 'c-029'");
    assert_int_equal(PQntuples(res), 1);
    assert_int_equal(tv_store_availability_put(st, "jpm-2027", TV_KIND_COMPANY, "c-029",
                                               PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
                                               "[\"2027-01-12T09:00\"]", 0, &moved, &n_moved),
                     0);
    PQclear(res);
    free(moved);
    assert_int_equal(scalar("SELECT count(*) FROM event_participants WHERE profile_id = 'c-029' "
                            "AND own->'participants'->0->'unavailable' = "
                            "'[\"2027-01-12T09:00\"]'"),
                     1);
    assert_int_equal(assert_parts_match_the_file(""), 54);
    /* A new file: a request dropped, a participant (i-011) gone, one joined through the profile
     * API. */
    import_jpm("jsonb_set(d, '{requests}', (d->'requests') - 0) #- '{participants,51}'");
    tvt_exec(check, "INSERT INTO event_participants (event_id, kind, profile_id) VALUES "
                    "('jpm-2027', 'company', 'c-999')");
    assert_int_equal(assert_parts_match_the_file("c-999"), 54); /* 53 + c-999 */
    /* Without requests in the file, no participant's view has any. */
    import_jpm("d - 'requests'");
    assert_int_equal(scalar("SELECT count(*) FROM event_participants WHERE own ? 'requests'"), 0);
    assert_parts_match_the_file("c-999");
}

/* Collects rows "id|name|people|zone;" of tv_store_meeting_sides, in id order. */
static int on_side_row(void *ctx, const char *const *c, int n)
{
    char(*rows)[128] = ctx;
    size_t k = 0;

    assert_int_equal(n, 4);
    while (rows[k][0] != '\0' && strcmp(rows[k], c[0]) < 0)
        k++;
    memmove(rows[k + 1], rows[k], (size_t)(7 - k) * sizeof(rows[0]));
    snprintf(rows[k], sizeof(rows[k]), "%s|%s|%s|%s", c[0], c[1], c[2], c[3]);
    return 0;
}

static void read_sides(tv_profile_kind_t kind, const char *id, char rows[8][128])
{
    memset(rows, 0, 8 * sizeof(rows[0]));
    assert_int_equal(tv_store_meeting_sides(st, "ev-side", kind, id, on_side_row, rows), 0);
}

/* The other side of each of a participant's meetings: its name (its id when the profile is
 * gone), its people's names from its participant row (never their addresses), and the event's
 * zone. */
static void test_store_reads_the_other_sides_of_meetings(void **state)
{
    char rows[8][128] = {{0}};

    (void)state;
    tvt_exec(check, "UPDATE events SET time_zone = 'Europe/Rome' WHERE id = 'ev-side'");
    tvt_exec(check, "INSERT INTO event_participants (event_id, kind, profile_id, people) VALUES "
                    "('ev-side', 'investor', 'i-1', '[{\"name\": \"Ada\", \"email\": "
                    "\"ada@i-1.example\"}, {\"name\": \"Bo\", \"email\": \"bo@i-1.example\"}]')");
    tvt_exec(check, "INSERT INTO investors (id, doc) VALUES ('i-1', '{\"id\": \"i-1\", \"name\": "
                    "\"Fondo Uno\"}')");
    /* c-2 meets i-2 (k = 2), i-1 (k = 7) and i-0 (k = 12). */
    read_sides(TV_KIND_COMPANY, "c-2", rows);
    assert_string_equal(rows[0], "i-0|i-0|[]|Europe/Rome");
    assert_string_equal(rows[1], "i-1|Fondo Uno|[\"Ada\", \"Bo\"]|Europe/Rome");
    assert_string_equal(rows[2], "i-2|i-2|[]|Europe/Rome");
    assert_string_equal(rows[3], "");
    /* i-1 meets c-1, c-4, c-2, c-0, c-3 (k = 1, 4, 7, 10, 13), each once. */
    read_sides(TV_KIND_INVESTOR, "i-1", rows);
    assert_string_equal(rows[0], "c-0|c-0|[]|Europe/Rome");
    assert_string_equal(rows[4], "c-4|c-4|[]|Europe/Rome");
    assert_string_equal(rows[5], "");
    read_sides(TV_KIND_COMPANY, "i-1", rows);
    assert_string_equal(rows[0], "");
}

/* ---- statements prepared once per connection (decision 0062) ---- */

static void test_store_prepares_each_statement_once(void **state)
{
    char buffer[64], *texts[TV_STORE_PREPARED_MAX + 8];
    int64_t v = 0;
    const char *param[1] = {"41"};

    (void)state;
    /* The same text twice: prepared once, answered twice. */
    for (int k = 0; k < 2; k++) {
        assert_int_equal(tv__store_query_int(st, "SELECT $1::int + 1", 1, param, &v), 0);
        assert_int_equal(v, 42);
    }
    assert_int_equal(scalar("SELECT 1"), 1);
    /* A buffer reused with another text runs that text, not the statement prepared first. */
    snprintf(buffer, sizeof(buffer), "SELECT $1::int * 2");
    assert_int_equal(tv__store_query_int(st, buffer, 1, param, &v), 0);
    assert_int_equal(v, 82);
    snprintf(buffer, sizeof(buffer), "SELECT $1::int * 3");
    assert_int_equal(tv__store_query_int(st, buffer, 1, param, &v), 0);
    assert_int_equal(v, 123);
    /* More texts than the connection keeps prepared still run. */
    for (int k = 0; k < TV_STORE_PREPARED_MAX + 8; k++) {
        texts[k] = malloc(64);
        snprintf(texts[k], 64, "SELECT $1::int + %d", k);
        assert_int_equal(tv__store_query_int(st, texts[k], 1, param, &v), 0);
        assert_int_equal(v, 41 + k);
    }
    assert_int_equal(st->n_prepared, TV_STORE_PREPARED_MAX);
    for (int k = 0; k < TV_STORE_PREPARED_MAX + 8; k++)
        free(texts[k]);
    /* A statement that fails inside a transaction, then one after the rollback. */
    assert_int_equal(tv__store_exec_command(st, "BEGIN", 0, NULL), 0);
    assert_int_not_equal(tv__store_query_int(st, "SELECT 1 / ($1::int - 41)", 1, param, &v), 0);
    assert_int_not_equal(tv__store_query_int(st, "SELECT $1::int + 1", 1, param, &v), 0);
    tv__store_rollback(st);
    assert_int_equal(tv__store_query_int(st, "SELECT $1::int + 1", 1, param, &v), 0);
    assert_int_equal(v, 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_migrations_apply_once),
        cmocka_unit_test(test_store_migration_merged_late_is_applied),
        cmocka_unit_test(test_store_upsert_inserts_then_leaves_unchanged),
        cmocka_unit_test(test_store_upsert_updates_a_changed_record),
        cmocka_unit_test(test_store_failed_upsert_writes_nothing),
        cmocka_unit_test(test_store_replace_all_writes_all_or_none),
        cmocka_unit_test(test_store_keeps_portfolio_rows_in_step),
        cmocka_unit_test(test_store_each_walks_in_id_order_and_filters),
        cmocka_unit_test(test_store_csv_and_json_give_the_same_rows),
        cmocka_unit_test(test_store_connections_run_without_jit),
        cmocka_unit_test(test_store_reads_one_participants_side),
        cmocka_unit_test(test_store_cuts_the_event_file_to_a_participants_view),
        cmocka_unit_test(test_store_keeps_each_participants_part_of_the_file),
        cmocka_unit_test(test_store_reads_the_other_sides_of_meetings),
        cmocka_unit_test(test_store_prepares_each_statement_once),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
