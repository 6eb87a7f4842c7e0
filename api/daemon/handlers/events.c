/* Events: the event files, meeting requests, the scheduler, meetings, agendas. Organisers see
 * and change everything of their event; a participant sees its own requests and meetings. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agenda.h"
#include "notify.h"
#include "notify_deadline.h"
#include "../access.h"
#include "../log.h"
#include "../query.h"
#include "../reply.h"
#include "scheduling.h"
#include "handlers.h"
#include "tavolo/calendar.h"

typedef enum { SEE_NONE, SEE_OWN, SEE_ALL } event_view_t;

/* How much of event 'id' the caller sees: all (admin, its organiser), its own part (a
 * participant), nothing; or a negative TV_E* code. */
static int event_view(const api_req_t *r, const char *id)
{
    api_role_t role = r->principal.role;
    int in;

    /* Every event route reads the database after this check: without it, none can answer. */
    if (r->store == NULL)
        return TV_EUNAVAIL;
    if (api_access_runs_event(r, id))
        return SEE_ALL;
    if (role == API_ROLE_ORGANISER)
        return SEE_NONE;
    in = tv_store_is_participant(r->store, id,
                                 role == API_ROLE_COMPANY ? TV_KIND_COMPANY : TV_KIND_INVESTOR,
                                 r->principal.subject);
    return in < 0 ? in : in ? SEE_OWN : SEE_NONE;
}

/* The side of a participant's principal (company or investor). */
static tv_profile_kind_t principal_kind(const api_req_t *r)
{
    return r->principal.role == API_ROLE_COMPANY ? TV_KIND_COMPANY : TV_KIND_INVESTOR;
}

/* Replies for a view that does not reach 'need'; returns 0 when it does. */
static int require(const api_req_t *r, api_resp_t *resp, int view, int need)
{
    if (view >= need)
        return 0;
    if (view < 0)
        api_reply_error(resp, r, view, "");
    else
        api_reply_problem(resp, r, 403, "forbidden", NULL, "this token may not %s event \"%s\"",
                          need == SEE_ALL ? "manage" : "see", r->params[0]);
    return -1;
}

static int need_store(const api_req_t *r, api_resp_t *resp)
{
    if (r->store != NULL)
        return 0;
    api_reply_error(resp, r, TV_EUNAVAIL, "");
    return -1;
}

/* ---- the event files ---- */

typedef struct {
    const api_req_t *r;
    json_t *items;
} list_t;

static int on_event(void *ctx, const tv_store_event_summary_t *e)
{
    list_t *l = ctx;
    int view = event_view(l->r, e->id);

    if (view > SEE_NONE)
        json_array_append_new(l->items,
                              json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", e->id, "name",
                                        e->name, "city", e->city, "time_zone", e->time_zone,
                                        "first_day", e->first_day, "last_day", e->last_day));
    return view < 0 ? view : 0;
}

int api_h_event_list(const api_req_t *r, api_resp_t *resp)
{
    list_t l = {r, json_array()};
    int rc = need_store(r, resp) == 0 ? tv_store_events_each(r->store, on_event, &l) : -1;
    json_t *body;

    if (rc == 0) {
        body = json_pack("{s:O}", "items", l.items);
        api_reply_object(resp, 200, body);
    } else if (rc != -1) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    }
    json_decref(l.items);
    return 0;
}

/* Every participant must be a profile the daemon knows. */
static int check_attendees(const api_req_t *r, api_resp_t *resp, const tv_event_t *e)
{
    int missing = -1;

    pthread_rwlock_rdlock(&r->app->lock);
    for (size_t a = 0; a < e->n_attendees && missing < 0; a++) {
        const tv_attendee_t *at = &e->attendees[a];

        if ((at->kind == TV_KIND_COMPANY ? tv_matcher_find_company(r->app->matcher, at->id)
                                         : tv_matcher_find_investor(r->app->matcher, at->id)) < 0)
            missing = (int)a;
    }
    pthread_rwlock_unlock(&r->app->lock);
    if (missing >= 0) {
        char pointer[64];

        snprintf(pointer, sizeof(pointer), "/participants/%d/id", missing);
        api_reply_problem(resp, r, 422, "invalid-field", pointer, "no %s \"%s\"",
                          e->attendees[missing].kind == TV_KIND_COMPANY ? "company" : "investor",
                          e->attendees[missing].id);
    }
    return missing >= 0 ? -1 : 0;
}

/* Decodes and checks an event body; replies on failure. */
static int decode_event(const api_req_t *r, api_resp_t *resp, tv_event_t *e)
{
    tv_diags_t diags = {0};
    int64_t utc;
    int rc = tv_codec_event_decode(r->body, r->body_len, e, &diags);

    if (rc != 0) {
        api_reply_diags(resp, r, rc, &diags);
        tv_diags_dispose(&diags);
        return -1;
    }
    if (tv_calendar_local_to_utc(e->time_zone, 2027, 1, 1, 0, 0, &utc) != 0) {
        api_reply_problem(resp, r, 422, "invalid-field", "/time_zone",
                          "\"%s\" is not an IANA time zone", e->time_zone);
        return -1;
    }
    return check_attendees(r, resp, e);
}

typedef struct {
    const tv_event_t *e;
    uint8_t *already; /* per attendee: a participant before this write */
} scope_t;

static int on_stored_participant(void *ctx, tv_profile_kind_t kind, const char *id)
{
    scope_t *x = ctx;

    for (size_t a = 0; a < x->e->n_attendees; a++) {
        if (x->e->attendees[a].kind == kind && strcmp(x->e->attendees[a].id, id) == 0)
            x->already[a] = 1;
    }
    return 0;
}

/* An organiser's scope never widens by a write: its event file may keep the participants the
 * event has, and drop some, but not bring in a profile that is not one of them (an admin
 * does, or the organiser creates a new profile, which joins its event). Replies 403 naming the
 * first newcomer and returns -1; 0 when the write keeps the scope. */
static int keep_scope(const api_req_t *r, api_resp_t *resp, const tv_event_t *e)
{
    scope_t x = {e, calloc(e->n_attendees + 1, 1)};
    int rc = x.already != NULL ? 0 : TV_ENOMEM;
    char pointer[64];
    size_t a = 0;

    if (rc == 0)
        rc = tv_store_each_participant(r->store, e->id, on_stored_participant, &x);
    while (rc == 0 && a < e->n_attendees && x.already[a])
        a++;
    free(x.already);
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        return -1;
    }
    if (a == e->n_attendees)
        return 0;
    snprintf(pointer, sizeof(pointer), "/participants/%zu/id", a);
    api_reply_problem(resp, r, 403, "forbidden", pointer,
                      "%s \"%s\" does not take part in event \"%s\": only an admin adds an "
                      "existing profile to an event",
                      e->attendees[a].kind == TV_KIND_COMPANY ? "company" : "investor",
                      e->attendees[a].id, e->id);
    return -1;
}

