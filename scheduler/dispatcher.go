package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"campaignbot"
)

// Dispatcher defaults.
const (
	// DefaultMaxAttempts is how many failed attempts a message gets before
	// it is given up (status failed). Only passing failures (a platform's
	// 5xx, the network) count: with the backoff below it is a day, so that
	// a platform down for hours, or a server cut off from the internet
	// overnight, loses nothing (SPEC §5).
	DefaultMaxAttempts = 30
	// DefaultMaxFloodAttempts bounds attempts that failed only because the
	// platform asked to wait (retry_after): such waits are the platform's
	// pacing, not the message's fault, so they get a larger bound.
	DefaultMaxFloodAttempts = 30
	// DefaultPollInterval is how often an idle dispatcher looks for rows
	// whose NextAt has come without being kicked.
	DefaultPollInterval = 2 * time.Second
	// DefaultBatch is how many rows a platform claims at a time.
	DefaultBatch = 32
)

// DefaultBackoff is the wait after the 1st, 2nd, … retryable failure; the
// last entry repeats.
var defaultBackoff = []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour}

// DefaultBackoff returns the retry schedule for retryable failures.
func DefaultBackoff() []time.Duration { return append([]time.Duration(nil), defaultBackoff...) }

// Dispatcher delivers the outbox: one goroutine per platform claims rows
// whose NextAt has come, paces them by the platform's limits, sends them and
// records the outcome.
//
// Delivery is at least once with a tiny window: a row is marked sent right
// after its Send returns (with a context that shutdown does not cancel), and
// a process never sends a row twice. Only a crash between a successful Send
// and its MarkOutboxSent — one database write — can lead the next process to
// send that row once more.
type Dispatcher struct {
	out          campaignbot.OutboxService
	senders      map[campaignbot.Platform]campaignbot.Sender
	clock        campaignbot.Clock
	logger       *slog.Logger
	limits       map[campaignbot.Platform]Limits
	backoff      []time.Duration
	maxAttempts  int
	maxFlood     int
	poll         time.Duration
	batch        int
	lease        time.Duration // of a claim; zero: claims do not expire
	unreachable  func(ctx context.Context, personID int64, p campaignbot.Platform)
	delivered    func(ctx context.Context, personID int64, p campaignbot.Platform)
	faults       campaignbot.FaultReporter
	probe        [2]time.Duration // first and longest wait between probes of a fault
	after        func(time.Duration) <-chan time.Time
	states       map[campaignbot.Platform]*platformState
	kickChannels map[campaignbot.Platform]chan struct{}
}

// DispatcherOption configures a Dispatcher.
type DispatcherOption func(*Dispatcher)

// WithClock sets the dispatcher's clock.
func WithClock(c campaignbot.Clock) DispatcherOption { return func(d *Dispatcher) { d.clock = c } }

// WithLogger sets the dispatcher's logger.
func WithLogger(l *slog.Logger) DispatcherOption { return func(d *Dispatcher) { d.logger = l } }

// WithLimits replaces the limits of one platform (DefaultLimits otherwise).
func WithLimits(p campaignbot.Platform, l Limits) DispatcherOption {
	return func(d *Dispatcher) { d.limits[p] = l }
}

// WithBackoff sets the waits after retryable failures and how many failed
// attempts a message gets before it is given up.
func WithBackoff(waits []time.Duration, maxAttempts int) DispatcherOption {
	return func(d *Dispatcher) {
		if len(waits) > 0 {
			d.backoff = waits
		}
		if maxAttempts > 0 {
			d.maxAttempts = maxAttempts
		}
	}
}

// WithPollInterval sets how often an idle platform loop looks for due rows.
func WithPollInterval(p time.Duration) DispatcherOption {
	return func(d *Dispatcher) {
		if p > 0 {
			d.poll = p
		}
	}
}

