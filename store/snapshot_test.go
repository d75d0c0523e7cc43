package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
	"unsafe"

	"campaignbot"
)

// snapshotTaskKeys are the task keys of the generated submissions.
var snapshotTaskKeys = []string{"study-notes", "weekly-report", "心得体会"}

// insertRecords adds n submissions by the people in turn, seven hours
// apart from start (so days depend on the location), half of them without
// a department, in one transaction of plain SQL.
func insertRecords(tb testing.TB, db *DB, n int, people []int64, start time.Time) {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	var dept int64
	if err := tx.QueryRowContext(ctx, `SELECT department_id FROM people WHERE id = ?`, people[0]).Scan(&dept); err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		if _, err := tx.ExecContext(ctx, `INSERT INTO submissions (task_key, person_id, department_id, version, text, submitted_at)
			VALUES (?, ?, ?, ?, 'x', ?)`, snapshotTaskKeys[i%len(snapshotTaskKeys)], people[i%len(people)],
			nullID(dept*int64(i%2)), i+1, encTime(start.Add(time.Duration(i)*7*time.Hour))); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// recordTemplate creates a closed store file holding the people 甲, 乙 and
// 丙 (returned in that order) and n submissions by them from start, for
// subtests to copy: opening and filling a store for each costs seconds
// under the race detector.
func recordTemplate(tb testing.TB, n int, start time.Time, opts ...Option) (string, []int64) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "template.db")
	db, err := Open(context.Background(), path, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	ids := importPeople(tb, db, "甲", "乙", "丙")
	people := []int64{ids["甲"], ids["乙"], ids["丙"]}
	insertRecords(tb, db, n, people, start)
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	return path, people
}

// mustCopyOpen opens a copy of the store file at src.
func mustCopyOpen(tb testing.TB, src string, opts ...Option) (*DB, string) {
	tb.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "c.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	return mustOpenPath(tb, path, opts...), path
}

// mustExec runs a statement on the writer.
func mustExec(tb testing.TB, db *DB, q string, args ...any) {
	tb.Helper()
	if _, err := db.wdb.ExecContext(context.Background(), q, args...); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
}

