-- Notifications go exactly once (issue 15, decision 0044): what each side was last told. A
-- request's 'notified' is the status its people were told of (NULL: none yet); a meeting's
-- notified_company_seq / notified_investor_seq the SEQUENCE each side was told of. The notify
-- job queues a message and moves the mark in one transaction. What existed before counts as
-- told, so an upgrade sends no backlog.
ALTER TABLE meeting_requests ADD COLUMN notified text;
UPDATE meeting_requests SET notified = status;
ALTER TABLE meetings
    ADD COLUMN notified_company_seq integer,
    ADD COLUMN notified_investor_seq integer;
UPDATE meetings SET notified_company_seq = sequence, notified_investor_seq = sequence;
