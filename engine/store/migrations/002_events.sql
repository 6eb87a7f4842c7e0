-- Events and who attends them: the attendance that restricts matching to one event.
-- Scheduling (slots, tables, meetings) extends these tables later.
CREATE TABLE events (
    id text PRIMARY KEY CHECK (id <> ''),
    name text NOT NULL,
    city text,
    time_zone text NOT NULL DEFAULT 'UTC',
    doc jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE event_participants (
    event_id text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('company', 'investor')),
    profile_id text NOT NULL,
    PRIMARY KEY (event_id, kind, profile_id)
);
