-- The browser a session was opened with (its User-Agent, at most 256 characters), so that a
-- person's list of sessions can say "Firefox on Windows" beside the one to revoke (issue 16).
ALTER TABLE sessions ADD COLUMN user_agent text NOT NULL DEFAULT ''
    CHECK (char_length(user_agent) <= 256);
