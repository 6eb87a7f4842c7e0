/* Routing and dispatch: the route table, request -> api_req_t, the thread pool hop, and the
 * response. The only file that touches h2o_req_t. */
#include <stdatomic.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "handlers/handlers.h"
#include "jobs.h"
#include "log.h"
#include "metrics.h"
#include "query.h"
#include "reply.h"
#include "router.h"
#include "session.h"
#include "web.h"

static const char *const company_list_params[] = {"limit",      "after",    "area", "pathology",
                                                  "technology", "eligible", NULL};
static const char *const investor_list_params[] = {"limit",     "after",      "kind",
                                                   "pathology", "technology", NULL};
static const char *const match_params[] = {"k",          "event", "lang",    "area", "pathology",
                                           "technology", "stage", "country", "q",    NULL};
static const char *const pair_params[] = {"lang", NULL};
static const char *const agenda_params[] = {"participant", NULL};
static const char *const digest_params[] = {"date", "event", NULL};
static const char *const mail_params[] = {"event", "status", "limit", "after", NULL};
static const char *const event_put_params[] = {"dry_run", NULL};
static const char *const schedule_params[] = {"draft", NULL};
static const char *const figures_params[] = {"esibe", NULL};
static const char *const unsubscribe_params[] = {"e", "k", "t", NULL};
static const char *const signin_params[] = {"t", NULL};
static const char *const outcome_link_params[] = {"e", "v", "m", "s", "a", "t", NULL};
static const char *const availability_params[] = {"participant", "kind", NULL};
static const char *const availability_put_params[] = {"participant", "kind", "dry_run", NULL};
static const char *const eligibility_params[] = {"lang", NULL};

