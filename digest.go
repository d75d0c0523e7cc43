package campaignbot

import "context"

// DigestService is the bulk reading the scheduler needs for reminders and
// digests at 10,000 people: a few queries whatever the roster's size, and
// incremental reads of submissions so that a digest does not reload 200,000
// rows each time.
type DigestService interface {
	// FindAllAccounts returns every bound chat account.
	FindAllAccounts(ctx context.Context) ([]*Account, error)
	// FindSubmissionRecordsAfter returns, in ID order, the records of every
	// submission with ID greater than afterID, whatever its review state,
	// numbering their tasks in keys (which it returns grown).
	FindSubmissionRecordsAfter(ctx context.Context, afterID int64, keys TaskKeys) ([]SubmissionRecord, TaskKeys, error)
	// FindReturnedSubmissionIDs returns the IDs of versions returned for
	// revision: they do not count towards obligations.
	FindReturnedSubmissionIDs(ctx context.Context) ([]int64, error)
	// FindSubmissionsInReview returns the versions waiting for a reviewer
	// (state submitted), without text or attachments.
	FindSubmissionsInReview(ctx context.Context) ([]*Submission, error)
	// FindSurveyParticipation returns who took part in which survey: a
	// survey is owed like a task.
	FindSurveyParticipation(ctx context.Context) ([]SurveyTaken, error)
	// CountSurveyParticipants counts the people who answered each survey.
	CountSurveyParticipants(ctx context.Context) (map[string]int, error)
}
