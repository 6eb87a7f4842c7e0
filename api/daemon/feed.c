/* Following the change feed (see feed.h). The listening connection lives on the loop thread;
 * a catch-up runs on the thread pool, one at a time, holding the write lock from its read of
 * the changes to its last patch, so that the daemon's own writes and the feed's reach the
 * matcher in the order PostgreSQL committed them. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "jobs.h"
#include "log.h"
#include "tavolo/error.h"
#include "tavolo/feed.h"

#define RETRY_FIRST_MS 100
#define RETRY_MAX_MS 5000
/* Profiles patched per hold of the matcher's exclusive lock: readers wait for one slice, not
 * for a whole burst. */
#define APPLY_SLICE 32

typedef struct {
    tv_profile_kind_t kind;
    char *id;
    int removed;
    tv_company_t company;
    tv_investor_t investor;
} change_t;

typedef struct {
    change_t *items;
    size_t n, cap;
    const tv_taxonomy_t *tax;
} batch_t;

struct api_feed {
    uv_loop_t *loop;
    api_app_t *app;
    tv_listener_t *listener;
    uv_poll_t *poll;
    int poll_fd;
    uv_timer_t retry;
    uint64_t retry_ms;
    uv_work_t work;
    int running, again, stopping, timer_closed;
    /* Used by the catch-up running, one at a time. */
    char *since;
    tv_store_t *store;
    int failed;
    atomic_int listening;
    atomic_uint_fast64_t notifications, malformed, catchups, applied, reconnects;
};

static void advance(api_feed_t *f);
static void request_catch_up(api_feed_t *f);

/* --- Catch-ups, on the thread pool ------------------------------------------------------ */

static int on_change(void *ctx, tv_profile_kind_t kind, const char *id, const char *json,
                     size_t len)
{
    batch_t *b = ctx;
    tv_diags_t diags = {0};
    change_t *c;
    int rc = 0;

    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        change_t *more = realloc(b->items, cap * sizeof(change_t));

        if (more == NULL)
            return TV_ENOMEM;
        b->items = more;
        b->cap = cap;
    }
    c = memset(&b->items[b->n], 0, sizeof(change_t));
    c->kind = kind;
    c->removed = json == NULL;
    if ((c->id = strdup(id)) == NULL)
        return TV_ENOMEM;
    if (json != NULL)
        rc = kind == TV_KIND_COMPANY
                 ? tv_codec_company_decode(b->tax, json, len, &c->company, &diags)
                 : tv_codec_investor_decode(b->tax, json, len, &c->investor, &diags);
    tv_diags_dispose(&diags);
    if (rc == TV_ENOMEM)
        return rc;
    if (rc != 0) {
        /* A fresh start would refuse it as well; the rest of the feed goes on. */
        api_log("error", "change feed: stored %s %s no longer decodes; not applied",
                kind == TV_KIND_COMPANY ? "company" : "investor", id);
        free(c->id);
        return 0;
    }
    b->n++;
    return 0;
}

static void patch(tv_matcher_t *m, change_t *c)
{
    int at = c->kind == TV_KIND_COMPANY ? tv_matcher_find_company(m, c->id)
                                        : tv_matcher_find_investor(m, c->id);
    int rc = 0;

    if (c->removed && at >= 0)
        rc = c->kind == TV_KIND_COMPANY ? tv_matcher_remove_company(m, (size_t)at)
                                        : tv_matcher_remove_investor(m, (size_t)at);
    else if (!c->removed)
        rc = c->kind == TV_KIND_COMPANY ? tv_matcher_upsert_company(m, &c->company)
                                        : tv_matcher_upsert_investor(m, &c->investor);
    if (rc < 0)
        api_log("error", "change feed: cannot apply %s: %s", c->id, tv_strerror(rc));
}

static void apply(api_app_t *app, batch_t *b)
{
    for (size_t k = 0; k < b->n; k += APPLY_SLICE) {
        pthread_rwlock_wrlock(&app->lock);
        for (size_t j = k; j < b->n && j < k + APPLY_SLICE; j++)
            patch(app->matcher, &b->items[j]);
        atomic_fetch_add(&app->generation, 1);
        pthread_rwlock_unlock(&app->lock);
    }
}

static void batch_dispose(batch_t *b)
{
    for (size_t k = 0; k < b->n; k++) {
        free(b->items[k].id);
        tv_company_dispose(&b->items[k].company);
        tv_investor_dispose(&b->items[k].investor);
    }
    free(b->items);
}

