/* The PostgreSQL store: migrations, profile upserts through COPY, and reads. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "store_internal.h"
#include "tavolo/store.h"

#define MIGRATION_LOCK_KEY "7405012026" /* any constant shared by every tavolo process */
#define COPY_CHUNK_BYTES (1u << 20)

static const char *const table_of[] = {"companies", "investors"};

int tv__store_set_error(tv_store_t *st, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(st->error, sizeof(st->error), fmt, ap);
    va_end(ap);
    st->error[strcspn(st->error, "\n")] = '\0';
    return rc;
}

/* 1 when the failure of 'res' means the server cannot be reached: the connection is gone, or
 * the server reports a connection exception (class 08) or its own shutdown (57P01 admin,
 * 57P02 crash, 57P03 cannot connect now). After an immediate shutdown libpq reports the first
 * failure without a SQLSTATE and still says CONNECTION_OK; a read then finds the socket
 * closed (and marks the connection bad, so tv_store_healthy sees it too). */
static int connection_lost(tv_store_t *st, const PGresult *res)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    if (PQstatus(st->conn) != CONNECTION_OK)
        return 1;
    if (state == NULL)
        return PQconsumeInput(st->conn) == 0;
    return strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
           strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0;
}

/* Maps a failed result to TV_EUNAVAIL when the server cannot be reached, else TV_EDB. */
int tv__store_db_error(tv_store_t *st, PGresult *res, const char *what)
{
    int rc = connection_lost(st, res) ? TV_EUNAVAIL : TV_EDB;
    const char *msg = res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(st->conn);

    tv__store_set_error(st, rc, "%s: %s", what, msg[0] != '\0' ? msg : PQerrorMessage(st->conn));
    PQclear(res);
    return rc;
}

/* The index of 'sql' among the statements prepared on this connection, preparing it when new;
 * -1 when it runs unprepared. */
static int prepared_index(tv_store_t *st, const char *sql, int n)
{
    char name[16];
    PGresult *res;
    size_t i;

    for (i = 0; i < st->n_prepared && st->prepared_at[i] != sql; i++)
        ;
    if (i < st->n_prepared)
        return strcmp(st->prepared_sql[i], sql) == 0 ? (int)i : -1;
    if (i == TV_STORE_PREPARED_MAX || PQtransactionStatus(st->conn) == PQTRANS_INERROR)
        return -1;
    snprintf(name, sizeof(name), "tv_%zu", i);
    res = PQprepare(st->conn, name, sql, n, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        PQclear(res); /* running it unprepared reports the same error */
        return -1;
    }
    PQclear(res);
    st->prepared_sql[i] = tv__strdup(sql);
    if (st->prepared_sql[i] == NULL) { /* prepared but not recorded: forget it */
        char drop[32];

        snprintf(drop, sizeof(drop), "DEALLOCATE %s", name);
        PQclear(PQexec(st->conn, drop));
        return -1;
    }
    st->prepared_at[i] = sql;
    st->n_prepared++;
    return (int)i;
}

PGresult *tv__store_params(tv_store_t *st, const char *sql, int n, const char *const *params,
                           const int *lengths, const int *formats, int binary)
{
    int i = prepared_index(st, sql, n);
    char name[16];

    if (i < 0)
        return PQexecParams(st->conn, sql, n, NULL, params, lengths, formats, binary);
    snprintf(name, sizeof(name), "tv_%d", i);
    return PQexecPrepared(st->conn, name, n, params, lengths, formats, binary);
}

/* Runs a statement that returns no rows. */
int tv__store_exec_command(tv_store_t *st, const char *sql, int n, const char *const *params)
{
    PGresult *res = tv__store_params(st, sql, n, params, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(res);

    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, sql);
    PQclear(res);
    return 0;
}

int tv__store_each_row(tv_store_t *st, const char *what, const char *sql, int n,
                       const char *const *params, tv_store_row_cb cb, void *ctx)
{
    PGresult *res = tv__store_params(st, sql, n, params, NULL, NULL, 0);
    const char *cols[16];
    int rc = 0, rows, ncols;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, what != NULL ? what : sql);
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

void tv__store_rollback(tv_store_t *st)
{
    PQclear(PQexec(st->conn, "ROLLBACK"));
}

