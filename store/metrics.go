package store

import (
	"context"
	"fmt"
	"time"

	"campaignbot"
)

var _ campaignbot.MetricsService = (*DB)(nil)

// OutboxStats counts the outbox by platform and status, with the age of the
// oldest pending message of each platform. The counts read only the
// (status, platform, next_at) index and the ages only the pending rows,
// since sent messages are never deleted and every scrape reads this
// (BenchmarkMetricsScrape, figures in bench/README.md).
func (db *DB) OutboxStats(ctx context.Context) ([]campaignbot.OutboxStat, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	oldest := map[campaignbot.Platform]time.Time{}
	rows, err := tx.QueryContext(ctx, `SELECT platform, MIN(created_at) FROM outbox WHERE status = 'pending' GROUP BY platform`)
	if err != nil {
		return nil, fmt.Errorf("outbox stats: %w", err)
	}
	for rows.Next() {
		var p campaignbot.Platform
		var at int64
		if err := rows.Scan(&p, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("outbox stats: %w", err)
		}
		oldest[p] = decTime(at)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("outbox stats: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT platform, status, COUNT(*) FROM outbox GROUP BY status, platform ORDER BY platform, status`)
	if err != nil {
		return nil, fmt.Errorf("outbox stats: %w", err)
	}
	defer rows.Close()
	var stats []campaignbot.OutboxStat
	for rows.Next() {
		var s campaignbot.OutboxStat
		if err := rows.Scan(&s.Platform, &s.Status, &s.Count); err != nil {
			return nil, fmt.Errorf("outbox stats: %w", err)
		}
		if s.Status == campaignbot.OutboxPending {
			s.Oldest = oldest[s.Platform]
		}
		stats = append(stats, s)
	}
	return stats, rows.Err()
}

// InboundStats counts stored updates by platform.
func (db *DB) InboundStats(ctx context.Context) ([]campaignbot.InboundStat, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT platform, COUNT(*), COUNT(*) - COUNT(processed_at) FROM inbound GROUP BY platform ORDER BY platform`)
	if err != nil {
		return nil, fmt.Errorf("inbound stats: %w", err)
	}
	defer rows.Close()
	var stats []campaignbot.InboundStat
	for rows.Next() {
		var s campaignbot.InboundStat
		if err := rows.Scan(&s.Platform, &s.Received, &s.Unhandled); err != nil {
			return nil, fmt.Errorf("inbound stats: %w", err)
		}
		stats = append(stats, s)
	}
	return stats, rows.Err()
}

// JobRuns returns when each scheduler job last completed.
func (db *DB) JobRuns(ctx context.Context) (map[string]time.Time, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT job, last_run FROM job_runs`)
	if err != nil {
		return nil, fmt.Errorf("job runs: %w", err)
	}
	defer rows.Close()
	runs := map[string]time.Time{}
	for rows.Next() {
		var job string
		var at int64
		if err := rows.Scan(&job, &at); err != nil {
			return nil, fmt.Errorf("job runs: %w", err)
		}
		runs[job] = decTime(at)
	}
	return runs, rows.Err()
}
