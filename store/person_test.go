package store

import (
	"context"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"campaignbot"
)

// importPeople imports members named names into one department and returns
// their ids by name.
func importPeople(tb testing.TB, db *DB, names ...string) map[string]int64 {
	tb.Helper()
	ctx := context.Background()
	var es []campaignbot.RosterEntry
	for _, n := range names {
		es = append(es, campaignbot.RosterEntry{Name: n, Departments: []string{"综合科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}})
	}
	if _, _, err := db.ImportRoster(ctx, es); err != nil {
		tb.Fatalf("import roster: %v", err)
	}
	ids := map[string]int64{}
	for _, n := range names {
		p, err := db.FindPersonByName(ctx, n)
		if err != nil {
			tb.Fatal(err)
		}
		ids[n] = p.ID
	}
	return ids
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return path != "" && err == nil
}

func TestImportRoster(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newTestClock()
	db := MustOpen(t, WithClock(clock), WithLocation(time.UTC))
	day1 := campaignbot.DateOf(clock.Now(), time.UTC)

	roster := []campaignbot.RosterEntry{
		{Line: 2, Name: "李局", Departments: []string{"局领导"}, Roles: []campaignbot.Role{campaignbot.RoleHead, campaignbot.RoleMember}},
		{Line: 3, Name: "王副", Departments: []string{"局领导"}, Roles: []campaignbot.Role{campaignbot.RoleLeader, campaignbot.RoleMember}, InChargeOf: []string{"科技科", "综合科"}, Telegram: "wangfu"},
		{Line: 4, Name: "赵科", Departments: []string{"科技科"}, Roles: []campaignbot.Role{campaignbot.RoleMiddle, campaignbot.RoleMember}, WeCom: "zhaoke"},
		{Line: 5, Name: "钱副", Departments: []string{"计划科"}, Roles: []campaignbot.Role{campaignbot.RoleLeader}},
	}
	// 综合科 has no member yet: it must exist before a leader is put in
	// charge of it, or it would be taken for a typo.
	if _, _, err := db.ImportRoster(ctx, []campaignbot.RosterEntry{{Line: 5, Name: "孙综", Departments: []string{"综合科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RemovePeople(ctx, []string{"孙综"}); err != nil {
		t.Fatal(err)
	}
	created, updated, err := db.ImportRoster(ctx, roster)
	if err != nil {
		t.Fatal(err)
	}
	if created != 4 || updated != 0 {
		t.Errorf("first import: created %d updated %d, want 4 0", created, updated)
	}

	depts, err := db.FindDepartments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deptID := map[string]int64{}
	for _, d := range depts {
		deptID[d.Name] = d.ID
	}
	leaderOf := mustLeaders(t, db, depts)
	wang, err := db.FindPersonByName(ctx, "王副")
	if err != nil {
		t.Fatal(err)
	}
	qian, err := db.FindPersonByName(ctx, "钱副")
	if err != nil {
		t.Fatal(err)
	}
	if leaderOf["科技科"] != wang.ID || leaderOf["综合科"] != wang.ID || leaderOf["局领导"] != 0 {
		t.Errorf("leaders = %v, want 科技科 and 综合科 led by %d", leaderOf, wang.ID)
	}
	if got, want := qian.InChargeOf, []int64{deptID["计划科"]}; !slices.Equal(got, want) {
		t.Errorf("default in charge = %v, want own department %v", got, want)
	}
	if leaderOf["计划科"] != qian.ID {
		t.Errorf("计划科 leader = %d, want %d", leaderOf["计划科"], qian.ID)
	}
	if wang.Telegram != "wangfu" {
		t.Errorf("telegram = %q", wang.Telegram)
	}

	// A week later: 赵科 gains leader, loses middle, moves department; 王副
	// hands 综合科 over.
	clock.Add(7 * 24 * time.Hour)
	day2 := campaignbot.DateOf(clock.Now(), time.UTC)
	roster[2] = campaignbot.RosterEntry{Line: 4, Name: "赵科", Departments: []string{"综合科"}, Roles: []campaignbot.Role{campaignbot.RoleMember, campaignbot.RoleLeader}, WeCom: "zhaoke2"}
	roster[1].InChargeOf = []string{"科技科"}
	created, updated, err = db.ImportRoster(ctx, roster)
	if err != nil {
		t.Fatal(err)
	}
	if created != 0 || updated != 4 {
		t.Errorf("re-import: created %d updated %d, want 0 4", created, updated)
	}
	people, err := db.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 4 {
		t.Fatalf("re-import made %d people, want 4", len(people))
	}
	zhao, err := db.FindPersonByName(ctx, "赵科")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := zhao.Roles, []campaignbot.RoleGrant{{Role: campaignbot.RoleMember, Since: day1}, {Role: campaignbot.RoleLeader, Since: day2}}; !slices.Equal(got, want) {
		t.Errorf("roles = %v, want %v", got, want)
	}
	if zhao.Department != "综合科" || zhao.WeCom != "zhaoke2" {
		t.Errorf("赵科 = %s %s, want 综合科 zhaoke2", zhao.Department, zhao.WeCom)
	}
	if got, want := zhao.InChargeOf, []int64{deptID["综合科"]}; !slices.Equal(got, want) {
		t.Errorf("赵科 in charge = %v, want %v", got, want)
	}
	wang, _ = db.FindPersonByName(ctx, "王副")
	if got, want := wang.InChargeOf, []int64{deptID["科技科"]}; !slices.Equal(got, want) {
		t.Errorf("王副 in charge = %v, want %v", got, want)
	}
	leaderOf = mustLeaders(t, db, depts)
	if leaderOf["综合科"] != zhao.ID || leaderOf["科技科"] != wang.ID {
		t.Errorf("leaders after re-import = %v", leaderOf)
	}

	role := campaignbot.RoleLeader
	leaders, err := db.FindPeople(ctx, campaignbot.PersonFilter{Role: &role})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(leaders), 3; got != want {
		t.Errorf("leaders = %d, want %d", got, want)
	}
	_, err = db.FindPersonByName(ctx, "nobody")
	mustCode(t, err, campaignbot.ENOTFOUND)
}

func TestImportRosterAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		bad  campaignbot.RosterEntry
	}{
		{"unknown role", campaignbot.RosterEntry{Line: 3, Name: "乙", Departments: []string{"科"}, Roles: []campaignbot.Role{"boss"}}},
		{"no department", campaignbot.RosterEntry{Line: 3, Name: "乙", Roles: []campaignbot.Role{campaignbot.RoleMember}}},
		{"empty name", campaignbot.RosterEntry{Line: 3, Name: " ", Departments: []string{"科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}}},
		{"duplicate name", campaignbot.RosterEntry{Line: 3, Name: "甲", Departments: []string{"科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}}},
		{"two leaders", campaignbot.RosterEntry{Line: 3, Name: "乙", Departments: []string{"科"}, Roles: []campaignbot.Role{campaignbot.RoleLeader}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			good := campaignbot.RosterEntry{Line: 2, Name: "甲", Departments: []string{"科"}, Roles: []campaignbot.Role{campaignbot.RoleLeader}}
			_, _, err := db.ImportRoster(ctx, []campaignbot.RosterEntry{good, tt.bad})
			mustCode(t, err, campaignbot.EINVALID)
			if !regexp.MustCompile(`line 3`).MatchString(campaignbot.ErrorMessage(err)) {
				t.Errorf("message %q does not name line 3", campaignbot.ErrorMessage(err))
			}
			people, err := db.FindPeople(ctx, campaignbot.PersonFilter{})
			if err != nil {
				t.Fatal(err)
			}
			depts, err := db.FindDepartments(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(people) != 0 || len(depts) != 0 {
				t.Errorf("failed import stored %d people, %d departments", len(people), len(depts))
			}
		})
	}
}

func TestInvites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newTestClock()
	db := MustOpen(t, WithClock(clock))
	ids := importPeople(t, db, "甲", "乙")

	inv, err := db.CreateInvite(ctx, ids["甲"])
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{22,64}$`).MatchString(inv.Code) {
		t.Errorf("code %q is not 22..64 URL-safe characters", inv.Code)
	}
	if got, want := inv.ExpiresAt.Sub(inv.CreatedAt), campaignbot.InviteTTL; got != want {
		t.Errorf("ttl = %v, want %v", got, want)
	}
	seen := map[string]bool{inv.Code: true}
	for range 20 {
		other, err := db.CreateInvite(ctx, ids["乙"])
		if err != nil {
			t.Fatal(err)
		}
		if seen[other.Code] {
			t.Fatalf("code %q repeated", other.Code)
		}
		seen[other.Code] = true
	}
	_, err = db.CreateInvite(ctx, 9999)
	mustCode(t, err, campaignbot.ENOTFOUND)

	tg := campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: "1001", ChatID: "1001"}
	_, err = db.RedeemInvite(ctx, "no-such-code", tg)
	mustCode(t, err, campaignbot.ENOTFOUND)

	p, err := db.RedeemInvite(ctx, inv.Code, tg)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != ids["甲"] {
		t.Errorf("bound to %d, want %d", p.ID, ids["甲"])
	}
	acc, err := db.FindAccount(ctx, campaignbot.PlatformTelegram, "1001")
	if err != nil {
		t.Fatal(err)
	}
	if acc.PersonID != ids["甲"] || acc.ChatID != "1001" {
		t.Errorf("account = %+v", acc)
	}
	_, err = db.RedeemInvite(ctx, inv.Code, campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: "1002"})
	mustCode(t, err, campaignbot.EINVALID)
	if got, want := campaignbot.ErrorMessage(err), campaignbot.MsgInviteUsed; got != want {
		t.Errorf("used: message %q, want %q", got, want)
	}

	// Expired: created now, redeemed after the TTL.
	late, err := db.CreateInvite(ctx, ids["乙"])
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(campaignbot.InviteTTL)
	_, err = db.RedeemInvite(ctx, late.Code, tg)
	mustCode(t, err, campaignbot.EINVALID)
	if got, want := campaignbot.ErrorMessage(err), campaignbot.MsgInviteExpired; got != want {
		t.Errorf("expired: message %q, want %q", got, want)
	}

	// 乙's code redeemed from 甲's account is refused (SPEC §4: a code
	// never moves an account to another person) and stays usable; 乙's
	// own account takes it.
	fresh, err := db.CreateInvite(ctx, ids["乙"])
	if err != nil {
		t.Fatal(err)
	}
	wecom := campaignbot.Account{Platform: campaignbot.PlatformWeCom, AccountID: "yi"}
	_, err = db.RedeemInvite(ctx, fresh.Code, tg)
	mustCode(t, err, campaignbot.ECONFLICT)
	if got, want := campaignbot.ErrorMessage(err), campaignbot.MsgAccountBound; got != want {
		t.Errorf("bound: message %q, want %q", got, want)
	}
	acc, err = db.FindAccount(ctx, campaignbot.PlatformTelegram, "1001")
	if err != nil {
		t.Fatal(err)
	}
	if acc.PersonID != ids["甲"] {
		t.Errorf("account person = %d after a refused code, want 甲 (%d)", acc.PersonID, ids["甲"])
	}
	if _, err := db.RedeemInvite(ctx, fresh.Code, campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: "1003"}); err != nil {
		t.Fatalf("乙's own account: %v", err)
	}
	accs, err := db.FindAccountsByPerson(ctx, ids["甲"])
	if err != nil {
		t.Fatal(err)
	}
	if len(accs) != 1 {
		t.Errorf("甲 has %d accounts, want 1", len(accs))
	}
	wecomInvite, err := db.CreateInvite(ctx, ids["乙"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RedeemInvite(ctx, wecomInvite.Code, wecom); err != nil {
		t.Fatal(err)
	}
	accs, err = db.FindAccountsByPerson(ctx, ids["乙"])
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(accs), 2; got != want {
		t.Errorf("乙 has %d accounts, want %d (one per platform)", got, want)
	}
	if wecomAcc, _ := db.FindAccount(ctx, campaignbot.PlatformWeCom, "yi"); wecomAcc == nil || wecomAcc.ChatID != "yi" {
		t.Errorf("chat id defaults to the account id: %+v", wecomAcc)
	}
	_, err = db.FindAccount(ctx, campaignbot.PlatformTelegram, "404")
	mustCode(t, err, campaignbot.ENOTFOUND)

	// A code seen by others is revoked: unusable from then on.
	leaked, err := db.CreateInvite(ctx, ids["甲"])
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := db.RevokeInvite(ctx, leaked.Code); err != nil || !ok {
		t.Fatalf("revoke = %v, %v", ok, err)
	}
	if ok, err := db.RevokeInvite(ctx, leaked.Code); err != nil || ok {
		t.Errorf("revoke again = %v, %v, want false", ok, err)
	}
	_, err = db.RedeemInvite(ctx, leaked.Code, campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: "1005"})
	mustCode(t, err, campaignbot.EINVALID)
	if got, want := campaignbot.ErrorMessage(err), campaignbot.MsgInviteExpired; got != want {
		t.Errorf("revoked: message %q, want %q", got, want)
	}
}

// TestBindRosterAccount: a numeric Telegram id in the roster binds on the
// account's first message, once, and never takes an account or a person
// that is bound already.
func TestBindRosterAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	if _, _, err := db.ImportRoster(ctx, []campaignbot.RosterEntry{
		{Name: "甲", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleMember}, Telegram: "5001"},
		{Name: "乙", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleMember}, Telegram: "5002"},
		{Name: "丙", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleMember}, Telegram: "bing_user"},
	}); err != nil {
		t.Fatal(err)
	}
	tg := func(id string) campaignbot.Account {
		return campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: id, ChatID: id}
	}
	acc, p, err := db.BindRosterAccount(ctx, tg("5001"))
	if err != nil || p.Name != "甲" || acc.PersonID != p.ID || acc.ChatID != "5001" {
		t.Fatalf("bind 5001 = %+v, %+v, %v", acc, p, err)
	}
	_, _, err = db.BindRosterAccount(ctx, tg("5001"))
	mustCode(t, err, campaignbot.ENOTFOUND) // bound already: nothing to do
	_, _, err = db.BindRosterAccount(ctx, tg("7777"))
	mustCode(t, err, campaignbot.ENOTFOUND)
	_, _, err = db.BindRosterAccount(ctx, tg("bing_user"))
	mustCode(t, err, campaignbot.ENOTFOUND) // a user name is not vouched for by the id
	// 乙 bound another account with an invite: the roster id does not
	// unbind it.
	ps, err := db.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var yi int64
	for _, p := range ps {
		if p.Name == "乙" {
			yi = p.ID
		}
	}
	inv, err := db.CreateInvite(ctx, yi)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RedeemInvite(ctx, inv.Code, tg("6002")); err != nil {
		t.Fatal(err)
	}
	_, _, err = db.BindRosterAccount(ctx, tg("5002"))
	mustCode(t, err, campaignbot.ENOTFOUND)
	if acc, err := db.FindAccount(ctx, campaignbot.PlatformTelegram, "6002"); err != nil || acc.PersonID != yi {
		t.Errorf("乙's account = %+v, %v", acc, err)
	}
}

func TestLeavesAndReachable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "甲")
	l := &campaignbot.Leave{PersonID: ids["甲"], From: 100, To: 105}
	if err := db.CreateLeave(ctx, l); err != nil {
		t.Fatal(err)
	}
	mustCode(t, db.CreateLeave(ctx, &campaignbot.Leave{PersonID: ids["甲"], From: 10, To: 5}), campaignbot.EINVALID)
	mustCode(t, db.CreateLeave(ctx, &campaignbot.Leave{PersonID: 777, From: 1, To: 5}), campaignbot.ENOTFOUND)
	ls, err := db.FindLeaves(ctx, ids["甲"])
	if err != nil {
		t.Fatal(err)
	}
	all, err := db.FindAllLeaves(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 || ls[0] != *l || len(all) != 1 {
		t.Errorf("leaves = %v, all = %v, want [%v]", ls, all, *l)
	}

	if err := db.SetReachable(ctx, ids["甲"], campaignbot.PlatformTelegram, false); err != nil {
		t.Fatal(err)
	}
	p, _ := db.FindPersonByID(ctx, ids["甲"])
	if got, want := p.Unreachable, []campaignbot.Platform{campaignbot.PlatformTelegram}; !slices.Equal(got, want) {
		t.Errorf("unreachable = %v, want %v", got, want)
	}
	if err := db.SetReachable(ctx, ids["甲"], campaignbot.PlatformTelegram, true); err != nil {
		t.Fatal(err)
	}
	p, _ = db.FindPersonByID(ctx, ids["甲"])
	if len(p.Unreachable) != 0 {
		t.Errorf("unreachable = %v after reachable", p.Unreachable)
	}
}

// TestInviteFailures records wrong codes for two accounts and reads them
// back by window; recording forgets those before the given time.
func TestInviteFailures(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return base.Add(time.Duration(min) * time.Minute) }
	for _, f := range []struct {
		account string
		min     int
	}{{"telegram:1", 0}, {"telegram:1", 5}, {"telegram:2", 6}, {"telegram:1", 10}} {
		if err := db.RecordInviteFailure(ctx, f.account, at(f.min), at(f.min-15)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		account string
		since   int
		want    []time.Time
	}{
		{"telegram:1", -60, []time.Time{at(0), at(5), at(10)}},
		{"telegram:1", 5, []time.Time{at(5), at(10)}},
		{"telegram:2", 0, []time.Time{at(6)}},
		{"telegram:3", 0, nil},
	}
	for _, tt := range tests {
		got, err := db.InviteFailures(ctx, tt.account, at(tt.since))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got, tt.want, time.Time.Equal) {
			t.Errorf("InviteFailures(%s, %d) = %v, want %v", tt.account, tt.since, got, tt.want)
		}
	}
	// A failure 20 minutes later forgets those more than 15 minutes old.
	if err := db.RecordInviteFailure(ctx, "telegram:2", at(30), at(15)); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.InviteFailures(ctx, "telegram:1", at(-60)); len(got) != 0 {
		t.Errorf("old failures kept: %v", got)
	}
	mustCode(t, db.RecordInviteFailure(ctx, "", at(0), at(0)), campaignbot.EINVALID)
}

// mustLeaders returns each department's leader in charge by name, by the
// rule of campaignbot.LeadersInCharge over everyone in db.
func mustLeaders(tb testing.TB, db *DB, depts []*campaignbot.Department) map[string]int64 {
	tb.Helper()
	people, err := db.FindPeople(context.Background(), campaignbot.PersonFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	l := campaignbot.LeadersInCharge(people)
	m := map[string]int64{}
	for _, d := range depts {
		m[d.Name] = l[d.ID]
	}
	return m
}
