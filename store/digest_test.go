package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"campaignbot"
)

// TestFindAllPeople checks that FindPeople with an empty filter, which
// reads whole tables (findAllPeople), returns what the selection by
// condition (findPeople) does, lists and their order included.
func TestFindAllPeople(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	got, err := db.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got != nil {
		t.Errorf("no people: got %v, want nil as FindPeople gives", got)
	}
	for _, q := range []string{
		`INSERT INTO departments (id, name) VALUES (1, '办公室'), (2, '业务科'), (3, '空科室')`,
		`INSERT INTO people (id, name, department_id, telegram, wecom, created_at, updated_at) VALUES
			(5, '甲', 2, '@jia', '', 100, 200), (2, '乙', 1, '', 'yi', 300, 400), (9, '丙', 1, '', '', 500, 600),
			(3, '丁', 2, '12345', 'ding', 700, 800)`,
		// Granted on different days, so that day order is not key order.
		`INSERT INTO person_roles (person_id, role, since) VALUES
			(5, 'member', 10), (5, 'liaison', 20), (5, 'middle', 5), (2, 'leader', 5), (2, 'head', 5), (9, 'office', 1)`,
		`INSERT INTO person_in_charge (person_id, department_id) VALUES (2, 2), (2, 1), (3, 1)`,
		`INSERT INTO person_unreachable (person_id, platform, since) VALUES (5, 'wecom', 1), (5, 'telegram', 2), (9, 'telegram', 3)`,
	} {
		mustExec(t, db, q)
	}
	// What the selection by condition gives.
	tx, err := db.beginRead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := findPeople(ctx, tx, campaignbot.PersonFilter{})
	tx.Rollback()
	if err != nil {
		t.Fatal(err)
	}
	if got, err = db.FindPeople(ctx, campaignbot.PersonFilter{}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		for i := range max(len(got), len(want)) {
			if i >= len(got) || i >= len(want) || !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("person %d differs:\n got %+v\nwant %+v", i, at(got, i), at(want, i))
			}
		}
	}
	// The role lists share one array: appending to one must not reach
	// the next person's.
	got[0].Roles = append(got[0].Roles, campaignbot.RoleGrant{Role: campaignbot.RoleHead})
	if !reflect.DeepEqual(got[1].Roles, want[1].Roles) {
		t.Errorf("appending to one person's roles changed the next one's: %v", got[1].Roles)
	}
}

func at(ps []*campaignbot.Person, i int) any {
	if i < len(ps) {
		return *ps[i]
	}
	return nil
}

// mustExec runs a statement on the writer.
func mustExec(tb testing.TB, db *DB, q string, args ...any) {
	tb.Helper()
	if _, err := db.wdb.ExecContext(context.Background(), q, args...); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
}

// TestFindSubmissionRecordsAfter checks that the records come in ID order
// from after the given ID, whatever their review state, with the day of
// the store's location and no department as 0.
func TestFindSubmissionRecordsAfter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	loc := time.FixedZone("UTC+8", 8*3600)
	db := MustOpen(t, WithLocation(loc))
	ids := importPeople(t, db, "甲", "乙")
	// 17:00 UTC on 2026-03-01 is already 2 March at UTC+8.
	at := time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC)
	for i, q := range []struct {
		task   string
		person int64
		dept   any
		state  string
	}{
		{"study-notes", ids["甲"], nil, ""},
		{"weekly-report", ids["乙"], 1, "returned"},
		{"study-notes", ids["乙"], 1, "submitted"},
	} {
		mustExec(t, db, `INSERT INTO submissions (task_key, person_id, department_id, version, text, state, submitted_at)
			VALUES (?, ?, ?, 1, 'x', ?, ?)`, q.task, q.person, q.dept, q.state, encTime(at.Add(time.Duration(i)*24*time.Hour)))
	}
	day := campaignbot.DateOf(at, loc)
	all := []string{
		fmt.Sprintf("1 study-notes person %d dept 0 day %v week 0", ids["甲"], day),
		fmt.Sprintf("2 weekly-report person %d dept 1 day %v week 0", ids["乙"], day+1),
		fmt.Sprintf("3 study-notes person %d dept 1 day %v week 0", ids["乙"], day+2),
	}
	if got, want := day, campaignbot.DateOf(time.Date(2026, 3, 2, 0, 0, 0, 0, loc), loc); got != want {
		t.Fatalf("day = %v, want %v", got, want)
	}
	for _, after := range []int64{0, 1, 3} {
		got, keys, err := db.FindSubmissionRecordsAfter(ctx, after, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := records(got, keys), all[after:]; !slices.Equal(got, want) {
			t.Errorf("after %d: got %q, want %q", after, got, want)
		}
	}
	// Keys numbered before keep their numbers; the caller's are not changed.
	known := campaignbot.TaskKeys{"weekly-report", "other"}
	got, keys, err := db.FindSubmissionRecordsAfter(ctx, 0, known[:1])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys, campaignbot.TaskKeys{"weekly-report", "study-notes"}) || known[1] != "other" || got[1].Task != 0 || got[0].Task != 1 {
		t.Errorf("numbered after %q: keys %q, tasks %d %d %d; the caller's keys now %q", known[:1], keys, got[0].Task, got[1].Task, got[2].Task, known)
	}
}

// records formats submission records with their keys.
func records(rs []campaignbot.SubmissionRecord, keys campaignbot.TaskKeys) []string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%d %s person %d dept %d day %v week %d", r.ID, keys[r.Task], r.PersonID, r.DepartmentID, r.Day, int32(r.Week)))
	}
	return out
}

// TestFindSubmissionRecordsAfterInParts checks that a read split into parts
// returns what one read does, with IDs missing inside and at the end of
// parts.
func TestFindSubmissionRecordsAfterInParts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "甲", "乙")
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 23 {
		mustExec(t, db, `INSERT INTO submissions (task_key, person_id, version, text, state, submitted_at)
			VALUES ('study-notes', ?, ?, 'x', '', ?)`, ids[[]string{"甲", "乙"}[i%2]], i+1, encTime(at.Add(time.Duration(i)*time.Hour)))
	}
	mustExec(t, db, `DELETE FROM submissions WHERE id IN (3, 4, 11, 12, 22)`)
	mustExec(t, db, `UPDATE submissions SET task_key = 'weekly-report' WHERE id % 3 = 0`)
	rs, keys, err := db.FindSubmissionRecordsAfter(ctx, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	one := records(rs, keys)
	if len(one) != 18 {
		t.Fatalf("one read: %d records, want 18", len(one))
	}
	db.recordsPerPart = 2
	for after := range int64(24) {
		rs, keys, err := db.FindSubmissionRecordsAfter(ctx, after, nil)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, r := range one {
			if idOf(r) > after {
				want = append(want, r)
			}
		}
		if got := records(rs, keys); !slices.Equal(got, want) {
			t.Errorf("after %d in parts: got %d records %q, want %d", after, len(got), got, len(want))
		}
	}
}

// idOf returns the ID of a record that records formatted.
func idOf(r string) int64 {
	id, _ := strconv.ParseInt(strings.Fields(r)[0], 10, 64)
	return id
}
