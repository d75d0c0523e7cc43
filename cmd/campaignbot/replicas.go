package main

import (
	"context"
	"sync"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/store"
)

// Several run replicas share one PostgreSQL store behind a load balancer
// (SPEC §8): each stores and acknowledges the webhooks that reach it; its
// intake processes only the senders whose lanes it holds (laneStore), so
// that no two replicas work on one sender at once and each sender's
// messages keep their order; and the one replica holding the leader lock
// runs the scheduler and the dispatcher (Run, through store.DB.Lead). As
// only the leader sends, the platforms' rate limits, kept by the
// dispatcher, hold across replicas. On SQLite, one process holds the
// store (lock.go) and all of this reduces to running everything.

// laneStore is the store as one replica's intake sees it: the pending
// updates of the senders whose lanes it holds. Each pass of the intake
// (bot.Intake.ProcessPending reads pending updates once, then processes
// them all before it returns) lets go of the lanes of the pass before,
// takes those of the senders pending now, and reads the pending updates
// again once it holds them: so it sees every update that a replica that
// held a lane before committed. A lane whose updates of the pass are all
// committed is let go at once (Atomic), so that the sender's next message,
// which the balancer may hand to another replica, does not wait for this
// replica's next pass.
type laneStore struct {
	*store.DB
	lanes *store.Lanes

	mu       sync.Mutex
	decoders map[campaignbot.Platform]bot.Decoder
	// The pass's updates still to commit, by lane, and the lane of each
	// update (by platform and key).
	remaining map[string]int
	laneOfKey map[string]string
}

func newLaneStore(db *store.DB) *laneStore {
	return &laneStore{DB: db, lanes: db.Lanes(), decoders: map[campaignbot.Platform]bot.Decoder{},
		remaining: map[string]int{}, laneOfKey: map[string]string{}}
}

// committedKey carries, in an Atomic transaction's context, the updates
// it marked processed or forgot.
type committedKey struct{}

func inboundKey(p campaignbot.Platform, key string) string { return string(p) + "\x00" + key }

// Atomic runs fn as the store does and, once it has committed, lets go of
// the lanes whose updates of this pass are all done.
func (s *laneStore) Atomic(ctx context.Context, fn func(context.Context) error) error {
	if _, nested := ctx.Value(committedKey{}).(*[]string); nested {
		return s.DB.Atomic(ctx, fn)
	}
	var done []string
	if err := s.DB.Atomic(context.WithValue(ctx, committedKey{}, &done), fn); err != nil {
		return err
	}
	var free []string
	s.mu.Lock()
	for _, k := range done {
		lane, ok := s.laneOfKey[k]
		if !ok {
			continue
		}
		delete(s.laneOfKey, k)
		if s.remaining[lane]--; s.remaining[lane] == 0 {
			delete(s.remaining, lane)
			free = append(free, lane)
		}
	}
	s.mu.Unlock()
	for _, lane := range free {
		if err := s.lanes.Release(ctx, lane); err != nil {
			return nil // committed; the lanes go with their connection
		}
	}
	return nil
}

// noteDone records, in the transaction of ctx, updates it finished.
func noteDone(ctx context.Context, p campaignbot.Platform, keys []string) {
	if done, ok := ctx.Value(committedKey{}).(*[]string); ok {
		for _, k := range keys {
			*done = append(*done, inboundKey(p, k))
		}
	}
}

func (s *laneStore) MarkInboundProcessed(ctx context.Context, p campaignbot.Platform, keys ...string) error {
	err := s.DB.MarkInboundProcessed(ctx, p, keys...)
	if err == nil {
		noteDone(ctx, p, keys)
	}
	return err
}

func (s *laneStore) ForgetInbound(ctx context.Context, p campaignbot.Platform, keys ...string) error {
	err := s.DB.ForgetInbound(ctx, p, keys...)
	if err == nil {
		noteDone(ctx, p, keys)
	}
	return err
}

// register notes the decoder that names a platform's senders.
func (s *laneStore) register(p campaignbot.Platform, d bot.Decoder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.decoders[p] = d
}

// laneOf names an update's lane as the intake does (bot.laneOf): its
// sender, or the update alone when it names none.
func (s *laneStore) laneOf(in *campaignbot.Inbound) (string, bool) {
	s.mu.Lock()
	dec, ok := s.decoders[in.Platform]
	s.mu.Unlock()
	if !ok {
		return "", false
	}
	if r := dec.Route(in); r.Sender != "" {
		return string(in.Platform) + ":" + r.Sender, true
	}
	return string(in.Platform) + "#" + in.Key, true
}

// PendingInbound returns the pending updates of the lanes this replica
// holds, in arrival order.
func (s *laneStore) PendingInbound(ctx context.Context, limit int) ([]*campaignbot.Inbound, error) {
	s.mu.Lock()
	clear(s.remaining)
	clear(s.laneOfKey)
	s.mu.Unlock()
	if err := s.lanes.ReleaseAll(ctx); err != nil {
		return nil, err
	}
	pending, err := s.DB.PendingInbound(ctx, limit)
	if err != nil || len(pending) == 0 {
		return pending, err
	}
	var want []string
	seen := map[string]bool{}
	for _, in := range pending {
		if lane, ok := s.laneOf(in); ok && !seen[lane] {
			seen[lane] = true
			want = append(want, lane)
		}
	}
	held, err := s.lanes.TryLock(ctx, want)
	if err != nil {
		return nil, err
	}
	if len(held) == 0 {
		return nil, nil
	}
	// Again, now that the lanes are held: another replica may have
	// committed some of these updates since the first read.
	if pending, err = s.DB.PendingInbound(ctx, limit); err != nil {
		return nil, err
	}
	kept := pending[:0]
	var lanes []string
	for _, in := range pending {
		if lane, ok := s.laneOf(in); ok && held[lane] {
			kept = append(kept, in)
			lanes = append(lanes, lane)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, in := range kept {
		s.remaining[lanes[i]]++
		s.laneOfKey[inboundKey(in.Platform, in.Key)] = lanes[i]
	}
	return kept, nil
}

// Close lets go of the lanes.
func (s *laneStore) Close() error { return s.lanes.Close() }
