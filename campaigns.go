package campaignbot

import (
	"context"
	"time"
)

// Campaign is one campaign of a store (SPEC §2): campaigns follow one
// another, the latest is current and the others are closed. Its plans,
// submissions, opinions, problems, ledger and surveys are its own; the
// roster and chat bindings belong to the organisation.
type Campaign struct {
	ID        int64
	StartedAt time.Time
	// ClosedAt is when the next campaign started; nil for the current one.
	ClosedAt *time.Time
	// Plan is the campaign's plan in force, nil if none was applied.
	Plan *AppliedPlan
	// What the campaign holds.
	Submissions     int
	Opinions        int
	Problems        int
	LedgerItems     int
	SurveyResponses int
}

// Current reports whether c is the current campaign.
func (c *Campaign) Current() bool { return c.ClosedAt == nil }

// CampaignService starts campaigns and lists them. Every other service
// reads and writes the current campaign.
type CampaignService interface {
	// StartCampaign closes the current campaign and starts the next with
	// source (validated by the caller) as its plan, in one transaction.
	StartCampaign(ctx context.Context, source []byte, by string) (*Campaign, error)
	// FindCampaigns returns every campaign, oldest first.
	FindCampaigns(ctx context.Context) ([]*Campaign, error)
}
