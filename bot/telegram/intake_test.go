package telegram

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	"campaignbot/plan"
	"campaignbot/store"
)

const testToken = "4242:TEST"

// echoHandler stands in for the engine: it records requests and answers
// each with its text. A block or unblock gets no answer, as from the
// engine: it is a platform event, not a message.
type echoHandler struct {
	mu    sync.Mutex
	reqs  []bot.Request
	ch    chan bot.Request
	reply func(*bot.Request) []bot.Reply
}

func newEchoHandler() *echoHandler { return &echoHandler{ch: make(chan bot.Request, 100)} }

func (h *echoHandler) Handle(_ context.Context, req *bot.Request) ([]bot.Reply, error) {
	h.mu.Lock()
	h.reqs = append(h.reqs, *req)
	reply := h.reply
	h.mu.Unlock()
	h.ch <- *req
	switch {
	case req.Reachable != nil:
		return nil, nil
	case reply != nil:
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
	case <-time.After(waitTimeout):
		t.Fatalf("handler saw no request in %s", waitTimeout)
	}
	return bot.Request{}
}

// requests returns the requests the handler saw, in order.
func (h *echoHandler) requests() []bot.Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.reqs)
}

func (h *echoHandler) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.reqs)
}

func withRetryDelay(d time.Duration) Option { return func(c *config) { c.retryDelay = d } }

// harness is the fake Bot API and a real store file, with what a process
// runs against them: the adapter and the intake (instance).
type harness struct {
	fake    *telegramtest.Server
	path    string
	db      *store.DB
	store   *faultyStore // the adapter's view of db
	h       *echoHandler
	handler bot.Handler // what the intake calls: h unless a test sets another
	changes *changes
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	path := mustNewStoreFile(t)
	db := mustOpenStoreAt(t, path)
	h := newEchoHandler()
	return &harness{
		fake: telegramtest.NewServer(t, testToken), path: path, db: db, store: newFaultyStore(db),
		h: h, handler: h, changes: newChanges(),
	}
}

// reopen closes the store and opens its file again, as a new process
// would; call it with no instance running.
func (hs *harness) reopen(t *testing.T) {
	t.Helper()
	if err := hs.db.Close(); err != nil {
		t.Fatal(err)
	}
	hs.db = mustOpenStoreAt(t, hs.path)
	hs.store.DB = hs.db
}

// instance is one process: the adapter, and the intake that processes
// what it stores.
type instance struct {
	tg     *Telegram
	intake *bot.Intake
}

// testLogger logs to the test's output, shown when it fails (or with -v).
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func (hs *harness) instance(t *testing.T, opts ...Option) *instance {
	t.Helper()
	in := &instance{intake: bot.NewIntake(hs.db, hs.handler,
		bot.WithRetry([]time.Duration{10 * time.Millisecond}, bot.DefaultMaxAttempts),
		bot.WithIntakeLogger(testLogger(t)),
		bot.WithIntakeNotify(hs.changes.touch))}
	opts = append([]Option{
		WithServerURL(hs.fake.URL()),
		WithLogger(testLogger(t)),
		WithPollTimeout(5 * time.Second),
		withRetryDelay(10 * time.Millisecond),
		WithOnStored(func() {
			in.intake.Wake()
			hs.changes.touch()
		}),
	}, opts...)
	tg, err := New(testToken, hs.store, opts...)
	if err != nil {
		t.Fatal(err)
	}
	in.tg = tg
	in.intake.Register(campaignbot.PlatformTelegram, tg)
	return in
}

// run starts the adapter and the intake and returns a function that stops
// them and waits; the test's cleanup calls it too.
func (in *instance) run(t *testing.T) (stop func()) {
	t.Helper()
	return start(t, in.tg.Run, in.intake.Run)
}

