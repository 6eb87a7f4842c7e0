/* Companies and investors: list, read, create, replace, patch, delete, eligibility. One set
 * of functions serves both kinds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../log.h"
#include "../access.h"
#include "../metrics.h"
#include "../query.h"
#include "../reply.h"
#include "handlers.h"

#define LIST_DEFAULT 50
#define LIST_MAX 200

static const char *noun(tv_profile_kind_t kind)
{
    return kind == TV_KIND_COMPANY ? "company" : "investor";
}

char *api_h_items(char **items, size_t n, const char *extra)
{
    size_t len = 32 + strlen(extra);
    char *out, *p;

    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + 1;
    out = malloc(len);
    if (out == NULL)
        return NULL;
    p = out + sprintf(out, "{\"items\":[");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s%s", i ? "," : "", items[i]);
    sprintf(p, "]%s%s}", extra[0] ? "," : "", extra);
    return out;
}

/* Encodes profile 'index' in full or in public view; the matcher must be locked. */
static int encode(const api_app_t *app, tv_profile_kind_t kind, size_t index, int view, char **out)
{
    const char *const *fields = view == API_VIEW_FULL ? NULL : api_access_public_fields(kind);

    if (kind == TV_KIND_COMPANY)
        return tv_codec_company_encode_fields(app->tax, tv_matcher_company(app->matcher, index),
                                              fields, out);
    return tv_codec_investor_encode_fields(app->tax, tv_matcher_investor(app->matcher, index),
                                           fields, out);
}

static int find(const api_app_t *app, tv_profile_kind_t kind, const char *id)
{
    return kind == TV_KIND_COMPANY ? tv_matcher_find_company(app->matcher, id)
                                   : tv_matcher_find_investor(app->matcher, id);
}

static void deny(api_resp_t *resp, const api_req_t *r, tv_profile_kind_t kind, const char *id)
{
    api_reply_problem(resp, r, 403, "forbidden", NULL, "this token may not see %s \"%s\"",
                      noun(kind), id);
}

static void not_found(api_resp_t *resp, const api_req_t *r, tv_profile_kind_t kind, const char *id,
                      int rc)
{
    char detail[128];

    snprintf(detail, sizeof(detail), "no %s \"%s\"", noun(kind), id);
    api_reply_error(resp, r, rc, detail);
}

static void get_profile(const api_req_t *r, api_resp_t *resp, tv_profile_kind_t kind)
{
    const char *id = r->params[0];
    int view = api_access_view(r, kind, id), at;
    char *json = NULL;

    if (view < 0) {
        api_reply_error(resp, r, view, "");
        return;
    }
    if (view == API_VIEW_NONE) {
        deny(resp, r, kind, id);
        return;
    }
    pthread_rwlock_rdlock(&r->app->lock);
    at = find(r->app, kind, id);
    if (at >= 0 && encode(r->app, kind, (size_t)at, view, &json) != 0)
        at = TV_ENOMEM;
    pthread_rwlock_unlock(&r->app->lock);
    if (at < 0) {
        not_found(resp, r, kind, id, at);
        return;
    }
    api_etag_of(json, strlen(json), resp->etag);
    api_reply_json(resp, 200, json);
}

int api_h_company_get(const api_req_t *r, api_resp_t *resp)
{
    get_profile(r, resp, TV_KIND_COMPANY);
    return 0;
}

int api_h_investor_get(const api_req_t *r, api_resp_t *resp)
{
    get_profile(r, resp, TV_KIND_INVESTOR);
    return 0;
}

/* ---- lists ---- */

typedef struct {
    char area[64], kind[64], pathology[96], technology[96], eligible[16];
    int has_area, has_kind, has_pathology, has_technology, has_eligible;
    int pathology_index, technology_index, area_index, kind_index;
    uint8_t *participants; /* an organiser's event, or NULL */
    const char *own;       /* the caller's own id when it sees no other, or NULL */
} filter_t;

