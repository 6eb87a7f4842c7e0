/* Sign-in by e-mail link and sessions (issue 16, decision 0049): following a link opens a
 * session (the tavolo_session cookie), /v1/me says who the person is and what they may act
 * for, sessions are listed and revoked, links are asked for (POST /v1/signin, rate-limited,
 * answering alike for known and unknown addresses) and sent by organisers. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../access.h"
#include "../log.h"
#include "../query.h"
#include "../reply.h"
#include "../session.h"
#include "handlers.h"
#include "invite.h"
#include "notify.h"
#include "tavolo/session.h"

#define SESSION_MAX_SECONDS (30L * 24 * 3600)

/* What a link that cannot open a session gets: a page in Italian and English (no script)
 * for a browser (Accept names text/html), else a problem. */
static void reply_link_page(api_resp_t *resp, const api_req_t *r, int status)
{
    const char *it = status == 410 ? "Questo link &egrave; gi&agrave; stato usato o &egrave; "
                                     "scaduto."
                                   : "Questo link non &egrave; valido.";
    const char *en =
        status == 410 ? "This link was used already or has expired." : "This link is not valid.";
    char *body;

    if (r->accept == NULL || strstr(r->accept, "text/html") == NULL) {
        api_reply_problem(resp, r, status, status == 410 ? "gone" : "not-found", NULL,
                          status == 410 ? "the sign-in link was used already or has expired"
                                        : "no such sign-in link");
        return;
    }
    if ((body = malloc(1400)) == NULL) {
        api_reply_error(resp, r, TV_ENOMEM, "");
        return;
    }
    snprintf(body, 1400,
             "<!DOCTYPE html>\n<html lang=\"it\"><head><meta charset=\"utf-8\"><meta "
             "name=\"viewport\" content=\"width=device-width\"><title>tavolo</title></head>"
             "<body style=\"margin:0;padding:24px 12px;background:#f4f5f7;font-family:Helvetica,"
             "Arial,sans-serif;color:#1f2933\"><main style=\"max-width:560px;margin:0 auto;"
             "background:#fff;border:1px solid #d9dde3;border-radius:6px;padding:24px\">"
             "<p style=\"margin:0 0 16px;font-weight:bold;color:#2f6fde\">tavolo</p>"
             "<p style=\"font-size:16px\">%s Ne chieda uno nuovo dalla pagina di accesso.</p>"
             "<p lang=\"en\" style=\"font-size:16px\">%s Ask for a new one on the sign-in "
             "page.</p><p><a href=\"/\" style=\"color:#2f6fde\">Accedi / Sign in</a></p>"
             "</main></body></html>\n",
             it, en);
    resp->status = status;
    resp->content_type = "text/html; charset=utf-8";
    resp->body = body;
    resp->body_len = strlen(body);
}

/* User-Agent 'ua' (NULL: none) as kept with a session: its first 256 bytes, any byte
 * outside printable ASCII (the header's own alphabet) as '?', so that it is valid text. */
static const char *printable(const char *ua, char out[257])
{
    size_t n = 0;

    for (; ua != NULL && ua[n] != '\0' && n < 256; n++)
        out[n] = (unsigned char)ua[n] >= 0x20 && (unsigned char)ua[n] < 0x7f ? ua[n] : '?';
    out[n] = '\0';
    return out;
}

int api_h_signin_link(const api_req_t *r, api_resp_t *resp)
{
    char t[128], sid[API_SECRET_SIZE], csrf[API_SECRET_SIZE], agent[257];
    uint8_t link_hash[32], session_hash[32], csrf_hash[32];
    tv_session_t s;
    int64_t idle = 168 * 3600; /* the default; `tavolo serve` refused a bad setting */
    int rc;

    (void)api_session_idle_seconds(&idle);
    if (api_query_get(r->query, "t", t, sizeof(t)) != 1 || !api_secret_valid(t)) {
        reply_link_page(resp, r, 404);
        return 0;
    }
    if (r->store == NULL) {
        api_reply_error(resp, r, TV_EUNAVAIL, "");
        return 0;
    }
    api_secret_hash(t, link_hash);
    rc = api_secret_new(sid, session_hash);
    if (rc == 0)
        rc = api_secret_new(csrf, csrf_hash);
    if (rc == 0)
        rc = tv_store_signin_consume(r->store, link_hash, session_hash, csrf, idle,
                                     SESSION_MAX_SECONDS, printable(r->user_agent, agent), &s);
    if (rc == TV_ENOTFOUND || rc == TV_ECONFLICT)
        reply_link_page(resp, r, rc == TV_ENOTFOUND ? 404 : 410);
    else if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else {
        api_session_cookie(r, sid, SESSION_MAX_SECONDS, resp->set_cookie, sizeof(resp->set_cookie));
        snprintf(resp->location, sizeof(resp->location), "/");
        resp->status = 303;
    }
    sodium_memzero(sid, sizeof(sid));
    return 0;
}

