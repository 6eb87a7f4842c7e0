-- What came of each meeting (issue 18): an append-only history of what each side, and the
-- organisers, said of it, with who said it and when (decision 0067). A row records the fields
-- it states (NULL: not stated by that row); a side's answer is, field by field, the latest it
-- stated, and its next steps are every step it recorded, in order. Rows are never changed:
-- an answer changes by a new row. They go only with their event.
CREATE TABLE meeting_outcomes (
    id bigserial PRIMARY KEY,
    event_id text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    meeting_id bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    side text NOT NULL CHECK (side IN ('company', 'investor', 'organiser')),
    recorded_by text NOT NULL CHECK (recorded_by <> ''),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    held boolean,
    rating smallint CHECK (rating BETWEEN 1 AND 5),
    follow_up boolean,
    next_step text CHECK (next_step IN ('second_meeting', 'nda', 'due_diligence', 'term_sheet',
                                        'investment', 'partnership', 'none')),
    amount_eur bigint CHECK (amount_eur > 0),
    step_date date,
    CHECK (amount_eur IS NULL OR next_step = 'investment'),
    CHECK (side <> 'organiser' OR (rating IS NULL AND follow_up IS NULL AND next_step IS NULL)),
    CHECK (held IS NOT NULL OR rating IS NOT NULL OR follow_up IS NOT NULL OR next_step IS NOT NULL)
);
CREATE INDEX meeting_outcomes_by_meeting ON meeting_outcomes (meeting_id, id);
CREATE INDEX meeting_outcomes_by_event ON meeting_outcomes (event_id);

CREATE FUNCTION tv_outcomes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'meeting_outcomes is append-only: record a new answer instead'
        USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER meeting_outcomes_append_only BEFORE UPDATE ON meeting_outcomes
    FOR EACH ROW EXECUTE FUNCTION tv_outcomes_append_only();
