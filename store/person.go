package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"campaignbot"
)

// ImportRoster creates or updates every entry in one transaction. A
// person is found by the entry's id (工号), else its WeCom UserID, else its
// name (SPEC §7); a removed person listed again comes back. A person's
// department is the first of Departments; roles they already hold keep
// their since day, new ones start today, and roles no longer listed are
// removed. A leader with no InChargeOf is in charge of their own
// department. A department with two leaders in charge in one import, or an
// InChargeOf naming a department neither the file nor the store knows, is
// EINVALID; a later import moves the department to its new leader (see
// PlanRoster). The WeCom UserID binds the person's WeCom account at once:
// WeCom authenticates it, so no invite is needed there (SPEC §4).
func (db *DB) ImportRoster(ctx context.Context, entries []campaignbot.RosterEntry) (created, updated int, err error) {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()

	if err := checkRoster(entries); err != nil {
		return 0, 0, err
	}
	if err := checkInCharge(ctx, tx, entries); err != nil {
		return 0, 0, err
	}
	ids, err := resolveEntries(ctx, tx, entries)
	if err != nil {
		return 0, 0, err
	}
	depts := map[string]int64{} // ids of departments ensured so far
	for i := range entries {
		isNew, err := importEntry(ctx, tx, &entries[i], depts, ids[i])
		if err != nil {
			return 0, 0, err
		}
		if isNew {
			created++
		} else {
			updated++
		}
	}
	if err := tx.commit(); err != nil {
		return 0, 0, err
	}
	return created, updated, nil
}

// RosterChange is a change an import would make to people the file does
// not list: a department taken from its leader in charge.
type RosterChange struct {
	Department string
	From, To   string // the leader in charge before and after
}

// PlanRoster returns the changes ImportRoster would make to people the
// entries do not list, so that a partial file cannot take a department
// from its leader unnoticed (SPEC §7).
func (db *DB) PlanRoster(ctx context.Context, entries []campaignbot.RosterEntry) ([]RosterChange, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ids, err := resolveEntries(ctx, tx, entries)
	if err != nil {
		return nil, err
	}
	listed := map[int64]bool{}
	for _, id := range ids {
		listed[id] = true
	}
	var changes []RosterChange
	for i := range entries {
		e := &entries[i]
		for _, d := range inCharge(e) {
			err := eachRow(ctx, tx, `SELECT p.id, p.name FROM person_in_charge c
				JOIN departments d ON d.id = c.department_id JOIN people p ON p.id = c.person_id
				WHERE d.name = ? AND p.removed_at IS NULL ORDER BY p.id`, []any{d},
				func(rows *sql.Rows) error {
					var id int64
					var name string
					if err := rows.Scan(&id, &name); err != nil {
						return err
					}
					if !listed[id] {
						changes = append(changes, RosterChange{Department: d, From: name, To: e.Name})
					}
					return nil
				})
			if err != nil {
				return nil, fmt.Errorf("plan roster: %w", err)
			}
		}
	}
	return changes, nil
}

// entryLabel names an entry in error messages.
func entryLabel(e *campaignbot.RosterEntry) string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d", e.Line)
	}
	return fmt.Sprintf("entry %q", e.Name)
}

// entryKey is what identifies an entry's person: id, else WeCom UserID,
// else name (SPEC §7).
func entryKey(e *campaignbot.RosterEntry) string {
	switch {
	case e.ID != "":
		return "id " + e.ID
	case e.WeCom != "":
		return "wecom " + e.WeCom
	}
	return e.Name
}

// inCharge returns the departments e's person is in charge of.
func inCharge(e *campaignbot.RosterEntry) []string {
	if len(e.InChargeOf) == 0 && slices.Contains(e.Roles, campaignbot.RoleLeader) && len(e.Departments) > 0 {
		return e.Departments[:1]
	}
	return e.InChargeOf
}

// checkRoster validates entries before anything is written.
func checkRoster(entries []campaignbot.RosterEntry) error {
	keys := map[string]string{}
	leaders := map[string]string{}
	for i := range entries {
		e := &entries[i]
		at := entryLabel(e)
		if strings.TrimSpace(e.Name) == "" {
			return campaignbot.Errorf(campaignbot.EINVALID, "%s: name is empty", at)
		}
		if prev, ok := keys[entryKey(e)]; ok {
			return campaignbot.Errorf(campaignbot.EINVALID, "%s: %s is already listed at %s", at, entryKey(e), prev)
		}
		keys[entryKey(e)] = at
		if len(e.Departments) == 0 || strings.TrimSpace(e.Departments[0]) == "" {
			return campaignbot.Errorf(campaignbot.EINVALID, "%s: department is empty", at)
		}
		for _, d := range slices.Concat(e.Departments, e.InChargeOf) {
			if strings.TrimSpace(d) == "" {
				return campaignbot.Errorf(campaignbot.EINVALID, "%s: a department name is empty", at)
			}
		}
		if len(e.Roles) == 0 {
			return campaignbot.Errorf(campaignbot.EINVALID, "%s: no role", at)
		}
		for _, r := range e.Roles {
			if !r.Valid() {
				return campaignbot.Errorf(campaignbot.EINVALID, "%s: unknown role %q", at, r)
			}
		}
		for _, d := range inCharge(e) {
			if prev, ok := leaders[d]; ok && prev != at {
				return campaignbot.Errorf(campaignbot.EINVALID, "%s: department %s already has a leader in charge at %s", at, d, prev)
			}
			leaders[d] = at
		}
	}
	return nil
}

