package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot"
)

func TestWebLink(t *testing.T) {
	e := newEnv(t)
	mustContain(t, e.send("member", "/web"), "not set up")

	var asked int64
	e.engine = bot.New(e.db, e.plan, bot.WithClock(e.clock), bot.WithLang("en"),
		bot.WithWebLinker(func(ctx context.Context, id int64) (string, time.Time, error) {
			asked = id
			return "https://console.example.test/login/TOKEN", e.clock.Now().Add(campaignbot.LoginLinkTTL), nil
		}))
	reply := e.send("member", "网页")
	mustContain(t, reply, "https://console.example.test/login/TOKEN")
	if asked != e.person("member").ID {
		t.Errorf("link made for %d", asked)
	}
	// Never in a Telegram group.
	tg := &bot.Request{Platform: campaignbot.PlatformTelegram, AccountID: "42", ChatID: "-100777", MessageID: "1", Text: "/web"}
	if _, err := e.db.RedeemInvite(context.Background(), mustInvite(t, e, "member2"),
		campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: "42", ChatID: "42"}); err != nil {
		t.Fatal(err)
	}
	asked = 0
	if reply := e.do(tg); strings.Contains(reply, "TOKEN") || asked != 0 {
		t.Errorf("a link in a group: %q", reply)
	}
}

func mustInvite(t *testing.T, e *env, name string) string {
	t.Helper()
	inv, err := e.db.CreateInvite(context.Background(), e.person(name).ID)
	if err != nil {
		t.Fatal(err)
	}
	return inv.Code
}

// TestAct runs chat commands for the web console: the same role check and
// replies, refusals as coded errors.
func TestAct(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if !e.engine.Allowed(e.person("office"), "ledger") || e.engine.Allowed(e.person("member"), "ledger") || e.engine.Allowed(e.person("office"), "nosuch") {
		t.Error("Allowed disagrees with the command table")
	}
	var replies []string
	err := e.db.Atomic(ctx, func(ctx context.Context) (err error) {
		replies, err = e.engine.Act(ctx, e.person("member"), "/ledger", nil)
		return err
	})
	if campaignbot.ErrorCode(err) != campaignbot.EFORBIDDEN || !strings.Contains(campaignbot.ErrorMessage(err), "/ledger is only for") {
		t.Errorf("member /ledger: %v %v", replies, err)
	}
	err = e.db.Atomic(ctx, func(ctx context.Context) (err error) {
		replies, err = e.engine.Act(ctx, e.person("member"), "/submit study-notes 第一周笔记", nil)
		return err
	})
	if err != nil || len(replies) != 1 || len(e.submissions("member")) != 1 {
		t.Errorf("submit: %v %v", replies, err)
	}
	// A command that would ask for more leaves no dialog behind.
	err = e.db.Atomic(ctx, func(ctx context.Context) (err error) {
		_, err = e.engine.Act(ctx, e.person("member"), "/submit study-notes", nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.FindDialog(ctx, bot.PlatformWeb, fmt.Sprintf("web:%d", e.person("member").ID)); campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
		t.Errorf("dialog left: %v", err)
	}
}
