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
// and due on its last day; a per-department task has one per ower, satisfied
// by any submission from the ower's department. Only periods that have begun
// by in.Day are returned, and none that ended before the person was granted
// the role. A due date inside a leave of the person moves to the day after
// the leave.
//
// A period is done when something on or before in.Day satisfies it: for a
// weekly task a submission inside the week; otherwise a submission (or a
// claim) on or after the phase start, Late when after the due date. Not done
// and past due is overdue; otherwise pending. The result is sorted by person
// ID, then due date, task key and period start.
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
	slot := make(map[int64]int32, len(people))
	for i, p := range people {
		slot[p.ID] = int32(i)
	}
	taskIndex := make(map[string]int32, len(tasks))
	for i, t := range tasks {
		taskIndex[t.task.Key] = int32(i)
	}

	// Index what can satisfy an obligation: each person's own submissions
	// (and claims), and the first submission of each department per task.
	type deptKey struct {
		task int32
		dept int64
	}
	// Two passes over the submissions so that every person's list shares
	// one backing array: resolve and count, then fill.
	firstOfDept := map[deptKey]subRef{}
	refs := make([]subRef, len(in.Submissions))
	owner := make([]int32, len(in.Submissions))
	counts := make([]int32, len(people)+1)
	lastKey, lastTask := "", int32(-1)
	for j, s := range in.Submissions {
		owner[j] = -1
		if s.TaskKey != lastKey {
			lastKey, lastTask = s.TaskKey, -1
			if ti, ok := taskIndex[s.TaskKey]; ok {
				lastTask = ti
			}
		}
		ti := lastTask
		if ti < 0 || s.Day > in.Day {
			continue
		}
		t := &tasks[ti]
		ref := subRef{task: ti, day: s.Day, id: s.ID}
		if t.task.Cardinality == PerDepartment && s.DepartmentID != 0 {
			if s.Day < t.phase.Start {
				continue
			}
			k := deptKey{ti, s.DepartmentID}
			if old, ok := firstOfDept[k]; !ok || ref.before(old) {
				firstOfDept[k] = ref
			}
		}
		if i, ok := slot[s.PersonID]; ok {
			refs[j], owner[j] = ref, i
			counts[i+1]++
		}
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	ownAll := make([]subRef, counts[len(people)])
	fill := slices.Clone(counts[:len(people)])
	for j, i := range owner {
		if i >= 0 {
			ownAll[fill[i]] = refs[j]
			fill[i]++
		}
	}
	own := func(i int) []subRef { return ownAll[counts[i]:counts[i+1]] }
	claims := make([][]Date, len(people))
	for _, c := range in.Claims {
		if i, ok := slot[c.PersonID]; ok && c.Day <= in.Day {
			claims[i] = append(claims[i], c.Day)
		}
	}
	leaves := make([][]Leave, len(people))
	for _, l := range in.Leaves {
		if i, ok := slot[l.PersonID]; ok {
			leaves[i] = append(leaves[i], l)
		}
	}

	n := 0
	for _, p := range people {
		for ti := range tasks {
			if since, ok := roleSince(p, tasks[ti].task.Roles, in.Day); ok {
				for _, per := range tasks[ti].periods {
					if since <= per.end {
						n++
					}
				}
			}
		}
	}
	out := make([]Obligation, 0, n)
	for pi, p := range people {
		first := len(out)
		for ti := range tasks {
			t := &tasks[ti]
			since, ok := roleSince(p, t.task.Roles, in.Day)
			if !ok {
				continue
			}
			for _, per := range t.periods {
				if since > per.end {
					continue
				}
				o := Obligation{
					PersonID:    p.ID,
					TaskKey:     t.task.Key,
					PeriodStart: per.start,
					PeriodEnd:   per.end,
					Due:         moveDue(per.due, leaves[pi]),
				}
				var done bool
				var day Date
				switch {
				case t.task.SatisfiedBy == SatisfiedByClaim:
					day, done = firstClaim(claims[pi], t.phase.Start)
				case t.task.Cardinality == PerDepartment && p.DepartmentID != 0:
					o.DepartmentID = p.DepartmentID
					var ref subRef
					ref, done = firstOfDept[deptKey{int32(ti), p.DepartmentID}]
					day, o.SubmissionID = ref.day, ref.id
				case t.task.Cardinality == EveryWeek:
					day, o.SubmissionID, done = firstOwn(own(pi), int32(ti), per.start, per.end)
				default:
					day, o.SubmissionID, done = firstOwn(own(pi), int32(ti), t.phase.Start, in.Day)
				}
				switch {
				case done:
					o.Status, o.Late = StatusDone, day > o.Due
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

// subRef is a submission as the index keeps it.
type subRef struct {
	task int32
	day  Date
	id   int64
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
		pt := planTask{task: t, phase: *ph}
		if t.Cardinality == EveryWeek {
			for ws := ph.Start.ISOWeekStart(); ws <= ph.End && ws <= day; ws += 7 {
				start, end := max(ws, ph.Start), min(ws+6, ph.End)
				if start > day {
					break
				}
				pt.periods = append(pt.periods, period{start, end, end})
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
	return ts
}

// roleSince returns the earliest day, not after day, from which p holds one
// of roles.
func roleSince(p *Person, roles []Role, day Date) (Date, bool) {
	var since Date
	found := false
	for _, g := range p.Roles {
		if g.Since > day || !slices.Contains(roles, g.Role) {
			continue
		}
		if !found || g.Since < since {
			since, found = g.Since, true
		}
	}
	return since, found
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

// firstOwn returns the earliest of subs for task ti dated from..to.
func firstOwn(subs []subRef, ti int32, from, to Date) (Date, int64, bool) {
	var best subRef
	found := false
	for _, s := range subs {
		if s.task == ti && s.day >= from && s.day <= to && (!found || s.before(best)) {
			best, found = s, true
		}
	}
	return best.day, best.id, found
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