// checkInCharge refuses an in_charge_of naming a department that is
// nobody's in the file and unknown to the store: a typo (项目课 for 项目科)
// would otherwise create a department nobody belongs to.
func checkInCharge(ctx context.Context, tx *Tx, entries []campaignbot.RosterEntry) error {
	known := map[string]bool{}
	var names []string
	add := func(n string) {
		if !known[n] {
			known[n] = true
			names = append(names, n)
		}
	}
	for i := range entries {
		for _, d := range entries[i].Departments {
			add(d)
		}
	}
	err := eachRow(ctx, tx, `SELECT name FROM departments ORDER BY name`, nil, func(rows *sql.Rows) error {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		add(n)
		return nil
	})
	if err != nil {
		return fmt.Errorf("check departments: %w", err)
	}
	for i := range entries {
		e := &entries[i]
		for _, d := range e.InChargeOf {
			if known[d] {
				continue
			}
			if near := campaignbot.Closest(d, names, max(1, len([]rune(d))/2)); near != "" {
				return campaignbot.Errorf(campaignbot.EINVALID, "%s: in_charge_of names %s, which is no department; did you mean %s?", entryLabel(e), d, near)
			}
			return campaignbot.Errorf(campaignbot.EINVALID, "%s: in_charge_of names %s, which is no department", entryLabel(e), d)
		}
	}
	return nil
}

