package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"campaignbot"
)

// versionScope returns the condition that selects the submissions sharing
// version numbers with one of (taskKey, personID, departmentID) in tx's
// campaign: the department's for per-department tasks
// (WithPerDepartmentTasks), the person's otherwise.
func (tx *Tx) versionScope(taskKey string, personID, departmentID int64) (string, []any) {
	if tx.db.perDept[taskKey] && departmentID != 0 {
		return scopeDept, []any{tx.campaign, taskKey, departmentID}
	}
	return scopePerson, []any{tx.campaign, personID, taskKey}
}

// Version scopes of CreateSubmission.
const (
	scopePerson = `campaign_id = ? AND person_id = ? AND task_key = ?`
	scopeDept   = `campaign_id = ? AND task_key = ? AND department_id = ?`
)

// CreateSubmission stores s as the next version and fills ID, Version and
// SubmittedAt (now, unless the caller set it, as an import of past work
// does). Versions count within (task, person), or within (task, department)
// for the tasks named with WithPerDepartmentTasks. Empty text without
// attachments is EINVALID.
func (db *DB) CreateSubmission(ctx context.Context, s *campaignbot.Submission) error {
	if strings.TrimSpace(s.Text) == "" && len(s.Attachments) == 0 {
		return campaignbot.Errorf(campaignbot.EINVALID, "a submission needs text or an attachment")
	}
	if s.TaskKey == "" || s.PersonID == 0 {
		return campaignbot.Errorf(campaignbot.EINVALID, "a submission needs a task and a person")
	}
	if s.State != campaignbot.ReviewNotRequired && s.State != campaignbot.ReviewSubmitted {
		return campaignbot.Errorf(campaignbot.EINVALID, "a new submission cannot be %s", s.State)
	}
	if err := checkAttachments(s.Attachments); err != nil {
		return err
	}
	return db.write(ctx, func(ctx context.Context, tx *Tx) error {
		return createSubmission(ctx, tx, s)
	})
}

// createSubmission inserts s as the next version of its scope.
func createSubmission(ctx context.Context, tx *Tx, s *campaignbot.Submission) error {
	scope, scopeArgs := tx.versionScope(s.TaskKey, s.PersonID, s.DepartmentID)
	if s.SubmittedAt.IsZero() {
		s.SubmittedAt = tx.now
	}
	s.SubmittedAt = s.SubmittedAt.UTC()
	args := append([]any{tx.campaign, s.TaskKey, s.PersonID, nullID(s.DepartmentID), s.Text, s.Late, string(s.State), encTime(s.SubmittedAt), nullDay(s.Week)}, scopeArgs...)
	err := tx.QueryRowContext(ctx, `INSERT INTO submissions (campaign_id, task_key, person_id, department_id, text, late, state, submitted_at, week, version)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(MAX(version), 0) + 1 FROM submissions WHERE `+scope+` RETURNING id, version`,
		args...).Scan(&s.ID, &s.Version)
	if err != nil {
		return constraintErr(err, "create submission")
	}
	return insertAttachments(ctx, tx, "submission_attachments", "submission_id", s.ID, s.Attachments)
}

// FindSubmissionByID returns the submission, ENOTFOUND if there is none.
func (db *DB) FindSubmissionByID(ctx context.Context, id int64) (*campaignbot.Submission, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findSubmissionByID(ctx, tx, id)
}

func findSubmissionByID(ctx context.Context, tx *Tx, id int64) (*campaignbot.Submission, error) {
	ss, err := findSubmissions(ctx, tx, `id = ?`, []any{id}, 0)
	if err != nil {
		return nil, err
	}
	if len(ss) == 0 {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "submission %d not found", id)
	}
	return ss[0], nil
}

