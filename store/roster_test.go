package store

import (
	"context"
	"strings"
	"testing"

	"campaignbot"
)

var member = []campaignbot.Role{campaignbot.RoleMember}

// TestImportRosterTwoOfOneName keys people by id, else WeCom UserID, so
// two 王芳 of different 科室 are two people, and a re-import finds each.
func TestImportRosterTwoOfOneName(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	file := []campaignbot.RosterEntry{
		{Line: 2, ID: "A001", Name: "王芳", Departments: []string{"计划科"}, Roles: member, Team: "政策宣传组"},
		{Line: 3, ID: "A002", Name: "王芳", Departments: []string{"人事科"}, Roles: member},
		{Line: 4, Name: "王芳", Departments: []string{"办公室"}, Roles: member, WeCom: "wangfang3"},
	}
	if created, _, err := db.ImportRoster(ctx, file); err != nil || created != 3 {
		t.Fatalf("import: %d created, %v", created, err)
	}
	file[1].Departments = []string{"财务科"}
	if created, updated, err := db.ImportRoster(ctx, file); err != nil || created != 0 || updated != 3 {
		t.Fatalf("re-import: %d created, %d updated, %v", created, updated, err)
	}
	ps, err := db.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.ExternalID+"/"+p.Department+"/"+p.Team)
	}
	if want := "A001/计划科/政策宣传组 A002/财务科/ /办公室/"; strings.Join(got, " ") != want {
		t.Errorf("people = %q, want %q", strings.Join(got, " "), want)
	}
	_, err = db.FindPersonByName(ctx, "王芳")
	mustCode(t, err, campaignbot.EINVALID)
	// A third 王芳 with neither id nor UserID cannot say which she is.
	_, _, err = db.ImportRoster(ctx, []campaignbot.RosterEntry{{Line: 7, Name: "王芳", Departments: []string{"计划科"}, Roles: member}})
	if err != nil {
		t.Fatalf("a new 王芳 without id: %v", err)
	}
	_, _, err = db.ImportRoster(ctx, []campaignbot.RosterEntry{{Line: 8, Name: "王芳", Departments: []string{"人事科"}, Roles: member}})
	if err != nil {
		t.Fatalf("the same 王芳 again: %v", err)
	}
	if ps, _ := db.FindPeople(ctx, campaignbot.PersonFilter{}); len(ps) != 4 || ps[2].WeCom != "wangfang3" || ps[3].Department != "人事科" {
		t.Errorf("after a fourth 王芳: %d people", len(ps))
	}
}

// TestImportRosterBindsWeCom binds the roster's UserID at import: WeCom
// authenticates it, so the member is prompted from day one (SPEC §4); a
// changed UserID moves the binding; removing the person unbinds them.
func TestImportRosterBindsWeCom(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	e := campaignbot.RosterEntry{Line: 2, Name: "孙静", Departments: []string{"计划科"}, Roles: member, WeCom: "sunjing"}
	if _, _, err := db.ImportRoster(ctx, []campaignbot.RosterEntry{e}); err != nil {
		t.Fatal(err)
	}
	acc, p, err := db.FindPersonByAccount(ctx, campaignbot.PlatformWeCom, "sunjing")
	if err != nil {
		t.Fatalf("UserID not bound at import: %v", err)
	}
	if p.Name != "孙静" || acc.ChatID != "sunjing" {
		t.Errorf("bound %s via chat %q", p.Name, acc.ChatID)
	}
	e.WeCom = "sunjing2"
	if _, _, err := db.ImportRoster(ctx, []campaignbot.RosterEntry{e}); err != nil {
		t.Fatal(err)
	}
	_, err = db.FindAccount(ctx, campaignbot.PlatformWeCom, "sunjing")
	mustCode(t, err, campaignbot.ENOTFOUND)
	if _, err := db.FindAccount(ctx, campaignbot.PlatformWeCom, "sunjing2"); err != nil {
		t.Errorf("new UserID not bound: %v", err)
	}

	removed, err := db.RemovePeople(ctx, []string{"孙静"})
	if err != nil || len(removed) != 1 {
		t.Fatalf("remove: %v %v", removed, err)
	}
	_, err = db.FindAccount(ctx, campaignbot.PlatformWeCom, "sunjing2")
	mustCode(t, err, campaignbot.ENOTFOUND)
	if ps, _ := db.FindPeople(ctx, campaignbot.PersonFilter{}); len(ps) != 0 {
		t.Errorf("removed person still listed: %v", ps)
	}
	if p, err := db.FindPersonByID(ctx, removed[0].ID); err != nil || p.Name != "孙静" {
		t.Errorf("removed person not findable by id for old records: %v", err)
	}
	_, err = db.RemovePeople(ctx, []string{"孙静"})
	mustCode(t, err, campaignbot.ENOTFOUND)
	// Listed again, she comes back as herself.
	if created, _, err := db.ImportRoster(ctx, []campaignbot.RosterEntry{e}); err != nil || created != 0 {
		t.Fatalf("re-import of a removed person: %d created, %v", created, err)
	}
}

