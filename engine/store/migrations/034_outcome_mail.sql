-- Asking what came of each meeting (issue 18, decision 0067): once a side's meetings at an
-- event have all ended it gets one message of kind 'outcome' with one-click links per meeting
-- (notify_once 'outcome_ask'); three days later, if some of its meetings are still unanswered,
-- one reminder of the same kind ('outcome_reminder'). Unsubscribing from 'outcome' stops both.
ALTER TABLE mail_messages DROP CONSTRAINT mail_messages_kind_check;
ALTER TABLE mail_messages ADD CONSTRAINT mail_messages_kind_check CHECK (kind IN ('digest',
    'request_received', 'request_answered', 'request_expiring', 'schedule', 'reminder', 'invite',
    'outcome'));
ALTER TABLE notify_once DROP CONSTRAINT notify_once_kind_check;
ALTER TABLE notify_once ADD CONSTRAINT notify_once_kind_check CHECK (kind IN ('request_expiring',
    'reminder', 'outcome_ask', 'outcome_reminder'));