/* 1 if 'terms' holds 'index' or a finer term under it. */
static int has_term_under(const tv_taxonomy_t *t, tv_taxo_kind_t kind, const tv_terms_t *terms,
                          int index)
{
    for (size_t i = 0; i < terms->n; i++) {
        for (int at = terms->items[i]; at >= 0;
             at = tv_taxonomy_entry(t, kind, (size_t)at)->parent) {
            if (at == index)
                return 1;
        }
    }
    return 0;
}

static int keep(const api_app_t *app, tv_profile_kind_t kind, size_t index, const filter_t *f)
{
    const tv_terms_t *paths, *techs;

    if (f->participants != NULL && !f->participants[index])
        return 0;
    if (f->own != NULL &&
        strcmp(f->own, kind == TV_KIND_COMPANY ? tv_matcher_company(app->matcher, index)->id
                                               : tv_matcher_investor(app->matcher, index)->id) != 0)
        return 0;
    if (kind == TV_KIND_COMPANY) {
        const tv_company_t *c = tv_matcher_company(app->matcher, index);
        static const char *const verdicts[] = {"unknown", "false", "true"};

        if (f->has_area && c->area != f->area_index)
            return 0;
        if (f->has_eligible &&
            strcmp(verdicts[tv_matcher_eligible(app->matcher, index) + 1], f->eligible) != 0)
            return 0;
        paths = &c->pathologies;
        techs = &c->technologies;
    } else {
        const tv_investor_t *inv = tv_matcher_investor(app->matcher, index);

        if (f->has_kind && inv->kind != f->kind_index)
            return 0;
        paths = &inv->pathologies;
        techs = &inv->technologies;
    }
    if (f->has_pathology && !has_term_under(app->tax, TV_TAXO_PATHOLOGY, paths, f->pathology_index))
        return 0;
    return !f->has_technology ||
           has_term_under(app->tax, TV_TAXO_TECHNOLOGY, techs, f->technology_index);
}

/* Reads one taxonomy filter; returns -1 after replying when it is not a known id. */
static int term_filter(const api_req_t *r, api_resp_t *resp, const char *name, tv_taxo_kind_t kind,
                       char *buf, size_t size, int *has, int *index)
{
    int found = api_query_get(r->query, name, buf, size);

    *has = found > 0;
    if (found == 0)
        return 0;
    *index = found > 0 ? tv_taxonomy_find(r->app->tax, kind, buf) : -1;
    if (*index < 0) {
        api_reply_bad_parameter(resp, r, name, "an id of the taxonomy");
        return -1;
    }
    return 0;
}

static int parse_filters(const api_req_t *r, api_resp_t *resp, tv_profile_kind_t kind, filter_t *f)
{
    int found;

    if (term_filter(r, resp, "pathology", TV_TAXO_PATHOLOGY, f->pathology, sizeof(f->pathology),
                    &f->has_pathology, &f->pathology_index) != 0 ||
        term_filter(r, resp, "technology", TV_TAXO_TECHNOLOGY, f->technology, sizeof(f->technology),
                    &f->has_technology, &f->technology_index) != 0)
        return -1;
    if (kind == TV_KIND_COMPANY) {
        if (term_filter(r, resp, "area", TV_TAXO_AREA, f->area, sizeof(f->area), &f->has_area,
                        &f->area_index) != 0)
            return -1;
        found = api_query_get(r->query, "eligible", f->eligible, sizeof(f->eligible));
        f->has_eligible = found > 0;
        if (found != 0 &&
            (found < 0 || (strcmp(f->eligible, "true") != 0 && strcmp(f->eligible, "false") != 0 &&
                           strcmp(f->eligible, "unknown") != 0))) {
            api_reply_bad_parameter(resp, r, "eligible", "true, false or unknown");
            return -1;
        }
    } else if (term_filter(r, resp, "kind", TV_TAXO_INVESTOR_KIND, f->kind, sizeof(f->kind),
                           &f->has_kind, &f->kind_index) != 0) {
        return -1;
    }
    return 0;
}

typedef struct {
    const api_app_t *app;
    uint8_t *flags[2]; /* by tv_profile_kind_t; NULL for a side not asked for */
} attendance_t;

