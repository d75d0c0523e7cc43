package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"campaignbot"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// mustEnqueue puts n messages for platform into out, to chat(i).
func mustEnqueue(tb testing.TB, out *fakeOutbox, p campaignbot.Platform, n int, chat func(i int) string, at time.Time) {
	tb.Helper()
	var msgs []*campaignbot.OutboxMessage
	for i := range n {
		msgs = append(msgs, &campaignbot.OutboxMessage{
			Key: fmt.Sprintf("k%d", i), Platform: p, ChatID: chat(i), PersonID: int64(i + 1),
			Kind: campaignbot.KindWarning, Text: "hi", NextAt: at,
		})
	}
	if _, err := out.EnqueueOutbox(context.Background(), msgs); err != nil {
		tb.Fatal(err)
	}
}

// drive runs dispatch rounds on a fake clock, advancing it by each round's
// wait, until done reports true or rounds run out.
func drive(tb testing.TB, d *Dispatcher, clock *fakeClock, p campaignbot.Platform, rounds int, done func() bool) {
	tb.Helper()
	for range rounds {
		wait := d.dispatchOnce(context.Background(), p, clock.Now())
		if done() {
			return
		}
		clock.Advance(wait)
	}
	tb.Fatalf("not done after %d rounds", rounds)
}

func allStatus(out *fakeOutbox, s campaignbot.OutboxStatus) func() bool {
	return func() bool {
		for _, m := range out.all() {
			if m.Status != s {
				return false
			}
		}
		return true
	}
}

func TestDispatcher429Storm(t *testing.T) {
	clock := newFakeClock(t0)
	out := newFakeOutbox()
	const n, storm = 40, 5
	mustEnqueue(t, out, campaignbot.PlatformTelegram, n, func(i int) string { return fmt.Sprint(100 + i) }, t0)
	s := &fakeSender{platform: campaignbot.PlatformTelegram, clock: clock, fail: func(k int, _ *campaignbot.OutboxMessage) error {
		// Every third call fails with a 429 until the storm is over.
		if k%3 == 1 && k/3 < storm {
			return &campaignbot.SendError{RetryAfter: 3 * time.Second, Err: errors.New("429 Too Many Requests")}
		}
		return nil
	}}
	d := NewDispatcher(out, []campaignbot.Sender{s}, WithClock(clock), WithLogger(quietLogger()))
	drive(t, d, clock, campaignbot.PlatformTelegram, 10000, allStatus(out, campaignbot.OutboxSent))

	for id, got := range s.successes() {
		if got != 1 {
			t.Errorf("message %d sent %d times, want 1", id, got)
		}
	}
	if got, want := len(s.successes()), n; got != want {
		t.Errorf("sent %d messages, want %d", got, want)
	}
	calls := sortedCalls(s.calls)
	var floods int
	for i, c := range calls {
		if c.err == nil {
			continue
		}
		floods++
		for _, later := range calls[i+1:] {
			if later.at.Before(c.at.Add(3 * time.Second)) {
				t.Errorf("call at %v inside the retry_after window of the 429 at %v", later.at.Sub(t0), c.at.Sub(t0))
			}
		}
	}
	if got, want := floods, storm; got != want {
		t.Errorf("got %d 429s, want %d", got, want)
	}
	// The global limit: never two calls closer than 1/30 s.
	for i := 1; i < len(calls); i++ {
		if gap := calls[i].at.Sub(calls[i-1].at); gap < time.Second/30 {
			t.Fatalf("calls %d and %d only %v apart", i-1, i, gap)
		}
	}
}

func TestDispatcherRetryAfterIsExact(t *testing.T) {
	clock := newFakeClock(t0)
	out := newFakeOutbox()
	mustEnqueue(t, out, campaignbot.PlatformTelegram, 1, func(int) string { return "1" }, t0)
	s := &fakeSender{platform: campaignbot.PlatformTelegram, clock: clock, fail: func(k int, _ *campaignbot.OutboxMessage) error {
		if k == 0 {
			return &campaignbot.SendError{RetryAfter: 7 * time.Second, Err: errors.New("429")}
		}
		return nil
	}}
	d := NewDispatcher(out, []campaignbot.Sender{s}, WithClock(clock), WithLogger(quietLogger()))
	drive(t, d, clock, campaignbot.PlatformTelegram, 100, allStatus(out, campaignbot.OutboxSent))
	if got, want := s.calls[1].at.Sub(s.calls[0].at), 7*time.Second; got != want {
		t.Errorf("second attempt after %v, want %v", got, want)
	}
}

