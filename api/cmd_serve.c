/* tavolo serve: the daemon. Loads every profile, builds the lists, then serves the HTTP API on
 * one libuv loop; SIGTERM or SIGINT stops accepting, lets requests in flight finish, and
 * exits 0. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "cli.h"
#include "digest_timer.h"
#include "log.h"
#include "metrics.h"
#include "router.h"
#include "server.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_MAX_BODY (1u << 20)
#define SHUTDOWN_GRACE_MS 10000
#define MAX_SETS 32
#define LOG_FLUSH_MS 100

typedef struct {
    const char *listen, *config, *port_file;
    size_t max_body;
    char *sets[MAX_SETS];
    size_t n_sets;
} serve_opts_t;

typedef struct {
    uv_loop_t *loop;
    api_server_t server;
    uv_signal_t sigterm, sigint;
    uv_timer_t drain;
    uv_timer_t flush; /* logs are buffered and written out this often */
    api_digest_timer_t digest;
    uint64_t deadline;
} daemon_t;

static int parse_options(int argc, char **argv, serve_opts_t *o)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},    {"max-body", required_argument, NULL, 'b'},
        {"config", required_argument, NULL, 'f'},    {"set", required_argument, NULL, 's'},
        {"port-file", required_argument, NULL, 'p'}, {NULL, 0, NULL, 0}};
    int c;

    while ((c = getopt_long(argc, argv, "l:b:f:s:p:", longopts, NULL)) != -1) {
        if (c == 'l')
            o->listen = optarg;
        else if (c == 'b')
            o->max_body = strtoul(optarg, NULL, 10);
        else if (c == 'f')
            o->config = optarg;
        else if (c == 'p')
            o->port_file = optarg;
        else if (c == 's' && o->n_sets < MAX_SETS)
            o->sets[o->n_sets++] = optarg;
        else
            return -1;
    }
    return optind == argc && o->max_body > 0 ? 0 : -1;
}

/* Splits "HOST:PORT" (IPv6 as "[::1]:8080"). */
static int split_listen(const char *listen, char *host, size_t size, int *port)
{
    const char *colon = strrchr(listen, ':');
    const char *h = listen;
    size_t n;

    if (colon == NULL)
        return -1;
    n = (size_t)(colon - listen);
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
        h++;
        n -= 2;
    }
    if (n == 0 || n >= size)
        return -1;
    memcpy(host, h, n);
    host[n] = '\0';
    *port = atoi(colon + 1);
    return *port >= 0 && *port < 65536 ? 0 : -1;
}

static void on_flush(uv_timer_t *t)
{
    (void)t;
    fflush(stderr);
}

static void on_drain(uv_timer_t *t)
{
    daemon_t *d = t->data;

    /* A digest job stops after its current recipient; the matcher must outlive it. */
    if (api_digest_timer_running(&d->digest))
        return;
    if ((api_router_in_flight() == 0 && api_server_connections() == 0) ||
        uv_now(d->loop) >= d->deadline) {
        api_log("info", "stopped with %zu requests in flight", api_router_in_flight());
        uv_stop(d->loop);
    }
}

static void on_signal(uv_signal_t *s, int signum)
{
    daemon_t *d = s->data;

    api_log("info", "signal %d: no new connections; finishing %zu requests", signum,
            api_router_in_flight());
    api_server_stop_accepting(&d->server);
    api_digest_timer_stop(&d->digest);
    uv_signal_stop(&d->sigterm);
    uv_signal_stop(&d->sigint);
    d->deadline = uv_now(d->loop) + SHUTDOWN_GRACE_MS;
    uv_timer_start(&d->drain, on_drain, 0, 20);
}

