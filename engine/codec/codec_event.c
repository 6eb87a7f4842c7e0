/* Event files: days, slots, tables, participants and requests, checked with the same kind of
 * diagnostics as profiles (the JSON path of each problem). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "codec_internal.h"
#include "core/internal.h"
#include "tavolo/calendar.h"

#define MAX_TABLES 100000
#define MAX_MEETINGS 1000
/* The longest id of an event or a profile: what a path segment, an organiser's token and a
 * meeting (char[65]) take. */
#define MAX_ID 64

/* The members each object of an event file may have (api/daemon/openapi.yaml, EventFile). */
static const char *const frame_members[] = {"id",
                                            "name",
                                            "city",
                                            "time_zone",
                                            "days",
                                            "day_start",
                                            "day_end",
                                            "slot_minutes",
                                            "breaks",
                                            "tables",
                                            "request_deadline",
                                            "language",
                                            "default_max_meetings",
                                            "participants",
                                            "requests",
                                            NULL};
static const char *const break_members[] = {"start", "end", NULL};
static const char *const attendee_members[] = {
    "kind", "id", "max_meetings", "min_meetings", "unavailable", "people", NULL};
static const char *const person_members[] = {"name", "email", "language", NULL};
static const char *const request_members[] = {"company_id", "investor_id", "from", "priority",
                                              "message",    "status",      NULL};

/* An open-addressing hash index into an array of the event (attendees by kind and id, requests
 * by pair): each slot holds an element's index + 1, or 0 when empty. Without it an event of
 * 6,000 participants and 14,000 requests took 1.5 s to decode, comparing each element with all
 * earlier ones (docs/benchmarks.md). */
typedef struct {
    uint32_t *slots;
    size_t mask;
} index_t;

typedef struct {
    tv_diags_t *diags;
    int failed, oom;
    index_t attendees, pairs;
} ectx_t;

/* Sizes 'ix' for 'n' elements at most half full; 0, or -1 when out of memory. */
static int index_init(index_t *ix, size_t n)
{
    size_t cap = 16;

    while (cap < 2 * n + 2)
        cap <<= 1;
    ix->slots = tv__calloc(cap, sizeof(uint32_t));
    ix->mask = cap - 1;
    return ix->slots == NULL ? -1 : 0;
}

static void index_dispose(index_t *ix)
{
    free(ix->slots);
    ix->slots = NULL;
}

static void bad(ectx_t *x, const char *path, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    x->failed = 1;
    if (tv__diag_add(x->diags, 0, 0, path, "%s", msg) != 0)
        x->oom = 1;
}

static char *string_field(ectx_t *x, json_t *obj, const char *key, const char *path, int required)
{
    json_t *v = json_object_get(obj, key);
    char *s;

    if (v == NULL || json_is_null(v)) {
        if (required)
            bad(x, path, "required field is missing");
        return NULL;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 200) {
        bad(x, path, "expected a non-empty string of at most 200 characters");
        return NULL;
    }
    s = tv__strdup(json_string_value(v));
    if (s == NULL)
        x->oom = 1;
    return s;
}

/* A language of 'obj' ("it" or "en") into 'out' (char[3]); absent or null leaves "". */
static void language_field(ectx_t *x, json_t *obj, const char *path, char *out)
{
    json_t *v = json_object_get(obj, "language");
    const char *s = json_string_value(v);

    out[0] = '\0';
    if (v == NULL || json_is_null(v))
        return;
    if (s == NULL || (strcmp(s, "it") != 0 && strcmp(s, "en") != 0)) {
        bad(x, path, "expected \"it\" or \"en\"");
        return;
    }
    memcpy(out, s, 3);
}

static int is_id(const char *s)
{
    for (; *s != '\0'; s++) {
        if (!isalnum((unsigned char)*s) && strchr("._:/-", *s) == NULL)
            return 0;
    }
    return 1;
}

