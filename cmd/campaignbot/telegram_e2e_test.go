package main

// End-to-end tests of campaignbot on Telegram: the real command line (Run),
// Main, and the built binary against the fake Bot API of
// bot/telegram/telegramtest, in long-polling and in webhook mode, with a
// real SQLite store.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"campaignbot"
	"campaignbot/bot/telegram/telegramtest"
	"campaignbot/plan"
	"campaignbot/store"
)

const (
	tgToken   = "424242:AAE2E_not-a-real-token_Zq9"
	tgSecret  = "e2e_Webhook-secret_7Xk"
	tgHookURL = "https://bot.example.test/telegram/webhook"
	// tgWait bounds every wait for an outcome.
	tgWait = 10 * time.Second
	// tgTimeZone is the default plan's time zone.
	tgTimeZone = "Asia/Shanghai"
)

// tgRoster is the organisation of the end-to-end tests. Everyone is a
// member, who owes weekly study notes in the study phase.
var tgRoster = []string{"张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十", "郑十一"}

// tgZh renders a catalog text as users see it (the default language).
func tgZh(key string, args ...any) string { return campaignbot.T("zh", key, args...) }

// tgAck is the acknowledgement of version v of a study note.
func tgAck(v, files int) string {
	return tgZh("submit.ok", "学习笔记", v, tgZh("submit.on_time"), files)
}

// tgEnv is one organisation's store and plan, and a fake Bot API.
type tgEnv struct {
	dir, db, plan string
	loc           *time.Location
	today         campaignbot.Date
	fake          *telegramtest.Server

	webhook bool   // deliver updates by webhook instead of getUpdates
	addr    string // the bot's HTTP address, in webhook mode
	// listen, when set, is the address a binary started by startBinary
	// listens on, in webhook mode: the fake delivers updates there.
	listen     string
	nextUpdate atomic.Int64 // update ids of webhook deliveries
}

// newTGEnv writes a plan whose study phase began five days ago (study
// notes owed, the opinions survey open), imports the roster (tgRoster and
// members 成员01..成员10) with the real command line, and starts a fake Bot
// API.
func newTGEnv(t *testing.T) *tgEnv {
	t.Helper()
	dir := t.TempDir()
	loc, err := time.LoadLocation(tgTimeZone)
	if err != nil {
		t.Fatal(err)
	}
	env := &tgEnv{
		dir:  dir,
		db:   filepath.Join(dir, "campaign.db"),
		plan: filepath.Join(dir, "plan.yaml"),
		loc:  loc,
	}
	env.today = campaignbot.DateOf(time.Now(), loc)
	env.nextUpdate.Store(5000)

	code, out, stderr := run(t, nil, "", "plan", "init", "--start", env.today.AddDays(-20).String())
	if code != 0 {
		t.Fatalf("plan init: %d %s", code, stderr)
	}
	if err := os.WriteFile(env.plan, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := plan.Load(env.plan)
	if err != nil {
		t.Fatal(err)
	}
	if ph := p.PhaseAt(env.today); ph == nil || ph.Key != "study" {
		t.Fatalf("the test plan is not in its study phase today (%s): %+v", env.today, ph)
	}

	var csv strings.Builder
	csv.WriteString("name,department,roles,telegram,wecom,in_charge_of\n")
	for _, name := range tgRoster {
		csv.WriteString(name + ",科技管理科,member,,,\n")
	}
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&csv, "成员%02d,办公室,member,,,\n", i)
	}
	rosterPath := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(rosterPath, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := run(t, nil, "", "roster", "import", "--db", env.db, rosterPath); code != 0 {
		t.Fatalf("roster import: %d %s %s", code, out, stderr)
	}
	env.fake = telegramtest.NewServer(t, tgToken)
	return env
}

// getenv is the environment of a run against the fake.
func (env *tgEnv) getenv(key string) string {
	switch key {
	case "TELEGRAM_BOT_TOKEN":
		return tgToken
	case "TELEGRAM_API_URL":
		return env.fake.URL()
	case "TELEGRAM_WEBHOOK_URL":
		if env.webhook {
			return tgHookURL
		}
	case "TELEGRAM_WEBHOOK_SECRET":
		if env.webhook {
			return tgSecret
		}
	}
	return ""
}

// openDB opens a second handle on the store (SQLite in WAL mode allows it
// while the bot runs); it is closed when the test ends.
func (env *tgEnv) openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), env.db, store.WithLocation(env.loc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// tgPersonID returns the id of the roster entry with name.
func tgPersonID(t *testing.T, db *store.DB, name string) int64 {
	t.Helper()
	p, err := db.FindPersonByName(context.Background(), name)
	if err != nil {
		t.Fatalf("find %s: %v", name, err)
	}
	return p.ID
}

// tgInvite makes a fresh invite code for name.
func tgInvite(t *testing.T, db *store.DB, name string) string {
	t.Helper()
	inv, err := db.CreateInvite(context.Background(), tgPersonID(t, db, name))
	if err != nil {
		t.Fatal(err)
	}
	return inv.Code
}

// tgBind binds Telegram user id to name, as if they had redeemed an invite.
func tgBind(t *testing.T, db *store.DB, name string, id int64) {
	t.Helper()
	acc := campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: tgID(id), ChatID: tgID(id)}
	if _, err := db.RedeemInvite(context.Background(), tgInvite(t, db, name), acc); err != nil {
		t.Fatal(err)
	}
}

func tgID(n int64) string { return strconv.FormatInt(n, 10) }

