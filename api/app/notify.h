/* Notifications (issue 15, decision 0044): the notify job queues what the people of each side
 * were not told yet (requests received or answered, schedule changes with an iTIP calendar),
 * and moves the "notified" marks in the transaction that queues, so each goes exactly once. */
#ifndef API_NOTIFY_H
#define API_NOTIFY_H

#include <stddef.h>

#include "notify_job.h"
#include "tavolo/store.h"

/* Fills 'o' from the environment; TV_EINVAL for a TAVOLO_NOTIFY_QUIET that is not a number of
 * seconds from 0 to 86400. */
int api_notify_defaults(api_notify_opts_t *o);

/* Runs the job once, in one transaction: every message it queues and every mark it moves
 * commit together, or nothing does. 'err' (may be NULL) names what failed. */
int api_notify_run(tv_store_t *st, const api_notify_opts_t *o, api_notify_stats_t *stats, char *err,
                   size_t err_size);

#endif
