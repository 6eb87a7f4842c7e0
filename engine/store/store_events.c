/* The store's part for events: event files, participants, requests and meetings. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "store_internal.h"

static const char *const kind_names[] = {"company", "investor"};

/* The one text that 'sql' ('n' 'params') answers about event 'id' into '*out' (free()), its
 * failure named 'what'; TV_ENOTFOUND when it answers no row. */
static int event_text(tv_store_t *st, const char *sql, int n, const char *const *params,
                      const char *id, const char *what, char **out)
{
    PGresult *res = tv__store_params(st, sql, n, params, NULL, NULL, 0);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, what);
    if (PQntuples(res) == 0)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "no event \"%s\"", id);
    else if ((*out = strdup(PQgetvalue(res, 0, 0))) == NULL)
        rc = TV_ENOMEM;
    PQclear(res);
    return rc;
}

int tv_store_event_doc(tv_store_t *st, const char *id, char **doc)
{
    const char *params[1] = {id};

    return event_text(st, "SELECT doc::text FROM events WHERE id = $1", 1, params, id, "events",
                      doc);
}

/* A copy of the value at row 0, column 'col' of 'res' into '*out', NULL for SQL null; -1 when out
 * of memory. */
static int copy_nullable(const PGresult *res, int col, char **out)
{
    *out = PQgetisnull(res, 0, col) ? NULL : strdup(PQgetvalue(res, 0, col));
    return PQgetisnull(res, 0, col) || *out != NULL ? 0 : -1;
}

/* The participants ($2 kind, $3 id) and requests ($4 the caller's side column) naming the
 * caller, each array kept only where the file has it, in the file's order. */
#define OWN_ITEMS(key, cond)                                                                       \
    "CASE WHEN jsonb_typeof(e.doc->'" key "') = 'array' THEN jsonb_build_object('" key "', "       \
    "(SELECT coalesce(jsonb_agg(x ORDER BY n), '[]') FROM jsonb_array_elements(e.doc->'" key "') " \
    "WITH ORDINALITY AS t(x, n) WHERE " cond ")) WHEN e.doc ? '" key "' THEN "                     \
    "jsonb_build_object('" key "', e.doc->'" key "') ELSE '{}' END"

#define OWN_PARTICIPANTS OWN_ITEMS("participants", "x->>'kind' = $2 AND x->>'id' = $3")
#define OWN_REQUESTS OWN_ITEMS("requests", "x->>$4 = $3")

/* The view is the event's head and the participant's own part, both kept beside the file
 * (migration 027, decision 0062); only for a participant the file does not list is it cut from
 * the file here. */
static const char *const own_doc_sql =
    "SELECT CASE WHEN p.own IS NOT NULL THEN e.head || p.own ELSE e.doc - 'participants' - "
    "'requests' || " OWN_PARTICIPANTS " || " OWN_REQUESTS " END::text FROM events e LEFT JOIN "
    "event_participants p ON p.event_id = e.id AND p.kind = $2 AND p.profile_id = $3 WHERE e.id "
    "= $1";

int tv_store_event_doc_of(tv_store_t *st, const char *id, tv_profile_kind_t kind,
                          const char *profile_id, char **doc)
{
    const char *params[4] = {id, kind_names[kind], profile_id,
                             kind == TV_KIND_COMPANY ? "company_id" : "investor_id"};

    return event_text(st, own_doc_sql, 4, params, id, "events", doc);
}

int tv_store_event_deadline(tv_store_t *st, const char *id, char **time_zone, char **deadline)
{
    const char *params[1] = {id};
    PGresult *res =
        tv__store_params(st,
                         "SELECT head->>'time_zone', head->>'request_deadline' FROM events "
                         "WHERE id = $1",
                         1, params, NULL, NULL, 0);
    char *tz = NULL, *dl = NULL;
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "events");
    if (PQntuples(res) == 0)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "no event \"%s\"", id);
    else if (copy_nullable(res, 0, &tz) != 0 || copy_nullable(res, 1, &dl) != 0)
        rc = TV_ENOMEM;
    PQclear(res);
    if (rc == 0) {
        *time_zone = tz;
        *deadline = dl;
        tz = dl = NULL;
    }
    free(tz);
    free(dl);
    return rc;
}

int tv_store_event_requests(tv_store_t *st, const char *event_id, tv_store_request_cb cb, void *ctx)
{
    const char *params[1] = {event_id};
    PGresult *res = tv__store_params(st,
                                     "SELECT company_id, investor_id, priority = 'must', status "
                                     "FROM meeting_requests WHERE event_id = $1 ORDER BY id",
                                     1, params, NULL, NULL, 0);
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

/* The failed statement's violated unique or exclusion constraint, or NULL. */
static const char *violated(PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

    return state != NULL && (strcmp(state, "23505") == 0 || strcmp(state, "23P01") == 0)
               ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME)
               : NULL;
}

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

/* A meeting's numbers as the text of statement parameters. */
typedef struct {
    char slot[16], table[16], score[32];
} meeting_text_t;

static meeting_text_t meeting_text(const tv_meeting_t *m)
{
    meeting_text_t t;

    snprintf(t.slot, sizeof(t.slot), "%u", m->slot_index);
    snprintf(t.table, sizeof(t.table), "%u", m->table_no);
    snprintf(t.score, sizeof(t.score), "%.9g", m->score);
    return t;
}

#define MEETING_COLUMNS                                                                            \
    "SELECT id, company_id, investor_id, slot_index, slot_start, table_no, score, origin, "        \
    "status, sequence, extract(epoch FROM updated_at)::bigint, pinned FROM meetings "
#define MEETING_ORDER " ORDER BY status = 'cancelled', slot_index, table_no, id"