const api_route_t api_routes[] = {
    {"GET", "/healthz", api_h_healthz, 0, NULL, NULL},
    {"GET", "/metrics", api_h_metrics, 0, NULL, NULL},
    {"GET", "/v1/companies", api_h_company_list, 1, NULL, company_list_params},
    {"POST", "/v1/companies", api_h_company_create, 1, NULL, NULL},
    {"GET", "/v1/companies/{id}", api_h_company_get, 1, NULL, NULL},
    {"PUT", "/v1/companies/{id}", api_h_company_put, 1, NULL, NULL},
    {"PATCH", "/v1/companies/{id}", api_h_company_patch, 1, NULL, NULL},
    {"DELETE", "/v1/companies/{id}", api_h_company_delete, 1, NULL, NULL},
    {"GET", "/v1/companies/{id}/eligibility", api_h_company_eligibility, 1, NULL,
     eligibility_params},
    {"POST", "/v1/companies/{id}/eligibility", api_h_company_eligibility_draft, 1, NULL,
     eligibility_params},
    {"GET", "/v1/companies/{id}/matches", api_h_company_matches, 1, api_h_company_matches_fast,
     match_params},
    {"GET", "/v1/companies/{id}/matches/{investor}", api_h_company_pair, 1, NULL, pair_params},
    {"GET", "/v1/investors", api_h_investor_list, 1, NULL, investor_list_params},
    {"POST", "/v1/investors", api_h_investor_create, 1, NULL, NULL},
    {"GET", "/v1/investors/{id}", api_h_investor_get, 1, NULL, NULL},
    {"PUT", "/v1/investors/{id}", api_h_investor_put, 1, NULL, NULL},
    {"PATCH", "/v1/investors/{id}", api_h_investor_patch, 1, NULL, NULL},
    {"DELETE", "/v1/investors/{id}", api_h_investor_delete, 1, NULL, NULL},
    {"GET", "/v1/investors/{id}/matches", api_h_investor_matches, 1, api_h_investor_matches_fast,
     match_params},
    {"GET", "/v1/investors/{id}/matches/{company}", api_h_investor_pair, 1, NULL, pair_params},
    {"GET", "/v1/taxonomy", api_h_taxonomy, 1, NULL, NULL},
    {"POST", "/v1/spreadsheets/participants", api_h_spreadsheet_participants, 1, NULL, NULL},
    {"GET", "/v1/events", api_h_event_list, 1, NULL, NULL},
    {"POST", "/v1/events", api_h_event_create, 1, NULL, event_put_params},
    {"GET", "/v1/events/{id}", api_h_event_get, 1, NULL, NULL},
    {"PUT", "/v1/events/{id}", api_h_event_put, 1, NULL, event_put_params},
    {"DELETE", "/v1/events/{id}", api_h_event_delete, 1, NULL, NULL},
    {"GET", "/v1/events/{id}/requests", api_h_request_list, 1, NULL, NULL},
    {"POST", "/v1/events/{id}/requests", api_h_request_create, 1, NULL, NULL},
    {"POST", "/v1/events/{id}/requests/{rid}/accept", api_h_request_accept, 1, NULL, NULL},
    {"POST", "/v1/events/{id}/requests/{rid}/decline", api_h_request_decline, 1, NULL, NULL},
    {"POST", "/v1/events/{id}/schedule", api_h_event_schedule, 1, NULL, schedule_params},
    {"GET", "/v1/events/{id}/draft", api_h_draft_get, 1, NULL, NULL},
    {"GET", "/v1/events/{id}/organisers", api_h_event_organisers, 1, NULL, NULL},
    {"POST", "/v1/events/{id}/organisers", api_h_event_organiser_add, 1, NULL, NULL},
    {"DELETE", "/v1/events/{id}/draft", api_h_draft_delete, 1, NULL, NULL},
    {"POST", "/v1/events/{id}/draft/publish", api_h_draft_publish, 1, NULL, NULL},
    {"GET", "/v1/events/{id}/meetings", api_h_meeting_list, 1, NULL, NULL},
    {"POST", "/v1/events/{id}/meetings", api_h_meeting_create, 1, NULL, NULL},
    {"GET", "/v1/events/{id}/meetings/{mid}", api_h_meeting_get, 1, NULL, NULL},
    {"GET", "/v1/events/{id}/meetings/{mid}/places", api_h_meeting_places, 1, NULL, NULL},
    {"GET", "/v1/events/{id}/meetings/{mid}/outcomes", api_h_outcome_get, 1, NULL, NULL},
    {"POST", "/v1/events/{id}/meetings/{mid}/outcomes", api_h_outcome_add, 1, NULL, NULL},
    {"PATCH", "/v1/events/{id}/meetings/{mid}", api_h_meeting_patch, 1, NULL, NULL},
    {"GET", "/v1/events/{id}/agenda.ics", api_h_event_agenda, 1, NULL, agenda_params},
    {"GET", "/v1/events/{id}/tables.csv", api_h_event_tables, 1, NULL, NULL},
    {"GET", "/v1/events/{id}/meetings.csv", api_h_event_meetings_csv, 1, NULL, NULL},
    {"GET", "/v1/events/{id}/overview", api_h_event_overview, 1, NULL, NULL},
    {"GET", "/v1/events/{id}/figures", api_h_event_figures, 1, NULL, figures_params},
    {"GET", "/v1/events/{id}/report", api_h_event_report, 1, NULL, NULL},
    {"GET", "/v1/figures", api_h_tour_figures, 1, NULL, figures_params},
    {"GET", "/v1/report", api_h_tour_report, 1, NULL, NULL},
    {"GET", "/v1/events/{id}/availability", api_h_availability_get, 1, NULL, availability_params},
    {"PUT", "/v1/events/{id}/availability", api_h_availability_put, 1, NULL,
     availability_put_params},
    {"GET", "/v1/digests", api_h_digest_list, 1, NULL, digest_params},
    {"GET", "/v1/mail", api_h_mail_list, 1, NULL, mail_params},
    {"DELETE", "/v1/tokens/{tid}", api_h_token_revoke, 1, NULL, NULL},
    {"GET", "/v1/unsubscribe", api_h_unsubscribe_page, 0, NULL, unsubscribe_params},
    {"POST", "/v1/unsubscribe", api_h_unsubscribe, 0, NULL, unsubscribe_params},
    {"GET", "/v1/outcome", api_h_outcome_link_page, 0, NULL, outcome_link_params},
    {"POST", "/v1/outcome", api_h_outcome_link, 0, NULL, outcome_link_params},
    {"POST", "/v1/events/{id}/invitations", api_h_event_invitations, 1, NULL, NULL},
    {"POST", "/v1/signin", api_h_signin_request, 0, NULL, NULL},
    {"GET", "/v1/me", api_h_me, API_AUTH_PERSON, NULL, NULL},
    {"PATCH", "/v1/me", api_h_me_patch, API_AUTH_PERSON, NULL, NULL},
    {"GET", "/v1/me/sessions", api_h_me_sessions, API_AUTH_PERSON, NULL, NULL},
    {"DELETE", "/v1/me/sessions/{sid}", api_h_me_session_revoke, API_AUTH_PERSON, NULL, NULL},
    {"GET", "/signin", api_h_signin_link, 0, NULL, signin_params},
    {"POST", "/signout", api_h_signout, API_AUTH_PERSON, NULL, NULL},
    {"GET", "/v1/me/calendar-feeds", api_h_calendar_feed_list, API_AUTH_PERSON, NULL, NULL},
    {"POST", "/v1/me/calendar-feeds", api_h_calendar_feed_create, 1, NULL, NULL},
    {"DELETE", "/v1/me/calendar-feeds/{fid}", api_h_calendar_feed_revoke, API_AUTH_PERSON, NULL,
     NULL},
    {"GET", "/calendar/{feed}", api_h_calendar_feed_ics, 0, NULL, NULL},
};
const size_t api_route_count = sizeof(api_routes) / sizeof(api_routes[0]);