/* The catch-ups' connection, (re)opened on demand; 'fresh' replaces one that looks alive
 * but may have died while idle (a restarted PostgreSQL). */
static tv_store_t *catch_up_store(api_feed_t *f, int fresh)
{
    if (fresh || !tv_store_healthy(f->store)) {
        tv_store_close(f->store);
        if (tv_store_open(f->app->conninfo, &f->store, NULL, 0) != 0)
            f->store = NULL;
    }
    return f->store;
}

/* Reads what changed since the last catch-up and patches the matcher, under the write lock. */
static int read_and_apply(api_feed_t *f, tv_store_t *st)
{
    batch_t b = {NULL, 0, 0, f->app->tax};
    char *now = NULL;
    int rc;

    pthread_mutex_lock(&f->app->write_lock);
    rc = tv_store_changes(st, f->since, on_change, &b, &now);
    if (rc == 0) {
        apply(f->app, &b);
        free(f->since);
        f->since = now;
        atomic_fetch_add(&f->applied, b.n);
        atomic_fetch_add(&f->catchups, 1);
    }
    pthread_mutex_unlock(&f->app->write_lock);
    batch_dispose(&b);
    return rc;
}

static void catch_up(uv_work_t *w)
{
    api_feed_t *f = w->data;
    tv_store_t *st = catch_up_store(f, 0);
    int rc = st != NULL ? read_and_apply(f, st) : TV_EUNAVAIL;

    if (rc == TV_EUNAVAIL && st != NULL && (st = catch_up_store(f, 1)) != NULL)
        rc = read_and_apply(f, st);
    if (rc != 0)
        api_log("warn", "change feed: cannot catch up: %s",
                st != NULL ? tv_store_error(st) : "no connection");
    f->failed = rc != 0;
}

static void lost(api_feed_t *f, const char *why);

static void caught_up(uv_work_t *w, int status)
{
    api_feed_t *f = w->data;

    (void)status;
    f->running = 0;
    if (f->stopping)
        return;
    if (f->failed)
        lost(f, "a catch-up failed"); /* the next connection catches up from the same point */
    else if (f->again)
        request_catch_up(f);
}

static void request_catch_up(api_feed_t *f)
{
    /* Whatever was missed may have been an event's change too. */
    atomic_fetch_add(&f->app->event_generation, 1);
    if (f->running) {
        f->again = 1;
        return;
    }
    f->again = 0;
    f->running = 1;
    f->work.data = f;
    if (uv_queue_work(f->loop, &f->work, catch_up, caught_up) != 0)
        f->running = 0;
}

/* --- The listening connection, on the loop thread --------------------------------------- */

static void free_handle(uv_handle_t *h)
{
    free(h);
}

static void unwatch(api_feed_t *f)
{
    if (f->poll == NULL)
        return;
    uv_poll_stop(f->poll);
    uv_close((uv_handle_t *)f->poll, free_handle);
    f->poll = NULL;
    f->poll_fd = -1;
}

static void on_retry(uv_timer_t *t)
{
    api_feed_t *f = t->data;

    if (tv_listener_open(f->app->conninfo, &f->listener) != 0) {
        f->listener = NULL;
        lost(f, "cannot start a connection");
        return;
    }
    advance(f);
}

static void lost(api_feed_t *f, const char *why)
{
    if (atomic_exchange(&f->listening, 0)) {
        api_log("warn", "change feed: %s; connecting again", why);
        atomic_fetch_add(&f->reconnects, 1);
    }
    unwatch(f);
    tv_listener_close(f->listener);
    f->listener = NULL;
    uv_timer_start(&f->retry, on_retry, f->retry_ms, 0);
    f->retry_ms = f->retry_ms * 2 < RETRY_MAX_MS ? f->retry_ms * 2 : RETRY_MAX_MS;
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    api_feed_t *f = h->data;

    (void)events;
    if (status < 0)
        lost(f, uv_strerror(status));
    else
        advance(f);
}

/* While connecting, libpq may close its socket and open another under the same number, which
 * epoll has forgotten: the handle is made anew after each step until LISTEN holds. */
