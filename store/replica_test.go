package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"campaignbot"
)

// TestRecordsAfterWithTwoWriters has two handles on one database (two
// replicas on PostgreSQL, two processes' pools on SQLite) store
// submissions at once while a reader goes on from the highest ID it has
// seen, as the scheduler's cache does: it must miss none. On PostgreSQL,
// IDs come from a sequence and would commit out of order but for the
// write lock every write transaction takes.
func TestRecordsAfterWithTwoWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "campaignbot.db")
	a := mustOpenPath(t, path)
	b := mustOpenPath(t, path)
	ids := importPeople(t, a, "甲", "乙")
	const each = 60
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i, db := range []*DB{a, b} {
		person := ids[[]string{"甲", "乙"}[i]]
		wg.Go(func() {
			for n := range each {
				s := &campaignbot.Submission{TaskKey: "study-notes", PersonID: person, Text: fmt.Sprint("笔记", n)}
				if err := db.CreateSubmission(ctx, s); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	seen := map[int64]bool{}
	var after int64
	read := func() {
		t.Helper()
		rs, err := a.FindSubmissionRecordsAfter(ctx, after)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if seen[r.ID] {
				t.Fatalf("record %d read twice", r.ID)
			}
			seen[r.ID] = true
			after = max(after, r.ID)
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			read()
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	read()
	if len(seen) != 2*each {
		t.Errorf("the reader saw %d submissions, want %d", len(seen), 2*each)
	}
}