// WithClaimLease tells the dispatcher that the store keeps a claimed row
// from other claims for lease only (PostgreSQL, where a new leader's
// dispatcher may claim beside one that has not yet noticed it lost the
// lead): a queued row is sent only within the first two thirds of its
// lease, leaving the last third for the send itself, and is claimed again
// after. Without it (SQLite: one dispatcher per store) claims never expire.
func WithClaimLease(lease time.Duration) DispatcherOption {
	return func(d *Dispatcher) { d.lease = max(0, lease) }
}

// WithOnUnreachable sets the hook called when a recipient refuses delivery
// (blocked the bot, left the organisation). main wires it to
// PersonService.SetReachable(ctx, personID, platform, false).
func WithOnUnreachable(f func(ctx context.Context, personID int64, p campaignbot.Platform)) DispatcherOption {
	return func(d *Dispatcher) { d.unreachable = f }
}

// WithOnDelivered sets the hook called after a delivery to a person
// succeeded: main clears an unreachable mark with it (one refusal must not
// mark a person unreachable for ever, SPEC §6).
func WithOnDelivered(f func(ctx context.Context, personID int64, p campaignbot.Platform)) DispatcherOption {
	return func(d *Dispatcher) { d.delivered = f }
}

// WithFaults sets who is told when a fault of the deployment pauses a
// platform (or a chat) and when delivery resumes.
func WithFaults(r campaignbot.FaultReporter) DispatcherOption {
	return func(d *Dispatcher) { d.faults = r }
}

// WithFaultProbe sets the wait before the first probe of a paused platform
// and the longest wait between probes (the wait doubles in between).
func WithFaultProbe(first, longest time.Duration) DispatcherOption {
	return func(d *Dispatcher) {
		if first > 0 && longest >= first {
			d.probe = [2]time.Duration{first, longest}
		}
	}
}

// Fault probing defaults: the operator who has just fixed the fault sees
// delivery resume within DefaultFaultProbeMax.
const (
	DefaultFaultProbe    = 15 * time.Second
	DefaultFaultProbeMax = 5 * time.Minute
)

// NewDispatcher returns a dispatcher for the given senders, one per platform.
func NewDispatcher(out campaignbot.OutboxService, senders []campaignbot.Sender, opts ...DispatcherOption) *Dispatcher {
	d := &Dispatcher{
		out:          out,
		senders:      make(map[campaignbot.Platform]campaignbot.Sender),
		clock:        campaignbot.SystemClock,
		logger:       slog.Default(),
		limits:       make(map[campaignbot.Platform]Limits),
		backoff:      DefaultBackoff(),
		maxAttempts:  DefaultMaxAttempts,
		maxFlood:     DefaultMaxFloodAttempts,
		poll:         DefaultPollInterval,
		batch:        DefaultBatch,
		after:        time.After,
		probe:        [2]time.Duration{DefaultFaultProbe, DefaultFaultProbeMax},
		states:       make(map[campaignbot.Platform]*platformState),
		kickChannels: make(map[campaignbot.Platform]chan struct{}),
	}
	for _, s := range senders {
		d.senders[s.Platform()] = s
	}
	for p := range d.senders {
		d.limits[p] = DefaultLimits(p)
	}
	for _, o := range opts {
		o(d)
	}
	for p := range d.senders {
		l := d.limits[p]
		d.states[p] = &platformState{
			global:    newLimiter(l.Global),
			limits:    l,
			chats:     make(map[string]limiter),
			queued:    make(map[int64]bool),
			claimedAt: make(map[int64]time.Time),
			sent:      make(map[int64]time.Time),
			unmarked:  make(map[int64]unmarkedSend),
			holds:     make(map[string]*hold),
		}
		d.kickChannels[p] = make(chan struct{}, 1)
	}
	return d
}

// Kick wakes every platform loop at once, so that a message just enqueued
// goes out without waiting for the next poll. It never blocks.
func (d *Dispatcher) Kick() {
	for _, ch := range d.kickChannels {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Run delivers until ctx is done, then waits for the platform loops to
// finish their current send and returns nil.
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for p := range d.senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.loop(ctx, p)
		}()
	}
	wg.Wait()
	return nil
}

