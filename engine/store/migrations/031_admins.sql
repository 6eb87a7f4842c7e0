-- The people who run the Tour (issue 17): an admin signs in by e-mail link like an organiser,
-- and a session acting as "admin:all" has the admin role; such a person may also act as the
-- organiser of every event (decision 0065). `tavolo invite --admin EMAIL` writes the row.
CREATE TABLE admins (
    email text PRIMARY KEY CHECK (email = lower(email) AND email LIKE '%_@_%'),
    name text,
    language text CHECK (language IN ('it', 'en')),
    invited_at timestamptz NOT NULL DEFAULT now()
);
