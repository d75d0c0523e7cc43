package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"campaignbot"
)

// TestTelegramRoleMenus starts the bot with a bound leader and a bound
// member: everyone has the default menu, and the leader's chat gets a menu
// of their own with the leader's commands.
func TestTelegramRoleMenus(t *testing.T) {
	t.Parallel()
	env := newTGEnv(t)
	db := env.openDB(t)
	if _, _, err := db.ImportRoster(context.Background(), []campaignbot.RosterEntry{
		{Name: "领导甲", Departments: []string{"局领导"}, Roles: []campaignbot.Role{campaignbot.RoleLeader, campaignbot.RoleMember}, InChargeOf: []string{"科技管理科"}},
		{Name: "办公室乙", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleOffice}},
	}); err != nil {
		t.Fatal(err)
	}
	tgBind(t, db, "领导甲", 4242)
	tgBind(t, db, "成员01", 4343)
	code := tgInvite(t, db, "办公室乙")
	db.Close()

	r := env.runCommand(t)
	defer r.stop(t)
	menuOf := func(chat string) []string {
		for _, cs := range env.fake.Commands() {
			if cs.Scope == "chat" && strings.Contains(cs.ScopeJSON, chat) {
				var names []string
				for _, c := range cs.Commands {
					names = append(names, c.Command)
				}
				return names
			}
		}
		return nil
	}
	tgWaitFor(t, "the leader's menu", func() bool { return menuOf("4242") != nil })
	leader := menuOf("4242")
	for _, want := range []string{"tasks", "claim", "review", "digest", "overdue"} {
		if !slices.Contains(leader, want) {
			t.Errorf("leader's menu %v lacks %s", leader, want)
		}
	}
	if slices.Contains(leader, "export") {
		t.Errorf("leader's menu %v has the office's /export", leader)
	}
	if m := menuOf("4343"); m != nil {
		t.Errorf("a member got a menu of their own: %v", m)
	}
	// Someone who binds while the bot runs gets theirs at once.
	env.fake.SendText(4444, "yi", "/start "+code)
	tgWaitFor(t, "the new office member's menu", func() bool { return slices.Contains(menuOf("4444"), "export") })
}
