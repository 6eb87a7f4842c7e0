/* Calendar feeds (issue 16, decision 0054): a signed-in person makes, lists and revokes URLs
 * that let a calendar app, which sends no header, read one profile's meetings;
 * GET /calendar/TOKEN.ics answers them as iCalendar. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../reply.h"
#include "agenda.h"
#include "handlers.h"
#include "invite.h"
#include "notify_links.h"
#include "scheduling.h"
#include "tavolo/calendar_feed.h"
#include "tavolo/session.h"

#define FEED_EVENTS_MAX 64

/* Reads the optional {"event": "ID"} of a new feed into 'event' ("" for every event); replies
 * and returns -1 on a body of another shape or an event the acting profile does not attend. */
static int read_feed_event(const api_req_t *r, api_resp_t *resp, char *event, size_t size)
{
    json_t *doc = r->body_len > 0 ? json_loadb(r->body, r->body_len, 0, NULL) : json_object();
    json_t *v = json_object_get(doc, "event");
    const char *id = json_string_value(v);
    int given = v != NULL && !json_is_null(v), in = 0;

    event[0] = '\0';
    if (!json_is_object(doc)) {
        json_decref(doc);
        api_reply_problem(resp, r, 400, "malformed-json", NULL, "the body is not a JSON object");
        return -1;
    }
    if (given) {
        in = id != NULL && strlen(id) < size && tv_id_valid(id)
                 ? tv_store_is_participant(r->store, id,
                                           r->principal.role == API_ROLE_COMPANY ? TV_KIND_COMPANY
                                                                                 : TV_KIND_INVESTOR,
                                           r->principal.subject)
                 : 0;
        if (in == 1)
            snprintf(event, size, "%s", id);
    }
    json_decref(doc); /* 'v' and 'id' were parts of it: only 'given' and 'in' remain */
    if (in < 0)
        api_reply_error(resp, r, in, tv_store_error(r->store));
    else if (given && in == 0)
        api_reply_problem(resp, r, 422, "invalid-field", "/event",
                          "expected the id of an event this profile attends, or null");
    return in < 0 || (given && in == 0) ? -1 : 0;
}

/* Replies 403 and returns -1 unless the request came with a session: feeds belong to people. */
static int need_person(const api_req_t *r, api_resp_t *resp)
{
    if (r->session.active)
        return 0;
    api_reply_problem(resp, r, 403, "forbidden", NULL,
                      "calendar feeds belong to a signed-in person: use a session");
    return -1;
}

/* The feed's answer, written once: its id, the profile and event, the URL and its webcal:// twin.
 */
static char *created_text(int64_t id, const api_req_t *r, const char *event, const char *token)
{
    const char *base = api_public_url();
    const char *host = strstr(base, "://") != NULL ? strstr(base, "://") + 3 : base;
    char url[640], webcal[640];
    json_t *o;
    char *text;

    snprintf(url, sizeof(url), "%s/calendar/%s.ics", base, token);
    snprintf(webcal, sizeof(webcal), "webcal://%s/calendar/%s.ics", host, token);
    o = json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s}", "id", (json_int_t)id, "kind",
                  api_role_name(r->principal.role), "profile_id", r->principal.subject, "event",
                  event[0] != '\0' ? event : NULL, "url", url, "webcal", webcal);
    text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}

int api_h_calendar_feed_create(const api_req_t *r, api_resp_t *resp)
{
    char token[API_SECRET_SIZE], event[65], ids[24];
    uint8_t hash[TV_FEED_HASH_BYTES];
    int64_t id = 0;
    int rc;

    if (need_person(r, resp) != 0 || read_feed_event(r, resp, event, sizeof(event)) != 0)
        return 0;
    rc = api_secret_new(token, hash);
    if (rc == 0)
        rc = tv_store_calendar_feed_create(r->store, hash, r->session.email,
                                           api_role_name(r->principal.role), r->principal.subject,
                                           event[0] != '\0' ? event : NULL, &id);
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        return 0;
    }
    snprintf(ids, sizeof(ids), "%lld", (long long)id);
    api_reply_location(resp, "/v1/me/calendar-feeds/", ids);
    api_reply_json(resp, 201, created_text(id, r, event, token));
    return 0;
}