/* The meetings that 'sql' selects (MEETING_COLUMNS) with its 'n_params' 'params'. */
static int read_meetings(tv_store_t *st, const char *sql, int n_params, const char *const *params,
                         tv_meeting_t **out, size_t *n)
{
    PGresult *res = tv__store_params(st, sql, n_params, params, NULL, NULL, 0);
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
        m[i].pinned = strcmp(PQgetvalue(res, i, 11), "t") == 0;
    }
    PQclear(res);
    *out = m;
    *n = (size_t)rows;
    return 0;
}

int tv_store_meetings(tv_store_t *st, const char *event_id, tv_meeting_t **out, size_t *n)
{
    const char *params[1] = {event_id};

    return read_meetings(st, MEETING_COLUMNS "WHERE event_id = $1" MEETING_ORDER, 1, params, out,
                         n);
}

int tv_store_meeting_by_id(tv_store_t *st, const char *event_id, const char *id, tv_meeting_t **out,
                           size_t *n)
{
    const char *params[2] = {event_id, id};

    return read_meetings(st, MEETING_COLUMNS "WHERE event_id = $1 AND id = $2::bigint", 2, params,
                         out, n);
}

int tv_store_meetings_of(tv_store_t *st, const char *event_id, tv_profile_kind_t kind,
                         const char *profile_id, tv_meeting_t **out, size_t *n)
{
    static const char *const sql[] = {
        MEETING_COLUMNS "WHERE event_id = $1 AND company_id = $2" MEETING_ORDER,
        MEETING_COLUMNS "WHERE event_id = $1 AND investor_id = $2" MEETING_ORDER};
    const char *params[2] = {event_id, profile_id};

    return read_meetings(st, sql[kind == TV_KIND_COMPANY ? 0 : 1], 2, params, out, n);
}

/* The other side's columns (column 'other', table 'profiles', kind 'other_kind') of the
 * meetings where column 'own' = $2, at event $1. */
#define SIDES_SQL(own, other, profiles, other_kind)                                                \
    "SELECT DISTINCT m." other ", coalesce(p.doc->>'name', m." other "), coalesce((SELECT "        \
    "jsonb_agg(x->>'name' ORDER BY o) FROM jsonb_array_elements(ep.people) WITH ORDINALITY t(x, "  \
    "o)), '[]')::text, e.time_zone FROM meetings m JOIN events e ON e.id = m.event_id LEFT "       \
    "JOIN " profiles " p ON p.id = m." other " LEFT JOIN event_participants ep ON ep.event_id = "  \
    "m.event_id AND ep.kind = '" other_kind "' AND ep.profile_id = m." other " WHERE m.event_id "  \
    "= $1 AND m." own " = $2"

int tv_store_meeting_sides(tv_store_t *st, const char *event_id, tv_profile_kind_t kind,
                           const char *profile_id, tv_store_row_cb cb, void *ctx)
{
    static const char *const sql[] = {
        SIDES_SQL("company_id", "investor_id", "investors", "investor"),
        SIDES_SQL("investor_id", "company_id", "companies", "company")};
    const char *params[2] = {event_id, profile_id};

    return tv__store_each_row(st, "meetings", sql[kind == TV_KIND_COMPANY ? 0 : 1], 2, params, cb,
                              ctx);
}

/* The other meetings of a participant (column 'col' = $2) that overlap the slot $3 of event
 * $1, the pair ($4, $5) of that event aside. */
#define OVERLAP_SQL(col)                                                                           \
    "SELECT o.id, o.event_id, o.slot_start FROM meetings o, events e WHERE e.id = $1 AND " col     \
    " = $2 AND o.status <> 'cancelled' AND NOT (o.event_id = $1 AND o.company_id = $4 AND "        \
    "o.investor_id = $5) AND o.during && tstzrange($3::timestamp AT TIME ZONE e.time_zone, "       \
    "($3::timestamp + make_interval(mins => coalesce((e.head->>'slot_minutes')::int, 0))) AT "     \
    "TIME ZONE e.time_zone) ORDER BY o.during LIMIT 1"

/* The meeting at another event that 'm' would overlap for its company (or investor), read
 * after rolling the failed transaction back; a fresh one is opened so that the caller's
 * ROLLBACK still has one to end. */
