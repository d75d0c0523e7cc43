-- The roster snapshot: everyone, as FindPeople with no filter returns them,
-- encoded as one value (store/roster_snapshot.go) and labelled with the
-- roster generation (0008) it was read in. It is used only while that
-- generation is the current one.
CREATE TABLE roster_snapshot (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	format     INTEGER NOT NULL,
	generation INTEGER NOT NULL,
	people     BLOB NOT NULL
);
