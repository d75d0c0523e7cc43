package store

import (
	"context"
	"database/sql"
	"fmt"

	"campaignbot"
)

// FindSubmissionRecords returns every submission that counts towards an
// obligation, with its day in the store's location. Versions returned for
// revision do not count: the author owes a new version.
func (db *DB) FindSubmissionRecords(ctx context.Context) ([]campaignbot.SubmissionRecord, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var rs []campaignbot.SubmissionRecord
	err = eachRow(ctx, tx, `SELECT id, task_key, person_id, COALESCE(department_id, 0), submitted_at FROM submissions
		WHERE state <> ? ORDER BY id`, []any{string(campaignbot.ReviewReturned)},
		func(rows *sql.Rows) error {
			var r campaignbot.SubmissionRecord
			var at int64
			if err := rows.Scan(&r.ID, &r.TaskKey, &r.PersonID, &r.DepartmentID, &at); err != nil {
				return err
			}
			r.Day = campaignbot.DateOf(decTime(at), db.loc)
			rs = append(rs, r)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find submission records: %w", err)
	}
	return rs, nil
}

// FindClaims returns one claim per claimed or assigned problem event, for
// the person the problem went to, with the day in the store's location.
func (db *DB) FindClaims(ctx context.Context) ([]campaignbot.Claim, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var cs []campaignbot.Claim
	err = eachRow(ctx, tx, `SELECT owner_id, created_at FROM problem_events WHERE kind IN (?, ?) AND owner_id IS NOT NULL ORDER BY id`,
		[]any{string(campaignbot.EventClaimed), string(campaignbot.EventAssigned)},
		func(rows *sql.Rows) error {
			var c campaignbot.Claim
			var at int64
			if err := rows.Scan(&c.PersonID, &at); err != nil {
				return err
			}
			c.Day = campaignbot.DateOf(decTime(at), db.loc)
			cs = append(cs, c)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find claims: %w", err)
	}
	return cs, nil
}
