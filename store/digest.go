package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"campaignbot"
)

// rosterFingerprints are one-row aggregates over each roster table; their
// concatenation changes when any row is added, removed or changed.
var rosterFingerprints = []string{
	`SELECT COUNT(*), TOTAL(id * 7 + department_id * 13 + updated_at % 1000003 + length(name) + length(telegram) + length(wecom)) FROM people`,
	`SELECT COUNT(*), TOTAL(person_id * 7 + since * 13 + unicode(role) * 17 + length(role)) FROM person_roles`,
	`SELECT COUNT(*), TOTAL(id * 7 + COALESCE(leader_id, 0) * 13 + length(name)) FROM departments`,
	`SELECT COUNT(*), TOTAL(person_id * 7 + department_id * 13) FROM person_in_charge`,
	`SELECT COUNT(*), TOTAL(person_id * 7 + since % 1000003 + length(platform)) FROM person_unreachable`,
	`SELECT COUNT(*), TOTAL(person_id * 7 + bound_at % 1000003 + length(account_id) + length(chat_id)) FROM accounts`,
	`SELECT COUNT(*), TOTAL(id * 7 + person_id * 13 + from_day * 17 + to_day * 19) FROM leaves`,
}

// RosterVersion returns a fingerprint of the roster, accounts and leave.
func (db *DB) RosterVersion(ctx context.Context) (string, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	var b strings.Builder
	for _, q := range rosterFingerprints {
		var n int64
		var sum float64
		if err := tx.QueryRowContext(ctx, q).Scan(&n, &sum); err != nil {
			return "", fmt.Errorf("roster version: %w", err)
		}
		fmt.Fprintf(&b, "%d:%.0f;", n, sum)
	}
	return b.String(), nil
}

// FindAllAccounts returns every bound chat account.
func (db *DB) FindAllAccounts(ctx context.Context) ([]*campaignbot.Account, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findAccounts(ctx, tx, "1 = 1")
}

// FindSubmissionRecordsAfter returns the records of the submissions with ID
// greater than afterID, in ID order, whatever their review state.
//
// The first call of a process reads every submission (200,000 in the
// performance targets), so it avoids what costs per row beyond SQLite's own
// work: the slice is sized once from the ID range (IDs are dense, never
// deleted) instead of doubling, and the few task keys are shared strings
// instead of one allocation a row.
func (db *DB) FindSubmissionRecordsAfter(ctx context.Context, afterID int64) ([]campaignbot.SubmissionRecord, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var maxID int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM submissions`).Scan(&maxID); err != nil {
		return nil, fmt.Errorf("find submission records: %w", err)
	}
	if maxID <= afterID {
		return nil, nil
	}
	rs := make([]campaignbot.SubmissionRecord, 0, maxID-afterID)
	keys := map[string]string{}
	// The scan targets live outside the row function: Scan's pointers
	// would otherwise move a fresh record to the heap for every row.
	var key sql.RawBytes
	var id, person, dept, at int64
	err = eachRow(ctx, tx, `SELECT id, task_key, person_id, COALESCE(department_id, 0), submitted_at FROM submissions
		WHERE id > ? AND id <= ? ORDER BY id`, []any{afterID, maxID},
		func(rows *sql.Rows) error {
			if err := rows.Scan(&id, &key, &person, &dept, &at); err != nil {
				return err
			}
			k, ok := keys[string(key)]
			if !ok {
				k = string(key)
				keys[k] = k
			}
			rs = append(rs, campaignbot.SubmissionRecord{ID: id, TaskKey: k, PersonID: person, DepartmentID: dept,
				Day: campaignbot.DateOf(decTime(at), db.loc)})
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find submission records: %w", err)
	}
	return rs, nil
}

// FindReturnedSubmissionIDs returns the IDs of versions returned for revision.
func (db *DB) FindReturnedSubmissionIDs(ctx context.Context) ([]int64, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var ids []int64
	err = eachRow(ctx, tx, `SELECT id FROM submissions WHERE state = 'returned' ORDER BY id`, nil, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find returned submissions: %w", err)
	}
	return ids, nil
}

// FindSubmissionsInReview returns the versions in state submitted, without
// text or attachments, oldest first.
func (db *DB) FindSubmissionsInReview(ctx context.Context) ([]*campaignbot.Submission, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var ss []*campaignbot.Submission
	err = eachRow(ctx, tx, `SELECT id, task_key, person_id, COALESCE(department_id, 0), version, late, submitted_at
		FROM submissions WHERE state = 'submitted' ORDER BY id`, nil, func(rows *sql.Rows) error {
		var s campaignbot.Submission
		var at int64
		if err := rows.Scan(&s.ID, &s.TaskKey, &s.PersonID, &s.DepartmentID, &s.Version, &s.Late, &at); err != nil {
			return err
		}
		s.State, s.SubmittedAt = campaignbot.ReviewSubmitted, decTime(at)
		ss = append(ss, &s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find submissions in review: %w", err)
	}
	return ss, nil
}

// CountSurveyParticipants counts the people who answered each survey.
func (db *DB) CountSurveyParticipants(ctx context.Context) (map[string]int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	n := map[string]int{}
	err = eachRow(ctx, tx, `SELECT survey_key, COUNT(*) FROM survey_participation GROUP BY survey_key`, nil, func(rows *sql.Rows) error {
		var k string
		var c int
		if err := rows.Scan(&k, &c); err != nil {
			return err
		}
		n[k] = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count survey participants: %w", err)
	}
	return n, nil
}
