package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/store"
)

// recordingStore is the real store that also remembers every outbox row it
// newly enqueued.
type recordingStore struct {
	*store.DB
	mu  sync.Mutex
	new []campaignbot.OutboxMessage
}

func (r *recordingStore) EnqueueOutbox(ctx context.Context, msgs []*campaignbot.OutboxMessage) (int, error) {
	n, err := r.DB.EnqueueOutbox(ctx, msgs)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range msgs {
		if m.ID != 0 && !slices.ContainsFunc(r.new, func(o campaignbot.OutboxMessage) bool { return o.ID == m.ID }) {
			r.new = append(r.new, *m)
		}
	}
	return n, err
}

func (r *recordingStore) rows() []campaignbot.OutboxMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.new)
}

// org is the test roster: two departments, every role, one unbound person
// and one bound on two platforms.
type org struct {
	st    *recordingStore
	clock *fakeClock
	plan  *campaignbot.Plan
	id    map[string]int64
}

var roster = []campaignbot.RosterEntry{
	{Name: "王局长", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleHead}},
	{Name: "李副局长", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleLeader}, InChargeOf: []string{"办公室"}},
	{Name: "赵副局长", Departments: []string{"业务科"}, Roles: []campaignbot.Role{campaignbot.RoleLeader}, InChargeOf: []string{"业务科"}},
	{Name: "钱科长", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleMiddle}},
	{Name: "孙科长", Departments: []string{"业务科"}, Roles: []campaignbot.Role{campaignbot.RoleMiddle}},
	{Name: "周干事", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleMember}},
	{Name: "吴指导员", Departments: []string{"业务科"}, Roles: []campaignbot.Role{campaignbot.RoleMember, campaignbot.RoleLiaison}},
	{Name: "郑主任", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleOffice}},
}

func at(d campaignbot.Date, hhmm campaignbot.Clocktime, loc *time.Location) time.Time {
	return d.Time(loc).Add(time.Duration(hhmm) * time.Minute)
}

