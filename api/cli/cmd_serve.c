/* tavolo serve: the daemon. Loads every profile, builds the lists, then serves the HTTP API on
 * one libuv loop; SIGTERM or SIGINT stops accepting, closes idle connections, lets requests in
 * flight finish, and exits 0. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "cli.h"
#include "digest_timer.h"
#include "feed.h"
#include "invite.h"
#include "jobs.h"
#include "log.h"
#include "mail_timer.h"
#include "metrics.h"
#include "router.h"
#include "session.h"
#include "server.h"
#include "web.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_MAX_BODY (1u << 20)
#define SHUTDOWN_GRACE_MS 10000
#define MAX_SETS 32
#define LOG_FLUSH_MS 100
#define DEFAULT_MAX_CLIENT_CONNECTIONS 256
#define MAX_SECONDS 86400
#define MAX_CONNECTIONS 1000000

/* The numeric settings, each a flag and an environment variable (the flag wins). */
enum { SET_AUTH_CACHE, SET_AUTH_GRACE, SET_MAX_CLIENT, N_SETTINGS };
#define OPT_SETTING 256 /* getopt_long's value of the first setting's flag */

static const struct {
    const char *flag, *env;
    long max, fallback;
} settings[N_SETTINGS] = {
    {"--auth-cache", "TAVOLO_AUTH_CACHE_SECONDS", MAX_SECONDS, API_TOKEN_CACHE_SECONDS},
    {"--auth-grace", "TAVOLO_AUTH_GRACE_SECONDS", MAX_SECONDS, API_TOKEN_GRACE_SECONDS},
    {"--max-client-connections", "TAVOLO_MAX_CLIENT_CONNECTIONS", MAX_CONNECTIONS,
     DEFAULT_MAX_CLIENT_CONNECTIONS},
};

typedef struct {
    const char *listen, *config, *port_file;
    size_t max_body;
    char *sets[MAX_SETS];
    size_t n_sets;
    long values[N_SETTINGS];
} serve_opts_t;

typedef struct {
    uv_loop_t *loop;
    api_server_t server;
    uv_signal_t sigterm, sigint;
    uv_timer_t drain;
    uv_timer_t flush; /* logs are buffered and written out this often */
    api_digest_timer_t digest;
    api_mail_timer_t mail;
    api_app_t *app;
    uint64_t deadline;
} daemon_t;

/* Parses 'text', given as setting 'which' (named by 'name'), as a whole number from 0 to its
 * maximum. Returns -2, having said why, when it is not one. */
static int parse_setting(int which, const char *name, const char *text, serve_opts_t *o)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < 0 || v > settings[which].max) {
        cli_error("%s \"%s\": expected a whole number from 0 to %ld", name, text,
                  settings[which].max);
        return -2;
    }
    o->values[which] = v;
    return 0;
}

/* The settings' defaults, then their environment variables. */
static int settings_from_env(serve_opts_t *o)
{
    for (int i = 0; i < N_SETTINGS; i++) {
        const char *env = getenv(settings[i].env);

        o->values[i] = settings[i].fallback;
        if (env != NULL && env[0] != '\0' && parse_setting(i, settings[i].env, env, o) != 0)
            return -2;
    }
    return 0;
}

/* Returns 0, -1 for a usage error, or -2 for a bad value (already reported). */
static int parse_options(int argc, char **argv, serve_opts_t *o)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"max-body", required_argument, NULL, 'b'},
        {"config", required_argument, NULL, 'f'},
        {"set", required_argument, NULL, 's'},
        {"port-file", required_argument, NULL, 'p'},
        {"auth-cache", required_argument, NULL, OPT_SETTING + SET_AUTH_CACHE},
        {"auth-grace", required_argument, NULL, OPT_SETTING + SET_AUTH_GRACE},
        {"max-client-connections", required_argument, NULL, OPT_SETTING + SET_MAX_CLIENT},
        {NULL, 0, NULL, 0}};
    char err[160];
    int64_t hours;
    int c, rc = settings_from_env(o);

    if (rc == 0 && api_signin_seconds(&hours) != 0) {
        cli_error("TAVOLO_SIGNIN_HOURS: expected a whole number of hours from 1 to 8760");
        rc = -2;
    }
    if (rc == 0 && api_session_idle_seconds(&hours) != 0) {
        cli_error("TAVOLO_SESSION_IDLE_HOURS: expected a whole number of hours from 1 to 720");
        rc = -2;
    }
    if (rc == 0 && api_trusted_proxies_read(err, sizeof(err)) != 0) {
        cli_error("%s", err);
        rc = -2;
    }

    while (rc == 0 && (c = getopt_long(argc, argv, "l:b:f:s:p:", longopts, NULL)) != -1) {
        if (c >= OPT_SETTING && c < OPT_SETTING + N_SETTINGS)
            rc = parse_setting(c - OPT_SETTING, settings[c - OPT_SETTING].flag, optarg, o);
        else if (c == 'l')
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
            rc = -1;
    }
    if (rc == 0 && (optind != argc || o->max_body == 0))
        rc = -1;
    return rc;
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
    if (api_digest_timer_running(&d->digest) || api_mail_timer_running(&d->mail) ||
        api_feed_busy(d->app->feed))
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
    api_server_shutdown(&d->server);
    api_digest_timer_stop(&d->digest);
    api_mail_timer_stop(&d->mail);
    api_feed_stop(d->app->feed);
    uv_signal_stop(&d->sigterm);
    uv_signal_stop(&d->sigint);
    d->deadline = uv_now(d->loop) + SHUTDOWN_GRACE_MS;
    uv_timer_start(&d->drain, on_drain, 0, 20);
}

