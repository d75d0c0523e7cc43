-- 0060_outbox_thread (PostgreSQL twin of migration/0060_outbox_thread.sql):
-- a reply to a message in a forum topic of a Telegram group goes to that
-- topic (message_thread_id), not to the group's general topic; '' for
-- every other chat.
ALTER TABLE outbox ADD COLUMN thread TEXT NOT NULL DEFAULT '';
