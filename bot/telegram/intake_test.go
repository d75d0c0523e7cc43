package telegram

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/bot/telegram/telegramtest"
)

const testToken = "4242:TEST"

// echoHandler records requests and answers each with its text.
type echoHandler struct {
	mu    sync.Mutex
	reqs  []bot.Request
	ch    chan bot.Request
	fail  error
	reply func(*bot.Request) []bot.Reply
}

func newEchoHandler() *echoHandler { return &echoHandler{ch: make(chan bot.Request, 100)} }

func (h *echoHandler) Handle(_ context.Context, req *bot.Request) ([]bot.Reply, error) {
	h.mu.Lock()
	h.reqs = append(h.reqs, *req)
	fail, reply := h.fail, h.reply
	h.mu.Unlock()
	h.ch <- *req
	if fail != nil {
		return nil, fail
	}
	if reply != nil {
		return reply(req), nil
	}
	return []bot.Reply{{Text: "echo: " + req.Text + req.Callback}}, nil
}

// next returns the next request the handler saw.
func (h *echoHandler) next(t *testing.T) bot.Request {
	t.Helper()
	select {
	case r := <-h.ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("handler saw no request in 10s")
	}
	return bot.Request{}
}

func (h *echoHandler) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.reqs)
}

func withRetryDelay(d time.Duration) Option { return func(c *config) { c.retryDelay = d } }

type harness struct {
	fake  *telegramtest.Server
	store *memStore
	h     *echoHandler
}

func newHarness(t *testing.T) *harness {
	return &harness{fake: telegramtest.NewServer(t, testToken), store: newMemStore(t), h: newEchoHandler()}
}

