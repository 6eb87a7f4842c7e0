-- The people who run an event (issue 17): an organiser signs in by e-mail link like a
-- participant, and a session acting as "organiser:EVENT_ID" has the organiser role of that one
-- event (decision 0063). An admin invites the first (`tavolo invite --organiser EMAIL --event
-- EVENT_ID`); a row is the invitation and the right, removed with the event.
CREATE TABLE event_organisers (
    event_id text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    email text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    name text,
    language text CHECK (language IN ('it', 'en')),
    invited_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, email)
);
CREATE INDEX event_organisers_by_email ON event_organisers (email);
