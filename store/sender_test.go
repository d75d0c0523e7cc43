package store

import (
	"context"
	"reflect"
	"testing"

	"campaignbot"
)

// TestFindPersonByAccount checks the one-statement lookup of the chat path
// against FindAccount and FindPersonByID, for a leader with several roles,
// departments in charge and an unreachable platform.
func TestFindPersonByAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	if _, _, err := db.ImportRoster(ctx, []campaignbot.RosterEntry{
		{Name: "李", Departments: []string{"局领导"}, Roles: []campaignbot.Role{campaignbot.RoleLeader, campaignbot.RoleMember}, InChargeOf: []string{"甲科", "乙科"}},
		{Name: "王", Departments: []string{"甲科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}},
	}); err != nil {
		t.Fatal(err)
	}
	li, err := db.FindPersonByName(ctx, "李")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := db.CreateInvite(ctx, li.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RedeemInvite(ctx, inv.Code, campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: "42", ChatID: "42"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetReachable(ctx, li.ID, campaignbot.PlatformWeCom, false); err != nil {
		t.Fatal(err)
	}
	acc, p, err := db.FindPersonByAccount(ctx, campaignbot.PlatformTelegram, "42")
	if err != nil {
		t.Fatal(err)
	}
	wantAcc, err := db.FindAccount(ctx, campaignbot.PlatformTelegram, "42")
	if err != nil {
		t.Fatal(err)
	}
	wantP, err := db.FindPersonByID(ctx, li.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(acc, wantAcc) {
		t.Errorf("account %+v, want %+v", acc, wantAcc)
	}
	if !reflect.DeepEqual(p, wantP) {
		t.Errorf("person %+v, want %+v", p, wantP)
	}
	if len(p.Roles) != 2 || len(p.InChargeOf) != 2 || len(p.Unreachable) != 1 {
		t.Errorf("person lacks roles, departments or reachability: %+v", p)
	}
	if _, _, err := db.FindPersonByAccount(ctx, campaignbot.PlatformTelegram, "43"); campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
		t.Errorf("unbound account: %v, want ENOTFOUND", err)
	}
}