func (hs *harness) adapter(t *testing.T, opts ...Option) *Telegram {
	t.Helper()
	opts = append([]Option{
		WithServerURL(hs.fake.URL()),
		WithLogger(slog.New(slog.DiscardHandler)),
		WithPollTimeout(5 * time.Second),
		withRetryDelay(10 * time.Millisecond),
	}, opts...)
	tg, err := New(testToken, hs.store, hs.h, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// run starts tg and returns a function that stops it and waits; the test's
// cleanup calls it too.
func run(t *testing.T, tg *Telegram) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- tg.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-errc; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func TestPollingStoresBeforeAcknowledging(t *testing.T) {
	hs := newHarness(t)
	var mu sync.Mutex
	var violations []string
	confirmed := make(chan struct{})
	var once sync.Once
	hs.fake.OnCall("getUpdates", func(c telegramtest.Call) {
		off, _ := strconv.ParseInt(c.Params["offset"], 10, 64)
		hs.store.mu.Lock()
		for id := int64(1); id < off; id++ {
			if hs.store.find(strconv.FormatInt(id, 10)) == nil {
				mu.Lock()
				violations = append(violations, fmt.Sprintf("offset %d requested before update %d was stored", off, id))
				mu.Unlock()
			}
		}
		hs.store.mu.Unlock()
		if off == 4 {
			once.Do(func() { close(confirmed) })
		}
	})
	hs.store.saveErrs = 1 // the first attempt to store update 1 fails
	texts := []string{"第一条", "second", "third"}
	for _, s := range texts {
		hs.fake.SendText(7, "alice", s)
	}
	run(t, hs.adapter(t))

	for _, want := range texts {
		if got := hs.h.next(t); got.Text != want {
			t.Errorf("handled %q, want %q", got.Text, want)
		}
	}
	select {
	case <-confirmed:
	case <-time.After(10 * time.Second):
		t.Fatal("offset 4 never requested")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, v := range violations {
		t.Error(v)
	}
	// The failed store kept the offset at 0, so the batch came again.
	offs := hs.fake.Offsets()
	if got, want := offs[:2], []int64{0, 0}; !slices.Equal(got, want) {
		t.Errorf("first offsets = %v, want %v", got, want)
	}
	calls := hs.fake.Calls()
	if got, want := []string{calls[0].Method, calls[1].Method, calls[2].Method}, []string{"getMe", "deleteWebhook", "getUpdates"}; !slices.Equal(got, want) {
		t.Errorf("first calls = %v, want %v", got, want)
	}
	hs.store.waitFor(t, "3 replies", func() bool { return len(hs.store.outbox) == 3 })
	out := hs.store.outboxCopy()
	for i, o := range out {
		if want := fmt.Sprintf("reply:telegram:%d:0", i+1); o.Key != want {
			t.Errorf("outbox key = %q, want %q", o.Key, want)
		}
		if o.Kind != campaignbot.KindReply || o.ChatID != "7" || o.Platform != campaignbot.PlatformTelegram {
			t.Errorf("outbox message = %+v", o)
		}
	}
}

func rawUpdate(t *testing.T, u models.Update) []byte {
	t.Helper()
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// An update stored (and so acknowledged) before a crash, but not
// processed, is processed by the next instance, once.
func TestRestartProcessesStoredUpdateOnce(t *testing.T) {
	hs := newHarness(t)
	msg := hs.fake.NewMessage(7, "bob", "/tasks")
	_, err := hs.store.SaveInbound(context.Background(), &campaignbot.Inbound{
		Platform: campaignbot.PlatformTelegram, Key: "41", Payload: rawUpdate(t, models.Update{ID: 41, Message: msg}),
	})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, hs.adapter(t))
	if got := hs.h.next(t); got.Text != "/tasks" || got.MessageID != strconv.Itoa(msg.ID) || got.InboundKey != "telegram:41" {
		t.Errorf("request = %+v", got)
	}
	hs.store.waitFor(t, "update 41 processed", func() bool { return hs.store.processed("41") })
	stop()

	run(t, hs.adapter(t))
	hs.fake.SendText(7, "bob", "/help")
	if got := hs.h.next(t); got.Text != "/help" {
		t.Errorf("after restart handled %q, want /help", got.Text)
	}
	if got, want := hs.h.count(), 2; got != want {
		t.Errorf("handler calls = %d, want %d", got, want)
	}
	hs.store.waitFor(t, "2 replies", func() bool { return len(hs.store.outbox) == 2 })
}

// A crash after the replies were queued but before the update was marked
// processed repeats the processing, and the outbox keeps one reply.
func TestReprocessingQueuesRepliesOnce(t *testing.T) {
	hs := newHarness(t)
	tg := hs.adapter(t)
	in := &campaignbot.Inbound{Platform: campaignbot.PlatformTelegram, Key: "5",
		Payload: rawUpdate(t, models.Update{ID: 5, Message: hs.fake.NewMessage(7, "bob", "note")})}
	if _, err := hs.store.SaveInbound(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	hs.store.markErrs = 1
	ctx := context.Background()
	if tg.processOne(ctx, in, nil) {
		t.Fatal("processOne reported done although marking failed")
	}
	if !tg.processOne(ctx, in, nil) {
		t.Fatal("second processOne failed")
	}
	if got, want := len(hs.store.outboxCopy()), 1; got != want {
		t.Errorf("outbox = %d, want %d", got, want)
	}
	if !hs.store.processed("5") {
		t.Error("update not marked processed")
	}
}

// A handler that keeps failing is tried maxAttempts times; then the user is
// told, with a reference, and the updates after it go on.
func TestFailingUpdateGivesUp(t *testing.T) {
	hs := newHarness(t)
	hs.h.fail = errors.New("database is locked")
	hs.fake.SendText(7, "bob", "one")
	run(t, hs.adapter(t))
	for range maxAttempts {
		hs.h.next(t)
	}
	hs.store.waitFor(t, "update 1 processed", func() bool { return hs.store.processed("1") })
	out := hs.store.outboxCopy()
	if len(out) != 1 || out[0].Key != "reply:telegram:1:failed" || !strings.Contains(out[0].Text, "tg-1") {
		t.Fatalf("outbox = %+v", out)
	}
	hs.h.mu.Lock()
	hs.h.fail = nil
	hs.h.mu.Unlock()
	hs.fake.SendText(7, "bob", "two")
	if got := hs.h.next(t); got.Text != "two" {
		t.Errorf("next handled %q, want two", got.Text)
	}
}

func TestWebhook(t *testing.T) {
	hs := newHarness(t)
	const secret = "s3cret_-X"
	tg := hs.adapter(t, WithWebhook("https://bot.example.org/telegram/webhook", secret))
	body := rawUpdate(t, models.Update{ID: 900, Message: hs.fake.NewMessage(7, "bob", "/start@campaign_test_bot ABC")})
	post := func(method, secretHeader string, body []byte) int {
		req := httptest.NewRequest(method, WebhookPath, bytes.NewReader(body))
		if secretHeader != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secretHeader)
		}
		rec := httptest.NewRecorder()
		tg.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	tests := []struct {
		name   string
		method string
		secret string
		body   []byte
		want   int
	}{
		{"missing secret", http.MethodPost, "", body, http.StatusUnauthorized},
		{"wrong secret", http.MethodPost, "s3cret_-Y", body, http.StatusUnauthorized},
		{"secret prefix", http.MethodPost, "s3cret", body, http.StatusUnauthorized},
		{"GET", http.MethodGet, secret, nil, http.StatusMethodNotAllowed},
		{"not an update", http.MethodPost, secret, []byte(`{"hello":1}`), http.StatusBadRequest},
		{"not JSON", http.MethodPost, secret, []byte(`<xml/>`), http.StatusBadRequest},
	}
	for _, tt := range tests {
		if got := post(tt.method, tt.secret, tt.body); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}
	if n := len(hs.store.saved); n != 0 {
		t.Fatalf("rejected requests stored %d updates", n)
	}
	// 200 only once stored: a failed store answers 500 so Telegram retries.
	hs.store.saveErrs = 1
	if got, want := post(http.MethodPost, secret, body), http.StatusInternalServerError; got != want {
		t.Errorf("failed store: status %d, want %d", got, want)
	}
	if got, want := post(http.MethodPost, secret, body), http.StatusOK; got != want {
		t.Errorf("right secret: status %d, want %d", got, want)
	}
	hs.store.mu.Lock()
	stored := hs.store.find("900")
	hs.store.mu.Unlock()
	if stored == nil || !bytes.Equal(stored.Payload, body) {
		t.Fatalf("update not stored as received: %+v", stored)
	}

	run(t, tg)
	if got := hs.h.next(t); got.Text != "/start ABC" || got.InboundKey != "telegram:900" {
		t.Errorf("request = %+v", got)
	}
	wh := hs.fake.Webhook()
	if wh.URL != "https://bot.example.org/telegram/webhook" || wh.SecretToken != secret {
		t.Errorf("webhook = %+v", wh)
	}
	if got, want := wh.AllowedUpdates, allowedUpdates(); !slices.Equal(got, want) {
		t.Errorf("allowed_updates = %v, want %v", got, want)
	}
	if n := len(hs.fake.CallsOf("getUpdates")); n != 0 {
		t.Errorf("getUpdates called %d times in webhook mode", n)
	}
}

func TestWebhookOptionsValidated(t *testing.T) {
	store := newMemStore(t)
	for _, secret := range []string{"", "has space", strings.Repeat("a", 257)} {
		_, err := New(testToken, store, newEchoHandler(), WithWebhook("https://x.example/telegram/webhook", secret))
		if campaignbot.ErrorCode(err) != campaignbot.EINVALID {
			t.Errorf("secret %q: err = %v, want invalid", secret, err)
		}
	}
	if _, err := New("", store, newEchoHandler()); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
		t.Errorf("empty token: err = %v", err)
	}
}

func TestCommandsAddressedToBots(t *testing.T) {
	hs := newHarness(t)
	run(t, hs.adapter(t))
	hs.fake.SendText(7, "bob", "/start@Campaign_Test_Bot ABC123")
	hs.fake.SendText(7, "bob", "/help@other_bot")
	hs.fake.SendText(7, "bob", "/tasks@campaign_test_bot")
	for _, want := range []string{"/start ABC123", "/tasks"} {
		if got := hs.h.next(t); got.Text != want {
			t.Errorf("handled %q, want %q", got.Text, want)
		}
	}
	hs.store.waitFor(t, "3 processed", func() bool {
		return hs.store.processed("1") && hs.store.processed("2") && hs.store.processed("3")
	})
	if got, want := hs.h.count(), 2; got != want {
		t.Errorf("handler calls = %d, want %d", got, want)
	}
}

func TestPhotoFetchedIntoAttachments(t *testing.T) {
	hs := newHarness(t)
	run(t, hs.adapter(t))
	data := bytes.Repeat([]byte("handwritten page "), 200)
	id := hs.fake.SendPhoto(7, "第三周笔记", data)
	got := hs.h.next(t)
	if got.Text != "第三周笔记" || got.MessageID != strconv.Itoa(id) {
		t.Errorf("request = %+v", got)
	}
	if len(got.Attachments) != 1 {
		t.Fatalf("attachments = %+v", got.Attachments)
	}
	a := got.Attachments[0]
	sum := sha256.Sum256(data)
	if a.SHA256 != hex.EncodeToString(sum[:]) || a.MIME != "image/jpeg" || a.Size != int64(len(data)) {
		t.Errorf("attachment = %+v, want the largest size", a)
	}
	stored, err := os.ReadFile(hs.store.AttachmentPath(a.SHA256))
	if err != nil || !bytes.Equal(stored, data) {
		t.Errorf("stored file: %v, %d bytes", err, len(stored))
	}
	if n := len(hs.fake.CallsOf("getFile")); n != 1 {
		t.Errorf("getFile calls = %d, want 1", n)
	}
}

func TestDocumentOverLimitRefused(t *testing.T) {
	hs := newHarness(t)
	run(t, hs.adapter(t, WithLang("en")))
	m := hs.fake.NewMessage(7, "bob", "")
	m.Caption = "report"
	m.Document = &models.Document{FileID: "big", FileUniqueID: "ubig", FileName: "scan.pdf", MimeType: "application/pdf", FileSize: 25 << 20}
	hs.fake.AddMessage(m)
	hs.store.waitFor(t, "update processed", func() bool { return hs.store.processed("1") })
	out := hs.store.outboxCopy()
	if len(out) != 1 || out[0].Text != DefaultMessages("en").TooLarge || out[0].ChatID != "7" {
		t.Fatalf("outbox = %+v", out)
	}
	if n := len(hs.fake.CallsOf("getFile")); n != 0 {
		t.Errorf("getFile calls = %d, want 0", n)
	}
	if n := hs.h.count(); n != 0 {
		t.Errorf("handler calls = %d, want 0", n)
	}
}

func TestCallbackAnswered(t *testing.T) {
	hs := newHarness(t)
	run(t, hs.adapter(t))
	cb := hs.fake.PressButton(7, 55, "task:study-notes")
	got := hs.h.next(t)
	want := bot.Request{Platform: campaignbot.PlatformTelegram, AccountID: "7", ChatID: "7",
		MessageID: "cb:" + cb, Callback: "task:study-notes", InboundKey: "telegram:1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("request = %+v, want %+v", got, want)
	}
	// Answered before the handler ran.
	if !hs.fake.Answered(cb) {
		t.Error("callback query not answered")
	}
}

func TestBlockedBotMarksUnreachable(t *testing.T) {
	hs := newHarness(t)
	hs.store.bind(7, 99)
	run(t, hs.adapter(t))
	hs.fake.AddUpdate(models.Update{MyChatMember: &models.ChatMemberUpdated{
		Chat: models.Chat{ID: 7, Type: models.ChatTypePrivate}, From: models.User{ID: 7}, Date: 1,
		OldChatMember: models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: &models.User{ID: 4242}}},
		NewChatMember: models.ChatMember{Type: models.ChatMemberTypeBanned, Banned: &models.ChatMemberBanned{User: &models.User{ID: 4242}}},
	}})
	hs.store.waitFor(t, "unreachable", func() bool { r, ok := hs.store.reachable[99]; return ok && !r })
}

