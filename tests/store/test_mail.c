/* Tests engine/store/store_mail.c against the test PostgreSQL: a message is queued once per
 * Message-ID, never for a recipient who unsubscribed from its kind (compared without case),
 * and a row the table refuses is TV_EINVAL, writing nothing. Checks go
 * through libpq directly. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "tavolo/error.h"
#include "tavolo/store.h"

#define DB "mail"

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

static tv_mail_row_t message(const char *message_id, const char *kind, const char *email)
{
    return (tv_mail_row_t){message_id,
                           kind,
                           "jpm-2027",
                           email,
                           "Chiara Rossi",
                           "it",
                           "Nuova richiesta di incontro",
                           "Message-ID: <x@tavolo>\nSubject: s\n\nbody\n"};
}

static tv_mail_outcome_t enqueue(const char *message_id, const char *kind, const char *email)
{
    tv_mail_row_t m = message(message_id, kind, email);
    tv_mail_outcome_t outcome = (tv_mail_outcome_t)-1;

    assert_int_equal(tv_store_mail_enqueue(st, &m, &outcome), 0);
    return outcome;
}

static void test_mail_is_queued_once_per_message_id(void **state)
{
    (void)state;
    assert_int_equal(enqueue("m-1@tavolo", "request_received", "chiara@x.example"), TV_MAIL_QUEUED);
    assert_int_equal(enqueue("m-1@tavolo", "request_received", "chiara@x.example"),
                     TV_MAIL_DUPLICATE);
    assert_int_equal(tvt_scalar(check, "SELECT count(*) FROM mail_messages WHERE message_id = "
                                       "'m-1@tavolo' AND status = 'queued' AND attempts = 0"),
                     1);
}

static void test_mail_respects_an_unsubscribe_per_kind(void **state)
{
    (void)state;
    assert_int_equal(tv_store_mail_unsubscribe(st, "Luca@X.example", "digest"), 0);
    assert_int_equal(tv_store_mail_unsubscribe(st, "luca@x.example", "digest"), 0);
    assert_int_equal(enqueue("m-2@tavolo", "digest", "luca@x.EXAMPLE"), TV_MAIL_UNSUBSCRIBED);
    assert_int_equal(enqueue("m-3@tavolo", "schedule", "luca@x.example"), TV_MAIL_QUEUED);
    assert_int_equal(tvt_scalar(check, "SELECT count(*) FROM mail_messages WHERE message_id IN "
                                       "('m-2@tavolo', 'm-3@tavolo')"),
                     1);
}

static void test_mail_needs_no_event_and_no_name(void **state)
{
    tv_mail_row_t m = message("m-4@tavolo", "invite", "a@x.example");
    tv_mail_outcome_t outcome = (tv_mail_outcome_t)-1;

    (void)state;
    m.event_id = m.recipient_name = NULL;
    assert_int_equal(tv_store_mail_enqueue(st, &m, &outcome), 0);
    assert_int_equal(outcome, TV_MAIL_QUEUED);
    assert_int_equal(tvt_scalar(check, "SELECT count(*) FROM mail_messages WHERE message_id = "
                                       "'m-4@tavolo' AND event_id IS NULL"),
                     1);
}

static void test_mail_refuses_a_row_out_of_the_tables_checks(void **state)
{
    tv_mail_row_t bad_kind = message("m-5@tavolo", "newsletter", "a@x.example");
    tv_mail_row_t bad_lang = message("m-6@tavolo", "digest", "a@x.example");
    tv_mail_row_t bad_address = message("m-7@tavolo", "digest", "nobody");

    (void)state;
    bad_lang.language = "de";
    assert_int_equal(tv_store_mail_enqueue(st, &bad_kind, NULL), TV_EINVAL);
    assert_non_null(strstr(tv_store_error(st), "m-5@tavolo"));
    assert_int_equal(tv_store_mail_enqueue(st, &bad_lang, NULL), TV_EINVAL);
    assert_int_equal(tv_store_mail_enqueue(st, &bad_address, NULL), TV_EINVAL);
    assert_int_equal(tvt_scalar(check, "SELECT count(*) FROM mail_messages WHERE message_id IN "
                                       "('m-5@tavolo', 'm-6@tavolo', 'm-7@tavolo')"),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mail_is_queued_once_per_message_id),
        cmocka_unit_test(test_mail_respects_an_unsubscribe_per_kind),
        cmocka_unit_test(test_mail_needs_no_event_and_no_name),
        cmocka_unit_test(test_mail_refuses_a_row_out_of_the_tables_checks),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
