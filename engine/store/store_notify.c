/* The store's part of notifications (issue 15, decision 0044): who the people of a profile at
 * an event are, and the marks that make each notification go exactly once. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "tavolo/error.h"

/* The profile's contacts (each with its language, else the profile's), then the people the
 * event file names for it (each with its language, else the event's), else English; one row
 * per address compared without case, the first listed winning. A "language" member that is
 * not it or en counts as none. The language a person chose on the pages (person_prefs,
 * decision 0060) wins over all of these. */
static const char recipients_sql[] =
    "WITH prof AS (SELECT doc FROM companies WHERE $2 = 'company' AND id = $3 "
    "UNION ALL SELECT doc FROM investors WHERE $2 = 'investor' AND id = $3), "
    "ev AS (SELECT CASE WHEN head->>'language' IN ('it', 'en') THEN head->>'language' END AS lang "
    "FROM events WHERE id = $1), "
    "r AS (SELECT x->>'email' AS email, x->>'name' AS name, "
    "COALESCE(CASE WHEN x->>'language' IN ('it', 'en') THEN x->>'language' END, "
    "CASE WHEN p.doc->>'language' IN ('it', 'en') THEN p.doc->>'language' END, 'en') AS lang, "
    "0 AS src, o FROM prof p, jsonb_array_elements(CASE jsonb_typeof(p.doc->'contacts') "
    "WHEN 'array' THEN p.doc->'contacts' ELSE '[]' END) WITH ORDINALITY AS t(x, o) "
    "UNION ALL SELECT x->>'email', x->>'name', "
    "COALESCE(CASE WHEN x->>'language' IN ('it', 'en') THEN x->>'language' END, "
    "(SELECT lang FROM ev), 'en'), 1, o FROM event_participants ep, "
    "jsonb_array_elements(ep.people) WITH ORDINALITY AS t(x, o) "
    "WHERE ep.event_id = $1 AND ep.kind = $2 AND ep.profile_id = $3), "
    "d AS (SELECT DISTINCT ON (lower(email)) email, name, lang, src, o FROM r "
    "WHERE email LIKE '%_@_%' ORDER BY lower(email), src, o) "
    "SELECT email, name, coalesce((SELECT language FROM person_prefs pp WHERE pp.email = "
    "lower(d.email)), lang) FROM d ORDER BY src, o";

int tv_store_notify_recipients(tv_store_t *st, const char *event_id, const char *kind,
                               const char *profile_id, tv_store_row_cb cb, void *ctx)
{
    const char *params[3] = {event_id, kind, profile_id};

    if (strcmp(kind, "company") != 0 && strcmp(kind, "investor") != 0)
        return tv__store_set_error(st, TV_EINVAL, "kind %s: expected company or investor", kind);
    return tv__store_each_row(st, "notifications", recipients_sql, 3, params, cb, ctx);
}

/* recipients_sql for every participant of an event at once, the event's language read once:
 * rows (kind, profile id, email, name, language), each profile's people in recipients_sql's
 * order. The notify job asks it once per event instead of once per side or request (reading the
 * event's language detoasts its whole document, megabytes at event size). */