/* What every store connection sets: notices only from warnings up; and no JIT, which compiled
 * statements whose estimated cost looked high (a subquery per assumed row) for a second to run
 * them in milliseconds (docs/benchmarks.md, "The participant pages at event size"). */
static void session_settings(PGconn *conn)
{
    PQclear(PQexec(conn, "SET client_min_messages = warning; SET jit = off"));
}

int tv_store_open(const char *conninfo, tv_store_t **out, char *errbuf, size_t errsize)
{
    tv_store_t *st = tv__calloc(1, sizeof(*st));

    if (st == NULL)
        return TV_ENOMEM;
    st->conn = PQconnectdb(conninfo);
    if (st->conn == NULL || PQstatus(st->conn) != CONNECTION_OK) {
        if (errbuf != NULL)
            snprintf(errbuf, errsize, "%s",
                     st->conn != NULL ? PQerrorMessage(st->conn) : "out of memory");
        if (errbuf != NULL)
            errbuf[strcspn(errbuf, "\n")] = '\0';
        tv_store_close(st);
        return TV_EUNAVAIL;
    }
    session_settings(st->conn);
    *out = st;
    return 0;
}

void tv_store_close(tv_store_t *st)
{
    if (st == NULL)
        return;
    PQfinish(st->conn);
    for (size_t i = 0; i < st->n_prepared; i++)
        tv__free(st->prepared_sql[i]);
    tv__free(st);
}

int tv_store_reuse_plans(tv_store_t *st)
{
    return tv__store_exec_command(st, "SET plan_cache_mode = force_generic_plan", 0, NULL);
}

const char *tv_store_error(const tv_store_t *st)
{
    return st->error;
}

int tv_store_latest_version(void)
{
    return tv__migration_count == 0 ? 0 : tv__migrations[tv__migration_count - 1].version;
}

int tv__store_query_int(tv_store_t *st, const char *sql, int n, const char *const *params,
                        int64_t *out)
{
    PGresult *res = tv__store_params(st, sql, n, params, NULL, NULL, 0);

    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        return tv__store_db_error(st, res, sql);
    *out = PQgetisnull(res, 0, 0) ? 0 : strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

int tv_store_schema_version(tv_store_t *st)
{
    int64_t exists = 0, v = 0;
    int rc = tv__store_query_int(
        st, "SELECT count(*) FROM pg_class WHERE oid = to_regclass('tv_migrations')", 0, NULL,
        &exists);

    if (rc == 0 && exists)
        rc = tv__store_query_int(st, "SELECT coalesce(max(version), 0) FROM tv_migrations", 0, NULL,
                                 &v);
    return rc != 0 ? rc : (int)v;
}

/* Applies migration 'm' unless another process already has. Returns 1 if applied. */
static int apply_migration(tv_store_t *st, const tv__migration_t *m)
{
    char version[16];
    const char *params[2] = {version, m->name};
    int64_t done = 0;
    PGresult *res;
    int rc;

    snprintf(version, sizeof(version), "%d", m->version);
    rc = tv__store_exec_command(st, "BEGIN", 0, NULL);
    if (rc == 0)
        rc = tv__store_exec_command(st, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK_KEY ")", 0,
                                    NULL);
    if (rc == 0)
        rc = tv__store_exec_command(
            st,
            "CREATE TABLE IF NOT EXISTS tv_migrations (version integer PRIMARY "
            "KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
            0, NULL);
    if (rc == 0)
        rc = tv__store_query_int(st, "SELECT count(*) FROM tv_migrations WHERE version = $1", 1,
                                 params, &done);
    if (rc == 0 && !done) {
        res = PQexec(st->conn, m->sql); /* a trusted file compiled into the binary */
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = tv__store_db_error(st, res, m->name);
        else
            PQclear(res);
        if (rc == 0)
            rc = tv__store_exec_command(
                st, "INSERT INTO tv_migrations (version, name) VALUES ($1, $2)", 2, params);
    }
    if (rc == 0)
        rc = tv__store_exec_command(st, "COMMIT", 0, NULL);
    if (rc != 0)
        tv__store_rollback(st);
    return rc != 0 ? rc : !done;
}

int tv_store_migrate(tv_store_t *st)
{
    int have = tv_store_schema_version(st), applied = 0;

    if (have < 0)
        return have;
    if (have > tv_store_latest_version())
        return tv__store_set_error(st, TV_ECONFLICT,
                                   "the database has schema version %d, newer than this build's %d",
                                   have, tv_store_latest_version());
    /* Every version is looked for by its row, not skipped by the highest applied: a branch's
     * migration merged after a higher-numbered one must still run (apply_migration checks). */
    for (size_t i = 0; i < tv__migration_count; i++) {
        int rc = apply_migration(st, &tv__migrations[i]);

        if (rc < 0)
            return rc;
        applied += rc;
    }
    return applied;
}

/* ---- upsert ---- */

typedef struct {
    char *buf;
    size_t len, cap;
} copybuf_t;

/* Appends 's' escaped for COPY's text format. */
static int copy_append(copybuf_t *b, const char *s, char end)
{
    size_t n = strlen(s);

    if (tv__grow((void **)&b->buf, &b->cap, b->len + 2 * n + 2, 1) != 0)
        return TV_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            b->buf[b->len++] = '\\';
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
        }
        b->buf[b->len++] = c;
    }
    b->buf[b->len++] = end;
    return 0;
}

