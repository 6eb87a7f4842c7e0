/* The notify job (see notify.h): requests received and answered, and schedule changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agenda.h"
#include "notify.h"
#include "notify_deadline.h"
#include "notify_job.h"
#include "notify_links.h"
#include "recipients.h"
#include "scheduling.h"
#include "tavolo/calendar.h"
#include "tavolo/digest.h"
#include "tavolo/error.h"
#include "tavolo/mail.h"
#include "tavolo/template.h"

static char from_buf[320];

int api_notify_defaults(api_notify_opts_t *o)
{
    const char *v = getenv("TAVOLO_NOTIFY_QUIET"), *url = api_public_url(), *h;
    char *end = NULL;
    long q = 120;

    memset(o, 0, sizeof(*o));
    o->templates = getenv("TAVOLO_TEMPLATES");
    if (o->templates == NULL || o->templates[0] == '\0')
        o->templates = TV_DEFAULT_TEMPLATES;
    o->from = getenv("TAVOLO_MAIL_FROM");
    if (o->from == NULL || o->from[0] == '\0') {
        h = strstr(url, "://");
        h = h != NULL ? h + 3 : url;
        snprintf(from_buf, sizeof(from_buf), "tavolo@%.*s", (int)strcspn(h, ":/"), h);
        o->from = from_buf;
    }
    if (v != NULL && v[0] != '\0')
        q = strtol(v, &end, 10);
    if ((end != NULL && *end != '\0') || q < 0 || q > 86400)
        return TV_EINVAL;
    o->quiet = (int)q;
    return 0;
}

/* ---- requests ---- */

enum {
    RQ_ID,
    RQ_EVENT,
    RQ_EVENT_NAME,
    RQ_CID,
    RQ_CNAME,
    RQ_IID,
    RQ_INAME,
    RQ_FROM,
    RQ_PRIO,
    RQ_STATUS,
    RQ_MESSAGE,
    RQ_COLS
};

/* The values of a request's message to one person. */
static int request_data(job_t *j, const char *const *c, const api_recipient_t *p, const char *kind,
                        tv_tpl_data_t **out, char **unsub)
{
    int asker_company = strcmp(c[RQ_FROM], "company") == 0;
    int to_company = asker_company == (strcmp(kind, "request_answered") == 0);
    char link[1024];
    tv_tpl_data_t *d = NULL;
    int rc = tv_tpl_data_create(&d);

    tv_page_url(api_public_url(), "requests", to_company ? "company" : "investor",
                to_company ? c[RQ_CID] : c[RQ_IID], c[RQ_EVENT], strtoll(c[RQ_ID], NULL, 10), link,
                sizeof(link));
    if (rc == 0)
        rc = api_unsub_url(j->key, p->email, kind, unsub);
    if (rc == 0)
        rc = tv_tpl_set(d, "recipient", p->name != NULL && p->name[0] ? p->name : p->email);
    if (rc == 0)
        rc = tv_tpl_set(d, "event", c[RQ_EVENT_NAME]);
    if (rc == 0)
        rc = tv_tpl_set(d, "asker", asker_company ? c[RQ_CNAME] : c[RQ_INAME]);
    if (rc == 0)
        rc = tv_tpl_set(d, "asked", asker_company ? c[RQ_INAME] : c[RQ_CNAME]);
    if (rc == 0)
        rc = tv_tpl_set(d, "message", c[RQ_MESSAGE]);
    if (rc == 0)
        rc = tv_tpl_set(d, "must", strcmp(c[RQ_PRIO], "must") == 0 ? "1" : "");
    if (rc == 0)
        rc = tv_tpl_set(d, "accepted", strcmp(c[RQ_STATUS], "accepted") == 0 ? "1" : "");
    if (rc == 0)
        rc = tv_tpl_set(d, "declined", strcmp(c[RQ_STATUS], "declined") == 0 ? "1" : "");
    if (rc == 0)
        rc = tv_tpl_set(d, "expired", strcmp(c[RQ_STATUS], "expired") == 0 ? "1" : "");
    if (rc == 0)
        rc = tv_tpl_set(d, "link", link);
    if (rc == 0)
        rc = tv_tpl_set(d, "unsubscribe", *unsub);
    *out = d;
    return rc;
}

