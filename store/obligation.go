package store

import (
	"context"
	"database/sql"
	"fmt"

	"campaignbot"
)

// FindObligationInput reads what Obligations needs for p, in one read:
// the records of p's submissions and of p's department's for plan's tasks
// owed per department (a colleague's counts only for those), the IDs of
// the versions returned for revision or waiting for review among them, p's
// claims, p's leave and the surveys p took part in. The department's other
// submissions are left out: at 100,000 people a department hands in tens
// of thousands, and reading them cost every /note 0.2 s of the writer.
func (db *DB) FindObligationInput(ctx context.Context, p *campaignbot.Person, plan *campaignbot.Plan) (campaignbot.ObligationInput, error) {
	in := campaignbot.ObligationInput{People: []*campaignbot.Person{p}}
	deptTasks := `''`
	args := []any{p.ID, p.DepartmentID}
	for _, t := range plan.Tasks {
		if t.Cardinality == campaignbot.PerDepartment {
			deptTasks += `, ?`
			args = append(args, t.Key)
		}
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return in, err
	}
	defer tx.Rollback()
	// +campaign_id: the person's and department's indexes, not the whole
	// campaign's rows.
	err = eachRow(ctx, tx, `SELECT id, task_key, person_id, COALESCE(department_id, 0), submitted_at, COALESCE(week, 0), state FROM submissions
		WHERE +campaign_id = ? AND (person_id = ? OR department_id = ? AND task_key IN (`+deptTasks+`)) ORDER BY id`,
		append([]any{tx.campaign}, args...),
		func(rows *sql.Rows) error {
			var r campaignbot.SubmissionRecord
			var key string
			var at int64
			var state campaignbot.ReviewState
			if err := rows.Scan(&r.ID, &key, &r.PersonID, &r.DepartmentID, &at, &r.Week, &state); err != nil {
				return err
			}
			r.Day, r.Task = campaignbot.DateOf(decTime(at), db.loc), in.TaskKeys.Number(key)
			in.Submissions = append(in.Submissions, r)
			switch state {
			case campaignbot.ReviewReturned:
				in.Returned = append(in.Returned, r.ID)
			case campaignbot.ReviewSubmitted:
				in.InReview = append(in.InReview, r.ID)
			}
			return nil
		})
	if err != nil {
		return in, fmt.Errorf("find submission records: %w", err)
	}
	if in.Claims, err = findClaims(ctx, tx, `AND owner_id = ?`, p.ID); err != nil {
		return in, err
	}
	if in.Leaves, err = findLeaves(ctx, tx, `WHERE person_id = ?`, p.ID); err != nil {
		return in, err
	}
	if in.Answered, err = findSurveyParticipation(ctx, tx, `person_id = ?`, p.ID); err != nil {
		return in, err
	}
	return in, nil
}

// FindClaims returns one claim per claimed or assigned problem event, for
// the person the problem went to, with the day in the store's location.
func (db *DB) FindClaims(ctx context.Context) ([]campaignbot.Claim, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findClaims(ctx, tx, `AND owner_id IS NOT NULL`)
}

// findClaims reads the claims of the claimed or assigned events that cond
// (an AND clause on problem_events) selects, on tx's campaign's problems.
func findClaims(ctx context.Context, tx *Tx, cond string, args ...any) ([]campaignbot.Claim, error) {
	var cs []campaignbot.Claim
	err := eachRow(ctx, tx, `SELECT owner_id, created_at FROM problem_events
		WHERE problem_id IN (SELECT id FROM problems WHERE campaign_id = ?) AND kind IN (?, ?) `+cond+` ORDER BY id`,
		append([]any{tx.campaign, string(campaignbot.EventClaimed), string(campaignbot.EventAssigned)}, args...),
		func(rows *sql.Rows) error {
			var c campaignbot.Claim
			var at int64
			if err := rows.Scan(&c.PersonID, &at); err != nil {
				return err
			}
			c.Day = campaignbot.DateOf(decTime(at), tx.db.loc)
			cs = append(cs, c)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find claims: %w", err)
	}
	return cs, nil
}
