/* A participant's own unavailable slots (decision 0053): one compare-and-set under the event's
 * row lock, which writes the participant's entry of the stored file and its row, and reads the
 * meetings the change makes impossible; a dry run is the same transaction rolled back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "tavolo/availability.h"
#include "tavolo/error.h"

static const char *const kinds[] = {"company", "investor"};

/* The participant's entry of the stored file, by kind ($2) and id ($3) of event row 'e'. */
#define ENTRY_SQL(col)                                                                             \
    "SELECT " col " FROM jsonb_array_elements(CASE jsonb_typeof(e.doc->'participants') WHEN "      \
    "'array' THEN e.doc->'participants' ELSE '[]' END) WITH ORDINALITY x(v, i) WHERE "             \
    "x.v->>'kind' "                                                                                \
    "= $2 AND x.v->>'id' = $3 LIMIT 1"

/* Locks the event's row (imports and other changes of the event wait, or are waited for) and
 * checks that what the caller checked its list against is still what is stored. */
static int lock_and_compare(tv_store_t *st, const char *const *params, const char *event_id)
{
    PGresult *res = tv__store_params(
        st,
        "SELECT e.head = $4::jsonb AND coalesce((" ENTRY_SQL(
            "coalesce(x.v->'unavailable', '[]'::jsonb) = $5::jsonb") "), false) FROM events e "
                                                                     "WHERE e.id = $1 FOR UPDATE",
        5, params, NULL, NULL, 0);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "events");
    if (PQntuples(res) == 0)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "no event \"%s\"", event_id);
    else if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
        rc = tv__store_set_error(st, TV_ESTALE,
                                 "the event or the participant's slots changed while the change "
                                 "was checked");
    PQclear(res);
    return rc;
}

/* Whether the JSON arrays $6 (new) and $5 (as stored) hold different slots. */
#define DIFFERS                                                                                    \
    "(SELECT array_agg(s ORDER BY s) FROM jsonb_array_elements_text($6::jsonb) s) IS DISTINCT "    \
    "FROM (SELECT array_agg(s ORDER BY s) FROM jsonb_array_elements_text($5::jsonb) s)"

/* The writes: the participant's entry of the file (and the event's meetings_version, so that a
 * schedule computed from the old slots is not saved), then its row and its part of the file
 * (migration 027: its own entry is the first of its "participants"). Nothing when the set of
 * slots is the same. Every statement gets the same six parameters, so those it does not need
 * are named in a condition that always holds ("$4::text IS NOT NULL"): PostgreSQL must know the
 * type of each. */
static const char *const write_sql[] = {
    "UPDATE events e SET doc = jsonb_set(e.doc, ARRAY['participants', (" ENTRY_SQL(
        "(x.i - 1)::text") "), 'unavailable'], $6::jsonb), meetings_version = e.meetings_version "
                           "+ 1 WHERE e.id = $1 AND (" ENTRY_SQL(
                               "1") ") IS NOT NULL AND "
                                    "$4::text IS NOT NULL AND " DIFFERS,
    "UPDATE event_participants SET unavailable = $6::jsonb, own = CASE WHEN own IS NOT NULL THEN "
    "jsonb_set(own, '{participants,0,unavailable}', $6::jsonb) END WHERE event_id = $1 AND kind = "
    "$2 AND profile_id = $3 AND $4::text IS NOT NULL AND " DIFFERS,
};

/* The participant's meetings, not cancelled, in a slot of $6 that $5 did not hold. */
static int read_affected(tv_store_t *st, const char *const *params, tv_meeting_t **out, size_t *n)
{
    PGresult *res = tv__store_params(
        st,
        "SELECT id, company_id, investor_id, slot_index, slot_start, table_no, status, pinned "
        "FROM meetings WHERE event_id = $1 AND CASE WHEN $2 = 'company' THEN company_id ELSE "
        "investor_id END = $3 AND status <> 'cancelled' AND $6::jsonb ? slot_start AND NOT "
        "$5::jsonb ? slot_start AND $4::text IS NOT NULL ORDER BY slot_start, table_no, id",
        6, params, NULL, NULL, 0);
    tv_meeting_t *m;
    int rows;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "meetings");
    rows = PQntuples(res);
    m = calloc((size_t)rows + 1, sizeof(*m));
    if (m == NULL) {
        PQclear(res);
        return TV_ENOMEM;
    }
    for (int i = 0; i < rows; i++) {
        m[i].id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        snprintf(m[i].company_id, sizeof(m[i].company_id), "%s", PQgetvalue(res, i, 1));
        snprintf(m[i].investor_id, sizeof(m[i].investor_id), "%s", PQgetvalue(res, i, 2));
        m[i].slot_index = (uint32_t)strtoul(PQgetvalue(res, i, 3), NULL, 10);
        snprintf(m[i].slot_start, sizeof(m[i].slot_start), "%s", PQgetvalue(res, i, 4));
        m[i].table_no = (uint32_t)strtoul(PQgetvalue(res, i, 5), NULL, 10);
        m[i].status = (tv_meeting_status_t)tv_meeting_status_parse(PQgetvalue(res, i, 6));
        m[i].pinned = strcmp(PQgetvalue(res, i, 7), "t") == 0;
    }
    PQclear(res);
    *out = m;
    *n = (size_t)rows;
    return 0;
}

int tv_store_availability_put(tv_store_t *st, const char *event_id, tv_profile_kind_t kind,
                              const char *id, const char *frame, const char *expected,
                              const char *unavailable, int flags, tv_meeting_t **affected,
                              size_t *n_affected)
{
    const char *params[6] = {event_id, kinds[kind], id, frame, expected, unavailable};
    tv_meeting_t *m = NULL;
    size_t n = 0;
    int rc = tv__store_exec_command(st, "BEGIN", 0, NULL);

    if (rc == 0)
        rc = lock_and_compare(st, params, event_id);
    for (size_t k = 0; rc == 0 && k < sizeof(write_sql) / sizeof(*write_sql); k++)
        rc = tv__store_exec_command(st, write_sql[k], 6, params);
    if (rc == 0)
        rc = read_affected(st, params, &m, &n);
    if (rc == 0)
        rc = tv__store_exec_command(st, (flags & TV_IMPORT_DRY_RUN) ? "ROLLBACK" : "COMMIT", 0,
                                    NULL);
    if (rc != 0) {
        tv__store_rollback(st);
        free(m);
        return rc;
    }
    *affected = m;
    *n_affected = n;
    return 0;
}
