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
