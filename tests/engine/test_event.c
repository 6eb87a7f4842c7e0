/* Tests engine/codec/codec_event.c and engine/core/event.c: the fixture events, slots, and every
 * validation message. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "support.h"
#include "tavolo/calendar.h"
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
    assert_string_equal(e.language, "en");
    tv_event_dispose(&e);
}

#define BASE                                                                                       \
    "\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-03-26\"],"        \
    "\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":60,\"tables\":2"
#define PARTS                                                                                      \
    "\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\"},{\"kind\":\"investor\",\"id\":"       \
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

/* An event frame around 'days', 'day' and 'extra' (",..." members or ""), with one company and
 * one investor. */
static char *frame(const char *zone, const char *days, const char *start, const char *end,
                   int slot_minutes, const char *extra)
{
    static char buf[2048];

    snprintf(buf, sizeof(buf),
             "{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"%s\",\"days\":[%s],\"day_start\":"
             "\"%s\",\"day_end\":\"%s\",\"slot_minutes\":%d,\"tables\":2%s," PARTS "}",
             zone, days, start, end, slot_minutes, extra);
    return buf;
}

/* "slot_minutes": null once read as 0-minute slots, and slot generation never ended. */
static void test_event_rejects_null_and_mistyped_numbers(void **state)
{
    (void)state;
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":null,"
                 "\"tables\":2," PARTS "}",
                 "slot_minutes", "not null");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"tables\":2," PARTS "}",
                 "slot_minutes", "required");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":\"30\","
                 "\"tables\":2," PARTS "}",
                 "slot_minutes", "integer from 5 to 240");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":30.5,"
                 "\"tables\":2," PARTS "}",
                 "slot_minutes", "integer from 5 to 240");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":-30,"
                 "\"tables\":2," PARTS "}",
                 "slot_minutes", "integer from 5 to 240");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":60,"
                 "\"tables\":null," PARTS "}",
                 "tables", "not null");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":60,"
                 "\"tables\":true," PARTS "}",
                 "tables", "integer from 1 to");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":60,"
                 "\"tables\":4294967297," PARTS "}",
                 "tables", "integer from 1 to");
    expect_error("{" BASE ",\"default_max_meetings\":\"many\"," PARTS "}", "default_max_meetings",
                 "integer from 1 to");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\","
                 "\"max_meetings\":[3]}]}",
                 "participants[0].max_meetings", "integer from 0 to");
}

static void expect_parse_error(const char *json, const char *field, const char *needle)
{
    tv_diags_t d = {0};
    tv_event_t e;

    assert_int_equal(tv_codec_event_decode(json, strlen(json), &e, &d), TV_EPARSE);
    assert_true(d.n >= 1);
    tvt_assert_diag(&d, 1, field, needle);
    tv_diags_dispose(&d);
}

/* jansson refuses numbers beyond its integer or double range; the message names the member. */
static void test_event_names_the_field_of_a_number_out_of_range(void **state)
{
    (void)state;
    expect_parse_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":["
                       "\"2027-03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\","
                       "\"slot_minutes\":9223372036854775808,\"tables\":2," PARTS "}",
                       "slot_minutes", "too big integer");
    expect_parse_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":["
                       "\"2027-03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\","
                       "\"slot_minutes\":1e400,\"tables\":2," PARTS "}",
                       "slot_minutes", "overflow");
    expect_parse_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\"},"
                       "{\"kind\":\"company\",\"id\":\"c-\\\"2\",\"people\":[],\"max_meetings\":"
                       "-1e999}]}",
                       "participants[1].max_meetings", "overflow");
}