// tgLogBuffer collects a process's log output.
type tgLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *tgLogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *tgLogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// tgRun is one in-process run of the bot.
type tgRun struct {
	cancel context.CancelFunc
	done   chan int // the exit status
	stderr *tgLogBuffer
	once   sync.Once
}

// runCommand runs "campaignbot run" through Run, as main does, until stop.
// It is for long-polling mode; webhook mode needs Main's address.
func (env *tgEnv) runCommand(t *testing.T) *tgRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &tgRun{cancel: cancel, done: make(chan int, 1), stderr: &tgLogBuffer{}}
	args := []string{"run", "--db", env.db, "--plan", env.plan}
	go func() {
		r.done <- Run(ctx, args, IO{In: strings.NewReader(""), Out: io.Discard, Err: r.stderr}, env.getenv)
	}()
	t.Cleanup(func() { r.stop(t) })
	// Started: the bot is long-polling.
	deadline := time.Now().Add(tgWait)
	for len(env.fake.Offsets()) == 0 {
		if time.Now().After(deadline) {
			var calls []string
			for _, c := range env.fake.Calls() {
				calls = append(calls, fmt.Sprintf("%s %d", c.Method, c.Status))
			}
			t.Fatalf("the bot did not poll within %s; calls %v:\n%s", tgWait, calls, r.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return r
}

// runMain opens and runs Main, configured as "campaignbot run --listen
// 127.0.0.1:0" would be, and records its HTTP address in env.addr.
func (env *tgEnv) runMain(t *testing.T, configure ...func(*Main)) *tgRun {
	t.Helper()
	return env.runMainWith(t, func(m *Main) {
		for _, c := range configure {
			c(m)
		}
	})
}

// runMainWith is runMain with configure, if not nil, applied to Main
// before it opens.
func (env *tgEnv) runMainWith(t *testing.T, configure func(*Main)) *tgRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &tgRun{cancel: cancel, done: make(chan int, 1), stderr: &tgLogBuffer{}}
	m := &Main{IO: IO{In: strings.NewReader(""), Out: io.Discard, Err: r.stderr}}
	fs := runFlagSet(m.IO, env.getenv, &m.Config)
	if err := fs.Parse([]string{"--db", env.db, "--plan", env.plan}); err != nil {
		t.Fatal(err)
	}
	m.Config.Listen = "127.0.0.1:0"
	if configure != nil {
		configure(m)
	}
	if err := m.Open(ctx); err != nil {
		cancel()
		t.Fatalf("open: %v", err)
	}
	go func() {
		code := exitOK
		if err := m.Run(ctx); err != nil {
			fmt.Fprintln(r.stderr, "run:", err)
			code = exitFailure
		}
		if err := m.Close(); err != nil {
			fmt.Fprintln(r.stderr, "close:", err)
			code = exitFailure
		}
		r.done <- code
	}()
	t.Cleanup(func() { r.stop(t) })
	select {
	case <-m.Ready:
	case <-time.After(tgWait):
		t.Fatal("Main did not become ready")
	}
	env.addr = m.Addr
	return r
}

// stop ends the run and checks that it shut down cleanly and logged no
// secret.
func (r *tgRun) stop(t *testing.T) {
	t.Helper()
	r.once.Do(func() {
		r.cancel()
		select {
		case code := <-r.done:
			if code != exitOK {
				t.Errorf("run ended with status %d:\n%s", code, r.stderr.String())
			}
		case <-time.After(tgWait):
			t.Errorf("run did not stop within %s", tgWait)
		}
		tgAssertNoSecrets(t, r.stderr.String())
	})
}

// tgAssertNoSecrets fails if logs hold the bot token or the webhook secret.
func tgAssertNoSecrets(t *testing.T, logs string) {
	t.Helper()
	_, tokenSecret, _ := strings.Cut(tgToken, ":")
	for _, s := range []string{tokenSecret, tgSecret} {
		if strings.Contains(logs, s) {
			t.Errorf("logs hold a secret %q:\n%s", s, logs)
		}
	}
}

// tgWaitFor polls cond every 10 ms until it holds, for at most tgWait.
func tgWaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(tgWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// post delivers an update to the bot's webhook with secret and returns the
// HTTP status. A zero update id is replaced by the next free one.
func (env *tgEnv) post(t *testing.T, u models.Update, secret string) int {
	t.Helper()
	if u.ID == 0 {
		u.ID = env.nextUpdate.Add(1)
	}
	body, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, "http://"+env.addr+"/telegram/webhook", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post update: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// deliver hands an update to the bot as Telegram would in the env's mode.
func (env *tgEnv) deliver(t *testing.T, u models.Update) {
	t.Helper()
	if !env.webhook {
		env.fake.AddUpdate(u)
		return
	}
	if code := env.post(t, u, tgSecret); code != http.StatusOK {
		t.Fatalf("webhook answered %d, want 200", code)
	}
}

// confirm calls getUpdates with offset on the fake, as a previous process
// would have, so that the updates before offset count as acknowledged.
func (env *tgEnv) confirm(t *testing.T, offset int64) {
	t.Helper()
	resp, err := http.Post(env.fake.URL()+"/bot"+tgToken+"/getUpdates", "application/json",
		strings.NewReader(fmt.Sprintf(`{"offset":%d,"timeout":0}`, offset)))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// inboundRows counts the stored raw updates.
func (env *tgEnv) inboundRows(t *testing.T) int {
	t.Helper()
	var n int
	env.query(t, `SELECT COUNT(*) FROM inbound`, nil, &n)
	return n
}

// query reads one row straight from the store's database file.
func (env *tgEnv) query(t *testing.T, q string, args []any, dest ...any) {
	t.Helper()
	sqlDB, err := sql.Open("sqlite", "file:"+env.db+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	if err := sqlDB.QueryRow(q, args...).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// tgUser is one Telegram user in a private chat with the bot.
type tgUser struct {
	env  *tgEnv
	id   int64
	name string
	seen int // messages of the chat already expected
}

func (env *tgEnv) user(id int64, name string) *tgUser {
	return &tgUser{env: env, id: id, name: name}
}

// text sends a text message and returns its message id.
func (u *tgUser) text(t *testing.T, s string) int {
	t.Helper()
	if !u.env.webhook {
		return u.env.fake.SendText(u.id, u.name, s)
	}
	m := u.env.fake.NewMessage(u.id, u.name, s)
	u.env.deliver(t, models.Update{Message: m})
	return m.ID
}

// reply sends a text replying to the bot's message to.
func (u *tgUser) reply(t *testing.T, to int, s string) int {
	t.Helper()
	if !u.env.webhook {
		return u.env.fake.SendReply(u.id, to, s)
	}
	m := u.env.fake.NewMessage(u.id, u.name, s)
	bu := u.env.fake.BotUser()
	m.ReplyToMessage = &models.Message{ID: to, Date: m.Date, Chat: m.Chat, From: &bu}
	u.env.deliver(t, models.Update{Message: m})
	return m.ID
}

// photo sends a photo (data as the largest size) with caption.
func (u *tgUser) photo(t *testing.T, caption string, data []byte) int {
	t.Helper()
	if !u.env.webhook {
		return u.env.fake.SendPhoto(u.id, caption, data)
	}
	m := u.env.fake.NewMessage(u.id, u.name, "")
	m.Caption = caption
	for i, dim := range []int{90, 1280} {
		part := data
		if i == 0 {
			part = data[:min(len(data), dim)]
		}
		id := fmt.Sprintf("e2e-photo-%d-%d", m.ID, dim)
		u.env.fake.AddFile(id, "photos/"+id+".jpg", part)
		m.Photo = append(m.Photo, models.PhotoSize{FileID: id, FileUniqueID: "u" + id, Width: dim, Height: dim * 3 / 4, FileSize: len(part)})
	}
	u.env.deliver(t, models.Update{Message: m})
	return m.ID
}

// document sends a file with caption.
func (u *tgUser) document(t *testing.T, name, caption string, data []byte) int {
	t.Helper()
	if !u.env.webhook {
		return u.env.fake.SendDocument(u.id, name, caption, data)
	}
	m := u.env.fake.NewMessage(u.id, u.name, "")
	m.Caption = caption
	id := fmt.Sprintf("e2e-doc-%d", m.ID)
	u.env.fake.AddFile(id, "documents/"+id, data)
	m.Document = &models.Document{FileID: id, FileUniqueID: "u" + id, FileName: name,
		MimeType: http.DetectContentType(data), FileSize: int64(len(data))}
	u.env.deliver(t, models.Update{Message: m})
	return m.ID
}

// press presses the button with data on the bot's message msgID and
// returns the callback query id.
func (u *tgUser) press(t *testing.T, msgID int, data string) string {
	t.Helper()
	if !u.env.webhook {
		return u.env.fake.PressButton(u.id, msgID, data)
	}
	id := fmt.Sprintf("e2e-cb-%d", u.env.nextUpdate.Add(1))
	bu := u.env.fake.BotUser()
	msg := &models.Message{ID: msgID, From: &bu, Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: u.id, Type: models.ChatTypePrivate}}
	u.env.deliver(t, models.Update{CallbackQuery: &models.CallbackQuery{
		ID: id, From: models.User{ID: u.id}, ChatInstance: "ci" + tgID(u.id), Data: data,
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: msg},
	}})
	return id
}

// expect waits for the next message to the user's chat containing want
// and returns it; messages before it are passed over.
func (u *tgUser) expect(t *testing.T, want string) telegramtest.SentMessage {
	t.Helper()
	deadline := time.Now().Add(tgWait)
	for {
		sent := u.env.fake.Sent(u.id)
		for i := u.seen; i < len(sent); i++ {
			if strings.Contains(sent[i].Text, want) {
				u.seen = i + 1
				return sent[i]
			}
		}
		if time.Now().After(deadline) {
			var got []string
			for _, m := range sent[min(u.seen, len(sent)):] {
				got = append(got, fmt.Sprintf("%q", m.Text))
			}
			t.Fatalf("%s (%d) did not get %q; got since the last expected:\n%s", u.name, u.id, want, strings.Join(got, "\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// count counts the messages to the user's chat whose text is text.
func (u *tgUser) count(text string) int {
	n := 0
	for _, m := range u.env.fake.Sent(u.id) {
		if m.Text == text {
			n++
		}
	}
	return n
}

// tgRequireButton fails unless m carries an inline button with data.
func tgRequireButton(t *testing.T, m telegramtest.SentMessage, data string) {
	t.Helper()
	var kb struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if m.ReplyMarkup == "" {
		t.Fatalf("message %q has no buttons", m.Text)
	}
	if err := json.Unmarshal([]byte(m.ReplyMarkup), &kb); err != nil {
		t.Fatalf("reply markup %s: %v", m.ReplyMarkup, err)
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData == data {
				return
			}
		}
	}
	t.Fatalf("message %q has no button %q: %s", m.Text, data, m.ReplyMarkup)
}

// tgSubmissions returns the person's submissions.
func tgSubmissions(t *testing.T, db *store.DB, pid int64) []*campaignbot.Submission {
	t.Helper()
	subs, err := db.FindSubmissions(context.Background(), campaignbot.SubmissionFilter{PersonID: &pid})
	if err != nil {
		t.Fatal(err)
	}
	return subs
}

// requireStored fails unless the attachment file named by the sha256 of
// data is in the store's attachment directory.
func (env *tgEnv) requireStored(t *testing.T, data []byte) string {
	t.Helper()
	sum := sha256.Sum256(data)
	name := hex.EncodeToString(sum[:])
	got, err := os.ReadFile(filepath.Join(env.db+".files", name))
	if err != nil {
		t.Fatalf("attachment not stored: %v", err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("attachment %s holds other bytes", name)
	}
	return name
}

func TestTelegramMemberFlowsLongPolling(t *testing.T) {
	t.Parallel()
	env := newTGEnv(t)
	seed := env.seedFlows(t)
	r := env.runCommand(t)
	env.memberFlows(t, seed)
	// Every update was confirmed to Telegram, with offsets never going back.
	tgWaitFor(t, "all updates confirmed", func() bool { return len(env.fake.Pending()) == 0 })
	offsets := env.fake.Offsets()
	if !slices.IsSorted(offsets) {
		t.Errorf("getUpdates offsets went back: %v", offsets)
	}
	r.stop(t)
	if n := len(env.fake.CallsOf("deleteWebhook")); n == 0 {
		t.Error("long polling did not delete a webhook first")
	}
	var menu []string
	for _, cs := range env.fake.Commands() {
		if cs.LanguageCode == "zh" {
			for _, c := range cs.Commands {
				menu = append(menu, c.Command)
			}
		}
	}
	for _, want := range []string{"start", "tasks", "note", "submit", "opinion", "survey", "leave", "cancel"} {
		if !slices.Contains(menu, want) {
			t.Errorf("command menu %v lacks %s", menu, want)
		}
	}
}

func TestTelegramMemberFlowsWebhook(t *testing.T) {
	t.Parallel()
	env := newTGEnv(t)
	env.webhook = true
	seed := env.seedFlows(t)
	r := env.runMain(t)
	tgWaitFor(t, "setWebhook", func() bool { return env.fake.Webhook().URL != "" })
	wh := env.fake.Webhook()
	if wh.URL != tgHookURL || wh.SecretToken != tgSecret {
		t.Fatalf("setWebhook got %+v, want %s with the secret", wh, tgHookURL)
	}
	for _, want := range []string{"message", "callback_query"} {
		if !slices.Contains(wh.AllowedUpdates, want) {
			t.Errorf("allowed_updates %v lacks %s", wh.AllowedUpdates, want)
		}
	}

	t.Run("secret", func(t *testing.T) {
		u := env.user(1009, "郑十一")
		before := env.inboundRows(t)
		for _, secret := range []string{"", "wrong", tgSecret + "x"} {
			m := env.fake.NewMessage(u.id, u.name, "/help")
			if code := env.post(t, models.Update{Message: m}, secret); code != http.StatusUnauthorized {
				t.Errorf("secret %q: status %d, want 401", secret, code)
			}
		}
		if got := env.inboundRows(t); got != before {
			t.Errorf("requests without the secret stored %d updates", got-before)
		}
		// Telegram delivers an update again when unsure it got through:
		// the second delivery changes nothing.
		help := models.Update{ID: env.nextUpdate.Add(1), Message: env.fake.NewMessage(u.id, u.name, "/help")}
		for range 2 {
			if code := env.post(t, help, tgSecret); code != http.StatusOK {
				t.Fatalf("right secret: status %d, want 200", code)
			}
			// 200 only once the update is stored.
			if got := env.inboundRows(t); got != before+1 {
				t.Errorf("after 200: %d stored updates, want %d", got, before+1)
			}
		}
		u.text(t, "/start")
		u.expect(t, tgZh("start.need_code"))
		n := 0
		for _, m := range env.fake.Sent(u.id) {
			if strings.HasPrefix(m.Text, tgZh("help.unbound")) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("/help delivered twice was answered %d times, want 1", n)
		}
	})

	env.memberFlows(t, seed)
	r.stop(t)
	if n := len(env.fake.CallsOf("getUpdates")); n != 0 {
		t.Errorf("webhook mode called getUpdates %d times", n)
	}
}

// tgSeed is what the member flows need from the store.
type tgSeed struct {
	code, used, expired string // invite codes
}

// seedFlows binds the members whose flows start bound and makes the
// invite codes: one to redeem, one already used and one expired.
func (env *tgEnv) seedFlows(t *testing.T) tgSeed {
	t.Helper()
	db, err := store.Open(context.Background(), env.db, store.WithLocation(env.loc))
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range tgRoster[1:7] {
		tgBind(t, db, name, int64(1002+i))
	}
	var s tgSeed
	s.code = tgInvite(t, db, "张三")
	// 吴十's first code was redeemed by another account.
	s.used = tgInvite(t, db, "吴十")
	if _, err := db.RedeemInvite(context.Background(), s.used, campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: "9999"}); err != nil {
		t.Fatal(err)
	}
	clock := db.Now
	db.Now = func() time.Time { return clock().Add(-campaignbot.InviteTTL - time.Hour) }
	s.expired = tgInvite(t, db, "吴十")
	db.Now = clock
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return s
}

// memberFlows runs every member flow of SPEC §4, each in its own chat and
// all at once (the outbox sends at most one message a second to a chat).
func (env *tgEnv) memberFlows(t *testing.T, seed tgSeed) {
	db := env.openDB(t)
	ctx := context.Background()
	p, err := plan.Load(env.plan)
	if err != nil {
		t.Fatal(err)
	}
	flows := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"bind by deep link", func(t *testing.T) {
			u := env.user(1001, "张三")
			// Sent in a group, the code is refused and revoked: everyone
			// there has seen it (SPEC §4). The office gives a new one.
			group := env.user(-100777, "campaign group")
			m := env.fake.NewMessage(u.id, u.name, "/start@"+telegramtest.DefaultBotUsername+" "+seed.code)
			m.Chat = models.Chat{ID: group.id, Type: models.ChatTypeSupergroup, Title: "学习实践活动"}
			env.deliver(t, models.Update{Message: m})
			group.expect(t, tgZh("start.code_in_group"))
			u.text(t, "/start "+seed.code)
			u.expect(t, tgZh("start.expired_code"))
			seed.code = tgInvite(t, db, "张三")
			u.text(t, "/help")
			u.expect(t, tgZh("help.unbound"))
			u.text(t, "/tasks")
			u.expect(t, tgZh("err.not_bound"))
			// What Telegram sends after t.me/BOT?start=CODE.
			u.text(t, "/start "+seed.code)
			u.expect(t, "绑定成功！张三（科技管理科")
			u.text(t, "/start")
			u.expect(t, tgZh("start.already", "张三"))
			u.text(t, "/tasks")
			tasks := u.expect(t, "当前阶段：学习调研阶段")
			if !strings.Contains(tasks.Text, "学习笔记") {
				t.Errorf("/tasks does not list the study notes:\n%s", tasks.Text)
			}
			u.text(t, "/help")
			help := u.expect(t, tgZh("help.header", "张三"))
			for _, cmd := range []string{"/tasks", "/note", "/submit", "/mine", "/opinion", "/survey", "/leave", "/cancel"} {
				if !strings.Contains(help.Text, cmd) {
					t.Errorf("/help lacks %s:\n%s", cmd, help.Text)
				}
			}
			acc, err := db.FindAccount(ctx, campaignbot.PlatformTelegram, "1001")
			if err != nil || acc.PersonID != tgPersonID(t, db, "张三") || acc.ChatID != "1001" {
				t.Errorf("binding: %+v, %v", acc, err)
			}
		}},

		{"wrong used and expired codes", func(t *testing.T) {
			u := env.user(1008, "吴十")
			u.text(t, "/start NoSuchCode_0123456789ab")
			u.expect(t, tgZh("start.wrong_code"))
			u.text(t, "/start "+seed.used)
			u.expect(t, tgZh("start.used_code"))
			u.text(t, "/start "+seed.expired)
			u.expect(t, tgZh("start.expired_code"))
			if _, err := db.FindAccount(ctx, campaignbot.PlatformTelegram, "1008"); campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
				t.Errorf("a bad code bound the account: %v", err)
			}
		}},

		{"notes with photo and document", func(t *testing.T) {
			u := env.user(1002, "李四")
			u.text(t, "/note 今天学习了《实施方案》，体会是要联系实际。")
			u.expect(t, tgAck(1, 0))

			photo := bytes.Repeat([]byte("JPEG-e2e-photo-1 "), 300)
			u.photo(t, "/note", photo)
			u.expect(t, tgAck(2, 1))
			photoSum := env.requireStored(t, photo)

			doc := []byte("%PDF-1.4\n学习心得体会 e2e document\n%%EOF\n")
			u.document(t, "心得.pdf", "/note", doc)
			u.expect(t, tgAck(3, 1))
			docSum := env.requireStored(t, doc)

			// A photo alone: the bot asks which task it is for.
			photo2 := bytes.Repeat([]byte("JPEG-e2e-photo-2 "), 300)
			u.photo(t, "", photo2)
			choose := u.expect(t, tgZh("submit.choose_for_content"))
			tgRequireButton(t, choose, "/submit study-notes")
			cb := u.press(t, choose.MessageID, "/submit study-notes")
			u.expect(t, tgAck(4, 1))
			photo2Sum := env.requireStored(t, photo2)
			tgWaitFor(t, "answerCallbackQuery", func() bool { return env.fake.Answered(cb) })

			u.text(t, "/mine")
			u.expect(t, tgZh("mine.header", 4))

			subs := tgSubmissions(t, db, tgPersonID(t, db, "李四"))
			var sums []string
			for _, s := range subs {
				if s.TaskKey != "study-notes" {
					t.Errorf("submission for %s, want study-notes", s.TaskKey)
				}
				for _, a := range s.Attachments {
					sums = append(sums, a.SHA256)
				}
			}
			slices.Sort(sums)
			want := []string{photoSum, docSum, photo2Sum}
			slices.Sort(want)
			if len(subs) != 4 || !slices.Equal(sums, want) {
				t.Errorf("got %d submissions with attachments %v, want 4 with %v (the largest photo size)", len(subs), sums, want)
			}
		}},

		{"submit with a choice of tasks", func(t *testing.T) {
			u := env.user(1003, "王五")
			u.text(t, "/submit")
			choose := u.expect(t, tgZh("submit.choose"))
			tgRequireButton(t, choose, "/submit study-notes")
			cb := u.press(t, choose.MessageID, "/submit study-notes")
			u.expect(t, tgZh("submit.ask", "学习笔记"))
			tgWaitFor(t, "answerCallbackQuery", func() bool { return env.fake.Answered(cb) })
			u.text(t, "本周学习笔记：按钮选择任务后提交。")
			u.expect(t, tgAck(1, 0))
			u.text(t, "/submit no-such-task")
			u.expect(t, tgZh("submit.unknown_task", "no-such-task"))
			subs := tgSubmissions(t, db, tgPersonID(t, db, "王五"))
			if len(subs) != 1 || subs[0].Text != "本周学习笔记：按钮选择任务后提交。" {
				t.Errorf("submissions: %+v", subs)
			}
		}},

		{"opinions named and anonymous", func(t *testing.T) {
			u := env.user(1004, "赵六")
			u.text(t, "/opinion anon")
			u.expect(t, tgZh("opinion.ask_anon"))
			anonText := "匿名意见：会议太多 e2e-anon-7781"
			u.text(t, anonText)
			u.expect(t, tgZh("opinion.ok_anon"))
			u.text(t, "/opinion 实名意见：建议精简文件 e2e-named-7782")
			u.expect(t, tgZh("opinion.ok"))

			ops, err := db.FindOpinions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pid := tgPersonID(t, db, "赵六")
			var anon, named int
			for _, op := range ops {
				switch {
				case strings.Contains(op.Text, "e2e-anon-7781"):
					anon++
					if !op.Anonymous || op.AuthorID != 0 {
						t.Errorf("anonymous opinion stored with author: %+v", op)
					}
				case strings.Contains(op.Text, "e2e-named-7782"):
					named++
					if op.Anonymous || op.AuthorID != pid {
						t.Errorf("named opinion: %+v, want author %d", op, pid)
					}
				}
			}
			if anon != 1 || named != 1 {
				t.Errorf("got %d anonymous and %d named opinions, want 1 and 1", anon, named)
			}
			// Nor does the raw update keep the text.
			var raw int
			env.query(t, `SELECT COUNT(*) FROM inbound WHERE CAST(payload AS TEXT) LIKE '%e2e-anon-7781%'`, nil, &raw)
			if raw != 0 {
				t.Errorf("%d stored updates still hold the anonymous text", raw)
			}
		}},

		{"survey answered with buttons", func(t *testing.T) {
			s := p.FindSurvey("opinions")
			if s == nil || len(s.Questions) < 2 || s.Questions[0].Kind != campaignbot.QuestionChoice {
				t.Fatalf("the default plan's opinions survey changed: %+v", s)
			}
			n := len(s.Questions)
			u := env.user(1005, "钱七")
			u.text(t, "/survey")
			u.expect(t, tgZh("survey.intro", s.Title, n))
			q := u.expect(t, fmt.Sprintf("第 1/%d 题", n))
			tgRequireButton(t, q, "sv:0:2")
			cb := u.press(t, q.MessageID, "sv:0:2")
			for i := 2; i <= n; i++ {
				q = u.expect(t, fmt.Sprintf("第 %d/%d 题", i, n))
				tgWaitFor(t, "answerCallbackQuery", func() bool { return env.fake.Answered(cb) })
				if s.Questions[i-1].Kind == campaignbot.QuestionText {
					u.text(t, fmt.Sprintf("第%d题的回答", i))
				} else {
					tgRequireButton(t, q, fmt.Sprintf("sv:%d:1", i-1))
					cb = u.press(t, q.MessageID, fmt.Sprintf("sv:%d:1", i-1))
				}
			}
			u.expect(t, tgZh("survey.thanks", s.Title))
			done, err := db.HasAnswered(ctx, "opinions", tgPersonID(t, db, "钱七"))
			if err != nil || !done {
				t.Errorf("survey not recorded: %v %v", done, err)
			}
		}},

		{"leave and cancel", func(t *testing.T) {
			u := env.user(1006, "孙八")
			u.text(t, "/leave")
			u.expect(t, tgZh("leave.usage"))
			from, to := env.today.AddDays(1), env.today.AddDays(3)
			u.text(t, "/leave "+from.String()+" "+to.String())
			// The leave's number comes first; what follows is fixed.
			ok := tgZh("leave.ok", 0, from, to, to.AddDays(1))
			u.expect(t, ok[strings.Index(ok, from.String()):])
			u.text(t, "/opinion")
			u.expect(t, tgZh("opinion.ask"))
			u.text(t, "/cancel")
			u.expect(t, tgZh("cancel.ok"))
			u.text(t, "/cancel")
			u.expect(t, tgZh("cancel.nothing"))
			leaves, err := db.FindLeaves(ctx, tgPersonID(t, db, "孙八"))
			if err != nil || len(leaves) != 1 || leaves[0].From != from || leaves[0].To != to {
				t.Errorf("leaves: %+v %v", leaves, err)
			}
		}},

		{"reply to a prompt", func(t *testing.T) {
			u := env.user(1007, "周九")
			pid := tgPersonID(t, db, "周九")
			now := time.Now()
			prompt := &campaignbot.OutboxMessage{
				Key: "e2e:prompt:study-notes", Platform: campaignbot.PlatformTelegram, ChatID: "1007", PersonID: pid,
				Kind: campaignbot.KindWarning, TaskKey: "study-notes",
				Text:    "提醒：本周学习笔记还没有提交。直接回复这条消息即可提交。",
				Buttons: [][]campaignbot.Button{{{Text: "提交学习笔记", Data: "/submit study-notes"}}},
				Status:  campaignbot.OutboxPending, NextAt: now, CreatedAt: now,
			}
			if n, err := db.EnqueueOutbox(ctx, []*campaignbot.OutboxMessage{prompt}); err != nil || n != 1 {
				t.Fatalf("enqueue prompt: %d %v", n, err)
			}
			sent := u.expect(t, "提醒：本周学习笔记还没有提交")
			tgRequireButton(t, sent, "/submit study-notes")
			u.reply(t, sent.MessageID, "回复提醒：本周学习了会议精神。")
			u.expect(t, tgAck(1, 0))
			subs := tgSubmissions(t, db, pid)
			if len(subs) != 1 || subs[0].TaskKey != "study-notes" || subs[0].Text != "回复提醒：本周学习了会议精神。" {
				t.Errorf("submissions after replying to the prompt: %+v", subs)
			}
		}},
	}
	// Subtests run from their own goroutines are not held to -parallel:
	// the flows mostly wait for the outbox's per-chat pacing.
	var wg sync.WaitGroup
	for _, f := range flows {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(f.name, f.run)
		}()
	}
	wg.Wait()
}

// TestTelegramStoredUpdateProcessedOnce is a crash between receipt and
// processing: the previous process stored an update and confirmed it to
// Telegram, then died. The next start processes it exactly once and
// acknowledges it exactly once; the start after that does nothing more.
func TestTelegramStoredUpdateProcessedOnce(t *testing.T) {
	t.Parallel()
	env := newTGEnv(t)
	ctx := context.Background()
	db := env.openDB(t)
	tgBind(t, db, "李四", 1002)
	pid := tgPersonID(t, db, "李四")
	m := env.fake.NewMessage(1002, "lisi", "/note 崩溃前收到的笔记")
	id := env.fake.AddMessage(m)
	raw, err := json.Marshal(models.Update{ID: id, Message: m})
	if err != nil {
		t.Fatal(err)
	}
	in := &campaignbot.Inbound{Platform: campaignbot.PlatformTelegram, Key: tgID(id), Payload: raw}
	if _, err := db.SaveInbound(ctx, in); err != nil {
		t.Fatal(err)
	}
	env.confirm(t, id+1)
	if p := env.fake.Pending(); len(p) != 0 {
		t.Fatalf("the fake still offers %v", p)
	}

	u := env.user(1002, "李四")
	r := env.runCommand(t)
	u.expect(t, tgAck(1, 0))
	r.stop(t)

	r = env.runCommand(t)
	u.text(t, "/mine")
	u.expect(t, tgZh("mine.header", 1))
	r.stop(t)

	if subs := tgSubmissions(t, db, pid); len(subs) != 1 || subs[0].Text != "崩溃前收到的笔记" {
		t.Errorf("submissions: %+v", subs)
	}
	if n := u.count(tgAck(1, 0)); n != 1 {
		t.Errorf("acknowledged %d times, want once", n)
	}
	pending, err := db.PendingInbound(ctx, 10)
	if err != nil || len(pending) != 0 {
		t.Errorf("pending updates: %d %v", len(pending), err)
	}
}

// TestTelegramTokenNotLogged starts the bot against a Bot API that is down
// or refuses the token: it waits, says why, and neither the log nor an
// error holds the token.
func TestTelegramTokenNotLogged(t *testing.T) {
	t.Parallel()
	env := newTGEnv(t)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	refused := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
	}))
	defer refused.Close()
	for _, tc := range []struct {
		name, url string
		wait      time.Duration
		code      int
		log       string
	}{
		// A Bot API that is down is waited for (it must not take the rest
		// of the program down); the run ends cleanly when stopped.
		{"down", down.URL, 2 * time.Second, exitOK, "telegram not reachable; retrying"},
		// A token the Bot API refuses (revoked) is a fault of the
		// deployment: reported with what to fix, and tried again until
		// fixed, without taking the other platforms down.
		{"unauthorized", refused.URL, 2 * time.Second, exitOK, "TELEGRAM_BOT_TOKEN"},
	} {
		for _, format := range []string{"text", "json"} {
			getenv := func(k string) string {
				if k == "TELEGRAM_API_URL" {
					return tc.url
				}
				return env.getenv(k)
			}
			var stderr tgLogBuffer
			ctx, cancel := context.WithTimeout(context.Background(), tc.wait)
			code := Run(ctx, []string{"run", "--db", env.db, "--plan", env.plan, "--log-format", format},
				IO{In: strings.NewReader(""), Out: io.Discard, Err: &stderr}, getenv)
			cancel()
			logs := stderr.String()
			if code != tc.code || !strings.Contains(logs, "getMe") || !strings.Contains(logs, tc.log) {
				t.Errorf("%s, %s: status %d, want %d naming getMe and %q:\n%s", tc.name, format, code, tc.code, tc.log, logs)
			}
			tgAssertNoSecrets(t, logs)
		}
	}
}

// tgRaceEnabled reports whether this test binary was built with -race.
func tgRaceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// tgBuildBinary builds campaignbot (with -race if the tests are) and returns
// its path.
func tgBuildBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build campaignbot: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "campaignbot")
	args := []string{"build", "-o", bin}
	if tgRaceEnabled() {
		args = append(args, "-race")
	}
	cmd := exec.Command(goTool, append(args, "./cmd/campaignbot")...)
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// tgProc is one process of the built binary.
type tgProc struct {
	cmd    *exec.Cmd
	stderr *tgLogBuffer
	done   chan struct{}
	err    error
}

