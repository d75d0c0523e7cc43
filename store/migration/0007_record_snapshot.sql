-- 0007_record_snapshot: a saved copy of every submission's record (id,
-- task, person, department, day), so that a new process reads one value and
-- the rows added since instead of 200,000 rows (store/snapshot.go has the
-- encoding). Days depend on the store's location, so the snapshot names the
-- one it was computed in.
CREATE TABLE submission_record_snapshot (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	format   INTEGER NOT NULL,
	max_id   INTEGER NOT NULL,
	location TEXT NOT NULL,
	records  BLOB NOT NULL
);

-- The epoch grows whenever a submission row is deleted or a column of its
-- record changes. Records read in one epoch extend each other (submissions
-- are otherwise only appended), so a reader that cached them knows from the
-- epoch when to start over, and a snapshot computed from them is saved
-- only if the epoch has not moved since they were read.
CREATE TABLE submission_record_epoch (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n  INTEGER NOT NULL
);
INSERT INTO submission_record_epoch (id, n) VALUES (1, 0);

CREATE TRIGGER submissions_delete_records AFTER DELETE ON submissions
BEGIN
	DELETE FROM submission_record_snapshot;
	UPDATE submission_record_epoch SET n = n + 1;
END;

-- Review state changes (the common update) leave the records alone.
CREATE TRIGGER submissions_update_records
AFTER UPDATE OF id, task_key, person_id, department_id, submitted_at ON submissions
WHEN OLD.id IS NOT NEW.id OR OLD.task_key IS NOT NEW.task_key OR OLD.person_id IS NOT NEW.person_id
	OR OLD.department_id IS NOT NEW.department_id OR OLD.submitted_at IS NOT NEW.submitted_at
BEGIN
	DELETE FROM submission_record_snapshot;
	UPDATE submission_record_epoch SET n = n + 1;
END;