static void test_event_rejects_bad_strings_and_ids(void **state)
{
    (void)state;
    expect_error("{\"id\":\"\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":60,"
                 "\"tables\":2," PARTS "}",
                 "id", "non-empty");
    expect_error("{\"id\":\"ev-12345678901234567890123456789012345678901234567890123456789012\","
                 "\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-03-26\"],"
                 "\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":60,"
                 "\"tables\":2," PARTS "}",
                 "id", "1 to 64");
    expect_error("{\"id\":\"ev\",\"name\":null,\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":60,"
                 "\"tables\":2," PARTS "}",
                 "name", "required");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Mars/Olympus\",\"days\":[\"2027-"
                 "03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":60,"
                 "\"tables\":2," PARTS "}",
                 "time_zone", "\"Mars/Olympus\" is not an IANA time zone");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":null,"
                 "\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":60,"
                 "\"tables\":2," PARTS "}",
                 "days", "expected an array");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"\"],"
                 "\"day_start\":\"09:00\",\"day_end\":\"12:00\",\"slot_minutes\":60,"
                 "\"tables\":2," PARTS "}",
                 "days[0]", "YYYY-MM-DD");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-26\",\"2027-03-26\"],\"day_start\":\"09:00\",\"day_end\":\"12:00\","
                 "\"slot_minutes\":60,\"tables\":2," PARTS "}",
                 "days[1]", "each once");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-26\"],\"day_start\":\" 9:00\",\"day_end\":\"12:00\",\"slot_minutes\":60,"
                 "\"tables\":2," PARTS "}",
                 "day_start", "HH:MM");
    expect_error("{\"id\":\"ev\",\"name\":\"E\",\"time_zone\":\"Europe/Rome\",\"days\":[\"2027-"
                 "03-26\"],\"day_start\":\"+9:00\",\"day_end\":\"12:00\",\"slot_minutes\":60,"
                 "\"tables\":2," PARTS "}",
                 "day_start", "HH:MM");
    expect_error("{" BASE ",\"participants\":null}", "participants", "expected an array");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"\"}]}",
                 "participants[0].id", "non-empty");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"c 1\"}]}",
                 "participants[0].id", "letters, digits");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"c-12345678901234567890"
                 "12345678901234567890123456789012345678901234\"}]}",
                 "participants[0].id", "64");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\","
                 "\"unavailable\":[\"\"]}]}",
                 "participants[0].unavailable[0]", "not a slot of the event");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\",\"people\":"
                 "[{\"name\":\"\",\"email\":\"a@b.example\"}]}]}",
                 "participants[0].people[0].name", "non-empty");
    expect_error("{" BASE "," PARTS ",\"requests\":[{\"company_id\":\"\",\"investor_id\":"
                 "\"i-1\",\"from\":\"company\",\"priority\":\"must\"}]}",
                 "requests[0].company_id", "non-empty");
    expect_error("{" BASE "," PARTS ",\"requests\":[{\"company_id\":\"c-1\",\"investor_id\":"
                 "\"i-1\",\"from\":\"company\",\"priority\":\"must\",\"status\":5}]}",
                 "requests[0].status", "\"pending\", \"accepted\" or \"declined\"");
    expect_error("{" BASE "," PARTS ",\"requests\":[{\"company_id\":\"c-1\",\"investor_id\":"
                 "\"i-1\",\"from\":\"company\",\"priority\":\"must\",\"message\":\"\"}]}",
                 "requests[0].message", "non-empty");
    expect_error("{" BASE "," PARTS ",\"requests\":{}}", "requests", "expected an array");
}

/* An optional member that the schema lets be null (api/daemon/openapi.yaml, EventFile) counts as
 * absent when null; a list may not be null. */
static void test_event_reads_null_optional_values_as_absent(void **state)
{
    const char *json = "{" BASE ",\"city\":null,\"request_deadline\":null,"
                       "\"default_max_meetings\":null,\"participants\":[{\"kind\":\"company\","
                       "\"id\":\"c-1\",\"max_meetings\":null,\"min_meetings\":null},{\"kind\":"
                       "\"investor\",\"id\":\"i-1\"}],\"requests\":[{\"company_id\":\"c-1\","
                       "\"investor_id\":\"i-1\",\"from\":\"company\",\"priority\":\"want\","
                       "\"message\":null,\"status\":null}]}";
    tv_diags_t d = {0};
    tv_event_t e;

    (void)state;
    assert_int_equal(tv_codec_event_decode(json, strlen(json), &e, &d), 0);
    assert_null(e.city);
    assert_null(e.request_deadline);
    assert_int_equal(e.default_max_meetings, 12);
    assert_int_equal(e.attendees[0].max_meetings, 12);
    assert_int_equal(e.attendees[0].min_meetings, 0);
    assert_null(e.requests[0].message);
    assert_int_equal(e.requests[0].status, TV_REQUEST_PENDING);
    tv_event_dispose(&e);
    expect_error("{" BASE ",\"breaks\":null," PARTS "}", "breaks", "expected an array");
    expect_error("{" BASE "," PARTS ",\"requests\":null}", "requests", "expected an array");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\","
                 "\"people\":null}]}",
                 "participants[0].people", "expected an array");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\","
                 "\"unavailable\":null}]}",
                 "participants[0].unavailable", "expected an array");
}

