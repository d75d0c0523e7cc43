-- 0001_init: the whole schema of SPEC §2. Shipped migrations are never
-- edited; later changes go into new numbered files.
--
-- Conventions: instants are INTEGER unix nanoseconds in UTC; calendar days
-- (campaignbot.Date) are INTEGER days since 1970-01-01; an absent reference
-- is NULL, never 0.

CREATE TABLE departments (
	id        INTEGER PRIMARY KEY,
	name      TEXT NOT NULL UNIQUE CHECK (name <> ''),
	leader_id INTEGER REFERENCES people(id) ON DELETE SET NULL
);

CREATE TABLE people (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE CHECK (name <> ''),
	department_id INTEGER NOT NULL REFERENCES departments(id),
	telegram      TEXT NOT NULL DEFAULT '',
	wecom         TEXT NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
);
CREATE INDEX people_department_id ON people(department_id);

CREATE TABLE person_roles (
	person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	role      TEXT NOT NULL CHECK (role IN ('member', 'middle', 'leader', 'head', 'liaison', 'office')),
	since     INTEGER NOT NULL,
	PRIMARY KEY (person_id, role)
) WITHOUT ROWID;

CREATE TABLE person_in_charge (
	person_id     INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	department_id INTEGER NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
	PRIMARY KEY (person_id, department_id)
) WITHOUT ROWID;

-- Platforms on which the last delivery to a person was refused.
CREATE TABLE person_unreachable (
	person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	platform  TEXT NOT NULL,
	since     INTEGER NOT NULL,
	PRIMARY KEY (person_id, platform)
) WITHOUT ROWID;

CREATE TABLE accounts (
	platform   TEXT NOT NULL CHECK (platform <> ''),
	account_id TEXT NOT NULL CHECK (account_id <> ''),
	chat_id    TEXT NOT NULL,
	person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	bound_at   INTEGER NOT NULL,
	PRIMARY KEY (platform, account_id)
);
CREATE INDEX accounts_person_id ON accounts(person_id);

CREATE TABLE invites (
	code       TEXT PRIMARY KEY,
	person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER,
	used_by    TEXT -- "<platform>:<account id>" that redeemed it
);
CREATE INDEX invites_person_id ON invites(person_id);

CREATE TABLE leaves (
	id        INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	from_day  INTEGER NOT NULL,
	to_day    INTEGER NOT NULL,
	CHECK (to_day >= from_day)
);
CREATE INDEX leaves_person_id ON leaves(person_id);

CREATE TABLE submissions (
	id            INTEGER PRIMARY KEY,
	task_key      TEXT NOT NULL CHECK (task_key <> ''),
	person_id     INTEGER NOT NULL REFERENCES people(id),
	department_id INTEGER REFERENCES departments(id),
	version       INTEGER NOT NULL CHECK (version >= 1),
	text          TEXT NOT NULL,
	late          INTEGER NOT NULL DEFAULT 0,
	state         TEXT NOT NULL DEFAULT '' CHECK (state IN ('', 'submitted', 'returned', 'accepted')),
	submitted_at  INTEGER NOT NULL,
	source_key    TEXT UNIQUE
);
CREATE INDEX submissions_task_person ON submissions(task_key, person_id, version);
CREATE INDEX submissions_department_task ON submissions(department_id, task_key, version);
CREATE INDEX submissions_person_id ON submissions(person_id);

CREATE TABLE submission_attachments (
	submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
	pos           INTEGER NOT NULL,
	sha256        TEXT NOT NULL,
	name          TEXT NOT NULL,
	mime          TEXT NOT NULL,
	size          INTEGER NOT NULL,
	platform      TEXT NOT NULL,
	PRIMARY KEY (submission_id, pos)
);

CREATE TABLE review_comments (
	id            INTEGER PRIMARY KEY,
	submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
	reviewer_id   INTEGER NOT NULL REFERENCES people(id),
	text          TEXT NOT NULL,
	decision      TEXT NOT NULL CHECK (decision IN ('returned', 'accepted')),
	created_at    INTEGER NOT NULL
);
CREATE INDEX review_comments_submission_id ON review_comments(submission_id);

-- Opinions: ids are random 63-bit numbers so that the order of rows cannot
-- be matched with the order of other tables; an anonymous opinion keeps no
-- author and only its day.
CREATE TABLE opinions (
	id          INTEGER PRIMARY KEY,
	author_id   INTEGER REFERENCES people(id),
	anonymous   INTEGER NOT NULL,
	text        TEXT NOT NULL CHECK (text <> ''),
	day         INTEGER NOT NULL,
	answer      TEXT NOT NULL DEFAULT '',
	answered_by INTEGER REFERENCES people(id),
	CHECK (anonymous = 0 AND author_id IS NOT NULL OR anonymous = 1 AND author_id IS NULL)
);