/* "HH:MM" (two digits each, 00:00 to 24:00) as minutes after midnight, or -1. */
static int parse_clock(const char *s)
{
    int h, m;

    if (s == NULL || strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
        !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
        !isdigit((unsigned char)s[4]))
        return -1;
    h = (s[0] - '0') * 10 + (s[1] - '0');
    m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0))
        return -1;
    return h * 60 + m;
}

static int clock_field(ectx_t *x, json_t *obj, const char *key, const char *path)
{
    const char *s = json_string_value(json_object_get(obj, key));
    int m = parse_clock(s);

    if (m < 0)
        bad(x, path, "expected a local time \"HH:MM\"");
    return m;
}

static uint32_t count_field(ectx_t *x, json_t *obj, const char *key, const char *path, uint32_t min,
                            uint32_t max, uint32_t fallback)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v))
        return fallback;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        bad(x, path, "expected an integer from %u to %u", min, max);
        return fallback;
    }
    return (uint32_t)json_integer_value(v);
}

/* A count that must be given: absent or null is an error naming it, never a zero. */
static uint32_t required_count(ectx_t *x, json_t *obj, const char *key, uint32_t min, uint32_t max)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL) {
        bad(x, key, "required field is missing");
        return 0;
    }
    if (json_is_null(v)) {
        bad(x, key, "expected an integer from %u to %u, not null", min, max);
        return 0;
    }
    return count_field(x, obj, key, key, min, max, 0);
}

/* 'obj', at 'path' ("" for the document), must be an object whose members are all named in
 * 'known' (NULL-terminated), as api/daemon/openapi.yaml's schemas say (additionalProperties:
 * false): a misspelt optional member is an error rather than a setting silently left at its
 * default. */
static void check_members(ectx_t *x, json_t *obj, const char *path, const char *const *known)
{
    const char *key;
    json_t *v;

    if (!json_is_object(obj)) {
        bad(x, path, "expected an object");
        return;
    }
    json_object_foreach(obj, key, v)
    {
        char p[160];
        size_t k = 0;

        while (known[k] != NULL && strcmp(known[k], key) != 0)
            k++;
        if (known[k] != NULL)
            continue;
        snprintf(p, sizeof(p), "%s%s%.64s", path, path[0] != '\0' ? "." : "", key);
        bad(x, p, "unknown field");
    }
}

static void read_days(ectx_t *x, json_t *root, tv_event_t *e)
{
    json_t *days = json_object_get(root, "days");
    size_t n = json_array_size(days);

    if (!json_is_array(days) || n == 0 || n > 31) {
        bad(x, "days", "expected an array of 1 to 31 dates \"YYYY-MM-DD\"");
        return;
    }
    e->days.items = tv__calloc(n, sizeof(char *));
    if (e->days.items == NULL) {
        x->oom = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *d = json_string_value(json_array_get(days, i));
        char path[32];

        snprintf(path, sizeof(path), "days[%zu]", i);
        if (d == NULL || !tv_calendar_valid_date(d)) {
            bad(x, path, "expected a date \"YYYY-MM-DD\"");
            continue;
        }
        if (e->days.n > 0 && strcmp(e->days.items[e->days.n - 1], d) >= 0) {
            bad(x, path, "days must be in order, each once");
            continue;
        }
        e->days.items[e->days.n] = tv__strdup(d);
        if (e->days.items[e->days.n++] == NULL)
            x->oom = 1;
    }
}

/* A break ends after it starts, within the day ('ps' and 'pe' name its start and end). */
static void check_break(ectx_t *x, const tv_event_t *e, const tv_break_t *b, const char *ps,
                        const char *pe)
{
    if (b->start_minute < 0 || b->end_minute < 0)
        return;
    if (b->end_minute <= b->start_minute)
        bad(x, pe, "a break must end after it starts");
    else if (e->day_start_minute >= 0 && b->start_minute < e->day_start_minute)
        bad(x, ps, "the break starts before day_start");
    else if (e->day_end_minute >= 0 && b->end_minute > e->day_end_minute)
        bad(x, pe, "the break ends after day_end");
}