static int on_participant(void *ctx, tv_profile_kind_t kind, const char *id)
{
    attendance_t *a = ctx;
    int at = a->flags[kind] != NULL ? find(a->app, kind, id) : -1;

    if (at >= 0)
        a->flags[kind][at] = 1;
    return 0;
}

/* Flags the participants of 'event' into a->flags (those not NULL), in one read. */
static int attendance(const api_req_t *r, const char *event, attendance_t *a)
{
    if (r->store == NULL)
        return TV_EUNAVAIL;
    return tv_store_each_participant(r->store, event, on_participant, a);
}

static uint8_t *side_flags(const api_req_t *r, tv_profile_kind_t kind)
{
    size_t n = kind == TV_KIND_COMPANY ? tv_matcher_companies(r->app->matcher)
                                       : tv_matcher_investors(r->app->matcher);

    return calloc(n + 1, 1);
}

int api_h_attendance(const api_req_t *r, tv_profile_kind_t kind, const char *event, uint8_t **out)
{
    attendance_t a = {r->app, {NULL, NULL}};
    int rc;

    a.flags[kind] = side_flags(r, kind);
    rc = a.flags[kind] == NULL ? TV_ENOMEM : attendance(r, event, &a);
    if (rc == 0)
        *out = a.flags[kind];
    else
        free(a.flags[kind]);
    return rc;
}

int api_h_attendance_both(const api_req_t *r, const char *event, uint8_t **companies,
                          uint8_t **investors)
{
    attendance_t a = {r->app, {side_flags(r, TV_KIND_COMPANY), side_flags(r, TV_KIND_INVESTOR)}};
    int rc = a.flags[0] == NULL || a.flags[1] == NULL ? TV_ENOMEM : attendance(r, event, &a);

    if (rc == 0) {
        *companies = a.flags[TV_KIND_COMPANY];
        *investors = a.flags[TV_KIND_INVESTOR];
    } else {
        free(a.flags[0]);
        free(a.flags[1]);
    }
    return rc;
}

/* Walks the profiles in id order after 'after', keeping 'limit' that pass the filter. */
static int collect(const api_req_t *r, tv_profile_kind_t kind, const filter_t *f, int view,
                   const char *after, long limit, char **items, size_t *n, size_t *last, int *more)
{
    const tv_matcher_t *m = r->app->matcher;
    size_t total = kind == TV_KIND_COMPANY ? tv_matcher_companies(m) : tv_matcher_investors(m);
    size_t rank = kind == TV_KIND_COMPANY ? tv_matcher_company_rank_after(m, after)
                                          : tv_matcher_investor_rank_after(m, after);

    *n = 0;
    *more = 0;
    for (; rank < total; rank++) {
        size_t index = kind == TV_KIND_COMPANY ? tv_matcher_company_at(m, rank)
                                               : tv_matcher_investor_at(m, rank);
        int live = kind == TV_KIND_COMPANY ? tv_matcher_is_live_company(m, index)
                                           : tv_matcher_is_live_investor(m, index);

        if (!live || !keep(r->app, kind, index, f))
            continue;
        if ((long)*n == limit) {
            *more = 1;
            break;
        }
        if (encode(r->app, kind, index, view, &items[*n]) != 0)
            return TV_ENOMEM;
        *last = index;
        (*n)++;
    }
    return 0;
}

