package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"campaignbot"
)

// FaultStore is what the FaultBoard needs of the store: the office and its
// chats, and the outbox to tell them.
type FaultStore interface {
	FindPeople(ctx context.Context, filter campaignbot.PersonFilter) ([]*campaignbot.Person, error)
	FindAccountsByPerson(ctx context.Context, personID int64) ([]*campaignbot.Account, error)
	EnqueueOutbox(ctx context.Context, msgs []*campaignbot.OutboxMessage) (int, error)
}

// FaultBoard keeps the faults of the deployment in force: /healthz and
// /metrics read it, and it tells the office in chat, on every platform that
// is not itself paused, when a fault starts and when it ends (SPEC §5).
// It implements campaignbot.FaultReporter and is safe for concurrent use.
type FaultBoard struct {
	store  FaultStore
	clock  campaignbot.Clock
	lang   string
	log    *slog.Logger
	notify func()

	mu     sync.Mutex
	faults map[faultKey]campaignbot.Fault
	raised map[faultKey]int64 // how often each fault started, for /metrics
}

type faultKey struct {
	platform campaignbot.Platform
	code     string
}

var _ campaignbot.FaultReporter = (*FaultBoard)(nil)

// NewFaultBoard returns an empty board. notify is called after notices are
// put in the outbox (the dispatcher's Kick); lang is the notices' language.
func NewFaultBoard(store FaultStore, clock campaignbot.Clock, lang string, log *slog.Logger, notify func()) *FaultBoard {
	if notify == nil {
		notify = func() {}
	}
	return &FaultBoard{store: store, clock: clock, lang: lang, log: log, notify: notify,
		faults: map[faultKey]campaignbot.Fault{}, raised: map[faultKey]int64{}}
}

// RaiseFault records f, unless it is already in force, and tells the office.
func (b *FaultBoard) RaiseFault(ctx context.Context, f campaignbot.Fault) {
	k := faultKey{f.Platform, f.Code}
	b.mu.Lock()
	if _, ok := b.faults[k]; ok {
		b.mu.Unlock()
		return
	}
	f.Since = b.clock.Now()
	b.faults[k] = f
	b.raised[k]++
	b.mu.Unlock()
	text := campaignbot.T(b.lang, "fault.office.raised", platformName(b.lang, f.Platform),
		campaignbot.T(b.lang, "fault.advice."+f.Code))
	b.tellOffice(ctx, fmt.Sprintf("fault:%s:%s:%d", f.Platform, f.Code, f.Since.Unix()), f, text)
}

// ClearFault ends the fault, if it is in force, and tells the office.
func (b *FaultBoard) ClearFault(ctx context.Context, p campaignbot.Platform, code string) {
	k := faultKey{p, code}
	b.mu.Lock()
	f, ok := b.faults[k]
	delete(b.faults, k)
	b.mu.Unlock()
	if !ok {
		return
	}
	text := campaignbot.T(b.lang, "fault.office.cleared", platformName(b.lang, p))
	b.tellOffice(ctx, fmt.Sprintf("fault-cleared:%s:%s:%d", p, code, f.Since.Unix()), f, text)
}

// Faults returns the faults in force, oldest first.
func (b *FaultBoard) Faults() []campaignbot.Fault {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]campaignbot.Fault, 0, len(b.faults))
	for _, f := range b.faults {
		out = append(out, f)
	}
	slices.SortFunc(out, func(x, y campaignbot.Fault) int {
		if c := x.Since.Compare(y.Since); c != 0 {
			return c
		}
		return strings.Compare(string(x.Platform)+x.Code, string(y.Platform)+y.Code)
	})
	return out
}

// FaultCount is one fault's figures for /metrics.
type FaultCount struct {
	Platform campaignbot.Platform
	Code     string
	Active   bool
	Raised   int64
}

// Counts returns, for every fault seen since start, whether it is in force
// and how often it started.
func (b *FaultBoard) Counts() []FaultCount {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]FaultCount, 0, len(b.raised))
	for k, n := range b.raised {
		_, active := b.faults[k]
		out = append(out, FaultCount{Platform: k.platform, Code: k.code, Active: active, Raised: n})
	}
	slices.SortFunc(out, func(x, y FaultCount) int {
		return strings.Compare(string(x.Platform)+x.Code, string(y.Platform)+y.Code)
	})
	return out
}

// tellOffice puts text in the outbox for every office member, on every
// platform they are bound on except one paused as a whole, which cannot
// carry it.
func (b *FaultBoard) tellOffice(ctx context.Context, key string, f campaignbot.Fault, text string) {
	role := campaignbot.RoleOffice
	people, err := b.store.FindPeople(ctx, campaignbot.PersonFilter{Role: &role})
	if err != nil {
		b.log.Error("fault: find the office", "err", err)
		return
	}
	now := b.clock.Now()
	var msgs []*campaignbot.OutboxMessage
	for _, p := range people {
		accs, err := b.store.FindAccountsByPerson(ctx, p.ID)
		if err != nil {
			b.log.Error("fault: find accounts", "person", p.ID, "err", err)
			return
		}
		for _, a := range accs {
			if (a.Platform == f.Platform && f.Chat == "") || a.Platform == campaignbot.PlatformConsole {
				continue
			}
			msgs = append(msgs, &campaignbot.OutboxMessage{
				Key: fmt.Sprintf("%s:%d:%s", key, p.ID, a.Platform), Platform: a.Platform, ChatID: a.ChatID,
				PersonID: p.ID, Kind: campaignbot.KindNotice, Text: text,
				Status: campaignbot.OutboxPending, NextAt: now, CreatedAt: now,
			})
		}
	}
	if len(msgs) == 0 {
		b.log.Warn("fault: no office member is bound on a platform that works; only the log and /healthz tell", "platform", f.Platform, "fault", f.Code)
		return
	}
	if _, err := b.store.EnqueueOutbox(ctx, msgs); err != nil {
		b.log.Error("fault: tell the office", "err", err)
		return
	}
	b.notify()
}

// platformName is the platform as users call it.
func platformName(lang string, p campaignbot.Platform) string {
	return campaignbot.T(lang, "fault.platform."+string(p))
}
