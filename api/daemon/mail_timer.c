/* The daemon's mail delivery timer (see mail_timer.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mail_timer.h"

#define DEFAULT_POLL_S 5

static void work(uv_work_t *w)
{
    api_mail_timer_t *mt = w->data;
    tv_store_t *st = NULL;

    memset(&mt->stats, 0, sizeof(mt->stats));
    memset(&mt->told, 0, sizeof(mt->told));
    mt->notify_error[0] = '\0';
    /* A connection per run: closing it releases the sender's lock whatever happened. */
    mt->rc = tv_store_open(mt->app->conninfo, &st, NULL, 0);
    /* What the job could not queue waits for the next tick; the delivery goes on. */
    if (mt->rc == 0 &&
        api_notify_run(st, &mt->notify, &mt->told, mt->notify_error, sizeof(mt->notify_error)) !=
            0 &&
        mt->notify_error[0] == '\0')
        snprintf(mt->notify_error, sizeof(mt->notify_error), "%s", tv_store_error(st));
    if (mt->rc == 0)
        mt->rc = mail_delivery_run(st, &mt->opts, &mt->stats, &mt->notes);
    tv_store_close(st);
}

static void log_notes(app_notes_t *notes, const char *level)
{
    for (size_t i = 0; i < notes->n; i++)
        api_log(level, "%s", notes->items[i].text);
    app_notes_dispose(notes);
}

static void after_work(uv_work_t *w, int status)
{
    api_mail_timer_t *mt = w->data;
    const mail_delivery_stats_t *s = &mt->stats;

    mt->running = 0;
    if (mt->notify_error[0] != '\0')
        api_log("error", "notify job: %s", mt->notify_error);
    else if (mt->told.queued > 0)
        api_log("info", "notify: %zu requests and %zu sides told, %zu messages queued",
                mt->told.requests, mt->told.sides, mt->told.queued);
    if (mt->notify_error[0] == '\0' && mt->told.expired > 0)
        api_log("info", "notify: %zu pending requests expired at their event's deadline",
                mt->told.expired);
    log_notes(&mt->notes, s->halted ? "warn" : "error");
    if (status != 0 || mt->rc != 0)
        api_log("error", "mail delivery failed: %s",
                status != 0 ? uv_strerror(status) : tv_strerror(mt->rc));
    else if (s->sent + s->retried + s->failed + s->recovered > 0)
        api_log("info",
                "mail: %zu sent, %zu to retry, %zu failed, %zu taken up from a stopped sender%s",
                s->sent, s->retried, s->failed, s->recovered,
                s->halted ? "; the relay is unreachable, trying again later" : "");
}

static void on_timer(uv_timer_t *t)
{
    api_mail_timer_t *mt = t->data;

    if (mt->running || atomic_load(&mt->stop))
        return;
    mt->running = 1;
    mt->work.data = mt;
    if (uv_queue_work(mt->loop, &mt->work, work, after_work) != 0)
        mt->running = 0;
}

/* TAVOLO_MAIL_POLL_SECONDS: a whole number of seconds from 1 to 3600. */
static int poll_seconds(long *out)
{
    const char *v = getenv("TAVOLO_MAIL_POLL_SECONDS");
    char *end;

    *out = DEFAULT_POLL_S;
    if (v == NULL || v[0] == '\0')
        return 0;
    errno = 0;
    *out = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || *out < 1 || *out > 3600) {
        api_log("error", "TAVOLO_MAIL_POLL_SECONDS=%s: expected a whole number from 1 to 3600", v);
        return TV_EINVAL;
    }
    return 0;
}

int api_mail_timer_start(api_mail_timer_t *mt, uv_loop_t *loop, api_app_t *app)
{
    long poll_s;
    int rc;

    memset(mt, 0, sizeof(*mt));
    mt->loop = loop;
    mt->app = app;
    rc = mail_delivery_defaults(&mt->opts, mt->outbox, sizeof(mt->outbox), &mt->notes);
    log_notes(&mt->notes, "error");
    if (rc == 0 && api_notify_defaults(&mt->notify) != 0) {
        api_log("error",
                "TAVOLO_NOTIFY_QUIET=%s: expected a whole number of seconds from 0 to "
                "86400",
                getenv("TAVOLO_NOTIFY_QUIET"));
        rc = TV_EINVAL;
    }
    if (rc == 0)
        rc = poll_seconds(&poll_s);
    if (rc != 0)
        return rc;
    mt->opts.stop = &mt->stop;
    uv_timer_init(loop, &mt->timer);
    mt->timer.data = mt;
    mt->enabled = 1;
    uv_timer_start(&mt->timer, on_timer, 0, (uint64_t)poll_s * 1000);
    api_log("info", "mail: delivered %s every %ld s",
            mt->opts.smtp_url != NULL ? "to the SMTP relay" : "into the Maildir outbox", poll_s);
    return 0;
}

void api_mail_timer_stop(api_mail_timer_t *mt)
{
    if (!mt->enabled)
        return;
    atomic_store(&mt->stop, 1);
    uv_timer_stop(&mt->timer);
}

int api_mail_timer_running(const api_mail_timer_t *mt)
{
    return mt->running;
}
