/* Calendar export: meetings as an RFC 5545 VCALENDAR built with libical, with the event zone's
 * VTIMEZONE taken from the system's time zone database; conversions between local wall-clock
 * times and UTC in an IANA zone, the check that a span of local time is real across DST changes,
 * and the reading of ISO 8601 times with offsets. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "internal.h"
#include "tavolo/calendar.h"

#define MIN_UTC INT64_C(0)           /* 1970-01-01T00:00:00Z */
#define END_UTC INT64_C(16756761600) /* 2501-01-01T00:00:00Z */
#define MIN_YEAR 1970
#define MAX_YEAR 2500
#define DAY_S 86400

/* Threads. libical 3.0 locks the loading of a zone's data and the expansion of its offset
 * changes, but not its table of zones: icaltimezone_get_builtin_timezone scans a global array
 * without a lock and, for a name missing from zone.tab (Etc/UTC, US/Pacific), reads the zone's
 * file and appends it, reallocating the array's index under any concurrent reader (and two
 * threads asking for the same such name both append it). So every call into libical that
 * reaches a zone, from the lookup to the copy of its VTIMEZONE and the last conversion, runs
 * under zone_lock, one mutex for the process; once a zone is loaded the work under it is a few
 * microseconds. Building and serializing need no lock: the components belong to the call, and
 * libical keeps icalerrno and its temporary buffers per thread. This file is the program's only
 * user of libical, so nothing reaches libical's zones around the lock. */
static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;

/* How one instant is written: a floating local time (the caller adds TZID) or a UTC time. */
typedef struct {
    icaltimetype start;
    icaltimetype end;
} span_t;

static int in_range(int64_t utc)
{
    return utc >= MIN_UTC && utc < END_UTC;
}

/* The name goes to libical, which reads <zoneinfo>/<name> when the name is not in zone.tab:
 * only the characters of IANA names, no absolute path and no "..", so no other file is read. */
static int zone_name_ok(const char *name)
{
    static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789/_+-";
    size_t len;

    if (name == NULL)
        return 0;
    len = strlen(name);
    if (len == 0 || len > 64 || name[0] == '/' || strstr(name, "..") != NULL)
        return 0;
    return strspn(name, allowed) == len;
}

/* Holds zone_lock. The zone named 'name', or NULL. libical's "UTC" (and "GMT") is a special zone
 * without a VTIMEZONE; the database's Etc/UTC has the same offsets and one. */
static icaltimezone *zone_find(const char *name)
{
    icaltimezone *z;

    if (!zone_name_ok(name))
        return NULL;
    z = icaltimezone_get_builtin_timezone(name);
    if (z != NULL && z == icaltimezone_get_utc_timezone())
        z = icaltimezone_get_builtin_timezone("Etc/UTC");
    if (z != NULL && icaltimezone_get_component(z) == NULL)
        z = NULL; /* listed in zone.tab, but its file cannot be read */
    return z;
}

/* A wall time read as if it were UTC: seconds comparable with instants. */
static int64_t wall_seconds(icaltimetype t)
{
    t.zone = NULL;
    return (int64_t)icaltime_as_timet(t);
}

/* Holds zone_lock. The wall time in 'z' at 'utc', through libical's conversion from UTC. */
static icaltimetype wall_at(icaltimezone *z, int64_t utc)
{
    return icaltime_from_timet_with_zone((time_t)utc, 0, z);
}

/* Holds zone_lock. Seconds to add to UTC to get the wall time in 'z' at 'utc'. */
static int64_t offset_at(icaltimezone *z, int64_t utc)
{
    return wall_seconds(wall_at(z, utc)) - utc;
}

/* Holds zone_lock. Reads the wall time 'wall' (as from wall_seconds) in 'z' as RFC 5545 (3.3.5)
 * does, writing the instant to '*utc': the first of two when the time occurs twice, and for a
 * time skipped by a jump, the time read with the offset before the jump. Returns how many
 * instants have that wall time: 0, 1 or 2. libical's own local-to-UTC conversion reads a skipped
 * time with the offset after the jump and a repeated time as its second occurrence, so this
 * uses only its conversion from UTC, which is unambiguous. The offsets a day before and a day
 * after bracket any one change; zones do not change offset twice within two days. */
