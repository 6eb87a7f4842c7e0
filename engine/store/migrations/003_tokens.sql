-- Bearer tokens for the API. Only a BLAKE2b-256 hash of each token is kept; the token itself
-- is shown once when it is created. A token's role decides what it names: investor and
-- company tokens name one profile (not a foreign key, so a token can be issued before the
-- profile is imported), organiser tokens one event; admin tokens name nothing. Ids are at
-- most 64 bytes, the size the API's principal holds.
CREATE TABLE tokens (
    id bigserial PRIMARY KEY,
    hash bytea NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
    role text NOT NULL CHECK (role IN ('admin', 'organiser', 'investor', 'company')),
    subject text CHECK (subject <> '' AND octet_length(subject) <= 64),
    event_id text REFERENCES events (id) ON DELETE CASCADE
        CHECK (octet_length(event_id) <= 64),
    label text,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz,
    CONSTRAINT tokens_subject_for_role
        CHECK ((role IN ('investor', 'company')) = (subject IS NOT NULL)),
    CONSTRAINT tokens_event_for_role CHECK ((role = 'organiser') = (event_id IS NOT NULL))
);
