/* A participant's own unavailable slots at an event (issue 16, decision 0053). GET answers the
 * event's grid of slots with the participant's slots and meetings; PUT replaces its slots, checked
 * as the event file's are, alone and atomically, and answers which of its meetings the change
 * makes impossible (with ?dry_run=true, without writing). */
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agenda.h"
#include "handlers.h"
#include "scheduling.h"
#include "tavolo/availability.h"
#include "tavolo/calendar.h"
#include "tavolo/codec.h"
#include "../query.h"
#include "../reply.h"

/* At most this many problems are named in a 422. */
#define MAX_PROBLEMS 20

/* A write that keeps finding the event changed under it gives up after this many tries. */
#define PUT_TRIES 5

static const char *const kind_names[] = {"company", "investor"};

/* The event as stored, the participant the request is about, and what its change is checked
 * against. */
typedef struct {
    tv_event_t e;
    const tv_attendee_t *who;
    tv_strings_t slots; /* the event's slots, local starts, in order */
    int64_t *utc;       /* each slot's start, seconds since the epoch */
    char *frame;        /* the stored file, its participants and requests aside (JSON) */
    char *stored;       /* the participant's slots as the file stores them (JSON array) */
} avail_t;

static void avail_dispose(avail_t *a)
{
    tv_event_dispose(&a->e);
    tv_strings_free(&a->slots);
    free(a->utc);
    free(a->frame);
    free(a->stored);
}

/* Sends 'obj' (taken over) as the JSON body. */
static void reply_object(api_resp_t *resp, int status, json_t *obj)
{
    api_reply_json(resp, status, obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL);
    json_decref(obj);
}

/* ---- who the request is about ---- */

/* May the caller reach the availability of event 'event' at all? A participant token only for
 * an event it attends, an organiser only for its own event. Replies 403 and returns -1 if not. */
static int may_reach(const api_req_t *r, api_resp_t *resp, const char *event)
{
    api_role_t role = r->principal.role;
    int in = 1;

    if (role == API_ROLE_ORGANISER)
        in = strcmp(r->principal.event_id, event) == 0;
    else if (role == API_ROLE_COMPANY || role == API_ROLE_INVESTOR)
        in = tv_store_is_participant(r->store, event,
                                     role == API_ROLE_COMPANY ? TV_KIND_COMPANY : TV_KIND_INVESTOR,
                                     r->principal.subject);
    if (in < 0)
        api_reply_error(resp, r, in, "");
    else if (in == 0)
        api_reply_problem(resp, r, 403, "forbidden", NULL, "this token may not see event \"%s\"",
                          event);
    return in > 0 ? 0 : -1;
}

/* The participant named by the request into 'id' and '*kind' (-1: either side): a participant
 * token's own profile (naming another is 403); for an admin or the organiser, ?participant=ID
 * and, when the id is on both sides, ?kind=. Replies and returns -1 on a bad or missing one. */
static int named(const api_req_t *r, api_resp_t *resp, char *id, size_t size, int *kind)
{
    char k[16] = "";
    int got = api_query_get(r->query, "participant", id, size);
    int got_kind = api_query_get(r->query, "kind", k, sizeof(k));
    int self = r->principal.role == API_ROLE_COMPANY || r->principal.role == API_ROLE_INVESTOR;

    *kind = got_kind == 1 ? (strcmp(k, "company") == 0    ? 0
                             : strcmp(k, "investor") == 0 ? 1
                                                          : -2)
                          : -1;
    if (got < 0 || (got == 0 && !self)) {
        api_reply_bad_parameter(resp, r, "participant", "the id of a participant of the event");
        return -1;
    }
    if (got_kind < 0 || *kind == -2) {
        api_reply_bad_parameter(resp, r, "kind", "company or investor");
        return -1;
    }
    if (self && ((got == 1 && strcmp(id, r->principal.subject) != 0) ||
                 (*kind >= 0 && *kind != (r->principal.role == API_ROLE_COMPANY ? 0 : 1)))) {
        api_reply_problem(resp, r, 403, "forbidden", NULL,
                          "a participant sees and changes its own availability only");
        return -1;
    }
    if (self) {
        snprintf(id, size, "%s", r->principal.subject);
        *kind = r->principal.role == API_ROLE_COMPANY ? 0 : 1;
    }
    return 0;
}

