package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/demo"
	"campaignbot/plan"
	"campaignbot/store"
	"campaignbot/web"
)

// console is the demo organisation behind the web console on a test server.
type console struct {
	db  *store.DB
	eng *bot.Engine
	srv *web.Server
	ts  *httptest.Server
	log *strings.Builder
	// plan is the demo's plan in force.
	plan *campaignbot.Plan
}

// newConsole seeds the demo organisation into a fresh store and serves the
// console over it.
func newConsole(tb testing.TB) *console {
	tb.Helper()
	ctx := context.Background()
	now := time.Now()
	p, _, err := plan.Default(campaignbot.DateOf(now, time.FixedZone("CST", 8*3600)).AddDays(-demo.DaysIn))
	if err != nil {
		tb.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(tb.TempDir(), "demo.db"), store.WithLocation(p.Loc()))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	clock := db.Now
	if _, err := demo.Seed(ctx, db, p, now, func(t time.Time) {
		if t.Equal(now) {
			db.Now = clock
		} else {
			db.Now = func() time.Time { return t }
		}
	}); err != nil {
		tb.Fatal(err)
	}
	c := &console{db: db, log: &strings.Builder{}, plan: p}
	c.eng = bot.New(db, p, bot.WithGroups(campaignbot.PlatformTelegram), bot.WithWebLinker(func(ctx context.Context, id int64) (string, time.Time, error) {
		return c.srv.LoginLink(ctx, id)
	}))
	c.srv, err = web.New(db, c.eng, func() *campaignbot.Plan { return p }, "",
		web.WithLogger(slog.New(slog.NewTextHandler(c.log, nil))))
	if err != nil {
		tb.Fatal(err)
	}
	c.ts = httptest.NewServer(c.srv)
	tb.Cleanup(c.ts.Close)
	if err := c.srv.SetBaseURL(c.ts.URL); err != nil {
		tb.Fatal(err)
	}
	return c
}