/* ?dry_run=true|false into TV_IMPORT_DRY_RUN; replies 400 and returns -1 for another value. */
static int import_flags(const api_req_t *r, api_resp_t *resp, int *flags)
{
    char value[8];
    int got = api_query_get(r->query, "dry_run", value, sizeof(value));

    *flags = got == 1 && strcmp(value, "true") == 0 ? TV_IMPORT_DRY_RUN : 0;
    if (got == 0 || (got == 1 && (strcmp(value, "true") == 0 || strcmp(value, "false") == 0)))
        return 0;
    api_reply_bad_parameter(resp, r, "dry_run", "true or false");
    return -1;
}

/* May the caller write this event? Replies 403 and returns -1 if not. */
static int may_write(const api_req_t *r, api_resp_t *resp, const char *path_id)
{
    if (r->principal.role == API_ROLE_ADMIN ||
        (r->principal.role == API_ROLE_ORGANISER && path_id != NULL &&
         strcmp(r->principal.event_id, path_id) == 0))
        return 0;
    api_reply_problem(resp, r, 403, "forbidden", NULL, "this token may not write events");
    return -1;
}

static int report_says_created(const char *report)
{
    json_t *r = json_loads(report, 0, NULL);
    int created = json_is_true(json_object_get(r, "created"));

    json_decref(r);
    return created;
}

/* Creates or merges an event file (POST when 'path_id' is NULL, else PUT) and answers the
 * import's report: 201 when it created the event, else 200; with ?dry_run=true the same
 * report, and nothing written. */
static void put_event(const api_req_t *r, api_resp_t *resp, const char *path_id)
{
    tv_event_t e;
    char *existing = NULL, *report = NULL;
    int flags = 0, rc;

    tv_event_init(&e);
    if (may_write(r, resp, path_id) != 0 || import_flags(r, resp, &flags) != 0 ||
        need_store(r, resp) != 0 || decode_event(r, resp, &e) != 0)
        goto out;
    if (path_id != NULL && strcmp(e.id, path_id) != 0) {
        api_reply_problem(resp, r, 422, "invalid-field", "/id",
                          "the id in the body, \"%s\", differs from the path's \"%s\"", e.id,
                          path_id);
        goto out;
    }
    rc = path_id == NULL ? tv_store_event_doc(r->store, e.id, &existing) : TV_ENOTFOUND;
    if (rc == 0)
        api_reply_problem(resp, r, 409, "conflict", NULL, "event \"%s\" exists already", e.id);
    else if (rc != TV_ENOTFOUND)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    if (rc != TV_ENOTFOUND ||
        (r->principal.role == API_ROLE_ORGANISER && keep_scope(r, resp, &e) != 0))
        goto out;
    rc = tv_store_event_import(r->store, &e, r->body, flags, &report);
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        goto out;
    }
    if (!flags)
        atomic_fetch_add(&r->app->event_generation, 1); /* who attends may have changed */
    api_reply_json(resp, !flags && report_says_created(report) ? 201 : 200, report);
    if (!flags)
        api_reply_location(resp, "/v1/events/", e.id);
out:
    free(existing);
    tv_event_dispose(&e);
}

int api_h_event_create(const api_req_t *r, api_resp_t *resp)
{
    put_event(r, resp, NULL);
    return 0;
}

int api_h_event_put(const api_req_t *r, api_resp_t *resp)
{
    put_event(r, resp, r->params[0]);
    return 0;
}

static const char *body_string(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL ? s : "";
}

int api_h_event_get(const api_req_t *r, api_resp_t *resp)
{
    char *doc = NULL;
    int view = event_view(r, r->params[0]), rc;

    if (require(r, resp, view, SEE_OWN) != 0)
        return 0;
    /* A participant's view (decision 0056) is made in the database: the whole file of an event
     * of 6,000 participants is 3.1 MB to send, parse and cut down per request. */
    rc = view == SEE_ALL ? tv_store_event_doc(r->store, r->params[0], &doc)
                         : tv_store_event_doc_of(r->store, r->params[0], principal_kind(r),
                                                 r->principal.subject, &doc);
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        return 0;
    }
    api_reply_json(resp, 200, doc);
    return 0;
}

/* Copies into 'out' the ids of the companies the engine judges ESIBE-eligible. */
static int eligible_companies(const api_req_t *r, tv_strings_t *out)
{
    size_t n;
    int rc = 0;

    pthread_rwlock_rdlock(&r->app->lock);
    n = tv_matcher_companies(r->app->matcher);
    out->n = 0;
    out->items = malloc((n + 1) * sizeof(*out->items));
    for (size_t k = 0; out->items != NULL && k < n && rc == 0; k++) {
        if (!tv_matcher_is_live_company(r->app->matcher, k) ||
            tv_matcher_eligible(r->app->matcher, k) != TV_CHECK_PASS)
            continue;
        out->items[out->n] = strdup(tv_matcher_company(r->app->matcher, k)->id);
        rc = out->items[out->n++] != NULL ? 0 : TV_ENOMEM;
    }
    pthread_rwlock_unlock(&r->app->lock);
    return out->items == NULL ? TV_ENOMEM : rc;
}

/* Answers the figures of 'events' (?esibe=true: of the ESIBE-eligible companies only). */
static void reply_figures(const api_req_t *r, api_resp_t *resp, const tv_strings_t *events)
{
    tv_strings_t eligible = {0};
    char value[8];
    char *doc = NULL;
    int got = api_query_get(r->query, "esibe", value, sizeof(value)), rc = 0, esibe;

    if (got < 0 || (got == 1 && strcmp(value, "true") != 0 && strcmp(value, "false") != 0)) {
        api_reply_bad_parameter(resp, r, "esibe", "true or false");
        return;
    }
    esibe = got == 1 && strcmp(value, "true") == 0;
    if (esibe)
        rc = eligible_companies(r, &eligible);
    if (rc == 0)
        rc = tv_store_events_report(r->store, events, esibe ? &eligible : NULL, &doc);
    tv_strings_free(&eligible);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        api_reply_json(resp, 200, doc);
}

/* The event's meetings in figures (issue 17): for its organisers and admins, one statement. */
int api_h_event_figures(const api_req_t *r, api_resp_t *resp)
{
    char *id = (char *)r->params[0];
    tv_strings_t events = {&id, 1};

    if (require(r, resp, event_view(r, r->params[0]), SEE_ALL) == 0)
        reply_figures(r, resp, &events);
    return 0;
}

/* The figures of every event (the Tour's), for admins. */
int api_h_tour_figures(const api_req_t *r, api_resp_t *resp)
{
    tv_strings_t events = {0};
    int rc;

    if (r->principal.role != API_ROLE_ADMIN) {
        api_reply_problem(resp, r, 403, "forbidden", NULL,
                          "only an admin sees the figures of every event");
        return 0;
    }
    if (need_store(r, resp) != 0)
        return 0;
    rc = tv_store_event_ids(r->store, &events);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        reply_figures(r, resp, &events);
    tv_strings_free(&events);
    return 0;
}

/* Adds to 'body' the event's "slots" (local starts, as tv_event_slots counts them) and
 * "tables", from the file's frame: what a schedule grid draws. */
