package campaignbot

import (
	"cmp"
	"slices"
)

// Obligations computes, for in.Day, every deliverable each person owes under
// in.Plan and whether it is done, pending or overdue. It is pure and reads
// nothing but in.
//
// A person owes a task when they hold one of its roles on in.Day. A task owed
// once (or satisfied by a claim) has one period, its phase; a weekly task has
// one per ISO week (Monday to Sunday) that overlaps the phase, clipped to it
// (a first or last stub of under four days joins the week beside it)
// and due on its last day; a per-department task has one per ower, satisfied
// by any submission from the ower's department. Only periods that have begun
// by in.Day are returned, and none that ended before the person was granted
// the role. A due date inside a leave of the person moves to the day after
// the leave.
//
// A survey is owed like a task (SPEC §2) by its audience, under the key
// SurveyTaskKey, for one period: its window, due when it closes; taking
// part satisfies it.
//
// A period is done when something on or before in.Day satisfies it: for a
// weekly task a submission inside the week, or one handed in later for
// that week (Week); otherwise a submission (or a claim) on or after the
// phase start, Late when after the due date. A version waiting for its
// reviewer does not satisfy a reviewed task: without an accepted one the
// period is in review. Not done, not in review and past due is overdue;
// otherwise pending. The result is sorted by person ID, then due date,
// task key and period start.
func Obligations(in ObligationInput) []Obligation {
	if in.Plan == nil || len(in.People) == 0 {
		return nil
	}
	tasks := planTasks(in.Plan, in.Day)
	if len(tasks) == 0 {
		return nil
	}

	people := slices.Clone(in.People)
	slices.SortStableFunc(people, func(a, b *Person) int { return cmp.Compare(a.ID, b.ID) })
	x := indexSubmissions(in, tasks, people)
	claims := map[int64][]Date{}
	for _, c := range in.Claims {
		if c.Day <= in.Day {
			claims[c.PersonID] = append(claims[c.PersonID], c.Day)
		}
	}
	leaves := map[int64][]Leave{}
	for _, l := range in.Leaves {
		leaves[l.PersonID] = append(leaves[l.PersonID], l)
	}
	answered := map[SurveyTaken]bool{}
	for _, a := range in.Answered {
		answered[a] = true
	}

	n := 0
	var held roleDays
	for _, p := range people {
		held.set(p, in.Day)
		for ti := range tasks {
			if since, ok := held.since(tasks[ti].roles); ok {
				for _, per := range tasks[ti].periods {
					if since <= per.end {
						n++
					}
				}
			}
		}
	}
	// Sized once: at 100,000 people the result is most of a digest's
	// memory. Pages of it that are never written (Unmet) are never
	// touched.
	out := make([]Obligation, 0, n)
	own := make([][]hit, len(tasks)) // the person's first submission for each period
	for ti := range tasks {
		own[ti] = make([]hit, len(tasks[ti].periods))
	}
	for pi, p := range people {
		first := len(out)
		held.set(p, in.Day)
		x.own(pi, own)
		for ti := range tasks {
			t := &tasks[ti]
			since, ok := held.since(t.roles)
			if !ok {
				continue
			}
			for wi, per := range t.periods {
				if since > per.end {
					continue
				}
				o := Obligation{
					PersonID:    p.ID,
					TaskKey:     t.task.Key,
					PeriodStart: per.start,
					PeriodEnd:   per.end,
					Due:         moveDue(per.due, leaves[p.ID]),
				}
				var h hit
				switch {
				case t.task.SatisfiedBy == SatisfiedByClaim:
					h.done.day, h.found = firstClaim(claims[p.ID], t.phase.Start)
				case t.task.SatisfiedBy == SatisfiedBySurvey:
					// Taking part is known without its day (SPEC §2's
					// anonymity): it is on time, as the window allows no other.
					h.done.day, h.found = o.Due, answered[SurveyTaken{t.survey, p.ID}]
				case t.task.Cardinality == PerDepartment && p.DepartmentID != 0:
					o.DepartmentID = p.DepartmentID
					h = x.firstOfDept[deptKey{int32(ti), p.DepartmentID}]
				default:
					h = own[ti][wi]
				}
				switch {
				case h.found:
					o.Status, o.Late, o.SubmissionID = StatusDone, h.done.day > o.Due, h.done.id
				case h.review:
					o.Status = StatusInReview
				case in.Day > o.Due:
					o.Status = StatusOverdue
				default:
					o.Status = StatusPending
				}
				if in.Unmet && (o.Status == StatusDone || o.Status == StatusInReview) {
					continue
				}
				out = append(out, o)
			}
		}
		if seg := out[first:]; len(seg) > 1 {
			slices.SortFunc(seg, compareObligations)
		}
	}
	return out
}

