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
// held a lane before committed.
type laneStore struct {
	*store.DB
	lanes *store.Lanes

	mu       sync.Mutex
	decoders map[campaignbot.Platform]bot.Decoder
}

func newLaneStore(db *store.DB) *laneStore {
	return &laneStore{DB: db, lanes: db.Lanes(), decoders: map[campaignbot.Platform]bot.Decoder{}}
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
	for _, in := range pending {
		if lane, ok := s.laneOf(in); ok && held[lane] {
			kept = append(kept, in)
		}
	}
	return kept, nil
}

// Close lets go of the lanes.
func (s *laneStore) Close() error { return s.lanes.Close() }