static int add_frame(const api_req_t *r, json_t *body)
{
    tv_strings_t slots = {0};
    tv_event_t e;
    json_t *list = json_array();
    int rc;

    tv_event_init(&e);
    rc = api_load_event_frame(r->store, r->params[0], NULL, NULL, &e);
    if (rc == 0)
        rc = tv_event_slots(&e, &slots);
    for (size_t k = 0; rc == 0 && k < slots.n; k++)
        json_array_append_new(list, json_string(slots.items[k]));
    if (rc == 0) {
        json_object_set(body, "slots", list);
        json_object_set_new(body, "tables", json_integer(e.tables));
    }
    json_decref(list);
    tv_strings_free(&slots);
    tv_event_dispose(&e);
    return rc;
}

/* The event at a glance (issue 17): for its organisers and admins, read in one statement,
 * with the slots and tables of its frame. */
int api_h_event_overview(const api_req_t *r, api_resp_t *resp)
{
    char *doc = NULL;
    json_t *body = NULL;
    int view = event_view(r, r->params[0]), rc;

    if (require(r, resp, view, SEE_ALL) != 0)
        return 0;
    rc = tv_store_event_overview(r->store, r->params[0], &doc);
    if (rc == 0 && (body = json_loads(doc, 0, NULL)) == NULL)
        rc = TV_EDB;
    if (rc == 0)
        rc = add_frame(r, body);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        api_reply_object(resp, 200, body), body = NULL;
    json_decref(body);
    free(doc);
    return 0;
}

int api_h_event_delete(const api_req_t *r, api_resp_t *resp)
{
    int rc;

    if (r->principal.role != API_ROLE_ADMIN) {
        api_reply_problem(resp, r, 403, "forbidden", NULL, "only an admin may delete events");
        return 0;
    }
    if (need_store(r, resp) != 0)
        return 0;
    rc = tv_store_event_delete(r->store, r->params[0]);
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    } else {
        atomic_fetch_add(&r->app->event_generation, 1); /* its matches are gone */
        resp->status = 204;
    }
    return 0;
}

/* ---- requests ---- */

/* Tells the people of a request's sides at once, after it committed (decision 0044). The
 * request's "notified" mark makes this exactly once: when it fails, or another notify job
 * holds the lock, the daemon's notify timer tells them within a minute. */
static void notify_now(const api_req_t *r, const char *event)
{
    api_notify_opts_t o;
    api_notify_stats_t s;
    char err[512] = "";

    if (api_notify_defaults(&o) != 0)
        return;
    o.event_id = event;
    if (api_notify_run(r->store, &o, &s, err, sizeof(err)) != 0)
        api_log("error", "notifications of event %s: %s", event, err);
}

/* Unix seconds 't' as an instant in UTC ("2027-01-05T17:04:00Z"), or JSON null for 0. */
static json_t *instant_json(int64_t t)
{
    time_t s = (time_t)t;
    struct tm tm;
    char at[32];

    if (t == 0)
        return json_null();
    gmtime_r(&s, &tm);
    strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(at);
}

static json_t *request_json(const tv_request_row_t *q)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)q->id,
                     "company_id", q->company_id, "investor_id", q->investor_id, "from",
                     q->from == TV_KIND_COMPANY ? "company" : "investor", "priority",
                     q->must ? "must" : "want", "status", q->status, "message", q->message,
                     "created_at", instant_json(q->created_at), "decided_at",
                     instant_json(q->decided_at));
}

/* A participant's own part: requests and meetings where it is one of the two sides. */
static int own(const api_req_t *r, const char *company_id, const char *investor_id)
{
    const char *mine = r->principal.role == API_ROLE_COMPANY ? company_id : investor_id;

    return strcmp(mine, r->principal.subject) == 0;
}

/* Adds to 'body' when requests close (decision 0052), so that a page need not read dates in
 * time zones: "request_deadline" as the file gives it, "requests_close_at" the instant in UTC
 * and "requests_open" by the daemon's clock, as the writes below judge it. An event without a
 * deadline, with one that cannot be read, or that does not exist (an admin's list) is open,
 * with nulls. */
static int add_deadline(const api_req_t *r, const char *event, json_t *body)
{
    char *tz = NULL, *deadline = NULL, at[32] = "";
    int rc = tv_store_event_deadline(r->store, event, &tz, &deadline);
    int64_t closes = 0;
    time_t t;
    struct tm tm;

    if (rc == TV_ENOTFOUND)
        rc = 0;
    if (rc == 0 && tz != NULL && deadline != NULL &&
        api_request_deadline(tz, deadline, &closes) == 0) {
        t = (time_t)closes;
        gmtime_r(&t, &tm);
        strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    json_object_set_new(body, "request_deadline",
                        deadline != NULL ? json_string(deadline) : json_null());
    json_object_set_new(body, "requests_close_at", at[0] != '\0' ? json_string(at) : json_null());
    json_object_set_new(body, "requests_open", json_boolean(at[0] == '\0' || time(NULL) < closes));
    free(tz);
    free(deadline);
    return rc;
}

int api_h_request_list(const api_req_t *r, api_resp_t *resp)
{
    int view = event_view(r, r->params[0]);
    tv_request_row_t *rows = NULL;
    json_t *items, *body;
    size_t n = 0;
    int rc;

    if (require(r, resp, view, SEE_OWN) != 0)
        return 0;
    /* A participant's own requests are read through an index, not picked out of all of them. */
    rc = view == SEE_ALL ? tv_store_requests(r->store, r->params[0], &rows, &n)
                         : tv_store_requests_of(r->store, r->params[0], principal_kind(r),
                                                r->principal.subject, &rows, &n);
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        return 0;
    }
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        if (view == SEE_ALL || own(r, rows[i].company_id, rows[i].investor_id))
            json_array_append_new(items, request_json(&rows[i]));
    }
    body = json_pack("{s:o}", "items", items);
    rc = add_deadline(r, r->params[0], body);
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        json_decref(body);
    } else {
        api_reply_object(resp, 200, body);
    }
    free(rows);
    return 0;
}

#define MESSAGE_MAX 200 /* characters, as the event file's requests */

