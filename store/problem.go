package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"campaignbot"
)

// CreateProblem stores p with a filed event and fills ID, Status (new),
// OwnerID (none), CreatedAt, UpdatedAt and Due (ProblemDueDays after the
// day of filing unless set).
func (db *DB) CreateProblem(ctx context.Context, p *campaignbot.Problem) error {
	if p.FilerID == 0 {
		return campaignbot.Errorf(campaignbot.EINVALID, "a problem needs a filer")
	}
	if !slices.Contains(campaignbot.ProblemCategories, p.Category) {
		return campaignbot.Errorf(campaignbot.EINVALID, "unknown problem category %q", p.Category)
	}
	if strings.TrimSpace(p.Description) == "" {
		return campaignbot.Errorf(campaignbot.EINVALID, "a problem needs a description")
	}
	if (p.Latitude == nil) != (p.Longitude == nil) {
		return campaignbot.Errorf(campaignbot.EINVALID, "a location needs both latitude and longitude")
	}
	if err := checkAttachments(p.Photos); err != nil {
		return err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	p.Status, p.OwnerID = campaignbot.ProblemNew, 0
	p.CreatedAt, p.UpdatedAt = tx.now, tx.now
	if p.Due == 0 {
		p.Due = tx.today().AddDays(campaignbot.ProblemDueDays)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO problems (campaign_id, filer_id, owner_id, enterprise, category, team, description, latitude, longitude, status, due, created_at, updated_at)
		VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.campaign, p.FilerID, p.Enterprise, p.Category, p.Team, p.Description, p.Latitude, p.Longitude, string(p.Status), int64(p.Due),
		encTime(p.CreatedAt), encTime(p.UpdatedAt)).Scan(&p.ID)
	if err != nil {
		return constraintErr(err, "create problem")
	}
	if err := insertAttachments(ctx, tx, "problem_photos", "problem_id", p.ID, p.Photos); err != nil {
		return err
	}
	ev := &campaignbot.ProblemEvent{ProblemID: p.ID, Kind: campaignbot.EventFiled, ActorID: p.FilerID, Text: p.Description}
	if err := insertProblemEvent(ctx, tx, ev); err != nil {
		return err
	}
	return tx.commit()
}

// FindProblemByID returns the problem, ENOTFOUND if there is none.
func (db *DB) FindProblemByID(ctx context.Context, id int64) (*campaignbot.Problem, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findProblemByID(ctx, tx, id)
}

func findProblemByID(ctx context.Context, tx *Tx, id int64) (*campaignbot.Problem, error) {
	ps, err := findProblems(ctx, tx, `id = ?`, []any{id})
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "problem %d not found", id)
	}
	return ps[0], nil
}