static int overlap(tv_store_t *st, const char *event_id, const tv_meeting_t *m, int company)
{
    const char *who = company ? m->company_id : m->investor_id;
    const char *params[5] = {event_id, who, m->slot_start, m->company_id, m->investor_id};
    const char *sql = company ? OVERLAP_SQL("o.company_id") : OVERLAP_SQL("o.investor_id");
    PGresult *res;
    int rc;

    tv__store_rollback(st);
    PQclear(PQexec(st->conn, "BEGIN"));
    res = tv__store_params(st, sql, 5, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "meetings");
    if (PQntuples(res) == 0)
        rc = tv__store_set_error(st, TV_ECONFLICT, "%s %s has another meeting at %s",
                                 company ? "company" : "investor", who, m->slot_start);
    else
        rc = tv__store_set_error(st, TV_ECONFLICT,
                                 "%s %s is in meeting %s of event %s at %s then (no person in two "
                                 "places)",
                                 company ? "company" : "investor", who, PQgetvalue(res, 0, 0),
                                 PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
    PQclear(res);
    return rc;
}

/* The other meetings of event $1 in slot $2 that hold table $3, company $4 or investor $5
 * (whichever the condition names), the pair ($4, $5) itself aside. */
#define SAME_SLOT_SQL(cond)                                                                        \
    "SELECT id FROM meetings WHERE event_id = $1 AND slot_index = $2::int AND status <> "          \
    "'cancelled' AND NOT (company_id = $4 AND investor_id = $5) AND $3::text <> '' AND " cond      \
    " ORDER BY id LIMIT 1"

/* The id of the meeting of the same event that holds what 'm' wanted in its slot ("" when it
 * is gone), read after rolling the failed transaction back, as overlap() does. */
static int same_slot(tv_store_t *st, const char *event_id, const tv_meeting_t *m, int which,
                     char *id, size_t size)
{
    static const char *const sql[] = {SAME_SLOT_SQL("table_no = $3::int"),
                                      SAME_SLOT_SQL("company_id = $4"),
                                      SAME_SLOT_SQL("investor_id = $5")};
    meeting_text_t t = meeting_text(m);
    const char *params[5] = {event_id, t.slot, t.table, m->company_id, m->investor_id};
    PGresult *res;

    tv__store_rollback(st);
    PQclear(PQexec(st->conn, "BEGIN"));
    res = tv__store_params(st, sql[which], 5, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "meetings");
    snprintf(id, size, "%s", PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    return 0;
}

/* Names the meeting a new slot or table clashes with. */
static int clash(tv_store_t *st, const char *event_id, const char *constraint,
                 const tv_meeting_t *m)
{
    static const char *const names[] = {"meetings_one_table", "meetings_company_once_a_slot",
                                        "meetings_investor_once_a_slot"};
    char id[24] = "";
    int which = -1, rc;

    if (strstr(constraint, "_no_overlap") != NULL)
        return overlap(st, event_id, m, strncmp(constraint, "meetings_company", 16) == 0);
    for (int k = 0; k < 3; k++)
        which = strcmp(constraint, names[k]) == 0 ? k : which;
    if (which < 0)
        return tv__store_set_error(st, TV_ECONFLICT, "the change clashes with %s", constraint);
    rc = same_slot(st, event_id, m, which, id, sizeof(id));
    if (rc != 0)
        return rc;
    if (which == 0)
        return tv__store_set_error(st, TV_ECONFLICT, "table %u is taken at %s by meeting %s",
                                   m->table_no, m->slot_start, id);
    return tv__store_set_error(st, TV_ECONFLICT, "%s %s has another meeting at %s: meeting %s",
                               which == 1 ? "company" : "investor",
                               which == 1 ? m->company_id : m->investor_id, m->slot_start, id);
}

/* A failed write of meeting 'm' (takes over 'res'): a clash names the other meeting
 * (TV_ECONFLICT); anything else is the database's error. */
static int write_failed(tv_store_t *st, PGresult *res, const char *event_id, const tv_meeting_t *m)
{
    const char *constraint = violated(res);
    int rc;

    if (constraint == NULL)
        return tv__store_db_error(st, res, "meetings");
    rc = clash(st, event_id, constraint, m);
    PQclear(res);
    return rc;
}

/* Upserts one meeting by pair; a held or no-show row keeps its status, and a pinned row is
 * never written (the scheduler keeps it where it is, or reports it as a conflict). A meeting
 * that still happens where it was keeps its SEQUENCE and updated_at; one that moves or comes
 * back from a cancellation gets SEQUENCE + 1. A clash names the other meeting (TV_ECONFLICT). */
/* Whether the upsert's row 't' stays where it was and still happens (a parked row was
 * scheduled before this run). */
#define SAME_PLACE                                                                                 \
    "(t.slot_index = EXCLUDED.slot_index AND t.table_no = EXCLUDED.table_no AND "                  \
    "(t.status <> 'cancelled' OR t.id IN (SELECT id FROM tv_parked)))"

static int save_one(tv_store_t *st, const char *event_id, const tv_meeting_t *m)
{
    meeting_text_t t = meeting_text(m);
    const char *params[9] = {event_id, m->company_id,           m->investor_id,
                             t.slot,   m->slot_start,           t.table,
                             t.score,  origin_names[m->origin], tv_meeting_status_name(m->status)};
    PGresult *res;
    int rc = 0;

    res = tv__store_params(
        st,
        "INSERT INTO meetings AS t (event_id, company_id, investor_id, slot_index, slot_start, "
        "table_no, score, origin, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (event_id, company_id, investor_id) DO UPDATE SET "
        "slot_index = EXCLUDED.slot_index, slot_start = EXCLUDED.slot_start, "
        "table_no = EXCLUDED.table_no, score = EXCLUDED.score, origin = EXCLUDED.origin, "
        "status = CASE WHEN t.status IN ('held', 'no_show') THEN t.status "
        "ELSE EXCLUDED.status END, "
        "sequence = t.sequence + CASE WHEN " SAME_PLACE " THEN 0 ELSE 1 END, "
        "updated_at = CASE WHEN " SAME_PLACE " THEN t.updated_at ELSE now() END "
        "WHERE NOT t.pinned",
        9, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return write_failed(st, res, event_id, m);
    PQclear(res);
    return rc;
}

/* Claims the event's meetings for a write made from what was read at 'expected': the row
 * lock orders this write after any other in flight, and TV_ESTALE says one came between. */
static int claim_meetings(tv_store_t *st, const char *event_id, int64_t expected)
{
    char version[24];
    const char *params[2] = {event_id, version};
    int64_t n = 0;
    int rc;

    snprintf(version, sizeof(version), "%" PRId64, expected);
    rc = tv__store_query_int(st,
                             "WITH u AS (UPDATE events SET meetings_version = meetings_version + 1 "
                             "WHERE id = $1 AND meetings_version = $2 RETURNING 1) "
                             "SELECT count(*) FROM u",
                             2, params, &n);
    if (rc == 0 && n == 0)
        rc = tv__store_set_error(st, TV_ESTALE,
                                 "the meetings of event \"%s\" changed while the schedule was made",
                                 event_id);
    return rc;
}

int tv_store_meetings_save(tv_store_t *st, const char *event_id, const tv_meeting_t *m, size_t n,
                           int64_t expected_version, const char *short_of_meetings)
{
    const char *params[2] = {event_id, short_of_meetings};
    int rc = tv__store_exec_command(st, "BEGIN", 0, NULL);

    if (rc == 0)
        rc = claim_meetings(st, event_id, expected_version);

    /* Scheduled meetings that are not pinned step out of the unique indexes while the new
     * schedule lands, so that swaps within one transaction do not collide; those not placed
     * again stay cancelled. Pinned ones are the organiser's: no run cancels them. */
    if (rc == 0)
        rc = tv__store_exec_command(st,
                                    "CREATE TEMP TABLE tv_parked ON COMMIT DROP AS SELECT id "
                                    "FROM meetings WHERE event_id = $1 AND status = 'scheduled' "
                                    "AND NOT pinned",
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
    if (rc == 0 && short_of_meetings != NULL)
        rc = tv__store_exec_command(st,
                                    "INSERT INTO schedule_runs (event_id, short_of_meetings) "
                                    "VALUES ($1, $2::jsonb) ON CONFLICT (event_id) DO UPDATE SET "
                                    "short_of_meetings = EXCLUDED.short_of_meetings, saved_at = "
                                    "now()",
                                    2, params);
    if (rc == 0)
        rc = tv__store_exec_command(st, "COMMIT", 0, NULL);
    if (rc != 0)
        tv__store_rollback(st);
    return rc;
}

/* ---- for the API ---- */

int tv_store_events_each(tv_store_t *st, tv_store_event_cb cb, void *ctx)
{
    PGresult *res = PQexec(st->conn, "SELECT id, name, coalesce(city, ''), time_zone, "
                                     "coalesce(head->'days'->>0, ''), coalesce(head->'days'->>-1, "
                                     "'') FROM events ORDER BY id");
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "events");
    for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
        tv_store_event_summary_t e = {PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                                      PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
                                      PQgetvalue(res, i, 4), PQgetvalue(res, i, 5)};

        rc = cb(ctx, &e);
    }
    PQclear(res);
    return rc;
}

static int on_event_id(void *ctx, const char *const *c, int n)
{
    tv_strings_t *ids = ctx;
    char **grown = realloc(ids->items, (ids->n + 1) * sizeof(*grown));

    (void)n;
    if (grown == NULL)
        return TV_ENOMEM;
    ids->items = grown;
    if ((ids->items[ids->n] = strdup(c[0])) == NULL)
        return TV_ENOMEM;
    ids->n++;
    return 0;
}

int tv_store_event_ids(tv_store_t *st, tv_strings_t *out)
{
    int rc;

    out->items = NULL;
    out->n = 0;
    rc = tv__store_each_row(st, "events", "SELECT id FROM events ORDER BY id", 0, NULL, on_event_id,
                            out);
    if (rc != 0)
        tv_strings_free(out);
    return rc;
}

int tv_store_event_delete(tv_store_t *st, const char *id)
{
    const char *params[1] = {id};
    PGresult *res =
        tv__store_params(st, "DELETE FROM events WHERE id = $1", 1, params, NULL, NULL, 0);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return tv__store_db_error(st, res, "events");
    if (strcmp(PQcmdTuples(res), "0") == 0)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "no event \"%s\"", id);
    PQclear(res);
    return rc;
}

int tv_store_request_create(tv_store_t *st, const char *event_id, const tv_request_row_t *r,
                            int64_t *id)
{
    const char *params[6] = {event_id,
                             r->company_id,
                             r->investor_id,
                             kind_names[r->from],
                             r->must ? "must" : "want",
                             r->message[0] ? r->message : NULL};
    PGresult *res =
        tv__store_params(st,
                         "INSERT INTO meeting_requests (event_id, company_id, investor_id, "
                         "from_kind, priority, message) VALUES ($1, $2, $3, $4, $5, $6) "
                         "RETURNING id",
                         6, params, NULL, NULL, 0);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        if (violated(res) != NULL) {
            PQclear(res);
            return tv__store_set_error(st, TV_ECONFLICT,
                                       "a request between %s and %s exists already", r->company_id,
                                       r->investor_id);
        }
        return tv__store_db_error(st, res, "meeting_requests");
    }
    *id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return rc;
}