static void read_breaks(ectx_t *x, json_t *root, tv_event_t *e)
{
    json_t *breaks = json_object_get(root, "breaks");
    size_t n = json_array_size(breaks);

    if (breaks == NULL)
        return;
    if (!json_is_array(breaks)) {
        bad(x, "breaks", "expected an array of {\"start\", \"end\"}");
        return;
    }
    e->breaks = tv__calloc(n + 1, sizeof(tv_break_t));
    if (e->breaks == NULL) {
        x->oom = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char ps[48], pe[48];
        json_t *b = json_array_get(breaks, i);

        snprintf(ps, sizeof(ps), "breaks[%zu]", i);
        check_members(x, b, ps, break_members);
        snprintf(ps, sizeof(ps), "breaks[%zu].start", i);
        snprintf(pe, sizeof(pe), "breaks[%zu].end", i);
        e->breaks[i].start_minute = clock_field(x, b, "start", ps);
        e->breaks[i].end_minute = clock_field(x, b, "end", pe);
        check_break(x, e, &e->breaks[i], ps, pe);
    }
    e->n_breaks = n;
}

/* A request deadline is a date, or a time with an offset, or a local time that exists in the
 * event's zone once: what tv_calendar_parse_time reads. */
static void check_deadline(ectx_t *x, const tv_event_t *e)
{
    int64_t utc;

    if (e->request_deadline == NULL || tv_calendar_valid_date(e->request_deadline) ||
        tv_calendar_parse_time(e->time_zone, e->request_deadline, &utc) == 0)
        return;
    bad(x, "request_deadline",
        "expected an ISO 8601 date \"YYYY-MM-DD\" or time \"YYYY-MM-DDTHH:MM[:SS]\" with an "
        "offset (\"Z\", \"-08:00\"); a time without one is local to time_zone");
}

/* The event's names: id, name, city, time zone, request deadline. */
static void read_names(ectx_t *x, json_t *root, tv_event_t *e)
{
    int64_t utc;

    e->id = string_field(x, root, "id", "id", 1);
    if (e->id != NULL && (!is_id(e->id) || strlen(e->id) > MAX_ID))
        bad(x, "id", "expected an id of 1 to %d letters, digits and . _ : / -", MAX_ID);
    e->name = string_field(x, root, "name", "name", 1);
    e->city = string_field(x, root, "city", "city", 0);
    e->time_zone = string_field(x, root, "time_zone", "time_zone", 1);
    if (e->time_zone != NULL && tv_calendar_local_to_utc(e->time_zone, 2027, 1, 1, 0, 0, &utc) != 0)
        bad(x, "time_zone", "\"%s\" is not an IANA time zone", e->time_zone);
    if (json_is_string(json_object_get(root, "request_deadline")) ||
        json_is_null(json_object_get(root, "request_deadline")))
        e->request_deadline = string_field(x, root, "request_deadline", "request_deadline", 0);
    else if (json_object_get(root, "request_deadline") != NULL)
        bad(x, "request_deadline", "expected an ISO 8601 date or time, as a string");
    check_deadline(x, e);
    language_field(x, root, "language", e->language);
}

/* The days and their slots: days, day_start, day_end, slot_minutes, breaks; then tables. */
static void read_frame(ectx_t *x, json_t *root, tv_event_t *e)
{
    check_members(x, root, "", frame_members);
    read_names(x, root, e);
    read_days(x, root, e);
    e->day_start_minute = clock_field(x, root, "day_start", "day_start");
    e->day_end_minute = clock_field(x, root, "day_end", "day_end");
    if (e->day_start_minute >= 0 && e->day_end_minute >= 0 &&
        e->day_end_minute <= e->day_start_minute)
        bad(x, "day_end", "the day must end after it starts");
    e->slot_minutes = (int)required_count(x, root, "slot_minutes", 5, 240);
    read_breaks(x, root, e);
    e->tables = required_count(x, root, "tables", 1, MAX_TABLES);
    e->default_max_meetings =
        count_field(x, root, "default_max_meetings", "default_max_meetings", 1, MAX_MEETINGS, 12);
}