func TestDispatcherBackoffThenGiveUp(t *testing.T) {
	clock := newFakeClock(t0)
	out := newFakeOutbox()
	mustEnqueue(t, out, campaignbot.PlatformWeCom, 1, func(int) string { return "zhangsan" }, t0)
	s := &fakeSender{platform: campaignbot.PlatformWeCom, clock: clock, fail: func(int, *campaignbot.OutboxMessage) error {
		return &campaignbot.SendError{Err: errors.New("errcode 50001: server busy")}
	}}
	d := NewDispatcher(out, []campaignbot.Sender{s}, WithClock(clock), WithLogger(quietLogger()))
	drive(t, d, clock, campaignbot.PlatformWeCom, 100000, allStatus(out, campaignbot.OutboxFailed))

	if got, want := len(s.calls), DefaultMaxAttempts; got != want {
		t.Fatalf("%d attempts, want %d", got, want)
	}
	if got := s.calls[len(s.calls)-1].at.Sub(s.calls[0].at); got < 24*time.Hour {
		t.Errorf("given up after %s of failures, want a day at least: a platform down overnight must lose nothing", got)
	}
	want := []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, time.Hour, time.Hour}
	for i, w := range want {
		if got := s.calls[i+1].at.Sub(s.calls[i].at); got != w {
			t.Errorf("wait before attempt %d = %v, want %v", i+2, got, w)
		}
	}
	m := out.all()[0]
	if !strings.Contains(m.LastError, fmt.Sprintf("gave up after %d attempts", DefaultMaxAttempts)) || !strings.Contains(m.LastError, "server busy") {
		t.Errorf("last error %q does not say why", m.LastError)
	}
}

func TestDispatcherUnreachableGivesUpAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name        string
		err         error
		unreachable bool
	}{
		{"blocked", &campaignbot.SendError{Unreachable: true, Err: errors.New("403 bot was blocked by the user")}, true},
		{"bad request", &campaignbot.SendError{Permanent: true, Err: errors.New("400 chat not found")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock(t0)
			out := newFakeOutbox()
			mustEnqueue(t, out, campaignbot.PlatformTelegram, 1, func(int) string { return "42" }, t0)
			s := &fakeSender{platform: campaignbot.PlatformTelegram, clock: clock, fail: func(int, *campaignbot.OutboxMessage) error { return tc.err }}
			var hooked []string
			d := NewDispatcher(out, []campaignbot.Sender{s}, WithClock(clock), WithLogger(quietLogger()),
				WithOnUnreachable(func(_ context.Context, id int64, p campaignbot.Platform) { hooked = append(hooked, fmt.Sprint(id, p)) }))
			drive(t, d, clock, campaignbot.PlatformTelegram, 10, allStatus(out, campaignbot.OutboxFailed))
			if got, want := len(s.calls), 1; got != want {
				t.Errorf("%d attempts, want %d", got, want)
			}
			var want []string
			if tc.unreachable {
				want = []string{"1telegram"}
			}
			if got := hooked; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("hook calls %v, want %v", got, want)
			}
		})
	}
}

func TestDispatcherPerChatPacing(t *testing.T) {
	for _, tc := range []struct {
		name     string
		platform campaignbot.Platform
		chat     string
		n        int
		window   time.Duration
		most     int
	}{
		{"telegram private", campaignbot.PlatformTelegram, "777", 5, time.Second, 1},
		{"telegram group", campaignbot.PlatformTelegram, GroupChat, 45, time.Minute, 20},
		{"wecom member", campaignbot.PlatformWeCom, "lisi", 70, time.Minute, 30},
		{"wecom robot", campaignbot.PlatformWeCom, GroupChat, 25, time.Minute, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock(t0)
			out := newFakeOutbox()
			mustEnqueue(t, out, tc.platform, tc.n, func(int) string { return tc.chat }, t0)
			s := &fakeSender{platform: tc.platform, clock: clock}
			d := NewDispatcher(out, []campaignbot.Sender{s}, WithClock(clock), WithLogger(quietLogger()))
			drive(t, d, clock, tc.platform, 100000, allStatus(out, campaignbot.OutboxSent))
			calls := sortedCalls(s.calls)
			if got, want := len(calls), tc.n; got != want {
				t.Fatalf("%d sends, want %d", got, want)
			}
			for i := range calls {
				in := 0
				for _, c := range calls[i:] {
					if c.at.Sub(calls[i].at) < tc.window {
						in++
					}
				}
				if in > tc.most {
					t.Fatalf("%d sends within %v from %v, want at most %d", in, tc.window, calls[i].at.Sub(t0), tc.most)
				}
			}
			// Pacing, not starving: the last message goes out as soon as
			// the limit lets it.
			if got, want := calls[tc.n-1].at.Sub(t0), time.Duration((tc.n-1)/tc.most)*tc.window; got != want && tc.platform != campaignbot.PlatformTelegram {
				t.Errorf("last send at %v, want %v", got, want)
			}
		})
	}
}

