-- 0031_ledger: the rectification item of SPEC §2. Besides the problem found,
-- the measure, the owner and the due date, an item names its responsible
-- leader and department, carries a remark, may stand as 长期坚持 (ongoing),
-- and remembers which point of a report it was made from. SQLite cannot
-- widen a CHECK in place, so the table is rebuilt with its rows.
CREATE TABLE ledger_items_new (
	id            INTEGER PRIMARY KEY,
	what          TEXT NOT NULL CHECK (what <> ''),
	measure       TEXT NOT NULL,
	leader_id     INTEGER REFERENCES people(id),
	department_id INTEGER REFERENCES departments(id),
	owner_id      INTEGER REFERENCES people(id),
	due           INTEGER NOT NULL,
	status        TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'ongoing')),
	evidence      TEXT NOT NULL,
	remark        TEXT NOT NULL DEFAULT '',
	problem_id    INTEGER REFERENCES problems(id),
	submission_id INTEGER REFERENCES submissions(id),
	point         INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
);
INSERT INTO ledger_items_new (id, what, measure, owner_id, due, status, evidence, problem_id, submission_id, created_at, updated_at)
	SELECT id, what, measure, owner_id, due, status, evidence, problem_id, submission_id, created_at, updated_at FROM ledger_items;
DROP TABLE ledger_items;
ALTER TABLE ledger_items_new RENAME TO ledger_items;

-- Every change of an item, kept when the item is removed: who, when, what.
CREATE TABLE ledger_events (
	id         INTEGER PRIMARY KEY,
	item_id    INTEGER NOT NULL, -- no reference: the item may be removed
	kind       TEXT NOT NULL CHECK (kind IN ('created', 'edited', 'removed')),
	actor_id   INTEGER REFERENCES people(id),
	text       TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX ledger_events_item_id ON ledger_events(item_id);