static int parse_kind(const char *s, tv_profile_kind_t *out)
{
    if (s != NULL && strcmp(s, "company") == 0)
        *out = TV_KIND_COMPANY;
    else if (s != NULL && strcmp(s, "investor") == 0)
        *out = TV_KIND_INVESTOR;
    else
        return -1;
    return 0;
}

static int has_slot(const tv_strings_t *slots, const char *s)
{
    for (size_t i = 0; i < slots->n; i++) {
        if (strcmp(slots->items[i], s) == 0)
            return 1;
    }
    return 0;
}

static void read_people(ectx_t *x, json_t *list, const char *path, tv_attendee_t *a)
{
    size_t n = json_array_size(list);

    if (list == NULL)
        return;
    a->people = tv__calloc(n + 1, sizeof(tv_person_t));
    if (!json_is_array(list) || a->people == NULL) {
        if (a->people == NULL)
            x->oom = 1;
        else
            bad(x, path, "expected an array of {\"name\", \"email\"}");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char pn[96], pe[96];
        tv_person_t *p = &a->people[a->n_people++];
        json_t *o = json_array_get(list, i);

        snprintf(pn, sizeof(pn), "%s[%zu]", path, i);
        check_members(x, o, pn, person_members);
        snprintf(pn, sizeof(pn), "%s[%zu].name", path, i);
        snprintf(pe, sizeof(pe), "%s[%zu].email", path, i);
        p->name = string_field(x, o, "name", pn, 1);
        p->email = string_field(x, o, "email", pe, 1);
        if (p->email != NULL && !tv__email_valid(p->email))
            bad(x, pe, "expected an e-mail address (local@domain.example)");
        snprintf(pn, sizeof(pn), "%s[%zu].language", path, i);
        language_field(x, o, pn, p->language);
    }
}

static void read_unavailable(ectx_t *x, json_t *list, const char *path, const tv_strings_t *slots,
                             tv_attendee_t *a)
{
    size_t n = json_array_size(list);

    if (list == NULL)
        return;
    a->unavailable.items = tv__calloc(n + 1, sizeof(char *));
    if (!json_is_array(list) || a->unavailable.items == NULL) {
        if (a->unavailable.items == NULL)
            x->oom = 1;
        else
            bad(x, path, "expected an array of slot starts \"YYYY-MM-DDTHH:MM\"");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(list, i));
        char p[96];

        snprintf(p, sizeof(p), "%s[%zu]", path, i);
        if (s == NULL || !has_slot(slots, s)) {
            bad(x, p, "not a slot of the event (\"YYYY-MM-DDTHH:MM\", local time)");
            continue;
        }
        a->unavailable.items[a->unavailable.n] = tv__strdup(s);
        if (a->unavailable.items[a->unavailable.n++] == NULL)
            x->oom = 1;
    }
}

