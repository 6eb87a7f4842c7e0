-- The request deadline and the day-before messages (issue 15, decision 0046). One row per side
-- of an event that was told once for all: 'request_expiring' (the asked side, a day before the
-- request deadline) and 'reminder' (the day before the side's first meeting). The notify job
-- inserts the row in the transaction that queues the messages, so each goes exactly once; a
-- later change (a new request, a first meeting moved) sends nothing again.
CREATE TABLE notify_once (
    event_id text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('request_expiring', 'reminder')),
    side text NOT NULL CHECK (side IN ('company', 'investor')),
    profile_id text NOT NULL,
    told_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, kind, side, profile_id)
);
