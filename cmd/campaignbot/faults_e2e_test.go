package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot/wecom/wecomtest"
	"campaignbot/scheduler"
)

// fastProbes makes a paused platform probed every few milliseconds.
func fastProbes(m *Main) {
	m.DispatcherOptions = append(m.DispatcherOptions, scheduler.WithFaultProbe(20*time.Millisecond, 200*time.Millisecond))
}

// httpGet returns the body of a GET on the program's address.
func httpGet(t *testing.T, addr, path string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return string(body)
}

// TestWeComIPNotTrustedPausesDelivery plays the usual first-day mistake:
// the server's IP is not in the app's 企业可信IP (60020). Members' notes are
// still taken and filed; no reply is failed; /healthz says degraded and what
// to fix, /metrics shows the fault, the log says it, and the office is told
// on Telegram, which still works. Once the IP is trusted every reply goes
// out by itself, once, and the office is told it is over.
func TestWeComIPNotTrustedPausesDelivery(t *testing.T) {
	h := newWeComE2E(t, true, fastProbes)
	const officeTG = 5002
	h.tg.SendText(officeTG, "chenli", "/start "+h.codes["陈丽"])
	h.expectTG(officeTG, "绑定成功")
	h.bind("sunjing", "孙静")
	h.bind("zhoumin", "周敏")

	h.fake.TrustIP(false)
	h.send(h.text("sunjing", "/note 可信IP未配置时写的笔记"))
	h.send(h.text("zhoumin", "/note 同一时间的另一篇"))
	wcWaitFor(t, "both notes filed", func() bool { return len(h.submissions("孙静")) == 1 && len(h.submissions("周敏")) == 1 })
	h.expectTG(officeTG, "企业微信 暂停发送", "企业可信IP", "所有消息均已保留")

	health := httpGet(t, h.m.Addr, "/healthz")
	if !strings.HasPrefix(health, "degraded\n") || !strings.Contains(health, "wecom wecom_ip since ") || !strings.Contains(health, "企业可信IP") {
		t.Errorf("/healthz = %q, want degraded naming the fault and the fix", health)
	}
	if metrics := httpGet(t, h.m.Addr, "/metrics"); !strings.Contains(metrics, `campaignbot_fault_active{fault="wecom_ip",platform="wecom"} 1`) {
		t.Errorf("/metrics lacks the active fault:\n%s", metrics)
	}
	if logs := h.logs.String(); !strings.Contains(logs, "delivery paused") || !strings.Contains(logs, "企业可信IP") {
		t.Errorf("the log does not say what to fix:\n%s", logs)
	}
	// Probes went on while paused; nothing was given up.
	wcWaitFor(t, "a few probes", func() bool { return strings.Count(h.logs.String(), "delivery still paused") >= 3 })
	if n := h.count("SELECT COUNT(*) FROM outbox WHERE status = 'failed'"); n != 0 {
		t.Fatalf("%d messages failed during the fault, want 0", n)
	}
	if got := h.sentTo("sunjing"); len(got) != h.seen["sunjing"] {
		t.Fatalf("WeCom delivered while the IP was not trusted: %+v", got[h.seen["sunjing"]:])
	}

	h.fake.TrustIP(true)
	h.expect("sunjing", "已收到并保存")
	h.expect("zhoumin", "已收到并保存")
	h.expectTG(officeTG, "企业微信 已恢复发送")
	wcWaitFor(t, "/healthz ok again", func() bool { return httpGet(t, h.m.Addr, "/healthz") == "ok\n" })
	// Nothing twice: the next message to each is the answer to the next question.
	h.quiet("sunjing")
	h.quiet("zhoumin")
}

