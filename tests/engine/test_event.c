/* Tests engine/codec_event.c and engine/event.c: the fixture events, slots, and every
 * validation message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "tavolo/event.h"

static void decode_fixture(const char *rel, tv_event_t *e)
{
    size_t len;
    char *text = tvt_read_fixture(rel, &len);
    tv_diags_t d = {0};
    int rc = tv_codec_event_decode(text, len, e, &d);

    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "%s: %s: %s\n", rel, d.items[i].field, d.items[i].message);
    assert_int_equal(rc, 0);
    free(text);
}

static void test_event_fixtures_decode_with_their_slots(void **state)
{
    tv_event_t e;
    tv_strings_t slots;

    (void)state;
    decode_fixture("events/jpm-2027.json", &e);
    assert_string_equal(e.time_zone, "America/Los_Angeles");
    assert_int_equal(e.days.n, 3);
    assert_true(e.n_attendees >= 40);
    assert_true(e.n_requests >= 10);
    assert_int_equal(tv_event_slots(&e, &slots), 0);
    /* 09:00-17:00 in 30 minutes with 12:30-13:30 off: 14 slots a day. */
    assert_int_equal(slots.n, 42);
    assert_string_equal(slots.items[0], "2027-01-11T09:00");
    assert_string_equal(slots.items[7], "2027-01-11T13:30");
    assert_string_equal(slots.items[41], "2027-01-13T16:30");
    tv_strings_free(&slots);
    tv_event_dispose(&e);
    decode_fixture("events/bio-2027.json", &e);
    tv_event_dispose(&e);
}

#define BASE                                                                                    \
    "\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-03-26\"],"    \
    "\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":60,\"tables\":2"
#define PARTS                                                                                   \
    "\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\"},{\"kind\":\"investor\",\"id\":"   \
    "\"i-1\"}]"

static void expect_error(const char *json, const char *field, const char *needle)
{
    tv_diags_t d = {0};
    tv_event_t e;

    assert_int_equal(tv_codec_event_decode(json, strlen(json), &e, &d), TV_EINVAL);
    tvt_assert_diag(&d, 0, field, needle);
    tv_diags_dispose(&d);
}

static void test_event_rejects_each_bad_field(void **state)
{
    (void)state;
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "02-30\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":60,"
                 "\"tables\":2," PARTS "}",
                 "days[0]", "YYYY-MM-DD");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-27\",\"2027-03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\","
                 "\"slot_minutes\":60,\"tables\":2," PARTS "}",
                 "days[1]", "in order");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-26\"],\"day_start\":\"12:00\",\"day_end\":\"09:00\",\"slot_minutes\":60,"
                 "\"tables\":2," PARTS "}",
                 "day_end", "end after it starts");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\","
                 "\"unavailable\":[\"2027-03-26T09:30\"]}]}",
                 "participants[0].unavailable[0]", "not a slot of the event");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\","
                 "\"max_meetings\":2,\"min_meetings\":3}]}",
                 "participants[0].min_meetings", "not be above max_meetings");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\"},"
                 "{\"kind\":\"company\",\"id\":\"c-1\"}]}",
                 "participants[1].id", "listed twice");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"fund\",\"id\":\"x\"}]}",
                 "participants[0].kind", "\"company\" or \"investor\"");
    expect_error("{" BASE "," PARTS ",\"requests\":[{\"company_id\":\"c-1\",\"investor_id\":"
                 "\"i-9\",\"from\":\"company\",\"priority\":\"must\"}]}",
                 "requests[0].investor_id", "not a participant");
    expect_error("{" BASE "," PARTS ",\"requests\":[{\"company_id\":\"c-1\",\"investor_id\":"
                 "\"i-1\",\"from\":\"company\",\"priority\":\"urgent\"}]}",
                 "requests[0].priority", "\"must\" or \"want\"");
    expect_error("{" BASE "," PARTS ",\"requests\":[{\"company_id\":\"c-1\",\"investor_id\":"
                 "\"i-1\",\"from\":\"company\",\"priority\":\"must\"},{\"company_id\":\"c-1\","
                 "\"investor_id\":\"i-1\",\"from\":\"investor\",\"priority\":\"want\"}]}",
                 "requests[1]", "same pair");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\",\"people\":"
                 "[{\"name\":\"A\",\"email\":\"not an address\"}]}]}",
                 "participants[0].people[0].email", "e-mail");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":60,"
                 "\"tables\":0," PARTS "}",
                 "tables", "from 1 to");
}

static void test_event_breaks_remove_slots(void **state)
{
    const char *json = "{" BASE ",\"breaks\":[{\"start\":\"10:00\",\"end\":\"10:30\"}]," PARTS "}";
    tv_diags_t d = {0};
    tv_strings_t slots;
    tv_event_t e;

    (void)state;
    assert_int_equal(tv_codec_event_decode(json, strlen(json), &e, &d), 0);
    assert_int_equal(tv_event_slots(&e, &slots), 0);
    /* 09-10, (10-11 overlaps the break), 11-12 */
    assert_int_equal(slots.n, 2);
    assert_string_equal(slots.items[1], "2027-03-26T11:00");
    tv_strings_free(&slots);
    tv_event_dispose(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_fixtures_decode_with_their_slots),
        cmocka_unit_test(test_event_rejects_each_bad_field),
        cmocka_unit_test(test_event_breaks_remove_slots),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
