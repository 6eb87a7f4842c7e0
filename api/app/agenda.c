/* Agendas of an event's meetings: iCalendar for calendars, CSV per table for printing. Shared by
 * `tavolo agenda` and the API. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "tavolo/calendar.h"
#include "tavolo/codec.h"
#include "tavolo/error.h"

typedef struct {
    const tv_taxonomy_t *tax;
    tv_profile_kind_t kind;
    char **names; /* per meeting: company name, investor name */
    const tv_meeting_t *m;
    size_t n;
} names_t;

static int on_profile(void *ctx, const char *id, const char *json, size_t len)
{
    names_t *x = ctx;
    tv_diags_t d = {0};
    tv_company_t c;
    tv_investor_t inv;
    const char *name;
    int rc = x->kind == TV_KIND_COMPANY ? tv_codec_company_decode(x->tax, json, len, &c, &d)
                                        : tv_codec_investor_decode(x->tax, json, len, &inv, &d);

    tv_diags_dispose(&d);
    if (rc != 0)
        return 0;
    name = x->kind == TV_KIND_COMPANY ? c.name : inv.name;
    for (size_t k = 0; k < x->n; k++) {
        const char *mid = x->kind == TV_KIND_COMPANY ? x->m[k].company_id : x->m[k].investor_id;

        if (strcmp(mid, id) == 0 && x->names[2 * k + x->kind] == NULL)
            x->names[2 * k + x->kind] = strdup(name);
    }
    if (x->kind == TV_KIND_COMPANY)
        tv_company_dispose(&c);
    else
        tv_investor_dispose(&inv);
    return 0;
}

/* The names of both sides of every meeting (ids when a profile is gone). */
int api_agenda_names(tv_store_t *st, const tv_taxonomy_t *tax, const tv_meeting_t *m, size_t n,
                     char ***out)
{
    names_t x = {tax, TV_KIND_COMPANY, calloc(2 * n + 2, sizeof(char *)), m, n};
    const char **ids = calloc(n + 1, sizeof(char *));
    int rc = x.names != NULL && ids != NULL ? 0 : TV_ENOMEM;

    for (int k = 0; k < 2 && rc == 0; k++) {
        x.kind = (tv_profile_kind_t)k;
        for (size_t i = 0; i < n; i++)
            ids[i] = k == 0 ? m[i].company_id : m[i].investor_id;
        if (n > 0)
            rc = tv_store_each(st, x.kind, ids, n, on_profile, &x);
    }
    for (size_t i = 0; rc == 0 && i < 2 * n; i++) {
        if (x.names[i] == NULL)
            x.names[i] = strdup(i % 2 == 0 ? m[i / 2].company_id : m[i / 2].investor_id);
    }
    free(ids);
    *out = x.names;
    return rc;
}

static const tv_attendee_t *attendee(const tv_event_t *e, tv_profile_kind_t kind, const char *id)
{
    for (size_t a = 0; a < e->n_attendees; a++) {
        if (e->attendees[a].kind == kind && strcmp(e->attendees[a].id, id) == 0)
            return &e->attendees[a];
    }
    return NULL;
}

/* Fills the e-mails and names of both parties' people (up to 'max'). */
static size_t people_of(const tv_event_t *e, const tv_meeting_t *m, const char **emails,
                        const char **names, size_t max)
{
    const tv_attendee_t *sides[2] = {attendee(e, TV_KIND_COMPANY, m->company_id),
                                     attendee(e, TV_KIND_INVESTOR, m->investor_id)};
    size_t n = 0;

    for (int s = 0; s < 2; s++) {
        for (size_t p = 0; sides[s] != NULL && p < sides[s]->n_people && n + 1 < max; p++) {
            emails[n] = sides[s]->people[p].email;
            names[n++] = sides[s]->people[p].name;
        }
    }
    emails[n] = names[n] = NULL;
    return n;
}

int api_agenda_ics(const tv_event_t *e, const tv_meeting_t *m, size_t n, char **names, FILE *out)
{
    tv_cal_event_t ev = {e->name, e->time_zone, TV_CAL_PUBLISH, NULL, NULL, NULL, NULL};

    return api_agenda_itip(e, &ev, m, n, names, out);
}

/* The text of one calendar's meetings, kept until the calendar is written. */
typedef struct {
    tv_cal_meeting_t *cal;
    char (*uid)[96], (*summary)[300], (*where)[160], (*desc)[1024];
    const char *(*emails)[16], *(*people)[16];
} rows_t;

static int rows_alloc(rows_t *r, size_t n)
{
    r->cal = calloc(n + 1, sizeof(*r->cal));
    r->uid = calloc(n + 1, sizeof(*r->uid));
    r->summary = calloc(n + 1, sizeof(*r->summary));
    r->where = calloc(n + 1, sizeof(*r->where));
    r->desc = calloc(n + 1, sizeof(*r->desc));
    r->emails = calloc(n + 1, sizeof(*r->emails));
    r->people = calloc(n + 1, sizeof(*r->people));
    return r->cal && r->uid && r->summary && r->where && r->desc && r->emails && r->people
               ? 0
               : TV_ENOMEM;
}