static int resolve_wall(icaltimezone *z, int64_t wall, int64_t *utc)
{
    int64_t before = offset_at(z, wall - DAY_S);
    int64_t after = offset_at(z, wall + DAY_S);
    int before_ok = offset_at(z, wall - before) == before;
    int after_ok = offset_at(z, wall - after) == after;

    *utc = wall - before;
    if (before_ok && after_ok && before != after) {
        if (wall - after < *utc)
            *utc = wall - after;
        return 2;
    }
    if (before_ok)
        return 1;
    if (after_ok) {
        *utc = wall - after;
        return 1;
    }
    return 0;
}

/* Holds zone_lock. How the instant 'utc' is written in 'z': the local wall time, floating, or
 * UTC when that wall time occurs twice, since clients differ on which of the two it means. */
static icaltimetype span_time(icaltimezone *z, int64_t utc)
{
    icaltimetype wall = wall_at(z, utc);
    int64_t first;

    if (resolve_wall(z, wall_seconds(wall), &first) == 2)
        return icaltime_from_timet_with_zone((time_t)utc, 0, icaltimezone_get_utc_timezone());
    wall.zone = NULL;
    return wall;
}

/* 1 January, 00:00 UTC, of the year of the earliest start; the null time with no meeting. */
static icaltimetype trim_start(const tv_cal_meeting_t *m, size_t n)
{
    icaltimezone *utc = icaltimezone_get_utc_timezone();
    icaltimetype t;
    int64_t first;

    if (n == 0)
        return icaltime_null_time();
    first = m[0].start_utc;
    for (size_t i = 1; i < n; i++) {
        if (m[i].start_utc < first)
            first = m[i].start_utc;
    }
    t = icaltime_from_timet_with_zone((time_t)first, 0, utc);
    t.month = 1;
    t.day = 1;
    t.hour = t.minute = t.second = 0;
    return t;
}

/* Holds zone_lock. A copy of the VTIMEZONE of 'z' with TZID 'tzid', trimmed to begin at 'from'
 * (UTC; the null time keeps the whole history). Trimming keeps the observance in force at
 * 'from' and every later change, with open-ended RRULEs for the zone's current rules. */
static int vtimezone_copy(icaltimezone *z, const char *tzid, icaltimetype from, icalcomponent **out)
{
    icalcomponent *vtz = icalcomponent_new_clone(icaltimezone_get_component(z));
    icalproperty *p;
    int rc = TV_ENOMEM;

    if (vtz == NULL)
        goto out;
    icaltimezone_truncate_vtimezone(vtz, from, icaltime_null_time(), 0);
    p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
    if (p != NULL) {
        icalproperty_set_tzid(p, tzid);
    } else {
        p = icalproperty_new_tzid(tzid);
        if (p == NULL)
            goto out;
        icalcomponent_add_property(vtz, p);
    }
    *out = vtz;
    vtz = NULL;
    rc = 0;
out:
    if (vtz != NULL)
        icalcomponent_free(vtz);
    return rc;
}

/* Takes zone_lock: finds the zone named 'name', copies its VTIMEZONE ('*vtz') and writes how
 * each meeting's start and end are written ('spans', room for n). */
static int zone_snapshot(const char *name, const tv_cal_meeting_t *m, size_t n, span_t *spans,
                         icalcomponent **vtz)
{
    icaltimezone *z;
    int rc = TV_EINVAL;

    pthread_mutex_lock(&zone_lock);
    z = zone_find(name);
    if (z == NULL)
        goto out;
    rc = vtimezone_copy(z, name, trim_start(m, n), vtz);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        spans[i].start = span_time(z, m[i].start_utc);
        spans[i].end = span_time(z, m[i].end_utc);
    }
out:
    pthread_mutex_unlock(&zone_lock);
    return rc;
}

/* ---- checking the input ---- */

/* An e-mail goes into a mailto: URI as it is, which libical does not escape. */
static int email_ok(const char *email)
{
    if (email[0] == '\0')
        return 0;
    for (const char *c = email; *c != '\0'; c++) {
        if ((unsigned char)*c <= ' ' || *c == 0x7f)
            return 0;
    }
    return 1;
}

