/* Tests engine/store/store_sessions.c against the test PostgreSQL (decision 0049): a sign-in
 * link opens one session and only once, expired and unknown links open none, sessions end when
 * revoked, idle or past their absolute expiry, the per-address limit counts in the database,
 * and the tables hold hashes only. Checks go through libpq directly so they do not trust the
 * code under test. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "tavolo/error.h"
#include "tavolo/session.h"

#define DB "sessions"
#define CSRF "csrf-token-of-at-least-32-characters-long"

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

/* A hash whose bytes are all 'b' (the store never looks inside). */
static const uint8_t *hash_of(uint8_t b, uint8_t out[32])
{
    memset(out, b, 32);
    return out;
}

static void test_link_opens_one_session_once(void **state)
{
    uint8_t link[32], s1[32], s2[32];
    tv_session_t s;

    (void)state;
    assert_int_equal(tv_store_signin_link_create(st, hash_of(1, link), "Anna@Example.COM", 3600),
                     0);
    assert_int_equal(tvt_scalar(check, "SELECT count(*) FROM signin_links WHERE email = "
                                       "'anna@example.com' AND used_at IS NULL"),
                     1);
    assert_int_equal(tv_store_signin_consume(st, link, hash_of(2, s1), CSRF, 600, 7200, NULL, &s),
                     0);
    assert_string_equal(s.email, "anna@example.com");
    assert_string_equal(s.csrf, CSRF);
    assert_memory_equal(s.hash, s1, 32);
    assert_int_equal(s.expires_in, 7200);
    assert_int_equal(tv_store_signin_consume(st, link, hash_of(3, s2), CSRF, 600, 7200, NULL, &s),
                     TV_ECONFLICT);
    assert_int_equal(
        tv_store_signin_consume(st, hash_of(4, s2), hash_of(3, s2), CSRF, 600, 7200, NULL, &s),
        TV_ENOTFOUND);
    assert_int_equal(tvt_scalar(check, "SELECT count(*) FROM sessions"), 1);
    assert_int_equal(tv_store_signin_link_create(st, hash_of(5, link), "not an address", 60),
                     TV_EINVAL);
}

static void test_expired_link_opens_nothing(void **state)
{
    uint8_t link[32], sh[32];
    tv_session_t s;

    (void)state;
    assert_int_equal(tv_store_signin_link_create(st, hash_of(6, link), "bob@example.com", 3600), 0);
    tvt_exec(check,
             "UPDATE signin_links SET expires_at = now() - interval '1 second' WHERE email = "
             "'bob@example.com'");
    assert_int_equal(tv_store_signin_consume(st, link, hash_of(7, sh), CSRF, 600, 7200, NULL, &s),
                     TV_ECONFLICT);
    assert_int_equal(tvt_scalar(check, "SELECT count(*) FROM sessions WHERE email = "
                                       "'bob@example.com'"),
                     0);
}

/* Opens a session for 'email' through a fresh link; returns its id. */
static int64_t open_session(uint8_t b, const char *email)
{
    uint8_t link[32], sh[32];
    tv_session_t s;

    assert_int_equal(tv_store_signin_link_create(st, hash_of(b, link), email, 3600), 0);
    assert_int_equal(
        tv_store_signin_consume(st, link, hash_of(b + 100, sh), CSRF, 600, 7200, NULL, &s), 0);
    return s.id;
}

static void test_sessions_end(void **state)
{
    uint8_t h[32];
    tv_session_t s;
    int64_t a = open_session(10, "carla@example.com"), b = open_session(11, "carla@example.com");
    int64_t c = open_session(12, "carla@example.com");

    (void)state;
    assert_int_equal(tv_store_session_find(st, hash_of(110, h), &s), 0);
    assert_int_equal(s.id, a);
    assert_int_equal(tv_store_session_revoke(st, a, "dario@example.com"), TV_ENOTFOUND);
    assert_int_equal(tv_store_session_revoke(st, a, "Carla@example.com"), 0);
    assert_int_equal(tv_store_session_find(st, h, &s), TV_ENOTFOUND);
    assert_int_equal(tv_store_session_revoke(st, a, "carla@example.com"), TV_ENOTFOUND);
    tvt_exec(check, "UPDATE sessions SET last_seen_at = now() - interval '11 minutes' WHERE id IN "
                    "(SELECT max(id) - 1 FROM sessions)");
    assert_int_equal(tv_store_session_find(st, hash_of(111, h), &s), TV_ENOTFOUND); /* idle */
    tvt_exec(check, "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id IN "
                    "(SELECT max(id) FROM sessions)");
    assert_int_equal(tv_store_session_find(st, hash_of(112, h), &s), TV_ENOTFOUND);
    (void)b, (void)c;
}

static int count_rows(void *ctx, const char *const *c, int n)
{
    (void)n;
    assert_int_equal(strlen(c[1]), 12);
    (*(int *)ctx)++;
    return 0;
}

static int copy_agent(void *ctx, const char *const *c, int n)
{
    assert_int_equal(n, 5);
    snprintf(ctx, 300, "%s", c[4]);
    return 0;
}