// Statements of ImportRoster and CreateInvite, run once per person.
const (
	qInsertPerson = `INSERT INTO people (external_id, name, department_id, telegram, wecom, team, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	qUpdatePerson = `UPDATE people SET external_id = ?, name = ?, department_id = ?, telegram = ?, wecom = ?, team = ?,
			updated_at = ?, removed_at = NULL WHERE id = ?`
	qGrantRole = `INSERT INTO person_roles (person_id, role, since) VALUES (?, ?, ?)
			ON CONFLICT (person_id, role) DO NOTHING`
	qClearInCharge    = `DELETE FROM person_in_charge WHERE person_id = ?`
	qFreeDepartment   = `DELETE FROM person_in_charge WHERE department_id = ?`
	qSetInCharge      = `INSERT INTO person_in_charge (person_id, department_id) VALUES (?, ?)`
	qEnsureDepartment = `INSERT INTO departments (name) VALUES (?)
		ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id`
	qInsertInvite = `INSERT INTO invites (code, person_id, created_at, expires_at) VALUES (?, ?, ?, ?)`
	qRevokeRole   = `DELETE FROM person_roles WHERE person_id = ? AND role = ?`
	// The roster's UserID is the person's one WeCom account.
	qDropOtherWeCom = `DELETE FROM accounts WHERE person_id = ? AND platform = 'wecom' AND account_id <> ?`
	qBindWeCom      = `INSERT INTO accounts (platform, account_id, chat_id, person_id, bound_at) VALUES ('wecom', ?, ?, ?, ?)
		ON CONFLICT (platform, account_id) DO UPDATE SET chat_id = excluded.chat_id, person_id = excluded.person_id,
		bound_at = CASE WHEN accounts.person_id = excluded.person_id THEN accounts.bound_at ELSE excluded.bound_at END`
)

// resolveEntries returns the id of the person each entry names, 0 for a
// new person: by id (工号), else by WeCom UserID, in a first pass; then, for
// the rest, by name among people with no id of their own whom no other
// entry named (so a roster that adds the id column later, or changes a
// UserID, finds them; and two 王芳 of one file stay two). Two such people
// of the entry's name is EINVALID.
func resolveEntries(ctx context.Context, tx *Tx, entries []campaignbot.RosterEntry) ([]int64, error) {
	ids := make([]int64, len(entries))
	claimed := map[int64]bool{}
	for i := range entries {
		e := &entries[i]
		var found []int64
		var err error
		if e.ID != "" {
			found, err = queryIDs(ctx, tx, `SELECT id FROM people WHERE external_id = ?`, e.ID)
		}
		if err == nil && len(found) == 0 && e.WeCom != "" {
			found, err = queryIDs(ctx, tx, `SELECT id FROM people WHERE wecom = ? AND (external_id = '' OR external_id = ?)
				ORDER BY removed_at IS NOT NULL, id`, e.WeCom, e.ID)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: find person: %w", entryLabel(e), err)
		}
		if len(found) > 0 && !claimed[found[0]] {
			ids[i], claimed[found[0]] = found[0], true
		}
	}
	for i := range entries {
		e := &entries[i]
		if ids[i] != 0 {
			continue
		}
		// An entry without a UserID is not the person who has one. Someone
		// on the roster comes first; else the one person of that name taken
		// off it comes back, with what they submitted.
		var found []int64
		for _, removed := range []string{"IS NULL", "IS NOT NULL"} {
			var err error
			found, err = queryIDs(ctx, tx, `SELECT id FROM people WHERE name = ? AND external_id = '' AND (wecom = '' OR ? <> '')
				AND removed_at `+removed+` ORDER BY id`, e.Name, e.WeCom)
			if err != nil {
				return nil, fmt.Errorf("%s: find person: %w", entryLabel(e), err)
			}
			found = slices.DeleteFunc(found, func(id int64) bool { return claimed[id] })
			if len(found) > 0 {
				break
			}
		}
		switch len(found) {
		case 0:
		case 1:
			ids[i], claimed[found[0]] = found[0], true
		default:
			return nil, campaignbot.Errorf(campaignbot.EINVALID, "%s: %d people are named %s; give each an id (工号) or WeCom UserID",
				entryLabel(e), len(found), e.Name)
		}
	}
	return ids, nil
}

// importEntry stores one roster entry as person id (0: a new person) and
// reports whether it was new.
func importEntry(ctx context.Context, tx *Tx, e *campaignbot.RosterEntry, deptIDs map[string]int64, id int64) (bool, error) {
	at := entryLabel(e)
	for _, name := range slices.Concat(e.Departments, e.InChargeOf) {
		if deptIDs[name] != 0 {
			continue
		}
		id, err := ensureDepartment(ctx, tx, name)
		if err != nil {
			return false, fmt.Errorf("%s: %w", at, err)
		}
		deptIDs[name] = id
	}

	return storeEntry(ctx, tx, e, deptIDs, id)
}

// storeEntry stores e as person id, or as a new person when id is 0, and
// reports whether it was new; deptIDs holds e's departments.
func storeEntry(ctx context.Context, tx *Tx, e *campaignbot.RosterEntry, deptIDs map[string]int64, id int64) (bool, error) {
	at := entryLabel(e)
	isNew := id == 0
	var err error
	if isNew {
		err = tx.QueryRowContext(ctx, qInsertPerson, e.ID, e.Name, deptIDs[e.Departments[0]], e.Telegram, e.WeCom, e.Team,
			encTime(tx.now), encTime(tx.now)).Scan(&id)
		if err != nil {
			return false, constraintErr(err, at+": insert person")
		}
	} else if _, err := tx.ExecContext(ctx, qUpdatePerson, e.ID, e.Name, deptIDs[e.Departments[0]], e.Telegram, e.WeCom, e.Team,
		encTime(tx.now), id); err != nil {
		return false, constraintErr(err, at+": update person")
	}

	if _, err := tx.ExecContext(ctx, qDropOtherWeCom, id, e.WeCom); err != nil {
		return false, fmt.Errorf("%s: replace WeCom account: %w", at, err)
	}
	if e.WeCom != "" {
		if _, err := tx.ExecContext(ctx, qBindWeCom, e.WeCom, e.WeCom, id, encTime(tx.now)); err != nil {
			return false, constraintErr(err, at+": bind WeCom account")
		}
	}

	// Roles: keep the since day of roles already held.
	for _, r := range e.Roles {
		if _, err := tx.ExecContext(ctx, qGrantRole, id, string(r), int64(tx.today())); err != nil {
			return false, constraintErr(err, at+": grant role")
		}
	}
	if !isNew {
		for _, r := range campaignbot.AllRoles {
			if slices.Contains(e.Roles, r) {
				continue
			}
			if _, err := tx.ExecContext(ctx, qRevokeRole, id, string(r)); err != nil {
				return false, fmt.Errorf("%s: remove role: %w", at, err)
			}
		}
	}

	// Departments in charge: replace the set. Who leads a department is
	// read from person_in_charge alone (campaignbot.LeadersInCharge).
	if !isNew {
		if _, err := tx.ExecContext(ctx, qClearInCharge, id); err != nil {
			return false, fmt.Errorf("%s: clear in charge: %w", at, err)
		}
	}
	for _, name := range inCharge(e) {
		did := deptIDs[name]
		// One leader in charge per department: the newest import wins.
		if _, err := tx.ExecContext(ctx, qFreeDepartment, did); err != nil {
			return false, fmt.Errorf("%s: move department: %w", at, err)
		}
		if _, err := tx.ExecContext(ctx, qSetInCharge, id, did); err != nil {
			return false, constraintErr(err, at+": set in charge")
		}
	}
	return isNew, nil
}

// RemovePeople takes the people from the roster as removePerson does:
// they get no more prompts, their chat accounts, roles and invites go, and
// the departments they were in charge of have no leader until one is
// imported. What they submitted stays. Each of who is an id (工号), a WeCom UserID or a name
// that only one person has; nothing is removed unless all are found.
func (db *DB) RemovePeople(ctx context.Context, who []string) ([]*campaignbot.Person, error) {
	var removed []*campaignbot.Person
	err := db.write(ctx, func(ctx context.Context, tx *Tx) error {
		for _, w := range who {
			ids, err := queryIDs(ctx, tx, `SELECT id FROM people WHERE removed_at IS NULL AND (external_id = ? OR wecom = ? OR name = ?) ORDER BY id`, w, w, w)
			if err != nil {
				return fmt.Errorf("find %s: %w", w, err)
			}
			switch len(ids) {
			case 0:
				return campaignbot.Errorf(campaignbot.ENOTFOUND, "no %s in the roster", w)
			case 1:
			default:
				return campaignbot.Errorf(campaignbot.EINVALID, "%d people are %s; name them by id (工号) or WeCom UserID", len(ids), w)
			}
			p, err := removePerson(ctx, tx, ids[0])
			if err != nil {
				return fmt.Errorf("remove %s: %w", w, err)
			}
			removed = append(removed, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return removed, nil
}

// ensureDepartment returns the id of the department, creating it if needed.
func ensureDepartment(ctx context.Context, tx *Tx, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, qEnsureDepartment, name).Scan(&id)
	if err != nil {
		return 0, constraintErr(err, "department "+name)
	}
	return id, nil
}

// FindPersonByID returns the person, ENOTFOUND if there is none.
func (db *DB) FindPersonByID(ctx context.Context, id int64) (*campaignbot.Person, error) {
	return db.findPerson(ctx, campaignbot.PersonFilter{ID: &id}, fmt.Sprintf("person %d not found", id))
}

// FindPersonByName returns the person, ENOTFOUND if there is none.
func (db *DB) FindPersonByName(ctx context.Context, name string) (*campaignbot.Person, error) {
	return db.findPerson(ctx, campaignbot.PersonFilter{Name: &name}, fmt.Sprintf("person %q not found", name))
}

func (db *DB) findPerson(ctx context.Context, f campaignbot.PersonFilter, notFound string) (*campaignbot.Person, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ps, err := findPeople(ctx, tx, f)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "%s", notFound)
	}
	if len(ps) > 1 {
		// Names are not unique (SPEC §7): the first of two 王芳 is a guess.
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "%d people are named %s (%s, %s)", len(ps), ps[0].Name, ps[0].Department, ps[1].Department)
	}
	return ps[0], nil
}

// FindPeople returns the people matching filter, ordered by id.
func (db *DB) FindPeople(ctx context.Context, filter campaignbot.PersonFilter) ([]*campaignbot.Person, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if filter == (campaignbot.PersonFilter{}) {
		// Everyone: by whole-table reads, which cost a fraction of the
		// selection.
		ps, err := findAllPeople(ctx, tx)
		if err != nil {
			return nil, fmt.Errorf("find people: %w", err)
		}
		return ps, nil
	}
	return findPeople(ctx, tx, filter)
}

// findPeople loads people with their roles, departments in charge and
// unreachable platforms in four queries, whatever their number.
func findPeople(ctx context.Context, tx *Tx, f campaignbot.PersonFilter) ([]*campaignbot.Person, error) {
	cond, args := peopleWhere(f)
	qs := findPeopleQueries(cond)
	rows, err := tx.QueryContext(ctx, qs[0], args...)
	if err != nil {
		return nil, fmt.Errorf("find people: %w", err)
	}
	defer rows.Close()
	var ps []*campaignbot.Person
	byID := map[int64]*campaignbot.Person{}
	for rows.Next() {
		var p campaignbot.Person
		var created, updated int64
		if err := rows.Scan(&p.ID, &p.ExternalID, &p.Name, &p.DepartmentID, &p.Department, &p.Telegram, &p.WeCom, &p.Team, &created, &updated); err != nil {
			return nil, fmt.Errorf("find people: %w", err)
		}
		p.CreatedAt, p.UpdatedAt = decTime(created), decTime(updated)
		ps = append(ps, &p)
		byID[p.ID] = &p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find people: %w", err)
	}
	if len(ps) == 0 {
		return ps, nil
	}

	err = eachRow(ctx, tx, qs[1], args,
		func(rows *sql.Rows) error {
			var id int64
			var g campaignbot.RoleGrant
			if err := rows.Scan(&id, &g.Role, &g.Since); err != nil {
				return err
			}
			if p := byID[id]; p != nil {
				p.Roles = append(p.Roles, g)
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find roles: %w", err)
	}
	err = eachRow(ctx, tx, qs[2], args,
		func(rows *sql.Rows) error {
			var id, dept int64
			if err := rows.Scan(&id, &dept); err != nil {
				return err
			}
			if p := byID[id]; p != nil {
				p.InChargeOf = append(p.InChargeOf, dept)
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find departments in charge: %w", err)
	}
	err = eachRow(ctx, tx, qs[3], args,
		func(rows *sql.Rows) error {
			var id int64
			var pl campaignbot.Platform
			if err := rows.Scan(&id, &pl); err != nil {
				return err
			}
			if p := byID[id]; p != nil {
				p.Unreachable = append(p.Unreachable, pl)
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find unreachable: %w", err)
	}
	return ps, nil
}

// peopleWhere returns the condition on people p that f selects.
func peopleWhere(f campaignbot.PersonFilter) (string, []any) {
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != nil {
		// By id, a removed person is found too: their records keep a name.
		where, args = append(where, "p.id = ?"), append(args, *f.ID)
	} else {
		// Removed people stay findable by id, for the submissions and
		// problems that name them, and nowhere else.
		where = append(where, "p.removed_at IS NULL")
	}
	if f.Name != nil {
		where, args = append(where, "p.name = ?"), append(args, *f.Name)
	}
	if f.DepartmentID != nil {
		where, args = append(where, "p.department_id = ?"), append(args, *f.DepartmentID)
	}
	if f.Role != nil {
		where, args = append(where, "EXISTS (SELECT 1 FROM person_roles r WHERE r.person_id = p.id AND r.role = ?)"), append(args, string(*f.Role))
	}
	return strings.Join(where, " AND "), args
}

// findPeopleQueries returns the queries of findPeople for cond: people,
// roles, departments in charge, unreachable platforms.
func findPeopleQueries(cond string) []string {
	sub := "SELECT p.id FROM people p WHERE " + cond
	return []string{
		`SELECT p.id, p.external_id, p.name, p.department_id, d.name, p.telegram, p.wecom, p.team, p.created_at, p.updated_at
		FROM people p JOIN departments d ON d.id = p.department_id
		WHERE ` + cond + ` ORDER BY p.id`,
		`SELECT person_id, role, since FROM person_roles WHERE person_id IN (` + sub + `) ORDER BY person_id, since, role`,
		`SELECT person_id, department_id FROM person_in_charge WHERE person_id IN (` + sub + `) ORDER BY person_id, department_id`,
		`SELECT person_id, platform FROM person_unreachable WHERE person_id IN (` + sub + `) ORDER BY person_id, platform`,
	}
}

// eachRow runs query and calls fn for every row.
func eachRow(ctx context.Context, tx *Tx, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// queryIDs runs a query of one integer column and returns its values.
func queryIDs(ctx context.Context, tx *Tx, query string, args ...any) ([]int64, error) {
	var ids []int64
	err := eachRow(ctx, tx, query, args, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	return ids, err
}

// FindDepartments returns every department, ordered by name.
func (db *DB) FindDepartments(ctx context.Context) ([]*campaignbot.Department, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var ds []*campaignbot.Department
	err = eachRow(ctx, tx, `SELECT id, name FROM departments ORDER BY name`, nil, func(rows *sql.Rows) error {
		var d campaignbot.Department
		if err := rows.Scan(&d.ID, &d.Name); err != nil {
			return err
		}
		ds = append(ds, &d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find departments: %w", err)
	}
	return ds, nil
}

// SetReachable records whether deliveries to the person on platform succeed.
func (db *DB) SetReachable(ctx context.Context, personID int64, platform campaignbot.Platform, reachable bool) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := personExists(ctx, tx, personID); err != nil {
		return err
	}
	if reachable {
		_, err = tx.ExecContext(ctx, `DELETE FROM person_unreachable WHERE person_id = ? AND platform = ?`, personID, string(platform))
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO person_unreachable (person_id, platform, since) VALUES (?, ?, ?)
			ON CONFLICT (person_id, platform) DO NOTHING`, personID, string(platform), encTime(tx.now))
	}
	if err != nil {
		return fmt.Errorf("set reachable: %w", err)
	}
	return tx.commit()
}