func TestRepliesCarryPersonAndButtons(t *testing.T) {
	hs := newHarness(t)
	hs.store.bind(7, 99)
	hs.h.reply = func(req *bot.Request) []bot.Reply {
		return []bot.Reply{
			{Text: "选择任务", Buttons: [][]campaignbot.Button{{{Text: "学习笔记", Data: "task:study-notes"}}}},
			{},
			{Text: "second"},
		}
	}
	notified := make(chan struct{}, 10)
	run(t, hs.adapter(t, WithNotify(func() { notified <- struct{}{} })))
	hs.fake.SendText(7, "bob", "hello")
	hs.h.next(t)
	select {
	case <-notified:
	case <-time.After(10 * time.Second):
		t.Fatal("not notified")
	}
	out := hs.store.outboxCopy()
	if len(out) != 2 {
		t.Fatalf("outbox = %+v", out)
	}
	if out[0].PersonID != 99 || out[0].Key != "reply:telegram:1:0" || len(out[0].Buttons) != 1 {
		t.Errorf("first reply = %+v", out[0])
	}
	if out[1].Key != "reply:telegram:1:2" || out[1].Text != "second" {
		t.Errorf("second reply = %+v", out[1])
	}
}

// An invite redeemed in a group would bind the person to the group chat:
// /start there is answered by the adapter and never reaches the engine.
func TestStartInGroupRefused(t *testing.T) {
	hs := newHarness(t)
	run(t, hs.adapter(t, WithLang("en"), WithMessages(Messages{Failed: "failed %s"})))
	for _, text := range []string{"/start@campaign_test_bot ABC123", "/START ABC123"} {
		m := hs.fake.NewMessage(7, "bob", text)
		m.Chat = models.Chat{ID: -100123, Type: models.ChatTypeSupergroup, Title: "campaign"}
		hs.fake.AddMessage(m)
	}
	hs.fake.SendText(7, "bob", "/start ABC123") // in private: for the engine
	if got := hs.h.next(t); got.Text != "/start ABC123" || got.ChatID != "7" {
		t.Errorf("handled %+v, want the private /start", got)
	}
	hs.store.waitFor(t, "3 processed", func() bool {
		return hs.store.processed("1") && hs.store.processed("2") && hs.store.processed("3")
	})
	if got, want := hs.h.count(), 1; got != want {
		t.Errorf("handler calls = %d, want %d", got, want)
	}
	var refusals int
	for _, m := range hs.store.outboxCopy() {
		if m.ChatID == "-100123" {
			refusals++
			if m.Text != DefaultMessages("en").PrivateOnly || m.PersonID != 0 {
				t.Errorf("group reply = %+v", m)
			}
		}
	}
	if refusals != 2 {
		t.Errorf("group refusals = %d, want 2", refusals)
	}
}