// person returns the demo person with name.
func (c *console) person(tb testing.TB, name string) *campaignbot.Person {
	tb.Helper()
	p, err := c.db.FindPersonByName(context.Background(), name)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, signed in as one person.
type browser struct {
	c      *console
	client *http.Client
	csrf   string
}

// signIn asks the engine for /web as name, as the chat would, and spends
// the link.
func (c *console) signIn(tb testing.TB, name string) *browser {
	tb.Helper()
	replies, err := c.eng.Act(context.Background(), c.person(tb, name), "/web", nil)
	if err != nil || len(replies) != 1 {
		tb.Fatalf("/web: %v %v", replies, err)
	}
	link := regexp.MustCompile(`http://\S+/login/\S+`).FindString(replies[0])
	token := link[strings.LastIndex(link, "/")+1:]
	jar, _ := cookiejar.New(nil)
	b := &browser{c: c, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if code, _ := b.get(tb, "/login/"+token); code != http.StatusOK {
		tb.Fatalf("login page: %d", code)
	}
	if code, _ := b.post(tb, "/login", url.Values{"token": {token}}); code != http.StatusSeeOther {
		tb.Fatalf("login: %d", code)
	}
	_, body := b.get(tb, "/tasks")
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		tb.Fatalf("no csrf token on /tasks:\n%s", body)
	}
	b.csrf = m[1]
	return b
}

func (b *browser) get(tb testing.TB, path string) (int, string) {
	tb.Helper()
	res, err := b.client.Get(b.c.ts.URL + path)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func (b *browser) post(tb testing.TB, path string, form url.Values) (int, string) {
	tb.Helper()
	res, err := b.client.PostForm(b.c.ts.URL+path, form)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func TestPagesByRole(t *testing.T) {
	c := newConsole(t)
	office := c.signIn(t, "陈丽")
	for _, path := range []string{"/dashboard", "/roster", "/submissions", "/problems", "/problems/1", "/ledger", "/opinions", "/audit", "/tasks",
		"/people/" + itoa(c.person(t, "孙静").ID)} {
		if code, body := office.get(t, path); code != http.StatusOK {
			t.Errorf("office %s: %d\n%s\n%s", path, code, body, c.log)
		}
	}
	if _, body := office.get(t, "/dashboard"); !strings.Contains(body, `href="/submissions"`) || !strings.Contains(body, `href="/audit"`) {
		t.Errorf("the office's menu lacks pages:\n%s", body)
	}
	leader := c.signIn(t, "李明华")
	for path, want := range map[string]int{"/dashboard": 200, "/review": 200, "/problems": 200, "/submissions": 200, "/roster": 403, "/ledger": 403, "/audit": 403} {
		if code, _ := leader.get(t, path); code != want {
			t.Errorf("leader %s: %d, want %d\n%s", path, code, want, c.log)
		}
	}
	member := c.signIn(t, "孙静")
	for path, want := range map[string]int{"/tasks": 200, "/submissions": 200, "/dashboard": 403, "/roster": 403, "/ledger": 403, "/opinions": 403, "/audit": 403, "/review": 403, "/problems/1": 403} {
		if code, _ := member.get(t, path); code != want {
			t.Errorf("member %s: %d, want %d\n%s", path, code, want, c.log)
		}
	}
	if _, body := member.get(t, "/tasks"); strings.Contains(body, `href="/roster"`) || strings.Contains(body, `href="/dashboard"`) {
		t.Errorf("a member's menu links the office's pages")
	}
	if code, _ := member.get(t, "/"); code != http.StatusSeeOther {
		t.Errorf("member /: %d", code)
	}
	// Nobody signed in.
	anon := &browser{c: c, client: http.DefaultClient}
	if code, _ := anon.get(t, "/dashboard"); code != http.StatusUnauthorized {
		t.Errorf("signed out /dashboard: %d", code)
	}
}

func TestLoginLinkAndSession(t *testing.T) {
	c := newConsole(t)
	replies, err := c.eng.Act(context.Background(), c.person(t, "陈丽"), "/web", nil)
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`http://\S+/login/\S+`).FindString(replies[0])
	if !strings.HasPrefix(link, c.ts.URL+"/login/") {
		t.Fatalf("link %q in %q", link, replies[0])
	}
	token := link[strings.LastIndex(link, "/")+1:]
	// Opening the link (a chat app's preview) does not spend it.
	for range 2 {
		res, err := http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("GET link: %d", res.StatusCode)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") {
			t.Errorf("CSP %q", csp)
		}
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(c.ts.URL+"/login", url.Values{"token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	var ck *http.Cookie
	for _, x := range res.Cookies() {
		if x.Name == "campaignbot_session" {
			ck = x
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure {
		t.Errorf("cookie %+v", ck)
	}
	// Single use.
	res, err = noRedirect.PostForm(c.ts.URL+"/login", url.Values{"token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("second use: %d", res.StatusCode)
	}
	// Behind https the cookie is Secure.
	if err := c.srv.SetBaseURL("https://campaign.example.test"); err != nil {
		t.Fatal(err)
	}
	l, _, err := c.srv.LoginLink(context.Background(), c.person(t, "陈丽").ID)
	if err != nil || !strings.HasPrefix(l, "https://campaign.example.test/login/") {
		t.Fatalf("link %q %v", l, err)
	}
	res, err = noRedirect.PostForm(c.ts.URL+"/login", url.Values{"token": {l[strings.LastIndex(l, "/")+1:]}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if cs := res.Cookies(); len(cs) != 1 || !cs[0].Secure {
		t.Errorf("https cookie %+v", cs)
	}
}

func TestForgedPostRefused(t *testing.T) {
	c := newConsole(t)
	office := c.signIn(t, "陈丽")
	form := url.Values{"what": {"伪造"}, "owner": {"李明华"}, "due": {"2099-01-01"}}
	if code, _ := office.post(t, "/ledger", form); code != http.StatusForbidden {
		t.Errorf("no token: %d", code)
	}
	form.Set("csrf", "wrong")
	if code, _ := office.post(t, "/ledger", form); code != http.StatusForbidden {
		t.Errorf("wrong token: %d", code)
	}
	// Another session's token is wrong too.
	other := c.signIn(t, "刘洋")
	form.Set("csrf", other.csrf)
	if code, _ := office.post(t, "/ledger", form); code != http.StatusForbidden {
		t.Errorf("another session's token: %d", code)
	}
	// A browser's cross-site post is refused even with the token.
	form.Set("csrf", office.csrf)
	req, _ := http.NewRequest(http.MethodPost, c.ts.URL+"/ledger", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := office.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site: %d", res.StatusCode)
	}
	items, _ := c.db.FindLedgerItems(context.Background())
	for _, it := range items {
		if it.What == "伪造" {
			t.Fatal("a forged post added an item")
		}
	}
	// The real form works, and is audited.
	if code, body := office.post(t, "/ledger", form); code != http.StatusSeeOther {
		t.Fatalf("with token: %d %s %s", code, body, c.log)
	}
	es, err := c.db.FindAudit(context.Background(), 10)
	if err != nil || len(es) == 0 || es[0].Action != "ledger_add" || es[0].Actor != "陈丽" {
		t.Errorf("audit %+v %v", es, err)
	}
}

// TestTemplateKeys checks that every catalog key a template names exists.
func TestTemplateKeys(t *testing.T) {
	files, err := filepath.Glob("templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	keyRE := regexp.MustCompile(`\bt "([a-z_.]+)"`)
	prefixRE := regexp.MustCompile(`printf "([a-z_.]+\.)%s"`)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(data), -1) {
			if campaignbot.T("zh", m[1]) == m[1] {
				t.Errorf("%s: key %q is not in the catalog", f, m[1])
			}
		}
		for _, m := range prefixRE.FindAllStringSubmatch(string(data), -1) {
			if !strings.HasPrefix(m[1], "web.") && campaignbot.T("zh", m[1]+"done") == m[1]+"done" && campaignbot.T("zh", m[1]+"new") == m[1]+"new" &&
				campaignbot.T("zh", m[1]+"submitted") == m[1]+"submitted" && campaignbot.T("zh", m[1]+"open") == m[1]+"open" && campaignbot.T("zh", m[1]+"accepted") == m[1]+"accepted" {
				t.Errorf("%s: no key starts with %q", f, m[1])
			}
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestAssignAndAnonymousAnswer assigns a problem through the console (the
// chat's /assign: an event, the leader told) and answers an anonymous
// opinion (nobody to tell).
func TestAssignAndAnonymousAnswer(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	office := c.signIn(t, "陈丽")
	ps, err := c.db.FindProblems(ctx, campaignbot.ProblemFilter{Statuses: []campaignbot.ProblemStatus{campaignbot.ProblemNew}})
	if err != nil || len(ps) == 0 {
		t.Fatalf("no unclaimed demo problem: %v", err)
	}
	p := ps[0]
	if _, body := office.get(t, "/problems/"+itoa(p.ID)); !strings.Contains(body, `option value="张志强"`) || strings.Contains(body, `option value="孙静"`) {
		t.Errorf("the assign form offers the wrong people")
	}
	// A member cannot be given a problem: the chat's rule answers.
	if code, _ := office.post(t, "/problems/"+itoa(p.ID)+"/assign", url.Values{"csrf": {office.csrf}, "owner": {"孙静"}}); code != http.StatusBadRequest {
		t.Errorf("assign to a member: %d", code)
	}
	if code, body := office.post(t, "/problems/"+itoa(p.ID)+"/assign", url.Values{"csrf": {office.csrf}, "owner": {"张志强"}}); code != http.StatusSeeOther {
		t.Fatalf("assign: %d %s", code, body)
	}
	got, _ := c.db.FindProblemByID(ctx, p.ID)
	if got.OwnerID != c.person(t, "张志强").ID || got.Status != campaignbot.ProblemClaimed {
		t.Errorf("after assign %+v", got)
	}
	// Everyone is bound, so that a notice to anyone would show.
	people, _ := c.db.FindPeople(ctx, campaignbot.PersonFilter{})
	for _, x := range people {
		inv, err := c.db.CreateInvite(ctx, x.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.db.RedeemInvite(ctx, inv.Code, campaignbot.Account{Platform: campaignbot.PlatformConsole, AccountID: x.Name}); err != nil {
			t.Fatal(err)
		}
	}
	ops, _ := c.db.FindOpinions(ctx)
	var anon, named *campaignbot.Opinion
	for _, op := range ops {
		if op.Anonymous {
			anon = op
		} else {
			named = op
		}
	}
	before, _ := c.db.CountOutbox(ctx)
	if code, body := office.post(t, "/opinions/"+itoa(named.ID)+"/answer", url.Values{"csrf": {office.csrf}, "answer": {"将推行网上申报。"}}); code != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", code, body)
	}
	after, _ := c.db.CountOutbox(ctx)
	if after[campaignbot.OutboxPending] != before[campaignbot.OutboxPending]+1 {
		t.Errorf("the named author was not told: %v → %v", before, after)
	}
	before = after
	if code, body := office.post(t, "/opinions/"+itoa(anon.ID)+"/answer", url.Values{"csrf": {office.csrf}, "answer": {"已明确办结时限。"}}); code != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", code, body)
	}
	after, _ = c.db.CountOutbox(ctx)
	if after[campaignbot.OutboxPending] != before[campaignbot.OutboxPending] {
		t.Errorf("an anonymous answer was sent to someone: %v → %v", before, after)
	}
	ops, _ = c.db.FindOpinions(ctx)
	for _, op := range ops {
		if op.ID == anon.ID && op.Answer != "已明确办结时限。" {
			t.Errorf("answer not stored: %+v", op)
		}
	}
	es, _ := c.db.FindAudit(ctx, 5)
	if len(es) < 3 || es[0].Action != "opinion_answer" || es[1].Action != "opinion_answer" || es[2].Action != "problem_assign" {
		t.Errorf("audit %+v", es)
	}
}

// TestDashboardSurveyIsNotATask: a survey is owed like a task (SPEC §2), but
// the dashboard's completion has a column per task only; the survey's
// obligations must not be counted in the first task's column (they were:
// a key missing from the columns read as column 0).
func TestDashboardSurveyIsNotATask(t *testing.T) {
	c := newConsole(t)
	office := c.signIn(t, "陈丽")
	today := campaignbot.DateOf(time.Now(), c.plan.Loc())
	open := 0
	for _, sv := range c.plan.Surveys {
		if sv.From != 0 && sv.From <= today {
			open++
		}
	}
	if open == 0 {
		t.Fatalf("no survey of the demo's plan has begun by %s: the test needs one", today)
	}
	doneOf := regexp.MustCompile(`已完成 (\d+) / 应交 (\d+)，另有 (\d+) 份待审阅`)
	totals := func() string {
		t.Helper()
		code, body := office.get(t, "/dashboard")
		m := doneOf.FindString(body)
		if code != http.StatusOK || m == "" {
			t.Fatalf("/dashboard: %d, no completion total\n%s", code, body)
		}
		return m
	}
	with := totals()
	surveys := c.plan.Surveys
	c.plan.Surveys = nil
	without := totals()
	c.plan.Surveys = surveys
	if with != without {
		t.Errorf("the completion counts the surveys owed: %q with them, %q without", with, without)
	}
}