/* ---- the event as stored ---- */

static int text_is(json_t *v, const char *s)
{
    return json_is_string(v) && strcmp(json_string_value(v), s) == 0;
}

/* The stored file's parts the compare-and-set needs: the file without its participants and
 * requests, and the participant's "unavailable" exactly as stored. */
static int stored_parts(avail_t *a, const char *doc)
{
    json_t *o = json_loads(doc, 0, NULL), *list = NULL, *p;
    size_t i;
    int rc = o != NULL ? 0 : TV_EINVAL;

    json_array_foreach(json_object_get(o, "participants"), i, p)
    {
        if (list == NULL && text_is(json_object_get(p, "id"), a->who->id) &&
            text_is(json_object_get(p, "kind"), kind_names[a->who->kind]))
            list = json_object_get(p, "unavailable");
    }
    a->stored = list != NULL ? json_dumps(list, JSON_COMPACT) : strdup("[]");
    json_object_del(o, "participants");
    json_object_del(o, "requests");
    a->frame = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (rc == 0 && (a->stored == NULL || a->frame == NULL))
        rc = TV_ENOMEM;
    return rc;
}

/* Each slot's start as an instant. */
static int slot_instants(avail_t *a)
{
    int rc = tv_event_slots(&a->e, &a->slots);

    if (rc == 0 && (a->utc = calloc(a->slots.n + 1, sizeof(int64_t))) == NULL)
        rc = TV_ENOMEM;
    for (size_t s = 0; rc == 0 && s < a->slots.n; s++) {
        int y, mo, d, h, mi;

        if (sscanf(a->slots.items[s], "%d-%d-%dT%d:%d", &y, &mo, &d, &h, &mi) != 5)
            rc = TV_EINVAL;
        else
            rc = tv_calendar_local_to_utc(a->e.time_zone, y, mo, d, h, mi, &a->utc[s]);
    }
    return rc;
}

/* The attendee of 'e' with 'id' on side 'kind' (-1: either), or NULL; '*twice' says the id is
 * on both sides. */
static const tv_attendee_t *find_attendee(const tv_event_t *e, const char *id, int kind, int *twice)
{
    const tv_attendee_t *found = NULL;

    *twice = 0;
    for (size_t i = 0; i < e->n_attendees; i++) {
        if (strcmp(e->attendees[i].id, id) != 0 || (kind >= 0 && (int)e->attendees[i].kind != kind))
            continue;
        *twice = found != NULL;
        found = found != NULL ? found : &e->attendees[i];
    }
    return found;
}

/* Loads the event and the participant the request names; replies and returns -1 on failure. */
static int load(const api_req_t *r, api_resp_t *resp, avail_t *a)
{
    const char *event = r->params[0];
    char id[96], *doc = NULL;
    tv_diags_t diags = {0};
    int kind, twice = 0, rc;

    if (r->store == NULL) {
        api_reply_error(resp, r, TV_EUNAVAIL, "");
        return -1;
    }
    if (may_reach(r, resp, event) != 0 || named(r, resp, id, sizeof(id), &kind) != 0)
        return -1;
    rc = tv_store_event_doc(r->store, event, &doc);
    if (rc == 0)
        rc = tv_codec_event_decode(doc, strlen(doc), &a->e, &diags);
    tv_diags_dispose(&diags);
    if (rc == 0 && (a->who = find_attendee(&a->e, id, kind, &twice)) != NULL && !twice)
        rc = stored_parts(a, doc);
    if (rc == 0 && a->who != NULL && !twice)
        rc = slot_instants(a);
    free(doc);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else if (twice)
        api_reply_bad_parameter(resp, r, "kind", "company or investor: both sides have this id");
    else if (a->who == NULL)
        api_reply_problem(resp, r, 404, "not-found", NULL, "no participant \"%s\" in event \"%s\"",
                          id, event);
    return rc == 0 && a->who != NULL && !twice ? 0 : -1;
}