// tableRecords reads the records straight from the table, as the reference.
func tableRecords(tb testing.TB, db *DB, afterID int64) []campaignbot.SubmissionRecord {
	tb.Helper()
	rows, err := db.rdb.QueryContext(context.Background(), `SELECT id, task_key, person_id, COALESCE(department_id, 0), submitted_at
		FROM submissions WHERE id > ? ORDER BY id`, afterID)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var rs []campaignbot.SubmissionRecord
	for rows.Next() {
		var r campaignbot.SubmissionRecord
		var at int64
		if err := rows.Scan(&r.ID, &r.TaskKey, &r.PersonID, &r.DepartmentID, &at); err != nil {
			tb.Fatal(err)
		}
		r.Day = campaignbot.DateOf(decTime(at), db.loc)
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return rs
}

// snapshotReach returns the saved snapshot's max_id, 0 if there is none.
func snapshotReach(tb testing.TB, db *DB) int64 {
	tb.Helper()
	var n int64
	if err := db.rdb.QueryRowContext(context.Background(), `SELECT COALESCE(MAX(max_id), 0) FROM submission_record_snapshot`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// mustSaveSnapshot saves the first n records as the scheduler would.
func mustSaveSnapshot(tb testing.TB, db *DB, n int) {
	tb.Helper()
	ctx := context.Background()
	rs, epoch, err := db.FindSubmissionRecordsInEpoch(ctx, 0)
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.SaveSubmissionRecordSnapshot(ctx, slices.Values(rs[:n]), epoch); err != nil {
		tb.Fatal(err)
	}
	if got, want := snapshotReach(tb, db), rs[n-1].ID; got != want {
		tb.Fatalf("snapshot reaches %d, want %d", got, want)
	}
}

// distinctKeyStrings counts the distinct backing arrays of the task keys.
func distinctKeyStrings(rs []campaignbot.SubmissionRecord) int {
	seen := map[*byte]bool{}
	for _, r := range rs {
		seen[unsafe.StringData(r.TaskKey)] = true
	}
	return len(seen)
}

// TestFindSubmissionRecordsSnapshot checks that the first read of the
// records returns what the table holds whatever state the snapshot is in.
func TestFindSubmissionRecordsSnapshot(t *testing.T) {
	t.Parallel()
	shanghai := time.FixedZone("UTC+8", 8*3600)
	start := time.Date(2026, 3, 1, 1, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		// setup runs on a store with 300 submissions and no snapshot.
		setup func(t *testing.T, db *DB, people []int64)
		// reopen, if set, reopens the file in this location first.
		reopen       *time.Location
		wantSnapshot bool // whether a snapshot row is left after setup
	}{
		{name: "no snapshot", setup: func(t *testing.T, db *DB, people []int64) {}},
		{name: "snapshot of every row", wantSnapshot: true, setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 300)
		}},
		{name: "snapshot and later rows", wantSnapshot: true, setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 200)
			insertRecords(t, db, 75, people[1:], start.Add(90*24*time.Hour))
		}},
		{name: "review state changed", wantSnapshot: true, setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 300)
			mustExec(t, db, `UPDATE submissions SET state = 'returned' WHERE id IN (3, 4, 300)`)
		}},
		{name: "stale: person changed", setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 300)
			mustExec(t, db, `UPDATE submissions SET person_id = ? WHERE id = 10`, people[2])
		}},
		{name: "stale: task changed", setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 300)
			mustExec(t, db, `UPDATE submissions SET task_key = 'other' WHERE id = 11`)
		}},
		{name: "stale: department cleared", setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 300)
			mustExec(t, db, `UPDATE submissions SET department_id = NULL WHERE department_id IS NOT NULL AND id < 20`)
		}},
		{name: "stale: time moved to another day", setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 300)
			mustExec(t, db, `UPDATE submissions SET submitted_at = submitted_at + ? WHERE id = 5`, int64(3*24*time.Hour))
		}},
		{name: "stale: id changed", setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 300)
			mustExec(t, db, `UPDATE submissions SET id = 1000 WHERE id = 7`)
		}},
		{name: "stale: last row deleted and its id reused", setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 300)
			mustExec(t, db, `DELETE FROM submissions WHERE id = 300`)
			insertRecords(t, db, 1, people[2:], start.Add(-48*time.Hour))
		}},
		{name: "other location", wantSnapshot: true, reopen: time.UTC, setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 300)
		}},
		{name: "same name, other offset", wantSnapshot: true, reopen: time.FixedZone("UTC+8", 7*3600), setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 300)
		}},
		{name: "same location reopened", reopen: shanghai, wantSnapshot: true, setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 250)
		}},
		{name: "other format", wantSnapshot: true, setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 300)
			mustExec(t, db, `UPDATE submission_record_snapshot SET format = format + 1`)
		}},
		{name: "corrupt: truncated", wantSnapshot: true, setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 300)
			mustExec(t, db, `UPDATE submission_record_snapshot SET records = substr(records, 1, length(records) - 3)`)
		}},
		{name: "corrupt: garbage", wantSnapshot: true, setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 300)
			mustExec(t, db, `UPDATE submission_record_snapshot SET records = X'FFFFFFFFFFFFFFFFFFFF01'`)
		}},
		{name: "corrupt: max id beyond the table", wantSnapshot: true, setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 300)
			mustExec(t, db, `UPDATE submission_record_snapshot SET max_id = max_id + 1`)
		}},
		{name: "corrupt: max id before the last record", wantSnapshot: true, setup: func(t *testing.T, db *DB, people []int64) {
			mustSaveSnapshot(t, db, 300)
			mustExec(t, db, `UPDATE submission_record_snapshot SET max_id = max_id - 1`)
		}},
	}
	template, people := recordTemplate(t, 300, start, WithLocation(shanghai))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, path := mustCopyOpen(t, template, WithLocation(shanghai))
			tt.setup(t, db, people)
			if tt.reopen != nil {
				db = mustOpenPath(t, path, WithLocation(tt.reopen))
			}
			if got, want := snapshotReach(t, db) != 0, tt.wantSnapshot; got != want {
				t.Errorf("snapshot left = %v, want %v", got, want)
			}
			got, err := db.FindSubmissionRecordsAfter(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			if want := tableRecords(t, db, 0); !slices.Equal(got, want) {
				t.Errorf("records differ from the table's: got %d, want %d\n got[:3] %v\nwant[:3] %v", len(got), len(want), got[:min(3, len(got))], want[:min(3, len(want))])
			}
			keys := map[string]bool{}
			for _, r := range got {
				keys[r.TaskKey] = true
			}
			if got, want := distinctKeyStrings(got), len(keys); got != want {
				t.Errorf("task key strings = %d, want %d (one per key)", got, want)
			}
		})
	}
}