static void rows_free(rows_t *r)
{
    free(r->cal), free(r->uid), free(r->summary), free(r->where), free(r->desc);
    free(r->emails), free(r->people);
}

/* Writes into 'desc' the event's name and, per side, its people's names ("Velarna: Anna
 * Rossi, Luca Dubois"): what a feed says of the people instead of their addresses. */
static void people_text(const tv_event_t *e, const tv_meeting_t *m, char **names, char *desc,
                        size_t size)
{
    const tv_attendee_t *sides[2] = {attendee(e, TV_KIND_COMPANY, m->company_id),
                                     attendee(e, TV_KIND_INVESTOR, m->investor_id)};
    size_t used = (size_t)snprintf(desc, size, "%s", e->name);

    for (int s = 0; s < 2 && used < size; s++) {
        if (sides[s] == NULL || sides[s]->n_people == 0)
            continue;
        used += (size_t)snprintf(desc + used, size - used, "\n%s:", names[s]);
        for (size_t p = 0; p < sides[s]->n_people && used < size; p++)
            used += (size_t)snprintf(desc + used, size - used, "%s %s", p > 0 ? "," : "",
                                     sides[s]->people[p].name);
    }
}

/* Fills row 'k' of 'r' from meeting 'm' of event 'e' ('names': its two sides). A feed names
 * the people in the description and lists no attendee address. */
static int fill_row(rows_t *r, size_t k, const tv_event_t *e, const tv_meeting_t *m, char **names,
                    int feed)
{
    int y, mo, d, h, mi;
    int64_t start;

    if (sscanf(m->slot_start, "%d-%d-%dT%d:%d", &y, &mo, &d, &h, &mi) != 5 ||
        tv_calendar_local_to_utc(e->time_zone, y, mo, d, h, mi, &start) != 0)
        return TV_EINVAL;
    snprintf(r->uid[k], sizeof(r->uid[k]), "meeting-%lld-%s@tavolo", (long long)m->id, e->id);
    snprintf(r->summary[k], sizeof(r->summary[k]), "%s / %s", names[0], names[1]);
    snprintf(r->where[k], sizeof(r->where[k]), "Table %u%s%s", m->table_no, e->city ? ", " : "",
             e->city ? e->city : "");
    if (feed)
        people_text(e, m, names, r->desc[k], sizeof(r->desc[k]));
    else
        people_of(e, m, r->emails[k], r->people[k], 16);
    r->cal[k] = (tv_cal_meeting_t){r->uid[k],
                                   start,
                                   start + 60 * e->slot_minutes,
                                   m->sequence,
                                   m->status == TV_MEETING_CANCELLED,
                                   r->summary[k],
                                   feed ? r->desc[k] : e->name,
                                   r->where[k],
                                   feed ? NULL : r->emails[k],
                                   feed ? NULL : r->people[k],
                                   m->updated_utc};
    return 0;
}

/* Writes one VCALENDAR of the meetings of every part, in order. */
static int write_calendar(const tv_cal_event_t *ev, const api_agenda_part_t *parts, size_t k,
                          int feed, FILE *out)
{
    size_t n = 0, at = 0;
    rows_t r = {0};
    char *text = NULL;
    int rc;

    for (size_t p = 0; p < k; p++)
        n += parts[p].n;
    rc = rows_alloc(&r, n);
    for (size_t p = 0; rc == 0 && p < k; p++) {
        for (size_t i = 0; rc == 0 && i < parts[p].n; i++, at++)
            rc = fill_row(&r, at, parts[p].e, &parts[p].m[i], &parts[p].names[2 * i], feed);
    }
    if (rc == 0)
        rc = tv_calendar_ics(ev, r.cal, n, &text);
    if (rc == 0)
        fputs(text, out);
    free(text);
    rows_free(&r);
    return rc;
}

int api_agenda_itip(const tv_event_t *e, const tv_cal_event_t *ev, const tv_meeting_t *m, size_t n,
                    char **names, FILE *out)
{
    api_agenda_part_t part = {e, m, n, names};

    return write_calendar(ev, &part, 1, 0, out);
}

int api_agenda_feed(const char *title, const api_agenda_part_t *parts, size_t k, FILE *out)
{
    tv_cal_event_t ev = {
        title, k == 1 ? parts[0].e->time_zone : "Etc/UTC", TV_CAL_PUBLISH, NULL, NULL, NULL, NULL};

    return write_calendar(&ev, parts, k, 1, out);
}

