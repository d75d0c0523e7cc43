package telegram

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"campaignbot/bot"
)

// Updates are handled in update_id order (also past 9 → 10), files land in
// the attachment directory, and the replies go from the outbox out through
// the Sender.
func TestUpdatesInOrderRepliesSent(t *testing.T) {
	hs := newHarness(t)
	var want, keys []string
	for i := 1; i <= 11; i++ {
		want = append(want, fmt.Sprintf("m%d", i))
		hs.fake.SendText(7, "li", want[i-1])
	}
	photo := bytes.Repeat([]byte{0xff, 0xd8, 'j'}, 500)
	hs.fake.SendPhoto(7, "m12", photo)
	want = append(want, "m12")
	for i := range want {
		keys = append(keys, strconv.Itoa(i+1))
	}
	in := hs.instance(t)
	in.run(t)

	var last bot.Request
	for i, w := range want {
		last = hs.h.next(t)
		if last.Text != w {
			t.Fatalf("request %d = %q, want %q", i, last.Text, w)
		}
	}
	if len(last.Attachments) != 1 {
		t.Fatalf("photo attachments = %+v", last.Attachments)
	}
	if got, err := os.ReadFile(hs.db.AttachmentPath(last.Attachments[0].SHA256)); err != nil || !bytes.Equal(got, photo) {
		t.Errorf("stored photo: %v, %d bytes", err, len(got))
	}
	hs.waitProcessed(t, keys...)

	ctx := context.Background()
	for _, m := range hs.waitOutbox(t, len(want)) {
		if _, err := in.tg.Sender().Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	sent := hs.fake.Sent(7)
	if got, want := len(sent), len(want); got != want {
		t.Fatalf("sent = %d, want %d", got, want)
	}
	for i, s := range sent {
		if w := "echo: " + want[i]; s.Text != w {
			t.Errorf("reply %d = %q, want %q", i, s.Text, w)
		}
	}
}

// TestAlbumIsOneRequest sends an album of three photos, as a member
// photographing three pages of a notebook does: the engine gets one request
// with the caption and all three files, and every update is processed.
// The intake starts once the album is stored: see
// TestAlbumArrivingWhileIntakeRuns for an album that arrives while it runs.
func TestAlbumIsOneRequest(t *testing.T) {
	hs := newHarness(t)
	hs.fake.SendAlbum(7, "/note 第1–3页", []byte("page one"), []byte("page two"), []byte("page three"))
	hs.fake.SendText(7, "li", "after")
	in := hs.instance(t)
	start(t, in.tg.Run)
	hs.changes.waitFor(t, "the album and the text stored", func() bool {
		return hs.store.stored("1") && hs.store.stored("2") && hs.store.stored("3") && hs.store.stored("4")
	})
	start(t, in.intake.Run)
	album := hs.h.next(t)
	if album.Text != "/note 第1–3页" || len(album.Attachments) != 3 {
		t.Fatalf("album request: %q with %d files, want the caption and 3", album.Text, len(album.Attachments))
	}
	for i, a := range album.Attachments {
		data, err := os.ReadFile(hs.db.AttachmentPath(a.SHA256))
		if want := []string{"page one", "page two", "page three"}[i]; err != nil || string(data) != want {
			t.Errorf("attachment %d: %q, %v; want %q", i, data, err, want)
		}
	}
	if after := hs.h.next(t); after.Text != "after" {
		t.Fatalf("second request %q, want the text after the album", after.Text)
	}
	hs.waitProcessed(t, "1", "2", "3", "4")
	if got := hs.h.count(); got != 2 {
		t.Errorf("handler calls = %d, want 2: an album photo came as a request of its own", got)
	}
	if out := hs.outbox(t); len(out) != 2 || out[0].Key != "reply:telegram:1:0" {
		t.Errorf("outbox = %+v, want one reply to the album and one to the text", out)
	}
}

// TestAlbumArrivingWhileIntakeRuns delivers an album as Telegram does to a
// webhook: one request per photo, one after the other, while the intake
// runs. The member sent one message; the engine gets one request (before
// the intake waited bot.GroupWait for an album's last photo, it split the
// album in about half the runs).
func TestAlbumArrivingWhileIntakeRuns(t *testing.T) {
	hs := newHarness(t)
	const secret = "s3cret"
	in := hs.instance(t, WithWebhook("https://bot.example.org/telegram/webhook", secret))
	in.run(t)
	pages := []string{"page one", "page two", "page three"}
	for i, page := range pages {
		m := hs.fake.NewMessage(7, "li", "")
		if i == 0 {
			m.Caption = "/note 第1–3页"
		}
		m.MediaGroupID = "album-1"
		id := fmt.Sprintf("page%d", i)
		hs.fake.AddFile(id, "photos/"+id+".jpg", []byte(page))
		m.Photo = []models.PhotoSize{{FileID: id, FileUniqueID: "u" + id, Width: 1280, Height: 960, FileSize: len(page)}}
		req := httptest.NewRequest(http.MethodPost, WebhookPath, bytes.NewReader(rawUpdate(t, models.Update{ID: int64(100 + i), Message: m})))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		rec := httptest.NewRecorder()
		in.tg.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("photo %d: status %d", i, rec.Code)
		}
	}
	hs.waitProcessed(t, "100", "101", "102")
	if got := hs.h.count(); got != 1 {
		var split []string
		for _, r := range hs.h.requests() {
			split = append(split, fmt.Sprintf("%q with %d files", r.Text, len(r.Attachments)))
		}
		t.Errorf("the album came as %d requests (%s), want 1", got, strings.Join(split, ", "))
	}
}