static int copy_flush(tv_store_t *st, copybuf_t *b)
{
    if (b->len > 0 && PQputCopyData(st->conn, b->buf, (int)b->len) != 1)
        return tv__store_db_error(st, NULL, "COPY");
    b->len = 0;
    return 0;
}

static int copy_docs(tv_store_t *st, const tv_docs_t *docs)
{
    copybuf_t b = {NULL, 0, 0};
    PGresult *res = PQexec(st->conn, "COPY tv_staging (id, doc) FROM STDIN");
    int rc = 0;

    if (PQresultStatus(res) != PGRES_COPY_IN)
        return tv__store_db_error(st, res, "COPY");
    PQclear(res);
    for (size_t i = 0; i < docs->n && rc == 0; i++) {
        rc = copy_append(&b, docs->items[i].id, '\t');
        if (rc == 0)
            rc = copy_append(&b, docs->items[i].json, '\n');
        if (rc == 0 && b.len >= COPY_CHUNK_BYTES)
            rc = copy_flush(st, &b);
    }
    if (rc == 0)
        rc = copy_flush(st, &b);
    tv__free(b.buf);
    if (PQputCopyEnd(st->conn, rc == 0 ? NULL : "aborted by tavolo") != 1 && rc == 0)
        rc = tv__store_db_error(st, NULL, "COPY");
    res = PQgetResult(st->conn);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0)
        rc = tv__store_db_error(st, res, "COPY");
    else
        PQclear(res);
    while ((res = PQgetResult(st->conn)) != NULL)
        PQclear(res);
    return rc;
}

static const char *const upsert_sql[] = {
    "WITH up AS (INSERT INTO companies AS t (id, doc) SELECT id, doc FROM tv_staging "
    "ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc, version = t.version + 1, "
    "updated_at = now() WHERE t.doc IS DISTINCT FROM EXCLUDED.doc "
    "RETURNING t.id, (t.xmax = 0) AS inserted) "
    "INSERT INTO tv_changed SELECT id, inserted FROM up",
    "WITH up AS (INSERT INTO investors AS t (id, doc) SELECT id, doc FROM tv_staging "
    "ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc, version = t.version + 1, "
    "updated_at = now() WHERE t.doc IS DISTINCT FROM EXCLUDED.doc "
    "RETURNING t.id, (t.xmax = 0) AS inserted) "
    "INSERT INTO tv_changed SELECT id, inserted FROM up",
};

/* Rebuilds the portfolio rows of the investors that changed. */
static int refresh_portfolios(tv_store_t *st)
{
    int rc = tv__store_exec_command(st,
                                    "DELETE FROM portfolio_entries p USING tv_changed c "
                                    "WHERE p.investor_id = c.id",
                                    0, NULL);

    if (rc == 0)
        rc = tv__store_exec_command(
            st,
            "INSERT INTO portfolio_entries (investor_id, position, name, doc) "
            "SELECT i.id, e.ord - 1, e.value->>'name', e.value "
            "FROM investors i JOIN tv_changed c USING (id), "
            "jsonb_array_elements(coalesce(i.doc->'portfolio', '[]')) "
            "WITH ORDINALITY AS e(value, ord)",
            0, NULL);
    return rc;
}