/* One feed: (id, kind, profile_id, event_id or NULL, created_at, last_used_at or NULL). */
static int on_feed(void *ctx, const char *const *c, int n)
{
    (void)n;
    return json_array_append_new(ctx, json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s?}", "id",
                                                (json_int_t)strtoll(c[0], NULL, 10), "kind", c[1],
                                                "profile_id", c[2], "event", c[3], "created_at",
                                                c[4], "last_used_at", c[5])) == 0
               ? 0
               : TV_ENOMEM;
}

int api_h_calendar_feed_list(const api_req_t *r, api_resp_t *resp)
{
    json_t *list = json_array(), *body;
    /* A bearer token has no feeds: its list is empty. */
    int rc = r->session.active
                 ? tv_store_calendar_feed_list(r->store, r->session.email, on_feed, list)
                 : 0;

    body = json_pack("{s:o}", "feeds", list); /* takes the list over */
    if (rc != 0 || body == NULL)
        api_reply_error(resp, r, rc != 0 ? rc : TV_ENOMEM, tv_store_error(r->store));
    else
        api_reply_json(resp, 200, json_dumps(body, JSON_COMPACT));
    json_decref(body);
    return 0;
}

int api_h_calendar_feed_revoke(const api_req_t *r, api_resp_t *resp)
{
    int rc = TV_ENOTFOUND; /* a bearer token has no feeds */

    if (r->session.active)
        rc = tv_store_calendar_feed_revoke(r->store, strtoll(r->params[0], NULL, 10),
                                           r->session.email);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        resp->status = 204;
    return 0;
}

/* ---- the feed itself ---- */

/* The events of a feed and their meetings, loaded for writing. */
typedef struct {
    char ids[FEED_EVENTS_MAX][65];
    tv_event_t events[FEED_EVENTS_MAX];
    tv_meeting_t *meetings[FEED_EVENTS_MAX];
    api_agenda_part_t parts[FEED_EVENTS_MAX];
    size_t n;
    const tv_calendar_feed_t *feed;
    tv_store_t *store;
    char name[256]; /* the profile's name, while the person may act for it */
    int allowed;
} feed_t;

/* One profile of the feed's person: (kind, id, name, events). */
static int on_person_profile(void *ctx, const char *const *c, int n)
{
    feed_t *f = ctx;

    (void)n;
    if (strcmp(c[0], f->feed->kind) == 0 && strcmp(c[1], f->feed->profile_id) == 0) {
        f->allowed = 1;
        snprintf(f->name, sizeof(f->name), "%s", c[2]);
    }
    return 0;
}

static int on_any_event(void *ctx, const tv_store_event_summary_t *e)
{
    feed_t *f = ctx;

    if (f->n < FEED_EVENTS_MAX)
        snprintf(f->ids[f->n++], sizeof(f->ids[0]), "%s", e->id);
    return 0;
}

/* The feed's events: its own, or every event; then only those the profile attends. */
static int feed_events(feed_t *f)
{
    tv_profile_kind_t kind =
        strcmp(f->feed->kind, "company") == 0 ? TV_KIND_COMPANY : TV_KIND_INVESTOR;
    size_t kept = 0;
    int rc = 0;

    if (f->feed->event_id[0] != '\0')
        snprintf(f->ids[f->n++], sizeof(f->ids[0]), "%s", f->feed->event_id);
    else
        rc = tv_store_events_each(f->store, on_any_event, f);
    for (size_t k = 0; rc == 0 && k < f->n; k++) {
        int in = tv_store_is_participant(f->store, f->ids[k], kind, f->feed->profile_id);

        if (in < 0)
            rc = in;
        else if (in)
            memmove(f->ids[kept++], f->ids[k], sizeof(f->ids[0]));
    }
    f->n = rc == 0 ? kept : 0;
    return rc;
}

/* Loads each event, its meetings of the profile (cancelled ones too: calendars drop them)
 * and their names into the parts. */
