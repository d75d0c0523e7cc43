package campaignbot

import "context"

// ObligationSource is what Obligations reads from the store besides the
// roster (PersonService.FindPeople) and leave (FindAllLeaves).
type ObligationSource interface {
	// FindClaims returns one claim per claimed or assigned problem event:
	// the owner it gave the problem to, and the day.
	FindClaims(ctx context.Context) ([]Claim, error)
	// FindObligationInput reads what Obligations needs for one person (the
	// chat's /tasks and /mine): the records of their submissions and of
	// their department's for plan's tasks owed per department, the
	// versions returned or in review among them, their claims, their
	// leave and the surveys they took part in. Plan and Day are the
	// caller's to set.
	FindObligationInput(ctx context.Context, p *Person, plan *Plan) (ObligationInput, error)
}