/* Loads profiles and builds the matcher (the use cases of app/loader.h) before anything is
 * served; what stops the start is printed on stderr, as for every subcommand. */
static int prepare(api_app_t *app, tv_taxonomy_t **tax, const serve_opts_t *o, char **since)
{
    app_notes_t notes = {0};
    tv_store_t *st = NULL;
    char err[4352];
    double t0;
    int rc = cli_load_taxonomy(tax);

    if (rc == 0)
        rc = app_load_match_config(o->config, o->sets, o->n_sets, &app->cfg, &notes);
    cli_print_notes(&notes);
    app_notes_dispose(&notes);
    if (rc == 0)
        rc = cli_conninfo(app->conninfo, sizeof(app->conninfo));
    if (rc == 0)
        rc = cli_open_store(&st);
    t0 = api_seconds();
    if (rc == 0)
        rc = app_load_matcher(st, *tax, &app->cfg, &app->matcher, since, &notes);
    cli_print_notes(&notes);
    app_notes_dispose(&notes);
    tv_store_close(st);
    if (rc != 0)
        return rc;
    app->tax = *tax;
    rc = api_web_load(err, sizeof(err));
    if (rc != 0) {
        cli_error("%s", err);
        return rc;
    }
    app->metrics = api_metrics_create(api_route_count, api_route_label);
    api_metrics_build(app->metrics, api_seconds() - t0);
    api_log("info", "loaded %zu companies and %zu investors in %.3f s",
            tv_matcher_companies(app->matcher), tv_matcher_investors(app->matcher),
            api_seconds() - t0);
    return app->metrics != NULL ? 0 : TV_ENOMEM;
}

/* Writes the port bound to 'path' (if not NULL), for callers that asked for port 0. */
static void write_port_file(const char *path, int port)
{
    FILE *f = path != NULL ? fopen(path, "w") : NULL;

    if (f != NULL) {
        fprintf(f, "%d\n", port);
        fclose(f);
    }
}

/* SIGTERM and SIGINT start the drain; logs are flushed every LOG_FLUSH_MS. */
static void start_signals(daemon_t *d)
{
    uv_signal_init(d->loop, &d->sigterm);
    uv_signal_init(d->loop, &d->sigint);
    uv_timer_init(d->loop, &d->drain);
    uv_timer_init(d->loop, &d->flush);
    d->sigterm.data = d->sigint.data = d->drain.data = d;
    uv_timer_start(&d->flush, on_flush, LOG_FLUSH_MS, LOG_FLUSH_MS);
    uv_signal_start(&d->sigterm, on_signal, SIGTERM);
    uv_signal_start(&d->sigint, on_signal, SIGINT);
}

static int run(daemon_t *d, api_app_t *app, const serve_opts_t *o, char *since)
{
    char host[256];
    int port, rc;

    if (split_listen(o->listen, host, sizeof(host), &port) != 0) {
        cli_error("--listen %s: expected HOST:PORT", o->listen);
        return TV_EINVAL;
    }
    d->loop = uv_default_loop();
    d->app = app;
    api_router_init(app, d->loop);
    api_jobs_configure((unsigned)o->values[SET_AUTH_CACHE], (unsigned)o->values[SET_AUTH_GRACE]);
    d->server.max_per_client = (size_t)o->values[SET_MAX_CLIENT];
    d->server.metrics = app->metrics;
    rc = api_server_start(&d->server, d->loop, host, port);
    if (rc != 0) {
        cli_error("cannot listen on %s: %s", o->listen, uv_strerror(rc));
        return TV_EIO;
    }
    write_port_file(o->port_file, d->server.port);
    start_signals(d);
    api_log("info",
            "listening on %s:%d; tokens cached %ld s, %ld s more while the database is down; "
            "%ld connections per client address (0: no cap)",
            host, d->server.port, o->values[SET_AUTH_CACHE], o->values[SET_AUTH_GRACE],
            o->values[SET_MAX_CLIENT]);
    if (api_digest_timer_start(&d->digest, d->loop, app) != 0 ||
        api_mail_timer_start(&d->mail, d->loop, app) != 0 ||
        api_feed_start(&app->feed, d->loop, app, since) != 0) {
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
    serve_opts_t o = {DEFAULT_LISTEN, NULL, NULL, DEFAULT_MAX_BODY, {0}, 0, {0}};
    api_app_t app;
    daemon_t d;
    tv_taxonomy_t *tax = NULL;
    char *since = NULL;
    int rc;

    memset(&app, 0, sizeof(app));
    memset(&d, 0, sizeof(d));
    rc = parse_options(argc, argv, &o);
    if (rc != 0) {
        if (rc == -1)
            cli_error("usage: tavolo serve [--listen HOST:PORT] [--max-body BYTES] [--config FILE] "
                      "[--set NAME=VALUE]... [--port-file FILE] [--auth-cache SECONDS] "
                      "[--auth-grace SECONDS] [--max-client-connections N]");
        return CLI_USAGE;
    }
    signal(SIGPIPE, SIG_IGN);
    /* One line per request: buffered, flushed every LOG_FLUSH_MS and at exit. */
    setvbuf(stderr, NULL, _IOFBF, 1 << 16);
    app.max_body = o.max_body;
    pthread_rwlock_init(&app.lock, NULL);
    pthread_mutex_init(&app.write_lock, NULL);
    rc = prepare(&app, &tax, &o, &since);
    if (rc == 0)
        rc = run(&d, &app, &o, since);
    if (app.feed == NULL)
        free(since); /* else the feed took it over */
    api_feed_free(app.feed);
    api_web_unload();
    tv_matcher_destroy(app.matcher);
    api_metrics_destroy(app.metrics);
    tv_taxonomy_destroy(tax);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}