// A process claimed rows and died before sending: a new dispatcher sends
// each of them once, when the claim lease has run out.
func TestDispatcherCrashAfterClaim(t *testing.T) {
	clock := newFakeClock(t0)
	out := newFakeOutbox()
	out.claimLease = time.Minute
	mustEnqueue(t, out, campaignbot.PlatformWeCom, 6, func(i int) string { return fmt.Sprint("u", i) }, t0)
	if _, err := out.ClaimOutbox(context.Background(), campaignbot.PlatformWeCom, t0, 4); err != nil {
		t.Fatal(err)
	}
	s := &fakeSender{platform: campaignbot.PlatformWeCom, clock: clock}
	d := NewDispatcher(out, []campaignbot.Sender{s}, WithClock(clock), WithLogger(quietLogger()))
	d.dispatchOnce(context.Background(), campaignbot.PlatformWeCom, clock.Now())
	if got, want := len(s.successes()), 2; got != want {
		t.Fatalf("sent %d rows before the lease ran out, want %d", got, want)
	}
	drive(t, d, clock, campaignbot.PlatformWeCom, 1000, allStatus(out, campaignbot.OutboxSent))
	for id, n := range s.successes() {
		if n != 1 {
			t.Errorf("row %d sent %d times", id, n)
		}
	}
	if got, want := len(s.successes()), 6; got != want {
		t.Errorf("sent %d rows, want %d", got, want)
	}
}

// When marking a row sent fails, the row is still pending in the store and
// may be claimed again; the process that sent it must not send it again.
func TestDispatcherNeverSendsTwiceInOneProcess(t *testing.T) {
	clock := newFakeClock(t0)
	out := newFakeOutbox()
	out.failMarks = 3
	mustEnqueue(t, out, campaignbot.PlatformConsole, 3, func(i int) string { return fmt.Sprint(i) }, t0)
	s := &fakeSender{platform: campaignbot.PlatformConsole, clock: clock}
	d := NewDispatcher(out, []campaignbot.Sender{s}, WithClock(clock), WithLogger(quietLogger()))
	drive(t, d, clock, campaignbot.PlatformConsole, 100, allStatus(out, campaignbot.OutboxSent))
	for id, n := range s.successes() {
		if n != 1 {
			t.Errorf("row %d sent %d times", id, n)
		}
	}
}

// While a sent row cannot be marked sent, nothing more is sent: a process
// cut off from its store would otherwise send what the next process, or
// the next leader, finds pending and sends again.
func TestDispatcherStopsWhileMarksFail(t *testing.T) {
	clock := newFakeClock(t0)
	out := newFakeOutbox()
	out.failMarks = 3
	mustEnqueue(t, out, campaignbot.PlatformConsole, 3, func(i int) string { return fmt.Sprint(i) }, t0)
	s := &fakeSender{platform: campaignbot.PlatformConsole, clock: clock}
	d := NewDispatcher(out, []campaignbot.Sender{s}, WithClock(clock), WithLogger(quietLogger()))
	for round := range 3 {
		clock.Advance(d.dispatchOnce(context.Background(), campaignbot.PlatformConsole, clock.Now()))
		if got := len(s.successes()); got != 1 {
			t.Fatalf("round %d: %d rows sent while the first could not be marked, want 1", round, got)
		}
	}
	drive(t, d, clock, campaignbot.PlatformConsole, 100, allStatus(out, campaignbot.OutboxSent))
	for id, n := range s.successes() {
		if n != 1 {
			t.Errorf("row %d sent %d times", id, n)
		}
	}
}

