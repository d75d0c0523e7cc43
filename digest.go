package campaignbot

import (
	"context"
	"iter"
)

// DigestService is the bulk reading the scheduler needs for reminders and
// digests at 10,000 people: a few queries whatever the roster's size, and
// incremental reads of submissions so that a digest does not reload 200,000
// rows each time.
type DigestService interface {
	// RosterVersion returns a fingerprint of the people, their roles,
	// departments, leaders in charge, accounts, reachability and leave; it
	// changes whenever any of them does.
	RosterVersion(ctx context.Context) (string, error)
	// FindAllAccounts returns every bound chat account.
	FindAllAccounts(ctx context.Context) ([]*Account, error)
	// FindSubmissionRecordsAfter returns, in ID order, the records of every
	// submission with ID greater than afterID, whatever its review state.
	FindSubmissionRecordsAfter(ctx context.Context, afterID int64) ([]SubmissionRecord, error)
	// FindReturnedSubmissionIDs returns the IDs of versions returned for
	// revision: they do not count towards obligations.
	FindReturnedSubmissionIDs(ctx context.Context) ([]int64, error)
	// FindSubmissionsInReview returns the versions waiting for a reviewer
	// (state submitted), without text or attachments.
	FindSubmissionsInReview(ctx context.Context) ([]*Submission, error)
	// CountSurveyParticipants counts the people who answered each survey.
	CountSurveyParticipants(ctx context.Context) (map[string]int, error)
}

// SubmissionRecordSnapshotService is implemented by stores that keep a
// saved snapshot of the submission records, so that a new process reads
// one stored value and the rows added since instead of every row. The
// scheduler uses it when its store offers it and falls back to
// FindSubmissionRecordsAfter otherwise.
//
// The epoch is a number that changes whenever a submission is deleted or a
// column of its record changes; records read in one epoch extend each
// other, so a reader caching them starts over when the epoch moves.
type SubmissionRecordSnapshotService interface {
	// FindSubmissionRecordsInEpoch is FindSubmissionRecordsAfter together
	// with the epoch the records were read in.
	FindSubmissionRecordsInEpoch(ctx context.Context, afterID int64) (recs []SubmissionRecord, epoch int64, err error)
	// SaveSubmissionRecordSnapshot saves recs, every record up to the last
	// one's ID in ID order as read in epoch, as the snapshot later reads
	// start from. It saves nothing if the saved snapshot already reaches as
	// far, and fails with ECONFLICT if the epoch has moved since.
	// recs is ranged over more than once.
	SaveSubmissionRecordSnapshot(ctx context.Context, recs iter.Seq[SubmissionRecord], epoch int64) error
}