// FindSubmissions returns the submissions matching filter, newest first;
// with a Limit, only the newest Limit of them.
func (db *DB) FindSubmissions(ctx context.Context, filter campaignbot.SubmissionFilter) ([]*campaignbot.Submission, error) {
	where, args := []string{"1 = 1"}, []any{}
	if filter.PersonID != nil {
		where, args = append(where, "person_id = ?"), append(args, *filter.PersonID)
	}
	if filter.TaskKey != nil {
		where, args = append(where, "task_key = ?"), append(args, *filter.TaskKey)
	}
	if filter.DepartmentID != nil {
		where, args = append(where, "department_id = ?"), append(args, *filter.DepartmentID)
	}
	if filter.State != nil {
		where, args = append(where, "state = ?"), append(args, string(*filter.State))
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findSubmissions(ctx, tx, strings.Join(where, " AND "), args, filter.Limit)
}

// findSubmissionsQueries returns the queries of findSubmissions for cond:
// the submissions, then their attachments. Both take cond's arguments and
// then the limit (-1 for none).
func findSubmissionsQueries(cond string) []string {
	ids := `SELECT id FROM submissions WHERE ` + cond + ` ORDER BY submitted_at DESC, id DESC LIMIT ?`
	return []string{
		`SELECT id, task_key, person_id, COALESCE(department_id, 0), version, text, late, state, submitted_at, COALESCE(week, 0)
		FROM submissions WHERE id IN (` + ids + `) ORDER BY submitted_at DESC, id DESC`,
		loadAttachmentsQuery("submission_attachments", "submission_id", ids),
	}
}

// findSubmissions returns the submissions of tx's campaign that cond
// selects. The campaign is a filter, not an index (+campaign_id): the
// person's, department's or state's index finds far fewer rows than the
// whole campaign's.
func findSubmissions(ctx context.Context, tx *Tx, cond string, args []any, limit int) ([]*campaignbot.Submission, error) {
	var limitArg any = limit
	if limit <= 0 {
		limitArg = -1 // SQLite: no limit
		if tx.db.pg {
			limitArg = nil // PostgreSQL: LIMIT NULL is LIMIT ALL
		}
	}
	args = append(append([]any{tx.campaign}, args...), limitArg)
	qs := findSubmissionsQueries(`+campaign_id = ? AND (` + cond + `)`)
	var ss []*campaignbot.Submission
	err := eachRow(ctx, tx, qs[0], args,
		func(rows *sql.Rows) error {
			var s campaignbot.Submission
			var at int64
			if err := rows.Scan(&s.ID, &s.TaskKey, &s.PersonID, &s.DepartmentID, &s.Version, &s.Text, &s.Late, &s.State, &at, &s.Week); err != nil {
				return err
			}
			s.SubmittedAt = decTime(at)
			ss = append(ss, &s)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find submissions: %w", err)
	}
	if len(ss) == 0 {
		return ss, nil
	}
	atts, err := loadAttachments(ctx, tx, qs[1], args)
	if err != nil {
		return nil, err
	}
	for _, s := range ss {
		s.Attachments = atts[s.ID]
	}
	return ss, nil
}

// ReviewSubmission records a reviewer's comment and decision on the latest
// version of a submission awaiting review: ECONFLICT when a newer version
// exists or the version is not awaiting review. Returning needs a comment.
// It fills c.ID and c.CreatedAt.
func (db *DB) ReviewSubmission(ctx context.Context, c *campaignbot.ReviewComment) error {
	switch c.Decision {
	case campaignbot.ReviewReturned:
		if strings.TrimSpace(c.Text) == "" {
			return campaignbot.Errorf(campaignbot.EINVALID, "a comment is required to return a submission")
		}
	case campaignbot.ReviewAccepted:
	default:
		return campaignbot.Errorf(campaignbot.EINVALID, "a review decision is returned or accepted, not %q", c.Decision)
	}
	if c.ReviewerID == 0 {
		return campaignbot.Errorf(campaignbot.EINVALID, "a review needs a reviewer")
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	s, err := findSubmissionByID(ctx, tx, c.SubmissionID)
	if err != nil {
		return err
	}
	scope, args := tx.versionScope(s.TaskKey, s.PersonID, s.DepartmentID)
	var latest int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM submissions WHERE `+scope+` ORDER BY version DESC, id DESC LIMIT 1`, args...).Scan(&latest); err != nil {
		return fmt.Errorf("find latest version: %w", err)
	}
	if latest != s.ID {
		return campaignbot.Errorf(campaignbot.ECONFLICT, "submission %d has a newer version", s.ID)
	}
	if s.State != campaignbot.ReviewSubmitted {
		return campaignbot.Errorf(campaignbot.ECONFLICT, "submission %d is not awaiting review", s.ID)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE submissions SET state = ? WHERE id = ?`, string(c.Decision), s.ID); err != nil {
		return fmt.Errorf("review submission: %w", err)
	}
	c.CreatedAt = tx.now
	if err := tx.QueryRowContext(ctx, `INSERT INTO review_comments (submission_id, reviewer_id, text, decision, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		s.ID, c.ReviewerID, c.Text, string(c.Decision), encTime(c.CreatedAt)).Scan(&c.ID); err != nil {
		return constraintErr(err, "store review comment")
	}
	return tx.commit()
}

// FindReviewComments returns the comments on a submission, oldest first.
func (db *DB) FindReviewComments(ctx context.Context, submissionID int64) ([]*campaignbot.ReviewComment, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var cs []*campaignbot.ReviewComment
	err = eachRow(ctx, tx, `SELECT id, submission_id, reviewer_id, text, decision, created_at FROM review_comments
		WHERE submission_id = ? ORDER BY created_at, id`, []any{submissionID},
		func(rows *sql.Rows) error {
			var c campaignbot.ReviewComment
			var at int64
			if err := rows.Scan(&c.ID, &c.SubmissionID, &c.ReviewerID, &c.Text, &c.Decision, &at); err != nil {
				return err
			}
			c.CreatedAt = decTime(at)
			cs = append(cs, &c)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find review comments: %w", err)
	}
	return cs, nil
}

// CreateOpinion stores op with a random id and fills ID and Day. An
// anonymous opinion is stored without author and with only today's day;
// in the same transaction any saved dialog whose data holds the text is
// deleted, so that no row ties the text to its sender (the intake blanks
// the raw update in the same transaction when it marks it processed).
func (db *DB) CreateOpinion(ctx context.Context, op *campaignbot.Opinion) error {
	if strings.TrimSpace(op.Text) == "" {
		return campaignbot.Errorf(campaignbot.EINVALID, "an opinion needs text")
	}
	if !op.Anonymous && op.AuthorID == 0 {
		return campaignbot.Errorf(campaignbot.EINVALID, "a named opinion needs an author")
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	if op.Anonymous {
		op.AuthorID = 0
	}
	op.Day = tx.today()
	op.Answer, op.AnsweredBy = "", 0
	for range 4 { // a random 63-bit id collides only by astronomical chance
		op.ID = randomID()
		_, err = tx.ExecContext(ctx, `INSERT INTO opinions (id, campaign_id, author_id, anonymous, text, day) VALUES (?, ?, ?, ?, ?, ?)`,
			op.ID, tx.campaign, nullID(op.AuthorID), op.Anonymous, op.Text, int64(op.Day))
		if !isUniqueErr(err) {
			break
		}
	}
	if err != nil {
		return constraintErr(err, "create opinion")
	}
	if op.Anonymous {
		if err := redactDialogs(ctx, tx, op.Text); err != nil {
			return err
		}
		if err := anonymousWritten(ctx, tx); err != nil {
			return err
		}
	}
	return tx.commit()
}

// redactDialogs deletes the saved dialogs whose data holds an anonymous
// text.
func redactDialogs(ctx context.Context, tx *Tx, text string) error {
	type dialogKey struct{ platform, account string }
	var drop []dialogKey
	err := eachRow(ctx, tx, `SELECT platform, account_id, data FROM dialogs`, nil, func(rows *sql.Rows) error {
		var k dialogKey
		var data string
		if err := rows.Scan(&k.platform, &k.account, &data); err != nil {
			return err
		}
		// An unreadable row goes too, rather than risk keeping the text.
		st, err := decodeDialogState(data)
		if err != nil || slices.ContainsFunc(st.Texts(), func(s string) bool { return strings.Contains(s, text) }) {
			drop = append(drop, k)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan dialogs: %w", err)
	}
	for _, k := range drop {
		if _, err := tx.ExecContext(ctx, `DELETE FROM dialogs WHERE platform = ? AND account_id = ?`, k.platform, k.account); err != nil {
			return fmt.Errorf("redact dialog: %w", err)
		}
	}
	return nil
}

// FindOpinions returns every opinion, by day; within a day the order is
// random, as the ids are.
func (db *DB) FindOpinions(ctx context.Context) ([]*campaignbot.Opinion, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var ops []*campaignbot.Opinion
	err = eachRow(ctx, tx, `SELECT id, COALESCE(author_id, 0), anonymous, text, day, answer, COALESCE(answered_by, 0) FROM opinions WHERE campaign_id = ? ORDER BY day, id`, []any{tx.campaign},
		func(rows *sql.Rows) error {
			var op campaignbot.Opinion
			if err := rows.Scan(&op.ID, &op.AuthorID, &op.Anonymous, &op.Text, &op.Day, &op.Answer, &op.AnsweredBy); err != nil {
				return err
			}
			ops = append(ops, &op)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find opinions: %w", err)
	}
	return ops, nil
}

// FindOpinionByNumber returns the opinion shown under number n (Opinion.Number)
// or with ID n.
func (db *DB) FindOpinionByNumber(ctx context.Context, n int64) (*campaignbot.Opinion, error) {
	ops, err := db.FindOpinions(ctx)
	if err != nil {
		return nil, err
	}
	var found []*campaignbot.Opinion
	for _, op := range ops {
		if op.ID == n {
			return op, nil
		}
		if op.Number() == n {
			found = append(found, op)
		}
	}
	switch len(found) {
	case 0:
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "opinion %d not found", n)
	case 1:
		return found[0], nil
	}
	return nil, campaignbot.Errorf(campaignbot.ECONFLICT, "%d opinions are numbered %d", len(found), n)
}

// AnswerOpinion stores the office's answer to an opinion.
func (db *DB) AnswerOpinion(ctx context.Context, id int64, answer string, by int64) error {
	if strings.TrimSpace(answer) == "" {
		return campaignbot.Errorf(campaignbot.EINVALID, "an answer needs text")
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE opinions SET answer = ?, answered_by = ? WHERE id = ? AND campaign_id = ?`, answer, nullID(by), id, tx.campaign)
	if err != nil {
		return constraintErr(err, "answer opinion")
	}
	if err := oneRow(res, fmt.Sprintf("opinion %d not found", id)); err != nil {
		return err
	}
	return tx.commit()
}

// oneRow returns ENOTFOUND with msg when res changed no row.
func oneRow(res sql.Result, msg string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	if n == 0 {
		return campaignbot.Errorf(campaignbot.ENOTFOUND, "%s", msg)
	}
	return nil
}