// Two dispatchers on one leasing store, as an old leader that has not yet
// noticed it lost the lead beside the new one: rows the old one claimed
// wait in its queue for one chat's limit longer than their lease, and the
// new one claims them when the lease runs out. Each row goes once: the old
// one sends a queued row only within its lease.
func TestDispatcherLeaseRunsOut(t *testing.T) {
	clock := newFakeClock(t0)
	out := newFakeOutbox()
	const lease = 30 * time.Second
	out.claimLease = lease
	mustEnqueue(t, out, campaignbot.PlatformWeCom, 8, func(int) string { return "zhang" }, t0)
	limits := WithLimits(campaignbot.PlatformWeCom, Limits{PerChat: []Rate{{1, 10 * time.Second}}})
	s := &fakeSender{platform: campaignbot.PlatformWeCom, clock: clock}
	old := NewDispatcher(out, []campaignbot.Sender{s}, WithClock(clock), WithLogger(quietLogger()), limits, WithClaimLease(lease))
	old.dispatchOnce(context.Background(), campaignbot.PlatformWeCom, clock.Now()) // claims all eight, sends one
	clock.Advance(5 * time.Second)
	leader := NewDispatcher(out, []campaignbot.Sender{s}, WithClock(clock), WithLogger(quietLogger()), limits, WithClaimLease(lease))
	for range 1000 {
		if allStatus(out, campaignbot.OutboxSent)() {
			break
		}
		w1 := leader.dispatchOnce(context.Background(), campaignbot.PlatformWeCom, clock.Now())
		w2 := old.dispatchOnce(context.Background(), campaignbot.PlatformWeCom, clock.Now())
		clock.Advance(max(time.Millisecond, min(w1, w2)))
	}
	if !allStatus(out, campaignbot.OutboxSent)() {
		t.Fatal("not every row was sent")
	}
	for id, n := range s.successes() {
		if n != 1 {
			t.Errorf("row %d sent %d times", id, n)
		}
	}
	if got := len(s.successes()); got != 8 {
		t.Errorf("%d rows sent, want 8", got)
	}
}

func TestDispatcherRunKick(t *testing.T) {
	clock := newFakeClock(t0)
	out := newFakeOutbox()
	s := &fakeSender{platform: campaignbot.PlatformConsole, clock: clock, notify: make(chan int64, 10)}
	d := NewDispatcher(out, []campaignbot.Sender{s}, WithClock(clock), WithLogger(quietLogger()))
	never := make(chan time.Time)
	d.after = func(time.Duration) <-chan time.Time { return never }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()

	mustEnqueue(t, out, campaignbot.PlatformConsole, 2, func(i int) string { return fmt.Sprint(i) }, t0)
	d.Kick()
	got := map[int64]bool{<-s.notify: true, <-s.notify: true}
	if !got[1] || !got[2] {
		t.Errorf("sent %v, want rows 1 and 2", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// partsSender is a fakeSender whose rows are each several platform messages.
type partsSender struct {
	*fakeSender
	parts int
}

func (s *partsSender) Parts(*campaignbot.OutboxMessage) int { return s.parts }

// TestDispatcherCountsParts: a WeCom row sent as 10 messages counts as 10
// against the member's 30 a minute, so the fourth row waits a minute.
func TestDispatcherCountsParts(t *testing.T) {
	clock := newFakeClock(t0)
	out := newFakeOutbox()
	mustEnqueue(t, out, campaignbot.PlatformWeCom, 4, func(int) string { return "lisi" }, t0)
	s := &partsSender{fakeSender: &fakeSender{platform: campaignbot.PlatformWeCom, clock: clock}, parts: 10}
	d := NewDispatcher(out, []campaignbot.Sender{s}, WithClock(clock), WithLogger(quietLogger()))
	drive(t, d, clock, campaignbot.PlatformWeCom, 100000, allStatus(out, campaignbot.OutboxSent))
	calls := sortedCalls(s.calls)
	if len(calls) != 4 {
		t.Fatalf("%d sends, want 4", len(calls))
	}
	if got := calls[2].at.Sub(t0); got != 0 {
		t.Errorf("third row at %v, want at once", got)
	}
	if got := calls[3].at.Sub(t0); got != time.Minute {
		t.Errorf("fourth row at %v, want after a minute (30 messages a minute)", got)
	}
}