// Drain delivers on platform p everything due now, then returns: the
// console sends this way after each line, so that the answers are printed
// before the next prompt. Rows held back by a limit or a retry wait stay
// for Run.
func (d *Dispatcher) Drain(ctx context.Context, p campaignbot.Platform) {
	if _, ok := d.states[p]; !ok {
		return
	}
	for range 1000 { // bound the rounds, whatever the store hands out
		if ctx.Err() != nil || d.dispatchOnce(ctx, p, d.clock.Now()) > 0 {
			return
		}
	}
}

func (d *Dispatcher) loop(ctx context.Context, p campaignbot.Platform) {
	for ctx.Err() == nil {
		wait := d.dispatchOnce(ctx, p, d.clock.Now())
		select {
		case <-ctx.Done():
		case <-d.kickChannels[p]:
		case <-d.after(wait):
		}
	}
}

// platformState is what one platform loop keeps between rounds. Only that
// loop touches it.
type platformState struct {
	limits Limits
	global limiter
	chats  map[string]limiter
	// queue holds claimed rows not yet attempted, waiting for their chat's
	// or the platform's limit.
	queue  []*campaignbot.OutboxMessage
	queued map[int64]bool
	// claimedAt is when each queued row was claimed (WithClaimLease).
	claimedAt map[int64]time.Time
	// sent remembers rows this process sent, so that a row is never sent
	// twice by one process even if the store hands it out again.
	sent map[int64]time.Time
	// unmarked holds rows that were sent but whose MarkOutboxSent failed;
	// marking is retried every round.
	unmarked    map[int64]unmarkedSend
	pausedUntil time.Time
	// fault is the fault of the deployment that paused the platform until
	// pausedUntil, nil when none; the next send is its probe.
	fault *hold
	// holds are chats held back by themselves: WeCom's 45009 for one
	// member or the robot, a fault of the group chat alone.
	holds map[string]*hold
	// retryAt is the earliest NextAt this process gave a failed row.
	retryAt   time.Time
	lastPrune time.Time
}

// hold keeps a platform or a chat from sending until until; with a fault
// the wait before the next probe doubles each time, up to the longest.
type hold struct {
	until time.Time
	fault *campaignbot.Fault
	wait  time.Duration
}

type unmarkedSend struct {
	platformMessageID string
	at                time.Time
}