void api_route_label(size_t r, const char **method, const char **pattern)
{
    *method = api_routes[r].method;
    *pattern = api_routes[r].pattern;
}

static api_app_t *the_app;
static uv_loop_t *the_loop;
static atomic_size_t in_flight;

void api_router_init(api_app_t *app, uv_loop_t *loop)
{
    the_app = app;
    the_loop = loop;
}

size_t api_router_in_flight(void)
{
    return atomic_load(&in_flight);
}

/* ---- matching a path ---- */

static int hex(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decodes 'n' bytes of 's' into 'out'; returns the length or -1. */
static int decode_segment(const char *s, size_t n, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            out[o++] = s[i];
            continue;
        }
        if (i + 2 >= n || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
            return -1;
        out[o] = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
        if (out[o++] == '\0')
            return -1; /* "%00" would cut the id short */
        i += 2;
    }
    out[o] = '\0';
    return (int)o;
}

/* Matches 'path' against 'pattern', writing decoded parameters into 'decoded'. */
static int match_pattern(const char *pattern, const char *path, const char **params,
                         size_t *n_params, char *decoded, size_t decoded_size)
{
    const char *p = pattern, *s = path;
    size_t used = 0;

    *n_params = 0;
    while (*p != '\0' && *s != '\0') {
        const char *pe = strchr(p + 1, '/'), *se = strchr(s + 1, '/');
        size_t pn = pe != NULL ? (size_t)(pe - p) : strlen(p);
        size_t sn = se != NULL ? (size_t)(se - s) : strlen(s);

        if (p[1] == '{') {
            int len;

            if (sn < 2 || used + sn + 1 > decoded_size || *n_params == API_MAX_PARAMS)
                return 0;
            len = decode_segment(s + 1, sn - 1, decoded + used);
            if (len <= 0)
                return 0;
            params[(*n_params)++] = decoded + used;
            used += (size_t)len + 1;
        } else if (pn != sn || memcmp(p, s, pn) != 0) {
            return 0;
        }
        p += pn;
        s += sn;
    }
    return *p == '\0' && *s == '\0';
}

int api_router_find(const char *method, const char *path, const char **params, size_t *n_params,
                    char *decoded, size_t decoded_size, char *allow, size_t allow_size)
{
    int path_known = 0;

    allow[0] = '\0';
    for (size_t r = 0; r < api_route_count; r++) {
        if (!match_pattern(api_routes[r].pattern, path, params, n_params, decoded, decoded_size))
            continue;
        if (strcmp(api_routes[r].method, method) == 0)
            return (int)r;
        path_known = 1;
        snprintf(allow + strlen(allow), allow_size - strlen(allow), "%s%s", allow[0] ? ", " : "",
                 api_routes[r].method);
    }
    return path_known ? -405 : -404;
}

/* ---- running a request (on a worker thread, or inline in tests) ---- */

/* Authenticates by the session cookie (decision 0049): a live session, then the profile it
 * acts for (X-Tavolo-Profile; routes of API_AUTH_PERSON may go without), then the CSRF
 * defence of writes. On failure fills 'resp' and returns non-zero. */
