/* Tests engine/core/calendar.c: local times to UTC and back across DST changes (against the C
 * library's reading of the same time zone database), the .ics text of an event, rejected input,
 * allocation failures and calls from several threads. tests/engine/check_ics.py reads the .ics
 * with another implementation. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "support.h"
#include "tavolo/calendar.h"

#define LA "America/Los_Angeles"
#define ROME "Europe/Rome"

/* Seconds since the epoch of a UTC date and time (days from civil, proleptic Gregorian). */
static int64_t utc_of(int y, int m, int d, int hh, int mm, int ss)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (era * 146097 + doe - 719468) * 86400 + hh * 3600 + mm * 60 + ss;
}

static int64_t to_utc(const char *zone, int y, int m, int d, int hh, int mm)
{
    int64_t out = -1;

    assert_int_equal(tv_calendar_local_to_utc(zone, y, m, d, hh, mm, &out), 0);
    return out;
}

static void assert_local(const char *zone, int64_t utc, const char *want)
{
    char buf[32];

    assert_int_equal(tv_calendar_format_local(zone, utc, buf, sizeof(buf)), 0);
    assert_string_equal(buf, want);
}

static void test_calendar_local_to_utc_known_instants(void **state)
{
    (void)state;
    assert_int_equal(to_utc(LA, 2027, 1, 11, 9, 0), utc_of(2027, 1, 11, 17, 0, 0));
    assert_int_equal(to_utc(LA, 2027, 7, 1, 9, 0), utc_of(2027, 7, 1, 16, 0, 0));
    assert_int_equal(to_utc(ROME, 2027, 1, 11, 9, 0), utc_of(2027, 1, 11, 8, 0, 0));
    assert_int_equal(to_utc(ROME, 2027, 6, 1, 9, 0), utc_of(2027, 6, 1, 7, 0, 0));
    assert_int_equal(to_utc("Asia/Seoul", 2027, 5, 12, 10, 0), utc_of(2027, 5, 12, 1, 0, 0));
    assert_int_equal(to_utc("Asia/Dubai", 2027, 3, 28, 10, 0), utc_of(2027, 3, 28, 6, 0, 0));
    assert_int_equal(to_utc("UTC", 2027, 3, 28, 10, 0), utc_of(2027, 3, 28, 10, 0, 0));
}

/* US DST starts 2027-03-14: 02:00 PST becomes 03:00 PDT. Rome: 2027-03-28, 02:00 -> 03:00. */
static void test_calendar_local_to_utc_reads_a_skipped_time_after_the_jump(void **state)
{
    (void)state;
    assert_int_equal(to_utc(LA, 2027, 3, 14, 1, 59), utc_of(2027, 3, 14, 9, 59, 0));
    assert_int_equal(to_utc(LA, 2027, 3, 14, 2, 0), utc_of(2027, 3, 14, 10, 0, 0));
    assert_int_equal(to_utc(LA, 2027, 3, 14, 2, 30), utc_of(2027, 3, 14, 10, 30, 0));
    assert_local(LA, utc_of(2027, 3, 14, 10, 30, 0), "2027-03-14T03:30:00-07:00");
    assert_int_equal(to_utc(LA, 2027, 3, 14, 3, 0), utc_of(2027, 3, 14, 10, 0, 0));
    assert_int_equal(to_utc(LA, 2027, 3, 14, 3, 30), utc_of(2027, 3, 14, 10, 30, 0));
    assert_int_equal(to_utc(ROME, 2027, 3, 28, 1, 59), utc_of(2027, 3, 28, 0, 59, 0));
    assert_int_equal(to_utc(ROME, 2027, 3, 28, 2, 30), utc_of(2027, 3, 28, 1, 30, 0));
    assert_local(ROME, utc_of(2027, 3, 28, 1, 30, 0), "2027-03-28T03:30:00+02:00");
    assert_int_equal(to_utc(ROME, 2027, 3, 28, 3, 0), utc_of(2027, 3, 28, 1, 0, 0));
}

/* US DST ends 2027-11-07: 02:00 PDT becomes 01:00 PST. Rome: 2027-10-31, 03:00 -> 02:00. */
static void test_calendar_local_to_utc_reads_a_repeated_time_as_the_first(void **state)
{
    (void)state;
    assert_int_equal(to_utc(LA, 2027, 11, 7, 0, 59), utc_of(2027, 11, 7, 7, 59, 0));
    assert_int_equal(to_utc(LA, 2027, 11, 7, 1, 0), utc_of(2027, 11, 7, 8, 0, 0));
    assert_int_equal(to_utc(LA, 2027, 11, 7, 1, 30), utc_of(2027, 11, 7, 8, 30, 0));
    assert_int_equal(to_utc(LA, 2027, 11, 7, 2, 0), utc_of(2027, 11, 7, 10, 0, 0));
    assert_int_equal(to_utc(ROME, 2027, 10, 31, 1, 59), utc_of(2027, 10, 30, 23, 59, 0));
    assert_int_equal(to_utc(ROME, 2027, 10, 31, 2, 0), utc_of(2027, 10, 31, 0, 0, 0));
    assert_int_equal(to_utc(ROME, 2027, 10, 31, 2, 30), utc_of(2027, 10, 31, 0, 30, 0));
    assert_int_equal(to_utc(ROME, 2027, 10, 31, 3, 0), utc_of(2027, 10, 31, 2, 0, 0));
}