// deptKey identifies a department's submissions for a task.
type deptKey struct {
	task int32
	dept int64
}

// subIndex is what can satisfy an obligation: each person's own
// submissions, and the first submission of each department for each
// per-department task.
type subIndex struct {
	in     *ObligationInput
	tasks  []planTask
	taskOf []int32 // the index in tasks by key number, -1 for none
	// byPerson holds the indexes in in.Submissions of the records that
	// count, person i's in byPerson[start[i]:start[i+1]].
	byPerson    []int32
	start       []int32
	firstOfDept map[deptKey]hit
}

// indexSubmissions indexes the submissions up to in.Day of the tasks,
// leaving out the returned versions. The records are grouped by person
// with a counting sort: one array of indexes, where a list per person
// allocated 2,000,000 copies in 100,000 growing slices at SPEC §10's
// largest size.
func indexSubmissions(in ObligationInput, tasks []planTask, people []*Person) *subIndex {
	x := &subIndex{in: &in, tasks: tasks, taskOf: make([]int32, len(in.TaskKeys)), start: make([]int32, len(people)+1), firstOfDept: map[deptKey]hit{}}
	for k := range x.taskOf {
		x.taskOf[k] = -1
	}
	for i, t := range tasks {
		if k := slices.Index(in.TaskKeys, t.task.Key); k >= 0 {
			x.taskOf[k] = int32(i)
		}
	}
	slot := newSlots(people)
	// counts returns the index in tasks of a record's task, ok when the
	// record counts.
	counts := func(s *SubmissionRecord) (ti int32, ok bool) {
		if s.Task < 0 || int(s.Task) >= len(x.taskOf) || s.Day > in.Day {
			return 0, false
		}
		if ti = x.taskOf[s.Task]; ti < 0 {
			return 0, false
		}
		_, returned := slices.BinarySearch(in.Returned, s.ID)
		return ti, !returned
	}
	for i := range in.Submissions {
		s := &in.Submissions[i]
		ti, ok := counts(s)
		if !ok {
			continue
		}
		if t := &tasks[ti]; t.task.Cardinality == PerDepartment && s.DepartmentID != 0 && s.Day >= t.phase.Start {
			k := deptKey{ti, s.DepartmentID}
			h := x.firstOfDept[k]
			h.add(x.ref(s))
			x.firstOfDept[k] = h
		}
		if pi, mine := slot.of(s.PersonID); mine {
			x.start[pi+1]++
		}
	}
	for i := range people {
		x.start[i+1] += x.start[i]
	}
	x.byPerson = make([]int32, x.start[len(people)])
	next := slices.Clone(x.start[:len(people)])
	for i := range in.Submissions {
		s := &in.Submissions[i]
		if _, ok := counts(s); ok {
			if pi, mine := slot.of(s.PersonID); mine {
				x.byPerson[next[pi]] = int32(i)
				next[pi]++
			}
		}
	}
	return x
}

// ref returns the record as a period sees it.
func (x *subIndex) ref(s *SubmissionRecord) subRef {
	r := subRef{day: s.Day, at: s.Day, id: s.ID}
	if s.Week != 0 {
		r.at = s.Week
	}
	if len(x.in.InReview) > 0 {
		_, r.review = slices.BinarySearch(x.in.InReview, s.ID)
	}
	return r
}

