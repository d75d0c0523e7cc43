package campaignbot

import "slices"

// ObligationStatus says whether an obligation is met.
type ObligationStatus string

// Obligation statuses.
const (
	StatusDone    ObligationStatus = "done"
	StatusPending ObligationStatus = "pending"
	StatusOverdue ObligationStatus = "overdue"
	// StatusInReview: a version of a reviewed task waits for its reviewer
	// (待审阅). It is not done until accepted, nor overdue: the author has
	// handed it in.
	StatusInReview ObligationStatus = "in_review"
)

// Obligation is one deliverable one person owes for one period.
type Obligation struct {
	PersonID int64
	TaskKey  string
	// PeriodStart and PeriodEnd bound the period (the ISO week within the
	// phase for weekly tasks, the phase otherwise).
	PeriodStart Date
	PeriodEnd   Date
	// Due is the due date after leave has moved it.
	Due Date
	// Late is set when it was done after Due.
	Late   bool
	Status ObligationStatus
	// SubmissionID is what satisfied it, if a submission did.
	SubmissionID int64
	// DepartmentID is set for per-department tasks: any submission of the
	// department satisfies every ower in it.
	DepartmentID int64
}

// SubmissionRecord is the part of a submission the obligations need. Its
// task is a number: the key is TaskKeys[Task] of the input it comes with.
// A record holds no pointer, so the two million of SPEC §10's largest
// organisation are one block the collector does not look inside (read with
// a string key per record, the first digest after a start took 1.3 s more).
type SubmissionRecord struct {
	ID           int64
	PersonID     int64
	DepartmentID int64
	Day          Date
	// Week is the start of the week a note handed in late for a missed
	// week counts for; 0 when it counts for the week of Day.
	Week Date
	Task int32
}

// TaskKeys numbers the task keys of submission records. A key's number
// never changes: records numbered by a TaskKeys keep their keys when it
// grows, so later records can be appended to earlier ones.
type TaskKeys []string

// Number returns the number of key, adding the key if it has none.
func (k *TaskKeys) Number(key string) int32 {
	if i := slices.Index(*k, key); i >= 0 {
		return int32(i)
	}
	*k = append(*k, key)
	return int32(len(*k) - 1)
}

// SurveyTaken is a person's taking part in a survey (the participation, not
// the answers).
type SurveyTaken struct {
	SurveyKey string
	PersonID  int64
}

// Claim is a problem claimed (领办) by a person on a day.
type Claim struct {
	PersonID int64
	Day      Date
}

// ObligationInput is everything Obligations reads.
type ObligationInput struct {
	Plan   *Plan
	Day    Date
	People []*Person
	// Submissions are the records to count, in ID order, and TaskKeys
	// the keys their Task numbers.
	Submissions []SubmissionRecord
	TaskKeys    TaskKeys
	// Returned are the IDs, in order, of submissions returned for revision:
	// they do not count (the author owes a new version).
	Returned []int64
	// InReview are the IDs, in order, of versions waiting for their
	// reviewer: they count only once accepted.
	InReview []int64
	Claims   []Claim
	Leaves   []Leave
	// Answered are the surveys people took part in: a survey is owed
	// like a task (SPEC §2).
	Answered []SurveyTaken
	// Unmet leaves out the obligations done or in review: reminders need
	// only the rest, two in five at SPEC §10's largest size, and the
	// memory of the others is not touched.
	Unmet bool
}