// dispatchOnce does one round for platform p at instant now: it sends every
// queued or newly claimed row that the limits allow at now, and returns how
// long to wait before the next round.
func (d *Dispatcher) dispatchOnce(ctx context.Context, p campaignbot.Platform, now time.Time) time.Duration {
	st, sender := d.states[p], d.senders[p]
	// Outcomes are recorded even when ctx is being cancelled: a message that
	// went out must be marked sent.
	mctx := context.WithoutCancel(ctx)
	d.retryMarks(mctx, st)
	d.prune(st, now)
	if len(st.unmarked) > 0 {
		// A process that cannot record what it sent sends nothing more:
		// each such send would go again from the next leader, or the
		// next process, that finds it pending.
		return d.poll
	}

	if now.Before(st.pausedUntil) {
		return st.pausedUntil.Sub(now)
	}
	if len(st.queue) == 0 {
		d.claim(ctx, p, st, now)
	}
	if len(st.queue) == 0 {
		return st.untilRetry(now, d.poll)
	}

	wait := d.poll
	var next time.Time // the earliest instant a held-back row may go
	bs, _ := sender.(campaignbot.BatchSender)
	var batches []*batch
	open := map[string]*batch{}  // by content, while it has room
	inBatch := map[string]bool{} // chats with a row in a batch of this round
	rest := st.queue[:0]
	for i, m := range st.queue {
		if ctx.Err() != nil || now.Before(st.pausedUntil) || len(st.unmarked) > 0 {
			rest = append(rest, st.queue[i:]...)
			break
		}
		if d.lease > 0 && !d.clock.Now().Before(st.claimedAt[m.ID].Add(2*d.lease/3)) {
			// Its lease is running out: another dispatcher may claim it
			// soon. Claimed again, it goes with a new lease.
			delete(st.queued, m.ID)
			delete(st.claimedAt, m.ID)
			continue
		}
		chat := st.chat(m.ChatID)
		ready := chat.readyAt(now)
		if h := st.holds[m.ChatID]; h != nil && h.until.After(ready) {
			ready = h.until
		}
		key, batchable := "", false
		if bs != nil {
			key, batchable = bs.BatchKey(m)
		}
		if b := open[key]; batchable && b != nil && b.chats[m.ChatID] {
			// A member is in a call once: their next row starts another.
			delete(open, key)
		}
		joins := batchable && open[key] != nil
		// A row joining a batch costs no call of its own: only the
		// member's limits apply.
		if g := st.global.readyAt(now); !joins && g.After(ready) {
			ready = g
		}
		if ready.After(now) {
			if next.IsZero() || ready.Before(next) {
				next = ready
			}
			rest = append(rest, m)
			continue
		}
		if !batchable && inBatch[m.ChatID] {
			// A chat's rows go in order: this one follows its batched
			// row, next round.
			rest = append(rest, m)
			if next.IsZero() || now.Before(next) {
				next = now
			}
			continue
		}
		if batchable {
			inBatch[m.ChatID] = true
			at := later(now, d.clock.Now())
			b := open[key]
			if b == nil {
				b = &batch{chats: map[string]bool{}}
				batches = append(batches, b)
				open[key] = b
				st.global.record(at)
			}
			chat.record(at)
			delete(st.queued, m.ID)
			b.rows = append(b.rows, m)
			b.chats[m.ChatID] = true
			if len(b.rows) >= bs.MaxBatch() {
				delete(open, key)
			}
			continue
		}
		// Earlier sends of this round took time: count this one from when
		// it really starts.
		at := now
		if c := d.clock.Now(); c.After(at) {
			at = c
		}
		// A row the platform carries as several messages (a long text, a
		// card, files) counts as that many against the limits: WeCom drops
		// what is over its per-member limit without a word.
		for range partsOf(sender, m) {
			st.global.record(at)
			chat.record(at)
		}
		delete(st.queued, m.ID)
		claimed := st.claimedAt[m.ID]
		delete(st.claimedAt, m.ID)
		if d.send(ctx, mctx, sender, st, m, at) {
			// Kept for after the fault: not an attempt, nothing lost.
			st.queued[m.ID] = true
			st.claimedAt[m.ID] = claimed
			rest = append(rest, m)
			if h := st.holds[m.ChatID]; h != nil && h.until.After(now) && (next.IsZero() || h.until.Before(next)) {
				next = h.until
			}
		}
	}
	clear(st.queue[len(rest):])
	st.queue = rest
	for _, b := range batches {
		// An earlier batch of this round may have met a hold (45009 for a
		// member) or a fault: those rows wait.
		at := later(now, d.clock.Now())
		// So may a send this process could not mark: all of them wait.
		var rows, wait []*campaignbot.OutboxMessage
		for _, m := range b.rows {
			if h := st.holds[m.ChatID]; at.Before(st.pausedUntil) || (h != nil && h.until.After(at)) || len(st.unmarked) > 0 {
				wait = append(wait, m)
			} else {
				rows = append(rows, m)
			}
		}
		if len(rows) > 0 {
			kept := d.sendBatch(ctx, mctx, bs, st, rows, at)
			for _, m := range rows {
				if !slices.Contains(kept, m) {
					delete(st.claimedAt, m.ID)
				}
			}
			wait = append(wait, kept...)
		}
		for _, m := range wait {
			st.queued[m.ID] = true
			st.queue = append(st.queue, m)
			if h := st.holds[m.ChatID]; h != nil && h.until.After(now) && (next.IsZero() || h.until.Before(next)) {
				next = h.until
			}
		}
	}
	// Rows held back by the limits leave time until the next send: claim
	// more then, so that the claim's query does not delay the message whose
	// turn has come.
	if ctx.Err() == nil && !now.Before(st.pausedUntil) && len(st.queue) > 0 && len(st.queue) < maxQueue*d.batch {
		held := len(st.queue)
		d.claim(ctx, p, st, d.clock.Now())
		if len(st.queue) > held {
			if g := st.global.readyAt(d.clock.Now()); next.IsZero() || g.Before(next) {
				next = g
			}
		}
	}
	if !next.IsZero() {
		// Measured from the clock, not from the round's start: the sends of
		// this round took time, and waiting from its start would make every
		// paced message late by one send (25 a second instead of 30).
		wait = min(wait, max(0, next.Sub(d.clock.Now())))
	}
	if now.Before(st.pausedUntil) {
		wait = st.pausedUntil.Sub(now)
	} else if len(st.queue) == 0 {
		// Claim again at once: more rows may be due.
		wait = 0
	}
	return st.untilRetry(now, wait)
}

