package bot

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"campaignbot"
)

// ErrIgnore is what a Decoder returns for an update the bot does not answer
// (a service message, a menu opened, a message in a group not for the bot):
// it is marked processed and nothing else happens.
var ErrIgnore = errors.New("update ignored")

// DownloadError is what a Decoder returns when fetching a file of the
// message failed for a passing reason (the platform's file server answered
// 502, media/get failed): the intake tries again over minutes to hours,
// until Expires, when the platform forgets the file, and tells the sender
// only then.
type DownloadError struct {
	Expires time.Time
	Err     error
}

// Error implements error.
func (e *DownloadError) Error() string { return fmt.Sprintf("download: %s", e.Err) }

// Unwrap returns the download's error.
func (e *DownloadError) Unwrap() error { return e.Err }

// panicError is a panic of a decoder or handler: a bug, not a passing fault.
type panicError struct{ msg string }

func (e *panicError) Error() string { return e.msg }

// Route says where a stored update belongs: who sent it (each sender's
// updates are processed in order), the chat a failure notice goes to, and
// the message it is part of when one message arrives as several updates.
type Route struct {
	Sender string
	Chat   string
	// Group names the message of which the update is a part (an album's
	// photos); "" for an update that is a message by itself. Consecutive
	// pending updates of one sender with the same Group are decoded
	// together as one request.
	Group string
	// Full marks a text exactly at the platform's length limit: the
	// client cut a longer text there and sends the rest as the next
	// message, so the sender's next Text within GroupWait is decoded
	// with it as one request.
	Full bool
	// Text marks a plain text message, which may be the rest of a Full
	// one.
	Text bool
}

// Decoder is a platform's part of the intake: its adapter verifies an
// update, stores it and acknowledges it, and the Decoder reads it back.
type Decoder interface {
	// Route reads where a stored update belongs; an unreadable update has
	// the zero Route (Decode then refuses it).
	Route(in *campaignbot.Inbound) Route
	// Decode turns the updates of one message into a request, fetching
	// its files into the attachment store first (files are stored by
	// sha256, so fetching again after a failure stores nothing twice).
	// It returns ErrIgnore for updates the bot does not answer, and a
	// request together with an EINVALID *campaignbot.Error for a message
	// the platform will not let the bot take (a file over the download
	// limit): the error's message is the reply. A *DownloadError is a
	// file the platform could not hand over yet, tried again until it
	// expires. Any other error is a passing failure (the store, the
	// network) and the updates are tried again later, for as long as it
	// lasts.
	Decode(ctx context.Context, ins []*campaignbot.Inbound) (*Request, error)
}

// Processed is implemented by a Decoder that acts once a request's effects
// are committed (Telegram sets a new member's command menu).
type Processed interface {
	Processed(ctx context.Context, req *Request)
}

// IntakeStore is what the intake needs of the store.
type IntakeStore interface {
	campaignbot.InboundService
	campaignbot.Transactor
	EnqueueOutbox(ctx context.Context, msgs []*campaignbot.OutboxMessage) (int, error)
	FindAccount(ctx context.Context, platform campaignbot.Platform, accountID string) (*campaignbot.Account, error)
}

// Intake processing limits.
const (
	// DefaultMaxAttempts bounds how often an update whose handling
	// panics is tried before the sender is told it failed. Store faults
	// (a full disk, a locked database) are retried for as long as they
	// last, and downloads for as long as the platform keeps the file:
	// neither loses a message.
	DefaultMaxAttempts = 5
	// intakeBatch is how many pending updates one pass reads.
	intakeBatch = 200
	// intakePoll is how often Run looks for pending updates without a
	// wake-up: updates stored by a previous process, retries come due.
	intakePoll = 5 * time.Second
	// GroupWait is how long the intake waits after the newest update of a
	// message that arrives as several (an album's photos come as separate
	// updates, in separate polls or webhook calls; a long text the client
	// sent in two) before it takes the message as whole.
	GroupWait = 1500 * time.Millisecond
)

