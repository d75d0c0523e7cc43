package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/bot/telegram/telegramtest"
)

// faultRecorder is a FaultReporter that keeps what it is told.
type faultRecorder struct {
	mu     sync.Mutex
	events []string
}

func (r *faultRecorder) RaiseFault(_ context.Context, f campaignbot.Fault) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, "raise "+f.Code+" "+f.Chat)
}

func (r *faultRecorder) ClearFault(_ context.Context, _ campaignbot.Platform, code string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, "clear "+code)
}

func (r *faultRecorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// movableClock is a clock a test moves forward.
type movableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movableClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movableClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Telegram restarts the update_id sequence at a lower value after a week
// without updates: the new updates are processed, getUpdates does not spin,
// and an update whose id an old processed one had is not taken for it.
func TestUpdateIDRestart(t *testing.T) {
	hs := newHarness(t)
	clock := &movableClock{t: time.Now()}
	stop := hs.instance(t, WithClock(clock)).run(t)
	for _, text := range []string{"第一周", "第二周", "第三周"} {
		hs.fake.SendText(7, "zhang", text)
	}
	hs.waitProcessed(t, "1", "2", "3")
	// The next poll confirms them to Telegram; stopped before it, the
	// process would see them again (a case of its own, not this one).
	for deadline := time.Now().Add(waitTimeout); len(hs.fake.Pending()) > 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("updates %v never confirmed", hs.fake.Pending())
		}
	}
	stop()
	// A week and a day without updates; the processed rows are still
	// kept (retention runs at night).
	clock.Add(8 * 24 * time.Hour)
	hs.fake.RestartUpdateIDs(2)
	stop = hs.instance(t, WithClock(clock)).run(t)
	polls := len(hs.fake.CallsOf("getUpdates"))
	hs.fake.SendText(7, "zhang", "重新开始后的第一条") // update 2 again
	hs.fake.SendText(7, "zhang", "第二条")       // update 3 again
	hs.fake.SendText(8, "li", "第三条")          // update 4
	hs.changes.waitFor(t, "the three new messages handled", func() bool { return hs.h.count() >= 6 })
	var texts []string
	for _, r := range hs.h.requests()[3:] {
		texts = append(texts, r.Text)
	}
	slices.Sort(texts) // two senders: their messages are processed side by side
	if want := []string{"第三条", "第二条", "重新开始后的第一条"}; !slices.Equal(texts, want) {
		t.Errorf("handled after the restart: %q, want %q", texts, want)
	}
	time.Sleep(200 * time.Millisecond) // a spinning poller would call hundreds of times meanwhile
	stop()
	if n := len(hs.fake.CallsOf("getUpdates")) - polls; n > 20 {
		t.Errorf("%d getUpdates calls for three updates: the poller spins", n)
	}
	if p := hs.fake.Pending(); len(p) != 0 {
		t.Errorf("updates %v never confirmed", p)
	}
}

// A 409 (a webhook set elsewhere, or a second poller) is reported to the
// operator as a fault while it lasts, and cleared when polling works again.
func TestConflictReported(t *testing.T) {
	hs := newHarness(t)
	faults := &faultRecorder{}
	hs.instance(t, WithFaults(faults)).run(t)
	eventually(t, "polling", func() bool { return len(hs.fake.Offsets()) > 0 })
	// Someone sets a webhook for the same bot.
	setWebhook(t, hs.fake, "https://elsewhere.example/hook")
	eventually(t, "the conflict reported", func() bool { return slices.Contains(faults.all(), "raise telegram_conflict ") })
	deleteWebhook(t, hs.fake)
	hs.fake.SendText(7, "zhang", "冲突解除")
	if got := hs.h.next(t); got.Text != "冲突解除" {
		t.Fatalf("handled %q", got.Text)
	}
	eventually(t, "the conflict cleared", func() bool { return slices.Contains(faults.all(), "clear telegram_conflict") })
	if got := faults.all(); len(got) != 2 {
		t.Errorf("faults = %q, want one raise and one clear", got)
	}
}

func setWebhook(t *testing.T, fake *telegramtest.Server, url string) {
	t.Helper()
	callAPI(t, fake, "setWebhook", map[string]any{"url": url})
}

func deleteWebhook(t *testing.T, fake *telegramtest.Server) {
	t.Helper()
	callAPI(t, fake, "deleteWebhook", map[string]any{})
}

func callAPI(t *testing.T, fake *telegramtest.Server, method string, params any) {
	t.Helper()
	body, _ := json.Marshal(params)
	resp, err := http.Post(fake.URL()+"/bot"+testToken+"/"+method, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", method, resp.StatusCode)
	}
}

