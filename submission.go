package campaignbot

import (
	"context"
	"time"
)

// Attachment is a stored file: the store keeps its bytes in a file named by
// its sha256 beside the database.
type Attachment struct {
	SHA256   string
	Name     string
	MIME     string
	Size     int64
	Platform Platform // where it came from
}

// ReviewState is where a reviewed submission stands.
type ReviewState string

// Review states of SPEC §2. Submissions of tasks without review stay "".
const (
	ReviewNotRequired ReviewState = ""
	ReviewSubmitted   ReviewState = "submitted"
	ReviewReturned    ReviewState = "returned"
	ReviewAccepted    ReviewState = "accepted"
)

// Submission is one version of a person's (or department's) content for a task.
type Submission struct {
	ID       int64
	TaskKey  string
	PersonID int64
	// DepartmentID is the author's department at the time; for tasks owed
	// per department it is what the submission satisfies.
	DepartmentID int64
	// Version counts from 1 within (task, person) — or (task, department)
	// for per-department tasks.
	Version     int
	Text        string
	Attachments []Attachment
	Late        bool
	State       ReviewState
	SubmittedAt time.Time
	// Week is the start of the missed week a weekly task's version is
	// handed in late for; 0 when it is for the week it is written in.
	Week Date
}

// ReviewComment is a reviewer's comment or decision on a submission version.
type ReviewComment struct {
	ID           int64
	SubmissionID int64
	ReviewerID   int64
	Text         string
	Decision     ReviewState // ReviewReturned or ReviewAccepted
	CreatedAt    time.Time
}

// SubmissionFilter selects submissions; zero fields match everything.
type SubmissionFilter struct {
	PersonID     *int64
	TaskKey      *string
	DepartmentID *int64
	State        *ReviewState
	Limit        int
}

// SubmissionService stores submissions and their review.
type SubmissionService interface {
	// CreateSubmission stores s as the next version and fills ID, Version,
	// SubmittedAt. Empty text without attachments is EINVALID.
	CreateSubmission(ctx context.Context, s *Submission) error
	FindSubmissionByID(ctx context.Context, id int64) (*Submission, error)
	FindSubmissions(ctx context.Context, filter SubmissionFilter) ([]*Submission, error)
	// ReviewSubmission records a reviewer's comment and decision
	// (ReviewReturned or ReviewAccepted) on the latest version.
	ReviewSubmission(ctx context.Context, c *ReviewComment) error
	FindReviewComments(ctx context.Context, submissionID int64) ([]*ReviewComment, error)
	// SaveAttachment stores the bytes under their sha256 and returns the
	// attachment; the same bytes are stored once.
	SaveAttachment(ctx context.Context, name, mime string, data []byte) (*Attachment, error)
	// AttachmentPath returns the file path of a stored attachment.
	AttachmentPath(sha256 string) string
}

// Opinion is a suggestion or criticism (征求意见). An anonymous opinion has no
// author, no source and only the day it was given.
type Opinion struct {
	ID         int64
	AuthorID   int64 // 0 when anonymous
	Anonymous  bool
	Text       string
	Day        Date
	Answer     string
	AnsweredBy int64
}

// opinionNumbers is how many short numbers opinions are shown under.
const opinionNumbers = 1_000_000

// Number is the short number an opinion is shown and answered under (its
// ID's last six digits): IDs are random, so that their order says nothing
// of the order of the opinions, and too long to type.
func (op *Opinion) Number() int64 { return op.ID % opinionNumbers }

// OpinionService stores opinions.
type OpinionService interface {
	// CreateOpinion stores op. For an anonymous opinion the store keeps no
	// link to the author.
	CreateOpinion(ctx context.Context, op *Opinion) error
	FindOpinions(ctx context.Context) ([]*Opinion, error)
	// FindOpinionByNumber returns the opinion shown under number n (or
	// with ID n): ENOTFOUND if none, ECONFLICT if two share the number.
	FindOpinionByNumber(ctx context.Context, n int64) (*Opinion, error)
	AnswerOpinion(ctx context.Context, id int64, answer string, by int64) error
}
