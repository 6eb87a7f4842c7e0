/* The store's part of the daily digests: the job's lock and runs, eligibility history, each
 * recipient's state, and the digests themselves, inserted exactly once per recipient and date. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "store_internal.h"
#include "tavolo/error.h"

#define DIGEST_LOCK_KEY "7405012027" /* the migrations use ...026 */

int tv_store_digest_lock(tv_store_t *st, int *got)
{
    int64_t v = 0;
    int rc = tv__store_query_int(st, "SELECT pg_try_advisory_lock(" DIGEST_LOCK_KEY ")::int", 0,
                                 NULL, &v);

    if (rc == 0)
        *got = v == 1;
    return rc;
}

int tv_store_digest_unlock(tv_store_t *st)
{
    return tv__store_exec_command(st, "SELECT pg_advisory_unlock(" DIGEST_LOCK_KEY ")", 0, NULL);
}

int tv_store_digest_run_start(tv_store_t *st, const char *date)
{
    const char *params[1] = {date};

    return tv__store_exec_command(
        st, "INSERT INTO digest_runs (digest_date) VALUES ($1) ON CONFLICT DO NOTHING", 1, params);
}

int tv_store_digest_run_finish(tv_store_t *st, const char *date, int64_t recipients)
{
    char n[24];
    const char *params[2] = {date, n};

    snprintf(n, sizeof(n), "%" PRId64, recipients);
    return tv__store_exec_command(st,
                                  "UPDATE digest_runs SET finished_at = coalesce(finished_at, "
                                  "now()), recipients = $2 WHERE digest_date = $1",
                                  2, params);
}

int tv_store_digest_run_done(tv_store_t *st, const char *date, int *done)
{
    const char *params[1] = {date};
    int64_t v = 0;
    int rc = tv__store_query_int(st,
                                 "SELECT count(*) FROM digest_runs WHERE digest_date = $1 AND "
                                 "finished_at IS NOT NULL",
                                 1, params, &v);

    if (rc == 0)
        *done = v > 0;
    return rc;
}

/* Joins the ids as a text array literal's items, one per line, for unnest(string_to_array). */
static char *join_ids(const char *const *ids, size_t n)
{
    size_t len = 1;
    char *buf, *p;

    for (size_t i = 0; i < n; i++)
        len += strlen(ids[i]) + 1;
    buf = tv__malloc(len);
    if (buf == NULL)
        return NULL;
    p = buf;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(ids[i]);

        memcpy(p, ids[i], k);
        p[k] = '\n';
        p += k + 1;
    }
    *p = '\0';
    return buf;
}

int tv_store_digest_eligible_sync(tv_store_t *st, const char *date, const char *const *ids,
                                  size_t n)
{
    char *list = join_ids(ids, n);
    const char *params[2] = {date, list};
    int rc = list != NULL ? 0 : TV_ENOMEM;

    if (rc == 0)
        rc = tv__store_exec_command(st, "BEGIN", 0, NULL);
    if (rc == 0)
        rc = tv__store_exec_command(
            st,
            "WITH now_eligible AS (SELECT x AS id FROM unnest(string_to_array(rtrim($2, E'\\n'), "
            "E'\\n')) AS x), first_run AS (SELECT NOT EXISTS (SELECT 1 FROM digest_eligible) "
            "AND NOT EXISTS (SELECT 1 FROM digests) AS yes) "
            "INSERT INTO digest_eligible (company_id, since) SELECT id, CASE WHEN (SELECT yes "
            "FROM first_run) THEN '-infinity'::date ELSE $1::date END FROM now_eligible "
            "ON CONFLICT DO NOTHING",
            2, params);
    if (rc == 0)
        rc = tv__store_exec_command(st,
                                    "DELETE FROM digest_eligible WHERE company_id <> ALL "
                                    "(string_to_array(rtrim($2, E'\\n'), E'\\n')) AND $1 <> ''",
                                    2, params);
    if (rc == 0)
        rc = tv__store_exec_command(st, "COMMIT", 0, NULL);
    if (rc != 0)
        tv__store_rollback(st);
    tv__free(list);
    return rc;
}

int tv_store_digest_eligible_since(tv_store_t *st, const char *date, tv_store_row_cb cb, void *ctx)
{
    const char *params[1] = {date};

    return tv__store_each_row(
        st, NULL,
        "SELECT company_id, CASE WHEN since = '-infinity' THEN NULL ELSE "
        "since::text END FROM digest_eligible WHERE since <= $1::date AND since > "
        "'-infinity' ORDER BY company_id",
        1, params, cb, ctx);
}

int tv_store_digest_states(tv_store_t *st, tv_store_row_cb cb, void *ctx)
{
    return tv__store_each_row(st, NULL,
                              "SELECT recipient_kind, recipient_id, last_date::text, matches FROM "
                              "digest_state",
                              0, NULL, cb, ctx);
}