#define REQUEST_COLUMNS                                                                            \
    "SELECT id, company_id, investor_id, from_kind, priority, status, coalesce(message, ''), "     \
    "extract(epoch FROM created_at)::bigint, coalesce(extract(epoch FROM decided_at)::bigint, 0) " \
    "FROM meeting_requests "

/* The requests that 'sql' selects (REQUEST_COLUMNS) with its 'n_params' 'params'. */
static int read_requests(tv_store_t *st, const char *sql, int n_params, const char *const *params,
                         tv_request_row_t **out, size_t *n)
{
    PGresult *res = tv__store_params(st, sql, n_params, params, NULL, NULL, 0);
    tv_request_row_t *rows;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "meeting_requests");
    rows = calloc((size_t)PQntuples(res) + 1, sizeof(*rows));
    if (rows == NULL) {
        PQclear(res);
        return TV_ENOMEM;
    }
    for (int i = 0; i < PQntuples(res); i++) {
        rows[i].id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        copy_field(rows[i].company_id, sizeof(rows[i].company_id), PQgetvalue(res, i, 1));
        copy_field(rows[i].investor_id, sizeof(rows[i].investor_id), PQgetvalue(res, i, 2));
        rows[i].from =
            strcmp(PQgetvalue(res, i, 3), "company") == 0 ? TV_KIND_COMPANY : TV_KIND_INVESTOR;
        rows[i].must = strcmp(PQgetvalue(res, i, 4), "must") == 0;
        copy_field(rows[i].status, sizeof(rows[i].status), PQgetvalue(res, i, 5));
        copy_field(rows[i].message, sizeof(rows[i].message), PQgetvalue(res, i, 6));
        rows[i].created_at = strtoll(PQgetvalue(res, i, 7), NULL, 10);
        rows[i].decided_at = strtoll(PQgetvalue(res, i, 8), NULL, 10);
    }
    *n = (size_t)PQntuples(res);
    *out = rows;
    PQclear(res);
    return 0;
}

