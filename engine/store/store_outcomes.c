/* What came of each meeting (issue 18, migration 033): the append-only history of what each
 * side and the organisers recorded. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "tavolo/error.h"
#include "tavolo/store.h"

/* An organiser's row also sets the meeting's status to held or no_show (pinned, SEQUENCE up,
 * the event's meetings_version up), in the same statement: the correction and its record. */
int tv_store_outcome_add(tv_store_t *st, const char *event_id, const char *meeting_id,
                         const tv_outcome_t *o, int64_t *id)
{
    const char *params[10] = {event_id,  meeting_id,   o->side,      o->recorded_by, o->held,
                              o->rating, o->follow_up, o->next_step, o->amount_eur,  o->step_date};
    int rc;

    *id = 0;
    rc = tv__store_query_int(
        st,
        "WITH i AS (INSERT INTO meeting_outcomes (event_id, meeting_id, side, recorded_by, held, "
        "rating, follow_up, next_step, amount_eur, step_date) SELECT m.event_id, m.id, $3, $4, "
        "$5::boolean, $6::smallint, $7::boolean, $8, $9::bigint, $10::date FROM meetings m WHERE "
        "m.event_id = $1 AND m.id = $2::bigint RETURNING id, meeting_id), u AS (UPDATE meetings m "
        "SET status = CASE WHEN $5::boolean THEN 'held' ELSE 'no_show' END, pinned = true, "
        "sequence = m.sequence + 1, updated_at = now() FROM i WHERE $3 = 'organiser' AND "
        "$5::boolean IS NOT NULL AND m.id = i.meeting_id AND m.status IN ('scheduled', 'held', "
        "'no_show') AND m.status <> CASE WHEN $5::boolean THEN 'held' ELSE 'no_show' END "
        "RETURNING m.event_id), v AS (UPDATE events SET meetings_version = meetings_version + 1 "
        "WHERE id IN (SELECT event_id FROM u)) SELECT coalesce((SELECT id FROM i), 0)",
        10, params, id);
    if (rc == 0 && *id == 0)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "event \"%s\" has no meeting %s", event_id,
                                 meeting_id);
    return rc;
}

int tv_store_meeting_state(tv_store_t *st, const char *event_id, const char *meeting_id, int *state)
{
    const char *params[2] = {event_id, meeting_id};
    int64_t v = -1;
    int rc = tv__store_query_int(
        st,
        "SELECT coalesce((SELECT CASE WHEN status = 'cancelled' THEN 2 WHEN lower(during) <= "
        "now() THEN 1 ELSE 0 END FROM meetings WHERE event_id = $1 AND id = $2::bigint), -1)",
        2, params, &v);

    if (rc == 0 && v < 0)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "event \"%s\" has no meeting %s", event_id,
                                 meeting_id);
    *state = (int)v;
    return rc;
}

int tv_store_outcomes(tv_store_t *st, const char *event_id, const char *meeting_id,
                      const char *side, tv_store_row_cb cb, void *ctx)
{
    const char *params[3] = {event_id, meeting_id, side};

    return tv__store_each_row(
        st, "meeting_outcomes",
        "SELECT id, side, recorded_by, to_char(recorded_at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), held, rating, follow_up, next_step, amount_eur, "
        "step_date FROM meeting_outcomes WHERE event_id = $1 AND meeting_id = $2::bigint AND "
        "($3::text IS NULL OR side = $3::text) ORDER BY id",
        3, params, cb, ctx);
}

/* One row per meeting (not cancelled) and side that answered (or one with NULLs for a
 * meeting nobody answered): each field the side's latest; whether it recorded a step beyond
 * "none", a term sheet, an investment; and the dimensions the report groups by. */
static const char event_outcomes_sql[] =
    "WITH o AS (SELECT meeting_id, side, (array_agg(held ORDER BY id DESC) FILTER (WHERE held IS "
    "NOT NULL))[1] AS held, (array_agg(rating ORDER BY id DESC) FILTER (WHERE rating IS NOT "
    "NULL))[1] AS rating, (array_agg(follow_up ORDER BY id DESC) FILTER (WHERE follow_up IS NOT "
    "NULL))[1] AS follow_up, coalesce(bool_or(next_step <> 'none'), false) AS stepped, "
    "coalesce(bool_or(next_step = 'term_sheet'), false) AS term_sheet, "
    "coalesce(bool_or(next_step = 'investment'), false) AS investment FROM meeting_outcomes "
    "WHERE event_id = $1 GROUP BY meeting_id, side) "
    "SELECT m.id, m.company_id, m.investor_id, m.status, o.side, o.held::int, o.rating, "
    "o.follow_up::int, o.stepped::int, o.term_sheet::int, o.investment::int, "
    "coalesce(c.doc->>'area', ''), coalesce((SELECT string_agg(DISTINCT split_part(x, '.', 1), "
    "',') FROM jsonb_array_elements_text(CASE jsonb_typeof(c.doc->'pathologies') WHEN 'array' "
    "THEN c.doc->'pathologies' ELSE '[]' END) x), ''), coalesce((SELECT string_agg(DISTINCT "
    "split_part(x, '.', 1), ',') FROM jsonb_array_elements_text(CASE "
    "jsonb_typeof(c.doc->'technologies') WHEN 'array' THEN c.doc->'technologies' ELSE '[]' END) "
    "x), ''), coalesce(i.doc->>'kind', ''), coalesce(i.doc->>'country', '') FROM meetings m "
    "LEFT JOIN o ON o.meeting_id = m.id LEFT JOIN companies c ON c.id = m.company_id LEFT JOIN "
    "investors i ON i.id = m.investor_id WHERE m.event_id = $1 AND m.status <> 'cancelled' "
    "ORDER BY m.id, o.side";

int tv_store_event_outcomes(tv_store_t *st, const char *event_id, tv_store_row_cb cb, void *ctx)
{
    const char *params[1] = {event_id};

    return tv__store_each_row(st, "meeting_outcomes", event_outcomes_sql, 1, params, cb, ctx);
}