int tv_store_digest_rows(tv_store_t *st, const char *date, tv_store_row_cb cb, void *ctx)
{
    const char *params[1] = {date};

    return tv__store_each_row(
        st, NULL,
        "SELECT id, recipient_kind, recipient_id, status, "
        "CASE WHEN written_at IS NULL THEN 'f' ELSE 't' END FROM digests WHERE "
        "digest_date = $1",
        1, params, cb, ctx);
}

int tv_store_digest_meetings(tv_store_t *st, const char *date, int days, tv_store_row_cb cb,
                             void *ctx)
{
    char n[16];
    const char *params[2] = {date, n};

    snprintf(n, sizeof(n), "%d", days);
    return tv__store_each_row(
        st, NULL,
        "SELECT m.id, m.event_id, e.name, e.time_zone, m.company_id, m.investor_id, "
        "m.slot_start, m.table_no FROM meetings m JOIN events e ON e.id = m.event_id "
        "WHERE m.status = 'scheduled' AND m.slot_start >= $1 AND "
        "m.slot_start < (($1::date + $2::int)::text) ORDER BY m.slot_start, m.id",
        2, params, cb, ctx);
}

int tv_store_digest_record(tv_store_t *st, const char *kind, const char *id, const char *date,
                           const char *status, const char *content, const char *state,
                           const char *message_id, int *inserted, int64_t *digest_id)
{
    const char *params[7] = {kind, id, date, status, content, state, message_id};
    PGresult *res = tv__store_params(
        st,
        "WITH n AS (SELECT nextval(pg_get_serial_sequence('digests', 'id')) AS id), "
        "d AS (INSERT INTO digests (id, recipient_kind, recipient_id, digest_date, status, "
        "content, message_id) SELECT n.id, $1, $2, $3::date, $4, $5::jsonb, CASE WHEN $4 = "
        "'sent' THEN $7 END FROM n ON CONFLICT DO NOTHING "
        "RETURNING id), "
        "s AS (INSERT INTO digest_state (recipient_kind, recipient_id, last_date, matches) "
        "SELECT $1, $2, $3::date, $6 FROM d ON CONFLICT (recipient_kind, recipient_id) DO "
        "UPDATE SET last_date = EXCLUDED.last_date, matches = EXCLUDED.matches) "
        "SELECT id FROM d",
        7, params, NULL, NULL, 0);

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "digest");
    *inserted = PQntuples(res) == 1;
    if (*inserted)
        *digest_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

/* Appends "($k, $k+1, ...)" with 'cols' numbered parameters (the first cast as 'first') to
 * 'sql'; returns the next free number. */
static int values_row(char *sql, size_t *len, int k, int cols, const char *first)
{
    *len += (size_t)sprintf(sql + *len, "%s($%d%s", *len > 0 ? "," : "", k, first);
    for (int c = 1; c < cols; c++)
        *len += (size_t)sprintf(sql + *len, ",$%d", k + c);
    *len += (size_t)sprintf(sql + *len, ")");
    return k + cols;
}

/* The statement of tv_store_digest_record_many for 'n' rows: the digests that went in, and
 * the state of exactly those recipients, with each row's place in the input. */