const qPersonExists = `SELECT COUNT(*) FROM people WHERE id = ?`

// personExists returns ENOTFOUND unless the person exists.
func personExists(ctx context.Context, tx *Tx, id int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, qPersonExists, id).Scan(&n); err != nil {
		return fmt.Errorf("find person: %w", err)
	}
	if n == 0 {
		return campaignbot.Errorf(campaignbot.ENOTFOUND, "person %d not found", id)
	}
	return nil
}

// inviteCodeBytes is the entropy of an invite code: 128 bits, rendered as
// 22 base64url characters, valid in a Telegram deep link (A-Za-z0-9_-).
const inviteCodeBytes = 16

// newInviteCode returns a random invite code.
func newInviteCode() string {
	b := make([]byte, inviteCodeBytes)
	rand.Read(b) // never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateInvite stores a new single-use invite for the person, valid for
// campaignbot.InviteTTL.
func (db *DB) CreateInvite(ctx context.Context, personID int64) (*campaignbot.Invite, error) {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := personExists(ctx, tx, personID); err != nil {
		return nil, err
	}
	// A new code replaces the person's unused ones (SPEC §7): a code
	// handed out before and forwarded since cannot bind anyone.
	if _, err := tx.ExecContext(ctx, `UPDATE invites SET expires_at = ? WHERE person_id = ? AND used_at IS NULL AND expires_at > ?`,
		encTime(tx.now), personID, encTime(tx.now)); err != nil {
		return nil, fmt.Errorf("revoke older invites: %w", err)
	}
	inv := &campaignbot.Invite{
		Code:      newInviteCode(),
		PersonID:  personID,
		CreatedAt: tx.now,
		ExpiresAt: tx.now.Add(campaignbot.InviteTTL),
	}
	if _, err := tx.ExecContext(ctx, qInsertInvite,
		inv.Code, inv.PersonID, encTime(inv.CreatedAt), encTime(inv.ExpiresAt)); err != nil {
		return nil, constraintErr(err, "create invite")
	}
	if err := tx.commit(); err != nil {
		return nil, err
	}
	return inv, nil
}

// RedeemInvite binds acc to the invite's person and marks the invite used,
// in one transaction. An account already bound is refused (ECONFLICT): a
// code never moves it to another person. The person's previous account on
// the same platform is replaced (the office gave them a new code).
func (db *DB) RedeemInvite(ctx context.Context, code string, acc campaignbot.Account) (*campaignbot.Person, error) {
	if acc.Platform == "" || acc.AccountID == "" {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "an account needs a platform and an account id")
	}
	if acc.ChatID == "" {
		acc.ChatID = acc.AccountID
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	var personID, expires int64
	var used sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT person_id, expires_at, used_at FROM invites WHERE code = ?`, code).Scan(&personID, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "invite code not found")
	} else if err != nil {
		return nil, fmt.Errorf("find invite: %w", err)
	}
	if used.Valid {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "%s", campaignbot.MsgInviteUsed)
	}
	if !tx.now.Before(decTime(expires)) {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "%s", campaignbot.MsgInviteExpired)
	}
	// A code never moves a bound account to another person (SPEC §4).
	var bound int
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE platform = ? AND account_id = ?`,
		string(acc.Platform), acc.AccountID).Scan(&bound)
	if err != nil {
		return nil, fmt.Errorf("find account: %w", err)
	}
	if bound > 0 {
		return nil, campaignbot.Errorf(campaignbot.ECONFLICT, "%s", campaignbot.MsgAccountBound)
	}

	if _, err := tx.ExecContext(ctx, `DELETE FROM accounts WHERE person_id = ? AND platform = ? AND account_id <> ?`,
		personID, string(acc.Platform), acc.AccountID); err != nil {
		return nil, fmt.Errorf("replace account: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (platform, account_id, chat_id, person_id, bound_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (platform, account_id) DO UPDATE SET chat_id = excluded.chat_id, person_id = excluded.person_id, bound_at = excluded.bound_at`,
		string(acc.Platform), acc.AccountID, acc.ChatID, personID, encTime(tx.now)); err != nil {
		return nil, constraintErr(err, "bind account")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_unreachable WHERE person_id = ? AND platform = ?`, personID, string(acc.Platform)); err != nil {
		return nil, fmt.Errorf("bind account: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE invites SET used_at = ?, used_by = ? WHERE code = ?`,
		encTime(tx.now), string(acc.Platform)+":"+acc.AccountID, code); err != nil {
		return nil, fmt.Errorf("mark invite used: %w", err)
	}
	ps, err := findPeople(ctx, tx, campaignbot.PersonFilter{ID: &personID})
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "person %d not found", personID)
	}
	if err := tx.commit(); err != nil {
		return nil, err
	}
	return ps[0], nil
}