static const char event_recipients_sql[] =
    "WITH ev AS (SELECT CASE WHEN head->>'language' IN ('it', 'en') THEN head->>'language' END "
    "AS lang FROM events WHERE id = $1), "
    "ep AS (SELECT kind, profile_id, people FROM event_participants WHERE event_id = $1), "
    "prof AS (SELECT ep.kind, ep.profile_id, c.doc FROM ep JOIN companies c ON ep.kind = "
    "'company' AND c.id = ep.profile_id UNION ALL SELECT ep.kind, ep.profile_id, i.doc FROM ep "
    "JOIN investors i ON ep.kind = 'investor' AND i.id = ep.profile_id), "
    "r AS (SELECT p.kind, p.profile_id, x->>'email' AS email, x->>'name' AS name, "
    "COALESCE(CASE WHEN x->>'language' IN ('it', 'en') THEN x->>'language' END, "
    "CASE WHEN p.doc->>'language' IN ('it', 'en') THEN p.doc->>'language' END, 'en') AS lang, "
    "0 AS src, o FROM prof p, jsonb_array_elements(CASE jsonb_typeof(p.doc->'contacts') "
    "WHEN 'array' THEN p.doc->'contacts' ELSE '[]' END) WITH ORDINALITY AS t(x, o) "
    "UNION ALL SELECT ep.kind, ep.profile_id, x->>'email', x->>'name', "
    "COALESCE(CASE WHEN x->>'language' IN ('it', 'en') THEN x->>'language' END, "
    "(SELECT lang FROM ev), 'en'), 1, o FROM ep, "
    "jsonb_array_elements(ep.people) WITH ORDINALITY AS t(x, o)), "
    "d AS (SELECT DISTINCT ON (kind, profile_id, lower(email)) kind, profile_id, email, name, "
    "lang, src, o FROM r WHERE email LIKE '%_@_%' ORDER BY kind, profile_id, lower(email), src, "
    "o) SELECT kind, profile_id, email, name, coalesce((SELECT language FROM person_prefs pp "
    "WHERE pp.email = lower(d.email)), lang) FROM d ORDER BY kind, profile_id, src, o";

int tv_store_notify_event_recipients(tv_store_t *st, const char *event_id, tv_store_row_cb cb,
                                     void *ctx)
{
    const char *params[1] = {event_id};

    return tv__store_each_row(st, "notifications", event_recipients_sql, 1, params, cb, ctx);
}

int tv_store_notify_secret(tv_store_t *st, const char *name, const char *candidate, char *out,
                           size_t size)
{
    static const char sql[] =
        "WITH ins AS (INSERT INTO notify_secrets (name, secret) VALUES ($1, $2) "
        "ON CONFLICT (name) DO NOTHING RETURNING secret) "
        "SELECT secret FROM ins UNION ALL SELECT secret FROM notify_secrets WHERE name = $1";
    /* Two processes making the secret at once (a daemon's jobs at its first start): the second
     * one's INSERT waits for the first to commit and then inserts nothing, and its SELECT still
     * reads the statement's snapshot, taken before that commit, so it finds no row either. A
     * statement of its own, with a snapshot of its own, reads the row the first one made. */
    static const char again_sql[] = "SELECT secret FROM notify_secrets WHERE name = $1";
    const char *params[2] = {name, candidate};
    PGresult *res = tv__store_params(st, sql, 2, params, NULL, NULL, 0);
    int rc = 0;

    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 0) {
        PQclear(res);
        res = tv__store_params(st, again_sql, 1, params, NULL, NULL, 0);
    }
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "notify_secrets");
    if (PQntuples(res) < 1 || strlen(PQgetvalue(res, 0, 0)) >= size)
        rc = tv__store_set_error(st, TV_EDB, "notify_secrets: no secret %s", name);
    else
        snprintf(out, size, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return rc;
}

/* ---- the notify job's marks ---- */

/* Requests whose people were not told of their status yet (pending: the asked side; accepted,
 * declined or expired unanswered: the asking side), with the names the message needs. */
static const char due_requests_sql[] =
    "SELECT q.id, q.event_id, e.name, q.company_id, coalesce(c.doc->>'name', q.company_id), "
    "q.investor_id, coalesce(i.doc->>'name', q.investor_id), q.from_kind, q.priority, q.status, "
    "coalesce(q.message, '') FROM meeting_requests q JOIN events e ON e.id = q.event_id "
    "LEFT JOIN companies c ON c.id = q.company_id LEFT JOIN investors i ON i.id = q.investor_id "
    "WHERE q.notified IS DISTINCT FROM q.status AND q.status IN ('pending', 'accepted', "
    "'declined', 'expired') AND ($1::text IS NULL OR q.event_id = $1) ORDER BY q.id FOR UPDATE OF "
    "q "
    "SKIP LOCKED";