// defaultRetry is the wait after each failed attempt.
var defaultRetry = []time.Duration{2 * time.Second, 10 * time.Second, time.Minute, 5 * time.Minute}

// downloadRetry is the wait after each failed download: a file server that
// is down is waited for over hours, within the file's lifetime.
var downloadRetry = []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour}

// Intake is the one loop that processes what every platform stored: each
// pending update (or the updates of one message) is decoded, then handled
// by the engine in one store transaction together with its replies and its
// processed mark (SPEC §8). A crash before the commit leaves the update
// pending, to be processed again; after it, nothing is redone.
type Intake struct {
	store    IntakeStore
	handler  Handler
	decoders map[campaignbot.Platform]Decoder
	clock    campaignbot.Clock
	log      *slog.Logger
	notify   func()
	lang     string
	retry    []time.Duration
	attempts int
	// downloadRetry is the wait after each failed download.
	downloadRetry []time.Duration
	wake          chan struct{}
	// mu makes passes one at a time: Run's and a console's.
	mu sync.Mutex
	// held is when the earliest message held back by GroupWait, or the
	// earliest retry, is due.
	held time.Time

	// failMu guards lastCommit and failing, which lanes update side by
	// side.
	failMu sync.Mutex
	// lastCommit is when a message was last committed.
	lastCommit time.Time
	// failing holds when each failing message (by its first key) first
	// failed in this process.
	failing map[string]time.Time
}

// IntakeOption configures an Intake.
type IntakeOption func(*Intake)

// WithIntakeClock sets the clock.
func WithIntakeClock(c campaignbot.Clock) IntakeOption { return func(in *Intake) { in.clock = c } }

// WithIntakeLogger sets the logger.
func WithIntakeLogger(l *slog.Logger) IntakeOption { return func(in *Intake) { in.log = l } }

// WithIntakeNotify sets a function called after replies are put in the
// outbox, so that the dispatcher wakes at once.
func WithIntakeNotify(f func()) IntakeOption { return func(in *Intake) { in.notify = f } }

// WithIntakeLang sets the language of the failure notice.
func WithIntakeLang(lang string) IntakeOption { return func(in *Intake) { in.lang = lang } }

// WithRetry sets the waits after failed attempts (the last one repeats)
// and how many attempts are made before giving up.
func WithRetry(waits []time.Duration, maxAttempts int) IntakeOption {
	return func(in *Intake) { in.retry, in.attempts = waits, maxAttempts }
}

// WithDownloadRetry sets the waits after failed downloads (the last one
// repeats until the file's lifetime ends).
func WithDownloadRetry(waits []time.Duration) IntakeOption {
	return func(in *Intake) {
		if len(waits) > 0 {
			in.downloadRetry = waits
		}
	}
}

// NewIntake returns the intake over store, handing requests to h.
func NewIntake(store IntakeStore, h Handler, opts ...IntakeOption) *Intake {
	in := &Intake{
		store:         store,
		handler:       h,
		decoders:      map[campaignbot.Platform]Decoder{},
		clock:         campaignbot.SystemClock,
		log:           slog.New(slog.DiscardHandler),
		notify:        func() {},
		lang:          "zh",
		retry:         defaultRetry,
		attempts:      DefaultMaxAttempts,
		downloadRetry: downloadRetry,
		failing:       map[string]time.Time{},
		wake:          make(chan struct{}, 1),
	}
	for _, o := range opts {
		o(in)
	}
	return in
}

// Register makes d decode the stored updates of platform p.
func (in *Intake) Register(p campaignbot.Platform, d Decoder) { in.decoders[p] = d }

// Wake tells Run that an update was stored; it never blocks.
func (in *Intake) Wake() {
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

// Run processes pending updates whenever woken and every few seconds,
// until ctx is done.
func (in *Intake) Run(ctx context.Context) error {
	t := time.NewTicker(intakePoll)
	defer t.Stop()
	for {
		if _, err := in.ProcessPending(ctx); err != nil && ctx.Err() == nil {
			in.log.Error("intake: pending updates", "err", err)
		}
		var held <-chan time.Time
		in.mu.Lock()
		if !in.held.IsZero() {
			held = time.After(max(0, in.held.Sub(in.clock.Now())))
		}
		in.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil
		case <-in.wake:
		case <-t.C:
		case <-held:
		}
	}
}

