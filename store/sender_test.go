package store

import (
	"context"
	"path/filepath"
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

// TestFindArrival checks the handled record and the sender together, each
// present or not.
func TestFindArrival(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "甲")
	inv, err := db.CreateInvite(ctx, ids["甲"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RedeemInvite(ctx, inv.Code, campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: "42", ChatID: "42"}); err != nil {
		t.Fatal(err)
	}
	for key, replies := range map[string][]byte{"telegram:42:1": []byte(`["ok"]`), "telegram:43:1": []byte(`["bind first"]`), "telegram:42:2": nil} {
		if _, err := db.MarkHandled(ctx, key, replies); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		key, account string
		wantHandled  bool
		wantReplies  string
		wantPerson   int64
	}{
		{"telegram:42:1", "42", true, `["ok"]`, ids["甲"]},
		{"telegram:42:2", "42", true, "", ids["甲"]},
		{"telegram:42:3", "42", false, "", ids["甲"]},
		{"", "42", false, "", ids["甲"]},
		{"telegram:43:1", "43", true, `["bind first"]`, 0},
		{"telegram:43:2", "43", false, "", 0},
	}
	for _, tt := range tests {
		ar, err := db.FindArrival(ctx, tt.key, campaignbot.PlatformTelegram, tt.account)
		if err != nil {
			t.Fatalf("%s: %v", tt.key, err)
		}
		if ar.Handled != tt.wantHandled || string(ar.Replies) != tt.wantReplies {
			t.Errorf("%q: handled %v replies %q, want %v %q", tt.key, ar.Handled, ar.Replies, tt.wantHandled, tt.wantReplies)
		}
		var got int64
		if ar.Person != nil {
			got = ar.Person.ID
			if ar.Account == nil || ar.Account.PersonID != got || ar.Account.ChatID != tt.account {
				t.Errorf("%q: account %+v for person %d", tt.key, ar.Account, got)
			}
		} else if ar.Account != nil {
			t.Errorf("%q: account %+v without a person", tt.key, ar.Account)
		}
		if got != tt.wantPerson {
			t.Errorf("%q: person %d, want %d", tt.key, got, tt.wantPerson)
		}
	}
}

// TestFindArrivalSeesChanges checks that the senders FindArrival keeps in
// memory never outlive a change to the roster, made by this store or by
// another process (a second store on the same file), and that a caller
// changing its copy changes nothing for the next.
func TestFindArrivalSeesChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	bot, other := mustOpenPath(t, path), mustOpenPath(t, path)
	ids := importPeople(t, other, "甲", "乙")
	arrival := func() *campaignbot.Arrival {
		t.Helper()
		ar, err := bot.FindArrival(ctx, "", campaignbot.PlatformTelegram, "42")
		if err != nil {
			t.Fatal(err)
		}
		return ar
	}
	if ar := arrival(); ar.Person != nil {
		t.Fatalf("unbound account found %+v", ar.Person)
	}
	inv, err := other.CreateInvite(ctx, ids["甲"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.RedeemInvite(ctx, inv.Code, campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: "42", ChatID: "42"}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name   string
		change func() error
		check  func(p *campaignbot.Person) bool
	}{
		{"bound by another process", func() error { return nil },
			func(p *campaignbot.Person) bool { return p != nil && p.Name == "甲" }},
		{"a role granted", func() error {
			_, _, err := other.ImportRoster(ctx, []campaignbot.RosterEntry{{Name: "甲", Departments: []string{"综合科"},
				Roles: []campaignbot.Role{campaignbot.RoleMember, campaignbot.RoleLiaison}}})
			return err
		}, func(p *campaignbot.Person) bool { return p.HasRole(campaignbot.RoleLiaison) }},
		{"moved to another department", func() error {
			_, _, err := other.ImportRoster(ctx, []campaignbot.RosterEntry{{Name: "甲", Departments: []string{"办公室"},
				Roles: []campaignbot.Role{campaignbot.RoleMember}}})
			return err
		}, func(p *campaignbot.Person) bool {
			return p.Department == "办公室" && !p.HasRole(campaignbot.RoleLiaison)
		}},
		{"unreachable on WeCom, by this store", func() error {
			return bot.SetReachable(ctx, ids["甲"], campaignbot.PlatformWeCom, false)
		}, func(p *campaignbot.Person) bool { return len(p.Unreachable) == 1 }},
	}
	for _, st := range steps {
		arrival() // cache what was there before the change
		if err := st.change(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		ar := arrival()
		if !st.check(ar.Person) {
			t.Errorf("%s: FindArrival gives %+v", st.name, ar.Person)
		}
		if ar.Person != nil {
			ar.Person.Roles = nil // the caller's copy
			ar.Person.Name = "changed"
		}
		if again := arrival(); again.Person == nil || again.Person.Name != "甲" || len(again.Person.Roles) == 0 {
			t.Errorf("%s: a caller's change reached the cache: %+v", st.name, again.Person)
		}
	}
}