int tv_store_requests(tv_store_t *st, const char *event_id, tv_request_row_t **out, size_t *n)
{
    const char *params[1] = {event_id};

    return read_requests(st, REQUEST_COLUMNS "WHERE event_id = $1 ORDER BY id", 1, params, out, n);
}

/* One read for tv_store_event_overview: the participants with their meetings counted once
 * per side, whether their people were invited or are signed in (through the address indexes
 * of signin_links and sessions), and the counts of requests, meetings and mail. */
static const char overview_sql[] =
    "WITH e AS (SELECT id, name, city, time_zone, head FROM events WHERE id = $1), "
    "p AS (SELECT p.kind, p.profile_id AS id, coalesce(c.doc->>'name', i.doc->>'name', "
    "p.profile_id) AS name, p.min_meetings, coalesce(p.max_meetings, "
    "(e.head->>'default_max_meetings')::int) AS max_meetings, jsonb_array_length(p.people) AS "
    "people, tv_emails(p.people) || tv_emails(coalesce(c.doc, i.doc)->'contacts') AS emails "
    "FROM e JOIN event_participants p ON p.event_id = e.id LEFT JOIN companies c ON p.kind = "
    "'company' AND c.id = p.profile_id LEFT JOIN investors i ON p.kind = 'investor' AND i.id = "
    "p.profile_id), "
    "m AS (SELECT company_id, investor_id, status, pinned FROM meetings WHERE event_id = $1), "
    "mc AS (SELECT 'company' AS kind, company_id AS id, count(*) AS n FROM m WHERE status <> "
    "'cancelled' GROUP BY 2 UNION ALL SELECT 'investor', investor_id, count(*) FROM m WHERE "
    "status <> 'cancelled' GROUP BY 2), "
    "w AS (SELECT x->>'kind' AS kind, x->>'id' AS id, jsonb_build_object('code', "
    "coalesce(x->>'code', ''), 'reason', x->>'reason') AS why FROM schedule_runs sr, "
    "jsonb_array_elements(sr.short_of_meetings) x WHERE sr.event_id = $1), "
    "r AS (SELECT p.*, coalesce(mc.n, 0) AS meetings, EXISTS (SELECT 1 FROM signin_links l "
    "WHERE l.email = ANY (p.emails)) AS invited, EXISTS (SELECT 1 FROM sessions s WHERE s.email "
    "= ANY (p.emails) AND s.revoked_at IS NULL AND s.expires_at > now()) AS signed_in, CASE "
    "WHEN coalesce(mc.n, 0) = 0 OR coalesce(mc.n, 0) < p.min_meetings THEN w.why END AS why "
    "FROM p LEFT JOIN mc ON mc.kind = p.kind AND mc.id = p.id LEFT JOIN w ON w.kind = p.kind "
    "AND w.id = p.id), "
    "q AS (SELECT s.k, jsonb_build_object('pending', count(q.id) FILTER (WHERE q.status = "
    "'pending'), 'accepted', count(q.id) FILTER (WHERE q.status = 'accepted'), 'declined', "
    "count(q.id) FILTER (WHERE q.status = 'declined'), 'expired', count(q.id) FILTER (WHERE "
    "q.status = 'expired')) AS v FROM (VALUES ('company'), ('investor')) s(k) LEFT JOIN "
    "meeting_requests q ON q.event_id = $1 AND q.from_kind = s.k GROUP BY s.k) "
    "SELECT jsonb_build_object('event', jsonb_build_object('id', e.id, 'name', e.name, 'city', "
    "e.city, 'time_zone', e.time_zone, 'request_deadline', e.head->'request_deadline'), "
    "'participants', coalesce((SELECT jsonb_agg(jsonb_build_object('kind', kind, 'id', id, "
    "'name', name, 'min_meetings', min_meetings, 'max_meetings', max_meetings, 'meetings', "
    "meetings, 'people', people, 'invited', invited, 'signed_in', signed_in, 'why', why) ORDER "
    "BY kind, lower(name), id) FROM r), '[]'), 'requests', (SELECT jsonb_object_agg(k, v) FROM "
    "q), 'schedule_saved_at', (SELECT to_char(saved_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM schedule_runs WHERE event_id = $1), "
    "'meetings', (SELECT jsonb_build_object('scheduled', count(*) FILTER (WHERE status = "
    "'scheduled'), 'pinned', count(*) FILTER (WHERE pinned AND status <> 'cancelled'), 'held', "
    "count(*) FILTER (WHERE status = 'held'), 'no_show', count(*) FILTER (WHERE status = "
    "'no_show'), 'cancelled', count(*) FILTER (WHERE status = 'cancelled')) FROM m), 'mail', "
    "(SELECT jsonb_build_object('queued', count(*) FILTER (WHERE status IN ('queued', "
    "'sending')), 'sent', count(*) FILTER (WHERE status = 'sent'), 'failed', count(*) FILTER "
    "(WHERE status = 'failed')) FROM mail_messages WHERE event_id = $1))::text FROM e";

int tv_store_event_overview(tv_store_t *st, const char *event_id, char **out)
{
    const char *params[1] = {event_id};

    return event_text(st, overview_sql, 1, params, event_id, "the event's overview", out);
}