static int count_changes(tv_store_t *st, size_t total, tv_upsert_stats_t *out)
{
    PGresult *res = PQexec(st->conn, "SELECT count(*) FILTER (WHERE inserted), "
                                     "count(*) FILTER (WHERE NOT inserted) FROM tv_changed");

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "count changes");
    out->inserted = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    out->updated = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
    out->unchanged = total - out->inserted - out->updated;
    PQclear(res);
    return 0;
}

static int log_import(tv_store_t *st, tv_profile_kind_t kind, const char *source, size_t total,
                      const tv_upsert_stats_t *s)
{
    char records[24], inserted[24], updated[24], unchanged[24];
    const char *params[6] = {kind == TV_KIND_COMPANY ? "company" : "investor",
                             source,
                             records,
                             inserted,
                             updated,
                             unchanged};

    snprintf(records, sizeof(records), "%zu", total);
    snprintf(inserted, sizeof(inserted), "%zu", s->inserted);
    snprintf(updated, sizeof(updated), "%zu", s->updated);
    snprintf(unchanged, sizeof(unchanged), "%zu", s->unchanged);
    return tv__store_exec_command(
        st,
        "INSERT INTO import_runs (kind, source, records, inserted, updated, "
        "unchanged) VALUES ($1, $2, $3, $4, $5, $6)",
        6, params);
}

int tv_store_upsert(tv_store_t *st, tv_profile_kind_t kind, const tv_docs_t *docs,
                    const char *source, tv_upsert_stats_t *out)
{
    tv_upsert_stats_t stats = {0, 0, 0};
    int rc = tv__store_exec_command(st, "BEGIN", 0, NULL);

    if (rc == 0)
        rc = tv__store_exec_command(
            st,
            "CREATE TEMP TABLE tv_staging (id text NOT NULL, doc jsonb NOT NULL) "
            "ON COMMIT DROP",
            0, NULL);
    if (rc == 0)
        rc = tv__store_exec_command(
            st,
            "CREATE TEMP TABLE tv_changed (id text NOT NULL, inserted boolean "
            "NOT NULL) ON COMMIT DROP",
            0, NULL);
    if (rc == 0)
        rc = copy_docs(st, docs);
    if (rc == 0)
        rc = tv__store_exec_command(st, upsert_sql[kind], 0, NULL);
    if (rc == 0 && kind == TV_KIND_INVESTOR)
        rc = refresh_portfolios(st);
    if (rc == 0)
        rc = count_changes(st, docs->n, &stats);
    if (rc == 0)
        rc = log_import(st, kind, source, docs->n, &stats);
    if (rc == 0)
        rc = tv__store_exec_command(st, "COMMIT", 0, NULL);
    if (rc != 0) {
        tv__store_rollback(st);
        return rc;
    }
    *out = stats;
    return 0;
}

/* ---- reads ---- */

/* Writes 'ids' as a PostgreSQL array literal: {"a","b\"c"}. */
static char *array_literal(const char *const *ids, size_t n)
{
    size_t cap = 3;
    char *s, *p;

    for (size_t i = 0; i < n; i++)
        cap += 2 * strlen(ids[i]) + 3;
    s = tv__malloc(cap);
    if (s == NULL)
        return NULL;
    p = s;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            *p++ = ',';
        *p++ = '"';
        for (const char *c = ids[i]; *c != '\0'; c++) {
            if (*c == '"' || *c == '\\')
                *p++ = '\\';
            *p++ = *c;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    return s;
}

int tv_store_each(tv_store_t *st, tv_profile_kind_t kind, const char *const *ids, size_t n_ids,
                  tv_store_doc_cb cb, void *ctx)
{
    static const char *const all_sql[] = {"SELECT id, doc::text FROM companies ORDER BY id",
                                          "SELECT id, doc::text FROM investors ORDER BY id"};
    static const char *const some_sql[] = {
        "SELECT id, doc::text FROM companies WHERE id = ANY($1::text[]) ORDER BY id",
        "SELECT id, doc::text FROM investors WHERE id = ANY($1::text[]) ORDER BY id"};
    char *list = n_ids > 0 ? array_literal(ids, n_ids) : NULL;
    const char *params[1] = {list};
    PGresult *res;
    int rc = 0;

    if (n_ids > 0 && list == NULL)
        return TV_ENOMEM;
    res = tv__store_params(st, n_ids > 0 ? some_sql[kind] : all_sql[kind], n_ids > 0, params, NULL,
                           NULL, 0);
    tv__free(list);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, table_of[kind]);
    for (int i = 0; i < PQntuples(res) && rc == 0; i++)
        rc = cb(ctx, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), (size_t)PQgetlength(res, i, 1));
    PQclear(res);
    return rc;
}