/* The number of characters (code points) of valid UTF-8 text. */
static size_t utf8_length(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Reads {company_id, investor_id, priority, message?, from?}; the side a participant token
 * asks from is its own. Replies and returns -1 on a bad body. */
static int read_request(const api_req_t *r, api_resp_t *resp, json_t *o, tv_request_row_t *q)
{
    const char *priority = body_string(o, "priority"), *from = body_string(o, "from");
    json_t *message = json_object_get(o, "message");

    snprintf(q->company_id, sizeof(q->company_id), "%s", body_string(o, "company_id"));
    snprintf(q->investor_id, sizeof(q->investor_id), "%s", body_string(o, "investor_id"));
    if (message != NULL && !json_is_null(message) &&
        (!json_is_string(message) || utf8_length(json_string_value(message)) > MESSAGE_MAX)) {
        api_reply_problem(resp, r, 422, "invalid-field", "/message",
                          "expected a string of at most %d characters", MESSAGE_MAX);
        return -1;
    }
    snprintf(q->message, sizeof(q->message), "%s", body_string(o, "message"));
    q->must = strcmp(priority, "must") == 0;
    if (r->principal.role == API_ROLE_COMPANY || r->principal.role == API_ROLE_INVESTOR)
        from = r->principal.role == API_ROLE_COMPANY ? "company" : "investor";
    q->from = strcmp(from, "company") == 0 ? TV_KIND_COMPANY : TV_KIND_INVESTOR;
    if (!tv_id_valid(body_string(o, "company_id")) || !tv_id_valid(body_string(o, "investor_id")))
        api_reply_problem(resp, r, 422, "invalid-field",
                          !tv_id_valid(body_string(o, "company_id")) ? "/company_id"
                                                                     : "/investor_id",
                          "expected an id: 1 to %d letters, digits and ._:/-", TV_ID_MAX);
    else if (!q->must && strcmp(priority, "want") != 0)
        api_reply_problem(resp, r, 422, "invalid-field", "/priority",
                          "expected \"must\" or \"want\"");
    else if (strcmp(from, "company") != 0 && strcmp(from, "investor") != 0)
        api_reply_problem(resp, r, 422, "invalid-field", "/from",
                          "expected \"company\" or \"investor\"");
    else
        return 0;
    return -1;
}

/* Requests close at the event's request_deadline (decision 0046): replies 409 naming it and
 * returns -1 once it has passed ('what' says what is refused), or when the event cannot be
 * read; else 0. */
static int deadline_open(const api_req_t *r, api_resp_t *resp, const char *event, const char *what)
{
    tv_event_t e;
    int rc, closed = 0;

    tv_event_init(&e);
    rc = api_load_event(r->store, event, &e);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else if ((closed = api_requests_closed(e.time_zone, e.request_deadline, time(NULL))))
        api_reply_problem(resp, r, 409, "conflict", NULL,
                          "the event's request_deadline %s has passed: %s", e.request_deadline,
                          what);
    tv_event_dispose(&e);
    return rc != 0 || closed ? -1 : 0;
}

int api_h_request_create(const api_req_t *r, api_resp_t *resp)
{
    const char *event = r->params[0];
    int view = event_view(r, event), in_c, in_i, rc;
    json_t *o = json_loadb(r->body, r->body_len, 0, NULL);
    tv_request_row_t q = {0};

    if (require(r, resp, view, SEE_OWN) != 0)
        goto out;
    if (o == NULL) {
        api_reply_problem(resp, r, 400, "malformed-json", NULL, "the body is not JSON");
        goto out;
    }
    if (read_request(r, resp, o, &q) != 0)
        goto out;
    if (view == SEE_OWN && !own(r, q.company_id, q.investor_id)) {
        api_reply_problem(resp, r, 403, "forbidden", NULL, "a participant asks for itself only");
        goto out;
    }
    in_c = tv_store_is_participant(r->store, event, TV_KIND_COMPANY, q.company_id);
    in_i = tv_store_is_participant(r->store, event, TV_KIND_INVESTOR, q.investor_id);
    if (in_c <= 0 || in_i <= 0) {
        if (in_c < 0 || in_i < 0)
            api_reply_error(resp, r, in_c < 0 ? in_c : in_i, "");
        else
            api_reply_problem(resp, r, 422, "invalid-field",
                              in_c == 0 ? "/company_id" : "/investor_id",
                              "\"%s\" is not a participant of the event",
                              in_c == 0 ? q.company_id : q.investor_id);
        goto out;
    }
    if (deadline_open(r, resp, event, "it takes no more requests") != 0)
        goto out;
    rc = tv_store_request_create(r->store, event, &q, &q.id);
    if (rc == 0) /* as stored: its time is the database's */
        rc = tv_store_request_get(r->store, event, q.id, &q);
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        goto out;
    }
    api_h_matches_stale(r);
    notify_now(r, event);
    api_reply_object(resp, 201, request_json(&q));
out:
    json_decref(o);
    return 0;
}

/* The side that did not ask decides (or the organiser, or an admin). */
static void decide(const api_req_t *r, api_resp_t *resp, const char *status)
{
    const char *event = r->params[0];
    int view = event_view(r, event), rc;
    char *end;
    int64_t id = strtoll(r->params[1], &end, 10);
    tv_request_row_t q;
    int found;

    if (require(r, resp, view, SEE_OWN) != 0)
        return;
    rc = *end == '\0' && id > 0 ? tv_store_request_get(r->store, event, id, &q) : TV_ENOTFOUND;
    found = rc == 0;
    if (rc == 0 && view == SEE_OWN &&
        !(own(r, q.company_id, q.investor_id) &&
          (r->principal.role == API_ROLE_COMPANY) != (q.from == TV_KIND_COMPANY))) {
        api_reply_problem(resp, r, 403, "forbidden", NULL,
                          "only the side that was asked may answer a request");
        return;
    }
    if (rc == 0 && strcmp(q.status, "expired") == 0) {
        api_reply_problem(resp, r, 409, "conflict", NULL,
                          "request %lld expired at the event's request_deadline: it can no "
                          "longer be answered",
                          (long long)id);
        return;
    }
    if (rc == 0 && strcmp(q.status, "pending") == 0 &&
        deadline_open(r, resp, event, "its pending requests can no longer be answered") != 0)
        return;
    if (rc == 0)
        rc = tv_store_request_decide(r->store, event, id, status);
    if (rc == 0)
        rc = tv_store_request_get(r->store, event, id, &q);
    if (rc != 0) {
        api_reply_error(resp, r, rc,
                        rc == TV_ENOTFOUND && !found ? "no such request"
                                                     : tv_store_error(r->store));
        return;
    }
    api_h_matches_stale(r);
    notify_now(r, event);
    api_reply_object(resp, 200, request_json(&q));
}

int api_h_request_accept(const api_req_t *r, api_resp_t *resp)
{
    decide(r, resp, "accepted");
    return 0;
}

int api_h_request_decline(const api_req_t *r, api_resp_t *resp)
{
    decide(r, resp, "declined");
    return 0;
}

/* ---- the scheduler and meetings ---- */

/* Runs the scheduler; with ?draft=true keeps its meetings as the event's draft (migration
 * 030) instead of saving them: nothing reaches participants until it is published. */
int api_h_event_schedule(const api_req_t *r, api_resp_t *resp)
{
    char *report = NULL, value[8];
    int got = api_query_get(r->query, "draft", value, sizeof(value)), rc;
    int draft = got == 1 && strcmp(value, "true") == 0;

    if (require(r, resp, event_view(r, r->params[0]), SEE_ALL) != 0)
        return 0;
    if (got < 0 || (got == 1 && !draft && strcmp(value, "false") != 0)) {
        api_reply_bad_parameter(resp, r, "draft", "true or false");
        return 0;
    }
    /* One schedule at a time, on a matcher that does not change meanwhile. */
    pthread_mutex_lock(&r->app->write_lock);
    pthread_rwlock_rdlock(&r->app->lock);
    rc = api_schedule_event(r->store, r->app->tax, r->app->matcher, r->params[0], draft, &report);
    pthread_rwlock_unlock(&r->app->lock);
    pthread_mutex_unlock(&r->app->write_lock);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        api_reply_json(resp, 200, report);
    return 0;
}

