package wecom_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"campaignbot"
	"campaignbot/bot"
)

// newHTTPServer serves h until the test ends and returns its URL.
func newHTTPServer(t *testing.T, h http.Handler) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

// memInbox is an in-memory InboundService subset.
type memInbox struct {
	mu    sync.Mutex
	items map[string]*campaignbot.Inbound
	order []string
	saves int
	fail  error
}

func newMemInbox() *memInbox { return &memInbox{items: map[string]*campaignbot.Inbound{}} }

func (m *memInbox) SaveInbound(ctx context.Context, in *campaignbot.Inbound) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return false, m.fail
	}
	m.saves++
	if _, ok := m.items[in.Key]; ok {
		return false, nil
	}
	c := *in
	m.items[in.Key] = &c
	m.order = append(m.order, in.Key)
	return true, nil
}

func (m *memInbox) PendingInbound(ctx context.Context, platform campaignbot.Platform, limit int) ([]*campaignbot.Inbound, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*campaignbot.Inbound
	for _, k := range m.order {
		if in := m.items[k]; in.Platform == platform && in.ProcessedAt == nil && len(out) < limit {
			c := *in
			out = append(out, &c)
		}
	}
	return out, nil
}

func (m *memInbox) MarkInboundProcessed(ctx context.Context, platform campaignbot.Platform, keys ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, key := range keys {
		in, ok := m.items[key]
		if !ok {
			return errors.New("no such inbound")
		}
		now := in.ReceivedAt
		in.ProcessedAt = &now
	}
	return nil
}

// stored returns the stored inbounds in order.
func (m *memInbox) stored() []campaignbot.Inbound {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []campaignbot.Inbound
	for _, k := range m.order {
		out = append(out, *m.items[k])
	}
	return out
}

// fileStore keeps attachments as files named by sha256 under a directory.
type fileStore struct{ dir string }

func (f fileStore) SaveAttachment(ctx context.Context, name, mime string, data []byte) (*campaignbot.Attachment, error) {
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	if err := os.WriteFile(f.AttachmentPath(h), data, 0o600); err != nil {
		return nil, err
	}
	return &campaignbot.Attachment{SHA256: h, Name: name, MIME: mime, Size: int64(len(data))}, nil
}

func (f fileStore) AttachmentPath(sha string) string { return filepath.Join(f.dir, sha) }

// recordingHandler records requests and answers with fixed replies.
type recordingHandler struct {
	mu      sync.Mutex
	reqs    []*bot.Request
	replies []bot.Reply
	err     error
}

func (h *recordingHandler) Handle(ctx context.Context, req *bot.Request) ([]bot.Reply, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reqs = append(h.reqs, req)
	return h.replies, h.err
}

func (h *recordingHandler) requests() []*bot.Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*bot.Request(nil), h.reqs...)
}

var errBusy = errors.New("database is locked")
