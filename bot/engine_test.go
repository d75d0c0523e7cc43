package bot_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/plan"
	"campaignbot/store"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is an engine over a real store file with a small roster bound on the
// console platform (account id = name).
type env struct {
	t      testing.TB
	path   string
	db     *store.DB
	plan   *campaignbot.Plan
	clock  *testClock
	engine *bot.Engine
	seq    int
}

// roster has one person per role (only that role) plus a second member.
var testRoster = []campaignbot.RosterEntry{
	{Name: "member", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}},
	{Name: "member2", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}},
	{Name: "middle", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMiddle}},
	{Name: "leader", Departments: []string{"局领导"}, Roles: []campaignbot.Role{campaignbot.RoleLeader}, InChargeOf: []string{"科技管理科"}},
	{Name: "head", Departments: []string{"局领导"}, Roles: []campaignbot.Role{campaignbot.RoleHead}},
	{Name: "liaison", Departments: []string{"高新技术科"}, Roles: []campaignbot.Role{campaignbot.RoleLiaison}},
	{Name: "office", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleOffice}},
}

// campaignStart is the first day of the test campaign.
var campaignStart = campaignbot.NewDate(2026, time.March, 1)

func newEnv(t testing.TB) *env {
	t.Helper()
	p, _, err := plan.Default(campaignStart)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, path: filepath.Join(t.TempDir(), "bot.db"), plan: p, clock: &testClock{}}
	// The study phase, a Wednesday morning.
	e.clock.Set(campaignbot.NewDate(2026, time.March, 18).Time(p.Loc()).Add(10 * time.Hour))
	e.open()
	if _, _, err := e.db.ImportRoster(context.Background(), testRoster); err != nil {
		t.Fatal(err)
	}
	for _, r := range testRoster {
		e.bind(r.Name)
	}
	return e
}

// open (re)opens the store file and builds a new engine over it, as a
// restart would.
func (e *env) open() {
	e.t.Helper()
	db, err := store.Open(context.Background(), e.path, store.WithClock(e.clock), store.WithLocation(e.plan.Loc()), store.WithPerDepartmentTasks("dept-analysis"))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	e.db = db
	e.engine = bot.New(db, e.plan, bot.WithClock(e.clock), bot.WithLang("en"))
}

