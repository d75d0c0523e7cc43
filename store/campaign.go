package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"

	"campaignbot"
)

var _ campaignbot.CampaignService = (*DB)(nil)

// StartCampaign implements campaignbot.CampaignService.
func (db *DB) StartCampaign(ctx context.Context, source []byte, by string) (*campaignbot.Campaign, error) {
	if len(bytes.TrimSpace(source)) == 0 {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "the plan is empty")
	}
	if db.campaign != 0 {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "campaign %d is closed: it can be read and exported, not changed", db.campaign)
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET closed_at = ? WHERE id = ?`, encTime(tx.now), tx.campaign); err != nil {
		return nil, fmt.Errorf("close campaign %d: %w", tx.campaign, err)
	}
	c := &campaignbot.Campaign{StartedAt: tx.now}
	if err := tx.QueryRowContext(ctx, `INSERT INTO campaigns (started_at) VALUES (?) RETURNING id`, encTime(tx.now)).Scan(&c.ID); err != nil {
		return nil, fmt.Errorf("start campaign: %w", err)
	}
	tx.campaign = c.ID
	c.Plan = &campaignbot.AppliedPlan{Source: bytes.Clone(source), AppliedAt: tx.now, AppliedBy: by}
	err = tx.QueryRowContext(ctx, `INSERT INTO plans (campaign_id, source, applied_at, applied_by) VALUES (?, ?, ?, ?) RETURNING version`,
		c.ID, string(source), encTime(tx.now), by).Scan(&c.Plan.Version)
	if err != nil {
		return nil, constraintErr(err, "apply plan")
	}
	if err := tx.commit(); err != nil {
		return nil, err
	}
	return c, nil
}

// FindCampaigns implements campaignbot.CampaignService.
func (db *DB) FindCampaigns(ctx context.Context) ([]*campaignbot.Campaign, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var cs []*campaignbot.Campaign
	err = eachRow(ctx, tx, `SELECT c.id, c.started_at, c.closed_at,
			(SELECT COUNT(*) FROM submissions WHERE campaign_id = c.id),
			(SELECT COUNT(*) FROM opinions WHERE campaign_id = c.id),
			(SELECT COUNT(*) FROM problems WHERE campaign_id = c.id),
			(SELECT COUNT(*) FROM ledger_items WHERE campaign_id = c.id),
			(SELECT COUNT(*) FROM survey_participation WHERE campaign_id = c.id)
		FROM campaigns c ORDER BY c.id`, nil, func(rows *sql.Rows) error {
		var (
			c      campaignbot.Campaign
			at     int64
			closed sql.NullInt64
		)
		if err := rows.Scan(&c.ID, &at, &closed, &c.Submissions, &c.Opinions, &c.Problems, &c.LedgerItems, &c.SurveyResponses); err != nil {
			return err
		}
		c.StartedAt, c.ClosedAt = decTime(at), decTimePtr(closed)
		cs = append(cs, &c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find campaigns: %w", err)
	}
	for _, c := range cs {
		in := *tx
		in.campaign = c.ID
		p, err := findPlan(ctx, &in)
		if err != nil && campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
			return nil, err
		}
		c.Plan = p
	}
	return cs, nil
}

// InCampaign returns a DB that reads campaign id instead of the current
// one, for exporting a closed campaign; it refuses to write unless id is
// current. It shares db's connections: close db, not it.
func (db *DB) InCampaign(ctx context.Context, id int64) (*DB, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM campaigns WHERE id = ?`, id).Scan(&n); err != nil {
		return nil, fmt.Errorf("find campaign %d: %w", id, err)
	} else if n == 0 {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "there is no campaign %d", id)
	}
	view := *db
	view.campaign = id
	return &view, nil
}