/* One read for tv_store_events_report, over the events of $1 (text[]) and the companies of $2
 * (text[], NULL for all): the meetings not cancelled with both sides' profiles (mc), counted
 * per participant (a profile at several events counts once, with all its meetings), by the
 * company's terms (their first level) and by the investor's kind and country. No row when an
 * event of $1 does not exist. */
static const char report_sql[] =
    "WITH e AS (SELECT 1 AS one WHERE (SELECT count(*) FROM events WHERE id = ANY($1::text[])) "
    "= cardinality($1::text[])), m AS (SELECT company_id, investor_id FROM meetings WHERE "
    "event_id = ANY($1::text[]) AND status <> 'cancelled' AND ($2::text[] IS NULL OR "
    "company_id = ANY($2::text[]))), p AS (SELECT DISTINCT kind, profile_id FROM "
    "event_participants WHERE event_id = ANY($1::text[]) AND ($2::text[] IS NULL OR kind <> "
    "'company' OR profile_id = ANY($2::text[]))), q AS (SELECT from_kind, status FROM "
    "meeting_requests WHERE event_id = ANY($1::text[]) AND ($2::text[] IS NULL OR company_id = "
    "ANY($2::text[]))), cnt AS (SELECT 'company' AS kind, company_id AS id, count(*) AS n FROM "
    "m GROUP BY 2 UNION ALL SELECT 'investor', investor_id, count(*) FROM m GROUP BY 2), per AS "
    "(SELECT p.kind, coalesce(cnt.n, 0) AS n FROM p LEFT JOIN cnt ON cnt.kind = p.kind AND "
    "cnt.id = p.profile_id), mc AS (SELECT m.company_id, m.investor_id, c.doc AS cdoc, i.doc AS "
    "idoc FROM m LEFT JOIN companies c ON c.id = m.company_id LEFT JOIN investors i ON i.id = "
    "m.investor_id) SELECT jsonb_build_object('events', to_jsonb($1::text[]), 'esibe_only', "
    "$2::text[] IS NOT NULL, 'meetings', (SELECT count(*) FROM m), 'companies', (SELECT "
    "count(*) FROM p WHERE kind = 'company'), 'per_participant', (SELECT "
    "coalesce(jsonb_agg(jsonb_build_object('kind', kind, 'meetings', n, 'participants', c) "
    "ORDER BY kind, n), '[]') FROM (SELECT kind, n, count(*) AS c FROM per GROUP BY 1, 2) h), "
    "'requests', (SELECT jsonb_object_agg(s.k, jsonb_build_object('sent', (SELECT count(*) "
    "FROM q WHERE q.from_kind = s.k), 'accepted', (SELECT count(*) FROM q WHERE q.from_kind = "
    "s.k AND q.status = 'accepted'))) FROM (VALUES ('company'), ('investor')) s(k)), "
    "'by_pathology', (SELECT coalesce(jsonb_agg(jsonb_build_object('key', k, 'meetings', c) "
    "ORDER BY c DESC, k), '[]') FROM (SELECT split_part(x, '.', 1) AS k, count(*) AS c FROM mc, "
    "jsonb_array_elements_text(CASE jsonb_typeof(mc.cdoc->'pathologies') WHEN 'array' THEN "
    "mc.cdoc->'pathologies' ELSE '[]' END) x GROUP BY 1) z), 'by_technology', (SELECT "
    "coalesce(jsonb_agg(jsonb_build_object('key', k, 'meetings', c) ORDER BY c DESC, k), "
    "'[]') FROM (SELECT split_part(x, '.', 1) AS k, count(*) AS c FROM mc, "
    "jsonb_array_elements_text(CASE jsonb_typeof(mc.cdoc->'technologies') WHEN 'array' THEN "
    "mc.cdoc->'technologies' ELSE '[]' END) x GROUP BY 1) z), 'by_investor_kind', (SELECT "
    "coalesce(jsonb_agg(jsonb_build_object('key', k, 'meetings', c) ORDER BY c DESC, k), "
    "'[]') FROM (SELECT idoc->>'kind' AS k, count(*) AS c FROM mc GROUP BY 1) z WHERE k IS "
    "NOT NULL), 'by_investor_country', (SELECT coalesce(jsonb_agg(jsonb_build_object('key', "
    "k, 'meetings', c) ORDER BY c DESC, k), '[]') FROM (SELECT idoc->>'country' AS k, "
    "count(*) AS c FROM mc GROUP BY 1) z WHERE k IS NOT NULL), 'coverage', (SELECT "
    "coalesce(jsonb_agg(jsonb_build_object('kind', k, 'companies', c) ORDER BY k), '[]') FROM "
    "(SELECT idoc->>'kind' AS k, count(DISTINCT company_id) AS c FROM mc WHERE idoc->>'kind' "
    "IS NOT NULL GROUP BY 1) z))::text FROM e";

/* 'ids' as the text of a PostgreSQL text[] ("{\"a\",\"b\"}"), malloc'd; NULL when out of
 * memory. */
static char *text_array(const tv_strings_t *ids)
{
    size_t len = 3;
    char *out, *w;

    for (size_t k = 0; k < ids->n; k++)
        len += 2 * strlen(ids->items[k]) + 3;
    if ((out = malloc(len)) == NULL)
        return NULL;
    w = out;
    *w++ = '{';
    for (size_t k = 0; k < ids->n; k++) {
        if (k > 0)
            *w++ = ',';
        *w++ = '"';
        for (const char *c = ids->items[k]; *c != '\0'; c++) {
            if (*c == '"' || *c == '\\')
                *w++ = '\\';
            *w++ = *c;
        }
        *w++ = '"';
    }
    *w++ = '}';
    *w = '\0';
    return out;
}

