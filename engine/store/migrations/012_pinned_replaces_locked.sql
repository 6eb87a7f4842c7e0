-- A pin is the one way an organiser holds a meeting (decision 0040): status 'locked' said the
-- same as a scheduled meeting with pinned set, so locked rows become exactly that, and the
-- status goes. PATCH {"status": "locked"} stays accepted as an alias of {"pinned": true}.
UPDATE meetings SET status = 'scheduled', pinned = true WHERE status = 'locked';

ALTER TABLE meetings DROP CONSTRAINT meetings_status_check;
ALTER TABLE meetings ADD CONSTRAINT meetings_status_check
    CHECK (status IN ('scheduled', 'cancelled', 'held', 'no_show'));
