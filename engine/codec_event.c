/* Event files: days, slots, tables, participants and requests, checked with the same kind of
 * diagnostics as profiles (the JSON path of each problem). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"
#include "internal.h"
#include "tavolo/calendar.h"

#define MAX_TABLES 100000
#define MAX_MEETINGS 1000

typedef struct {
    tv_diags_t *diags;
    int failed, oom;
} ectx_t;

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

static int is_id(const char *s)
{
    for (; *s != '\0'; s++) {
        if (!isalnum((unsigned char)*s) && strchr("._:/-", *s) == NULL)
            return 0;
    }
    return 1;
}

/* "HH:MM" as minutes after midnight, or -1. */
static int parse_clock(const char *s)
{
    int h, m;
    char end;

    if (s == NULL || sscanf(s, "%2d:%2d%c", &h, &m, &end) != 2 || strlen(s) != 5 || h < 0 ||
        h > 24 || m < 0 || m > 59 || (h == 24 && m != 0))
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

        snprintf(ps, sizeof(ps), "breaks[%zu].start", i);
        snprintf(pe, sizeof(pe), "breaks[%zu].end", i);
        e->breaks[i].start_minute = clock_field(x, b, "start", ps);
        e->breaks[i].end_minute = clock_field(x, b, "end", pe);
        if (e->breaks[i].end_minute <= e->breaks[i].start_minute)
            bad(x, pe, "a break must end after it starts");
    }
    e->n_breaks = n;
}