static void watch(api_feed_t *f, int flags)
{
    int fd = tv_listener_socket(f->listener);
    int events = (flags & TV_LISTENER_READ ? UV_READABLE : 0) |
                 (flags & TV_LISTENER_WRITE ? UV_WRITABLE : 0);

    if (f->poll != NULL && (f->poll_fd != fd || !(flags & TV_LISTENER_LISTENING)))
        unwatch(f);
    if (f->poll == NULL) {
        f->poll = malloc(sizeof(uv_poll_t));
        if (f->poll == NULL || uv_poll_init(f->loop, f->poll, fd) != 0) {
            free(f->poll);
            f->poll = NULL;
            lost(f, "cannot watch the connection's socket");
            return;
        }
        f->poll->data = f;
        f->poll_fd = fd;
    }
    uv_poll_start(f->poll, events, on_poll);
}

static int parse_token_id(const char *s, int64_t *id)
{
    char *end;
    long long v;

    if (*s < '0' || *s > '9')
        return -1;
    v = strtoll(s, &end, 10);
    if (*end != '\0' || v < 0)
        return -1;
    *id = v;
    return 0;
}

/* A payload only says what kind of thing changed. One that means nothing is counted and
 * answered by a catch-up, which is always safe. */
static void on_payload(api_feed_t *f, const char *payload)
{
    int64_t id;

    atomic_fetch_add(&f->notifications, 1);
    if (strcmp(payload, "profiles") == 0) {
        request_catch_up(f);
    } else if (strncmp(payload, "token:", 6) == 0 && parse_token_id(payload + 6, &id) == 0) {
        api_jobs_token_changed(id);
    } else if (strncmp(payload, "event:", 6) == 0) {
        /* Events, requests and meetings are read from the database by every request; only the
         * cached matches within an event depend on who attends. */
        atomic_fetch_add(&f->app->event_generation, 1);
    } else {
        atomic_fetch_add(&f->malformed, 1);
        api_log("warn", "change feed: a notification of %zu bytes means nothing; catching up",
                strlen(payload));
        request_catch_up(f);
    }
}

static void advance(api_feed_t *f)
{
    int flags = tv_listener_step(f->listener);
    char *payload;

    while ((payload = tv_listener_next(f->listener)) != NULL) {
        on_payload(f, payload);
        free(payload);
    }
    if (flags < 0) {
        lost(f, tv_listener_error(f->listener));
        return;
    }
    if ((flags & TV_LISTENER_LISTENING) && !atomic_exchange(&f->listening, 1)) {
        /* Whatever was committed while nobody listened is read now; a revocation missed then
         * is caught by asking the database again about every cached token. */
        f->retry_ms = RETRY_FIRST_MS;
        api_jobs_token_changed(-1);
        request_catch_up(f);
        api_log("info", "change feed: listening");
    }
    watch(f, flags);
}

int api_feed_start(api_feed_t **out, uv_loop_t *loop, api_app_t *app, char *since)
{
    api_feed_t *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return TV_ENOMEM;
    f->loop = loop;
    f->app = app;
    f->since = since;
    f->poll_fd = -1;
    f->retry_ms = RETRY_FIRST_MS;
    uv_timer_init(loop, &f->retry);
    f->retry.data = f;
    uv_timer_start(&f->retry, on_retry, 0, 0);
    *out = f;
    return 0;
}

static void timer_closed(uv_handle_t *h)
{
    api_feed_t *f = h->data;

    f->timer_closed = 1;
}

void api_feed_stop(api_feed_t *f)
{
    if (f == NULL)
        return;
    f->stopping = 1;
    atomic_store(&f->listening, 0);
    unwatch(f);
    tv_listener_close(f->listener);
    f->listener = NULL;
    uv_timer_stop(&f->retry);
    uv_close((uv_handle_t *)&f->retry, timer_closed);
}

int api_feed_busy(const api_feed_t *f)
{
    return f != NULL && (f->running || (f->stopping && !f->timer_closed) || f->poll != NULL);
}

void api_feed_free(api_feed_t *f)
{
    if (f == NULL)
        return;
    tv_store_close(f->store);
    tv_listener_close(f->listener);
    free(f->since);
    free(f);
}

void api_feed_stats(const api_feed_t *f, api_feed_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    if (f == NULL)
        return;
    out->listening = atomic_load(&f->listening);
    out->notifications = atomic_load(&f->notifications);
    out->malformed = atomic_load(&f->malformed);
    out->catchups = atomic_load(&f->catchups);
    out->applied = atomic_load(&f->applied);
    out->reconnects = atomic_load(&f->reconnects);
}