/* ---- answers ---- */

static int slot_of(const avail_t *a, const char *start)
{
    for (size_t s = 0; s < a->slots.n; s++) {
        if (strcmp(a->slots.items[s], start) == 0)
            return (int)s;
    }
    return -1;
}

/* An instant as ISO 8601 with the event's offset ("2027-01-11T09:00:00-08:00"). */
static json_t *instant(const avail_t *a, int64_t utc)
{
    char iso[40] = "";

    tv_calendar_format_local(a->e.time_zone, utc, iso, sizeof(iso));
    return json_string(iso);
}

static json_t *participant_json(const tv_attendee_t *who)
{
    return json_pack("{s:s, s:s}", "kind", kind_names[who->kind], "id", who->id);
}

/* 'm' for the participant's page: where, when, and the other side by name. */
static json_t *meeting_json(const avail_t *a, const tv_meeting_t *m, char *const *names)
{
    static const char *const actions[] = {"moved_by_next_run", "conflict", "outcome_kept"};
    int company = a->who->kind == TV_KIND_COMPANY, s = slot_of(a, m->slot_start);
    int action = m->status == TV_MEETING_HELD || m->status == TV_MEETING_NO_SHOW ? 2 : m->pinned;
    json_t *o =
        json_pack("{s:I, s:s, s:i, s:s, s:b, s:s, s:{s:s, s:s, s:s}}", "id", (json_int_t)m->id,
                  "slot", m->slot_start, "table", (int)m->table_no, "status",
                  tv_meeting_status_name(m->status), "pinned", m->pinned != 0, "action",
                  actions[action], "with", "kind", company ? "investor" : "company", "id",
                  company ? m->investor_id : m->company_id, "name", names[company ? 1 : 0]);

    if (o != NULL && s >= 0)
        json_object_set_new(o, "at", instant(a, a->utc[s]));
    return o;
}

/* The participant's meetings in 'm' (all of the event's, or those a change affects) as a JSON
 * array, the cancelled ones left out. */
static int meetings_json(const api_req_t *r, const avail_t *a, tv_meeting_t *m, size_t n,
                         json_t **out)
{
    char **names = NULL;
    size_t k = api_agenda_select(m, n, a->who->id, 0);
    int rc = api_agenda_names(r->store, r->app->tax, m, k, &names);

    *out = json_array();
    for (size_t i = 0; rc == 0 && i < k; i++) {
        if ((a->who->kind == TV_KIND_COMPANY ? strcmp(m[i].company_id, a->who->id)
                                             : strcmp(m[i].investor_id, a->who->id)) == 0)
            json_array_append_new(*out, meeting_json(a, &m[i], names + 2 * i));
    }
    for (size_t i = 0; names != NULL && i < 2 * k; i++)
        free(names[i]);
    free(names);
    return rc;
}

static json_t *strings_json(const tv_strings_t *s)
{
    json_t *list = json_array();

    for (size_t i = 0; i < s->n; i++)
        json_array_append_new(list, json_string(s->items[i]));
    return list;
}

