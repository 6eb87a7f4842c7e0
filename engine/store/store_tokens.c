/* The store's API tokens: create, find by hash, revoke, touch and list. Hashes travel as
 * binary parameters; the tokens themselves never reach this file. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "store_internal.h"
#include "tavolo/token.h"

#define SQLSTATE_FOREIGN_KEY "23503"
#define SQLSTATE_UNIQUE "23505"
#define SQLSTATE_CHECK "23514"

/* ISO 8601 in UTC, as tv_token_row_t promises. */
#define ISO_UTC " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Turns a failed INSERT into a code a caller can act on: a broken check is a bad argument,
 * a broken foreign key is an event that does not exist. */
static int create_error(tv_store_t *st, PGresult *res, const char *event_id)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    int bad_value = state != NULL && strcmp(state, SQLSTATE_CHECK) == 0;
    int duplicate = state != NULL && strcmp(state, SQLSTATE_UNIQUE) == 0;
    int rc;

    if (state != NULL && strcmp(state, SQLSTATE_FOREIGN_KEY) == 0) {
        PQclear(res);
        return tv__store_set_error(st, TV_ENOTFOUND, "no event \"%s\"",
                                   event_id != NULL ? event_id : "");
    }
    rc = tv__store_db_error(st, res, "create token"); /* frees 'res' and so 'state' */
    if (rc == TV_EDB && bad_value)
        rc = TV_EINVAL;
    else if (rc == TV_EDB && duplicate)
        rc = TV_ECONFLICT;
    return rc;
}

int tv_store_token_create(tv_store_t *st, const uint8_t hash[32], const char *role,
                          const char *subject, const char *event_id, const char *label,
                          int64_t *id_out)
{
    const char *params[5] = {(const char *)hash, role, subject, event_id, label};
    const int lengths[5] = {TV_TOKEN_HASH_BYTES, 0, 0, 0, 0};
    const int formats[5] = {1, 0, 0, 0, 0};
    PGresult *res = tv__store_params(st,
                                     "INSERT INTO tokens (hash, role, subject, event_id, label) "
                                     "VALUES ($1::bytea, $2, $3, $4, $5) RETURNING id",
                                     5, params, lengths, formats, 0);

    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        return create_error(st, res, event_id);
    *id_out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

/* Copies text column 'col' of the only row into 'dst' ("" when NULL). Returns -1 if it does
 * not fit, which the table's checks rule out. */
static int copy_text(const PGresult *res, int col, char *dst, size_t size)
{
    size_t n = (size_t)PQgetlength(res, 0, col);

    if (n >= size)
        return -1;
    memcpy(dst, PQgetvalue(res, 0, col), n);
    dst[n] = '\0';
    return 0;
}

/* Fills 't' from the only row of 'res' (binary format: id as text, hash, role, subject,
 * event_id). */
static int read_token(const PGresult *res, tv_token_t *t)
{
    if (PQgetlength(res, 0, 1) != TV_TOKEN_HASH_BYTES)
        return -1;
    memset(t, 0, sizeof(*t));
    t->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    memcpy(t->hash, PQgetvalue(res, 0, 1), TV_TOKEN_HASH_BYTES);
    if (copy_text(res, 2, t->role, sizeof(t->role)) != 0 ||
        copy_text(res, 3, t->subject, sizeof(t->subject)) != 0 ||
        copy_text(res, 4, t->event_id, sizeof(t->event_id)) != 0)
        return -1;
    return 0;
}

int tv_store_token_find(tv_store_t *st, const uint8_t hash[32], tv_token_t *out)
{
    const char *params[1] = {(const char *)hash};
    const int lengths[1] = {TV_TOKEN_HASH_BYTES};
    const int formats[1] = {1};
    PGresult *res = tv__store_params(st,
                                     "SELECT id::text, hash, role, subject, event_id FROM tokens "
                                     "WHERE hash = $1::bytea AND revoked_at IS NULL",
                                     1, params, lengths, formats, 1);
    tv_token_t t;
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "find token");
    if (PQntuples(res) != 1)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "no such token");
    else if (read_token(res, &t) != 0)
        rc = tv__store_set_error(st, TV_EDB, "find token: a stored value does not fit");
    PQclear(res);
    if (rc == 0)
        *out = t;
    return rc;
}

/* Runs a statement on token 'id' and writes the number of rows it changed to 'changed'. */
static int update_token(tv_store_t *st, const char *sql, int64_t id, const char *what,
                        long *changed)
{
    char text[24];
    const char *params[1] = {text};
    PGresult *res;

    snprintf(text, sizeof(text), "%" PRId64, id);
    res = tv__store_params(st, sql, 1, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return tv__store_db_error(st, res, what);
    *changed = strtol(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return 0;
}

int tv_store_token_revoke(tv_store_t *st, int64_t id)
{
    long changed = 0;
    int rc = update_token(st,
                          "UPDATE tokens SET revoked_at = coalesce(revoked_at, now()) "
                          "WHERE id = $1",
                          id, "revoke token", &changed);

    if (rc == 0 && changed == 0)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "no token %" PRId64, id);
    return rc;
}

int tv_store_token_touch(tv_store_t *st, int64_t id)
{
    long changed = 0;

    /* A write per request would turn every read into one; a minute is precise enough. */
    return update_token(st,
                        "UPDATE tokens SET last_used_at = now() WHERE id = $1 AND "
                        "(last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
                        id, "touch token", &changed);
}

static const char *value_or_null(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

int tv_store_token_list(tv_store_t *st, tv_store_token_cb cb, void *ctx)
{
    static const char sql[] = "SELECT id, role, subject, event_id, label, "
                              "to_char(created_at" ISO_UTC ", to_char(last_used_at" ISO_UTC
                              ", to_char(revoked_at" ISO_UTC " FROM tokens ORDER BY id";
    PGresult *res = PQexec(st->conn, sql);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "list tokens");
    for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
        tv_token_row_t row = {strtoll(PQgetvalue(res, i, 0), NULL, 10),
                              value_or_null(res, i, 1),
                              value_or_null(res, i, 2),
                              value_or_null(res, i, 3),
                              value_or_null(res, i, 4),
                              value_or_null(res, i, 5),
                              value_or_null(res, i, 6),
                              value_or_null(res, i, 7)};

        rc = cb(ctx, &row);
    }
    PQclear(res);
    return rc;
}
