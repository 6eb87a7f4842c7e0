/* Tests engine/store/store_feed.c against the test PostgreSQL: the profiles changed since a
 * snapshot, whoever wrote them and in whatever order their transactions commit; removals; the
 * notification every write sends; the listening connection driven without blocking. Writes
 * go through libpq directly, as another process's would. */
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "tavolo/feed.h"

#define DB "feed"

static tv_store_t *st;
static PGconn *other; /* another process's connection to the scratch database */

static int setup(void **state)
{
    (void)state;
    tvt_require_pg();
    st = tvt_scratch_store(DB);
    other = tvt_scratch_check(DB);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    PQfinish(other);
    tvt_scratch_drop(st, DB);
    return 0;
}

static void put_company(PGconn *c, const char *id, const char *name)
{
    char sql[512];

    snprintf(sql, sizeof(sql),
             "INSERT INTO companies (id, doc) VALUES ('%s', '{\"id\": \"%s\", \"name\": \"%s\"}') "
             "ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc",
             id, id, name);
    tvt_exec(c, sql);
}

/* What tv_store_changes reported, as "c:ID=NAME" or "c:ID removed", sorted by the caller's
 * order of the calls, joined with spaces. */
typedef struct {
    char text[2048];
} seen_t;

static int on_change(void *ctx, tv_profile_kind_t kind, const char *id, const char *json,
                     size_t len)
{
    seen_t *s = ctx;
    size_t n = strlen(s->text);
    const char *name = json != NULL ? strstr(json, "\"name\": \"") : NULL;

    (void)len;
    snprintf(s->text + n, sizeof(s->text) - n, "%s%c:%s%s%.*s", n ? " " : "",
             kind == TV_KIND_COMPANY ? 'c' : 'i', id, json == NULL ? " removed" : "=",
             name != NULL ? (int)strcspn(name + 9, "\"") : 0, name != NULL ? name + 9 : "");
    return 0;
}

/* The changes since '*since', which then moves on to the snapshot they were read at. */
static void changes(char **since, seen_t *s)
{
    char *now = NULL;

    memset(s, 0, sizeof(*s));
    assert_int_equal(tv_store_changes(st, *since, on_change, s, &now), 0);
    free(*since);
    *since = now;
}

static char *snapshot_now(void)
{
    char *snap = NULL;

    assert_int_equal(tv_store_snapshot_begin(st, &snap), 0);
    assert_int_equal(tv_store_snapshot_end(st), 0);
    return snap;
}

static void test_feed_reports_each_write_once_as_it_is_now(void **state)
{
    char *since;
    seen_t s;

    (void)state;
    put_company(other, "c-1", "One");
    since = snapshot_now();
    changes(&since, &s);
    assert_string_equal(s.text, ""); /* written before the snapshot */
    put_company(other, "c-2", "Two");
    put_company(other, "c-1", "One again");
    put_company(other, "c-1", "One at last");
    changes(&since, &s);
    assert_string_equal(s.text, "c:c-1=One at last c:c-2=Two");
    changes(&since, &s);
    assert_string_equal(s.text, "");
    tvt_exec(other, "DELETE FROM companies WHERE id = 'c-2'");
    changes(&since, &s);
    assert_string_equal(s.text, "c:c-2 removed");
    put_company(other, "c-2", "Two reborn"); /* a profile is a row or a removal, never both */
    changes(&since, &s);
    assert_string_equal(s.text, "c:c-2=Two reborn");
    assert_int_equal(tvt_scalar(other, "SELECT count(*) FROM profile_removals"), 0);
    free(since);
}

/* A transaction that started writing before a snapshot and commits after it is read by the
 * next catch-up, though a later transaction committed first. */
static void test_feed_misses_no_write_that_commits_out_of_order(void **state)
{
    PGconn *slow = tvt_scratch_check(DB);
    char *since;
    seen_t s;

    (void)state;
    tvt_exec(slow, "BEGIN");
    put_company(slow, "c-slow", "Slow");
    since = snapshot_now();
    put_company(other, "c-fast", "Fast");
    changes(&since, &s);
    assert_string_equal(s.text, "c:c-fast=Fast");
    tvt_exec(slow, "COMMIT");
    changes(&since, &s);
    assert_string_equal(s.text, "c:c-slow=Slow");
    PQfinish(slow);
    free(since);
}