static int authenticate_session(api_req_t *r, int route, api_resp_t *resp)
{
    int write = strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0;
    const char *csrf;
    int rc = api_session_authenticate(r->store, r->cookie, &r->session);

    if (rc == TV_ENOTFOUND) {
        api_reply_problem(resp, r, 401, "unauthorized", NULL,
                          "the session is unknown, expired or signed out: sign in again");
        return -1;
    }
    if (rc == 0 && write && (csrf = api_session_csrf_problem(r)) != NULL) {
        api_reply_problem(resp, r, 403, "forbidden", NULL, "%s", csrf);
        return -1;
    }
    if (rc == 0 && r->acting == NULL && api_routes[route].needs_auth != API_AUTH_PERSON) {
        api_reply_problem(resp, r, 403, "forbidden", NULL,
                          "choose the profile to act for: X-Tavolo-Profile: company:ID, "
                          "investor:ID or organiser:EVENT_ID (GET /v1/me lists them)");
        return -1;
    }
    if (rc == 0 && r->acting != NULL && (rc = api_session_principal(r, &r->principal)) != 0 &&
        (rc == TV_EINVAL || rc == TV_ENOTFOUND)) {
        api_reply_problem(resp, r, 403, "forbidden", NULL,
                          "X-Tavolo-Profile: not company:ID, investor:ID or "
                          "organiser:EVENT_ID of a profile of this person");
        return -1;
    }
    if (rc != 0) {
        api_reply_error(resp, r, rc, r->store != NULL ? tv_store_error(r->store) : "");
        return -1;
    }
    r->authenticated = r->acting != NULL;
    return 0;
}

/* Authenticates the request; on failure fills 'resp' and returns non-zero. A bearer token
 * wins over a session cookie. */
static int authenticate(api_req_t *r, int route, api_resp_t *resp)
{
    int rc;

    if (r->authorization == NULL && r->cookie != NULL)
        return authenticate_session(r, route, resp);
    if (r->authorization == NULL) {
        api_reply_problem(resp, r, 401, "unauthorized", NULL,
                          "this route needs a bearer token (Authorization: Bearer tv_...) or "
                          "a session");
        return -1;
    }
    rc = api_jobs_authenticate(r->store, r->authorization, &r->principal);
    if (rc == 0) {
        r->authenticated = 1;
        return 0;
    }
    if (rc == TV_EUNAVAIL || r->store == NULL)
        api_reply_error(resp, r, TV_EUNAVAIL, "");
    else if (rc == TV_EINVAL || rc == TV_ENOTFOUND)
        api_reply_problem(resp, r, 401, "unauthorized", NULL,
                          "the bearer token is malformed, unknown or revoked");
    else /* the database could not say: not the client's fault */
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    return -1;
}

/* After the token (401 comes first), unknown or repeated query parameters are refused. */
static int check_query(const api_req_t *r, int route, api_resp_t *resp)
{
    char bad[64];

    if (api_query_check(r->query, api_routes[route].query_params, bad, sizeof(bad)) == 0)
        return 0;
    api_reply_bad_parameter(resp, r, bad, "a parameter this route takes, once");
    return -1;
}

static void run_route(api_req_t *r, int route, api_resp_t *resp)
{
    if (api_routes[route].needs_auth && authenticate(r, route, resp) != 0)
        return;
    if (check_query(r, route, resp) != 0)
        return;
    api_routes[route].handler(r, resp);
}

/* 1 if Content-Type 'ct' names exactly 'type' (case aside), parameters such as charset
 * allowed. */
static int media_type_is(const char *ct, const char *type)
{
    size_t n = strlen(type);

    if (ct == NULL || strncasecmp(ct, type, n) != 0)
        return 0;
    ct += n;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

/* 1 if 's' can name a record: an id (tv_id_valid) for {id}, {company}, {investor} and {feed},
 * or for the numeric parameters ({rid}, {mid}, {tid}, {sid}, {fid}) a number that fits an
 * int64. */
static int param_valid(const char *name, const char *s)
{
    size_t n = strlen(s);

    if (strcmp(name, "{id}") == 0 || strcmp(name, "{company}") == 0 ||
        strcmp(name, "{investor}") == 0)
        return tv_id_valid(s);
    if (strcmp(name, "{feed}") == 0) /* "TOKEN.ics": the handler reads it */
        return tv_id_valid(s);
    if (n == 0 || n > 18)
        return 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return 0;
    }
    return 1;
}

