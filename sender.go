package campaignbot

import (
	"context"
	"fmt"
	"time"
)

// Sender delivers outbox messages on one platform. The scheduler's dispatcher
// calls it; main fills it with the platform adapters.
type Sender interface {
	Platform() Platform
	// Send delivers m and returns the platform's id for the sent message.
	// Failures should be a *SendError so the dispatcher knows what to do.
	Send(ctx context.Context, m *OutboxMessage) (platformMessageID string, err error)
}

// BatchSender is a Sender that carries one text to many chats in one call
// (WeCom's touser of up to 1000 members, SPEC §6 and §10): an
// announcement to 10,000 members is ten calls, each member still paced by
// their own limits.
type BatchSender interface {
	Sender
	// BatchKey returns what rows that may go together share (their
	// content), and false for a row that must go alone.
	BatchKey(m *OutboxMessage) (key string, ok bool)
	// MaxBatch is the most chats one call carries.
	MaxBatch() int
	// SendBatch delivers ms, which share a BatchKey, and returns each
	// row's outcome in order: the platform's id, or an error about that
	// row alone (a member refused); a fault of the deployment is returned
	// for every row, none of them sent.
	SendBatch(ctx context.Context, ms []*OutboxMessage) (ids []string, errs []error)
}

// SendError classifies a failed delivery for the dispatcher.
type SendError struct {
	// RetryAfter is set when the platform said how long to wait (429).
	RetryAfter time.Duration
	// ChatOnly limits RetryAfter to the message's chat: WeCom's 45009
	// holds back one member or the group robot, not the platform.
	ChatOnly bool
	// Permanent means retrying will not help (bad request).
	Permanent bool
	// Unreachable means the recipient refused (blocked bot, invalid user):
	// the person is marked unreachable and the office is told.
	Unreachable bool
	// Fault is set when the deployment, not the message, is at fault (a
	// revoked token, an untrusted IP): the dispatcher keeps the message,
	// pauses the platform (or Fault.Chat) and probes until it is fixed.
	Fault *Fault
	Err   error
}

// Error implements error.
func (e *SendError) Error() string {
	return fmt.Sprintf("send: %s", e.Err)
}

// Unwrap returns the underlying error.
func (e *SendError) Unwrap() error { return e.Err }
