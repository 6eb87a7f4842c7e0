/* Tests engine/store/store_tokens.c and api/daemon/auth.c against the test PostgreSQL: tokens round
 * trip through their hash, the table never holds a token, revocation, the role checks, and
 * authentication of good, malformed, unknown and revoked tokens. Checks go through libpq
 * directly so they do not trust the code under test. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "jobs.h"
#include "support.h"
#include "tavolo/token.h"

#define DB "tokens"

static tv_store_t *st;
static PGconn *check; /* an independent connection to the scratch database */

static int setup(void **state)
{
    (void)state;
    tvt_require_pg();
    st = tvt_scratch_store(DB);
    check = tvt_scratch_check(DB);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    PQfinish(check);
    tvt_scratch_drop(st, DB);
    return 0;
}

static long scalar(const char *sql)
{
    return tvt_scalar(check, sql);
}

/* Makes a token, stores it and returns its id; the token text goes to 'token'. */
static int64_t new_stored(char *token, const char *role, const char *subject, const char *event_id)
{
    uint8_t hash[TV_TOKEN_HASH_BYTES];
    int64_t id = 0;

    assert_int_equal(api_auth_new_token(token, API_AUTH_TOKEN_SIZE, hash), 0);
    assert_int_equal(tv_store_token_create(st, hash, role, subject, event_id, "test", &id), 0);
    assert_true(id > 0);
    return id;
}

static void test_token_new_has_the_documented_shape(void **state)
{
    char a[API_AUTH_TOKEN_SIZE], b[API_AUTH_TOKEN_SIZE], small[API_AUTH_TOKEN_LEN];
    uint8_t ha[TV_TOKEN_HASH_BYTES], hb[TV_TOKEN_HASH_BYTES], again[TV_TOKEN_HASH_BYTES];

    (void)state;
    assert_int_equal(api_auth_new_token(a, sizeof(a), ha), 0);
    assert_int_equal(api_auth_new_token(b, sizeof(b), hb), 0);
    assert_int_equal(strlen(a), API_AUTH_TOKEN_LEN);
    assert_memory_equal(a, "tv_", 3);
    assert_int_equal(strspn(a + 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789-_"),
                     API_AUTH_TOKEN_LEN - 3);
    assert_string_not_equal(a, b);
    assert_memory_not_equal(ha, hb, sizeof(ha));
    /* The hash handed out is the hash of the text. */
    api_auth_hash(a, again);
    assert_memory_equal(ha, again, sizeof(ha));
    assert_int_equal(api_auth_new_token(small, sizeof(small), ha), TV_ERANGE);
}

static void test_token_create_then_find_round_trip(void **state)
{
    char token[API_AUTH_TOKEN_SIZE];
    uint8_t hash[TV_TOKEN_HASH_BYTES];
    tv_token_t t;
    int64_t id;

    (void)state;
    id = new_stored(token, "investor", "i-001", NULL);
    api_auth_hash(token, hash);
    memset(&t, 0x55, sizeof(t));
    assert_int_equal(tv_store_token_find(st, hash, &t), 0);
    assert_int_equal(t.id, id);
    assert_memory_equal(t.hash, hash, sizeof(hash));
    assert_string_equal(t.role, "investor");
    assert_string_equal(t.subject, "i-001");
    assert_string_equal(t.event_id, "");
    assert_int_equal(t.revoked, 0);
    /* The same hash cannot be stored twice. */
    assert_int_equal(tv_store_token_create(st, hash, "admin", NULL, NULL, NULL, &id), TV_ECONFLICT);
    /* A different hash finds nothing. */
    hash[0] ^= 1;
    assert_int_equal(tv_store_token_find(st, hash, &t), TV_ENOTFOUND);
}

/* Every column of every row, as text, must be free of the token; the hash column must be
 * the BLAKE2b-256 hash of it. */
static void test_token_table_never_holds_the_token(void **state)
{
    char token[API_AUTH_TOKEN_SIZE], sql[256], hex[2 * TV_TOKEN_HASH_BYTES + 3];
    uint8_t hash[TV_TOKEN_HASH_BYTES];
    PGresult *r;
    int64_t id;

    (void)state;
    id = new_stored(token, "admin", NULL, NULL);
    r = PQexec(check, "SELECT * FROM tokens");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_true(PQntuples(r) > 0);
    for (int i = 0; i < PQntuples(r); i++) {
        for (int j = 0; j < PQnfields(r); j++) {
            if (strstr(PQgetvalue(r, i, j), token + 3) != NULL)
                fail_msg("column %s holds the token", PQfname(r, j));
        }
    }
    PQclear(r);
    api_auth_hash(token, hash);
    strcpy(hex, "\\x");
    for (size_t i = 0; i < sizeof(hash); i++)
        snprintf(hex + 2 + 2 * i, 3, "%02x", hash[i]);
    snprintf(sql, sizeof(sql), "SELECT hash::text FROM tokens WHERE id = %lld", (long long)id);
    r = PQexec(check, sql);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(r, 0, 0), hex);
    PQclear(r);
}

