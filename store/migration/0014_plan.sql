-- 0014_plan: the plan in force lives in the store (SPEC §3), so that every
-- command and every process reads the same plan. Each apply adds a row with
-- the YAML source exactly as applied; the row with the highest version is
-- in force, and the others say who moved which deadline when.
CREATE TABLE plans (
	version    INTEGER PRIMARY KEY AUTOINCREMENT,
	source     TEXT NOT NULL CHECK (source <> ''),
	applied_at INTEGER NOT NULL,
	applied_by TEXT NOT NULL
);