/* The event's language and each person's ("it" or "en", issue 15): kept, absent or null as
 * none, anything else refused naming its path. */
static void test_event_reads_languages(void **state)
{
    const char *json = "{" BASE ",\"language\":\"it\",\"participants\":[{\"kind\":\"company\","
                       "\"id\":\"c-1\",\"people\":[{\"name\":\"A\",\"email\":\"a@b.example\","
                       "\"language\":\"en\"},{\"name\":\"B\",\"email\":\"b@b.example\","
                       "\"language\":null},{\"name\":\"C\",\"email\":\"c@b.example\"}]}]}";
    const char *plain = "{" BASE "," PARTS "}";
    tv_diags_t d = {0};
    tv_event_t e;

    (void)state;
    assert_int_equal(tv_codec_event_decode(json, strlen(json), &e, &d), 0);
    assert_string_equal(e.language, "it");
    assert_string_equal(e.attendees[0].people[0].language, "en");
    assert_string_equal(e.attendees[0].people[1].language, "");
    assert_string_equal(e.attendees[0].people[2].language, "");
    tv_event_dispose(&e);
    assert_int_equal(tv_codec_event_decode(plain, strlen(plain), &e, &d), 0);
    assert_string_equal(e.language, "");
    tv_event_dispose(&e);
    expect_error("{" BASE ",\"language\":\"fr\"," PARTS "}", "language", "\"it\" or \"en\"");
    expect_error("{" BASE ",\"language\":\"IT\"," PARTS "}", "language", "\"it\" or \"en\"");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\"},{\"kind\":"
                 "\"investor\",\"id\":\"i-1\",\"people\":[{\"name\":\"A\",\"email\":"
                 "\"a@b.example\"},{\"name\":\"B\",\"email\":\"b@b.example\",\"language\":7}]}]}",
                 "participants[1].people[1].language", "\"it\" or \"en\"");
}

/* Every object has the members its schema lists, and no other: a misspelt optional member is
 * an error, not a setting silently left at its default. */
static void test_event_rejects_unknown_members(void **state)
{
    (void)state;
    expect_error("{" BASE ",\"default_max_meeting\":3," PARTS "}", "default_max_meeting",
                 "unknown field");
    expect_error("{" BASE ",\"breaks\":[{\"start\":\"10:00\",\"end\":\"10:30\",\"x\":1}]," PARTS
                 "}",
                 "breaks[0].x", "unknown field");
    expect_error("{" BASE ",\"breaks\":[\"10:00-10:30\"]," PARTS "}", "breaks[0]",
                 "expected an object");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\","
                 "\"max_meeting\":3}]}",
                 "participants[0].max_meeting", "unknown field");
    expect_error("{" BASE ",\"participants\":[7]}", "participants[0]", "expected an object");
    expect_error("{" BASE ",\"participants\":[{\"kind\":\"company\",\"id\":\"c-1\","
                 "\"people\":[{\"name\":\"A\",\"email\":\"a@b.example\",\"phone\":\"1\"}]}]}",
                 "participants[0].people[0].phone", "unknown field");
    expect_error("{" BASE "," PARTS ",\"requests\":[{\"company_id\":\"c-1\",\"investor_id\":"
                 "\"i-1\",\"from\":\"company\",\"priority\":\"must\",\"when\":\"now\"}]}",
                 "requests[0].when", "unknown field");
}