/* 1 if every path parameter of the request can name a record. */
static int params_valid(const api_req_t *r, const char *pattern)
{
    size_t k = 0;

    for (const char *p = strchr(pattern, '{'); p != NULL && k < r->n_params;
         p = strchr(p + 1, '{')) {
        char name[16];
        size_t len = strcspn(p, "/");

        snprintf(name, sizeof(name), "%.*s", (int)len, p);
        if (!param_valid(name, r->params[k++]))
            return 0;
    }
    return 1;
}

/* Handles what needs no route: unknown paths, wrong methods, body limits, media types. */
static int precheck(api_req_t *r, int route, const char *allow, api_resp_t *resp)
{
    const char *ct = r->content_type;
    int write = strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0 ||
                strcmp(r->method, "PATCH") == 0;

    if (route == -404) {
        api_reply_problem(resp, r, 404, "not-found", NULL, "no route for %s", r->path);
        return -1;
    }
    if (route == -405) {
        api_reply_problem(resp, r, 405, "method-not-allowed", NULL, "%s is not allowed here",
                          r->method);
        snprintf(resp->allow, sizeof(resp->allow), "%s", allow);
        return -1;
    }
    /* No record has such an id; the bytes are not echoed, as they may not be UTF-8. */
    if (!params_valid(r, api_routes[route].pattern)) {
        api_reply_problem(resp, r, 404, "not-found", NULL,
                          "no record has this id: ids are 1 to 64 letters, digits and ._:/-, "
                          "and meeting and request ids are numbers");
        return -1;
    }
    if (r->body_len > r->app->max_body) {
        api_reply_problem(resp, r, 413, "payload-too-large", NULL,
                          "the body has %zu bytes; the limit is %zu", r->body_len,
                          r->app->max_body);
        return -1;
    }
    if (write && r->body_len > 0 && !media_type_is(ct, "application/json") &&
        !(strcmp(r->method, "PATCH") == 0 && media_type_is(ct, "application/merge-patch+json")) &&
        !(strcmp(r->path, "/v1/unsubscribe") == 0 && /* RFC 8058's one-click form */
          (media_type_is(ct, "application/x-www-form-urlencoded") ||
           media_type_is(ct, "multipart/form-data"))) &&
        !(strcmp(r->path, "/v1/outcome") == 0 && /* the outcome link's page's form */
          media_type_is(ct, "application/x-www-form-urlencoded"))) {
        api_reply_problem(
            resp, r, 415, "unsupported-media-type", NULL, "send the body as application/json%s",
            strcmp(r->method, "PATCH") == 0 ? " or application/merge-patch+json" : "");
        return -1;
    }
    return 0;
}

void api_router_dispatch(api_app_t *app, tv_store_t *store, const api_principal_t *as,
                         const char *method, const char *path, const char *query, const char *body,
                         size_t body_len, const char *content_type, api_resp_t *resp)
{
    api_req_t r = {.method = method,
                   .path = path,
                   .query = query != NULL ? query : "",
                   .body = body,
                   .body_len = body_len,
                   .content_type = content_type,
                   .request_id = "test",
                   .app = app,
                   .store = store};
    char decoded[1024], allow[64];
    int route = api_router_find(method, path, r.params, &r.n_params, decoded, sizeof(decoded),
                                allow, sizeof(allow));

    memset(resp, 0, sizeof(*resp));
    if (precheck(&r, route, allow, resp) != 0)
        return;
    if (as != NULL) {
        r.principal = *as;
        r.authenticated = 1;
        if (check_query(&r, route, resp) == 0)
            api_routes[route].handler(&r, resp);
    } else {
        run_route(&r, route, resp);
    }
    if (resp->after != NULL) { /* inline: the work after the response runs now */
        resp->after(store, resp->after_arg);
        free(resp->after_arg);
        resp->after_arg = NULL;
        resp->after = NULL;
    }
}

/* ---- the thread pool hop ---- */