static int feed_load(feed_t *f, const tv_taxonomy_t *tax)
{
    int rc = 0;

    for (size_t k = 0; rc == 0 && k < f->n; k++) {
        api_agenda_part_t *p = &f->parts[k];
        size_t n = 0;

        p->e = &f->events[k];
        rc = api_load_event(f->store, f->ids[k], &f->events[k]);
        if (rc == 0)
            rc = tv_store_meetings(f->store, f->ids[k], &f->meetings[k], &n);
        if (rc == 0) {
            p->m = f->meetings[k];
            p->n = api_agenda_select(f->meetings[k], n, f->feed->profile_id, 1);
            rc = api_agenda_names(f->store, tax, p->m, p->n, &p->names);
        }
    }
    return rc;
}

static void feed_dispose(feed_t *f)
{
    for (size_t k = 0; k < FEED_EVENTS_MAX; k++) {
        for (size_t i = 0; f->parts[k].names != NULL && i < 2 * f->parts[k].n; i++)
            free(f->parts[k].names[i]);
        free(f->parts[k].names);
        free(f->meetings[k]);
        tv_event_dispose(&f->events[k]);
    }
}

/* Finds the live feed of "TOKEN.ics" in 'param'; TV_ENOTFOUND for any other text, an unknown
 * or revoked token. */
static int find_feed(tv_store_t *st, const char *param, tv_calendar_feed_t *out)
{
    char token[API_SECRET_SIZE + 4];
    uint8_t hash[TV_FEED_HASH_BYTES];
    size_t n = strlen(param);

    if (n != API_SECRET_LEN + 4 || strcmp(param + API_SECRET_LEN, ".ics") != 0)
        return TV_ENOTFOUND;
    snprintf(token, sizeof(token), "%.*s", API_SECRET_LEN, param);
    if (!api_secret_valid(token))
        return TV_ENOTFOUND;
    api_secret_hash(token, hash);
    return tv_store_calendar_feed_find(st, hash, out);
}

/* Writes the feed's calendar into '*text' ('*len' bytes). */
static int feed_write(feed_t *f, char **text, size_t *len)
{
    char title[300];
    FILE *out = open_memstream(text, len);
    int rc;

    if (out == NULL)
        return TV_ENOMEM;
    if (f->n == 1)
        snprintf(title, sizeof(title), "%s", f->events[0].name);
    else
        snprintf(title, sizeof(title), "tavolo: %s", f->name);
    rc = api_agenda_feed(title, f->parts, f->n, out);
    fclose(out);
    if (rc != 0) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

int api_h_calendar_feed_ics(const api_req_t *r, api_resp_t *resp)
{
    tv_calendar_feed_t feed;
    feed_t *f = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = r->store == NULL ? TV_EUNAVAIL : find_feed(r->store, r->params[0], &feed);

    if (rc == 0 && (f = calloc(1, sizeof(*f))) == NULL)
        rc = TV_ENOMEM;
    if (rc == 0) {
        f->feed = &feed;
        f->store = r->store;
        for (size_t k = 0; k < FEED_EVENTS_MAX; k++)
            tv_event_init(&f->events[k]);
        rc = tv_store_person_profiles(r->store, feed.email, on_person_profile, f);
    }
    /* A person who may no longer act for the profile has no feed of it. */
    if (rc == 0 && !f->allowed)
        rc = TV_ENOTFOUND;
    if (rc == 0)
        rc = feed_events(f);
    if (rc == 0)
        rc = feed_load(f, r->app->tax);
    if (rc == 0)
        rc = feed_write(f, &text, &len);
    if (rc == TV_ENOTFOUND && (f == NULL || !f->allowed))
        api_reply_problem(resp, r, 404, "not-found", NULL, "no such calendar feed");
    else if (rc != 0)
        api_reply_error(resp, r, rc, r->store != NULL ? tv_store_error(r->store) : "");
    else {
        resp->status = 200;
        resp->content_type = "text/calendar; charset=utf-8";
        resp->body = text;
        resp->body_len = len;
        api_etag_of(text, len, resp->etag);
    }
    if (f != NULL)
        feed_dispose(f);
    free(f);
    return 0;
}
