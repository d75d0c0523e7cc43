package telegram

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"campaignbot"
	"campaignbot/bot/telegram/telegramtest"
)

func newSender(t *testing.T, fake *telegramtest.Server, files Files, opts ...Option) *Sender {
	t.Helper()
	opts = append([]Option{WithServerURL(fake.URL()), WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	s, err := NewSender(testToken, files, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSplitText(t *testing.T) {
	para := strings.Repeat("学", 30)
	tests := []struct {
		name  string
		in    string
		limit int
		want  []string
	}{
		{"fits", "a\n\nb", 10, []string{"a\n\nb"}},
		{"empty", "", 10, nil},
		{"blank", " \n ", 10, nil},
		{"paragraphs", "aaaa\n\nbbbb\n\ncc", 10, []string{"aaaa\n\nbbbb", "cc"}},
		{"lines", "aaaa\nbbbb\ncccc", 10, []string{"aaaa\nbbbb", "cccc"}},
		{"paragraph then lines", "aa\n\nbbbbbb\ncccccc", 8, []string{"aa", "bbbbbb", "cccccc"}},
		{"runes", "一二三四五六七", 3, []string{"一二三", "四五六", "七"}},
		{"emoji count two", "😀😀😀", 4, []string{"😀😀", "😀"}},
		{"chinese paragraphs", para + "\n\n" + para, 40, []string{para, para}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SplitText(tt.in, tt.limit)
			if !slices.Equal(got, tt.want) {
				t.Errorf("SplitText(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
			for _, p := range got {
				if units(p) > tt.limit {
					t.Errorf("part %q is %d units, over %d", p, units(p), tt.limit)
				}
			}
		})
	}
}

// longText returns about n characters in paragraphs of 100.
func longText(n int) string {
	var paras []string
	for i := 0; len(paras)*102 < n; i++ {
		paras = append(paras, strings.Repeat(string(rune('a'+i%26)), 50)+strings.Repeat("改", 50))
	}
	return strings.Join(paras, "\n\n")
}

func TestSendSplitsLongText(t *testing.T) {
	fake := telegramtest.NewServer(t, testToken)
	s := newSender(t, fake, nil)
	text := longText(10000)
	buttons := [][]campaignbot.Button{{{Text: "提交", Data: "task:study-notes"}}}
	id, err := s.Send(context.Background(), &campaignbot.OutboxMessage{ID: 1, Key: "k1", ChatID: "7", Text: text, Buttons: buttons})
	if err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent(7)
	if got, want := len(sent), 3; got != want {
		t.Fatalf("parts = %d, want %d", got, want)
	}
	var parts []string
	for i, m := range sent {
		parts = append(parts, m.Text)
		if units(m.Text) > MaxTextLen {
			t.Errorf("part %d has %d units", i, units(m.Text))
		}
		if m.ParseMode != "" {
			t.Errorf("part %d parse_mode = %q, want plain text", i, m.ParseMode)
		}
		if hasMarkup := m.ReplyMarkup != ""; hasMarkup != (i == len(sent)-1) {
			t.Errorf("part %d reply_markup = %q; buttons belong on the last part only", i, m.ReplyMarkup)
		}
	}
	if strings.Join(parts, "\n\n") != text {
		t.Error("parts do not join back into the text at paragraph boundaries")
	}
	if got, want := sent[2].ReplyMarkup, `{"inline_keyboard":[[{"text":"提交","callback_data":"task:study-notes"}]]}`; got != want {
		t.Errorf("reply_markup = %s, want %s", got, want)
	}
	if got, want := id, strconv.Itoa(sent[2].MessageID); got != want {
		t.Errorf("id = %s, want the last part's %s", got, want)
	}
}

// A failure in the middle of a split message does not repeat the parts
// already delivered.
func TestSendResumesSplitMessage(t *testing.T) {
	fake := telegramtest.NewServer(t, testToken)
	s := newSender(t, fake, nil)
	calls := 0
	fake.OnCall("sendMessage", func(telegramtest.Call) {
		calls++
		if calls == 2 {
			fake.FailNext("sendMessage", http.StatusTooManyRequests, 3)
		}
	})
	m := &campaignbot.OutboxMessage{ID: 1, Key: "digest:1", ChatID: "7", Text: longText(10000)}
	_, err := s.Send(context.Background(), m)
	var se *campaignbot.SendError
	if !errors.As(err, &se) || se.RetryAfter != 3*time.Second {
		t.Fatalf("err = %v, want retry after 3s", err)
	}
	if got, want := len(fake.Sent(7)), 1; got != want {
		t.Errorf("sent before retry = %d, want %d", got, want)
	}
	if _, err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if got, want := len(fake.Sent(7)), 3; got != want {
		t.Errorf("sent after retry = %d, want %d", got, want)
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		description string
		want        campaignbot.SendError
	}{
		{"429", http.StatusTooManyRequests, "", campaignbot.SendError{RetryAfter: 5 * time.Second}},
		{"blocked", http.StatusForbidden, "", campaignbot.SendError{Unreachable: true}},
		{"deactivated", http.StatusForbidden, "Forbidden: user is deactivated", campaignbot.SendError{Unreachable: true}},
		{"chat not found", http.StatusBadRequest, "Bad Request: chat not found", campaignbot.SendError{Unreachable: true}},
		{"bad request", http.StatusBadRequest, "Bad Request: message text is empty", campaignbot.SendError{Permanent: true}},
		{"server error", http.StatusBadGateway, "Bad Gateway", campaignbot.SendError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := telegramtest.NewServer(t, testToken)
			s := newSender(t, fake, nil)
			fake.FailNextWith("sendMessage", tt.status, tt.description, 5)
			_, err := s.Send(context.Background(), &campaignbot.OutboxMessage{ID: 1, Key: "k", ChatID: "7", Text: "hi"})
			var se *campaignbot.SendError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SendError", err)
			}
			got := campaignbot.SendError{RetryAfter: se.RetryAfter, Permanent: se.Permanent, Unreachable: se.Unreachable}
			if got != tt.want {
				t.Errorf("SendError = %+v, want %+v (%v)", got, tt.want, se.Err)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}

func TestSendNetworkErrorRetryable(t *testing.T) {
	fake := telegramtest.NewServer(t, testToken)
	s := newSender(t, fake, nil)
	fake.Close()
	_, err := s.Send(context.Background(), &campaignbot.OutboxMessage{ID: 1, Key: "k", ChatID: "7", Text: "hi"})
	var se *campaignbot.SendError
	if !errors.As(err, &se) || se.Permanent || se.Unreachable || se.RetryAfter != 0 {
		t.Fatalf("err = %v, want retryable SendError", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("error shows the token: %v", err)
	}
}

func TestSendToGroup(t *testing.T) {
	fake := telegramtest.NewServer(t, testToken)
	s := newSender(t, fake, nil, WithGroupChatID("-100123"))
	if _, err := s.Send(context.Background(), &campaignbot.OutboxMessage{Key: "ledger", ChatID: "group", Text: "台账"}); err != nil {
		t.Fatal(err)
	}
	if got := fake.Sent(-100123); len(got) != 1 || got[0].Text != "台账" {
		t.Errorf("group got %+v", got)
	}
	noGroup := newSender(t, fake, nil)
	_, err := noGroup.Send(context.Background(), &campaignbot.OutboxMessage{Key: "ledger", ChatID: "group", Text: "台账"})
	var se *campaignbot.SendError
	if !errors.As(err, &se) || !se.Permanent {
		t.Errorf("no group configured: err = %v, want permanent", err)
	}
}

func TestButtonsValidated(t *testing.T) {
	tests := []struct {
		name string
		b    campaignbot.Button
		ok   bool
	}{
		{"64 bytes", campaignbot.Button{Text: "ok", Data: strings.Repeat("x", 64)}, true},
		{"65 bytes", campaignbot.Button{Text: "long", Data: strings.Repeat("x", 65)}, false},
		{"22 chinese = 66 bytes", campaignbot.Button{Text: "zh", Data: strings.Repeat("题", 22)}, false},
		{"no data", campaignbot.Button{Text: "empty"}, false},
		{"no label", campaignbot.Button{Data: "x"}, false},
	}
	fake := telegramtest.NewServer(t, testToken)
	s := newSender(t, fake, nil)
	for _, tt := range tests {
		err := ValidateButtons([][]campaignbot.Button{{tt.b}})
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v", tt.name, err)
		}
		_, err = s.Send(context.Background(), &campaignbot.OutboxMessage{Key: tt.name, ChatID: "7", Text: "x", Buttons: [][]campaignbot.Button{{tt.b}}})
		var se *campaignbot.SendError
		if !tt.ok && (!errors.As(err, &se) || !se.Permanent) {
			t.Errorf("%s: Send err = %v, want permanent", tt.name, err)
		}
	}
	if got, want := len(fake.Sent(7)), 1; got != want {
		t.Errorf("sent = %d, want %d (only the valid button)", got, want)
	}
}

func TestSendFiles(t *testing.T) {
	fake := telegramtest.NewServer(t, testToken)
	db := mustOpenStore(t)
	s := newSender(t, fake, db)
	ctx := context.Background()
	png, err := db.SaveAttachment(ctx, "chart.png", "image/png", []byte("\x89PNG chart"))
	if err != nil {
		t.Fatal(err)
	}
	xlsx, err := db.SaveAttachment(ctx, "台账.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []byte("PK workbook"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Send(ctx, &campaignbot.OutboxMessage{Key: "digest", ChatID: "7", Text: "简报", Files: []campaignbot.Attachment{*png, *xlsx}})
	if err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent(7)
	if len(sent) != 3 {
		t.Fatalf("sent = %+v", sent)
	}
	if sent[1].Method != "sendPhoto" || string(sent[1].File.Data) != "\x89PNG chart" {
		t.Errorf("photo = %+v", sent[1])
	}
	if sent[2].Method != "sendDocument" || sent[2].File.Filename != "台账.xlsx" || string(sent[2].File.Data) != "PK workbook" {
		t.Errorf("document = %+v", sent[2])
	}
	if id != strconv.Itoa(sent[2].MessageID) {
		t.Errorf("id = %s, want %d", id, sent[2].MessageID)
	}
}

func TestSetCommands(t *testing.T) {
	fake := telegramtest.NewServer(t, testToken)
	s := newSender(t, fake, nil)
	cmds := map[string][]Command{
		"":   {{Name: "start", Description: "开始"}, {Name: "help", Description: "帮助"}},
		"zh": {{Name: "/start", Description: "开始"}, {Name: "tasks", Description: "我的任务"}},
		"en": {{Name: "start", Description: "start"}, {Name: "tasks", Description: "my tasks"}},
	}
	if err := s.SetCommands(context.Background(), cmds); err != nil {
		t.Fatal(err)
	}
	got := fake.Commands()
	if len(got) != 3 {
		t.Fatalf("command sets = %+v", got)
	}
	var langs []string
	for _, cs := range got {
		langs = append(langs, cs.LanguageCode)
		if cs.Scope != "default" {
			t.Errorf("scope = %q, want default", cs.Scope)
		}
	}
	if want := []string{"", "en", "zh"}; !slices.Equal(langs, want) {
		t.Errorf("languages = %q, want %q", langs, want)
	}
	if got, want := got[2].Commands, []models.BotCommand{{Command: "start", Description: "开始"}, {Command: "tasks", Description: "我的任务"}}; !slices.Equal(got, want) {
		t.Errorf("zh commands = %+v, want %+v", got, want)
	}
	bad := map[string][]Command{"": {{Name: "Tasks-2", Description: "x"}}}
	if err := s.SetCommands(context.Background(), bad); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
		t.Errorf("bad name: err = %v, want invalid", err)
	}
}

// TestSetCommandsWaitsOutFloodLimit: a 429 on setMyCommands is waited out
// (retry_after) and the menu is set after it, not given up.
func TestSetCommandsWaitsOutFloodLimit(t *testing.T) {
	fake := telegramtest.NewServer(t, testToken)
	s := newSender(t, fake, nil)
	fake.FailNext("setMyCommands", http.StatusTooManyRequests, 1)
	fake.FailNext("setMyCommands", http.StatusTooManyRequests, 1)
	if err := s.SetChatCommands(context.Background(), "4242", []Command{{Name: "digest", Description: "简报"}}); err != nil {
		t.Fatalf("SetChatCommands after two 429s: %v", err)
	}
	var statuses []int
	for _, c := range fake.CallsOf("setMyCommands") {
		statuses = append(statuses, c.Status)
	}
	if want := []int{429, 429, 200}; !slices.Equal(statuses, want) {
		t.Errorf("setMyCommands answered %v, want %v", statuses, want)
	}
	if got := fake.Commands(); len(got) != 1 || got[0].Scope != "chat" {
		t.Errorf("command sets = %+v, want the chat's menu", got)
	}
}