/* Meetings by table, then slot: the venue's order. */
static int by_table_then_slot(const void *a, const void *b)
{
    const tv_meeting_t *x = *(const tv_meeting_t *const *)a, *y = *(const tv_meeting_t *const *)b;

    if (x->table_no != y->table_no)
        return x->table_no < y->table_no ? -1 : 1;
    if (x->slot_index != y->slot_index)
        return x->slot_index < y->slot_index ? -1 : 1;
    return x < y ? -1 : x > y; /* stable: the order they came in */
}

/* Meetings by slot, then table: the day's order. */
static int by_slot_then_table(const void *a, const void *b)
{
    const tv_meeting_t *x = *(const tv_meeting_t *const *)a, *y = *(const tv_meeting_t *const *)b;

    if (x->slot_index != y->slot_index)
        return x->slot_index < y->slot_index ? -1 : 1;
    if (x->table_no != y->table_no)
        return x->table_no < y->table_no ? -1 : 1;
    return x < y ? -1 : x > y;
}

static void csv_row(FILE *out, const char *const *cells, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        csv_fwrite(out, cells[c], strlen(cells[c]));
        fputc(c + 1 < n ? ',' : '\n', out);
    }
}

/* 'm' in the order of 'cmp' (pointers into 'm'; free()), or NULL when out of memory. 18,000
 * meetings at BIO-Europe size: an insertion sort was quadratic in them. */
static const tv_meeting_t **sorted(const tv_meeting_t *m, size_t n,
                                   int (*cmp)(const void *, const void *))
{
    const tv_meeting_t **order = malloc((n + 1) * sizeof(*order));

    if (order == NULL)
        return NULL;
    for (size_t k = 0; k < n; k++)
        order[k] = &m[k];
    qsort(order, n, sizeof(*order), cmp);
    return order;
}

int api_agenda_csv(const tv_meeting_t *m, size_t n, char **names, FILE *out)
{
    static const char *const header[] = {"table",       "slot",     "company_id", "company",
                                         "investor_id", "investor", "status"};
    const tv_meeting_t **order = sorted(m, n, by_table_then_slot);

    if (order == NULL)
        return TV_ENOMEM;
    csv_row(out, header, 7);
    for (size_t r = 0; r < n; r++) {
        const tv_meeting_t *x = order[r];
        size_t k = (size_t)(x - m);
        char table[16];
        const char *cells[7] = {table,
                                x->slot_start,
                                x->company_id,
                                names[2 * k],
                                x->investor_id,
                                names[2 * k + 1],
                                tv_meeting_status_name(x->status)};

        snprintf(table, sizeof(table), "%u", x->table_no);
        csv_row(out, cells, 7);
    }
    free(order);
    return 0;
}

/* The local end "YYYY-MM-DDTHH:MM" of a slot starting at local 'start', 'minutes' long (slots
 * end within their day). */
static void slot_end(const char *start, unsigned minutes, char out[17])
{
    unsigned h = 0, mi = 0, total;

    snprintf(out, 17, "%s", start);
    if (strlen(start) < 16 || sscanf(start + 11, "%2u:%2u", &h, &mi) != 2)
        return;
    total = h * 60 + mi + minutes;
    snprintf(out + 11, 6, "%02u:%02u", total / 60 % 100, total % 60);
}

int api_agenda_meetings_csv(const tv_event_t *e, const tv_meeting_t *m, size_t n, char **names,
                            FILE *out)
{
    static const char *const header[] = {"id",         "start",   "end",         "table",
                                         "company_id", "company", "investor_id", "investor",
                                         "status",     "pinned"};
    const tv_meeting_t **order = sorted(m, n, by_slot_then_table);

    if (order == NULL)
        return TV_ENOMEM;
    csv_row(out, header, 10);
    for (size_t r = 0; r < n; r++) {
        const tv_meeting_t *x = order[r];
        size_t k = (size_t)(x - m);
        char id[24], table[16], end[17];
        const char *cells[10] = {id,
                                 x->slot_start,
                                 end,
                                 table,
                                 x->company_id,
                                 names[2 * k],
                                 x->investor_id,
                                 names[2 * k + 1],
                                 tv_meeting_status_name(x->status),
                                 x->pinned ? "true" : "false"};

        snprintf(id, sizeof(id), "%lld", (long long)x->id);
        snprintf(table, sizeof(table), "%u", x->table_no);
        slot_end(x->slot_start, (unsigned)e->slot_minutes, end);
        csv_row(out, cells, 10);
    }
    free(order);
    return 0;
}

/* Keeps the meetings of 'participant' (NULL: all) that are not cancelled, or for calendars
 * also the cancelled ones (they tell calendars to drop the meeting). */
size_t api_agenda_select(tv_meeting_t *m, size_t n, const char *participant, int cancelled)
{
    size_t kept = 0;

    for (size_t k = 0; k < n; k++) {
        if (participant != NULL && strcmp(m[k].company_id, participant) != 0 &&
            strcmp(m[k].investor_id, participant) != 0)
            continue;
        if (m[k].status == TV_MEETING_CANCELLED && !cancelled)
            continue;
        m[kept++] = m[k];
    }
    return kept;
}