static void list_profiles(const api_req_t *r, api_resp_t *resp, tv_profile_kind_t kind)
{
    api_view_t view = api_access_list(r, kind);
    filter_t f = {0};
    char after[128] = "", extra[200];
    char **items = NULL;
    size_t n = 0, last = 0;
    long limit;
    int more = 0, rc = 0;

    /* A company listing companies (or an investor, investors) sees its own record only. */
    if (view == API_VIEW_NONE) {
        f.own = r->principal.subject;
        view = API_VIEW_FULL;
    }
    if (api_query_int(r->query, "limit", 1, LIST_MAX, LIST_DEFAULT, &limit) != 0) {
        api_reply_bad_parameter(resp, r, "limit", "an integer from 1 to 200");
        return;
    }
    if (api_query_get(r->query, "after", after, sizeof(after)) < 0) {
        api_reply_bad_parameter(resp, r, "after", "an id");
        return;
    }
    if (parse_filters(r, resp, kind, &f) != 0)
        return;
    items = calloc((size_t)limit, sizeof(char *));
    pthread_rwlock_rdlock(&r->app->lock);
    if (r->principal.role == API_ROLE_ORGANISER)
        rc = api_h_attendance(r, kind, r->principal.event_id, &f.participants);
    if (rc == 0)
        rc = items != NULL ? collect(r, kind, &f, view, after, limit, items, &n, &last, &more)
                           : TV_ENOMEM;
    /* The cursor is the last id returned; ids need no JSON escaping (see the codec). */
    if (rc == 0 && more)
        snprintf(extra, sizeof(extra), "\"next\":\"%s\"",
                 kind == TV_KIND_COMPANY ? tv_matcher_company(r->app->matcher, last)->id
                                         : tv_matcher_investor(r->app->matcher, last)->id);
    else
        snprintf(extra, sizeof(extra), "\"next\":null");
    pthread_rwlock_unlock(&r->app->lock);
    if (rc == 0)
        api_reply_json(resp, 200, api_h_items(items, n, extra));
    else
        api_reply_error(resp, r, rc, "cannot list");
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
    free(f.participants);
}

int api_h_company_list(const api_req_t *r, api_resp_t *resp)
{
    list_profiles(r, resp, TV_KIND_COMPANY);
    return 0;
}

int api_h_investor_list(const api_req_t *r, api_resp_t *resp)
{
    list_profiles(r, resp, TV_KIND_INVESTOR);
    return 0;
}

/* ---- writes: the database first, then the matcher ---- */

typedef union {
    tv_company_t company;
    tv_investor_t investor;
} profile_t;

static int decode(const api_req_t *r, tv_profile_kind_t kind, const char *body, size_t len,
                  profile_t *p, tv_diags_t *diags)
{
    if (kind == TV_KIND_COMPANY)
        return tv_codec_company_decode(r->app->tax, body, len, &p->company, diags);
    return tv_codec_investor_decode(r->app->tax, body, len, &p->investor, diags);
}

static void dispose(tv_profile_kind_t kind, profile_t *p)
{
    if (kind == TV_KIND_COMPANY)
        tv_company_dispose(&p->company);
    else
        tv_investor_dispose(&p->investor);
}

/* Puts the stored profile into the matcher, which takes it over. */
static int apply(const api_req_t *r, tv_profile_kind_t kind, profile_t *p)
{
    double t0 = api_seconds();
    int at;

    pthread_rwlock_wrlock(&r->app->lock);
    at = kind == TV_KIND_COMPANY ? tv_matcher_upsert_company(r->app->matcher, &p->company)
                                 : tv_matcher_upsert_investor(r->app->matcher, &p->investor);
    atomic_fetch_add(&r->app->generation, 1);
    pthread_rwlock_unlock(&r->app->lock);
    api_metrics_update(r->app->metrics, api_seconds() - t0);
    return at < 0 ? at : 0;
}

/* The full canonical document of profile (kind, id) as this daemon holds it. */
static int current_doc(const api_req_t *r, tv_profile_kind_t kind, const char *id, char **out)
{
    int at;

    pthread_rwlock_rdlock(&r->app->lock);
    at = find(r->app, kind, id);
    if (at >= 0 && encode(r->app, kind, (size_t)at, API_VIEW_FULL, out) != 0)
        at = TV_ENOMEM;
    pthread_rwlock_unlock(&r->app->lock);
    return at < 0 ? at : 0;
}

/* Replies 412 unless the request's If-Match names the current version of (kind, id), whose
 * document goes to '*current' (NULL when there is none). Returns 0 to go ahead. */
static int check_if_match(const api_req_t *r, api_resp_t *resp, tv_profile_kind_t kind,
                          const char *id, char **current)
{
    char etag[API_ETAG_SIZE];
    int rc = current_doc(r, kind, id, current);

    if (rc == TV_ENOMEM) {
        api_reply_error(resp, r, rc, "cannot encode");
        return -1;
    }
    if (rc == 0)
        api_etag_of(*current, strlen(*current), etag);
    if (r->if_match == NULL || (rc == 0 && api_if_match(r, etag)))
        return 0;
    api_reply_problem(resp, r, 412, "precondition-failed", NULL,
                      "%s \"%s\" is not at the version If-Match names (read it again)", noun(kind),
                      id);
    return -1;
}

