package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"campaignbot"
	"campaignbot/store"
)

// org describes a generated organisation.
type org struct {
	people, departments, submissions int
}

// Fixed people of a generated organisation: person i <= departments leads
// department i; the next two are the head and the office.
func (o org) head() int64   { return int64(o.departments + 1) }
func (o org) office() int64 { return int64(o.departments + 2) }

// chatID is the Telegram chat (and user) id of person id.
func chatID(id int64) string { return fmt.Sprint(1000000 + id) }

// bound reports whether person id has a Telegram account: every leader,
// the head and the office, and two in three of the rest.
func (o org) bound(id int64) bool { return id <= o.office() || id%3 != 0 }

// members returns the bound members of the generated organisation, the
// people who owe weekly notes.
func (o org) members() []int64 {
	var ids []int64
	for i := o.office() + 1; i <= int64(o.people); i++ {
		if i%10 != 0 && o.bound(i) {
			ids = append(ids, i)
		}
	}
	return ids
}

// noteText is a study note of about 300 bytes, varied so that pages do not
// compress into sameness.
func noteText(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "第%d篇学习笔记：", i)
	for b.Len() < 240+i%120 {
		b.WriteString("深入学习贯彻会议精神，结合本职工作查找差距，明确整改方向。")
	}
	return b.String()
}

// seed creates a store file at path with org: people spread over
// departments, submissions of the study phase spread over people and days
// up to day. Rows go in with plain SQL and prepared statements in one
// transaction, without a rollback journal and with a page cache that holds
// the indexes being built, so that 2,000,000 submissions take a minute or
// two, not the hours one transaction each would.
func seed(ctx context.Context, path string, plan *campaignbot.Plan, o org, day campaignbot.Date, now time.Time) error {
	db, err := store.Open(ctx, path, store.WithLocation(plan.Loc()))
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(0)&_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=cache_size(-262144)")
	if err != nil {
		return err
	}
	defer raw.Close()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var firstErr error
	exec := func(q string, args ...any) {
		if firstErr != nil {
			return
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			firstErr = fmt.Errorf("%s: %w", q, err)
		}
	}
	ts := now.UnixNano()
	for d := 1; d <= o.departments; d++ {
		exec(`INSERT INTO departments (id, name) VALUES (?, ?)`, d, fmt.Sprintf("科室%03d", d))
	}
	for i := int64(1); i <= int64(o.people); i++ {
		dept := (i-1)%int64(o.departments) + 1
		exec(`INSERT INTO people (id, name, department_id, telegram, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			i, fmt.Sprintf("人员%05d", i), dept, chatID(i), ts, ts)
		var roles []campaignbot.Role
		switch {
		case i <= int64(o.departments):
			roles = []campaignbot.Role{campaignbot.RoleLeader}
			exec(`INSERT INTO person_in_charge (person_id, department_id) VALUES (?, ?)`, i, i)
		case i == o.head():
			roles = []campaignbot.Role{campaignbot.RoleHead}
		case i == o.office():
			roles = []campaignbot.Role{campaignbot.RoleOffice}
		case i%10 == 0:
			roles = []campaignbot.Role{campaignbot.RoleMiddle}
		case i%17 == 0:
			roles = []campaignbot.Role{campaignbot.RoleMember, campaignbot.RoleLiaison}
		default:
			roles = []campaignbot.Role{campaignbot.RoleMember}
		}
		for _, r := range roles {
			exec(`INSERT INTO person_roles (person_id, role, since) VALUES (?, ?, ?)`, i, string(r), int(plan.Start))
		}
		if o.bound(i) {
			exec(`INSERT INTO accounts (platform, account_id, chat_id, person_id, bound_at) VALUES (?, ?, ?, ?, ?)`,
				"telegram", chatID(i), chatID(i), i, ts)
		}
	}
	if firstErr != nil {
		return firstErr
	}
	study := plan.FindPhase("study")
	span := int(min(day, study.End)-study.Start) + 1
	ins, err := tx.PrepareContext(ctx, `INSERT INTO submissions (task_key, person_id, department_id, version, text, state, submitted_at) VALUES (?, ?, ?, ?, ?, '', ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	texts := make([]string, 64)
	for i := range texts {
		texts[i] = noteText(i)
	}
	loc := plan.Loc()
	// A quarter of the people (every fourth) have submitted nothing: they
	// are the ones reminders and digests are about.
	var active []int
	for i := 1; i <= o.people; i++ {
		if i%4 != 0 {
			active = append(active, i)
		}
	}
	for s := range o.submissions {
		person := active[s%len(active)]
		d := study.Start + campaignbot.Date((s/len(active)*7+s%7)%max(span, 1))
		at := d.Time(loc).Add(10*time.Hour + time.Duration(s%3600)*time.Second).UnixNano()
		if _, err := ins.ExecContext(ctx, "study-notes", person, (person-1)%o.departments+1, s/len(active)+1, texts[s%len(texts)], at); err != nil {
			return err
		}
	}
	return tx.Commit()
}
