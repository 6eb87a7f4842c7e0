-- Calendar feeds (issue 16, decision 0054): a URL a calendar app polls without any header,
-- <public URL>/calendar/TOKEN.ics, for the meetings of one profile (in one event, or in every
-- event it attends). The token is random (32 bytes from libsodium) and kept only as its
-- BLAKE2b-256 hash, like sessions. A feed belongs to the person (address in lower case) who
-- made it; it lives until revoked, and answers only while that person may still act for the
-- profile (checked on every fetch). Deleting its event deletes the feed.
CREATE TABLE calendar_feeds (
    id bigserial PRIMARY KEY,
    hash bytea NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
    email text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    kind text NOT NULL CHECK (kind IN ('company', 'investor')),
    profile_id text NOT NULL CHECK (profile_id <> ''),
    event_id text REFERENCES events (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX calendar_feeds_by_email ON calendar_feeds (email);
