/* Tests engine/store/store_notify.c against the test PostgreSQL: the secrets of the links in
 * mail (unsubscribe, outcome answers) are made once and read by everyone, even by two
 * processes making the same one at once, as a daemon's jobs do at its first start. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support.h"
#include "tavolo/error.h"
#include "tavolo/store.h"

#define DB "notify"
/* Secrets are 64 hexadecimal digits. */
#define FIRST "1111111111111111111111111111111111111111111111111111111111111111"
#define SECOND "2222222222222222222222222222222222222222222222222222222222222222"

static tv_store_t *st;
static PGconn *check;

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

static void exec_ok(const char *sql)
{
    PGresult *res = PQexec(check, sql);

    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
}

static void test_notify_secret_is_made_once(void **state)
{
    char a[128], b[128];

    (void)state;
    assert_int_equal(tv_store_notify_secret(st, "once", FIRST, a, sizeof(a)), 0);
    assert_int_equal(tv_store_notify_secret(st, "once", SECOND, b, sizeof(b)), 0);
    assert_string_equal(a, FIRST);
    assert_string_equal(b, FIRST);
}

typedef struct {
    int rc;
    char secret[128];
} asked_t;

static void *ask(void *arg)
{
    asked_t *x = arg;

    x->rc = tv_store_notify_secret(st, "race", SECOND, x->secret, sizeof(x->secret));
    return NULL;
}

/* Another process has made the secret but not committed yet: the store waits for it, and then
 * reads that secret (it once found no row: its statement's snapshot predated the commit). */
static void test_notify_secret_made_by_two_at_once_is_read_by_both(void **state)
{
    asked_t x = {-100, ""};
    struct timespec pause = {0, 300 * 1000 * 1000};
    pthread_t t;

    (void)state;
    exec_ok("BEGIN");
    exec_ok("INSERT INTO notify_secrets (name, secret) VALUES ('race', '" FIRST "')");
    assert_int_equal(pthread_create(&t, NULL, ask, &x), 0);
    nanosleep(&pause, NULL); /* the store's INSERT now waits on the row */
    exec_ok("COMMIT");
    assert_int_equal(pthread_join(t, NULL), 0);
    if (x.rc != 0)
        fail_msg("%s", tv_store_error(st));
    assert_string_equal(x.secret, FIRST);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notify_secret_is_made_once),
        cmocka_unit_test(test_notify_secret_made_by_two_at_once_is_read_by_both),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