/* Replies 401 and returns -1 when the request came without a session cookie. */
static int need_session(const api_req_t *r, api_resp_t *resp)
{
    if (r->session.active)
        return 0;
    api_reply_problem(resp, r, 401, "unauthorized", NULL,
                      "this route needs a session: sign in with an e-mail link");
    return -1;
}

int api_h_signout(const api_req_t *r, api_resp_t *resp)
{
    int rc;

    if (need_session(r, resp) != 0)
        return 0;
    rc = tv_store_session_revoke(r->store, r->session.id, r->session.email);
    if (rc != 0 && rc != TV_ENOTFOUND) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        return 0;
    }
    api_session_cookie(r, "", 0, resp->set_cookie, sizeof(resp->set_cookie));
    resp->status = 204;
    return 0;
}

/* One profile of the person: (kind, id, name, events joined by ','). */
static int on_profile(void *ctx, const char *const *c, int n)
{
    json_t *events = json_array(), *p;
    char *list = strdup(c[3]), *save = NULL;

    (void)n;
    for (char *e = list != NULL ? strtok_r(list, ",", &save) : NULL; e != NULL;
         e = strtok_r(NULL, ",", &save))
        json_array_append_new(events, json_string(e));
    free(list);
    p = json_pack("{s:s, s:s, s:s, s:o}", "kind", c[0], "id", c[1], "name", c[2], "events", events);
    return p != NULL && json_array_append_new(ctx, p) == 0 ? 0 : TV_ENOMEM;
}

/* Bearer tokens of companies and investors name one profile; others none. */
static int bearer_me(const api_req_t *r, json_t *body)
{
    const api_principal_t *p = &r->principal;

    json_object_set_new(body, "role", json_string(api_role_name(p->role)));
    if (p->role == API_ROLE_COMPANY || p->role == API_ROLE_INVESTOR)
        json_array_append_new(
            json_object_get(body, "profiles"),
            json_pack("{s:s, s:s}", "kind", api_role_name(p->role), "id", p->subject));
    return 0;
}

int api_h_me(const api_req_t *r, api_resp_t *resp)
{
    json_t *body = json_pack("{s:o}", "profiles", json_array());
    char lang[3] = "";
    int rc = 0;

    if (body == NULL || r->store == NULL) {
        json_decref(body);
        api_reply_error(resp, r, body == NULL ? TV_ENOMEM : TV_EUNAVAIL, "");
        return 0;
    }
    if (!r->session.active) {
        bearer_me(r, body);
    } else {
        rc = tv_store_person_language(r->store, r->session.email, lang);
        json_object_set_new(body, "email", json_string(r->session.email));
        json_object_set_new(body, "language", lang[0] != '\0' ? json_string(lang) : json_null());
        json_object_set_new(body, "csrf_token", json_string(r->session.csrf));
        json_object_set_new(body, "acting",
                            r->acting != NULL ? json_string(r->acting) : json_null());
        if (rc == 0)
            rc = tv_store_person_profiles(r->store, r->session.email, on_profile,
                                          json_object_get(body, "profiles"));
    }
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        api_reply_json(resp, 200, json_dumps(body, JSON_COMPACT));
    json_decref(body);
    return 0;
}

/* PATCH /v1/me {"language": "it" | "en"}: the person's choice, kept for every browser they
 * use. A bearer token has no person. */
int api_h_me_patch(const api_req_t *r, api_resp_t *resp)
{
    json_t *o = json_loadb(r->body, r->body_len, 0, NULL);
    const char *lang = json_string_value(json_object_get(o, "language"));
    int rc;

    if (need_session(r, resp) != 0)
        goto out;
    if (!json_is_object(o) || json_object_size(o) != 1 || lang == NULL ||
        (strcmp(lang, "it") != 0 && strcmp(lang, "en") != 0)) {
        api_reply_problem(resp, r, 422, "invalid-field", "/language",
                          "expected {\"language\": \"it\"} or {\"language\": \"en\"}");
        goto out;
    }
    rc = tv_store_person_language_set(r->store, r->session.email, lang);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        api_reply_object(resp, 200, json_pack("{s:s}", "language", lang));
out:
    json_decref(o);
    return 0;
}

typedef struct {
    json_t *list;
    int64_t current;
} sessions_t;

