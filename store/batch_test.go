package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"campaignbot"
)

// batchTables creates the tables the batch tests write to: rows, and
// children whose parent is checked only at COMMIT, so a test can make a
// commit fail after every statement has succeeded.
func batchTables(t *testing.T, db *DB) {
	t.Helper()
	for _, q := range []string{
		`CREATE TABLE t_rows (v TEXT NOT NULL UNIQUE)`,
		`CREATE TABLE t_parents (id INTEGER PRIMARY KEY)`,
		`CREATE TABLE t_children (parent INTEGER REFERENCES t_parents (id) DEFERRABLE INITIALLY DEFERRED)`,
	} {
		if _, err := db.wdb.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

func rowsIn(t *testing.T, db *DB, table string) []string {
	t.Helper()
	rows, err := db.wdb.Query(`SELECT * FROM ` + table + ` ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}

// insertOp is a write that inserts v into t_rows and then fails with fail.
func insertOp(ctx context.Context, v string, fail error) *writeOp {
	return &writeOp{ctx: ctx, done: make(chan error, 1), fn: func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO t_rows (v) VALUES (?)`, v); err != nil {
			return err
		}
		return fail
	}}
}

// TestRunBatch runs batches of writes, as the writer goroutine does when
// several callers wait at once, and checks what each caller is told against
// what the database keeps.
func TestRunBatch(t *testing.T) {
	errOp := errors.New("the write's own failure")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	orphan := &writeOp{ctx: bg, done: make(chan error, 1), fn: func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO t_children (parent) VALUES (42)`)
		return err
	}}
	panics := &writeOp{ctx: bg, done: make(chan error, 1), fn: func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO t_rows (v) VALUES ('panic')`); err != nil {
			return err
		}
		panic("bug")
	}}
	tests := []struct {
		name     string
		ops      []*writeOp
		wantErrs []bool // per op
		wantRows []string
	}{
		{"one write", []*writeOp{insertOp(bg, "a", nil)}, []bool{false}, []string{"a"}},
		{"one failing write", []*writeOp{insertOp(bg, "a", errOp)}, []bool{true}, nil},
		{"a failing write in the middle is undone alone",
			[]*writeOp{insertOp(bg, "a", nil), insertOp(bg, "b", errOp), insertOp(bg, "c", nil)},
			[]bool{false, true, false}, []string{"a", "c"}},
		{"a constraint failure is undone alone",
			[]*writeOp{insertOp(bg, "a", nil), insertOp(bg, "a", nil), insertOp(bg, "c", nil)},
			[]bool{false, true, false}, []string{"a", "c"}},
		{"a caller gone before its turn is not run",
			[]*writeOp{insertOp(bg, "a", nil), insertOp(cancelled, "b", nil)},
			[]bool{false, true}, []string{"a"}},
		{"a panic fails its write alone",
			[]*writeOp{insertOp(bg, "a", nil), panics, insertOp(bg, "c", nil)},
			[]bool{false, true, false}, []string{"a", "c"}},
		{"a failed commit fails every write",
			[]*writeOp{insertOp(bg, "a", nil), orphan, insertOp(bg, "c", nil)},
			[]bool{true, true, true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			batchTables(t, db)
			db.runBatch(tt.ops)
			for i, op := range tt.ops {
				err := <-op.done
				if got, want := err != nil, tt.wantErrs[i]; got != want {
					t.Errorf("write %d: err = %v, want an error: %v", i, err, want)
				}
			}
			if got, want := fmt.Sprint(rowsIn(t, db, "t_rows")), fmt.Sprint(tt.wantRows); got != want {
				t.Errorf("rows = %s, want %s", got, want)
			}
			if got := rowsIn(t, db, "t_children"); len(got) != 0 {
				t.Errorf("children = %v, want none", got)
			}
		})
	}
}

// TestConcurrentWrites has many callers write at once through the public
// methods, some of them refused, and checks that every acknowledged write
// is there, with versions counted without gaps.
func TestConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "甲", "乙", "丙", "丁")
	const perPerson = 40
	var wg sync.WaitGroup
	errs := make(chan error, 4*perPerson*2)
	for _, name := range []string{"甲", "乙", "丙", "丁"} {
		for i := range perPerson {
			wg.Go(func() {
				s := &campaignbot.Submission{TaskKey: "study-notes", PersonID: ids[name], Text: "笔记",
					SourceKey: fmt.Sprintf("telegram:%s:%d", name, i)}
				if err := db.CreateSubmission(ctx, s); err != nil {
					errs <- fmt.Errorf("%s %d: %w", name, i, err)
				}
			})
			wg.Go(func() {
				// No such person: refused by its foreign key, alone.
				s := &campaignbot.Submission{TaskKey: "study-notes", PersonID: 9999, Text: "笔记"}
				if err := db.CreateSubmission(ctx, s); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
					errs <- fmt.Errorf("a submission by nobody: err = %v, want %s", err, campaignbot.EINVALID)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Only the acknowledged writes count, however they were grouped.
	if ws := db.WriteStats(); ws.Writes != 4*perPerson || ws.Commits < 1 || ws.Commits > ws.Writes+4*perPerson {
		t.Errorf("write stats %+v, want %d writes", ws, 4*perPerson)
	}
	for _, name := range []string{"甲", "乙", "丙", "丁"} {
		id := ids[name]
		ss, err := db.FindSubmissions(ctx, campaignbot.SubmissionFilter{PersonID: &id})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(ss), perPerson; got != want {
			t.Fatalf("%s has %d submissions, want %d", name, got, want)
		}
		for i, s := range ss { // newest first
			if got, want := s.Version, perPerson-i; got != want {
				t.Errorf("%s's submission %d is version %d, want %d", name, i, got, want)
			}
		}
	}
}

// TestWriteAfterClose refuses writes once the store is closed instead of
// blocking.
func TestWriteAfterClose(t *testing.T) {
	db := MustOpen(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	err := db.SaveDialog(context.Background(), &campaignbot.Dialog{Platform: campaignbot.PlatformTelegram, AccountID: "1", Name: "note"})
	if !errors.Is(err, errClosed) {
		t.Fatalf("err = %v, want %v", err, errClosed)
	}
}
