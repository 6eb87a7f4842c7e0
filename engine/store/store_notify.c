/* The store's part of notifications (issue 15, decision 0044): who the people of a profile at
 * an event are, and the marks that make each notification go exactly once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "tavolo/error.h"

/* Runs a query and calls 'cb' for each row (as store_digests.c does for the digest's). */
static int each_row(tv_store_t *st, const char *sql, int n, const char *const *params,
                    tv_store_row_cb cb, void *ctx)
{
    PGresult *res = PQexecParams(st->conn, sql, n, NULL, params, NULL, NULL, 0);
    const char *cols[16];
    int rc = 0, rows, ncols;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "notifications");
    rows = PQntuples(res);
    ncols = PQnfields(res) < 16 ? PQnfields(res) : 16;
    for (int r = 0; rc == 0 && r < rows; r++) {
        for (int c = 0; c < ncols; c++)
            cols[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
        rc = cb(ctx, cols, ncols);
    }
    PQclear(res);
    return rc;
}

/* The profile's contacts (each with its language, else the profile's), then the people the
 * event file names for it (each with its language, else the event's), else English; one row
 * per address compared without case, the first listed winning. A "language" member that is
 * not it or en counts as none. */
static const char recipients_sql[] =
    "WITH prof AS (SELECT doc FROM companies WHERE $2 = 'company' AND id = $3 "
    "UNION ALL SELECT doc FROM investors WHERE $2 = 'investor' AND id = $3), "
    "ev AS (SELECT CASE WHEN doc->>'language' IN ('it', 'en') THEN doc->>'language' END AS lang "
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
    "SELECT email, name, lang FROM d ORDER BY src, o";

int tv_store_notify_recipients(tv_store_t *st, const char *event_id, const char *kind,
                               const char *profile_id, tv_store_row_cb cb, void *ctx)
{
    const char *params[3] = {event_id, kind, profile_id};

    if (strcmp(kind, "company") != 0 && strcmp(kind, "investor") != 0)
        return tv__store_set_error(st, TV_EINVAL, "kind %s: expected company or investor", kind);
    return each_row(st, recipients_sql, 3, params, cb, ctx);
}

int tv_store_notify_secret(tv_store_t *st, const char *name, const char *candidate, char *out,
                           size_t size)
{
    static const char sql[] =
        "WITH ins AS (INSERT INTO notify_secrets (name, secret) VALUES ($1, $2) "
        "ON CONFLICT (name) DO NOTHING RETURNING secret) "
        "SELECT secret FROM ins UNION ALL SELECT secret FROM notify_secrets WHERE name = $1";
    const char *params[2] = {name, candidate};
    PGresult *res = PQexecParams(st->conn, sql, 2, NULL, params, NULL, NULL, 0);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "notify_secrets");
    if (PQntuples(res) < 1 || strlen(PQgetvalue(res, 0, 0)) >= size)
        rc = tv__store_set_error(st, TV_EDB, "notify_secrets: no secret %s", name);
    else
        snprintf(out, size, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return rc;
}
