/* tavolo/calendar.h: meeting agendas as iCalendar (RFC 5545) text, through libical: one
 * VEVENT per meeting in the event's time zone (with its VTIMEZONE), stable UIDs so that a
 * re-export updates rather than duplicates, SEQUENCE for changes, cancelled meetings as
 * STATUS:CANCELLED. Pure text building: no I/O. Every function here may be called from several
 * threads at once. Instants must lie in 1970-01-01T00:00:00Z .. 2500-12-31T23:59:59Z. */
#ifndef TV_CALENDAR_H
#define TV_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

/* The iTIP method of a calendar (RFC 5546): PUBLISH for an agenda anyone may read, REQUEST to
 * the attendees of new or changed meetings, CANCEL for cancelled ones. */
typedef enum { TV_CAL_PUBLISH = 0, TV_CAL_REQUEST, TV_CAL_CANCEL } tv_cal_method_t;

typedef struct {
    const char *name;            /* the event's name, also X-WR-CALNAME */
    const char *time_zone;       /* IANA, e.g. "America/Los_Angeles" */
    tv_cal_method_t method;      /* METHOD; PUBLISH when left 0 */
    const char *organizer_email; /* ORGANIZER:mailto: of every VEVENT; RFC 5546 requires it for
                                    REQUEST and CANCEL; NULL for none (PUBLISH only); no spaces
                                    or controls */
    const char *organizer_name;  /* its CN, or NULL or "" for none */
    const char *attendee_email;  /* the recipient of an iTIP message, or NULL: an ATTENDEE of
                                    every VEVENT that does not list this address already
                                    (compared without case); no spaces or controls */
    const char *attendee_name;   /* its CN, or NULL or "" for none */
} tv_cal_event_t;

typedef struct {
    const char *uid;         /* stable across exports, e.g. "<meeting id>@tavolo"; not empty */
    int64_t start_utc;       /* seconds since the epoch */
    int64_t end_utc;         /* after start_utc */
    int32_t sequence;        /* 0 at first, bumped on every change; not negative */
    int cancelled;           /* 1: STATUS:CANCELLED, else CONFIRMED */
    const char *summary;     /* "Velarna Therapeutics / Adriatica Bio Ventures" */
    const char *description; /* or NULL */
    const char *location;    /* "Table 12", or NULL */
    const char *const *attendee_emails; /* NULL-terminated, or NULL; no spaces or controls */
    const char *const *attendee_names;  /* same length as the e-mails, or NULL; an entry may
                                           be NULL or "" for no CN */
    int64_t stamp_utc;                  /* DTSTAMP: when the meeting last changed */
} tv_cal_meeting_t;

/* Writes a VCALENDAR with the event's METHOD, its VTIMEZONE and one VEVENT per meeting (each
 * with the ORGANIZER when one is given), in the order
 * given, start and end local to the event's zone (DTSTART;TZID=America/Los_Angeles:...). The
 * TZID is the IANA name itself. The VTIMEZONE comes from the system's time zone database and
 * starts on 1 January (UTC) of the year of the earliest meeting; with no meeting it holds the
 * zone's whole history. A start or end whose local time occurs twice (the hour repeated when
 * clocks go back) is written in UTC instead ("DTSTART:20271107T083000Z"), since clients differ
 * on which of the two a local time means. Text is escaped by libical; control characters other
 * than newline and tab become spaces (in names, newlines too). Equal input gives equal output.
 * '*out' is NUL-terminated, with CRLF line ends; free it with free(). '*out' is written only on
 * success. TV_EINVAL for an unknown time zone, an end not after its start, an instant out of
 * range, a negative sequence, a missing uid, summary or e-mail, an unknown method, or REQUEST
 * or CANCEL without an organiser; TV_ENOMEM when memory runs out. */
int tv_calendar_ics(const tv_cal_event_t *ev, const tv_cal_meeting_t *meetings, size_t n,
                    char **out);

