package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"campaignbot"
)

// TestRosterAddInviteRemove: the office adds a person, makes and revokes
// their invite code, and removes a member who has submitted: the member
// leaves the roster and their session, their submissions keep their name.
func TestRosterAddInviteRemove(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	office := c.signIn(t, "陈丽")
	add := url.Values{"csrf": {office.csrf}, "name": {"周敏"}, "department": {"科技管理科"}, "roles": {"member", "middle"}, "telegram": {""}, "wecom": {"zhoumin"}}
	code, body := office.post(t, "/people/new", add)
	if code != http.StatusSeeOther {
		t.Fatalf("add: %d %s", code, body)
	}
	zhou := c.person(t, "周敏")
	if zhou.Department != "科技管理科" || !zhou.HasRole(campaignbot.RoleMiddle) || zhou.WeCom != "zhoumin" {
		t.Errorf("added %+v", zhou)
	}
	// A name on the roster is not added twice (an import would update it).
	if code, body := office.post(t, "/people/new", add); code != http.StatusBadRequest || !strings.Contains(body, campaignbot.T("zh", "web.person.exists", "周敏")) {
		t.Errorf("adding again: %d", code)
	}
	// An invite code, as /invite makes it, shown on the page and not in
	// an address.
	code, body = office.post(t, "/people/"+itoa(zhou.ID)+"/invite", url.Values{"csrf": {office.csrf}})
	if code != http.StatusOK {
		t.Fatalf("invite: %d %s", code, body)
	}
	invs, err := c.db.FindInvites(ctx, zhou.ID)
	if err != nil || len(invs) != 1 || !strings.Contains(body, invs[0].Code) {
		t.Fatalf("invites %+v %v", invs, err)
	}
	code, _ = office.post(t, "/people/"+itoa(zhou.ID)+"/revoke", url.Values{"csrf": {office.csrf}})
	if code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", code)
	}
	if invs, _ := c.db.FindInvites(ctx, zhou.ID); len(invs) != 0 {
		t.Errorf("still open after revoking: %+v", invs)
	}
	if _, err := c.db.RedeemInvite(ctx, invs[0].Code, campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: "555"}); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
		t.Errorf("a revoked code redeems: %v", err)
	}

	// Removing a section head who submitted and is signed in.
	zhao := c.person(t, "赵磊")
	member := c.signIn(t, "赵磊")
	subs, _ := c.db.FindSubmissions(ctx, campaignbot.SubmissionFilter{PersonID: &zhao.ID})
	if len(subs) == 0 {
		t.Fatal("the demo member has submitted nothing")
	}
	if code, _ := office.post(t, "/people/"+itoa(c.person(t, "陈丽").ID)+"/remove", url.Values{"csrf": {office.csrf}, "confirm": {"1"}}); code != http.StatusBadRequest {
		t.Errorf("removing oneself: %d", code)
	}
	if code, _ := office.post(t, "/people/"+itoa(zhao.ID)+"/remove", url.Values{"csrf": {office.csrf}}); code != http.StatusBadRequest {
		t.Errorf("a removal not confirmed: %d", code)
	}
	if code, body := office.post(t, "/people/"+itoa(zhao.ID)+"/remove", url.Values{"csrf": {office.csrf}, "confirm": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("remove: %d %s", code, body)
	}
	if _, err := c.db.FindPersonByName(ctx, "赵磊"); campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
		t.Errorf("still on the roster by name: %v", err)
	}
	people, _ := c.db.FindPeople(ctx, campaignbot.PersonFilter{})
	for _, p := range people {
		if p.ID == zhao.ID {
			t.Errorf("still listed")
		}
	}
	if _, body := office.get(t, "/roster"); strings.Contains(body, ">赵磊<") {
		t.Errorf("the roster page lists the removed person")
	}
	if p, err := c.db.FindPersonByID(ctx, zhao.ID); err != nil || p.Name != "赵磊" || len(p.Roles) != 0 {
		t.Errorf("by id: %+v %v", p, err)
	}
	if after, _ := c.db.FindSubmissions(ctx, campaignbot.SubmissionFilter{PersonID: &zhao.ID}); len(after) != len(subs) {
		t.Errorf("submissions %d → %d", len(subs), len(after))
	}
	if code, _ := member.get(t, "/tasks"); code != http.StatusUnauthorized {
		t.Errorf("the removed member's session: %d", code)
	}
	if code, _ := office.post(t, "/people/"+itoa(zhao.ID)+"/remove", url.Values{"csrf": {office.csrf}, "confirm": {"1"}}); code != http.StatusNotFound {
		t.Errorf("removing twice: %d", code)
	}
	// An import names them back.
	if _, _, err := c.db.ImportRoster(ctx, []campaignbot.RosterEntry{{Name: "赵磊", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}}}); err != nil {
		t.Fatal(err)
	}
	if p, err := c.db.FindPersonByName(ctx, "赵磊"); err != nil || p.ID != zhao.ID {
		t.Errorf("re-imported: %+v %v", p, err)
	}
	es, _ := c.db.FindAudit(ctx, 10)
	var actions []string
	for _, e := range es {
		if e.Action != "login" {
			actions = append(actions, e.Action)
		}
	}
	if want := "person_remove invite_revoke invite person_add"; strings.Join(actions, " ") != want {
		t.Errorf("audit %q, want %q", actions, want)
	}
}