int tv_store_count(tv_store_t *st, tv_profile_kind_t kind, int64_t *out)
{
    static const char *const sql[] = {"SELECT count(*) FROM companies",
                                      "SELECT count(*) FROM investors"};

    return tv__store_query_int(st, sql[kind], 0, NULL, out);
}

/* Database names cannot be bound as parameters, so the name is quoted by libpq. */
static int database_command(tv_store_t *st, const char *verb, const char *name)
{
    char *quoted = PQescapeIdentifier(st->conn, name, strlen(name));
    char sql[256];
    int rc;

    if (quoted == NULL)
        return tv__store_db_error(st, NULL, "quote database name");
    snprintf(sql, sizeof(sql), "%s %s", verb, quoted);
    PQfreemem(quoted);
    rc = tv__store_exec_command(st, sql, 0, NULL);
    return rc;
}

int tv_store_create_database(tv_store_t *st, const char *name)
{
    const char *params[1] = {name};
    int64_t exists = 0;
    int rc = tv__store_query_int(st, "SELECT count(*) FROM pg_database WHERE datname = $1", 1,
                                 params, &exists);

    if (rc != 0 || exists)
        return rc;
    rc = database_command(st, "CREATE DATABASE", name);
    return rc != 0 ? rc : 1;
}

int tv_store_drop_database(tv_store_t *st, const char *name)
{
    return database_command(st, "DROP DATABASE IF EXISTS", name);
}

int tv_store_open_database(const tv_store_t *st, const char *dbname, tv_store_t **out)
{
    PQconninfoOption *opts = PQconninfo(st->conn);
    const char *keys[64], *values[64];
    tv_store_t *other;
    int n = 0;

    if (opts == NULL)
        return TV_ENOMEM;
    for (PQconninfoOption *o = opts; o->keyword != NULL && n < 62; o++) {
        if (o->val == NULL || strcmp(o->keyword, "dbname") == 0)
            continue;
        keys[n] = o->keyword;
        values[n++] = o->val;
    }
    keys[n] = "dbname";
    values[n++] = dbname;
    keys[n] = NULL;
    values[n] = NULL;
    other = tv__calloc(1, sizeof(*other));
    if (other != NULL)
        other->conn = PQconnectdbParams(keys, values, 0);
    PQconninfoFree(opts);
    if (other == NULL)
        return TV_ENOMEM;
    if (PQstatus(other->conn) != CONNECTION_OK) {
        tv_store_close(other);
        return TV_EUNAVAIL;
    }
    session_settings(other->conn);
    *out = other;
    return 0;
}

int tv_store_each_participant(tv_store_t *st, const char *event_id, tv_store_participant_cb cb,
                              void *ctx)
{
    const char *params[1] = {event_id};
    int64_t exists = 0;
    PGresult *res;
    int rc =
        tv__store_query_int(st, "SELECT count(*) FROM events WHERE id = $1", 1, params, &exists);

    if (rc != 0)
        return rc;
    if (!exists)
        return tv__store_set_error(st, TV_ENOTFOUND, "no event \"%s\"", event_id);
    res = tv__store_params(st,
                           "SELECT kind, profile_id FROM event_participants WHERE event_id = $1 "
                           "ORDER BY kind, profile_id",
                           1, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "event participants");
    for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
        tv_profile_kind_t kind =
            strcmp(PQgetvalue(res, i, 0), "company") == 0 ? TV_KIND_COMPANY : TV_KIND_INVESTOR;

        rc = cb(ctx, kind, PQgetvalue(res, i, 1));
    }
    PQclear(res);
    return rc;
}

int tv_store_healthy(const tv_store_t *st)
{
    return st != NULL && PQstatus(st->conn) == CONNECTION_OK;
}