/* Meeting 'm' as JSON, its slot written in the event's zone 'time_zone'. */
static json_t *meeting_json(const char *time_zone, const tv_meeting_t *m)
{
    static const char *const origins[] = {"must", "want", "recommended"};
    char iso[40] = "";
    int y, mo, d, h, mi;
    int64_t utc;

    if (sscanf(m->slot_start, "%d-%d-%dT%d:%d", &y, &mo, &d, &h, &mi) == 5 &&
        tv_calendar_local_to_utc(time_zone, y, mo, d, h, mi, &utc) == 0)
        tv_calendar_format_local(time_zone, utc, iso, sizeof(iso));
    return json_pack("{s:I, s:s, s:i, s:i, s:s, s:s, s:f, s:s, s:s, s:b, s:i}", "id",
                     (json_int_t)m->id, "slot", iso, "slot_index", (int)m->slot_index, "table",
                     (int)m->table_no, "company_id", m->company_id, "investor_id", m->investor_id,
                     "score", (double)m->score, "origin", origins[m->origin], "status",
                     tv_meeting_status_name(m->status), "pinned", m->pinned != 0, "sequence",
                     (int)m->sequence);
}

/* Meetings 'm' as a list gives them: each with its score also as the fit (0 to 100) the pages
 * show, by this daemon's matcher, read under one hold of its lock. Not in a single meeting's
 * representation, whose ETag must not change with the matcher's quantile table. */
static json_t *listed_meetings_json(const api_req_t *r, const char *time_zone,
                                    const tv_meeting_t *m, size_t n)
{
    json_t *items = json_array();

    pthread_rwlock_rdlock(&r->app->lock);
    for (size_t k = 0; items != NULL && k < n; k++) {
        json_t *o = meeting_json(time_zone, &m[k]);

        json_object_set_new(o, "fit", json_integer(tv_matcher_fit(r->app->matcher, m[k].score)));
        json_array_append_new(items, o);
    }
    pthread_rwlock_unlock(&r->app->lock);
    return items;
}

/* Loads the event and its meetings for a caller who sees at least its own part. */
static int load_meetings(const api_req_t *r, api_resp_t *resp, int need, tv_event_t *e,
                         tv_meeting_t **m, size_t *n, int *view)
{
    int rc;

    *view = event_view(r, r->params[0]);
    if (require(r, resp, *view, need) != 0)
        return -1;
    rc = api_load_event(r->store, r->params[0], e);
    if (rc == 0 && *view == SEE_ALL)
        rc = tv_store_meetings(r->store, r->params[0], m, n);
    else if (rc == 0)
        rc = tv_store_meetings_of(r->store, r->params[0], principal_kind(r), r->principal.subject,
                                  m, n);
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        return -1;
    }
    return 0;
}

/* Loads meeting {mid} of the event and the event's frame with that meeting's two sides
 * (tv_store_event_frame_of_pair): what reading or changing one meeting needs, without the whole
 * file and every meeting (a PATCH took 0.4 to 0.8 s so at 27,000 meetings,
 * bench/organiser_pages.sh). '*m' is the meeting, or NULL (404 replied); -1 after replying. */
static int load_one_meeting(const api_req_t *r, api_resp_t *resp, int need, tv_event_t *e,
                            tv_meeting_t **m, int *view)
{
    size_t n = 0;
    int rc;

    *m = NULL;
    *view = event_view(r, r->params[0]);
    if (require(r, resp, *view, need) != 0)
        return -1;
    rc = tv_store_meeting_by_id(r->store, r->params[0], r->params[1], m, &n);
    if (rc == 0 && n == 0) {
        free(*m);
        *m = NULL;
        if (*view == SEE_OWN) /* a participant is told the same as for another pair's */
            api_reply_problem(resp, r, 403, "forbidden", NULL,
                              "a participant sees its own meetings only");
        else
            api_reply_problem(resp, r, 404, "not-found", NULL, "no meeting %s", r->params[1]);
        return -1;
    }
    if (rc == 0)
        rc = api_load_event_frame(r->store, r->params[0], (*m)->company_id, (*m)->investor_id, e);
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        return -1;
    }
    return 0;
}

/* The other sides of a participant's meetings by id: {"kind", "id", "name", "people": [names]},
 * the names of the people the event file gives for each (never their addresses: decision
 * 0054); and the event's zone. */
typedef struct {
    const char *kind;
    json_t *by_id;
    char time_zone[64];
} sides_t;

static int on_side(void *ctx, const char *const *c, int n)
{
    sides_t *s = ctx;
    json_t *people = n >= 4 && c[2] != NULL ? json_loads(c[2], 0, NULL) : NULL;

    if (n < 4 || c[0] == NULL || c[1] == NULL || c[3] == NULL || !json_is_array(people)) {
        json_decref(people);
        return TV_EDB;
    }
    snprintf(s->time_zone, sizeof(s->time_zone), "%s", c[3]);
    return json_object_set_new(s->by_id, c[0],
                               json_pack("{s:s, s:s, s:s, s:o}", "kind", s->kind, "id", c[0],
                                         "name", c[1], "people", people)) == 0
               ? 0
               : TV_ENOMEM;
}

/* The meetings a participant sees, each with its other side ("with"), read through indexes
 * without the event file (decision 0062). */
static void own_meetings(const api_req_t *r, api_resp_t *resp)
{
    tv_profile_kind_t kind = principal_kind(r);
    sides_t sides = {kind == TV_KIND_COMPANY ? "investor" : "company", json_object(), ""};
    json_t *items = NULL;
    tv_meeting_t *m = NULL;
    size_t n = 0;
    int rc = tv_store_meetings_of(r->store, r->params[0], kind, r->principal.subject, &m, &n);

    if (rc == 0 && n > 0)
        rc = tv_store_meeting_sides(r->store, r->params[0], kind, r->principal.subject, on_side,
                                    &sides);
    if (rc == 0)
        items = listed_meetings_json(r, sides.time_zone, m, n);
    for (size_t k = 0; rc == 0 && k < n; k++) {
        json_t *with = json_object_get(sides.by_id, kind == TV_KIND_COMPANY ? m[k].investor_id
                                                                            : m[k].company_id);

        if (with == NULL) /* a meeting added between the two reads: asked again, it is there */
            rc = TV_EUNAVAIL;
        json_object_set(json_array_get(items, k), "with", with);
    }
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        api_reply_object(resp, 200, json_pack("{s:O}", "items", items));
    json_decref(items);
    json_decref(sides.by_id);
    free(m);
}

/* Every meeting of the event, for those who run it: the zone from the file's frame (the whole
 * file, 3.1 MB at 6,000 participants, was decoded for it). */