// start runs each of runs until the returned function (or the test's
// cleanup) stops them, and waits for them to return.
func start(t *testing.T, runs ...func(context.Context) error) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, len(runs))
	for _, run := range runs {
		go func() { errc <- run(ctx) }()
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			for range runs {
				if err := <-errc; err != nil {
					t.Errorf("Run: %v", err)
				}
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// pending returns the stored updates not yet processed, by key.
func (hs *harness) pending(t *testing.T) map[string]*campaignbot.Inbound {
	t.Helper()
	ins, err := hs.db.PendingInbound(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*campaignbot.Inbound{}
	for _, in := range ins {
		m[in.Key] = in
	}
	return m
}

// processed reports whether the updates with keys were stored and are
// processed.
func (hs *harness) processed(t *testing.T, keys ...string) bool {
	t.Helper()
	for _, k := range keys {
		if !hs.store.stored(k) {
			return false
		}
	}
	// Read after the updates were stored, so that a pending one is seen.
	pending := hs.pending(t)
	for _, k := range keys {
		if pending[k] != nil {
			return false
		}
	}
	return true
}

func (hs *harness) waitProcessed(t *testing.T, keys ...string) {
	t.Helper()
	hs.changes.waitFor(t, "updates "+strings.Join(keys, ", ")+" processed", func() bool { return hs.processed(t, keys...) })
}

// outbox returns the pending Telegram messages of the outbox, oldest first.
func (hs *harness) outbox(t *testing.T) []*campaignbot.OutboxMessage {
	t.Helper()
	ms, err := hs.db.ClaimOutbox(context.Background(), campaignbot.PlatformTelegram, time.Now().Add(24*time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func (hs *harness) waitOutbox(t *testing.T, n int) []*campaignbot.OutboxMessage {
	t.Helper()
	hs.changes.waitFor(t, fmt.Sprintf("%d replies", n), func() bool { return len(hs.outbox(t)) >= n })
	out := hs.outbox(t)
	if len(out) != n {
		t.Fatalf("outbox = %d messages, want %d", len(out), n)
	}
	return out
}

func rawUpdate(t *testing.T, u models.Update) []byte {
	t.Helper()
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The offset that confirms updates to Telegram is requested only once they
// are stored: an update the store refused comes again.
func TestPollingStoresBeforeAcknowledging(t *testing.T) {
	hs := newHarness(t)
	var mu sync.Mutex
	var violations []string
	confirmed := make(chan struct{})
	var once sync.Once
	hs.fake.OnCall("getUpdates", func(c telegramtest.Call) {
		off, _ := strconv.ParseInt(c.Params["offset"], 10, 64)
		for id := int64(1); id < off; id++ {
			if !hs.store.stored(strconv.FormatInt(id, 10)) {
				mu.Lock()
				violations = append(violations, fmt.Sprintf("offset %d requested before update %d was stored", off, id))
				mu.Unlock()
			}
		}
		if off == 4 {
			once.Do(func() { close(confirmed) })
		}
	})
	hs.store.failSaves(1) // the first attempt to store update 1 fails
	texts := []string{"第一条", "second", "third"}
	for _, s := range texts {
		hs.fake.SendText(7, "alice", s)
	}
	hs.instance(t).run(t)

	for _, want := range texts {
		if got := hs.h.next(t); got.Text != want {
			t.Errorf("handled %q, want %q", got.Text, want)
		}
	}
	select {
	case <-confirmed:
	case <-time.After(waitTimeout):
		t.Fatal("offset 4 never requested")
	}
	mu.Lock()
	for _, v := range violations {
		t.Error(v)
	}
	mu.Unlock()
	// The failed store kept the offset at 0, so the batch came again.
	offs := hs.fake.Offsets()
	if got, want := offs[:2], []int64{0, 0}; !slices.Equal(got, want) {
		t.Errorf("first offsets = %v, want %v", got, want)
	}
	calls := hs.fake.Calls()
	if got, want := []string{calls[0].Method, calls[1].Method, calls[2].Method}, []string{"getMe", "deleteWebhook", "getUpdates"}; !slices.Equal(got, want) {
		t.Errorf("first calls = %v, want %v", got, want)
	}
	hs.waitProcessed(t, "1", "2", "3")
	for i, o := range hs.waitOutbox(t, 3) {
		if want := fmt.Sprintf("reply:telegram:%d:0", i+1); o.Key != want {
			t.Errorf("outbox key = %q, want %q", o.Key, want)
		}
		if o.Kind != campaignbot.KindReply || o.ChatID != "7" || o.Text != "echo: "+texts[i] {
			t.Errorf("outbox message = %+v", o)
		}
	}
}

// An update stored (and so acknowledged) before a crash, but not
// processed, is processed by the next process, once; an update Telegram
// sends again after it was processed (its acknowledgement was lost) is not
// processed again.
func TestRestartProcessesStoredUpdateOnce(t *testing.T) {
	hs := newHarness(t)
	ctx := context.Background()
	tasks := hs.fake.NewMessage(7, "bob", "/tasks")
	if _, err := hs.store.SaveInbound(ctx, &campaignbot.Inbound{
		Platform: campaignbot.PlatformTelegram, Key: "41", Payload: rawUpdate(t, models.Update{ID: 41, Message: tasks}),
	}); err != nil {
		t.Fatal(err)
	}
	note := hs.fake.NewMessage(7, "bob", "/note one")
	hs.fake.AddMessage(note) // update 1
	stop := hs.instance(t).run(t)
	if got := hs.h.next(t); got.Text != "/tasks" || got.MessageID != strconv.Itoa(tasks.ID) {
		t.Errorf("request = %+v, want the stored /tasks first", got)
	}
	if got := hs.h.next(t); got.Text != "/note one" {
		t.Errorf("request = %+v, want /note one", got)
	}
	hs.waitProcessed(t, "41", "1")
	stop()

	hs.reopen(t)
	// The new process meets a Bot API that sends update 1 again.
	hs.fake = telegramtest.NewServer(t, testToken)
	hs.fake.AddUpdate(models.Update{ID: 1, Message: note})
	hs.fake.SendText(7, "bob", "/help") // update 2
	hs.instance(t).run(t)
	if got := hs.h.next(t); got.Text != "/help" {
		t.Errorf("after restart handled %q, want /help", got.Text)
	}
	hs.waitProcessed(t, "2")
	if got, want := hs.h.count(), 3; got != want {
		t.Errorf("handler calls = %d, want %d", got, want)
	}
	var keys []string
	for _, o := range hs.waitOutbox(t, 3) {
		keys = append(keys, o.Key)
	}
	if want := []string{"reply:telegram:41:0", "reply:telegram:1:0", "reply:telegram:2:0"}; !slices.Equal(keys, want) {
		t.Errorf("replies = %v, want %v", keys, want)
	}
}

func TestWebhook(t *testing.T) {
	hs := newHarness(t)
	const secret = "s3cret_-X"
	in := hs.instance(t, WithWebhook("https://bot.example.org/telegram/webhook", secret))
	start := hs.fake.NewMessage(7, "bob", "/start@campaign_test_bot ABC")
	body := rawUpdate(t, models.Update{ID: 900, Message: start})
	post := func(method, secretHeader string, body []byte) int {
		req := httptest.NewRequest(method, WebhookPath, bytes.NewReader(body))
		if secretHeader != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secretHeader)
		}
		rec := httptest.NewRecorder()
		in.tg.Handler().ServeHTTP(rec, req)
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
	if n := len(hs.pending(t)); n != 0 {
		t.Fatalf("rejected requests stored %d updates", n)
	}
	// 200 only once stored: a failed store answers 500 so Telegram retries.
	hs.store.failSaves(1)
	if got, want := post(http.MethodPost, secret, body), http.StatusInternalServerError; got != want {
		t.Errorf("failed store: status %d, want %d", got, want)
	}
	if got, want := post(http.MethodPost, secret, body), http.StatusOK; got != want {
		t.Errorf("right secret: status %d, want %d", got, want)
	}
	if stored := hs.pending(t)["900"]; stored == nil || !bytes.Equal(stored.Payload, body) {
		t.Fatalf("update not stored as received: %+v", stored)
	}

	in.run(t)
	if got := hs.h.next(t); got.Text != "/start ABC" || got.MessageID != strconv.Itoa(start.ID) {
		t.Errorf("request = %+v", got)
	}
	// While running, a delivered update is stored, then processed.
	help := rawUpdate(t, models.Update{ID: 901, Message: hs.fake.NewMessage(7, "bob", "/help")})
	if got, want := post(http.MethodPost, secret, help), http.StatusOK; got != want {
		t.Errorf("second update: status %d, want %d", got, want)
	}
	if got := hs.h.next(t); got.Text != "/help" {
		t.Errorf("request = %+v, want /help", got)
	}
	hs.waitProcessed(t, "900", "901")
	// Updates stored before Run may be processed before Run has set the
	// webhook: wait for setWebhook rather than assume the order.
	deadline := time.Now().Add(10 * time.Second)
	for hs.fake.Webhook().URL == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
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
	db := mustOpenStore(t)
	for _, secret := range []string{"", "has space", strings.Repeat("a", 257)} {
		_, err := New(testToken, db, WithWebhook("https://x.example/telegram/webhook", secret))
		if campaignbot.ErrorCode(err) != campaignbot.EINVALID {
			t.Errorf("secret %q: err = %v, want invalid", secret, err)
		}
	}
	if _, err := New("", db); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
		t.Errorf("empty token: err = %v", err)
	}
	if _, err := New(testToken, nil); err == nil {
		t.Error("no store: err = nil")
	}
}

func TestCommandsAddressedToBots(t *testing.T) {
	hs := newHarness(t)
	hs.instance(t).run(t)
	hs.fake.SendText(7, "bob", "/start@Campaign_Test_Bot ABC123")
	hs.fake.SendText(7, "bob", "/help@other_bot")
	hs.fake.SendText(7, "bob", "/tasks@campaign_test_bot")
	for _, want := range []string{"/start ABC123", "/tasks"} {
		if got := hs.h.next(t); got.Text != want {
			t.Errorf("handled %q, want %q", got.Text, want)
		}
	}
	hs.waitProcessed(t, "1", "2", "3")
	if got, want := hs.h.count(), 2; got != want {
		t.Errorf("handler calls = %d, want %d", got, want)
	}
	if got, want := len(hs.outbox(t)), 2; got != want {
		t.Errorf("replies = %d, want %d (none to the other bot's command)", got, want)
	}
}

func TestPhotoFetchedIntoAttachments(t *testing.T) {
	hs := newHarness(t)
	hs.instance(t).run(t)
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
	stored, err := os.ReadFile(hs.db.AttachmentPath(a.SHA256))
	if err != nil || !bytes.Equal(stored, data) {
		t.Errorf("stored file: %v, %d bytes", err, len(stored))
	}
	if n := len(hs.fake.CallsOf("getFile")); n != 1 {
		t.Errorf("getFile calls = %d, want 1", n)
	}
}

func TestDocumentOverLimitRefused(t *testing.T) {
	hs := newHarness(t)
	hs.instance(t, WithLang("en")).run(t)
	m := hs.fake.NewMessage(7, "bob", "")
	m.Caption = "report"
	m.Document = &models.Document{FileID: "big", FileUniqueID: "ubig", FileName: "scan.pdf", MimeType: "application/pdf", FileSize: 25 << 20}
	hs.fake.AddMessage(m)
	hs.waitProcessed(t, "1")
	out := hs.waitOutbox(t, 1)
	if out[0].Text != campaignbot.T("en", "err.file_too_large") || out[0].ChatID != "7" || out[0].Key != "reply:telegram:1:0" {
		t.Errorf("outbox = %+v, want the refusal", out[0])
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
	hs.instance(t).run(t)
	cb := hs.fake.PressButton(7, 55, "task:study-notes")
	got := hs.h.next(t)
	want := bot.Request{Platform: campaignbot.PlatformTelegram, AccountID: "7", ChatID: "7",
		MessageID: "cb:" + cb, Callback: "task:study-notes"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("request = %+v, want %+v", got, want)
	}
	// Answered before the handler ran.
	if !hs.fake.Answered(cb) {
		t.Error("callback query not answered")
	}
}

// A user who blocks the bot is marked unreachable by the engine, and
// reachable again when they unblock it; neither gets an answer.
func TestBlockedBotMarksUnreachable(t *testing.T) {
	hs := newHarness(t)
	p := mustBind(t, hs.db, "李", 7)
	pl, _, err := plan.Default(campaignbot.NewDate(2026, time.March, 1))
	if err != nil {
		t.Fatal(err)
	}
	hs.handler = bot.New(hs.db, pl, bot.WithLang("en"))
	hs.instance(t).run(t)
	// The bot's membership of the user's private chat, as Telegram sends it.
	botUser := &models.User{ID: 4242, IsBot: true}
	banned := models.ChatMember{Type: models.ChatMemberTypeBanned, Banned: &models.ChatMemberBanned{User: botUser}}
	member := models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: botUser}}
	change := func(from, to models.ChatMember) models.Update {
		return models.Update{MyChatMember: &models.ChatMemberUpdated{
			Chat: models.Chat{ID: 7, Type: models.ChatTypePrivate}, From: models.User{ID: 7}, Date: 1,
			OldChatMember: from, NewChatMember: to,
		}}
	}
	unreachable := func() []campaignbot.Platform {
		t.Helper()
		got, err := hs.db.FindPersonByID(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Unreachable
	}
	hs.fake.AddUpdate(change(member, banned))
	hs.waitProcessed(t, "1")
	if got, want := unreachable(), []campaignbot.Platform{campaignbot.PlatformTelegram}; !slices.Equal(got, want) {
		t.Errorf("after blocking: unreachable on %v, want %v", got, want)
	}
	hs.fake.AddUpdate(change(banned, member))
	hs.waitProcessed(t, "2")
	if got := unreachable(); len(got) != 0 {
		t.Errorf("after unblocking: unreachable on %v, want none", got)
	}
	if out := hs.outbox(t); len(out) != 0 {
		t.Errorf("outbox = %+v, want nothing", out)
	}
}

// Replies to a bound person's private chat name the person, so that the
// dispatcher can tell who is unreachable; buttons are kept and empty
// replies dropped.
func TestRepliesCarryPersonAndButtons(t *testing.T) {
	hs := newHarness(t)
	p := mustBind(t, hs.db, "李", 7)
	hs.h.reply = func(req *bot.Request) []bot.Reply {
		return []bot.Reply{
			{Text: "选择任务", Buttons: [][]campaignbot.Button{{{Text: "学习笔记", Data: "task:study-notes"}}}},
			{},
			{Text: "second"},
		}
	}
	hs.instance(t).run(t)
	hs.fake.SendText(7, "li", "hello")
	hs.fake.SendText(8, "stranger", "hello")
	hs.waitProcessed(t, "1", "2")
	byChat := map[string][]*campaignbot.OutboxMessage{}
	for _, o := range hs.waitOutbox(t, 4) {
		byChat[o.ChatID] = append(byChat[o.ChatID], o)
	}
	out := byChat["7"]
	if len(out) != 2 {
		t.Fatalf("replies to 7 = %+v", out)
	}
	want := [][]campaignbot.Button{{{Text: "学习笔记", Data: "task:study-notes"}}}
	if out[0].PersonID != p.ID || out[0].Key != "reply:telegram:1:0" || !reflect.DeepEqual(out[0].Buttons, want) {
		t.Errorf("first reply = %+v", out[0])
	}
	if out[1].PersonID != p.ID || out[1].Key != "reply:telegram:1:2" || out[1].Text != "second" {
		t.Errorf("second reply = %+v", out[1])
	}
	for _, o := range byChat["8"] {
		if o.PersonID != 0 {
			t.Errorf("reply to an unbound user names person %d", o.PersonID)
		}
	}
}

// An invite redeemed in a group would bind the person to the group chat:
// /start without a code is answered there by the adapter; a code posted
// there reaches the engine marked InGroup, for it to revoke (SPEC §4), and
// neither sets a command menu.
func TestStartInGroupRefused(t *testing.T) {
	hs := newHarness(t)
	p := mustBind(t, hs.db, "李", 7)
	started := make(chan [2]string, 10)
	hs.instance(t, WithLang("en"), WithOnStart(func(_ context.Context, accountID, chatID string) {
		started <- [2]string{accountID, chatID}
	})).run(t)
	for _, text := range []string{"/start@campaign_test_bot ABC123", "/START"} {
		m := hs.fake.NewMessage(7, "bob", text)
		m.Chat = models.Chat{ID: -100123, Type: models.ChatTypeSupergroup, Title: "campaign"}
		hs.fake.AddMessage(m)
	}
	if got := hs.h.next(t); got.Text != "/start ABC123" || got.ChatID != "-100123" || !got.InGroup {
		t.Errorf("handled %+v, want the group's /start ABC123, marked InGroup", got)
	}
	hs.fake.SendText(7, "bob", "/start ABC123") // in private: for the engine
	if got := hs.h.next(t); got.Text != "/start ABC123" || got.ChatID != "7" || got.InGroup {
		t.Errorf("handled %+v, want the private /start", got)
	}
	hs.waitProcessed(t, "1", "2", "3")
	if got, want := hs.h.count(), 2; got != want {
		t.Errorf("handler calls = %d, want %d", got, want)
	}
	var refusals int
	for _, m := range hs.waitOutbox(t, 3) {
		switch m.ChatID {
		case "-100123":
			if m.Text == campaignbot.T("en", "tg.private_only") {
				refusals++
			}
			if m.PersonID != 0 {
				t.Errorf("group reply names a person: %+v", m)
			}
		case "7":
			if m.PersonID != p.ID {
				t.Errorf("private reply = %+v, want person %d", m, p.ID)
			}
		}
	}
	if refusals != 1 {
		t.Errorf("group refusals = %d, want 1 (/start without a code)", refusals)
	}
	// The menu is set up after the private /start only.
	select {
	case got := <-started:
		if got != [2]string{"7", "7"} {
			t.Errorf("OnStart(%q, %q), want the private chat", got[0], got[1])
		}
	case <-time.After(waitTimeout):
		t.Fatal("OnStart not called after the private /start")
	}
	select {
	case got := <-started:
		t.Errorf("OnStart called again, for %v", got)
	default:
	}
}

// TestGroupAnswersOnlyHelp: in a group only /help reaches the engine; any
// other command (an invite code, a report, who is overdue) is answered
// with a pointer to the private chat, and chatter is ignored.
func TestGroupAnswersOnlyHelp(t *testing.T) {
	hs := newHarness(t)
	hs.instance(t, WithLang("en")).run(t)
	for _, text := range []string{"/invite 张三", "/digest", "/help", "just chatting"} {
		m := hs.fake.NewMessage(7, "bob", text)
		m.Chat = models.Chat{ID: -100123, Type: models.ChatTypeSupergroup, Title: "campaign"}
		hs.fake.AddMessage(m)
	}
	if got := hs.h.next(t); got.Text != "/help" || got.ChatID != "-100123" {
		t.Errorf("handled %+v, want the group's /help", got)
	}
	hs.waitProcessed(t, "1", "2", "3", "4")
	if got, want := hs.h.count(), 1; got != want {
		t.Errorf("handler calls = %d, want %d", got, want)
	}
	var pointers int
	for _, m := range hs.waitOutbox(t, 3) {
		if m.ChatID == "-100123" && m.Text == campaignbot.T("en", "tg.group_private") {
			pointers++
		}
	}
	if pointers != 2 {
		t.Errorf("pointers to the private chat = %d, want 2", pointers)
	}
}
