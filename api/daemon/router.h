/* The route table and the only code that sees h2o_req_t: it turns a request into an
 * api_req_t, runs the handler on libuv's thread pool and sends the response from the loop. */
#ifndef API_ROUTER_H
#define API_ROUTER_H

#include <h2o.h>

#include "api.h"

#define API_AUTH_PERSON 2

typedef struct {
    const char *method;
    const char *pattern; /* "/v1/companies/{id}/matches" */
    api_handler_fn handler;
    /* 0 none; 1 a principal: a bearer token, or a session acting for a profile;
     * API_AUTH_PERSON: a bearer token or a session, profile chosen or not. */
    int needs_auth;
    api_fast_fn fast;                /* or NULL */
    const char *const *query_params; /* the query parameters it takes (NULL: none) */
} api_route_t;

extern const api_route_t api_routes[];
extern const size_t api_route_count;

/* The method and pattern of api_routes[r], for the metrics' labels (api_metrics_create). */
void api_route_label(size_t r, const char **method, const char **pattern);

/* Finds the route of (method, path), filling 'params'. Returns its index, or -404 when no
 * pattern matches, or -405 when the path matches under other methods ('allow' lists them). */
int api_router_find(const char *method, const char *path, const char **params, size_t *n_params,
                    char *decoded, size_t decoded_size, char *allow, size_t allow_size);

/* The h2o handler for every path. */
int api_router_on_req(h2o_handler_t *self, h2o_req_t *req);

/* Sets the application state requests use, and the loop they run on. */
void api_router_init(api_app_t *app, uv_loop_t *loop);

/* Requests still running on the thread pool. */
size_t api_router_in_flight(void);

/* Runs one request without a socket, for tests: as principal 'as' (NULL: no token), on
 * connection 'store' (NULL: the database is down). 'resp' receives the response. */
void api_router_dispatch(api_app_t *app, tv_store_t *store, const api_principal_t *as,
                         const char *method, const char *path, const char *query, const char *body,
                         size_t body_len, const char *content_type, api_resp_t *resp);

#endif
