/* The store's part for events: event files, participants, requests and meetings. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "store_internal.h"

static const char *const kind_names[] = {"company", "investor"};

/* The participant's unavailable slots and people as JSON arrays, built by hand: the values
 * are ours (slot names) or escaped here. */
static char *json_strings(const tv_strings_t *s)
{
    size_t len = 3;
    char *out, *p;

    for (size_t i = 0; i < s->n; i++)
        len += strlen(s->items[i]) + 3;
    out = malloc(len);
    if (out == NULL)
        return NULL;
    p = out + sprintf(out, "[");
    for (size_t i = 0; i < s->n; i++)
        p += sprintf(p, "%s\"%s\"", i ? "," : "", s->items[i]); /* slot names: no escapes */
    sprintf(p, "]");
    return out;
}

static int put_attendee(tv_store_t *st, const char *event_id, const tv_attendee_t *a)
{
    char max[16], min[16];
    char *unavailable = json_strings(&a->unavailable);
    const char *params[6] = {event_id, kind_names[a->kind], a->id, max, min, unavailable};
    int rc;

    if (unavailable == NULL)
        return TV_ENOMEM;
    snprintf(max, sizeof(max), "%u", a->max_meetings);
    snprintf(min, sizeof(min), "%u", a->min_meetings);
    rc = tv__store_exec_command(st,
                                "INSERT INTO event_participants (event_id, kind, profile_id, "
                                "max_meetings, min_meetings, unavailable) "
                                "VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
                                6, params);
    free(unavailable);
    return rc;
}

static int put_request(tv_store_t *st, const char *event_id, const tv_request_t *r)
{
    static const char *const statuses[] = {"pending", "accepted", "declined"};
    const char *params[7] = {event_id,
                             r->company_id,
                             r->investor_id,
                             kind_names[r->from],
                             r->must ? "must" : "want",
                             r->message,
                             statuses[r->status]};

    return tv__store_exec_command(
        st,
        "INSERT INTO meeting_requests (event_id, company_id, investor_id, from_kind, priority, "
        "message, status, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
        "CASE WHEN $7 = 'pending' THEN NULL ELSE now() END) "
        "ON CONFLICT (event_id, company_id, investor_id) DO UPDATE SET from_kind = "
        "EXCLUDED.from_kind, priority = EXCLUDED.priority, message = EXCLUDED.message, "
        "status = EXCLUDED.status, decided_at = EXCLUDED.decided_at",
        7, params);
}

int tv_store_event_put(tv_store_t *st, const tv_event_t *e, const char *doc)
{
    const char *event[5] = {e->id, e->name, e->city, e->time_zone, doc};
    const char *id[1] = {e->id};
    int rc = tv__store_exec_command(st, "BEGIN", 0, NULL);

    if (rc == 0)
        rc = tv__store_exec_command(
            st,
            "INSERT INTO events (id, name, city, time_zone, doc) VALUES ($1, $2, $3, $4, "
            "$5::jsonb) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, city = "
            "EXCLUDED.city, time_zone = EXCLUDED.time_zone, doc = EXCLUDED.doc",
            5, event);
    if (rc == 0)
        rc =
            tv__store_exec_command(st, "DELETE FROM event_participants WHERE event_id = $1", 1, id);
    for (size_t i = 0; rc == 0 && i < e->n_attendees; i++)
        rc = put_attendee(st, e->id, &e->attendees[i]);
    for (size_t i = 0; rc == 0 && i < e->n_requests; i++)
        rc = put_request(st, e->id, &e->requests[i]);
    if (rc == 0)
        rc = tv__store_exec_command(st, "COMMIT", 0, NULL);
    if (rc != 0)
        tv__store_rollback(st);
    return rc;
}

int tv_store_event_doc(tv_store_t *st, const char *id, char **doc)
{
    const char *params[1] = {id};
    PGresult *res = PQexecParams(st->conn, "SELECT doc::text FROM events WHERE id = $1", 1, NULL,
                                 params, NULL, NULL, 0);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "events");
    if (PQntuples(res) == 0)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "no event \"%s\"", id);
    else if ((*doc = strdup(PQgetvalue(res, 0, 0))) == NULL)
        rc = TV_ENOMEM;
    PQclear(res);
    return rc;
}

int tv_store_event_requests(tv_store_t *st, const char *event_id, tv_store_request_cb cb, void *ctx)
{
    const char *params[1] = {event_id};
    PGresult *res = PQexecParams(st->conn,
                                 "SELECT company_id, investor_id, priority = 'must', status "
                                 "FROM meeting_requests WHERE event_id = $1 ORDER BY id",
                                 1, NULL, params, NULL, NULL, 0);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "meeting_requests");
    for (int i = 0; i < PQntuples(res) && rc == 0; i++)
        rc = cb(ctx, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                strcmp(PQgetvalue(res, i, 2), "t") == 0, PQgetvalue(res, i, 3));
    PQclear(res);
    return rc;
}

static const char *const origin_names[] = {"must", "want", "recommended"};

static int origin_of(const char *s)
{
    for (int i = 0; i < 3; i++) {
        if (strcmp(origin_names[i], s) == 0)
            return i;
    }
    return 2;
}

