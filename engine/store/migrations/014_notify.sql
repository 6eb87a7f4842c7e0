-- Notifications (issue 15, decision 0044). The secret that signs one-click unsubscribe links:
-- created once by the first daemon or command that needs it (random bytes from libsodium,
-- inserted unless one exists), never logged, kept here so every daemon signs and checks alike.
CREATE TABLE notify_secrets (
    name text PRIMARY KEY,
    secret text NOT NULL CHECK (secret ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);
