package telegramtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"campaignbot/bot/telegram/telegramtest"
)

// rawCall posts params as JSON to method and returns the decoded answer.
func rawCall(t *testing.T, s *telegramtest.Server, method string, params map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(params)
	resp, err := http.Post(s.URL()+"/bot"+token+"/"+method, "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFaultAnswers(t *testing.T) {
	s := telegramtest.NewServer(t, token)
	b := newBot(t, s)
	ctx := context.Background()

	s.RevokeToken()
	if _, err := b.GetMe(ctx); !errors.Is(err, tgbot.ErrorUnauthorized) {
		t.Errorf("revoked token: %v, want 401", err)
	}
	s.RestoreToken()

	s.MigrateGroup(-100, -1009, 1)
	_, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: -100, Text: "x"})
	var mig *tgbot.MigrateError
	if !errors.As(err, &mig) || mig.MigrateToChatID != -1009 {
		t.Errorf("migrated group: %v, want migrate_to_chat_id -1009", err)
	}
	s.RemoveFromGroup(-200, 1)
	if _, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: -200, Text: "x"}); !errors.Is(err, tgbot.ErrorForbidden) {
		t.Errorf("removed from group: %v, want 403", err)
	}
	s.RefusePhotos(true)
	_, err = b.SendPhoto(ctx, &tgbot.SendPhotoParams{ChatID: 7, Photo: &models.InputFileUpload{Filename: "a.jpg", Data: strings.NewReader("jpeg")}})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "PHOTO_INVALID_DIMENSIONS") {
		t.Errorf("refused photo: %v", err)
	}
	s.StrictChats()
	if _, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: 8, Text: "x"}); err == nil || !strings.Contains(err.Error(), "chat not found") {
		t.Errorf("unknown chat under StrictChats: %v, want chat not found", err)
	}
	s.SendText(8, "u8", "hi")
	if _, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: 8, Text: "x"}); err != nil {
		t.Errorf("chat that wrote: %v", err)
	}

	// The service messages and membership updates were queued; a poll
	// asking for messages only drops the my_chat_member one for good.
	got := rawCall(t, s, "getUpdates", map[string]any{"allowed_updates": []string{"message"}})
	for _, u := range got["result"].([]any) {
		if _, ok := u.(map[string]any)["my_chat_member"]; ok {
			t.Errorf("allowed_updates [message] delivered %v", u)
		}
	}
	if len(got["result"].([]any)) != 3 { // two migration service messages and the text
		t.Errorf("updates = %v, want the two service messages and the text", got["result"])
	}
}

// After RestartUpdateIDs, an offset beyond the new sequence confirms
// nothing, and the new updates come at once.
func TestRestartUpdateIDs(t *testing.T) {
	s := telegramtest.NewServer(t, token)
	s.AddUpdate(models.Update{ID: 900, Message: s.NewMessage(7, "u", "old")})
	rawCall(t, s, "getUpdates", map[string]any{"offset": 901})
	s.RestartUpdateIDs(5)
	id := s.AddMessage(s.NewMessage(7, "u", "new"))
	if id != 5 {
		t.Fatalf("update id %d, want 5", id)
	}
	got := rawCall(t, s, "getUpdates", map[string]any{"offset": 901, "timeout": 5})
	if r := got["result"].([]any); len(r) != 1 {
		t.Fatalf("getUpdates with the old offset = %v, want the new update at once", got)
	}
	rawCall(t, s, "getUpdates", map[string]any{"offset": 6})
	if p := s.Pending(); len(p) != 0 {
		t.Errorf("pending %v after offset 6", p)
	}
}

// The webhook mode posts each update with the secret header, again until
// the bot answers 2xx, and confirms it then; getUpdates is refused.
func TestWebhookDelivery(t *testing.T) {
	s := telegramtest.NewServer(t, token)
	var mu sync.Mutex
	var got []string
	fail := 2
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3cret" {
			http.Error(w, "no secret", http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if fail > 0 {
			fail--
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		var u models.Update
		_ = json.Unmarshal(body, &u)
		got = append(got, u.Message.Text)
	}))
	defer hook.Close()
	if r := rawCall(t, s, "setWebhook", map[string]any{"url": hook.URL, "secret_token": "s3cret"}); r["ok"] != false {
		t.Fatalf("setWebhook took a plain http URL: %v", r)
	}
	s.ProxyWebhooks(hook.Listener.Addr().String())
	if r := rawCall(t, s, "setWebhook", map[string]any{"url": "https://bot.example.test/hook", "secret_token": "s3cret"}); r["ok"] != true {
		t.Fatal(r)
	}
	s.SendText(7, "u", "one")
	s.SendText(7, "u", "two")
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivered %v", got)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got[0] != "one" || got[1] != "two" {
		t.Errorf("delivered %v, want in order", got)
	}
	// The fake records a delivery once the bot's answer is back, a moment
	// after the bot has the update.
	for len(s.Deliveries()) < 4 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	d := s.Deliveries()
	if len(d) != 4 || d[0].Status != 500 || d[1].Status != 500 || d[2].Status != 200 {
		t.Errorf("deliveries %+v, want two failures, then both", d)
	}
	if len(s.Pending()) != 0 {
		t.Errorf("pending %v", s.Pending())
	}
	if r := rawCall(t, s, "getUpdates", map[string]any{}); r["error_code"] != float64(409) {
		t.Errorf("getUpdates with a webhook: %v, want 409", r)
	}
}
