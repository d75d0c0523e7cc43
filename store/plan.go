package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"campaignbot"
)

// ApplyPlan stores source as the plan in force, unless it equals the plan
// in force, which is then returned as it is. The caller has validated it.
func (db *DB) ApplyPlan(ctx context.Context, source []byte, by string) (*campaignbot.AppliedPlan, error) {
	if len(bytes.TrimSpace(source)) == 0 {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "the plan is empty")
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	cur, err := findPlan(ctx, tx)
	if err == nil && bytes.Equal(cur.Source, source) {
		return cur, nil
	} else if err != nil && campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
		return nil, err
	}
	p := &campaignbot.AppliedPlan{Source: bytes.Clone(source), AppliedAt: tx.now, AppliedBy: by}
	err = tx.QueryRowContext(ctx, `INSERT INTO plans (campaign_id, source, applied_at, applied_by) VALUES (?, ?, ?, ?) RETURNING version`,
		tx.campaign, string(source), encTime(tx.now), by).Scan(&p.Version)
	if err != nil {
		return nil, constraintErr(err, "apply plan")
	}
	if err := tx.commit(); err != nil {
		return nil, err
	}
	return p, nil
}

// FindPlan returns the plan in force, ENOTFOUND if none was applied.
func (db *DB) FindPlan(ctx context.Context) (*campaignbot.AppliedPlan, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findPlan(ctx, tx)
}

func findPlan(ctx context.Context, tx *Tx) (*campaignbot.AppliedPlan, error) {
	var (
		p  campaignbot.AppliedPlan
		at int64
	)
	err := tx.QueryRowContext(ctx, `SELECT version, source, applied_at, applied_by FROM plans WHERE campaign_id = ? ORDER BY version DESC LIMIT 1`, tx.campaign).
		Scan(&p.Version, &p.Source, &at, &p.AppliedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "no plan has been applied to campaign %d", tx.campaign)
	} else if err != nil {
		return nil, fmt.Errorf("find plan: %w", err)
	}
	p.AppliedAt = decTime(at)
	return &p, nil
}

// FindPlanVersion returns the version of the plan in force, 0 if none was
// applied.
func (db *DB) FindPlanVersion(ctx context.Context) (int64, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var v int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM plans WHERE campaign_id = ?`, tx.campaign).Scan(&v); err != nil {
		return 0, fmt.Errorf("find plan version: %w", err)
	}
	return v, nil
}
