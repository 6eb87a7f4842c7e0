/* The store's calendar feeds (decision 0054). Hashes travel as binary parameters; feed tokens
 * themselves never reach this file. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "tavolo/calendar_feed.h"
#include "tavolo/error.h"

#define SQLSTATE_FOREIGN_KEY "23503"
#define SQLSTATE_CHECK "23514"
#define ISO_UTC " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* The error of a refused INSERT: the event's foreign key, a check, or the database. */
static int create_error(tv_store_t *st, PGresult *res, const char *event_id)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

    if (state != NULL && strcmp(state, SQLSTATE_FOREIGN_KEY) == 0) {
        PQclear(res);
        return tv__store_set_error(st, TV_ENOTFOUND, "no event \"%s\"",
                                   event_id != NULL ? event_id : "");
    }
    if (state != NULL && strcmp(state, SQLSTATE_CHECK) == 0) {
        PQclear(res);
        return tv__store_set_error(st, TV_EINVAL, "calendar_feeds: a value out of range");
    }
    return tv__store_db_error(st, res, "calendar_feeds");
}

int tv_store_calendar_feed_create(tv_store_t *st, const uint8_t hash[32], const char *email,
                                  const char *kind, const char *profile_id, const char *event_id,
                                  int64_t *id_out)
{
    const char *params[5] = {(const char *)hash, email, kind, profile_id, event_id};
    const int lengths[5] = {TV_FEED_HASH_BYTES, 0, 0, 0, 0};
    const int formats[5] = {1, 0, 0, 0, 0};
    PGresult *res =
        tv__store_params(st,
                         "INSERT INTO calendar_feeds (hash, email, kind, profile_id, "
                         "event_id) VALUES ($1::bytea, lower($2), $3, $4, $5) RETURNING id",
                         5, params, lengths, formats, 0);

    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        return create_error(st, res, event_id);
    *id_out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

/* Copies the columns (id, email, kind, profile_id, event_id or NULL) of the only row of 'res'
 * into 'out'; -1 for a value too long for it. */
static int read_feed(const PGresult *res, tv_calendar_feed_t *out)
{
    memset(out, 0, sizeof(*out));
    if ((size_t)PQgetlength(res, 0, 1) >= sizeof(out->email) ||
        (size_t)PQgetlength(res, 0, 2) >= sizeof(out->kind) ||
        (size_t)PQgetlength(res, 0, 3) >= sizeof(out->profile_id) ||
        (size_t)PQgetlength(res, 0, 4) >= sizeof(out->event_id))
        return -1;
    out->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    snprintf(out->email, sizeof(out->email), "%s", PQgetvalue(res, 0, 1));
    snprintf(out->kind, sizeof(out->kind), "%s", PQgetvalue(res, 0, 2));
    snprintf(out->profile_id, sizeof(out->profile_id), "%s", PQgetvalue(res, 0, 3));
    snprintf(out->event_id, sizeof(out->event_id), "%s", PQgetvalue(res, 0, 4));
    return 0;
}

/* Reads the live feed of $1 and stamps last_used_at when it is older than a minute, so that a
 * calendar app polling often writes little. */
static const char find_sql[] =
    "WITH f AS (SELECT id, email, kind, profile_id, event_id, last_used_at FROM calendar_feeds "
    "WHERE hash = $1::bytea AND revoked_at IS NULL), t AS (UPDATE calendar_feeds c SET "
    "last_used_at = now() FROM f WHERE c.id = f.id AND (f.last_used_at IS NULL OR "
    "f.last_used_at < now() - interval '1 minute')) SELECT id, email, kind, profile_id, "
    "event_id FROM f";

int tv_store_calendar_feed_find(tv_store_t *st, const uint8_t hash[32], tv_calendar_feed_t *out)
{
    const char *params[1] = {(const char *)hash};
    const int lengths[1] = {TV_FEED_HASH_BYTES};
    const int formats[1] = {1};
    PGresult *res = tv__store_params(st, find_sql, 1, params, lengths, formats, 0);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "calendar_feeds");
    if (PQntuples(res) != 1)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "no such calendar feed");
    else if (read_feed(res, out) != 0)
        rc = tv__store_set_error(st, TV_EDB, "calendar_feeds: a row out of shape");
    PQclear(res);
    return rc;
}

int tv_store_calendar_feed_list(tv_store_t *st, const char *email, tv_store_row_cb cb, void *ctx)
{
    const char *params[1] = {email};

    return tv__store_each_row(st, "calendar_feeds",
                              "SELECT id, kind, profile_id, event_id, to_char(created_at" ISO_UTC
                              ", to_char(last_used_at" ISO_UTC
                              " FROM calendar_feeds WHERE email = lower($1) AND "
                              "revoked_at IS NULL ORDER BY created_at DESC, id DESC",
                              1, params, cb, ctx);
}

int tv_store_calendar_feed_revoke(tv_store_t *st, int64_t id, const char *email)
{
    char ids[24];
    const char *params[2] = {ids, email};
    int64_t n = 0;
    int rc;

    snprintf(ids, sizeof(ids), "%" PRId64, id);
    rc = tv__store_query_int(st,
                             "WITH r AS (UPDATE calendar_feeds SET revoked_at = now() WHERE id = "
                             "$1::bigint AND email = lower($2) AND revoked_at IS NULL RETURNING 1) "
                             "SELECT count(*) FROM r",
                             2, params, &n);
    if (rc == 0 && n == 0)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "no calendar feed %s", ids);
    return rc;
}