func mustOrg(tb testing.TB) *org {
	tb.Helper()
	ctx := context.Background()
	pl := mustDefaultPlan(tb)
	clock := newFakeClock(at(pl.Start, 8*60, pl.Loc()))
	db, err := store.Open(ctx, filepath.Join(tb.TempDir(), "campaign.db"),
		store.WithClock(clock), store.WithLocation(pl.Loc()), store.WithPerDepartmentTasks("dept-analysis"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, _, err := db.ImportRoster(ctx, roster); err != nil {
		tb.Fatal(err)
	}
	o := &org{st: &recordingStore{DB: db}, clock: clock, plan: pl, id: map[string]int64{}}
	for i, e := range roster {
		p, err := db.FindPersonByName(ctx, e.Name)
		if err != nil {
			tb.Fatal(err)
		}
		o.id[e.Name] = p.ID
		if e.Name == "吴指导员" {
			continue // never binds
		}
		platforms := []campaignbot.Platform{campaignbot.PlatformConsole}
		if e.Name == "孙科长" {
			platforms = []campaignbot.Platform{campaignbot.PlatformTelegram, campaignbot.PlatformWeCom}
		}
		for _, pf := range platforms {
			inv, err := db.CreateInvite(ctx, p.ID)
			if err != nil {
				tb.Fatal(err)
			}
			if _, err := db.RedeemInvite(ctx, inv.Code, campaignbot.Account{Platform: pf, AccountID: fmt.Sprint(pf, i)}); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return o
}

func (o *org) submit(tb testing.TB, name, task string, day campaignbot.Date) {
	tb.Helper()
	o.clock.Set(at(day, 10*60, o.plan.Loc()))
	p, err := o.st.FindPersonByName(context.Background(), name)
	if err != nil {
		tb.Fatal(err)
	}
	s := &campaignbot.Submission{TaskKey: task, PersonID: p.ID, DepartmentID: p.DepartmentID, Text: "内容"}
	if t := o.plan.FindTask(task); t.Review != campaignbot.ReviewNone {
		s.State = campaignbot.ReviewSubmitted
	}
	if err := o.st.CreateSubmission(context.Background(), s); err != nil {
		tb.Fatal(err)
	}
}

func (o *org) scheduler(opts ...Option) *Scheduler {
	return New(o.st, o.plan, append([]Option{WithSchedulerClock(o.clock), WithSchedulerLogger(quietLogger()),
		WithGroupChats(campaignbot.PlatformConsole)}, opts...)...)
}

// day returns the day a row was enqueued for: its NextAt's day.
func (o *org) day(m campaignbot.OutboxMessage) campaignbot.Date {
	return campaignbot.DateOf(m.NextAt, o.plan.Loc())
}

func d(s string) campaignbot.Date {
	day, err := campaignbot.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return day
}

// TestSimulateDefaultPlan runs the reminders job every day of the default
// plan for the test roster and checks what went to whom on which day.
func TestSimulateDefaultPlan(t *testing.T) {
	o := mustOrg(t)
	ctx := context.Background()
	loc := o.plan.Loc()
	study := o.plan.FindPhase("study")
	// 孙 does all of his study-phase work on time; 钱 hands in 办公室's
	// analysis early; nobody hands in 业务科's; 周 never does anything.
	o.submit(t, "孙科长", "topic-speech", study.Start)
	for w := study.Start; w <= study.End; w += 7 {
		o.submit(t, "孙科长", "study-notes", w)
	}
	o.submit(t, "钱科长", "dept-analysis", d("2026-06-01"))
	if err := o.st.CreateLeave(ctx, &campaignbot.Leave{PersonID: o.id["周干事"], From: d("2026-04-06"), To: d("2026-04-08")}); err != nil {
		t.Fatal(err)
	}

	s := o.scheduler()
	for day := o.plan.Start; day <= o.plan.End+10; day++ {
		o.clock.Set(at(day, DefaultRemindAt, loc))
		if err := s.runReminders(ctx, o.clock.Now()); err != nil {
			t.Fatalf("%s: %v", day, err)
		}
	}
	rows := o.st.rows()

	type dayKind struct {
		day  campaignbot.Date
		kind campaignbot.OutboxKind
	}
	sunTG := func(task string) []dayKind {
		var got []dayKind
		for _, m := range rows {
			if m.PersonID == o.id["孙科长"] && m.TaskKey == task && m.Platform == campaignbot.PlatformTelegram {
				got = append(got, dayKind{o.day(m), m.Kind})
			}
		}
		return got
	}
	want := []dayKind{
		{d("2026-06-23"), campaignbot.KindWarning}, {d("2026-06-27"), campaignbot.KindWarning}, {d("2026-06-29"), campaignbot.KindWarning},
		{d("2026-07-01"), campaignbot.KindOverdue}, {d("2026-07-03"), campaignbot.KindOverdue}, {d("2026-07-05"), campaignbot.KindOverdue},
	}
	if got := sunTG("dept-analysis"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("孙科长's dept-analysis prompts\n got %v\nwant %v", got, want)
	}
	if got := sunTG("study-notes"); len(got) != 0 {
		t.Errorf("孙科长 did his notes but got %v", got)
	}

	var sunWeCom, qianAnalysis, escalations int
	perPersonDay := map[string]int{}
	for _, m := range rows {
		if m.ChatID == GroupChat && m.Kind != campaignbot.KindPhaseStart && m.Kind != campaignbot.KindPhaseEnd {
			t.Errorf("%s sent to the group: %q", m.Kind, m.Text)
		}
		if m.PersonID == o.id["吴指导员"] {
			t.Errorf("unbound person got %s", m.Key)
		}
		if m.PersonID == o.id["周干事"] && o.day(m) >= d("2026-04-06") && o.day(m) <= d("2026-04-08") {
			t.Errorf("周干事 got %s while on leave", m.Key)
		}
		if m.PersonID == o.id["孙科长"] && m.Platform == campaignbot.PlatformWeCom && m.TaskKey == "dept-analysis" {
			sunWeCom++
		}
		if m.PersonID == o.id["钱科长"] && m.TaskKey == "dept-analysis" {
			qianAnalysis++
		}
		if m.Kind == campaignbot.KindWarning || m.Kind == campaignbot.KindOverdue {
			perPersonDay[fmt.Sprint(m.PersonID, m.Platform, o.day(m))]++
			if m.TaskKey != "" && !strings.Contains(fmt.Sprint(m.Buttons), "/submit "+m.TaskKey) {
				t.Errorf("prompt %s has no submit button: %v", m.Key, m.Buttons)
			}
		}
		if m.Kind == campaignbot.KindEscalation {
			escalations++
			if m.Key == fmt.Sprintf("escalation:%d:2026-07-03:console", o.id["赵副局长"]) {
				if !strings.Contains(m.Text, "孙科长") || !strings.Contains(m.Text, "科室分析报告") {
					t.Errorf("escalation to 赵副局长 does not name 孙科长's report: %q", m.Text)
				}
			}
			if m.PersonID == o.id["孙科长"] || m.PersonID == o.id["周干事"] {
				t.Errorf("escalation went to %d", m.PersonID)
			}
		}
	}
	if got, want := sunWeCom, 6; got != want {
		t.Errorf("孙科长 got %d dept-analysis prompts on WeCom, want %d (same as Telegram)", got, want)
	}
	if qianAnalysis != 0 {
		t.Errorf("钱科长's department handed in its analysis, yet he got %d prompts", qianAnalysis)
	}
	if !slices.ContainsFunc(rows, func(m campaignbot.OutboxMessage) bool {
		return m.Key == fmt.Sprintf("escalation:%d:2026-07-03:console", o.id["赵副局长"])
	}) {
		t.Error("no escalation to 赵副局长 on 2026-07-03")
	}
	for k, n := range perPersonDay {
		if n > o.plan.Policy.DailyCap {
			t.Errorf("%s: %d prompts in a day, cap %d", k, n, o.plan.Policy.DailyCap)
		}
	}
	// On 04-29 the head has five things open (last week's notes overdue;
	// this week's notes, the study report, the research report and the
	// opinions survey due the next day): one prompt for the most urgent,
	// one folding the other four.
	var head []campaignbot.OutboxMessage
	for _, m := range rows {
		if m.PersonID == o.id["王局长"] && o.day(m) == d("2026-04-29") && m.Kind != campaignbot.KindEscalation {
			head = append(head, m)
		}
	}
	if len(head) != 2 {
		t.Fatalf("the head got %d messages on 04-29, want 2: %v", len(head), head)
	}
	if got, want := head[0].Key, fmt.Sprintf("overdue:study-notes:%d:2026-04-29:2026-04-20:console", o.id["王局长"]); got != want {
		t.Errorf("first prompt %s, want %s", got, want)
	}
	if got, want := head[1].Key, fmt.Sprintf("fold:%d:2026-04-29:console", o.id["王局长"]); got != want {
		t.Errorf("second prompt %s, want %s", got, want)
	}
	// The missed week's button hands it in for that week.
	if got, want := head[0].Buttons[0][0].Data, "/submit study-notes 2026-04-20"; got != want {
		t.Errorf("overdue week's button = %q, want %q", got, want)
	}
	if !strings.Contains(head[1].Text, "4 项") || len(head[1].Buttons) != 4 || head[1].Buttons[3][0].Data != "/survey opinions" {
		t.Errorf("fold does not list four items with a button each, the survey's opening it: %q %v", head[1].Text, head[1].Buttons)
	}
	var starts []string
	for _, m := range rows {
		if m.Kind == campaignbot.KindPhaseStart && m.ChatID == GroupChat {
			starts = append(starts, o.day(m).String())
		}
	}
	if got, want := fmt.Sprint(starts), "[2026-03-01 2026-03-16 2026-05-01 2026-07-01 2026-09-01]"; got != want {
		t.Errorf("phase starts in the group on %s, want %s", got, want)
	}

	// Running the whole campaign again enqueues nothing new.
	before := len(rows)
	for day := o.plan.Start; day <= o.plan.End; day++ {
		o.clock.Set(at(day, DefaultRemindAt, loc))
		if _, err := s.RunDay(ctx, day); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(o.st.rows()); got != before {
		t.Errorf("rerun enqueued %d new rows", got-before)
	}
	if escalations == 0 {
		t.Error("no escalations at all")
	}
}

// After three days down, Start enqueues what fell due once, folded so that
// nobody gets the same reminder three times; a second Start adds nothing.
func TestCatchUpAfterOutage(t *testing.T) {
	o := mustOrg(t)
	ctx := context.Background()
	loc := o.plan.Loc()
	s := o.scheduler()
	// Up and running until 2026-06-30, the dept-analysis due date.
	for day := d("2026-06-28"); day <= d("2026-06-30"); day++ {
		o.clock.Set(at(day, DefaultRemindAt, loc))
		if err := s.runReminders(ctx, o.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	before := len(o.st.rows())
	// Down 07-01 to 07-03; back at 10:00 on 07-03.
	o.clock.Set(at(d("2026-07-03"), 10*60, loc))
	s2 := o.scheduler()
	if err := s2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s2.Close()
	rows := o.st.rows()[before:]
	var sun []string
	for _, m := range rows {
		if m.PersonID == o.id["孙科长"] && m.Platform == campaignbot.PlatformTelegram && m.TaskKey == "dept-analysis" {
			sun = append(sun, m.Key)
		}
	}
	if got, want := fmt.Sprint(sun), fmt.Sprintf("[overdue:dept-analysis:%d:2026-07-03:telegram]", o.id["孙科长"]); got != want {
		t.Errorf("孙科长 after the outage got %s, want %s", got, want)
	}
	// 7-01 started the rectification phase: announced late, once.
	if !slices.ContainsFunc(rows, func(m campaignbot.OutboxMessage) bool { return m.Key == "phase_start:rectify:group:2026-07-01:console" }) {
		t.Error("the phase start of 07-01 was not caught up")
	}
	if !slices.ContainsFunc(rows, func(m campaignbot.OutboxMessage) bool {
		return m.Key == fmt.Sprintf("escalation:%d:2026-07-03:console", o.id["赵副局长"])
	}) {
		t.Error("the escalation of 07-03 is missing")
	}

	n := len(o.st.rows())
	s3 := o.scheduler()
	if err := s3.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s3.Close()
	if got := len(o.st.rows()); got != n {
		t.Errorf("a second Start enqueued %d rows", got-n)
	}
}

func TestQuietHours(t *testing.T) {
	o := mustOrg(t)
	ctx := context.Background()
	loc := o.plan.Loc()
	// Starting at 23:00 runs nothing: the next morning's run catches up.
	o.clock.Set(at(d("2026-06-29"), 23*60, loc))
	s := o.scheduler()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := len(o.st.rows()); got != 0 {
		t.Errorf("%d rows enqueued in quiet hours", got)
	}
	// An announcement at 22:00 waits until 08:00.
	o.clock.Set(at(d("2026-06-29"), 22*60, loc))
	// 孙科长 refused the last delivery on both platforms.
	for _, pl := range []campaignbot.Platform{campaignbot.PlatformTelegram, campaignbot.PlatformWeCom} {
		if err := o.st.SetReachable(ctx, o.id["孙科长"], pl, false); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := s.Announce(ctx, o.id["郑主任"], "", "明天开会", "telegram:1:1")
	if err != nil {
		t.Fatal(err)
	}
	want := campaignbot.Delivery{Held: 6, HeldUntil: at(d("2026-06-30"), 8*60, loc), Unbound: []string{"吴指导员"}, Unreachable: []string{"孙科长"}}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("the announcement at 22:00 reports %+v, want %+v", rep, want)
	}
	for _, m := range o.st.rows() {
		if got, want := m.NextAt, at(d("2026-06-30"), 8*60, loc); !got.Equal(want) {
			t.Errorf("%s NextAt %v, want %v", m.Key, got, want)
		}
	}
	// The same chat message processed again, minutes later (a restart
	// after a crash), announces nothing new.
	rows := len(o.st.rows())
	o.clock.Set(at(d("2026-06-29"), 22*60+7, loc))
	if _, err := s.Announce(ctx, o.id["郑主任"], "", "明天开会", "telegram:1:1"); err != nil {
		t.Fatal(err)
	}
	if got := len(o.st.rows()); got != rows {
		t.Errorf("the same message announced again: %d rows, want %d", got, rows)
	}

	for _, tc := range []struct{ now, want string }{
		{"2026-06-29 21:29", "2026-06-29 21:29"},
		{"2026-06-29 21:30", "2026-06-30 08:00"},
		{"2026-06-30 00:10", "2026-06-30 08:00"},
		{"2026-06-30 07:59", "2026-06-30 08:00"},
		{"2026-06-30 08:00", "2026-06-30 08:00"},
	} {
		now, _ := time.ParseInLocation("2006-01-02 15:04", tc.now, loc)
		want, _ := time.ParseInLocation("2006-01-02 15:04", tc.want, loc)
		if got := outsideQuiet(now, o.plan); !got.Equal(want) {
			t.Errorf("outsideQuiet(%s) = %v, want %s", tc.now, got, tc.want)
		}
	}
}

// A process sent some rows and died: one before it could mark it sent. A
// new dispatcher sends every row still pending once; the unmarked one is the
// single resend the design allows.
func TestCrashMidDispatch(t *testing.T) {
	o := mustOrg(t)
	ctx := context.Background()
	o.clock.Set(at(d("2026-06-29"), 9*60, o.plan.Loc()))
	s := o.scheduler()
	if _, err := s.Announce(ctx, o.id["郑主任"], "", "通知", ""); err != nil {
		t.Fatal(err)
	}
	var all []int64
	for _, m := range o.st.rows() {
		if m.Platform == campaignbot.PlatformConsole {
			all = append(all, m.ID)
		}
	}

	dying := &dyingOutbox{OutboxService: o.st, failAfter: 2}
	s1 := &fakeSender{platform: campaignbot.PlatformConsole, clock: o.clock}
	d1 := NewDispatcher(dying, []campaignbot.Sender{s1}, WithClock(o.clock), WithLogger(quietLogger()))
	d1.dispatchOnce(ctx, campaignbot.PlatformConsole, o.clock.Now())
	// d1 "dies" here: its third send went out but was never marked.

	s2 := &fakeSender{platform: campaignbot.PlatformConsole, clock: o.clock}
	d2 := NewDispatcher(o.st, []campaignbot.Sender{s2}, WithClock(o.clock), WithLogger(quietLogger()))
	d2.dispatchOnce(ctx, campaignbot.PlatformConsole, o.clock.Now())
	first, second := s1.successes(), s2.successes()
	for _, id := range all {
		if got := first[id] + second[id]; got < 1 || got > 2 || got == 2 && id != s1.calls[2].id {
			t.Errorf("row %d sent %d times (first process %d, second %d)", id, got, first[id], second[id])
		}
		if second[id] > 1 {
			t.Errorf("the new process sent row %d %d times", id, second[id])
		}
	}
}

// dyingOutbox stops recording sends after failAfter, as a process that
// dies between sending and marking.
type dyingOutbox struct {
	campaignbot.OutboxService
	failAfter int
	marked    int
	dead      bool
}

func (d *dyingOutbox) MarkOutboxSent(ctx context.Context, id int64, pmid string, at time.Time) error {
	if d.marked == d.failAfter {
		d.dead = true
	}
	if d.dead {
		return fmt.Errorf("process died")
	}
	d.marked++
	return d.OutboxService.MarkOutboxSent(ctx, id, pmid, at)
}

func (d *dyingOutbox) ClaimOutbox(ctx context.Context, p campaignbot.Platform, now time.Time, limit int) ([]*campaignbot.OutboxMessage, error) {
	if d.dead {
		return nil, nil
	}
	ms, err := d.OutboxService.ClaimOutbox(ctx, p, now, limit)
	return ms[:min(len(ms), d.failAfter+1)], err
}

// TestRemindersForgetOldIntake: the daily reminders run deletes processed
// platform updates past IntakeRetention, and keeps recent and unprocessed
// ones.
func TestRemindersForgetOldIntake(t *testing.T) {
	o := mustOrg(t)
	ctx := context.Background()
	loc := o.plan.Loc()
	save := func(key string, day campaignbot.Date, processed bool) {
		o.clock.Set(at(day, 10*60, loc))
		if _, err := o.st.SaveInbound(ctx, &campaignbot.Inbound{Platform: campaignbot.PlatformTelegram, Key: key, Payload: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
		if processed {
			if err := o.st.MarkInboundProcessed(ctx, campaignbot.PlatformTelegram, key); err != nil {
				t.Fatal(err)
			}
		}
	}
	save("1", d("2026-03-20"), true)  // old: goes
	save("2", d("2026-03-20"), false) // old but unprocessed: stays
	save("3", d("2026-03-30"), true)  // recent: stays
	now := at(d("2026-03-31"), 9*60, loc)
	o.clock.Set(now)
	if err := o.scheduler().runReminders(ctx, now); err != nil {
		t.Fatal(err)
	}
	pending, err := o.st.PendingInbound(ctx, 10)
	if err != nil || len(pending) != 1 || pending[0].Key != "2" {
		t.Fatalf("pending after the purge: %+v %v", pending, err)
	}
	stats, err := o.st.InboundStats(ctx)
	if err != nil || len(stats) != 1 || stats[0].Received != 2 {
		t.Fatalf("inbound after the purge: %+v %v, want 2 rows", stats, err)
	}
}

// A run recorded in the future, left by a clock that ran fast and was put
// right, does not suppress today's reminders and digest: it is logged and
// today's jobs run.
func TestFutureJobRecordDoesNotSuppress(t *testing.T) {
	o := mustOrg(t)
	ctx := context.Background()
	loc := o.plan.Loc()
	today := d("2026-06-29")
	future := at(today+40, 10*60, loc)
	for _, job := range []string{JobReminders, JobDigest} {
		if err := o.st.SetLastRun(ctx, job, future); err != nil {
			t.Fatal(err)
		}
	}
	var logs strings.Builder
	s := o.scheduler(WithSchedulerLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	o.clock.Set(at(today, 10*60, loc))
	if err := s.runReminders(ctx, o.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.runDigests(ctx, o.clock.Now()); err != nil {
		t.Fatal(err)
	}
	var reminders, digests int
	for _, m := range o.st.rows() {
		if o.day(m) != today {
			continue
		}
		switch m.Kind {
		case campaignbot.KindDigest:
			digests++
		case campaignbot.KindWarning, campaignbot.KindOverdue, campaignbot.KindEscalation:
			reminders++
		}
	}
	if reminders == 0 || digests == 0 {
		t.Errorf("after a record in the future: %d reminders and %d digests enqueued today, want some of each", reminders, digests)
	}
	if got := strings.Count(logs.String(), "recorded in the future"); got != 2 {
		t.Errorf("%d warnings about a record in the future, want 2:\n%s", got, logs.String())
	}
	for _, job := range []string{JobReminders, JobDigest} {
		last, err := o.st.LastRun(ctx, job)
		if err != nil {
			t.Fatal(err)
		}
		if !last.Equal(o.clock.Now()) {
			t.Errorf("%s is recorded as last run at %s, want now (%s)", job, last, o.clock.Now())
		}
	}
	// Later the same day, nothing runs twice.
	n := len(o.st.rows())
	o.clock.Set(at(today, 15*60, loc))
	if err := s.runReminders(ctx, o.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if got := len(o.st.rows()); got != n {
		t.Errorf("a second run the same day enqueued %d rows", got-n)
	}
}
