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

/* Appends "kind id name events;" to the string ctx. */
static int list_rows(void *ctx, const char *const *c, int n)
{
    char *out = ctx;

    assert_int_equal(n, 4);
    snprintf(out + strlen(out), 512 - strlen(out), "%s %s %s %s;", c[0], c[1], c[2], c[3]);
    return 0;
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

/* Under load every request of a page finds its session: the row is written (last_seen_at)
 * only when the last write is a minute old, not on every request. */
static void test_session_seen_written_once_a_minute(void **state)
{
    uint8_t h[32];
    tv_session_t s;
    int64_t id = open_session(30, "irene@example.com");
    char sql[160];
    long before;

    (void)state;
    snprintf(sql, sizeof(sql), "SELECT xmin::text::bigint FROM sessions WHERE id = %lld",
             (long long)id);
    before = tvt_scalar(check, sql);
    assert_int_equal(tv_store_session_find(st, hash_of(130, h), &s), 0);
    assert_int_equal(tv_store_session_find(st, h, &s), 0);
    assert_int_equal(s.id, id);
    assert_int_equal(tvt_scalar(check, sql), before); /* seen just now: no write */
    tvt_exec(check, "UPDATE sessions SET last_seen_at = now() - interval '2 minutes' WHERE email "
                    "= 'irene@example.com'");
    assert_int_equal(tv_store_session_find(st, h, &s), 0);
    assert_int_equal(tvt_scalar(check, "SELECT count(*) FROM sessions WHERE email = "
                                       "'irene@example.com' AND last_seen_at > now() - interval "
                                       "'10 seconds'"),
                     1);
}

/* The acting profile of a cookie request: a profile whose contacts, or whose people in some
 * event, have the address (any case); not another profile, not the same id of the other
 * kind. */
static void test_person_may_act(void **state)
{
    (void)state;
    tvt_exec(check, "INSERT INTO companies (id, doc) VALUES ('c-act', '{\"id\": \"c-act\", "
                    "\"name\": \"Act\", \"contacts\": [{\"email\": \"Lia@Example.com\"}]}'), "
                    "('c-other', '{\"id\": \"c-other\", \"name\": \"Other\", \"contacts\": "
                    "[{\"email\": \"someone@example.com\"}]}')");
    tvt_exec(check, "INSERT INTO investors (id, doc) VALUES ('i-act', '{\"id\": \"i-act\", "
                    "\"name\": \"Fund\", \"contacts\": \"not an array\"}')");
    tvt_exec(check, "INSERT INTO events (id, name) VALUES ('e-act', 'Act')");
    tvt_exec(check, "INSERT INTO event_participants (event_id, kind, profile_id, people) VALUES "
                    "('e-act', 'investor', 'i-act', '[{\"email\": \"lia@example.COM\"}]'), "
                    "('e-act', 'company', 'c-other', '[{\"email\": \"max@example.com\"}]')");
    assert_int_equal(tv_store_person_may_act(st, "lia@example.com", "company", "c-act"), 0);
    assert_int_equal(tv_store_person_may_act(st, "LIA@example.com", "investor", "i-act"), 0);
    assert_int_equal(tv_store_person_may_act(st, "max@example.com", "company", "c-other"), 0);
    assert_int_equal(tv_store_person_may_act(st, "lia@example.com", "company", "c-other"),
                     TV_ENOTFOUND);
    assert_int_equal(tv_store_person_may_act(st, "lia@example.com", "investor", "c-act"),
                     TV_ENOTFOUND);
    assert_int_equal(tv_store_person_may_act(st, "max@example.com", "investor", "c-other"),
                     TV_ENOTFOUND);
    assert_int_equal(tv_store_person_may_act(st, "lia@example.com", "company", "c-none"),
                     TV_ENOTFOUND);
}

/* The person's profiles, found by address (any case) through the GIN indexes of migration
 * 018: contacts of either kind and the people an event names, each profile once with its name
 * and events. */
static void test_person_profiles_by_address(void **state)
{
    char got[512] = "";

    (void)state;
    assert_int_equal(tvt_scalar(check, "SELECT count(*) FROM pg_indexes WHERE indexname IN "
                                       "('companies_by_contact_email', "
                                       "'investors_by_contact_email', "
                                       "'event_participants_by_email', "
                                       "'event_participants_by_profile')"),
                     4);
    assert_int_equal(tvt_scalar(check,
                                "SELECT count(*) FROM (SELECT unnest(tv_emails('[{\"email\": "
                                "\"A@B.it\"}, {\"name\": \"x\"}, {\"email\": \"c@d.it\"}]')) "
                                "AS e) t WHERE e IN ('a@b.it', 'c@d.it')"),
                     2);
    tvt_exec(check, "INSERT INTO companies (id, doc) VALUES ('c-nina', '{\"id\": \"c-nina\", "
                    "\"name\": \"Nina Bio\", \"contacts\": [{\"email\": \"NINA@example.com\"}]}')");
    tvt_exec(check, "INSERT INTO investors (id, doc) VALUES ('i-nina', '{\"id\": \"i-nina\", "
                    "\"name\": \"Nina Fund\"}')");
    tvt_exec(check, "INSERT INTO events (id, name) VALUES ('e-nina', 'Nina')");
    tvt_exec(check, "INSERT INTO event_participants (event_id, kind, profile_id, people) VALUES "
                    "('e-nina', 'investor', 'i-nina', '[{\"email\": \"nina@EXAMPLE.com\"}]'), "
                    "('e-nina', 'company', 'c-nina', '[{\"email\": \"nina@example.com\"}]')");
    assert_int_equal(tv_store_person_profiles(st, "Nina@Example.com", list_rows, got), 0);
    assert_string_equal(got, "company c-nina Nina Bio e-nina;investor i-nina Nina Fund e-nina;");
    got[0] = '\0';
    assert_int_equal(tv_store_person_profiles(st, "nobody@example.com", list_rows, got), 0);
    assert_string_equal(got, "");
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
    open_session(60, "old@example.com");
    open_session(61, "recent@example.com");
    tvt_exec(check, "UPDATE signin_links SET expires_at = now() - interval '8 days' WHERE email "
                    "= 'old@example.com'");
    tvt_exec(check, "UPDATE sessions SET revoked_at = now() - interval '8 days' WHERE email = "
                    "'old@example.com'");
    tvt_exec(check, "UPDATE sessions SET revoked_at = now() - interval '1 day' WHERE email = "
                    "'recent@example.com'");
    assert_int_equal(tv_store_signin_link_create(st, hash_of(62, link), "new@example.com", 60), 0);
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
        cmocka_unit_test(test_session_seen_written_once_a_minute),
        cmocka_unit_test(test_person_may_act),
        cmocka_unit_test(test_person_profiles_by_address),
        cmocka_unit_test(test_throttle_counts_per_address),
        cmocka_unit_test(test_person_language),
        cmocka_unit_test(test_ended_rows_are_purged),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
