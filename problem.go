package campaignbot

import (
	"context"
	"slices"
	"time"
)

// HelpTeams are the seed's help teams (帮扶组), one of which takes each
// problem.
var HelpTeams = []string{"政策宣传组", "创新服务组", "困难帮扶组"}

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
	Team        string // help team (帮扶组); "" for problems filed before teams
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

// ProblemRule names the rule of Problem.Apply that refused an event.
type ProblemRule string

// Rules of Problem.Apply.
const (
	RuleClosed        ProblemRule = "closed"         // a closed problem is not claimed or assigned
	RuleOwnerRequired ProblemRule = "owner_required" // claimed and assigned name an owner
	RuleOwned         ProblemRule = "owned"          // a problem someone else owns is not claimed
	RuleNotOwner      ProblemRule = "not_owner"      // only the owner reports progress or a solution
	RuleNotFiler      ProblemRule = "not_filer"      // only the filer confirms or reopens
	RuleWrongStatus   ProblemRule = "wrong_status"   // the event does not fit the problem's status
	RuleTextRequired  ProblemRule = "text_required"  // progress, resolved and reopened say something
	RuleUnknownEvent  ProblemRule = "unknown_event"
)

// ProblemRefusal is the error of Problem.Apply: the rule that refused the
// event and the problem as it stood, so that a message can name its owner,
// its filer or its status. It unwraps to an *Error with the rule's code.
type ProblemRefusal struct {
	Rule      ProblemRule
	Kind      ProblemEventKind // the event refused
	ProblemID int64
	Status    ProblemStatus
	OwnerID   int64
	FilerID   int64
}

// Error implements the error interface.
func (r *ProblemRefusal) Error() string { return r.Unwrap().Error() }

// Unwrap returns the refusal as an *Error, for ErrorCode and ErrorMessage.
func (r *ProblemRefusal) Unwrap() error {
	switch r.Rule {
	case RuleClosed:
		return Errorf(ECONFLICT, "problem %d is closed", r.ProblemID)
	case RuleOwnerRequired:
		return Errorf(EINVALID, "an owner is required")
	case RuleOwned:
		return Errorf(ECONFLICT, "problem %d is already owned", r.ProblemID)
	case RuleNotOwner:
		return Errorf(EFORBIDDEN, "only the owner of problem %d may report on it", r.ProblemID)
	case RuleNotFiler:
		return Errorf(EFORBIDDEN, "only the filer of problem %d may confirm or reopen it", r.ProblemID)
	case RuleWrongStatus:
		return Errorf(ECONFLICT, "problem %d is %s: no %s event", r.ProblemID, r.Status, r.Kind)
	case RuleTextRequired:
		return Errorf(EINVALID, "a %s event needs text", r.Kind)
	}
	return Errorf(EINVALID, "unknown event %q", r.Kind)
}

// Apply checks that ev may happen to p now and applies it. The store calls it
// inside the transaction that appends the event, so the rules live in one place.
// A refusal is a *ProblemRefusal and leaves p as it was.
func (p *Problem) Apply(ev *ProblemEvent) error {
	refuse := func(rule ProblemRule) error {
		return &ProblemRefusal{Rule: rule, Kind: ev.Kind, ProblemID: p.ID, Status: p.Status, OwnerID: p.OwnerID, FilerID: p.FilerID}
	}
	switch ev.Kind {
	case EventClaimed, EventAssigned:
		if p.Status == ProblemClosed {
			return refuse(RuleClosed)
		}
		if ev.OwnerID == 0 {
			return refuse(RuleOwnerRequired)
		}
		if ev.Kind == EventClaimed && p.OwnerID != 0 && p.OwnerID != ev.OwnerID {
			return refuse(RuleOwned)
		}
		p.OwnerID, p.Status = ev.OwnerID, ProblemClaimed
	case EventProgress, EventResolved:
		if p.OwnerID != ev.ActorID {
			return refuse(RuleNotOwner)
		}
		if p.Status != ProblemClaimed {
			return refuse(RuleWrongStatus)
		}
		if ev.Text == "" {
			return refuse(RuleTextRequired)
		}
		if ev.Kind == EventResolved {
			p.Status = ProblemResolved
		}
	case EventConfirm:
		if p.FilerID != ev.ActorID {
			return refuse(RuleNotFiler)
		}
		if p.Status != ProblemResolved {
			return refuse(RuleWrongStatus)
		}
		p.Status = ProblemClosed
	case EventReopened:
		if p.FilerID != ev.ActorID {
			return refuse(RuleNotFiler)
		}
		if p.Status != ProblemResolved && p.Status != ProblemClosed {
			return refuse(RuleWrongStatus)
		}
		if ev.Text == "" {
			return refuse(RuleTextRequired)
		}
		p.Status = ProblemClaimed
		if p.OwnerID == 0 {
			p.Status = ProblemNew
		}
	default:
		return refuse(RuleUnknownEvent)
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
	LedgerOngoing    LedgerStatus = "ongoing" // 长期坚持
)

// LedgerItem is a rectification item (整改事项) of the ledger (整改台账).
type LedgerItem struct {
	ID      int64
	What    string // the problem found
	Measure string
	// LeaderID is the responsible leader, DepartmentID the responsible
	// department, OwnerID the responsible person.
	LeaderID     int64
	DepartmentID int64
	OwnerID      int64
	Due          Date
	Status       LedgerStatus
	Evidence     string
	Remark       string
	ProblemID    int64 // when created from a problem
	SubmissionID int64 // when created from an accepted report
	Point        int   // which point of that report, from 1
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// ActorID is who makes the change being stored, for its event.
	ActorID int64
}

// Ledger event kinds.
const (
	LedgerCreated = "created"
	LedgerEdited  = "edited"
	LedgerRemoved = "removed"
)

// LedgerEvent is one change of a rectification item, kept when the item
// is removed.
type LedgerEvent struct {
	ID        int64
	ItemID    int64
	Kind      string // LedgerCreated, LedgerEdited or LedgerRemoved
	ActorID   int64
	Text      string // what changed, or why it was removed
	CreatedAt time.Time
}

// LedgerService stores the rectification ledger. Every change records a
// LedgerEvent by it.ActorID in the same transaction.
type LedgerService interface {
	// CreateLedgerItem stores it; a due date in the past is EINVALID.
	CreateLedgerItem(ctx context.Context, it *LedgerItem) error
	// UpdateLedgerItem stores every field of it; a due date moved into
	// the past is EINVALID.
	UpdateLedgerItem(ctx context.Context, it *LedgerItem) error
	// RemoveLedgerItem deletes item id, keeping its event with why.
	RemoveLedgerItem(ctx context.Context, id, by int64, why string) error
	FindLedgerItems(ctx context.Context) ([]*LedgerItem, error)
	FindLedgerEvents(ctx context.Context, itemID int64) ([]*LedgerEvent, error)
}
