package bot_test

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/plan"
	"campaignbot/store"
)

// fieldRoster is a small bureau: two liaisons, two leaders in charge of
// departments, the head, the office, two middle managers (one in a
// department no leader is in charge of) and a member.
var fieldRoster = []campaignbot.RosterEntry{
	{Name: "何伟", Departments: []string{"高新技术科"}, Roles: []campaignbot.Role{campaignbot.RoleMember, campaignbot.RoleLiaison}},
	{Name: "吴敏", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember, campaignbot.RoleLiaison}},
	{Name: "李明华", Departments: []string{"局领导"}, Roles: []campaignbot.Role{campaignbot.RoleLeader, campaignbot.RoleMember}, InChargeOf: []string{"科技管理科", "高新技术科"}},
	// 政策法规科 has nobody yet: listing it among the departments makes it
	// known, so that in_charge_of naming it is no typo.
	{Name: "张志强", Departments: []string{"局领导", "政策法规科"}, Roles: []campaignbot.Role{campaignbot.RoleLeader, campaignbot.RoleMember}, InChargeOf: []string{"政策法规科"}},
	{Name: "王建国", Departments: []string{"局领导"}, Roles: []campaignbot.Role{campaignbot.RoleHead, campaignbot.RoleMember}, InChargeOf: []string{"办公室"}},
	{Name: "陈丽", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleOffice, campaignbot.RoleMember}},
	{Name: "赵磊", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMiddle, campaignbot.RoleMember}},
	{Name: "黄鹏", Departments: []string{"农村科技科"}, Roles: []campaignbot.Role{campaignbot.RoleMiddle, campaignbot.RoleMember}},
	{Name: "孙静", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}},
}

// fieldStart is the first day of the test campaign (the default plan's).
var fieldStart = campaignbot.NewDate(2026, time.March, 1)

// fieldEnv is an engine over a real store file, everyone bound on the
// console platform with account id = name.
type fieldEnv struct {
	t      testing.TB
	path   string
	db     *store.DB
	plan   *campaignbot.Plan
	clock  *testClock
	opts   []bot.Option
	engine *bot.Engine
	seq    int
}

