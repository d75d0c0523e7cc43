package campaignbot

import (
	"context"
	"time"
)

// SurveyAnswer is one answer to one question.
type SurveyAnswer struct {
	QuestionKey string
	Value       string // "1".."5" for scale, the option for choice, text for text
}

// SurveyResponse is a person's answers to a survey. For an anonymous survey
// the store records participation (who answered) apart from the answers,
// which carry no person and no time finer than the day.
type SurveyResponse struct {
	SurveyKey string
	PersonID  int64
	Answers   []SurveyAnswer
	Anonymous bool
	// DialogPlatform and DialogAccount name the chat dialog that collected
	// the answers, if any: it is deleted in the response's transaction, so
	// no row keeps anonymous answers beside the account once they are stored.
	DialogPlatform Platform
	DialogAccount  string
}

// SurveyResult aggregates the answers to one question.
type SurveyResult struct {
	QuestionKey string
	Count       int
	// Values counts answers by value (scale and choice questions).
	Values map[string]int
	// Texts holds free-text answers.
	Texts []string
}

// MinGroupSize is the smallest group whose results are shown.
const MinGroupSize = 3

// SurveyService stores survey responses.
type SurveyService interface {
	// RecordSurveyResponse stores the answers and the participation in one
	// transaction; answering twice is ECONFLICT.
	RecordSurveyResponse(ctx context.Context, r *SurveyResponse) error
	// HasAnswered reports whether the person took part in the survey.
	HasAnswered(ctx context.Context, surveyKey string, personID int64) (bool, error)
	// FindParticipants returns the ids of people who answered.
	FindParticipants(ctx context.Context, surveyKey string) ([]int64, error)
	FindSurveyResults(ctx context.Context, surveyKey string) ([]SurveyResult, error)
}

// OutboxStatus is where an outbound message stands.
type OutboxStatus string

// Outbox statuses.
const (
	OutboxPending OutboxStatus = "pending"
	OutboxSent    OutboxStatus = "sent"
	OutboxFailed  OutboxStatus = "failed" // gave up; LastError says why
)

// OutboxKind says why a message is sent.
type OutboxKind string

// Outbox kinds.
const (
	KindReply        OutboxKind = "reply"
	KindPhaseStart   OutboxKind = "phase_start"
	KindPhaseEnd     OutboxKind = "phase_end"
	KindWarning      OutboxKind = "warning"
	KindOverdue      OutboxKind = "overdue"
	KindEscalation   OutboxKind = "escalation"
	KindDigest       OutboxKind = "digest"
	KindAnnouncement OutboxKind = "announcement"
	KindNotice       OutboxKind = "notice" // problem and review notifications
	KindLedger       OutboxKind = "ledger"
)

// Button is an inline choice; Data is what comes back when it is pressed
// (at most 64 bytes, Telegram's limit for callback data).
type Button struct {
	Text string
	Data string
}

// OutboxMessage is a durable outbound message.
type OutboxMessage struct {
	ID int64
	// Key is the idempotency key: (task, person, kind, day) for prompts; a
	// message with a key already in the outbox is not enqueued again.
	Key       string
	Platform  Platform
	ChatID    string // recipient chat (or "group" for the campaign group)
	PersonID  int64  // 0 for group messages
	Kind      OutboxKind
	TaskKey   string // set for prompts: replying to it submits for this task
	Text      string
	Buttons   [][]Button
	Files     []Attachment
	Status    OutboxStatus
	Attempts  int
	NextAt    time.Time
	LastError string
	// PlatformMessageID is the id the platform gave the sent message, so a
	// reply to a prompt finds its task.
	PlatformMessageID string
	CreatedAt         time.Time
	SentAt            *time.Time
}

