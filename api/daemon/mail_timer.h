/* The daemon's mail: a libuv timer that, on a worker thread every TAVOLO_MAIL_POLL_SECONDS
 * (default 5), one run at a time, first runs the notify job (notify.h: queues what people were
 * not told yet, once their changes are TAVOLO_NOTIFY_QUIET seconds old), then the mail delivery
 * worker (mail_delivery.h). A run delivers everything due and ends; when another process holds the
 * sender's lock, this daemon tries again at the next tick, so a sender that dies is replaced within
 * one. */
#ifndef API_MAIL_TIMER_H
#define API_MAIL_TIMER_H

#include <stdatomic.h>
#include <uv.h>

#include "api.h"
#include "mail_delivery.h"
#include "notify.h"

typedef struct {
    uv_loop_t *loop;
    api_app_t *app;
    uv_timer_t timer;
    uv_work_t work;
    mail_delivery_opts_t opts;
    api_notify_opts_t notify;
    api_notify_stats_t told;
    char notify_error[256]; /* of the last notify job, or "" */
    char outbox[4096];
    atomic_int stop;
    int enabled, running;
    int rc; /* of the last run */
    mail_delivery_stats_t stats;
    app_notes_t notes; /* of the last run, logged when it ends */
} api_mail_timer_t;

/* Reads the delivery settings (mail_delivery_defaults), the notify job's (api_notify_defaults)
 * and TAVOLO_MAIL_POLL_SECONDS and starts
 * the timer, which first fires at once. Returns TV_EINVAL for a bad setting, logged. */
int api_mail_timer_start(api_mail_timer_t *mt, uv_loop_t *loop, api_app_t *app);

/* Stops the timer and asks a running delivery to stop after its current message. */
void api_mail_timer_stop(api_mail_timer_t *mt);

/* 1 while a delivery runs on a worker thread. */
int api_mail_timer_running(const api_mail_timer_t *mt);

#endif