// unit is one message: the updates that make it, in order, and the lane
// of its sender.
type unit struct {
	dec   Decoder
	route Route
	// tail is the route of the last update: a Full text waits for its
	// rest.
	tail Route
	lane string
	ins  []*campaignbot.Inbound
}

// laneOf names the sender whose updates are processed in order: an update
// without a sender is a lane of its own.
func laneOf(in *campaignbot.Inbound, r Route) string {
	if r.Sender == "" {
		return string(in.Platform) + "#" + in.Key
	}
	return string(in.Platform) + ":" + r.Sender
}

// ProcessPending processes the pending updates that are due, each sender's
// in order (one that is waiting to be retried holds back that sender's
// later ones), different senders' side by side. It returns how many
// messages it finished.
func (in *Intake) ProcessPending(ctx context.Context) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	pending, err := in.store.PendingInbound(ctx, intakeBatch)
	if err != nil {
		return 0, fmt.Errorf("pending updates: %w", err)
	}
	now := in.clock.Now()
	var units []unit
	waiting := map[string]bool{} // senders held back by an update not yet due
	var retryAt time.Time        // when the earliest of those is due
	groups := map[string]int{}   // a message's updates: its unit
	last := map[string]int{}     // each sender's latest unit
	for _, row := range pending {
		dec, ok := in.decoders[row.Platform]
		if !ok {
			continue // a platform not configured in this run: kept for when it is
		}
		r := dec.Route(row)
		lane := laneOf(row, r)
		if waiting[lane] || row.RetryAt.After(now) {
			waiting[lane] = true
			if row.RetryAt.After(now) && (retryAt.IsZero() || row.RetryAt.Before(retryAt)) {
				retryAt = row.RetryAt
			}
			continue
		}
		if r.Group != "" {
			g := lane + "/" + r.Group
			if i, ok := groups[g]; ok {
				units[i].ins = append(units[i].ins, row)
				continue
			}
			groups[g] = len(units)
		} else if i, ok := last[lane]; ok && continues(units[i], r, row) {
			units[i].ins = append(units[i].ins, row)
			units[i].tail = r
			continue
		}
		last[lane] = len(units)
		units = append(units, unit{dec: dec, route: r, tail: r, lane: lane, ins: []*campaignbot.Inbound{row}})
	}
	units = in.holdGroups(units, now)
	if !retryAt.IsZero() && (in.held.IsZero() || retryAt.Before(in.held)) {
		in.held = retryAt // Run wakes for the earliest retry too
	}
	var mu sync.Mutex
	done := 0
	ProcessLanes(ctx, units, func(u unit) string { return u.lane }, func(ctx context.Context, u unit) bool {
		ok, retry := in.process(ctx, u)
		mu.Lock()
		defer mu.Unlock()
		if ok {
			done++
		}
		if !retry.IsZero() && (in.held.IsZero() || retry.Before(in.held)) {
			in.held = retry
		}
		return ok
	})
	return done, nil
}

// continues reports whether the update row, routed r, is the rest of the
// text u ends with: a plain text that followed a Full one within
// GroupWait.
func continues(u unit, r Route, row *campaignbot.Inbound) bool {
	prev := u.ins[len(u.ins)-1]
	return u.route.Group == "" && u.tail.Full && r.Text && r.Group == "" &&
		row.ReceivedAt.Sub(prev.ReceivedAt) <= GroupWait
}

