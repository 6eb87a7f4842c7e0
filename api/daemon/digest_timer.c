/* The daemon's daily digest timer (see digest_timer.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "digest_timer.h"
#include "log.h"

#define MAX_SLEEP_S 3600
#define LONGEST_DAY_S (25 * 3600)
#define BUSY_RETRY_S 60

static void on_timer(uv_timer_t *t);

/* Sleeps until dt->due, an hour at most at a time. */
static void arm(api_digest_timer_t *dt)
{
    int64_t wait = dt->due - (int64_t)time(NULL);

    if (wait < 0)
        wait = 0;
    if (wait > MAX_SLEEP_S)
        wait = MAX_SLEEP_S;
    uv_timer_start(&dt->timer, on_timer, (uint64_t)wait * 1000, 0);
}

/* Sets dt->due to the first run after now and arms the timer. */
static int schedule_next(api_digest_timer_t *dt)
{
    int rc = tv_digest_next_run(&dt->opts.cfg, (int64_t)time(NULL), &dt->due, dt->due_date);

    dt->retry = 0;
    if (rc == 0) {
        arm(dt);
        api_log("info", "next daily digest: %s %02d:%02d %s", dt->due_date, dt->opts.cfg.hour,
                dt->opts.cfg.minute, dt->opts.cfg.time_zone);
    }
    return rc;
}

/* The latest run at or before now: writes its date, or "" when none fell due in the last
 * (longest possible) day. */
static int latest_due(const tv_digest_config_t *cfg, int64_t now, char *date)
{
    int64_t at = now - LONGEST_DAY_S;
    char d[11];
    int rc = 0;

    date[0] = '\0';
    while (rc == 0) {
        rc = tv_digest_next_run(cfg, at, &at, d);
        if (rc != 0 || at > now)
            break;
        memcpy(date, d, sizeof(d));
    }
    return rc;
}

static void work(uv_work_t *w)
{
    api_digest_timer_t *dt = w->data;
    api_app_t *app = dt->app;
    tv_store_t *st = NULL;
    int done = 0;

    memset(&dt->stats, 0, sizeof(dt->stats));
    dt->already_finished = 0;
    dt->error[0] = '\0';
    dt->rc = tv_store_open(app->conninfo, &st, NULL, 0);
    /* A catch-up run after a start skips a day whose run already finished. */
    if (dt->rc == 0 && dt->catch_up)
        dt->rc = tv_store_digest_run_done(st, dt->opts.date, &done);
    dt->already_finished = done;
    if (dt->rc == 0 && !done)
        dt->rc = digest_job_run(st, app->matcher, &app->lock, app->tax, &dt->opts, &dt->stats,
                                &dt->notes);
    /* The store's words go to the log (they may quote SQL; the log is the operator's). */
    if (dt->rc != 0 && st != NULL)
        snprintf(dt->error, sizeof(dt->error), "%s", tv_store_error(st));
    tv_store_close(st);
}

/* Logs what the job had to say (a template or outbox at fault), one error line per note. */
static void log_notes(app_notes_t *notes)
{
    for (size_t i = 0; i < notes->n; i++)
        api_log("error", "%s", notes->items[i].text);
    app_notes_dispose(notes);
}

static void after_work(uv_work_t *w, int status)
{
    api_digest_timer_t *dt = w->data;
    const digest_job_stats_t *s = &dt->stats;

    dt->running = 0;
    log_notes(&dt->notes);
    if (status != 0 || dt->rc != 0)
        api_log("error", "daily digest of %s failed: %s%s%s", dt->opts.date,
                status != 0 ? uv_strerror(status) : tv_strerror(dt->rc),
                dt->error[0] != '\0' ? ": " : "", dt->error);
    else if (dt->already_finished)
        api_log("info", "daily digest of %s: already finished", dt->opts.date);
    else if (s->busy) {
        api_log("info", "daily digest of %s: another process runs it; looking again in %d s",
                dt->opts.date, BUSY_RETRY_S);
        if (!atomic_load(&dt->stop)) {
            dt->due = (int64_t)time(NULL) + BUSY_RETRY_S;
            snprintf(dt->due_date, sizeof(dt->due_date), "%s", dt->opts.date);
            dt->retry = 1;
            arm(dt);
        }
        return;
    } else
        api_log("info",
                "daily digest of %s%s: %zu recipients, %zu sent (%zu messages), %zu empty, "
                "%zu already done",
                dt->opts.date, s->stopped ? " (stopped; the next run resumes it)" : "",
                s->recipients, s->sent, s->messages, s->empty, s->already);
    if (!atomic_load(&dt->stop))
        schedule_next(dt);
}

/* Runs the job of 'date' on a worker thread. */
static void launch(api_digest_timer_t *dt, const char *date, int catch_up)
{
    snprintf(dt->opts.date, sizeof(dt->opts.date), "%s", date);
    dt->catch_up = catch_up;
    dt->running = 1;
    dt->work.data = dt;
    api_log("info", "daily digest of %s starts", date);
    if (uv_queue_work(dt->loop, &dt->work, work, after_work) != 0) {
        dt->running = 0;
        schedule_next(dt);
    }
}

static void on_timer(uv_timer_t *t)
{
    api_digest_timer_t *dt = t->data;

    if ((int64_t)time(NULL) >= dt->due)
        launch(dt, dt->due_date, dt->retry);
    else
        arm(dt);
}

int api_digest_timer_start(api_digest_timer_t *dt, uv_loop_t *loop, api_app_t *app)
{
    char date[11];
    int rc;

    memset(dt, 0, sizeof(*dt));
    dt->loop = loop;
    dt->app = app;
    rc = digest_job_defaults(&dt->opts, dt->outbox, sizeof(dt->outbox), &dt->notes);
    log_notes(&dt->notes);
    if (rc != 0 || dt->opts.daily_off) {
        if (rc == 0)
            api_log("info", "daily digests off (TAVOLO_DIGEST_TIME=off)");
        return rc;
    }
    dt->opts.cfg.list_k = app->cfg.k;
    dt->opts.stop = &dt->stop;
    rc = latest_due(&dt->opts.cfg, (int64_t)time(NULL), date);
    if (rc != 0) {
        api_log("error", "TAVOLO_DIGEST_ZONE=%s: unknown time zone", dt->opts.cfg.time_zone);
        return TV_EINVAL;
    }
    uv_timer_init(loop, &dt->timer);
    dt->timer.data = dt;
    dt->enabled = 1;
    if (date[0] != '\0')
        launch(dt, date, 1);
    else
        schedule_next(dt);
    return 0;
}

void api_digest_timer_stop(api_digest_timer_t *dt)
{
    if (!dt->enabled)
        return;
    atomic_store(&dt->stop, 1);
    uv_timer_stop(&dt->timer);
}

int api_digest_timer_running(const api_digest_timer_t *dt)
{
    return dt->running;
}