static void test_calendar_format_local_known_instants(void **state)
{
    (void)state;
    assert_local(LA, utc_of(2027, 1, 11, 17, 0, 0), "2027-01-11T09:00:00-08:00");
    assert_local(LA, utc_of(2027, 3, 14, 9, 59, 59), "2027-03-14T01:59:59-08:00");
    assert_local(LA, utc_of(2027, 3, 14, 10, 0, 0), "2027-03-14T03:00:00-07:00");
    assert_local(LA, utc_of(2027, 11, 7, 8, 30, 0), "2027-11-07T01:30:00-07:00");
    assert_local(LA, utc_of(2027, 11, 7, 9, 30, 0), "2027-11-07T01:30:00-08:00");
    assert_local(ROME, utc_of(2027, 3, 28, 0, 59, 59), "2027-03-28T01:59:59+01:00");
    assert_local(ROME, utc_of(2027, 3, 28, 1, 0, 0), "2027-03-28T03:00:00+02:00");
    assert_local(ROME, utc_of(2027, 10, 31, 0, 30, 0), "2027-10-31T02:30:00+02:00");
    assert_local(ROME, utc_of(2027, 10, 31, 1, 30, 0), "2027-10-31T02:30:00+01:00");
    assert_local("Asia/Seoul", utc_of(2027, 5, 12, 1, 0, 0), "2027-05-12T10:00:00+09:00");
    assert_local("Asia/Dubai", utc_of(2027, 7, 1, 6, 0, 0), "2027-07-01T10:00:00+04:00");
    assert_local("Asia/Kolkata", utc_of(2027, 7, 1, 6, 0, 0), "2027-07-01T11:30:00+05:30");
    assert_local("UTC", utc_of(2027, 7, 1, 6, 0, 0), "2027-07-01T06:00:00+00:00");
    /* Liberia kept -0:44:30 until 1972. */
    assert_local("Africa/Monrovia", 0, "1969-12-31T23:15:30-00:44:30");
}

static void test_calendar_format_local_checks_the_buffer(void **state)
{
    char buf[32];

    (void)state;
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tv_calendar_format_local(LA, utc_of(2027, 1, 11, 17, 0, 0), buf, 25),
                     TV_ERANGE);
    assert_int_equal(buf[0], 'x');
    assert_int_equal(tv_calendar_format_local(LA, utc_of(2027, 1, 11, 17, 0, 0), buf, 26), 0);
    assert_string_equal(buf, "2027-01-11T09:00:00-08:00");
    assert_int_equal(tv_calendar_format_local("Mars/Olympus", 0, buf, sizeof(buf)), TV_EINVAL);
    assert_int_equal(tv_calendar_format_local(LA, -1, buf, sizeof(buf)), TV_EINVAL);
    assert_int_equal(tv_calendar_format_local(LA, utc_of(2501, 1, 1, 0, 0, 0), buf, 32), TV_EINVAL);
}

