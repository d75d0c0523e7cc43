package scheduler

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"campaignbot"
)

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{now: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// fakeOutbox is an in-memory outbox. Like the SQLite store, ClaimOutbox is a
// plain select; with claimLease set it leases the rows it returns (NextAt
// moves on), as a store shared by several processes must.
type fakeOutbox struct {
	mu         sync.Mutex
	rows       []*campaignbot.OutboxMessage
	keys       map[string]bool
	failMarks  int // MarkOutboxSent fails this many times
	claimLease time.Duration
}

func newFakeOutbox() *fakeOutbox {
	return &fakeOutbox{keys: make(map[string]bool)}
}

func (o *fakeOutbox) EnqueueOutbox(_ context.Context, msgs []*campaignbot.OutboxMessage) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, m := range msgs {
		if o.keys[m.Key] {
			continue
		}
		o.keys[m.Key] = true
		c := *m
		c.ID = int64(len(o.rows) + 1)
		c.Status = campaignbot.OutboxPending
		o.rows = append(o.rows, &c)
		n++
	}
	return n, nil
}

func (o *fakeOutbox) ClaimOutbox(_ context.Context, p campaignbot.Platform, now time.Time, limit int) ([]*campaignbot.OutboxMessage, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var due []*campaignbot.OutboxMessage
	for _, m := range o.rows {
		if m.Platform == p && m.Status == campaignbot.OutboxPending && !m.NextAt.After(now) {
			due = append(due, m)
		}
	}
	slices.SortStableFunc(due, func(a, b *campaignbot.OutboxMessage) int { return a.NextAt.Compare(b.NextAt) })
	var out []*campaignbot.OutboxMessage
	for _, m := range due[:min(limit, len(due))] {
		if o.claimLease > 0 {
			m.NextAt = now.Add(o.claimLease)
		}
		c := *m
		out = append(out, &c)
	}
	return out, nil
}

func (o *fakeOutbox) row(id int64) *campaignbot.OutboxMessage { return o.rows[id-1] }

func (o *fakeOutbox) MarkOutboxSent(_ context.Context, id int64, pmid string, at time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failMarks > 0 {
		o.failMarks--
		return campaignbot.Errorf(campaignbot.EINTERNAL, "database is locked")
	}
	m := o.row(id)
	m.Status, m.PlatformMessageID, m.SentAt = campaignbot.OutboxSent, pmid, &at
	return nil
}

func (o *fakeOutbox) MarkOutboxRetry(_ context.Context, id int64, lastErr string, next time.Time, giveUp bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := o.row(id)
	m.Attempts++
	m.LastError, m.NextAt = lastErr, next
	if giveUp {
		m.Status = campaignbot.OutboxFailed
	}
	return nil
}

func (o *fakeOutbox) FindPrompt(context.Context, campaignbot.Platform, string, string) (*campaignbot.OutboxMessage, error) {
	return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "no prompt")
}

func (o *fakeOutbox) CountOutbox(context.Context) (map[campaignbot.OutboxStatus]int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := make(map[campaignbot.OutboxStatus]int)
	for _, m := range o.rows {
		n[m.Status]++
	}
	return n, nil
}

func (o *fakeOutbox) CountPrompts(context.Context, int64, time.Time, time.Time) (int, error) {
	return 0, nil
}

func (o *fakeOutbox) all() []campaignbot.OutboxMessage {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]campaignbot.OutboxMessage, len(o.rows))
	for i, m := range o.rows {
		out[i] = *m
	}
	return out
}

// sendCall is one call of fakeSender.Send.
type sendCall struct {
	id   int64
	chat string
	at   time.Time
	err  error
}

// fakeSender records calls; fail decides each call's outcome.
type fakeSender struct {
	mu       sync.Mutex
	platform campaignbot.Platform
	clock    campaignbot.Clock
	calls    []sendCall
	fail     func(n int, m *campaignbot.OutboxMessage) error // n counts calls from 0
	notify   chan int64
}

func (s *fakeSender) Platform() campaignbot.Platform { return s.platform }

func (s *fakeSender) Send(_ context.Context, m *campaignbot.OutboxMessage) (string, error) {
	s.mu.Lock()
	var err error
	if s.fail != nil {
		err = s.fail(len(s.calls), m)
	}
	s.calls = append(s.calls, sendCall{m.ID, m.ChatID, s.clock.Now(), err})
	s.mu.Unlock()
	if err == nil && s.notify != nil {
		s.notify <- m.ID
	}
	if err != nil {
		return "", err
	}
	return "pm" + m.Key, nil
}

func (s *fakeSender) successes() map[int64]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := make(map[int64]int)
	for _, c := range s.calls {
		if c.err == nil {
			n[c.id]++
		}
	}
	return n
}

func sortedCalls(calls []sendCall) []sendCall {
	return slices.SortedStableFunc(slices.Values(calls), func(a, b sendCall) int { return cmp.Compare(a.at.UnixNano(), b.at.UnixNano()) })
}
