package telegram

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"campaignbot"
)

// memStore is an in-memory Store for the adapter's tests. Every change
// closes the changed channel, so tests wait for state without sleeping.
type memStore struct {
	dir string

	mu        sync.Mutex
	changed   chan struct{}
	inbound   []*campaignbot.Inbound
	outbox    []*campaignbot.OutboxMessage
	accounts  map[string]*campaignbot.Account
	reachable map[int64]bool
	saveErrs  int // fail the next SaveInbound calls
	markErrs  int // fail the next MarkInboundProcessed calls
	saved     []string
}

func newMemStore(t *testing.T) *memStore {
	return &memStore{
		dir:       t.TempDir(),
		changed:   make(chan struct{}),
		accounts:  map[string]*campaignbot.Account{},
		reachable: map[int64]bool{},
	}
}

var _ Store = (*memStore)(nil)

func (m *memStore) touch() {
	close(m.changed)
	m.changed = make(chan struct{})
}

// waitFor waits until cond, run under the store's lock, holds.
func (m *memStore) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		m.mu.Lock()
		ok, ch := cond(), m.changed
		m.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (m *memStore) find(key string) *campaignbot.Inbound {
	for _, in := range m.inbound {
		if in.Key == key {
			return in
		}
	}
	return nil
}

func (m *memStore) SaveInbound(_ context.Context, in *campaignbot.Inbound) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.saveErrs > 0 {
		m.saveErrs--
		return false, errors.New("disk full")
	}
	if m.find(in.Key) != nil {
		return false, nil
	}
	c := *in
	c.Payload = slices.Clone(in.Payload)
	m.inbound = append(m.inbound, &c)
	m.saved = append(m.saved, in.Key)
	m.touch()
	return true, nil
}

func (m *memStore) PendingInbound(_ context.Context, platform campaignbot.Platform, limit int) ([]*campaignbot.Inbound, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*campaignbot.Inbound
	for _, in := range m.inbound {
		if in.Platform == platform && in.ProcessedAt == nil && len(out) < limit {
			c := *in
			out = append(out, &c)
		}
	}
	return out, nil
}

func (m *memStore) MarkInboundProcessed(_ context.Context, _ campaignbot.Platform, keys ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.markErrs > 0 {
		m.markErrs--
		return errors.New("database is locked")
	}
	var missing []string
	for _, key := range keys {
		in := m.find(key)
		if in == nil {
			missing = append(missing, key)
			continue
		}
		now := time.Now()
		in.ProcessedAt = &now
	}
	m.touch()
	if len(missing) > 0 {
		return campaignbot.Errorf(campaignbot.ENOTFOUND, "inbound %v not found", missing)
	}
	return nil
}

func (m *memStore) processed(key string) bool {
	in := m.find(key)
	return in != nil && in.ProcessedAt != nil
}

func (m *memStore) EnqueueOutbox(_ context.Context, msgs []*campaignbot.OutboxMessage) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, msg := range msgs {
		if slices.ContainsFunc(m.outbox, func(o *campaignbot.OutboxMessage) bool { return o.Key == msg.Key }) {
			continue
		}
		c := *msg
		c.ID = int64(len(m.outbox) + 1)
		m.outbox = append(m.outbox, &c)
		n++
	}
	m.touch()
	return n, nil
}

func (m *memStore) outboxCopy() []campaignbot.OutboxMessage {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []campaignbot.OutboxMessage
	for _, o := range m.outbox {
		out = append(out, *o)
	}
	return out
}

func (m *memStore) SaveAttachment(_ context.Context, name, mime string, data []byte) (*campaignbot.Attachment, error) {
	sum := sha256.Sum256(data)
	a := &campaignbot.Attachment{SHA256: hex.EncodeToString(sum[:]), Name: name, MIME: mime, Size: int64(len(data))}
	if err := os.WriteFile(m.AttachmentPath(a.SHA256), data, 0o600); err != nil {
		return nil, err
	}
	return a, nil
}

func (m *memStore) AttachmentPath(sum string) string { return filepath.Join(m.dir, sum) }

func (m *memStore) FindAccount(_ context.Context, _ campaignbot.Platform, accountID string) (*campaignbot.Account, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.accounts[accountID]
	if !ok {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "account %s not found", accountID)
	}
	c := *a
	return &c, nil
}

func (m *memStore) bind(userID, personID int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := strconv.FormatInt(userID, 10)
	m.accounts[id] = &campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: id, ChatID: id, PersonID: personID}
}

func (m *memStore) SetReachable(_ context.Context, personID int64, _ campaignbot.Platform, reachable bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reachable[personID] = reachable
	m.touch()
	return nil
}