static const char *const put_sql[2][2] = {
    {"INSERT INTO companies (id, doc) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO NOTHING "
     "RETURNING 1",
     "INSERT INTO companies AS t (id, doc) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO UPDATE "
     "SET doc = EXCLUDED.doc, version = t.version + 1, updated_at = now() "
     "WHERE t.doc IS DISTINCT FROM EXCLUDED.doc RETURNING (t.xmax = 0)::int"},
    {"INSERT INTO investors (id, doc) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO NOTHING "
     "RETURNING 1",
     "INSERT INTO investors AS t (id, doc) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO UPDATE "
     "SET doc = EXCLUDED.doc, version = t.version + 1, updated_at = now() "
     "WHERE t.doc IS DISTINCT FROM EXCLUDED.doc RETURNING (t.xmax = 0)::int"},
};

/* Rebuilds one investor's portfolio rows from its document. */
static int refresh_portfolio(tv_store_t *st, const char *id)
{
    const char *params[1] = {id};
    int rc = tv__store_exec_command(st, "DELETE FROM portfolio_entries WHERE investor_id = $1", 1,
                                    params);

    if (rc == 0)
        rc = tv__store_exec_command(
            st,
            "INSERT INTO portfolio_entries (investor_id, position, name, doc) "
            "SELECT i.id, e.ord - 1, e.value->>'name', e.value FROM investors i, "
            "jsonb_array_elements(coalesce(i.doc->'portfolio', '[]')) WITH ORDINALITY "
            "AS e(value, ord) WHERE i.id = $1",
            1, params);
    return rc;
}

static const char *const kind_name[] = {"company", "investor"};

/* Only if the stored document is still 'expected' (compared as JSON values). */
static const char *const replace_sql[2] = {
    "UPDATE companies AS t SET doc = $2::jsonb, version = t.version + 1, updated_at = now() "
    "WHERE t.id = $1 AND t.doc = $3::jsonb RETURNING 0",
    "UPDATE investors AS t SET doc = $2::jsonb, version = t.version + 1, updated_at = now() "
    "WHERE t.id = $1 AND t.doc = $3::jsonb RETURNING 0"};

/* Runs the write of tv_store_put inside its transaction; sets '*inserted'. */
static int put_row(tv_store_t *st, tv_profile_kind_t kind, const char *id, const char *json,
                   tv_put_mode_t mode, const char *expected, int *inserted)
{
    const char *params[3] = {id, json, expected};
    const char *sql = expected != NULL ? replace_sql[kind] : put_sql[kind][mode];
    PGresult *res = tv__store_params(st, sql, expected != NULL ? 3 : 2, params, NULL, NULL, 0);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, table_of[kind]);
    if (expected != NULL && PQntuples(res) == 0)
        rc = tv__store_set_error(st, TV_ESTALE, "%s \"%s\" changed since it was read",
                                 kind_name[kind], id);
    else if (mode == TV_PUT_CREATE && PQntuples(res) == 0)
        rc = tv__store_set_error(st, TV_ECONFLICT, "%s \"%s\" exists already", kind_name[kind], id);
    *inserted = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "1") == 0;
    PQclear(res);
    return rc;
}

int tv_store_replace_all(tv_store_t *st, const tv_store_change_t *changes, size_t n, int dry_run)
{
    int rc = tv__store_exec_command(st, "BEGIN", 0, NULL), inserted = 0;

    for (size_t i = 0; rc == 0 && i < n; i++) {
        const tv_store_change_t *c = &changes[i];

        rc = put_row(st, c->kind, c->id, c->json, TV_PUT_UPSERT, c->expected, &inserted);
        if (rc == 0 && c->kind == TV_KIND_INVESTOR)
            rc = refresh_portfolio(st, c->id);
    }
    if (rc == 0)
        rc = tv__store_exec_command(st, dry_run ? "ROLLBACK" : "COMMIT", 0, NULL);
    if (rc != 0)
        tv__store_rollback(st);
    return rc;
}

