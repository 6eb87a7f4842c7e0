/* Schedule drafts (issue 17, migration 030): a run's meetings kept apart from `meetings` until
 * an organiser publishes them through tv_store_meetings_save. The meetings are kept as the
 * codec writes them (tv_codec_meetings_encode). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "tavolo/error.h"

int tv_store_draft_put(tv_store_t *st, const char *event_id, int64_t base_version,
                       const char *meetings, const char *report)
{
    char version[24];
    const char *params[4] = {event_id, version, meetings, report};

    snprintf(version, sizeof(version), "%" PRId64, base_version);
    return tv__store_exec_command(
        st,
        "INSERT INTO schedule_drafts (event_id, base_version, meetings, report) VALUES ($1, "
        "$2::bigint, $3::jsonb, $4::jsonb) ON CONFLICT (event_id) DO UPDATE SET base_version = "
        "EXCLUDED.base_version, meetings = EXCLUDED.meetings, report = EXCLUDED.report, "
        "created_at = now()",
        4, params);
}

int tv_store_draft_get(tv_store_t *st, const char *event_id, tv_draft_t *out)
{
    const char *params[1] = {event_id};
    PGresult *res = tv__store_params(
        st,
        "SELECT base_version, meetings::text, report::text, to_char(created_at AT TIME ZONE "
        "'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM schedule_drafts WHERE event_id = $1",
        1, params, NULL, NULL, 0);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "schedule_drafts");
    memset(out, 0, sizeof(*out));
    if (PQntuples(res) == 0) {
        PQclear(res);
        return tv__store_set_error(st, TV_ENOTFOUND, "event \"%s\" has no draft", event_id);
    }
    out->base_version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    out->meetings = strdup(PQgetvalue(res, 0, 1));
    out->report = strdup(PQgetvalue(res, 0, 2));
    snprintf(out->created_at, sizeof(out->created_at), "%s", PQgetvalue(res, 0, 3));
    PQclear(res);
    if (out->meetings == NULL || out->report == NULL) {
        tv_draft_dispose(out);
        rc = TV_ENOMEM;
    }
    return rc;
}

int tv_store_draft_delete(tv_store_t *st, const char *event_id)
{
    const char *params[1] = {event_id};
    int64_t gone = 0;
    int rc = tv__store_query_int(st,
                                 "WITH d AS (DELETE FROM schedule_drafts WHERE event_id = $1 "
                                 "RETURNING 1) SELECT count(*) FROM d",
                                 1, params, &gone);

    if (rc == 0 && gone == 0)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "event \"%s\" has no draft", event_id);
    return rc;
}

void tv_draft_dispose(tv_draft_t *d)
{
    free(d->meetings);
    free(d->report);
    memset(d, 0, sizeof(*d));
}