/* The event's frame: what the page draws its grid from. */
static json_t *grid_json(const avail_t *a, time_t now)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:o, s:[], s:[]}", "event_id", a->e.id, "name",
                          a->e.name, "time_zone", a->e.time_zone, "slot_minutes", a->e.slot_minutes,
                          "days", strings_json(&a->e.days), "breaks", "slots");

    for (size_t b = 0; o != NULL && b < a->e.n_breaks; b++) {
        char start[8], end[8];

        snprintf(start, sizeof(start), "%02d:%02d", a->e.breaks[b].start_minute / 60,
                 a->e.breaks[b].start_minute % 60);
        snprintf(end, sizeof(end), "%02d:%02d", a->e.breaks[b].end_minute / 60,
                 a->e.breaks[b].end_minute % 60);
        json_array_append_new(json_object_get(o, "breaks"),
                              json_pack("{s:s, s:s}", "start", start, "end", end));
    }
    for (size_t s = 0; o != NULL && s < a->slots.n; s++)
        json_array_append_new(json_object_get(o, "slots"),
                              json_pack("{s:s, s:o, s:b}", "start", a->slots.items[s], "at",
                                        instant(a, a->utc[s]), "past", a->utc[s] <= now));
    return o;
}

int api_h_availability_get(const api_req_t *r, api_resp_t *resp)
{
    avail_t a = {0};
    tv_meeting_t *m = NULL;
    json_t *o = NULL, *meetings = NULL;
    size_t n = 0;
    int rc;

    tv_event_init(&a.e);
    if (load(r, resp, &a) != 0)
        goto out;
    rc = tv_store_meetings(r->store, a.e.id, &m, &n);
    if (rc == 0)
        rc = meetings_json(r, &a, m, n, &meetings);
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        goto out;
    }
    o = grid_json(&a, time(NULL));
    json_object_set_new(o, "participant", participant_json(a.who));
    json_object_set_new(o, "unavailable", strings_json(&a.who->unavailable));
    json_object_set_new(o, "meetings", meetings);
    meetings = NULL;
    reply_object(resp, 200, o);
out:
    json_decref(meetings);
    free(m);
    avail_dispose(&a);
    return 0;
}

/* ---- the change ---- */

/* Adds one problem, at "unavailable[i]" (or "unavailable" when 'i' is negative). */
static void problem(tv_diags_t *d, long i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(tv_diags_t *d, long i, const char *fmt, ...)
{
    tv_diag_t *items = realloc(d->items, (d->n + 1) * sizeof(*items));
    char field[48], msg[256];
    va_list ap;

    if (items == NULL)
        return;
    d->items = items;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (i < 0)
        snprintf(field, sizeof(field), "unavailable");
    else
        snprintf(field, sizeof(field), "unavailable[%ld]", i);
    d->items[d->n] = (tv_diag_t){0, 0, strdup(field), strdup(msg)};
    if (d->items[d->n].field != NULL && d->items[d->n].message != NULL)
        d->n++;
}

/* Why 's' starts no slot of the event, in words, into 'out'. */
static void why_not(const avail_t *a, const char *s, char *out, size_t size)
{
    const tv_event_t *e = &a->e;
    int y, mo, d, h, mi, end = 0, m, last;
    size_t k = 0;

    if (strlen(s) != 16 || sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &end) != 5 ||
        end != 16 || s[4] != '-' || s[10] != 'T') {
        snprintf(out, size, "expected a slot start \"YYYY-MM-DDTHH:MM\" in the event's time zone");
        return;
    }
    while (k < e->days.n && strncmp(e->days.items[k], s, 10) != 0)
        k++;
    if (k == e->days.n) {
        snprintf(out, size, "%.10s is not a day of the event (%s to %s)", s, e->days.items[0],
                 e->days.items[e->days.n - 1]);
        return;
    }
    m = h * 60 + mi;
    for (size_t b = 0; b < e->n_breaks; b++) {
        if (m < e->breaks[b].end_minute && m + e->slot_minutes > e->breaks[b].start_minute) {
            snprintf(out, size, "%s is in the break %02d:%02d-%02d:%02d", s + 11,
                     e->breaks[b].start_minute / 60, e->breaks[b].start_minute % 60,
                     e->breaks[b].end_minute / 60, e->breaks[b].end_minute % 60);
            return;
        }
    }
    last = e->day_start_minute + (e->day_end_minute - e->day_start_minute - e->slot_minutes) /
                                     e->slot_minutes * e->slot_minutes;
    snprintf(out, size,
             "%s is not a slot start: slots start every %d minutes from %02d:%02d, the "
             "last at %02d:%02d",
             s + 11, e->slot_minutes, e->day_start_minute / 60, e->day_start_minute % 60, last / 60,
             last % 60);
}

