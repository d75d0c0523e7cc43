// Package campaignbot holds the domain of campaignbot: the campaign plan, the
// people who owe its deliverables, what they submit, the problems they file,
// and the service interfaces that the store implements and the bot and the
// scheduler use. It imports only the standard library.
package campaignbot

import (
	"context"
	"slices"
	"time"
)

// Role is what a person does in the campaign (SPEC §1).
type Role string

// Roles of SPEC §1.
const (
	RoleMember  Role = "member"
	RoleMiddle  Role = "middle"
	RoleLeader  Role = "leader"
	RoleHead    Role = "head"
	RoleLiaison Role = "liaison"
	RoleOffice  Role = "office"
)

// AllRoles lists every role in a stable order.
var AllRoles = []Role{RoleMember, RoleMiddle, RoleLeader, RoleHead, RoleLiaison, RoleOffice}

// Valid reports whether r is one of AllRoles.
func (r Role) Valid() bool { return slices.Contains(AllRoles, r) }

// Platform names a chat platform.
type Platform string

// Platforms campaignbot speaks.
const (
	PlatformConsole  Platform = "console"
	PlatformTelegram Platform = "telegram"
	PlatformWeCom    Platform = "wecom"
)

// Department is a section (科室) of the organisation. Its leader in charge
// (分管领导) is whoever lists it in InChargeOf: see LeadersInCharge.
type Department struct {
	ID   int64
	Name string
}

// RoleGrant is a role held by a person since a day. Roles granted mid-phase
// do not make a person owe the weeks that ended before.
type RoleGrant struct {
	Role  Role
	Since Date
}

