package main

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"time"

	"campaignbot"
	"campaignbot/scheduler"
	"campaignbot/store"
)

// targets are the figures of SPEC §10 for an organisation's size: the
// 10,000-people row up to 10,000 people, the 100,000-people row above.
type targets struct {
	people      int
	reminders   time.Duration
	digestFirst time.Duration
	digestLater time.Duration
	memory      int64 // bytes
	ready       time.Duration
	// dashboard is the bench's own: SPEC §11 gives the console no figure.
	// The page computes everyone's obligations, as a digest does, so at
	// 100,000 people it is held to the later digest's second.
	dashboard time.Duration
}

func targetsFor(people int) targets {
	if people <= 10000 {
		return targets{people: 10000, reminders: 500 * time.Millisecond, digestFirst: 500 * time.Millisecond,
			digestLater: 200 * time.Millisecond, memory: 100 << 20, ready: time.Second, dashboard: 500 * time.Millisecond}
	}
	return targets{people: 100000, reminders: 3 * time.Second, digestFirst: 3 * time.Second,
		digestLater: time.Second, memory: 400 << 20, ready: time.Second, dashboard: time.Second}
}

// below formats a target duration.
func below(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("< %d ms", d.Milliseconds())
	}
	return fmt.Sprintf("< %g s", d.Seconds())
}

// openStore opens the generated organisation's store as main does, with
// the bench's clock.
func (e *env) openStore(ctx context.Context) (*store.DB, error) {
	var perDept []string
	for _, t := range e.plan.Tasks {
		if t.Cardinality == campaignbot.PerDepartment {
			perDept = append(perDept, t.Key)
		}
	}
	return store.Open(ctx, e.path, store.WithLocation(e.plan.Loc()), store.WithClock(e.clock()), store.WithPerDepartmentTasks(perDept...))
}

func (e *env) newScheduler(db *store.DB) *scheduler.Scheduler {
	return scheduler.New(db, e.plan, scheduler.WithSchedulerClock(e.clock()), scheduler.WithSchedulerLogger(quietLogger()))
}

// timed runs f n times and returns the slowest and the median run.
func timed(n int, f func() error) (slowest, median time.Duration, err error) {
	var ds []time.Duration
	for range n {
		t := time.Now()
		if err := f(); err != nil {
			return 0, 0, err
		}
		ds = append(ds, time.Since(t))
	}
	slices.Sort(ds)
	return ds[len(ds)-1], ds[len(ds)/2], nil
}

// measureSchedule times the reminders and the digests. "First after
// start" is the first call of a new scheduler on a newly opened store, as
// in a new process: it reads the roster and every submission record.
// "Later" calls read the roster again and only the submission records
// added since.
func measureSchedule(ctx context.Context, e *env) error {
	rep, tg := e.rep, e.targets
	n, subs := e.o.org.people, e.o.org.submissions
	readers := []int64{e.o.org.head(), e.o.org.office(), 1}

	// first opens the store and a scheduler as a new process does and
	// times f, the first thing it computes.
	first := func(f func(*scheduler.Scheduler) error) (*scheduler.Scheduler, func(), time.Duration, error) {
		db, err := e.openStore(ctx)
		if err != nil {
			return nil, nil, 0, err
		}
		s := e.newScheduler(db)
		done := func() { s.Close(); db.Close() }
		runtime.GC() // a new process has no heap to collect
		t := time.Now()
		err = f(s)
		d := time.Since(t)
		if err != nil {
			done()
			return nil, nil, 0, err
		}
		return s, done, d, nil
	}

	// Reminders: the daily job's computation (Preview is RunDay without
	// the enqueue).
	var prompts []scheduler.Prompt
	s, done, d, err := first(func(s *scheduler.Scheduler) error {
		var err error
		prompts, err = s.Preview(ctx, e.day)
		return err
	})
	if err != nil {
		return err
	}
	slowest, _, err := timed(3, func() error { _, err := s.Preview(ctx, e.day); return err })
	done()
	if err != nil {
		return err
	}
	msgs := 0
	for _, p := range prompts {
		msgs += len(p.Messages)
	}
	rep.info(fmt.Sprintf("reminders for %d people: prompts, messages", n), fmt.Sprintf("%d prompts, %d messages", len(prompts), msgs))
	rep.add(fmt.Sprintf("reminders for %d people computed, first after start", n), ms(d), below(tg.reminders), d < tg.reminders)
	rep.add(fmt.Sprintf("reminders for %d people computed, later (slowest of 3)", n), ms(slowest), below(tg.reminders), slowest < tg.reminders)

	// Digests: the head's, the office's (which also lists the unbound) and
	// a leader's, from a new process and then again.
	s, done, d, err = first(func(s *scheduler.Scheduler) error { _, err := s.Digest(ctx, readers[0], e.day); return err })
	if err != nil {
		return err
	}
	defer done()
	rep.add(fmt.Sprintf("digest at %d people / %d submissions, first after start", n, subs), ms(d), below(tg.digestFirst), d < tg.digestFirst)
	var worst, med time.Duration
	for _, r := range readers {
		w, m, err := timed(5, func() error { _, err := s.Digest(ctx, r, e.day); return err })
		if err != nil {
			return err
		}
		worst, med = max(worst, w), max(med, m)
	}
	rep.add(fmt.Sprintf("digest at %d people / %d submissions, later (slowest of 15)", n, subs), ms(worst), below(tg.digestLater), worst < tg.digestLater)
	rep.info("digest, later (median, worst reader)", ms(med))

	// Keep the prompts' Telegram messages for the delivery measurement, one
	// per person: a second message to the same chat waits a second for the
	// per-chat limit, which would measure the mix of prompts, not the rate.
	seen := map[string]bool{}
	for _, p := range prompts {
		for _, m := range p.Messages {
			if m.Platform == campaignbot.PlatformTelegram && m.ChatID != scheduler.GroupChat && !seen[m.ChatID] {
				seen[m.ChatID] = true
				e.reminders = append(e.reminders, m)
			}
		}
	}
	return nil
}
