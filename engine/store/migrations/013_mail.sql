-- Mail that reaches people (issue 15, decision 0043). Every message tavolo sends is first a row
-- here, queued in the same transaction as what it tells of; a delivery worker takes queued rows
-- to an SMTP relay (or, with none configured, to the Maildir outbox) and records what became
-- of each: sent, or failed with the server's reply. The Message-ID is deterministic, so a
-- message queued twice is queued once, and a message resent after a crash is the same message.
CREATE TABLE mail_messages (
    id bigserial PRIMARY KEY,
    message_id text NOT NULL UNIQUE CHECK (message_id <> '' AND message_id !~ '[<>[:space:]]'),
    kind text NOT NULL CHECK (kind IN ('digest', 'request_received', 'request_answered',
                                       'request_expiring', 'schedule', 'reminder', 'invite')),
    event_id text CHECK (octet_length(event_id) <= 64),
    recipient_email text NOT NULL CHECK (recipient_email LIKE '%_@_%'),
    recipient_name text,
    language text NOT NULL CHECK (language IN ('it', 'en')),
    subject text NOT NULL,
    -- The whole RFC 5322 message as tv_mail_build writes it (LF line ends).
    body text NOT NULL,
    status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- The relay's last answer ("451 4.3.0 try later"), or why delivery failed.
    last_reply text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);
CREATE INDEX mail_messages_due ON mail_messages (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX mail_messages_by_event ON mail_messages (event_id, status, id);
CREATE INDEX mail_messages_by_recipient ON mail_messages (recipient_email, kind);

-- A person's choice, per kind of message: an unsubscribed address gets nothing of that kind.
CREATE TABLE mail_unsubscribes (
    email text NOT NULL,
    kind text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (email, kind)
);
