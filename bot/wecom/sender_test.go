package wecom_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"campaignbot"
	"campaignbot/bot/wecom"
	"campaignbot/bot/wecom/wecomtest"
)

// MustSender returns a fake server and a Sender with a robot and a file store.
func MustSender(t *testing.T) (*wecomtest.Server, *wecom.Sender, fileStore) {
	t.Helper()
	srv, c := MustClient(t)
	files := fileStore{dir: t.TempDir()}
	return srv, wecom.NewSender(c, wecom.NewRobot(srv.URL(), srv.RobotKey()), files), files
}

func TestSenderPlatform(t *testing.T) {
	_, s, _ := MustSender(t)
	var _ campaignbot.Sender = s
	if got, want := s.Platform(), campaignbot.PlatformWeCom; got != want {
		t.Fatalf("Platform = %q, want %q", got, want)
	}
}

func TestSenderText(t *testing.T) {
	srv, s, _ := MustSender(t)
	long := strings.Repeat(strings.Repeat("请按时提交学习笔记。", 30)+"\n\n", 8)
	id, err := s.Send(context.Background(), &campaignbot.OutboxMessage{ID: 1, ChatID: "zhangsan", Text: long})
	if err != nil {
		t.Fatal(err)
	}
	sent := srv.Sent()
	if id != sent[0].MsgID || len(sent) < 2 {
		t.Fatalf("id %q, %d messages", id, len(sent))
	}
	for _, m := range sent {
		if m.MsgType != "text" || m.ToUser != "zhangsan" || len(m.Content) > wecom.MaxTextBytes {
			t.Fatalf("sent %s to %s, %d bytes", m.MsgType, m.ToUser, len(m.Content))
		}
	}
}

func TestSenderButtons(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		buttons   int
		wantTypes []string
		title     string
		subTitle  string
	}{
		{"short text in the card", "第一阶段学习笔记\n请在本周五前提交", 2, []string{"template_card"}, "第一阶段学习笔记", "请在本周五前提交"},
		{"long text goes first", "第一阶段学习笔记\n" + strings.Repeat("说明", 100), 2, []string{"text", "template_card"}, "第一阶段学习笔记", ""},
		{"many buttons, two cards", "选择任务", 8, []string{"template_card", "template_card"}, "选择任务", ""},
		{"no text", "", 1, []string{"template_card"}, "请选择", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, s, _ := MustSender(t)
			var row []campaignbot.Button
			for i := range tt.buttons {
				row = append(row, campaignbot.Button{Text: "任务" + string(rune('A'+i)), Data: "task:" + string(rune('a'+i))})
			}
			m := &campaignbot.OutboxMessage{ChatID: "zhangsan", Text: tt.text, Buttons: [][]campaignbot.Button{row[:len(row)/2], row[len(row)/2:]}}
			if _, err := s.Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			sent := srv.Sent()
			var types []string
			var keys []string
			var card *wecomtest.TemplateCard
			for _, m := range sent {
				types = append(types, m.MsgType)
				if m.TemplateCard != nil {
					if card == nil {
						card = m.TemplateCard
					}
					for _, b := range m.TemplateCard.Buttons {
						keys = append(keys, b.Key)
					}
				}
			}
			if strings.Join(types, ",") != strings.Join(tt.wantTypes, ",") {
				t.Fatalf("sent %v, want %v", types, tt.wantTypes)
			}
			if card.Title != tt.title || card.SubTitle != tt.subTitle {
				t.Fatalf("card title %q sub %q", card.Title, card.SubTitle)
			}
			if data, label := wecom.SplitCardKey(keys[0]); len(keys) != tt.buttons || data != "task:a" || label != "任务A" {
				t.Fatalf("keys %v", keys)
			}
		})
	}
}