CREATE TABLE problems (
	id          INTEGER PRIMARY KEY,
	filer_id    INTEGER NOT NULL REFERENCES people(id),
	owner_id    INTEGER REFERENCES people(id),
	enterprise  TEXT NOT NULL,
	category    TEXT NOT NULL,
	description TEXT NOT NULL CHECK (description <> ''),
	latitude    REAL,
	longitude   REAL,
	status      TEXT NOT NULL CHECK (status IN ('new', 'claimed', 'resolved', 'closed')),
	due         INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX problems_status ON problems(status);
CREATE INDEX problems_filer_id ON problems(filer_id);
CREATE INDEX problems_owner_id ON problems(owner_id);

CREATE TABLE problem_photos (
	problem_id INTEGER NOT NULL REFERENCES problems(id) ON DELETE CASCADE,
	pos        INTEGER NOT NULL,
	sha256     TEXT NOT NULL,
	name       TEXT NOT NULL,
	mime       TEXT NOT NULL,
	size       INTEGER NOT NULL,
	platform   TEXT NOT NULL,
	PRIMARY KEY (problem_id, pos)
);

CREATE TABLE problem_events (
	id         INTEGER PRIMARY KEY,
	problem_id INTEGER NOT NULL REFERENCES problems(id),
	kind       TEXT NOT NULL,
	actor_id   INTEGER NOT NULL REFERENCES people(id),
	owner_id   INTEGER REFERENCES people(id),
	text       TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX problem_events_problem_id ON problem_events(problem_id);

CREATE TABLE problem_event_attachments (
	event_id INTEGER NOT NULL REFERENCES problem_events(id),
	pos      INTEGER NOT NULL,
	sha256   TEXT NOT NULL,
	name     TEXT NOT NULL,
	mime     TEXT NOT NULL,
	size     INTEGER NOT NULL,
	platform TEXT NOT NULL,
	PRIMARY KEY (event_id, pos)
);

-- Problem events are append-only: every change is a new row.
CREATE TRIGGER problem_events_no_update BEFORE UPDATE ON problem_events
BEGIN
	SELECT RAISE(ABORT, 'problem_events is append-only');
END;
CREATE TRIGGER problem_events_no_delete BEFORE DELETE ON problem_events
BEGIN
	SELECT RAISE(ABORT, 'problem_events is append-only');
END;

CREATE TABLE ledger_items (
	id            INTEGER PRIMARY KEY,
	what          TEXT NOT NULL CHECK (what <> ''),
	measure       TEXT NOT NULL,
	owner_id      INTEGER REFERENCES people(id),
	due           INTEGER NOT NULL,
	status        TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
	evidence      TEXT NOT NULL,
	problem_id    INTEGER REFERENCES problems(id),
	submission_id INTEGER REFERENCES submissions(id),
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
);

-- Who took part in a survey, kept apart from what they answered. WITHOUT
-- ROWID so that no insertion order is kept to match against the answers.
CREATE TABLE survey_participation (
	survey_key TEXT NOT NULL,
	person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	PRIMARY KEY (survey_key, person_id)
) WITHOUT ROWID;

-- Answers: random ids, the day only, and a person only for a survey that is
-- not anonymous.
CREATE TABLE survey_answers (
	id           INTEGER PRIMARY KEY,
	survey_key   TEXT NOT NULL,
	question_key TEXT NOT NULL,
	value        TEXT NOT NULL,
	day          INTEGER NOT NULL,
	person_id    INTEGER REFERENCES people(id)
);
CREATE INDEX survey_answers_survey_question ON survey_answers(survey_key, question_key);

CREATE TABLE outbox (
	id                  INTEGER PRIMARY KEY,
	key                 TEXT NOT NULL UNIQUE CHECK (key <> ''),
	platform            TEXT NOT NULL,
	chat_id             TEXT NOT NULL,
	person_id           INTEGER REFERENCES people(id),
	kind                TEXT NOT NULL,
	task_key            TEXT NOT NULL DEFAULT '',
	text                TEXT NOT NULL,
	buttons             TEXT NOT NULL DEFAULT 'null', -- JSON [][]Button
	files               TEXT NOT NULL DEFAULT 'null', -- JSON []Attachment
	status              TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
	attempts            INTEGER NOT NULL DEFAULT 0,
	next_at             INTEGER NOT NULL,
	last_error          TEXT NOT NULL DEFAULT '',
	platform_message_id TEXT NOT NULL DEFAULT '',
	created_at          INTEGER NOT NULL,
	sent_at             INTEGER
);
CREATE INDEX outbox_status_platform_next_at ON outbox(status, platform, next_at);
CREATE INDEX outbox_platform_message ON outbox(platform, chat_id, platform_message_id);
CREATE INDEX outbox_person_created_at ON outbox(person_id, created_at);

CREATE TABLE inbound (
	platform     TEXT NOT NULL,
	key          TEXT NOT NULL,
	payload      BLOB NOT NULL,
	received_at  INTEGER NOT NULL,
	processed_at INTEGER,
	PRIMARY KEY (platform, key)
);
CREATE INDEX inbound_pending ON inbound(platform, received_at, key) WHERE processed_at IS NULL;

CREATE TABLE handled (
	message_key TEXT PRIMARY KEY,
	at          INTEGER NOT NULL
);

CREATE TABLE dialogs (
	platform   TEXT NOT NULL,
	account_id TEXT NOT NULL,
	name       TEXT NOT NULL,
	step       TEXT NOT NULL,
	data       TEXT NOT NULL, -- JSON object of strings
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (platform, account_id)
);

CREATE TABLE job_runs (
	job      TEXT PRIMARY KEY,
	last_run INTEGER NOT NULL
);
