package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"campaignbot"
	"campaignbot/bot/telegram/telegramtest"
	"campaignbot/store"
)

// webGroupChat is the campaign group the published ledger goes to.
const webGroupChat = "-1002003004005"

// Telegram ids of the demo people the browser test signs in as, or who
// must hear in chat of what was done in the console.
var webPeople = map[string]int64{
	"陈丽":  7101, // office
	"林芳":  7102, // gave a named opinion
	"李明华": 7103, // leader in charge of 科技管理科
	"孙静":  7104, // member of 科技管理科
	"何伟":  7105, // liaison
	"赵磊":  7106, // section head of 科技管理科, author of the analysis
}

// webEnv is the demo organisation run with a fake Bot API and the web
// console on a local port, and a headless Chromium to drive it.
type webEnv struct {
	t      *testing.T
	db     *store.DB // a second handle, for checks
	fake   *telegramtest.Server
	addr   string
	ctx    context.Context // the browser tab
	shots  string          // where screenshots go
	users  map[string]*tgUser
	dbPath string
}

// chromium returns the path of a Chromium binary, or "" if there is none.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newWebEnv starts "campaignbot run --demo --listen 127.0.0.1:0" with a
// Telegram fake, binds webPeople on it, and opens a fresh headless
// Chromium.
func newWebEnv(t *testing.T) *webEnv {
	t.Helper()
	bin := chromium()
	if bin == "" {
		t.Skip("no chromium binary (apt-get install -y chromium)")
	}
	dir := t.TempDir()
	env := &webEnv{t: t, dbPath: filepath.Join(dir, "demo.db"), users: map[string]*tgUser{}}
	env.fake = telegramtest.NewServer(t, tgToken)
	getenv := func(key string) string {
		switch key {
		case "TELEGRAM_BOT_TOKEN":
			return tgToken
		case "TELEGRAM_API_URL":
			return env.fake.URL()
		case "TELEGRAM_GROUP_CHAT_ID":
			return webGroupChat
		}
		return ""
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &tgRun{cancel: cancel, done: make(chan int, 1), stderr: &tgLogBuffer{}}
	m := &Main{IO: IO{In: strings.NewReader(""), Out: io.Discard, Err: r.stderr}}
	fs := runFlagSet(m.IO, getenv, &m.Config)
	if err := fs.Parse([]string{"--demo", "--db", env.dbPath, "--listen", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Open(ctx); err != nil {
		cancel()
		t.Fatalf("open: %v", err)
	}
	go func() {
		code := exitOK
		if err := m.Run(ctx); err != nil {
			fmt.Fprintln(r.stderr, "run:", err)
			code = exitFailure
		}
		if err := m.Close(); err != nil {
			fmt.Fprintln(r.stderr, "close:", err)
			code = exitFailure
		}
		r.done <- code
	}()
	t.Cleanup(func() { r.stop(t) })
	select {
	case <-m.Ready:
	case <-time.After(tgWait):
		t.Fatal("Main did not become ready")
	}
	env.addr = "http://" + m.Addr

	db, err := store.Open(context.Background(), env.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	env.db = db
	tgEnvForUsers := &tgEnv{fake: env.fake}
	for name, id := range webPeople {
		tgBind(t, db, name, id)
		env.users[name] = tgEnvForUsers.user(id, name)
	}

	env.shots = os.Getenv("CAMPAIGNBOT_SCREENSHOTS")
	if env.shots == "" {
		env.shots = t.TempDir()
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	env.ctx = bctx
	return env
}

// run runs browser steps, failing the test on error.
func (env *webEnv) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	env.t.Helper()
	ctx, cancel := context.WithTimeout(env.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		body, _ := chromedp.Run(env.ctx, chromedp.Text(chromedp.CSS("body")))
		env.t.Fatalf("%s: %v\npage: %s", what, err, body)
	}
}

// get runs one browser action that returns a value.
func get[T any](env *webEnv, what string, a chromedp.Action[T]) T {
	env.t.Helper()
	ctx, cancel := context.WithTimeout(env.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		env.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// text returns the text of the first element matching sel.
func (env *webEnv) text(sel string) string {
	env.t.Helper()
	return get(env, "read "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
}

// css is a CSS selector.
func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// open loads a page of the console and waits for its heading.
func (env *webEnv) open(path string) {
	env.t.Helper()
	env.run("open "+path, chromedp.Navigate(env.addr+path), chromedp.WaitVisible(css("h1")))
}

// submit presses the button sel and waits until the page it leads to has
// loaded: the old page is marked, and the new one is not.
func (env *webEnv) submit(sel string) {
	env.t.Helper()
	env.run("mark "+sel, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool]("window.cbOld = true")(ctx, t)
		return err
	}), chromedp.Click(css(sel), chromedp.NodeVisible))
	env.waitLoaded("after " + sel)
}

// waitLoaded waits for a new page to finish loading.
func (env *webEnv) waitLoaded(what string) {
	env.t.Helper()
	deadline := time.Now().Add(tgWait)
	for {
		ctx, cancel := context.WithTimeout(env.ctx, time.Second)
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.cbOld === undefined && document.readyState === "complete" && !!document.querySelector("h1")`))
		cancel()
		if err == nil && done {
			return
		}
		if time.Now().After(deadline) {
			loc, _ := chromedp.Run(env.ctx, chromedp.Location())
			body, _ := chromedp.Run(env.ctx, chromedp.Evaluate[string]("document.documentElement.outerHTML"))
			env.t.Fatalf("%s: no new page loaded (%v) at %s:\n%s", what, err, loc, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// loginLink asks the bot for /web as name and returns the link it replies with.
var loginLinkRE = regexp.MustCompile(`http://[^\s]+/login/[A-Za-z0-9_-]+`)

func (env *webEnv) loginLink(name string) string {
	env.t.Helper()
	u := env.users[name]
	u.text(env.t, "/web")
	m := u.expect(env.t, "/login/")
	link := loginLinkRE.FindString(m.Text)
	if link == "" || !strings.HasPrefix(link, env.addr) {
		env.t.Fatalf("no login link to %s in %q", env.addr, m.Text)
	}
	return link
}

// signIn signs name in from a fresh /web link, signing out whoever was in.
func (env *webEnv) signIn(name string) {
	env.t.Helper()
	env.run("sign out", chromedp.Navigate(env.addr+"/"), chromedp.WaitVisible(css("h1")))
	n := get(env, "count sign-out", chromedp.Evaluate[int](`document.querySelectorAll("form.who button").length`))
	if n > 0 {
		env.submit("form.who button")
	}
	link := env.loginLink(name)
	env.run("open link", chromedp.Navigate(link), chromedp.WaitVisible(css(`form[action="/login"] button`)))
	env.submit(`form[action="/login"] button`)
	if got := env.text("header .who span"); got != name {
		env.t.Fatalf("signed in as %q, want %q", got, name)
	}
}

// shoot saves full-page screenshots of the current page at desktop and
// phone widths.
func (env *webEnv) shoot(name string) {
	env.t.Helper()
	for _, w := range []struct {
		suffix        string
		width, height int64
		mobile        bool
	}{{"desktop", 1280, 900, false}, {"phone", 390, 844, true}} {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
		if w.mobile {
			opts = append(opts, chromedp.EmulateMobile)
		}
		env.run("viewport "+name, chromedp.EmulateViewport(w.width, w.height, opts...), chromedp.WaitVisible(css("h1")))
		buf := get(env, "screenshot "+name, chromedp.FullScreenshot(100))
		path := filepath.Join(env.shots, name+"-"+w.suffix+".png")
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			env.t.Fatal(err)
		}
	}
	env.run("reset viewport", chromedp.EmulateViewport(1280, 900))
}

// expectText fails unless the page's body contains want.
func (env *webEnv) expectText(want string) {
	env.t.Helper()
	body := env.text("body")
	if !strings.Contains(body, want) {
		env.t.Fatalf("the page does not say %q:\n%s", want, body)
	}
}

// TestWebConsoleInChromium drives the console as the office, a leader, a
// member and a liaison would, in a real browser (SPEC §11).
func TestWebConsoleInChromium(t *testing.T) {
	env := newWebEnv(t)
	ctx := context.Background()
	zh := func(key string, args ...any) string { return campaignbot.T("zh", key, args...) }

	// The office signs in from the link /web replied with; the link is
	// spent.
	link := env.loginLink("陈丽")
	env.run("open link", chromedp.Navigate(link), chromedp.WaitVisible(css(`form[action="/login"] button`)))
	env.shoot("login")
	env.submit(`form[action="/login"] button`)
	if got := env.text("h1"); got != zh("web.nav.dashboard") {
		t.Fatalf("after sign-in the page is %q", got)
	}

	// The dashboard of the demo organisation.
	env.expectText(zh("web.dash.by_dept"))
	env.expectText("科技管理科")
	svgCells := get(env, "chart", chromedp.Evaluate[int](`document.querySelectorAll("svg.chart rect").length`))
	if svgCells < 5 {
		t.Errorf("the chart has %d cells", svgCells)
	}
	env.expectText("恒达精密机械有限公司") // the demo's oldest open problem
	env.shoot("dashboard")

	// Editing a person.
	sun, err := env.db.FindPersonByName(ctx, "孙静")
	if err != nil {
		t.Fatal(err)
	}
	env.open("/roster")
	env.shoot("roster")
	env.open(fmt.Sprintf("/people/%d", sun.ID))
	env.run("edit person", chromedp.SetValue(css(`input[name=wecom]`), "sunjing"))
	env.submit(`form.stack button[type=submit]`)
	env.expectText(zh("web.person.saved", "孙静"))
	if p, _ := env.db.FindPersonByID(ctx, sun.ID); p.WeCom != "sunjing" {
		t.Errorf("the edit did not reach the roster: %+v", p)
	}

	// Answering a named opinion: its author hears in chat.
	ops, err := env.db.FindOpinions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var named *campaignbot.Opinion
	for _, op := range ops {
		if !op.Anonymous {
			named = op
		}
	}
	env.open("/opinions")
	env.shoot("opinions")
	answer := "感谢建议，网上申报系统将于下月试运行。"
	sel := fmt.Sprintf(`#op%d textarea[name=answer]`, named.ID)
	env.run("answer", chromedp.SendKeys(css(sel), answer))
	env.submit(fmt.Sprintf(`#op%d button[type=submit]`, named.ID))
	env.expectText(zh("web.opinion.answered"))
	env.users["林芳"].expect(t, answer)

	// Adding, editing and publishing a ledger item: the chat's /ledger
	// shows the same item, and the group gets the ledger.
	due := campaignbot.DateOf(time.Now(), time.FixedZone("CST", 8*3600)).AddDays(20)
	env.open("/ledger")
	env.run("add ledger item",
		chromedp.SendKeys(css(`form[action="/ledger"] textarea[name=what]`), "科技项目申报材料繁杂"),
		chromedp.SendKeys(css(`form[action="/ledger"] textarea[name=measure]`), "推行网上申报"),
		chromedp.SetValue(css(`form[action="/ledger"] select[name=owner]`), "李明华"),
		chromedp.SetValue(css(`form[action="/ledger"] input[name=due]`), due.String()))
	env.submit(`form[action="/ledger"] button[type=submit]`)
	items, err := env.db.FindLedgerItems(ctx)
	if err != nil {
		t.Fatal(err)
	}
	item := newest(items)
	if item.What != "科技项目申报材料繁杂" || item.Due != due {
		t.Fatalf("added %+v", item)
	}
	env.expectText(zh("web.ledger.added", item.ID))
	env.users["李明华"].expect(t, "科技项目申报材料繁杂")
	env.open(fmt.Sprintf("/ledger/%d", item.ID))
	env.run("edit ledger item",
		chromedp.SetValue(css(`textarea[name=measure]`), "推行网上申报，材料压减一半"),
		chromedp.SetValue(css(`select[name=status]`), "in_progress"))
	env.submit(`form.stack button[type=submit]`)
	env.expectText(zh("web.ledger.saved", item.ID))
	env.users["陈丽"].text(t, "/ledger")
	env.users["陈丽"].expect(t, "推行网上申报，材料压减一半")
	env.shoot("ledger")
	env.submit(`form[action="/ledger/publish"] button`)
	env.expectText(zh("ledger.published", len(items), "telegram"))
	tgWaitFor(t, "the ledger in the group", func() bool {
		for _, m := range env.fake.Sent(-1002003004005) {
			if strings.Contains(m.Text, "推行网上申报，材料压减一半") {
				return true
			}
		}
		return false
	})

	// The audit log holds the office's actions.
	env.open("/audit")
	for _, a := range []string{"person_edit", "opinion_answer", "ledger_add", "ledger_edit", "ledger_publish"} {
		env.expectText(zh("web.action." + a))
	}
	env.shoot("audit")

	// A forged post without the form's token is refused, and changes nothing.
	env.open(fmt.Sprintf("/ledger/%d", item.ID))
	env.run("forge", chromedp.SetValue(css(`form.stack input[name=csrf]`), "forged"),
		chromedp.SetValue(css(`textarea[name=what]`), "被篡改"))
	env.submit(`form.stack button[type=submit]`)
	env.expectText(zh("web.err.csrf"))
	if items, _ := env.db.FindLedgerItems(ctx); newest(items).What == "被篡改" {
		t.Error("a forged post changed the ledger")
	}
	// So is a post from another site, token or not.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!DOCTYPE html><h1>evil</h1><form id=f method=post action="%s/ledger/%d"><input name=what value=被篡改><input name=owner value=李明华><input name=due value=%s></form><script>document.getElementById("f").submit()</script>`,
			env.addr, item.ID, due)
	}))
	defer evil.Close()
	env.run("cross-site post", chromedp.Navigate(evil.URL))
	tgWaitFor(t, "the forged post's answer", func() bool {
		loc, err := chromedp.Run(env.ctx, chromedp.Location())
		return err == nil && strings.HasPrefix(loc, env.addr)
	})
	env.waitLoaded("cross-site post")
	env.expectText(zh("web.err.csrf"))
	if items, _ := env.db.FindLedgerItems(ctx); newest(items).What == "被篡改" {
		t.Error("a cross-site post changed the ledger")
	}

	// A leader returns a report with a comment; its author hears in chat.
	zhao, _ := env.db.FindPersonByName(ctx, "赵磊")
	report := &campaignbot.Submission{TaskKey: "dept-analysis", PersonID: zhao.ID, DepartmentID: zhao.DepartmentID,
		Text: "科技管理科党性分析报告\n一、存在问题\n服务企业不够主动。", State: campaignbot.ReviewSubmitted}
	if err := env.db.CreateSubmission(ctx, report); err != nil {
		t.Fatal(err)
	}
	env.signIn("李明华")
	env.open("/review")
	env.expectText("赵磊")
	env.shoot("review")
	env.open(fmt.Sprintf("/submissions/%d", report.ID))
	comment := "请补充整改措施和完成时限。"
	env.run("comment", chromedp.SendKeys(css(`textarea[name=comment]`), comment))
	env.shoot("submission")
	env.submit(`button[value=return]`)
	env.users["赵磊"].expect(t, comment)
	if s, _ := env.db.FindSubmissionByID(ctx, report.ID); s.State != campaignbot.ReviewReturned {
		t.Errorf("the report is %s, want returned", s.State)
	}

	// A member uploads a Word document for a task, and is refused the
	// office's pages.
	env.signIn("孙静")
	if got := env.text("h1"); got != zh("web.nav.tasks") {
		t.Errorf("a member lands on %q", got)
	}
	docx := filepath.Join(t.TempDir(), "学习笔记.docx")
	if err := os.WriteFile(docx, minimalDocx(t), 0o644); err != nil {
		t.Fatal(err)
	}
	env.shoot("tasks")
	env.run("upload", chromedp.SetUploadFiles(css(`form[action="/tasks/study-notes"] input[name=file]`), []string{docx}))
	env.submit(`form[action="/tasks/study-notes"] button[type=submit]`)
	if flash := env.text(".flash"); !strings.Contains(flash, "1") {
		t.Errorf("the submission is acknowledged as %q", flash)
	}
	subs := tgSubmissions(t, env.db, sun.ID)
	last := subs[len(subs)-1]
	if last.TaskKey != "study-notes" || len(last.Attachments) != 1 || last.Attachments[0].Name != "学习笔记.docx" ||
		!strings.Contains(last.Attachments[0].MIME, "wordprocessingml") {
		t.Errorf("uploaded %+v", last)
	}
	for _, path := range []string{"/roster", "/dashboard", "/ledger", "/audit", "/opinions"} {
		env.open(path)
		env.expectText(zh("web.err.forbidden"))
	}
	env.shoot("forbidden")

	// A liaison files a problem with a photo from a phone.
	env.signIn("何伟")
	env.run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	env.open("/problems/new")
	photo := filepath.Join(t.TempDir(), "现场.png")
	if err := os.WriteFile(photo, minimalPNG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	env.run("fill problem",
		chromedp.SendKeys(css(`input[name=enterprise]`), "华星电子有限公司"),
		chromedp.SetValue(css(`select[name=category]`), "人才"),
		chromedp.SetValue(css(`select[name=team]`), "创新服务组"),
		chromedp.SendKeys(css(`textarea[name=description]`), "企业急需高级工程师，希望对接人才政策。"),
		chromedp.SetUploadFiles(css(`input[name=photos]`), []string{photo}))
	env.shoot("problem-new")
	env.submit(`form[action="/problems/new"] button[type=submit]`)
	env.expectText("华星电子有限公司")
	ps, err := env.db.FindProblems(ctx, campaignbot.ProblemFilter{})
	if err != nil {
		t.Fatal(err)
	}
	filed := ps[len(ps)-1]
	if filed.Enterprise != "华星电子有限公司" || filed.Team != "创新服务组" || len(filed.Photos) != 1 || filed.Photos[0].MIME != "image/png" {
		t.Errorf("filed %+v", filed)
	}
	env.users["陈丽"].expect(t, "华星电子有限公司")
	env.open(fmt.Sprintf("/problems/%d", filed.ID))
	loaded := get(env, "photo shown", chromedp.Evaluate[bool](`(() => { const i = document.querySelector(".photos img"); return !!i && i.complete && i.naturalWidth > 0 })()`))
	if !loaded {
		t.Error("the problem's photo does not show")
	}
	env.shoot("problem")

	// A leader takes charge of it, reports progress and resolves it; the
	// liaison hears each step in chat, and confirms it closed.
	env.signIn("李明华")
	env.open(fmt.Sprintf("/problems/%d", filed.ID))
	env.submit(fmt.Sprintf(`form[action="/problems/%d/claim"] button`, filed.ID))
	env.users["何伟"].expect(t, "李明华")
	env.run("progress", chromedp.SendKeys(css(`#progress textarea[name=text]`), "已对接人社局，下周组织专场招聘。"),
		chromedp.SetUploadFiles(css(`#progress input[name=files]`), []string{photo}))
	env.submit(`#progress button[type=submit]:not([formaction])`)
	env.users["何伟"].expect(t, "已对接人社局，下周组织专场招聘。")
	env.shoot("problem-progress")
	env.run("resolve", chromedp.SendKeys(css(`#progress textarea[name=text]`), "已引进高级工程师两名。"))
	env.submit(`#progress button[formaction]`)
	env.users["何伟"].expect(t, "已引进高级工程师两名。")
	if p, _ := env.db.FindProblemByID(ctx, filed.ID); p.Status != campaignbot.ProblemResolved {
		t.Errorf("the problem is %s after resolving", p.Status)
	}
	env.signIn("何伟")
	env.open(fmt.Sprintf("/problems/%d", filed.ID))
	env.submit(fmt.Sprintf(`form[action="/problems/%d/confirm"] button`, filed.ID))
	env.users["李明华"].expect(t, "销号")

	// The office puts the problem on the ledger and removes an item.
	env.signIn("陈丽")
	env.open(fmt.Sprintf("/problems/%d", filed.ID))
	env.run("measure", chromedp.SendKeys(css(`#to-ledger input[name=measure]`), "建立人才对接长效机制"))
	env.submit(`#to-ledger button`)
	items, _ = env.db.FindLedgerItems(ctx)
	fromProblem := newest(items)
	if fromProblem.ProblemID != filed.ID || fromProblem.Measure != "建立人才对接长效机制" {
		t.Errorf("the item from the problem: %+v", fromProblem)
	}
	env.expectText(zh("ledger.added", fromProblem.ID, fromProblem.What, "李明华", fromProblem.Due))
	env.open(fmt.Sprintf("/ledger/%d", item.ID))
	env.run("reason", chromedp.SendKeys(css(`#remove input[name=reason]`), "与第二项合并"))
	env.submit(`#remove button`)
	env.expectText(zh("ledger.removed", item.ID, item.What))

	// The roster: a person added, invited, then removed.
	env.open("/people/new")
	env.run("new person", chromedp.SendKeys(css(`input[name=name]`), "周敏"),
		chromedp.SendKeys(css(`input[name=department]`), "科技管理科"))
	env.shoot("person-new")
	env.submit(`form.stack button[type=submit]`)
	env.expectText(zh("web.person.added", "周敏"))
	env.submit(`#invite button`)
	invs := func() []*campaignbot.Invite {
		zhou, err := env.db.FindPersonByName(ctx, "周敏")
		if err != nil {
			t.Fatal(err)
		}
		invs, _ := env.db.FindInvites(ctx, zhou.ID)
		return invs
	}
	if got := invs(); len(got) != 1 {
		t.Fatalf("invites %+v", got)
	} else {
		env.expectText(got[0].Code)
	}
	env.shoot("person")
	env.submit(`#revoke button`)
	if got := invs(); len(got) != 0 {
		t.Errorf("open invites after revoking: %+v", got)
	}
	env.run("confirm removal", chromedp.Click(css(`#remove input[name=confirm]`)))
	env.submit(`#remove button`)
	env.expectText(zh("web.person.removed", "周敏"))
	if _, err := env.db.FindPersonByName(ctx, "周敏"); campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
		t.Errorf("周敏 is still on the roster: %v", err)
	}

	// An announcement to a department, previewed, then sent; the member
	// hears it now, or the office is told when quiet hours end.
	env.open("/announce")
	env.run("announce", chromedp.SetValue(css(`select[name=target]`), "科技管理科"),
		chromedp.SendKeys(css(`textarea[name=text]`), "周五下午三点集中学习。"))
	env.submit(`#preview`)
	env.expectText(zh("web.announce.preview_title"))
	env.shoot("announce")
	env.submit(`#send`)
	if flash := env.text(".flash"); strings.Contains(flash, "免打扰") {
		if !strings.Contains(flash, "将于") {
			t.Errorf("held announcement reported as %q", flash)
		}
	} else {
		env.users["孙静"].expect(t, "周五下午三点集中学习。")
	}

	// Surveys, the plan, exports and failed messages.
	for _, page := range []string{"surveys", "plan", "exports", "outbox"} {
		env.open("/" + page)
		env.shoot(page)
	}
	// A plan with a mistyped phase is refused with its line, and changes nothing.
	ap, err := env.db.FindPlan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), "plan.yaml")
	if err := os.WriteFile(broken, bytes.Replace(ap.Source, []byte("phase: study"), []byte("phase: stduy"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	env.open("/plan")
	env.run("upload plan", chromedp.SetUploadFiles(css(`#plan-upload input[name=plan]`), []string{broken}))
	env.submit(`#plan-upload button`)
	env.expectText("stduy")
	env.shoot("plan-refused")
	if v, _ := env.db.FindPlanVersion(ctx); v != ap.Version {
		t.Errorf("a refused plan changed the version %d → %d", ap.Version, v)
	}
	env.open("/audit")
	for _, a := range []string{"problem_claim", "problem_progress", "problem_resolve", "problem_confirm", "ledger_from_problem", "ledger_remove",
		"person_add", "invite", "invite_revoke", "person_remove", "announce"} {
		env.expectText(zh("web.action." + a))
	}
	// A forged roster removal is refused.
	zhao, _ = env.db.FindPersonByName(ctx, "赵磊")
	env.open(fmt.Sprintf("/people/%d", zhao.ID))
	env.run("forge removal", chromedp.SetValue(css(`#remove input[name=csrf]`), "forged"), chromedp.Click(css(`#remove input[name=confirm]`)))
	env.submit(`#remove button`)
	env.expectText(zh("web.err.csrf"))
	if _, err := env.db.FindPersonByName(ctx, "赵磊"); err != nil {
		t.Errorf("a forged post removed 赵磊: %v", err)
	}
}

// minimalDocx is a Word document as small as Word opens.
func minimalDocx(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"_rels/.rels":         `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
		"word/document.xml":   `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>学习笔记</w:t></w:r></w:p></w:body></w:document>`,
	}
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// minimalPNG is a small photo.
func minimalPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 160, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// newest returns the item added last.
func newest(items []*campaignbot.LedgerItem) *campaignbot.LedgerItem {
	var n *campaignbot.LedgerItem
	for _, it := range items {
		if n == nil || it.ID > n.ID {
			n = it
		}
	}
	return n
}
