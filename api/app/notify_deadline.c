/* The deadline part of the notify job (decision 0046): requests past their event's deadline
 * expire, the asked sides are told a day before it, and each side is reminded the day before
 * its first meeting. Everything runs inside the job's transaction (notify.c), so a message and
 * the mark that says it went commit together. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "notify_deadline.h"
#include "notify_job.h"
#include "tavolo/calendar.h"
#include "tavolo/digest.h"
#include "tavolo/error.h"

#define DAY_S 86400
#define COLS 7 /* the columns of tv_store_notify_expiring and tv_store_notify_reminders */

/* The local date ("YYYY-MM-DD") in 'tz' of the day 'add' days after the one of instant 't'. */
static int local_day(const char *tz, int64_t t, int add, char out[11])
{
    char buf[40];
    int y, m, d, rc = tv_calendar_format_local(tz, t, buf, sizeof(buf));
    int64_t noon;

    if (rc == 0 && sscanf(buf, "%d-%d-%d", &y, &m, &d) != 3)
        rc = TV_EINVAL;
    /* Noon of that day plus whole days lands on the wanted day: no clock change moves a time
     * by twelve hours. */
    if (rc == 0)
        rc = tv_calendar_local_to_utc(tz, y, m, d, 12, 0, &noon);
    if (rc == 0)
        rc = tv_calendar_format_local(tz, noon + (int64_t)add * DAY_S, buf, sizeof(buf));
    if (rc == 0)
        snprintf(out, 11, "%.10s", buf);
    return rc;
}

int api_request_deadline(const char *time_zone, const char *deadline, int64_t *closes)
{
    char next[11];
    int y, m, d, rc = deadline == NULL || deadline[0] == '\0' ? TV_ENOTFOUND : 0;
    int64_t noon;

    if (rc == 0 && !tv_calendar_valid_date(deadline)) {
        rc = tv_calendar_parse_time(time_zone, deadline, closes) == 0 ? 0 : TV_EINVAL;
        goto out;
    }
    /* A date closes at the end of its day in the event's zone: the next local midnight. */
    if (rc == 0 && sscanf(deadline, "%d-%d-%d", &y, &m, &d) != 3)
        rc = TV_EINVAL;
    if (rc == 0)
        rc = tv_calendar_local_to_utc(time_zone, y, m, d, 12, 0, &noon);
    if (rc == 0)
        rc = local_day(time_zone, noon, 1, next);
    if (rc == 0 && sscanf(next, "%d-%d-%d", &y, &m, &d) != 3)
        rc = TV_EINVAL;
    if (rc == 0)
        rc = tv_calendar_local_to_utc(time_zone, y, m, d, 0, 0, closes);
out:
    return rc;
}

int api_requests_closed(const char *time_zone, const char *deadline, int64_t now)
{
    int64_t closes;

    return api_request_deadline(time_zone, deadline, &closes) == 0 && now >= closes;
}

/* ---- rows of a side ---- */

typedef struct {
    char *c[COLS];
} row_t;

typedef struct {
    row_t *rows;
    size_t n;
} rows_t;

static int on_row(void *ctx, const char *const *c, int n)
{
    rows_t *r = ctx;
    row_t *grown;

    if (n < COLS)
        return TV_EDB;
    grown = realloc(r->rows, (r->n + 1) * sizeof(*grown));
    if (grown == NULL)
        return TV_ENOMEM;
    r->rows = grown;
    memset(&r->rows[r->n], 0, sizeof(row_t));
    r->n++;
    for (int k = 0; k < COLS; k++)
        if ((r->rows[r->n - 1].c[k] = strdup(c[k] != NULL ? c[k] : "")) == NULL)
            return TV_ENOMEM;
    return 0;
}

static void rows_dispose(rows_t *r)
{
    for (size_t i = 0; i < r->n; i++)
        for (int k = 0; k < COLS; k++)
            free(r->rows[i].c[k]);
    free(r->rows);
    memset(r, 0, sizeof(*r));
}

/* The length of the run of rows from 'start' of one side (columns 0 and 1). */
static size_t side_run(const rows_t *r, size_t start)
{
    size_t end = start + 1;

    while (end < r->n && strcmp(r->rows[end].c[0], r->rows[start].c[0]) == 0 &&
           strcmp(r->rows[end].c[1], r->rows[start].c[1]) == 0)
        end++;
    return end - start;
}