static void test_token_revoke_makes_find_fail(void **state)
{
    char token[API_AUTH_TOKEN_SIZE], sql[128];
    uint8_t hash[TV_TOKEN_HASH_BYTES];
    tv_token_t t;
    int64_t id;

    (void)state;
    id = new_stored(token, "company", "c-001", NULL);
    api_auth_hash(token, hash);
    assert_int_equal(tv_store_token_find(st, hash, &t), 0);
    assert_int_equal(tv_store_token_revoke(st, id), 0);
    assert_int_equal(tv_store_token_find(st, hash, &t), TV_ENOTFOUND);
    /* Revoking twice is harmless; an unknown id is not found. */
    assert_int_equal(tv_store_token_revoke(st, id), 0);
    assert_int_equal(tv_store_token_revoke(st, id + 1000), TV_ENOTFOUND);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM tokens WHERE id = %lld AND revoked_at IS NOT NULL",
             (long long)id);
    assert_int_equal(scalar(sql), 1);
}

static int try_create(const char *role, const char *subject, const char *event_id)
{
    char token[API_AUTH_TOKEN_SIZE];
    uint8_t hash[TV_TOKEN_HASH_BYTES];
    int64_t id = -7;
    int rc;

    assert_int_equal(api_auth_new_token(token, sizeof(token), hash), 0);
    rc = tv_store_token_create(st, hash, role, subject, event_id, NULL, &id);
    if (rc != 0)
        assert_int_equal(id, -7);
    return rc;
}

static void test_token_checks_reject_bad_combinations(void **state)
{
    long before;

    (void)state;
    tvt_exec(check,
             "INSERT INTO events (id, name) VALUES ('ev-1', 'Event') ON CONFLICT DO NOTHING");
    before = scalar("SELECT count(*) FROM tokens");
    assert_int_equal(try_create("investor", NULL, NULL), TV_EINVAL);
    assert_int_equal(try_create("company", NULL, NULL), TV_EINVAL);
    assert_int_equal(try_create("admin", "i-001", NULL), TV_EINVAL);
    assert_int_equal(try_create("organiser", NULL, NULL), TV_EINVAL);
    assert_int_equal(try_create("investor", "i-001", "ev-1"), TV_EINVAL);
    assert_int_equal(try_create("admin", NULL, "ev-1"), TV_EINVAL);
    assert_int_equal(try_create("organiser", "i-001", "ev-1"), TV_EINVAL);
    assert_int_equal(try_create("investor", "", NULL), TV_EINVAL);
    assert_int_equal(try_create("root", NULL, NULL), TV_EINVAL);
    assert_int_equal(try_create("organiser", NULL, "no-such-event"), TV_ENOTFOUND);
    assert_string_equal(tv_store_error(st), "no event \"no-such-event\"");
    assert_int_equal(scalar("SELECT count(*) FROM tokens"), before);
    /* The good combinations pass. */
    assert_int_equal(try_create("organiser", NULL, "ev-1"), 0);
    assert_int_equal(try_create("admin", NULL, NULL), 0);
    assert_int_equal(scalar("SELECT count(*) FROM tokens"), before + 2);
}