// untilRetry shortens wait so that the loop wakes when the earliest retry
// this process scheduled falls due, not at the next poll after it.
func (st *platformState) untilRetry(now time.Time, wait time.Duration) time.Duration {
	if st.retryAt.IsZero() {
		return wait
	}
	if !st.retryAt.After(now) {
		st.retryAt = time.Time{}
		return wait
	}
	return min(wait, st.retryAt.Sub(now))
}

func (d *Dispatcher) claim(ctx context.Context, p campaignbot.Platform, st *platformState, now time.Time) {
	// The store may hand out the rows already queued here again (SQLite's
	// claim is a plain select, oldest first): ask for that many more so
	// that rows held back by one chat's limit do not hide the rest.
	n := d.batch
	if bs, ok := d.senders[p].(campaignbot.BatchSender); ok {
		// Enough rows to fill a touser call.
		n = max(n, bs.MaxBatch())
	}
	msgs, err := d.out.ClaimOutbox(ctx, p, now, len(st.queue)+n)
	if err != nil {
		if ctx.Err() == nil {
			d.logger.Error("claim outbox", "platform", p, "err", err)
		}
		return
	}
	for _, m := range msgs {
		if st.queued[m.ID] {
			continue
		}
		if _, ok := st.sent[m.ID]; ok {
			continue
		}
		st.queued[m.ID] = true
		st.claimedAt[m.ID] = now
		st.queue = append(st.queue, m)
	}
}

// batch is rows with one content going in one call.
type batch struct {
	rows  []*campaignbot.OutboxMessage
	chats map[string]bool
}

// sendBatch delivers rows in one call and records each row's outcome as
// send does, returning the rows kept back by a fault of the deployment.
// One row goes as a single send. A fault pauses the platform once, for
// the whole batch: nothing is marked sent.
func (d *Dispatcher) sendBatch(ctx, mctx context.Context, bs campaignbot.BatchSender, st *platformState, rows []*campaignbot.OutboxMessage, now time.Time) (kept []*campaignbot.OutboxMessage) {
	if len(rows) == 1 {
		if d.send(ctx, mctx, bs, st, rows[0], now) {
			kept = append(kept, rows[0])
		}
		return kept
	}
	for _, m := range rows {
		st.sent[m.ID] = now
	}
	ids, errs := bs.SendBatch(ctx, rows)
	paused := false
	for i, m := range rows {
		var se *campaignbot.SendError
		if errors.As(errs[i], &se) && se.Fault != nil {
			delete(st.sent, m.ID)
			if !paused {
				d.pause(mctx, st, m, se, now)
				paused = true
			}
			kept = append(kept, m)
			continue
		}
		if d.settle(ctx, mctx, st, m, ids[i], errs[i], now) {
			kept = append(kept, m)
		}
	}
	return kept
}

// send delivers m and records the outcome. It reports true when m was
// kept back, unattempted, by a fault of the deployment: the caller queues
// it again for when the fault is gone.
func (d *Dispatcher) send(ctx, mctx context.Context, sender campaignbot.Sender, st *platformState, m *campaignbot.OutboxMessage, now time.Time) (kept bool) {
	st.sent[m.ID] = now
	pmid, err := sender.Send(ctx, m)
	return d.settle(ctx, mctx, st, m, pmid, err, now)
}