// own sets hits[task][period] to the first submission of person pi that
// satisfies the period: for a weekly task one that counts on a day inside
// the week, for others one on or after the phase's start.
func (x *subIndex) own(pi int, hits [][]hit) {
	for _, h := range hits {
		clear(h)
	}
	for _, i := range x.byPerson[x.start[pi]:x.start[pi+1]] {
		s := &x.in.Submissions[i]
		ti := x.taskOf[s.Task]
		t, r := &x.tasks[ti], x.ref(s)
		if t.task.Cardinality != EveryWeek {
			if r.day >= t.phase.Start {
				hits[ti][0].add(r)
			}
			continue
		}
		ps := t.periods
		if len(ps) == 0 || r.at < ps[0].start || r.at > ps[len(ps)-1].end {
			continue
		}
		w, _ := slices.BinarySearchFunc(ps, r.at, func(p period, d Date) int { return cmp.Compare(p.end, d) })
		hits[ti][w].add(r)
	}
}

// ObligationsFor returns the obligations of one person: Obligations with
// in.People narrowed to personID.
func ObligationsFor(in ObligationInput, personID int64) []Obligation {
	var one []*Person
	for _, p := range in.People {
		if p.ID == personID {
			one = append(one, p)
			break
		}
	}
	in.People = one
	return Obligations(in)
}

// CountObligations counts obligations by status.
func CountObligations(obs []Obligation) map[ObligationStatus]int {
	n := map[ObligationStatus]int{}
	for _, o := range obs {
		n[o.Status]++
	}
	return n
}

func compareObligations(a, b Obligation) int {
	return cmp.Or(
		cmp.Compare(a.PersonID, b.PersonID),
		cmp.Compare(a.Due, b.Due),
		cmp.Compare(a.TaskKey, b.TaskKey),
		cmp.Compare(a.PeriodStart, b.PeriodStart),
	)
}

// subRef is a submission as the index keeps it: day it was handed in, and
// at, the day it counts on (a missed week's, when handed in for one).
type subRef struct {
	day, at Date
	id      int64
	review  bool // waiting for its reviewer
}

// hit is what satisfies one period: the first submission that counts, and
// whether a version waits for review.
type hit struct {
	done   subRef
	found  bool
	review bool
}

// add takes r into h.
func (h *hit) add(r subRef) {
	switch {
	case r.review:
		h.review = true
	case !h.found || r.before(h.done):
		h.done, h.found = r, true
	}
}

func (s subRef) before(o subRef) bool {
	return s.day < o.day || s.day == o.day && s.id < o.id
}

// period is one stretch of time for which a task is owed.
type period struct {
	start, end, due Date
}

// planTask is a task with its phase and the periods begun by the day.
type planTask struct {
	task    *Task
	survey  string // the survey's key, for a survey owed as a task
	roles   []int  // indexes in AllRoles
	phase   Phase
	periods []period
}

// planTasks lists the tasks of p that have a known phase and the periods of
// each that have begun by day.
func planTasks(p *Plan, day Date) []planTask {
	var ts []planTask
	for i := range p.Tasks {
		t := &p.Tasks[i]
		ph := p.FindPhase(t.Phase)
		if ph == nil || ph.Start > day {
			continue
		}
		pt := planTask{task: t, phase: *ph, roles: roleIndexes(t.Roles)}
		if t.Cardinality == EveryWeek {
			for _, w := range weeksOf(*ph) {
				if w.start > day {
					break
				}
				pt.periods = append(pt.periods, w)
			}
		} else {
			due := t.Due
			if due == 0 {
				due = ph.End
			}
			pt.periods = []period{{ph.Start, ph.End, due}}
		}
		ts = append(ts, pt)
	}
	for i := range p.Surveys {
		s := &p.Surveys[i]
		if s.From == 0 || s.From > day {
			continue
		}
		pt := planTask{task: p.FindOwed(SurveyTaskKey(s.Key)), survey: s.Key, phase: Phase{Key: s.Phase, Start: s.From, End: s.To}}
		pt.roles = roleIndexes(pt.task.Roles)
		pt.periods = []period{{s.From, s.To, s.To}}
		ts = append(ts, pt)
	}
	return ts
}

