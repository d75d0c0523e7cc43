package scheduler

import (
	"iter"

	"campaignbot"
)

// recordList keeps the cached submission records compactly. A record here
// is 32 bytes and holds no pointer (its task key is an index into keys),
// where a campaignbot.SubmissionRecord is 48 with a string: at 200,000
// submissions that is 3.6 MB less of the process's largest structure, and
// nothing for the collector to follow in it.
//
// It is append-only, so a view (a copy of the list) stays valid while the
// list grows: later appends never write inside a view's length.
type recordList struct {
	keys  []string
	index map[string]uint32
	recs  []compactRecord
}

type compactRecord struct {
	id, person, dept int64
	day              campaignbot.Date
	task             uint32
}

// len returns the number of records.
func (l *recordList) len() int { return len(l.recs) }

// append adds recs, which follow the list's records in ID order. The first
// append sizes the list with an eighth more room, so that the records that
// come later do not copy every record while views of the old ones are in
// use.
func (l *recordList) append(recs []campaignbot.SubmissionRecord) {
	if l.index == nil {
		l.index = map[string]uint32{}
	}
	if l.recs == nil {
		l.recs = make([]compactRecord, 0, len(recs)+len(recs)/8)
	}
	lastKey, t := "", uint32(0)
	for i, r := range recs {
		if i == 0 || r.TaskKey != lastKey { // runs of one task are common
			var ok bool
			if t, ok = l.index[r.TaskKey]; !ok {
				t = uint32(len(l.keys))
				l.index[r.TaskKey] = t
				l.keys = append(l.keys, r.TaskKey)
			}
			lastKey = r.TaskKey
		}
		l.recs = append(l.recs, compactRecord{id: r.ID, person: r.PersonID, dept: r.DepartmentID, day: r.Day, task: t})
	}
}

// view returns the list as it is now; appends to l do not change it.
func (l *recordList) view() recordList {
	return recordList{keys: l.keys[:len(l.keys):len(l.keys)], recs: l.recs[:len(l.recs):len(l.recs)]}
}

// all yields every record, in ID order; it can be ranged over again.
func (l recordList) all() iter.Seq[campaignbot.SubmissionRecord] {
	return func(yield func(campaignbot.SubmissionRecord) bool) {
		for _, r := range l.recs {
			if !yield(campaignbot.SubmissionRecord{ID: r.id, TaskKey: l.keys[r.task], PersonID: r.person, DepartmentID: r.dept, Day: r.day}) {
				return
			}
		}
	}
}