// settle records the outcome of a send of m that met err (nil: sent as
// pmid), and reports true when m was kept back by a fault.
func (d *Dispatcher) settle(ctx, mctx context.Context, st *platformState, m *campaignbot.OutboxMessage, pmid string, err error, now time.Time) (kept bool) {
	if err == nil {
		if err := d.out.MarkOutboxSent(mctx, m.ID, pmid, now); err != nil {
			d.logger.Error("mark outbox sent", "id", m.ID, "err", err)
			st.unmarked[m.ID] = unmarkedSend{pmid, now}
		}
		d.resume(mctx, st, m)
		return false
	}

	attempt := m.Attempts + 1
	var next time.Time
	var giveUp bool
	var se *campaignbot.SendError
	if errors.As(err, &se) && se.Fault != nil {
		delete(st.sent, m.ID)
		d.pause(mctx, st, m, se, now)
		return true
	}
	switch {
	case errors.As(err, &se) && se.RetryAfter > 0 && se.ChatOnly:
		// WeCom's 45009 holds back that member or that robot only.
		next = now.Add(se.RetryAfter)
		if h := st.holds[m.ChatID]; h == nil || h.until.Before(next) {
			st.holds[m.ChatID] = &hold{until: next}
		}
		giveUp = attempt >= d.maxFlood
	case errors.As(err, &se) && se.Unreachable:
		giveUp = true
	case errors.As(err, &se) && se.Permanent:
		giveUp = true
	case errors.As(err, &se) && se.RetryAfter > 0:
		// Flood control holds for the whole platform (Telegram's 429 is
		// global): nothing is sent until it has passed.
		next = now.Add(se.RetryAfter)
		if next.After(st.pausedUntil) {
			st.pausedUntil = next
		}
		giveUp = attempt >= d.maxFlood
	default:
		next = now.Add(d.backoff[min(attempt, len(d.backoff))-1])
		giveUp = attempt >= d.maxAttempts
	}
	// A failed attempt is not a send: the row may go again.
	delete(st.sent, m.ID)
	if giveUp {
		next = now
	}
	lastErr := err.Error()
	if giveUp {
		lastErr = fmt.Sprintf("gave up after %d attempts: %s", attempt, lastErr)
	}
	if !giveUp && (st.retryAt.IsZero() || next.Before(st.retryAt)) {
		st.retryAt = next
	}
	if err := d.out.MarkOutboxRetry(mctx, m.ID, lastErr, next, giveUp); err != nil {
		d.logger.Error("mark outbox retry", "id", m.ID, "err", err)
	}
	level := slog.LevelWarn
	if giveUp {
		level = slog.LevelError
	}
	d.logger.Log(ctx, level, "send failed", "platform", m.Platform, "id", m.ID, "kind", m.Kind,
		"attempt", attempt, "give_up", giveUp, "next", next, "err", err)
	if se != nil && se.Unreachable && m.PersonID != 0 && d.unreachable != nil {
		d.unreachable(mctx, m.PersonID, m.Platform)
	}
	return false
}

// pause holds the platform, or the one chat the fault concerns, until the
// next probe: the message that met the fault goes again then, and its
// success ends the pause. The first time, the operator and the office are
// told.
func (d *Dispatcher) pause(ctx context.Context, st *platformState, m *campaignbot.OutboxMessage, se *campaignbot.SendError, now time.Time) {
	f := *se.Fault
	f.Platform = m.Platform
	h := st.fault
	if f.Chat != "" {
		h = st.holds[f.Chat]
	}
	first := h == nil || h.fault == nil || h.fault.Code != f.Code
	if first {
		h = &hold{fault: &f, wait: d.probe[0]}
	} else {
		h.wait = min(2*h.wait, d.probe[1])
	}
	h.until = now.Add(h.wait)
	if f.Chat != "" {
		st.holds[f.Chat] = h
	} else {
		st.fault = h
		if h.until.After(st.pausedUntil) {
			st.pausedUntil = h.until
		}
	}
	advice := campaignbot.T("en", "fault.advice."+f.Code)
	if first {
		d.logger.Error("delivery paused: fault of the deployment; messages are kept and sent once it is fixed",
			"platform", f.Platform, "fault", f.Code, "chat", f.Chat, "fix", advice, "detail", f.Detail, "err", se.Err, "probe_in", h.wait)
		if d.faults != nil {
			d.faults.RaiseFault(ctx, f)
		}
		return
	}
	d.logger.Warn("delivery still paused", "platform", f.Platform, "fault", f.Code, "chat", f.Chat, "fix", advice, "probe_in", h.wait)
}