/* The changed meetings of each side whose last change is 'quiet' seconds old, one row per
 * side: the side's kind and id first, grouped by side, by slot within. */
static const char due_meetings_sql[] =
    "WITH ch AS (SELECT m.*, 'company' AS side, m.company_id AS pid, m.notified_company_seq "
    "AS told FROM meetings m WHERE m.notified_company_seq IS DISTINCT FROM m.sequence "
    "UNION ALL SELECT m.*, 'investor', m.investor_id, m.notified_investor_seq FROM meetings m "
    "WHERE m.notified_investor_seq IS DISTINCT FROM m.sequence), "
    "due AS (SELECT event_id, side, pid FROM ch WHERE $1::text IS NULL OR event_id = $1 "
    "GROUP BY 1, 2, 3 HAVING max(updated_at) <= now() - make_interval(secs => $2::float8)) "
    "SELECT ch.side, ch.pid, ch.event_id, ch.id, ch.company_id, "
    "coalesce(c.doc->>'name', ch.company_id), ch.investor_id, "
    "coalesce(i.doc->>'name', ch.investor_id), ch.slot_index, ch.slot_start, ch.table_no, "
    "ch.status, ch.sequence, coalesce(ch.told, -1), "
    "extract(epoch FROM date_trunc('second', ch.updated_at))::bigint "
    "FROM ch JOIN due USING (event_id, side, pid) LEFT JOIN companies c ON c.id = ch.company_id "
    "LEFT JOIN investors i ON i.id = ch.investor_id ORDER BY ch.event_id, ch.side, ch.pid, "
    "ch.slot_index, ch.id";

/* One notify job at a time across daemons and commands: a transaction-scoped lock, so that
 * two jobs never build the same messages from the same marks. Writes 0 to '*got' when another
 * job holds it. */
static int job_lock(tv_store_t *st, int *got)
{
    int64_t v = 0;
    int rc = tv__store_query_int(
        st, "SELECT pg_try_advisory_xact_lock(hashtext('tavolo notify'))::int", 0, NULL, &v);

    *got = v == 1;
    return rc;
}

int tv_store_notify_begin(tv_store_t *st, int *got)
{
    int rc = tv__store_exec_command(st, "BEGIN", 0, NULL);

    if (rc == 0)
        rc = job_lock(st, got);
    if (rc != 0)
        PQclear(PQexec(st->conn, "ROLLBACK"));
    return rc;
}

int tv_store_notify_end(tv_store_t *st, int commit)
{
    if (commit)
        return tv__store_exec_command(st, "COMMIT", 0, NULL);
    PQclear(PQexec(st->conn, "ROLLBACK"));
    return 0;
}

int tv_store_notify_due_requests(tv_store_t *st, const char *event_id, tv_store_row_cb cb,
                                 void *ctx)
{
    const char *params[1] = {event_id};

    return tv__store_each_row(st, "notifications", due_requests_sql, 1, params, cb, ctx);
}

int tv_store_notify_due_meetings(tv_store_t *st, const char *event_id, int quiet_seconds,
                                 tv_store_row_cb cb, void *ctx)
{
    char quiet[24];
    const char *params[2] = {event_id, quiet};

    snprintf(quiet, sizeof(quiet), "%d", quiet_seconds < 0 ? 0 : quiet_seconds);
    return tv__store_each_row(st, "notifications", due_meetings_sql, 2, params, cb, ctx);
}

int tv_store_notify_mark_request(tv_store_t *st, int64_t id, const char *status)
{
    char rid[24];
    const char *params[2] = {rid, status};

    snprintf(rid, sizeof(rid), "%lld", (long long)id);
    return tv__store_exec_command(st, "UPDATE meeting_requests SET notified = $2 WHERE id = $1", 2,
                                  params);
}

