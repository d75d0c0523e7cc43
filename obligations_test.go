package campaignbot_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"campaignbot"
	"campaignbot/plan"
)

// d parses a 2026 day given as MM-DD.
func d(tb testing.TB, mmdd string) campaignbot.Date {
	tb.Helper()
	day, err := campaignbot.ParseDate("2026-" + mmdd)
	if err != nil {
		tb.Fatal(err)
	}
	return day
}

// testPlan has a phase p1 from Wednesday 2026-03-04 to Thursday 2026-03-26,
// so that its first and last ISO weeks are partial, and a phase p2 in April.
func testPlan(t *testing.T) *campaignbot.Plan {
	return &campaignbot.Plan{
		Start: d(t, "03-01"), End: d(t, "05-31"),
		Phases: []campaignbot.Phase{
			{Key: "p1", Start: d(t, "03-04"), End: d(t, "03-26")},
			{Key: "p2", Start: d(t, "04-01"), End: d(t, "04-30")},
		},
		Tasks: []campaignbot.Task{
			{Key: "notes", Phase: "p1", Roles: []campaignbot.Role{campaignbot.RoleMember}, Cardinality: campaignbot.EveryWeek, Due: d(t, "03-26")},
			{Key: "report", Phase: "p1", Roles: []campaignbot.Role{campaignbot.RoleMember}, Cardinality: campaignbot.Once, Due: d(t, "03-20")},
			{Key: "dept", Phase: "p2", Roles: []campaignbot.Role{campaignbot.RoleMiddle}, Cardinality: campaignbot.PerDepartment, Due: d(t, "04-30")},
			{Key: "claim", Phase: "p2", Roles: []campaignbot.Role{campaignbot.RoleLeader}, Cardinality: campaignbot.Once, SatisfiedBy: campaignbot.SatisfiedByClaim, Due: d(t, "04-30")},
		},
	}
}

func person(id, dept int64, since campaignbot.Date, roles ...campaignbot.Role) *campaignbot.Person {
	p := &campaignbot.Person{ID: id, DepartmentID: dept}
	for _, r := range roles {
		p.Roles = append(p.Roles, campaignbot.RoleGrant{Role: r, Since: since})
	}
	return p
}

// format renders an obligation compactly for comparison:
// "PERSON TASK START..END due DUE STATUS [late] [sub=ID] [dept=ID]".
func format(o campaignbot.Obligation) string {
	s := fmt.Sprintf("%d %s %s..%s due %s %s", o.PersonID, o.TaskKey,
		o.PeriodStart.String()[5:], o.PeriodEnd.String()[5:], o.Due.String()[5:], o.Status)
	if o.Late {
		s += " late"
	}
	if o.SubmissionID != 0 {
		s += fmt.Sprintf(" sub=%d", o.SubmissionID)
	}
	if o.DepartmentID != 0 {
		s += fmt.Sprintf(" dept=%d", o.DepartmentID)
	}
	return s
}

// testKeys numbers the task keys of the records in these tests (tk).
var testKeys campaignbot.TaskKeys

// tk returns the number of a task key in testKeys. The inputs take
// testKeys after their records are made, so it holds every number given.
func tk(key string) int32 { return testKeys.Number(key) }