func TestWithMessagesKeepsUnsetTexts(t *testing.T) {
	c := newConfig([]Option{WithLang("en"), WithMessages(Messages{TooLarge: "big"})})
	want := DefaultMessages("en")
	want.TooLarge = "big"
	if c.msgs != want {
		t.Errorf("messages = %+v, want %+v", c.msgs, want)
	}
}

// TestGroupAnswersOnlyHelp: in a group only /help reaches the engine; any
// other command (an invite code, a report, who is overdue) is answered
// with a pointer to the private chat, and chatter is ignored.
func TestGroupAnswersOnlyHelp(t *testing.T) {
	hs := newHarness(t)
	run(t, hs.adapter(t, WithLang("en")))
	for _, text := range []string{"/invite 张三", "/digest", "/help", "just chatting"} {
		m := hs.fake.NewMessage(7, "bob", text)
		m.Chat = models.Chat{ID: -100123, Type: models.ChatTypeSupergroup, Title: "campaign"}
		hs.fake.AddMessage(m)
	}
	if got := hs.h.next(t); got.Text != "/help" || got.ChatID != "-100123" {
		t.Errorf("handled %+v, want the group's /help", got)
	}
	hs.store.waitFor(t, "4 processed", func() bool {
		return hs.store.processed("1") && hs.store.processed("2") && hs.store.processed("3") && hs.store.processed("4")
	})
	if got, want := hs.h.count(), 1; got != want {
		t.Errorf("handler calls = %d, want %d", got, want)
	}
	var pointers int
	for _, m := range hs.store.outboxCopy() {
		if m.ChatID == "-100123" && m.Text == DefaultMessages("en").GroupPrivate {
			pointers++
		}
	}
	if pointers != 2 {
		t.Errorf("pointers to the private chat = %d, want 2", pointers)
	}
}