// FindProblems returns the problems matching filter, ordered by id.
func (db *DB) FindProblems(ctx context.Context, filter campaignbot.ProblemFilter) ([]*campaignbot.Problem, error) {
	where, args := []string{"1 = 1"}, []any{}
	if filter.FilerID != nil {
		where, args = append(where, "filer_id = ?"), append(args, *filter.FilerID)
	}
	if filter.OwnerID != nil {
		where, args = append(where, "COALESCE(owner_id, 0) = ?"), append(args, *filter.OwnerID)
	}
	if len(filter.Statuses) > 0 {
		marks := make([]string, len(filter.Statuses))
		for i, s := range filter.Statuses {
			marks[i] = "?"
			args = append(args, string(s))
		}
		where = append(where, "status IN ("+strings.Join(marks, ",")+")")
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findProblems(ctx, tx, strings.Join(where, " AND "), args)
}

// findProblemsQueries returns the queries of findProblems for cond: the
// problems, then their photos.
func findProblemsQueries(cond string) []string {
	return []string{
		`SELECT id, filer_id, COALESCE(owner_id, 0), enterprise, category, team, description, latitude, longitude, status, due, created_at, updated_at
		FROM problems WHERE ` + cond + ` ORDER BY id`,
		loadAttachmentsQuery("problem_photos", "problem_id", `SELECT id FROM problems WHERE `+cond),
	}
}

// findProblems returns the problems of tx's campaign that cond selects (the
// campaign a filter, +campaign_id, so that the filer's, owner's or status's
// index is used).
func findProblems(ctx context.Context, tx *Tx, cond string, args []any) ([]*campaignbot.Problem, error) {
	qs := findProblemsQueries(`+campaign_id = ? AND (` + cond + `)`)
	args = append([]any{tx.campaign}, args...)
	var ps []*campaignbot.Problem
	err := eachRow(ctx, tx, qs[0], args,
		func(rows *sql.Rows) error {
			var p campaignbot.Problem
			var lat, lon sql.NullFloat64
			var created, updated int64
			if err := rows.Scan(&p.ID, &p.FilerID, &p.OwnerID, &p.Enterprise, &p.Category, &p.Team, &p.Description, &lat, &lon,
				&p.Status, &p.Due, &created, &updated); err != nil {
				return err
			}
			if lat.Valid && lon.Valid {
				p.Latitude, p.Longitude = &lat.Float64, &lon.Float64
			}
			p.CreatedAt, p.UpdatedAt = decTime(created), decTime(updated)
			ps = append(ps, &p)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find problems: %w", err)
	}
	if len(ps) == 0 {
		return ps, nil
	}
	photos, err := loadAttachments(ctx, tx, qs[1], args)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		p.Photos = photos[p.ID]
	}
	return ps, nil
}

// AddProblemEvent applies ev to its problem with Problem.Apply, appends it
// and updates the problem, in one transaction, and returns the problem as
// it now stands. It fills ev.ID and ev.CreatedAt.
func (db *DB) AddProblemEvent(ctx context.Context, ev *campaignbot.ProblemEvent) (*campaignbot.Problem, error) {
	if err := checkAttachments(ev.Attachments); err != nil {
		return nil, err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	p, err := findProblemByID(ctx, tx, ev.ProblemID)
	if err != nil {
		return nil, err
	}
	if err := p.Apply(ev); err != nil {
		return nil, err
	}
	p.UpdatedAt = tx.now
	if _, err := tx.ExecContext(ctx, qUpdateProblem,
		nullID(p.OwnerID), string(p.Status), encTime(p.UpdatedAt), p.ID); err != nil {
		return nil, constraintErr(err, "update problem")
	}
	if err := insertProblemEvent(ctx, tx, ev); err != nil {
		return nil, err
	}
	if err := tx.commit(); err != nil {
		return nil, err
	}
	return p, nil
}

// Frequent statements of AddProblemEvent.
const (
	qUpdateProblem      = `UPDATE problems SET owner_id = ?, status = ?, updated_at = ? WHERE id = ?`
	qInsertProblemEvent = `INSERT INTO problem_events (problem_id, kind, actor_id, owner_id, text, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`
)

// insertProblemEvent appends ev with its attachments, stamped now.
func insertProblemEvent(ctx context.Context, tx *Tx, ev *campaignbot.ProblemEvent) error {
	ev.CreatedAt = tx.now
	if err := tx.QueryRowContext(ctx, qInsertProblemEvent,
		ev.ProblemID, string(ev.Kind), ev.ActorID, nullID(ev.OwnerID), ev.Text, encTime(ev.CreatedAt)).Scan(&ev.ID); err != nil {
		return constraintErr(err, "append problem event")
	}
	return insertAttachments(ctx, tx, "problem_event_attachments", "event_id", ev.ID, ev.Attachments)
}

// FindProblemEvents returns the events of a problem in order;
// ENOTFOUND if the problem does not exist.
func (db *DB) FindProblemEvents(ctx context.Context, problemID int64) ([]*campaignbot.ProblemEvent, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM problems WHERE id = ? AND campaign_id = ?`, problemID, tx.campaign).Scan(&n); err != nil {
		return nil, fmt.Errorf("find problem: %w", err)
	}
	if n == 0 {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "problem %d not found", problemID)
	}
	return findProblemEvents(ctx, tx, `problem_id = ?`, []any{problemID})
}

func findProblemEvents(ctx context.Context, tx *Tx, cond string, args []any) ([]*campaignbot.ProblemEvent, error) {
	var evs []*campaignbot.ProblemEvent
	err := eachRow(ctx, tx, `SELECT id, problem_id, kind, actor_id, COALESCE(owner_id, 0), text, created_at FROM problem_events
		WHERE `+cond+` ORDER BY id`, args,
		func(rows *sql.Rows) error {
			var ev campaignbot.ProblemEvent
			var at int64
			if err := rows.Scan(&ev.ID, &ev.ProblemID, &ev.Kind, &ev.ActorID, &ev.OwnerID, &ev.Text, &at); err != nil {
				return err
			}
			ev.CreatedAt = decTime(at)
			evs = append(evs, &ev)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find problem events: %w", err)
	}
	if len(evs) == 0 {
		return evs, nil
	}
	atts, err := loadAttachments(ctx, tx, loadAttachmentsQuery("problem_event_attachments", "event_id", `SELECT id FROM problem_events WHERE `+cond), args)
	if err != nil {
		return nil, err
	}
	for _, ev := range evs {
		ev.Attachments = atts[ev.ID]
	}
	return evs, nil
}

// validLedgerStatus reports whether s is a ledger status.
func validLedgerStatus(s campaignbot.LedgerStatus) bool {
	switch s {
	case campaignbot.LedgerOpen, campaignbot.LedgerInProgress, campaignbot.LedgerDone, campaignbot.LedgerOngoing:
		return true
	}
	return false
}

// CreateLedgerItem stores a rectification item and fills ID, CreatedAt,
// UpdatedAt and Status (open unless set), with its created event. A due
// date before today is EINVALID.
func (db *DB) CreateLedgerItem(ctx context.Context, it *campaignbot.LedgerItem) error {
	if it.Status == "" {
		it.Status = campaignbot.LedgerOpen
	}
	if err := checkLedgerItem(it); err != nil {
		return err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if it.Due < tx.today() {
		return campaignbot.Errorf(campaignbot.EINVALID, "the due date %s is in the past", it.Due)
	}
	it.CreatedAt, it.UpdatedAt = tx.now, tx.now
	if err := tx.QueryRowContext(ctx, `INSERT INTO ledger_items (campaign_id, what, measure, leader_id, department_id, owner_id, due, status, evidence, remark,
		problem_id, submission_id, point, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tx.campaign, it.What, it.Measure, nullID(it.LeaderID), nullID(it.DepartmentID), nullID(it.OwnerID), int64(it.Due), string(it.Status), it.Evidence, it.Remark,
		nullID(it.ProblemID), nullID(it.SubmissionID), it.Point, encTime(it.CreatedAt), encTime(it.UpdatedAt)).Scan(&it.ID); err != nil {
		return constraintErr(err, "create ledger item")
	}
	if err := addLedgerEvent(ctx, tx, it.ID, campaignbot.LedgerCreated, it.ActorID, it.What); err != nil {
		return err
	}
	return tx.commit()
}

func checkLedgerItem(it *campaignbot.LedgerItem) error {
	if strings.TrimSpace(it.What) == "" {
		return campaignbot.Errorf(campaignbot.EINVALID, "a rectification item needs a description")
	}
	if !validLedgerStatus(it.Status) {
		return campaignbot.Errorf(campaignbot.EINVALID, "unknown ledger status %q", it.Status)
	}
	return nil
}

// addLedgerEvent records one change of item id.
func addLedgerEvent(ctx context.Context, tx *Tx, id int64, kind string, by int64, text string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_events (item_id, kind, actor_id, text, created_at) VALUES (?, ?, ?, ?, ?)`,
		id, kind, nullID(by), text, encTime(tx.now)); err != nil {
		return constraintErr(err, "record ledger event")
	}
	return nil
}

// UpdateLedgerItem stores every field of it but the creation time, fills
// UpdatedAt, and records what changed as an edited event; ENOTFOUND if
// there is no such item. Moving the due date before today is EINVALID.
func (db *DB) UpdateLedgerItem(ctx context.Context, it *campaignbot.LedgerItem) error {
	if err := checkLedgerItem(it); err != nil {
		return err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	olds, err := findLedgerItems(ctx, tx, "id = ?", it.ID)
	if err != nil {
		return err
	}
	if len(olds) == 0 {
		return campaignbot.Errorf(campaignbot.ENOTFOUND, "rectification item %d not found", it.ID)
	}
	old := olds[0]
	if it.Due != old.Due && it.Due < tx.today() {
		return campaignbot.Errorf(campaignbot.EINVALID, "the due date %s is in the past", it.Due)
	}
	it.CreatedAt, it.UpdatedAt = old.CreatedAt, tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE ledger_items SET what = ?, measure = ?, leader_id = ?, department_id = ?, owner_id = ?, due = ?,
		status = ?, evidence = ?, remark = ?, problem_id = ?, submission_id = ?, point = ?, updated_at = ? WHERE id = ?`,
		it.What, it.Measure, nullID(it.LeaderID), nullID(it.DepartmentID), nullID(it.OwnerID), int64(it.Due),
		string(it.Status), it.Evidence, it.Remark, nullID(it.ProblemID), nullID(it.SubmissionID), it.Point, encTime(it.UpdatedAt), it.ID); err != nil {
		return constraintErr(err, "update ledger item")
	}
	if diff := ledgerDiff(old, it); diff != "" {
		if err := addLedgerEvent(ctx, tx, it.ID, campaignbot.LedgerEdited, it.ActorID, diff); err != nil {
			return err
		}
	}
	return tx.commit()
}

// ledgerDiff says which fields changed from a to b, as "field: old → new"
// lines (people and departments by id).
func ledgerDiff(a, b *campaignbot.LedgerItem) string {
	var lines []string
	add := func(field string, x, y any) {
		if x != y {
			lines = append(lines, fmt.Sprintf("%s: %v → %v", field, x, y))
		}
	}
	add("what", a.What, b.What)
	add("measure", a.Measure, b.Measure)
	add("leader", a.LeaderID, b.LeaderID)
	add("department", a.DepartmentID, b.DepartmentID)
	add("owner", a.OwnerID, b.OwnerID)
	add("due", a.Due, b.Due)
	add("status", a.Status, b.Status)
	add("evidence", a.Evidence, b.Evidence)
	add("remark", a.Remark, b.Remark)
	return strings.Join(lines, "\n")
}

// RemoveLedgerItem deletes item id and records a removed event with the
// item as it was and why; ENOTFOUND if there is no such item.
func (db *DB) RemoveLedgerItem(ctx context.Context, id, by int64, why string) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	olds, err := findLedgerItems(ctx, tx, "id = ?", id)
	if err != nil {
		return err
	}
	if len(olds) == 0 {
		return campaignbot.Errorf(campaignbot.ENOTFOUND, "rectification item %d not found", id)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM ledger_items WHERE id = ?`, id); err != nil {
		return fmt.Errorf("remove ledger item: %w", err)
	}
	text := olds[0].What
	if why = strings.TrimSpace(why); why != "" {
		text += "\n" + why
	}
	if err := addLedgerEvent(ctx, tx, id, campaignbot.LedgerRemoved, by, text); err != nil {
		return err
	}
	return tx.commit()
}

// FindLedgerEvents returns the changes of item id, oldest first.
func (db *DB) FindLedgerEvents(ctx context.Context, itemID int64) ([]*campaignbot.LedgerEvent, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var evs []*campaignbot.LedgerEvent
	err = eachRow(ctx, tx, `SELECT id, item_id, kind, COALESCE(actor_id, 0), text, created_at FROM ledger_events WHERE item_id = ? ORDER BY id`,
		[]any{itemID}, func(rows *sql.Rows) error {
			var ev campaignbot.LedgerEvent
			var at int64
			if err := rows.Scan(&ev.ID, &ev.ItemID, &ev.Kind, &ev.ActorID, &ev.Text, &at); err != nil {
				return err
			}
			ev.CreatedAt = decTime(at)
			evs = append(evs, &ev)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find ledger events: %w", err)
	}
	return evs, nil
}

// FindLedgerItems returns the ledger ordered by due day and id.
func (db *DB) FindLedgerItems(ctx context.Context) ([]*campaignbot.LedgerItem, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findLedgerItems(ctx, tx, "1 = 1")
}

// findLedgerItems returns the items of tx's campaign matching where, by due
// day.
func findLedgerItems(ctx context.Context, tx *Tx, where string, args ...any) ([]*campaignbot.LedgerItem, error) {
	var its []*campaignbot.LedgerItem
	args = append([]any{tx.campaign}, args...)
	err := eachRow(ctx, tx, `SELECT id, what, measure, COALESCE(leader_id, 0), COALESCE(department_id, 0), COALESCE(owner_id, 0), due, status,
		evidence, remark, COALESCE(problem_id, 0), COALESCE(submission_id, 0), point, created_at, updated_at
		FROM ledger_items WHERE campaign_id = ? AND (`+where+`) ORDER BY due, id`, args,
		func(rows *sql.Rows) error {
			var it campaignbot.LedgerItem
			var created, updated int64
			if err := rows.Scan(&it.ID, &it.What, &it.Measure, &it.LeaderID, &it.DepartmentID, &it.OwnerID, &it.Due, &it.Status,
				&it.Evidence, &it.Remark, &it.ProblemID, &it.SubmissionID, &it.Point, &created, &updated); err != nil {
				return err
			}
			it.CreatedAt, it.UpdatedAt = decTime(created), decTime(updated)
			its = append(its, &it)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find ledger items: %w", err)
	}
	return its, nil
}