/* Deleting an event takes its organisers' tokens with it. */
static void test_token_of_a_deleted_event_goes_with_it(void **state)
{
    char token[API_AUTH_TOKEN_SIZE];
    uint8_t hash[TV_TOKEN_HASH_BYTES];
    tv_token_t t;

    (void)state;
    tvt_exec(check, "INSERT INTO events (id, name) VALUES ('ev-gone', 'Gone')");
    new_stored(token, "organiser", NULL, "ev-gone");
    api_auth_hash(token, hash);
    assert_int_equal(tv_store_token_find(st, hash, &t), 0);
    assert_string_equal(t.event_id, "ev-gone");
    tvt_exec(check, "DELETE FROM events WHERE id = 'ev-gone'");
    assert_int_equal(tv_store_token_find(st, hash, &t), TV_ENOTFOUND);
}

static void test_token_touch_sets_last_used(void **state)
{
    char token[API_AUTH_TOKEN_SIZE], sql[128];
    int64_t id;

    (void)state;
    id = new_stored(token, "admin", NULL, NULL);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM tokens WHERE id = %lld AND last_used_at IS NULL", (long long)id);
    assert_int_equal(scalar(sql), 1);
    assert_int_equal(tv_store_token_touch(st, id), 0);
    assert_int_equal(scalar(sql), 0);
}

typedef struct {
    int64_t id;
    int seen;
    char label[32];
} list_probe_t;

static int on_row(void *ctx, const tv_token_row_t *row)
{
    list_probe_t *p = ctx;

    if (row->id != p->id)
        return 0;
    p->seen++;
    snprintf(p->label, sizeof(p->label), "%s", row->label != NULL ? row->label : "(null)");
    assert_string_equal(row->role, "investor");
    assert_string_equal(row->subject, "i-002");
    assert_null(row->event_id);
    assert_non_null(row->created_at);
    assert_int_equal(strlen(row->created_at), 20);
    assert_int_equal(row->created_at[19], 'Z');
    assert_null(row->last_used_at);
    assert_non_null(row->revoked_at);
    return 0;
}

static void test_token_list_shows_revoked_tokens(void **state)
{
    char token[API_AUTH_TOKEN_SIZE];
    list_probe_t p = {0, 0, ""};

    (void)state;
    p.id = new_stored(token, "investor", "i-002", NULL);
    assert_int_equal(tv_store_token_revoke(st, p.id), 0);
    assert_int_equal(tv_store_token_list(st, on_row, &p), 0);
    assert_int_equal(p.seen, 1);
    assert_string_equal(p.label, "test");
}

static void test_auth_accepts_a_good_token(void **state)
{
    char token[API_AUTH_TOKEN_SIZE], header[80], sql[128];
    const char *schemes[] = {"Bearer", "bearer", "BEARER"};
    api_principal_t p;
    int64_t id;

    (void)state;
    tvt_exec(check,
             "INSERT INTO events (id, name) VALUES ('ev-org', 'Org') ON CONFLICT DO NOTHING");
    id = new_stored(token, "organiser", NULL, "ev-org");
    for (size_t i = 0; i < 3; i++) {
        memset(&p, 0x55, sizeof(p));
        snprintf(header, sizeof(header), "%s %s", schemes[i], token);
        assert_int_equal(api_auth_authenticate(st, header, &p), 0);
        assert_int_equal(p.role, API_ROLE_ORGANISER);
        assert_string_equal(p.event_id, "ev-org");
        assert_string_equal(p.subject, "");
        assert_int_equal(p.token_id, id);
    }
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM tokens WHERE id = %lld AND last_used_at IS NOT NULL",
             (long long)id);
    assert_int_equal(scalar(sql), 1);
    new_stored(token, "company", "c-042", NULL);
    snprintf(header, sizeof(header), "Bearer %s", token);
    assert_int_equal(api_auth_authenticate(st, header, &p), 0);
    assert_int_equal(p.role, API_ROLE_COMPANY);
    assert_string_equal(p.subject, "c-042");
    assert_string_equal(p.event_id, "");
}

