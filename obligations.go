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
	subs := indexSubmissions(in, tasks, people)
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
	// Sized once: at 100,000 people the result is most of a digest's memory.
	out := make([]Obligation, 0, n)
	var weeks []hit // the first submission in each week of a weekly task
	for pi, p := range people {
		first := len(out)
		held.set(p, in.Day)
		for ti := range tasks {
			t := &tasks[ti]
			since, ok := held.since(t.roles)
			if !ok {
				continue
			}
			if t.task.Cardinality == EveryWeek {
				weeks = firstPerWeek(weeks, subs.own[pi], int32(ti), t.periods)
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
					h = subs.firstOfDept[deptKey{int32(ti), p.DepartmentID}]
				case t.task.Cardinality == EveryWeek:
					h = weeks[wi]
				default:
					h = firstOwn(subs.own[pi], int32(ti), t.phase.Start, in.Day)
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

// subIndex is what can satisfy an obligation: each person's own submissions,
// and the first submission of each department for each per-department task.
type subIndex struct {
	own         [][]subRef // by the person's index in the sorted people
	firstOfDept map[deptKey]hit
}

// indexSubmissions indexes the submissions up to in.Day of the tasks,
// leaving out the returned versions.
func indexSubmissions(in ObligationInput, tasks []planTask, people []*Person) *subIndex {
	taskIndex := make(map[string]int32, len(tasks))
	for i, t := range tasks {
		taskIndex[t.task.Key] = int32(i)
	}
	slot := newSlots(people)
	x := &subIndex{own: make([][]subRef, len(people)), firstOfDept: map[deptKey]hit{}}
	for _, s := range in.Submissions {
		ti, ok := taskIndex[s.TaskKey]
		if !ok || s.Day > in.Day {
			continue
		}
		if _, returned := slices.BinarySearch(in.Returned, s.ID); returned {
			continue
		}
		t := &tasks[ti]
		ref := subRef{task: ti, day: s.Day, at: s.Day, id: s.ID}
		if s.Week != 0 {
			ref.at = s.Week
		}
		if len(in.InReview) > 0 {
			_, ref.review = slices.BinarySearch(in.InReview, s.ID)
		}
		if t.task.Cardinality == PerDepartment && s.DepartmentID != 0 {
			if s.Day < t.phase.Start {
				continue
			}
			k := deptKey{ti, s.DepartmentID}
			h := x.firstOfDept[k]
			h.add(ref)
			x.firstOfDept[k] = h
		}
		if i, ok := slot.of(s.PersonID); ok {
			x.own[i] = append(x.own[i], ref)
		}
	}
	return x
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
	task    int32
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

// firstPerWeek returns, for each weekly period, the earliest of subs for task
// ti that counts on a day inside it (zero when none), reusing buf. Periods
// are consecutive weeks, as weeksOf makes them.
func firstPerWeek(buf []hit, subs []subRef, ti int32, periods []period) []hit {
	buf = slices.Grow(buf[:0], len(periods))[:len(periods)]
	clear(buf)
	if len(periods) == 0 {
		return buf
	}
	for _, s := range subs {
		if s.task != ti || s.at < periods[0].start || s.at > periods[len(periods)-1].end {
			continue
		}
		w, _ := slices.BinarySearchFunc(periods, s.at, func(p period, d Date) int { return cmp.Compare(p.end, d) })
		buf[w].add(s)
	}
	return buf
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

// firstOwn returns the earliest of subs for task ti dated from..to.
func firstOwn(subs []subRef, ti int32, from, to Date) hit {
	var h hit
	for _, s := range subs {
		if s.task == ti && s.day >= from && s.day <= to {
			h.add(s)
		}
	}
	return h
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