static void read_attendee(ectx_t *x, json_t *o, size_t i, const tv_strings_t *slots,
                          const tv_event_t *e, tv_attendee_t *a)
{
    char path[96], p2[128];

    snprintf(path, sizeof(path), "participants[%zu]", i);
    check_members(x, o, path, attendee_members);
    snprintf(p2, sizeof(p2), "%s.kind", path);
    if (parse_kind(json_string_value(json_object_get(o, "kind")), &a->kind) != 0)
        bad(x, p2, "expected \"company\" or \"investor\"");
    snprintf(p2, sizeof(p2), "%s.id", path);
    a->id = string_field(x, o, "id", p2, 1);
    if (a->id != NULL && (!is_id(a->id) || strlen(a->id) > MAX_ID))
        bad(x, p2, "expected an id of 1 to %d letters, digits and . _ : / -", MAX_ID);
    snprintf(p2, sizeof(p2), "%s.max_meetings", path);
    a->max_meetings =
        count_field(x, o, "max_meetings", p2, 0, MAX_MEETINGS, e->default_max_meetings);
    snprintf(p2, sizeof(p2), "%s.min_meetings", path);
    a->min_meetings = count_field(x, o, "min_meetings", p2, 0, MAX_MEETINGS, 0);
    if (a->min_meetings > a->max_meetings)
        bad(x, p2, "must not be above max_meetings (%u)", a->max_meetings);
    snprintf(p2, sizeof(p2), "%s.unavailable", path);
    read_unavailable(x, json_object_get(o, "unavailable"), p2, slots, a);
    snprintf(p2, sizeof(p2), "%s.people", path);
    read_people(x, json_object_get(o, "people"), p2, a);
}

/* The slot of 'x->attendees' that holds the attendee of 'kind' and 'id', or the empty slot
 * where it would go. */
static size_t attendee_slot(const ectx_t *x, const tv_event_t *e, tv_profile_kind_t kind,
                            const char *id)
{
    size_t k = (size_t)XXH64(id, strlen(id), (XXH64_hash_t)kind) & x->attendees.mask;

    for (;; k = (k + 1) & x->attendees.mask) {
        uint32_t s = x->attendees.slots[k];

        if (s == 0 || (e->attendees[s - 1].kind == kind && strcmp(e->attendees[s - 1].id, id) == 0))
            return k;
    }
}

/* The first attendee of 'kind' and 'id' read so far, or NULL (also for a NULL 'id'). */
static const tv_attendee_t *find_attendee(const ectx_t *x, const tv_event_t *e,
                                          tv_profile_kind_t kind, const char *id)
{
    uint32_t s = id == NULL ? 0 : x->attendees.slots[attendee_slot(x, e, kind, id)];

    return s == 0 ? NULL : &e->attendees[s - 1];
}

static void read_attendees(ectx_t *x, json_t *root, const tv_strings_t *slots, tv_event_t *e)
{
    json_t *list = json_object_get(root, "participants");
    size_t n = json_array_size(list);

    if (!json_is_array(list)) {
        bad(x, "participants", "expected an array of participants");
        return;
    }
    e->attendees = tv__calloc(n + 1, sizeof(tv_attendee_t));
    if (e->attendees == NULL || index_init(&x->attendees, n) != 0) {
        x->oom = 1;
        return;
    }
    for (size_t i = 0; i < n && !x->oom; i++) {
        tv_attendee_t a = {0};
        char path[64];
        size_t k;

        read_attendee(x, json_array_get(list, i), i, slots, e, &a);
        snprintf(path, sizeof(path), "participants[%zu].id", i);
        e->attendees[e->n_attendees++] = a;
        if (a.id == NULL)
            continue;
        k = attendee_slot(x, e, a.kind, a.id);
        if (x->attendees.slots[k] != 0)
            bad(x, path, "\"%s\" is listed twice", a.id);
        else
            x->attendees.slots[k] = (uint32_t)e->n_attendees;
    }
}

/* A request's status; pending when absent or null. -1 for any other value. */
static int parse_status(json_t *v, tv_request_status_t *out)
{
    const char *s = json_string_value(v);

    *out = TV_REQUEST_PENDING;
    if (v == NULL || json_is_null(v) || (s != NULL && strcmp(s, "pending") == 0))
        return 0;
    if (s != NULL && strcmp(s, "accepted") == 0)
        *out = TV_REQUEST_ACCEPTED;
    else if (s != NULL && strcmp(s, "declined") == 0)
        *out = TV_REQUEST_DECLINED;
    else
        return -1;
    return 0;
}

