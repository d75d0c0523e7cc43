package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/store"
)

// recordOrg is a generated organisation in a store file, big enough for
// the scheduler to save a record snapshot.
type recordOrg struct {
	path string
	plan *campaignbot.Plan
	day  campaignbot.Date
	now  time.Time
	head int64
}

// recordOrgSubmissions is how many submissions a recordOrg starts with:
// enough for a save (recordSaveMin).
const recordOrgSubmissions int64 = 1200

func mustRecordOrg(tb testing.TB) *recordOrg {
	tb.Helper()
	pl := mustDefaultPlan(tb)
	day := pl.FindPhase("study").End - 5
	now := day.Time(pl.Loc()).Add(9 * time.Hour)
	org := bigOrg{people: 400, departments: 5, submissions: int(recordOrgSubmissions)}
	return &recordOrg{path: mustSeedBig(tb, pl, org, now), plan: pl, day: day, now: now, head: int64(org.departments + 1)}
}

// open opens the store file, as a new process would, and closes it when
// the test ends.
func (o *recordOrg) open(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), o.path, store.WithLocation(o.plan.Loc()),
		store.WithClock(campaignbot.ClockFunc(func() time.Time { return o.now })))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func (o *recordOrg) scheduler(db *store.DB) *Scheduler {
	return New(db, o.plan, WithSchedulerClock(campaignbot.ClockFunc(func() time.Time { return o.now })), WithSchedulerLogger(quietLogger()))
}

