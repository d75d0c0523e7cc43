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
	// PartsSent counts the parts of a message carried as several platform
	// messages that an earlier attempt delivered (OutboxProgress).
	PartsSent int
	// Anonymous marks the acknowledgement of an anonymous act (SPEC §2): it
	// names no person, and once sent (or given up) the row is deleted, so
	// that no person, chat or time is kept for the act.
	Anonymous bool
	// Thread is the forum topic of a group chat the message goes to (a
	// reply stays in the topic it answers), "" for the chat itself.
	Thread string
}

// OutboxService is the durable outbox.
type OutboxService interface {
	// EnqueueOutbox stores the messages that are not already there (by Key)
	// and reports how many were new.
	EnqueueOutbox(ctx context.Context, msgs []*OutboxMessage) (int, error)
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
// platform is told it arrived, then processed once by the intake.
type Inbound struct {
	Platform   Platform
	Key        string // update_id, MsgId, or FromUserName+CreateTime+event
	Payload    []byte
	ReceivedAt time.Time
	// Attempts counts the failed attempts at processing it; the next may
	// start at RetryAt.
	Attempts int
	RetryAt  time.Time
}

// InboundService is the durable intake of platform updates.
type InboundService interface {
	// SaveInbound stores in; it reports false if the key was already stored.
	SaveInbound(ctx context.Context, in *Inbound) (bool, error)
	// PendingInbound returns up to limit stored, unprocessed updates of
	// every platform, in the order they arrived.
	PendingInbound(ctx context.Context, limit int) ([]*Inbound, error)
	// MarkInboundProcessed marks updates processed, together, and drops
	// their payloads: raw updates are kept only as long as the intake
	// needs them. The intake calls it inside Atomic with the update's
	// effects. ENOTFOUND if some were not stored.
	MarkInboundProcessed(ctx context.Context, platform Platform, keys ...string) error
	// RecordInboundFailure counts a failed attempt at the updates with
	// keys, keeps why, and holds them back until retryAt; it returns the
	// attempts counted so far.
	RecordInboundFailure(ctx context.Context, platform Platform, keys []string, why string, retryAt time.Time) (int, error)
	// ForgetInbound deletes updates that were part of an anonymous act,
	// instead of marking them processed: their keys and times would say
	// who acted when (a WeCom event's key carries the UserID). It is
	// called inside Atomic like MarkInboundProcessed; the same keys stored
	// again soon after (a platform's retry) count as already stored.
	// ENOTFOUND if some were not stored.
	ForgetInbound(ctx context.Context, platform Platform, keys ...string) error
	// DeleteProcessedInbound deletes processed updates received before t
	// and reports how many went: nothing of a chat is kept longer than it
	// is needed.
	DeleteProcessedInbound(ctx context.Context, before time.Time) (int, error)
}

// DialogAnonymousExpired names the dialog left in place of an anonymous
// dialog that was abandoned: the account's next message is told that the
// anonymous dialog ended, instead of being taken as named content.
const DialogAnonymousExpired = "anonymous_expired"

// AnonymityService is the store's part of the nightly maintenance for
// anonymity (SPEC §2, §8).
type AnonymityService interface {
	// MaintainAnonymity drops the anonymous dialogs untouched since
	// abandonedBefore (leaving a DialogAnonymousExpired marker with the
	// day only), deletes dialogs untouched for a week, and rewrites the
	// rows of anonymous data (opinions, survey answers and participation)
	// so that their physical order in the file no longer follows the
	// order they were written in.
	MaintainAnonymity(ctx context.Context, abandonedBefore time.Time) error
}

// Transactor runs several store calls as one transaction.
type Transactor interface {
	// Atomic runs fn in one transaction: every store call made with the
	// context fn receives joins it; it commits if fn returns nil and rolls
	// back otherwise. A store call that fails inside fn undoes its own
	// writes only, so fn may answer the failure and go on.
	Atomic(ctx context.Context, fn func(ctx context.Context) error) error
}

// Dialog is the state of a multi-step conversation, kept in the store so a
// restart carries on.
type Dialog struct {
	Platform  Platform
	AccountID string
	Name      string // which dialog: submit, opinion, survey, problem, review
	Step      string // where it stands, as the dialog names its steps
	State     DialogState
	UpdatedAt time.Time
}

// DialogState is what a dialog has gathered so far. Each dialog fills its
// own fields and leaves the others zero; the store keeps the state as JSON.
type DialogState struct {
	// Submit: the task the content is for, or (while the person chooses
	// the task) the content held until then.
	TaskKey string `json:"task,omitempty"`
	// Problem: the help team chosen (the other answers are below).
	Team  string       `json:"team,omitempty"`
	Text  string       `json:"text,omitempty"`
	Files []Attachment `json:"files,omitempty"`
	// Week is the missed week the content is handed in for, 0 for the
	// current one.
	Week Date `json:"week,omitempty"`

	// Opinion and survey: the dialog collects an anonymous act (the
	// opinion is stored without its author, the survey is anonymous); the
	// nightly maintenance drops such a dialog once abandoned.
	Anonymous bool `json:"anonymous,omitempty"`

	// Survey: the survey, the index of the question asked and the answers
	// to the questions before it.
	SurveyKey string         `json:"survey,omitempty"`
	Question  int            `json:"question,omitempty"`
	Answers   []SurveyAnswer `json:"answers,omitempty"`

	// Problem: the report being written.
	Enterprise  string       `json:"enterprise,omitempty"`
	Category    string       `json:"category,omitempty"`
	Description string       `json:"description,omitempty"`
	Photos      []Attachment `json:"photos,omitempty"`
	Latitude    *float64     `json:"lat,omitempty"`
	Longitude   *float64     `json:"lon,omitempty"`

	// Review: the version being returned, waiting for the comment.
	SubmissionID int64 `json:"submission,omitempty"`
}

// Texts returns the free text the state holds, so that an anonymous text
// can be found and its dialog dropped.
func (s *DialogState) Texts() []string {
	texts := []string{s.Text, s.Enterprise, s.Description}
	for _, a := range s.Answers {
		texts = append(texts, a.Value)
	}
	return texts
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
	Transactor
	ObligationSource
	PlanService
}