// TestFindSubmissionRecordsReadsSnapshot checks that the first read does
// start from the snapshot (a snapshot written behind the triggers' back
// shows through) and that later reads never do.
func TestFindSubmissionRecordsReadsSnapshot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "甲", "乙")
	insertRecords(t, db, 100, []int64{ids["甲"], ids["乙"]}, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	mustSaveSnapshot(t, db, 60)
	table := tableRecords(t, db, 0)
	forged := slices.Clone(table[:60])
	forged[59].PersonID = 424242
	blob, err := encodeRecords(slices.Values(forged))
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `UPDATE submission_record_snapshot SET records = ?`, blob)

	got, err := db.FindSubmissionRecordsAfter(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := append(forged, table[60:]...); !slices.Equal(got, want) {
		t.Errorf("first read does not start from the snapshot: record 60 = %+v, want %+v", got[59], want[59])
	}
	got, err = db.FindSubmissionRecordsAfter(ctx, 30)
	if err != nil {
		t.Fatal(err)
	}
	if want := table[30:]; !slices.Equal(got, want) {
		t.Errorf("a later read used the snapshot: got %d records, want %d", len(got), len(want))
	}
}

// TestSubmissionRecordEpoch checks what moves the epoch.
func TestSubmissionRecordEpoch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "甲", "乙")
	people := []int64{ids["甲"], ids["乙"]}
	insertRecords(t, db, 10, people, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	epoch := func() int64 {
		t.Helper()
		_, e, err := db.FindSubmissionRecordsInEpoch(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	steps := []struct {
		name  string
		sql   string
		moves bool
	}{
		{"review state", `UPDATE submissions SET state = 'accepted' WHERE id = 1`, false},
		{"text and version", `UPDATE submissions SET text = 'y', version = 9 WHERE id = 2`, false},
		{"same values written", `UPDATE submissions SET task_key = task_key, person_id = person_id WHERE id = 3`, false},
		{"insert", fmt.Sprintf(`INSERT INTO submissions (task_key, person_id, version, text, submitted_at) VALUES ('t', %d, 1, 'x', 0)`, people[0]), false},
		{"task", `UPDATE submissions SET task_key = 'other' WHERE id = 3`, true},
		{"person", fmt.Sprintf(`UPDATE submissions SET person_id = CASE person_id WHEN %d THEN %d ELSE %[1]d END WHERE id = 4`, people[0], people[1]), true},
		{"department", `UPDATE submissions SET department_id = NULL WHERE id = 2`, true},
		{"time", `UPDATE submissions SET submitted_at = submitted_at + 1 WHERE id = 5`, true},
		{"id", `UPDATE submissions SET id = 100 WHERE id = 6`, true},
		{"delete", `DELETE FROM submissions WHERE id = 7`, true},
	}
	for _, s := range steps {
		before := epoch()
		mustExec(t, db, s.sql)
		if got, want := epoch() != before, s.moves; got != want {
			t.Errorf("%s: epoch moved = %v, want %v", s.name, got, want)
		}
	}
}

// TestSaveSubmissionRecordSnapshot checks what a save refuses and when it
// writes nothing.
func TestSaveSubmissionRecordSnapshot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// change alters the store after the read, edit the records read.
		change    func(t *testing.T, db *DB)
		edit      func(rs []campaignbot.SubmissionRecord) []campaignbot.SubmissionRecord
		code      string // "" for success
		wantReach int64
	}{
		{name: "every record", wantReach: 50},
		{name: "a prefix", edit: func(rs []campaignbot.SubmissionRecord) []campaignbot.SubmissionRecord { return rs[:20] }, wantReach: 20},
		{name: "nothing", edit: func(rs []campaignbot.SubmissionRecord) []campaignbot.SubmissionRecord { return nil }},
		{name: "later rows added meanwhile", wantReach: 50, change: func(t *testing.T, db *DB) {
			insertRecords(t, db, 5, []int64{1}, time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC))
		}},
		{name: "review state changed meanwhile", wantReach: 50, change: func(t *testing.T, db *DB) {
			mustExec(t, db, `UPDATE submissions SET state = 'returned' WHERE id = 9`)
		}},
		{name: "epoch moved", code: campaignbot.ECONFLICT, change: func(t *testing.T, db *DB) {
			mustExec(t, db, `UPDATE submissions SET task_key = 'other' WHERE id = 9`)
		}},
		{name: "last record deleted", code: campaignbot.ECONFLICT, change: func(t *testing.T, db *DB) {
			mustExec(t, db, `DELETE FROM submissions WHERE id = 50`)
		}},
		{name: "last record not the table's", code: campaignbot.ECONFLICT, edit: func(rs []campaignbot.SubmissionRecord) []campaignbot.SubmissionRecord {
			rs[len(rs)-1].Day++
			return rs
		}},
		{name: "record beyond the table", code: campaignbot.ECONFLICT, edit: func(rs []campaignbot.SubmissionRecord) []campaignbot.SubmissionRecord {
			r := rs[len(rs)-1]
			r.ID += 10
			return append(rs, r)
		}},
		{name: "out of order", code: campaignbot.EINVALID, edit: func(rs []campaignbot.SubmissionRecord) []campaignbot.SubmissionRecord {
			rs[3], rs[4] = rs[4], rs[3]
			return rs
		}},
	}
	template, _ := recordTemplate(t, 50, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, _ := mustCopyOpen(t, template)
			rs, epoch, err := db.FindSubmissionRecordsInEpoch(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			if tt.change != nil {
				tt.change(t, db)
			}
			if tt.edit != nil {
				rs = tt.edit(rs)
			}
			err = db.SaveSubmissionRecordSnapshot(ctx, slices.Values(rs), epoch)
			if tt.code == "" && err != nil {
				t.Fatal(err)
			}
			if tt.code != "" {
				mustCode(t, err, tt.code)
			}
			if got, want := snapshotReach(t, db), tt.wantReach; got != want {
				t.Errorf("snapshot reaches %d, want %d", got, want)
			}
		})
	}
}

