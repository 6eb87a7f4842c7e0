/* The daily digest job, shared by `tavolo digest` and the daemon's timer. */
#ifndef API_DIGEST_JOB_H
#define API_DIGEST_JOB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "app.h"
#include "tavolo/digest.h"
#include "tavolo/match.h"
#include "tavolo/store.h"
#include "tavolo/taxonomy.h"

typedef struct {
    char date[11];         /* "YYYY-MM-DD" */
    const char *outbox;    /* Maildir folder the delivery worker writes without a relay */
    const char *templates; /* folder of digest.{it,en}.{txt,html} */
    const char *from;      /* the From address */
    tv_digest_config_t cfg;
    int daily_off;          /* TAVOLO_DIGEST_TIME=off: the daemon runs no daily job */
    const atomic_int *stop; /* when set (not NULL, non-zero) the job stops between
                               recipients, keeping what it recorded: a later run resumes */
    size_t threads;         /* threads that build a batch's messages (TAVOLO_DIGEST_THREADS,
                               default 2, at most 16) */
    size_t crash_after;     /* tests only: _exit(3) after this many digests (with their queued
                               messages) are committed (0: never) */
} digest_job_opts_t;

typedef struct {
    int busy;                     /* another process holds the job's lock: nothing was done */
    size_t recipients;            /* with at least one contact */
    size_t sent, empty, messages; /* messages: queued, one per contact */
    size_t already;               /* had their digest of the date before this run */
    size_t resumed;               /* always 0: a recorded digest's messages were queued with it */
    int stopped;                  /* asked to stop before the end: the run is not finished */
} digest_job_stats_t;

/* Fills 'o' from the environment: TAVOLO_DIGEST_TIME (HH:MM), TAVOLO_DIGEST_ZONE,
 * (or off), TAVOLO_DIGEST_MAX, TAVOLO_DIGEST_STEP, TAVOLO_DIGEST_DAYS, TAVOLO_MAIL_FROM,
 * TAVOLO_TEMPLATES, TAVOLO_DIGEST_THREADS and the outbox $TAVOLO_HOME/outbox. 'outbox_buf' holds
 * the default outbox path. Returns 0, or TV_EINVAL with a note naming the variable.
 */
int digest_job_defaults(digest_job_opts_t *o, char *outbox_buf, size_t size, app_notes_t *notes);

/* Runs the digests of o->date for every company and investor with a contact, in id order, each
 * recorded with its messages (queued in mail_messages, one per contact) in its own transaction;
 * skips those already recorded. Sends nothing: the mail delivery worker does. Reads the matcher
 * under 'lock' when not NULL. Prints nothing: a template, file or folder at fault is named in
 * 'notes' (may be NULL), for the caller to report. */
int digest_job_run(tv_store_t *st, const tv_matcher_t *m, pthread_rwlock_t *lock,
                   const tv_taxonomy_t *t, const digest_job_opts_t *o, digest_job_stats_t *out,
                   app_notes_t *notes);

#endif