// restart closes the store and opens it again with a fresh engine.
func (e *env) restart() {
	e.t.Helper()
	if err := e.db.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

func (e *env) bind(name string) {
	e.t.Helper()
	ctx := context.Background()
	p, err := e.db.FindPersonByName(ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	inv, err := e.db.CreateInvite(ctx, p.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.RedeemInvite(ctx, inv.Code, campaignbot.Account{Platform: campaignbot.PlatformConsole, AccountID: name, ChatID: name}); err != nil {
		e.t.Fatal(err)
	}
}

// req builds a request from who with a fresh message id.
func (e *env) req(who, text string) *bot.Request {
	e.seq++
	return &bot.Request{Platform: campaignbot.PlatformConsole, AccountID: who, ChatID: who, MessageID: strconv.Itoa(e.seq), Text: text}
}

// send handles text from who and returns the replies joined.
func (e *env) send(who, text string) string {
	e.t.Helper()
	return e.do(e.req(who, text))
}

// do handles r as the intake does, in one transaction.
func (e *env) do(r *bot.Request) string {
	e.t.Helper()
	var replies []bot.Reply
	err := e.db.Atomic(context.Background(), func(ctx context.Context) (err error) {
		replies, err = e.engine.Handle(ctx, r)
		return err
	})
	if err != nil {
		e.t.Fatalf("handle %q: %v", r.Text, err)
	}
	return fieldRender(replies)
}

func (e *env) person(name string) *campaignbot.Person {
	e.t.Helper()
	p, err := e.db.FindPersonByName(context.Background(), name)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *env) submissions(name string) []*campaignbot.Submission {
	e.t.Helper()
	id := e.person(name).ID
	subs, err := e.db.FindSubmissions(context.Background(), campaignbot.SubmissionFilter{PersonID: &id})
	if err != nil {
		e.t.Fatal(err)
	}
	return subs
}

func mustContain(t testing.TB, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Fatalf("reply %q does not contain %q", got, want)
	}
}

// TestRoleCommandTable runs every command as a person of every single role,
// and as an unbound user: allowed commands never answer with the refusal,
// refused ones always do, and the table matches SPEC §4.
func TestRoleCommandTable(t *testing.T) {
	e := newEnv(t)
	spec := map[string][]campaignbot.Role{
		"problem": {"liaison", "leader", "head", "office"}, "problems": {"liaison", "leader", "head", "office"},
		"confirm": {"liaison", "leader", "head", "office"}, "reopen": {"liaison", "leader", "head", "office"},
		"digest": {"leader", "head", "office"}, "claim": {"leader", "head"}, "progress": {"leader", "head"},
		"resolve": {"leader", "head"}, "review": {"leader", "head"}, "overdue": {"leader", "head"},
		"assign": {"head", "office"}, "announce": {"head", "office"}, "invite": {"head", "office"},
		"ledger": {"head", "office"}, "export": {"head", "office"},
		"opinions": {"head", "office"}, "answer": {"head", "office"},
	}
	for _, cmd := range e.engine.Commands() {
		for _, r := range testRoster {
			role := r.Roles[0]
			allowed := spec[cmd.Name] == nil
			for _, a := range spec[cmd.Name] {
				allowed = allowed || a == role
			}
			if got := cmd.Allowed(e.person(r.Name)); got != allowed {
				t.Errorf("/%s for %s: allowed %v, SPEC says %v", cmd.Name, role, got, allowed)
			}
			reply := e.send(r.Name, "/"+cmd.Name)
			refused := strings.Contains(reply, "/"+cmd.Name+" is only for")
			if refused == allowed {
				t.Errorf("/%s for %s: reply %q (allowed %v)", cmd.Name, role, reply, allowed)
			}
			e.send(r.Name, "/cancel")
		}
		reply := e.send("stranger", "/"+cmd.Name)
		notBound := strings.Contains(reply, "not bound")
		if notBound == cmd.Unbound {
			t.Errorf("/%s unbound: reply %q", cmd.Name, reply)
		}
	}
}

func TestHelpListsOnlyMyCommands(t *testing.T) {
	e := newEnv(t)
	got := e.send("member", "/help")
	mustContain(t, got, "/tasks")
	if strings.Contains(got, "/claim") || strings.Contains(got, "/export") {
		t.Fatalf("member help shows leader commands: %s", got)
	}
	mustContain(t, e.send("office", "/help"), "/export")
	mustContain(t, e.send("stranger", "/help"), "/start")
}

func TestStartInvite(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	inv, err := e.db.CreateInvite(ctx, e.person("member2").ID)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, e.send("tg1", "/start nosuchcode"), "not right")
	mustContain(t, e.send("tg1", "/start "+inv.Code), "You are bound: member2")
	mustContain(t, e.send("tg1", "/tasks"), "Study notes")
	mustContain(t, e.send("tg2", "/start "+inv.Code), "has been used")

	old, err := e.db.CreateInvite(ctx, e.person("member").ID)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(campaignbot.InviteTTL + time.Hour)
	mustContain(t, e.send("tg3", "/start "+old.Code), "expired")

	// Repeated wrong guesses are slowed down, even for a right code after.
	fresh, err := e.db.CreateInvite(ctx, e.person("member").ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		mustContain(t, e.send("guesser", fmt.Sprintf("/start wrong%d", i)), "not right")
	}
	mustContain(t, e.send("guesser", "/start "+fresh.Code), "Too many attempts")
	e.restart() // the count is in the store: a restart does not reset it
	mustContain(t, e.send("guesser", "/start "+fresh.Code), "Too many attempts")
	mustContain(t, e.send("guesser2", "/start wrong"), "not right") // another account is not held back
	e.clock.Add(16 * time.Minute)
	mustContain(t, e.send("guesser", "/start "+fresh.Code), "You are bound: member")
}

func TestNoteSubmitAndTasks(t *testing.T) {
	e := newEnv(t)
	mustContain(t, e.send("member", "/tasks"), "Study notes")
	got := e.send("member", "/note read the selected works")
	mustContain(t, got, `Saved: "Study notes" version 1, on time`)
	mustContain(t, e.send("member", "/note second note"), "version 2")
	if n := len(e.submissions("member")); n != 2 {
		t.Fatalf("%d submissions, want 2", n)
	}
	mustContain(t, e.send("member", "/tasks"), "✅")
	mustContain(t, e.send("member", "/mine"), "second note")

	// /submit with a choice of tasks, then content.
	got = e.send("middle", "/submit")
	mustContain(t, got, "/submit topic-speech")
	mustContain(t, e.send("middle", "/submit topic-speech"), "Send the content")
	mustContain(t, e.send("middle", "my topic speech"), `"Topic speech`)
	// Task and content in one message.
	mustContain(t, e.send("middle", "/submit topic-speech the revised speech"), "version 2")

	// Content without a task is held while the task is chosen; more
	// content joins it (a note sent page by page).
	mustContain(t, e.send("member2", "a note out of the blue"), "Which task is this for?")
	mustContain(t, e.send("member2", "and its second page"), "Which task is this for?")
	press := e.req("member2", "")
	press.Callback = "/submit study-notes" // the reminder's and the choice's button
	mustContain(t, e.do(press), "Saved")
	if subs := e.submissions("member2"); len(subs) != 1 || subs[0].Text != "a note out of the blue\nand its second page" {
		t.Fatalf("held content not submitted whole: %+v", subs)
	}
}

func TestLateSubmission(t *testing.T) {
	e := newEnv(t)
	// The study plan (prep phase, office) was due on March 15.
	got := e.send("office", "/submit study-plan")
	mustContain(t, got, "Send the content")
	mustContain(t, e.send("office", "the plan"), "late")
	if subs := e.submissions("office"); len(subs) != 1 || !subs[0].Late {
		t.Fatalf("want one late submission, got %+v", subs)
	}
}

func TestReplyToPromptSubmits(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m := &campaignbot.OutboxMessage{Key: "warning:study-report:x", Platform: campaignbot.PlatformConsole, ChatID: "head",
		PersonID: e.person("head").ID, Kind: campaignbot.KindWarning, TaskKey: "study-report", Text: "due soon", NextAt: e.clock.Now()}
	if _, err := e.db.EnqueueOutbox(ctx, []*campaignbot.OutboxMessage{m}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.MarkOutboxSent(ctx, m.ID, "777", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	r := e.req("head", "my study report")
	r.ReplyTo = "777"
	mustContain(t, e.do(r), "Study report")
	if subs := e.submissions("head"); len(subs) != 1 || subs[0].TaskKey != "study-report" {
		t.Fatalf("reply to prompt: %+v", subs)
	}
	// A prompt whose delivery is not recorded yet (or any more) is found
	// by its submit button.
	r = e.req("head", "my research report")
	r.ReplyTo, r.ReplyToButtons = "778", []string{"/submit research-report"}
	mustContain(t, e.do(r), "Research report")
	if subs := e.submissions("head"); len(subs) != 2 || subs[0].TaskKey != "research-report" {
		t.Fatalf("reply to an unrecorded prompt: %+v", subs)
	}
}

func TestDialogSurvivesRestart(t *testing.T) {
	e := newEnv(t)
	mustContain(t, e.send("member", "/submit study-notes"), "Send the content")
	e.restart()
	mustContain(t, e.send("member", "written after the restart"), "Saved")

	mustContain(t, e.send("member2", "/survey"), "Question 1/")
	e.restart()
	got := e.send("member2", "1")
	mustContain(t, got, "Question 2/")
	// Question 1's button pressed again does not answer question 2.
	press := e.req("member2", "")
	press.Callback = "sv:0:2"
	mustContain(t, e.do(press), "earlier question")
	press = e.req("member2", "")
	press.Callback = "sv:1:1"
	mustContain(t, e.do(press), "Question 3/")
}

func TestSurveyAnonymous(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s := e.plan.FindSurvey("opinions")
	got := e.send("member", "/survey opinions")
	mustContain(t, got, "anonymous")
	for i, q := range s.Questions {
		answer := "1"
		if q.Kind == campaignbot.QuestionText {
			answer = "more field visits"
		}
		if q.Kind == campaignbot.QuestionScale {
			if reply := e.send("member", "9"); !strings.Contains(reply, "not valid") {
				t.Fatalf("scale 9 accepted: %q", reply)
			}
		}
		got = e.send("member", answer)
		if i < len(s.Questions)-1 {
			mustContain(t, got, fmt.Sprintf("Question %d/", i+2))
		}
	}
	mustContain(t, got, "Thank you")
	ok, err := e.db.HasAnswered(ctx, "opinions", e.person("member").ID)
	if err != nil || !ok {
		t.Fatalf("participation not recorded: %v %v", ok, err)
	}
	mustContain(t, e.send("member", "/survey opinions"), "not open, or you have answered")
	// The answer text is stored, but nowhere beside the person.
	assertUnlinkable(t, e, "more field visits", e.person("member"))
}

// TestAnonymousOpinionUnlinkable stores an anonymous opinion the way a
// platform would deliver it (with a raw inbound update holding the sender)
// and reads every row of every table: nothing ties the text to its author.
func TestAnonymousOpinionUnlinkable(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const text = "the director's meetings run too long"
	for _, viaDialog := range []bool{false, true} {
		e2 := e
		if viaDialog {
			e2 = newEnv(t)
			mustContain(t, e2.send("member", "/opinion anon"), "anonymous")
		}
		r := e2.req("member", "/opinion anon "+text)
		if viaDialog {
			r.Text = text
		}
		key := "update-" + r.MessageID
		raw := fmt.Sprintf(`{"from":{"id":"member"},"text":%q}`, r.Text)
		if _, err := e2.db.SaveInbound(ctx, &campaignbot.Inbound{Platform: campaignbot.PlatformConsole, Key: key, Payload: []byte(raw)}); err != nil {
			t.Fatal(err)
		}
		// As the intake processes it: the processed mark, which blanks the
		// raw update, in the opinion's transaction.
		var replies []bot.Reply
		err := e2.db.Atomic(ctx, func(ctx context.Context) (err error) {
			if replies, err = e2.engine.Handle(ctx, r); err != nil {
				return err
			}
			return e2.db.MarkInboundProcessed(ctx, campaignbot.PlatformConsole, key)
		})
		if err != nil {
			t.Fatal(err)
		}
		mustContain(t, fieldRender(replies), "anonymous opinion is saved")
		ops, err := e2.db.FindOpinions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ops) != 1 || ops[0].AuthorID != 0 || !ops[0].Anonymous || ops[0].Text != text {
			t.Fatalf("opinions: %+v", ops)
		}
		assertUnlinkable(t, e2, text, e2.person("member"))
	}
	// A named opinion keeps its author.
	mustContain(t, e.send("member2", "/opinion more training please"), "Thank you")
}

// assertUnlinkable dumps every table and fails if a row holding text also
// holds anything that identifies p, or if text is in any table but the
// content tables.
func assertUnlinkable(t *testing.T, e *env, text string, p *campaignbot.Person) {
	t.Helper()
	raw, err := sql.Open("sqlite", e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	tables, err := raw.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	found := 0
	for _, table := range names {
		rows, err := raw.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := fmt.Sprint(vals...)
			for i := range vals {
				if b, ok := vals[i].([]byte); ok {
					row += " " + string(b)
				}
			}
			if !strings.Contains(row, text) {
				continue
			}
			found++
			for i, c := range cols {
				v := fmt.Sprint(vals[i])
				if b, ok := vals[i].([]byte); ok {
					v = string(b)
				}
				if strings.Contains(v, text) {
					continue
				}
				if strings.Contains(c, "person") || strings.Contains(c, "author") || strings.Contains(c, "account") || strings.Contains(c, "chat") {
					if vals[i] != nil && v != "0" && v != "" {
						t.Errorf("table %s: %q stored beside %s=%v", table, text, c, v)
					}
				}
				// campaign_id names the campaign (1 in a new store), not a
				// person who happens to have the same number.
				if v == strconv.FormatInt(p.ID, 10) && strings.HasSuffix(c, "id") && c != "id" && c != "campaign_id" {
					t.Errorf("table %s: %q stored beside %s=%v", table, text, c, v)
				}
			}
			if strings.Contains(row, p.Name) {
				t.Errorf("table %s: %q stored beside the name %s", table, text, p.Name)
			}
		}
		rows.Close()
	}
	if found == 0 {
		t.Errorf("%q not stored at all", text)
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		who, text, want string
	}{
		{"member", "/nosuch", "There is no /nosuch command"},
		{"member", "/note \xff\xfe", "invalid characters"},
		{"member", "/note " + strings.Repeat("长", bot.MaxTextLen+1), "too long"},
		{"member", "/submit no-such-task", "There is no task"},
		{"member", "/submit study-report", "not a task you owe"},
		{"member", "/submit rectification-plan", "not a task you owe"},
		{"head", "/submit rectification-plan", "opens on"},
		{"member", "/leave", "Usage: /leave"},
		{"member", "/leave 2026-03-20 2026-03-21 2026-03-22", "Usage: /leave"},
		{"member", "/leave 2026-03-22 2026-03-20", "before the start"},
		{"member", "/leave 2026-03-01 2026-03-02", "already ended"},
		{"member", "/leave tomorrow never", "Usage: /leave"},
		{"member", "/survey nosuch", "no survey"},
		{"member", "/cancel", "nothing to cancel"},
		{"office", "/invite", "Usage: /invite"},
		{"office", "/invite Nobody", "no \"Nobody\" in the roster"},
		{"stranger", "hello", "invite code"},
	}
	for _, c := range cases {
		got := e.send(c.who, c.text)
		if !strings.Contains(got, c.want) {
			t.Errorf("%s %q: got %q, want %q", c.who, excerpt(c.text), got, c.want)
		}
	}
	if n := len(e.submissions("member")); n != 0 {
		t.Fatalf("bad input stored %d submissions", n)
	}
	// An empty /note asks for the content; an empty answer is refused.
	mustContain(t, e.send("member", "/note"), "Send the content")
	mustContain(t, e.send("member", "   "), "empty")
}

func excerpt(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func TestLeaveAndCancel(t *testing.T) {
	e := newEnv(t)
	mustContain(t, e.send("member", "/leave 2026-03-20 2026-03-23"), "move to 2026-03-24")
	ls, err := e.db.FindLeaves(context.Background(), e.person("member").ID)
	if err != nil || len(ls) != 1 {
		t.Fatalf("leaves %+v %v", ls, err)
	}
	mustContain(t, e.send("member", "/opinion"), "Send your opinion")
	mustContain(t, e.send("member", "/cancel"), "Cancelled")
	mustContain(t, e.send("member", "just chatting"), "Which task")
}

func TestInviteCommand(t *testing.T) {
	e := newEnv(t)
	e.engine = bot.New(e.db, e.plan, bot.WithClock(e.clock), bot.WithLang("en"), bot.WithBotName("campaign_bot"))
	got := e.send("office", "/invite member2")
	mustContain(t, got, "https://t.me/campaign_bot?start=")
	code := strings.TrimPrefix(strings.Fields(got[strings.Index(got, "start="):])[0], "start=")
	mustContain(t, e.send("newphone", "/start "+code), "You are bound: member2")
}

// TestPanicIsAnError: a handler's panic is returned as an error, so that the
// intake rolls its transaction back and retries (and in the end tells the
// sender, with a reference: TestIntakeGivesUp).
func TestPanicIsAnError(t *testing.T) {
	e := newEnv(t)
	// A nil exporter is configured as a clear refusal, not a panic; force
	// a panic through an exporter that panics.
	e.engine = bot.New(e.db, e.plan, bot.WithClock(e.clock), bot.WithLang("en"),
		bot.WithExporter(func(context.Context, io.Writer) error { panic("boom") }))
	_, err := e.engine.Handle(context.Background(), e.req("office", "/export"))
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("Handle = %v, want the panic as an error", err)
	}
}

// TestSurveyInEnglish: an English engine shows a choice question's English
// options and stores the option they stand for.
func TestSurveyInEnglish(t *testing.T) {
	e := newEnv(t)
	q := e.plan.FindSurvey("opinions").Questions[0]
	if len(q.OptionsEn) == 0 {
		t.Fatal("the default plan's first opinions question has no English options")
	}
	got := e.send("member", "/survey opinions")
	mustContain(t, got, "1. "+q.OptionsEn[0])
	mustContain(t, e.send("member", q.OptionsEn[1]), "Question 2/")
	d, err := e.db.FindDialog(context.Background(), campaignbot.PlatformConsole, "member")
	if err != nil {
		t.Fatal(err)
	}
	want := []campaignbot.SurveyAnswer{{QuestionKey: q.Key, Value: q.Options[1]}}
	if got := d.State.Answers; !slices.Equal(got, want) {
		t.Errorf("answers stored as %+v, want %+v", got, want)
	}
}

// TestLeaveChineseDates: the dates people write in chat (SPEC §4), the
// year taken from the campaign when omitted.
func TestLeaveChineseDates(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct{ text, from, to string }{
		{"/leave 3月20日 3月23日", "2026-03-20", "2026-03-23"},
		{"/leave 2026/4/1", "2026-04-01", "2026-04-01"},
		{"/leave 2026年5月6日 5.8", "2026-05-06", "2026-05-08"},
	} {
		e.send("member", tt.text)
		ls, err := e.db.FindLeaves(context.Background(), e.person("member").ID)
		if err != nil || len(ls) == 0 {
			t.Fatalf("%s: leaves %+v %v", tt.text, ls, err)
		}
		got := ls[len(ls)-1]
		if got.From.String() != tt.from || got.To.String() != tt.to {
			t.Errorf("%s: leave %s–%s, want %s–%s", tt.text, got.From, got.To, tt.from, tt.to)
		}
	}
}

// TestCommandHelpInCatalog: /help shows each command's help and example
// from the catalog by keys it builds, which the catalog's own test of the
// keys used cannot see.
func TestCommandHelpInCatalog(t *testing.T) {
	e := newEnv(t)
	for _, cmd := range e.engine.Commands() {
		for _, key := range []string{cmd.Help, cmd.Help + ".ex"} {
			for _, lang := range []string{"zh", "en"} {
				if got := campaignbot.T(lang, key); got == key || got == "" {
					t.Errorf("/%s: catalog has no %s text for %q", cmd.Name, lang, key)
				}
			}
		}
	}
}

func TestDeepLinkCode(t *testing.T) {
	for _, tt := range []struct {
		text, bot, code string
		ok              bool
	}{
		{"https://t.me/campaign_bot?start=Ab3_x-9", "campaign_bot", "Ab3_x-9", true},
		{"t.me/Campaign_Bot?start=Ab3", "campaign_bot", "Ab3", true},
		{"http://telegram.me/campaign_bot?start=Ab3", "campaign_bot", "Ab3", true},
		{"tg://resolve?domain=campaign_bot&start=Ab3", "campaign_bot", "Ab3", true},
		{"看这个 https://t.me/campaign_bot?start=Ab3 谢谢", "campaign_bot", "Ab3", true},
		{"https://t.me/other_bot?start=Ab3", "campaign_bot", "", false},
		{"https://t.me/other_bot?start=Ab3", "", "Ab3", true},
		{"https://t.me/campaign_bot", "campaign_bot", "", false},
		{"Ab3_x-9", "campaign_bot", "", false},
	} {
		code, ok := bot.DeepLinkCode(tt.text, tt.bot)
		if code != tt.code || ok != tt.ok {
			t.Errorf("DeepLinkCode(%q, %q) = %q, %v; want %q, %v", tt.text, tt.bot, code, ok, tt.code, tt.ok)
		}
	}
}
