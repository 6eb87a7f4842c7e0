-- The addresses of a person's profiles (issue 16, bench/web_pages.sh). GET /v1/me lists the
-- profiles whose contacts, or whose people in an event file, have the session's address; without
-- an index that read every profile's JSON, about 20 ms at 6,000 participants alone and over a
-- second under 64 concurrent page loads. tv_emails gives a JSON array's addresses in lower
-- case (nothing for anything but an array), and GIN indexes over it answer "which rows name
-- this address" from the index. The events of a profile, and the check that a cookie may act
-- for a profile, read its participant rows by (kind, profile_id), which the primary key
-- (event_id first) cannot serve.
CREATE FUNCTION tv_emails(people jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT coalesce(array_agg(lower(x->>'email')), '{}')
        FROM jsonb_array_elements(CASE jsonb_typeof(people) WHEN 'array' THEN people
                                  ELSE '[]' END) x
        WHERE x->>'email' IS NOT NULL
    $$;
CREATE INDEX companies_by_contact_email ON companies USING gin (tv_emails(doc->'contacts'));
CREATE INDEX investors_by_contact_email ON investors USING gin (tv_emails(doc->'contacts'));
CREATE INDEX event_participants_by_email ON event_participants USING gin (tv_emails(people));
CREATE INDEX event_participants_by_profile ON event_participants (kind, profile_id);
