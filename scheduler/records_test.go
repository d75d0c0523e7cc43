package scheduler

import (
	"slices"
	"testing"

	"campaignbot"
)

// TestRecordList checks that the compact list gives back the records it
// was given, in order, and that a view taken earlier does not change when
// the list grows.
func TestRecordList(t *testing.T) {
	first := []campaignbot.SubmissionRecord{
		{ID: 1, TaskKey: "study-notes", PersonID: 7, DepartmentID: 2, Day: 100},
		{ID: 2, TaskKey: "dept-analysis", PersonID: 8, DepartmentID: 3, Day: 101},
		{ID: 5, TaskKey: "study-notes", PersonID: 1 << 40, Day: -3},
	}
	later := []campaignbot.SubmissionRecord{{ID: 9, TaskKey: "survey", PersonID: 7, DepartmentID: 2, Day: 102}}
	var l recordList
	l.append(first)
	before := l.view()
	for range 100 { // past the list's room: it reallocates
		l.append(later)
		later[0].ID++
	}
	if got := slices.Collect(before.all()); !slices.Equal(got, first) {
		t.Errorf("view taken before growing = %v, want %v", got, first)
	}
	got := slices.Collect(l.all())
	if len(got) != 103 || !slices.Equal(got[:3], first) || got[3].TaskKey != "survey" || got[102].ID != 108 {
		t.Errorf("grown list: %d records, first %v, last %v", len(got), got[:4], got[len(got)-1])
	}
	if got, want := l.len(), 103; got != want {
		t.Errorf("len = %d, want %d", got, want)
	}
	// Ranged over twice, as Obligations does.
	n := 0
	for range 2 {
		for range l.all() {
			n++
		}
	}
	if n != 206 {
		t.Errorf("two ranges gave %d records, want 206", n)
	}
}
