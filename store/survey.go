package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"campaignbot"
)

// RecordSurveyResponse stores the participation and the answers in one
// transaction; answering twice is ECONFLICT. Answers carry random ids and
// only the day; the person is stored beside them only when the response is
// not anonymous.
func (db *DB) RecordSurveyResponse(ctx context.Context, r *campaignbot.SurveyResponse) error {
	if r.SurveyKey == "" || r.PersonID == 0 {
		return campaignbot.Errorf(campaignbot.EINVALID, "a survey response needs a survey and a person")
	}
	if len(r.Answers) == 0 {
		return campaignbot.Errorf(campaignbot.EINVALID, "a survey response needs answers")
	}
	for _, a := range r.Answers {
		if a.QuestionKey == "" || strings.TrimSpace(a.Value) == "" {
			return campaignbot.Errorf(campaignbot.EINVALID, "every answer needs a question and a value")
		}
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if _, err := tx.ExecContext(ctx, `INSERT INTO survey_participation (campaign_id, survey_key, person_id) VALUES (?, ?, ?)`, tx.campaign, r.SurveyKey, r.PersonID); err != nil {
		if isUniqueErr(err) {
			return campaignbot.Errorf(campaignbot.ECONFLICT, "survey %s already answered", r.SurveyKey)
		}
		return constraintErr(err, "record survey participation")
	}
	var person any
	if !r.Anonymous {
		person = r.PersonID
	}
	day := int64(tx.today())
	for _, a := range r.Answers {
		for range 4 { // retry the astronomically rare id collision
			_, err = tx.ExecContext(ctx, `INSERT INTO survey_answers (id, campaign_id, survey_key, question_key, value, day, person_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				randomID(), tx.campaign, r.SurveyKey, a.QuestionKey, a.Value, day, person)
			if !isUniqueErr(err) {
				break
			}
		}
		if err != nil {
			return constraintErr(err, "record survey answer")
		}
	}
	if r.DialogAccount != "" {
		if _, err := tx.ExecContext(ctx, qDeleteDialog, string(r.DialogPlatform), r.DialogAccount); err != nil {
			return fmt.Errorf("delete survey dialog: %w", err)
		}
	}
	if r.Anonymous {
		// As for an anonymous opinion: empty the WAL of the dialog's pages.
		if err := anonymousWritten(ctx, tx); err != nil {
			return err
		}
	}
	return tx.commit()
}

// HasAnswered reports whether the person took part in the survey.
func (db *DB) HasAnswered(ctx context.Context, surveyKey string, personID int64) (bool, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_participation WHERE campaign_id = ? AND survey_key = ? AND person_id = ?`, tx.campaign, surveyKey, personID).Scan(&n); err != nil {
		return false, fmt.Errorf("has answered: %w", err)
	}
	return n > 0, nil
}

// FindParticipants returns the ids of the people who answered, ascending.
func (db *DB) FindParticipants(ctx context.Context, surveyKey string) ([]int64, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ids, err := queryIDs(ctx, tx, `SELECT person_id FROM survey_participation WHERE campaign_id = ? AND survey_key = ? ORDER BY person_id`, tx.campaign, surveyKey)
	if err != nil {
		return nil, fmt.Errorf("find participants: %w", err)
	}
	return ids, nil
}

// FindSurveyResults aggregates the answers per question, ordered by
// question key. The store does not know question types, so Values counts
// every answer by value and Texts lists every answer (in random order);
// the caller shows whichever fits the question. Questions with fewer than
// campaignbot.MinGroupSize answers report only their Count.
func (db *DB) FindSurveyResults(ctx context.Context, surveyKey string) ([]campaignbot.SurveyResult, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var rs []campaignbot.SurveyResult
	err = eachRow(ctx, tx, `SELECT question_key, value FROM survey_answers WHERE campaign_id = ? AND survey_key = ? ORDER BY question_key, id`, []any{tx.campaign, surveyKey},
		func(rows *sql.Rows) error {
			var q, v string
			if err := rows.Scan(&q, &v); err != nil {
				return err
			}
			if len(rs) == 0 || rs[len(rs)-1].QuestionKey != q {
				rs = append(rs, campaignbot.SurveyResult{QuestionKey: q, Values: map[string]int{}})
			}
			r := &rs[len(rs)-1]
			r.Count++
			r.Values[v]++
			r.Texts = append(r.Texts, v)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find survey results: %w", err)
	}
	for i := range rs {
		if rs[i].Count < campaignbot.MinGroupSize {
			rs[i].Values, rs[i].Texts = nil, nil
		}
	}
	return rs, nil
}