// TestImportRosterUnknownInCharge refuses a typo in in_charge_of and
// suggests the department meant.
func TestImportRosterUnknownInCharge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	_, _, err := db.ImportRoster(ctx, []campaignbot.RosterEntry{
		{Line: 2, Name: "甲", Departments: []string{"项目科"}, Roles: member},
		{Line: 3, Name: "乙", Departments: []string{"局领导"}, Roles: []campaignbot.Role{campaignbot.RoleLeader}, InChargeOf: []string{"项目课"}},
	})
	mustCode(t, err, campaignbot.EINVALID)
	if msg := campaignbot.ErrorMessage(err); !strings.Contains(msg, "line 3") || !strings.Contains(msg, "项目课") || !strings.Contains(msg, "did you mean 项目科") {
		t.Errorf("message %q does not name the line, the typo and the department meant", msg)
	}
	if ds, _ := db.FindDepartments(ctx); len(ds) != 0 {
		t.Errorf("refused import created departments %v", ds)
	}
}

// TestPlanRosterPartialFile lists a department a partial file would take
// from a leader the file does not mention.
func TestPlanRosterPartialFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	leader := []campaignbot.Role{campaignbot.RoleLeader}
	full := []campaignbot.RosterEntry{
		{Line: 2, Name: "王副", Departments: []string{"局领导"}, Roles: leader, InChargeOf: []string{"计划科"}},
		{Line: 3, Name: "赵科", Departments: []string{"计划科"}, Roles: member},
	}
	if _, _, err := db.ImportRoster(ctx, full); err != nil {
		t.Fatal(err)
	}
	if ch, err := db.PlanRoster(ctx, full); err != nil || len(ch) != 0 {
		t.Errorf("the same file again plans %v, %v", ch, err)
	}
	partial := []campaignbot.RosterEntry{{Line: 2, Name: "钱副", Departments: []string{"局领导"}, Roles: leader, InChargeOf: []string{"计划科"}}}
	ch, err := db.PlanRoster(ctx, partial)
	if err != nil {
		t.Fatal(err)
	}
	if want := (RosterChange{Department: "计划科", From: "王副", To: "钱副"}); len(ch) != 1 || ch[0] != want {
		t.Errorf("changes = %v, want %v", ch, want)
	}
	// Listing 王副 with another department makes the hand-over explicit.
	explicit := append(partial, campaignbot.RosterEntry{Line: 3, Name: "王副", Departments: []string{"局领导"}, Roles: leader, InChargeOf: []string{"局领导"}})
	if ch, err := db.PlanRoster(ctx, explicit); err != nil || len(ch) != 0 {
		t.Errorf("an explicit hand-over plans %v, %v", ch, err)
	}
}

// TestCreateInviteRevokesOlder makes a reissued code the only one that
// works.
func TestCreateInviteRevokesOlder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "甲")
	old, err := db.CreateInvite(ctx, ids["甲"])
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := db.CreateInvite(ctx, ids["甲"])
	if err != nil {
		t.Fatal(err)
	}
	tg := campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: "1001"}
	_, err = db.RedeemInvite(ctx, old.Code, tg)
	mustCode(t, err, campaignbot.EINVALID)
	if _, err := db.RedeemInvite(ctx, fresh.Code, tg); err != nil {
		t.Errorf("the new code: %v", err)
	}
}
