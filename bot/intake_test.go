package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/scheduler"
)

// testUpdate is the payload the test decoder reads.
type testUpdate struct {
	From  string `json:"from"`
	Text  string `json:"text"`
	Group string `json:"group,omitempty"`
	// Full marks a text at the platform's length limit.
	Full bool `json:"full,omitempty"`
}

// testDecoder decodes testUpdates; fail makes Decode fail for a key.
type testDecoder struct {
	mu      sync.Mutex
	fail    map[string]error
	decoded [][]string // the keys of each Decode call
}

func (d *testDecoder) Route(in *campaignbot.Inbound) bot.Route {
	var u testUpdate
	if json.Unmarshal(in.Payload, &u) != nil {
		return bot.Route{}
	}
	return bot.Route{Sender: u.From, Chat: u.From, Group: u.Group, Full: u.Full, Text: u.Text != "" && u.Group == ""}
}

func (d *testDecoder) Decode(_ context.Context, ins []*campaignbot.Inbound) (*bot.Request, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var keys, texts []string
	var u testUpdate
	for _, in := range ins {
		keys = append(keys, in.Key)
		if err := json.Unmarshal(in.Payload, &u); err != nil {
			return nil, bot.ErrIgnore
		}
		texts = append(texts, u.Text)
	}
	d.decoded = append(d.decoded, keys)
	if err := d.fail[ins[0].Key]; err != nil {
		return nil, err
	}
	req := &bot.Request{Platform: campaignbot.PlatformConsole, AccountID: u.From, ChatID: u.From, MessageID: ins[0].Key,
		Text: strings.Join(texts, "\n")}
	if strings.HasPrefix(u.Text, "too large") {
		return req, campaignbot.Errorf(campaignbot.EINVALID, "that file is too large")
	}
	return req, nil
}

// failingHandler runs the engine, then fails while fail is set: the
// engine's writes were made, and must not be kept.
type failingHandler struct {
	next   bot.Handler
	fail   bool
	panics bool
	// failText makes the messages containing it fail, and no others.
	failText string
}

func (h *failingHandler) Handle(ctx context.Context, req *bot.Request) ([]bot.Reply, error) {
	if h.panics {
		panic("a bug")
	}
	replies, err := h.next.Handle(ctx, req)
	if err == nil && h.failText != "" && strings.Contains(req.Text, h.failText) {
		return nil, errors.New("constraint failed: a bug in this message's handling")
	}
	if err == nil && h.fail {
		return nil, errors.New("disk I/O error")
	}
	return replies, err
}

type intakeEnv struct {
	*env
	dec     *testDecoder
	handler *failingHandler
	intake  *bot.Intake
}

func newIntakeEnv(t *testing.T) *intakeEnv {
	e := &intakeEnv{env: newEnv(t), dec: &testDecoder{fail: map[string]error{}}}
	e.handler = &failingHandler{next: e.engine}
	e.intake = bot.NewIntake(e.db, e.handler, bot.WithIntakeClock(e.clock), bot.WithIntakeLang("en"))
	e.intake.Register(campaignbot.PlatformConsole, e.dec)
	return e
}

// deliver stores an update as an adapter would; it reports whether it was
// new.
func (e *intakeEnv) deliver(key, from, text, group string) bool {
	e.t.Helper()
	payload, _ := json.Marshal(testUpdate{From: from, Text: text, Group: group})
	fresh, err := e.db.SaveInbound(context.Background(), &campaignbot.Inbound{Platform: campaignbot.PlatformConsole, Key: key, Payload: payload})
	if err != nil {
		e.t.Fatal(err)
	}
	return fresh
}

