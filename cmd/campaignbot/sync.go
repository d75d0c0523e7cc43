package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"campaignbot"
	"campaignbot/bot/wecom"
	"campaignbot/store"
)

// cmdRosterSyncWeCom reads the WeCom address book (departments and their
// leaders, members, tags named with role words) and shows what it would
// change in the roster; --apply makes the changes (SPEC §6). What the
// address book does not know is kept: a person's id, Telegram and help
// team, roles given in the roster, and a department's leader in charge
// named by the roster. Nobody is removed: people no longer in the address
// book are listed for `roster remove`.
func cmdRosterSyncWeCom(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("roster sync-wecom", stdio, getenv, &cfg)
	apply := fs.Bool("apply", false, "make the changes shown")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("usage: campaignbot roster sync-wecom [--apply]")
	}
	if err := cfg.validatePlatforms(false); err != nil {
		return err
	}
	wc := cfg.WeCom
	if wc.CorpID == "" || wc.Secret == "" || wc.AgentID == 0 {
		return usagef("roster sync-wecom needs WECOM_CORP_ID, WECOM_AGENT_ID and WECOM_SECRET")
	}
	cfg.createDB = true
	db, err := openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	plan, err := readSync(ctx, db, wecom.NewClient(wc.APIURL, wc.CorpID, wc.Secret, wc.AgentID))
	if err != nil {
		return err
	}
	for _, line := range plan.lines {
		fmt.Fprintln(stdio.Out, line)
	}
	fmt.Fprintf(stdio.Out, "%d new, %d changed, %d unchanged\n", plan.created, len(plan.entries)-plan.created, plan.unchanged)
	if len(plan.entries) == 0 {
		return nil
	}
	changes, err := db.PlanRoster(ctx, plan.entries)
	if err != nil {
		return err
	}
	for _, c := range changes {
		fmt.Fprintf(stdio.Out, "%s: leader in charge %s → %s\n", c.Department, c.From, c.To)
	}
	if !*apply {
		fmt.Fprintln(stdio.Out, "nothing changed: run again with --apply to make these changes")
		return nil
	}
	created, updated, err := db.ImportRoster(ctx, plan.entries)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdio.Out, "applied: %d new, %d updated; their WeCom accounts are bound\n", created, updated)
	return nil
}

// readSync reads the address book and plans the sync against the store.
func readSync(ctx context.Context, db *store.DB, client *wecom.Client) (syncPlan, error) {
	dir, err := client.ReadDirectory(ctx)
	if err != nil {
		return syncPlan{}, fmt.Errorf("read the WeCom address book: %w", err)
	}
	people, err := db.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return syncPlan{}, err
	}
	depts, err := db.FindDepartments(ctx)
	if err != nil {
		return syncPlan{}, err
	}
	return planSync(dir.RosterEntries(), people, depts), nil
}

// followContacts keeps the roster in step with the address book while the
// bot runs: each change_contact event (a member added, moved, renamed or
// their UserID changed; a department or tag changed) applies the sync as
// `roster sync-wecom --apply` would, and a member deleted from the address
// book (delete_user) is taken off the roster as `roster remove` would.
// People merely out of the application's visible range are logged for the
// office, not removed: that is often a mistake in the admin console.
func (m *Main) followContacts(client *wecom.Client) func(ctx context.Context, change *wecom.Message) error {
	return func(ctx context.Context, change *wecom.Message) error {
		if change.ChangeType == wecom.ChangeDeleteUser && change.UserID != "" {
			acc, err := m.DB.FindAccount(ctx, campaignbot.PlatformWeCom, change.UserID)
			if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
				return nil // not on the roster, or removed already
			} else if err != nil {
				return err
			}
			gone, err := m.DB.RemovePerson(ctx, acc.PersonID)
			if err != nil && campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
				return fmt.Errorf("remove %s: %w", change.UserID, err)
			}
			if gone != nil {
				m.Log.Info("wecom member deleted from the address book: taken off the roster", "userid", change.UserID, "name", gone.Name)
			}
			return nil
		}
		plan, err := readSync(ctx, m.DB, client)
		if err != nil {
			return err
		}
		if len(plan.entries) > 0 {
			if _, _, err := m.DB.ImportRoster(ctx, plan.entries); err != nil {
				return fmt.Errorf("apply the address book: %w", err)
			}
		}
		m.Log.Info("wecom address book changed: roster in step", "change", change.ChangeType,
			"new", plan.created, "changed", len(plan.entries)-plan.created, "changes", strings.Join(plan.lines, "; "))
		return nil
	}
}

