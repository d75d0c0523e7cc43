package campaignbot

import (
	"context"
	"time"
)

// OutboxStat counts outbox messages of one platform in one status.
type OutboxStat struct {
	Platform Platform
	Status   OutboxStatus
	Count    int
	// Oldest is when the oldest pending message was created (zero for the
	// other statuses).
	Oldest time.Time
}

// InboundStat counts stored platform updates, and those not yet processed.
type InboundStat struct {
	Platform  Platform
	Received  int
	Unhandled int
}

// MetricsService reads the figures /metrics exposes.
type MetricsService interface {
	OutboxStats(ctx context.Context) ([]OutboxStat, error)
	InboundStats(ctx context.Context) ([]InboundStat, error)
	// JobRuns returns when each scheduler job last completed.
	JobRuns(ctx context.Context) (map[string]time.Time, error)
}
