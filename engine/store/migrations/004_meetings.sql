-- Events in full: limits and availability of participants, meeting requests and meetings.
-- The event file itself (days, slots, tables) is events.doc.
ALTER TABLE event_participants
    ADD COLUMN max_meetings integer CHECK (max_meetings >= 0),
    ADD COLUMN min_meetings integer NOT NULL DEFAULT 0 CHECK (min_meetings >= 0),
    ADD COLUMN unavailable jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN people jsonb NOT NULL DEFAULT '[]';

CREATE TABLE meeting_requests (
    id bigserial PRIMARY KEY,
    event_id text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    company_id text NOT NULL,
    investor_id text NOT NULL,
    from_kind text NOT NULL CHECK (from_kind IN ('company', 'investor')),
    priority text NOT NULL CHECK (priority IN ('must', 'want')),
    message text,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'accepted', 'declined', 'expired')),
    created_at timestamptz NOT NULL DEFAULT now(),
    decided_at timestamptz,
    UNIQUE (event_id, company_id, investor_id)
);

-- A meeting keeps its row (and so its calendar UID) across re-runs of the scheduler; a pair
-- no longer scheduled is cancelled, not deleted, so calendars learn of it.
CREATE TABLE meetings (
    id bigserial PRIMARY KEY,
    event_id text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    company_id text NOT NULL,
    investor_id text NOT NULL,
    slot_index integer NOT NULL,
    slot_start text NOT NULL,
    table_no integer NOT NULL,
    score real NOT NULL,
    origin text NOT NULL CHECK (origin IN ('must', 'want', 'recommended')),
    status text NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'locked', 'cancelled', 'held', 'no_show')),
    sequence integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, company_id, investor_id)
);
-- Nothing double-booked among meetings that still happen.
CREATE UNIQUE INDEX meetings_one_table ON meetings (event_id, slot_index, table_no)
    WHERE status <> 'cancelled';
CREATE UNIQUE INDEX meetings_company_once_a_slot ON meetings (event_id, slot_index, company_id)
    WHERE status <> 'cancelled';
CREATE UNIQUE INDEX meetings_investor_once_a_slot ON meetings (event_id, slot_index, investor_id)
    WHERE status <> 'cancelled';