static int meeting_ok(const tv_cal_meeting_t *m)
{
    if (m->uid == NULL || m->uid[0] == '\0' || m->summary == NULL || m->sequence < 0)
        return 0;
    if (!in_range(m->start_utc) || !in_range(m->end_utc) || !in_range(m->stamp_utc))
        return 0;
    if (m->end_utc <= m->start_utc)
        return 0;
    for (size_t i = 0; m->attendee_emails != NULL && m->attendee_emails[i] != NULL; i++) {
        if (!email_ok(m->attendee_emails[i]))
            return 0;
    }
    return 1;
}

static int input_ok(const tv_cal_event_t *ev, const tv_cal_meeting_t *m, size_t n, char **out)
{
    if (ev == NULL || ev->name == NULL || ev->time_zone == NULL || out == NULL)
        return 0;
    if (ev->method != TV_CAL_PUBLISH && ev->method != TV_CAL_REQUEST && ev->method != TV_CAL_CANCEL)
        return 0;
    if (ev->organizer_email != NULL ? !email_ok(ev->organizer_email) : ev->method != TV_CAL_PUBLISH)
        return 0;
    if (ev->attendee_email != NULL && !email_ok(ev->attendee_email))
        return 0;
    if (n > 0 && m == NULL)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!meeting_ok(&m[i]))
            return 0;
    }
    return 1;
}

/* ---- building the calendar ---- */

/* A copy of 'text' fit for a TEXT value: "\r\n" becomes "\n", other control characters become
 * spaces except newline and tab (RFC 5545 allows neither raw; libical escapes the newline). In
 * a name (a parameter value) every control character becomes a space. NULL when out of memory. */
static char *clean_text(const char *text, int is_name)
{
    size_t len = strlen(text);
    char *copy = tv__malloc(len + 1);
    size_t j = 0;

    if (copy == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];

        if (c == '\r' && text[i + 1] == '\n')
            continue;
        if (((unsigned char)c < ' ' || c == 0x7f) && (is_name || (c != '\n' && c != '\t')))
            c = ' ';
        copy[j++] = c;
    }
    copy[j] = '\0';
    return copy;
}

/* Adds 'p' to 'c'; TV_ENOMEM when libical could not make it (p is NULL). */
static int add_prop(icalcomponent *c, icalproperty *p)
{
    if (p == NULL)
        return TV_ENOMEM;
    icalcomponent_add_property(c, p);
    return 0;
}

/* Adds the TEXT property made by 'make' from a cleaned copy of 'text'; nothing when NULL. */
static int add_text(icalcomponent *c, icalproperty *(*make)(const char *), const char *text)
{
    char *clean;
    int rc;

    if (text == NULL)
        return 0;
    clean = clean_text(text, 0);
    if (clean == NULL)
        return TV_ENOMEM;
    rc = add_prop(c, make(clean));
    tv__free(clean);
    return rc;
}

/* Adds "<x_name>:<value>". libical escapes a newline in an X- value, but not commas or
 * semicolons, which the grammar of x-prop allows. */
static int add_x(icalcomponent *c, const char *x_name, const char *value)
{
    char *clean = clean_text(value, 0);
    icalproperty *p = NULL;
    int rc = TV_ENOMEM;

    if (clean == NULL)
        goto out;
    p = icalproperty_new_x(clean);
    if (p == NULL)
        goto out;
    icalproperty_set_x_name(p, x_name);
    icalcomponent_add_property(c, p);
    rc = 0;
out:
    tv__free(clean);
    return rc;
}

/* Adds DTSTART or DTEND (made by 'make'), with TZID unless 't' is in UTC. */
static int add_time(icalcomponent *c, icalproperty *(*make)(struct icaltimetype), icaltimetype t,
                    const char *tzid)
{
    icalproperty *p = make(t);
    icalparameter *param;

    if (p == NULL)
        return TV_ENOMEM;
    if (!icaltime_is_utc(t)) {
        param = icalparameter_new_tzid(tzid);
        if (param == NULL) {
            icalproperty_free(p);
            return TV_ENOMEM;
        }
        icalproperty_add_parameter(p, param);
    }
    icalcomponent_add_property(c, p);
    return 0;
}

/* Adds ATTENDEE (or, with 'make' icalproperty_new_organizer, ORGANIZER);CN=<name>:mailto:<email>,
 * without CN when 'name' is NULL or empty. libical quotes a CN holding ',', ';' or ':' and
 * encodes '"' as ^' (RFC 6868). */