typedef struct job {
    uv_work_t work;
    h2o_req_t *req;    /* NULL once the client has gone */
    struct job **slot; /* in the request's pool: lets its disposal reach us */
    api_req_t r;
    int route;
    char allow[64];
    char decoded[1024];
    char request_id[24];
    api_resp_t resp;
    double started; /* api_seconds() */
    char *copies;   /* method, path, query, content type, authorization and body */
    char *extra;    /* the session's headers (copy_session_headers) */
    char cookie[128];
    char client[1025]; /* NI_MAXHOST, what h2o_socket_getnumerichost may write */
} job_t;

/* The request's memory is going away: the job must no longer touch it. */
static void on_req_disposed(void *p)
{
    job_t *job = *(job_t **)p;

    if (job != NULL) {
        job->req = NULL;
        job->slot = NULL;
    }
}

static void add_header(h2o_req_t *req, const h2o_token_t *token, const char *value)
{
    h2o_add_header(&req->pool, &req->res.headers, token, NULL, value, strlen(value));
}

static void send_response(h2o_req_t *req, api_resp_t *resp, const char *request_id)
{
    char retry[16];

    req->res.status = resp->status;
    req->res.reason = api_status_title(resp->status);
    if (resp->content_type != NULL)
        add_header(req, H2O_TOKEN_CONTENT_TYPE, resp->content_type);
    if (resp->location[0] != '\0')
        add_header(req, H2O_TOKEN_LOCATION, h2o_strdup(&req->pool, resp->location, SIZE_MAX).base);
    if (resp->allow[0] != '\0')
        add_header(req, H2O_TOKEN_ALLOW, h2o_strdup(&req->pool, resp->allow, SIZE_MAX).base);
    if (resp->www_authenticate)
        add_header(req, H2O_TOKEN_WWW_AUTHENTICATE, "Bearer");
    if (resp->etag[0] != '\0')
        add_header(req, H2O_TOKEN_ETAG, h2o_strdup(&req->pool, resp->etag, SIZE_MAX).base);
    if (resp->set_cookie[0] != '\0') {
        add_header(req, H2O_TOKEN_SET_COOKIE,
                   h2o_strdup(&req->pool, resp->set_cookie, SIZE_MAX).base);
        add_header(req, H2O_TOKEN_CACHE_CONTROL, "no-store");
    }
    if (resp->retry_after > 0) {
        snprintf(retry, sizeof(retry), "%d", resp->retry_after);
        add_header(req, H2O_TOKEN_RETRY_AFTER, h2o_strdup(&req->pool, retry, SIZE_MAX).base);
    }
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL,
                          h2o_strdup(&req->pool, request_id, SIZE_MAX).base, strlen(request_id));
    req->res.content_length = resp->body_len;
    h2o_send_inline(req, resp->body != NULL ? resp->body : "", resp->body_len);
}

/* ---- work after the response (api_resp_t.after) ---- */

typedef struct {
    uv_work_t work;
    void (*fn)(tv_store_t *st, void *arg);
    void *arg;
} after_t;

static void on_after(uv_work_t *w)
{
    after_t *a = w->data;

    a->fn(api_jobs_store(the_app), a->arg);
}

static void on_after_done(uv_work_t *w, int status)
{
    after_t *a = w->data;

    (void)status;
    atomic_fetch_sub(&in_flight, 1);
    free(a->arg);
    free(a);
}

/* Hands the response's work after it to the thread pool (counted in flight, so that a stop
 * waits for it). Without memory for that it is dropped and logged: the response has gone. */
static void queue_after(api_resp_t *resp, const char *request_id)
{
    after_t *a = resp->after != NULL ? malloc(sizeof(*a)) : NULL;

    if (resp->after == NULL)
        return;
    if (a == NULL) {
        api_log("error", "request %s: out of memory for the work after its response", request_id);
        return; /* api_resp_dispose frees the argument */
    }
    a->fn = resp->after;
    a->arg = resp->after_arg;
    a->work.data = a;
    resp->after = NULL;
    resp->after_arg = NULL;
    atomic_fetch_add(&in_flight, 1);
    uv_queue_work(the_loop, &a->work, on_after, on_after_done);
}

