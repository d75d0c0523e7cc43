package campaignbot

import (
	"context"
	"time"
)

// LoginLinkTTL is how long a one-time login link to the web console stays
// valid (SPEC §9).
const LoginLinkTTL = 15 * time.Minute

// WebSessionTTL is how long a web console session lasts after sign-in: a
// working day, after which the person asks the bot for a new link.
const WebSessionTTL = 12 * time.Hour

// LoginLink is a one-time link's secret and its expiry. The store keeps
// only the token's hash: whoever reads the database cannot sign in.
type LoginLink struct {
	Token     string
	PersonID  int64
	ExpiresAt time.Time
}

// WebSession is a signed-in browser. Token is the cookie's value, set only
// when the session is created; the store keeps its hash. CSRF is the token
// every form of the session carries.
type WebSession struct {
	Token     string
	PersonID  int64
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// AuditEntry is one office action (SPEC §9): who did what, when, on what.
type AuditEntry struct {
	ID       int64
	At       time.Time
	PersonID int64
	// Actor is the person's name when they acted.
	Actor string
	// Action names what was done, e.g. "ledger.add", "person.edit".
	Action string
	// Detail says on what, for people to read.
	Detail string
}

// WebService keeps the web console's login links, sessions and audit log.
type WebService interface {
	// CreateLoginLink stores a new single-use login link for the person,
	// valid for LoginLinkTTL.
	CreateLoginLink(ctx context.Context, personID int64) (*LoginLink, error)
	// RedeemLoginLink marks the link used and starts a session. An unknown
	// token is ENOTFOUND, a used or expired one EINVALID.
	RedeemLoginLink(ctx context.Context, token string) (*WebSession, error)
	// FindWebSession returns the live session with the token, ENOTFOUND
	// if there is none or it expired.
	FindWebSession(ctx context.Context, token string) (*WebSession, error)
	// DeleteWebSession ends a session (sign-out).
	DeleteWebSession(ctx context.Context, token string) error
	// RecordAudit appends e to the audit log and fills its ID and At.
	RecordAudit(ctx context.Context, e *AuditEntry) error
	// FindAudit returns the latest limit entries, newest first.
	FindAudit(ctx context.Context, limit int) ([]*AuditEntry, error)
	// UpdatePerson rewrites person id's roster entry from e, as a roster
	// import of that one line would (roles keep their since day; in charge
	// of replaces the set), and renames the person to e.Name.
	UpdatePerson(ctx context.Context, id int64, e RosterEntry) (*Person, error)
}

// ConsoleService is what the web console needs of the store besides the
// chat's services: the roster's removals and invite codes (as `roster
// remove` and `invite`), and the messages delivery gave up on (as `outbox
// list` and `outbox requeue`).
type ConsoleService interface {
	// RemovePerson takes a person off the roster, keeping the author of
	// what they did; ENOTFOUND if there is no such person on it.
	RemovePerson(ctx context.Context, id int64) (*Person, error)
	// FindInvites returns the person's open invite codes, newest first.
	FindInvites(ctx context.Context, personID int64) ([]*Invite, error)
	// RevokeInvites ends the person's open invite codes and reports how
	// many there were.
	RevokeInvites(ctx context.Context, personID int64) (int, error)
	// FailedOutbox returns up to limit messages given up on, of platform
	// ("" for every platform), newest first.
	FailedOutbox(ctx context.Context, platform Platform, limit int) ([]*OutboxMessage, error)
	// RequeueOutbox puts failed messages back in the outbox, due now: those
	// with ids, or every one of platform with none.
	RequeueOutbox(ctx context.Context, platform Platform, ids ...int64) (int, error)
}