/* Converts a local wall-clock time in 'time_zone' to UTC seconds ('*out'); for building slots
 * from "09:00 on 2027-01-11 in America/Los_Angeles". As RFC 5545 (3.3.5) reads local times: a
 * time skipped by a DST change is read with the offset in force before the jump, so it lands
 * after the jump by as much as it lies after the jump's start (02:30 on 2027-03-14 in Los
 * Angeles is 03:30 PDT, 10:30Z); a time that occurs twice when clocks go back is its first
 * occurrence (01:30 on 2027-11-07 in Los Angeles is 01:30 PDT, 08:30Z). TV_EINVAL for an
 * unknown zone, a date that does not exist, a year outside 1970..2500, or an hour or minute out
 * of range. */
int tv_calendar_local_to_utc(const char *time_zone, int year, int month, int day, int hour,
                             int minute, int64_t *out);

/* What tv_calendar_local_span finds out about a span of local time. */
enum {
    TV_SPAN_REAL = 0,    /* one real stretch of time, as long as it reads */
    TV_SPAN_SKIPPED = 1, /* the clocks go forward in it: some of its local times never occur */
    TV_SPAN_REPEATED = 2 /* the clocks go back in it: some of its local times occur twice */
};

/* Checks the local span from 'start_minute' to 'end_minute' (minutes after midnight; the end
 * may be 1440, the midnight that ends the day) on year-month-day in 'time_zone': it is real when
 * every local minute in it occurs exactly once and the clock runs evenly through it, so that it
 * lasts what it reads. It may end at the instant the clocks jump (01:30-02:00 on 2027-03-14 in
 * Los Angeles) or where the repeated hour begins (00:30-01:00 on 2027-11-07). Returns
 * TV_SPAN_REAL and writes the instant of its start to '*start_utc', or TV_SPAN_SKIPPED or
 * TV_SPAN_REPEATED (nothing written). TV_EINVAL for an unknown zone, a date that does not exist,
 * a year outside 1970..2500, or minutes out of 0..1440 or not in order. */
int tv_calendar_local_span(const char *time_zone, int year, int month, int day, int start_minute,
                           int end_minute, int64_t *start_utc);

/* Reads 'text', an ISO 8601 time "YYYY-MM-DDTHH:MM", optionally followed by ":SS" and then by an
 * offset "Z", "+HH:MM" or "-HH:MM", as an instant ('*out', UTC seconds). With an offset the
 * instant is exact and the zone is not consulted ("2027-01-11T10:00:00+09:00" is 01:00Z, never
 * 10:00 local); without one the time is local to 'time_zone' and must occur there exactly once.
 * Returns 0; TV_ERANGE for a local time that a clock change skips or repeats; TV_EINVAL for text
 * of another form, a date or time that does not exist, an offset beyond 18:00, an unknown zone,
 * or an instant outside the range above. '*out' is written only on success. */
int tv_calendar_parse_time(const char *time_zone, const char *text, int64_t *out);

/* Formats UTC seconds as the local ISO 8601 time with offset ("2027-01-11T09:00:00-08:00";
 * "+00:00" for UTC; an offset with seconds, from before 1973 in a few zones, as
 * "-00:44:30"). Returns 0 and writes 'buf' (32 bytes always suffice), or TV_EINVAL for an
 * unknown zone or an instant out of range, or TV_ERANGE when 'size' is too small; 'buf' is
 * written only on success. */
int tv_calendar_format_local(const char *time_zone, int64_t utc, char *buf, size_t size);

/* 1 if 's' is a real calendar date written "YYYY-MM-DD" (leap years included), else 0. */
int tv_calendar_valid_date(const char *s);

/* A local date "YYYY-MM-DD", or a local slot "YYYY-MM-DDTHH:MM", in words as a reader of 'lang'
 * ("it", else English) reads it: "Monday 11 January 2027, 09:30", "lunedì 11 gennaio 2027,
 * 09:30". Returns 0, TV_EINVAL for another text, TV_ERANGE when 'size' is too small (64 bytes
 * always suffice). */
int tv_calendar_words(const char *local, const char *lang, char *buf, size_t size);

#endif
