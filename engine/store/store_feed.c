/* The change feed: reads at one snapshot, the profiles written since another, and the
 * listening connection that hears of every commit (decision 0042). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "tavolo/error.h"
#include "tavolo/feed.h"

/* Runs a query returning one text value into a malloc'd copy. */
static int query_text(tv_store_t *st, const char *sql, char **out)
{
    PGresult *res = PQexec(st->conn, sql);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "snapshot");
    if (PQntuples(res) != 1 || (*out = strdup(PQgetvalue(res, 0, 0))) == NULL)
        rc = PQntuples(res) != 1 ? tv__store_set_error(st, TV_EDB, "no snapshot") : TV_ENOMEM;
    PQclear(res);
    return rc;
}

int tv_store_snapshot_begin(tv_store_t *st, char **snapshot)
{
    int rc = tv__store_exec_command(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL);

    if (rc == 0)
        rc = query_text(st, "SELECT pg_current_snapshot()::text", snapshot);
    if (rc != 0)
        tv__store_rollback(st);
    return rc;
}

int tv_store_snapshot_end(tv_store_t *st)
{
    int rc = tv__store_exec_command(st, "COMMIT", 0, NULL);

    if (rc != 0)
        tv__store_rollback(st);
    return rc;
}

/* Rows written by transactions the snapshot $1 did not see: committed before this query's
 * snapshot (it reads them), and after $1 was taken or in progress then. A transaction id below
 * $1's xmin was over when $1 was taken, so the index on txid finds the rest. */
static const char changes_sql[] =
    "WITH since AS (SELECT $1::pg_snapshot AS s) "
    "SELECT 'c', id, doc::text FROM companies, since "
    "WHERE txid >= pg_snapshot_xmin(s) AND NOT pg_visible_in_snapshot(txid, s) "
    "UNION ALL SELECT 'i', id, doc::text FROM investors, since "
    "WHERE txid >= pg_snapshot_xmin(s) AND NOT pg_visible_in_snapshot(txid, s) "
    "UNION ALL SELECT left(kind, 1), id, NULL FROM profile_removals, since "
    "WHERE txid >= pg_snapshot_xmin(s) AND NOT pg_visible_in_snapshot(txid, s) "
    "ORDER BY 1, 2";

static int each_change(tv_store_t *st, const char *since, tv_store_change_cb cb, void *ctx)
{
    const char *params[1] = {since};
    PGresult *res = tv__store_params(st, changes_sql, 1, params, NULL, NULL, 0);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "changes");
    for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
        tv_profile_kind_t kind =
            PQgetvalue(res, i, 0)[0] == 'c' ? TV_KIND_COMPANY : TV_KIND_INVESTOR;
        int removed = PQgetisnull(res, i, 2);

        rc = cb(ctx, kind, PQgetvalue(res, i, 1), removed ? NULL : PQgetvalue(res, i, 2),
                removed ? 0 : (size_t)PQgetlength(res, i, 2));
    }
    PQclear(res);
    return rc;
}

int tv_store_changes(tv_store_t *st, const char *since, tv_store_change_cb cb, void *ctx,
                     char **now)
{
    char *snapshot = NULL;
    int rc = tv_store_snapshot_begin(st, &snapshot);

    if (rc == 0)
        rc = each_change(st, since, cb, ctx);
    if (rc == 0)
        rc = tv_store_snapshot_end(st);
    else
        tv__store_rollback(st);
    if (rc == 0)
        *now = snapshot;
    else
        free(snapshot);
    return rc;
}

typedef enum { CONNECTING, LISTEN_SENT, LISTENING } listener_state_t;

struct tv_listener {
    PGconn *conn;
    listener_state_t state;
    char **queue; /* payloads, oldest first from 'head' */
    size_t head, n, cap;
    char error[256];
};