func TestSenderFiles(t *testing.T) {
	srv, s, files := MustSender(t)
	ctx := context.Background()
	img, _ := files.SaveAttachment(ctx, "chart.png", "image/png", pngBytes())
	doc, _ := files.SaveAttachment(ctx, "台账.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []byte("PK\x03\x04 ledger"))
	m := &campaignbot.OutboxMessage{ChatID: "lisi", Text: "今日简报", Files: []campaignbot.Attachment{*img, *doc}}
	if _, err := s.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	sent := srv.Sent()
	if len(sent) != 3 || sent[0].MsgType != "text" || sent[1].MsgType != "image" || sent[2].MsgType != "file" {
		t.Fatalf("sent %+v", sent)
	}
	if got, ok := srv.Media(sent[2].MediaID); !ok || got.Name != "台账.xlsx" {
		t.Fatalf("uploaded %+v", got)
	}
	// Files alone are fine; nothing at all is not.
	if _, err := s.Send(ctx, &campaignbot.OutboxMessage{ChatID: "lisi", Files: []campaignbot.Attachment{*doc}}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Send(ctx, &campaignbot.OutboxMessage{ChatID: "lisi"})
	var se *campaignbot.SendError
	if !errors.As(err, &se) || !se.Permanent {
		t.Fatalf("empty message: %v", err)
	}
}

// TestSenderGroup posts to the group through the robot, the text escaped:
// the bot's texts are plain, so a "#" or "**" a member typed is shown, not
// taken for markdown.
func TestSenderGroup(t *testing.T) {
	srv, s, files := MustSender(t)
	ctx := context.Background()
	img, _ := files.SaveAttachment(ctx, "chart.png", "image/png", pngBytes())
	if _, err := s.Send(ctx, &campaignbot.OutboxMessage{ChatID: wecom.GroupChatID, Text: "## 整改台账\n- 事项 1", Files: []campaignbot.Attachment{*img}}); err != nil {
		t.Fatal(err)
	}
	sent := srv.Sent()
	if len(sent) != 2 || sent[0].Path != wecomtest.PathWebhookSend || sent[0].MsgType != "markdown" || sent[0].Content != "＃＃ 整改台账\n- 事项 1" || sent[1].MsgType != "image" {
		t.Fatalf("sent %+v", sent)
	}
	_, c := MustClient(t)
	noRobot := wecom.NewSender(c, nil, nil)
	_, err := noRobot.Send(ctx, &campaignbot.OutboxMessage{ChatID: wecom.GroupChatID, Text: "x"})
	var se *campaignbot.SendError
	if !errors.As(err, &se) || !se.Permanent {
		t.Fatalf("group without robot: %v", err)
	}
}

func TestSenderErrors(t *testing.T) {
	srv, s, _ := MustSender(t)
	ctx := context.Background()
	srv.SetInvalidUser("left")
	_, err := s.Send(ctx, &campaignbot.OutboxMessage{ChatID: "left", Text: "x"})
	var se *campaignbot.SendError
	if !errors.As(err, &se) || !se.Unreachable {
		t.Fatalf("invalid user: %v", err)
	}
	srv.InjectErrcode(wecomtest.PathMessageSend, 45009, 1)
	_, err = s.Send(ctx, &campaignbot.OutboxMessage{ChatID: "zhangsan", Text: "x"})
	if !errors.As(err, &se) || se.RetryAfter != time.Minute || se.Permanent {
		t.Fatalf("frequency: %v", err)
	}
	srv.InjectStatus(wecomtest.PathMessageSend, 503, 1)
	_, err = s.Send(ctx, &campaignbot.OutboxMessage{ChatID: "zhangsan", Text: "x"})
	if !errors.As(err, &se) || se.Permanent || se.Unreachable {
		t.Fatalf("503: %v", err)
	}
}

// TestSenderResumesAfterPartialFailure: a message of text and a file whose
// upload fails is retried from the file; the text is not sent twice.
func TestSenderResumesAfterPartialFailure(t *testing.T) {
	srv, s, files := MustSender(t)
	ctx := context.Background()
	doc, _ := files.SaveAttachment(ctx, "报告.docx", "application/octet-stream", []byte("report"))
	m := &campaignbot.OutboxMessage{ID: 42, ChatID: "lisi", Text: "请审阅", Files: []campaignbot.Attachment{*doc}}
	srv.InjectStatus(wecomtest.PathMediaUpload, http.StatusBadGateway, 1)
	if _, err := s.Send(ctx, m); err == nil {
		t.Fatal("the failed upload was not reported")
	}
	if _, err := s.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	var texts, docs int
	for _, x := range srv.Sent() {
		switch x.MsgType {
		case "text":
			texts++
		case "file":
			docs++
		}
	}
	if texts != 1 || docs != 1 {
		t.Fatalf("sent %d texts and %d files, want one of each", texts, docs)
	}
}

// partsStore remembers the parts recorded, as the store's outbox row does.
type partsStore struct{ parts map[int64]int }

func (p *partsStore) MarkOutboxParts(_ context.Context, id int64, n int) error {
	p.parts[id] = max(p.parts[id], n)
	return nil
}

// A restart between the parts of a message (a new Sender, the row read back
// with PartsSent) does not send the parts already delivered again.
func TestSenderResumesAfterRestart(t *testing.T) {
	srv, c := MustClient(t)
	files := fileStore{dir: t.TempDir()}
	progress := &partsStore{parts: map[int64]int{}}
	s := wecom.NewSender(c, nil, files, wecom.WithOutboxProgress(progress))
	ctx := context.Background()
	doc, _ := files.SaveAttachment(ctx, "报告.docx", "application/octet-stream", []byte("report"))
	m := &campaignbot.OutboxMessage{ID: 7, ChatID: "lisi", Text: "请审阅", Files: []campaignbot.Attachment{*doc}}
	srv.InjectStatus(wecomtest.PathMediaUpload, http.StatusBadGateway, 1)
	if _, err := s.Send(ctx, m); err == nil {
		t.Fatal("the failed upload was not reported")
	}
	if progress.parts[7] != 1 {
		t.Fatalf("parts recorded = %d, want 1", progress.parts[7])
	}
	restarted := wecom.NewSender(c, nil, files, wecom.WithOutboxProgress(progress))
	again := *m
	again.PartsSent = progress.parts[7]
	if _, err := restarted.Send(ctx, &again); err != nil {
		t.Fatal(err)
	}
	var texts, docs int
	for _, x := range srv.Sent() {
		switch x.MsgType {
		case "text":
			texts++
		case "file":
			docs++
		}
	}
	if texts != 1 || docs != 1 {
		t.Fatalf("sent %d texts and %d files after a restart, want one of each", texts, docs)
	}
}

// TestSenderLongButtonsNumbered keeps buttons within what WeCom shows
// (about 10 characters) and lists the options in full on the card.
func TestSenderLongButtonsNumbered(t *testing.T) {
	srv, s, _ := MustSender(t)
	opts := []string{"非常满意，活动组织有序", "比较满意，但会议偏多", "不满意"}
	var row []campaignbot.Button
	for i, o := range opts {
		row = append(row, campaignbot.Button{Text: o, Data: fmt.Sprintf("survey:1:%d", i)})
	}
	m := &campaignbot.OutboxMessage{ChatID: "zhangsan", Text: "满意度调查\n您对本次活动的总体评价？", Buttons: [][]campaignbot.Button{row}}
	if _, err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	var card *wecomtest.TemplateCard
	var shown strings.Builder
	for _, m := range srv.Sent() {
		shown.WriteString(m.Content)
		if m.TemplateCard != nil {
			card = m.TemplateCard
			shown.WriteString(m.TemplateCard.Title + m.TemplateCard.SubTitle)
		}
	}
	if card == nil || len(card.Buttons) != 3 {
		t.Fatalf("card %+v", card)
	}
	for i, b := range card.Buttons {
		if n := utf8.RuneCountInString(b.Text); n > wecom.MaxButtonRunes {
			t.Errorf("button %q has %d characters", b.Text, n)
		}
		if data, label := wecom.SplitCardKey(b.Key); data != fmt.Sprintf("survey:1:%d", i) || label != opts[i] {
			t.Errorf("key %q", b.Key)
		}
		if !strings.Contains(shown.String(), fmt.Sprintf("%d. %s", i+1, opts[i])) {
			t.Errorf("option %q is not on the card:\n%s", opts[i], shown.String())
		}
	}
}
