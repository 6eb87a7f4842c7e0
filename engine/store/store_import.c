/* Importing an event file: a first import creates the event, a later one merges into it
 * (decision 0041). Both run in one transaction that also builds the report of what changed, so
 * that a dry run is the same transaction rolled back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "store_internal.h"

static const char *const kinds[] = {"company", "investor"};
static const char *const statuses[] = {"pending", "accepted", "declined"};

/* Appends 's' to 'p' as a JSON string and returns the end; 'p' has room for 6 bytes a byte
 * of 's' plus 2. */
static char *json_quote(char *p, const char *s)
{
    *p++ = '"';
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            p += sprintf(p, "\\%c", c);
        else if (c < 0x20)
            p += sprintf(p, "\\u%04x", c);
        else
            *p++ = (char)c;
    }
    *p++ = '"';
    *p = '\0';
    return p;
}

/* 'a''s unavailable slots (as in the file) and its people ([{"name", "email"}], with "language"
 * when the file gives one) as JSON arrays (free() both). */
static int attendee_json(const tv_attendee_t *a, char **unavailable, char **people)
{
    size_t len_u = 3, len_p = 3;
    char *p;

    for (size_t i = 0; i < a->unavailable.n; i++)
        len_u += 6 * strlen(a->unavailable.items[i]) + 3;
    for (size_t i = 0; i < a->n_people; i++)
        len_p += 6 * (strlen(a->people[i].name) + strlen(a->people[i].email)) + 48;
    *unavailable = malloc(len_u);
    *people = malloc(len_p);
    if (*unavailable == NULL || *people == NULL)
        return TV_ENOMEM;
    p = *unavailable + sprintf(*unavailable, "[");
    for (size_t i = 0; i < a->unavailable.n; i++)
        p = json_quote(p + sprintf(p, "%s", i ? "," : ""), a->unavailable.items[i]);
    sprintf(p, "]");
    p = *people + sprintf(*people, "[");
    for (size_t i = 0; i < a->n_people; i++) {
        p = json_quote(p + sprintf(p, "%s{\"name\":", i ? "," : ""), a->people[i].name);
        p = json_quote(p + sprintf(p, ",\"email\":"), a->people[i].email);
        if (a->people[i].language[0] != '\0')
            p += sprintf(p, ",\"language\":\"%s\"", a->people[i].language);
        p += sprintf(p, "}");
    }
    sprintf(p, "]");
    return 0;
}

/* The file's participants and requests, staged in temporary tables for the merge. */
static int stage_attendee(tv_store_t *st, const tv_attendee_t *a)
{
    char max[16], min[16], *unavailable = NULL, *people = NULL;
    const char *params[6] = {kinds[a->kind], a->id, max, min, NULL, NULL};
    int rc = attendee_json(a, &unavailable, &people);

    snprintf(max, sizeof(max), "%u", a->max_meetings);
    snprintf(min, sizeof(min), "%u", a->min_meetings);
    params[4] = unavailable;
    params[5] = people;
    if (rc == 0)
        rc = tv__store_exec_command(st,
                                    "INSERT INTO tv_new_p VALUES ($1, $2, $3, $4, $5::jsonb, "
                                    "$6::jsonb)",
                                    6, params);
    free(unavailable);
    free(people);
    return rc;
}

static int stage_request(tv_store_t *st, const tv_request_t *r)
{
    const char *params[6] = {r->company_id,  r->investor_id,
                             kinds[r->from], r->must ? "must" : "want",
                             r->message,     statuses[r->status]};

    return tv__store_exec_command(st, "INSERT INTO tv_new_q VALUES ($1, $2, $3, $4, $5, $6)", 6,
                                  params);
}

/* What the event held before the import, as the report compares it: its participants, its
 * requests, and the requests and the rest of its stored file. */