static void all_meetings(const api_req_t *r, api_resp_t *resp)
{
    tv_meeting_t *m = NULL;
    tv_event_t e;
    size_t n = 0;
    int rc;

    tv_event_init(&e);
    rc = api_load_event_frame(r->store, r->params[0], NULL, NULL, &e);
    if (rc == 0)
        rc = tv_store_meetings(r->store, r->params[0], &m, &n);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        api_reply_object(resp, 200,
                         json_pack("{s:o}", "items", listed_meetings_json(r, e.time_zone, m, n)));
    free(m);
    tv_event_dispose(&e);
}

int api_h_meeting_list(const api_req_t *r, api_resp_t *resp)
{
    int view = event_view(r, r->params[0]);

    if (require(r, resp, view, SEE_OWN) != 0)
        return 0;
    if (view == SEE_OWN)
        own_meetings(r, resp);
    else
        all_meetings(r, resp);
    return 0;
}

/* Finds the slot named by the body's "slot" (local "YYYY-MM-DDTHH:MM", or any ISO 8601 time
 * with an offset: the instant counts) and writes its local name to 'name'. Replies and returns
 * -1 when it is none of the event's. */
static int find_slot(const api_req_t *r, api_resp_t *resp, const tv_event_t *e, const char *text,
                     char *name, size_t size, uint32_t *index)
{
    tv_strings_t slots = {0};
    size_t k = 0;
    int rc = tv_event_slot_find(e, text, &k);

    if (rc == 0)
        rc = tv_event_slots(e, &slots);
    if (rc == 0 && k < slots.n) {
        snprintf(name, size, "%s", slots.items[k]);
        *index = (uint32_t)k;
    }
    tv_strings_free(&slots);
    if (rc == TV_EINVAL || rc == TV_ENOTFOUND)
        api_reply_problem(resp, r, 422, "invalid-field", "/slot",
                          rc == TV_EINVAL ? "expected a slot start: \"YYYY-MM-DDTHH:MM\" in the "
                                            "event's time zone, or ISO 8601 with an offset"
                                          : "not a slot of the event");
    else if (rc != 0)
        api_reply_error(resp, r, rc, "slots");
    return rc == 0 ? 0 : -1;
}

/* Checks the types and ranges of {"status", "slot", "table", "pinned"} in a PATCH body;
 * replies and returns -1 when one is wrong. */
static int check_change(const api_req_t *r, api_resp_t *resp, const tv_event_t *e, json_t *o)
{
    json_t *status = json_object_get(o, "status"), *slot = json_object_get(o, "slot");
    json_t *table = json_object_get(o, "table"), *pinned = json_object_get(o, "pinned");
    const char *field = NULL, *detail = NULL;

    if (status != NULL && !json_is_string(status))
        field = "/status", detail = "expected a string";
    else if (status != NULL && tv_meeting_status_parse(json_string_value(status)) < 0)
        field = "/status", detail = "expected scheduled, cancelled, held or no_show (or locked, "
                                    "the deprecated alias of \"pinned\": true)";
    else if (slot != NULL && !json_is_string(slot))
        field = "/slot", detail = "expected a string";
    else if (pinned != NULL && !json_is_boolean(pinned))
        field = "/pinned", detail = "expected true or false";
    if (field != NULL) {
        api_reply_problem(resp, r, 422, "invalid-field", field, "%s", detail);
        return -1;
    }
    if (table != NULL && (!json_is_integer(table) || json_integer_value(table) < 1 ||
                          json_integer_value(table) > (json_int_t)e->tables)) {
        api_reply_problem(resp, r, 422, "invalid-field", "/table", "expected a table from 1 to %u",
                          e->tables);
        return -1;
    }
    return 0;
}

/* Replies with the side of 'm' that is not available at 'slot' (422 or 409 as 'status' says,
 * at 'field') and returns -1; 0 when both are. */
static int check_available(const api_req_t *r, api_resp_t *resp, const tv_event_t *e,
                           const tv_meeting_t *m, const char *slot, int status, const char *field)
{
    int c = !tv_event_attendee_free(e, TV_KIND_COMPANY, m->company_id, slot);

    if (!c && tv_event_attendee_free(e, TV_KIND_INVESTOR, m->investor_id, slot))
        return 0;
    api_reply_problem(resp, r, status, status == 409 ? "conflict" : "invalid-field", field,
                      "%s %s is not available at %s", c ? "company" : "investor",
                      c ? m->company_id : m->investor_id, slot);
    return -1;
}

/* Applies {"status", "slot", "table", "pinned"} of the body to 'm'; replies and returns -1
 * when a value is wrong or the move leaves a participant where it cannot be. A change made by
 * hand (slot, table or status) pins the meeting unless the body sets "pinned" itself; status
 * "locked" is the deprecated alias of {"status": "scheduled", "pinned": true} (decision 0040). */
static int apply_change(const api_req_t *r, api_resp_t *resp, const tv_event_t *e, json_t *o,
                        tv_meeting_t *m)
{
    const char *status = json_string_value(json_object_get(o, "status"));
    json_t *slot_v = json_object_get(o, "slot"), *table = json_object_get(o, "table");
    json_t *pinned = json_object_get(o, "pinned");
    char slot[sizeof(m->slot_start)];
    tv_meeting_t before = *m;
    uint32_t s = 0;

    if (check_change(r, resp, e, o) != 0)
        return -1;
    if (slot_v != NULL &&
        find_slot(r, resp, e, json_string_value(slot_v), slot, sizeof(slot), &s) != 0)
        return -1;
    if (slot_v != NULL && check_available(r, resp, e, m, slot, 409, "/slot") != 0)
        return -1;
    if (status != NULL)
        m->status = (tv_meeting_status_t)tv_meeting_status_parse(status);
    if (m->status == TV_MEETING_LOCKED)
        m->status = TV_MEETING_SCHEDULED, m->pinned = 1;
    if (table != NULL)
        m->table_no = (uint32_t)json_integer_value(table);
    if (slot_v != NULL) {
        m->slot_index = s;
        snprintf(m->slot_start, sizeof(m->slot_start), "%s", slot);
    }
    if (m->status != before.status || m->slot_index != before.slot_index ||
        m->table_no != before.table_no)
        m->pinned = 1;
    if (pinned != NULL)
        m->pinned = json_is_true(pinned);
    return 0;
}

/* The meeting's JSON text; its ETag (a hash of that text) goes to 'etag' when not NULL. */
static char *meeting_text(const tv_event_t *e, const tv_meeting_t *m, char *etag)
{
    json_t *o = meeting_json(e->time_zone, m);
    char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

    json_decref(o);
    if (text != NULL && etag != NULL)
        api_etag_of(text, strlen(text), etag);
    return text;
}

static void reply_meeting(api_resp_t *resp, const tv_event_t *e, const tv_meeting_t *m)
{
    api_reply_json(resp, 200, meeting_text(e, m, resp->etag));
}

int api_h_meeting_get(const api_req_t *r, api_resp_t *resp)
{
    tv_meeting_t *one = NULL;
    tv_event_t e;
    int view;

    tv_event_init(&e);
    if (load_one_meeting(r, resp, SEE_OWN, &e, &one, &view) == 0) {
        if (view == SEE_ALL || own(r, one->company_id, one->investor_id))
            reply_meeting(resp, &e, one);
        else /* another pair's meeting, or none: the same answer */
            api_reply_problem(resp, r, 403, "forbidden", NULL,
                              "a participant sees its own meetings only");
    }
    free(one);
    tv_event_dispose(&e);
    return 0;
}