/* The list names the browser each session was opened with, cut to 256 characters. */
static void test_session_keeps_its_browser(void **state)
{
    uint8_t link[32], sh[32];
    char agent[300], listed[300] = "";
    tv_session_t s;

    (void)state;
    memset(agent, 'a', 299);
    agent[299] = '\0';
    memcpy(agent, "Mozilla/5.0 (Android 14) Chrome/126", 35);
    assert_int_equal(tv_store_signin_link_create(st, hash_of(40, link), "ua@example.com", 60), 0);
    assert_int_equal(tv_store_signin_consume(st, link, hash_of(41, sh), CSRF, 600, 7200, agent, &s),
                     0);
    assert_int_equal(tv_store_session_list(st, "ua@example.com", copy_agent, listed), 0);
    assert_int_equal(strlen(listed), 256);
    assert_memory_equal(listed, agent, 256);
}

static void test_session_list_shows_live_ones(void **state)
{
    int n = 0;

    (void)state;
    open_session(20, "elena@example.com");
    open_session(21, "elena@example.com");
    assert_int_equal(tv_store_session_list(st, "ELENA@example.com", count_rows, &n), 0);
    assert_int_equal(n, 2);
}

static void test_throttle_counts_per_address(void **state)
{
    int wait = -1;

    (void)state;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tv_store_signin_throttle(st, "Fede@example.com", 3, 900, &wait), 0);
        assert_int_equal(wait, 0);
    }
    assert_int_equal(tv_store_signin_throttle(st, "fede@EXAMPLE.com", 3, 900, &wait), 0);
    assert_true(wait > 0 && wait <= 900);
    assert_int_equal(tv_store_signin_throttle(st, "gino@example.com", 3, 900, &wait), 0);
    assert_int_equal(wait, 0);
    tvt_exec(check, "UPDATE signin_requests SET requested_at = now() - interval '16 minutes'");
    assert_int_equal(tv_store_signin_throttle(st, "fede@example.com", 3, 900, &wait), 0);
    assert_int_equal(wait, 0);
    assert_int_equal(tvt_scalar(check, "SELECT count(*) FROM signin_requests WHERE email = "
                                       "'fede@example.com'"),
                     1);
}

/* Links and sessions that ended more than a week ago are deleted as new links are made; a
 * link that ended recently stays, so that following it again still says "used". */
static void test_ended_rows_are_purged(void **state)
{
    uint8_t link[32];

    (void)state;
    open_session(30, "old@example.com");
    open_session(31, "recent@example.com");
    tvt_exec(check, "UPDATE signin_links SET expires_at = now() - interval '8 days' WHERE email "
                    "= 'old@example.com'");
    tvt_exec(check, "UPDATE sessions SET revoked_at = now() - interval '8 days' WHERE email = "
                    "'old@example.com'");
    tvt_exec(check, "UPDATE sessions SET revoked_at = now() - interval '1 day' WHERE email = "
                    "'recent@example.com'");
    assert_int_equal(tv_store_signin_link_create(st, hash_of(32, link), "new@example.com", 60), 0);
    assert_int_equal(tvt_scalar(check, "SELECT count(*) FROM signin_links WHERE email = "
                                       "'old@example.com'"),
                     0);
    assert_int_equal(tvt_scalar(check, "SELECT count(*) FROM sessions WHERE email = "
                                       "'old@example.com'"),
                     0);
    assert_int_equal(tvt_scalar(check, "SELECT count(*) FROM signin_links WHERE email IN "
                                       "('recent@example.com', 'new@example.com')"),
                     2);
    assert_int_equal(tvt_scalar(check, "SELECT count(*) FROM sessions WHERE email = "
                                       "'recent@example.com'"),
                     1);
}

/* A person's language: the one they chose, else their record's (a contact's language, else
 * the profile's; a person of an event file, else the event's), else none. */
static void test_person_language(void **state)
{
    char lang[3] = "x";

    (void)state;
    tvt_exec(check, "INSERT INTO companies (id, doc) VALUES ('c-lang', '{\"id\": \"c-lang\", "
                    "\"name\": \"L\", \"language\": \"it\", \"contacts\": [{\"email\": "
                    "\"Lia@example.com\"}, {\"email\": \"ben@example.com\", \"language\": "
                    "\"en\"}]}')");
    assert_int_equal(tv_store_person_language(st, "lia@EXAMPLE.com", lang), 0);
    assert_string_equal(lang, "it");
    assert_int_equal(tv_store_person_language(st, "ben@example.com", lang), 0);
    assert_string_equal(lang, "en");
    assert_int_equal(tv_store_person_language(st, "nobody@example.com", lang), 0);
    assert_string_equal(lang, "");
    assert_int_equal(tv_store_person_language_set(st, "Lia@example.com", "en"), 0);
    assert_int_equal(tv_store_person_language(st, "lia@example.com", lang), 0);
    assert_string_equal(lang, "en");
    assert_int_equal(tv_store_person_language_set(st, "lia@example.com", "it"), 0);
    assert_int_equal(tv_store_person_language(st, "lia@example.com", lang), 0);
    assert_string_equal(lang, "it");
    assert_int_equal(tvt_scalar(check, "SELECT count(*) FROM person_prefs"), 1);
    assert_int_equal(tv_store_person_language_set(st, "lia@example.com", "de"), TV_EINVAL);
    assert_int_equal(tv_store_person_language_set(st, "not an address", "it"), TV_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_opens_one_session_once),
        cmocka_unit_test(test_expired_link_opens_nothing),
        cmocka_unit_test(test_sessions_end),
        cmocka_unit_test(test_session_list_shows_live_ones),
        cmocka_unit_test(test_session_keeps_its_browser),
        cmocka_unit_test(test_throttle_counts_per_address),
        cmocka_unit_test(test_person_language),
        cmocka_unit_test(test_ended_rows_are_purged),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
