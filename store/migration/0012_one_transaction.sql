-- campaignbot:foreign_keys=off
-- 0012_one_transaction: an inbound update's effects, replies and processed
-- mark now commit together (SPEC §8), so the inbound key is the only
-- idempotency key of the chat path: the handled records and the per-table
-- source keys go. The intake counts failed attempts in the row itself, so
-- a restart does not forget them.
DROP TABLE handled;

DROP INDEX problems_source_key;
ALTER TABLE problems DROP COLUMN source_key;
DROP INDEX opinions_source_key;
ALTER TABLE opinions DROP COLUMN source_key;
DROP INDEX problem_events_source_key;
ALTER TABLE problem_events DROP COLUMN source_key;
DROP INDEX leaves_source_key;
ALTER TABLE leaves DROP COLUMN source_key;
DROP INDEX review_comments_source_key;
ALTER TABLE review_comments DROP COLUMN source_key;
DROP INDEX ledger_items_source_key;
ALTER TABLE ledger_items DROP COLUMN source_key;

-- submissions.source_key is UNIQUE inline, which DROP COLUMN refuses: the
-- table is rebuilt (SQLite's documented procedure, with foreign keys off
-- so that dropping the old table does not cascade to its attachments).
CREATE TABLE submissions_new (
	id            INTEGER PRIMARY KEY,
	task_key      TEXT NOT NULL CHECK (task_key <> ''),
	person_id     INTEGER NOT NULL REFERENCES people(id),
	department_id INTEGER REFERENCES departments(id),
	version       INTEGER NOT NULL CHECK (version >= 1),
	text          TEXT NOT NULL,
	late          INTEGER NOT NULL DEFAULT 0,
	state         TEXT NOT NULL DEFAULT '' CHECK (state IN ('', 'submitted', 'returned', 'accepted')),
	submitted_at  INTEGER NOT NULL
);
INSERT INTO submissions_new (id, task_key, person_id, department_id, version, text, late, state, submitted_at)
	SELECT id, task_key, person_id, department_id, version, text, late, state, submitted_at FROM submissions;
DROP TABLE submissions;
ALTER TABLE submissions_new RENAME TO submissions;
CREATE INDEX submissions_department_task ON submissions(department_id, task_key, version);
CREATE INDEX submissions_person_task ON submissions(person_id, task_key, version);
CREATE INDEX submissions_in_review ON submissions(id) WHERE state = 'submitted';
CREATE INDEX submissions_returned ON submissions(id) WHERE state = 'returned';

-- Who leads a department is read from person_in_charge alone
-- (campaignbot.LeadersInCharge): departments.leader_id, a second answer to
-- the same question, goes. It is a foreign key, which DROP COLUMN refuses.
CREATE TABLE departments_new (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE CHECK (name <> '')
);
INSERT INTO departments_new (id, name) SELECT id, name FROM departments;
DROP TABLE departments;
ALTER TABLE departments_new RENAME TO departments;

ALTER TABLE inbound ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inbound ADD COLUMN retry_at INTEGER;
ALTER TABLE inbound ADD COLUMN last_error TEXT;

-- One intake for every platform: pending updates in arrival order.
DROP INDEX inbound_pending;
CREATE INDEX inbound_waiting ON inbound(received_at) WHERE processed_at IS NULL;