static const char *const snapshot_sql[] = {
    "CREATE TEMP TABLE tv_old_p ON COMMIT DROP AS SELECT kind, profile_id, max_meetings, "
    "min_meetings, unavailable, people FROM event_participants WHERE event_id = $1",
    "CREATE TEMP TABLE tv_old_q ON COMMIT DROP AS SELECT company_id, investor_id, from_kind, "
    "priority, message, status FROM meeting_requests WHERE event_id = $1",
    "CREATE TEMP TABLE tv_old_doc ON COMMIT DROP AS SELECT doc FROM events WHERE id = $1",
    /* The old file's requests: an answer stored for one of them that differs from the file's
     * status was given through the API. */
    "CREATE TEMP TABLE tv_doc_q ON COMMIT DROP AS SELECT x->>'company_id' AS company_id, "
    "x->>'investor_id' AS investor_id, coalesce(x->>'status', 'pending') AS status FROM events e, "
    "jsonb_array_elements(CASE jsonb_typeof(e.doc->'requests') WHEN 'array' THEN "
    "e.doc->'requests' ELSE '[]' END) x WHERE e.id = $1",
    "CREATE TEMP TABLE tv_new_p (kind text, profile_id text, max_meetings integer, min_meetings "
    "integer, unavailable jsonb, people jsonb) ON COMMIT DROP",
    "CREATE TEMP TABLE tv_new_q (company_id text, investor_id text, from_kind text, priority "
    "text, message text, status text) ON COMMIT DROP",
};

/* Opens the transaction, locks the event's row (imports of one event run one at a time) and
 * stages what the report and the merge need. '*created' says whether the event is new. */
static int import_begin(tv_store_t *st, const tv_event_t *e, int *created)
{
    const char *id[1] = {e->id};
    int64_t n = 0;
    int rc = tv__store_exec_command(st, "BEGIN", 0, NULL);

    if (rc == 0)
        rc = tv__store_query_int(st,
                                 "SELECT count(*) FROM (SELECT 1 FROM events WHERE id = $1 FOR "
                                 "UPDATE) x",
                                 1, id, &n);
    for (size_t k = 0; rc == 0 && k < sizeof(snapshot_sql) / sizeof(*snapshot_sql); k++)
        rc = tv__store_exec_command(st, snapshot_sql[k], k < 4 ? 1 : 0, id);
    for (size_t i = 0; rc == 0 && i < e->n_attendees; i++)
        rc = stage_attendee(st, &e->attendees[i]);
    for (size_t i = 0; rc == 0 && i < e->n_requests; i++)
        rc = stage_request(st, &e->requests[i]);
    if (rc == 0)
        *created = n == 0;
    return rc;
}

/* The first meeting of the event that, with the file's time zone ($2) and slot length ($3),
 * would overlap another meeting of its company or investor: another event's first. */
#define CLASH_SQL                                                                                  \
    "WITH r AS (SELECT id, event_id, company_id, investor_id, slot_start, CASE WHEN event_id = "   \
    "$1 "                                                                                          \
    "THEN tstzrange(slot_start::timestamp AT TIME ZONE $2, (slot_start::timestamp + "              \
    "make_interval(mins => $3::int)) AT TIME ZONE $2) ELSE during END AS span FROM meetings "      \
    "WHERE status <> 'cancelled') "                                                                \
    "SELECT m.id, m.company_id, m.investor_id, m.slot_start, o.id, o.event_id, o.slot_start, "     \
    "CASE WHEN o.company_id = m.company_id THEN 'company ' || m.company_id ELSE 'investor ' || "   \
    "m.investor_id END FROM r m JOIN r o ON o.id <> m.id AND (o.company_id = m.company_id OR "     \
    "o.investor_id = m.investor_id) AND o.span && m.span WHERE m.event_id = $1 "                   \
    "ORDER BY o.event_id = $1, m.slot_start, m.id, o.id LIMIT 1"

/* The event's new time zone or slot length puts a person in two places (the exclusion
 * constraints of migration 008 refused it): names the two meetings, read after rolling the
 * failed transaction back; a fresh one is opened so that the caller's ROLLBACK has one. */