int tv_store_events_report(tv_store_t *st, const tv_strings_t *events,
                           const tv_strings_t *companies, char **out)
{
    char *ev = text_array(events), *co = companies != NULL ? text_array(companies) : NULL;
    const char *params[2] = {ev, co};
    int rc = ev == NULL || (companies != NULL && co == NULL)
                 ? TV_ENOMEM
                 : event_text(st, report_sql, 2, params, events->n == 1 ? events->items[0] : "",
                              "the events' report", out);

    if (rc == TV_ENOTFOUND && events->n != 1)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "one of the events does not exist");
    free(ev);
    free(co);
    return rc;
}

int tv_store_event_frame_of_pair(tv_store_t *st, const char *event_id, const char *company_id,
                                 const char *investor_id, char **out)
{
    const char *params[3] = {event_id, company_id, investor_id};

    return event_text(
        st,
        "SELECT (e.head || jsonb_build_object('participants', coalesce((SELECT jsonb_agg(x) FROM "
        "event_participants p, jsonb_array_elements(CASE jsonb_typeof(p.own->'participants') WHEN "
        "'array' THEN p.own->'participants' ELSE '[]' END) x WHERE p.event_id = e.id AND "
        "((p.kind = 'company' AND p.profile_id = $2) OR (p.kind = 'investor' AND p.profile_id = "
        "$3))), '[]')))::text FROM events e WHERE e.id = $1",
        3, params, event_id, "events", out);
}

int tv_store_event_frame(tv_store_t *st, const char *event_id, char **out)
{
    const char *params[1] = {event_id};

    return event_text(st,
                      "SELECT (head || '{\"participants\": []}')::text FROM events WHERE id = $1",
                      1, params, event_id, "events", out);
}

int tv_store_request_get(tv_store_t *st, const char *event_id, int64_t id, tv_request_row_t *out)
{
    char rid[24];
    const char *params[2] = {event_id, rid};
    tv_request_row_t *rows = NULL;
    size_t n = 0;
    int rc;

    snprintf(rid, sizeof(rid), "%" PRId64, id);
    rc = read_requests(st, REQUEST_COLUMNS "WHERE event_id = $1 AND id = $2::bigint", 2, params,
                       &rows, &n);
    if (rc == 0 && n == 0)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "no request %" PRId64 " in event \"%s\"", id,
                                 event_id);
    if (rc == 0)
        *out = rows[0];
    free(rows);
    return rc;
}

int tv_store_requests_of(tv_store_t *st, const char *event_id, tv_profile_kind_t kind,
                         const char *profile_id, tv_request_row_t **out, size_t *n)
{
    static const char *const sql[] = {
        REQUEST_COLUMNS "WHERE event_id = $1 AND company_id = $2 ORDER BY id",
        REQUEST_COLUMNS "WHERE event_id = $1 AND investor_id = $2 ORDER BY id"};
    const char *params[2] = {event_id, profile_id};

    return read_requests(st, sql[kind == TV_KIND_COMPANY ? 0 : 1], 2, params, out, n);
}

int tv_store_request_decide(tv_store_t *st, const char *event_id, int64_t id, const char *status)
{
    char rid[24];
    const char *params[3] = {event_id, rid, status};
    int64_t n = 0;
    int rc;

    snprintf(rid, sizeof(rid), "%" PRId64, id);
    rc = tv__store_query_int(st,
                             "WITH d AS (UPDATE meeting_requests SET status = $3, decided_at = "
                             "now() WHERE event_id = $1 AND id = $2 AND status = 'pending' "
                             "RETURNING 1) SELECT count(*) FROM d",
                             3, params, &n);
    if (rc != 0 || n == 1)
        return rc;
    rc = tv__store_query_int(
        st, "SELECT count(*) FROM meeting_requests WHERE event_id = $1 AND id = $2", 2, params, &n);
    if (rc != 0)
        return rc;
    return n == 0 ? tv__store_set_error(st, TV_ENOTFOUND, "no request %" PRId64, id)
                  : tv__store_set_error(st, TV_ECONFLICT, "request %" PRId64 " is decided already",
                                        id);
}

/* The UPDATE of tv_store_meeting_update, inside its transaction. */
static int update_meeting_row(tv_store_t *st, const char *event_id, int64_t id,
                              const tv_meeting_t *m, int32_t expected_sequence)
{
    meeting_text_t t = meeting_text(m);
    char mid[24], seq[16];
    const char *params[8] = {event_id, mid,
                             t.slot,   m->slot_start,
                             t.table,  tv_meeting_status_name(m->status),
                             seq,      m->pinned ? "true" : "false"};
    PGresult *res;
    int rc = 0;

    snprintf(mid, sizeof(mid), "%" PRId64, id);
    snprintf(seq, sizeof(seq), "%d", (int)expected_sequence);
    res = tv__store_params(st,
                           "UPDATE meetings SET slot_index = $3, slot_start = $4, table_no = $5, "
                           "status = $6, sequence = sequence + 1, updated_at = now(), "
                           "pinned = $8 WHERE event_id = $1 AND id = $2 AND sequence = $7",
                           8, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return write_failed(st, res, event_id, m);
    if (strcmp(PQcmdTuples(res), "0") == 0) {
        int64_t n = 0;

        rc = tv__store_query_int(
            st, "SELECT count(*) FROM meetings WHERE event_id = $1 AND id = $2", 2, params, &n);
        if (rc == 0)
            rc = n > 0 ? tv__store_set_error(st, TV_ESTALE,
                                             "meeting %" PRId64 " changed since it was read", id)
                       : tv__store_set_error(st, TV_ENOTFOUND, "no meeting %" PRId64, id);
    }
    PQclear(res);
    return rc;
}

int tv_store_meeting_update(tv_store_t *st, const char *event_id, int64_t id, const tv_meeting_t *m,
                            int32_t expected_sequence)
{
    const char *params[1] = {event_id};
    int rc = tv__store_exec_command(st, "BEGIN", 0, NULL);

    if (rc != 0)
        return rc;
    rc = update_meeting_row(st, event_id, id, m, expected_sequence);
    if (rc == 0)
        rc = tv__store_exec_command(
            st, "UPDATE events SET meetings_version = meetings_version + 1 WHERE id = $1", 1,
            params);
    if (rc == 0)
        rc = tv__store_exec_command(st, "COMMIT", 0, NULL);
    if (rc != 0)
        tv__store_rollback(st);
    return rc;
}

/* The live meeting of the pair of 'm' that stopped a meeting made by hand. */
static int pair_taken(tv_store_t *st, const char *event_id, const tv_meeting_t *m)
{
    const char *params[3] = {event_id, m->company_id, m->investor_id};
    PGresult *res = tv__store_params(st,
                                     "SELECT id, slot_start FROM meetings WHERE event_id = $1 AND "
                                     "company_id = $2 AND investor_id = $3",
                                     3, params, NULL, NULL, 0);
    int rc;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "meetings");
    rc = tv__store_set_error(
        st, TV_ECONFLICT, "company %s and investor %s have meeting %s at %s already", m->company_id,
        m->investor_id, PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "?",
        PQntuples(res) > 0 ? PQgetvalue(res, 0, 1) : "?");
    PQclear(res);
    return rc;
}