static void read_frame(ectx_t *x, json_t *root, tv_event_t *e)
{
    e->id = string_field(x, root, "id", "id", 1);
    if (e->id != NULL && !is_id(e->id))
        bad(x, "id", "expected an id of letters, digits and . _ : / -");
    e->name = string_field(x, root, "name", "name", 1);
    e->city = string_field(x, root, "city", "city", 0);
    e->time_zone = string_field(x, root, "time_zone", "time_zone", 1);
    e->request_deadline = string_field(x, root, "request_deadline", "request_deadline", 0);
    read_days(x, root, e);
    e->day_start_minute = clock_field(x, root, "day_start", "day_start");
    e->day_end_minute = clock_field(x, root, "day_end", "day_end");
    if (e->day_start_minute >= 0 && e->day_end_minute <= e->day_start_minute)
        bad(x, "day_end", "the day must end after it starts");
    e->slot_minutes = (int)count_field(x, root, "slot_minutes", "slot_minutes", 5, 240, 0);
    if (json_object_get(root, "slot_minutes") == NULL)
        bad(x, "slot_minutes", "required field is missing");
    read_breaks(x, root, e);
    e->tables = count_field(x, root, "tables", "tables", 1, MAX_TABLES, 0);
    if (json_object_get(root, "tables") == NULL)
        bad(x, "tables", "required field is missing");
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

        snprintf(pn, sizeof(pn), "%s[%zu].name", path, i);
        snprintf(pe, sizeof(pe), "%s[%zu].email", path, i);
        p->name = string_field(x, json_array_get(list, i), "name", pn, 1);
        p->email = string_field(x, json_array_get(list, i), "email", pe, 1);
        if (p->email != NULL && (strchr(p->email, '@') == NULL || strchr(p->email, ' ') != NULL))
            bad(x, pe, "expected an e-mail address");
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
    snprintf(p2, sizeof(p2), "%s.kind", path);
    if (parse_kind(json_string_value(json_object_get(o, "kind")), &a->kind) != 0)
        bad(x, p2, "expected \"company\" or \"investor\"");
    snprintf(p2, sizeof(p2), "%s.id", path);
    a->id = string_field(x, o, "id", p2, 1);
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

static const tv_attendee_t *find_attendee(const tv_event_t *e, tv_profile_kind_t kind,
                                          const char *id)
{
    for (size_t i = 0; id != NULL && i < e->n_attendees; i++) {
        if (e->attendees[i].kind == kind && e->attendees[i].id != NULL &&
            strcmp(e->attendees[i].id, id) == 0)
            return &e->attendees[i];
    }
    return NULL;
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
    if (e->attendees == NULL) {
        x->oom = 1;
        return;
    }
    for (size_t i = 0; i < n && !x->oom; i++) {
        tv_attendee_t a = {0};
        char path[64];

        read_attendee(x, json_array_get(list, i), i, slots, e, &a);
        snprintf(path, sizeof(path), "participants[%zu].id", i);
        if (find_attendee(e, a.kind, a.id) != NULL)
            bad(x, path, "\"%s\" is listed twice", a.id);
        e->attendees[e->n_attendees++] = a;
    }
}

static void read_request(ectx_t *x, json_t *o, size_t i, const tv_event_t *e, tv_request_t *r)
{
    const char *priority = json_string_value(json_object_get(o, "priority"));
    const char *status = json_string_value(json_object_get(o, "status"));
    char path[96];

    snprintf(path, sizeof(path), "requests[%zu].company_id", i);
    r->company_id = string_field(x, o, "company_id", path, 1);
    if (r->company_id != NULL && find_attendee(e, TV_KIND_COMPANY, r->company_id) == NULL)
        bad(x, path, "\"%s\" is not a participant", r->company_id);
    snprintf(path, sizeof(path), "requests[%zu].investor_id", i);
    r->investor_id = string_field(x, o, "investor_id", path, 1);
    if (r->investor_id != NULL && find_attendee(e, TV_KIND_INVESTOR, r->investor_id) == NULL)
        bad(x, path, "\"%s\" is not a participant", r->investor_id);
    snprintf(path, sizeof(path), "requests[%zu].from", i);
    if (parse_kind(json_string_value(json_object_get(o, "from")), &r->from) != 0)
        bad(x, path, "expected \"company\" or \"investor\"");
    snprintf(path, sizeof(path), "requests[%zu].priority", i);
    if (priority == NULL || (strcmp(priority, "must") != 0 && strcmp(priority, "want") != 0))
        bad(x, path, "expected \"must\" or \"want\"");
    r->must = priority != NULL && strcmp(priority, "must") == 0;
    snprintf(path, sizeof(path), "requests[%zu].status", i);
    r->status = TV_REQUEST_PENDING;
    if (status != NULL && strcmp(status, "accepted") == 0)
        r->status = TV_REQUEST_ACCEPTED;
    else if (status != NULL && strcmp(status, "declined") == 0)
        r->status = TV_REQUEST_DECLINED;
    else if (status != NULL && strcmp(status, "pending") != 0)
        bad(x, path, "expected \"pending\", \"accepted\" or \"declined\"");
    snprintf(path, sizeof(path), "requests[%zu].message", i);
    r->message = string_field(x, o, "message", path, 0);
}

static void read_requests(ectx_t *x, json_t *root, tv_event_t *e)
{
    json_t *list = json_object_get(root, "requests");
    size_t n = json_array_size(list);

    if (list == NULL)
        return;
    e->requests = tv__calloc(n + 1, sizeof(tv_request_t));
    if (!json_is_array(list) || e->requests == NULL) {
        if (e->requests == NULL)
            x->oom = 1;
        else
            bad(x, "requests", "expected an array of requests");
        return;
    }
    for (size_t i = 0; i < n && !x->oom; i++) {
        tv_request_t *r = &e->requests[e->n_requests++];

        read_request(x, json_array_get(list, i), i, e, r);
        for (size_t j = 0; j + 1 < e->n_requests && r->company_id && r->investor_id; j++) {
            tv_request_t *o = &e->requests[j];

            if (o->company_id && o->investor_id && strcmp(o->company_id, r->company_id) == 0 &&
                strcmp(o->investor_id, r->investor_id) == 0) {
                char path[64];

                snprintf(path, sizeof(path), "requests[%zu]", i);
                bad(x, path, "a second request for the same pair");
                break;
            }
        }
    }
}

int tv_codec_event_decode(const char *json, size_t len, tv_event_t *out, tv_diags_t *diags)
{
    json_error_t err;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    ectx_t x = {diags, 0, 0};
    tv_strings_t slots = {0};

    tv_event_init(out);
    if (root == NULL || !json_is_object(root)) {
        tv__diag_add(diags, root == NULL ? (size_t)err.line : 0, 0, NULL,
                     root == NULL ? "malformed JSON: %s" : "expected an object%s",
                     root == NULL ? err.text : "");
        json_decref(root);
        return TV_EPARSE;
    }
    read_frame(&x, root, out);
    if (!x.failed && !x.oom && tv_event_slots(out, &slots) != 0)
        x.oom = 1;
    if (!x.failed && !x.oom && slots.n == 0)
        bad(&x, "slot_minutes", "the days hold no slot of this length outside the breaks");
    if (!x.failed && !x.oom)
        read_attendees(&x, root, &slots, out);
    if (!x.failed && !x.oom)
        read_requests(&x, root, out);
    tv__strings_dispose(&slots);
    json_decref(root);
    if (x.failed || x.oom)
        tv_event_dispose(out);
    return x.oom ? TV_ENOMEM : x.failed ? TV_EINVAL : 0;
}