static int event_clash(tv_store_t *st, const tv_event_t *e)
{
    char minutes[16];
    const char *params[3] = {e->id, e->time_zone, minutes};
    PGresult *res;
    int rc;

    snprintf(minutes, sizeof(minutes), "%d", e->slot_minutes);
    tv__store_rollback(st);
    PQclear(PQexec(st->conn, "BEGIN"));
    res = PQexecParams(st->conn, CLASH_SQL, 3, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "meetings");
    if (PQntuples(res) == 0)
        rc = tv__store_set_error(st, TV_ECONFLICT,
                                 "with time_zone \"%s\" and %d-minute slots, meetings of event "
                                 "\"%s\" would overlap others of the same person",
                                 e->time_zone, e->slot_minutes, e->id);
    else
        rc = tv__store_set_error(
            st, TV_ECONFLICT,
            "with time_zone \"%s\" and %d-minute slots, meeting %s (%s and %s at %s) would "
            "overlap meeting %s of event %s at %s for %s (no person in two places): cancel or "
            "move one of them first",
            e->time_zone, e->slot_minutes, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
            PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4),
            PQgetvalue(res, 0, 5), PQgetvalue(res, 0, 6), PQgetvalue(res, 0, 7));
    PQclear(res);
    return rc;
}

/* Upserts the event's row. A new time zone or slot length moves the meetings' time ranges
 * with it (a trigger of migration 008), which may put a person in two places: a 409 naming
 * the clash, not a database error. A new file bumps meetings_version, so that a scheduler run
 * made from the old one does not save over it. */
static int put_event_row(tv_store_t *st, const tv_event_t *e, const char *doc)
{
    const char *params[5] = {e->id, e->name, e->city, e->time_zone, doc};
    PGresult *res = PQexecParams(
        st->conn,
        "INSERT INTO events (id, name, city, time_zone, doc) VALUES ($1, $2, $3, $4, $5::jsonb) "
        "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, city = EXCLUDED.city, time_zone = "
        "EXCLUDED.time_zone, doc = EXCLUDED.doc, meetings_version = events.meetings_version + "
        "CASE WHEN events.doc IS DISTINCT FROM EXCLUDED.doc THEN 1 ELSE 0 END",
        5, NULL, params, NULL, NULL, 0);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        PQclear(res);
        return 0;
    }
    if (state == NULL || strcmp(state, "23P01") != 0)
        return tv__store_db_error(st, res, "events");
    PQclear(res);
    return event_clash(st, e);
}