/* What differs between the messages: the kind (of mail, and of the notify_once mark: 'once'),
 * its template, its values, whether a person's rows are put in time order (their column 4) when
 * they come from several sides, and the page its links open. 'fill' gets the job and the
 * person too (its address, for links signed for it; its language, for dates in words). */
typedef struct {
    const char *kind, *once, *tpl, *tag, *event_id, *event_name;
    int (*fill)(job_t *j, const void *x, const row_t *const *items, size_t n,
                const api_recipient_t *p, tv_tpl_data_t *d);
    const void *x;
    int by_time;
    const char *page;
} message_t;

/* The rows of one side (rows[start..start+n)) and its people. */
typedef struct {
    size_t start, n;
    api_recipients_t people;
} run_t;

typedef struct {
    const rows_t *rows;
    run_t *runs;
    size_t n;
} sides_t;

/* 1 when 'email' is among the people of run 'r'. */
static int represents(const run_t *r, const char *email)
{
    for (size_t k = 0; k < r->people.n; k++)
        if (strcasecmp(r->people.items[k].email, email) == 0)
            return 1;
    return 0;
}

/* The rows of every side 'email' represents, in side order, or in time order for 'by_time';
 * '*n' of them. NULL when memory runs out. */
static const row_t **person_rows(const sides_t *s, const char *email, int by_time, size_t *n)
{
    const row_t **items = calloc(s->rows->n + 1, sizeof(*items));

    *n = 0;
    for (size_t r = 0; items != NULL && r < s->n; r++)
        for (size_t i = 0; represents(&s->runs[r], email) && i < s->runs[r].n; i++)
            items[(*n)++] = &s->rows->rows[s->runs[r].start + i];
    for (size_t a = 1; items != NULL && by_time && a < *n; a++) /* a few rows: insertion */
        for (size_t b = a; b > 0 && strcmp(items[b - 1]->c[4], items[b]->c[4]) > 0; b--) {
            const row_t *t = items[b];

            items[b] = items[b - 1], items[b - 1] = t;
        }
    return items;
}

/* The sides 'email' represents: their names joined ("who"), and a list "sides" of each with
 * its own link; "several" when more than one. */
static int person_sides(const message_t *m, const sides_t *s, const char *email, tv_tpl_data_t *d)
{
    char who[2048] = "", link[1024];
    size_t len = 0, count = 0;
    int rc = tv_tpl_list(d, "sides");

    for (size_t r = 0; rc == 0 && r < s->n; r++) {
        const row_t *g = &s->rows->rows[s->runs[r].start];
        tv_tpl_data_t *it = NULL;

        if (!represents(&s->runs[r], email))
            continue;
        tv_page_url(api_public_url(), m->page, g->c[0], g->c[1], m->event_id, -1, link,
                    sizeof(link));
        len += (size_t)snprintf(who + len, len < sizeof(who) ? sizeof(who) - len : 0, "%s%s",
                                count++ > 0 ? ", " : "", g->c[2]);
        len = len < sizeof(who) ? len : sizeof(who) - 1;
        rc = tv_tpl_add(d, "sides", &it);
        if (rc == 0)
            rc = tv_tpl_set(it, "who", g->c[2]);
        if (rc == 0)
            rc = tv_tpl_set(it, "link", link);
        if (rc == 0 && count == 1)
            rc = tv_tpl_set(d, "link", link);
    }
    if (rc == 0)
        rc = tv_tpl_set(d, "who", who);
    if (rc == 0)
        rc = tv_tpl_set(d, "several", count > 1 ? "1" : "");
    return rc;
}

/* The values of the message to 'p': every message's, then the kind's own. */
static int person_data(job_t *j, const message_t *m, const sides_t *s, const api_recipient_t *p,
                       tv_tpl_data_t *d, char **unsub)
{
    size_t n = 0;
    const row_t **items = person_rows(s, p->email, m->by_time, &n);
    int rc = items != NULL ? api_unsub_url(j->key, p->email, m->kind, unsub) : TV_ENOMEM;

    if (rc == 0)
        rc = tv_tpl_set(d, "recipient", p->name != NULL && p->name[0] ? p->name : p->email);
    if (rc == 0)
        rc = tv_tpl_set(d, "event", m->event_name);
    if (rc == 0)
        rc = tv_tpl_set(d, "unsubscribe", *unsub);
    if (rc == 0)
        rc = person_sides(m, s, p->email, d);
    if (rc == 0)
        rc = m->fill(j, m->x, items, n, p, d);
    free(items);
    return rc;
}

/* One message to person 'p', of every side of 's' they represent: once per person and event
 * (the Message-ID is the event's and the address's). */
