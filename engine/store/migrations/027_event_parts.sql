-- The parts of an event file that requests read, kept beside the file (decision 0062). The file
-- of an event of 6,000 participants is 3.1 MB of jsonb, stored compressed out of line: reading
-- any field of it (the language of a person's event, the request deadline, a participant's
-- own view) decompressed all of it, about 3 ms a request and over a second under 64 concurrent
-- page loads (bench/web_pages.sh).
--
-- head: the file without its participants and requests (name, zone, days, slots, tables,
-- deadline, language), computed by PostgreSQL whenever doc is written, and only then.
ALTER TABLE events
    ADD COLUMN head jsonb GENERATED ALWAYS AS (doc - 'participants' - 'requests') STORED;

-- own: what decision 0056's view of the file holds for one participant beyond the head: its
-- entries of "participants" and the entries of "requests" naming it, each in the file's order
-- (a member the file lacks is left out; one that is not an array is kept as it is). NULL for a
-- participant the file does not list (joined through the profile API): that view is then
-- computed from the file.
ALTER TABLE event_participants ADD COLUMN own jsonb;

-- Writes 'own' for every participant row of event 'ev' from its stored file: one pass over the
-- file's participants and requests, grouped by participant (0.5 s for 6,000 participants and
-- 14,000 requests). No row carries the file itself through the joins: each would copy its
-- megabytes (a first version took 90 s). Rows whose part is unchanged are not written (nor
-- notified).
CREATE FUNCTION tv_event_own_parts(ev text) RETURNS void
    LANGUAGE sql
    AS $$
        WITH d AS MATERIALIZED (SELECT doc FROM events WHERE id = ev),
        items AS (
            SELECT x->>'kind' AS kind, x->>'id' AS id, true AS listing, x, n
            FROM d, jsonb_array_elements(CASE jsonb_typeof(d.doc->'participants')
                                         WHEN 'array' THEN d.doc->'participants' ELSE '[]' END)
                    WITH ORDINALITY t(x, n)
            UNION ALL
            SELECT s.kind, x->>(s.kind || '_id'), false, x, n
            FROM d, (VALUES ('company'), ('investor')) s(kind),
                 jsonb_array_elements(CASE jsonb_typeof(d.doc->'requests')
                                      WHEN 'array' THEN d.doc->'requests' ELSE '[]' END)
                    WITH ORDINALITY t(x, n)),
        parts AS MATERIALIZED (
            SELECT kind, id,
                jsonb_agg(x ORDER BY n) FILTER (WHERE listing) AS listed,
                coalesce(jsonb_agg(x ORDER BY n) FILTER (WHERE NOT listing), '[]') AS requests
            FROM items GROUP BY kind, id),
        member AS MATERIALIZED (
            SELECT jsonb_typeof(doc->'requests') = 'array' AS listed,
                CASE WHEN jsonb_typeof(doc->'requests') <> 'array' THEN doc->'requests' END AS requests
            FROM d),
        own AS (
            SELECT p.kind, p.profile_id,
                CASE WHEN parts.listed IS NULL THEN NULL ELSE
                    jsonb_build_object('participants', parts.listed) ||
                    CASE WHEN member.listed
                         THEN jsonb_build_object('requests', parts.requests)
                         WHEN member.requests IS NOT NULL
                         THEN jsonb_build_object('requests', member.requests)
                         ELSE '{}' END END AS own
            FROM member, event_participants p
            LEFT JOIN parts ON parts.kind = p.kind AND parts.id = p.profile_id
            WHERE p.event_id = ev)
        UPDATE event_participants t SET own = own.own
        FROM own
        WHERE t.event_id = ev AND t.kind = own.kind AND t.profile_id = own.profile_id
            AND t.own IS DISTINCT FROM own.own
    $$;

DO $$ BEGIN PERFORM tv_event_own_parts(id) FROM events; END $$;