// holdGroups holds back a message of several updates until its newest is
// GroupWait old (more may be on their way), and its sender's later
// messages with it; it notes when the earliest held one is due. A text at
// the length limit is such a message too, until its rest arrives.
func (in *Intake) holdGroups(units []unit, now time.Time) []unit {
	in.held = time.Time{}
	held := map[string]bool{}
	kept := units[:0]
	for _, u := range units {
		lane := u.lane
		if !held[lane] && (u.route.Group != "" || u.tail.Full) {
			newest := u.ins[0].ReceivedAt
			for _, row := range u.ins[1:] {
				if row.ReceivedAt.After(newest) {
					newest = row.ReceivedAt
				}
			}
			if due := newest.Add(GroupWait); due.After(now) {
				held[lane] = true
				if in.held.IsZero() || due.Before(in.held) {
					in.held = due
				}
			}
		}
		if !held[lane] {
			kept = append(kept, u)
		}
	}
	return kept
}

// process decodes and handles one message. It reports false when the
// message stays pending, to be tried again, and then when, if it knows.
func (in *Intake) process(ctx context.Context, u unit) (bool, time.Time) {
	platform := u.ins[0].Platform
	keys := make([]string, len(u.ins))
	for i, row := range u.ins {
		keys[i] = row.Key
	}
	anon, err := in.try(ctx, u, keys)
	now := in.clock.Now()
	in.failMu.Lock()
	since, failed := in.failing[keys[0]]
	if err == nil {
		in.lastCommit = now
		delete(in.failing, keys[0])
	} else if !failed {
		since = now
		in.failing[keys[0]] = now
	}
	othersCommitted := in.lastCommit.After(since)
	in.failMu.Unlock()
	if err == nil {
		return true, time.Time{}
	}
	if ctx.Err() != nil {
		return false, time.Time{} // shutting down: processed on the next start
	}
	attempts := u.ins[0].Attempts + 1
	ref := fmt.Sprintf("%s-%s", platform, keys[0])
	update := keys[0]
	if anon {
		// A log line must not say who acted anonymously when (a WeCom
		// key carries the UserID).
		update, ref = "(anonymous)", string(platform)+"-anonymous"
	}
	var (
		pe   *panicError
		de   *DownloadError
		wait time.Duration
	)
	switch {
	case errors.As(err, &pe):
		// A bug: retried a few times, then given up so that it does not
		// hold back all that follow.
		if attempts < in.attempts {
			wait = in.retry[min(attempts, len(in.retry))-1]
		}
	case errors.As(err, &de):
		if now.Before(de.Expires) {
			wait = min(in.downloadRetry[min(attempts, len(in.downloadRetry))-1], max(time.Second, de.Expires.Sub(now)))
		}
	case attempts < in.attempts || !othersCommitted:
		// The store (a full disk, a locked database) or another passing
		// fault: the update is kept and tried again for as long as it
		// lasts; a stored message is never discarded for it.
		wait = in.retry[min(attempts, len(in.retry))-1]
	default:
		// Other messages were committed since this one first failed: the
		// store works, and the fault is this message's own (a bug). Like
		// a panic, it is given up so that it does not hold back the
		// sender's later messages for ever.
	}
	if wait > 0 {
		in.log.Warn("intake: update failed, will retry", "platform", platform, "update", update, "attempt", attempts, "retry_in", wait, "err", err)
		if _, rerr := in.store.RecordInboundFailure(ctx, platform, keys, err.Error(), now.Add(wait)); rerr != nil {
			in.log.Error("intake: record failure", "platform", platform, "update", update, "err", rerr)
		}
		return false, now.Add(wait)
	}
	// Giving up keeps one bad update from holding back all that follow;
	// the sender is told, with the reference that is in the log.
	in.log.Error("intake: update failed, giving up", "platform", platform, "update", update, "ref", ref, "attempts", attempts, "err", err)
	notice := []Reply{{Text: campaignbot.T(in.lang, "err.internal", ref)}}
	if de != nil {
		notice = []Reply{{Text: campaignbot.T(in.lang, "fault.download_failed")}}
	}
	in.failMu.Lock()
	delete(in.failing, keys[0])
	in.failMu.Unlock()
	err = in.store.Atomic(ctx, func(ctx context.Context) error {
		if u.route.Chat != "" {
			req := &Request{Platform: platform, AccountID: u.route.Sender, ChatID: u.route.Chat, Anonymous: anon}
			if err := in.enqueue(ctx, platform, keys[0], req, notice); err != nil {
				return err
			}
		}
		if anon {
			return in.store.ForgetInbound(ctx, platform, keys...)
		}
		return in.store.MarkInboundProcessed(ctx, platform, keys...)
	})
	if err != nil {
		in.log.Error("intake: give up update", "platform", platform, "update", update, "err", err)
		return false, time.Time{}
	}
	in.notify()
	return true, time.Time{}
}