func (e *intakeEnv) process() int {
	e.t.Helper()
	n, err := e.intake.ProcessPending(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// outbox returns the pending outbox rows, oldest first.
func (e *intakeEnv) outbox() []*campaignbot.OutboxMessage {
	e.t.Helper()
	ms, err := e.db.ClaimOutbox(context.Background(), campaignbot.PlatformConsole, e.clock.Now().Add(time.Hour), 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return ms
}

func (e *intakeEnv) pending() []*campaignbot.Inbound {
	e.t.Helper()
	ins, err := e.db.PendingInbound(context.Background(), 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return ins
}

// TestIntakeOneTransaction: a message's effect, its reply and its processed
// mark are stored together, and the same update delivered again (its
// acknowledgement was lost after the commit) does nothing.
func TestIntakeOneTransaction(t *testing.T) {
	e := newIntakeEnv(t)
	if !e.deliver("k1", "member", "/note read chapter one", "") {
		t.Fatal("first delivery not new")
	}
	if n := e.process(); n != 1 {
		t.Fatalf("processed %d, want 1", n)
	}
	out := e.outbox()
	if len(out) != 1 || !strings.Contains(out[0].Text, "Saved") || out[0].PersonID != e.person("member").ID || out[0].Kind != campaignbot.KindReply {
		t.Fatalf("outbox = %+v, want the reply to member", out)
	}
	if len(e.pending()) != 0 {
		t.Fatal("update still pending after its commit")
	}
	// The platform sends it again: stored once, processed once.
	if e.deliver("k1", "member", "/note read chapter one", "") {
		t.Error("redelivered update stored again")
	}
	if n := e.process(); n != 0 {
		t.Errorf("redelivery processed %d, want 0", n)
	}
	if got := len(e.submissions("member")); got != 1 {
		t.Errorf("%d submissions, want 1", got)
	}
	if got := len(e.outbox()); got != 1 {
		t.Errorf("%d replies, want 1", got)
	}
}

// TestIntakeRollsBack: a failure after the engine wrote (a crash before the
// commit, the disk full) keeps nothing of the message, and leaves it
// pending; the next attempt, once due, stores it exactly once.
func TestIntakeRollsBack(t *testing.T) {
	e := newIntakeEnv(t)
	e.handler.fail = true
	e.deliver("k1", "member", "/note read chapter two", "")
	if n := e.process(); n != 0 {
		t.Fatalf("processed %d, want 0", n)
	}
	if got := len(e.submissions("member")); got != 0 {
		t.Fatalf("%d submissions after the rollback, want 0", got)
	}
	if got := len(e.outbox()); got != 0 {
		t.Fatalf("%d replies after the rollback, want 0", got)
	}
	p := e.pending()
	if len(p) != 1 || p[0].Attempts != 1 || !p[0].RetryAt.After(e.clock.Now()) {
		t.Fatalf("pending = %+v, want the update with 1 attempt and a retry time", p)
	}
	e.handler.fail = false
	if n := e.process(); n != 0 {
		t.Fatalf("processed %d before the retry was due, want 0", n)
	}
	e.clock.Add(time.Minute)
	if n := e.process(); n != 1 {
		t.Fatalf("processed %d once due, want 1", n)
	}
	if got := len(e.submissions("member")); got != 1 {
		t.Errorf("%d submissions, want 1", got)
	}
	if got := len(e.outbox()); got != 1 {
		t.Errorf("%d replies, want 1", got)
	}
}

// TestIntakeGivesUp: an update whose handling keeps panicking (a bug) is
// given up after DefaultMaxAttempts, and the sender is told, with the
// reference that is in the log.
func TestIntakeGivesUp(t *testing.T) {
	e := newIntakeEnv(t)
	e.handler.panics = true
	e.deliver("k9", "member", "/note never stored", "")
	for i := range bot.DefaultMaxAttempts {
		e.process()
		if i < bot.DefaultMaxAttempts-1 && len(e.outbox()) != 0 {
			t.Fatalf("attempt %d: told before giving up", i+1)
		}
		e.clock.Add(time.Hour)
	}
	out := e.outbox()
	if len(out) != 1 || !strings.Contains(out[0].Text, "Reference: console-k9") {
		t.Fatalf("outbox = %+v, want the failure notice with its reference", out)
	}
	if len(e.pending()) != 0 {
		t.Error("given-up update still pending")
	}
	if got := len(e.submissions("member")); got != 0 {
		t.Errorf("%d submissions, want 0", got)
	}
}

// TestIntakeSenderOrder: an update waiting to be retried holds back its
// sender's later ones, not other people's.
func TestIntakeSenderOrder(t *testing.T) {
	e := newIntakeEnv(t)
	e.dec.fail["a1"] = errors.New("getFile: 502 Bad Gateway")
	e.deliver("a1", "member", "/note first", "")
	e.deliver("b1", "member2", "/note other person", "")
	e.deliver("a2", "member", "/note second", "")
	if n := e.process(); n != 1 {
		t.Fatalf("processed %d, want 1 (member2's)", n)
	}
	if got := len(e.submissions("member")); got != 0 {
		t.Fatalf("member's second note overtook the first: %d submissions", got)
	}
	delete(e.dec.fail, "a1")
	e.clock.Add(time.Minute)
	if n := e.process(); n != 2 {
		t.Fatalf("processed %d, want 2", n)
	}
	ss := e.submissions("member")
	if len(ss) != 2 || ss[0].Text != "second" || ss[1].Text != "first" {
		t.Errorf("member's notes (newest first) = %+v, want first then second", ss)
	}
}

// TestIntakeGroupsOneMessage: the updates of one message (an album) are
// decoded together, as one request, even when they arrive a while apart
// and with another person's update between them: the message waits until
// its newest part is GroupWait old.
func TestIntakeGroupsOneMessage(t *testing.T) {
	e := newIntakeEnv(t)
	e.deliver("p1", "member", "/note page one", "album-7")
	e.deliver("x1", "member2", "/help", "")
	if n := e.process(); n != 1 {
		t.Fatalf("processed %d messages, want 1 (member2's; the album waits)", n)
	}
	e.clock.Add(bot.GroupWait / 2)
	e.deliver("p2", "member", "page two", "album-7")
	e.clock.Add(bot.GroupWait / 2)
	if n := e.process(); n != 0 {
		t.Fatalf("processed %d messages while the album's last part is new, want 0", n)
	}
	e.clock.Add(bot.GroupWait)
	if n := e.process(); n != 1 {
		t.Fatalf("processed %d messages, want the album", n)
	}
	var grouped bool
	for _, keys := range e.dec.decoded {
		if strings.Join(keys, ",") == "p1,p2" {
			grouped = true
		}
	}
	if !grouped {
		t.Errorf("decoded %v, want p1 and p2 together", e.dec.decoded)
	}
	ss := e.submissions("member")
	if len(ss) != 1 || ss[0].Text != "page one\npage two" {
		t.Errorf("submissions = %+v, want one with both pages", ss)
	}
}

// TestIntakeJoinsSplitText: a text at the length limit and the sender's
// next text within GroupWait are one message (the client cut a longer text
// in two); another sender's message between them changes nothing, and a
// text at the limit with nothing after it is taken alone once GroupWait
// has passed.
func TestIntakeJoinsSplitText(t *testing.T) {
	e := newIntakeEnv(t)
	e.deliverFull("s1", "member", "/note first half")
	e.deliver("x1", "member2", "/help", "")
	if n := e.process(); n != 1 {
		t.Fatalf("processed %d messages, want 1 (member2's; the cut text waits)", n)
	}
	e.clock.Add(bot.GroupWait / 3)
	e.deliver("s2", "member", "second half", "")
	if n := e.process(); n != 1 {
		t.Fatalf("processed %d messages, want the joined text at once", n)
	}
	ss := e.submissions("member")
	if len(ss) != 1 || ss[0].Text != "first half\nsecond half" {
		t.Fatalf("submissions = %+v, want one with both halves", ss)
	}

	// At the limit, and nothing follows: taken alone after GroupWait; a
	// text that comes later is a message of its own.
	e.deliverFull("s3", "member", "/note exactly at the limit")
	if n := e.process(); n != 0 {
		t.Fatalf("processed %d messages, want the cut text held", n)
	}
	e.clock.Add(bot.GroupWait + time.Millisecond)
	if n := e.process(); n != 1 {
		t.Fatalf("processed %d messages, want the text at the limit alone", n)
	}
	e.clock.Add(time.Second)
	e.deliver("s4", "member", "/mine", "")
	if n := e.process(); n != 1 {
		t.Fatalf("processed %d messages, want /mine alone", n)
	}
	for _, keys := range e.dec.decoded {
		if len(keys) > 1 && keys[0] != "s1" {
			t.Errorf("decoded %v together", keys)
		}
	}
}

// deliverFull stores a text at the platform's length limit.
func (e *intakeEnv) deliverFull(key, from, text string) {
	e.t.Helper()
	payload, _ := json.Marshal(testUpdate{From: from, Text: text, Full: true})
	if _, err := e.db.SaveInbound(context.Background(), &campaignbot.Inbound{Platform: campaignbot.PlatformConsole, Key: key, Payload: payload}); err != nil {
		e.t.Fatal(err)
	}
}

// TestIntakeRefusal: a message the platform will not let the bot take is
// answered with the decoder's reason and not handed to the engine.
func TestIntakeRefusal(t *testing.T) {
	e := newIntakeEnv(t)
	e.deliver("f1", "member", "too large: a 30 MB scan", "")
	if n := e.process(); n != 1 {
		t.Fatalf("processed %d, want 1", n)
	}
	out := e.outbox()
	if len(out) != 1 || out[0].Text != "that file is too large" {
		t.Fatalf("outbox = %+v, want the refusal", out)
	}
	if got := len(e.submissions("member")); got != 0 {
		t.Errorf("%d submissions, want 0", got)
	}
}

// TestIntakeKeepsStoreFaults: a store that fails for hours (a full disk)
// never makes the intake discard a stored message: it is tried again, the
// waits growing to DefaultRetry's longest, until the store works, and then
// filed once, without a failure notice.
func TestIntakeKeepsStoreFaults(t *testing.T) {
	e := newIntakeEnv(t)
	e.handler.fail = true
	e.deliver("k1", "member", "/note written while the disk was full", "")
	start := e.clock.Now()
	for range 40 {
		e.process()
		e.clock.Add(5 * time.Minute)
	}
	if got := e.clock.Now().Sub(start); got < 3*time.Hour {
		t.Fatalf("only %s of failures", got)
	}
	p := e.pending()
	if len(p) != 1 || p[0].Attempts < 30 {
		t.Fatalf("pending = %+v, want the note kept, tried again every few minutes", p)
	}
	if got := len(e.outbox()); got != 0 {
		t.Fatalf("%d messages in the outbox while the store failed, want 0 (no failure notice)", got)
	}
	e.handler.fail = false
	e.clock.Add(5 * time.Minute)
	if n := e.process(); n != 1 {
		t.Fatalf("processed %d once the store works, want 1", n)
	}
	if got := len(e.submissions("member")); got != 1 {
		t.Errorf("%d submissions, want 1", got)
	}
	if out := e.outbox(); len(out) != 1 || strings.Contains(out[0].Text, "Reference") {
		t.Errorf("outbox = %+v, want the note's acknowledgement alone", out)
	}
}

// TestIntakeRetriesDownloads: a file the platform cannot hand over for a
// while (getFile 502) is fetched again over hours; the sender hears
// nothing until it works. One that stays unavailable until the platform
// forgets it is given up then, and the sender is asked to send it again.
func TestIntakeRetriesDownloads(t *testing.T) {
	e := newIntakeEnv(t)
	e.deliver("a1", "member", "/note with a photo", "")
	expires := e.clock.Now().Add(3 * 24 * time.Hour)
	e.dec.fail["a1"] = &bot.DownloadError{Expires: expires, Err: errors.New("getFile: 502 Bad Gateway")}
	tries := 0
	for e.clock.Now().Before(expires.Add(-2 * time.Hour)) {
		e.process()
		tries++
		e.clock.Add(10 * time.Minute)
	}
	if len(e.pending()) != 1 || len(e.outbox()) != 0 {
		t.Fatalf("after %d tries within the file's lifetime: pending %d, outbox %d; want it kept, nobody told", tries, len(e.pending()), len(e.outbox()))
	}
	if a := e.pending()[0].Attempts; a < 70 || a > 200 {
		t.Errorf("%d attempts over 3 days, want about one an hour after the first ones", a)
	}
	e.clock.Set(expires.Add(time.Minute))
	e.process()
	out := e.outbox()
	if len(out) != 1 || !strings.Contains(out[0].Text, "could not be downloaded") {
		t.Fatalf("outbox = %+v, want the member asked to send the file again", out)
	}
	if len(e.pending()) != 0 {
		t.Error("given-up update still pending")
	}

	// A file server back within the lifetime: the note is filed.
	e.deliver("a2", "member", "/note second try", "")
	e.dec.fail["a2"] = &bot.DownloadError{Expires: e.clock.Now().Add(time.Hour), Err: errors.New("media/get: -1 system busy")}
	e.process()
	e.clock.Add(20 * time.Minute)
	delete(e.dec.fail, "a2")
	e.clock.Add(20 * time.Minute)
	if n := e.process(); n != 1 {
		t.Fatalf("processed %d once the file server answered, want 1", n)
	}
	if got := len(e.submissions("member")); got != 1 {
		t.Errorf("%d submissions, want 1", got)
	}
}

// TestIntakeGivesUpWhatOnlyFailsItself: a message that keeps failing while
// other messages are committed is not a passing store fault but its own
// (a bug): it is given up after DefaultMaxAttempts, with the notice, so
// that its sender's later messages are not held back for ever.
func TestIntakeGivesUpWhatOnlyFailsItself(t *testing.T) {
	e := newIntakeEnv(t)
	e.handler.failText = "坏"
	e.deliver("k1", "member", "/note 坏的笔记", "")
	for i := range bot.DefaultMaxAttempts {
		e.deliver(fmt.Sprintf("o%d", i), "member2", fmt.Sprintf("/note 另一个人的第 %d 篇", i+1), "")
		e.process()
		e.clock.Add(time.Hour)
	}
	if len(e.pending()) != 0 {
		t.Fatalf("pending %+v, want the failing note given up", e.pending())
	}
	var notices int
	for _, m := range e.outbox() {
		if strings.Contains(m.Text, "Reference: console-k1") {
			notices++
		}
	}
	if notices != 1 {
		t.Errorf("%d failure notices, want 1", notices)
	}
	if got := len(e.submissions("member2")); got != bot.DefaultMaxAttempts {
		t.Errorf("member2 has %d submissions, want %d", got, bot.DefaultMaxAttempts)
	}
}

// blockingReporter is a Reporter whose Digest waits for release, after
// saying it started.
type blockingReporter struct {
	bot.Reporter
	started chan struct{}
	release chan struct{}
}

func (r *blockingReporter) Digest(ctx context.Context, personID int64, day campaignbot.Date) (string, error) {
	r.started <- struct{}{}
	<-r.release
	return r.Reporter.Digest(ctx, personID, day)
}

// TestIntakeReportOutsideTransaction: a /digest is computed before its
// message's transaction, so that the seconds it takes at 100,000 people do
// not hold the store's only writer: another update is stored meanwhile.
// The answer still commits with the processed mark.
func TestIntakeReportOutsideTransaction(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sch := scheduler.New(e.db, e.plan, scheduler.WithSchedulerClock(e.clock), scheduler.WithSchedulerLogger(slog.New(slog.DiscardHandler)))
	rep := &blockingReporter{Reporter: sch, started: make(chan struct{}, 1), release: make(chan struct{})}
	e.engine = bot.New(e.db, e.plan, bot.WithClock(e.clock), bot.WithLang("en"), bot.WithReporter(rep))
	dec := &testDecoder{fail: map[string]error{}}
	intake := bot.NewIntake(e.db, e.engine, bot.WithIntakeClock(e.clock), bot.WithIntakeLang("en"))
	intake.Register(campaignbot.PlatformConsole, dec)
	save := func(ctx context.Context, key, from, text string) error {
		payload, _ := json.Marshal(testUpdate{From: from, Text: text})
		_, err := e.db.SaveInbound(ctx, &campaignbot.Inbound{Platform: campaignbot.PlatformConsole, Key: key, Payload: payload})
		return err
	}
	if err := save(ctx, "k1", "head", "/digest"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := intake.ProcessPending(ctx)
		done <- err
	}()
	<-rep.started
	wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	err := save(wctx, "k2", "member", "/note read chapter two")
	cancel()
	close(rep.release)
	if err != nil {
		t.Errorf("an update could not be stored while a digest was computed: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ms, err := e.db.ClaimOutbox(ctx, campaignbot.PlatformConsole, e.clock.Now().Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	var digests int
	for _, m := range ms {
		if m.PersonID == e.person("head").ID && m.Kind == campaignbot.KindReply && strings.Contains(m.Text, "每日简报") {
			digests++
		}
	}
	if digests != 1 {
		for _, m := range ms {
			t.Logf("%d %s %q", m.PersonID, m.Kind, m.Text)
		}
		t.Errorf("%d digest replies to head, want 1", digests)
	}
}