/* Takes profile (kind, id) out of the matcher after its row is gone. */
static int forget(const api_req_t *r, tv_profile_kind_t kind, const char *id)
{
    int rc = 0, at;

    pthread_rwlock_wrlock(&r->app->lock);
    at = find(r->app, kind, id);
    if (at >= 0)
        rc = kind == TV_KIND_COMPANY ? tv_matcher_remove_company(r->app->matcher, (size_t)at)
                                     : tv_matcher_remove_investor(r->app->matcher, (size_t)at);
    atomic_fetch_add(&r->app->generation, 1);
    pthread_rwlock_unlock(&r->app->lock);
    return rc;
}

typedef struct {
    const api_req_t *r;
    tv_profile_kind_t kind;
    int found, rc;
} reload_t;

static int on_reloaded(void *ctx, const char *id, const char *json, size_t len)
{
    reload_t *x = ctx;
    tv_diags_t diags = {0};
    profile_t p;

    (void)id;
    x->found = 1;
    x->rc = decode(x->r, x->kind, json, len, &p, &diags);
    tv_diags_dispose(&diags);
    if (x->rc == 0) {
        x->rc = apply(x->r, x->kind, &p);
        dispose(x->kind, &p);
    }
    return x->rc;
}

/* Another process changed (kind, id): reads the stored record into the matcher again, or
 * takes it out when it is gone. */
static int reload(const api_req_t *r, tv_profile_kind_t kind, const char *id)
{
    reload_t x = {r, kind, 0, 0};
    int rc = tv_store_each(r->store, kind, &id, 1, on_reloaded, &x);

    if (rc != 0 || x.found)
        return rc != 0 ? rc : x.rc;
    rc = forget(r, kind, id);
    return rc != 0 ? rc : TV_ENOTFOUND;
}

/* Checks who may write, then stores and applies; 'doc' is the canonical document, written
 * only over 'expected' when that is not NULL. Returns TV_ESTALE without replying when the
 * stored record is no longer 'expected'. */
static int store_and_apply(const api_req_t *r, api_resp_t *resp, tv_profile_kind_t kind,
                           profile_t *p, const char *id, tv_put_mode_t mode, char *doc,
                           const char *expected)
{
    int exists, allowed, created = 0, rc, organiser = r->principal.role == API_ROLE_ORGANISER;

    pthread_rwlock_rdlock(&r->app->lock);
    exists = find(r->app, kind, id) >= 0;
    pthread_rwlock_unlock(&r->app->lock);
    allowed = api_access_write(r, kind, id, exists);
    if (allowed <= 0) {
        if (allowed < 0)
            api_reply_error(resp, r, allowed, "");
        else
            api_reply_problem(resp, r, 403, "forbidden", NULL, "this token may not write %s \"%s\"",
                              noun(kind), id);
        free(doc);
        return 0;
    }
    /* An organiser's new profile joins its event, in the same transaction. It may only be
     * new: a record this daemon has not loaded yet is never taken over (TV_PUT_CREATE). */
    rc = r->store != NULL
             ? tv_store_put(r->store, kind, id, doc, organiser && !exists ? TV_PUT_CREATE : mode,
                            organiser && !exists ? r->principal.event_id : NULL, expected, &created)
             : TV_EUNAVAIL;
    if (rc == 0)
        rc = apply(r, kind, p);
    if (rc != 0) {
        if (rc != TV_ESTALE)
            api_reply_error(resp, r, rc, r->store != NULL ? tv_store_error(r->store) : "");
        free(doc);
        return rc == TV_ESTALE ? rc : 0;
    }
    api_etag_of(doc, strlen(doc), resp->etag);
    api_reply_json(resp, mode == TV_PUT_CREATE || created ? 201 : 200, doc);
    api_reply_location(resp, kind == TV_KIND_COMPANY ? "/v1/companies/" : "/v1/investors/", id);
    return 0;
}

