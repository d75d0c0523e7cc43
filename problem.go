package campaignbot

import (
	"context"
	"slices"
	"time"
)

// ProblemCategories of SPEC §2.
var ProblemCategories = []string{"政策", "资金", "技术", "人才", "市场", "其他"}

// ProblemStatus is where a problem stands.
type ProblemStatus string

// Problem statuses.
const (
	ProblemNew      ProblemStatus = "new"      // filed, nobody owns it yet
	ProblemClaimed  ProblemStatus = "claimed"  // owned by a leader (claimed or assigned)
	ProblemResolved ProblemStatus = "resolved" // the owner says it is solved; the filer must confirm
	ProblemClosed   ProblemStatus = "closed"   // 销号: the filer confirmed
)

// ProblemEventKind is the kind of a change in a problem's life.
type ProblemEventKind string

// Problem event kinds.
const (
	EventFiled    ProblemEventKind = "filed"
	EventClaimed  ProblemEventKind = "claimed"
	EventAssigned ProblemEventKind = "assigned"
	EventProgress ProblemEventKind = "progress"
	EventResolved ProblemEventKind = "resolved"
	EventConfirm  ProblemEventKind = "confirmed"
	EventReopened ProblemEventKind = "reopened"
)

// Problem is a difficulty found in the field.
type Problem struct {
	ID          int64
	FilerID     int64
	OwnerID     int64 // 0 until claimed or assigned
	Enterprise  string
	Category    string
	Description string
	Photos      []Attachment
	Latitude    *float64
	Longitude   *float64
	Status      ProblemStatus
	Due         Date
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ProblemEvent is an append-only record of a change.
type ProblemEvent struct {
	ID          int64
	ProblemID   int64
	Kind        ProblemEventKind
	ActorID     int64
	OwnerID     int64 // for claimed and assigned
	Text        string
	Attachments []Attachment
	CreatedAt   time.Time
}

// ProblemDueDays is how long a problem may stay open before it is overdue.
const ProblemDueDays = 30

// Apply checks that ev may happen to p now and applies it. The store calls it
// inside the transaction that appends the event, so the rules live in one place.
func (p *Problem) Apply(ev *ProblemEvent) error {
	switch ev.Kind {
	case EventClaimed, EventAssigned:
		if p.Status == ProblemClosed {
			return Errorf(ECONFLICT, "problem %d is closed", p.ID)
		}
		if ev.OwnerID == 0 {
			return Errorf(EINVALID, "an owner is required")
		}
		if ev.Kind == EventClaimed && p.OwnerID != 0 && p.OwnerID != ev.OwnerID {
			return Errorf(ECONFLICT, "problem %d is already owned", p.ID)
		}
		p.OwnerID, p.Status = ev.OwnerID, ProblemClaimed
	case EventProgress, EventResolved:
		if p.OwnerID != ev.ActorID {
			return Errorf(EFORBIDDEN, "only the owner of problem %d may report on it", p.ID)
		}
		if p.Status != ProblemClaimed {
			return Errorf(ECONFLICT, "problem %d is %s", p.ID, p.Status)
		}
		if ev.Text == "" {
			return Errorf(EINVALID, "text is required")
		}
		if ev.Kind == EventResolved {
			p.Status = ProblemResolved
		}
	case EventConfirm:
		if p.FilerID != ev.ActorID {
			return Errorf(EFORBIDDEN, "only the filer of problem %d may confirm it", p.ID)
		}
		if p.Status != ProblemResolved {
			return Errorf(ECONFLICT, "problem %d is not resolved", p.ID)
		}
		p.Status = ProblemClosed
	case EventReopened:
		if p.FilerID != ev.ActorID {
			return Errorf(EFORBIDDEN, "only the filer of problem %d may reopen it", p.ID)
		}
		if p.Status != ProblemResolved && p.Status != ProblemClosed {
			return Errorf(ECONFLICT, "problem %d is not resolved", p.ID)
		}
		if ev.Text == "" {
			return Errorf(EINVALID, "a reason is required")
		}
		p.Status = ProblemClaimed
		if p.OwnerID == 0 {
			p.Status = ProblemNew
		}
	default:
		return Errorf(EINVALID, "unknown event %q", ev.Kind)
	}
	return nil
}

// ProblemFilter selects problems; zero fields match everything.
type ProblemFilter struct {
	FilerID  *int64
	OwnerID  *int64
	Statuses []ProblemStatus
}

// Match reports whether p passes f.
func (f ProblemFilter) Match(p *Problem) bool {
	return (f.FilerID == nil || *f.FilerID == p.FilerID) &&
		(f.OwnerID == nil || *f.OwnerID == p.OwnerID) &&
		(len(f.Statuses) == 0 || slices.Contains(f.Statuses, p.Status))
}

// ProblemService stores problems and their events.
type ProblemService interface {
	// CreateProblem stores p with a filed event and fills ID, Status,
	// CreatedAt and Due (ProblemDueDays after filing unless set).
	CreateProblem(ctx context.Context, p *Problem) error
	FindProblemByID(ctx context.Context, id int64) (*Problem, error)
	FindProblems(ctx context.Context, filter ProblemFilter) ([]*Problem, error)
	// AddProblemEvent applies ev with Problem.Apply and appends it, in one
	// transaction, and returns the problem as it now stands.
	AddProblemEvent(ctx context.Context, ev *ProblemEvent) (*Problem, error)
	FindProblemEvents(ctx context.Context, problemID int64) ([]*ProblemEvent, error)
}

// LedgerStatus is where a rectification item stands.
type LedgerStatus string

// Ledger statuses.
const (
	LedgerOpen       LedgerStatus = "open"
	LedgerInProgress LedgerStatus = "in_progress"
	LedgerDone       LedgerStatus = "done"
)

// LedgerItem is a rectification item (整改事项) of the ledger (整改台账).
type LedgerItem struct {
	ID           int64
	What         string
	Measure      string
	OwnerID      int64
	Due          Date
	Status       LedgerStatus
	Evidence     string
	ProblemID    int64 // when created from a problem
	SubmissionID int64 // when created from an accepted report
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// LedgerService stores the rectification ledger.
type LedgerService interface {
	CreateLedgerItem(ctx context.Context, it *LedgerItem) error
	UpdateLedgerItem(ctx context.Context, it *LedgerItem) error
	FindLedgerItems(ctx context.Context) ([]*LedgerItem, error)
}