static void test_event_request_deadline_is_an_iso_8601_time(void **state)
{
    static const char *const good[] = {"2027-01-06T23:59:00-08:00", "2027-01-06T23:59Z",
                                       "2027-01-06T23:59", "2027-01-06"};
    static const char *const bad[] = {"soon", "2027-02-30", "2027-01-06T25:00Z", "06/01/2027",
                                      "2027-01-06T23:59:00-08:00 PST"};
    char extra[128];

    (void)state;
    for (size_t i = 0; i < TV__ARRAY_LEN(good); i++) {
        tv_diags_t d = {0};
        tv_event_t e;
        const char *json;

        snprintf(extra, sizeof(extra), ",\"request_deadline\":\"%s\"", good[i]);
        json = frame("America/Los_Angeles", "\"2027-01-11\"", "09:00", "12:00", 30, extra);
        assert_int_equal(tv_codec_event_decode(json, strlen(json), &e, &d), 0);
        assert_string_equal(e.request_deadline, good[i]);
        tv_event_dispose(&e);
    }
    for (size_t i = 0; i < TV__ARRAY_LEN(bad); i++) {
        snprintf(extra, sizeof(extra), ",\"request_deadline\":\"%s\"", bad[i]);
        expect_error(frame("America/Los_Angeles", "\"2027-01-11\"", "09:00", "12:00", 30, extra),
                     "request_deadline", "ISO 8601");
    }
    expect_error(frame("America/Los_Angeles", "\"2027-01-11\"", "09:00", "12:00", 30,
                       ",\"request_deadline\":20270106"),
                 "request_deadline", "ISO 8601");
}

static void test_event_breaks_lie_within_the_day(void **state)
{
    (void)state;
    expect_error("{" BASE ",\"breaks\":[{\"start\":\"08:00\",\"end\":\"09:30\"}]," PARTS "}",
                 "breaks[0].start", "before day_start");
    expect_error("{" BASE ",\"breaks\":[{\"start\":\"10:00\",\"end\":\"10:30\"},{\"start\":"
                 "\"11:30\",\"end\":\"13:00\"}]," PARTS "}",
                 "breaks[1].end", "after day_end");
    expect_error("{" BASE ",\"breaks\":[{\"start\":\"10:30\",\"end\":\"10:30\"}]," PARTS "}",
                 "breaks[0].end", "end after it starts");
    expect_error("{" BASE ",\"breaks\":[{\"start\":\"10:30\",\"end\":\"10:00\"}]," PARTS "}",
                 "breaks[0].end", "end after it starts");
    expect_error("{" BASE ",\"breaks\":[{\"start\":\"10:30\"}]," PARTS "}", "breaks[0].end",
                 "HH:MM");
    expect_error("{" BASE ",\"breaks\":[null]," PARTS "}", "breaks[0].start", "HH:MM");
}

/* Whatever reaches it, slot generation ends and never writes past its array. */
static void test_event_slots_refuse_a_frame_the_codec_would_refuse(void **state)
{
    char day[] = "2027-03-26";
    char *days[] = {day};
    tv_strings_t slots = {NULL, 0};
    tv_event_t e;

    (void)state;
    tv_event_init(&e);
    e.days.items = days;
    e.days.n = 1;
    e.day_start_minute = 540;
    e.day_end_minute = 720;
    e.slot_minutes = 0;
    assert_int_equal(tv_event_slots(&e, &slots), TV_EINVAL);
    e.slot_minutes = -30;
    assert_int_equal(tv_event_slots(&e, &slots), TV_EINVAL);
    e.slot_minutes = 30;
    e.day_end_minute = 500;
    assert_int_equal(tv_event_slots(&e, &slots), TV_EINVAL);
    e.day_end_minute = 1500;
    assert_int_equal(tv_event_slots(&e, &slots), TV_EINVAL);
    e.day_end_minute = 720;
    e.day_start_minute = -60;
    assert_int_equal(tv_event_slots(&e, &slots), TV_EINVAL);
    e.day_start_minute = 540;
    days[0] = NULL;
    assert_int_equal(tv_event_slots(&e, &slots), TV_EINVAL);
    assert_null(slots.items);
    days[0] = day;
    assert_int_equal(tv_event_slots(&e, &slots), 0);
    assert_int_equal(slots.n, 6);
    tv_strings_free(&slots);
}

