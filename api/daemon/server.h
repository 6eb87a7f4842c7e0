/* Listening: libuv accepts, libh2o speaks HTTP/1.1 on the accepted sockets. */
#ifndef API_SERVER_H
#define API_SERVER_H

#include <h2o.h>
#include <uv.h>

struct api_metrics;

/* The caller sets max_per_client and metrics before api_server_start. */
typedef struct {
    uv_tcp_t listener;
    h2o_globalconf_t config;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept;
    int port; /* the port bound, useful when 0 was asked */
    /* Connections one client address may hold open (0: no cap); one more is closed at once
     * and counted in 'metrics' (may be NULL). */
    size_t max_per_client;
    struct api_metrics *metrics;
} api_server_t;

/* Binds 'host':'port' (port 0: any free port) and starts accepting on 'loop'. Returns 0 or a
 * negative libuv error. */
int api_server_start(api_server_t *s, uv_loop_t *loop, const char *host, int port);

/* Frees what libh2o holds once the loop has stopped and every connection is closed; returns
 * -1 (freeing nothing) while some connection is still open. */
int api_server_dispose(api_server_t *s);

/* Stops accepting new connections and closes those waiting for a request (idle keep-alive
 * ones) at once; requests in flight go on, and their connections close once answered. (Not
 * h2o_context_request_shutdown: its HTTP/2 timer would outlive the loop and fail libh2o's
 * check at dispose.) */
void api_server_shutdown(api_server_t *s);

/* Connections accepted and not yet closed. */
size_t api_server_connections(void);

#endif
