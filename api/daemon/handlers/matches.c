/* The ranked, explained matches of one company or investor, from the matcher's lists (or
 * ranked on demand within an event). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../access.h"
#include "../query.h"
#include "../reply.h"
#include "handlers.h"
#include "match_filter.h"
#include "signals.h"

#define MATCHES_DEFAULT 20
#define MATCHES_MAX 200
#define CACHE_SLOTS 1024

/* Encoded responses of recent queries, direct-mapped by (kind, row, k, language, event) and
 * valid while the application's write generation and its event generation are unchanged (who
 * attends may change; requests and answers after meetings teach the ranking, decision 0069): a
 * hit costs one copy. The body does not depend on who
 * asks, only whether they may ask. Filtered queries are not kept. */
typedef struct {
    int kind;
    size_t index;
    long k;
    char lang[4];
    char event[96];
} cache_key_t;

typedef struct {
    uint64_t generation, event_generation;
    cache_key_t key;
    char *body;
} cached_t;

static cached_t cache[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t slot_of(const cache_key_t *q)
{
    size_t h = (size_t)q->kind * 7919u + q->index * 31u + (size_t)q->k + (size_t)q->lang[0];

    for (const char *c = q->event; *c != '\0'; c++)
        h = h * 33u + (unsigned char)*c;
    return h % CACHE_SLOTS;
}

static int same_key(const cache_key_t *a, const cache_key_t *b)
{
    return a->kind == b->kind && a->index == b->index && a->k == b->k &&
           strcmp(a->lang, b->lang) == 0 && strcmp(a->event, b->event) == 0;
}

/* The generations an entry must have been made at. */
static void generations(const api_app_t *app, uint64_t *g, uint64_t *eg)
{
    *g = atomic_load(&app->generation);
    *eg = atomic_load(&app->event_generation);
}

static char *cache_get(const api_app_t *app, const cache_key_t *q)
{
    cached_t *c = &cache[slot_of(q)];
    uint64_t g, eg;
    char *copy = NULL;

    generations(app, &g, &eg);
    pthread_mutex_lock(&cache_lock);
    if (c->body != NULL && c->generation == g && c->event_generation == eg && same_key(&c->key, q))
        copy = strdup(c->body);
    pthread_mutex_unlock(&cache_lock);
    return copy;
}

/* Keeps 'body', ranked at generations 'g' and 'eg' (read before ranking, so a write meanwhile
 * makes the entry stale, never wrong). */
static void cache_put(uint64_t g, uint64_t eg, const cache_key_t *q, const char *body)
{
    cached_t *c = &cache[slot_of(q)];
    char *copy = strdup(body);

    if (copy == NULL)
        return;
    pthread_mutex_lock(&cache_lock);
    free(c->body);
    *c = (cached_t){g, eg, *q, copy};
    pthread_mutex_unlock(&cache_lock);
}

/* The cache's key of a query. */
static cache_key_t key_of(tv_profile_kind_t kind, int at, long k, const char *lang,
                          const char *event)
{
    cache_key_t q = {(int)kind, (size_t)at, k, "", ""};

    snprintf(q.lang, sizeof(q.lang), "%s", lang);
    snprintf(q.event, sizeof(q.event), "%s", event);
    return q;
}

static int id_like(const char *s)
{
    for (; *s != '\0'; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("._:/-", *s) != NULL))
            return 0;
    }
    return 1;
}

/* Explains and encodes each hit (matcher locked); a hit ranked by what the side taught carries
 * what that added to the pair's own score. */
