-- 0030_submission_week: a note handed in late for a missed week counts for
-- that week (SPEC §2): week is the start of the week it is for, NULL when it
-- counts for the week it was written in. The scheduler's covering index of
-- submission records (0013) takes the column, so its read stays on the index.
ALTER TABLE submissions ADD COLUMN week INTEGER;
DROP INDEX IF EXISTS submissions_records;
CREATE INDEX submissions_records ON submissions(id, task_key, person_id, department_id, submitted_at, week);
