package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"campaignbot"
	"campaignbot/scheduler"
	"campaignbot/store"
)

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

// measureSchedule times the reminders and the digests. A cold figure is
// the first call of a new scheduler, which reads the roster and every
// submission record from the store; a warm one reads only what changed.
func measureSchedule(ctx context.Context, e *env) error {
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	rep := e.rep
	n := e.o.org.people
	const remindTarget = 500 * time.Millisecond
	const digestTarget = 100 * time.Millisecond

	// Reminders: the daily job's computation (Preview is RunDay without
	// the enqueue).
	s := e.newScheduler(db)
	var prompts []scheduler.Prompt
	t := time.Now()
	if prompts, err = s.Preview(ctx, e.day); err != nil {
		return err
	}
	cold := time.Since(t)
	slowest, _, err := timed(3, func() error { _, err := s.Preview(ctx, e.day); return err })
	if err != nil {
		return err
	}
	msgs := 0
	for _, p := range prompts {
		msgs += len(p.Messages)
	}
	rep.info(fmt.Sprintf("reminders for %d people: prompts, messages", n), fmt.Sprintf("%d prompts, %d messages", len(prompts), msgs))
	rep.add(fmt.Sprintf("reminders for %d people computed, cold cache (new scheduler)", n), ms(cold), "< 500 ms", cold < remindTarget)
	rep.add(fmt.Sprintf("reminders for %d people computed, later runs (slowest of 3)", n), ms(slowest), "< 500 ms", slowest < remindTarget)

	// Digests: the head's, the office's (which also lists the unbound) and
	// a leader's, from a new scheduler and then again.
	readers := []int64{e.o.org.head(), e.o.org.office(), 1}
	s = e.newScheduler(db)
	t = time.Now()
	if _, err := s.Digest(ctx, readers[0], e.day); err != nil {
		return err
	}
	cold = time.Since(t)
	rep.add(fmt.Sprintf("digest at %d people / %d submissions, cold cache (new scheduler)", n, e.o.org.submissions), ms(cold), "< 100 ms", cold < digestTarget)
	var worst, med time.Duration
	for _, r := range readers {
		w, m, err := timed(5, func() error { _, err := s.Digest(ctx, r, e.day); return err })
		if err != nil {
			return err
		}
		worst, med = max(worst, w), max(med, m)
	}
	rep.add(fmt.Sprintf("digest at %d people / %d submissions, later (slowest of 15)", n, e.o.org.submissions), ms(worst), "< 100 ms", worst < digestTarget)
	rep.info("digest, later (median, worst reader)", ms(med))

	// After a start: Scheduler.Start warms the cache in the background
	// (Warm), so the first digest and the first reminders run find it warm.
	s = e.newScheduler(db)
	t = time.Now()
	if err := s.Warm(ctx); err != nil {
		return err
	}
	rep.info("warm-up of a new scheduler (Start runs it in the background)", ms(time.Since(t)))
	t = time.Now()
	if _, err := s.Digest(ctx, readers[0], e.day); err != nil {
		return err
	}
	first := time.Since(t)
	rep.add("digest, first after start (cache warmed by Start)", ms(first), "< 100 ms", first < digestTarget)
	t = time.Now()
	if _, err := s.Preview(ctx, e.day); err != nil {
		return err
	}
	first = time.Since(t)
	rep.add("reminders computed, first after start (cache warmed by Start)", ms(first), "< 500 ms", first < remindTarget)

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
