-- 0015_anonymous_outbox: an acknowledgement of an anonymous act (SPEC §2)
-- is marked, names no person, and its row is deleted once sent, so that
-- no person, chat or time is kept for the act.
ALTER TABLE outbox ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;
