package bot_test

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzHandle sends arbitrary text, as a member and as the office, through
// the whole engine over a real store: nothing panics, nothing fails
// internally, and every message gets an answer.
func FuzzHandle(f *testing.F) {
	for _, seed := range []string{
		"/tasks", "/note 今天学习了", "/submit study-notes 内容", "/submit", "/opinion anon 意见", "/survey",
		"/leave 2026-03-20 2026-03-22", "/cancel", "/start abc", "/claim 1", "/review 1 return 改", "/ledger add a | b | head | 2026-08-01",
		"任务", "匿名意见 太多会议", "/help@campaign_bot", "\xff", "", "/", "/ /", "sv:0:1", "/problem 企业",
		"tg://resolve?domain=campaign_bot&start=abc", "https://t.me/campaign_bot?start=abc", "/start t.me/x?start=", "/leave 2月30日 12.20",
	} {
		f.Add("member", seed)
		f.Add("office", seed)
	}
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, who, text string) {
		if who != "office" {
			who = "member"
		}
		replies, err := e.engine.Handle(t.Context(), e.req(who, text))
		if err != nil {
			t.Fatalf("handle %q: %v", text, err)
		}
		// End any dialog the text started, so the next input starts clean.
		defer e.engine.Handle(t.Context(), e.req(who, "/cancel"))
		if strings.TrimSpace(text) == "" || !utf8.ValidString(text) {
			return
		}
		for _, r := range replies {
			if strings.Contains(r.Text, "Reference:") {
				t.Fatalf("%q failed internally: %s", text, r.Text)
			}
		}
	})
}
