package telegramtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"campaignbot/bot/telegram/telegramtest"
)

const token = "123456:TEST-token"

func newBot(t *testing.T, s *telegramtest.Server, opts ...tgbot.Option) *tgbot.Bot {
	t.Helper()
	opts = append([]tgbot.Option{tgbot.WithServerURL(s.URL())}, opts...)
	b, err := tgbot.New(token, opts...)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return b
}

func TestGetMe(t *testing.T) {
	s := telegramtest.NewServer(t, token, telegramtest.WithBotUsername("my_bot"))
	b := newBot(t, s) // bot.New calls getMe
	me, err := b.GetMe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := me.Username, "my_bot"; got != want {
		t.Errorf("username = %q, want %q", got, want)
	}
	if got, want := me.ID, int64(123456); got != want {
		t.Errorf("id = %d, want %d", got, want)
	}
	if got, want := len(s.CallsOf("getMe")), 2; got != want {
		t.Errorf("getMe calls = %d, want %d", got, want)
	}
}

func TestWrongToken(t *testing.T) {
	s := telegramtest.NewServer(t, token)
	_, err := tgbot.New("999:wrong", tgbot.WithServerURL(s.URL()))
	if !errors.Is(err, tgbot.ErrorUnauthorized) {
		t.Fatalf("err = %v, want unauthorized", err)
	}
	resp, err := http.Get(s.URL() + "/bot999:wrong/getMe")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if got, want := resp.StatusCode, 401; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
	if got, want := strings.TrimSpace(string(body)), `{"ok":false,"error_code":401,"description":"Unauthorized"}`; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

func TestSendMessageMultipart(t *testing.T) {
	s := telegramtest.NewServer(t, token)
	b := newBot(t, s, tgbot.WithSkipGetMe())
	markup := map[string]any{"inline_keyboard": [][]map[string]string{{{"text": "OK", "callback_data": "ok"}}}}
	msg, err := b.SendMessage(context.Background(), &tgbot.SendMessageParams{
		ChatID:          int64(42),
		Text:            "你好 <b>",
		ParseMode:       models.ParseModeHTML,
		ReplyMarkup:     markup,
		ReplyParameters: &models.ReplyParameters{MessageID: 7},
	})
	if err != nil {
		t.Fatal(err)
	}
	sent := s.Sent(42)
	if got, want := len(sent), 1; got != want {
		t.Fatalf("sent = %d, want %d", got, want)
	}
	m := sent[0]
	if got, want := m.MessageID, msg.ID; got != want {
		t.Errorf("message_id = %d, want %d", got, want)
	}
	if got, want := m.Text, "你好 <b>"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	if got, want := m.ParseMode, "HTML"; got != want {
		t.Errorf("parse_mode = %q, want %q", got, want)
	}
	if got, want := m.ReplyMarkup, `{"inline_keyboard":[[{"callback_data":"ok","text":"OK"}]]}`; got != want {
		t.Errorf("reply_markup = %s, want %s", got, want)
	}
	var rp models.ReplyParameters
	if err := json.Unmarshal([]byte(m.ReplyParameters), &rp); err != nil || rp.MessageID != 7 {
		t.Errorf("reply_parameters = %s (%v), want message_id 7", m.ReplyParameters, err)
	}
	second, err := b.SendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: 42, Text: "again"})
	if err != nil {
		t.Fatal(err)
	}
	if second.ID == msg.ID {
		t.Errorf("message ids repeat: %d", msg.ID)
	}
}

// The library's own button type always carries copy_text, which Telegram
// refuses; the fake refuses it too.
func TestLibraryButtonRejected(t *testing.T) {
	s := telegramtest.NewServer(t, token)
	b := newBot(t, s, tgbot.WithSkipGetMe())
	_, err := b.SendMessage(context.Background(), &tgbot.SendMessageParams{
		ChatID: 1, Text: "x",
		ReplyMarkup: models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "a", CallbackData: "a"}}}},
	})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "BUTTON_COPY_TEXT_INVALID") {
		t.Fatalf("err = %v, want BUTTON_COPY_TEXT_INVALID", err)
	}
}