func TestObligations(t *testing.T) {
	pl := testPlan(t)
	member := person(1, 3, 0, campaignbot.RoleMember)
	sub := func(id, personID, dept int64, task, day string) campaignbot.SubmissionRecord {
		return campaignbot.SubmissionRecord{ID: id, Task: tk(task), PersonID: personID, DepartmentID: dept, Day: d(t, day)}
	}
	tests := []struct {
		name     string
		day      string
		people   []*campaignbot.Person
		subs     []campaignbot.SubmissionRecord
		returned []int64
		claims   []campaignbot.Claim
		leaves   []campaignbot.Leave
		want     []string
	}{{
		name:   "nothing begun before the phase",
		day:    "03-03",
		people: []*campaignbot.Person{member},
	}, {
		name:   "first day: partial first week and the once task",
		day:    "03-04",
		people: []*campaignbot.Person{member},
		want: []string{
			"1 notes 03-04..03-08 due 03-08 pending",
			"1 report 03-04..03-26 due 03-20 pending",
		},
	}, {
		name:   "a note in week 2 does not satisfy week 1",
		day:    "03-18",
		people: []*campaignbot.Person{member},
		subs:   []campaignbot.SubmissionRecord{sub(10, 1, 3, "notes", "03-10"), sub(11, 1, 3, "notes", "03-12")},
		want: []string{
			"1 notes 03-04..03-08 due 03-08 overdue",
			"1 notes 03-09..03-15 due 03-15 done sub=10",
			"1 report 03-04..03-26 due 03-20 pending",
			"1 notes 03-16..03-22 due 03-22 pending",
		},
	}, {
		name:   "last partial week; late once submission is done and late; weekly after the phase does not count",
		day:    "03-30",
		people: []*campaignbot.Person{member},
		subs: []campaignbot.SubmissionRecord{
			sub(10, 1, 3, "notes", "03-08"), sub(11, 1, 3, "notes", "03-09"),
			sub(12, 1, 3, "notes", "03-22"), sub(13, 1, 3, "report", "03-27"), sub(14, 1, 3, "notes", "03-27"),
		},
		want: []string{
			"1 notes 03-04..03-08 due 03-08 done sub=10",
			"1 notes 03-09..03-15 due 03-15 done sub=11",
			"1 report 03-04..03-26 due 03-20 done late sub=13",
			"1 notes 03-16..03-22 due 03-22 done sub=12",
			"1 notes 03-23..03-26 due 03-26 overdue",
		},
	}, {
		name:   "submissions after the day do not count yet",
		day:    "03-05",
		people: []*campaignbot.Person{member},
		subs:   []campaignbot.SubmissionRecord{sub(10, 1, 3, "notes", "03-06"), sub(11, 1, 3, "report", "03-06")},
		want: []string{
			"1 notes 03-04..03-08 due 03-08 pending",
			"1 report 03-04..03-26 due 03-20 pending",
		},
	}, {
		name:   "once task: submission before the phase does not count, earliest in it does",
		day:    "03-10",
		people: []*campaignbot.Person{member},
		subs:   []campaignbot.SubmissionRecord{sub(20, 1, 3, "report", "03-02"), sub(22, 1, 3, "report", "03-09"), sub(21, 1, 3, "report", "03-07")},
		want: []string{
			"1 notes 03-04..03-08 due 03-08 overdue",
			"1 notes 03-09..03-15 due 03-15 pending",
			"1 report 03-04..03-26 due 03-20 done sub=21",
		},
	}, {
		name:     "once task: a version returned for revision does not count, the next one does",
		day:      "03-10",
		people:   []*campaignbot.Person{member},
		subs:     []campaignbot.SubmissionRecord{sub(21, 1, 3, "report", "03-07"), sub(22, 1, 3, "report", "03-09")},
		returned: []int64{21},
		want: []string{
			"1 notes 03-04..03-08 due 03-08 overdue",
			"1 notes 03-09..03-15 due 03-15 pending",
			"1 report 03-04..03-26 due 03-20 done sub=22",
		},
	}, {
		name:     "once task: its only version returned: owed again",
		day:      "03-10",
		people:   []*campaignbot.Person{member},
		subs:     []campaignbot.SubmissionRecord{sub(10, 1, 3, "notes", "03-05"), sub(21, 1, 3, "report", "03-07")},
		returned: []int64{4, 21, 30},
		want: []string{
			"1 notes 03-04..03-08 due 03-08 done sub=10",
			"1 notes 03-09..03-15 due 03-15 pending",
			"1 report 03-04..03-26 due 03-20 pending",
		},
	}, {
		name:   "leave moves a due date: overdue becomes pending",
		day:    "03-21",
		people: []*campaignbot.Person{member},
		subs:   []campaignbot.SubmissionRecord{sub(10, 1, 3, "notes", "03-05"), sub(11, 1, 3, "notes", "03-10")},
		leaves: []campaignbot.Leave{{PersonID: 1, From: d(t, "03-19"), To: d(t, "03-21")}, {PersonID: 2, From: d(t, "03-01"), To: d(t, "03-31")}},
		want: []string{
			"1 notes 03-04..03-08 due 03-08 done sub=10",
			"1 notes 03-09..03-15 due 03-15 done sub=11",
			"1 notes 03-16..03-22 due 03-22 pending",
			"1 report 03-04..03-26 due 03-22 pending",
		},
	}, {
		name:   "without the leave the same day is overdue",
		day:    "03-21",
		people: []*campaignbot.Person{member},
		subs:   []campaignbot.SubmissionRecord{sub(10, 1, 3, "notes", "03-05"), sub(11, 1, 3, "notes", "03-10")},
		want: []string{
			"1 notes 03-04..03-08 due 03-08 done sub=10",
			"1 notes 03-09..03-15 due 03-15 done sub=11",
			"1 report 03-04..03-26 due 03-20 overdue",
			"1 notes 03-16..03-22 due 03-22 pending",
		},
	}, {
		name:   "back-to-back leaves move the due date past both; a week end inside one moves too",
		day:    "03-23",
		people: []*campaignbot.Person{member},
		subs:   []campaignbot.SubmissionRecord{sub(10, 1, 3, "notes", "03-05"), sub(11, 1, 3, "notes", "03-10")},
		leaves: []campaignbot.Leave{{PersonID: 1, From: d(t, "03-22"), To: d(t, "03-24")}, {PersonID: 1, From: d(t, "03-19"), To: d(t, "03-21")}},
		want: []string{
			"1 notes 03-04..03-08 due 03-08 done sub=10",
			"1 notes 03-09..03-15 due 03-15 done sub=11",
			"1 notes 03-16..03-22 due 03-25 pending",
			"1 report 03-04..03-26 due 03-25 pending",
			"1 notes 03-23..03-26 due 03-26 pending",
		},
	}, {
		name:   "role granted after a week ended: that week is not owed; the phase task is",
		day:    "03-18",
		people: []*campaignbot.Person{person(6, 3, d(t, "03-16"), campaignbot.RoleMember)},
		want: []string{
			"6 report 03-04..03-26 due 03-20 pending",
			"6 notes 03-16..03-22 due 03-22 pending",
		},
	}, {
		name:   "role granted mid-week owes that week, due unchanged",
		day:    "03-12",
		people: []*campaignbot.Person{person(6, 3, d(t, "03-11"), campaignbot.RoleMember)},
		want: []string{
			"6 notes 03-09..03-15 due 03-15 pending",
			"6 report 03-04..03-26 due 03-20 pending",
		},
	}, {
		name:   "role granted after the day is not held yet",
		day:    "03-12",
		people: []*campaignbot.Person{person(6, 3, d(t, "03-13"), campaignbot.RoleMember)},
	}, {
		name:   "role granted after the phase ended owes nothing of it",
		day:    "03-30",
		people: []*campaignbot.Person{person(6, 3, d(t, "03-27"), campaignbot.RoleMember)},
	}, {
		name: "per department: any submission of the department satisfies every ower; other departments not",
		day:  "04-10",
		people: []*campaignbot.Person{
			person(4, 8, 0, campaignbot.RoleMiddle),
			person(2, 7, 0, campaignbot.RoleMiddle),
			person(5, 7, d(t, "04-01"), campaignbot.RoleLiaison),
			person(3, 7, 0, campaignbot.RoleMiddle),
		},
		subs: []campaignbot.SubmissionRecord{
			sub(31, 5, 7, "dept", "04-06"), sub(30, 99, 7, "dept", "04-05"),
			sub(32, 4, 8, "dept", "03-30"), sub(33, 4, 9, "dept", "04-02"),
		},
		want: []string{
			"2 dept 04-01..04-30 due 04-30 done sub=30 dept=7",
			"3 dept 04-01..04-30 due 04-30 done sub=30 dept=7",
			"4 dept 04-01..04-30 due 04-30 pending dept=8",
		},
	}, {
		name:   "per department: late submission is done and late",
		day:    "05-05",
		people: []*campaignbot.Person{person(2, 7, 0, campaignbot.RoleMiddle), person(4, 8, 0, campaignbot.RoleMiddle)},
		subs:   []campaignbot.SubmissionRecord{sub(40, 2, 7, "dept", "05-02")},
		want: []string{
			"2 dept 04-01..04-30 due 04-30 done late sub=40 dept=7",
			"4 dept 04-01..04-30 due 04-30 overdue dept=8",
		},
	}, {
		name:   "claim satisfies; a claim before the phase does not; a late one is late",
		day:    "05-05",
		people: []*campaignbot.Person{person(9, 3, 0, campaignbot.RoleLeader), person(8, 3, 0, campaignbot.RoleLeader), person(7, 3, 0, campaignbot.RoleLeader)},
		subs:   []campaignbot.SubmissionRecord{sub(50, 7, 3, "claim", "04-03")},
		claims: []campaignbot.Claim{
			{PersonID: 9, Day: d(t, "03-20")}, {PersonID: 9, Day: d(t, "04-03")},
			{PersonID: 8, Day: d(t, "05-03")}, {PersonID: 8, Day: d(t, "05-09")},
		},
		want: []string{
			"7 claim 04-01..04-30 due 04-30 overdue",
			"8 claim 04-01..04-30 due 04-30 done late",
			"9 claim 04-01..04-30 due 04-30 done",
		},
	}, {
		name:   "a submission without an id still satisfies; sparse person ids",
		day:    "03-05",
		people: []*campaignbot.Person{person(1_000_000, 3, 0, campaignbot.RoleMember), member},
		subs:   []campaignbot.SubmissionRecord{sub(0, 1, 3, "notes", "03-05"), sub(7, 1_000_000, 3, "report", "03-04")},
		want: []string{
			"1 notes 03-04..03-08 due 03-08 done",
			"1 report 03-04..03-26 due 03-20 pending",
			"1000000 notes 03-04..03-08 due 03-08 pending",
			"1000000 report 03-04..03-26 due 03-20 done sub=7",
		},
	}, {
		name:   "people sorted by id; people owing nothing absent",
		day:    "03-04",
		people: []*campaignbot.Person{person(12, 3, 0, campaignbot.RoleMember), person(11, 3, 0, campaignbot.RoleOffice), person(10, 3, 0, campaignbot.RoleMember, campaignbot.RoleMiddle)},
		want: []string{
			"10 notes 03-04..03-08 due 03-08 pending",
			"10 report 03-04..03-26 due 03-20 pending",
			"12 notes 03-04..03-08 due 03-08 pending",
			"12 report 03-04..03-26 due 03-20 pending",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := campaignbot.ObligationInput{
				Plan: pl, Day: d(t, tt.day), People: tt.people,
				Submissions: tt.subs, TaskKeys: testKeys, Returned: tt.returned, Claims: tt.claims, Leaves: tt.leaves,
			}
			var got []string
			for _, o := range campaignbot.Obligations(in) {
				got = append(got, format(o))
			}
			if want := tt.want; !slices.Equal(got, want) {
				t.Errorf("got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

func TestObligationsFor(t *testing.T) {
	in := campaignbot.ObligationInput{
		Plan: testPlan(t), Day: d(t, "03-10"),
		People:      []*campaignbot.Person{person(1, 3, 0, campaignbot.RoleMember), person(2, 3, 0, campaignbot.RoleMember)},
		TaskKeys:    testKeys,
		Submissions: []campaignbot.SubmissionRecord{{ID: 5, Task: tk("notes"), PersonID: 2, DepartmentID: 3, Day: d(t, "03-05")}},
	}
	var got []string
	for _, o := range campaignbot.ObligationsFor(in, 2) {
		got = append(got, format(o))
	}
	want := []string{
		"2 notes 03-04..03-08 due 03-08 done sub=5",
		"2 notes 03-09..03-15 due 03-15 pending",
		"2 report 03-04..03-26 due 03-20 pending",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := campaignbot.ObligationsFor(in, 42); len(got) != 0 {
		t.Errorf("unknown person: got %d obligations, want none", len(got))
	}

	counts := campaignbot.CountObligations(campaignbot.Obligations(in))
	if got, want := counts[campaignbot.StatusDone], 1; got != want {
		t.Errorf("done: got %d, want %d", got, want)
	}
	if got, want := counts[campaignbot.StatusPending], 4; got != want {
		t.Errorf("pending: got %d, want %d", got, want)
	}
	if got, want := counts[campaignbot.StatusOverdue], 1; got != want {
		t.Errorf("overdue: got %d, want %d", got, want)
	}
}

func TestObligationsNoPlan(t *testing.T) {
	got := campaignbot.Obligations(campaignbot.ObligationInput{People: []*campaignbot.Person{person(1, 1, 0, campaignbot.RoleMember)}})
	if len(got) != 0 {
		t.Errorf("got %d obligations without a plan, want none", len(got))
	}
}

// TestObligationsDefaultPlan checks the default plan's weekly notes: the
// study phase (Mon 2026-03-16 to Thu 2026-04-30) has 7 ISO weeks.
func TestObligationsDefaultPlan(t *testing.T) {
	pl, _, err := plan.Default(d(t, "03-01"))
	if err != nil {
		t.Fatal(err)
	}
	in := campaignbot.ObligationInput{Plan: pl, Day: d(t, "09-15"), People: []*campaignbot.Person{
		person(1, 1, 0, campaignbot.RoleMember),
		person(2, 1, 0, campaignbot.RoleHead),
	}}
	perTask := map[string]int{}
	for _, o := range campaignbot.ObligationsFor(in, 1) {
		perTask[o.TaskKey]++
		if o.TaskKey == "study-notes" && o.PeriodEnd == d(t, "04-30") && o.PeriodStart != d(t, "04-27") {
			t.Errorf("last week starts %s, want 2026-04-27", o.PeriodStart)
		}
	}
	if got, want := perTask["study-notes"], 7; got != want || len(perTask) != 3 {
		t.Errorf("member owes %v, want study-notes ×%d and the two surveys", perTask, want)
	}
	for _, k := range []string{"opinions", "satisfaction"} {
		if perTask[campaignbot.SurveyTaskKey(k)] != 1 {
			t.Errorf("member owes survey %s %d times, want once", k, perTask[campaignbot.SurveyTaskKey(k)])
		}
	}
	clear(perTask)
	for _, o := range campaignbot.ObligationsFor(in, 2) {
		perTask[o.TaskKey]++
	}
	for _, k := range []string{"study-report", "research-report", "leadership-analysis", "rectification-plan", "commitment", "hard-problem"} {
		if perTask[k] != 1 {
			t.Errorf("head owes %s %d times, want once", k, perTask[k])
		}
	}
}

// benchInput is 10,000 people under the default plan on its last day, with
// about 20 submissions each.
func benchInput(b *testing.B) campaignbot.ObligationInput {
	pl, _, err := plan.Default(d(b, "03-01"))
	if err != nil {
		b.Fatal(err)
	}
	in := campaignbot.ObligationInput{Plan: pl, Day: d(b, "09-15")}
	const people = 10_000
	var id int64
	for i := range int64(people) {
		p := person(i+1, i%50+1, 0, campaignbot.RoleMember)
		switch {
		case i == 0:
			p.Roles = append(p.Roles, campaignbot.RoleGrant{Role: campaignbot.RoleHead})
		case i%100 == 1:
			p.Roles = append(p.Roles, campaignbot.RoleGrant{Role: campaignbot.RoleLeader})
		case i%10 == 2:
			p.Roles = append(p.Roles, campaignbot.RoleGrant{Role: campaignbot.RoleMiddle, Since: d(b, "04-01")})
		}
		in.People = append(in.People, p)
		for j := range 20 {
			id++
			task, day := "study-notes", d(b, "03-16").AddDays(j*3)
			if j%5 == 4 {
				task, day = pl.Tasks[j%len(pl.Tasks)].Key, d(b, "03-01").AddDays(j*9)
			}
			in.Submissions = append(in.Submissions, campaignbot.SubmissionRecord{ID: id, Task: tk(task), PersonID: p.ID, DepartmentID: p.DepartmentID, Day: day})
		}
		if i%7 == 0 {
			in.Leaves = append(in.Leaves, campaignbot.Leave{PersonID: p.ID, From: d(b, "04-20"), To: d(b, "05-02")})
		}
		if i%100 == 1 {
			in.Claims = append(in.Claims, campaignbot.Claim{PersonID: p.ID, Day: d(b, "07-10")})
		}
	}
	in.TaskKeys = testKeys
	return in
}

func BenchmarkObligations(b *testing.B) {
	in := benchInput(b)
	var n int
	b.ReportAllocs()
	for b.Loop() {
		n = len(campaignbot.Obligations(in))
	}
	b.ReportMetric(float64(n), "obligations")
}

// TestWeekStubsJoinNeighbours checks that a phase starting on a Sunday and
// ending on a Tuesday owes no one-day or two-day weeks: the stubs join the
// weeks beside them, while a stub of four days stays a week of its own.
func TestWeekStubsJoinNeighbours(t *testing.T) {
	member := person(1, 3, 0, campaignbot.RoleMember)
	plan := func(start, end string) *campaignbot.Plan {
		return &campaignbot.Plan{
			Start: d(t, "03-01"), End: d(t, "05-31"),
			Phases: []campaignbot.Phase{{Key: "p", Start: d(t, start), End: d(t, end)}},
			Tasks:  []campaignbot.Task{{Key: "notes", Phase: "p", Roles: []campaignbot.Role{campaignbot.RoleMember}, Cardinality: campaignbot.EveryWeek}},
		}
	}
	tests := []struct {
		start, end, day string
		subs            []campaignbot.SubmissionRecord
		want            []string
	}{{
		// Sun 03-01 .. Tue 03-17: 03-01 joins 03-02..03-08, 03-16..17 join 03-09..15.
		start: "03-01", end: "03-17", day: "03-31",
		subs: []campaignbot.SubmissionRecord{{ID: 7, Task: tk("notes"), PersonID: 1, Day: d(t, "03-01")}},
		want: []string{
			"1 notes 03-01..03-08 due 03-08 done sub=7",
			"1 notes 03-09..03-17 due 03-17 overdue",
		},
	}, {
		// Thu 03-05 .. Thu 03-19: stubs of four days stay weeks.
		start: "03-05", end: "03-19", day: "03-31",
		want: []string{
			"1 notes 03-05..03-08 due 03-08 overdue",
			"1 notes 03-09..03-15 due 03-15 overdue",
			"1 notes 03-16..03-19 due 03-19 overdue",
		},
	}, {
		// A phase of two days is one week however short.
		start: "03-07", end: "03-08", day: "03-07",
		want: []string{"1 notes 03-07..03-08 due 03-08 pending"},
	}}
	for _, tt := range tests {
		obs := campaignbot.Obligations(campaignbot.ObligationInput{
			Plan: plan(tt.start, tt.end), Day: d(t, tt.day), People: []*campaignbot.Person{member}, Submissions: tt.subs, TaskKeys: testKeys,
		})
		var got []string
		for _, o := range obs {
			got = append(got, format(o))
		}
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("phase %s..%s on %s:\ngot  %q\nwant %q", tt.start, tt.end, tt.day, got, tt.want)
		}
	}
}

// TestObligationsLateWeekReviewSurvey: a note handed in late for a missed
// week counts for that week, marked late; a reviewed task is in review until
// a version is accepted; a survey is owed by its audience until taken.
func TestObligationsLateWeekReviewSurvey(t *testing.T) {
	p := testPlan(t)
	p.Tasks[1].Review = campaignbot.ReviewHead
	p.Surveys = []campaignbot.Survey{{Key: "sat", Phase: "p1", From: d(t, "03-10"), To: d(t, "03-20")}}
	member := person(1, 1, 0, campaignbot.RoleMember)
	in := campaignbot.ObligationInput{Plan: p, Day: d(t, "03-21"), People: []*campaignbot.Person{member}, TaskKeys: testKeys,
		Submissions: []campaignbot.SubmissionRecord{
			// The week of 03-09 missed, handed in on 03-18 for it.
			{ID: 1, Task: tk("notes"), PersonID: 1, Day: d(t, "03-18"), Week: d(t, "03-09")},
			{ID: 2, Task: tk("report"), PersonID: 1, Day: d(t, "03-12")},
		},
		InReview: []int64{2},
	}
	status := func(in campaignbot.ObligationInput) map[string]string {
		m := map[string]string{}
		for _, o := range campaignbot.Obligations(in) {
			m[o.TaskKey+" "+o.PeriodStart.String()[5:]] = format(o)
		}
		return m
	}
	got := status(in)
	for k, want := range map[string]string{
		"notes 03-09":      "1 notes 03-09..03-15 due 03-15 done late sub=1",
		"notes 03-16":      "1 notes 03-16..03-22 due 03-22 pending",
		"report 03-04":     "1 report 03-04..03-26 due 03-20 in_review",
		"survey:sat 03-10": "1 survey:sat 03-10..03-20 due 03-20 overdue",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
	// Accepted (no longer in review) and the survey taken.
	in.InReview = nil
	in.Answered = []campaignbot.SurveyTaken{{SurveyKey: "sat", PersonID: 1}}
	got = status(in)
	for k, want := range map[string]string{
		"report 03-04":     "1 report 03-04..03-26 due 03-20 done sub=2",
		"survey:sat 03-10": "1 survey:sat 03-10..03-20 due 03-20 done",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
	// Returned: owed again.
	in.Returned = []int64{2}
	if got := status(in)["report 03-04"]; got != "1 report 03-04..03-26 due 03-20 overdue" {
		t.Errorf("returned report = %q", got)
	}
	// A survey for offices only is not a member's.
	p.Surveys[0].Roles = []campaignbot.Role{campaignbot.RoleOffice}
	if _, ok := status(in)["survey:sat 03-10"]; ok {
		t.Error("member owes an office survey")
	}
}

// TestObligationsUnmet: with Unmet, the obligations done or in review are
// left out and the rest are as without it.
func TestObligationsUnmet(t *testing.T) {
	p := testPlan(t)
	p.Tasks[1].Review = campaignbot.ReviewHead
	in := campaignbot.ObligationInput{Plan: p, Day: d(t, "03-21"),
		People: []*campaignbot.Person{person(1, 1, 0, campaignbot.RoleMember), person(2, 1, 0, campaignbot.RoleMember)},
		Submissions: []campaignbot.SubmissionRecord{
			{ID: 1, Task: tk("notes"), PersonID: 1, Day: d(t, "03-05")},
			{ID: 2, Task: tk("report"), PersonID: 1, Day: d(t, "03-12")},
			{ID: 3, Task: tk("report"), PersonID: 2, Day: d(t, "03-12")},
		},
		InReview: []int64{2},
	}
	in.TaskKeys = testKeys
	var want []string
	statuses := map[campaignbot.ObligationStatus]bool{}
	for _, o := range campaignbot.Obligations(in) {
		statuses[o.Status] = true
		if o.Status != campaignbot.StatusDone && o.Status != campaignbot.StatusInReview {
			want = append(want, format(o))
		}
	}
	if len(statuses) < 3 {
		t.Fatalf("the input gives statuses %v: the test needs done, in review and unmet ones", statuses)
	}
	in.Unmet = true
	var got []string
	for _, o := range campaignbot.Obligations(in) {
		got = append(got, format(o))
	}
	if !slices.Equal(got, want) {
		t.Errorf("unmet:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