// try decodes the message, then handles it and commits its effects, its
// replies and its processed mark in one transaction. anon reports that the
// handler found the message part of an anonymous act, even if it failed.
func (in *Intake) try(ctx context.Context, u unit, keys []string) (anon bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{fmt.Sprintf("panic: %v\n%s", r, debug.Stack())}
		}
	}()
	platform := u.ins[0].Platform
	req, err := u.dec.Decode(ctx, u.ins)
	var refusal []Reply
	switch {
	case errors.Is(err, ErrIgnore):
		req = nil
	case err == nil:
	case req != nil && campaignbot.ErrorCode(err) == campaignbot.EINVALID:
		refusal = []Reply{{Text: campaignbot.ErrorMessage(err)}}
	default:
		return false, fmt.Errorf("decode: %w", err)
	}
	if p, ok := in.handler.(Preparer); ok && req != nil && refusal == nil {
		p.Prepare(ctx, req)
	}
	err = in.store.Atomic(ctx, func(ctx context.Context) error {
		if req != nil {
			replies := refusal
			if replies == nil {
				var err error
				if replies, err = in.handler.Handle(ctx, req); err != nil {
					return err
				}
			}
			if err := in.enqueue(ctx, platform, keys[0], req, replies); err != nil {
				return err
			}
			if req.Anonymous {
				return in.store.ForgetInbound(ctx, platform, keys...)
			}
		}
		return in.store.MarkInboundProcessed(ctx, platform, keys...)
	})
	anon = req != nil && req.Anonymous
	if err != nil {
		return anon, err
	}
	in.notify()
	if p, ok := u.dec.(Processed); ok && req != nil && refusal == nil {
		p.Processed(ctx, req)
	}
	return anon, nil
}

// enqueue puts the replies to req in the outbox, keyed by the update that
// carried it. A reply to a person's own private chat names the person. The
// replies to an anonymous act name no one and carry random keys (a key
// made of the update's would say whose it was).
func (in *Intake) enqueue(ctx context.Context, platform campaignbot.Platform, key string, req *Request, replies []Reply) error {
	var personID int64
	if req.AccountID != "" && !req.Anonymous {
		acc, err := in.store.FindAccount(ctx, platform, req.AccountID)
		if err == nil && acc.ChatID == req.ChatID {
			personID = acc.PersonID
		} else if err != nil && campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
			return fmt.Errorf("find account: %w", err)
		}
	}
	now := in.clock.Now()
	var msgs []*campaignbot.OutboxMessage
	for i, r := range replies {
		if strings.TrimSpace(r.Text) == "" && len(r.Files) == 0 {
			continue
		}
		k := "reply:" + string(platform) + ":" + key + ":" + strconv.Itoa(i)
		if req.Anonymous {
			k = "anon:" + rand.Text()
		}
		msgs = append(msgs, &campaignbot.OutboxMessage{
			Key:       k,
			Platform:  platform,
			ChatID:    req.ChatID,
			PersonID:  personID,
			Kind:      campaignbot.KindReply,
			Text:      r.Text,
			Buttons:   r.Buttons,
			Files:     r.Files,
			Status:    campaignbot.OutboxPending,
			NextAt:    now,
			CreatedAt: now,
			Anonymous: req.Anonymous,
			Thread:    req.Thread,
		})
	}
	if len(msgs) == 0 {
		return nil
	}
	if _, err := in.store.EnqueueOutbox(ctx, msgs); err != nil {
		return fmt.Errorf("enqueue replies: %w", err)
	}
	return nil
}