static char *record_many_sql(size_t n)
{
    static const char head[] = "WITH v (ord, k, rid, st, content, state, mid) AS (VALUES ";
    static const char tail[] =
        "), d AS (INSERT INTO digests (recipient_kind, recipient_id, digest_date, status, "
        "content, message_id) SELECT k, rid, $1::date, st, content::jsonb, CASE WHEN st = "
        "'sent' THEN mid END FROM v ORDER BY ord ON CONFLICT DO NOTHING RETURNING id, "
        "recipient_kind, recipient_id), "
        "s AS (INSERT INTO digest_state (recipient_kind, recipient_id, last_date, matches) "
        "SELECT v.k, v.rid, $1::date, v.state FROM v JOIN d ON d.recipient_kind = v.k AND "
        "d.recipient_id = v.rid ON CONFLICT (recipient_kind, recipient_id) DO UPDATE SET "
        "last_date = EXCLUDED.last_date, matches = EXCLUDED.matches) "
        "SELECT v.ord, d.id FROM v JOIN d ON d.recipient_kind = v.k AND d.recipient_id = v.rid";
    char *sql = tv__malloc(sizeof(head) + sizeof(tail) + n * 64);
    size_t len = 0;
    int k = 2;

    if (sql == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        k = values_row(sql, &len, k, 7, "::int");
    memmove(sql + sizeof(head) - 1, sql, len + 1);
    memcpy(sql, head, sizeof(head) - 1);
    strcat(sql, tail);
    return sql;
}

int tv_store_digest_record_many(tv_store_t *st, const char *date, const tv_digest_row_t *rows,
                                size_t n, int64_t *ids)
{
    const char **params = tv__calloc(1 + 7 * n, sizeof(*params));
    char(*ord)[16] = tv__calloc(n + 1, sizeof(*ord));
    char *sql = record_many_sql(n);
    PGresult *res = NULL;
    int rc = params != NULL && ord != NULL && sql != NULL ? 0 : TV_ENOMEM;

    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char **p = &params[1 + 7 * i];

        ids[i] = 0;
        snprintf(ord[i], sizeof(ord[i]), "%zu", i);
        p[0] = ord[i], p[1] = rows[i].kind, p[2] = rows[i].id, p[3] = rows[i].status;
        p[4] = rows[i].content, p[5] = rows[i].state, p[6] = rows[i].message_id;
    }
    params[0] = date;
    if (rc == 0 && n > 0) {
        res = tv__store_params(st, sql, (int)(1 + 7 * n), params, NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
            rc = tv__store_db_error(st, res, "digest"), res = NULL;
        for (int r = 0; rc == 0 && r < PQntuples(res); r++)
            ids[strtoul(PQgetvalue(res, r, 0), NULL, 10)] =
                strtoll(PQgetvalue(res, r, 1), NULL, 10);
    }
    PQclear(res);
    tv__free(sql);
    tv__free(ord);
    tv__free(params);
    return rc;
}

int tv_store_digest_people(tv_store_t *st, tv_store_row_cb cb, void *ctx)
{
    return tv__store_each_row(
        st, "event_participants",
        "SELECT ep.kind, ep.profile_id, x->>'email', x->>'name', COALESCE((SELECT language FROM "
        "person_prefs pp WHERE pp.email = lower(x->>'email')), CASE WHEN "
        "x->>'language' IN ('it', 'en') THEN x->>'language' END, CASE WHEN e.head->>'language' "
        "IN ('it', 'en') THEN e.head->>'language' END, 'en') FROM event_participants ep JOIN "
        "events e ON e.id = ep.event_id, jsonb_array_elements(CASE jsonb_typeof(ep.people) "
        "WHEN 'array' THEN ep.people ELSE '[]' END) WITH ORDINALITY AS t(x, o) WHERE "
        "x->>'email' LIKE '%_@_%' ORDER BY ep.event_id, ep.kind, ep.profile_id, o",
        0, NULL, cb, ctx);
}

int tv_store_digest_requests(tv_store_t *st, tv_store_row_cb cb, void *ctx)
{
    return tv__store_each_row(
        st, "meeting_requests",
        "SELECT q.id, q.event_id, e.name, q.company_id, q.investor_id, q.from_kind, q.priority, "
        "(q.created_at AT TIME ZONE 'UTC')::date::text FROM meeting_requests q JOIN events e ON "
        "e.id = q.event_id WHERE q.status = 'pending' ORDER BY q.id",
        0, NULL, cb, ctx);
}

int tv_store_digest_languages(tv_store_t *st, tv_store_row_cb cb, void *ctx)
{
    return tv__store_each_row(st, "person_prefs", "SELECT email, language FROM person_prefs", 0,
                              NULL, cb, ctx);
}

int tv_store_digest_unsubscribed(tv_store_t *st, tv_store_row_cb cb, void *ctx)
{
    return tv__store_each_row(st, "mail_unsubscribes",
                              "SELECT lower(email) FROM mail_unsubscribes WHERE kind = 'digest'", 0,
                              NULL, cb, ctx);
}

int tv_store_digest_mark_written(tv_store_t *st, const int64_t *ids, size_t n)
{
    char *list = tv__malloc(n * 24 + 1), *p = list;
    const char *params[1] = {list};
    int rc = list != NULL ? 0 : TV_ENOMEM;

    for (size_t i = 0; rc == 0 && i < n; i++)
        p += sprintf(p, "%s%" PRId64, i > 0 ? "," : "", ids[i]);
    if (rc == 0 && n > 0)
        rc = tv__store_exec_command(st,
                                    "UPDATE digests SET written_at = now() WHERE id = ANY "
                                    "(string_to_array($1, ',')::bigint[])",
                                    1, params);
    tv__free(list);
    return rc;
}

int tv_store_digest_list(tv_store_t *st, const char *date, const char *kind, const char *id,
                         const char *event, tv_store_row_cb cb, void *ctx)
{
    const char *params[4] = {date, kind, id, event};

    return tv__store_each_row(
        st, NULL,
        "SELECT d.recipient_kind, d.recipient_id, d.status, d.content::text FROM digests d "
        "WHERE d.digest_date = $1::date AND ($2::text IS NULL OR (d.recipient_kind = $2 AND "
        "d.recipient_id = $3)) AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM "
        "event_participants p WHERE p.event_id = $4 AND p.kind = d.recipient_kind AND "
        "p.profile_id = d.recipient_id)) ORDER BY d.recipient_kind, d.recipient_id",
        4, params, cb, ctx);
}