// startBinary runs "campaignbot run" against the fake.
func (env *tgEnv) startBinary(t *testing.T, bin string) *tgProc {
	t.Helper()
	p := &tgProc{stderr: &tgLogBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "run", "--db", env.db, "--plan", env.plan)
	p.cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + env.dir,
		"TELEGRAM_BOT_TOKEN=" + tgToken,
		"TELEGRAM_API_URL=" + env.fake.URL(),
		"GORACE=halt_on_error=1",
	}
	if env.listen != "" {
		p.cmd.Args = append(p.cmd.Args, "--listen", env.listen)
		// The public URL is https; TLS ends at the proxy in front, and
		// the test posts the fake's updates to --listen as that proxy would.
		p.cmd.Env = append(p.cmd.Env, "TELEGRAM_WEBHOOK_URL="+tgHookURL, "TELEGRAM_WEBHOOK_SECRET="+tgSecret)
	}
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	return p
}

// kill kills the process and waits until it is gone.
func (p *tgProc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// TestTelegramKilledMidStream runs the built binary against many /note
// updates and SIGKILLs it twice: once right as it confirms the first batch
// of updates to Telegram (stored, mostly unprocessed), once while an
// acknowledgement is in flight. After the third start every update has
// produced exactly one submission and one acknowledgement — except the one
// acknowledgement in flight at the second kill, which Telegram had
// received but the dead process had not recorded as sent: the Bot API has
// no idempotent send, so the next process sends it again (the dispatcher's
// documented at-least-once window).
func TestTelegramKilledMidStream(t *testing.T) {
	t.Parallel()
	env := newTGEnv(t)
	bin := tgBuildBinary(t)
	const users, notes = 10, 3
	db := env.openDB(t)
	members := make([]*tgUser, users)
	pids := make([]int64, users)
	for i := range members {
		name := fmt.Sprintf("成员%02d", i+1)
		members[i] = env.user(int64(2001+i), name)
		tgBind(t, db, name, members[i].id)
		pids[i] = tgPersonID(t, db, name)
	}
	noteText := func(user, n int) string { return fmt.Sprintf("成员%02d 的第 %d 篇笔记", user+1, n) }
	queue := func(n int) {
		for i, u := range members {
			u.text(t, "/note "+noteText(i, n))
		}
	}
	queue(1)
	queue(2)

	// Run 1: killed as it confirms the first batch.
	procs := make(chan *tgProc, 1)
	killNext := func() {
		select {
		case p := <-procs:
			p.kill()
		case <-time.After(tgWait): // the test failed before starting it
		}
	}
	var killed1 atomic.Bool
	env.fake.OnCall("getUpdates", func(c telegramtest.Call) {
		if off, _ := strconv.ParseInt(c.Params["offset"], 10, 64); off > 0 && killed1.CompareAndSwap(false, true) {
			killNext()
		}
	})
	started := time.Now()
	p1 := env.startBinary(t, bin)
	procs <- p1
	tgWaitFor(t, "the first poll", func() bool { return len(env.fake.Offsets()) > 0 })
	t.Logf("the binary was polling %s after it started", time.Since(started).Round(time.Millisecond))
	tgWaitFor(t, "the first kill", killed1.Load)
	<-p1.done
	// The poll that carried the offset reached Telegram: what it confirms
	// is gone from there.
	tgWaitFor(t, "the first batch confirmed", func() bool { return len(env.fake.Pending()) == 0 })
	env.fake.OnCall("getUpdates", nil)
	pending, err := db.PendingInbound(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first kill: %d of %d updates stored and confirmed but not processed", len(pending), 2*users)
	queue(3) // while the bot is down

	// Run 2: killed while the fourth message it sends is in flight.
	var sends atomic.Int32
	inFlightc := make(chan telegramtest.Call, 1)
	env.fake.OnCall("sendMessage", func(c telegramtest.Call) {
		if sends.Add(1) == 4 {
			killNext()
			inFlightc <- c
		}
	})
	p2 := env.startBinary(t, bin)
	procs <- p2
	var inFlight telegramtest.Call
	select {
	case inFlight = <-inFlightc:
	case <-time.After(tgWait):
		t.Fatal("timed out waiting for the fourth sendMessage")
	}
	env.fake.OnCall("sendMessage", nil)

	// Run 3: to the end.
	p3 := env.startBinary(t, bin)
	for _, u := range members {
		for v := 1; v <= notes; v++ {
			u.expect(t, tgAck(v, 0))
		}
	}
	tgWaitFor(t, "all updates confirmed", func() bool { return len(env.fake.Pending()) == 0 })
	// Signal only a process that has started (its signal handling set up).
	tgWaitFor(t, "run 3 to start", func() bool { return strings.Contains(p3.stderr.String(), "campaignbot running") })
	if err := p3.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p3.done:
		if p3.err != nil {
			t.Errorf("campaignbot run after SIGINT: %v\n%s", p3.err, p3.stderr.String())
		}
	case <-time.After(tgWait):
		t.Fatal("campaignbot did not stop on SIGINT")
	}
	for _, p := range []*tgProc{p1, p2, p3} {
		tgAssertNoSecrets(t, p.stderr.String())
	}

	for i, u := range members {
		var got []string
		for _, s := range tgSubmissions(t, db, pids[i]) {
			got = append(got, s.Text)
		}
		slices.Sort(got)
		var want []string
		for n := 1; n <= notes; n++ {
			want = append(want, noteText(i, n))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: submissions %q, want %q", u.name, got, want)
		}
		for v := 1; v <= notes; v++ {
			n, limit := u.count(tgAck(v, 0)), 1
			if inFlight.Params["chat_id"] == tgID(u.id) && inFlight.Params["text"] == tgAck(v, 0) {
				limit = 2
				t.Logf("the acknowledgement in flight at the kill (%s, version %d) was sent %d times", u.name, v, n)
			}
			if n < 1 || n > limit {
				t.Errorf("%s: version %d acknowledged %d times, want 1..%d", u.name, v, n, limit)
			}
		}
	}
}
