-- Daily digests. One row per recipient and date, whatever happened: 'sent' (a message was
-- built) or 'empty' (nothing new). The unique key is what makes a digest exactly-once: a second
-- run, a resumed run or a second daemon inserts nothing for a recipient already done.
CREATE TABLE digests (
    id bigserial PRIMARY KEY,
    recipient_kind text NOT NULL CHECK (recipient_kind IN ('company', 'investor', 'event')),
    recipient_id text NOT NULL,
    digest_date date NOT NULL,
    status text NOT NULL CHECK (status IN ('sent', 'empty')),
    content jsonb NOT NULL DEFAULT '{}',
    message_id text,
    -- Set once the message files are in the outbox; a sent digest without it is rewritten by
    -- the next run (same file names, same Message-ID).
    written_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (recipient_kind, recipient_id, digest_date)
);
CREATE INDEX digests_by_date ON digests (digest_date, recipient_kind, recipient_id);

-- What each recipient's list held at its last digest: "id<TAB>score" lines, the score being the
-- one last reported (or first seen). Updated in the same statement that inserts the digest row.
CREATE TABLE digest_state (
    recipient_kind text NOT NULL,
    recipient_id text NOT NULL,
    last_date date NOT NULL,
    matches text NOT NULL DEFAULT '',
    PRIMARY KEY (recipient_kind, recipient_id)
);

-- When each company was first seen ESIBE-eligible by a digest run; the first run ever records
-- the companies already eligible with -infinity, so that they are not all "new".
CREATE TABLE digest_eligible (
    company_id text PRIMARY KEY,
    since date NOT NULL
);

-- A run of the job for one date: finished_at is set when every recipient has its row.
CREATE TABLE digest_runs (
    digest_date date PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    recipients integer
);
