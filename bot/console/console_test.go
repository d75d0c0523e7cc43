package console_test

import (
	"bytes"
	"context"
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

// runConsole runs lines through a console over a real store with two
// people, and returns what it printed.
func runConsole(t *testing.T, input string, opts ...console.Option) string {
	t.Helper()
	ctx := context.Background()
	// Mid-morning in the plan's zone, outside quiet hours, so what is
	// queued for other people shows at once.
	day := campaignbot.DateOf(time.Now(), time.UTC)
	clock := campaignbot.ClockFunc(func() time.Time { return day.Time(time.FixedZone("CST", 8*3600)).Add(10 * time.Hour) })
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "c.db"), store.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, _, err := db.ImportRoster(ctx, []campaignbot.RosterEntry{
		{Name: "张三", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}},
		{Name: "陈丽", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleOffice}},
	}); err != nil {
		t.Fatal(err)
	}
	p, _, err := plan.Default(day.AddDays(-20))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sch := scheduler.New(db, p, scheduler.WithSchedulerClock(clock), scheduler.WithSchedulerLogger(slog.New(slog.DiscardHandler)))
	engine := bot.New(db, p, bot.WithClock(clock), bot.WithReporter(sch))
	c := console.New(engine, db, strings.NewReader(input), &out, append([]console.Option{console.WithClock(clock)}, opts...)...)
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestConsoleScripted(t *testing.T) {
	out := runConsole(t, "/as 张三\n# a comment\n/note 今天学习了\n/as 无名\n/as 陈丽\n/announce 明天开会\n")
	for _, want := range []string{
		"（现在以 张三〔科技管理科〕的身份输入）",
		"张三> /note 今天学习了", // the line read is echoed
		"已收到并保存",
		"名册中没有“无名”",
		"── 发给 张三 ──", // the announcement queued for 张三's console account
		"明天开会",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "a comment") {
		t.Errorf("a comment line was sent:\n%s", out)
	}
}

func TestConsoleInteractive(t *testing.T) {
	out := runConsole(t, "/as 张三\n/help\n", console.WithInteractive(true), console.WithLang("en"))
	if strings.Contains(out, "张三> /help") {
		t.Errorf("an interactive console echoed the line:\n%s", out)
	}
	if !strings.Contains(out, "?> ") || !strings.Contains(out, "张三> ") {
		t.Errorf("no prompts:\n%s", out)
	}
	if !strings.Contains(out, "now typing as 张三") {
		t.Errorf("the console's own lines are not in English:\n%s", out)
	}
}