/* One session: (id, hash prefix, created_at, last_seen_at). */
static int on_session(void *ctx, const char *const *c, int n)
{
    sessions_t *s = ctx;
    long long id = strtoll(c[0], NULL, 10);

    (void)n;
    return json_array_append_new(s->list,
                                 json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "id", id, "prefix",
                                           c[1], "created_at", c[2], "last_seen_at", c[3],
                                           "user_agent", c[4], "current", id == s->current)) == 0
               ? 0
               : TV_ENOMEM;
}

int api_h_me_sessions(const api_req_t *r, api_resp_t *resp)
{
    sessions_t s = {json_array(), r->session.id};
    json_t *body;
    int rc;

    /* A bearer token has no sessions: its list is empty. */
    rc = r->session.active ? tv_store_session_list(r->store, r->session.email, on_session, &s) : 0;
    body = json_pack("{s:o}", "sessions", s.list); /* takes the list over */
    if (rc != 0 || body == NULL)
        api_reply_error(resp, r, rc != 0 ? rc : TV_ENOMEM, tv_store_error(r->store));
    else
        api_reply_json(resp, 200, json_dumps(body, JSON_COMPACT));
    json_decref(body);
    return 0;
}

int api_h_me_session_revoke(const api_req_t *r, api_resp_t *resp)
{
    int rc = TV_ENOTFOUND; /* a bearer token has no sessions */

    if (r->session.active)
        rc = tv_store_session_revoke(r->store, strtoll(r->params[0], NULL, 10), r->session.email);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        resp->status = 204;
    return 0;
}

/* Reads {"email": "..."}; replies 400/422 and returns -1 when it is not an address. */
static int read_email(const api_req_t *r, api_resp_t *resp, char *out, size_t size)
{
    json_t *doc = json_loadb(r->body != NULL ? r->body : "", r->body_len, 0, NULL);
    const char *e = json_string_value(json_object_get(doc, "email"));
    int ok = e != NULL && strlen(e) < size && strlen(e) >= 3 && strchr(e, '@') != NULL &&
             strpbrk(e, " \t\r\n<>,;\"") == NULL;

    if (ok)
        snprintf(out, size, "%s", e);
    if (doc == NULL)
        api_reply_problem(resp, r, 400, "malformed-json", NULL, "the body is not JSON");
    else if (!ok)
        api_reply_problem(resp, r, 422, "invalid-field", "/email", "expected an e-mail address");
    json_decref(doc);
    return doc != NULL && ok ? 0 : -1;
}

/* Replies 429 with Retry-After. */
static void too_many(api_resp_t *resp, const api_req_t *r, int retry_after)
{
    api_reply_problem(resp, r, 429, "too-many-requests", NULL,
                      "too many sign-in links asked for; try again in %d seconds", retry_after);
    resp->retry_after = retry_after > 0 ? retry_after : 1;
}

/* Mails a sign-in link to 'arg' (an address) if it is a known person's: after the response,
 * so that its time tells nothing either. A failure is logged; the person can ask again. */
static void send_signin_link(tv_store_t *st, void *arg)
{
    api_notify_opts_t o;
    char err[256] = "";
    int sent = 0;
    int rc = st == NULL ? TV_EUNAVAIL : api_notify_defaults(&o);

    if (rc == 0)
        rc = api_invite_email(st, &o, arg, &sent, err, sizeof(err));
    if (rc != 0)
        api_log("error", "a sign-in link could not be made: %s",
                err[0] != '\0' ? err
                : st != NULL   ? tv_store_error(st)
                               : "no database");
}

/* Answers 202 whether the address is known or not, and in the same time, so that nobody
 * learns which are: the link is made and queued after the response (decision 0049). The
 * limits per client and per address are checked before, the same way for every address. */
int api_h_signin_request(const api_req_t *r, api_resp_t *resp)
{
    char email[321];
    int wait = 0, rc;

    if (read_email(r, resp, email, sizeof(email)) != 0)
        return 0;
    if (r->store == NULL) {
        api_reply_error(resp, r, TV_EUNAVAIL, "");
        return 0;
    }
    if (!api_session_client_allow(r->client != NULL ? r->client : "", &wait)) {
        too_many(resp, r, wait);
        return 0;
    }
    rc =
        tv_store_signin_throttle(r->store, email, API_SIGNIN_PER_ADDRESS, API_SIGNIN_WINDOW, &wait);
    if (rc == 0 && wait > 0) {
        too_many(resp, r, wait);
        return 0;
    }
    if (rc == 0 && (resp->after_arg = strdup(email)) == NULL)
        rc = TV_ENOMEM;
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        return 0;
    }
    resp->after = send_signin_link;
    api_reply_json(resp, 202,
                   strdup("{\"status\":\"accepted\",\"detail\":\"if the address is known, a "
                          "sign-in link is on its way\"}"));
    return 0;
}