static int tell_person(job_t *j, const message_t *m, const sides_t *s, const api_recipient_t *p)
{
    tv_tpl_data_t *d = NULL;
    rendered_t r = {0};
    char *unsub = NULL, mid[512];
    int rc;

    snprintf(mid, sizeof(mid), "%s-%016llx-%016llx@%s", m->tag,
             api__notify_fnv(m->event_id, API_FNV0), api__notify_address_tag(p->email), j->host);
    rc = tv_tpl_data_create(&d);
    if (rc == 0)
        rc = person_data(j, m, s, p, d, &unsub);
    if (rc == 0)
        rc = api__notify_render(j, m->tpl, p->language, d, &r);
    if (rc == 0)
        rc = api__notify_queue(j, m->kind, m->event_id, p, &r, unsub, mid, NULL, NULL);
    api__notify_rendered_dispose(&r);
    tv_tpl_data_destroy(d);
    free(unsub);
    return rc;
}

/* 1 when person k of run r was met in an earlier run (each run lists an address once). */
static int met_before(const sides_t *s, size_t r, size_t k)
{
    for (size_t e = 0; e < r; e++)
        if (represents(&s->runs[e], s->runs[r].people.items[k].email))
            return 1;
    return 0;
}

/* Tells every person of the sides of 'rows' (grouped by side) once, then marks every side;
 * counts the sides in '*told'. */
static int tell_sides(job_t *j, const message_t *m, const rows_t *rows, size_t *told)
{
    sides_t s = {rows, calloc(rows->n + 1, sizeof(run_t)), 0};
    int rc = s.runs != NULL ? 0 : TV_ENOMEM;

    for (size_t i = 0; rc == 0 && i < rows->n; i += s.runs[s.n++].n) {
        s.runs[s.n].start = i;
        s.runs[s.n].n = side_run(rows, i);
        rc = api__notify_recipients(j, m->event_id, rows->rows[i].c[0], rows->rows[i].c[1],
                                    &s.runs[s.n].people);
    }
    for (size_t r = 0; rc == 0 && r < s.n; r++)
        for (size_t k = 0; rc == 0 && k < s.runs[r].people.n; k++)
            if (!met_before(&s, r, k))
                rc = tell_person(j, m, &s, &s.runs[r].people.items[k]);
    for (size_t r = 0; rc == 0 && r < s.n; r++) {
        const row_t *g = &rows->rows[s.runs[r].start];

        rc = tv_store_notify_told_once(j->st, m->event_id, m->once, g->c[0], g->c[1]);
        *told += rc == 0;
    }
    for (size_t r = 0; r < s.n; r++) /* the runs looked at, the one that failed included */
        api_recipients_dispose(&s.runs[r].people);
    free(s.runs);
    return rc;
}

/* ---- the expiring notice ---- */

typedef struct {
    char deadline[40];
    const char *zone;
    int whole_day;
} expiring_t;

/* Columns: side, pid, side name, request id, asker name, priority, message. */
static int fill_expiring(job_t *j, const void *x, const row_t *const *g, size_t n,
                         const api_recipient_t *p, tv_tpl_data_t *d)
{
    const expiring_t *e = x;
    int rc = tv_tpl_set(d, "deadline", e->deadline);

    (void)j, (void)p;
    if (rc == 0)
        rc = tv_tpl_set(d, "zone", e->zone);
    if (rc == 0)
        rc = tv_tpl_set(d, "whole_day", e->whole_day ? "1" : "");
    if (rc == 0)
        rc = tv_tpl_list(d, "requests");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        tv_tpl_data_t *it = NULL;

        rc = tv_tpl_add(d, "requests", &it);
        if (rc == 0)
            rc = tv_tpl_set(it, "asker", g[i]->c[4]);
        if (rc == 0)
            rc = tv_tpl_set(it, "who", g[i]->c[2]);
        if (rc == 0)
            rc = tv_tpl_set(it, "must", strcmp(g[i]->c[5], "must") == 0 ? "1" : "");
        if (rc == 0)
            rc = tv_tpl_set(it, "message", g[i]->c[6]);
    }
    return rc;
}

/* Columns of tv_store_notify_events. */
enum { EV_ID, EV_NAME, EV_ZONE, EV_DEADLINE, EV_PENDING, EV_MEETINGS, EV_COLS };