// OutboxService is the durable outbox.
type OutboxService interface {
	// EnqueueOutbox stores the messages that are not already there (by Key)
	// and reports how many were new.
	EnqueueOutbox(ctx context.Context, msgs []*OutboxMessage) (int, error)
	// EnqueueOutboxRun enqueues msgs and records that the scheduler's job
	// ran at at, in one transaction (JobService.LastRun reads it).
	EnqueueOutboxRun(ctx context.Context, msgs []*OutboxMessage, job string, at time.Time) (int, error)
	// ClaimOutbox returns up to limit pending messages for platform whose
	// NextAt has come, oldest first.
	ClaimOutbox(ctx context.Context, platform Platform, now time.Time, limit int) ([]*OutboxMessage, error)
	MarkOutboxSent(ctx context.Context, id int64, platformMessageID string, at time.Time) error
	// MarkOutboxRetry records a failed attempt: retry at next, or give up
	// (status failed) when giveUp is set.
	MarkOutboxRetry(ctx context.Context, id int64, lastErr string, next time.Time, giveUp bool) error
	// FindPrompt returns the sent message with the platform message id in chat.
	FindPrompt(ctx context.Context, platform Platform, chatID, platformMessageID string) (*OutboxMessage, error)
	// CountOutbox counts messages by status, for metrics and the digest.
	CountOutbox(ctx context.Context) (map[OutboxStatus]int, error)
	// CountPromptsSentOn counts prompts enqueued for a person on a day, for the daily cap.
	CountPrompts(ctx context.Context, personID int64, from, to time.Time) (int, error)
}

// Inbound is a raw update received from a platform, stored before the
// platform is told it arrived, then processed once.
type Inbound struct {
	Platform    Platform
	Key         string // update_id, MsgId, or FromUserName+CreateTime
	Payload     []byte
	ReceivedAt  time.Time
	ProcessedAt *time.Time
}

// InboundService is the durable intake of platform updates.
type InboundService interface {
	// SaveInbound stores in; it reports false if the key was already stored.
	SaveInbound(ctx context.Context, in *Inbound) (bool, error)
	// PendingInbound returns stored, unprocessed updates of platform in order.
	PendingInbound(ctx context.Context, platform Platform, limit int) ([]*Inbound, error)
	// MarkInboundProcessed marks updates processed, together, and drops
	// their payloads: raw updates are kept only as long as durable intake
	// needs them. ENOTFOUND if some were not stored; the others are marked.
	MarkInboundProcessed(ctx context.Context, platform Platform, keys ...string) error
	// DeleteProcessedInbound deletes processed updates received before t
	// and the handled-message records older than t, and reports how many
	// updates went: nothing of a chat is kept longer than it is needed.
	DeleteProcessedInbound(ctx context.Context, before time.Time) (int, error)
	// MarkHandled records that a chat message was handled, with the
	// replies it got (encoded by the engine; nil to keep none); it reports
	// false if it had been handled before.
	MarkHandled(ctx context.Context, messageKey string, replies []byte) (bool, error)
	// FindArrival reports whether a chat message was handled before, with
	// its recorded replies, and finds the sender (FindPersonByAccount), in
	// one read: what the engine needs of every message before handling it.
	// The engine marks a message handled only after its effects are
	// committed, so a crash in between re-runs the (idempotent) handler
	// instead of losing the message, and a message handled again is
	// answered again. An empty messageKey is never handled.
	FindArrival(ctx context.Context, messageKey string, platform Platform, accountID string) (*Arrival, error)
}

// Arrival is what the store knows of an incoming message: whether it was
// handled before, with the replies recorded then, and who sent it.
type Arrival struct {
	Handled bool
	Replies []byte
	// Account and Person are nil when the account is not bound.
	Account *Account
	Person  *Person
}

// Dialog is the state of a multi-step conversation, kept in the store so a
// restart carries on.
type Dialog struct {
	Platform  Platform
	AccountID string
	Name      string
	Step      string
	Data      map[string]string
	UpdatedAt time.Time
}

// DialogService keeps dialog state.
type DialogService interface {
	// FindDialog returns the account's dialog, ENOTFOUND if none.
	FindDialog(ctx context.Context, platform Platform, accountID string) (*Dialog, error)
	SaveDialog(ctx context.Context, d *Dialog) error
	DeleteDialog(ctx context.Context, platform Platform, accountID string) error
}

// JobService records scheduler runs so that a restart catches up once.
type JobService interface {
	// LastRun returns when job last completed, zero if never.
	LastRun(ctx context.Context, job string) (time.Time, error)
	SetLastRun(ctx context.Context, job string, at time.Time) error
}

// Store is everything the store package implements.
type Store interface {
	PersonService
	SubmissionService
	OpinionService
	ProblemService
	LedgerService
	SurveyService
	OutboxService
	InboundService
	DialogService
	JobService
	PlanService
}
