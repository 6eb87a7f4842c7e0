/* Notifications (issue 15, decision 0044): the notify job queues what the people of each side
 * were not told yet (requests received or answered, schedule changes with an iTIP calendar),
 * and moves the "notified" marks in the transaction that queues, so each goes exactly once. */
#ifndef API_NOTIFY_H
#define API_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "tavolo/store.h"

typedef struct {
    const char *templates; /* $TAVOLO_TEMPLATES, else the built-in fixtures/templates */
    const char *from;      /* $TAVOLO_MAIL_FROM, else "tavolo@<host of the public URL>" */
    int quiet;             /* $TAVOLO_NOTIFY_QUIET seconds (default 120): a side is told of
                              its meetings once they have not changed for this long */
    const char *event_id;  /* one event, or NULL for every event */
    int64_t now;           /* "now" for deadlines and reminders (UTC seconds; 0: the clock) */
} api_notify_opts_t;

typedef struct {
    size_t requests; /* requests told of */
    size_t sides;    /* sides of meetings told of their schedule */
    size_t queued;   /* messages queued */
    size_t skipped;  /* messages not queued: unsubscribed, or queued already */
    size_t expired;  /* pending requests past their event's deadline, now expired */
    size_t expiring; /* asked sides told a day before the deadline */
    size_t reminded; /* sides reminded the day before their first meeting */
    int busy;        /* another job held the lock: nothing done */
} api_notify_stats_t;

/* Fills 'o' from the environment; TV_EINVAL for a TAVOLO_NOTIFY_QUIET that is not a number of
 * seconds from 0 to 86400. */
int api_notify_defaults(api_notify_opts_t *o);

/* Runs the job once, in one transaction: every message it queues and every mark it moves
 * commit together, or nothing does. 'err' (may be NULL) names what failed. */
int api_notify_run(tv_store_t *st, const api_notify_opts_t *o, api_notify_stats_t *stats, char *err,
                   size_t err_size);

#endif