static int was_unavailable(const avail_t *a, const char *slot)
{
    for (size_t i = 0; i < a->who->unavailable.n; i++) {
        if (strcmp(a->who->unavailable.items[i], slot) == 0)
            return 1;
    }
    return 0;
}

/* Checks entry 'i' of the body's list and marks its slot in 'chosen' ('first' keeps the index
 * that chose each slot, for naming a repeat). */
static void check_one(const avail_t *a, json_t *v, size_t i, time_t now, uint8_t *chosen,
                      size_t *first, tv_diags_t *d)
{
    const char *s = json_string_value(v);
    char why[200];
    int k = s != NULL ? slot_of(a, s) : -1;

    if (s == NULL) {
        problem(d, (long)i, "expected a slot start \"YYYY-MM-DDTHH:MM\" (a string)");
    } else if (k < 0) {
        why_not(a, s, why, sizeof(why));
        problem(d, (long)i, "%s", why);
    } else if (chosen[k]) {
        problem(d, (long)i, "%s repeats /unavailable/%zu", s, first[k]);
    } else if (a->utc[k] <= now && !was_unavailable(a, s)) {
        problem(d, (long)i, "%s has started already: a past slot cannot change", s);
    } else {
        chosen[k] = 1;
        first[k] = i;
    }
}

/* The new list in slot order: the body's slots, and the stored ones that have started (a past
 * slot cannot change, so leaving it out of the body keeps it). Problems go to 'd'. */
static json_t *new_list(const avail_t *a, json_t *list, time_t now, uint8_t *chosen, tv_diags_t *d)
{
    size_t *first = calloc(a->slots.n + 1, sizeof(size_t)), i;
    json_t *v, *out = json_array();

    if (first == NULL || out == NULL) {
        free(first);
        json_decref(out);
        return NULL;
    }
    json_array_foreach(list, i, v)
    {
        if (d->n < MAX_PROBLEMS)
            check_one(a, v, i, now, chosen, first, d);
    }
    for (size_t k = 0; k < a->slots.n; k++) {
        chosen[k] |= a->utc[k] <= now && was_unavailable(a, a->slots.items[k]);
        if (chosen[k])
            json_array_append_new(out, json_string(a->slots.items[k]));
    }
    free(first);
    return out;
}

/* The answer of a change: the new slots, those added and removed, and the meetings it makes
 * impossible with what becomes of them. */
static json_t *report_json(const api_req_t *r, const avail_t *a, json_t *list,
                           const uint8_t *chosen, tv_meeting_t *m, size_t n, int dry_run)
{
    json_t *added = json_array(), *removed = json_array(), *meetings = NULL;
    int rc = meetings_json(r, a, m, n, &meetings);

    for (size_t k = 0; k < a->slots.n; k++) {
        int was = was_unavailable(a, a->slots.items[k]);

        if (chosen[k] && !was)
            json_array_append_new(added, json_string(a->slots.items[k]));
        else if (!chosen[k] && was)
            json_array_append_new(removed, json_string(a->slots.items[k]));
    }
    if (rc != 0) {
        json_decref(added);
        json_decref(removed);
        json_decref(meetings);
        return NULL;
    }
    return json_pack("{s:b, s:b, s:s, s:o, s:O, s:o, s:o, s:o}", "dry_run", dry_run, "changed",
                     json_array_size(added) + json_array_size(removed) > 0, "event_id", a->e.id,
                     "participant", participant_json(a->who), "unavailable", list, "added", added,
                     "removed", removed, "meetings", meetings);
}

