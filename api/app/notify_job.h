/* Inside the notify job (notify.c, notify_deadline.c): its state and the helpers both files
 * build messages with. Not for other callers: they use notify.h. */
#ifndef API_NOTIFY_JOB_H
#define API_NOTIFY_JOB_H

#include <stdint.h>

#include "notify.h"
#include "notify_links.h"
#include "recipients.h"
#include "tavolo/template.h"

typedef struct {
    tv_store_t *st;
    const api_notify_opts_t *o;
    api_notify_stats_t *stats;
    unsigned char key[API_UNSUB_KEY_BYTES];
    char host[256];
    char *err;
    size_t err_size;
    int64_t now; /* the job's "now": o->now, else the clock when it started */
} job_t;

/* A rendered message: the subject is the first line of the text template. */
typedef struct {
    char *subject, *text, *html;
} rendered_t;

/* 64-bit FNV-1a of 's' continuing 'h' (start from API_FNV0): short stable tags for
 * Message-IDs, not a secret. */
#define API_FNV0 14695981039346656037ULL
unsigned long long api__notify_fnv(const char *s, unsigned long long h);

/* Writes "what: detail" (or the code's text) to the job's error and returns 'rc'. */
int api__notify_fail(job_t *j, int rc, const char *what, const char *detail);

/* Renders template 'name' in 'lang' (text, whose first line is the subject, and HTML). */
int api__notify_render(job_t *j, const char *name, const char *lang, const tv_tpl_data_t *d,
                       rendered_t *out);
void api__notify_rendered_dispose(rendered_t *r);

/* Builds one message of 'kind' to 'p' with its List-Unsubscribe link 'unsub' and queues it
 * under 'message_id'; counted as queued, or skipped when unsubscribed or queued already. */
int api__notify_queue(job_t *j, const char *kind, const char *event_id, const api_recipient_t *p,
                      const rendered_t *r, const char *unsub, const char *message_id);

/* The deadline part of the job (notify_deadline.c), inside its transaction: expires the
 * pending requests past their event's deadline, tells asked sides a day before it, and
 * reminds sides the day before their first meeting. */
int api__notify_deadlines(job_t *j);

#endif