// exec runs statements on the file behind the store's back, as an operator
// with the sqlite3 shell would.
func (o *recordOrg) exec(tb testing.TB, qs ...string) {
	tb.Helper()
	raw, err := sql.Open("sqlite", "file:"+o.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	for _, q := range qs {
		if _, err := raw.Exec(q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
}

// snapshotReach returns the last submission ID the record snapshot holds,
// 0 if there is none.
func (o *recordOrg) snapshotReach(tb testing.TB) int64 {
	tb.Helper()
	raw, err := sql.Open("sqlite", "file:"+o.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	var n int64
	if err := raw.QueryRow(`SELECT COALESCE(MAX(max_id), 0) FROM submission_record_snapshot`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// insert adds n submissions of the study notes by the head, on day.
func (o *recordOrg) insert(tb testing.TB, n int) {
	tb.Helper()
	for range n {
		o.exec(tb, fmt.Sprintf(`INSERT INTO submissions (task_key, person_id, department_id, version, text, submitted_at)
			VALUES ('study-notes', %d, 1, 99, 'x', %d)`, o.head, o.day.Time(o.plan.Loc()).Add(10*time.Hour).UnixNano()))
	}
}

// promptTexts describes each prompt by whom and what it is for and says.
func promptTexts(ps []Prompt) []string {
	var ts []string
	for _, p := range ps {
		ts = append(ts, fmt.Sprintf("%s %d %d %s %s %s (%d messages)", p.Kind, p.Day, p.PersonID, p.TaskKey, p.Reason, p.Text, len(p.Messages)))
	}
	return ts
}

// cachedRecords returns the scheduler's cached records after a load.
func cachedRecords(tb testing.TB, s *Scheduler) []campaignbot.SubmissionRecord {
	tb.Helper()
	if _, err := s.load(context.Background()); err != nil {
		tb.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Collect(s.snap.records.all())
}

// TestRecordSnapshotAcrossProcesses checks that a scheduler saves the
// record snapshot in the background and at Close, and that a scheduler of
// a later process starting from it computes what one without it does.
func TestRecordSnapshotAcrossProcesses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := mustRecordOrg(t)

	// A running bot: Start warms the cache, and loads save the snapshot
	// in the background.
	first := o.scheduler(o.open(t))
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cachedRecords(t, first)
	first.warming.Wait()
	first.saves.Wait()
	if got, want := o.snapshotReach(t), recordOrgSubmissions; got != want {
		t.Fatalf("after the first load the snapshot reaches %d, want %d", got, want)
	}
	// Fewer new records than call for a save: Close saves them.
	o.insert(t, 5)
	wantRecords := cachedRecords(t, first)
	wantDigest, err := first.Digest(ctx, o.head, o.day)
	if err != nil {
		t.Fatal(err)
	}
	wantPrompts, err := first.Preview(ctx, o.day)
	if err != nil {
		t.Fatal(err)
	}
	if len(wantPrompts) == 0 {
		t.Fatal("no prompts to compare")
	}
	first.saves.Wait()
	if got, want := o.snapshotReach(t), recordOrgSubmissions; got != want {
		t.Errorf("5 new records saved at once: snapshot reaches %d, want %d", got, want)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := o.snapshotReach(t), recordOrgSubmissions+5; got != want {
		t.Errorf("after Close the snapshot reaches %d, want %d", got, want)
	}

	later := o.scheduler(o.open(t))
	defer later.Close()
	if got := cachedRecords(t, later); !slices.Equal(got, wantRecords) {
		t.Errorf("records from the snapshot: %d, want the first process's %d", len(got), len(wantRecords))
	}
	digest, err := later.Digest(ctx, o.head, o.day)
	if err != nil {
		t.Fatal(err)
	}
	if digest != wantDigest {
		t.Errorf("digest differs from the first process's:\n%s\nwant\n%s", digest, wantDigest)
	}
	prompts, err := later.Preview(ctx, o.day)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := promptTexts(prompts), promptTexts(wantPrompts); !slices.Equal(got, want) {
		t.Errorf("prompts differ from the first process's: %d, want %d", len(got), len(want))
	}

	// A third process reads the snapshot and the rows after it.
	o.insert(t, 3)
	if got, want := cachedRecords(t, o.scheduler(o.open(t))), cachedRecords(t, later); !slices.Equal(got, want) || int64(len(got)) != recordOrgSubmissions+8 {
		t.Errorf("records from the snapshot and 3 rows: %d, want %d as read one by one", len(got), len(want))

	}
}

// TestRecordsReadAgainWhenChanged checks that a submission deleted or
// changed behind the scheduler's back (the epoch moves) makes it read every
// record again, and that the snapshot saved at Close holds the change.
func TestRecordsReadAgainWhenChanged(t *testing.T) {
	t.Parallel()
	o := mustRecordOrg(t)
	db := o.open(t)
	s := o.scheduler(db)
	cachedRecords(t, s)
	s.saves.Wait()
	if got, want := o.snapshotReach(t), int64(0); got != want {
		t.Errorf("a scheduler never started saved a snapshot in the background (reaching %d)", got)
	}
	tests := []struct {
		name string
		sql  string
	}{
		{"person changed", `UPDATE submissions SET person_id = 7 WHERE id = 11`},
		{"day changed", `UPDATE submissions SET submitted_at = submitted_at - 86400000000000 WHERE id = 12`},
		{"deleted", fmt.Sprintf(`DELETE FROM submissions WHERE id IN (13, %d, %d)`, recordOrgSubmissions-1, recordOrgSubmissions)},
	}
	for _, tt := range tests {
		o.exec(t, tt.sql)
		got := cachedRecords(t, s)
		want, err := db.FindSubmissionRecordsAfter(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: the cache kept records the table no longer holds", tt.name)
		}
	}
	s.saves.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := o.snapshotReach(t), recordOrgSubmissions-2; got != want {
		t.Errorf("snapshot reaches %d, want %d", got, want)
	}
	if got, want := cachedRecords(t, o.scheduler(o.open(t))), cachedRecords(t, s); !slices.Equal(got, want) {
		t.Errorf("a new process reads %d records, want the %d the table holds", len(got), len(want))
	}
}

func TestRecordSaveDue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n, saved int
		want     bool
	}{
		{0, 0, false},
		{999, 0, false},
		{1000, 0, true},
		{1000, 1000, false},
		{1099, 1000, false},
		{1100, 1000, true},
		{219999, 200000, false},
		{220000, 200000, true},
		{1019999, 1000000, false},
		{1020000, 1000000, true},
	}
	for _, tt := range tests {
		if got := recordSaveDue(tt.n, tt.saved); got != tt.want {
			t.Errorf("recordSaveDue(%d, %d) = %v, want %v", tt.n, tt.saved, got, tt.want)
		}
	}
}

// rosterSnapshotCurrent reports whether the store file's roster snapshot
// is of the roster's current generation.
func (o *recordOrg) rosterSnapshotCurrent(tb testing.TB) bool {
	tb.Helper()
	raw, err := sql.Open("sqlite", "file:"+o.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	var current bool
	if err := raw.QueryRow(`SELECT EXISTS (SELECT 1 FROM roster_snapshot s JOIN roster_generation g ON s.generation = g.n)`).Scan(&current); err != nil {
		tb.Fatal(err)
	}
	return current
}

// TestRosterSnapshotSaved checks that a started scheduler saves the roster
// snapshot in the background after reading the roster, that Close saves it
// again after a change, and that the next process's first digest, which
// reads everyone from it, is the same.
func TestRosterSnapshotSaved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := mustRecordOrg(t)
	db := o.open(t)
	first := o.scheduler(db)
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	first.warming.Wait()
	first.saves.Wait()
	if !o.rosterSnapshotCurrent(t) {
		t.Fatal("no current roster snapshot after the first load")
	}
	// A change within rosterSaveEvery: not saved until Close.
	if err := db.SetReachable(ctx, o.head, campaignbot.PlatformTelegram, false); err != nil {
		t.Fatal(err)
	}
	want, err := first.Digest(ctx, o.head, o.day)
	if err != nil {
		t.Fatal(err)
	}
	first.saves.Wait()
	if o.rosterSnapshotCurrent(t) {
		t.Fatal("the roster snapshot was saved again within rosterSaveEvery")
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if !o.rosterSnapshotCurrent(t) {
		t.Fatal("Close left the roster snapshot stale")
	}
	second := o.scheduler(o.open(t))
	defer second.Close()
	if got, err := second.Digest(ctx, o.head, o.day); err != nil || got != want {
		t.Errorf("digest from the roster snapshot:\n%s\nwant\n%s\n(%v)", got, want, err)
	}
}
