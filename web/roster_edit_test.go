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

// TestRosterNamesakes: two 王芳 in different 科室 are told apart by their
// 工号 in the form, as in a roster file; the edit form shows and changes
// the 工号 and the 帮扶组.
func TestRosterNamesakes(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	office := c.signIn(t, "陈丽")
	first := url.Values{"csrf": {office.csrf}, "name": {"王芳"}, "department": {"科技管理科"}, "roles": {"member"}, "external_id": {"1001"}}
	if code, body := office.post(t, "/people/new", first); code != http.StatusSeeOther {
		t.Fatalf("add the first: %d %s", code, body)
	}
	second := url.Values{"csrf": {office.csrf}, "name": {"王芳"}, "department": {"政策法规科"}, "roles": {"member"}, "external_id": {"1002"}, "team": {"困难帮扶组"}}
	if code, body := office.post(t, "/people/new", second); code != http.StatusSeeOther {
		t.Fatalf("add the second: %d %s", code, body)
	}
	// The same 工号 again, or none at all, is the person already there.
	for _, again := range []url.Values{first, {"csrf": {office.csrf}, "name": {"王芳"}, "department": {"办公室"}, "roles": {"member"}}} {
		if code, body := office.post(t, "/people/new", again); code != http.StatusBadRequest || !strings.Contains(body, "请填写工号") {
			t.Errorf("adding %v: %d", again, code)
		}
	}
	name := "王芳"
	ps, err := c.db.FindPeople(ctx, campaignbot.PersonFilter{Name: &name})
	if err != nil || len(ps) != 2 {
		t.Fatalf("王芳: %d people %v", len(ps), err)
	}
	byID := map[string]*campaignbot.Person{}
	for _, p := range ps {
		byID[p.ExternalID] = p
	}
	if p := byID["1002"]; p == nil || p.Department != "政策法规科" || p.Team != "困难帮扶组" {
		t.Fatalf("the second 王芳: %+v", p)
	}
	if p := byID["1001"]; p == nil || p.Department != "科技管理科" || p.Team != "" {
		t.Fatalf("the first 王芳: %+v", p)
	}
	page := "/people/" + itoa(byID["1002"].ID)
	if code, body := office.get(t, page); code != http.StatusOK || !strings.Contains(body, `value="1002"`) || !strings.Contains(body, `value="困难帮扶组"`) {
		t.Errorf("the edit form does not show the 工号 and 帮扶组: %d", code)
	}
	edit := url.Values{"csrf": {office.csrf}, "name": {"王芳"}, "department": {"政策法规科"}, "roles": {"member"}, "external_id": {"1002"}, "team": {"政策宣传组"}}
	if code, body := office.post(t, page, edit); code != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", code, body)
	}
	if p, err := c.db.FindPersonByID(ctx, byID["1002"].ID); err != nil || p.Team != "政策宣传组" || p.ExternalID != "1002" {
		t.Errorf("after the edit: %+v %v", p, err)
	}
}
