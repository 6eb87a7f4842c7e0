-- A deleted profile's pending requests are cancelled with it (its meetings are cancelled too).
ALTER TABLE meeting_requests DROP CONSTRAINT meeting_requests_status_check;
ALTER TABLE meeting_requests ADD CONSTRAINT meeting_requests_status_check
    CHECK (status IN ('pending', 'accepted', 'declined', 'expired', 'cancelled'));

-- Bumped by every change to an event's meetings (a PATCH, a scheduler run): a run saves its
-- schedule only if no meeting changed since it read them, so a lock or a move made meanwhile
-- is never overwritten.
ALTER TABLE events ADD COLUMN meetings_version bigint NOT NULL DEFAULT 0;

-- The codec now refuses an empty id in a company's "investors" (as the published schema always
-- did); drop any such entry stored before, and the list when nothing else is left, so every
-- stored company still decodes.
UPDATE companies SET doc = CASE
        WHEN jsonb_array_length(doc->'investors') = (SELECT count(*) FROM
             jsonb_array_elements_text(doc->'investors') AS x WHERE x = '')
        THEN doc - 'investors'
        ELSE jsonb_set(doc, '{investors}', (SELECT jsonb_agg(x) FROM
             jsonb_array_elements(doc->'investors') AS x WHERE x <> '""'::jsonb))
    END
    WHERE jsonb_typeof(doc->'investors') = 'array' AND doc->'investors' @> '[""]';
