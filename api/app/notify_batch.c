/* The notify job's reads and writes at event size (issue 16): each event, its people and each
 * template are read once per run, and messages and marks are written in statements of up to
 * API_NOTIFY_BATCH rows. Everything stays inside the job's one transaction (notify.c), and
 * api__notify_flush runs before it commits, so a message and its mark still commit together or
 * not at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify_job.h"
#include "scheduling.h"
#include "tavolo/error.h"

/* The people of one participant of an event. */
typedef struct {
    char kind[10];
    char *id;
    api_recipients_t people;
} party_t;

/* The profiles of an event whose people a run asks for one at a time before it reads every
 * participant's at once: a run after one request was made (the daemon runs one then) asks
 * for one side, and one profile's query takes 3 to 20 ms at 6,000 participants where all of
 * them take 60 to 130 ms. */
#define ASKED_ALONE 8

/* An event the run met: its decoded file (once asked), and its participants' people (read
 * at once after ASKED_ALONE profiles were asked for), sorted by kind and id. */
typedef struct {
    char *id;
    tv_event_t event;
    int decoded, people_read, asked;
    party_t *parties;
    size_t n_parties;
} ev_t;

typedef struct {
    char *path, *text;
} tpl_t;

/* A queued message's row, its strings owned. */
typedef struct {
    char *s[8]; /* message_id, kind, event_id, email, name, language, subject, body */
} mail_t;

typedef struct {
    int64_t id;
    char what[16];
    int32_t sequence;
} mark_t;

struct api__notify_batch {
    ev_t *events;
    size_t n_events;
    tpl_t *tpls;
    size_t n_tpls;
    mail_t mail[API_NOTIFY_BATCH];
    size_t n_mail;
    mark_t requests[API_NOTIFY_BATCH];
    size_t n_requests;
    mark_t *meetings; /* every meeting mark of the run, written at its end */
    size_t n_meetings;
};

/* Here rather than in notify_job.c, which calls this file: files call one way. */
int api__notify_fail(job_t *j, int rc, const char *what, const char *detail)
{
    if (j->err != NULL && j->err_size > 0)
        snprintf(j->err, j->err_size, "%s: %s", what, detail != NULL ? detail : tv_strerror(rc));
    return rc;
}

int api__notify_batch_create(job_t *j)
{
    j->b = calloc(1, sizeof(*j->b));
    return j->b != NULL ? 0 : TV_ENOMEM;
}

static void mail_dispose(mail_t *m)
{
    for (int k = 0; k < 8; k++)
        free(m->s[k]);
    memset(m, 0, sizeof(*m));
}

void api__notify_batch_destroy(job_t *j)
{
    struct api__notify_batch *b = j->b;

    if (b == NULL)
        return;
    for (size_t i = 0; i < b->n_events; i++) {
        for (size_t k = 0; k < b->events[i].n_parties; k++) {
            free(b->events[i].parties[k].id);
            api_recipients_dispose(&b->events[i].parties[k].people);
        }
        free(b->events[i].parties);
        free(b->events[i].id);
        tv_event_dispose(&b->events[i].event);
    }
    for (size_t i = 0; i < b->n_tpls; i++)
        free(b->tpls[i].path), free(b->tpls[i].text);
    for (size_t i = 0; i < b->n_mail; i++)
        mail_dispose(&b->mail[i]);
    free(b->events), free(b->tpls), free(b->meetings), free(b);
    j->b = NULL;
}

/* ---- events and their people ---- */

/* The run's entry for 'event_id', added when new; NULL when memory runs out. */
static ev_t *event_entry(job_t *j, const char *event_id)
{
    struct api__notify_batch *b = j->b;
    ev_t *grown;

    for (size_t i = 0; i < b->n_events; i++)
        if (strcmp(b->events[i].id, event_id) == 0)
            return &b->events[i];
    grown = realloc(b->events, (b->n_events + 1) * sizeof(*grown));
    if (grown == NULL)
        return NULL;
    b->events = grown;
    memset(&grown[b->n_events], 0, sizeof(*grown));
    tv_event_init(&grown[b->n_events].event);
    if ((grown[b->n_events].id = strdup(event_id)) == NULL)
        return NULL;
    return &b->events[b->n_events++];
}