int tv_store_notify_mark_meeting(tv_store_t *st, int64_t id, const char *side, int32_t sequence)
{
    char rid[24], seq[16];
    const char *params[2] = {rid, seq};

    snprintf(rid, sizeof(rid), "%lld", (long long)id);
    snprintf(seq, sizeof(seq), "%d", (int)sequence);
    return tv__store_exec_command(
        st,
        strcmp(side, "company") == 0
            ? "UPDATE meetings SET notified_company_seq = $2 WHERE id = $1"
            : "UPDATE meetings SET notified_investor_seq = $2 WHERE id = $1",
        2, params);
}

/* Appends 'v' to the array literal being built in 'f', as a quoted element. Values are ids,
 * statuses and side names: no quote or backslash to escape, but they are refused to be safe. */
static int array_add(FILE *f, size_t i, const char *v)
{
    if (strpbrk(v, "\"\\") != NULL)
        return TV_EINVAL;
    fprintf(f, "%s\"%s\"", i > 0 ? "," : "{", v);
    return 0;
}

/* Up to three array literals of 'n' rows from 'get' (column k of row i), then 'sql' with them as
 * $1..$cols, in one statement. */
static int exec_arrays(tv_store_t *st, const char *sql, int cols, size_t n,
                       const char *(*get)(const void *rows, size_t i, int k, char buf[24]),
                       const void *rows)
{
    char *lit[3] = {NULL, NULL, NULL}, buf[24];
    size_t len[3];
    int rc = 0;

    for (int k = 0; k < cols && rc == 0; k++) {
        FILE *f = open_memstream(&lit[k], &len[k]);

        if (f == NULL) {
            rc = TV_ENOMEM;
            break;
        }
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = array_add(f, i, get(rows, i, k, buf));
        fputs(n > 0 ? "}" : "{}", f);
        if (fclose(f) != 0 && rc == 0)
            rc = TV_ENOMEM;
    }
    if (rc == 0 && n > 0)
        rc = tv__store_exec_command(st, sql, cols, (const char *const *)lit);
    else if (rc != 0)
        rc = tv__store_set_error(st, rc, "notify marks: a value cannot be written");
    for (int k = 0; k < 3; k++)
        free(lit[k]);
    return rc;
}

static const char *request_col(const void *rows, size_t i, int k, char buf[24])
{
    const tv_notify_mark_t *m = (const tv_notify_mark_t *)rows + i;

    if (k == 1)
        return m->what;
    snprintf(buf, 24, "%lld", (long long)m->id);
    return buf;
}

static const char *meeting_col(const void *rows, size_t i, int k, char buf[24])
{
    const tv_notify_mark_t *m = (const tv_notify_mark_t *)rows + i;

    if (k == 1)
        return m->what;
    snprintf(buf, 24, "%lld", k == 0 ? (long long)m->id : (long long)m->sequence);
    return buf;
}

int tv_store_notify_mark_requests(tv_store_t *st, const tv_notify_mark_t *marks, size_t n)
{
    return exec_arrays(
        st,
        "UPDATE meeting_requests q SET notified = v.status FROM unnest($1::bigint[], "
        "$2::text[]) AS v(id, status) WHERE q.id = v.id",
        2, n, request_col, marks);
}

/* A meeting may be in the batch for both sides: its two marks are merged into one row first,
 * since an UPDATE ... FROM changes a row once whatever number of rows it joins. */
int tv_store_notify_mark_meetings(tv_store_t *st, const tv_notify_mark_t *marks, size_t n)
{
    return exec_arrays(
        st,
        "UPDATE meetings m SET notified_company_seq = coalesce(v.c, m.notified_company_seq), "
        "notified_investor_seq = coalesce(v.i, m.notified_investor_seq) FROM (SELECT id, "
        "max(seq) FILTER (WHERE side = 'company') AS c, max(seq) FILTER (WHERE side = "
        "'investor') AS i FROM unnest($1::bigint[], $2::text[], $3::int[]) AS u(id, side, seq) "
        "GROUP BY id) v WHERE m.id = v.id",
        3, n, meeting_col, marks);
}

