package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

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
			mustContain(t, reply, fmt.Sprintf("%d messages", len(want)))
		}
	}
}

// A department is a target too; any whitespace ends the first word; a
// first word that names nothing stays in the text, which goes to everyone;
// a role word alone is no announcement.
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
	e.send("office", "/announce 各位 明天放假")
	if got := e.announced("各位 明天放假"); !slices.Equal(got, everyone) {
		t.Errorf("no target: reached %v, want everyone %v", got, everyone)
	}
	mustContain(t, e.send("office", "/announce 分管领导"), "Usage: /announce")
}