static void read_request(ectx_t *x, json_t *o, size_t i, const tv_event_t *e, tv_request_t *r)
{
    const char *priority = json_string_value(json_object_get(o, "priority"));
    char path[96];

    snprintf(path, sizeof(path), "requests[%zu]", i);
    check_members(x, o, path, request_members);
    snprintf(path, sizeof(path), "requests[%zu].company_id", i);
    r->company_id = string_field(x, o, "company_id", path, 1);
    if (r->company_id != NULL && find_attendee(x, e, TV_KIND_COMPANY, r->company_id) == NULL)
        bad(x, path, "\"%s\" is not a participant", r->company_id);
    snprintf(path, sizeof(path), "requests[%zu].investor_id", i);
    r->investor_id = string_field(x, o, "investor_id", path, 1);
    if (r->investor_id != NULL && find_attendee(x, e, TV_KIND_INVESTOR, r->investor_id) == NULL)
        bad(x, path, "\"%s\" is not a participant", r->investor_id);
    snprintf(path, sizeof(path), "requests[%zu].from", i);
    if (parse_kind(json_string_value(json_object_get(o, "from")), &r->from) != 0)
        bad(x, path, "expected \"company\" or \"investor\"");
    snprintf(path, sizeof(path), "requests[%zu].priority", i);
    if (priority == NULL || (strcmp(priority, "must") != 0 && strcmp(priority, "want") != 0))
        bad(x, path, "expected \"must\" or \"want\"");
    r->must = priority != NULL && strcmp(priority, "must") == 0;
    snprintf(path, sizeof(path), "requests[%zu].status", i);
    if (parse_status(json_object_get(o, "status"), &r->status) != 0)
        bad(x, path, "expected \"pending\", \"accepted\" or \"declined\"");
    snprintf(path, sizeof(path), "requests[%zu].message", i);
    r->message = string_field(x, o, "message", path, 0);
}

/* The slot of 'x->pairs' that holds the first request for 'r''s pair, or the empty slot where
 * it would go; 'r' has both ids. */
static size_t pair_slot(const ectx_t *x, const tv_event_t *e, const tv_request_t *r)
{
    XXH64_hash_t h = XXH64(r->company_id, strlen(r->company_id), 0);
    size_t k = (size_t)XXH64(r->investor_id, strlen(r->investor_id), h) & x->pairs.mask;

    for (;; k = (k + 1) & x->pairs.mask) {
        const tv_request_t *o = x->pairs.slots[k] == 0 ? NULL : &e->requests[x->pairs.slots[k] - 1];

        if (o == NULL || (strcmp(o->company_id, r->company_id) == 0 &&
                          strcmp(o->investor_id, r->investor_id) == 0))
            return k;
    }
}

static void read_requests(ectx_t *x, json_t *root, tv_event_t *e)
{
    json_t *list = json_object_get(root, "requests");
    size_t n = json_array_size(list);

    if (list == NULL)
        return;
    e->requests = tv__calloc(n + 1, sizeof(tv_request_t));
    if (e->requests == NULL || index_init(&x->pairs, n) != 0) {
        x->oom = 1;
        return;
    }
    if (!json_is_array(list)) {
        bad(x, "requests", "expected an array of requests");
        return;
    }
    for (size_t i = 0; i < n && !x->oom; i++) {
        tv_request_t *r = &e->requests[e->n_requests++];
        char path[64];
        size_t k;

        read_request(x, json_array_get(list, i), i, e, r);
        if (r->company_id == NULL || r->investor_id == NULL)
            continue;
        k = pair_slot(x, e, r);
        snprintf(path, sizeof(path), "requests[%zu]", i);
        if (x->pairs.slots[k] != 0)
            bad(x, path, "a second request for the same pair");
        else
            x->pairs.slots[k] = (uint32_t)e->n_requests;
    }
}