// RevokeInvite makes an unused code unusable from now on (it was posted
// where others saw it); it reports whether there was such a code.
func (db *DB) RevokeInvite(ctx context.Context, code string) (bool, error) {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE invites SET expires_at = ? WHERE code = ? AND used_at IS NULL AND expires_at > ?`,
		encTime(tx.now), code, encTime(tx.now))
	if err != nil {
		return false, fmt.Errorf("revoke invite: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("revoke invite: %w", err)
	}
	return n > 0, tx.commit()
}

// BindRosterAccount binds acc to the person whose roster entry names the
// account (a numeric Telegram id in the telegram column), when that person
// has no account on the platform yet: the platform vouches for the id, so
// no invite is needed (SPEC §4). It is ENOTFOUND when no entry names the
// account or the person is bound already (nobody is unbound by it).
func (db *DB) BindRosterAccount(ctx context.Context, acc campaignbot.Account) (*campaignbot.Account, *campaignbot.Person, error) {
	column := map[campaignbot.Platform]string{campaignbot.PlatformTelegram: "telegram", campaignbot.PlatformWeCom: "wecom"}[acc.Platform]
	if column == "" || acc.AccountID == "" {
		return nil, nil, campaignbot.Errorf(campaignbot.EINVALID, "no roster column names %s accounts", acc.Platform)
	}
	if acc.Platform == campaignbot.PlatformTelegram && strings.Trim(acc.AccountID, "0123456789") != "" {
		// Only the numeric id is the platform's word; a user name in the
		// roster can be taken by someone else.
		return nil, nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "telegram account %q is not a numeric id", acc.AccountID)
	}
	if acc.ChatID == "" {
		acc.ChatID = acc.AccountID
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	var ids []int64
	err = eachRow(ctx, tx, `SELECT p.id FROM people p WHERE p.`+column+` = ? AND p.removed_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id AND a.platform = ?)
		AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.platform = ? AND a.account_id = ?)`,
		[]any{acc.AccountID, string(acc.Platform), string(acc.Platform), acc.AccountID},
		func(rows *sql.Rows) error {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
			return nil
		})
	if err != nil {
		return nil, nil, fmt.Errorf("find roster entry: %w", err)
	}
	if len(ids) != 1 {
		return nil, nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "no unbound roster entry names %s account %s", acc.Platform, acc.AccountID)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (platform, account_id, chat_id, person_id, bound_at) VALUES (?, ?, ?, ?, ?)`,
		string(acc.Platform), acc.AccountID, acc.ChatID, ids[0], encTime(tx.now)); err != nil {
		return nil, nil, constraintErr(err, "bind account")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_unreachable WHERE person_id = ? AND platform = ?`, ids[0], string(acc.Platform)); err != nil {
		return nil, nil, fmt.Errorf("bind account: %w", err)
	}
	accs, err := findAccounts(ctx, tx, accountByID, string(acc.Platform), acc.AccountID)
	if err != nil {
		return nil, nil, err
	}
	ps, err := findPeople(ctx, tx, campaignbot.PersonFilter{ID: &ids[0]})
	if err != nil {
		return nil, nil, err
	}
	if len(accs) == 0 || len(ps) == 0 {
		return nil, nil, campaignbot.Errorf(campaignbot.EINTERNAL, "bound account %s not found", acc.AccountID)
	}
	if err := tx.commit(); err != nil {
		return nil, nil, err
	}
	return accs[0], ps[0], nil
}

// FindAccount returns the binding of a platform account, ENOTFOUND if none.
func (db *DB) FindAccount(ctx context.Context, platform campaignbot.Platform, accountID string) (*campaignbot.Account, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	accs, err := findAccounts(ctx, tx, accountByID, string(platform), accountID)
	if err != nil {
		return nil, err
	}
	if len(accs) == 0 {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "%s account %s is not bound", platform, accountID)
	}
	return accs[0], nil
}

// FindPersonByAccount returns the binding of a platform account and the
// person bound, ENOTFOUND if the account is not bound.
func (db *DB) FindPersonByAccount(ctx context.Context, platform campaignbot.Platform, accountID string) (*campaignbot.Account, *campaignbot.Person, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	accs, err := findAccounts(ctx, tx, accountByID, string(platform), accountID)
	if err != nil {
		return nil, nil, err
	}
	if len(accs) == 0 {
		return nil, nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "%s account %s is not bound", platform, accountID)
	}
	ps, err := findPeople(ctx, tx, campaignbot.PersonFilter{ID: &accs[0].PersonID})
	if err != nil {
		return nil, nil, err
	}
	if len(ps) == 0 {
		return nil, nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "person %d not found", accs[0].PersonID)
	}
	return accs[0], ps[0], nil
}

// FindAccountsByPerson returns every account bound to the person.
func (db *DB) FindAccountsByPerson(ctx context.Context, personID int64) ([]*campaignbot.Account, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findAccounts(ctx, tx, accountsByPerson, personID)
}

// Conditions of findAccounts.
const (
	accountByID      = `platform = ? AND account_id = ?`
	accountsByPerson = `person_id = ?`
)

func findAccountsQuery(cond string) string {
	return `SELECT platform, account_id, chat_id, person_id, bound_at FROM accounts WHERE ` + cond + ` ORDER BY platform, account_id`
}

// findAccounts returns the accounts matching cond.
func findAccounts(ctx context.Context, tx *Tx, cond string, args ...any) ([]*campaignbot.Account, error) {
	var accs []*campaignbot.Account
	err := eachRow(ctx, tx, findAccountsQuery(cond), args,
		func(rows *sql.Rows) error {
			var a campaignbot.Account
			var person, bound intColumn
			if err := rows.Scan(&a.Platform, &a.AccountID, &a.ChatID, &person, &bound); err != nil {
				return err
			}
			a.PersonID, a.BoundAt = int64(person), decTime(int64(bound))
			accs = append(accs, &a)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find accounts: %w", err)
	}
	return accs, nil
}

// CreateLeave stores l and fills its ID.
func (db *DB) CreateLeave(ctx context.Context, l *campaignbot.Leave) error {
	if l.To < l.From {
		return campaignbot.Errorf(campaignbot.EINVALID, "leave ends (%s) before it starts (%s)", l.To, l.From)
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := personExists(ctx, tx, l.PersonID); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO leaves (person_id, from_day, to_day) VALUES (?, ?, ?) RETURNING id`,
		l.PersonID, int64(l.From), int64(l.To)).Scan(&l.ID); err != nil {
		return constraintErr(err, "create leave")
	}
	return tx.commit()
}