// roleIndexes returns the indexes of roles in AllRoles.
func roleIndexes(roles []Role) []int {
	var is []int
	for _, r := range roles {
		if i := slices.Index(AllRoles, r); i >= 0 && i < maxRoles {
			is = append(is, i)
		}
	}
	return is
}

// roleDays holds, for each role of AllRoles, 1 + the day from which a person
// holds it, or 0 when they do not hold it by the day.
type roleDays [maxRoles]Date

// maxRoles bounds len(AllRoles) for roleDays.
const maxRoles = 8

func (h *roleDays) set(p *Person, day Date) {
	*h = roleDays{}
	for _, g := range p.Roles {
		i := slices.Index(AllRoles, g.Role)
		if i < 0 || i >= maxRoles || g.Since > day {
			continue
		}
		if h[i] == 0 || g.Since+1 < h[i] {
			h[i] = g.Since + 1
		}
	}
}

// since returns the earliest day from which the person holds one of roles.
func (h *roleDays) since(roles []int) (Date, bool) {
	var best Date
	for _, i := range roles {
		if h[i] != 0 && (best == 0 || h[i] < best) {
			best = h[i]
		}
	}
	return best - 1, best != 0
}

// moveDue moves due past every leave that covers it.
func moveDue(due Date, leaves []Leave) Date {
	for moved := true; moved; {
		moved = false
		for _, l := range leaves {
			if l.Covers(due) {
				due, moved = l.To+1, true
			}
		}
	}
	return due
}

// minWeekDays is the fewest days of a phase's first or last ISO week that
// make a week of their own; a shorter stub joins its neighbour, as ISO 8601
// gives a year's first days to the week holding its first Thursday. A phase
// that starts on a Sunday does not owe a note for that one day.
const minWeekDays = 4

// weeksOf returns the weekly periods of a phase: its ISO weeks clipped to
// it, with a first or last stub of fewer than minWeekDays days joined to the
// week beside it. Each is due on its last day.
func weeksOf(ph Phase) []period {
	var ws []period
	for w := ph.Start.ISOWeekStart(); w <= ph.End; w += 7 {
		start, end := max(w, ph.Start), min(w+6, ph.End)
		ws = append(ws, period{start, end, end})
	}
	if n := len(ws); n > 1 && ws[0].end-ws[0].start+1 < minWeekDays {
		ws[1].start = ws[0].start
		ws = ws[1:]
	}
	if n := len(ws); n > 1 && ws[n-1].end-ws[n-1].start+1 < minWeekDays {
		ws[n-2].end, ws[n-2].due = ws[n-1].end, ws[n-1].end
		ws = ws[:n-1]
	}
	return ws
}

// slots maps person IDs to their index in the sorted people: through a
// slice when the IDs are dense, as the store's are, else through a map.
// Every submission is looked up: at SPEC §10's 100,000 people and
// 2,000,000 submissions a map's random probes cost about 200 ms a
// computation against 5 ms for the slice (a later digest: under 1 s).
type slots struct {
	min   int64
	dense []int32 // index+1, 0 for none
	ids   map[int64]int32
}

func newSlots(people []*Person) *slots {
	s := &slots{}
	if n := len(people); n > 0 {
		lo, hi := people[0].ID, people[n-1].ID // people are sorted by ID
		if hi-lo < int64(4*n+64) {
			s.min, s.dense = lo, make([]int32, hi-lo+1)
			for i, p := range people {
				s.dense[p.ID-lo] = int32(i) + 1
			}
			return s
		}
	}
	s.ids = make(map[int64]int32, len(people))
	for i, p := range people {
		s.ids[p.ID] = int32(i)
	}
	return s
}

func (s *slots) of(id int64) (int32, bool) {
	if s.dense != nil {
		if id < s.min || id-s.min >= int64(len(s.dense)) || s.dense[id-s.min] == 0 {
			return 0, false
		}
		return s.dense[id-s.min] - 1, true
	}
	i, ok := s.ids[id]
	return i, ok
}

// firstClaim returns the earliest claim on or after from.
func firstClaim(days []Date, from Date) (Date, bool) {
	var best Date
	found := false
	for _, d := range days {
		if d >= from && (!found || d < best) {
			best, found = d, true
		}
	}
	return best, found
}