/* The merge, in order: participants, then requests. */
static const char *const merge_sql[] = {
    "DELETE FROM event_participants p WHERE p.event_id = $1 AND NOT EXISTS (SELECT 1 FROM "
    "tv_new_p n WHERE n.kind = p.kind AND n.profile_id = p.profile_id)",
    "INSERT INTO event_participants AS p (event_id, kind, profile_id, max_meetings, "
    "min_meetings, unavailable, people) SELECT $1, kind, profile_id, max_meetings, "
    "min_meetings, unavailable, people FROM tv_new_p ON CONFLICT (event_id, kind, profile_id) "
    "DO UPDATE SET max_meetings = EXCLUDED.max_meetings, min_meetings = "
    "EXCLUDED.min_meetings, unavailable = EXCLUDED.unavailable, people = EXCLUDED.people "
    "WHERE (p.max_meetings, p.min_meetings, p.unavailable, p.people) IS DISTINCT FROM "
    "(EXCLUDED.max_meetings, EXCLUDED.min_meetings, EXCLUDED.unavailable, EXCLUDED.people)",
    /* The file owns a stated request's from, priority and message, and its status unless the
     * stored one is an answer given through the API: not pending, and not the status the stored
     * file gave it (tv_doc_q). Rows are read as they are now, so an answer given meanwhile
     * holds. */
    "UPDATE meeting_requests t SET from_kind = n.from_kind, priority = n.priority, message = "
    "n.message, status = CASE WHEN (t.status <> 'pending' AND t.status IS DISTINCT FROM "
    "(SELECT d.status FROM tv_doc_q d WHERE d.company_id = t.company_id AND d.investor_id = "
    "t.investor_id)) THEN t.status ELSE n.status END, decided_at = CASE WHEN (t.status <> "
    "'pending' AND t.status IS DISTINCT FROM (SELECT d.status FROM tv_doc_q d WHERE "
    "d.company_id = t.company_id AND d.investor_id = t.investor_id)) OR t.status = n.status "
    "THEN t.decided_at WHEN n.status = 'pending' THEN NULL ELSE now() END FROM tv_new_q n "
    "WHERE t.event_id = $1 AND t.company_id = n.company_id AND t.investor_id = n.investor_id "
    "AND (t.from_kind, t.priority, t.message, t.status) IS DISTINCT FROM (n.from_kind, "
    "n.priority, n.message, CASE WHEN (t.status <> 'pending' AND t.status IS DISTINCT FROM "
    "(SELECT d.status FROM tv_doc_q d WHERE d.company_id = t.company_id AND d.investor_id = "
    "t.investor_id)) THEN t.status ELSE n.status END)",
    /* Only new pairs reach the INSERT (and take an id); one made through the API meanwhile is
     * merged into as above. */
    "INSERT INTO meeting_requests AS t (event_id, company_id, investor_id, from_kind, "
    "priority, message, status, decided_at) SELECT $1, company_id, investor_id, from_kind, "
    "priority, message, status, CASE WHEN status = 'pending' THEN NULL ELSE now() END FROM "
    "tv_new_q n WHERE NOT EXISTS (SELECT 1 FROM meeting_requests q WHERE q.event_id = $1 AND "
    "q.company_id = n.company_id AND q.investor_id = n.investor_id) ON CONFLICT (event_id, "
    "company_id, investor_id) DO UPDATE SET from_kind = EXCLUDED.from_kind, priority = "
    "EXCLUDED.priority, message = EXCLUDED.message, status = CASE WHEN (t.status <> 'pending' "
    "AND t.status IS DISTINCT FROM (SELECT d.status FROM tv_doc_q d WHERE d.company_id = "
    "t.company_id AND d.investor_id = t.investor_id)) THEN t.status ELSE EXCLUDED.status END, "
    "decided_at = CASE WHEN (t.status <> 'pending' AND t.status IS DISTINCT FROM (SELECT "
    "d.status FROM tv_doc_q d WHERE d.company_id = t.company_id AND d.investor_id = "
    "t.investor_id)) OR t.status = EXCLUDED.status THEN t.decided_at WHEN EXCLUDED.status = "
    "'pending' THEN NULL ELSE now() END",
    /* A request the old file stated and the new one does not is withdrawn, unless it holds an
     * answer given through the API. */
    "DELETE FROM meeting_requests t USING tv_doc_q d WHERE t.event_id = $1 AND d.company_id = "
    "t.company_id AND d.investor_id = t.investor_id AND NOT EXISTS (SELECT 1 FROM tv_new_q n "
    "WHERE n.company_id = t.company_id AND n.investor_id = t.investor_id) AND (t.status = "
    "'pending' OR t.status = d.status)",
    /* Each participant's part of the new file, which its view reads (migration 027). */
    "SELECT tv_event_own_parts($1)",
};

static int merge(tv_store_t *st, const tv_event_t *e, const char *doc)
{
    const char *id[1] = {e->id};
    int rc = put_event_row(st, e, doc);

    for (size_t k = 0; rc == 0 && k < sizeof(merge_sql) / sizeof(*merge_sql); k++)
        rc = tv__store_exec_command(st, merge_sql[k], 1, id);
    return rc;
}

/* ---- the report, read inside the import's transaction ---- */

/* The report's sections: each is one query over the staged tables and the tables as merged,
 * with the first 'n_params' of ($1 the event, $2 its slots as a JSON array of local starts, $3
 * its tables), so that no statement is longer than a C string may portably be. 'group' opens a
 * new member of the report when it differs from the last. */
