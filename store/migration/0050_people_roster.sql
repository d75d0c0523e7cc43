-- campaignbot:foreign_keys=off
-- 0050_people_roster: the roster of SPEC §7 (second edition). People are
-- keyed by the roster's id (工号), else their WeCom UserID, else their name,
-- so two 王芳 in different 科室 are two people: the name is no longer
-- unique. A person carries their help team (帮扶组) and is removed from the
-- roster by removed_at, keeping the submissions that refer to them.
--
-- SQLite cannot drop a column constraint, so the table is rebuilt by its
-- documented procedure (foreign keys off, checked before commit). On
-- PostgreSQL the equivalent is:
--   ALTER TABLE people DROP CONSTRAINT people_name_key;
--   ALTER TABLE people ADD COLUMN external_id TEXT NOT NULL DEFAULT '',
--     ADD COLUMN team TEXT NOT NULL DEFAULT '', ADD COLUMN removed_at BIGINT;
-- followed by the same indexes.

CREATE TABLE people_new (
	id            INTEGER PRIMARY KEY,
	external_id   TEXT NOT NULL DEFAULT '',
	name          TEXT NOT NULL CHECK (name <> ''),
	department_id INTEGER NOT NULL REFERENCES departments(id),
	telegram      TEXT NOT NULL DEFAULT '',
	wecom         TEXT NOT NULL DEFAULT '',
	team          TEXT NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	removed_at    INTEGER
);

INSERT INTO people_new (id, name, department_id, telegram, wecom, created_at, updated_at)
	SELECT id, name, department_id, telegram, wecom, created_at, updated_at FROM people;

DROP TABLE people;
ALTER TABLE people_new RENAME TO people;

CREATE INDEX people_department_id ON people(department_id);
CREATE INDEX people_name ON people(name);
CREATE UNIQUE INDEX people_external_id ON people(external_id) WHERE external_id <> '';
CREATE INDEX people_wecom ON people(wecom) WHERE wecom <> '';
