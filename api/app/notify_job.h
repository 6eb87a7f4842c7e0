/* The notify job's options and counts (used through notify.h), and inside the job (notify.c,
 * notify_deadline.c, notify_job.c) its state and the helpers that build, render and queue one
 * message. Other callers use notify.h. */
#ifndef API_NOTIFY_JOB_H
#define API_NOTIFY_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "notify_links.h"
#include "recipients.h"
#include "tavolo/event.h"
#include "tavolo/store.h"
#include "tavolo/template.h"

typedef struct {
    const char *templates; /* $TAVOLO_TEMPLATES, else the built-in fixtures/templates */
    const char *from;      /* $TAVOLO_MAIL_FROM, else "tavolo@<host of the public URL>" */
    int quiet;             /* $TAVOLO_NOTIFY_QUIET seconds (default 120): a side is told of
                              its meetings once they have not changed for this long */
    const char *event_id;  /* one event, or NULL for every event */
    int64_t now;           /* "now" for deadlines and reminders (UTC seconds; 0: the clock) */
} api_notify_opts_t;

typedef struct {
    size_t requests;    /* requests told of */
    size_t sides;       /* sides of meetings told of their schedule */
    size_t queued;      /* messages queued */
    size_t skipped;     /* messages not queued: unsubscribed, or queued already */
    size_t expired;     /* pending requests past their event's deadline, now expired */
    size_t expiring;    /* asked sides told a day before the deadline */
    size_t reminded;    /* sides reminded the day before their first meeting */
    size_t asked;       /* sides asked what came of their meetings, once they all ended */
    size_t asked_again; /* sides reminded 3 days later of the meetings they left unanswered */
    int busy;           /* another job held the lock: nothing done */
} api_notify_stats_t;

typedef struct {
    tv_store_t *st;
    const api_notify_opts_t *o;
    api_notify_stats_t *stats;
    unsigned char key[API_UNSUB_KEY_BYTES];
    char host[256];
    char *err;
    size_t err_size;
    int64_t now;                 /* the job's "now": o->now, else the clock when it started */
    struct api__notify_batch *b; /* what the run read once and what it has still to write */
} job_t;

/* A rendered message: the subject is the first line of the text template. */
typedef struct {
    char *subject, *text, *html;
} rendered_t;

/* 64-bit FNV-1a of 's' continuing 'h' (start from API_FNV0): short stable tags for
 * Message-IDs, not a secret. */
#define API_FNV0 14695981039346656037ULL
unsigned long long api__notify_fnv(const char *s, unsigned long long h);

/* The tag of an address in Message-IDs: its FNV-1a without case, so that one person gets one
 * Message-ID whatever case their address is written in. */
unsigned long long api__notify_address_tag(const char *email);

/* Writes "what: detail" (or the code's text) to the job's error and returns 'rc'. */
int api__notify_fail(job_t *j, int rc, const char *what, const char *detail);

/* Renders template 'name' in 'lang' (text, whose first line is the subject, and HTML). */
int api__notify_render(job_t *j, const char *name, const char *lang, const tv_tpl_data_t *d,
                       rendered_t *out);
void api__notify_rendered_dispose(rendered_t *r);

/* Builds one message of 'kind' to 'p' with its List-Unsubscribe link 'unsub' (and the iTIP
 * calendar 'ics' with its 'method', or NULL) and queues it under 'message_id'; counted as
 * queued, or skipped when unsubscribed or queued already. */
int api__notify_queue(job_t *j, const char *kind, const char *event_id, const api_recipient_t *p,
                      const rendered_t *r, const char *unsub, const char *message_id,
                      const char *ics, const char *method);

/* ---- reads once, writes in batches (notify_batch.c) ---- */

/* The rows of one statement that writes messages or marks. */
#define API_NOTIFY_BATCH 256

/* The run's reads and unwritten rows: created before the job's first read, destroyed after its
 * transaction ends (what was not flushed is dropped with the rolled-back transaction). */
int api__notify_batch_create(job_t *j);
void api__notify_batch_destroy(job_t *j);

/* Event 'event_id' decoded from its file, once per run; owned by the run. */
int api__notify_event(job_t *j, const char *event_id, const tv_event_t **out);

/* api_recipients_find's answer: the first few profiles of an event asked on their own, then
 * from one read of every participant's people of the event per run (a profile without people
 * there still asked on its own). Dispose 'out' as usual. */
int api__notify_recipients(job_t *j, const char *event_id, const char *kind, const char *id,
                           api_recipients_t *out);

/* The text of the template file 'path', read once per run; NULL when it cannot be read. */
const char *api__notify_template(job_t *j, const char *path);

/* Queues a copy of 'row' to be written with up to API_NOTIFY_BATCH others; counted as queued
 * or skipped when written. */
int api__notify_add_mail(job_t *j, const tv_mail_row_t *row);

/* Records a mark to write: request 'id' told of status 'what', or ('meeting') side 'what' of
 * meeting 'id' told of 'sequence'. */
int api__notify_mark(job_t *j, int meeting, int64_t id, const char *what, int32_t sequence);

/* Writes every message and mark still held; call it before the transaction commits. */
int api__notify_flush(job_t *j);

#endif