/* In the day before the deadline 'closes': the asked sides not told yet are told. */
static int tell_expiring(job_t *j, const char *const *ev, int64_t closes)
{
    expiring_t x = {"", ev[EV_ZONE], tv_calendar_valid_date(ev[EV_DEADLINE])};
    message_t m = {"request_expiring",
                   "request_expiring",
                   "request_expiring",
                   "expiring",
                   ev[EV_ID],
                   ev[EV_NAME],
                   fill_expiring,
                   &x,
                   0,
                   "requests"};
    rows_t rows = {0};
    char local[40];
    int rc;

    if (x.whole_day)
        snprintf(x.deadline, sizeof(x.deadline), "%s", ev[EV_DEADLINE]);
    else if (tv_calendar_format_local(ev[EV_ZONE], closes, local, sizeof(local)) == 0)
        snprintf(x.deadline, sizeof(x.deadline), "%.10s %.5s", local, local + 11);
    rc = tv_store_notify_expiring(j->st, ev[EV_ID], on_row, &rows);
    if (rc != 0)
        api__notify_fail(j, rc, ev[EV_ID], tv_store_error(j->st));
    if (rc == 0)
        rc = tell_sides(j, &m, &rows, &j->stats->expiring);
    rows_dispose(&rows);
    return rc;
}

/* Past the deadline: the pending requests expire (once: only pending rows change). In the
 * day before it: the expiring notices. */
static int deadline_of(job_t *j, const char *const *ev)
{
    int64_t closes, n = 0;
    int rc = 0;

    if (strcmp(ev[EV_PENDING], "1") != 0 ||
        api_request_deadline(ev[EV_ZONE], ev[EV_DEADLINE], &closes) != 0)
        goto out;
    if (j->now >= closes) {
        rc = tv_store_notify_expire(j->st, ev[EV_ID], &n);
        if (rc != 0)
            api__notify_fail(j, rc, ev[EV_ID], tv_store_error(j->st));
        j->stats->expired += rc == 0 ? (size_t)n : 0;
    } else if (j->now >= closes - DAY_S) {
        rc = tell_expiring(j, ev, closes);
    }
out:
    return rc;
}

/* ---- the reminder ---- */

/* Columns: side, pid, side name, meeting id, slot_start, table_no, the other side's name. */
static int fill_reminder(job_t *j, const void *x, const row_t *const *g, size_t n,
                         const api_recipient_t *p, tv_tpl_data_t *d)
{
    char day[64];
    int rc;

    (void)j;
    if (tv_calendar_words(x, p->language, day, sizeof(day)) != 0)
        snprintf(day, sizeof(day), "%s", (const char *)x);
    rc = tv_tpl_set(d, "day", day);
    if (rc == 0)
        rc = tv_tpl_list(d, "meetings");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        tv_tpl_data_t *it = NULL;

        rc = tv_tpl_add(d, "meetings", &it);
        if (rc == 0)
            rc = tv_tpl_set(it, "time", strlen(g[i]->c[4]) > 11 ? g[i]->c[4] + 11 : g[i]->c[4]);
        if (rc == 0)
            rc = tv_tpl_set(it, "who", g[i]->c[2]);
        if (rc == 0)
            rc = tv_tpl_set(it, "table", g[i]->c[5]);
        if (rc == 0)
            rc = tv_tpl_set(it, "with", g[i]->c[6]);
    }
    return rc;
}

/* The sides whose first meeting is tomorrow in the event's zone, not reminded yet. */
static int reminders_of(job_t *j, const char *const *ev)
{
    char day[11];
    message_t m = {"reminder", "reminder",  "meeting_reminder", "reminder",
                   ev[EV_ID],  ev[EV_NAME], fill_reminder,      day,
                   1,          "agenda"};
    rows_t rows = {0};
    /* Nothing to do without meetings, or in a zone the codec would have refused. */
    int skip = strcmp(ev[EV_MEETINGS], "1") != 0 || local_day(ev[EV_ZONE], j->now, 1, day) != 0;
    int rc = skip ? 0 : tv_store_notify_reminders(j->st, ev[EV_ID], day, on_row, &rows);

    if (rc != 0)
        api__notify_fail(j, rc, ev[EV_ID], tv_store_error(j->st));
    if (rc == 0)
        rc = tell_sides(j, &m, &rows, &j->stats->reminded);
    rows_dispose(&rows);
    return rc;
}

/* ---- what came of the meetings (issue 18, decision 0067) ---- */

static const char *const ANSWERS[] = {"1", "2", "3", "4", "5", "no_show"};

typedef struct {
    const char *event_id;
    const char *again; /* "1" for the reminder, "" for the first message */
} outcome_x_t;