int api__notify_event(job_t *j, const char *event_id, const tv_event_t **out)
{
    ev_t *e = event_entry(j, event_id);
    int rc = e != NULL ? 0 : TV_ENOMEM;

    if (rc == 0 && !e->decoded) {
        rc = api_load_event(j->st, event_id, &e->event);
        if (rc != 0)
            api__notify_fail(j, rc, event_id, tv_store_error(j->st));
        e->decoded = rc == 0;
    }
    if (rc == 0)
        *out = &e->event;
    return rc;
}

/* One row (kind, profile id, email, name, language) of tv_store_notify_event_recipients:
 * rows come grouped by profile, so a new profile starts a new party. */
static int on_person(void *ctx, const char *const *c, int n)
{
    ev_t *e = ctx;
    party_t *p = e->n_parties > 0 ? &e->parties[e->n_parties - 1] : NULL, *grown;

    if (n < 5 || c[0] == NULL || c[1] == NULL || c[2] == NULL || c[4] == NULL)
        return TV_EDB;
    if (p == NULL || strcmp(p->kind, c[0]) != 0 || strcmp(p->id, c[1]) != 0) {
        grown = realloc(e->parties, (e->n_parties + 1) * sizeof(*grown));
        if (grown == NULL)
            return TV_ENOMEM;
        e->parties = grown;
        p = &grown[e->n_parties];
        memset(p, 0, sizeof(*p));
        snprintf(p->kind, sizeof(p->kind), "%s", c[0]);
        if ((p->id = strdup(c[1])) == NULL)
            return TV_ENOMEM;
        e->n_parties++;
    }
    return api_recipients_add(&p->people, c[2], c[3], c[4]);
}

static int party_cmp(const void *a, const void *b)
{
    const party_t *x = a, *y = b;
    int k = strcmp(x->kind, y->kind);

    return k != 0 ? k : strcmp(x->id, y->id);
}

static int copy_people(const api_recipients_t *from, api_recipients_t *out)
{
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < from->n; i++)
        rc = api_recipients_add(out, from->items[i].email, from->items[i].name,
                                from->items[i].language);
    return rc;
}

int api__notify_recipients(job_t *j, const char *event_id, const char *kind, const char *id,
                           api_recipients_t *out)
{
    ev_t *e = event_entry(j, event_id);
    party_t key = {"", (char *)id, {0}}, *found = NULL;
    int rc = e != NULL ? 0 : TV_ENOMEM;

    memset(out, 0, sizeof(*out));
    if (rc == 0 && !e->people_read && e->asked < ASKED_ALONE) {
        e->asked++;
        rc = api_recipients_find(j->st, event_id, kind, id, out);
        goto out;
    }
    if (rc == 0 && !e->people_read) {
        rc = tv_store_notify_event_recipients(j->st, event_id, on_person, e);
        if (rc == 0 && e->n_parties > 1)
            qsort(e->parties, e->n_parties, sizeof(party_t), party_cmp);
        e->people_read = rc == 0;
    }
    snprintf(key.kind, sizeof(key.kind), "%s", kind);
    if (rc == 0 && e->n_parties > 0)
        found = bsearch(&key, e->parties, e->n_parties, sizeof(party_t), party_cmp);
    /* Not among the event's participants with people (none named, or not a participant): the
     * profile's own query, as before, which also finds contacts of a non-participant. */
    if (rc == 0)
        rc = found != NULL ? copy_people(&found->people, out)
                           : api_recipients_find(j->st, event_id, kind, id, out);
out:
    if (rc != 0)
        api__notify_fail(j, rc, "recipients", tv_store_error(j->st));
    return rc;
}

/* ---- templates ---- */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = f != NULL ? open_memstream(&buf, &len) : NULL;
    char chunk[4096];
    size_t got;

    while (mem != NULL && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        fwrite(chunk, 1, got, mem);
    if (mem != NULL)
        fclose(mem);
    if (f != NULL)
        fclose(f);
    return buf;
}

const char *api__notify_template(job_t *j, const char *path)
{
    struct api__notify_batch *b = j->b;
    tpl_t *grown;
    char *text;

    for (size_t i = 0; i < b->n_tpls; i++)
        if (strcmp(b->tpls[i].path, path) == 0)
            return b->tpls[i].text;
    if ((text = read_all(path)) == NULL)
        return NULL;
    grown = realloc(b->tpls, (b->n_tpls + 1) * sizeof(*grown));
    if (grown == NULL || (grown[b->n_tpls].path = strdup(path)) == NULL) {
        b->tpls = grown != NULL ? grown : b->tpls;
        free(text);
        return NULL;
    }
    b->tpls = grown;
    grown[b->n_tpls].text = text;
    return b->tpls[b->n_tpls++].text;
}