/* The server's notices (a FATAL "terminating connection" when it shuts down) would go to
 * stderr; the failure they announce is reported by tv_listener_step. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

int tv_listener_open(const char *conninfo, tv_listener_t **out)
{
    tv_listener_t *l = calloc(1, sizeof(*l));

    if (l == NULL)
        return TV_ENOMEM;
    l->conn = PQconnectStart(conninfo);
    if (l->conn == NULL || PQstatus(l->conn) == CONNECTION_BAD) {
        tv_listener_close(l);
        return TV_EUNAVAIL;
    }
    PQsetNoticeProcessor(l->conn, ignore_notice, NULL);
    *out = l;
    return 0;
}

static int fail(tv_listener_t *l)
{
    const char *why = PQerrorMessage(l->conn);
    size_t len = strlen(why);

    size_t n = 0;

    /* libpq's messages span lines: one line for a log. */
    while (len > 0 && (why[len - 1] == '\n' || why[len - 1] == ' '))
        len--;
    for (size_t i = 0; i < len && n + 1 < sizeof(l->error); i++) {
        if (why[i] != '\n' && why[i] != '\t')
            l->error[n++] = why[i];
        else if (n > 0 && l->error[n - 1] != ' ')
            l->error[n++] = ' ';
    }
    l->error[n] = '\0';
    return TV_EUNAVAIL;
}

static int enqueue(tv_listener_t *l, const char *payload)
{
    if (l->head > 0 && l->head + l->n == l->cap) {
        memmove(l->queue, l->queue + l->head, l->n * sizeof(char *));
        l->head = 0;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **q = realloc(l->queue, cap * sizeof(char *));

        if (q == NULL)
            return TV_ENOMEM;
        l->queue = q;
        l->cap = cap;
    }
    if ((l->queue[l->head + l->n] = strdup(payload)) == NULL)
        return TV_ENOMEM;
    l->n++;
    return 0;
}

/* Once connected: sends what is pending, reads what arrived, queues notifications. */
static int pump(tv_listener_t *l)
{
    PGnotify *note;
    PGresult *res;
    int rc = 0, pending;

    if (PQconsumeInput(l->conn) == 0)
        return fail(l);
    while (!PQisBusy(l->conn) && (res = PQgetResult(l->conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = TV_EUNAVAIL;
        else if (l->state == LISTEN_SENT)
            l->state = LISTENING;
        PQclear(res);
    }
    if (rc != 0)
        return fail(l);
    while (rc == 0 && (note = PQnotifies(l->conn)) != NULL) {
        rc = enqueue(l, note->extra);
        PQfreemem(note);
    }
    if (rc != 0)
        return rc;
    if ((pending = PQflush(l->conn)) < 0)
        return fail(l);
    return TV_LISTENER_READ | (pending ? TV_LISTENER_WRITE : 0) |
           (l->state == LISTENING ? TV_LISTENER_LISTENING : 0);
}

int tv_listener_step(tv_listener_t *l)
{
    if (l->state == CONNECTING) {
        switch (PQconnectPoll(l->conn)) {
        case PGRES_POLLING_READING:
            return TV_LISTENER_READ;
        case PGRES_POLLING_WRITING:
            return TV_LISTENER_WRITE;
        case PGRES_POLLING_OK:
            if (PQsetnonblocking(l->conn, 1) != 0 || PQsendQuery(l->conn, "LISTEN tavolo") == 0)
                return fail(l);
            l->state = LISTEN_SENT;
            break;
        default:
            return fail(l);
        }
    }
    return pump(l);
}

int tv_listener_socket(const tv_listener_t *l)
{
    return l != NULL && l->conn != NULL ? PQsocket(l->conn) : -1;
}

char *tv_listener_next(tv_listener_t *l)
{
    char *payload;

    if (l->n == 0)
        return NULL;
    payload = l->queue[l->head++];
    if (--l->n == 0)
        l->head = 0;
    return payload;
}

const char *tv_listener_error(const tv_listener_t *l)
{
    return l->error;
}

void tv_listener_close(tv_listener_t *l)
{
    if (l == NULL)
        return;
    while (l->n > 0)
        free(tv_listener_next(l));
    free(l->queue);
    PQfinish(l->conn);
    free(l);
}