// Person is an entry of the roster.
type Person struct {
	ID int64
	// ExternalID is the roster's id (工号); may be empty. With it, two
	// people of the same name are two people.
	ExternalID   string
	Name         string
	DepartmentID int64
	Department   string
	Roles        []RoleGrant
	// InChargeOf lists the departments a leader is in charge of.
	InChargeOf []int64
	// Telegram is the user name or numeric id given in the roster, used to
	// recognise a person before they redeem an invite; may be empty.
	Telegram string
	// WeCom is the WeCom UserID; may be empty. WeCom authenticates it, so
	// it binds the person's WeCom account from the moment it is imported.
	WeCom string
	// Team is the help team (帮扶组) the person works in; may be empty.
	Team string
	// Unreachable names the platforms on which the last delivery was refused
	// (blocked bot, invalid user) so that the office can follow up.
	Unreachable []Platform
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// HasRole reports whether p holds r on any day.
func (p *Person) HasRole(r Role) bool {
	for _, g := range p.Roles {
		if g.Role == r {
			return true
		}
	}
	return false
}

// RoleSince returns the day from which p holds r, and whether p holds it.
func (p *Person) RoleSince(r Role) (Date, bool) {
	for _, g := range p.Roles {
		if g.Role == r {
			return g.Since, true
		}
	}
	return 0, false
}

// RoleList returns p's roles without their dates.
func (p *Person) RoleList() []Role {
	rs := make([]Role, 0, len(p.Roles))
	for _, g := range p.Roles {
		rs = append(rs, g.Role)
	}
	return rs
}

// Account binds a chat account on a platform to a person.
type Account struct {
	Platform  Platform
	AccountID string // the platform's user id (Telegram numeric id, WeCom UserID)
	ChatID    string // where to send private messages
	PersonID  int64
	BoundAt   time.Time
}

// Invite is a one-time code that binds a chat account to a roster entry.
type Invite struct {
	Code      string
	PersonID  int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// InviteTTL is how long an invite code stays valid.
const InviteTTL = 14 * 24 * time.Hour

// Leave is a person's absence: no reminders from From to To inclusive, and
// due dates inside it move to the day after To.
type Leave struct {
	ID       int64
	PersonID int64
	From, To Date
}

// Covers reports whether d falls inside l.
func (l Leave) Covers(d Date) bool { return d >= l.From && d <= l.To }

// RosterEntry is one line of a roster file, before it is stored.
type RosterEntry struct {
	Line        int    // line in the source file, for error messages
	ID          string // the roster's id (工号), optional
	Name        string
	Departments []string // the first is the person's department
	Roles       []Role
	Telegram    string
	WeCom       string
	InChargeOf  []string
	Team        string // help team (帮扶组), optional
}

// PersonFilter selects people; zero fields match everything.
type PersonFilter struct {
	ID           *int64
	Name         *string
	DepartmentID *int64
	Role         *Role
}

// PersonService manages the roster, chat accounts, invites and leave.
type PersonService interface {
	// ImportRoster creates or updates (by name) every entry in one
	// transaction: either all lines are stored or none.
	ImportRoster(ctx context.Context, entries []RosterEntry) (created, updated int, err error)
	FindPersonByID(ctx context.Context, id int64) (*Person, error)
	FindPersonByName(ctx context.Context, name string) (*Person, error)
	FindPeople(ctx context.Context, filter PersonFilter) ([]*Person, error)
	FindDepartments(ctx context.Context) ([]*Department, error)
	// SetReachable records whether deliveries to p on platform succeed.
	SetReachable(ctx context.Context, personID int64, platform Platform, reachable bool) error

	// CreateInvite stores a new invite for the person; the code is random
	// with at least 64 bits.
	CreateInvite(ctx context.Context, personID int64) (*Invite, error)
	// RedeemInvite binds acc to the invite's person. Unknown codes are
	// ENOTFOUND, used or expired ones EINVALID with a message saying which;
	// an account already bound is ECONFLICT (MsgAccountBound).
	RedeemInvite(ctx context.Context, code string, acc Account) (*Person, error)
	// RevokeInvite makes an unused code unusable (it was posted where
	// others saw it) and reports whether there was one.
	RevokeInvite(ctx context.Context, code string) (bool, error)
	// BindRosterAccount binds acc to the person whose roster entry names
	// it, if that person has no account on the platform yet; ENOTFOUND
	// otherwise.
	BindRosterAccount(ctx context.Context, acc Account) (*Account, *Person, error)
	// RecordInviteFailure records a wrong invite code sent by account (a
	// platform-qualified chat account) at at, and forgets every failure
	// before forget.
	RecordInviteFailure(ctx context.Context, account string, at, forget time.Time) error
	// InviteFailures returns when account sent wrong invite codes since
	// since, oldest first.
	InviteFailures(ctx context.Context, account string, since time.Time) ([]time.Time, error)
	// FindAccount returns the binding of a platform account, ENOTFOUND if none.
	FindAccount(ctx context.Context, platform Platform, accountID string) (*Account, error)
	// FindPersonByAccount returns the binding of a platform account and the
	// person bound, in one read: the chat path runs it for every message.
	FindPersonByAccount(ctx context.Context, platform Platform, accountID string) (*Account, *Person, error)
	// FindAccountsByPerson returns every account bound to the person.
	FindAccountsByPerson(ctx context.Context, personID int64) ([]*Account, error)

	CreateLeave(ctx context.Context, l *Leave) error
	FindLeaves(ctx context.Context, personID int64) ([]Leave, error)
	// DeleteLeave cancels leave id of the person: ENOTFOUND when the
	// person has no such leave.
	DeleteLeave(ctx context.Context, personID, id int64) error
	// FindAllLeaves returns the leave of everyone, for the scheduler.
	FindAllLeaves(ctx context.Context) ([]Leave, error)
}

// Messages of the errors RedeemInvite returns for used and expired codes, so
// the bot can tell them apart from an unknown code.
const (
	MsgInviteUsed    = "invite code already used"
	MsgInviteExpired = "invite code expired"
	MsgAccountBound  = "account already bound"
)