static int add_person(icalcomponent *c, icalproperty *(*make)(const char *), const char *email,
                      const char *name)
{
    char *uri = tv__malloc(strlen("mailto:") + strlen(email) + 1);
    char *cn = NULL;
    icalproperty *p = NULL;
    icalparameter *param;
    int rc = TV_ENOMEM;

    if (uri == NULL)
        goto out;
    strcpy(uri, "mailto:");
    strcat(uri, email);
    p = make(uri);
    if (p == NULL)
        goto out;
    if (name != NULL && name[0] != '\0') {
        cn = clean_text(name, 1);
        param = cn != NULL ? icalparameter_new_cn(cn) : NULL;
        if (param == NULL)
            goto out;
        icalproperty_add_parameter(p, param);
    }
    icalcomponent_add_property(c, p);
    p = NULL;
    rc = 0;
out:
    if (p != NULL)
        icalproperty_free(p);
    tv__free(cn);
    tv__free(uri);
    return rc;
}

/* UID, DTSTAMP, DTSTART, DTEND, SEQUENCE and STATUS. */
static int add_event_head(icalcomponent *c, const tv_cal_meeting_t *m, const span_t *s,
                          const char *tzid)
{
    icaltimetype stamp =
        icaltime_from_timet_with_zone((time_t)m->stamp_utc, 0, icaltimezone_get_utc_timezone());
    int rc = add_text(c, icalproperty_new_uid, m->uid);

    if (rc == 0)
        rc = add_prop(c, icalproperty_new_dtstamp(stamp));
    if (rc == 0)
        rc = add_time(c, icalproperty_new_dtstart, s->start, tzid);
    if (rc == 0)
        rc = add_time(c, icalproperty_new_dtend, s->end, tzid);
    if (rc == 0)
        rc = add_prop(c, icalproperty_new_sequence(m->sequence));
    if (rc == 0)
        rc = add_prop(c, icalproperty_new_status(m->cancelled == 1 ? ICAL_STATUS_CANCELLED
                                                                   : ICAL_STATUS_CONFIRMED));
    return rc;
}

/* 1 if 'emails' (NULL-terminated, or NULL) holds 'email', compared without case. */
static int lists(const char *const *emails, const char *email)
{
    for (size_t i = 0; emails != NULL && emails[i] != NULL; i++) {
        if (strcasecmp(emails[i], email) == 0)
            return 1;
    }
    return 0;
}

/* SUMMARY, DESCRIPTION, LOCATION, the organiser, the attendees and the recipient. */
static int add_event_body(icalcomponent *c, const tv_cal_event_t *ev, const tv_cal_meeting_t *m)
{
    int rc = add_text(c, icalproperty_new_summary, m->summary);

    if (rc == 0)
        rc = add_text(c, icalproperty_new_description, m->description);
    if (rc == 0)
        rc = add_text(c, icalproperty_new_location, m->location);
    if (rc == 0 && ev->organizer_email != NULL)
        rc = add_person(c, icalproperty_new_organizer, ev->organizer_email, ev->organizer_name);
    for (size_t i = 0; rc == 0 && m->attendee_emails != NULL && m->attendee_emails[i] != NULL;
         i++) {
        const char *name = m->attendee_names != NULL ? m->attendee_names[i] : NULL;

        rc = add_person(c, icalproperty_new_attendee, m->attendee_emails[i], name);
    }
    if (rc == 0 && ev->attendee_email != NULL && !lists(m->attendee_emails, ev->attendee_email))
        rc = add_person(c, icalproperty_new_attendee, ev->attendee_email, ev->attendee_name);
    return rc;
}

static int add_event(icalcomponent *cal, const tv_cal_event_t *e, const tv_cal_meeting_t *m,
                     const span_t *s)
{
    icalcomponent *ev = icalcomponent_new_vevent();
    int rc = TV_ENOMEM;

    if (ev == NULL)
        goto out;
    rc = add_event_head(ev, m, s, e->time_zone);
    if (rc == 0)
        rc = add_event_body(ev, e, m);
    if (rc != 0)
        goto out;
    icalcomponent_add_component(cal, ev);
    ev = NULL;
out:
    if (ev != NULL)
        icalcomponent_free(ev);
    return rc;
}

