package store

import (
	"context"
	"reflect"
	"testing"

	"campaignbot"
)

// TestFindAllPeople checks that FindPeople with an empty filter, which
// reads whole tables (findAllPeople), returns what the selection by
// condition (findPeople) does, lists and their order included.
func TestFindAllPeople(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	got, err := db.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got != nil {
		t.Errorf("no people: got %v, want nil as FindPeople gives", got)
	}
	for _, q := range []string{
		`INSERT INTO departments (id, name) VALUES (1, '办公室'), (2, '业务科'), (3, '空科室')`,
		`INSERT INTO people (id, name, department_id, telegram, wecom, created_at, updated_at) VALUES
			(5, '甲', 2, '@jia', '', 100, 200), (2, '乙', 1, '', 'yi', 300, 400), (9, '丙', 1, '', '', 500, 600),
			(3, '丁', 2, '12345', 'ding', 700, 800)`,
		// Granted on different days, so that day order is not key order.
		`INSERT INTO person_roles (person_id, role, since) VALUES
			(5, 'member', 10), (5, 'liaison', 20), (5, 'middle', 5), (2, 'leader', 5), (2, 'head', 5), (9, 'office', 1)`,
		`INSERT INTO person_in_charge (person_id, department_id) VALUES (2, 2), (2, 1), (3, 1)`,
		`INSERT INTO person_unreachable (person_id, platform, since) VALUES (5, 'wecom', 1), (5, 'telegram', 2), (9, 'telegram', 3)`,
	} {
		mustExec(t, db, q)
	}
	// What the selection by condition gives.
	tx, err := db.beginRead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := findPeople(ctx, tx, campaignbot.PersonFilter{})
	tx.Rollback()
	if err != nil {
		t.Fatal(err)
	}
	if got, err = db.FindPeople(ctx, campaignbot.PersonFilter{}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		for i := range max(len(got), len(want)) {
			if i >= len(got) || i >= len(want) || !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("person %d differs:\n got %+v\nwant %+v", i, at(got, i), at(want, i))
			}
		}
	}
	// The role lists share one array: appending to one must not reach
	// the next person's.
	got[0].Roles = append(got[0].Roles, campaignbot.RoleGrant{Role: campaignbot.RoleHead})
	if !reflect.DeepEqual(got[1].Roles, want[1].Roles) {
		t.Errorf("appending to one person's roles changed the next one's: %v", got[1].Roles)
	}
}

func at(ps []*campaignbot.Person, i int) any {
	if i < len(ps) {
		return *ps[i]
	}
	return nil
}

// TestRosterVersion checks that the version moves with every change to
// the roster, accounts and leave, and with nothing else.
func TestRosterVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	importPeople(t, db, "甲", "乙")
	steps := []struct {
		name  string
		sql   string
		moves bool
	}{
		{"submission", `INSERT INTO submissions (task_key, person_id, version, text, submitted_at) SELECT 't', id, 1, 'x', 0 FROM people WHERE name = '甲'`, false},
		{"department added", `INSERT INTO departments (name) VALUES ('新科室')`, true},
		{"department renamed", `UPDATE departments SET name = '改名' WHERE name = '新科室'`, true},
		{"person renamed", `UPDATE people SET name = '甲甲' WHERE name = '甲'`, true},
		{"telegram set", `UPDATE people SET telegram = 'x' WHERE name = '乙'`, true},
		{"role granted", `INSERT INTO person_roles (person_id, role, since) SELECT id, 'liaison', 3 FROM people WHERE name = '乙'`, true},
		{"role day changed", `UPDATE person_roles SET since = 4 WHERE role = 'liaison'`, true},
		{"in charge", `INSERT INTO person_in_charge (person_id, department_id) SELECT id, department_id FROM people WHERE name = '乙'`, true},
		{"unreachable", `INSERT INTO person_unreachable (person_id, platform, since) SELECT id, 'telegram', 1 FROM people WHERE name = '乙'`, true},
		{"account bound", `INSERT INTO accounts (platform, account_id, chat_id, person_id, bound_at) SELECT 'telegram', '42', '42', id, 1 FROM people WHERE name = '乙'`, true},
		{"account rebound", `UPDATE accounts SET chat_id = '43'`, true},
		{"leave", `INSERT INTO leaves (person_id, from_day, to_day) SELECT id, 10, 12 FROM people WHERE name = '乙'`, true},
		{"leave changed", `UPDATE leaves SET to_day = 13`, true},
		{"leave deleted", `DELETE FROM leaves`, true},
		{"account unbound", `DELETE FROM accounts`, true},
		{"person deleted", `DELETE FROM people WHERE name = '乙'`, true},
	}
	prev, err := db.RosterVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		mustExec(t, db, s.sql)
		v, err := db.RosterVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := v != prev, s.moves; got != want {
			t.Errorf("%s: version moved = %v, want %v", s.name, got, want)
		}
		prev = v
	}
}