/* Decodes, checks and writes one profile (over 'expected' when not NULL); returns TV_ESTALE
 * without replying when the stored record changed meanwhile, else 0 after replying. */
static int write_profile(const api_req_t *r, api_resp_t *resp, tv_profile_kind_t kind,
                         const char *body, size_t len, const char *path_id, tv_put_mode_t mode,
                         const char *expected)
{
    tv_diags_t diags = {0};
    profile_t p;
    char *doc = NULL;
    const char *id;
    int rc = decode(r, kind, body, len, &p, &diags);

    if (rc != 0) {
        api_reply_diags(resp, r, rc, &diags);
        tv_diags_dispose(&diags);
        return 0;
    }
    id = kind == TV_KIND_COMPANY ? p.company.id : p.investor.id;
    if (path_id != NULL && strcmp(id, path_id) != 0) {
        api_reply_problem(resp, r, 422, "invalid-field", "/id",
                          "the id in the body, \"%s\", differs from the path's \"%s\"", id,
                          path_id);
    } else {
        rc = kind == TV_KIND_COMPANY ? tv_codec_company_encode(r->app->tax, &p.company, &doc)
                                     : tv_codec_investor_encode(r->app->tax, &p.investor, &doc);
        if (rc != 0)
            api_reply_error(resp, r, rc, "cannot encode");
        else
            rc = store_and_apply(r, resp, kind, &p, path_id != NULL ? path_id : id, mode, doc,
                                 expected);
    }
    dispose(kind, &p);
    return rc == TV_ESTALE ? rc : 0;
}

/* A scoped token may not write what it may not write, whatever the body says and whether the
 * record exists or not: 403 comes before any complaint about the body, and before 404. An
 * organiser may create new profiles (PUT of a new id), not patch a missing one. */
static int may_write_path(const api_req_t *r, api_resp_t *resp, tv_profile_kind_t kind,
                          const char *id, int patch)
{
    int allowed;

    if (r->principal.role == API_ROLE_ADMIN || (r->principal.role == API_ROLE_ORGANISER && !patch))
        return 1;
    allowed = api_access_write(r, kind, id, 1);
    if (allowed < 0)
        api_reply_error(resp, r, allowed, "");
    else if (allowed == 0)
        api_reply_problem(resp, r, 403, "forbidden", NULL, "this token may not write %s \"%s\"",
                          noun(kind), id);
    return allowed > 0;
}

static void stale(api_resp_t *resp, const api_req_t *r, tv_profile_kind_t kind, const char *id)
{
    api_reply_problem(resp, r, r->if_match != NULL ? 412 : 409,
                      r->if_match != NULL ? "precondition-failed" : "conflict", NULL,
                      "%s \"%s\" changed since it was read; read it again", noun(kind), id);
}

static void put_profile(const api_req_t *r, api_resp_t *resp, tv_profile_kind_t kind,
                        const char *path_id, tv_put_mode_t mode)
{
    char *current = NULL;

    if (path_id != NULL && !may_write_path(r, resp, kind, path_id, 0))
        return;
    pthread_mutex_lock(&r->app->write_lock);
    if (path_id == NULL)
        (void)write_profile(r, resp, kind, r->body, r->body_len, NULL, mode, NULL);
    else if (check_if_match(r, resp, kind, path_id, &current) == 0 &&
             write_profile(r, resp, kind, r->body, r->body_len, path_id, mode,
                           r->if_match != NULL ? current : NULL) == TV_ESTALE)
        stale(resp, r, kind, path_id);
    pthread_mutex_unlock(&r->app->write_lock);
    free(current);
}

int api_h_company_create(const api_req_t *r, api_resp_t *resp)
{
    put_profile(r, resp, TV_KIND_COMPANY, NULL, TV_PUT_CREATE);
    return 0;
}

int api_h_investor_create(const api_req_t *r, api_resp_t *resp)
{
    put_profile(r, resp, TV_KIND_INVESTOR, NULL, TV_PUT_CREATE);
    return 0;
}