// TestWeComVisibleRange: a member taken out of the app's 可见范围 (the
// unsubscribe event, or 81013 when sending) is unreachable and the office is
// told; put back (subscribe), reachable again and the office is told; the
// digest's advice for WeCom names 可见范围. One refusal does not last: the
// next delivery that succeeds clears it.
func TestWeComVisibleRange(t *testing.T) {
	h := newWeComE2E(t, false)
	h.bind("chenli", "陈丽")
	h.bind("sunjing", "孙静")
	h.bind("zhoumin", "周敏")
	ev := func(user, event string) *callback {
		n := h.seq.Add(1)
		return &callback{plain: wecomtest.EventXML(wcCorpID, user, event, h.base+n, wcAgentID),
			timestamp: strconv.FormatInt(time.Now().Unix(), 10), nonce: fmt.Sprintf("e%08d", n)}
	}
	h.send(ev("sunjing", "unsubscribe"))
	h.expect("chenli", "孙静", "可见范围")
	wcWaitFor(t, "孙静 unreachable", func() bool {
		return slices.Contains(h.person("孙静").Unreachable, campaignbot.PlatformWeCom)
	})
	digest, err := h.m.Scheduler.Digest(context.Background(), h.person("陈丽").ID, campaignbot.DateOf(time.Now(), h.m.Plan().Loc()))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(digest, "企业微信无法送达 1 人：孙静") || !strings.Contains(digest, "可见范围") || strings.Contains(digest, "重新绑定") {
		t.Errorf("digest advice:\n%s", digest)
	}
	// The same event again (WeCom may send it twice) tells nobody again.
	h.send(ev("sunjing", "unsubscribe"))
	h.send(ev("sunjing", "subscribe"))
	h.expect("chenli", "孙静", "已加入企业微信应用的可见范围")
	wcWaitFor(t, "孙静 reachable", func() bool { return len(h.person("孙静").Unreachable) == 0 })

	// 81013 when sending: unreachable; a later delivery that succeeds
	// (back in range) clears it without any event.
	h.fake.SetInvalidUser("zhoumin")
	h.send(h.text("zhoumin", "/tasks"))
	wcWaitFor(t, "周敏 unreachable", func() bool { return slices.Contains(h.person("周敏").Unreachable, campaignbot.PlatformWeCom) })
	h.fake.SetValidUser("zhoumin")
	// A reminder reaches them: that alone clears the mark, so the digest
	// stops asking the office to act for someone who gets messages.
	zm := h.person("周敏")
	if _, err := h.m.DB.EnqueueOutbox(context.Background(), []*campaignbot.OutboxMessage{{Key: "test:reminder:zhoumin",
		Platform: campaignbot.PlatformWeCom, ChatID: "zhoumin", PersonID: zm.ID, Kind: campaignbot.KindWarning,
		Text: "学习笔记还有 3 天到期", Status: campaignbot.OutboxPending, NextAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	h.m.Dispatcher.Kick()
	h.expect("zhoumin", "学习笔记还有 3 天到期")
	wcWaitFor(t, "周敏 reachable again", func() bool { return len(h.person("周敏").Unreachable) == 0 })
	h.quiet("chenli")
}

// TestTelegramFaultsDegradeHealth: a webhook set elsewhere for the same bot
// (409 on every poll) and then a revoked token (401) are each shown on
// /healthz and in the log with what to fix, and cleared by themselves once
// fixed; the bot then answers again, nothing lost.
func TestTelegramFaultsDegradeHealth(t *testing.T) {
	t.Parallel()
	env := newTGEnv(t)
	r := env.runMain(t, fastProbes)
	defer r.stop(t)
	u := env.user(5001, "甲")
	u.text(t, "/help")
	u.expect(t, tgZh("help.unbound"))

	hook, _ := json.Marshal(map[string]string{"url": "https://elsewhere.example/hook"})
	resp, err := http.Post(env.fake.URL()+"/bot"+tgToken+"/setWebhook", "application/json", bytes.NewReader(hook))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	tgWaitFor(t, "/healthz degraded by the conflict", func() bool {
		h := httpGet(t, env.addr, "/healthz")
		return strings.HasPrefix(h, "degraded\n") && strings.Contains(h, "telegram telegram_conflict since")
	})
	if logs := r.stderr.String(); !strings.Contains(logs, "fault=telegram_conflict") || !strings.Contains(logs, "deleteWebhook") {
		t.Errorf("the log does not say what to fix:\n%s", logs)
	}
	resp, err = http.Post(env.fake.URL()+"/bot"+tgToken+"/deleteWebhook", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	tgWaitFor(t, "/healthz ok", func() bool { return httpGet(t, env.addr, "/healthz") == "ok\n" })

	env.fake.RevokeToken()
	u.text(t, "/help") // stored only once the token works again: Telegram keeps it meanwhile
	tgWaitFor(t, "/healthz degraded by the token", func() bool {
		return strings.Contains(httpGet(t, env.addr, "/healthz"), "telegram telegram_token since")
	})
	env.fake.RestoreToken()
	u.expect(t, tgZh("help.unbound"))
	tgWaitFor(t, "/healthz ok again", func() bool { return httpGet(t, env.addr, "/healthz") == "ok\n" })
	if n := len(env.fake.Sent(u.id)); n != 2 {
		t.Errorf("%d messages in the chat, want the two answers", n)
	}
}
