package scheduler

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot/telegram"
	"campaignbot/bot/telegram/telegramtest"
	"campaignbot/bot/wecom"
	"campaignbot/bot/wecom/wecomtest"
)

const (
	faultCorp   = "ww0123456789abcdef"
	faultSecret = "app-secret"
	faultToken  = "123456:fault-token"
)

// faultLog records what a FaultReporter is told.
type faultLog struct {
	mu     sync.Mutex
	events []string
}

func (l *faultLog) RaiseFault(_ context.Context, f campaignbot.Fault) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, fmt.Sprintf("raise %s %s %s", f.Platform, f.Code, f.Chat))
}

func (l *faultLog) ClearFault(_ context.Context, p campaignbot.Platform, code string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, fmt.Sprintf("clear %s %s", p, code))
}

func (l *faultLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

// newWeComDispatcher is a dispatcher over the real WeCom sender talking to
// the fake WeCom API, on a fake clock.
func newWeComDispatcher(t *testing.T) (*Dispatcher, *fakeOutbox, *fakeClock, *wecomtest.Server, *faultLog) {
	t.Helper()
	srv := wecomtest.NewServer(t, faultCorp, faultSecret)
	client := wecom.NewClient(srv.URL(), faultCorp, faultSecret, 1000002)
	robot := wecom.NewRobot(srv.URL(), srv.RobotKey())
	clock := newFakeClock(t0)
	out := newFakeOutbox()
	faults := &faultLog{}
	d := NewDispatcher(out, []campaignbot.Sender{wecom.NewSender(client, robot, nil)},
		WithClock(clock), WithLogger(quietLogger()), WithFaults(faults), WithFaultProbe(10*time.Second, time.Minute))
	return d, out, clock, srv, faults
}

// received counts what each member and the group got: one call may carry
// a text to several members (touser "a|b").
func received(srv *wecomtest.Server) map[string]int {
	got := map[string]int{}
	for _, m := range srv.Sent() {
		if m.ToUser == "" {
			got[GroupChat]++
		}
		for _, u := range strings.Split(m.ToUser, "|") {
			if u != "" {
				got[u]++
			}
		}
	}
	return got
}

func texts(srv *wecomtest.Server) []string {
	var out []string
	for _, m := range srv.Sent() {
		out = append(out, m.ToUser+":"+m.Content)
	}
	return out
}

// TestDispatcherPausesOnWeComIPFault: while the server's IP is not in
// 企业可信IP (60020) nothing is failed and nothing lost: the platform pauses,
// the fault is reported once, probes come less and less often, and once the
// IP is trusted every message goes, once.
func TestDispatcherPausesOnWeComIPFault(t *testing.T) {
	d, out, clock, srv, faults := newWeComDispatcher(t)
	srv.TrustIP(false)
	// The group's post goes through the robot, which 企业可信IP does not
	// concern; it does not end the members' pause either.
	mustEnqueue(t, out, campaignbot.PlatformWeCom, 4, func(i int) string {
		if i == 1 {
			return GroupChat
		}
		return fmt.Sprint("user", i)
	}, t0)
	var waits []time.Duration
	for range 6 {
		wait := d.dispatchOnce(context.Background(), campaignbot.PlatformWeCom, clock.Now())
		waits = append(waits, wait)
		clock.Advance(wait)
	}
	for _, m := range out.all() {
		if m.ChatID != GroupChat && (m.Status != campaignbot.OutboxPending || m.Attempts != 0) {
			t.Fatalf("during the fault: %+v, want pending with no attempt counted", m)
		}
	}
	if got := len(srv.Sent()); got > 1 {
		t.Fatalf("%d messages sent while untrusted: %q", got, texts(srv))
	}
	if got, want := faults.all(), []string{"raise wecom wecom_ip "}; !slices.Equal(got, want) {
		t.Fatalf("faults = %q, want %q", got, want)
	}
	if waits[1] <= waits[0] || waits[len(waits)-1] != time.Minute {
		t.Errorf("probe waits %v: want growing to the longest (1m)", waits)
	}

	srv.TrustIP(true)
	drive(t, d, clock, campaignbot.PlatformWeCom, 100, allStatus(out, campaignbot.OutboxSent))
	if got, want := received(srv), map[string]int{GroupChat: 1, "user0": 1, "user2": 1, "user3": 1}; !maps.Equal(got, want) {
		t.Errorf("received %v once trusted, want each one message: %q", got, texts(srv))
	}
	if got, want := faults.all(), []string{"raise wecom wecom_ip ", "clear wecom wecom_ip"}; !slices.Equal(got, want) {
		t.Errorf("faults = %q, want %q", got, want)
	}
}

// TestDispatcherWeComSecretReset: a secret reset in the admin console
// (gettoken 40001) pauses delivery the same way; the new secret resumes it.
func TestDispatcherWeComSecretReset(t *testing.T) {
	d, out, clock, srv, faults := newWeComDispatcher(t)
	srv.SetSecret("reset-secret")
	mustEnqueue(t, out, campaignbot.PlatformWeCom, 2, func(i int) string { return fmt.Sprint("user", i) }, t0)
	for range 3 {
		clock.Advance(d.dispatchOnce(context.Background(), campaignbot.PlatformWeCom, clock.Now()))
	}
	if got := faults.all(); len(got) != 1 || got[0] != "raise wecom wecom_secret " {
		t.Fatalf("faults = %q, want the secret fault", got)
	}
	for _, m := range out.all() {
		if m.Status != campaignbot.OutboxPending {
			t.Fatalf("message %d is %s during the fault", m.ID, m.Status)
		}
	}
	srv.SetSecret(faultSecret)
	drive(t, d, clock, campaignbot.PlatformWeCom, 100, allStatus(out, campaignbot.OutboxSent))
}

// TestDispatcherWeCom45009HoldsOneMember: a frequency limit answered for
// one member holds back that member only; the others' messages go at once.
func TestDispatcherWeCom45009HoldsOneMember(t *testing.T) {
	d, out, clock, srv, faults := newWeComDispatcher(t)
	srv.InjectMemberErrcode("user0", 45009, 1)
	mustEnqueue(t, out, campaignbot.PlatformWeCom, 4, func(i int) string { return fmt.Sprint("user", i%2) }, t0)
	// user0's first message meets 45009; user1's two go at once (one a
	// second apart at most by the per-member window).
	clock.Advance(d.dispatchOnce(context.Background(), campaignbot.PlatformWeCom, clock.Now()))
	sent := received(srv)
	if sent["user1"] != 2 || sent["user0"] != 0 {
		t.Fatalf("right after 45009: sent %v, want user1's two and none of user0's", sent)
	}
	if clock.Now().Sub(t0) >= time.Minute {
		t.Fatalf("the round waited %s: the platform was held", clock.Now().Sub(t0))
	}
	drive(t, d, clock, campaignbot.PlatformWeCom, 100, allStatus(out, campaignbot.OutboxSent))
	if got := clock.Now().Sub(t0); got < time.Minute {
		t.Errorf("user0 received again after %s, want the 60 s wait", got)
	}
	if len(faults.all()) != 0 {
		t.Errorf("45009 reported as a fault of the deployment: %q", faults.all())
	}
}

// TestDispatcherInvalidRobotKey: a robot key WeCom refuses (93000) holds
// the group's messages and reports the fault; members' messages go on, and
// the group's are kept, not given up, until WECOM_ROBOT_KEY is fixed.
func TestDispatcherInvalidRobotKey(t *testing.T) {
	d, out, clock, srv, faults := newWeComDispatcher(t)
	srv.SetRobotKey("new-key")
	mustEnqueue(t, out, campaignbot.PlatformWeCom, 3, func(i int) string {
		if i == 0 {
			return GroupChat
		}
		return fmt.Sprint("user", i)
	}, t0)
	for range 5 {
		clock.Advance(d.dispatchOnce(context.Background(), campaignbot.PlatformWeCom, clock.Now()))
	}
	rows := out.all()
	if rows[0].Status != campaignbot.OutboxPending || rows[1].Status != campaignbot.OutboxSent || rows[2].Status != campaignbot.OutboxSent {
		t.Fatalf("statuses %s %s %s: want the group's pending, the members' sent", rows[0].Status, rows[1].Status, rows[2].Status)
	}
	if got := faults.all(); len(got) != 1 || got[0] != "raise wecom wecom_robot_key group" {
		t.Fatalf("faults = %q, want the robot key fault of the group", got)
	}
}

// TestDispatcherTelegramTokenRevoked: a revoked token (401) pauses
// Telegram with every message kept; the token restored, they all go once.
func TestDispatcherTelegramTokenRevoked(t *testing.T) {
	srv := telegramtest.NewServer(t, faultToken)
	s, err := telegram.NewSender(faultToken, nil, telegram.WithServerURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock(t0)
	out := newFakeOutbox()
	faults := &faultLog{}
	d := NewDispatcher(out, []campaignbot.Sender{s}, WithClock(clock), WithLogger(quietLogger()), WithFaults(faults))
	srv.RevokeToken()
	mustEnqueue(t, out, campaignbot.PlatformTelegram, 3, func(i int) string { return fmt.Sprint(100 + i) }, t0)
	for range 4 {
		clock.Advance(d.dispatchOnce(context.Background(), campaignbot.PlatformTelegram, clock.Now()))
	}
	for _, m := range out.all() {
		if m.Status != campaignbot.OutboxPending || m.Attempts != 0 {
			t.Fatalf("during the fault: %+v", m)
		}
	}
	srv.RestoreToken()
	drive(t, d, clock, campaignbot.PlatformTelegram, 100, allStatus(out, campaignbot.OutboxSent))
	if got := srv.SentCount(); got != 3 {
		t.Errorf("%d sent, want 3", got)
	}
	if got, want := strings.Join(faults.all(), "; "), "raise telegram telegram_token ; clear telegram telegram_token"; got != want {
		t.Errorf("faults = %q, want %q", got, want)
	}
}

// TestFaultBoardTellsTheOffice: a fault is told once to the office, on
// every platform but the one paused (a fault of the group alone is told on
// its platform too); its end is told likewise; /healthz's list follows.
func TestFaultBoardTellsTheOffice(t *testing.T) {
	o := mustOrg(t)
	ctx := context.Background()
	office := o.id["郑主任"]
	for _, pf := range []campaignbot.Platform{campaignbot.PlatformTelegram, campaignbot.PlatformWeCom} {
		inv, err := o.st.CreateInvite(ctx, office)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.st.RedeemInvite(ctx, inv.Code, campaignbot.Account{Platform: pf, AccountID: "office-" + string(pf)}); err != nil {
			t.Fatal(err)
		}
	}
	kicks := 0
	b := NewFaultBoard(o.st, o.clock, "zh", quietLogger(), func() { kicks++ })
	ip := campaignbot.Fault{Platform: campaignbot.PlatformWeCom, Code: campaignbot.FaultWeComIP, Detail: "60020"}
	b.RaiseFault(ctx, ip)
	b.RaiseFault(ctx, ip) // seen again by the next probe: not told again
	if fs := b.Faults(); len(fs) != 1 || fs[0].Code != campaignbot.FaultWeComIP || !fs[0].Since.Equal(o.clock.Now()) {
		t.Fatalf("faults in force = %+v", fs)
	}
	rows := o.st.rows()
	if len(rows) != 1 || rows[0].Platform != campaignbot.PlatformTelegram || rows[0].PersonID != office ||
		!strings.Contains(rows[0].Text, "企业微信 暂停发送") || !strings.Contains(rows[0].Text, "企业可信IP") {
		t.Fatalf("notices = %+v, want one to the office on Telegram naming 企业可信IP", rows)
	}
	o.clock.Advance(time.Hour)
	b.ClearFault(ctx, campaignbot.PlatformWeCom, campaignbot.FaultWeComIP)
	b.ClearFault(ctx, campaignbot.PlatformWeCom, campaignbot.FaultWeComIP)
	rows = o.st.rows()
	if len(rows) != 2 || rows[1].Platform != campaignbot.PlatformTelegram || !strings.Contains(rows[1].Text, "已恢复") {
		t.Fatalf("notices = %+v, want the recovery told on Telegram", rows)
	}
	if len(b.Faults()) != 0 {
		t.Errorf("faults in force after clearing: %+v", b.Faults())
	}

	b.RaiseFault(ctx, campaignbot.Fault{Platform: campaignbot.PlatformWeCom, Code: campaignbot.FaultWeComRobotKey, Chat: GroupChat})
	rows = o.st.rows()[2:]
	var on []campaignbot.Platform
	for _, r := range rows {
		on = append(on, r.Platform)
	}
	slices.Sort(on)
	if want := []campaignbot.Platform{campaignbot.PlatformTelegram, campaignbot.PlatformWeCom}; !slices.Equal(on, want) {
		t.Errorf("robot key fault told on %v, want %v", on, want)
	}
	counts := b.Counts()
	if len(counts) != 2 || counts[0].Code != campaignbot.FaultWeComIP || counts[0].Active || counts[0].Raised != 1 || !counts[1].Active {
		t.Errorf("counts = %+v", counts)
	}
	if kicks != 3 {
		t.Errorf("dispatcher kicked %d times, want 3", kicks)
	}
}

// TestDispatcherWeComTouserBatches: one text to many members goes as touser
// calls of up to 1000 (SPEC §10: 2,500 members in 3 calls); a member WeCom
// refuses (invaliduser) fails alone, unreachable, and the others are sent.
func TestDispatcherWeComTouserBatches(t *testing.T) {
	d, out, clock, srv, faults := newWeComDispatcher(t)
	srv.SetInvalidUser("u7")
	const n = 2500
	mustEnqueue(t, out, campaignbot.PlatformWeCom, n, func(i int) string { return fmt.Sprint("u", i) }, t0)
	done := func() bool {
		for _, m := range out.all() {
			if m.Status == campaignbot.OutboxPending {
				return false
			}
		}
		return true
	}
	drive(t, d, clock, campaignbot.PlatformWeCom, 1000, done)
	if got := len(srv.Sent()); got > 3 {
		t.Errorf("%d message/send calls for %d members, want at most 3", got, n)
	}
	got := received(srv)
	for _, m := range out.all() {
		switch {
		case m.ChatID == "u7":
			if m.Status != campaignbot.OutboxFailed {
				t.Errorf("the invalid member: %s, want failed", m.Status)
			}
		case m.Status != campaignbot.OutboxSent || got[m.ChatID] != 1:
			t.Fatalf("%s: %s, received %d", m.ChatID, m.Status, got[m.ChatID])
		}
	}
	if len(faults.all()) != 0 {
		t.Errorf("an invalid member reported as a fault: %q", faults.all())
	}
}

// TestDispatcherWeComBatchKeepsChatOrder: a member's rows go in order even
// when the first is batched and the next (a card) cannot be.
func TestDispatcherWeComBatchKeepsChatOrder(t *testing.T) {
	d, out, clock, srv, _ := newWeComDispatcher(t)
	msgs := []*campaignbot.OutboxMessage{
		{Key: "intro0", Platform: campaignbot.PlatformWeCom, ChatID: "u0", Kind: campaignbot.KindReply, Text: "问卷：征求意见，共 5 题。", NextAt: t0},
		{Key: "intro1", Platform: campaignbot.PlatformWeCom, ChatID: "u1", Kind: campaignbot.KindReply, Text: "问卷：征求意见，共 5 题。", NextAt: t0},
		{Key: "card0", Platform: campaignbot.PlatformWeCom, ChatID: "u0", Kind: campaignbot.KindReply, Text: "第 1/5 题",
			Buttons: [][]campaignbot.Button{{{Text: "是", Data: "sv:0:1"}, {Text: "否", Data: "sv:0:2"}}}, NextAt: t0},
	}
	if _, err := out.EnqueueOutbox(context.Background(), msgs); err != nil {
		t.Fatal(err)
	}
	drive(t, d, clock, campaignbot.PlatformWeCom, 100, allStatus(out, campaignbot.OutboxSent))
	var order []string
	for _, m := range srv.Sent() {
		order = append(order, m.ToUser+":"+m.MsgType)
	}
	if want := []string{"u0|u1:text", "u0:template_card"}; !slices.Equal(order, want) {
		t.Errorf("sent %v, want %v", order, want)
	}
}