int api_h_company_put(const api_req_t *r, api_resp_t *resp)
{
    put_profile(r, resp, TV_KIND_COMPANY, r->params[0], TV_PUT_UPSERT);
    return 0;
}

int api_h_investor_put(const api_req_t *r, api_resp_t *resp)
{
    put_profile(r, resp, TV_KIND_INVESTOR, r->params[0], TV_PUT_UPSERT);
    return 0;
}

#define PATCH_TRIES 3

/* One try of a merge patch over this daemon's current document; TV_ESTALE (without a reply)
 * when the stored record is no longer that document. */
static int patch_once(const api_req_t *r, api_resp_t *resp, tv_profile_kind_t kind, const char *id)
{
    char *current = NULL, *merged = NULL;
    tv_diags_t diags = {0};
    int rc = check_if_match(r, resp, kind, id, &current);

    if (rc == 0 && current == NULL) {
        not_found(resp, r, kind, id, TV_ENOTFOUND);
        rc = -1;
    }
    if (rc == 0) {
        rc = tv_codec_merge_patch(current, r->body, r->body_len, &merged, &diags);
        if (rc != 0)
            api_reply_diags(resp, r, rc, &diags);
        else
            rc = write_profile(r, resp, kind, merged, strlen(merged), id, TV_PUT_UPSERT, current);
    }
    tv_diags_dispose(&diags);
    free(current);
    free(merged);
    return rc;
}

/* RFC 7396 merge patch over the current document, written only over that same document: when
 * another process changed the record meanwhile, it is read again and the patch merged over
 * the stored one (or refused with 412 when If-Match named the version that is gone). */
static void patch_profile(const api_req_t *r, api_resp_t *resp, tv_profile_kind_t kind)
{
    const char *id = r->params[0];
    int rc = patch_once(r, resp, kind, id);

    for (int t = 1; t < PATCH_TRIES && rc == TV_ESTALE && r->if_match == NULL; t++) {
        rc = reload(r, kind, id);
        if (rc != 0)
            not_found(resp, r, kind, id, rc);
        else
            rc = patch_once(r, resp, kind, id);
    }
    if (rc == TV_ESTALE)
        stale(resp, r, kind, id);
}

static void patch_serialised(const api_req_t *r, api_resp_t *resp, tv_profile_kind_t kind)
{
    if (!may_write_path(r, resp, kind, r->params[0], 1))
        return;
    pthread_mutex_lock(&r->app->write_lock);
    patch_profile(r, resp, kind);
    pthread_mutex_unlock(&r->app->write_lock);
}

int api_h_company_patch(const api_req_t *r, api_resp_t *resp)
{
    patch_serialised(r, resp, TV_KIND_COMPANY);
    return 0;
}

int api_h_investor_patch(const api_req_t *r, api_resp_t *resp)
{
    patch_serialised(r, resp, TV_KIND_INVESTOR);
    return 0;
}

/* Deleting a profile touches every event it attends: only an admin may. */
static void delete_profile(const api_req_t *r, api_resp_t *resp, tv_profile_kind_t kind)
{
    const char *id = r->params[0];
    char *current = NULL;
    int rc;

    if (r->principal.role != API_ROLE_ADMIN) {
        api_reply_problem(resp, r, 403, "forbidden", NULL, "only an admin may delete profiles");
        return;
    }
    pthread_mutex_lock(&r->app->write_lock);
    rc = check_if_match(r, resp, kind, id, &current) != 0 ? 1
         : r->store != NULL
             ? tv_store_delete(r->store, kind, id, r->if_match != NULL ? current : NULL)
             : TV_EUNAVAIL;
    if (rc == 0)
        rc = forget(r, kind, id);
    pthread_mutex_unlock(&r->app->write_lock);
    free(current);
    if (rc == TV_ESTALE)
        stale(resp, r, kind, id);
    else if (rc < 0)
        not_found(resp, r, kind, id, rc);
    else if (rc == 0)
        resp->status = 204;
}

int api_h_company_delete(const api_req_t *r, api_resp_t *resp)
{
    delete_profile(r, resp, TV_KIND_COMPANY);
    return 0;
}