/* The INSERT of tv_store_meeting_create, inside its transaction: a new row, or the pair's
 * cancelled row brought back (so that its calendar UID stays), pinned either way. */
static int insert_meeting_row(tv_store_t *st, const char *event_id, tv_meeting_t *m)
{
    meeting_text_t t = meeting_text(m);
    const char *params[8] = {event_id,      m->company_id, m->investor_id, t.slot,
                             m->slot_start, t.table,       t.score,        origin_names[m->origin]};
    PGresult *res;
    int rc = 0;

    res = tv__store_params(
        st,
        "INSERT INTO meetings AS t (event_id, company_id, investor_id, slot_index, slot_start, "
        "table_no, score, origin, status, pinned) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
        "'scheduled', true) ON CONFLICT (event_id, company_id, investor_id) DO UPDATE SET "
        "slot_index = EXCLUDED.slot_index, slot_start = EXCLUDED.slot_start, table_no = "
        "EXCLUDED.table_no, score = EXCLUDED.score, origin = EXCLUDED.origin, status = "
        "'scheduled', pinned = true, sequence = t.sequence + 1, updated_at = now() "
        "WHERE t.status = 'cancelled' RETURNING id, sequence, extract(epoch FROM updated_at)",
        8, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return write_failed(st, res, event_id, m);
    if (PQntuples(res) == 0) {
        rc = pair_taken(st, event_id, m);
    } else {
        m->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        m->sequence = (int32_t)strtol(PQgetvalue(res, 0, 1), NULL, 10);
        m->updated_utc = (int64_t)strtod(PQgetvalue(res, 0, 2), NULL);
        m->status = TV_MEETING_SCHEDULED;
        m->pinned = 1;
    }
    PQclear(res);
    return rc;
}

int tv_store_meeting_create(tv_store_t *st, const char *event_id, tv_meeting_t *m)
{
    const char *params[1] = {event_id};
    int rc = tv__store_exec_command(st, "BEGIN", 0, NULL);

    if (rc != 0)
        return rc;
    rc = insert_meeting_row(st, event_id, m);
    if (rc == 0)
        rc = tv__store_exec_command(
            st, "UPDATE events SET meetings_version = meetings_version + 1 WHERE id = $1", 1,
            params);
    if (rc == 0)
        rc = tv__store_exec_command(st, "COMMIT", 0, NULL);
    if (rc != 0)
        tv__store_rollback(st);
    return rc;
}

int tv_store_meetings_version(tv_store_t *st, const char *event_id, int64_t *out)
{
    const char *params[1] = {event_id};
    int64_t n = 0;
    int rc = tv__store_query_int(st,
                                 "SELECT coalesce((SELECT meetings_version FROM events WHERE "
                                 "id = $1), -1)",
                                 1, params, &n);

    if (rc == 0 && n < 0)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "no event \"%s\"", event_id);
    if (rc == 0)
        *out = n;
    return rc;
}

int tv_store_busy_elsewhere(tv_store_t *st, const char *event_id, tv_store_busy_cb cb, void *ctx)
{
    const char *params[1] = {event_id};
    PGresult *res = tv__store_params(
        st,
        "SELECT p.kind, p.profile_id, extract(epoch FROM lower(m.during))::bigint, "
        "extract(epoch FROM upper(m.during))::bigint FROM event_participants p JOIN meetings m "
        "ON m.event_id <> p.event_id AND m.status <> 'cancelled' AND m.during IS NOT NULL AND "
        "((p.kind = 'company' AND m.company_id = p.profile_id) OR "
        "(p.kind = 'investor' AND m.investor_id = p.profile_id)) "
        "WHERE p.event_id = $1 ORDER BY p.kind, p.profile_id, m.during",
        1, params, NULL, NULL, 0);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "meetings");
    for (int i = 0; i < PQntuples(res) && rc == 0; i++)
        rc = cb(ctx,
                strcmp(PQgetvalue(res, i, 0), "company") == 0 ? TV_KIND_COMPANY : TV_KIND_INVESTOR,
                PQgetvalue(res, i, 1), strtoll(PQgetvalue(res, i, 2), NULL, 10),
                strtoll(PQgetvalue(res, i, 3), NULL, 10));
    PQclear(res);
    return rc;
}
