package telegram_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/bot/telegram"
	"campaignbot/bot/telegram/telegramtest"
	"campaignbot/store"
)

const token = "777:SQLITE"

type echo chan *bot.Request

func (e echo) Handle(_ context.Context, req *bot.Request) ([]bot.Reply, error) {
	e <- req
	return []bot.Reply{{Text: "echo: " + req.Text}}, nil
}

// The adapter over the real store: updates are handled in update_id order
// (also past 9 → 10), files land in the attachment directory, replies go
// through the outbox and out through the Sender.
func TestWithSQLiteStore(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "campaign.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fake := telegramtest.NewServer(t, token)
	h := make(echo, 100)
	notified := make(chan struct{}, 100)
	tg, err := telegram.New(token, db, h,
		telegram.WithServerURL(fake.URL()),
		telegram.WithLogger(slog.New(slog.DiscardHandler)),
		telegram.WithPollTimeout(5*time.Second),
		telegram.WithNotify(func() { notified <- struct{}{} }))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 1; i <= 11; i++ {
		want = append(want, fmt.Sprintf("m%d", i))
		fake.SendText(7, "li", want[i-1])
	}
	photo := bytes.Repeat([]byte{0xff, 0xd8, 'j'}, 500)
	fake.SendPhoto(7, "m12", photo)
	want = append(want, "m12")

	done := make(chan error, 1)
	go func() { done <- tg.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	var last *bot.Request
	for i, w := range want {
		select {
		case req := <-h:
			if req.Text != w {
				t.Fatalf("request %d = %q, want %q", i, req.Text, w)
			}
			last = req
		case <-time.After(10 * time.Second):
			t.Fatalf("request %d never came", i)
		}
	}
	if len(last.Attachments) != 1 {
		t.Fatalf("photo attachments = %+v", last.Attachments)
	}
	if got, err := os.ReadFile(db.AttachmentPath(last.Attachments[0].SHA256)); err != nil || !bytes.Equal(got, photo) {
		t.Errorf("stored photo: %v, %d bytes", err, len(got))
	}
	for range want {
		select {
		case <-notified:
		case <-time.After(10 * time.Second):
			t.Fatal("replies not all enqueued")
		}
	}

	msgs, err := db.ClaimOutbox(ctx, campaignbot.PlatformTelegram, time.Now().Add(time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(msgs), len(want); got != want {
		t.Fatalf("outbox = %d, want %d", got, want)
	}
	for _, m := range msgs {
		if _, err := tg.Sender().Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	sent := fake.Sent(7)
	if got, want := len(sent), 12; got != want {
		t.Fatalf("sent = %d, want %d", got, want)
	}
	if got, want := sent[0].Text, "echo: m1"; got != want {
		t.Errorf("first reply = %q, want %q", got, want)
	}
	// The last update is marked processed just after its reply is queued.
	deadline := time.Now().Add(10 * time.Second)
	for {
		pending, err := db.PendingInbound(ctx, campaignbot.PlatformTelegram, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d updates left unprocessed", len(pending))
		}
		time.Sleep(5 * time.Millisecond)
	}
}