static const struct {
    const char *group, *name, *sql;
    int n_params;
} sections[] = {
    /* The members of the file that changed, participants and requests aside. */
    {"event", "changed",
     "SELECT coalesce(jsonb_agg(k ORDER BY k), '[]')::text FROM (SELECT k FROM "
     "jsonb_object_keys((SELECT doc FROM events WHERE id = $1)) k UNION SELECT k FROM tv_old_doc, "
     "jsonb_object_keys(doc) k) keys WHERE k NOT IN ('id', 'participants', 'requests') AND "
     "EXISTS (SELECT 1 FROM tv_old_doc) AND (SELECT doc->k FROM events WHERE id = $1) IS "
     "DISTINCT FROM (SELECT doc->k FROM tv_old_doc)",
     1},
    {"participants", "added",
     "SELECT coalesce(jsonb_agg(jsonb_build_object('kind', n.kind, 'id', n.profile_id) ORDER BY "
     "n.kind, n.profile_id), '[]')::text FROM tv_new_p n WHERE NOT EXISTS (SELECT 1 FROM tv_old_p "
     "o WHERE o.kind = n.kind AND o.profile_id = n.profile_id)",
     0},
    {"participants", "removed",
     "SELECT coalesce(jsonb_agg(jsonb_build_object('kind', o.kind, 'id', o.profile_id, "
     "'meetings', (SELECT count(*) FROM meetings m WHERE m.event_id = $1 AND m.status <> "
     "'cancelled' AND o.profile_id = CASE o.kind WHEN 'company' THEN m.company_id ELSE "
     "m.investor_id END)) ORDER BY o.kind, o.profile_id), '[]')::text FROM tv_old_p o WHERE NOT "
     "EXISTS (SELECT 1 FROM tv_new_p n WHERE n.kind = o.kind AND n.profile_id = o.profile_id)",
     1},
    /* Availability compares as a set; the slots that became unavailable or available again are
     * listed. */
    {"participants", "changed",
     "SELECT coalesce(jsonb_agg(jsonb_build_object('kind', kind, 'id', profile_id, 'fields', "
     "to_jsonb(fields), 'unavailable_added', (SELECT coalesce(jsonb_agg(s ORDER BY s), '[]') FROM "
     "jsonb_array_elements_text(nu) s WHERE NOT ou ? s), 'unavailable_removed', (SELECT "
     "coalesce(jsonb_agg(s ORDER BY s), '[]') FROM jsonb_array_elements_text(ou) s WHERE NOT nu ? "
     "s)) ORDER BY kind, profile_id), '[]')::text FROM (SELECT n.kind, n.profile_id, n.unavailable "
     "AS nu, o.unavailable AS ou, array_remove(ARRAY[CASE WHEN o.max_meetings IS DISTINCT FROM "
     "n.max_meetings THEN 'max_meetings' END::text, CASE WHEN o.min_meetings IS DISTINCT FROM "
     "n.min_meetings THEN 'min_meetings' END, CASE WHEN (SELECT array_agg(s ORDER BY s) FROM "
     "jsonb_array_elements_text(o.unavailable) s) IS DISTINCT FROM (SELECT array_agg(s ORDER BY s) "
     "FROM jsonb_array_elements_text(n.unavailable) s) THEN 'unavailable' END, CASE WHEN o.people "
     "IS DISTINCT FROM n.people THEN 'people' END], NULL) AS fields FROM tv_new_p n JOIN tv_old_p "
     "o USING (kind, profile_id)) c WHERE cardinality(fields) > 0",
     0},
    {"requests", "added",
     "SELECT coalesce(jsonb_agg(jsonb_build_object('company_id', q.company_id, 'investor_id', "
     "q.investor_id, 'status', q.status) ORDER BY q.company_id, q.investor_id), '[]')::text FROM "
     "meeting_requests q JOIN tv_new_q n USING (company_id, investor_id) WHERE q.event_id = $1 AND "
     "NOT EXISTS (SELECT 1 FROM tv_old_q o WHERE o.company_id = q.company_id AND o.investor_id = "
     "q.investor_id)",
     1},
    {"requests", "changed",
     "SELECT coalesce(jsonb_agg(jsonb_build_object('company_id', company_id, 'investor_id', "
     "investor_id, 'fields', to_jsonb(fields)) ORDER BY company_id, investor_id), '[]')::text FROM "
     "(SELECT q.company_id, q.investor_id, array_remove(ARRAY[CASE WHEN q.from_kind <> o.from_kind "
     "THEN 'from' END::text, CASE WHEN q.priority <> o.priority THEN 'priority' END, CASE WHEN "
     "q.message IS DISTINCT FROM o.message THEN 'message' END, CASE WHEN q.status <> o.status THEN "
     "'status' END], NULL) AS fields FROM meeting_requests q JOIN tv_old_q o USING (company_id, "
     "investor_id) JOIN tv_new_q n USING (company_id, investor_id) WHERE q.event_id = $1) c WHERE "
     "cardinality(fields) > 0",
     1},
    /* Requests the old or the new file states whose answer, given through the API, stands
     * against the file's status (null when the new file no longer states them). */
    {"requests", "kept",
     "SELECT coalesce(jsonb_agg(jsonb_build_object('company_id', q.company_id, 'investor_id', "
     "q.investor_id, 'status', q.status, 'file_status', n.status) ORDER BY q.company_id, "
     "q.investor_id), '[]')::text FROM meeting_requests q LEFT JOIN tv_new_q n USING (company_id, "
     "investor_id) WHERE q.event_id = $1 AND (n.status IS NULL OR n.status <> q.status) AND "
     "(n.status IS NOT NULL OR EXISTS (SELECT 1 FROM tv_doc_q d WHERE d.company_id = q.company_id "
     "AND d.investor_id = q.investor_id))",
     1},
    {"requests", "removed",
     "SELECT coalesce(jsonb_agg(jsonb_build_object('company_id', o.company_id, 'investor_id', "
     "o.investor_id, 'status', o.status) ORDER BY o.company_id, o.investor_id), '[]')::text FROM "
     "tv_old_q o WHERE NOT EXISTS (SELECT 1 FROM meeting_requests q WHERE q.event_id = $1 AND "
     "q.company_id = o.company_id AND q.investor_id = o.investor_id)",
     1},
    /* Every meeting not cancelled that the event as now stored makes impossible, with why and
     * what becomes of it. */
    {"meetings", "impossible",
     "SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'company_id', company_id, "
     "'investor_id', investor_id, 'slot_start', slot_start, 'table', table_no, 'status', status, "
     "'pinned', pinned, 'reasons', to_jsonb(reasons), 'action', CASE WHEN status IN ('held', "
     "'no_show') THEN 'outcome_kept' WHEN pinned THEN 'conflict' WHEN "
     "reasons && ARRAY['company_removed', 'investor_removed'] THEN 'cancelled_by_next_run' ELSE "
     "'moved_by_next_run' END) ORDER BY slot_start, table_no, id), '[]')::text FROM (SELECT m.*, "
     "array_remove(ARRAY[CASE WHEN c.profile_id IS NULL THEN 'company_removed' END::text, CASE "
     "WHEN i.profile_id IS NULL THEN 'investor_removed' END, CASE WHEN NOT $2::jsonb ? "
     "m.slot_start THEN 'slot_gone' END, CASE WHEN m.table_no > $3::int THEN 'table_gone' END, "
     "CASE WHEN c.unavailable ? m.slot_start THEN 'company_unavailable' END, CASE WHEN "
     "i.unavailable ? m.slot_start THEN 'investor_unavailable' END], NULL) AS reasons FROM "
     "meetings m LEFT JOIN event_participants c ON c.event_id = m.event_id AND c.kind = 'company' "
     "AND c.profile_id = m.company_id LEFT JOIN event_participants i ON i.event_id = m.event_id "
     "AND i.kind = 'investor' AND i.profile_id = m.investor_id WHERE m.event_id = $1 AND m.status "
     "<> 'cancelled') x WHERE cardinality(reasons) > 0",
     3},
};