// DeleteLeave cancels leave id of the person; ENOTFOUND when the person
// has no such leave.
func (db *DB) DeleteLeave(ctx context.Context, personID, id int64) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM leaves WHERE id = ? AND person_id = ?`, id, personID)
	if err != nil {
		return fmt.Errorf("delete leave: %w", err)
	}
	if err := oneRow(res, fmt.Sprintf("leave %d of person %d not found", id, personID)); err != nil {
		return err
	}
	return tx.commit()
}

// FindLeaves returns the person's leave, ordered by start.
func (db *DB) FindLeaves(ctx context.Context, personID int64) ([]campaignbot.Leave, error) {
	return db.findLeaves(ctx, `WHERE person_id = ?`, personID)
}

// FindAllLeaves returns the leave of everyone, ordered by person and start.
func (db *DB) FindAllLeaves(ctx context.Context) ([]campaignbot.Leave, error) {
	return db.findLeaves(ctx, ``)
}

func (db *DB) findLeaves(ctx context.Context, where string, args ...any) ([]campaignbot.Leave, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return findLeaves(ctx, tx, where, args...)
}

func findLeaves(ctx context.Context, tx *Tx, where string, args ...any) ([]campaignbot.Leave, error) {
	var ls []campaignbot.Leave
	err := eachRow(ctx, tx, `SELECT id, person_id, from_day, to_day FROM leaves `+where+` ORDER BY person_id, from_day, id`, args,
		func(rows *sql.Rows) error {
			var l campaignbot.Leave
			if err := rows.Scan(&l.ID, &l.PersonID, &l.From, &l.To); err != nil {
				return err
			}
			ls = append(ls, l)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find leaves: %w", err)
	}
	return ls, nil
}

// RecordInviteFailure records a wrong invite code from account at at and
// deletes the failures before forget.
func (db *DB) RecordInviteFailure(ctx context.Context, account string, at, forget time.Time) error {
	if account == "" {
		return campaignbot.Errorf(campaignbot.EINVALID, "an account is required")
	}
	return db.write(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM invite_failures WHERE at < ?`, encTime(forget)); err != nil {
			return fmt.Errorf("forget invite failures: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO invite_failures (account, at) VALUES (?, ?)`, account, encTime(at)); err != nil {
			return fmt.Errorf("record invite failure: %w", err)
		}
		return nil
	})
}

// InviteFailures returns when account sent wrong invite codes since since,
// oldest first.
func (db *DB) InviteFailures(ctx context.Context, account string, since time.Time) ([]time.Time, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var ts []time.Time
	err = eachRow(ctx, tx, `SELECT at FROM invite_failures WHERE account = ? AND at >= ? ORDER BY at`,
		[]any{account, encTime(since)}, func(rows *sql.Rows) error {
			var at int64
			if err := rows.Scan(&at); err != nil {
				return err
			}
			ts = append(ts, decTime(at))
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("invite failures: %w", err)
	}
	return ts, nil
}
