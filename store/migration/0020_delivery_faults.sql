-- 0020_delivery_faults: what delivery learns from the platforms' faults.
-- chat_moves follows a chat that changed its id: a Telegram group that
-- became a supergroup answers 400 with migrate_to_chat_id, and every later
-- message goes to the new id.
CREATE TABLE chat_moves (
	platform  TEXT NOT NULL,
	from_chat TEXT NOT NULL,
	to_chat   TEXT NOT NULL CHECK (to_chat <> ''),
	moved_at  INTEGER NOT NULL,
	PRIMARY KEY (platform, from_chat)
);

-- outbox.parts_sent counts the parts of a message carried as several
-- platform messages (a long text, files) already delivered, so that a
-- retry, even by the next process after a restart, goes on from the part
-- that failed instead of sending the first parts twice.
ALTER TABLE outbox ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