typedef struct {
    char *text;
    size_t len, cap;
} buf_t;

static int append(buf_t *b, const char *s)
{
    size_t n = strlen(s);

    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *t = realloc(b->text, cap);

        if (t == NULL)
            return TV_ENOMEM;
        b->text = t;
        b->cap = cap;
    }
    memcpy(b->text + b->len, s, n + 1);
    b->len += n;
    return 0;
}

static int append_quoted(buf_t *b, const char *s)
{
    char *q = malloc(6 * strlen(s) + 3);
    int rc = q != NULL ? 0 : TV_ENOMEM;

    if (rc == 0) {
        json_quote(q, s);
        rc = append(b, q);
    }
    free(q);
    return rc;
}

/* Appends one section's JSON, opening or closing its group as needed. */
static int append_section(tv_store_t *st, buf_t *b, size_t k, const char *const *params)
{
    PGresult *res =
        PQexecParams(st->conn, sections[k].sql, sections[k].n_params, NULL, params, NULL, NULL, 0);
    int first = k == 0 || strcmp(sections[k - 1].group, sections[k].group) != 0;
    char head[64];
    int rc;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "the import's report");
    snprintf(head, sizeof(head), "%s\"%s\": ", first ? "" : ", ", sections[k].name);
    rc = first ? append(b, k == 0 ? ", \"" : "}, \"") : 0;
    if (rc == 0 && first)
        rc = append(b, sections[k].group);
    if (rc == 0 && first)
        rc = append(b, "\": {");
    if (rc == 0)
        rc = append(b, head);
    if (rc == 0)
        rc = append(b, PQgetvalue(res, 0, 0));
    PQclear(res);
    return rc;
}

