-- 0040_web: the web console's one-time login links, sessions and the audit
-- log of office actions (SPEC §9, §11). Links and sessions are stored by the
-- sha256 of their token, so that whoever reads the database cannot sign in.
CREATE TABLE web_logins (
	token_hash TEXT PRIMARY KEY,
	person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
);

CREATE TABLE web_sessions (
	token_hash TEXT PRIMARY KEY,
	person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
	id        INTEGER PRIMARY KEY,
	at        INTEGER NOT NULL,
	person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
	-- actor is the person's name when they acted, kept if they leave.
	actor     TEXT NOT NULL,
	action    TEXT NOT NULL CHECK (action <> ''),
	detail    TEXT NOT NULL
);