/* Tells the people of one side of a request of its status, then marks it told. */
static int on_request(void *ctx, const char *const *c, int n)
{
    job_t *j = ctx;
    int pending = n >= RQ_COLS && strcmp(c[RQ_STATUS], "pending") == 0;
    int to_company = pending == (strcmp(c[RQ_FROM], "investor") == 0);
    const char *kind = pending ? "request_received" : "request_answered";
    api_recipients_t people = {0};
    int rc = n >= RQ_COLS ? 0 : TV_EDB;

    if (rc == 0)
        rc = api__notify_recipients(j, c[RQ_EVENT], to_company ? "company" : "investor",
                                    to_company ? c[RQ_CID] : c[RQ_IID], &people);
    for (size_t i = 0; rc == 0 && i < people.n; i++) {
        const api_recipient_t *p = &people.items[i];
        tv_tpl_data_t *d = NULL;
        rendered_t r = {0};
        char *unsub = NULL, mid[512];

        snprintf(mid, sizeof(mid), "request-%s-%s-%016llx@%s", c[RQ_ID], c[RQ_STATUS],
                 api__notify_address_tag(p->email), j->host);
        rc = request_data(j, c, p, kind, &d, &unsub);
        if (rc == 0)
            rc = api__notify_render(j, kind, p->language, d, &r);
        if (rc == 0)
            rc = api__notify_queue(j, kind, c[RQ_EVENT], p, &r, unsub, mid, NULL, NULL);
        api__notify_rendered_dispose(&r);
        tv_tpl_data_destroy(d);
        free(unsub);
    }
    api_recipients_dispose(&people);
    if (rc == 0)
        rc = api__notify_mark(j, 0, strtoll(c[RQ_ID], NULL, 10), c[RQ_STATUS], 0);
    if (rc == 0)
        j->stats->requests++;
    return rc;
}

/* ---- schedules ---- */

enum {
    MT_SIDE,
    MT_PID,
    MT_EVENT,
    MT_ID,
    MT_CID,
    MT_CNAME,
    MT_IID,
    MT_INAME,
    MT_SLOT,
    MT_START,
    MT_TABLE,
    MT_STATUS,
    MT_SEQ,
    MT_TOLD,
    MT_UPDATED,
    MT_COLS
};

typedef struct {
    char *c[MT_COLS];
} mrow_t;

typedef struct {
    mrow_t *rows;
    size_t n;
} mrows_t;

static int on_meeting_row(void *ctx, const char *const *c, int n)
{
    mrows_t *m = ctx;
    mrow_t *grown;

    if (n < MT_COLS)
        return TV_EDB;
    grown = realloc(m->rows, (m->n + 1) * sizeof(*grown));
    if (grown == NULL)
        return TV_ENOMEM;
    m->rows = grown;
    for (int k = 0; k < MT_COLS; k++)
        if ((m->rows[m->n].c[k] = strdup(c[k] != NULL ? c[k] : "")) == NULL)
            return TV_ENOMEM; /* the row's copies so far leak only on a failed strdup */
    m->n++;
    return 0;
}

static void mrows_dispose(mrows_t *m)
{
    for (size_t i = 0; i < m->n; i++)
        for (int k = 0; k < MT_COLS; k++)
            free(m->rows[i].c[k]);
    free(m->rows);
}

/* The iTIP calendar of the meetings of 'g' (n rows) that 'cancel' selects, as agenda.c makes
 * it (stable UIDs, SEQUENCE), its METHOD REQUEST or CANCEL, organised by 'from' (the address
 * the message comes from) with the recipient 'p' among the attendees, as RFC 5546 wants for
 * both. NULL in '*out' when none. */
static int group_ics(const tv_event_t *e, const char *from, const api_recipient_t *p, mrow_t *g,
                     size_t n, int cancel, char **out)
{
    tv_meeting_t *m = calloc(n + 1, sizeof(*m));
    tv_cal_event_t ev = {.name = e->name,
                         .time_zone = e->time_zone,
                         .method = cancel ? TV_CAL_CANCEL : TV_CAL_REQUEST,
                         .organizer_email = from,
                         .organizer_name = "tavolo",
                         .attendee_email = p->email,
                         .attendee_name = p->name};
    char **names = calloc(2 * n + 2, sizeof(char *)), *text = NULL;
    size_t k = 0, len = 0;
    FILE *f = NULL;
    int rc = m != NULL && names != NULL ? 0 : TV_ENOMEM;

    *out = NULL;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int cancelled = strcmp(g[i].c[MT_STATUS], "cancelled") == 0;

        if (cancelled != cancel || (cancel && strcmp(g[i].c[MT_TOLD], "-1") == 0))
            continue;
        m[k].id = strtoll(g[i].c[MT_ID], NULL, 10);
        snprintf(m[k].company_id, sizeof(m[k].company_id), "%s", g[i].c[MT_CID]);
        snprintf(m[k].investor_id, sizeof(m[k].investor_id), "%s", g[i].c[MT_IID]);
        m[k].slot_index = (uint32_t)strtoul(g[i].c[MT_SLOT], NULL, 10);
        snprintf(m[k].slot_start, sizeof(m[k].slot_start), "%s", g[i].c[MT_START]);
        m[k].table_no = (uint32_t)strtoul(g[i].c[MT_TABLE], NULL, 10);
        m[k].status = cancelled ? TV_MEETING_CANCELLED : TV_MEETING_SCHEDULED;
        m[k].sequence = (int32_t)strtol(g[i].c[MT_SEQ], NULL, 10);
        m[k].updated_utc = strtoll(g[i].c[MT_UPDATED], NULL, 10);
        names[2 * k] = g[i].c[MT_CNAME], names[2 * k + 1] = g[i].c[MT_INAME];
        k++;
    }
    if (rc == 0 && k > 0 && (f = open_memstream(&text, &len)) == NULL)
        rc = TV_ENOMEM;
    if (f != NULL) {
        rc = api_agenda_itip(e, &ev, m, k, names, f);
        fclose(f);
    }
    if (rc == 0 && k > 0)
        *out = text, text = NULL;
    free(text), free(m), free(names);
    return rc;
}