/* The event's slots as a JSON array of local starts (free()). */
static int slots_json(const tv_event_t *e, char **out)
{
    tv_strings_t slots = {0};
    size_t len = 3;
    char *p;
    int rc = tv_event_slots(e, &slots);

    for (size_t i = 0; rc == 0 && i < slots.n; i++)
        len += 6 * strlen(slots.items[i]) + 3;
    if (rc == 0 && (*out = malloc(len)) == NULL)
        rc = TV_ENOMEM;
    if (rc == 0) {
        p = *out + sprintf(*out, "[");
        for (size_t i = 0; i < slots.n; i++)
            p = json_quote(p + sprintf(p, "%s", i ? "," : ""), slots.items[i]);
        sprintf(p, "]");
    }
    tv_strings_free(&slots);
    return rc;
}

/* Reads the report, inside the import's transaction. */
static int read_report(tv_store_t *st, const tv_event_t *e, int created, int dry_run, char **report)
{
    char tables[16], head[128], *slots = NULL;
    const char *params[3] = {e->id, NULL, tables};
    buf_t b = {0};
    int rc = slots_json(e, &slots);

    snprintf(tables, sizeof(tables), "%u", e->tables);
    params[1] = slots;
    snprintf(head, sizeof(head),
             "{\"created\": %s, \"dry_run\": %s, \"id\": ", created ? "true" : "false",
             dry_run ? "true" : "false");
    if (rc == 0)
        rc = append(&b, head);
    if (rc == 0)
        rc = append_quoted(&b, e->id);
    for (size_t k = 0; rc == 0 && k < sizeof(sections) / sizeof(*sections); k++)
        rc = append_section(st, &b, k, params);
    if (rc == 0)
        rc = append(&b, "}}");
    free(slots);
    if (rc == 0)
        *report = b.text;
    else
        free(b.text);
    return rc;
}

int tv_store_event_import(tv_store_t *st, const tv_event_t *e, const char *doc, int flags,
                          char **report)
{
    int created = 0, dry_run = (flags & TV_IMPORT_DRY_RUN) != 0;
    char *text = NULL;
    int rc = import_begin(st, e, &created);

    if (rc == 0)
        rc = merge(st, e, doc);
    if (rc == 0 && report != NULL)
        rc = read_report(st, e, created, dry_run, &text);
    if (rc == 0)
        rc = tv__store_exec_command(st, dry_run ? "ROLLBACK" : "COMMIT", 0, NULL);
    if (rc != 0)
        tv__store_rollback(st);
    if (rc == 0 && report != NULL)
        *report = text;
    else
        free(text);
    return rc;
}

int tv_store_event_put(tv_store_t *st, const tv_event_t *e, const char *doc)
{
    return tv_store_event_import(st, e, doc, 0, NULL);
}