/* The wall time at 'utc' in 'zone' by the C library, read as if UTC; 'zone' must be in TZ. */
static int64_t libc_wall(int64_t utc)
{
    time_t t = (time_t)utc;
    struct tm tm;

    assert_non_null(localtime_r(&t, &tm));
    return utc_of(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Every quarter hour of 2026..2028 both ways, against glibc reading the same tz files. */
static void check_zone_against_libc(const char *zone)
{
    char tz[64];
    int64_t from = utc_of(2026, 1, 1, 0, 0, 0);
    int64_t to = utc_of(2029, 1, 1, 0, 0, 0);

    snprintf(tz, sizeof(tz), ":%s", zone);
    setenv("TZ", tz, 1);
    tzset();
    for (int64_t u = from; u < to; u += 900) {
        int64_t wall = libc_wall(u);
        int64_t offset = wall - u;
        char buf[32], want[32];
        time_t w = (time_t)wall;
        struct tm tm;
        int64_t back;

        gmtime_r(&w, &tm);
        snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 offset < 0 ? '-' : '+', (int)(llabs(offset) / 3600),
                 (int)(llabs(offset) / 60 % 60));
        assert_int_equal(tv_calendar_format_local(zone, u, buf, sizeof(buf)), 0);
        assert_string_equal(buf, want);
        back = to_utc(zone, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
        /* The same instant, or the first of a repeated wall time. */
        if (back != u) {
            assert_true(back < u);
            assert_int_equal(libc_wall(back), wall);
        }
    }
    unsetenv("TZ");
    tzset();
}

static void test_calendar_agrees_with_the_c_library(void **state)
{
    static const char *zones[] = {
        LA, ROME, "Asia/Seoul", "Asia/Dubai", "Australia/Sydney", "America/Sao_Paulo"};

    (void)state;
    for (size_t i = 0; i < TV__ARRAY_LEN(zones); i++)
        check_zone_against_libc(zones[i]);
}

static void test_calendar_local_to_utc_rejects_bad_input(void **state)
{
    int64_t out = 42;

    (void)state;
    assert_int_equal(tv_calendar_local_to_utc("Mars/Olympus", 2027, 1, 1, 9, 0, &out), TV_EINVAL);
    assert_int_equal(tv_calendar_local_to_utc("america/los_angeles", 2027, 1, 1, 9, 0, &out),
                     TV_EINVAL);
    assert_int_equal(tv_calendar_local_to_utc("../zoneinfo/Europe/Rome", 2027, 1, 1, 9, 0, &out),
                     TV_EINVAL);
    assert_int_equal(
        tv_calendar_local_to_utc("/usr/share/zoneinfo/Europe/Rome", 2027, 1, 1, 9, 0, &out),
        TV_EINVAL);
    assert_int_equal(tv_calendar_local_to_utc("", 2027, 1, 1, 9, 0, &out), TV_EINVAL);
    assert_int_equal(tv_calendar_local_to_utc(NULL, 2027, 1, 1, 9, 0, &out), TV_EINVAL);
    assert_int_equal(tv_calendar_local_to_utc(LA, 2027, 2, 29, 9, 0, &out), TV_EINVAL);
    assert_int_equal(tv_calendar_local_to_utc(LA, 2027, 13, 1, 9, 0, &out), TV_EINVAL);
    assert_int_equal(tv_calendar_local_to_utc(LA, 2027, 1, 1, 24, 0, &out), TV_EINVAL);
    assert_int_equal(tv_calendar_local_to_utc(LA, 2027, 1, 1, 9, 60, &out), TV_EINVAL);
    assert_int_equal(tv_calendar_local_to_utc(LA, 1969, 1, 1, 9, 0, &out), TV_EINVAL);
    assert_int_equal(tv_calendar_local_to_utc(LA, 2501, 1, 1, 9, 0, &out), TV_EINVAL);
    assert_int_equal(out, 42);
    assert_int_equal(tv_calendar_local_to_utc(LA, 2028, 2, 29, 9, 0, &out), 0);
    assert_int_equal(out, utc_of(2028, 2, 29, 17, 0, 0));
    /* Names outside zone.tab are read from their files. */
    assert_int_equal(tv_calendar_local_to_utc("Etc/GMT+8", 2027, 1, 11, 9, 0, &out), 0);
    assert_int_equal(out, utc_of(2027, 1, 11, 17, 0, 0));
}

/* ---- local spans and times with offsets ---- */

static int span(const char *zone, int y, int m, int d, int start_minute, int end_minute,
                int64_t *start_utc)
{
    return tv_calendar_local_span(zone, y, m, d, start_minute, end_minute, start_utc);
}

/* US DST starts 2027-03-14: 02:00 PST becomes 03:00 PDT, so local times from 02:00 to 02:59
 * never occur. A span may end at the jump; none may start in it or run through it. */
static void test_calendar_local_span_finds_the_hour_clocks_skip(void **state)
{
    int64_t at = 42;

    (void)state;
    assert_int_equal(span(LA, 2027, 3, 14, 60, 90, &at), TV_SPAN_REAL);
    assert_int_equal(at, utc_of(2027, 3, 14, 9, 0, 0));
    assert_int_equal(span(LA, 2027, 3, 14, 90, 120, &at), TV_SPAN_REAL);
    assert_int_equal(at, utc_of(2027, 3, 14, 9, 30, 0));
    at = 42;
    assert_int_equal(span(LA, 2027, 3, 14, 120, 150, &at), TV_SPAN_SKIPPED);
    assert_int_equal(span(LA, 2027, 3, 14, 150, 180, &at), TV_SPAN_SKIPPED);
    assert_int_equal(span(LA, 2027, 3, 14, 90, 150, &at), TV_SPAN_SKIPPED);
    assert_int_equal(span(LA, 2027, 3, 14, 60, 240, &at), TV_SPAN_SKIPPED);
    assert_int_equal(at, 42);
    assert_int_equal(span(LA, 2027, 3, 14, 180, 210, &at), TV_SPAN_REAL);
    assert_int_equal(at, utc_of(2027, 3, 14, 10, 0, 0));
    /* Rome: 2027-03-28, 02:00 CET becomes 03:00 CEST. */
    assert_int_equal(span(ROME, 2027, 3, 28, 120, 150, &at), TV_SPAN_SKIPPED);
    assert_int_equal(span(ROME, 2027, 3, 28, 540, 600, &at), TV_SPAN_REAL);
    assert_int_equal(at, utc_of(2027, 3, 28, 7, 0, 0));
}

/* US DST ends 2027-11-07: 02:00 PDT becomes 01:00 PST, so local times from 01:00 to 01:59
 * occur twice. A span may end where the repeated hour begins. */
static void test_calendar_local_span_finds_the_hour_clocks_repeat(void **state)
{
    int64_t at = 42;

    (void)state;
    assert_int_equal(span(LA, 2027, 11, 7, 30, 60, &at), TV_SPAN_REAL);
    assert_int_equal(at, utc_of(2027, 11, 7, 7, 30, 0));
    at = 42;
    assert_int_equal(span(LA, 2027, 11, 7, 60, 90, &at), TV_SPAN_REPEATED);
    assert_int_equal(span(LA, 2027, 11, 7, 90, 120, &at), TV_SPAN_REPEATED);
    assert_int_equal(span(LA, 2027, 11, 7, 30, 90, &at), TV_SPAN_REPEATED);
    assert_int_equal(span(LA, 2027, 11, 7, 0, 180, &at), TV_SPAN_REPEATED);
    assert_int_equal(at, 42);
    assert_int_equal(span(LA, 2027, 11, 7, 120, 150, &at), TV_SPAN_REAL);
    assert_int_equal(at, utc_of(2027, 11, 7, 10, 0, 0));
    /* A span may end at 24:00. */
    assert_int_equal(span(LA, 2027, 11, 7, 1380, 1440, &at), TV_SPAN_REAL);
    assert_int_equal(at, utc_of(2027, 11, 8, 7, 0, 0));
    assert_int_equal(span(ROME, 2027, 10, 31, 120, 150, &at), TV_SPAN_REPEATED);
    assert_int_equal(span("Asia/Seoul", 2027, 11, 7, 60, 90, &at), TV_SPAN_REAL);
}

static void test_calendar_local_span_rejects_bad_input(void **state)
{
    int64_t at = 42;

    (void)state;
    assert_int_equal(span("Mars/Olympus", 2027, 1, 11, 540, 570, &at), TV_EINVAL);
    assert_int_equal(span(NULL, 2027, 1, 11, 540, 570, &at), TV_EINVAL);
    assert_int_equal(span(LA, 2027, 2, 30, 540, 570, &at), TV_EINVAL);
    assert_int_equal(span(LA, 2501, 1, 11, 540, 570, &at), TV_EINVAL);
    assert_int_equal(span(LA, 2027, 1, 11, -30, 0, &at), TV_EINVAL);
    assert_int_equal(span(LA, 2027, 1, 11, 540, 540, &at), TV_EINVAL);
    assert_int_equal(span(LA, 2027, 1, 11, 570, 540, &at), TV_EINVAL);
    assert_int_equal(span(LA, 2027, 1, 11, 1410, 1470, &at), TV_EINVAL);
    assert_int_equal(at, 42);
    assert_int_equal(span(LA, 2027, 1, 11, 540, 570, NULL), TV_EINVAL);
}

static int64_t parse_time(const char *zone, const char *text)
{
    int64_t out = -1;

    assert_int_equal(tv_calendar_parse_time(zone, text, &out), 0);
    return out;
}

/* An offset gives the exact instant, whatever the zone: 10:00 at +09:00 is not 10:00 local. */
static void test_calendar_parse_time_honours_the_offset(void **state)
{
    int64_t nine = utc_of(2027, 1, 11, 17, 0, 0);

    (void)state;
    assert_int_equal(parse_time(LA, "2027-01-11T09:00"), nine);
    assert_int_equal(parse_time(LA, "2027-01-11T09:00:00"), nine);
    assert_int_equal(parse_time(LA, "2027-01-11T09:00:00-08:00"), nine);
    assert_int_equal(parse_time(LA, "2027-01-11T09:00-08:00"), nine);
    assert_int_equal(parse_time(LA, "2027-01-11T17:00:00Z"), nine);
    assert_int_equal(parse_time(LA, "2027-01-11T17:00:00+00:00"), nine);
    assert_int_equal(parse_time(LA, "2027-01-12T02:00:00+09:00"), nine);
    assert_int_equal(parse_time(ROME, "2027-01-12T02:00:00+09:00"), nine);
    assert_int_equal(parse_time(LA, "2027-01-11T10:00:00+09:00"), utc_of(2027, 1, 11, 1, 0, 0));
    assert_int_equal(parse_time(LA, "2027-01-11T22:30:00+05:30"), nine);
    assert_int_equal(parse_time(LA, "2027-01-11T09:00:30-08:00"), nine + 30);
    /* With an offset the zone is not consulted, so a time in a skipped hour is fine. */
    assert_int_equal(parse_time(LA, "2027-03-14T09:30:00Z"), utc_of(2027, 3, 14, 9, 30, 0));
    assert_int_equal(parse_time(LA, "2027-11-07T01:30:00-08:00"), utc_of(2027, 11, 7, 9, 30, 0));
    assert_int_equal(parse_time(LA, "2027-11-07T01:30:00-07:00"), utc_of(2027, 11, 7, 8, 30, 0));
}

static void test_calendar_parse_time_rejects_bad_or_unreal_times(void **state)
{
    static const char *const bad[] = {
        "",
        "soon",
        "2027-01-11",
        "2027-01-11 09:00",
        "2027-01-11T9:00",
        "2027-01-11T09:00:00.5Z",
        "2027-01-11T09:00:00z",
        "2027-01-11T09:00:00+0900",
        "2027-01-11T09:00:00+9:00",
        "2027-01-11T09:00:00+19:00",
        "2027-01-11T09:00:00+09:60",
        "2027-01-11T09:00:00-08:00 ",
        "2027-01-11T24:00",
        "2027-01-11T09:60",
        "2027-01-11T09:00:60Z",
        "2027-02-29T09:00Z",
        "2027-13-01T09:00Z",
        "+027-01-11T09:00Z",
        "2027-01-11T+9:00Z",
        "1969-12-31T09:00Z",
        "2501-01-01T09:00Z",
    };
    int64_t out = 42;

    (void)state;
    for (size_t i = 0; i < TV__ARRAY_LEN(bad); i++) {
        if (tv_calendar_parse_time(LA, bad[i], &out) != TV_EINVAL)
            fail_msg("\"%s\" was read", bad[i]);
    }
    assert_int_equal(tv_calendar_parse_time(LA, NULL, &out), TV_EINVAL);
    assert_int_equal(tv_calendar_parse_time("Mars/Olympus", "2027-01-11T09:00", &out), TV_EINVAL);
    assert_int_equal(tv_calendar_parse_time(LA, "2027-01-11T09:00", NULL), TV_EINVAL);
    /* A local time the clocks skip or repeat is no one instant. */
    assert_int_equal(tv_calendar_parse_time(LA, "2027-03-14T02:30", &out), TV_ERANGE);
    assert_int_equal(tv_calendar_parse_time(LA, "2027-11-07T01:30", &out), TV_ERANGE);
    assert_int_equal(out, 42);
}

/* ---- .ics ---- */

static const char *const emails_1[] = {"giulia.bianchi@adriatica.example", "ceo@velarna.example",
                                       NULL};
static const char *const names_1[] = {"Giulia Bianchi", "Müller, Anna; PhD", NULL};
static const char *const emails_2[] = {"kim@hanriver.example", NULL};

/* A confirmed meeting at sequence 0 with only a summary. */
static tv_cal_meeting_t meeting(const char *uid, int64_t start, int64_t end, const char *summary)
{
    tv_cal_meeting_t m;

    memset(&m, 0, sizeof(m));
    m.uid = uid;
    m.start_utc = start;
    m.end_utc = end;
    m.summary = summary;
    return m;
}

/* A J.P. Morgan-like agenda in San Francisco, 2027-01-11..13; 'revision' 2 cancels the
 * second meeting and moves the third, bumping their SEQUENCE. */
static void jpm_meetings(tv_cal_meeting_t m[3], int revision)
{
    int64_t stamp = utc_of(2026, 12, 1, 12, 0, 0);

    m[0] = meeting("m-1001@tavolo", to_utc(LA, 2027, 1, 11, 9, 0), to_utc(LA, 2027, 1, 11, 9, 30),
                   "Velarna Therapeutics / Adriatica Bio Ventures, Società Benefit");
    m[0].description = "Series B; oncology, ADC platform\nAgenda: pipeline, terms";
    m[0].location = "Table 12; Westin St. Francis";
    m[0].attendee_emails = emails_1;
    m[0].attendee_names = names_1;
    m[1] = meeting("m-1002@tavolo", to_utc(LA, 2027, 1, 12, 14, 30), to_utc(LA, 2027, 1, 12, 15, 0),
                   "Laguna Bio / Han River Capital");
    m[1].location = "Table 3";
    m[1].attendee_emails = emails_2;
    m[2] = meeting("m-1003@tavolo", to_utc(LA, 2027, 1, 13, 11, 0), to_utc(LA, 2027, 1, 13, 11, 45),
                   "Oncora / Adriatica");
    for (int i = 0; i < 3; i++)
        m[i].stamp_utc = stamp;
    if (revision == 2) {
        m[1].cancelled = 1;
        m[1].sequence = 1;
        m[1].stamp_utc += 86400;
        m[2].start_utc += 1800;
        m[2].end_utc += 1800;
        m[2].sequence = 1;
        m[2].stamp_utc += 86400;
    }
}

static const tv_cal_event_t jpm_event = {.name = "J.P. Morgan Healthcare Conference, San Francisco",
                                         .time_zone = LA};

static char *export(const tv_cal_event_t *ev, const tv_cal_meeting_t *m, size_t n)
{
    char *ics = NULL;

    assert_int_equal(tv_calendar_ics(ev, m, n, &ics), 0);
    assert_non_null(ics);
    return ics;
}

/* The text with folded lines joined (RFC 5545 3.1). */
static char *unfold(const char *ics)
{
    char *out = malloc(strlen(ics) + 1);
    size_t j = 0;

    assert_non_null(out);
    for (size_t i = 0; ics[i] != '\0'; i++) {
        if (ics[i] == '\r' && ics[i + 1] == '\n' && (ics[i + 2] == ' ' || ics[i + 2] == '\t')) {
            i += 2;
            continue;
        }
        out[j++] = ics[i];
    }
    out[j] = '\0';
    return out;
}

static size_t count(const char *text, const char *needle)
{
    size_t n = 0;

    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The VEVENT block whose UID is 'uid' (a copy, caller frees). */
static char *event_block(const char *ics, const char *uid)
{
    char line[128];
    const char *at, *begin, *end;

    snprintf(line, sizeof(line), "\r\nUID:%s\r\n", uid);
    at = strstr(ics, line);
    assert_non_null(at);
    for (begin = at; strncmp(begin, "BEGIN:VEVENT", 12) != 0; begin--)
        ;
    end = strstr(at, "END:VEVENT");
    assert_non_null(end);
    return strndup(begin, (size_t)(end - begin));
}

static void test_calendar_ics_writes_the_event_zone_and_one_vevent_per_meeting(void **state)
{
    tv_cal_meeting_t m[3];
    char *ics, *text;

    (void)state;
    jpm_meetings(m, 1);
    ics = export(&jpm_event, m, 3);
    text = unfold(ics);
    assert_int_equal(strncmp(text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 30), 0);
    assert_non_null(strstr(text, "\r\nPRODID:-//tavolo//agenda//EN\r\n"));
    assert_non_null(strstr(text, "\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n"));
    assert_non_null(
        strstr(text, "\r\nX-WR-CALNAME:J.P. Morgan Healthcare Conference, San Francisco\r\n"));
    assert_non_null(strstr(text, "\r\nX-WR-TIMEZONE:America/Los_Angeles\r\n"));
    assert_int_equal(count(text, "BEGIN:VTIMEZONE\r\nTZID:America/Los_Angeles\r\n"), 1);
    /* The rules in force in 2027: second Sunday of March, first Sunday of November. */
    assert_non_null(strstr(text, "TZOFFSETFROM:-0800\r\nTZOFFSETTO:-0700\r\n"
                                 "DTSTART:20270314T020000\r\nRRULE:FREQ=YEARLY;"));
    assert_non_null(strstr(text, "BYDAY=2SU;BYMONTH=3\r\n"));
    assert_non_null(strstr(text, "TZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800\r\n"
                                 "DTSTART:20271107T020000\r\nRRULE:FREQ=YEARLY;"));
    assert_non_null(strstr(text, "BYDAY=1SU;BYMONTH=11\r\n"));
    /* Trimmed to start in 2027: no 19th-century observances. */
    assert_null(strstr(text, "DTSTART:1883"));
    assert_int_equal(count(text, "BEGIN:VEVENT\r\n"), 3);
    assert_non_null(strstr(text, "\r\nUID:m-1001@tavolo\r\nDTSTAMP:20261201T120000Z\r\n"
                                 "DTSTART;TZID=America/Los_Angeles:20270111T090000\r\n"
                                 "DTEND;TZID=America/Los_Angeles:20270111T093000\r\n"
                                 "SEQUENCE:0\r\nSTATUS:CONFIRMED\r\n"));
    assert_non_null(strstr(text, "\r\nDTSTART;TZID=America/Los_Angeles:20270112T143000\r\n"));
    assert_non_null(strstr(text, "\r\nDTSTART;TZID=America/Los_Angeles:20270113T110000\r\n"));
    assert_non_null(strstr(text, "\r\nATTENDEE;CN=Giulia Bianchi:"
                                 "mailto:giulia.bianchi@adriatica.example\r\n"));
    assert_non_null(strstr(text, "\r\nATTENDEE:mailto:kim@hanriver.example\r\n"));
    assert_int_equal(strcmp(text + strlen(text) - 15, "END:VCALENDAR\r\n"), 0);
    free(text);
    free(ics);
}

static void test_calendar_ics_is_stable_and_marks_changes(void **state)
{
    tv_cal_meeting_t m[3];
    char *first, *again, *second, *block;

    (void)state;
    jpm_meetings(m, 1);
    first = export(&jpm_event, m, 3);
    again = export(&jpm_event, m, 3);
    assert_string_equal(first, again);
    free(again);
    jpm_meetings(m, 2);
    second = export(&jpm_event, m, 3);
    block = event_block(second, "m-1002@tavolo");
    assert_non_null(strstr(block, "\r\nSEQUENCE:1\r\nSTATUS:CANCELLED\r\n"));
    free(block);
    block = event_block(second, "m-1003@tavolo");
    assert_non_null(strstr(block, "\r\nDTSTART;TZID=America/Los_Angeles:20270113T113000\r\n"));
    assert_non_null(strstr(block, "\r\nSEQUENCE:1\r\nSTATUS:CONFIRMED\r\n"));
    free(block);
    block = event_block(second, "m-1001@tavolo");
    again = event_block(first, "m-1001@tavolo");
    assert_string_equal(block, again);
    free(block);
    free(again);
    free(second);
    free(first);
}

static void test_calendar_ics_escapes_text(void **state)
{
    static const char *const emails[] = {"a@x.example", "b@x.example", NULL};
    static const char *const names[] = {"Rossi, Maria; è", "Kim\nMin-jun", NULL};
    tv_cal_meeting_t m =
        meeting("u;1,a@tavolo", utc_of(2027, 1, 11, 17, 0, 0), utc_of(2027, 1, 11, 17, 30, 0),
                "Società Benefit, S.r.l.; è \\ ok");
    char *ics, *text;

    (void)state;
    m.description = "one\r\ntwo\nthree\x07"
                    "four";
    m.location = "Sala è; piano 2, ala B";
    m.attendee_emails = emails;
    m.attendee_names = names;
    ics = export(&jpm_event, &m, 1);
    text = unfold(ics);
    assert_non_null(strstr(text, "\r\nUID:u\\;1\\,a@tavolo\r\n"));
    assert_non_null(strstr(text, "\r\nSUMMARY:Società Benefit\\, S.r.l.\\; è \\\\ ok\r\n"));
    assert_non_null(strstr(text, "\r\nDESCRIPTION:one\\ntwo\\nthree four\r\n"));
    assert_non_null(strstr(text, "\r\nLOCATION:Sala è\\; piano 2\\, ala B\r\n"));
    assert_non_null(strstr(text, "\r\nATTENDEE;CN=\"Rossi, Maria; è\":mailto:a@x.example\r\n"));
    assert_non_null(strstr(text, "\r\nATTENDEE;CN=Kim Min-jun:mailto:b@x.example\r\n"));
    /* Every line ends in CRLF and holds at most 75 octets. */
    for (const char *line = ics; *line != '\0';) {
        const char *end = strstr(line, "\r\n");

        assert_non_null(end);
        assert_true(end - line <= 75);
        assert_null(memchr(line, '\n', (size_t)(end - line)));
        line = end + 2;
    }
    free(text);
    free(ics);
}

/* 01:30 on 2027-11-07 happens twice in Los Angeles: written as UTC, not as a local time. */
static void test_calendar_ics_writes_a_repeated_local_time_in_utc(void **state)
{
    tv_cal_meeting_t m[2] = {
        meeting("first@tavolo", utc_of(2027, 11, 7, 8, 30, 0), utc_of(2027, 11, 7, 8, 50, 0), "a"),
        meeting("late@tavolo", utc_of(2027, 11, 7, 9, 30, 0), utc_of(2027, 11, 7, 10, 30, 0), "b"),
    };
    tv_cal_event_t ev = {.name = "x", .time_zone = LA};
    char *ics;

    (void)state;
    ics = export(&ev, m, 2);
    assert_non_null(strstr(ics, "\r\nDTSTART:20271107T083000Z\r\nDTEND:20271107T085000Z\r\n"));
    assert_non_null(strstr(ics, "\r\nDTSTART:20271107T093000Z\r\n"
                                "DTEND;TZID=America/Los_Angeles:20271107T023000\r\n"));
    free(ics);
}

static void test_calendar_ics_in_rome_across_both_changes(void **state)
{
    tv_cal_meeting_t m[2] = {
        meeting("spring@tavolo", to_utc(ROME, 2027, 3, 28, 1, 30), to_utc(ROME, 2027, 3, 28, 4, 0),
                "a"),
        meeting("autumn@tavolo", to_utc(ROME, 2027, 10, 31, 10, 0),
                to_utc(ROME, 2027, 10, 31, 10, 30), "b"),
    };
    tv_cal_event_t ev = {.name = "BioItaly", .time_zone = ROME};
    char *ics;

    (void)state;
    assert_int_equal(m[0].end_utc - m[0].start_utc, 90 * 60);
    ics = export(&ev, m, 2);
    assert_non_null(strstr(ics, "\r\nDTSTART;TZID=Europe/Rome:20270328T013000\r\n"
                                "DTEND;TZID=Europe/Rome:20270328T040000\r\n"));
    assert_non_null(strstr(ics, "\r\nDTSTART;TZID=Europe/Rome:20271031T100000\r\n"));
    assert_non_null(strstr(ics, "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
                                "DTSTART:20270328T020000\r\n"));
    assert_non_null(strstr(ics, "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
                                "DTSTART:20271031T030000\r\n"));
    free(ics);
}

static void test_calendar_ics_zones_without_dst_and_utc(void **state)
{
    tv_cal_meeting_t m =
        meeting("d@tavolo", utc_of(2027, 3, 28, 6, 0, 0), utc_of(2027, 3, 28, 6, 30, 0), "a");
    tv_cal_event_t dubai = {.name = "Dubai", .time_zone = "Asia/Dubai"};
    tv_cal_event_t utc = {.name = "Online", .time_zone = "UTC"};
    tv_cal_event_t seoul = {.name = "Seoul", .time_zone = "Asia/Seoul"};
    char *ics;

    (void)state;
    ics = export(&dubai, &m, 1);
    assert_non_null(strstr(ics, "\r\nTZID:Asia/Dubai\r\n"));
    assert_null(strstr(ics, "BEGIN:DAYLIGHT"));
    assert_non_null(strstr(ics, "\r\nDTSTART;TZID=Asia/Dubai:20270328T100000\r\n"));
    free(ics);
    ics = export(&seoul, &m, 1);
    assert_null(strstr(ics, "BEGIN:DAYLIGHT"));
    assert_non_null(strstr(ics, "\r\nDTSTART;TZID=Asia/Seoul:20270328T150000\r\n"));
    free(ics);
    ics = export(&utc, &m, 1);
    assert_non_null(strstr(ics, "\r\nTZID:UTC\r\n"));
    assert_non_null(strstr(ics, "\r\nDTSTART;TZID=UTC:20270328T060000\r\n"));
    free(ics);
    ics = export(&seoul, NULL, 0);
    assert_non_null(strstr(ics, "\r\nTZID:Asia/Seoul\r\n"));
    assert_null(strstr(ics, "BEGIN:VEVENT"));
    free(ics);
}

/* iTIP (RFC 5546): METHOD:REQUEST or CANCEL, and an ORGANIZER in every VEVENT, which both
 * require; a PUBLISH calendar has none. */
static void test_calendar_ics_itip_request_and_cancel(void **state)
{
    tv_cal_meeting_t m[3];
    tv_cal_event_t req = {
        jpm_event.name, LA,  TV_CAL_REQUEST, "notify@tavolo.example", "Tavolo, organisers",
        NULL,           NULL};
    tv_cal_event_t cancel = {jpm_event.name, LA,   TV_CAL_CANCEL, "notify@tavolo.example",
                             NULL,           NULL, NULL};
    char *ics, *flat;

    (void)state;
    jpm_meetings(m, 2);
    flat = unfold(ics = export(&req, m, 3));
    assert_non_null(strstr(flat, "\r\nMETHOD:REQUEST\r\n"));
    assert_int_equal(count(flat, "METHOD:"), 1);
    assert_int_equal(count(flat, "\r\nORGANIZER;CN=\"Tavolo, organisers\":mailto:notify@tavolo"
                                 ".example\r\n"),
                     3);
    assert_non_null(strstr(flat, "\r\nUID:m-1001@tavolo\r\n"));
    assert_int_equal(count(flat, "\r\nSEQUENCE:1\r\n"), 2);
    free(flat), free(ics);
    flat = unfold(ics = export(&cancel, &m[1], 1));
    assert_non_null(strstr(flat, "\r\nMETHOD:CANCEL\r\n"));
    assert_int_equal(count(flat, "\r\nORGANIZER:mailto:notify@tavolo.example\r\n"), 1);
    assert_non_null(strstr(flat, "\r\nSTATUS:CANCELLED\r\n"));
    free(flat), free(ics);
    ics = export(&jpm_event, m, 3);
    assert_non_null(strstr(ics, "\r\nMETHOD:PUBLISH\r\n"));
    assert_null(strstr(ics, "ORGANIZER"));
    free(ics);
}

/* The recipient of an iTIP message is an ATTENDEE of every VEVENT, once: added when the
 * meeting does not list the address already (compared without case). */
static void test_calendar_ics_itip_adds_the_recipient_as_attendee(void **state)
{
    tv_cal_meeting_t m[3];
    tv_cal_event_t ev = {
        jpm_event.name,         LA,       TV_CAL_REQUEST, "notify@tavolo.example", NULL,
        "Kim@HanRiver.example", "Kim Lee"};
    char *ics, *flat;

    (void)state;
    jpm_meetings(m, 1);
    flat = unfold(ics = export(&ev, m, 3));
    assert_int_equal(count(flat, "ATTENDEE;CN=Kim Lee:mailto:Kim@HanRiver.example\r\n"), 2);
    assert_int_equal(count(flat, "mailto:kim@hanriver.example\r\n"), 1);
    assert_int_equal(count(flat, "BEGIN:VEVENT"), 3);
    free(flat), free(ics);
    ev.attendee_email = "bad address@x.example";
    assert_int_equal(tv_calendar_ics(&ev, m, 3, &ics), TV_EINVAL);
}

/* A request or cancellation needs an organiser with a plain address; no other method. */
static void test_calendar_ics_itip_needs_an_organizer(void **state)
{
    tv_cal_meeting_t good =
        meeting("g@tavolo", utc_of(2027, 1, 11, 17, 0, 0), utc_of(2027, 1, 11, 17, 30, 0), "a");
    tv_cal_event_t ev = {"x", LA, TV_CAL_REQUEST, NULL, NULL, NULL, NULL};
    char *ics = (char *)"untouched";

    (void)state;
    assert_int_equal(tv_calendar_ics(&ev, &good, 1, &ics), TV_EINVAL);
    ev.method = TV_CAL_CANCEL;
    assert_int_equal(tv_calendar_ics(&ev, &good, 1, &ics), TV_EINVAL);
    ev.organizer_email = "no body@x.example";
    assert_int_equal(tv_calendar_ics(&ev, &good, 1, &ics), TV_EINVAL);
    ev.organizer_email = "a@x.example";
    ev.method = (tv_cal_method_t)7;
    assert_int_equal(tv_calendar_ics(&ev, &good, 1, &ics), TV_EINVAL);
    assert_string_equal(ics, "untouched");
    ev.method = TV_CAL_PUBLISH;
    ev.organizer_email = "no body@x.example";
    assert_int_equal(tv_calendar_ics(&ev, &good, 1, &ics), TV_EINVAL);
}

static void test_calendar_ics_rejects_bad_input(void **state)
{
    static const char *const bad_email[] = {"a b@x.example", NULL};
    static const char *const no_email[] = {"", NULL};
    tv_cal_meeting_t good =
        meeting("g@tavolo", utc_of(2027, 1, 11, 17, 0, 0), utc_of(2027, 1, 11, 17, 30, 0), "a");
    tv_cal_event_t unknown = {.name = "x", .time_zone = "Mars/Olympus_Mons"};
    tv_cal_event_t path = {.name = "x", .time_zone = "../../../etc/passwd"};
    tv_cal_meeting_t m;
    char *ics = (char *)"untouched";

    (void)state;
    assert_int_equal(tv_calendar_ics(&unknown, &good, 1, &ics), TV_EINVAL);
    assert_int_equal(tv_calendar_ics(&path, &good, 1, &ics), TV_EINVAL);
    m = good;
    m.end_utc = m.start_utc - 60;
    assert_int_equal(tv_calendar_ics(&jpm_event, &m, 1, &ics), TV_EINVAL);
    m.end_utc = m.start_utc;
    assert_int_equal(tv_calendar_ics(&jpm_event, &m, 1, &ics), TV_EINVAL);
    m = good;
    m.sequence = -1;
    assert_int_equal(tv_calendar_ics(&jpm_event, &m, 1, &ics), TV_EINVAL);
    m = good;
    m.uid = "";
    assert_int_equal(tv_calendar_ics(&jpm_event, &m, 1, &ics), TV_EINVAL);
    m = good;
    m.summary = NULL;
    assert_int_equal(tv_calendar_ics(&jpm_event, &m, 1, &ics), TV_EINVAL);
    m = good;
    m.attendee_emails = bad_email;
    assert_int_equal(tv_calendar_ics(&jpm_event, &m, 1, &ics), TV_EINVAL);
    m.attendee_emails = no_email;
    assert_int_equal(tv_calendar_ics(&jpm_event, &m, 1, &ics), TV_EINVAL);
    m = good;
    m.end_utc = utc_of(2501, 1, 1, 0, 0, 0);
    assert_int_equal(tv_calendar_ics(&jpm_event, &m, 1, &ics), TV_EINVAL);
    assert_int_equal(tv_calendar_ics(&jpm_event, NULL, 1, &ics), TV_EINVAL);
    assert_int_equal(tv_calendar_ics(NULL, &good, 1, &ics), TV_EINVAL);
    assert_string_equal(ics, "untouched");
}

/* Fails the 1st, 2nd, ... allocation until the export succeeds: each failure is TV_ENOMEM,
 * leaves '*out' alone and leaks nothing (the sanitizer build checks). */
static void test_calendar_ics_allocation_failures(void **state)
{
    tv_cal_meeting_t m[3];
    char *want = NULL;
    int failures = 0;

    (void)state;
    jpm_meetings(m, 2);
    want = export(&jpm_event, m, 3);
    for (long n = 1; n < 10000; n++) {
        char *ics = NULL;
        int rc;

        tv__alloc_fail_at(n);
        rc = tv_calendar_ics(&jpm_event, m, 3, &ics);
        tv__alloc_fail_at(0);
        if (rc == 0) {
            assert_string_equal(ics, want);
            free(ics);
            break;
        }
        if (rc != TV_ENOMEM)
            fail_msg("allocation %ld failed: got %d, expected TV_ENOMEM", n, rc);
        assert_null(ics);
        failures++;
    }
    assert_true(failures >= 10);
    free(want);
}

/* ---- threads ---- */

#define THREADS 4
#define ROUNDS 50

static pthread_barrier_t start_line;

/* Zones not used before in this process, so that the threads race to load them; some are
 * outside zone.tab (libical appends those to its table). */
static const char *const fresh_zones[THREADS] = {"America/Chicago", "Etc/GMT-5", "Europe/Berlin",
                                                 "Etc/GMT+4"};
static const int64_t fresh_offsets[THREADS] = {-6 * 3600, 5 * 3600, 3600, -4 * 3600};

static void *worker(void *arg)
{
    size_t k = (size_t)arg;
    const char *zone = fresh_zones[k];
    tv_cal_event_t ev = {.name = "threads", .time_zone = zone};
    int64_t noon = utc_of(2027, 1, 15, 12, 0, 0);
    tv_cal_meeting_t m = meeting("t@tavolo", noon, noon + 1800, "a");
    char want[32];
    long bad = 0;

    snprintf(want, sizeof(want), "TZID=%s:", zone);
    pthread_barrier_wait(&start_line);
    for (int r = 0; r < ROUNDS; r++) {
        const char *z = fresh_zones[(k + (size_t)r) % THREADS];
        int64_t offset = fresh_offsets[(k + (size_t)r) % THREADS];
        int64_t utc = 0;
        char *ics = NULL;

        bad += tv_calendar_local_to_utc(z, 2027, 1, 15, 12, 0, &utc) != 0;
        bad += utc != noon - offset;
        bad += tv_calendar_ics(&ev, &m, 1, &ics) != 0;
        bad += ics == NULL || strstr(ics, want) == NULL;
        free(ics);
    }
    return (void *)bad;
}

static void test_calendar_is_safe_from_several_threads(void **state)
{
    pthread_t threads[THREADS];

    (void)state;
    assert_int_equal(pthread_barrier_init(&start_line, NULL, THREADS), 0);
    for (size_t k = 0; k < THREADS; k++)
        assert_int_equal(pthread_create(&threads[k], NULL, worker, (void *)k), 0);
    for (size_t k = 0; k < THREADS; k++) {
        void *bad;

        assert_int_equal(pthread_join(threads[k], &bad), 0);
        assert_int_equal((long)bad, 0);
    }
    pthread_barrier_destroy(&start_line);
}

static void test_calendar_words_in_each_language(void **state)
{
    char buf[64];

    (void)state;
    assert_int_equal(tv_calendar_words("2027-01-11T09:30", "en", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "Monday 11 January 2027, 09:30");
    assert_int_equal(tv_calendar_words("2027-01-11T09:30", "it", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "lunedì 11 gennaio 2027, 09:30");
    assert_int_equal(tv_calendar_words("2024-02-29", "it", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "giovedì 29 febbraio 2024");
    assert_int_equal(tv_calendar_words("1999-12-31", NULL, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "Friday 31 December 1999");
    assert_int_equal(tv_calendar_words("1969-07-20T20:17", "en", buf, sizeof(buf)), 0);
    assert_string_equal(buf, "Sunday 20 July 1969, 20:17");
    assert_int_equal(tv_calendar_words("2023-02-29", "en", buf, sizeof(buf)), TV_EINVAL);
    assert_int_equal(tv_calendar_words("2027-01-11 09:30", "en", buf, sizeof(buf)), TV_EINVAL);
    assert_int_equal(tv_calendar_words("2027-01-11T09:30", "en", buf, 10), TV_ERANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* First, while no zone has been loaded yet. */
        cmocka_unit_test(test_calendar_is_safe_from_several_threads),
        cmocka_unit_test(test_calendar_local_to_utc_known_instants),
        cmocka_unit_test(test_calendar_local_to_utc_reads_a_skipped_time_after_the_jump),
        cmocka_unit_test(test_calendar_local_to_utc_reads_a_repeated_time_as_the_first),
        cmocka_unit_test(test_calendar_format_local_known_instants),
        cmocka_unit_test(test_calendar_format_local_checks_the_buffer),
        cmocka_unit_test(test_calendar_agrees_with_the_c_library),
        cmocka_unit_test(test_calendar_local_to_utc_rejects_bad_input),
        cmocka_unit_test(test_calendar_local_span_finds_the_hour_clocks_skip),
        cmocka_unit_test(test_calendar_local_span_finds_the_hour_clocks_repeat),
        cmocka_unit_test(test_calendar_local_span_rejects_bad_input),
        cmocka_unit_test(test_calendar_parse_time_honours_the_offset),
        cmocka_unit_test(test_calendar_parse_time_rejects_bad_or_unreal_times),
        cmocka_unit_test(test_calendar_ics_writes_the_event_zone_and_one_vevent_per_meeting),
        cmocka_unit_test(test_calendar_ics_is_stable_and_marks_changes),
        cmocka_unit_test(test_calendar_ics_escapes_text),
        cmocka_unit_test(test_calendar_ics_writes_a_repeated_local_time_in_utc),
        cmocka_unit_test(test_calendar_ics_in_rome_across_both_changes),
        cmocka_unit_test(test_calendar_ics_zones_without_dst_and_utc),
        cmocka_unit_test(test_calendar_ics_rejects_bad_input),
        cmocka_unit_test(test_calendar_ics_itip_request_and_cancel),
        cmocka_unit_test(test_calendar_ics_itip_needs_an_organizer),
        cmocka_unit_test(test_calendar_ics_itip_adds_the_recipient_as_attendee),
        cmocka_unit_test(test_calendar_ics_allocation_failures),
        cmocka_unit_test(test_calendar_words_in_each_language),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