/* The values of a schedule message to one person: the meetings of 'g' it tells of. */
static int schedule_data(job_t *j, mrow_t *g, size_t n, int cancel, const api_recipient_t *p,
                         tv_tpl_data_t *d, char **unsub)
{
    int company = strcmp(g[0].c[MT_SIDE], "company") == 0;
    char link[1024], when[64];
    int rc = api_unsub_url(j->key, p->email, "schedule", unsub);

    tv_page_url(api_public_url(), "agenda", g[0].c[MT_SIDE], g[0].c[MT_PID], g[0].c[MT_EVENT], -1,
                link, sizeof(link));
    if (rc == 0)
        rc = tv_tpl_set(d, "recipient", p->name != NULL && p->name[0] ? p->name : p->email);
    if (rc == 0)
        rc = tv_tpl_set(d, "who", company ? g[0].c[MT_CNAME] : g[0].c[MT_INAME]);
    if (rc == 0)
        rc = tv_tpl_set(d, "cancel", cancel ? "1" : "");
    if (rc == 0)
        rc = tv_tpl_set(d, "link", link);
    if (rc == 0)
        rc = tv_tpl_set(d, "unsubscribe", *unsub);
    if (rc == 0)
        rc = tv_tpl_list(d, "meetings");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int cancelled = strcmp(g[i].c[MT_STATUS], "cancelled") == 0;
        tv_tpl_data_t *it = NULL;

        if (cancelled != cancel || (cancel && strcmp(g[i].c[MT_TOLD], "-1") == 0))
            continue;
        if (tv_calendar_words(g[i].c[MT_START], p->language, when, sizeof(when)) != 0)
            snprintf(when, sizeof(when), "%s", g[i].c[MT_START]);
        rc = tv_tpl_add(d, "meetings", &it);
        if (rc == 0)
            rc = tv_tpl_set(it, "when", when);
        if (rc == 0)
            rc = tv_tpl_set(it, "table", g[i].c[MT_TABLE]);
        if (rc == 0)
            rc = tv_tpl_set(it, "with", company ? g[i].c[MT_INAME] : g[i].c[MT_CNAME]);
        if (rc == 0)
            rc = tv_tpl_set(it, "new", strcmp(g[i].c[MT_TOLD], "-1") == 0 ? "1" : "");
    }
    return rc;
}

/* A tag of what 'g' tells ('cancel' or not): the meetings and their SEQUENCE. */
static unsigned long long group_tag(mrow_t *g, size_t n, int cancel)
{
    unsigned long long h = api__notify_fnv(cancel ? "cancel" : "request", API_FNV0);

    for (size_t i = 0; i < n; i++) {
        h = api__notify_fnv(g[i].c[MT_ID], api__notify_fnv(":", h));
        h = api__notify_fnv(g[i].c[MT_SEQ], api__notify_fnv("@", h));
    }
    return h;
}

/* One message (REQUEST or CANCEL) to each person of the side of group 'g'. */
static int tell_group(job_t *j, const tv_event_t *e, mrow_t *g, size_t n, int cancel,
                      const api_recipients_t *people)
{
    char *ics = NULL;
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < people->n; i++) {
        const api_recipient_t *p = &people->items[i];
        tv_tpl_data_t *d = NULL;
        rendered_t r = {0};
        char *unsub = NULL, mid[512];

        free(ics);
        rc = group_ics(e, j->o->from, p, g, n, cancel, &ics);
        if (rc != 0 || ics == NULL)
            break; /* none of 'g' is of this kind: no message to anyone */
        snprintf(mid, sizeof(mid), "schedule-%016llx-%016llx-%016llx@%s",
                 api__notify_fnv(
                     g[0].c[MT_PID],
                     api__notify_fnv(g[0].c[MT_SIDE], api__notify_fnv(g[0].c[MT_EVENT], API_FNV0))),
                 group_tag(g, n, cancel), api__notify_address_tag(p->email), j->host);
        rc = tv_tpl_data_create(&d);
        if (rc == 0)
            rc = tv_tpl_set(d, "event", e->name);
        if (rc == 0)
            rc = tv_tpl_set(d, "zone", e->time_zone);
        if (rc == 0)
            rc = schedule_data(j, g, n, cancel, p, d, &unsub);
        if (rc == 0)
            rc = api__notify_render(j, "schedule", p->language, d, &r);
        if (rc == 0)
            rc = api__notify_queue(j, "schedule", e->id, p, &r, unsub, mid, ics,
                                   cancel ? "CANCEL" : "REQUEST");
        api__notify_rendered_dispose(&r);
        tv_tpl_data_destroy(d);
        free(unsub);
    }
    free(ics);
    return rc;
}

