-- A person's own choices on the pages (issue 16): the language they switched to, kept per
-- person (by address, in lower case) so that every browser and device they sign in with, and
-- the pages' first paint, use it. Without a row, the language of their record is used.
CREATE TABLE person_prefs (
    email text PRIMARY KEY CHECK (email = lower(email) AND email LIKE '%_@_%'),
    language text NOT NULL CHECK (language IN ('it', 'en')),
    updated_at timestamptz NOT NULL DEFAULT now()
);
