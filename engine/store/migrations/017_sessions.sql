-- Sign-in by e-mail link and browser sessions (issue 16, decision 0049). A link's token and a
-- session's id are random (32 bytes from libsodium) and kept only as BLAKE2b-256 hashes, like
-- API tokens; addresses in lower case. A link is used once (used_at set in the statement that
-- opens the session). A session ends at its absolute expiry, after idle_seconds without a
-- request, or when revoked; csrf is the per-session token pages echo in X-CSRF-Token.
CREATE TABLE signin_links (
    hash bytea PRIMARY KEY CHECK (octet_length(hash) = 32),
    email text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX signin_links_by_email ON signin_links (email);

CREATE TABLE sessions (
    id bigserial PRIMARY KEY,
    hash bytea NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
    email text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    csrf text NOT NULL CHECK (octet_length(csrf) BETWEEN 32 AND 64),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    idle_seconds integer NOT NULL CHECK (idle_seconds > 0),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX sessions_by_email ON sessions (email);

-- Requests for a sign-in link (POST /v1/signin), known address or not, so that every daemon
-- applies the same limit per address. Rows older than the window are deleted as new ones come.
CREATE TABLE signin_requests (
    email text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signin_requests_by_email ON signin_requests (email, requested_at);