// TestSaveSubmissionRecordSnapshotKeepsFurther checks that a save never
// replaces a snapshot that reaches further, as another process's may.
func TestSaveSubmissionRecordSnapshotKeepsFurther(t *testing.T) {
	t.Parallel()
	db := MustOpen(t)
	ids := importPeople(t, db, "甲")
	insertRecords(t, db, 40, []int64{ids["甲"]}, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	mustSaveSnapshot(t, db, 30)
	rs, epoch, err := db.FindSubmissionRecordsInEpoch(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveSubmissionRecordSnapshot(context.Background(), slices.Values(rs[:10]), epoch); err != nil {
		t.Fatal(err)
	}
	// The write transaction checks again, for a save that passed the
	// first look before another process's landed.
	if err := db.writeRecordSnapshot(context.Background(), []byte{0}, rs[19], epoch); err != nil {
		t.Fatal(err)
	}
	if got, want := snapshotReach(t, db), int64(30); got != want {
		t.Errorf("snapshot reaches %d, want %d", got, want)
	}
	if got, want := mustFind(t, db), tableRecords(t, db, 0); !slices.Equal(got, want) {
		t.Errorf("records differ from the table's")
	}
}

func mustFind(tb testing.TB, db *DB) []campaignbot.SubmissionRecord {
	tb.Helper()
	rs, err := db.FindSubmissionRecordsAfter(context.Background(), 0)
	if err != nil {
		tb.Fatal(err)
	}
	return rs
}

// TestRecordsRoundTrip checks the encoding on edge cases and that every
// truncation of an encoding fails to decode.
func TestRecordsRoundTrip(t *testing.T) {
	t.Parallel()
	r := func(id int64, key string, person, dept int64, day campaignbot.Date) campaignbot.SubmissionRecord {
		return campaignbot.SubmissionRecord{ID: id, TaskKey: key, PersonID: person, DepartmentID: dept, Day: day}
	}
	tests := []struct {
		name string
		recs []campaignbot.SubmissionRecord
	}{
		{"none", []campaignbot.SubmissionRecord{}},
		{"one", []campaignbot.SubmissionRecord{r(1, "a", 1, 0, 20000)}},
		{"gaps and big values", []campaignbot.SubmissionRecord{r(5, "a", 1<<40, 1<<33, 0), r(1<<50, "长的任务键", 0, 0, -3000), r(1<<62, "a", 7, 1, 1<<30)}},
		{"days back and forth", []campaignbot.SubmissionRecord{r(1, "a", 1, 2, 100), r(2, "b", 2, 2, 90), r(3, "a", 1, 0, 200), r(4, "c", 3, 1, -5)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := encodeRecords(slices.Values(tt.recs))
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := decodeRecords(b, 3)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.recs) {
				t.Errorf("decoded %v, want %v", got, tt.recs)
			}
			if got, want := cap(got), len(tt.recs)+3; got != want {
				t.Errorf("capacity %d, want %d", got, want)
			}
			for n := range len(b) {
				if _, _, err := decodeRecords(b[:n], 0); err == nil {
					t.Errorf("truncated to %d of %d bytes: decoded", n, len(b))
				}
			}
			if _, _, err := decodeRecords(append(b, 0), 0); err == nil {
				t.Errorf("a trailing byte: decoded")
			}
		})
	}
	for _, bad := range [][]campaignbot.SubmissionRecord{
		{r(2, "a", 1, 0, 0), r(2, "a", 1, 0, 0)},
		{r(0, "a", 1, 0, 0)},
		{r(1, "a", -1, 0, 0)},
		{r(1, "a", 1, -1, 0)},
	} {
		if _, err := encodeRecords(slices.Values(bad)); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
			t.Errorf("encode %v: error %v, want EINVALID", bad, err)
		}
	}
}

