-- Drafts before publishing (issue 17): a scheduler run an organiser asks for as a draft keeps
-- its meetings here, not in `meetings`, so nothing reaches participants (their pages, feeds,
-- notifications) until it is published. One draft per event; publishing writes it through the
-- same save as a direct run, unless the meetings changed since it was made (base_version is
-- the event's meetings_version then), and deletes it.
CREATE TABLE schedule_drafts (
    event_id text PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    base_version bigint NOT NULL,
    meetings jsonb NOT NULL CHECK (jsonb_typeof(meetings) = 'array'),
    report jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