/* Tells one side (rows g[0..n) of one event) of its changed meetings, then marks them. The
 * event is decoded once per run (api__notify_event): at 6,000 participants, once per side
 * kept the job's transaction open for hours. */
static int tell_side(job_t *j, mrow_t *g, size_t n)
{
    api_recipients_t people = {0};
    const tv_event_t *e = NULL;
    int rc = api__notify_event(j, g[0].c[MT_EVENT], &e);

    if (rc == 0)
        rc = api__notify_recipients(j, g[0].c[MT_EVENT], g[0].c[MT_SIDE], g[0].c[MT_PID], &people);
    for (int cancel = 0; rc == 0 && cancel < 2; cancel++)
        rc = tell_group(j, e, g, n, cancel, &people);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = api__notify_mark(j, 1, strtoll(g[i].c[MT_ID], NULL, 10), g[i].c[MT_SIDE],
                              (int32_t)strtol(g[i].c[MT_SEQ], NULL, 10));
    if (rc == 0)
        j->stats->sides++;
    api_recipients_dispose(&people);
    return rc;
}

static int same_side(const mrow_t *a, const mrow_t *b)
{
    return strcmp(a->c[MT_EVENT], b->c[MT_EVENT]) == 0 &&
           strcmp(a->c[MT_SIDE], b->c[MT_SIDE]) == 0 && strcmp(a->c[MT_PID], b->c[MT_PID]) == 0;
}

static int tell_meetings(job_t *j)
{
    mrows_t m = {0};
    int rc = tv_store_notify_due_meetings(j->st, j->o->event_id, j->o->quiet, on_meeting_row, &m);
    size_t start = 0;

    if (rc != 0)
        api__notify_fail(j, rc, "meetings", tv_store_error(j->st));
    for (size_t i = 1; rc == 0 && i <= m.n; i++) {
        if (i < m.n && same_side(&m.rows[start], &m.rows[i]))
            continue;
        rc = tell_side(j, &m.rows[start], i - start);
        start = i;
    }
    mrows_dispose(&m);
    return rc;
}

/* ---- the job ---- */

int api_notify_run(tv_store_t *st, const api_notify_opts_t *o, api_notify_stats_t *stats, char *err,
                   size_t err_size)
{
    job_t j = {st,  o, stats, {0}, "", err, err_size, o->now > 0 ? o->now : (int64_t)time(NULL),
               NULL};
    const char *url = api_public_url(), *h = strstr(url, "://");
    int got = 0, rc;

    memset(stats, 0, sizeof(*stats));
    if (err != NULL && err_size > 0)
        err[0] = '\0';
    h = h != NULL ? h + 3 : url;
    snprintf(j.host, sizeof(j.host), "%.*s", (int)strcspn(h, ":/"), h);
    rc = api_unsub_key(st, j.key);
    if (rc != 0)
        return api__notify_fail(&j, rc, "the unsubscribe secret", tv_store_error(st));
    rc = api__notify_batch_create(&j);
    if (rc == 0)
        rc = tv_store_notify_begin(st, &got);
    if (rc == 0 && !got)
        stats->busy = 1;
    if (rc == 0 && got)
        rc = api__notify_deadlines(&j);
    if (rc == 0 && got) {
        rc = tv_store_notify_due_requests(st, o->event_id, on_request, &j);
        if (rc != 0 && err != NULL && err[0] == '\0')
            api__notify_fail(&j, rc, "requests", tv_store_error(st));
    }
    if (rc == 0 && got)
        rc = tell_meetings(&j);
    if (rc == 0 && got)
        rc = api__notify_flush(&j);
    if (rc == 0)
        rc = tv_store_notify_end(st, 1);
    else if (j.b != NULL)
        tv_store_notify_end(st, 0);
    api__notify_batch_destroy(&j);
    if (rc != 0)
        memset(stats, 0, sizeof(*stats));
    memset(j.key, 0, sizeof(j.key));
    return rc;
}
