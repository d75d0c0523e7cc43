package scheduler

import (
	"testing"

	"campaignbot"
	"campaignbot/plan"
)

// mustDefaultPlan returns the default plan starting 2026-03-01.
func mustDefaultPlan(tb testing.TB) *campaignbot.Plan {
	tb.Helper()
	p, _, err := plan.Default(campaignbot.NewDate(2026, 3, 1))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}
