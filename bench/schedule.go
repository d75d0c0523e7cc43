package main

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
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
// the first call of a new scheduler on a newly opened store, as in a new
// process: it reads the roster and the submission records, the latter from
// the record snapshot that an earlier process saved (as a running bot
// leaves it) and the rows after it. The first load ever, without a
// snapshot, is an info row. A warm figure reads only what changed.
func measureSchedule(ctx context.Context, e *env) error {
	rep := e.rep
	n := e.o.org.people
	const remindTarget = 500 * time.Millisecond
	const digestTarget = 100 * time.Millisecond
	readers := []int64{e.o.org.head(), e.o.org.office(), 1}

	// The first load ever: no record snapshot yet. Each scheduler saves
	// one at Close, so it is dropped before each figure.
	firstEver := func(f func(*scheduler.Scheduler) error) (time.Duration, error) {
		if err := e.dropRecordSnapshot(ctx); err != nil {
			return 0, err
		}
		db, err := e.openStore(ctx)
		if err != nil {
			return 0, err
		}
		defer db.Close()
		s := e.newScheduler(db)
		defer s.Close()
		runtime.GC() // a new process has no heap to collect
		t := time.Now()
		err = f(s)
		return time.Since(t), err
	}
	d, err := firstEver(func(s *scheduler.Scheduler) error { _, err := s.Preview(ctx, e.day); return err })
	if err != nil {
		return err
	}
	rep.info(fmt.Sprintf("reminders for %d people computed, first load ever (no record snapshot)", n), ms(d))
	if d, err = firstEver(func(s *scheduler.Scheduler) error { _, err := s.Digest(ctx, readers[0], e.day); return err }); err != nil {
		return err
	}
	rep.info("digest, first load ever (no record snapshot)", ms(d))

	// What a save costs, off the request path: encoding every record,
	// then one short write transaction.
	if err := e.dropRecordSnapshot(ctx); err != nil {
		return err
	}
	save, size, err := e.timeRecordSnapshotSave(ctx, 0)
	if err != nil {
		return err
	}
	rep.info(fmt.Sprintf("record snapshot of %d submissions: size, save (encode + write)", e.o.org.submissions),
		fmt.Sprintf("%.1f MB, %s", float64(size)/1e6, ms(save)))

	// A new process, with the snapshot an earlier one left.
	cold := func(f func(*scheduler.Scheduler) error) (*scheduler.Scheduler, func(), time.Duration, error) {
		db, err := e.openStore(ctx)
		if err != nil {
			return nil, nil, 0, err
		}
		s := e.newScheduler(db)
		done := func() { s.Close(); db.Close() }
		runtime.GC()
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
	s, done, d, err := cold(func(s *scheduler.Scheduler) error {
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
	rep.add(fmt.Sprintf("reminders for %d people computed, cold cache (new process)", n), ms(d), "< 500 ms", d < remindTarget)
	rep.add(fmt.Sprintf("reminders for %d people computed, later runs (slowest of 3)", n), ms(slowest), "< 500 ms", slowest < remindTarget)

	// Digests: the head's, the office's (which also lists the unbound) and
	// a leader's, from a new process and then again.
	s, done, d, err = cold(func(s *scheduler.Scheduler) error { _, err := s.Digest(ctx, readers[0], e.day); return err })
	if err != nil {
		return err
	}
	rep.add(fmt.Sprintf("digest at %d people / %d submissions, cold cache (new process)", n, e.o.org.submissions), ms(d), "< 100 ms", d < digestTarget)
	var worst, med time.Duration
	for _, r := range readers {
		w, m, err := timed(5, func() error { _, err := s.Digest(ctx, r, e.day); return err })
		if err != nil {
			done()
			return err
		}
		worst, med = max(worst, w), max(med, m)
	}
	done()
	rep.add(fmt.Sprintf("digest at %d people / %d submissions, later (slowest of 15)", n, e.o.org.submissions), ms(worst), "< 100 ms", worst < digestTarget)
	rep.info("digest, later (median, worst reader)", ms(med))

	// After a crash the snapshot may lack the records of up to 10% or
	// 20,000 submissions (scheduler: saves are that far apart).
	behind := min(e.o.org.submissions/10, 20000)
	if err := e.dropRecordSnapshot(ctx); err != nil {
		return err
	}
	if _, _, err := e.timeRecordSnapshotSave(ctx, behind); err != nil {
		return err
	}
	_, done, d, err = cold(func(s *scheduler.Scheduler) error { _, err := s.Digest(ctx, readers[0], e.day); return err })
	if err != nil {
		return err
	}
	done() // saves the rest, as a running bot would
	rep.info(fmt.Sprintf("digest, cold cache, snapshot %d submissions behind (after a crash)", behind), ms(d))

	// After a start: Scheduler.Start warms the cache in the background
	// (Warm), so the first digest and the first reminders run find it warm.
	s, done, d, err = cold(func(s *scheduler.Scheduler) error { return s.Warm(ctx) })
	if err != nil {
		return err
	}
	defer done()
	rep.info("warm-up of a new process's scheduler (Start runs it in the background)", ms(d))
	t := time.Now()
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

// dropRecordSnapshot deletes the record snapshot behind the store's back,
// so that the next load is a first one ever.
func (e *env) dropRecordSnapshot(ctx context.Context) error {
	raw, err := sql.Open("sqlite", "file:"+e.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, `DELETE FROM submission_record_snapshot`); err != nil {
		return fmt.Errorf("drop the record snapshot: %w", err)
	}
	return nil
}

// timeRecordSnapshotSave reads every submission record and times saving
// all but the last behind of them as the record snapshot; it returns the
// snapshot's size too.
func (e *env) timeRecordSnapshotSave(ctx context.Context, behind int) (time.Duration, int, error) {
	db, err := e.openStore(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	recs, epoch, err := db.FindSubmissionRecordsInEpoch(ctx, 0)
	if err != nil {
		return 0, 0, err
	}
	recs = recs[:len(recs)-min(behind, len(recs)-1)]
	t := time.Now()
	if err := db.SaveSubmissionRecordSnapshot(ctx, slices.Values(recs), epoch); err != nil {
		return 0, 0, err
	}
	d := time.Since(t)
	var size int
	raw, err := sql.Open("sqlite", "file:"+e.path+"?_pragma=query_only(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		return 0, 0, err
	}
	defer raw.Close()
	if err := raw.QueryRowContext(ctx, `SELECT length(records) FROM submission_record_snapshot`).Scan(&size); err != nil {
		return 0, 0, fmt.Errorf("record snapshot size: %w", err)
	}
	return d, size, nil
}
