/* Metrics in the Prometheus text exposition format (version 0.0.4). */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define N_BOUNDS (sizeof(bounds) / sizeof(bounds[0]))
#define N_STATUS 16

typedef struct {
    uint64_t buckets[N_BOUNDS + 1]; /* the last is +Inf */
    uint64_t count;
    double sum;
} histogram_t;

typedef struct {
    int status[N_STATUS];
    uint64_t count[N_STATUS];
    histogram_t latency;
} route_stats_t;

struct api_metrics {
    pthread_mutex_t lock;
    size_t n_routes;
    api_route_label_fn label;
    route_stats_t *routes; /* n_routes + 1: the last is "no route" */
    histogram_t updates;
    double build_seconds;
    uint64_t refused_connections;
};

api_metrics_t *api_metrics_create(size_t n_routes, api_route_label_fn label)
{
    api_metrics_t *m = calloc(1, sizeof(*m));

    if (m == NULL)
        return NULL;
    m->routes = calloc(n_routes + 1, sizeof(route_stats_t));
    if (m->routes == NULL) {
        free(m);
        return NULL;
    }
    m->n_routes = n_routes;
    m->label = label;
    pthread_mutex_init(&m->lock, NULL);
    return m;
}

void api_metrics_destroy(api_metrics_t *m)
{
    if (m == NULL)
        return;
    pthread_mutex_destroy(&m->lock);
    free(m->routes);
    free(m);
}

static void observe(histogram_t *h, double seconds)
{
    size_t b = 0;

    while (b < N_BOUNDS && seconds > bounds[b])
        b++;
    h->buckets[b]++;
    h->count++;
    h->sum += seconds;
}

void api_metrics_observe(api_metrics_t *m, int route, const char *method, int status,
                         double seconds)
{
    route_stats_t *r = &m->routes[route >= 0 ? (size_t)route : m->n_routes];

    (void)method;
    pthread_mutex_lock(&m->lock);
    for (int i = 0; i < N_STATUS; i++) {
        if (r->status[i] == status || r->status[i] == 0) {
            r->status[i] = status;
            r->count[i]++;
            break;
        }
    }
    observe(&r->latency, seconds);
    pthread_mutex_unlock(&m->lock);
}

void api_metrics_update(api_metrics_t *m, double seconds)
{
    pthread_mutex_lock(&m->lock);
    observe(&m->updates, seconds);
    pthread_mutex_unlock(&m->lock);
}

void api_metrics_connection_refused(api_metrics_t *m)
{
    pthread_mutex_lock(&m->lock);
    m->refused_connections++;
    pthread_mutex_unlock(&m->lock);
}

void api_metrics_build(api_metrics_t *m, double seconds)
{
    pthread_mutex_lock(&m->lock);
    m->build_seconds = seconds;
    pthread_mutex_unlock(&m->lock);
}

typedef struct {
    char *buf;
    size_t len, cap;
} text_t;

static void put(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(text_t *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        t->cap = t->cap * 2 + (size_t)n + 64;
        t->buf = realloc(t->buf, t->cap);
        if (t->buf == NULL)
            abort(); /* a metrics page cannot be half-written */
    }
}

static void put_histogram(text_t *t, const char *name, const char *labels, const histogram_t *h)
{
    uint64_t cumulative = 0;

    for (size_t b = 0; b <= N_BOUNDS; b++) {
        cumulative += h->buckets[b];
        if (b < N_BOUNDS)
            put(t, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, labels[0] ? "," : "", bounds[b],
                (unsigned long long)cumulative);
        else
            put(t, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, labels[0] ? "," : "",
                (unsigned long long)cumulative);
    }
    put(t, "%s_sum{%s} %.6f\n%s_count{%s} %llu\n", name, labels, h->sum, name, labels,
        (unsigned long long)h->count);
}

/* The labels of route 'r'; the one past the last is "no route". */
static void route_label(const api_metrics_t *m, size_t r, const char **method, const char **route)
{
    *method = "any";
    *route = "none";
    if (r < m->n_routes)
        m->label(r, method, route);
}

char *api_metrics_render(api_metrics_t *m, size_t companies, size_t investors)
{
    text_t t = {malloc(4096), 0, 4096};
    char labels[256];

    if (t.buf == NULL)
        return NULL;
    pthread_mutex_lock(&m->lock);
    put(&t, "# HELP tavolo_http_requests_total Requests by route, method and status.\n"
            "# TYPE tavolo_http_requests_total counter\n");
    for (size_t r = 0; r <= m->n_routes; r++) {
        const char *route, *method;

        route_label(m, r, &method, &route);
        for (int i = 0; i < N_STATUS && m->routes[r].status[i] != 0; i++)
            put(&t, "tavolo_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %llu\n",
                route, method, m->routes[r].status[i], (unsigned long long)m->routes[r].count[i]);
    }
    put(&t, "# HELP tavolo_http_request_duration_seconds Time from request to response.\n"
            "# TYPE tavolo_http_request_duration_seconds histogram\n");
    for (size_t r = 0; r <= m->n_routes; r++) {
        const char *route, *method;

        if (m->routes[r].latency.count == 0)
            continue;
        route_label(m, r, &method, &route);
        snprintf(labels, sizeof(labels), "route=\"%s\",method=\"%s\"", route, method);
        put_histogram(&t, "tavolo_http_request_duration_seconds", labels, &m->routes[r].latency);
    }
    put(&t, "# HELP tavolo_matcher_update_duration_seconds Time for a profile write to reach "
            "every list.\n# TYPE tavolo_matcher_update_duration_seconds histogram\n");
    put_histogram(&t, "tavolo_matcher_update_duration_seconds", "", &m->updates);
    put(&t,
        "# HELP tavolo_matcher_build_seconds Time to build vectors and lists at start.\n"
        "# TYPE tavolo_matcher_build_seconds gauge\ntavolo_matcher_build_seconds %.6f\n",
        m->build_seconds);
    put(&t,
        "# HELP tavolo_connections_refused_total Connections closed at once: their client "
        "address had --max-client-connections open.\n"
        "# TYPE tavolo_connections_refused_total counter\ntavolo_connections_refused_total %llu\n",
        (unsigned long long)m->refused_connections);
    pthread_mutex_unlock(&m->lock);
    put(&t,
        "# HELP tavolo_profiles Profiles held in memory.\n# TYPE tavolo_profiles gauge\n"
        "tavolo_profiles{kind=\"company\"} %zu\ntavolo_profiles{kind=\"investor\"} %zu\n",
        companies, investors);
    return t.buf;
}