static void test_auth_rejects_malformed_headers(void **state)
{
    char token[API_AUTH_TOKEN_SIZE], bad[16][96];
    api_principal_t p, untouched;
    size_t n = 0;

    (void)state;
    new_stored(token, "admin", NULL, NULL);
    snprintf(bad[n++], 96, "Basic x");
    snprintf(bad[n++], 96, "Bearer");
    snprintf(bad[n++], 96, "Bearer ");
    snprintf(bad[n++], 96, "bearer  tv_x");
    snprintf(bad[n++], 96, "Bearer tv_x");
    snprintf(bad[n++], 96, "Bearer  %s", token);                          /* two spaces */
    snprintf(bad[n++], 96, "Bearer\t%s", token);                          /* not a space */
    snprintf(bad[n++], 96, "Bearer %s ", token);                          /* trailing space */
    snprintf(bad[n++], 96, "Bearer %sA", token);                          /* one too long */
    snprintf(bad[n++], 96, "Bearer %.*s", API_AUTH_TOKEN_LEN - 1, token); /* one too short */
    snprintf(bad[n++], 96, "Bearer xx_%s", token + 3);                    /* wrong prefix */
    snprintf(bad[n++], 96, "Basic %s", token);                            /* wrong scheme */
    snprintf(bad[n++], 96, "Bearer %s", token);
    bad[n - 1][7 + 10] = '+';            /* not base64url */
    snprintf(bad[n++], 96, "%s", token); /* no scheme */
    memset(&p, 0x55, sizeof(p));
    untouched = p;
    for (size_t i = 0; i < n; i++) {
        if (api_auth_authenticate(st, bad[i], &p) != TV_EINVAL)
            fail_msg("\"%s\" was not refused as malformed", bad[i]);
    }
    assert_int_equal(api_auth_authenticate(st, NULL, &p), TV_EINVAL);
    assert_int_equal(api_auth_authenticate(st, "", &p), TV_EINVAL);
    assert_memory_equal(&p, &untouched, sizeof(p));
}

static void test_auth_rejects_unknown_and_revoked_tokens(void **state)
{
    char token[API_AUTH_TOKEN_SIZE], header[80];
    uint8_t hash[TV_TOKEN_HASH_BYTES];
    api_principal_t p;
    int64_t id;

    (void)state;
    assert_int_equal(api_auth_new_token(token, sizeof(token), hash), 0); /* never stored */
    snprintf(header, sizeof(header), "Bearer %s", token);
    assert_int_equal(api_auth_authenticate(st, header, &p), TV_ENOTFOUND);
    id = new_stored(token, "investor", "i-003", NULL);
    snprintf(header, sizeof(header), "Bearer %s", token);
    assert_int_equal(api_auth_authenticate(st, header, &p), 0);
    assert_int_equal(tv_store_token_revoke(st, id), 0);
    assert_int_equal(api_auth_authenticate(st, header, &p), TV_ENOTFOUND);
}