int tv_store_put(tv_store_t *st, tv_profile_kind_t kind, const char *id, const char *json,
                 tv_put_mode_t mode, const char *join_event, const char *expected, int *created)
{
    int rc = tv__store_exec_command(st, "BEGIN", 0, NULL), inserted = 0;

    if (rc != 0)
        return rc;
    rc = put_row(st, kind, id, json, mode, expected, &inserted);
    if (rc == 0 && kind == TV_KIND_INVESTOR)
        rc = refresh_portfolio(st, id);
    if (rc == 0 && join_event != NULL) {
        const char *join[3] = {join_event, kind_name[kind], id};

        rc = tv__store_exec_command(st,
                                    "INSERT INTO event_participants (event_id, kind, profile_id) "
                                    "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                    3, join);
    }
    if (rc == 0)
        rc = tv__store_exec_command(st, "COMMIT", 0, NULL);
    if (rc != 0) {
        tv__store_rollback(st);
        return rc;
    }
    *created = inserted;
    return 0;
}

/* A deleted profile's meetings still to come are cancelled (SEQUENCE up, so calendars learn
 * of it) and its pending requests too; held and no-show meetings stay as the record of what
 * happened. */
static int cancel_meetings_of(tv_store_t *st, tv_profile_kind_t kind, const char *id)
{
    static const char *const meetings[] = {
        "UPDATE meetings SET status = 'cancelled', sequence = sequence + 1, updated_at = now() "
        "WHERE company_id = $1 AND status = 'scheduled'",
        "UPDATE meetings SET status = 'cancelled', sequence = sequence + 1, updated_at = now() "
        "WHERE investor_id = $1 AND status = 'scheduled'"};
    static const char *const requests[] = {
        "UPDATE meeting_requests SET status = 'cancelled', decided_at = now() "
        "WHERE company_id = $1 AND status = 'pending'",
        "UPDATE meeting_requests SET status = 'cancelled', decided_at = now() "
        "WHERE investor_id = $1 AND status = 'pending'"};
    static const char *const versions[] = {
        "UPDATE events SET meetings_version = meetings_version + 1 WHERE id IN "
        "(SELECT event_id FROM meetings WHERE company_id = $1)",
        "UPDATE events SET meetings_version = meetings_version + 1 WHERE id IN "
        "(SELECT event_id FROM meetings WHERE investor_id = $1)"};
    const char *params[1] = {id};
    int rc = tv__store_exec_command(st, versions[kind], 1, params);

    if (rc == 0)
        rc = tv__store_exec_command(st, meetings[kind], 1, params);
    if (rc == 0)
        rc = tv__store_exec_command(st, requests[kind], 1, params);
    return rc;
}

/* Deletes the row, only if its document is still 'expected' when that is not NULL. */
static int delete_row(tv_store_t *st, tv_profile_kind_t kind, const char *id, const char *expected)
{
    static const char *const sql[] = {
        "DELETE FROM companies WHERE id = $1 AND ($2::jsonb IS NULL OR doc = $2::jsonb)",
        "DELETE FROM investors WHERE id = $1 AND ($2::jsonb IS NULL OR doc = $2::jsonb)"};
    const char *params[2] = {id, expected};
    PGresult *res = tv__store_params(st, sql[kind], 2, params, NULL, NULL, 0);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return tv__store_db_error(st, res, table_of[kind]);
    if (strcmp(PQcmdTuples(res), "0") == 0)
        rc = expected != NULL
                 ? tv__store_set_error(st, TV_ESTALE, "%s \"%s\" changed since it was read",
                                       kind_name[kind], id)
                 : tv__store_set_error(st, TV_ENOTFOUND, "no such profile \"%s\"", id);
    PQclear(res);
    return rc;
}

int tv_store_delete(tv_store_t *st, tv_profile_kind_t kind, const char *id, const char *expected)
{
    const char *params[2] = {id, kind_name[kind]};
    int rc = tv__store_exec_command(st, "BEGIN", 0, NULL);

    if (rc != 0)
        return rc;
    rc = delete_row(st, kind, id, expected);
    if (rc == 0)
        rc = cancel_meetings_of(st, kind, id);
    if (rc == 0)
        rc = tv__store_exec_command(st,
                                    "DELETE FROM event_participants WHERE profile_id = $1 AND "
                                    "kind = $2",
                                    2, params);
    if (rc == 0)
        rc = tv__store_exec_command(st, "COMMIT", 0, NULL);
    if (rc != 0)
        tv__store_rollback(st);
    return rc;
}

int tv_store_is_participant(tv_store_t *st, const char *event_id, tv_profile_kind_t kind,
                            const char *id)
{
    const char *params[3] = {event_id, kind == TV_KIND_COMPANY ? "company" : "investor", id};
    int64_t n = 0;
    int rc = tv__store_query_int(st,
                                 "SELECT count(*) FROM event_participants WHERE event_id = $1 "
                                 "AND kind = $2 AND profile_id = $3",
                                 3, params, &n);

    return rc != 0 ? rc : n > 0;
}