func fieldNewEnv(t testing.TB, day campaignbot.Date, opts ...bot.Option) *fieldEnv {
	t.Helper()
	p, _, err := plan.Default(fieldStart)
	if err != nil {
		t.Fatal(err)
	}
	e := &fieldEnv{t: t, path: filepath.Join(t.TempDir(), "t.db"), plan: p, clock: &testClock{}, opts: opts}
	e.at(day, 10)
	e.open()
	ctx := context.Background()
	if _, _, err := e.db.ImportRoster(ctx, fieldRoster); err != nil {
		t.Fatal(err)
	}
	for _, r := range fieldRoster {
		inv, err := e.db.CreateInvite(ctx, e.person(r.Name).ID)
		if err != nil {
			t.Fatal(err)
		}
		acc := campaignbot.Account{Platform: campaignbot.PlatformConsole, AccountID: r.Name, ChatID: r.Name}
		if _, err := e.db.RedeemInvite(ctx, inv.Code, acc); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// at moves the clock to hour o'clock of day in the plan's time zone.
func (e *fieldEnv) at(day campaignbot.Date, hour int) {
	e.clock.Set(day.Time(e.plan.Loc()).Add(time.Duration(hour) * time.Hour))
}

// open opens the store file and builds an engine over it.
func (e *fieldEnv) open() {
	e.t.Helper()
	db, err := store.Open(context.Background(), e.path, store.WithClock(e.clock), store.WithLocation(e.plan.Loc()),
		store.WithPerDepartmentTasks("dept-analysis"))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	e.db = db
	e.engine = bot.New(db, e.plan, append([]bot.Option{bot.WithClock(e.clock), bot.WithLang("en")}, e.opts...)...)
}

// restart closes the store and opens it again from the same file, as a
// restarted process would.
func (e *fieldEnv) restart() {
	e.t.Helper()
	if err := e.db.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

// req builds a message from who with a fresh message id.
func (e *fieldEnv) req(who, text string) *bot.Request {
	e.seq++
	return &bot.Request{Platform: campaignbot.PlatformConsole, AccountID: who, ChatID: who, MessageID: "f" + strconv.Itoa(e.seq), Text: text}
}

// send handles text from who and returns the replies rendered as text,
// buttons as [text|data].
func (e *fieldEnv) send(who, text string) string {
	e.t.Helper()
	return fieldRender(e.do(e.req(who, text)))
}

// do handles r as the intake does, in one transaction.
func (e *fieldEnv) do(r *bot.Request) []bot.Reply {
	e.t.Helper()
	var replies []bot.Reply
	err := e.db.Atomic(context.Background(), func(ctx context.Context) (err error) {
		replies, err = e.engine.Handle(ctx, r)
		return err
	})
	if err != nil {
		e.t.Fatalf("handle %q: %v", r.Text, err)
	}
	return replies
}

func fieldRender(replies []bot.Reply) string {
	var s []string
	for _, r := range replies {
		s = append(s, r.Text)
		for _, row := range r.Buttons {
			for _, b := range row {
				s = append(s, "["+b.Text+"|"+b.Data+"]")
			}
		}
	}
	return strings.Join(s, "\n")
}

func (e *fieldEnv) person(name string) *campaignbot.Person {
	e.t.Helper()
	p, err := e.db.FindPersonByName(context.Background(), name)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// drain returns the console messages waiting in the outbox and marks them
// sent, so the next drain sees only what came after.
func (e *fieldEnv) drain() []*campaignbot.OutboxMessage {
	e.t.Helper()
	ctx := context.Background()
	far := e.clock.Now().Add(365 * 24 * time.Hour)
	msgs, err := e.db.ClaimOutbox(ctx, campaignbot.PlatformConsole, far, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, m := range msgs {
		if err := e.db.MarkOutboxSent(ctx, m.ID, "x", e.clock.Now()); err != nil {
			e.t.Fatal(err)
		}
	}
	return msgs
}

// fieldTo returns the messages addressed to chat.
func fieldTo(msgs []*campaignbot.OutboxMessage, chat string) []*campaignbot.OutboxMessage {
	var out []*campaignbot.OutboxMessage
	for _, m := range msgs {
		if m.ChatID == chat {
			out = append(out, m)
		}
	}
	return out
}

// fieldRecipients returns the sorted chats of msgs.
func fieldRecipients(msgs []*campaignbot.OutboxMessage) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.ChatID)
	}
	slices.Sort(out)
	return out
}

func fieldContains(t testing.TB, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Fatalf("reply %q does not contain %q", got, want)
	}
}

func (e *fieldEnv) events(id int64) []*campaignbot.ProblemEvent {
	e.t.Helper()
	evs, err := e.db.FindProblemEvents(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return evs
}

func (e *fieldEnv) problem(id int64) *campaignbot.Problem {
	e.t.Helper()
	p, err := e.db.FindProblemByID(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// fileProblem runs the problem dialog for who and returns the reply to
// "done".
func (e *fieldEnv) fileProblem(who, enterprise, category, description string) string {
	e.t.Helper()
	e.send(who, "/problem")
	e.send(who, enterprise)
	e.send(who, category)
	e.send(who, "1") // the first help team, 政策宣传组
	e.send(who, description)
	return e.send(who, "完成")
}

// TestProblemLifecycle follows a problem from a liaison's report with two
// photos and a location through claim, progress, resolve, reopen, resolve
// and confirm, across restarts of the store.
func TestProblemLifecycle(t *testing.T) {
	ctx := context.Background()
	study := campaignbot.NewDate(2026, time.March, 18)
	e := fieldNewEnv(t, study)
	ph1, err := e.db.SaveAttachment(ctx, "gate.jpg", "image/jpeg", []byte("photo of the factory gate"))
	if err != nil {
		t.Fatal(err)
	}
	ph2, err := e.db.SaveAttachment(ctx, "line.jpg", "image/jpeg", []byte("photo of the old production line"))
	if err != nil {
		t.Fatal(err)
	}

	fieldContains(t, e.send("何伟", "/problem"), "Which enterprise")
	got := e.send("何伟", "华新电子")
	for _, cat := range campaignbot.ProblemCategories {
		fieldContains(t, got, "|"+cat+"]")
	}
	fieldContains(t, e.send("何伟", "财务"), `There is no category "财务"`)
	got = e.send("何伟", "2")
	for _, team := range campaignbot.HelpTeams {
		fieldContains(t, got, "|"+team+"]")
	}
	fieldContains(t, e.send("何伟", "帮扶"), "There is no help team")
	fieldContains(t, e.send("何伟", "创新服务组"), "Describe the problem")
	fieldContains(t, e.send("何伟", "生产线老化，技改缺少资金"), "Send photos")
	r := e.req("何伟", "")
	r.Attachments = []campaignbot.Attachment{*ph1}
	r.Location = &bot.Location{Latitude: 28.2282, Longitude: 112.9388}
	fieldContains(t, fieldRender(e.do(r)), "1 photos, location set")

	e.restart() // a dialog in progress survives a restart

	r = e.req("何伟", "")
	r.Attachments = []campaignbot.Attachment{*ph2}
	fieldContains(t, fieldRender(e.do(r)), "2 photos, location set")
	got = e.send("何伟", "完成")
	fieldContains(t, got, "Problem #1 is filed: 华新电子 (资金), 2 photos")

	p := e.problem(1)
	if got, want := p.Category, "资金"; got != want {
		t.Errorf("category = %q, want %q", got, want)
	}
	if got, want := len(p.Photos), 2; got != want {
		t.Fatalf("photos = %d, want %d", got, want)
	}
	if p.Latitude == nil || *p.Latitude != 28.2282 || *p.Longitude != 112.9388 {
		t.Errorf("location = %v, %v", p.Latitude, p.Longitude)
	}
	if got, want := p.Photos[0].SHA256, ph1.SHA256; got != want {
		t.Errorf("first photo = %s, want %s", got, want)
	}

	// The office, the head and every leader are told; leaders and the head
	// get a claim button; the filer is not told of their own report.
	notices := e.drain()
	if got, want := fieldRecipients(notices), []string{"张志强", "李明华", "王建国", "陈丽"}; !slices.Equal(got, want) {
		t.Fatalf("new problem told %v, want %v", got, want)
	}
	for _, m := range notices {
		if got, want := m.Key, "notice:problem:1:"+strconv.FormatInt(m.PersonID, 10)+":console"; got != want {
			t.Errorf("notice key = %q, want %q", got, want)
		}
		hasClaim := len(m.Buttons) > 0 && m.Buttons[0][0].Data == "/claim 1"
		if want := m.ChatID != "陈丽"; hasClaim != want {
			t.Errorf("claim button for %s = %v, want %v", m.ChatID, hasClaim, want)
		}
	}

	e.restart()
	// Into the rectification phase, where the hard-problem task is owed.
	rectify := campaignbot.NewDate(2026, time.July, 2)
	e.at(rectify, 9)
	fieldContains(t, e.send("李明华", "/tasks"), "⏳ Take charge of a hard problem")

	// Bad input changes nothing.
	bad := []struct{ who, text, want string }{
		{"李明华", "/claim", "Usage: /claim N"},
		{"李明华", "/claim abc", `"abc" is not a valid number`},
		{"李明华", "/claim 999", "There is no problem #999"},
		{"孙静", "/claim 1", "/claim is only for"},
		{"吴敏", "/confirm 1", "Only the person who filed problem #1 may confirm or reopen it."},
		{"何伟", "/confirm 1", "it has not been reported solved"},
		{"李明华", "/progress 1 已联系", "Only the owner of problem #1"},
		{"陈丽", "/assign 1 孙静", "孙静 is not a leader"},
		{"陈丽", "/assign 1 无名氏", "There is no \"无名氏\""},
	}
	for _, b := range bad {
		fieldContains(t, e.send(b.who, b.text), b.want)
	}
	if got := len(e.events(1)); got != 1 {
		t.Fatalf("after bad input: %d events, want 1", got)
	}
	if got := len(e.drain()); got != 0 {
		t.Fatalf("bad input told %d people", got)
	}

	fieldContains(t, e.send("李明华", "/claim 1"), "You took charge of problem #1")
	fieldContains(t, e.send("李明华", "/tasks"), "✅ Take charge of a hard problem")
	fieldContains(t, e.send("张志强", "/claim 1"), "already in 李明华's hands")
	told := e.drain()
	if got, want := fieldRecipients(told), []string{"何伟"}; !slices.Equal(got, want) {
		t.Fatalf("claim told %v, want %v", got, want)
	}
	fieldContains(t, told[0].Text, "now in 李明华's hands")

	fieldContains(t, e.send("李明华", "/progress 1 已联系两家银行"), "Progress on problem #1 is recorded")
	fieldContains(t, e.send("李明华", "/resolve 1"), "Usage: /resolve N TEXT")

	e.restart()

	r = e.req("李明华", "/resolve 1 技改贷款已审批")
	evidence, err := e.db.SaveAttachment(ctx, "loan.pdf", "application/pdf", []byte("loan approval"))
	if err != nil {
		t.Fatal(err)
	}
	r.Attachments = []campaignbot.Attachment{*evidence}
	fieldContains(t, fieldRender(e.do(r)), "reported solved; waiting for 何伟 to confirm. (1 files attached)")
	told = e.drain()
	if got, want := fieldRecipients(told), []string{"何伟", "何伟"}; !slices.Equal(got, want) {
		t.Fatalf("progress and resolve told %v, want %v", got, want)
	}
	fieldContains(t, told[1].Text, "1 evidence files; see them: /problems 1")
	if got := told[1].Buttons; len(got) == 0 || got[0][0].Data != "/confirm 1" {
		t.Errorf("resolve notice buttons = %v, want /confirm 1", got)
	}

	fieldContains(t, e.send("何伟", "/reopen 1"), "Usage: /reopen N REASON")
	fieldContains(t, e.send("何伟", "/reopen 1 贷款尚未到账"), "reopened and back with 李明华")
	fieldContains(t, e.send("李明华", "/resolve 1 贷款已到账"), "reported solved")
	fieldContains(t, e.send("何伟", "/confirm 1"), "confirmed solved and closed")
	told = e.drain()
	if got, want := fieldRecipients(told), []string{"何伟", "李明华", "李明华"}; !slices.Equal(got, want) {
		t.Fatalf("reopen, resolve and confirm told %v, want %v", got, want)
	}

	e.restart()

	type step struct {
		kind  campaignbot.ProblemEventKind
		actor string
	}
	want := []step{
		{campaignbot.EventFiled, "何伟"}, {campaignbot.EventClaimed, "李明华"}, {campaignbot.EventProgress, "李明华"},
		{campaignbot.EventResolved, "李明华"}, {campaignbot.EventReopened, "何伟"}, {campaignbot.EventResolved, "李明华"},
		{campaignbot.EventConfirm, "何伟"},
	}
	evs := e.events(1)
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d", len(evs), len(want))
	}
	for i, ev := range evs {
		if got := (step{ev.Kind, e.name(ev.ActorID)}); got != want[i] {
			t.Errorf("event %d = %v, want %v", i, got, want[i])
		}
		if i > 0 && ev.CreatedAt.Before(evs[i-1].CreatedAt) {
			t.Errorf("event %d is older than event %d", i, i-1)
		}
	}
	if got, want := len(evs[3].Attachments), 1; got != want {
		t.Errorf("resolve evidence = %d files, want %d", got, want)
	}
	if got, want := e.problem(1).Status, campaignbot.ProblemClosed; got != want {
		t.Errorf("status = %s, want %s", got, want)
	}

	// A closed problem refuses what only an open one allows, saying why.
	fieldContains(t, e.send("张志强", "/claim 1"), "Problem #1 is closed; it cannot be claimed.")
	fieldContains(t, e.send("陈丽", "/assign 1 张志强"), "Problem #1 is closed; it cannot be assigned.")
	fieldContains(t, e.send("李明华", "/progress 1 x"), "Problem #1 is closed; no progress can be reported.")
	fieldContains(t, e.send("吴敏", "/reopen 1 x"), "Only the person who filed problem #1 may confirm or reopen it.")

	// The filer's list and the detail view with photos and evidence.
	fieldContains(t, e.send("何伟", "/problems"), "#1 [closed] 华新电子")
	replies := e.do(e.req("何伟", "/problems 1"))
	if got, want := len(replies[0].Files), 3; got != want {
		t.Errorf("detail files = %d, want %d", got, want)
	}
	fieldContains(t, replies[0].Text, "李明华 reported it solved: 贷款已到账")
	fieldContains(t, e.send("吴敏", "/problems 1"), "not yours to see")
	fieldContains(t, e.send("何伟", "/problems 7"), "There is no problem #7")
}

func (e *fieldEnv) name(id int64) string {
	e.t.Helper()
	p, err := e.db.FindPersonByID(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Name
}

// TestProblemAssign covers the office's /assign and reassignment: the new
// owner, the filer and the previous owner are told.
func TestProblemAssign(t *testing.T) {
	e := fieldNewEnv(t, campaignbot.NewDate(2026, time.July, 2))
	fieldContains(t, e.fileProblem("吴敏", "星火农业", "人才", "缺少技术人员"), "Problem #1 is filed")
	fieldContains(t, e.send("王建国", "/problems"), "#1 [unclaimed] 星火农业 (人才 · 政策宣传组)")
	// Listed per help team (帮扶组).
	fieldContains(t, e.send("王建国", "/problems 政策宣传组"), "#1 [unclaimed] 星火农业")
	if got := e.send("王建国", "/problems 困难帮扶组"); strings.Contains(got, "#1") {
		t.Errorf("困难帮扶组's list shows 政策宣传组's problem:\n%s", got)
	}
	e.drain()

	fieldContains(t, e.send("陈丽", "/assign 1"), "Usage: /assign N NAME")
	fieldContains(t, e.send("陈丽", "/assign 1 李明华"), "assigned to 李明华")
	told := e.drain()
	if got, want := fieldRecipients(told), []string{"吴敏", "李明华"}; !slices.Equal(got, want) {
		t.Fatalf("assign told %v, want %v", got, want)
	}
	fieldContains(t, fieldTo(told, "李明华")[0].Text, "/progress 1")

	fieldContains(t, e.send("王建国", "/assign 1 张志强"), "assigned to 张志强")
	if got, want := fieldRecipients(e.drain()), []string{"吴敏", "张志强", "李明华"}; !slices.Equal(got, want) {
		t.Fatalf("reassign told %v, want %v", got, want)
	}
	fieldContains(t, e.send("张志强", "/problems"), "#1 [in hand] 星火农业 (人才 · 政策宣传组)")
	fieldContains(t, e.send("李明华", "/progress 1 x"), "Only the owner of problem #1 (张志强)")
	fieldContains(t, e.send("王建国", "/assign 1 张志强"), "already assigned to 张志强")
	evs := e.events(1)
	if got, want := len(evs), 3; got != want {
		t.Fatalf("%d events, want %d", got, want)
	}
	if got, want := e.name(evs[2].OwnerID), "张志强"; got != want {
		t.Errorf("last owner = %s, want %s", got, want)
	}
	// Assignment counts for the hard-problem task of the one assigned.
	fieldContains(t, e.send("张志强", "/tasks"), "✅ Take charge of a hard problem")
}

// TestProblemDialogInput covers the dialog's other inputs: a category by
// name, photos before the text is asked for, extra text, and /cancel.
func TestProblemDialogInput(t *testing.T) {
	ctx := context.Background()
	e := fieldNewEnv(t, campaignbot.NewDate(2026, time.March, 18))
	ph, err := e.db.SaveAttachment(ctx, "p.jpg", "image/jpeg", []byte("p"))
	if err != nil {
		t.Fatal(err)
	}
	fieldContains(t, e.send("何伟", "/problem 宏达机械"), "Which kind of problem does \"宏达机械\" have?")
	r := e.req("何伟", "")
	r.Attachments = []campaignbot.Attachment{*ph}
	got := fieldRender(e.do(r))
	fieldContains(t, got, "Got it: 1 photos, no location.")
	fieldContains(t, got, "Which kind of problem")
	fieldContains(t, e.send("何伟", "市场"), "Which help team")
	fieldContains(t, e.send("何伟", "3"), "Describe the problem")
	e.send("何伟", "订单下滑")
	fieldContains(t, e.send("何伟", "主要是出口订单"), "Added to the description")
	fieldContains(t, e.send("何伟", "完成"), "Problem #1 is filed: 宏达机械 (市场), 1 photos")
	if got, want := e.problem(1).Description, "订单下滑\n主要是出口订单"; got != want {
		t.Errorf("description = %q, want %q", got, want)
	}

	e.send("何伟", "/problem")
	fieldContains(t, e.send("何伟", "/cancel"), "Cancelled")
	problems, err := e.db.FindProblems(ctx, campaignbot.ProblemFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(problems), 1; got != want {
		t.Errorf("%d problems, want %d", got, want)
	}
	// A liaison sees only their own problems.
	fieldContains(t, e.send("吴敏", "/problems"), "No problems concern you")
}

// A notice to someone who has not bound, or whose accounts refuse
// messages, is reported to the sender as not delivered, by name; one that
// goes out is reported as told (SPEC §4).
func TestNoticesReportDelivery(t *testing.T) {
	ctx := context.Background()
	e := fieldNewEnv(t, campaignbot.NewDate(2026, time.March, 18))
	if _, _, err := e.db.ImportRoster(ctx, []campaignbot.RosterEntry{
		{Name: "新人", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleMember}},
	}); err != nil {
		t.Fatal(err)
	}

	// A ledger item for someone never bound: nothing is queued, and the
	// office is told so.
	got := e.send("陈丽", "/ledger add 会议过多 | 精简会议 | 新人 | 2026-08-01")
	fieldContains(t, got, "新人 has not bound an account and was not told: tell them yourself.")
	if strings.Contains(got, "新人 told") {
		t.Errorf("reply claims the unbound owner was told: %q", got)
	}
	if msgs := e.drain(); len(msgs) != 0 {
		t.Errorf("%d messages queued for nobody", len(msgs))
	}
	fieldContains(t, e.send("陈丽", "/ledger add 材料积压 | 每周清理 | 李明华 | 2026-08-01"), "李明华 told.")
	e.drain()

	// Progress on a problem whose filer refused the last message.
	e.fileProblem("何伟", "华新电子", "2", "生产线老化")
	e.drain()
	fieldContains(t, e.send("李明华", "/claim 1"), "何伟 told.")
	if err := e.db.SetReachable(ctx, e.person("何伟").ID, campaignbot.PlatformConsole, false); err != nil {
		t.Fatal(err)
	}
	got = e.send("李明华", "/progress 1 已联系银行")
	fieldContains(t, got, "Progress on problem #1 is recorded.")
	fieldContains(t, got, "何伟 refused the last message (blocked the bot, or outside the app's visibility) and may not get this: tell them yourself.")
	if strings.Contains(got, "何伟 told") {
		t.Errorf("reply claims the filer was told: %q", got)
	}
}

// /confirm and /reopen by anyone but the filer are refused without naming
// the filer.
func TestConfirmRevealsNoFiler(t *testing.T) {
	e := fieldNewEnv(t, campaignbot.NewDate(2026, time.March, 18))
	e.fileProblem("何伟", "华新电子", "2", "生产线老化")
	e.send("李明华", "/claim 1")
	e.send("李明华", "/resolve 1 已解决")
	for _, text := range []string{"/confirm 1", "/reopen 1 没解决"} {
		got := e.send("吴敏", text)
		fieldContains(t, got, "Only the person who filed problem #1 may confirm or reopen it.")
		if strings.Contains(got, "何伟") {
			t.Errorf("%s by another liaison names the filer: %q", text, got)
		}
	}
	if got := e.problem(1).Status; got != campaignbot.ProblemResolved {
		t.Errorf("status %s after refused confirmations, want resolved", got)
	}
}