static int encode_hits(const api_req_t *r, tv_profile_kind_t kind, size_t self,
                       const tv_hit_t *hits, int n, const char *lang, char **items)
{
    for (int i = 0; i < n; i++) {
        size_t c = kind == TV_KIND_COMPANY ? self : hits[i].index;
        size_t inv = kind == TV_KIND_COMPANY ? hits[i].index : self;
        tv_explanation_t e;
        int rc = tv_matcher_explain(r->app->matcher, c, inv, &e);

        e.taste = hits[i].score - e.score;
        if (rc == 0)
            rc = tv_codec_match_encode(r->app->matcher, r->app->tax, c, inv, &e, lang, &items[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The flags of the rows that may be ranked, into '*companies' and '*investors' (NULL: all):
 * within 'event' (when not "") both sides must attend, from one read of its participants; the
 * filters 'mf' narrow the other side only. */
static int rows_to_rank(const api_req_t *r, tv_profile_kind_t kind, const char *event,
                        const api_match_filter_t *mf, uint8_t **companies, uint8_t **investors)
{
    tv_profile_kind_t other = kind == TV_KIND_COMPANY ? TV_KIND_INVESTOR : TV_KIND_COMPANY;
    uint8_t **of_other = other == TV_KIND_COMPANY ? companies : investors;
    size_t n = other == TV_KIND_COMPANY ? tv_matcher_companies(r->app->matcher)
                                        : tv_matcher_investors(r->app->matcher);
    int rc = 0;

    if (event[0] != '\0')
        rc = api_h_attendance_both(r, event, companies, investors);
    else if (mf->any && (*of_other = malloc(n + 1)) != NULL)
        memset(*of_other, 1, n + 1);
    else if (mf->any)
        rc = TV_ENOMEM;
    if (rc == 0 && mf->any)
        rc = api_match_filter_apply(r, other, mf, *of_other);
    return rc;
}

/* What profile 'id' taught the ranking (decision 0069), as matcher rows; with the database out
 * of reach, nothing, and '*taught' 0: the list is then ranked from memory alone, as every read
 * goes on through an outage, and not kept. */
static int read_lessons(const api_req_t *r, tv_profile_kind_t kind, const char *id,
                        tv_signals_t *learned, int *taught)
{
    app_signals_t read;
    int rc = r->store != NULL ? app_signals_read(r->store, kind, id, &read) : TV_EUNAVAIL;

    *taught = rc != TV_EUNAVAIL;
    if (rc == TV_EUNAVAIL)
        return 0;
    if (rc == 0)
        rc = app_signals_rows(&read, id, r->app->matcher, kind, learned);
    app_signals_dispose(&read);
    return rc;
}

/* Ranks within 'event' ("" for none) among the rows passing 'mf', with what profile 'id' taught
 * ('*taught' 0 when that could not be read), and encodes; the matcher must be locked. */
static int rank(const api_req_t *r, tv_profile_kind_t kind, const char *id, size_t self, long k,
                const char *event, const api_match_filter_t *mf, const char *lang, char **items,
                int *n, int *taught)
{
    tv_filter_t only = {NULL, NULL};
    tv_hit_t *hits = calloc((size_t)k, sizeof(tv_hit_t));
    uint8_t *companies = NULL, *investors = NULL;
    tv_signals_t learned = {NULL, 0};
    int rc = hits != NULL ? 0 : TV_ENOMEM;

    if (rc == 0 && (event[0] != '\0' || mf->any))
        rc = rows_to_rank(r, kind, event, mf, &companies, &investors);
    if (rc == 0)
        rc = read_lessons(r, kind, id, &learned, taught);
    only.companies = companies;
    only.investors = investors;
    if (rc == 0) {
        const tv_filter_t *f = event[0] != '\0' || mf->any ? &only : NULL;

        *n = tv_matcher_rank_learned(r->app->matcher, kind, self, (size_t)k, f, &learned, hits);
        rc = *n < 0 ? *n : encode_hits(r, kind, self, hits, *n, lang, items);
    }
    free((void *)learned.items);
    free(hits);
    free(companies);
    free(investors);
    return rc;
}

/* Reads k, event and lang; replies and returns -1 when one is wrong. */
static int parse_params(const api_req_t *r, api_resp_t *resp, long *k, char *event, size_t esize,
                        char *lang, size_t lsize)
{
    if (api_query_int(r->query, "k", 1, MATCHES_MAX, MATCHES_DEFAULT, k) != 0) {
        api_reply_bad_parameter(resp, r, "k", "an integer from 1 to 200");
        return -1;
    }
    if (api_query_get(r->query, "event", event, esize) < 0 || !id_like(event)) {
        api_reply_bad_parameter(resp, r, "event", "an event id");
        return -1;
    }
    if (api_query_get(r->query, "lang", lang, lsize) < 0 ||
        (strcmp(lang, "en") != 0 && strcmp(lang, "it") != 0)) {
        api_reply_bad_parameter(resp, r, "lang", "it or en");
        return -1;
    }
    return 0;
}

static void forbid(const api_req_t *r, api_resp_t *resp, const char *id, const char *why)
{
    api_reply_problem(resp, r, 403, "forbidden", NULL,
                      "this token may not see the matches of \"%s\"%s", id, why);
}

static void matches(const api_req_t *r, api_resp_t *resp, tv_profile_kind_t kind)
{
    const char *id = r->params[0];
    char event[96] = "", forced[96], lang[4] = "en", extra[200];
    char **items = NULL, *body;
    api_match_filter_t mf;
    uint64_t generation, event_generation;
    cache_key_t q;
    long k;
    int allowed, at, n = 0, rc, cacheable, taught = 1;

    /* 403 before any complaint about the parameters; an organiser keeps to its event. */
    allowed = api_access_matches(r, kind, id, forced, sizeof(forced));
    if (allowed < 0) {
        api_reply_error(resp, r, allowed, "");
        return;
    }
    if (allowed == 0) {
        forbid(r, resp, id, "");
        return;
    }
    if (parse_params(r, resp, &k, event, sizeof(event), lang, sizeof(lang)) != 0 ||
        api_match_filter_parse(r, resp, &mf) != 0)
        return;
    if (forced[0] != '\0' && event[0] != '\0' && strcmp(forced, event) != 0) {
        forbid(r, resp, id, " in that event");
        return;
    }
    if (forced[0] != '\0')
        snprintf(event, sizeof(event), "%s", forced);
    cacheable = !mf.any;
    pthread_rwlock_rdlock(&r->app->lock);
    at = kind == TV_KIND_COMPANY ? tv_matcher_find_company(r->app->matcher, id)
                                 : tv_matcher_find_investor(r->app->matcher, id);
    q = key_of(kind, at, k, lang, event);
    generations(r->app, &generation, &event_generation);
    body = at >= 0 && cacheable ? cache_get(r->app, &q) : NULL;
    if (body != NULL) {
        pthread_rwlock_unlock(&r->app->lock);
        api_reply_json(resp, 200, body);
        return;
    }
    items = calloc((size_t)k, sizeof(char *));
    rc = at < 0          ? at
         : items == NULL ? TV_ENOMEM
                         : rank(r, kind, id, (size_t)at, k, event, &mf, lang, items, &n, &taught);
    pthread_rwlock_unlock(&r->app->lock);
    if (rc == TV_ENOTFOUND && at >= 0) {
        api_reply_bad_parameter(resp, r, "event", "the id of an existing event");
    } else if (rc != 0) {
        char detail[160];

        snprintf(detail, sizeof(detail), "no %s \"%s\"",
                 kind == TV_KIND_COMPANY ? "company" : "investor", id);
        api_reply_error(resp, r, rc, detail);
    } else {
        snprintf(extra, sizeof(extra), "\"k\":%ld,\"event\":%s%s%s", k, event[0] ? "\"" : "",
                 event[0] ? event : "null", event[0] ? "\"" : "");
        body = api_h_items(items, (size_t)n, extra);
        if (body != NULL && cacheable && taught)
            cache_put(generation, event_generation, &q, body);
        api_reply_json(resp, 200, body);
    }
    for (int i = 0; items != NULL && i < (int)k; i++)
        free(items[i]);
    free(items);
}

void api_h_matches_stale(const api_req_t *r)
{
    atomic_fetch_add(&r->app->event_generation, 1);
}

int api_h_company_matches(const api_req_t *r, api_resp_t *resp)
{
    matches(r, resp, TV_KIND_COMPANY);
    return 0;
}

int api_h_investor_matches(const api_req_t *r, api_resp_t *resp)
{
    matches(r, resp, TV_KIND_INVESTOR);
    return 0;
}

/* Explains and encodes pair (company 'c', investor 'i') by id; on TV_ENOTFOUND 'missing'
 * says which is missing ("company \"ID\""). */
static int explain_pair(const api_req_t *r, const char *c, const char *i, const char *lang,
                        char *missing, size_t size, char **out)
{
    tv_explanation_t e;
    int ci, ii, rc;

    pthread_rwlock_rdlock(&r->app->lock);
    ci = tv_matcher_find_company(r->app->matcher, c);
    ii = tv_matcher_find_investor(r->app->matcher, i);
    snprintf(missing, size, "%s \"%s\"", ci < 0 ? "company" : "investor", ci < 0 ? c : i);
    rc = ci < 0   ? ci
         : ii < 0 ? ii
                  : tv_matcher_explain(r->app->matcher, (size_t)ci, (size_t)ii, &e);
    if (rc == 0)
        rc = tv_codec_match_encode(r->app->matcher, r->app->tax, (size_t)ci, (size_t)ii, &e, lang,
                                   out);
    pthread_rwlock_unlock(&r->app->lock);
    return rc;
}

/* One pair of the caller's, whatever its rank: the same access as its list of matches; an
 * organiser's pair must be all within its event. */
static void pair(const api_req_t *r, api_resp_t *resp, tv_profile_kind_t kind)
{
    tv_profile_kind_t other = kind == TV_KIND_COMPANY ? TV_KIND_INVESTOR : TV_KIND_COMPANY;
    const char *id = r->params[0], *with = r->params[1];
    char forced[96], lang[4] = "en", *body = NULL, missing[160];
    int allowed = api_access_matches(r, kind, id, forced, sizeof(forced)), rc;

    if (allowed == 1 && forced[0] != '\0')
        allowed =
            r->store != NULL ? tv_store_is_participant(r->store, forced, other, with) : TV_EUNAVAIL;
    if (allowed <= 0) {
        if (allowed < 0)
            api_reply_error(resp, r, allowed, "");
        else
            forbid(r, resp, id, " with that profile");
        return;
    }
    if (api_query_get(r->query, "lang", lang, sizeof(lang)) < 0 ||
        (strcmp(lang, "en") != 0 && strcmp(lang, "it") != 0)) {
        api_reply_bad_parameter(resp, r, "lang", "it or en");
        return;
    }
    rc = kind == TV_KIND_COMPANY ? explain_pair(r, id, with, lang, missing, sizeof(missing), &body)
                                 : explain_pair(r, with, id, lang, missing, sizeof(missing), &body);
    if (rc != 0) {
        char detail[170];

        snprintf(detail, sizeof(detail), "no %s", missing);
        api_reply_error(resp, r, rc, detail);
        return;
    }
    api_reply_json(resp, 200, body);
}

int api_h_company_pair(const api_req_t *r, api_resp_t *resp)
{
    pair(r, resp, TV_KIND_COMPANY);
    return 0;
}

int api_h_investor_pair(const api_req_t *r, api_resp_t *resp)
{
    pair(r, resp, TV_KIND_INVESTOR);
    return 0;
}

/* A cached answer for a caller whose right to it needs no database (not an organiser), with
 * the default parameters or a plain k; anything else (an event, a language, a filter) goes to
 * the thread pool. */
static int matches_fast(const api_req_t *r, api_resp_t *resp, tv_profile_kind_t kind)
{
    const char *id = r->params[0];
    char event[8], forced[8];
    char *body = NULL;
    long k;
    int at;

    if (r->principal.role == API_ROLE_ORGANISER ||
        api_query_int(r->query, "k", 1, MATCHES_MAX, MATCHES_DEFAULT, &k) != 0 ||
        api_query_get(r->query, "event", event, sizeof(event)) != 0 ||
        api_query_get(r->query, "lang", event, sizeof(event)) != 0 ||
        api_match_filter_present(r->query) ||
        api_access_matches(r, kind, id, forced, sizeof(forced)) != 1)
        return 0;
    if (pthread_rwlock_tryrdlock(&r->app->lock) != 0)
        return 0;
    at = kind == TV_KIND_COMPANY ? tv_matcher_find_company(r->app->matcher, id)
                                 : tv_matcher_find_investor(r->app->matcher, id);
    if (at >= 0) {
        cache_key_t q = key_of(kind, at, k, "en", "");

        body = cache_get(r->app, &q);
    }
    pthread_rwlock_unlock(&r->app->lock);
    if (body == NULL)
        return 0;
    api_reply_json(resp, 200, body);
    return 1;
}

int api_h_company_matches_fast(const api_req_t *r, api_resp_t *resp)
{
    return matches_fast(r, resp, TV_KIND_COMPANY);
}

int api_h_investor_matches_fast(const api_req_t *r, api_resp_t *resp)
{
    return matches_fast(r, resp, TV_KIND_INVESTOR);
}