static void finish(job_t *job)
{
    double seconds = api_seconds() - job->started;
    const char *route = job->route >= 0 ? api_routes[job->route].pattern : "(none)";

    if (job->req != NULL)
        send_response(job->req, &job->resp, job->request_id);
    queue_after(&job->resp, job->request_id);
    api_metrics_observe(the_app->metrics, job->route, job->r.method, job->resp.status, seconds);
    api_log_request(job->r.method, route, job->resp.status, seconds, job->request_id,
                    job->req == NULL ? "client left before the response" : NULL);
    if (job->slot != NULL)
        *job->slot = NULL;
    api_resp_dispose(&job->resp);
    free(job->copies);
    free(job->extra);
    free(job);
}

/* A connection that died while idle (PostgreSQL restarted) is only found out by a request:
 * that request is run once more on a fresh connection rather than answered 503. Nothing was
 * committed by the first try, whose statements could not reach the server. */
static void on_work(uv_work_t *w)
{
    job_t *job = w->data;
    tv_store_t *before = api_jobs_store(the_app);

    job->r.store = before;
    run_route(&job->r, job->route, &job->resp);
    if (job->resp.status == 503 && before != NULL && !tv_store_healthy(before)) {
        job->r.store = api_jobs_store(the_app);
        if (job->r.store != NULL) {
            api_resp_dispose(&job->resp);
            memset(&job->resp, 0, sizeof(job->resp));
            run_route(&job->r, job->route, &job->resp);
        }
    }
}

static void on_work_done(uv_work_t *w, int status)
{
    job_t *job = w->data;

    (void)status;
    atomic_fetch_sub(&in_flight, 1);
    finish(job);
}

/* Copies what the worker reads out of the request, whose memory may go away meanwhile. */
static int copy_request(job_t *job, h2o_req_t *req)
{
    ssize_t ct = h2o_find_header(&req->headers, H2O_TOKEN_CONTENT_TYPE, -1);
    ssize_t au = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    ssize_t im = h2o_find_header(&req->headers, H2O_TOKEN_IF_MATCH, -1);
    size_t path_len = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    size_t query_len = req->query_at != SIZE_MAX ? req->path.len - req->query_at - 1 : 0;
    h2o_iovec_t ctv = ct >= 0 ? req->headers.entries[ct].value : h2o_iovec_init("", 0);
    h2o_iovec_t auv = au >= 0 ? req->headers.entries[au].value : h2o_iovec_init("", 0);
    h2o_iovec_t imv = im >= 0 ? req->headers.entries[im].value : h2o_iovec_init("", 0);
    size_t total =
        req->method.len + path_len + query_len + ctv.len + auv.len + imv.len + req->entity.len + 7;
    char *p = malloc(total);

    if (p == NULL)
        return -1;
    job->copies = p;
#define COPY(dst, src, len)                                                                        \
    do {                                                                                           \
        memcpy(p, (src), (len));                                                                   \
        p[(len)] = '\0';                                                                           \
        (dst) = p;                                                                                 \
        p += (len) + 1;                                                                            \
    } while (0)
    COPY(job->r.method, req->method.base, req->method.len);
    COPY(job->r.path, req->path.base, path_len);
    COPY(job->r.query, req->path.base + path_len + (query_len > 0), query_len);
    COPY(job->r.content_type, ctv.base, ctv.len);
    COPY(job->r.authorization, auv.base, auv.len);
    COPY(job->r.if_match, imv.base, imv.len);
    COPY(job->r.body, req->entity.base != NULL ? req->entity.base : "", req->entity.len);
#undef COPY
    job->r.body_len = req->entity.len;
    if (ct < 0)
        job->r.content_type = NULL;
    if (au < 0)
        job->r.authorization = NULL;
    if (im < 0)
        job->r.if_match = NULL;
    return 0;
}

/* Copies header 'name' into 'p' (NUL-terminated), returning where the next copy goes; sets
 * '*dst' to the copy, or NULL when the header is absent. */
static char *copy_header(h2o_req_t *req, const char *name, size_t len, const char **dst, char *p)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, len, -1);

    *dst = NULL;
    if (i < 0)
        return p;
    memcpy(p, req->headers.entries[i].value.base, req->headers.entries[i].value.len);
    p[req->headers.entries[i].value.len] = '\0';
    *dst = p;
    return p + req->headers.entries[i].value.len + 1;
}

/* Copies what sessions need (decision 0049): the tavolo_session cookie (from any Cookie
 * header), Origin, X-CSRF-Token, X-Tavolo-Profile, the client's address (the peer's, or
 * the one a trusted proxy forwarded) and TLS. */