/* A VCALENDAR with its header properties, in '*out'. */
static int calendar_new(const tv_cal_event_t *ev, icalcomponent **out)
{
    icalcomponent *cal = icalcomponent_new_vcalendar();
    int rc = TV_ENOMEM;

    if (cal == NULL)
        goto out;
    rc = add_prop(cal, icalproperty_new_version("2.0"));
    if (rc == 0)
        rc = add_prop(cal, icalproperty_new_prodid("-//tavolo//agenda//EN"));
    if (rc == 0)
        rc = add_prop(cal, icalproperty_new_calscale("GREGORIAN"));
    if (rc == 0)
        rc = add_prop(cal,
                      icalproperty_new_method(ev->method == TV_CAL_REQUEST  ? ICAL_METHOD_REQUEST
                                              : ev->method == TV_CAL_CANCEL ? ICAL_METHOD_CANCEL
                                                                            : ICAL_METHOD_PUBLISH));
    if (rc == 0)
        rc = add_x(cal, "X-WR-CALNAME", ev->name);
    if (rc == 0)
        rc = add_x(cal, "X-WR-TIMEZONE", ev->time_zone);
    if (rc != 0)
        goto out;
    *out = cal;
    cal = NULL;
out:
    if (cal != NULL)
        icalcomponent_free(cal);
    return rc;
}

/* The text of 'cal' in a buffer of ours, so that the caller's free() does not depend on how
 * libical allocates (libical 3.1 and later want icalmemory_free_buffer). libical reports some
 * failed allocations only through icalerrno, which tv_calendar_ics clears before building. */
static int serialize(icalcomponent *cal, char **out)
{
    char *text = NULL;
    char *copy;
    int rc = TV_ENOMEM;

    if (icalerrno == ICAL_NEWFAILED_ERROR)
        goto out;
    text = icalcomponent_as_ical_string_r(cal);
    if (text == NULL || icalerrno == ICAL_NEWFAILED_ERROR)
        goto out;
    copy = tv__strdup(text);
    if (copy == NULL)
        goto out;
    *out = copy;
    rc = 0;
out:
    if (text != NULL)
        icalmemory_free_buffer(text);
    return rc;
}

int tv_calendar_ics(const tv_cal_event_t *ev, const tv_cal_meeting_t *meetings, size_t n,
                    char **out)
{
    icalcomponent *vtz = NULL;
    icalcomponent *cal = NULL;
    span_t *spans = NULL;
    char *text = NULL;
    int rc = TV_EINVAL;

    if (!input_ok(ev, meetings, n, out))
        goto out;
    icalerror_clear_errno();
    rc = TV_ENOMEM;
    spans = tv__calloc(n, sizeof(*spans));
    if (spans == NULL)
        goto out;
    rc = zone_snapshot(ev->time_zone, meetings, n, spans, &vtz);
    if (rc == 0)
        rc = calendar_new(ev, &cal);
    if (rc != 0)
        goto out;
    icalcomponent_add_component(cal, vtz);
    vtz = NULL;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = add_event(cal, ev, &meetings[i], &spans[i]);
    if (rc == 0)
        rc = serialize(cal, &text);
    if (rc != 0)
        goto out;
    *out = text;
out:
    if (vtz != NULL)
        icalcomponent_free(vtz);
    if (cal != NULL)
        icalcomponent_free(cal);
    tv__free(spans);
    return rc;
}

/* ---- local times ---- */

static int local_ok(int year, int month, int day, int hour, int minute)
{
    if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12)
        return 0;
    if (day < 1 || day > icaltime_days_in_month(month, year))
        return 0;
    return hour >= 0 && hour < 24 && minute >= 0 && minute < 60;
}

/* The wall time year-month-day hour:minute as wall_seconds gives it; the fields pass local_ok. */
static int64_t wall_of(int year, int month, int day, int hour, int minute)
{
    icaltimetype wall = icaltime_null_time();

    wall.year = year;
    wall.month = month;
    wall.day = day;
    wall.hour = hour;
    wall.minute = minute;
    return wall_seconds(wall);
}

int tv_calendar_local_to_utc(const char *time_zone, int year, int month, int day, int hour,
                             int minute, int64_t *out)
{
    icaltimezone *z;
    int64_t utc = 0;
    int rc = TV_EINVAL;

    if (out == NULL || !local_ok(year, month, day, hour, minute))
        goto out;
    pthread_mutex_lock(&zone_lock);
    z = zone_find(time_zone);
    if (z != NULL) {
        resolve_wall(z, wall_of(year, month, day, hour, minute), &utc);
        rc = 0;
    }
    pthread_mutex_unlock(&zone_lock);
    if (rc == 0)
        *out = utc;
out:
    return rc;
}