func TestJSONAndFormBodies(t *testing.T) {
	s := telegramtest.NewServer(t, token)
	base := s.URL() + "/bot" + token + "/sendMessage"
	resp, err := http.Post(base, "application/json", strings.NewReader(`{"chat_id":5,"text":"json"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = http.PostForm(base, url.Values{"chat_id": {"5"}, "text": {"form"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var texts []string
	for _, m := range s.Sent(5) {
		texts = append(texts, m.Text)
	}
	if got, want := strings.Join(texts, ","), "json,form"; got != want {
		t.Errorf("texts = %s, want %s", got, want)
	}
}

func TestFailNext(t *testing.T) {
	tests := []struct {
		status int
		check  func(error) bool
	}{
		{429, func(err error) bool {
			var tmr *tgbot.TooManyRequestsError
			return errors.As(err, &tmr) && tmr.RetryAfter == 7
		}},
		{403, func(err error) bool {
			return errors.Is(err, tgbot.ErrorForbidden) && strings.Contains(err.Error(), "bot was blocked by the user")
		}},
		{400, func(err error) bool { return errors.Is(err, tgbot.ErrorBadRequest) }},
		{502, func(err error) bool { return err != nil && strings.Contains(err.Error(), "502") }},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			s := telegramtest.NewServer(t, token)
			b := newBot(t, s, tgbot.WithSkipGetMe())
			s.FailNext("sendMessage", tt.status, 7)
			_, err := b.SendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: 1, Text: "a"})
			if !tt.check(err) {
				t.Errorf("err = %v", err)
			}
			if _, err := b.SendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: 1, Text: "b"}); err != nil {
				t.Errorf("second call: %v", err)
			}
			if got, want := len(s.Sent(1)), 1; got != want {
				t.Errorf("sent = %d, want %d", got, want)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	s := telegramtest.NewServer(t, token)
	b := newBot(t, s, tgbot.WithSkipGetMe())
	s.RateLimit(3)
	var limited int
	for i := range 5 {
		_, err := b.SendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: 1, Text: "m"})
		var tmr *tgbot.TooManyRequestsError
		if errors.As(err, &tmr) {
			limited++
			if tmr.RetryAfter < 1 {
				t.Errorf("call %d: retry_after = %d, want >= 1", i, tmr.RetryAfter)
			}
		} else if err != nil {
			t.Fatal(err)
		}
	}
	// Five calls within well under a second: three pass, two are refused.
	if got, want := limited, 2; got != want {
		t.Errorf("limited = %d, want %d", got, want)
	}
	if got, want := s.Throttled(), 2; got != want {
		t.Errorf("Throttled = %d, want %d", got, want)
	}
}

type updatesResponse struct {
	OK     bool            `json:"ok"`
	Result []models.Update `json:"result"`
}

func getUpdates(t *testing.T, s *telegramtest.Server, offset, timeout int) []models.Update {
	t.Helper()
	resp, err := http.PostForm(s.URL()+"/bot"+token+"/getUpdates",
		url.Values{"offset": {strconv.Itoa(offset)}, "timeout": {strconv.Itoa(timeout)}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r updatesResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r.Result
}

func TestGetUpdatesLongPoll(t *testing.T) {
	s := telegramtest.NewServer(t, token)
	done := make(chan []models.Update)
	go func() {
		resp, err := http.PostForm(s.URL()+"/bot"+token+"/getUpdates", url.Values{"timeout": {"30"}})
		if err != nil {
			done <- nil
			return
		}
		defer resp.Body.Close()
		var r updatesResponse
		_ = json.NewDecoder(resp.Body).Decode(&r)
		done <- r.Result
	}()
	// Wait until the poll is parked, then add an update: it must return it.
	waitFor(t, func() bool { return len(s.Offsets()) == 1 })
	id := s.SendText(77, "alice", "/start ABC")
	got := <-done
	if len(got) != 1 || got[0].Message == nil || got[0].Message.ID != id || got[0].Message.Text != "/start ABC" {
		t.Fatalf("updates = %+v", got)
	}
	if e := got[0].Message.Entities; len(e) != 1 || e[0].Type != models.MessageEntityTypeBotCommand || e[0].Length != 6 {
		t.Errorf("entities = %+v", e)
	}
	// Unconfirmed updates come again; an offset past them confirms them.
	if again := getUpdates(t, s, 0, 0); len(again) != 1 {
		t.Errorf("redelivered = %d, want 1", len(again))
	}
	if after := getUpdates(t, s, int(got[0].ID)+1, 0); len(after) != 0 {
		t.Errorf("after confirm = %d, want 0", len(after))
	}
	if got, want := s.Pending(), []int64(nil); len(got) != len(want) {
		t.Errorf("pending = %v", got)
	}
	offs := s.Offsets()
	if got, want := offs[len(offs)-1], got[0].ID+1; got != want {
		t.Errorf("last offset = %d, want %d", got, want)
	}
}

// The library's own polling loop receives what the fake queues.
func TestLibraryPolling(t *testing.T) {
	s := telegramtest.NewServer(t, token)
	got := make(chan *models.Update, 1)
	b := newBot(t, s, tgbot.WithSkipGetMe(), tgbot.WithHTTPClient(2*time.Second, http.DefaultClient),
		tgbot.WithDefaultHandler(func(_ context.Context, _ *tgbot.Bot, u *models.Update) { got <- u }))
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { b.Start(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()
	cb := s.PressButton(9, 3, "task:notes")
	u := <-got
	if u.CallbackQuery == nil || u.CallbackQuery.ID != cb || u.CallbackQuery.Data != "task:notes" {
		t.Fatalf("update = %+v", u)
	}
	if m := u.CallbackQuery.Message.Message; m == nil || m.ID != 3 || m.Chat.ID != 9 {
		t.Errorf("callback message = %+v", u.CallbackQuery.Message)
	}
}

func TestGetFileAndDownload(t *testing.T) {
	s := telegramtest.NewServer(t, token)
	b := newBot(t, s, tgbot.WithSkipGetMe())
	data := bytes.Repeat([]byte("photo"), 100)
	s.SendPhoto(5, "page 1", data)
	ups := getUpdates(t, s, 0, 0)
	if len(ups) != 1 || len(ups[0].Message.Photo) != 3 {
		t.Fatalf("updates = %+v", ups)
	}
	largest := ups[0].Message.Photo[2]
	f, err := b.GetFile(context.Background(), &tgbot.GetFileParams{FileID: largest.FileID})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.FileSize, int64(len(data)); got != want {
		t.Errorf("file_size = %d, want %d", got, want)
	}
	resp, err := http.Get(b.FileDownloadLink(f))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !bytes.Equal(body, data) {
		t.Errorf("downloaded %d bytes, want %d", len(body), len(data))
	}
	if _, err := b.GetFile(context.Background(), &tgbot.GetFileParams{FileID: "nope"}); !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Errorf("unknown file: err = %v", err)
	}
}

func TestSendDocumentUpload(t *testing.T) {
	s := telegramtest.NewServer(t, token)
	b := newBot(t, s, tgbot.WithSkipGetMe())
	_, err := b.SendDocument(context.Background(), &tgbot.SendDocumentParams{
		ChatID:   int64(-100),
		Document: &models.InputFileUpload{Filename: "ledger.xlsx", Data: strings.NewReader("xlsx bytes")},
		Caption:  "台账",
	})
	if err != nil {
		t.Fatal(err)
	}
	sent := s.Sent(-100)
	if len(sent) != 1 || sent[0].File == nil {
		t.Fatalf("sent = %+v", sent)
	}
	if got, want := sent[0].File.Filename, "ledger.xlsx"; got != want {
		t.Errorf("filename = %q, want %q", got, want)
	}
	if got, want := string(sent[0].File.Data), "xlsx bytes"; got != want {
		t.Errorf("data = %q, want %q", got, want)
	}
	if got, want := sent[0].Text, "台账"; got != want {
		t.Errorf("caption = %q, want %q", got, want)
	}
}

func TestWebhookAndCommands(t *testing.T) {
	s := telegramtest.NewServer(t, token)
	b := newBot(t, s, tgbot.WithSkipGetMe())
	ctx := context.Background()
	if _, err := b.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: "https://x/telegram/webhook", SecretToken: "s3", AllowedUpdates: []string{"message"}}); err != nil {
		t.Fatal(err)
	}
	if got, want := s.Webhook().SecretToken, "s3"; got != want {
		t.Errorf("secret = %q, want %q", got, want)
	}
	resp, err := http.PostForm(s.URL()+"/bot"+token+"/getUpdates", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.StatusCode, http.StatusConflict; got != want {
		t.Errorf("getUpdates with webhook: status %d, want %d", got, want)
	}
	if _, err := b.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
		t.Fatal(err)
	}
	if got := s.Webhook().URL; got != "" {
		t.Errorf("webhook after delete = %q", got)
	}
	_, err = b.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{
		Commands:     []models.BotCommand{{Command: "help", Description: "帮助"}},
		Scope:        &models.BotCommandScopeDefault{},
		LanguageCode: "zh",
	})
	if err != nil {
		t.Fatal(err)
	}
	cs := s.Commands()
	if len(cs) != 1 || cs[0].Scope != "default" || cs[0].LanguageCode != "zh" || cs[0].Commands[0].Command != "help" {
		t.Errorf("commands = %+v", cs)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(time.Millisecond)
	}
}