/* ---- the request deadline and the day-before messages (decision 0046) ---- */

/* The events with something a deadline or a reminder may concern: pending requests or meetings
 * that still happen. */
static const char deadline_events_sql[] =
    "SELECT e.id, e.name, e.time_zone, coalesce(e.head->>'request_deadline', ''), "
    "EXISTS (SELECT 1 FROM meeting_requests q WHERE q.event_id = e.id AND q.status = "
    "'pending')::int, EXISTS (SELECT 1 FROM meetings m WHERE m.event_id = e.id AND m.status <> "
    "'cancelled')::int FROM events e WHERE $1::text IS NULL OR e.id = $1 ORDER BY e.id";

/* The pending requests of an event by the side that was asked, for the sides not told yet. */
static const char expiring_sql[] =
    "WITH r AS (SELECT q.*, CASE q.from_kind WHEN 'company' THEN 'investor' ELSE 'company' END "
    "AS side, CASE q.from_kind WHEN 'company' THEN q.investor_id ELSE q.company_id END AS pid "
    "FROM meeting_requests q WHERE q.event_id = $1 AND q.status = 'pending') "
    "SELECT r.side, r.pid, CASE r.side WHEN 'company' THEN coalesce(c.doc->>'name', r.company_id) "
    "ELSE coalesce(i.doc->>'name', r.investor_id) END, r.id, CASE r.side WHEN 'company' THEN "
    "coalesce(i.doc->>'name', r.investor_id) ELSE coalesce(c.doc->>'name', r.company_id) END, "
    "r.priority, coalesce(r.message, '') FROM r LEFT JOIN companies c ON c.id = r.company_id "
    "LEFT JOIN investors i ON i.id = r.investor_id WHERE NOT EXISTS (SELECT 1 FROM notify_once o "
    "WHERE o.event_id = $1 AND o.kind = 'request_expiring' AND o.side = r.side AND "
    "o.profile_id = r.pid) ORDER BY r.side, r.pid, r.id";

/* The meetings on day $2 of the sides whose first meeting that still happens is that day, for
 * the sides not reminded yet. slot_start is local to the event ("2027-01-11T09:00"). */
static const char reminders_sql[] =
    "WITH m AS (SELECT x.*, s.side, CASE s.side WHEN 'company' THEN x.company_id ELSE "
    "x.investor_id END AS pid FROM meetings x CROSS JOIN (VALUES ('company'), ('investor')) AS "
    "s(side) WHERE x.event_id = $1 AND x.status <> 'cancelled'), "
    "f AS (SELECT side, pid FROM m GROUP BY side, pid HAVING min(left(slot_start, 10)) = $2) "
    "SELECT m.side, m.pid, CASE m.side WHEN 'company' THEN coalesce(c.doc->>'name', m.company_id) "
    "ELSE coalesce(i.doc->>'name', m.investor_id) END, m.id, m.slot_start, m.table_no, "
    "CASE m.side WHEN 'company' THEN coalesce(i.doc->>'name', m.investor_id) ELSE "
    "coalesce(c.doc->>'name', m.company_id) END FROM m JOIN f USING (side, pid) "
    "LEFT JOIN companies c ON c.id = m.company_id LEFT JOIN investors i ON i.id = m.investor_id "
    "WHERE left(m.slot_start, 10) = $2 AND NOT EXISTS (SELECT 1 FROM notify_once o WHERE "
    "o.event_id = $1 AND o.kind = 'reminder' AND o.side = m.side AND o.profile_id = m.pid) "
    "ORDER BY m.side, m.pid, m.slot_start, m.id";

int tv_store_notify_events(tv_store_t *st, const char *event_id, tv_store_row_cb cb, void *ctx)
{
    const char *params[1] = {event_id};

    return tv__store_each_row(st, "notifications", deadline_events_sql, 1, params, cb, ctx);
}