int api_h_investor_delete(const api_req_t *r, api_resp_t *resp)
{
    delete_profile(r, resp, TV_KIND_INVESTOR);
    return 0;
}

/* The reasons quote private figures (R&D spend, patents): the full view is needed. Reads the
 * language of the reasons (?lang=it|en, English by default) into '*lang'. Returns 1 to go
 * ahead, else 0 after replying. */
static int may_see_eligibility(const api_req_t *r, api_resp_t *resp, const char *id,
                               tv_lang_t *lang)
{
    int view = api_access_view(r, TV_KIND_COMPANY, id);
    char text[4] = "en";

    if (api_query_get(r->query, "lang", text, sizeof(text)) < 0 ||
        (strcmp(text, "en") != 0 && strcmp(text, "it") != 0)) {
        api_reply_bad_parameter(resp, r, "lang", "it or en");
        return 0;
    }
    *lang = strcmp(text, "it") == 0 ? TV_LANG_IT : TV_LANG_EN;
    if (view == API_VIEW_FULL)
        return 1;
    if (view < 0)
        api_reply_error(resp, r, view, "");
    else
        deny(resp, r, TV_KIND_COMPANY, id);
    return 0;
}

int api_h_company_eligibility(const api_req_t *r, api_resp_t *resp)
{
    const char *id = r->params[0];
    int at;
    tv_eligibility_t e;
    tv_lang_t lang;
    char *json = NULL;

    if (!may_see_eligibility(r, resp, id, &lang))
        return 0;
    pthread_rwlock_rdlock(&r->app->lock);
    at = find(r->app, TV_KIND_COMPANY, id);
    if (at >= 0) {
        const tv_company_t *c = tv_matcher_company(r->app->matcher, (size_t)at);

        tv_eligibility_check_lang(r->app->tax, c, lang, &e);
        if (tv_codec_eligibility_encode(c, &e, &json) != 0)
            at = TV_ENOMEM;
    }
    pthread_rwlock_unlock(&r->app->lock);
    if (at < 0)
        not_found(resp, r, TV_KIND_COMPANY, id, at);
    else
        api_reply_json(resp, 200, json);
    return 0;
}

/* Judges the draft 'c' of the existing company 'id' and replies with its report, the reasons
 * in 'lang'. */
static void judge_draft(const api_req_t *r, api_resp_t *resp, const char *id, const tv_company_t *c,
                        tv_lang_t lang)
{
    tv_eligibility_t e;
    char *json = NULL;
    int at;

    pthread_rwlock_rdlock(&r->app->lock);
    at = find(r->app, TV_KIND_COMPANY, id);
    pthread_rwlock_unlock(&r->app->lock);
    if (at < 0) {
        not_found(resp, r, TV_KIND_COMPANY, id, at);
        return;
    }
    tv_eligibility_check_lang(r->app->tax, c, lang, &e);
    if (tv_codec_eligibility_encode(c, &e, &json) != 0)
        api_reply_error(resp, r, TV_ENOMEM, "cannot encode");
    else
        api_reply_json(resp, 200, json);
}

/* The body is the whole company document a PUT would take, decoded by the same codec so that
 * its errors are the PUT's; it is judged and dropped, never stored (decision 0055). */
int api_h_company_eligibility_draft(const api_req_t *r, api_resp_t *resp)
{
    const char *id = r->params[0];
    tv_diags_t diags = {0};
    tv_lang_t lang;
    profile_t p;
    int rc;

    if (!may_see_eligibility(r, resp, id, &lang))
        return 0;
    rc = decode(r, TV_KIND_COMPANY, r->body, r->body_len, &p, &diags);
    if (rc != 0) {
        api_reply_diags(resp, r, rc, &diags);
        tv_diags_dispose(&diags);
        return 0;
    }
    if (strcmp(p.company.id, id) != 0)
        api_reply_problem(resp, r, 422, "invalid-field", "/id",
                          "the id in the body, \"%s\", differs from the path's \"%s\"",
                          p.company.id, id);
    else
        judge_draft(r, resp, id, &p.company, lang);
    dispose(TV_KIND_COMPANY, &p);
    return 0;
}