/* One try of a change, from the event as stored now. Returns TV_ESTALE without replying when
 * the event or the participant's slots changed before it could be written, else 0 after
 * replying. */
static int put_once(const api_req_t *r, api_resp_t *resp, json_t *body_list, int dry_run)
{
    avail_t a = {0};
    tv_diags_t d = {0};
    tv_meeting_t *m = NULL;
    uint8_t *chosen = NULL;
    json_t *list = NULL;
    char *text = NULL;
    size_t n = 0;
    int rc = 0;

    tv_event_init(&a.e);
    if (load(r, resp, &a) != 0)
        goto out;
    chosen = calloc(a.slots.n + 1, 1);
    list = chosen != NULL ? new_list(&a, body_list, time(NULL), chosen, &d) : NULL;
    text = list != NULL ? json_dumps(list, JSON_COMPACT) : NULL;
    if (d.n > 0) {
        api_reply_diags(resp, r, TV_EINVAL, &d);
        goto out;
    }
    rc = text != NULL
             ? tv_store_availability_put(r->store, a.e.id, a.who->kind, a.who->id, a.frame,
                                         a.stored, text, dry_run ? TV_IMPORT_DRY_RUN : 0, &m, &n)
             : TV_ENOMEM;
    if (rc == 0)
        reply_object(resp, 200, report_json(r, &a, list, chosen, m, n, dry_run));
    else if (rc != TV_ESTALE)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
out:
    tv_diags_dispose(&d);
    json_decref(list);
    free(text);
    free(chosen);
    free(m);
    avail_dispose(&a);
    return rc == TV_ESTALE ? rc : 0;
}

/* The body: {"unavailable": [slot starts]} and nothing else. Replies and returns NULL when it
 * is not. */
static json_t *body_list(const api_req_t *r, api_resp_t *resp, json_t *o)
{
    json_t *list = json_object_get(o, "unavailable");
    const char *key;
    json_t *v;

    if (!json_is_object(o)) {
        api_reply_problem(resp, r, 400, "malformed-json", NULL, "the body is not a JSON object");
        return NULL;
    }
    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "unavailable") != 0) {
            char pointer[96];

            snprintf(pointer, sizeof(pointer), "/%.80s", key);
            api_reply_problem(resp, r, 422, "invalid-field", pointer,
                              "unknown member: the body is {\"unavailable\": [...]}");
            return NULL;
        }
    }
    if (!json_is_array(list)) {
        api_reply_problem(resp, r, 422, "invalid-field", "/unavailable",
                          "expected an array of slot starts \"YYYY-MM-DDTHH:MM\"");
        return NULL;
    }
    return list;
}

int api_h_availability_put(const api_req_t *r, api_resp_t *resp)
{
    json_t *o = json_loadb(r->body, r->body_len, 0, NULL), *list;
    char value[8];
    int got = api_query_get(r->query, "dry_run", value, sizeof(value)), rc = TV_ESTALE;

    if (got < 0 || (got == 1 && strcmp(value, "true") != 0 && strcmp(value, "false") != 0)) {
        api_reply_bad_parameter(resp, r, "dry_run", "true or false");
        goto out;
    }
    if (r->store != NULL && may_reach(r, resp, r->params[0]) != 0)
        goto out;
    if ((list = body_list(r, resp, o)) == NULL)
        goto out;
    for (int t = 0; t < PUT_TRIES && rc == TV_ESTALE; t++)
        rc = put_once(r, resp, list, got == 1 && strcmp(value, "true") == 0);
    if (rc == TV_ESTALE)
        api_reply_problem(resp, r, 409, "conflict", NULL,
                          "event \"%s\" kept changing while the change was made; try again",
                          r->params[0]);
out:
    json_decref(o);
    return 0;
}
