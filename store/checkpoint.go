package store

import (
	"context"
	"time"
)

// Checkpoints. SQLite's default copies the WAL back into the database from
// inside the commit that takes it past 1,000 pages, and that checkpoint
// syncs both files: a write that happens to be the thousandth page waits
// for two fsyncs, and every writer waits behind it. The store turns that
// off on its writer (wal_autocheckpoint 0) and checkpoints from a goroutine
// of its own on the checkpoint connection instead, beside the writer: a
// PASSIVE checkpoint copies what no reader still needs and never blocks a
// writer or a reader.

// Checkpoint pacing: at least every checkpointEvery while there are writes,
// sooner after checkpointCommits commits.
const (
	checkpointEvery   = time.Second
	checkpointCommits = 256
)

// committed tells the checkpointer that a write transaction committed. It
// never blocks.
func (db *DB) committed() {
	if db.commits == nil {
		return // the migrations, before the checkpointer starts
	}
	db.commitCount.Add(1)
	select {
	case db.commits <- struct{}{}:
	default:
	}
}

// checkpointLoop checkpoints after writes, until quit is closed.
func (db *DB) checkpointLoop() {
	defer close(db.ckptStopped)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	var done int64 // commits up to the last checkpoint
	for {
		select {
		case <-db.quit:
			return
		case <-db.commits:
			if db.commitCount.Load()-done < checkpointCommits {
				continue
			}
		case <-tick.C:
			if db.commitCount.Load() == done {
				continue
			}
		}
		// A failure (an I/O error) leaves the frames for the next tick.
		n := db.commitCount.Load()
		if _, err := db.cdb.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`); err == nil {
			done = n
			db.checkpoints.Add(1)
		}
	}
}