/* Holds zone_lock. What the wall times from 'wall' for 'len' seconds (a whole number of
 * minutes, at least one) are in 'z' (TV_SPAN_*), writing the instant of 'wall' when real. Its
 * first and last minute must each occur once, and as far apart as they read: one change of
 * offset inside the span would move them closer (forward) or further (back), and zones do not
 * change offset twice within two days. The span may end at a change. */
static int span_kind(icaltimezone *z, int64_t wall, int64_t len, int64_t *utc)
{
    int64_t first, last;
    int n_first = resolve_wall(z, wall, &first);
    int n_last = resolve_wall(z, wall + len - 60, &last);

    if (n_first == 0 || n_last == 0)
        return TV_SPAN_SKIPPED;
    if (n_first == 2 || n_last == 2)
        return TV_SPAN_REPEATED;
    if (last - first != len - 60)
        return last - first < len - 60 ? TV_SPAN_SKIPPED : TV_SPAN_REPEATED;
    *utc = first;
    return TV_SPAN_REAL;
}

int tv_calendar_local_span(const char *time_zone, int year, int month, int day, int start_minute,
                           int end_minute, int64_t *start_utc)
{
    icaltimezone *z;
    int64_t wall, utc = 0;
    int rc = TV_EINVAL;

    if (start_utc == NULL || !local_ok(year, month, day, 0, 0) || start_minute < 0 ||
        end_minute > 24 * 60 || end_minute <= start_minute)
        goto out;
    wall = wall_of(year, month, day, 0, 0) + (int64_t)start_minute * 60;
    pthread_mutex_lock(&zone_lock);
    z = zone_find(time_zone);
    if (z != NULL)
        rc = span_kind(z, wall, (int64_t)(end_minute - start_minute) * 60, &utc);
    pthread_mutex_unlock(&zone_lock);
    if (rc == TV_SPAN_REAL)
        *start_utc = utc;
out:
    return rc;
}

/* An ISO 8601 time split into its fields; the offset in seconds east of UTC. */
typedef struct {
    int year, month, day, hour, minute, second;
    int has_offset;
    int offset;
} iso_time_t;

/* The value of the 'n' decimal digits at 's', or -1 when one is not a digit. Stops at the first
 * character that is not a digit, so never reads past the end of a string. */
