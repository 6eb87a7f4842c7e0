-- A deleted profile's pending requests are cancelled with it (its meetings are cancelled too).
ALTER TABLE meeting_requests DROP CONSTRAINT meeting_requests_status_check;
ALTER TABLE meeting_requests ADD CONSTRAINT meeting_requests_status_check
    CHECK (status IN ('pending', 'accepted', 'declined', 'expired', 'cancelled'));

-- Bumped by every change to an event's meetings (a PATCH, a scheduler run): a run saves its
-- schedule only if no meeting changed since it read them, so a lock or a move made meanwhile
-- is never overwritten.
ALTER TABLE events ADD COLUMN meetings_version bigint NOT NULL DEFAULT 0;
