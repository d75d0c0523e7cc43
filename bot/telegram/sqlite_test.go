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

// TestAlbumIsOneRequest sends an album of three photos, as a member
// photographing three pages of a notebook does: the engine gets one request
// with the caption and all three files, and every update is processed.
func TestAlbumIsOneRequest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "campaign.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fake := telegramtest.NewServer(t, token)
	h := make(echo, 10)
	tg, err := telegram.New(token, db, h, telegram.WithServerURL(fake.URL()),
		telegram.WithLogger(slog.New(slog.DiscardHandler)), telegram.WithPollTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	fake.SendAlbum(7, "/note 第1–3页", []byte("page one"), []byte("page two"), []byte("page three"))
	fake.SendText(7, "li", "after")
	done := make(chan error, 1)
	go func() { done <- tg.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	var got []*bot.Request
	for len(got) < 2 {
		select {
		case req := <-h:
			got = append(got, req)
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d requests, want 2", len(got))
		}
	}
	if got[0].Text != "/note 第1–3页" || len(got[0].Attachments) != 3 {
		t.Fatalf("album request: %q with %d files, want the caption and 3", got[0].Text, len(got[0].Attachments))
	}
	for _, a := range got[0].Attachments {
		if _, err := os.Stat(db.AttachmentPath(a.SHA256)); err != nil {
			t.Errorf("attachment %s not stored: %v", a.Name, err)
		}
	}
	if got[1].Text != "after" {
		t.Fatalf("second request %q, want the text after the album", got[1].Text)
	}
	select {
	case req := <-h:
		t.Fatalf("an album photo came as a request of its own: %+v", req)
	default:
	}
	for range 100 {
		if pending, _ := db.PendingInbound(ctx, campaignbot.PlatformTelegram, 10); len(pending) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("album updates left unprocessed")
}