static int digits(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Reads "Z", "+HH:MM" or "-HH:MM" (up to 18:00), or nothing, at the end of 's'. 0 or -1. */
static int iso_offset(const char *s, iso_time_t *t)
{
    int h, m;

    if (s[0] == '\0')
        return 0;
    t->has_offset = 1;
    if (s[0] == 'Z')
        return s[1] == '\0' ? 0 : -1;
    if (s[0] != '+' && s[0] != '-')
        return -1;
    h = digits(s + 1, 2);
    if (h < 0 || s[3] != ':')
        return -1;
    m = digits(s + 4, 2);
    if (m < 0 || m > 59 || h * 60 + m > 18 * 60 || s[6] != '\0')
        return -1;
    t->offset = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return 0;
}

/* Splits "YYYY-MM-DDTHH:MM[:SS][offset]" into 't' and checks that the date and time exist (a
 * year of 1970..2500). 0 or -1. */
static int iso_split(const char *s, iso_time_t *t)
{
    const char *rest;

    memset(t, 0, sizeof(*t));
    if (strlen(s) < 16 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':')
        return -1;
    rest = s + 16;
    t->year = digits(s, 4);
    t->month = digits(s + 5, 2);
    t->day = digits(s + 8, 2);
    t->hour = digits(s + 11, 2);
    t->minute = digits(s + 14, 2);
    if (rest[0] == ':') {
        t->second = digits(rest + 1, 2);
        rest += 3;
    }
    if (t->second < 0 || t->second > 59 || iso_offset(rest, t) != 0)
        return -1;
    return local_ok(t->year, t->month, t->day, t->hour, t->minute) ? 0 : -1;
}

int tv_calendar_parse_time(const char *time_zone, const char *text, int64_t *out)
{
    iso_time_t t;
    icaltimezone *z;
    int64_t wall, utc = 0;
    int rc = TV_EINVAL;

    if (text == NULL || out == NULL || iso_split(text, &t) != 0)
        goto out;
    wall = wall_of(t.year, t.month, t.day, t.hour, t.minute);
    if (t.has_offset) {
        utc = wall + t.second - t.offset;
        rc = in_range(utc) ? 0 : TV_EINVAL;
    } else {
        pthread_mutex_lock(&zone_lock);
        z = zone_find(time_zone);
        if (z != NULL)
            rc = resolve_wall(z, wall, &utc) == 1 ? 0 : TV_ERANGE;
        pthread_mutex_unlock(&zone_lock);
        utc += t.second;
        /* A local time just inside the range may fall outside it in UTC (1970-01-01T00:00 in
         * Istanbul is 1969): refused as the offset form is. */
        if (rc == 0 && !in_range(utc))
            rc = TV_EINVAL;
    }
    if (rc == 0)
        *out = utc;
out:
    return rc;
}

/* Takes zone_lock: the wall time in the zone named 'name' at 'utc', and its offset. */
static int zone_wall(const char *name, int64_t utc, icaltimetype *wall, int64_t *offset)
{
    icaltimezone *z;
    int rc = TV_EINVAL;

    pthread_mutex_lock(&zone_lock);
    z = zone_find(name);
    if (z != NULL) {
        *wall = wall_at(z, utc);
        *offset = wall_seconds(*wall) - utc;
        rc = 0;
    }
    pthread_mutex_unlock(&zone_lock);
    return rc;
}

int tv_calendar_format_local(const char *time_zone, int64_t utc, char *buf, size_t size)
{
    icaltimetype t;
    int64_t offset = 0;
    int64_t abs_offset;
    char text[48];
    int len;
    int rc = TV_EINVAL;

    if (buf == NULL || !in_range(utc))
        goto out;
    rc = zone_wall(time_zone, utc, &t, &offset);
    if (rc != 0)
        goto out;
    abs_offset = offset < 0 ? -offset : offset;
    len = snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", t.year, t.month,
                   t.day, t.hour, t.minute, t.second, offset < 0 ? '-' : '+',
                   (int)(abs_offset / 3600), (int)(abs_offset / 60 % 60));
    if (abs_offset % 60 != 0)
        len += snprintf(text + len, sizeof(text) - (size_t)len, ":%02d", (int)(abs_offset % 60));
    rc = TV_ERANGE;
    if ((size_t)len >= size)
        goto out;
    memcpy(buf, text, (size_t)len + 1);
    rc = 0;
out:
    return rc;
}

int tv_calendar_valid_date(const char *s)
{
    static const int days_in[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d;
    char end;

    if (s == NULL || strlen(s) != 10)
        return 0;
    /* Exactly "YYYY-MM-DD": sscanf alone would take a sign or spaces ("2027-01- 1"). */
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return 0;
    }
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &mo, &d, &end) != 3)
        return 0;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in[mo - 1])
        return 0;
    return !(mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

int tv_calendar_words(const char *local, const char *lang, char *buf, size_t size)
{
    static const char *const days[2][7] = {
        {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
        {"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"}};
    static const char *const months[2][12] = {
        {"January", "February", "March", "April", "May", "June", "July", "August", "September",
         "October", "November", "December"},
        {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
         "settembre", "ottobre", "novembre", "dicembre"}};
    struct icaltimetype day = icaltime_null_date();
    char date[11];
    int it = lang != NULL && strcmp(lang, "it") == 0, n;

    if (local == NULL || strlen(local) < 10)
        return TV_EINVAL;
    memcpy(date, local, 10);
    date[10] = '\0';
    if (!tv_calendar_valid_date(date) ||
        (local[10] != '\0' && (local[10] != 'T' || strlen(local + 11) != 5)))
        return TV_EINVAL;
    sscanf(date, "%4d-%2d-%2d", &day.year, &day.month, &day.day);
    n = snprintf(buf, size, "%s %d %s %d%s%s", days[it][icaltime_day_of_week(day) - 1], day.day,
                 months[it][day.month - 1], day.year, local[10] != '\0' ? ", " : "",
                 local[10] != '\0' ? local + 11 : "");
    return n >= 0 && (size_t)n < size ? 0 : TV_ERANGE;
}