static int on_organiser(void *ctx, const char *const *c, int n)
{
    (void)n;
    return json_array_append_new(ctx, json_pack("{s:s, s:s?, s:s?, s:s}", "email", c[0], "name",
                                                c[1], "language", c[2], "invited_at", c[3])) == 0
               ? 0
               : TV_ENOMEM;
}

/* GET /v1/events/{id}/organisers: who organises the event (admins and its organisers). */
int api_h_event_organisers(const api_req_t *r, api_resp_t *resp)
{
    json_t *items = json_array();
    int rc;

    if (!api_access_runs_event(r, r->params[0])) {
        json_decref(items);
        api_reply_problem(resp, r, 403, "forbidden", NULL,
                          "only an admin or this event's organiser may see its organisers");
        return 0;
    }
    rc = r->store == NULL ? TV_EUNAVAIL
                          : tv_store_organisers(r->store, r->params[0], on_organiser, items);
    if (rc != 0)
        api_reply_error(resp, r, rc, r->store != NULL ? tv_store_error(r->store) : "");
    else
        api_reply_object(resp, 200, json_pack("{s:O}", "items", items));
    json_decref(items);
    return 0;
}

/* POST /v1/events/{id}/organisers {"email", "name"?, "language"?}: an admin or an organiser of
 * the event adds an organiser and mails them a sign-in link (decision 0063). */
int api_h_event_organiser_add(const api_req_t *r, api_resp_t *resp)
{
    json_t *o = json_loadb(r->body != NULL ? r->body : "", r->body_len, 0, NULL);
    const char *email = json_string_value(json_object_get(o, "email"));
    const char *name = json_string_value(json_object_get(o, "name"));
    const char *lang = json_string_value(json_object_get(o, "language"));
    char err[256] = "";
    const char *bad;
    api_notify_opts_t opts;
    int sent = 0, rc;

    if (!api_access_runs_event(r, r->params[0])) {
        api_reply_problem(resp, r, 403, "forbidden", NULL,
                          "only an admin or this event's organiser may add organisers");
        goto out;
    }
    if (!json_is_object(o)) {
        api_reply_problem(resp, r, 400, "malformed-json", NULL, "the body is not a JSON object");
        goto out;
    }
    bad = email == NULL                                            ? "/email"
          : json_object_get(o, "name") != NULL && name == NULL     ? "/name"
          : json_object_get(o, "language") != NULL && lang == NULL ? "/language"
                                                                   : NULL;
    if (bad != NULL) {
        api_reply_problem(resp, r, 422, "invalid-field", bad, "expected a string");
        goto out;
    }
    rc = r->store == NULL ? TV_EUNAVAIL
                          : tv_store_organiser_add(r->store, r->params[0], email, name, lang);
    if (rc == TV_EINVAL) {
        const char *why = tv_store_error(r->store);

        api_reply_problem(resp, r, 422, "invalid-field",
                          strncmp(why, "language", 8) == 0 ? "/language" : "/email", "%s", why);
        goto out;
    }
    if (rc == 0)
        rc = api_notify_defaults(&opts);
    if (rc == 0)
        rc = api_invite_email(r->store, &opts, email, &sent, err, sizeof(err));
    if (rc != 0) {
        api_reply_error(resp, r, rc, err[0] ? err : tv_store_error(r->store));
        goto out;
    }
    api_reply_object(resp, 202, json_pack("{s:s, s:i}", "email", email, "queued", sent));
out:
    json_decref(o);
    return 0;
}

/* An admin, or the organiser of the event, invites every person the event names. */
int api_h_event_invitations(const api_req_t *r, api_resp_t *resp)
{
    const char *id = r->params[0];
    api_notify_opts_t o;
    size_t queued = 0, skipped = 0;
    char err[512] = "", *body = malloc(96);
    int rc;

    if (!api_access_runs_event(r, id)) {
        free(body);
        api_reply_problem(resp, r, 403, "forbidden", NULL,
                          "only an admin or this event's organiser may invite its people");
        return 0;
    }
    rc = r->store == NULL ? TV_EUNAVAIL : body == NULL ? TV_ENOMEM : api_notify_defaults(&o);
    if (rc == 0)
        rc = api_invite_run(r->store, &o, NULL, id, &queued, &skipped, err, sizeof(err));
    if (rc != 0) {
        free(body);
        api_reply_error(resp, r, rc, err[0] ? err : tv_store_error(r->store));
        return 0;
    }
    snprintf(body, 96, "{\"queued\":%zu,\"skipped\":%zu}", queued, skipped);
    api_reply_json(resp, 202, body);
    return 0;
}
