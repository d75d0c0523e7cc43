package campaignbot

import "context"

// ObligationSource is what Obligations reads from the store besides the
// roster (PersonService.FindPeople) and leave (FindAllLeaves): compact
// records of every submission and every problem claim.
type ObligationSource interface {
	// FindSubmissionRecords returns every submission that counts towards an
	// obligation (all but versions returned for revision), with the day it
	// was submitted in the plan's time zone.
	FindSubmissionRecords(ctx context.Context) ([]SubmissionRecord, error)
	// FindClaims returns one claim per claimed or assigned problem event:
	// the owner it gave the problem to, and the day.
	FindClaims(ctx context.Context) ([]Claim, error)
}