/* One try of a change to a meeting, from the meetings as stored now. Returns TV_ESTALE
 * without replying when another change to the meeting came first, else 0 after replying. */
static int patch_meeting_once(const api_req_t *r, api_resp_t *resp, json_t *o)
{
    tv_meeting_t *one = NULL, before;
    char etag[API_ETAG_SIZE] = "", *text;
    tv_event_t e;
    int view, rc = 0;

    tv_event_init(&e);
    if (load_one_meeting(r, resp, SEE_ALL, &e, &one, &view) != 0)
        goto out;
    text = meeting_text(&e, one, etag);
    free(text);
    if (!api_if_match(r, etag)) {
        api_reply_problem(resp, r, 412, "precondition-failed", NULL,
                          "meeting %s is not at the version If-Match names (read it again)",
                          r->params[1]);
        goto out;
    }
    before = *one;
    if (apply_change(r, resp, &e, o, one) != 0)
        goto out;
    if (before.status != one->status || before.slot_index != one->slot_index ||
        before.table_no != one->table_no || before.pinned != one->pinned) {
        rc = tv_store_meeting_update(r->store, r->params[0], one->id, one, before.sequence);
        if (rc == 0)
            one->sequence++;
    }
    if (rc == 0)
        reply_meeting(resp, &e, one); /* nothing changed: no new SEQUENCE */
    else if (rc != TV_ESTALE)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
out:
    free(one);
    tv_event_dispose(&e);
    return rc == TV_ESTALE ? rc : 0;
}

#define PATCH_TRIES 5

/* A lock and a move sent at once both land: each change is written only over the version it
 * was made from, and made again from the new one when another came first (or refused with
 * 412 when If-Match named the version that is gone). */
int api_h_meeting_patch(const api_req_t *r, api_resp_t *resp)
{
    json_t *o = json_loadb(r->body, r->body_len, 0, NULL);
    int rc = TV_ESTALE;

    if (!json_is_object(o)) {
        int view = event_view(r, r->params[0]);

        if (require(r, resp, view, SEE_ALL) == 0)
            api_reply_problem(resp, r, 400, "malformed-json", NULL,
                              "the body is not a JSON object");
        json_decref(o);
        return 0;
    }
    for (int t = 0; t < PATCH_TRIES && rc == TV_ESTALE; t++) {
        if (t > 0 && r->if_match != NULL)
            break;
        rc = patch_meeting_once(r, resp, o);
    }
    if (rc == TV_ESTALE)
        api_reply_problem(resp, r, r->if_match != NULL ? 412 : 409,
                          r->if_match != NULL ? "precondition-failed" : "conflict", NULL,
                          "meeting %s changed since it was read; read it again", r->params[1]);
    json_decref(o);
    return 0;
}

/* ---- meetings made by hand ---- */

/* Whether 'id' attends 'e' on side 'kind'. */
static int attends(const tv_event_t *e, tv_profile_kind_t kind, const char *id)
{
    for (size_t a = 0; a < e->n_attendees; a++) {
        if (e->attendees[a].kind == kind && strcmp(e->attendees[a].id, id) == 0)
            return 1;
    }
    return 0;
}

/* Reads "company_id" and "investor_id" of a new meeting into 'm'; replies and returns -1
 * unless both attend the event on their side. */
static int read_pair(const api_req_t *r, api_resp_t *resp, const tv_event_t *e, json_t *o,
                     tv_meeting_t *m)
{
    const char *c = json_string_value(json_object_get(o, "company_id"));
    const char *i = json_string_value(json_object_get(o, "investor_id"));
    int bad_c = c == NULL || strlen(c) >= sizeof(m->company_id) || !attends(e, TV_KIND_COMPANY, c);
    int bad_i =
        i == NULL || strlen(i) >= sizeof(m->investor_id) || !attends(e, TV_KIND_INVESTOR, i);

    if (bad_c || bad_i) {
        const char *v = bad_c ? c : i;

        api_reply_problem(resp, r, 422, "invalid-field", bad_c ? "/company_id" : "/investor_id",
                          v == NULL ? "expected the id of a %s of the event"
                                    : "\"%.64s\" is not a %s of the event",
                          v == NULL ? (bad_c ? "company" : "investor") : v,
                          bad_c ? "company" : "investor");
        return -1;
    }
    snprintf(m->company_id, sizeof(m->company_id), "%s", c);
    snprintf(m->investor_id, sizeof(m->investor_id), "%s", i);
    return 0;
}

/* Reads the slot of a new meeting, "slot" (a time as the meeting list shows it) or
 * "slot_index", into 'm'; replies and returns -1 when it is none of the event's. */
static int read_slot(const api_req_t *r, api_resp_t *resp, const tv_event_t *e, json_t *o,
                     tv_meeting_t *m)
{
    json_t *slot = json_object_get(o, "slot"), *index = json_object_get(o, "slot_index");
    tv_strings_t slots = {0};
    int rc;

    if (slot != NULL || index == NULL) {
        if (!json_is_string(slot)) {
            api_reply_problem(resp, r, 422, "invalid-field", "/slot",
                              "expected the slot's start (or a slot_index)");
            return -1;
        }
        return find_slot(r, resp, e, json_string_value(slot), m->slot_start, sizeof(m->slot_start),
                         &m->slot_index);
    }
    rc = tv_event_slots(e, &slots);
    if (rc == 0 && (!json_is_integer(index) || json_integer_value(index) < 0 ||
                    json_integer_value(index) >= (json_int_t)slots.n)) {
        api_reply_problem(resp, r, 422, "invalid-field", "/slot_index",
                          "expected a slot index from 0 to %zu", slots.n - 1);
        rc = TV_EINVAL;
    } else if (rc == 0) {
        m->slot_index = (uint32_t)json_integer_value(index);
        snprintf(m->slot_start, sizeof(m->slot_start), "%s", slots.items[m->slot_index]);
    } else {
        api_reply_error(resp, r, rc, "slots");
    }
    tv_strings_free(&slots);
    return rc == 0 ? 0 : -1;
}

/* The table of a new meeting: "table", or the lowest one no meeting of its slot holds. Replies
 * and returns -1 when it is out of range or every table is taken. */
static int read_table(const api_req_t *r, api_resp_t *resp, const tv_event_t *e, json_t *o,
                      const tv_meeting_t *all, size_t n, tv_meeting_t *m)
{
    json_t *table = json_object_get(o, "table");

    if (table != NULL) {
        if (json_is_integer(table) && json_integer_value(table) >= 1 &&
            json_integer_value(table) <= (json_int_t)e->tables) {
            m->table_no = (uint32_t)json_integer_value(table);
            return 0;
        }
        api_reply_problem(resp, r, 422, "invalid-field", "/table", "expected a table from 1 to %u",
                          e->tables);
        return -1;
    }
    for (m->table_no = 1; m->table_no <= e->tables; m->table_no++) {
        size_t k = 0;

        while (k < n && (all[k].status == TV_MEETING_CANCELLED ||
                         all[k].slot_index != m->slot_index || all[k].table_no != m->table_no))
            k++;
        if (k == n)
            return 0;
    }
    api_reply_problem(resp, r, 409, "conflict", "/slot", "every table is taken at %s",
                      m->slot_start);
    return -1;
}