/* Columns as the reminder's. Each meeting with its one-click links, signed for 'email': "rate1"
 * to "rate5" (held, with that rating) and "no_show". */
static int fill_outcome(job_t *j, const void *x, const row_t *const *g, size_t n,
                        const api_recipient_t *p, tv_tpl_data_t *d)
{
    const outcome_x_t *o = x;
    int rc = tv_tpl_set(d, "again", o->again);

    if (rc == 0)
        rc = tv_tpl_list(d, "meetings");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        tv_tpl_data_t *it = NULL;
        char when[64];

        if (tv_calendar_words(g[i]->c[4], p->language, when, sizeof(when)) != 0)
            snprintf(when, sizeof(when), "%s", g[i]->c[4]);
        rc = tv_tpl_add(d, "meetings", &it);
        if (rc == 0)
            rc = tv_tpl_set(it, "when", when);
        if (rc == 0)
            rc = tv_tpl_set(it, "who", g[i]->c[2]);
        if (rc == 0)
            rc = tv_tpl_set(it, "with", g[i]->c[6]);
        for (size_t a = 0; rc == 0 && a < sizeof(ANSWERS) / sizeof(*ANSWERS); a++) {
            char *url = NULL, name[16];

            rc = api_outcome_url(j->key, p->email, o->event_id, g[i]->c[3], g[i]->c[0], ANSWERS[a],
                                 &url);
            snprintf(name, sizeof(name), a < 5 ? "rate%s" : "no_show", ANSWERS[a]);
            if (rc == 0)
                rc = tv_tpl_set(it, name, url);
            free(url);
        }
    }
    return rc;
}

/* The sides whose meetings have all ended, asked once; 3 days later, those that left some
 * unanswered, asked once more about those. */
static int outcomes_of(job_t *j, const char *const *ev)
{
    int rc = 0;

    for (int again = 0; rc == 0 && again < 2; again++) {
        outcome_x_t x = {ev[EV_ID], again ? "1" : ""};
        message_t m = {"outcome",
                       again ? "outcome_reminder" : "outcome_ask",
                       "outcome",
                       again ? "outcome-reminder" : "outcome-ask",
                       ev[EV_ID],
                       ev[EV_NAME],
                       fill_outcome,
                       &x,
                       1,
                       "agenda"};
        rows_t rows = {0};

        if (strcmp(ev[EV_MEETINGS], "1") == 0)
            rc = tv_store_notify_outcomes(j->st, ev[EV_ID], again, j->now, on_row, &rows);
        if (rc != 0)
            api__notify_fail(j, rc, ev[EV_ID], tv_store_error(j->st));
        if (rc == 0)
            rc = tell_sides(j, &m, &rows, again ? &j->stats->asked_again : &j->stats->asked);
        rows_dispose(&rows);
    }
    return rc;
}

/* ---- the job's part ---- */

typedef struct {
    char *c[EV_COLS];
} event_row_t;

typedef struct {
    event_row_t *rows;
    size_t n;
} events_t;

static int on_event(void *ctx, const char *const *c, int n)
{
    events_t *e = ctx;
    event_row_t *grown;

    if (n < EV_COLS)
        return TV_EDB;
    grown = realloc(e->rows, (e->n + 1) * sizeof(*grown));
    if (grown == NULL)
        return TV_ENOMEM;
    e->rows = grown;
    memset(&e->rows[e->n], 0, sizeof(event_row_t));
    e->n++;
    for (int k = 0; k < EV_COLS; k++)
        if ((e->rows[e->n - 1].c[k] = strdup(c[k] != NULL ? c[k] : "")) == NULL)
            return TV_ENOMEM;
    return 0;
}

int api__notify_deadlines(job_t *j)
{
    events_t ev = {0};
    int rc = tv_store_notify_events(j->st, j->o->event_id, on_event, &ev);

    if (rc != 0)
        api__notify_fail(j, rc, "events", tv_store_error(j->st));
    for (size_t i = 0; rc == 0 && i < ev.n; i++) {
        rc = deadline_of(j, (const char *const *)ev.rows[i].c);
        if (rc == 0)
            rc = reminders_of(j, (const char *const *)ev.rows[i].c);
        if (rc == 0)
            rc = outcomes_of(j, (const char *const *)ev.rows[i].c);
    }
    for (size_t i = 0; i < ev.n; i++)
        for (int k = 0; k < EV_COLS; k++)
            free(ev.rows[i].c[k]);
    free(ev.rows);
    return rc;
}