// FuzzDecodeRecords checks that no input makes the decoder panic or return
// records out of order.
func FuzzDecodeRecords(f *testing.F) {
	b, err := encodeRecords(slices.Values([]campaignbot.SubmissionRecord{{ID: 1, TaskKey: "a", PersonID: 2, Day: 3}, {ID: 9, TaskKey: "b", PersonID: 1, DepartmentID: 4, Day: 1}}))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte{1, 1, 'a', 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, _, err := decodeRecords(b, 0)
		if err != nil {
			return
		}
		for i := 1; i < len(rs); i++ {
			if rs[i].ID <= rs[i-1].ID {
				t.Fatalf("records out of order: %v", rs)
			}
		}
	})
}

// benchRecords returns n records shaped like the performance targets'
// (10,000 people in 50 departments, one task, days in order).
func benchRecords(n int) []campaignbot.SubmissionRecord {
	rs := make([]campaignbot.SubmissionRecord, n)
	for i := range rs {
		p := int64(i*7919%10000 + 1)
		rs[i] = campaignbot.SubmissionRecord{ID: int64(i + 1), TaskKey: "study-notes", PersonID: p, DepartmentID: (p-1)%50 + 1,
			Day: campaignbot.Date(20500 + i*28/n)}
	}
	return rs
}

// BenchmarkDecodeRecords200k decodes a snapshot of 200,000 records.
func BenchmarkDecodeRecords200k(b *testing.B) {
	blob, err := encodeRecords(slices.Values(benchRecords(200000)))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(blob)))
	for b.Loop() {
		if _, _, err := decodeRecords(blob, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(blob))/200000, "bytes/record")
}

// BenchmarkEncodeRecords200k encodes 200,000 records, as a save does
// before its write transaction.
func BenchmarkEncodeRecords200k(b *testing.B) {
	rs := benchRecords(200000)
	for b.Loop() {
		if _, err := encodeRecords(slices.Values(rs)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteRecordSnapshot200k times the write transaction of a save
// of 200,000 records: how long it holds the store's one writer.
func BenchmarkWriteRecordSnapshot200k(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	ids := importPeople(b, db, "甲", "乙")
	insertRecords(b, db, 200000, []int64{ids["甲"], ids["乙"]}, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	rs, epoch, err := db.FindSubmissionRecordsInEpoch(ctx, 0)
	if err != nil {
		b.Fatal(err)
	}
	blob, err := encodeRecords(slices.Values(rs))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		mustExec(b, db, `UPDATE submission_record_snapshot SET max_id = 0`) // the old value is replaced, as it would be
		b.StartTimer()
		if err := db.writeRecordSnapshot(ctx, blob, rs[len(rs)-1], epoch); err != nil {
			b.Fatal(err)
		}
	}
}