/* Loads profiles and builds the matcher before anything is served. */
static int prepare(api_app_t *app, tv_taxonomy_t **tax, const serve_opts_t *o)
{
    tv_store_t *st = NULL;
    double t0;
    int rc = cli_load_taxonomy(tax);

    if (rc == 0)
        rc = cli_load_match_config(o->config, o->sets, o->n_sets, &app->cfg);
    if (rc == 0)
        rc = cli_conninfo(app->conninfo, sizeof(app->conninfo));
    if (rc == 0)
        rc = cli_open_store(&st);
    t0 = api_seconds();
    if (rc == 0)
        rc = cli_load_matcher(st, *tax, &app->cfg, &app->matcher);
    tv_store_close(st);
    if (rc != 0)
        return rc;
    app->tax = *tax;
    app->metrics = api_metrics_create(api_route_count);
    api_metrics_build(app->metrics, api_seconds() - t0);
    api_log("info", "loaded %zu companies and %zu investors in %.3f s",
            tv_matcher_companies(app->matcher), tv_matcher_investors(app->matcher),
            api_seconds() - t0);
    return app->metrics != NULL ? 0 : TV_ENOMEM;
}

static int run(daemon_t *d, api_app_t *app, const serve_opts_t *o)
{
    char host[256];
    int port, rc;

    if (split_listen(o->listen, host, sizeof(host), &port) != 0) {
        cli_error("--listen %s: expected HOST:PORT", o->listen);
        return TV_EINVAL;
    }
    d->loop = uv_default_loop();
    api_router_init(app, d->loop);
    rc = api_server_start(&d->server, d->loop, host, port);
    if (rc != 0) {
        cli_error("cannot listen on %s: %s", o->listen, uv_strerror(rc));
        return TV_EIO;
    }
    if (o->port_file != NULL) {
        FILE *f = fopen(o->port_file, "w");

        if (f != NULL) {
            fprintf(f, "%d\n", d->server.port);
            fclose(f);
        }
    }
    uv_signal_init(d->loop, &d->sigterm);
    uv_signal_init(d->loop, &d->sigint);
    uv_timer_init(d->loop, &d->drain);
    uv_timer_init(d->loop, &d->flush);
    d->sigterm.data = d->sigint.data = d->drain.data = d;
    uv_timer_start(&d->flush, on_flush, LOG_FLUSH_MS, LOG_FLUSH_MS);
    uv_signal_start(&d->sigterm, on_signal, SIGTERM);
    uv_signal_start(&d->sigint, on_signal, SIGINT);
    api_log("info", "listening on %s:%d", host, d->server.port);
    if (api_digest_timer_start(&d->digest, d->loop, app) != 0) {
        api_server_dispose(&d->server);
        return TV_EINVAL;
    }
    uv_run(d->loop, UV_RUN_DEFAULT);
    if (api_server_dispose(&d->server) != 0)
        api_log("warn", "%zu connections still open at exit", api_server_connections());
    fflush(stderr);
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    serve_opts_t o = {DEFAULT_LISTEN, NULL, NULL, DEFAULT_MAX_BODY, {0}, 0};
    api_app_t app;
    daemon_t d;
    tv_taxonomy_t *tax = NULL;
    int rc;

    memset(&app, 0, sizeof(app));
    memset(&d, 0, sizeof(d));
    if (parse_options(argc, argv, &o) != 0) {
        cli_error("usage: tavolo serve [--listen HOST:PORT] [--max-body BYTES] [--config FILE] "
                  "[--set NAME=VALUE]... [--port-file FILE]");
        return CLI_USAGE;
    }
    signal(SIGPIPE, SIG_IGN);
    /* One line per request: buffered, flushed every LOG_FLUSH_MS and at exit. */
    setvbuf(stderr, NULL, _IOFBF, 1 << 16);
    app.max_body = o.max_body;
    pthread_rwlock_init(&app.lock, NULL);
    pthread_mutex_init(&app.write_lock, NULL);
    rc = prepare(&app, &tax, &o);
    if (rc == 0)
        rc = run(&d, &app, &o);
    tv_matcher_destroy(app.matcher);
    api_metrics_destroy(app.metrics);
    tv_taxonomy_destroy(tax);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}
