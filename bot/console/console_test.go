package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/bot/console"
	"campaignbot/plan"
	"campaignbot/scheduler"
	"campaignbot/store"
)

// session is the console's real wiring, as cmd/campaignbot builds it: a
// store with two people, the engine, the intake with the console
// registered, and the dispatcher with the console as its sender.
type session struct {
	t     *testing.T
	lang  string // of the engine and the console, as the config sets both
	path  string
	clock campaignbot.Clock
	plan  *campaignbot.Plan
	db    *store.DB
	// engineOpts are added to the engine's options (a campaign group).
	engineOpts []bot.Option
}

func newSession(t *testing.T) *session {
	t.Helper()
	// Mid-morning in the plan's zone, outside quiet hours, so what is
	// queued for other people goes out at once.
	day := campaignbot.DateOf(time.Now(), time.UTC)
	at := day.Time(time.FixedZone("CST", 8*3600)).Add(10 * time.Hour)
	s := &session{t: t, lang: "zh", path: filepath.Join(t.TempDir(), "c.db"), clock: campaignbot.ClockFunc(func() time.Time { return at })}
	p, _, err := plan.Default(day.AddDays(-20))
	if err != nil {
		t.Fatal(err)
	}
	s.plan = p
	s.open()
	if _, _, err := s.db.ImportRoster(context.Background(), []campaignbot.RosterEntry{
		{Name: "张三", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}},
		{Name: "陈丽", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleOffice}},
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

// open (re)opens the store, as a start of the program does.
func (s *session) open() {
	s.t.Helper()
	db, err := store.Open(context.Background(), s.path, store.WithClock(s.clock), store.WithLocation(s.plan.Loc()))
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { db.Close() })
	s.db = db
}

// run runs a console over the session's store reading input, and returns
// what it printed.
func (s *session) run(input string, opts ...console.Option) string {
	s.t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	sch := scheduler.New(s.db, s.plan, scheduler.WithSchedulerClock(s.clock), scheduler.WithSchedulerLogger(quiet))
	engine := bot.New(s.db, s.plan, append([]bot.Option{bot.WithClock(s.clock), bot.WithReporter(sch), bot.WithLogger(quiet), bot.WithLang(s.lang)}, s.engineOpts...)...)
	intake := bot.NewIntake(s.db, engine, bot.WithIntakeClock(s.clock), bot.WithIntakeLogger(quiet), bot.WithIntakeLang(s.lang))
	var out bytes.Buffer
	opts = append([]console.Option{console.WithClock(s.clock), console.WithLang(s.lang)}, opts...)
	c := console.New(s.db, intake, strings.NewReader(input), &out, opts...)
	intake.Register(campaignbot.PlatformConsole, c)
	d := scheduler.NewDispatcher(s.db, []campaignbot.Sender{c}, scheduler.WithClock(s.clock), scheduler.WithLogger(quiet))
	if err := c.Run(ctx, d); err != nil {
		s.t.Fatal(err)
	}
	return out.String()
}

// inOrder checks that out contains each of wants, in that order.
func inOrder(t *testing.T, out string, wants ...string) {
	t.Helper()
	rest := out
	for _, want := range wants {
		i := strings.Index(rest, want)
		if i < 0 {
			t.Fatalf("output lacks %q after the lines before it:\n%s", want, out)
		}
		rest = rest[i+len(want):]
	}
}

func TestConsoleScripted(t *testing.T) {
	s := newSession(t)
	out := s.run("/as 张三\n# a comment\n/note 今天学习了\n/as 无名\n/as 陈丽\n/announce 全体 明天开会\n")
	inOrder(t, out,
		"campaignbot 控制台",
		"?> /as 张三",
		"（现在以 张三〔科技管理科〕的身份输入）",
		"张三> /note 今天学习了", // the line read is echoed
		"已收到并保存",
		"张三> /as 无名",
		"名册中没有“无名”",
		"（现在以 陈丽〔办公室〕的身份输入）",
		"陈丽> /announce 全体 明天开会",
		"── 发给 张三 ──", // the announcement, for 张三's console account
		"明天开会",
	)
	if strings.Contains(out, "a comment") {
		t.Errorf("a comment line was sent:\n%s", out)
	}
	// Each line was stored and processed; the replies were delivered.
	if ins, err := s.db.PendingInbound(context.Background(), 10); err != nil || len(ins) != 0 {
		t.Errorf("pending after the session: %d, %v", len(ins), err)
	}
	if ms, err := s.db.ClaimOutbox(context.Background(), campaignbot.PlatformConsole, s.clock.Now(), 10); err != nil || len(ms) != 0 {
		t.Errorf("undelivered after the session: %+v, %v", ms, err)
	}
}

// TestConsoleAsBinds: /as binds the console account to the roster person
// once, so that a later run (or another /as) finds the binding.
func TestConsoleAsBinds(t *testing.T) {
	s := newSession(t)
	ctx := context.Background()
	s.run("/as 张三\n/as 陈丽\n/as 张三\n")
	for _, name := range []string{"张三", "陈丽"} {
		acc, err := s.db.FindAccount(ctx, campaignbot.PlatformConsole, name)
		if err != nil {
			t.Fatalf("%s's console account: %v", name, err)
		}
		p, err := s.db.FindPersonByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if acc.PersonID != p.ID || acc.ChatID != name {
			t.Errorf("account %+v, want bound to %s (person %d)", acc, name, p.ID)
		}
	}
	// Bound, 张三 is answered as a member, not as a stranger.
	s.lang = "en"
	out := s.run("/as 张三\n/help\n")
	inOrder(t, out, "now typing as 张三", "张三> /help", "张三, you can use:", "/note")
	if strings.Contains(out, "── ") {
		t.Errorf("a reply to the person typing was printed as for someone else:\n%s", out)
	}
}

// TestConsoleNoticeInEnglish: a message for another person is shown under
// whom it is for, in the console's language.
func TestConsoleNoticeInEnglish(t *testing.T) {
	s := newSession(t)
	s.run("/as 张三\n") // 张三 has a console account to be told on
	s.lang = "en"
	out := s.run("/as 陈丽\n/announce 全体 明天开会\n")
	inOrder(t, out, "(now typing as 陈丽 [办公室])", "陈丽> /announce 全体 明天开会", "── to 张三 ──", "明天开会")
}

// TestConsoleRestart: a line stored by a run that stopped before
// processing it is processed by the next run as it starts, before the
// lines typed then.
func TestConsoleRestart(t *testing.T) {
	s := newSession(t)
	s.run("/as 张三\n")
	payload, _ := json.Marshal(map[string]string{"account": "张三", "text": "/note 重启前的笔记"})
	if _, err := s.db.SaveInbound(context.Background(), &campaignbot.Inbound{Platform: campaignbot.PlatformConsole, Key: "before-1", Payload: payload}); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Close(); err != nil {
		t.Fatal(err)
	}
	s.open()
	out := s.run("/as 张三\n/mine\n")
	inOrder(t, out, "已收到并保存", "张三> /mine", "重启前的笔记")
	if ins, err := s.db.PendingInbound(context.Background(), 10); err != nil || len(ins) != 0 {
		t.Errorf("pending after the restart: %d, %v", len(ins), err)
	}
}

func TestConsoleInteractive(t *testing.T) {
	s := newSession(t)
	s.lang = "en"
	out := s.run("/as 张三\n/help\n", console.WithInteractive(true))
	if strings.Contains(out, "张三> /help") {
		t.Errorf("an interactive console echoed the line:\n%s", out)
	}
	inOrder(t, out, "?> ", "now typing as 张三", "张三> ", "you can use:", "/note")
}