/* The score and origin of a meeting made by hand: the matcher's score of the pair, and the
 * priority of its accepted request if there is one. */
static int score_pair(const api_req_t *r, const char *event, tv_meeting_t *m)
{
    tv_request_row_t *q = NULL;
    size_t n = 0;
    int rc = tv_store_requests(r->store, event, &q, &n);
    tv_explanation_t x;
    int c, i;

    m->origin = 2; /* recommended */
    for (size_t k = 0; rc == 0 && k < n; k++) {
        if (strcmp(q[k].company_id, m->company_id) == 0 &&
            strcmp(q[k].investor_id, m->investor_id) == 0 && strcmp(q[k].status, "accepted") == 0)
            m->origin = q[k].must ? 0 : 1;
    }
    free(q);
    pthread_rwlock_rdlock(&r->app->lock);
    c = tv_matcher_find_company(r->app->matcher, m->company_id);
    i = tv_matcher_find_investor(r->app->matcher, m->investor_id);
    m->score = 0;
    if (c >= 0 && i >= 0 && tv_matcher_explain(r->app->matcher, (size_t)c, (size_t)i, &x) == 0)
        m->score = x.score > 0 ? x.score : 0;
    pthread_rwlock_unlock(&r->app->lock);
    return rc;
}

/* Reads a whole new meeting from the body into 'one'; replies and returns -1 on bad input. */
static int read_new_meeting(const api_req_t *r, api_resp_t *resp, const tv_event_t *e, json_t *o,
                            const tv_meeting_t *all, size_t n, tv_meeting_t *one)
{
    int rc;

    if (!json_is_object(o)) {
        api_reply_problem(resp, r, 400, "malformed-json", NULL, "the body is not a JSON object");
        return -1;
    }
    if (read_pair(r, resp, e, o, one) != 0 || read_slot(r, resp, e, o, one) != 0 ||
        check_available(r, resp, e, one, one->slot_start, 422, "/slot") != 0 ||
        read_table(r, resp, e, o, all, n, one) != 0)
        return -1;
    rc = score_pair(r, r->params[0], one);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    return rc == 0 ? 0 : -1;
}

/* POST /v1/events/{id}/meetings: a meeting made by hand by the organiser, pinned. */
int api_h_meeting_create(const api_req_t *r, api_resp_t *resp)
{
    json_t *o = json_loadb(r->body, r->body_len, 0, NULL);
    tv_meeting_t *m = NULL, one;
    char id[24];
    tv_event_t e;
    size_t n = 0;
    int view, rc;

    memset(&one, 0, sizeof(one));
    tv_event_init(&e);
    if (load_meetings(r, resp, SEE_ALL, &e, &m, &n, &view) != 0 ||
        read_new_meeting(r, resp, &e, o, m, n, &one) != 0)
        goto out;
    rc = tv_store_meeting_create(r->store, r->params[0], &one);
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        goto out;
    }
    api_reply_location(resp, "/v1/events/", e.id);
    snprintf(id, sizeof(id), "%lld", (long long)one.id);
    snprintf(resp->location + strlen(resp->location),
             sizeof(resp->location) - strlen(resp->location), "/meetings/%s", id);
    api_reply_json(resp, 201, meeting_text(&e, &one, resp->etag));
out:
    json_decref(o);
    free(m);
    tv_event_dispose(&e);
    return 0;
}

/* ---- agendas ---- */

typedef enum { AGENDA_ICS, AGENDA_TABLES_CSV, AGENDA_MEETINGS_CSV } agenda_format_t;

/* Writes an agenda into memory: iCalendar, the per-table CSV or the meetings' CSV. */
static void agenda(const api_req_t *r, api_resp_t *resp, agenda_format_t format)
{
    int ics = format == AGENDA_ICS;
    char participant[96] = "", **names = NULL, *text = NULL;
    tv_meeting_t *m = NULL;
    tv_event_t e;
    size_t n = 0, len = 0;
    FILE *out = NULL;
    int view, rc = 0;

    tv_event_init(&e);
    if (load_meetings(r, resp, ics ? SEE_OWN : SEE_ALL, &e, &m, &n, &view) != 0)
        goto out;
    if (ics && api_query_get(r->query, "participant", participant, sizeof(participant)) < 0) {
        api_reply_bad_parameter(resp, r, "participant", "a company or investor id");
        goto out;
    }
    /* A participant gets its own agenda only. */
    if (view == SEE_OWN) {
        if (participant[0] != '\0' && strcmp(participant, r->principal.subject) != 0) {
            api_reply_problem(resp, r, 403, "forbidden", NULL,
                              "a participant sees its own agenda only");
            goto out;
        }
        snprintf(participant, sizeof(participant), "%s", r->principal.subject);
    }
    n = api_agenda_select(m, n, participant[0] ? participant : NULL, ics);
    rc = api_agenda_names(r->store, r->app->tax, m, n, &names);
    if (rc == 0 && (out = open_memstream(&text, &len)) == NULL)
        rc = TV_ENOMEM;
    if (rc == 0 && ics && view == SEE_OWN) {
        /* A participant's calendar names the people of both sides without their addresses,
         * as its feed does (decisions 0054, 0056). */
        api_agenda_part_t part = {&e, m, n, names};

        rc = api_agenda_feed(e.name, &part, 1, out);
    } else if (rc == 0) {
        rc = ics                           ? api_agenda_ics(&e, m, n, names, out)
             : format == AGENDA_TABLES_CSV ? api_agenda_csv(m, n, names, out)
                                           : api_agenda_meetings_csv(&e, m, n, names, out);
    }
    if (out != NULL)
        fclose(out);
    if (rc != 0) {
        api_reply_error(resp, r, rc, "cannot write the agenda");
        free(text);
        goto out;
    }
    resp->status = 200;
    resp->content_type = ics ? "text/calendar; charset=utf-8" : "text/csv; charset=utf-8";
    resp->body = text;
    resp->body_len = len;
out:
    for (size_t k = 0; names != NULL && k < 2 * n; k++)
        free(names[k]);
    free(names);
    free(m);
    tv_event_dispose(&e);
}

int api_h_event_agenda(const api_req_t *r, api_resp_t *resp)
{
    agenda(r, resp, AGENDA_ICS);
    return 0;
}

int api_h_event_tables(const api_req_t *r, api_resp_t *resp)
{
    agenda(r, resp, AGENDA_TABLES_CSV);
    return 0;
}

int api_h_event_meetings_csv(const api_req_t *r, api_resp_t *resp)
{
    agenda(r, resp, AGENDA_MEETINGS_CSV);
    return 0;
}