// syncPlan is what a sync would change.
type syncPlan struct {
	entries   []campaignbot.RosterEntry // new and changed people only
	created   int
	unchanged int
	lines     []string
}

// planSync merges the address book's entries with the roster in the
// store and lists the differences.
func planSync(book []campaignbot.RosterEntry, people []*campaignbot.Person, depts []*campaignbot.Department) syncPlan {
	deptName := map[int64]string{}
	for _, d := range depts {
		deptName[d.ID] = d.Name
	}
	byWeCom := map[string]*campaignbot.Person{}
	leaderOf := map[string]int64{} // department → person in charge
	for _, p := range people {
		if p.WeCom != "" {
			byWeCom[strings.ToLower(p.WeCom)] = p
		}
		for _, id := range p.InChargeOf {
			leaderOf[deptName[id]] = p.ID
		}
	}
	var plan syncPlan
	inBook := map[string]bool{}
	for _, e := range book {
		inBook[strings.ToLower(e.WeCom)] = true
		old := byWeCom[strings.ToLower(e.WeCom)]
		// The roster's leader in charge stays (SPEC §6).
		e.InChargeOf = slices.DeleteFunc(e.InChargeOf, func(d string) bool {
			id, led := leaderOf[d]
			return led && (old == nil || id != old.ID)
		})
		if old == nil {
			e.Departments = append(e.Departments, e.InChargeOf...)
			plan.entries = append(plan.entries, e)
			plan.created++
			plan.lines = append(plan.lines, fmt.Sprintf("new      %s (%s, %s) %s%s", e.Name, e.Departments[0], roleWords(e.Roles), e.WeCom, inChargeNote(e.InChargeOf)))
			continue
		}
		e.ID, e.Telegram, e.Team = old.ExternalID, old.Telegram, old.Team
		for _, r := range old.RoleList() {
			if !slices.Contains(e.Roles, r) {
				e.Roles = append(e.Roles, r)
			}
		}
		for _, id := range old.InChargeOf {
			if !slices.Contains(e.InChargeOf, deptName[id]) {
				e.InChargeOf = append(e.InChargeOf, deptName[id])
			}
		}
		var diff []string
		if e.Name != old.Name {
			diff = append(diff, fmt.Sprintf("name %s → %s", old.Name, e.Name))
		}
		if e.Departments[0] != old.Department {
			diff = append(diff, fmt.Sprintf("department %s → %s", old.Department, e.Departments[0]))
		}
		if added := slices.DeleteFunc(slices.Clone(e.Roles), func(r campaignbot.Role) bool { return old.HasRole(r) }); len(added) > 0 {
			diff = append(diff, "adds roles "+roleWords(added))
		}
		if len(e.InChargeOf) != len(old.InChargeOf) {
			diff = append(diff, "in charge of "+strings.Join(e.InChargeOf, ";"))
		}
		if len(diff) == 0 {
			plan.unchanged++
			continue
		}
		e.Departments = append(e.Departments, e.InChargeOf...)
		plan.entries = append(plan.entries, e)
		plan.lines = append(plan.lines, fmt.Sprintf("change   %s (%s): %s", old.Name, e.WeCom, strings.Join(diff, ", ")))
	}
	for _, p := range people {
		if p.WeCom != "" && !inBook[strings.ToLower(p.WeCom)] {
			plan.lines = append(plan.lines, fmt.Sprintf("missing  %s (%s) is not in the address book the application sees; kept (campaignbot roster remove %s)", p.Name, p.WeCom, p.WeCom))
		}
	}
	return plan
}

func roleWords(rs []campaignbot.Role) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ";")
}

func inChargeNote(depts []string) string {
	if len(depts) == 0 {
		return ""
	}
	return ", in charge of " + strings.Join(depts, ";")
}
