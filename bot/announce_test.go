package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/scheduler"
)

// withScheduler gives e's engine a real scheduler as its reporter, so that
// /announce enqueues into the store's outbox.
func (e *env) withScheduler() {
	e.t.Helper()
	sch := scheduler.New(e.db, e.plan, scheduler.WithSchedulerClock(e.clock), scheduler.WithSchedulerLogger(slog.New(slog.DiscardHandler)))
	e.engine = bot.New(e.db, e.plan, bot.WithClock(e.clock), bot.WithLang("en"), bot.WithReporter(sch))
}

// announced returns, sorted, who got the announcement whose text is text,
// and fails if any copy carries other text.
func (e *env) announced(text string) []string {
	e.t.Helper()
	ms, err := e.db.ClaimOutbox(context.Background(), campaignbot.PlatformConsole, e.clock.Now(), 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		if m.Kind != campaignbot.KindAnnouncement || !strings.Contains(m.Text, text) {
			continue
		}
		if want := "【通知】" + text + "\n"; !strings.HasPrefix(m.Text, want) {
			e.t.Errorf("announcement %q, want it to start %q", m.Text, want)
		}
		got = append(got, m.ChatID) // the console chat is the person's name
	}
	slices.Sort(got)
	return got
}

// Every word the roster accepts for a role targets exactly the people who
// hold it, and leaves the text without it.
func TestAnnounceRoleWords(t *testing.T) {
	e := newEnv(t)
	e.withScheduler()
	holders := map[campaignbot.Role][]string{}
	for _, r := range testRoster {
		for _, role := range r.Roles {
			holders[role] = append(holders[role], r.Name)
		}
	}
	n := 0
	for _, role := range campaignbot.AllRoles {
		for _, word := range role.Words() {
			n++
			text := fmt.Sprintf("明天九点开会（第 %d 次）", n)
			reply := e.send("office", "/announce "+word+" "+text)
			want := slices.Sorted(slices.Values(holders[role]))
			if got := e.announced(text); !slices.Equal(got, want) {
				t.Errorf("/announce %s: reached %v, want %v (reply %q)", word, got, want, reply)
			}
			mustContain(t, reply, fmt.Sprintf("being sent to %d people", len(want)))
		}
	}
}

// A department is a target too; any whitespace ends the first word; 全体
// names everyone; a role word alone is no announcement.
func TestAnnounceTargets(t *testing.T) {
	e := newEnv(t)
	e.withScheduler()
	everyone := make([]string, 0, len(testRoster))
	for _, r := range testRoster {
		everyone = append(everyone, r.Name)
	}
	slices.Sort(everyone)

	e.send("office", "/announce 高新技术科 下午检查")
	if got, want := e.announced("下午检查"), []string{"liaison"}; !slices.Equal(got, want) {
		t.Errorf("to a department: reached %v, want %v", got, want)
	}
	e.send("office", "/announce 分管领导\n周五交报告")
	if got, want := e.announced("周五交报告"), []string{"leader"}; !slices.Equal(got, want) {
		t.Errorf("after a new line: reached %v, want %v", got, want)
	}
	e.send("office", "/announce 中层干部　周六加班") // an ideographic space
	if got, want := e.announced("周六加班"), []string{"middle"}; !slices.Equal(got, want) {
		t.Errorf("after an ideographic space: reached %v, want %v", got, want)
	}
	reply := e.send("office", "/announce 全体 明天放假")
	if got := e.announced("明天放假"); !slices.Equal(got, everyone) {
		t.Errorf("to 全体: reached %v, want everyone %v", got, everyone)
	}
	mustContain(t, reply, "being sent to 7 people")
	mustContain(t, e.send("office", "/announce 分管领导"), "Usage: /announce")
}

// A first word that names neither a role nor a department sends nothing
// until the sender confirms that everyone is meant; the department nearest
// a mistyped name is offered instead (SPEC §4).
func TestAnnounceConfirmsEveryone(t *testing.T) {
	e := newEnv(t)
	e.withScheduler()

	reply := e.send("office", "/announce 高新技术料 下午检查")
	mustContain(t, reply, `"高新技术料" is neither a role nor a department. This goes to all 7 people: send it?`)
	mustContain(t, reply, "To send it to 高新技术科 (1 people) instead, reply “高新技术科”.")
	if got := e.announced("下午检查"); len(got) != 0 {
		t.Fatalf("sent before the sender confirmed: %v", got)
	}
	// Something else: asked again, nothing sent.
	mustContain(t, e.send("office", "嗯？"), "The announcement is waiting")
	if got := e.announced("下午检查"); len(got) != 0 {
		t.Fatalf("sent on an unclear answer: %v", got)
	}
	// The suggested department's button: sent there, without the typo.
	e.do(&bot.Request{Platform: campaignbot.PlatformConsole, AccountID: "office", ChatID: "office", MessageID: "press-1", Callback: "高新技术科"})
	if got, want := e.announced("下午检查"), []string{"liaison"}; !slices.Equal(got, want) {
		t.Errorf("after choosing the department: reached %v, want %v", got, want)
	}
	ms, _ := e.db.ClaimOutbox(context.Background(), campaignbot.PlatformConsole, e.clock.Now(), 1000)
	for _, m := range ms {
		if strings.Contains(m.Text, "高新技术料") {
			t.Errorf("the typo went out: %q", m.Text)
		}
	}

	// Confirmed: the text as typed goes to everyone.
	mustContain(t, e.send("office", "/announce 各位 明天放假"), "This goes to all 7 people")
	mustContain(t, e.send("office", "确认"), "being sent to 7 people")
	if got := e.announced("各位 明天放假"); len(got) != 7 {
		t.Errorf("after confirming: reached %v, want all 7", got)
	}
	// Cancelled: nothing.
	e.send("office", "/announce 大家 周末值班")
	e.send("office", "/cancel")
	e.send("office", "yes") // no dialog any more
	if got := e.announced("周末值班"); len(got) != 0 {
		t.Errorf("a cancelled announcement reached %v", got)
	}
}

// The reply says what the announcement came to: held until quiet hours end
// and until when, and who cannot be reached — never "sent" when nothing is.
func TestAnnounceReportsTheTruth(t *testing.T) {
	e := newEnv(t)
	e.withScheduler()
	ctx := context.Background()
	newcomer := campaignbot.RosterEntry{Name: "newcomer", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}}
	if _, _, err := e.db.ImportRoster(ctx, []campaignbot.RosterEntry{newcomer}); err != nil {
		t.Fatal(err)
	}
	m2, err := e.db.FindPersonByName(ctx, "member2")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetReachable(ctx, m2.ID, campaignbot.PlatformConsole, false); err != nil {
		t.Fatal(err)
	}
	// 22:40, inside the default plan's quiet hours (21:30–08:00).
	day := campaignbot.NewDate(2026, time.March, 18)
	e.clock.Set(day.Time(e.plan.Loc()).Add(22*time.Hour + 40*time.Minute))
	reply := e.send("office", "/announce 党员干部 明早学习")
	for _, want := range []string{
		"It is quiet hours: the announcement goes to 1 people at 2026-03-19 08:00.",
		"1 people refused the last message (blocked the bot, or outside the app's visibility) and may not get it: member2.",
		"1 people have not bound an account and will not get it: newcomer.",
	} {
		mustContain(t, reply, want)
	}
	if strings.Contains(reply, "being sent") {
		t.Errorf("reply claims sending during quiet hours: %q", reply)
	}
}
