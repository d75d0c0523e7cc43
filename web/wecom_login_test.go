package web_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"campaignbot"
	"campaignbot/bot/wecom"
	"campaignbot/bot/wecom/wecomtest"
)

// TestWeComOAuthSignIn signs a member in from inside WeCom: the console
// sends the browser to WeCom's authorisation with a state, WeCom (the
// fake) comes back with a code, and auth/getuserinfo names the member. A
// wrong state, a spent code, an outsider and a UserID not on the roster
// are refused.
func TestWeComOAuthSignIn(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	fake := wecomtest.NewServer(t, "ww0123456789abcdef", "app-secret")
	c.srv.SetWeComOAuth(wecom.NewClient(fake.URL(), "ww0123456789abcdef", "app-secret", 1000002))
	sun := c.person(t, "孙静")
	if _, err := c.db.UpdatePerson(ctx, sun.ID, campaignbot.RosterEntry{Name: sun.Name, Departments: []string{sun.Department}, Roles: sun.RoleList(), WeCom: "sunjing"}); err != nil {
		t.Fatal(err)
	}
	newBrowser := func() *browser {
		jar, _ := cookiejar.New(nil)
		return &browser{c: c, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	}
	// start opens /wecom/login as the WeCom client does and returns the
	// state the console put in WeCom's authorisation link.
	start := func(b *browser) string {
		t.Helper()
		res, err := b.client.Get(c.ts.URL + "/wecom/login")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusFound || !strings.HasPrefix(loc, wecom.AuthorizeBaseURL+"?appid=ww0123456789abcdef&redirect_uri="+url.QueryEscape(c.ts.URL+"/wecom/login")) ||
			!strings.HasSuffix(loc, "#wechat_redirect") {
			t.Fatalf("start: %d %s", res.StatusCode, loc)
		}
		u, _ := url.Parse(loc)
		return u.Query().Get("state")
	}
	back := func(b *browser, code, state string) int {
		t.Helper()
		code2, _ := b.get(t, "/wecom/login?code="+url.QueryEscape(code)+"&state="+url.QueryEscape(state))
		return code2
	}

	b := newBrowser()
	state := start(b)
	code := fake.IssueOAuthCode("sunjing")
	if got := back(b, code, state); got != http.StatusSeeOther {
		t.Fatalf("sign-in: %d %s", got, c.log)
	}
	if code, body := b.get(t, "/tasks"); code != http.StatusOK || !strings.Contains(body, "孙静") {
		t.Fatalf("after sign-in /tasks: %d", code)
	}
	es, _ := c.db.FindAudit(ctx, 1)
	if len(es) != 1 || es[0].Action != "login" || es[0].Detail != "wecom" || es[0].Actor != "孙静" {
		t.Errorf("audit %+v", es)
	}
	// The spent code again, in a fresh browser: WeCom says 40029.
	b2 := newBrowser()
	if got := back(b2, code, start(b2)); got != http.StatusUnauthorized {
		t.Errorf("a spent code: %d", got)
	}
	// A state that is not this browser's: a code passed on from elsewhere.
	b3 := newBrowser()
	start(b3)
	if got := back(b3, fake.IssueOAuthCode("sunjing"), "someone-elses"); got != http.StatusUnauthorized {
		t.Errorf("a wrong state: %d", got)
	}
	if code, _ := b3.get(t, "/tasks"); code != http.StatusUnauthorized {
		t.Errorf("signed in after a wrong state: %d", code)
	}
	b4 := newBrowser()
	if got := back(b4, fake.IssueOAuthCodeOutsider("o-1"), start(b4)); got != http.StatusForbidden {
		t.Errorf("an outsider: %d", got)
	}
	b5 := newBrowser()
	if got := back(b5, fake.IssueOAuthCode("stranger"), start(b5)); got != http.StatusForbidden {
		t.Errorf("a member not on the roster: %d", got)
	}
}