/* The instants of the slots of a decoded event, checked to be distinct and increasing. */
static void assert_distinct_instants(const tv_event_t *e, size_t want)
{
    tv_strings_t slots;
    int64_t prev = INT64_MIN;

    assert_int_equal(tv_event_slots(e, &slots), 0);
    assert_int_equal(slots.n, want);
    for (size_t k = 0; k < slots.n; k++) {
        size_t at = (size_t)-1;
        int64_t utc;

        assert_int_equal(tv_calendar_parse_time(e->time_zone, slots.items[k], &utc), 0);
        assert_true(utc >= prev + e->slot_minutes * 60);
        prev = utc;
        assert_int_equal(tv_event_slot_find(e, slots.items[k], &at), 0);
        assert_int_equal(at, k);
    }
    tv_strings_free(&slots);
}

/* 2027-03-14 in Los Angeles: 02:00 PST becomes 03:00 PDT. 02:00-02:30 once mapped to 03:00 and
 * an investor got two meetings at 03:00 at one table. */
static void test_event_rejects_slots_the_clocks_skip(void **state)
{
    const char *json;
    tv_diags_t d = {0};
    tv_event_t e;

    (void)state;
    expect_error(frame("America/Los_Angeles", "\"2027-03-14\"", "01:00", "04:00", 30, ""),
                 "days[0]",
                 "02:00-02:30 does not exist in America/Los_Angeles on 2027-03-14 (clocks go "
                 "forward)");
    expect_error(
        frame("America/Los_Angeles", "\"2027-03-13\",\"2027-03-14\"", "01:00", "04:00", 60, ""),
        "days[1]", "02:00-03:00");
    expect_error(frame("America/Los_Angeles", "\"2027-03-14\"", "01:30", "03:30", 60, ""),
                 "days[0]", "01:30-02:30 does not exist");
    expect_error(frame("Europe/Rome", "\"2027-03-28\"", "00:00", "06:00", 60, ""), "days[0]",
                 "02:00-03:00 does not exist in Europe/Rome on 2027-03-28");
    /* A break over the change leaves real slots only; one may end at the jump. */
    json = frame("America/Los_Angeles", "\"2027-03-14\"", "01:00", "04:00", 30,
                 ",\"breaks\":[{\"start\":\"02:00\",\"end\":\"03:00\"}]");
    assert_int_equal(tv_codec_event_decode(json, strlen(json), &e, &d), 0);
    assert_distinct_instants(&e, 4);
    tv_event_dispose(&e);
}

/* 2027-11-07 in Los Angeles: 02:00 PDT becomes 01:00 PST, so 01:00-01:59 happens twice. */
static void test_event_rejects_slots_the_clocks_repeat(void **state)
{
    const char *json;
    tv_diags_t d = {0};
    tv_event_t e;

    (void)state;
    expect_error(frame("America/Los_Angeles", "\"2027-11-07\"", "00:00", "03:00", 30, ""),
                 "days[0]",
                 "01:00-01:30 occurs twice in America/Los_Angeles on 2027-11-07 (clocks go back)");
    expect_error(frame("America/Los_Angeles", "\"2027-11-07\"", "00:30", "03:30", 90, ""),
                 "days[0]", "00:30-02:00 occurs twice");
    json = frame("America/Los_Angeles", "\"2027-11-07\"", "00:00", "03:00", 30,
                 ",\"breaks\":[{\"start\":\"01:00\",\"end\":\"02:00\"}]");
    assert_int_equal(tv_codec_event_decode(json, strlen(json), &e, &d), 0);
    assert_distinct_instants(&e, 4);
    tv_event_dispose(&e);
    /* Fixtures far from any change are untouched. */
    decode_fixture("events/jpm-2027.json", &e);
    assert_distinct_instants(&e, 42);
    tv_event_dispose(&e);
}

/* A meeting's slot may be named by its local start or by any ISO 8601 time with an offset:
 * the offset is honoured, never dropped ("T10:00:00+09:00" is not local 10:00). */
