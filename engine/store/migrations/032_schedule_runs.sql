-- Who has no meeting and why (issue 17): the last saved scheduler run's participants with no
-- meeting or fewer than their min_meetings, each with the reason the run computed, kept with
-- the schedule (written in the same transaction as its meetings, by a direct run or a
-- published draft) so that the organisers' overview can say why. Removed with the event.
CREATE TABLE schedule_runs (
    event_id text PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    short_of_meetings jsonb NOT NULL CHECK (jsonb_typeof(short_of_meetings) = 'array'),
    saved_at timestamptz NOT NULL DEFAULT now()
);