static int copy_session_headers(job_t *job, h2o_req_t *req)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    ssize_t xff = -1;
    size_t total = 4;
    char *p;

    for (size_t i = 0; i < req->headers.size; i++)
        total += req->headers.entries[i].value.len + 1;
    if ((p = job->extra = malloc(total)) == NULL)
        return -1;
    p = copy_header(req, H2O_STRLIT("origin"), &job->r.origin, p);
    p = copy_header(req, H2O_STRLIT("x-csrf-token"), &job->r.csrf, p);
    p = copy_header(req, H2O_STRLIT("x-tavolo-profile"), &job->r.acting, p);
    p = copy_header(req, H2O_STRLIT("accept"), &job->r.accept, p);
    copy_header(req, H2O_STRLIT("user-agent"), &job->r.user_agent, p);
    for (ssize_t i = -1; (i = h2o_find_header(&req->headers, H2O_TOKEN_COOKIE, i)) >= 0;) {
        char value[4096];
        h2o_iovec_t v = req->headers.entries[i].value;

        snprintf(value, sizeof(value), "%.*s", (int)v.len, v.base);
        job->r.cookie =
            api_cookie_value(value, API_SESSION_COOKIE, job->cookie, sizeof(job->cookie));
        if (job->r.cookie != NULL)
            break;
    }
    sl = req->conn->callbacks->get_peername != NULL
             ? req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss)
             : 0;
    if (sl == 0 || h2o_socket_getnumerichost((struct sockaddr *)&ss, sl, job->client) == SIZE_MAX)
        job->client[0] = '\0';
    for (ssize_t i = -1; (i = h2o_find_header(&req->headers, H2O_TOKEN_X_FORWARDED_FOR, i)) >= 0;)
        xff = i; /* the last header: a proxy appends to the one it received, or adds its own */
    if (xff >= 0)
        api_client_behind_proxy(job->client, sizeof(job->client),
                                req->headers.entries[xff].value.base,
                                req->headers.entries[xff].value.len);
    job->r.client = job->client;
    job->r.tls = req->scheme == &H2O_URL_SCHEME_HTTPS;
    return 0;
}

/* Answers on the loop thread when the route can from memory alone: a cached token, then the
 * route's fast handler. */
static int try_fast(job_t *job)
{
    const api_route_t *route = &api_routes[job->route];

    if (route->fast == NULL || job->r.authorization == NULL ||
        api_query_check(job->r.query, route->query_params, (char[64]){0}, 64) != 0)
        return 0;
    if (api_jobs_authenticate_cached(job->r.authorization, &job->r.principal) != 0)
        return 0;
    job->r.authenticated = 1;
    return route->fast(&job->r, &job->resp);
}

int api_router_on_req(h2o_handler_t *self, h2o_req_t *req)
{
    static atomic_ulong next_id;
    job_t *job = calloc(1, sizeof(*job));

    (void)self;
    if (api_web_on_req(req)) { /* the pages' files, from memory, on the loop thread */
        free(job);
        return 0;
    }
    if (job == NULL || copy_request(job, req) != 0 || copy_session_headers(job, req) != 0) {
        if (job != NULL)
            free(job->copies), free(job->extra);
        free(job);
        return -1;
    }
    job->req = req;
    job->started = api_seconds();
    job->r.app = the_app;
    job->r.request_id = job->request_id;
    snprintf(job->request_id, sizeof(job->request_id), "%lx-%lx", (unsigned long)getpid(),
             (unsigned long)atomic_fetch_add(&next_id, 1));
    job->route =
        api_router_find(job->r.method, job->r.path, job->r.params, &job->r.n_params, job->decoded,
                        sizeof(job->decoded), job->allow, sizeof(job->allow));
    if (precheck(&job->r, job->route, job->allow, &job->resp) != 0) {
        finish(job);
        return 0;
    }
    if (try_fast(job)) {
        finish(job);
        return 0;
    }
    job->slot = h2o_mem_alloc_shared(&req->pool, sizeof(job_t *), on_req_disposed);
    *job->slot = job;
    job->work.data = job;
    atomic_fetch_add(&in_flight, 1);
    uv_queue_work(the_loop, &job->work, on_work, on_work_done);
    return 0;
}