// resume ends the pause a successful delivery proves over, and tells the
// hooks that m's person is reachable.
func (d *Dispatcher) resume(ctx context.Context, st *platformState, m *campaignbot.OutboxMessage) {
	if m.PersonID != 0 && d.delivered != nil {
		d.delivered(ctx, m.PersonID, m.Platform)
	}
	for _, h := range []*hold{st.fault, st.holds[m.ChatID]} {
		if h == nil || h.fault == nil {
			continue
		}
		if h.fault.Chat != "" && h.fault.Chat != m.ChatID {
			continue
		}
		if h.fault.Chat == "" && m.Platform == campaignbot.PlatformWeCom && m.ChatID == GroupChat {
			// WeCom's group goes through the robot, which the app's faults
			// (IP, secret, corp id) do not concern: it proves nothing.
			continue
		}
		d.logger.Info("delivery resumed: the fault is gone", "platform", m.Platform, "fault", h.fault.Code, "chat", h.fault.Chat)
		if d.faults != nil {
			d.faults.ClearFault(ctx, m.Platform, h.fault.Code)
		}
		h.fault = nil
	}
	if st.fault != nil && st.fault.fault == nil {
		st.fault = nil
	}
	if h := st.holds[m.ChatID]; h != nil && h.fault == nil {
		delete(st.holds, m.ChatID) // a 45009 wait is over once the chat took a message
	}
}

func (d *Dispatcher) retryMarks(ctx context.Context, st *platformState) {
	for id, u := range st.unmarked {
		if err := d.out.MarkOutboxSent(ctx, id, u.platformMessageID, u.at); err != nil {
			d.logger.Error("mark outbox sent", "id", id, "err", err)
			return
		}
		delete(st.unmarked, id)
	}
}

// maxQueue bounds, in batches, the claimed rows a platform holds back for
// their chats' limits before it stops claiming more.
const maxQueue = 8

// sentMemory is how long a process remembers the rows it sent. The store
// stops handing a row out once it is marked sent; this only guards against a
// claim that races a mark.
const sentMemory = time.Hour

func (d *Dispatcher) prune(st *platformState, now time.Time) {
	if now.Sub(st.lastPrune) < time.Minute {
		return
	}
	st.lastPrune = now
	for id, at := range st.sent {
		if _, ok := st.unmarked[id]; !ok && now.Sub(at) > sentMemory {
			delete(st.sent, id)
		}
	}
	for chat, l := range st.chats {
		if l.idle(now) {
			delete(st.chats, chat)
		}
	}
	for chat, h := range st.holds {
		if h.fault == nil && !h.until.After(now) {
			delete(st.holds, chat)
		}
	}
}

func (st *platformState) chat(chatID string) limiter {
	l, ok := st.chats[chatID]
	if !ok {
		rates := st.limits.PerChat
		if chatID == GroupChat {
			rates = st.limits.Group
		}
		l = newLimiter(rates)
		st.chats[chatID] = l
	}
	return l
}

// GroupChat is the ChatID of messages to the campaign group; each platform's
// sender maps it to the configured group (TELEGRAM_GROUP_CHAT_ID, the WeCom
// robot).
const GroupChat = "group"

// PartCounter is a Sender that can tell how many platform messages an
// outbox row becomes, so that the limits count each.
type PartCounter interface {
	Parts(m *campaignbot.OutboxMessage) int
}

// partsOf returns how many platform messages m is, at least one.
func partsOf(s campaignbot.Sender, m *campaignbot.OutboxMessage) int {
	if pc, ok := s.(PartCounter); ok {
		return max(1, pc.Parts(m))
	}
	return 1
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
