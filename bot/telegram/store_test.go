package telegram

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/store"
)

// The real store is the adapter's store, and the adapter is a decoder of
// the intake.
var (
	_ Store         = (*store.DB)(nil)
	_ bot.Decoder   = (*Telegram)(nil)
	_ bot.Processed = (*Telegram)(nil)
)

// waitTimeout bounds every wait for something the adapter or the intake
// does in the background.
const waitTimeout = 10 * time.Second

// migrated is a store file with every migration applied, made once and
// copied for each test: migrating takes seconds under the race detector,
// opening a migrated file a fraction of one.
var migrated struct {
	once sync.Once
	dir  string
	b    []byte
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if migrated.dir != "" {
		os.RemoveAll(migrated.dir)
	}
	os.Exit(code)
}

// mustNewStoreFile returns the path of a new store file under a temporary
// directory.
func mustNewStoreFile(tb testing.TB) string {
	tb.Helper()
	migrated.once.Do(func() {
		if migrated.dir, migrated.err = os.MkdirTemp("", "telegram-test-"); migrated.err != nil {
			return
		}
		path := filepath.Join(migrated.dir, "migrated.db")
		db, err := store.Open(context.Background(), path)
		if err != nil {
			migrated.err = err
			return
		}
		if migrated.err = db.Close(); migrated.err == nil {
			migrated.b, migrated.err = os.ReadFile(path)
		}
	})
	if migrated.err != nil {
		tb.Fatal(migrated.err)
	}
	path := filepath.Join(tb.TempDir(), "campaign.db")
	if err := os.WriteFile(path, migrated.b, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// mustOpenStore opens a new store file, closed when the test ends.
func mustOpenStore(tb testing.TB) *store.DB {
	tb.Helper()
	return mustOpenStoreAt(tb, mustNewStoreFile(tb))
}

// mustOpenStoreAt opens the store file at path, closed when the test ends.
func mustOpenStoreAt(tb testing.TB, path string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// faultyStore is the real store as the adapter sees it, with storing an
// update made to fail on demand (a full disk, a locked database). It
// records the keys of the updates stored, so that a test can tell what was
// stored when the Bot API was told.
type faultyStore struct {
	*store.DB

	mu       sync.Mutex
	saveErrs int // fail the next SaveInbound calls
	saved    map[string]bool
}

func newFaultyStore(db *store.DB) *faultyStore {
	return &faultyStore{DB: db, saved: map[string]bool{}}
}

func (s *faultyStore) SaveInbound(ctx context.Context, in *campaignbot.Inbound) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.saveErrs > 0 {
		s.saveErrs--
		return false, errors.New("disk I/O error")
	}
	fresh, err := s.DB.SaveInbound(ctx, in)
	if err == nil {
		s.saved[in.Key] = true
	}
	return fresh, err
}

// failSaves makes the next n SaveInbound calls fail.
func (s *faultyStore) failSaves(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saveErrs = n
}

// stored reports whether the update with key was stored.
func (s *faultyStore) stored(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saved[key]
}

// changes tells waiting tests that something they wait for may have
// happened: an update stored, a message committed by the intake.
type changes struct {
	mu sync.Mutex
	ch chan struct{}
}

func newChanges() *changes { return &changes{ch: make(chan struct{})} }

func (c *changes) touch() {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.ch)
	c.ch = make(chan struct{})
}

// waitFor waits until cond holds, checking it again after every change.
func (c *changes) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		ch := c.ch
		c.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// mustBind imports a member and binds the Telegram user to them, with
// their private chat, as redeeming an invite does; it returns the person.
func mustBind(tb testing.TB, db *store.DB, name string, userID int64) *campaignbot.Person {
	tb.Helper()
	ctx := context.Background()
	roster := []campaignbot.RosterEntry{{Name: name, Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}}}
	if _, _, err := db.ImportRoster(ctx, roster); err != nil {
		tb.Fatal(err)
	}
	p, err := db.FindPersonByName(ctx, name)
	if err != nil {
		tb.Fatal(err)
	}
	inv, err := db.CreateInvite(ctx, p.ID)
	if err != nil {
		tb.Fatal(err)
	}
	id := strconv.FormatInt(userID, 10)
	if _, err := db.RedeemInvite(ctx, inv.Code, campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: id, ChatID: id}); err != nil {
		tb.Fatal(err)
	}
	return p
}