static void test_event_slot_find_reads_local_names_and_offsets(void **state)
{
    static const char *const not_slots[] = {"2027-01-11T10:00:00+09:00", /* 01:00Z */
                                            "2027-01-11T10:00:30-08:00", "2027-01-11T12:30",
                                            "2027-01-11T08:30",          "2027-01-14T10:00",
                                            "2027-01-11T10:15"};
    static const char *const not_times[] = {"", "soon", "2027-01-11", "2027-01-11T10:00+99:00",
                                            "2027-01-11T10:00:00-08:00trailing"};
    size_t at = 99;
    tv_event_t e;

    (void)state;
    decode_fixture("events/jpm-2027.json", &e);
    assert_int_equal(tv_event_slot_find(&e, "2027-01-11T10:00", &at), 0);
    assert_int_equal(at, 2);
    at = 99;
    assert_int_equal(tv_event_slot_find(&e, "2027-01-11T10:00:00-08:00", &at), 0);
    assert_int_equal(at, 2);
    at = 99;
    assert_int_equal(tv_event_slot_find(&e, "2027-01-12T03:00:00+09:00", &at), 0);
    assert_int_equal(at, 2);
    at = 99;
    assert_int_equal(tv_event_slot_find(&e, "2027-01-11T18:00:00Z", &at), 0);
    assert_int_equal(at, 2);
    assert_int_equal(tv_event_slot_find(&e, "2027-01-13T16:30:00-08:00", &at), 0);
    assert_int_equal(at, 41);
    at = 99;
    for (size_t i = 0; i < TV__ARRAY_LEN(not_slots); i++) {
        if (tv_event_slot_find(&e, not_slots[i], &at) != TV_ENOTFOUND)
            fail_msg("\"%s\" was found", not_slots[i]);
    }
    for (size_t i = 0; i < TV__ARRAY_LEN(not_times); i++) {
        if (tv_event_slot_find(&e, not_times[i], &at) != TV_EINVAL)
            fail_msg("\"%s\" was read", not_times[i]);
    }
    assert_int_equal(at, 99);
    tv_event_dispose(&e);
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

/* A large event for the index tests: 'nc' companies c-K and 'ni' investors whose ids are also
 * c-K (the same id of the other kind is another participant), 'extra_parts' and 'extra_requests'
 * (",..." or "") after them, and a request for each of 'nr' distinct pairs. */
typedef struct {
    char *s;
    size_t n, cap;
} text_t;

static void put(text_t *t, const char *fmt, ...)
{
    va_list ap;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    while (t->n + (size_t)len + 1 > t->cap) {
        t->cap = t->cap == 0 ? 1 << 16 : 2 * t->cap;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
    va_end(ap);
    t->n += (size_t)len;
}

static char *large_event(size_t nc, size_t ni, const char *extra_parts, size_t nr,
                         const char *extra_requests)
{
    text_t t = {0};

    put(&t, "{" BASE ",\"participants\":[");
    for (size_t k = 0; k < nc + ni; k++)
        put(&t, "%s{\"kind\":\"%s\",\"id\":\"c-%zu\"}", k == 0 ? "" : ",",
            k < nc ? "company" : "investor", k < nc ? k : k - nc);
    put(&t, "%s],\"requests\":[", extra_parts);
    for (size_t k = 0; k < nr; k++)
        put(&t,
            "%s{\"company_id\":\"c-%zu\",\"investor_id\":\"c-%zu\",\"from\":\"company\","
            "\"priority\":\"want\"}",
            k == 0 ? "" : ",", k % nc, (k / nc + k % nc) % ni);
    put(&t, "%s]}", extra_requests);
    return t.s;
}

/* Decodes 'json' expecting TV_EINVAL and exactly 'n' diagnostics, fields[k] and needles[k]. */
static void expect_errors(char *json, size_t n, const char *const *fields,
                          const char *const *needles)
{
    tv_diags_t d = {0};
    tv_event_t e;

    assert_int_equal(tv_codec_event_decode(json, strlen(json), &e, &d), TV_EINVAL);
    for (size_t k = 0; k < d.n; k++)
        fprintf(stderr, "  have: %s: %s\n", d.items[k].field, d.items[k].message);
    assert_int_equal(d.n, n);
    for (size_t k = 0; k < n; k++) {
        assert_string_equal(d.items[k].field, fields[k]);
        assert_non_null(strstr(d.items[k].message, needles[k]));
    }
    tv_diags_dispose(&d);
    free(json);
}

static void test_event_large_keeps_order_and_kinds_apart(void **state)
{
    char *json = large_event(8000, 4000, "", 20000, "");
    tv_diags_t d = {0};
    tv_event_t e;

    (void)state;
    assert_int_equal(tv_codec_event_decode(json, strlen(json), &e, &d), 0);
    assert_int_equal(e.n_attendees, 12000);
    assert_int_equal(e.n_requests, 20000);
    for (size_t k = 0; k < e.n_attendees; k++) {
        char id[32];

        snprintf(id, sizeof(id), "c-%zu", k < 8000 ? k : k - 8000);
        assert_string_equal(e.attendees[k].id, id);
        assert_int_equal(e.attendees[k].kind, k < 8000 ? TV_KIND_COMPANY : TV_KIND_INVESTOR);
    }
    assert_string_equal(e.requests[19999].company_id, "c-3999");
    tv_event_dispose(&e);
    free(json);
}

static void test_event_large_refuses_duplicates_with_their_paths(void **state)
{
    static const char *const f1[] = {"participants[12000].id", "participants[12001].id",
                                     "participants[12003].id"};
    static const char *const m1[] = {"\"c-7\" is listed twice", "\"c-3999\" is listed twice",
                                     "\"c-7\" is listed twice"};
    static const char *const f2[] = {"requests[20000].investor_id", "requests[20001].company_id",
                                     "requests[20002]", "requests[20004]"};
    static const char *const m2[] = {
        "\"c-5000\" is not a participant", "\"c-8000\" is not a participant",
        "a second request for the same pair", "a second request for the same pair"};

    (void)state;
    expect_errors(large_event(8000, 4000,
                              ",{\"kind\":\"company\",\"id\":\"c-7\"},{\"kind\":\"investor\","
                              "\"id\":\"c-3999\"},{\"kind\":\"investor\",\"id\":\"c-4000\"},"
                              "{\"kind\":\"company\",\"id\":\"c-7\"}",
                              0, ""),
                  3, f1, m1);
    expect_errors(large_event(8000, 4000, "", 20000,
                              ",{\"company_id\":\"c-1\",\"investor_id\":\"c-5000\",\"from\":"
                              "\"company\",\"priority\":\"want\"},{\"company_id\":\"c-8000\","
                              "\"investor_id\":\"c-1\",\"from\":\"company\",\"priority\":"
                              "\"want\"},{\"company_id\":\"c-17\",\"investor_id\":\"c-19\","
                              "\"from\":\"investor\",\"priority\":\"must\"},{\"company_id\":"
                              "\"c-3\",\"investor_id\":\"c-3999\",\"from\":\"company\","
                              "\"priority\":\"want\"},{\"company_id\":\"c-17\",\"investor_id\":"
                              "\"c-19\",\"from\":\"company\",\"priority\":\"want\"}"),
                  4, f2, m2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_fixtures_decode_with_their_slots),
        cmocka_unit_test(test_event_rejects_each_bad_field),
        cmocka_unit_test(test_event_breaks_remove_slots),
        cmocka_unit_test(test_event_rejects_null_and_mistyped_numbers),
        cmocka_unit_test(test_event_names_the_field_of_a_number_out_of_range),
        cmocka_unit_test(test_event_rejects_bad_strings_and_ids),
        cmocka_unit_test(test_event_reads_null_optional_values_as_absent),
        cmocka_unit_test(test_event_reads_languages),
        cmocka_unit_test(test_event_rejects_unknown_members),
        cmocka_unit_test(test_event_request_deadline_is_an_iso_8601_time),
        cmocka_unit_test(test_event_breaks_lie_within_the_day),
        cmocka_unit_test(test_event_slots_refuse_a_frame_the_codec_would_refuse),
        cmocka_unit_test(test_event_rejects_slots_the_clocks_skip),
        cmocka_unit_test(test_event_rejects_slots_the_clocks_repeat),
        cmocka_unit_test(test_event_slot_find_reads_local_names_and_offsets),
        cmocka_unit_test(test_event_large_keeps_order_and_kinds_apart),
        cmocka_unit_test(test_event_large_refuses_duplicates_with_their_paths),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
