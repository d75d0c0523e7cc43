package wecom_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/store"
)

// newHTTPServer serves h until the test ends and returns its URL.
func newHTTPServer(t *testing.T, h http.Handler) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

// MustOpenStore opens a real store under t.TempDir() with clock; it is
// closed when the test ends.
func MustOpenStore(tb testing.TB, clock campaignbot.Clock) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "wecom.db"), store.WithClock(clock))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustPending returns the updates stored and not yet processed.
func MustPending(tb testing.TB, db *store.DB) []*campaignbot.Inbound {
	tb.Helper()
	ins, err := db.PendingInbound(context.Background(), 100)
	if err != nil {
		tb.Fatal(err)
	}
	return ins
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline; what is waited for is named in the failure.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var errBusy = errors.New("database is locked")