int tv_store_notify_expire(tv_store_t *st, const char *event_id, int64_t *n)
{
    const char *params[1] = {event_id};

    return tv__store_query_int(st,
                               "WITH x AS (UPDATE meeting_requests SET status = 'expired', "
                               "decided_at = now() WHERE event_id = $1 AND status = 'pending' "
                               "RETURNING 1) SELECT count(*) FROM x",
                               1, params, n);
}

int tv_store_notify_expiring(tv_store_t *st, const char *event_id, tv_store_row_cb cb, void *ctx)
{
    const char *params[1] = {event_id};

    return tv__store_each_row(st, "notifications", expiring_sql, 1, params, cb, ctx);
}

/* The meetings to ask about (decision 0067): $2 false, those of the sides whose meetings have
 * all ended and that were not asked; $2 true, those a side has not answered, of the sides asked
 * 3 days ago or more and not reminded. */
static const char outcomes_sql[] =
    "WITH m AS (SELECT x.*, s.side, CASE s.side WHEN 'company' THEN x.company_id ELSE "
    "x.investor_id END AS pid FROM meetings x CROSS JOIN (VALUES ('company'), ('investor')) AS "
    "s(side) WHERE x.event_id = $1 AND x.status <> 'cancelled'), "
    "f AS (SELECT side, pid FROM m GROUP BY side, pid HAVING max(upper(during)) <= "
    "to_timestamp($3::bigint)) "
    "SELECT m.side, m.pid, CASE m.side WHEN 'company' THEN coalesce(c.doc->>'name', m.company_id) "
    "ELSE coalesce(i.doc->>'name', m.investor_id) END, m.id, m.slot_start, m.table_no, "
    "CASE m.side WHEN 'company' THEN coalesce(i.doc->>'name', m.investor_id) ELSE "
    "coalesce(c.doc->>'name', m.company_id) END FROM m JOIN f USING (side, pid) "
    "LEFT JOIN companies c ON c.id = m.company_id LEFT JOIN investors i ON i.id = m.investor_id "
    "WHERE CASE WHEN $2::boolean THEN EXISTS (SELECT 1 FROM notify_once o WHERE o.event_id = $1 "
    "AND o.kind = 'outcome_ask' AND o.side = m.side AND o.profile_id = m.pid AND o.told_at <= "
    "to_timestamp($3::bigint) - interval '3 days') AND NOT EXISTS (SELECT 1 FROM notify_once o "
    "WHERE o.event_id = "
    "$1 AND o.kind = 'outcome_reminder' AND o.side = m.side AND o.profile_id = m.pid) AND NOT "
    "EXISTS (SELECT 1 FROM meeting_outcomes r WHERE r.meeting_id = m.id AND r.side = m.side) "
    "ELSE NOT EXISTS (SELECT 1 FROM notify_once o WHERE o.event_id = $1 AND o.kind = "
    "'outcome_ask' AND o.side = m.side AND o.profile_id = m.pid) END "
    "ORDER BY m.side, m.pid, m.slot_start, m.id";

int tv_store_notify_outcomes(tv_store_t *st, const char *event_id, int reminder, int64_t now,
                             tv_store_row_cb cb, void *ctx)
{
    char at[24];
    const char *params[3] = {event_id, reminder ? "true" : "false", at};

    snprintf(at, sizeof(at), "%" PRId64, now);
    return tv__store_each_row(st, "notifications", outcomes_sql, 3, params, cb, ctx);
}

int tv_store_notify_reminders(tv_store_t *st, const char *event_id, const char *day,
                              tv_store_row_cb cb, void *ctx)
{
    const char *params[2] = {event_id, day};

    return tv__store_each_row(st, "notifications", reminders_sql, 2, params, cb, ctx);
}

int tv_store_notify_told_once(tv_store_t *st, const char *event_id, const char *kind,
                              const char *side, const char *profile_id)
{
    const char *params[4] = {event_id, kind, side, profile_id};

    return tv__store_exec_command(st,
                                  "INSERT INTO notify_once (event_id, kind, side, profile_id) "
                                  "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                                  4, params);
}
