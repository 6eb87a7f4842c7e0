/* The daemon's request and response, as handlers see them: no socket, no h2o type. A handler
 * is plain synchronous code running on a libuv worker thread. */
#ifndef API_API_H
#define API_API_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "tavolo/error.h"
#include "tavolo/codec.h"
#include "tavolo/match.h"
#include "tavolo/store.h"
#include "tavolo/taxonomy.h"

#define API_MAX_PARAMS 4

typedef struct api_app api_app_t;
typedef struct api_metrics api_metrics_t;

/* The browser session a request came with (decision 0049), when 'active'. */
typedef struct {
    int active;
    int64_t id;
    char email[321];
    char csrf[65];
    int64_t expires_in; /* seconds to its absolute expiry */
} api_session_t;

typedef struct {
    const char *method;                 /* "GET", "POST", ... */
    const char *path;                   /* without the query */
    const char *params[API_MAX_PARAMS]; /* decoded path parameters ({id}) */
    size_t n_params;
    const char *query; /* after '?', or "" */
    const char *body;
    size_t body_len;
    const char *content_type;  /* or NULL */
    const char *authorization; /* or NULL */
    const char *if_match;      /* the If-Match header, or NULL */
    const char *cookie;        /* the value of the tavolo_session cookie, or NULL */
    const char *origin;        /* the Origin header, or NULL */
    const char *csrf;          /* the X-CSRF-Token header, or NULL */
    const char *acting;        /* the X-Tavolo-Profile header ("company:ID"), or NULL */
    const char *accept;        /* the Accept header, or NULL */
    const char *user_agent;    /* the User-Agent header, or NULL */
    const char *client;        /* the peer's address, for rate limits ("" unknown) */
    int tls;                   /* 1 if the request came over TLS */
    const char *request_id;
    api_app_t *app;
    tv_store_t *store;         /* this worker's connection, or NULL when down */
    api_principal_t principal; /* valid when 'authenticated' */
    int authenticated;
    api_session_t session; /* the cookie's session, if the request authenticated by one */
} api_req_t;

typedef struct {
    int status;
    const char *content_type; /* static */
    char *body;               /* malloc'd, or NULL */
    size_t body_len;
    char location[256];   /* a Location header, or "" */
    int retry_after;      /* a Retry-After header in seconds, or 0 */
    char allow[64];       /* an Allow header, or "" */
    int www_authenticate; /* add WWW-Authenticate: Bearer */
    char etag[40];        /* an ETag header (quoted), or "" */
    char set_cookie[256]; /* a Set-Cookie header, or "" */
    /* Work run on a worker thread once the response has been sent, with that worker's
     * connection (NULL when the database is down); 'after_arg' (malloc'd) is freed after it.
     * For what a client must not be able to time, such as whether an address is known. */
    void (*after)(tv_store_t *st, void *arg);
    void *after_arg;
} api_resp_t;

typedef int (*api_handler_fn)(const api_req_t *req, api_resp_t *resp);

/* A handler's variant for the loop thread: answers only from memory, without ever waiting
 * (no database, try-locks only), and returns 0 to hand the request to the thread pool. */
typedef int (*api_fast_fn)(const api_req_t *req, api_resp_t *resp);

/* What every request shares. The matcher is read under 'lock' (shared) and changed under it
 * (exclusive). */
struct api_app {
    const tv_taxonomy_t *tax;
    tv_match_config_t cfg;
    tv_matcher_t *matcher;
    pthread_rwlock_t lock;
    /* Held by every write from its read of the current record, through the database commit,
     * to the matcher patch: writes of one daemon happen one at a time and in the same order
     * in PostgreSQL and in memory. */
    pthread_mutex_t write_lock;
    char conninfo[4200];
    size_t max_body;
    api_metrics_t *metrics;
    /* Bumped (under the exclusive lock) by every write that changes the matcher: cached
     * responses of an older generation are stale. */
    atomic_uint_fast64_t generation;
    /* Bumped by every change to an event this daemon learns of (its own writes of event files,
     * the change feed's "event:ID"): cached matches within an event of an older one are stale,
     * since who attends may have changed. */
    atomic_uint_fast64_t event_generation;
    struct api_feed *feed; /* the change feed followed (feed.h), or NULL */
};

#endif