static void test_feed_refuses_a_malformed_snapshot(void **state)
{
    seen_t s = {{0}};
    char *now = NULL;

    (void)state;
    assert_int_equal(tv_store_changes(st, "not a snapshot", on_change, &s, &now), TV_EDB);
    assert_null(now);
}

/* Waits (10 ms at most) for what the last step asked. */
static void wait_for(const tv_listener_t *l, int flags)
{
    struct pollfd p = {tv_listener_socket(l), 0, 0};

    p.events = (short)((flags & TV_LISTENER_READ ? POLLIN : 0) |
                       (flags & TV_LISTENER_WRITE ? POLLOUT : 0));
    poll(&p, 1, 10);
}

/* Steps until LISTEN holds (two seconds at most). */
static void until_listening(tv_listener_t *l)
{
    int flags = 0;

    for (int round = 0; round < 200 && !(flags & TV_LISTENER_LISTENING); round++) {
        flags = tv_listener_step(l);
        assert_true(flags >= 0);
        if (!(flags & TV_LISTENER_LISTENING))
            wait_for(l, flags);
    }
    assert_true(flags & TV_LISTENER_LISTENING);
}

/* Steps the listener until 'want' payloads are queued or two seconds pass; returns them
 * joined with spaces. */
static void hear(tv_listener_t *l, int want, char *out, size_t size)
{
    int got = 0;

    out[0] = '\0';
    for (int round = 0; round < 200 && got < want; round++) {
        int flags = tv_listener_step(l);
        char *payload;

        assert_true(flags >= 0);
        while ((payload = tv_listener_next(l)) != NULL) {
            size_t n = strlen(out);

            snprintf(out + n, size - n, "%s%s", n ? " " : "", payload);
            free(payload);
            got++;
        }
        if (got < want)
            wait_for(l, flags);
    }
}

static void test_listener_hears_one_notification_per_transaction(void **state)
{
    tv_listener_t *l = NULL;
    char heard[256];

    (void)state;
    assert_int_equal(tv_listener_open(tvt_scratch_conninfo(DB), &l), 0);
    until_listening(l);
    /* Three rows in one transaction: one doorbell. */
    tvt_exec(other, "BEGIN");
    put_company(other, "c-n1", "N1");
    put_company(other, "c-n2", "N2");
    tvt_exec(other, "DELETE FROM companies WHERE id = 'c-n1'");
    tvt_exec(other, "COMMIT");
    tvt_exec(other, "INSERT INTO events (id, name) VALUES ('ev-1', 'An event')");
    hear(l, 2, heard, sizeof(heard));
    assert_string_equal(heard, "profiles event:ev-1");
    /* Rolled back: nothing. */
    tvt_exec(other, "BEGIN");
    put_company(other, "c-n3", "N3");
    tvt_exec(other, "ROLLBACK");
    tvt_exec(other, "NOTIFY tavolo, 'marker'");
    hear(l, 1, heard, sizeof(heard));
    assert_string_equal(heard, "marker");
    tv_listener_close(l);
}

static void test_listener_reports_a_lost_connection(void **state)
{
    tv_listener_t *l = NULL;
    char sql[128];
    int flags = TV_LISTENER_READ, pid;

    (void)state;
    assert_int_equal(tv_listener_open(tvt_scratch_conninfo(DB), &l), 0);
    until_listening(l);
    /* Of this database only: a daemon of a test running alongside listens on the cluster too. */
    pid = (int)tvt_scalar(other, "SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN tavolo' "
                                 "AND datname = current_database()");
    snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)", pid);
    tvt_exec(other, sql);
    for (int round = 0; round < 200 && flags >= 0; round++) {
        wait_for(l, flags);
        flags = tv_listener_step(l);
    }
    assert_int_equal(flags, TV_EUNAVAIL);
    assert_true(strlen(tv_listener_error(l)) > 0);
    assert_null(strchr(tv_listener_error(l), '\n'));
    tv_listener_close(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feed_reports_each_write_once_as_it_is_now),
        cmocka_unit_test(test_feed_misses_no_write_that_commits_out_of_order),
        cmocka_unit_test(test_feed_refuses_a_malformed_snapshot),
        cmocka_unit_test(test_listener_hears_one_notification_per_transaction),
        cmocka_unit_test(test_listener_reports_a_lost_connection),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
