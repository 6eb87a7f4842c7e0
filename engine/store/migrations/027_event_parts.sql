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
-- file's participants and requests. Rows whose part is unchanged are not written (nor notified).
CREATE FUNCTION tv_event_own_parts(ev text) RETURNS void
    LANGUAGE sql
    AS $$
        WITH d AS (SELECT doc FROM events WHERE id = ev),
        pa AS (
            SELECT x->>'kind' AS kind, x->>'id' AS id, jsonb_agg(x ORDER BY n) AS items
            FROM d, jsonb_array_elements(CASE jsonb_typeof(d.doc->'participants')
                                         WHEN 'array' THEN d.doc->'participants' ELSE '[]' END)
                    WITH ORDINALITY t(x, n)
            GROUP BY 1, 2),
        rq AS (
            SELECT x, n
            FROM d, jsonb_array_elements(CASE jsonb_typeof(d.doc->'requests')
                                         WHEN 'array' THEN d.doc->'requests' ELSE '[]' END)
                    WITH ORDINALITY t(x, n)),
        rc AS (SELECT x->>'company_id' AS id, jsonb_agg(x ORDER BY n) AS items FROM rq GROUP BY 1),
        ri AS (SELECT x->>'investor_id' AS id, jsonb_agg(x ORDER BY n) AS items FROM rq GROUP BY 1),
        parts AS (
            SELECT p.kind, p.profile_id,
                CASE WHEN jsonb_typeof(d.doc->'participants') = 'array'
                     THEN jsonb_build_object('participants', coalesce(pa.items, '[]'))
                     WHEN d.doc ? 'participants'
                     THEN jsonb_build_object('participants', d.doc->'participants')
                     ELSE '{}' END ||
                CASE WHEN jsonb_typeof(d.doc->'requests') = 'array'
                     THEN jsonb_build_object('requests', coalesce(
                         CASE p.kind WHEN 'company' THEN rc.items ELSE ri.items END, '[]'))
                     WHEN d.doc ? 'requests'
                     THEN jsonb_build_object('requests', d.doc->'requests')
                     ELSE '{}' END AS own,
                pa.kind IS NOT NULL AS listed
            FROM d, event_participants p
            LEFT JOIN pa ON pa.kind = p.kind AND pa.id = p.profile_id
            LEFT JOIN rc ON p.kind = 'company' AND rc.id = p.profile_id
            LEFT JOIN ri ON p.kind = 'investor' AND ri.id = p.profile_id
            WHERE p.event_id = ev)
        UPDATE event_participants t
        SET own = CASE WHEN parts.listed THEN parts.own END
        FROM parts
        WHERE t.event_id = ev AND t.kind = parts.kind AND t.profile_id = parts.profile_id
            AND t.own IS DISTINCT FROM CASE WHEN parts.listed THEN parts.own END
    $$;

DO $$ BEGIN PERFORM tv_event_own_parts(id) FROM events; END $$;
