package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/store"
)

// bigOrg describes a generated organisation for benchmarks.
type bigOrg struct {
	people, departments, submissions int
}

// mustSeedBig creates a store file with a generated organisation: people
// spread over departments (one leader in charge of each, one head, one
// office, the rest members and middles), every third person bound on
// Telegram, and submissions of the study phase spread over them. Rows are
// written in bulk with plain SQL so that setting up 200,000 submissions
// takes seconds, not the minutes one transaction each would.
func mustSeedBig(tb testing.TB, plan *campaignbot.Plan, org bigOrg, now time.Time) string {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), "big.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(0)&_pragma=journal_mode(WAL)")
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	exec := func(q string, args ...any) {
		tb.Helper()
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	ts := now.UnixNano()
	start := plan.Start
	for d := 1; d <= org.departments; d++ {
		exec(`INSERT INTO departments (id, name) VALUES (?, ?)`, d, fmt.Sprintf("科室%03d", d))
	}
	for i := 1; i <= org.people; i++ {
		dept := (i-1)%org.departments + 1
		exec(`INSERT INTO people (id, name, department_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`, i, fmt.Sprintf("人员%05d", i), dept, ts, ts)
		var roles []campaignbot.Role
		switch {
		case i <= org.departments:
			roles = []campaignbot.Role{campaignbot.RoleLeader}
			exec(`INSERT INTO person_in_charge (person_id, department_id) VALUES (?, ?)`, i, i)
		case i == org.departments+1:
			roles = []campaignbot.Role{campaignbot.RoleHead}
		case i == org.departments+2:
			roles = []campaignbot.Role{campaignbot.RoleOffice}
		case i%10 == 0:
			roles = []campaignbot.Role{campaignbot.RoleMiddle}
		case i%17 == 0:
			roles = []campaignbot.Role{campaignbot.RoleMember, campaignbot.RoleLiaison}
		default:
			roles = []campaignbot.Role{campaignbot.RoleMember}
		}
		for _, r := range roles {
			exec(`INSERT INTO person_roles (person_id, role, since) VALUES (?, ?, ?)`, i, string(r), int(start))
		}
		if i%3 != 0 {
			exec(`INSERT INTO accounts (platform, account_id, chat_id, person_id, bound_at) VALUES (?, ?, ?, ?, ?)`,
				"telegram", fmt.Sprint(1000000+i), fmt.Sprint(1000000+i), i, ts)
		}
	}
	study := plan.FindPhase("study")
	loc := plan.Loc()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO submissions (task_key, person_id, department_id, version, text, state, submitted_at) VALUES (?, ?, ?, ?, ?, '', ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	defer ins.Close()
	for s := 0; s < org.submissions; s++ {
		person := s%org.people + 1
		day := study.Start + campaignbot.Date((s/org.people*7+s%7)%int(study.End-study.Start+1))
		at := day.Time(loc).Add(10 * time.Hour).UnixNano()
		if _, err := ins.ExecContext(ctx, "study-notes", person, (person-1)%org.departments+1, s/org.people+1, "学习笔记内容", at); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return path
}
