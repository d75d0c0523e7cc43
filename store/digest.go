package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"campaignbot"
)

// FindAllAccounts returns every bound chat account.
func (db *DB) FindAllAccounts(ctx context.Context) ([]*campaignbot.Account, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findAccounts(ctx, tx, "1 = 1")
}

// FindSubmissionRecordsAfter returns the records of the current campaign's
// submissions with ID greater than afterID, in ID order, whatever their
// review state, numbering their tasks in keys: the result's keys begin with
// the ones given, so records read before keep their numbers. A new
// campaign's submissions have greater IDs than the closed ones', but a
// caller that keeps records must drop them when the campaign changes (a new
// campaign brings a new plan).
//
// A large range is read in parts side by side, one read connection and one
// core each: reading a row costs about 1 µs in modernc.org/sqlite, and the
// first digest and reminders after a start at 2,000,000 submissions must
// take under 3 s (SPEC §10). Submissions are only appended and never
// deleted, so rows up to the maximum ID read first are all committed, and
// each part is a plain range read.
func (db *DB) FindSubmissionRecordsAfter(ctx context.Context, afterID int64, keys campaignbot.TaskKeys) ([]campaignbot.SubmissionRecord, campaignbot.TaskKeys, error) {
	var maxID, campaign int64
	if err := db.read(ctx, func(tx *Tx) error {
		campaign = tx.campaign
		return tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM submissions WHERE campaign_id = ?`, campaign).Scan(&maxID)
	}); err != nil {
		return nil, keys, fmt.Errorf("find submission records: %w", err)
	}
	if maxID <= afterID {
		return nil, keys, nil
	}
	// Sized once from the ID range: growing 2,000,000 records by doubling
	// would copy them over and over and hold twice the memory. Part i reads
	// IDs (lo, hi] into rs[lo-afterID : hi-afterID], which holds them all.
	rs := make([]campaignbot.SubmissionRecord, maxID-afterID)
	parts := 1
	if _, inTx := ctx.Value(txKey{}).(*Tx); !inTx && maxID-afterID >= db.recordsPerPart {
		parts = min(runtime.GOMAXPROCS(0), int((maxID-afterID)/db.recordsPerPart))
	}
	bounds := make([]int64, parts+1)
	for i := range bounds {
		bounds[i] = afterID + (maxID-afterID)*int64(i)/int64(parts)
	}
	got := make([]int, parts)
	errs := make([]error, parts)
	num := &keyNumbers{keys: slices.Clip(keys)}
	var wg sync.WaitGroup
	for i := range parts {
		wg.Go(func() {
			lo, hi := bounds[i], bounds[i+1]
			errs[i] = db.read(ctx, func(tx *Tx) error {
				var err error
				got[i], err = readRecords(ctx, tx, campaign, lo, hi, rs[lo-afterID:hi-afterID], num)
				return err
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, keys, fmt.Errorf("find submission records: %w", err)
	}
	// Close the gaps that missing IDs left at the end of each part.
	n := 0
	for i := range parts {
		lo := bounds[i] - afterID
		n += copy(rs[n:], rs[lo:lo+int64(got[i])])
	}
	return rs[:n:n], num.keys, nil
}

// keyNumbers numbers task keys for the parts of a read side by side.
type keyNumbers struct {
	mu   sync.Mutex
	keys campaignbot.TaskKeys
}

func (k *keyNumbers) number(key string) int32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keys.Number(key)
}

// readRecords reads the records of campaign's submissions with IDs in
// (lo, hi] into part, in ID order, and returns how many it read. The
// campaign is the one the first read saw, whichever a later part's
// transaction would see.
func readRecords(ctx context.Context, tx *Tx, campaign, lo, hi int64, part []campaignbot.SubmissionRecord, keys *keyNumbers) (int, error) {
	n := 0
	seen := map[string]int32{} // the keys numbered, without keys' lock
	var (
		key                      sql.RawBytes
		id, person, dept, at, wk intColumn
	)
	err := eachRow(ctx, tx, `SELECT id, task_key, person_id, department_id, submitted_at, week FROM submissions
		WHERE campaign_id = ? AND id > ? AND id <= ? ORDER BY id`, []any{campaign, lo, hi},
		func(rows *sql.Rows) error {
			if err := rows.Scan(&id, &key, &person, &dept, &at, &wk); err != nil {
				return err
			}
			task, ok := seen[string(key)]
			if !ok {
				task = keys.number(string(key))
				seen[string(key)] = task
			}
			part[n] = campaignbot.SubmissionRecord{ID: int64(id), PersonID: int64(person), DepartmentID: int64(dept),
				Day: campaignbot.DateOf(decTime(int64(at)), tx.db.loc), Week: campaignbot.Date(wk), Task: task}
			n++
			return nil
		})
	return n, err
}

// intColumn scans an integer column, NULL as 0, for the bulk reads of
// SPEC §10's largest organisation: scanning into an *int64 goes through
// database/sql's reflection for every value, and a NULL left as NULL costs
// the driver one call less than a COALESCE's 0.
type intColumn int64

// Scan implements sql.Scanner.
func (v *intColumn) Scan(src any) error {
	switch i := src.(type) {
	case int64:
		*v = intColumn(i)
	case nil:
		*v = 0
	default:
		return fmt.Errorf("integer column holds %T", src)
	}
	return nil
}

// read runs fn in a read transaction (the caller's, when ctx carries one).
func (db *DB) read(ctx context.Context, fn func(*Tx) error) error {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// FindReturnedSubmissionIDs returns the IDs of versions returned for revision.
// Here and below +campaign_id keeps the campaign a filter on the partial
// index of the state, which holds few rows, not an index of its own.
func (db *DB) FindReturnedSubmissionIDs(ctx context.Context) ([]int64, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ids, err := queryIDs(ctx, tx, `SELECT id FROM submissions WHERE +campaign_id = ? AND state = 'returned' ORDER BY id`, tx.campaign)
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
		FROM submissions WHERE +campaign_id = ? AND state = 'submitted' ORDER BY id`, []any{tx.campaign}, func(rows *sql.Rows) error {
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

// FindSurveyParticipation returns who took part in which survey.
func (db *DB) FindSurveyParticipation(ctx context.Context) ([]campaignbot.SurveyTaken, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findSurveyParticipation(ctx, tx, `1 = 1`)
}

// findSurveyParticipation reads the participation rows of tx's campaign
// that cond selects.
func findSurveyParticipation(ctx context.Context, tx *Tx, cond string, args ...any) ([]campaignbot.SurveyTaken, error) {
	var ts []campaignbot.SurveyTaken
	err := eachRow(ctx, tx, `SELECT survey_key, person_id FROM survey_participation WHERE campaign_id = ? AND (`+cond+`)`, append([]any{tx.campaign}, args...), func(rows *sql.Rows) error {
		var t campaignbot.SurveyTaken
		if err := rows.Scan(&t.SurveyKey, &t.PersonID); err != nil {
			return err
		}
		ts = append(ts, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find survey participation: %w", err)
	}
	return ts, nil
}

// CountSurveyParticipants counts the people who answered each survey.
func (db *DB) CountSurveyParticipants(ctx context.Context) (map[string]int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	n := map[string]int{}
	err = eachRow(ctx, tx, `SELECT survey_key, COUNT(*) FROM survey_participation WHERE campaign_id = ? GROUP BY survey_key`, []any{tx.campaign}, func(rows *sql.Rows) error {
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

// findAllPeople reads people, roles, departments in charge and unreachable
// platforms in their tables' key order, which groups rows by person, and
// hands out the people and their lists from a few large allocations.
func findAllPeople(ctx context.Context, tx *Tx) ([]*campaignbot.Person, error) {
	depts := map[int64]string{}
	var id int64
	var name string
	err := eachRow(ctx, tx, `SELECT id, name FROM departments`, nil, func(rows *sql.Rows) error {
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		depts[id] = name
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Sized once: at 100,000 people, growing by doubling copied the
	// people over and over, a third of the read (SPEC §10, a later
	// digest at 100,000 people in under 1 s).
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE removed_at IS NULL`).Scan(&n); err != nil {
		return nil, err
	}
	all := make([]campaignbot.Person, 0, n)
	var p campaignbot.Person
	var pid, dept, created, updated intColumn
	err = eachRow(ctx, tx, `SELECT id, external_id, name, department_id, telegram, wecom, team, created_at, updated_at FROM people WHERE removed_at IS NULL ORDER BY id`, nil,
		func(rows *sql.Rows) error {
			if err := rows.Scan(&pid, &p.ExternalID, &p.Name, &dept, &p.Telegram, &p.WeCom, &p.Team, &created, &updated); err != nil {
				return err
			}
			var ok bool
			p.ID, p.DepartmentID = int64(pid), int64(dept)
			if p.Department, ok = depts[p.DepartmentID]; ok { // as FindPeople's join
				p.CreatedAt, p.UpdatedAt = decTime(int64(created)), decTime(int64(updated))
				all = append(all, p)
			}
			return nil
		})
	if err != nil || len(all) == 0 {
		return nil, err
	}
	ps := make([]*campaignbot.Person, len(all))
	for i := range all {
		ps[i] = &all[i]
	}
	// find returns the person with id; the rows of each list come in ID
	// order, so the search only moves forward.
	at := 0
	find := func(id int64) *campaignbot.Person {
		for at < len(all) && all[at].ID < id {
			at++
		}
		if at < len(all) && all[at].ID == id {
			return &all[at]
		}
		return nil
	}
	var roles []campaignbot.RoleGrant
	var role sql.RawBytes
	var person, since intColumn
	names := map[string]campaignbot.Role{} // a few roles: one string each
	type span struct {
		p        *campaignbot.Person
		from, to int
	}
	var spans []span
	err = eachRow(ctx, tx, `SELECT person_id, role, since FROM person_roles ORDER BY person_id`, nil, func(rows *sql.Rows) error {
		if err := rows.Scan(&person, &role, &since); err != nil {
			return err
		}
		p := find(int64(person))
		if p == nil {
			return nil
		}
		if len(spans) == 0 || spans[len(spans)-1].p != p {
			spans = append(spans, span{p, len(roles), len(roles)})
		}
		r, ok := names[string(role)]
		if !ok {
			r = campaignbot.Role(role)
			names[string(r)] = r
		}
		roles = append(roles, campaignbot.RoleGrant{Role: r, Since: campaignbot.Date(since)})
		spans[len(spans)-1].to = len(roles)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, s := range spans {
		s.p.Roles = roles[s.from:s.to:s.to]
		// By day granted, then role, as FindPeople orders them.
		slices.SortFunc(s.p.Roles, func(x, y campaignbot.RoleGrant) int {
			return cmp.Or(cmp.Compare(x.Since, y.Since), cmp.Compare(x.Role, y.Role))
		})
	}
	at = 0
	err = eachRow(ctx, tx, `SELECT person_id, department_id FROM person_in_charge ORDER BY person_id, department_id`, nil, func(rows *sql.Rows) error {
		var dept int64
		if err := rows.Scan(&id, &dept); err != nil {
			return err
		}
		if p := find(id); p != nil {
			p.InChargeOf = append(p.InChargeOf, dept)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	at = 0
	err = eachRow(ctx, tx, `SELECT person_id, platform FROM person_unreachable ORDER BY person_id, platform`, nil, func(rows *sql.Rows) error {
		var pl string
		if err := rows.Scan(&id, &pl); err != nil {
			return err
		}
		if p := find(id); p != nil {
			p.Unreachable = append(p.Unreachable, campaignbot.Platform(pl))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ps, nil
}