/* A store whose connection the server has dropped reports the database as unavailable. */
static void test_auth_reports_a_lost_database(void **state)
{
    char token[API_AUTH_TOKEN_SIZE], header[80], conninfo[1024], err[256];
    tv_store_t *doomed = NULL;
    api_principal_t p;

    (void)state;
    new_stored(token, "admin", NULL, NULL);
    snprintf(header, sizeof(header), "Bearer %s", token);
    snprintf(conninfo, sizeof(conninfo), "%s dbname=tvt_" DB " application_name=tvt_doomed",
             getenv("TV_TEST_PG_DSN"));
    if (tv_store_open(conninfo, &doomed, err, sizeof(err)) != 0)
        fail_msg("cannot connect: %s", err);
    assert_int_equal(api_auth_authenticate(doomed, header, &p), 0);
    assert_int_equal(scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE application_name = 'tvt_doomed'"),
                     1);
    assert_int_equal(api_auth_authenticate(doomed, header, &p), TV_EUNAVAIL);
    tv_store_close(doomed);
}

/* The daemon's token cache answers while PostgreSQL is away. Every one of 200 recently used
 * tokens must still be there, whatever their hashes: a direct-mapped table of 256 slots lost
 * some to clashes (and once a token the api.daemon test relied on). */
static void test_token_cache_keeps_every_recent_token(void **state)
{
    enum { N = 200 };
    static char headers[N][80];
    char token[API_AUTH_TOKEN_SIZE];
    api_principal_t p;

    (void)state;
    for (int i = 0; i < N; i++) {
        char subject[16];

        snprintf(subject, sizeof(subject), "c-%03d", i);
        new_stored(token, "company", subject, NULL);
        snprintf(headers[i], sizeof(headers[i]), "Bearer %s", token);
        assert_int_equal(api_jobs_authenticate(st, headers[i], &p), 0);
    }
    for (int i = 0; i < N; i++) {
        char subject[16];

        snprintf(subject, sizeof(subject), "c-%03d", i);
        memset(&p, 0, sizeof(p));
        assert_int_equal(api_jobs_authenticate(NULL, headers[i], &p), 0);
        assert_string_equal(p.subject, subject);
        assert_int_equal(api_jobs_authenticate_cached(headers[i], &p), 0);
    }
    new_stored(token, "company", "c-999", NULL);
    snprintf(headers[0], sizeof(headers[0]), "Bearer %s", token);
    assert_int_equal(api_jobs_authenticate(NULL, headers[0], &p), TV_EUNAVAIL);
    assert_int_equal(api_jobs_authenticate_cached(headers[0], &p), TV_ENOTFOUND);
}

static void test_auth_role_names_round_trip(void **state)
{
    const char *names[] = {"admin", "organiser", "investor", "company"};
    api_role_t r = API_ROLE_ADMIN;

    (void)state;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(api_role_parse(names[i], &r), 0);
        assert_int_equal(r, i);
        assert_string_equal(api_role_name(r), names[i]);
    }
    assert_int_equal(api_role_parse("Admin", &r), TV_EINVAL);
    assert_int_equal(api_role_parse("", &r), TV_EINVAL);
    assert_int_equal(r, API_ROLE_COMPANY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_new_has_the_documented_shape),
        cmocka_unit_test(test_token_create_then_find_round_trip),
        cmocka_unit_test(test_token_table_never_holds_the_token),
        cmocka_unit_test(test_token_revoke_makes_find_fail),
        cmocka_unit_test(test_token_checks_reject_bad_combinations),
        cmocka_unit_test(test_token_of_a_deleted_event_goes_with_it),
        cmocka_unit_test(test_token_touch_sets_last_used),
        cmocka_unit_test(test_token_list_shows_revoked_tokens),
        cmocka_unit_test(test_auth_accepts_a_good_token),
        cmocka_unit_test(test_auth_rejects_malformed_headers),
        cmocka_unit_test(test_auth_rejects_unknown_and_revoked_tokens),
        cmocka_unit_test(test_auth_reports_a_lost_database),
        cmocka_unit_test(test_token_cache_keeps_every_recent_token),
        cmocka_unit_test(test_auth_role_names_round_trip),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