// A file the Bot API cannot hand over (getFile 502) is a passing download
// failure that the intake retries within the file's lifetime; once getFile
// works the photo is filed.
func TestGetFile502Retried(t *testing.T) {
	hs := newHarness(t)
	in := hs.instance(t)
	in.intake = bot.NewIntake(hs.db, hs.handler, bot.WithDownloadRetry([]time.Duration{10 * time.Millisecond}),
		bot.WithIntakeLogger(testLogger(t)))
	in.intake.Register(campaignbot.PlatformTelegram, in.tg)
	for range 3 {
		hs.fake.FailNext("getFile", http.StatusBadGateway, 0)
	}
	in.run(t)
	data := bytes.Repeat([]byte("page "), 100)
	hs.fake.SendPhoto(7, "笔记", data)
	got := hs.h.next(t)
	if len(got.Attachments) != 1 || got.Attachments[0].Size != int64(len(data)) {
		t.Fatalf("request = %+v, want the photo", got)
	}
	calls := hs.fake.CallsOf("getFile")
	if len(calls) != 4 || calls[0].Status != http.StatusBadGateway || calls[3].Status != http.StatusOK {
		t.Errorf("getFile calls: %+v, want three 502 and one 200", calls)
	}

	// Decode hands such a failure to the intake as a DownloadError that
	// expires with the file.
	hs.fake.FailNext("getFile", http.StatusBadGateway, 0)
	raw := rawUpdate(t, models.Update{ID: 99, Message: &models.Message{ID: 5, From: &models.User{ID: 7}, Chat: models.Chat{ID: 7, Type: models.ChatTypePrivate},
		Photo: []models.PhotoSize{{FileID: "photo-x", Width: 10, Height: 10}}}})
	hs.fake.AddFile("photo-x", "photos/x.jpg", data)
	received := time.Now()
	_, err := in.tg.Decode(context.Background(), []*campaignbot.Inbound{{Platform: campaignbot.PlatformTelegram, Key: "99", Payload: raw, ReceivedAt: received}})
	var de *bot.DownloadError
	if !errors.As(err, &de) || !de.Expires.Equal(received.Add(fileLifetime)) {
		t.Fatalf("Decode error = %v, want a download error expiring with the file", err)
	}
}

// A self-hosted Bot API server started with --local answers getFile with
// an absolute path on this machine: the file is read from there.
func TestLocalBotAPIServerFiles(t *testing.T) {
	hs := newHarness(t)
	dir := t.TempDir()
	hs.fake.LocalMode(dir)
	hs.instance(t).run(t)
	data := bytes.Repeat([]byte("local "), 300)
	hs.fake.SendPhoto(7, "本地服务器", data)
	got := hs.h.next(t)
	if len(got.Attachments) != 1 {
		t.Fatalf("attachments = %+v", got.Attachments)
	}
	stored, err := os.ReadFile(hs.db.AttachmentPath(got.Attachments[0].SHA256))
	if err != nil || !bytes.Equal(stored, data) {
		t.Fatalf("stored %d bytes, %v; want the local file", len(stored), err)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "photos", "*"))
	if len(entries) == 0 {
		t.Fatal("the fake wrote no local file: the test proves nothing")
	}
	if n := len(hs.fake.CallsOf("getFile")); n != 1 {
		t.Errorf("getFile calls = %d, want 1", n)
	}
}

// A group that became a supergroup is followed: the send that met the 400
// goes to the new id at once, the move is kept in the store for the next
// process, and the migrate_to_chat_id service message is followed too.
func TestGroupMigrationFollowed(t *testing.T) {
	fake := telegramtest.NewServer(t, testToken)
	db := mustOpenStore(t)
	s := newSender(t, fake, nil, WithGroupChatID("-100"), WithChatMoves(db))
	fake.MigrateGroup(-100, -1001234, 7)
	if _, err := s.Send(context.Background(), &campaignbot.OutboxMessage{ID: 1, ChatID: "group", Text: "台账已公布"}); err != nil {
		t.Fatalf("send to the migrated group: %v", err)
	}
	if got := fake.Sent(-1001234); len(got) != 1 || got[0].Text != "台账已公布" {
		t.Fatalf("sent to the supergroup: %+v", got)
	}
	// A new process reads the move from the store: no 400 first.
	s2 := newSender(t, fake, nil, WithGroupChatID("-100"), WithChatMoves(db))
	before := len(fake.CallsOf("sendMessage"))
	if _, err := s2.Send(context.Background(), &campaignbot.OutboxMessage{ID: 2, ChatID: "group", Text: "第二条"}); err != nil {
		t.Fatal(err)
	}
	if got := len(fake.CallsOf("sendMessage")) - before; got != 1 {
		t.Errorf("%d sendMessage calls after a restart, want 1 (straight to the new id)", got)
	}

	// The service message alone moves the group too.
	hs := newHarness(t)
	hs.instance(t, WithGroupChatID("-200"), WithChatMoves(hs.db)).run(t)
	hs.fake.MigrateGroup(-200, -100200, 7)
	eventually(t, "the move stored", func() bool {
		to, err := hs.db.ResolveChat(context.Background(), campaignbot.PlatformTelegram, "-200")
		return err == nil && to == "-100200"
	})
}

