/* The daemon's daily digest: a libuv timer that runs the digest job at the configured local
 * time on a worker thread. The next run is computed afresh from the time zone's rules every
 * time the timer is armed (so DST changes are followed), the timer never sleeps more than an
 * hour at once (so a changed system clock is noticed), and on start the latest run that fell
 * due and is not recorded as finished in the database runs at once (so a restart, or a daemon
 * that was down at 07:00, loses no day). When another daemon holds the job, this one looks
 * again a minute later, so the day is finished even if the other one dies. */
#ifndef API_DIGEST_TIMER_H
#define API_DIGEST_TIMER_H

#include <stdatomic.h>
#include <stdint.h>
#include <uv.h>

#include "api.h"
#include "digest_job.h"

typedef struct {
    uv_loop_t *loop;
    api_app_t *app;
    uv_timer_t timer;
    uv_work_t work;
    digest_job_opts_t opts;
    char outbox[4096];
    atomic_int stop;
    int enabled, running, catch_up;
    int already_finished; /* the catch-up found the run finished: nothing done */
    int64_t due;          /* the next run, seconds since the epoch (UTC) */
    char due_date[11];
    int retry;       /* the due run is a retry of a day another daemon held: skip it if finished */
    int rc;          /* of the last job */
    char error[512]; /* the store's words for its failure, if it failed there */
    digest_job_stats_t stats;
    app_notes_t notes; /* of the last job, logged when it ends */
} api_digest_timer_t;

/* Reads the digest settings (digest_job_defaults) and arms the timer, or does nothing when
 * TAVOLO_DIGEST_TIME=off. Returns TV_EINVAL for a bad setting or time zone, logged. */
int api_digest_timer_start(api_digest_timer_t *dt, uv_loop_t *loop, api_app_t *app);

/* Disarms the timer and asks a running job to stop after the recipient it is on. */
void api_digest_timer_stop(api_digest_timer_t *dt);

/* 1 while a job runs on a worker thread: the matcher must outlive it. */
int api_digest_timer_running(const api_digest_timer_t *dt);

#endif