static void copy_field(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

int tv_store_meetings(tv_store_t *st, const char *event_id, tv_meeting_t **out, size_t *n)
{
    const char *params[1] = {event_id};
    PGresult *res = PQexecParams(
        st->conn,
        "SELECT id, company_id, investor_id, slot_index, slot_start, table_no, score, origin, "
        "status, sequence, extract(epoch FROM updated_at)::bigint FROM meetings "
        "WHERE event_id = $1 ORDER BY status = 'cancelled', slot_index, table_no, id",
        1, NULL, params, NULL, NULL, 0);
    tv_meeting_t *m;
    int rows;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "meetings");
    rows = PQntuples(res);
    m = calloc((size_t)rows + 1, sizeof(tv_meeting_t));
    if (m == NULL) {
        PQclear(res);
        return TV_ENOMEM;
    }
    for (int i = 0; i < rows; i++) {
        m[i].id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        copy_field(m[i].company_id, sizeof(m[i].company_id), PQgetvalue(res, i, 1));
        copy_field(m[i].investor_id, sizeof(m[i].investor_id), PQgetvalue(res, i, 2));
        m[i].slot_index = (uint32_t)strtoul(PQgetvalue(res, i, 3), NULL, 10);
        copy_field(m[i].slot_start, sizeof(m[i].slot_start), PQgetvalue(res, i, 4));
        m[i].table_no = (uint32_t)strtoul(PQgetvalue(res, i, 5), NULL, 10);
        m[i].score = strtof(PQgetvalue(res, i, 6), NULL);
        m[i].origin = origin_of(PQgetvalue(res, i, 7));
        m[i].status = (tv_meeting_status_t)tv_meeting_status_parse(PQgetvalue(res, i, 8));
        m[i].sequence = (int32_t)strtol(PQgetvalue(res, i, 9), NULL, 10);
        m[i].updated_utc = strtoll(PQgetvalue(res, i, 10), NULL, 10);
    }
    PQclear(res);
    *out = m;
    *n = (size_t)rows;
    return 0;
}

/* Upserts one meeting by pair; a locked, held or no-show row keeps its status. */
static int save_one(tv_store_t *st, const char *event_id, const tv_meeting_t *m)
{
    char slot[16], table[16], score[32];
    const char *params[9] = {event_id, m->company_id,           m->investor_id,
                             slot,     m->slot_start,           table,
                             score,    origin_names[m->origin], tv_meeting_status_name(m->status)};

    snprintf(slot, sizeof(slot), "%u", m->slot_index);
    snprintf(table, sizeof(table), "%u", m->table_no);
    snprintf(score, sizeof(score), "%.9g", m->score);
    return tv__store_exec_command(
        st,
        "INSERT INTO meetings AS t (event_id, company_id, investor_id, slot_index, slot_start, "
        "table_no, score, origin, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (event_id, company_id, investor_id) DO UPDATE SET "
        "slot_index = EXCLUDED.slot_index, slot_start = EXCLUDED.slot_start, "
        "table_no = EXCLUDED.table_no, score = EXCLUDED.score, origin = EXCLUDED.origin, "
        "status = CASE WHEN t.status IN ('locked', 'held', 'no_show') THEN t.status "
        "ELSE EXCLUDED.status END, "
        "sequence = t.sequence + CASE WHEN t.id IN (SELECT id FROM tv_parked) AND "
        "t.slot_index = EXCLUDED.slot_index AND t.table_no = EXCLUDED.table_no THEN 0 "
        "WHEN t.status IN ('locked', 'held', 'no_show') AND t.slot_index = EXCLUDED.slot_index "
        "AND t.table_no = EXCLUDED.table_no THEN 0 ELSE 1 END, "
        "updated_at = CASE WHEN t.id IN (SELECT id FROM tv_parked) AND "
        "t.slot_index = EXCLUDED.slot_index AND t.table_no = EXCLUDED.table_no THEN t.updated_at "
        "WHEN t.status IN ('locked', 'held', 'no_show') AND t.slot_index = EXCLUDED.slot_index "
        "AND t.table_no = EXCLUDED.table_no THEN t.updated_at ELSE now() END",
        9, params);
}

int tv_store_meetings_save(tv_store_t *st, const char *event_id, const tv_meeting_t *m, size_t n)
{
    const char *params[1] = {event_id};
    int rc = tv__store_exec_command(st, "BEGIN", 0, NULL);

    /* Scheduled meetings step out of the unique indexes while the new schedule lands, so
     * that swaps within one transaction do not collide; those not placed again stay
     * cancelled. */
    if (rc == 0)
        rc = tv__store_exec_command(st,
                                    "CREATE TEMP TABLE tv_parked ON COMMIT DROP AS SELECT id "
                                    "FROM meetings WHERE event_id = $1 AND status = 'scheduled'",
                                    1, params);
    if (rc == 0)
        rc = tv__store_exec_command(st,
                                    "UPDATE meetings SET status = 'cancelled' WHERE id IN "
                                    "(SELECT id FROM tv_parked)",
                                    0, NULL);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = save_one(st, event_id, &m[i]);
    if (rc == 0)
        rc = tv__store_exec_command(st,
                                    "UPDATE meetings SET sequence = sequence + 1, updated_at = "
                                    "now() WHERE id IN (SELECT id FROM tv_parked) AND status = "
                                    "'cancelled'",
                                    0, NULL);
    if (rc == 0)
        rc = tv__store_exec_command(st, "COMMIT", 0, NULL);
    if (rc != 0)
        tv__store_rollback(st);
    return rc;
}