// The bot removed from the campaign group: the group's messages are a
// fault of that chat (kept, the office told), from the 403 and from the
// my_chat_member update; added again, it is cleared.
func TestRemovedFromGroup(t *testing.T) {
	hs := newHarness(t)
	faults := &faultRecorder{}
	in := hs.instance(t, WithGroupChatID("-300"), WithFaults(faults), WithChatMoves(hs.db))
	in.run(t)
	hs.fake.RemoveFromGroup(-300, 7)
	eventually(t, "the removal reported", func() bool { return slices.Contains(faults.all(), "raise telegram_group group") })
	_, err := in.tg.Sender().Send(context.Background(), &campaignbot.OutboxMessage{ID: 1, ChatID: "group", Text: "简报"})
	var se *campaignbot.SendError
	if !errors.As(err, &se) || se.Fault == nil || se.Fault.Code != campaignbot.FaultTelegramGroup || se.Fault.Chat != "group" || se.Permanent || se.Unreachable {
		t.Fatalf("send to the group = %v (%+v), want a fault of the group", err, se)
	}
	// A member who blocked the bot is unreachable, not a fault.
	hs.fake.Block(9)
	_, err = in.tg.Sender().Send(context.Background(), &campaignbot.OutboxMessage{ID: 2, ChatID: "9", Text: "提醒"})
	if !errors.As(err, &se) || !se.Unreachable || se.Fault != nil {
		t.Fatalf("send to a blocked member = %v, want unreachable", err)
	}
	hs.fake.AddToGroup(-300, 7)
	eventually(t, "the return reported", func() bool { return slices.Contains(faults.all(), "clear telegram_group") })
}

// A photo Telegram refuses as a photo goes as a document, with the buttons.
func TestRefusedPhotoSentAsDocument(t *testing.T) {
	fake := telegramtest.NewServer(t, testToken)
	db := mustOpenStore(t)
	s := newSender(t, fake, db)
	data := bytes.Repeat([]byte{0xff, 0xd8, 0xff}, 100)
	att, err := db.SaveAttachment(context.Background(), "scan.jpg", "image/jpeg", data)
	if err != nil {
		t.Fatal(err)
	}
	fake.RefusePhotos(true)
	buttons := [][]campaignbot.Button{{{Text: "领办", Data: "/claim 3"}}}
	if _, err := s.Send(context.Background(), &campaignbot.OutboxMessage{ID: 1, ChatID: "7", Files: []campaignbot.Attachment{*att}, Buttons: buttons}); err != nil {
		t.Fatalf("send: %v", err)
	}
	sent := fake.Sent(7)
	if len(sent) != 1 || sent[0].Method != "sendDocument" || !bytes.Equal(sent[0].File.Data, data) {
		t.Fatalf("sent %+v, want the photo as a document", sent)
	}
	if !strings.Contains(sent[0].ReplyMarkup, "/claim 3") {
		t.Errorf("the document lost the buttons: %q", sent[0].ReplyMarkup)
	}
	if n := len(fake.CallsOf("sendPhoto")); n != 1 {
		t.Errorf("sendPhoto calls = %d, want 1 (refused)", n)
	}
}

// A restart while a split message waits for its retry does not send the
// parts already delivered again: the store keeps how many went.
func TestSplitMessageNotRepeatedAfterRestart(t *testing.T) {
	fake := telegramtest.NewServer(t, testToken)
	db := mustOpenStore(t)
	ctx := context.Background()
	m := &campaignbot.OutboxMessage{Key: "digest:long", Platform: campaignbot.PlatformTelegram, ChatID: "7",
		Kind: campaignbot.KindDigest, Text: longText(10000)}
	if _, err := db.EnqueueOutbox(ctx, []*campaignbot.OutboxMessage{m}); err != nil {
		t.Fatal(err)
	}
	calls := 0
	fake.OnCall("sendMessage", func(telegramtest.Call) {
		calls++
		if calls == 2 {
			fake.FailNext("sendMessage", http.StatusBadGateway, 0)
		}
	})
	s := newSender(t, fake, nil, WithOutboxProgress(db))
	if _, err := s.Send(ctx, m); err == nil {
		t.Fatal("the second part did not fail")
	}
	if got := len(fake.Sent(7)); got != 1 {
		t.Fatalf("%d parts sent before the failure, want 1", got)
	}
	// A new process: a new sender, the row read back from the store.
	rows, err := db.ClaimOutbox(ctx, campaignbot.PlatformTelegram, time.Now().Add(time.Hour), 1)
	if err != nil || len(rows) != 1 {
		t.Fatal(rows, err)
	}
	s2 := newSender(t, fake, nil, WithOutboxProgress(db))
	if _, err := s2.Send(ctx, rows[0]); err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent(7)
	if len(sent) != 3 {
		t.Fatalf("%d parts in the chat, want 3 (none twice)", len(sent))
	}
	if sent[0].Text == sent[1].Text {
		t.Error("the first part was sent twice")
	}
}

// eventually polls cond until it holds or waitTimeout has passed.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", waitTimeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
