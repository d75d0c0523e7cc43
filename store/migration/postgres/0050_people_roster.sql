-- 0050_people_roster (PostgreSQL twin of migration/0050_people_roster.sql):
-- the roster of SPEC §7 (second edition). People are keyed by the roster's
-- id (工号), else their WeCom UserID, else their name, so two 王芳 in
-- different 科室 are two people: the name is no longer unique. A person
-- carries their help team (帮扶组) and is removed from the roster by
-- removed_at, keeping the submissions that refer to them. SQLite rebuilds
-- the table; here the constraint is dropped and the columns added.
ALTER TABLE people DROP CONSTRAINT people_name_key;
ALTER TABLE people
	ADD COLUMN external_id TEXT NOT NULL DEFAULT '',
	ADD COLUMN team        TEXT NOT NULL DEFAULT '',
	ADD COLUMN removed_at  BIGINT;

CREATE INDEX people_name ON people(name);
CREATE UNIQUE INDEX people_external_id ON people(external_id) WHERE external_id <> '';
CREATE INDEX people_wecom ON people(wecom) WHERE wecom <> '';