/* Every slot must be one real stretch of local time (tv_calendar_local_span), or two meetings at
 * one table could fall on one instant: on a day when the clocks change, a break must cover the
 * skipped or repeated hour. One error per day, naming its first such slot. */
static void check_clock(ectx_t *x, const tv_event_t *e, const tv_strings_t *slots)
{
    size_t day = 0, reported = SIZE_MAX;

    for (size_t k = 0; k < slots->n; k++) {
        int y, mo, d, h, mi, start, end, kind;
        char path[32];
        int64_t utc;

        while (day + 1 < e->days.n && strncmp(slots->items[k], e->days.items[day], 10) != 0)
            day++;
        if (day == reported ||
            sscanf(slots->items[k], "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) != 5)
            continue;
        start = h * 60 + mi;
        end = start + e->slot_minutes;
        kind = tv_calendar_local_span(e->time_zone, y, mo, d, start, end, &utc);
        if (kind == TV_SPAN_REAL)
            continue;
        snprintf(path, sizeof(path), "days[%zu]", day);
        bad(x, path,
            "slot %02d:%02d-%02d:%02d %s in %s on %s (clocks go %s): put a break over the "
            "change",
            h, mi, end / 60, end % 60, kind == TV_SPAN_REPEATED ? "occurs twice" : "does not exist",
            e->time_zone, e->days.items[day], kind == TV_SPAN_REPEATED ? "back" : "forward");
        reported = day;
    }
}

/* Reports why 'json' is not a JSON object; 'path' names the value of a number out of range. */
static void parse_failed(json_t *root, const json_error_t *err, const char *path, tv_diags_t *diags)
{
    if (root != NULL)
        tv__diag_add(diags, 0, 0, NULL, "expected an object");
    else if (json_error_code(err) == json_error_numeric_overflow)
        tv__diag_add(diags, (size_t)err->line, 0, path, "a number out of range: %s", err->text);
    else
        tv__diag_add(diags, (size_t)err->line, 0, NULL, "malformed JSON: %s", err->text);
}

/* The slots of a frame read_frame accepted, which tv_event_slots then never refuses. */
static void make_slots(ectx_t *x, const tv_event_t *e, tv_strings_t *slots)
{
    int rc = tv_event_slots(e, slots);

    if (rc == TV_ENOMEM)
        x->oom = 1;
    else if (rc != 0)
        bad(x, "slot_minutes", "the days, day_start, day_end and slot_minutes make no slots");
}

int tv_codec_event_decode(const char *json, size_t len, tv_event_t *out, tv_diags_t *diags)
{
    json_error_t err;
    char path[256];
    json_t *root = tv__json_load(json, len, 0, &err, path, sizeof(path));
    ectx_t x = {diags, 0, 0, {NULL, 0}, {NULL, 0}};
    tv_strings_t slots = {0};

    tv_event_init(out);
    if (root == NULL || !json_is_object(root)) {
        parse_failed(root, &err, path, diags);
        json_decref(root);
        return TV_EPARSE;
    }
    read_frame(&x, root, out);
    if (!x.failed && !x.oom)
        make_slots(&x, out, &slots);
    if (!x.failed && !x.oom && slots.n == 0)
        bad(&x, "slot_minutes", "the days hold no slot of this length outside the breaks");
    if (!x.failed && !x.oom)
        check_clock(&x, out, &slots);
    if (!x.failed && !x.oom)
        read_attendees(&x, root, &slots, out);
    if (!x.failed && !x.oom)
        read_requests(&x, root, out);
    tv__strings_dispose(&slots);
    index_dispose(&x.attendees);
    index_dispose(&x.pairs);
    json_decref(root);
    if (x.failed || x.oom)
        tv_event_dispose(out);
    return x.oom ? TV_ENOMEM : x.failed ? TV_EINVAL : 0;
}