/* ---- writes ---- */

static int flush_mail(job_t *j)
{
    struct api__notify_batch *b = j->b;
    tv_mail_row_t rows[API_NOTIFY_BATCH];
    tv_mail_outcome_t outcomes[API_NOTIFY_BATCH];
    int rc;

    for (size_t i = 0; i < b->n_mail; i++) {
        char **s = b->mail[i].s;

        rows[i] = (tv_mail_row_t){s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]};
    }
    rc = b->n_mail > 0 ? tv_store_mail_enqueue_many(j->st, rows, b->n_mail, outcomes) : 0;
    if (rc != 0)
        api__notify_fail(j, rc, "mail_messages", tv_store_error(j->st));
    for (size_t i = 0; i < b->n_mail; i++) {
        if (rc == 0 && outcomes[i] == TV_MAIL_QUEUED)
            j->stats->queued++;
        else if (rc == 0)
            j->stats->skipped++;
        mail_dispose(&b->mail[i]);
    }
    b->n_mail = 0;
    return rc;
}

int api__notify_add_mail(job_t *j, const tv_mail_row_t *row)
{
    struct api__notify_batch *b = j->b;
    const char *v[8] = {row->message_id,     row->kind,     row->event_id, row->recipient_email,
                        row->recipient_name, row->language, row->subject,  row->body};
    mail_t *m = &b->mail[b->n_mail++];
    int rc = 0;

    for (int k = 0; k < 8; k++)
        if (v[k] != NULL && (m->s[k] = strdup(v[k])) == NULL)
            rc = TV_ENOMEM;
    if (rc == 0 && b->n_mail == API_NOTIFY_BATCH)
        rc = flush_mail(j);
    return rc;
}

static int mark_cmp(const void *a, const void *b)
{
    const mark_t *x = a, *y = b;

    return (x->id > y->id) - (x->id < y->id);
}

/* Writes the held marks of requests or meetings, API_NOTIFY_BATCH to a statement. */
static int flush_marks(job_t *j, int meetings)
{
    struct api__notify_batch *b = j->b;
    mark_t *from = meetings ? b->meetings : b->requests;
    size_t *n = meetings ? &b->n_meetings : &b->n_requests;
    tv_notify_mark_t marks[API_NOTIFY_BATCH];
    int rc = 0;

    /* A meeting's two sides, adjacent once sorted, become one row update in one statement:
     * each update of a meeting rewrites its row and its indexes, exclusion constraints too. */
    if (meetings && *n > 1)
        qsort(from, *n, sizeof(*from), mark_cmp);
    for (size_t i = 0; rc == 0 && i < *n; i += API_NOTIFY_BATCH) {
        size_t k = *n - i < API_NOTIFY_BATCH ? *n - i : API_NOTIFY_BATCH;

        for (size_t m = 0; m < k; m++)
            marks[m] = (tv_notify_mark_t){from[i + m].id, from[i + m].what, from[i + m].sequence};
        rc = meetings ? tv_store_notify_mark_meetings(j->st, marks, k)
                      : tv_store_notify_mark_requests(j->st, marks, k);
    }
    if (rc != 0)
        api__notify_fail(j, rc, meetings ? "meetings" : "requests", tv_store_error(j->st));
    *n = 0;
    return rc;
}

/* Request marks are written API_NOTIFY_BATCH at a time; meeting marks all at the end of the
 * run, so that a meeting's two sides, told apart, are written together. */
int api__notify_mark(job_t *j, int meeting, int64_t id, const char *what, int32_t sequence)
{
    struct api__notify_batch *b = j->b;
    mark_t *m, *grown;

    if (meeting && (b->n_meetings & (b->n_meetings + 1)) == 0) { /* 0, 1, 3, 7...: double */
        grown = realloc(b->meetings, 2 * (b->n_meetings + 1) * sizeof(*grown));
        if (grown == NULL)
            return TV_ENOMEM;
        b->meetings = grown;
    }
    m = meeting ? &b->meetings[b->n_meetings++] : &b->requests[b->n_requests++];
    m->id = id, m->sequence = sequence;
    snprintf(m->what, sizeof(m->what), "%s", what);
    if (meeting || b->n_requests < API_NOTIFY_BATCH)
        return 0;
    return flush_marks(j, 0);
}

int api__notify_flush(job_t *j)
{
    int rc = flush_mail(j);

    if (rc == 0)
        rc = flush_marks(j, 0);
    if (rc == 0)
        rc = flush_marks(j, 1);
    return rc;
}
