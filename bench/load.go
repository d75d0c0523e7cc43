package main

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"campaignbot/bot/telegram/telegramtest"
)

// loadChild sends the running binary a burst of chat traffic through the
// fake Bot API — every leader, the head and the office ask for the digest,
// then members send -load-notes notes — and samples its resident memory
// until every request has been stored and answered into the outbox.
func (e *env) loadChild(ctx context.Context, c *child, srv *telegramtest.Server) error {
	raw, err := sql.Open("sqlite", "file:"+e.path+"?_pragma=query_only(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer raw.Close()
	// The notes are counted from the highest ID before the load: counting
	// 2,000,000 submissions every 50 ms read the whole table each time, and
	// took 24 s of the two cores from the binary it measures.
	var last int64
	if err := raw.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM submissions`).Scan(&last); err != nil {
		return err
	}
	counts := func() (subs, out int, err error) {
		err = raw.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM submissions WHERE id > ?), (SELECT COUNT(*) FROM outbox)`, last).Scan(&subs, &out)
		return subs, out, err
	}
	subs0, out0, err := counts()
	if err != nil {
		return err
	}
	idle, _, err := c.status()
	if err != nil {
		return err
	}

	var mu sync.Mutex
	var peak int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if rss, _, err := c.status(); err == nil {
				mu.Lock()
				peak = max(peak, rss)
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()

	o := e.o.org
	start := time.Now()
	requests := 0
	for id := int64(1); id <= o.office(); id++ {
		srv.SendText(id+1000000, "", "/digest")
		requests++
	}
	members := o.members()
	for i := range e.o.loadNotes {
		id := members[(i*7)%len(members)]
		srv.SendText(id+1000000, "", "/note 负载测试 "+noteText(i))
		requests++
	}
	deadline := start.Add(5 * time.Minute)
	var subs, out int
	for {
		if subs, out, err = counts(); err != nil {
			break
		}
		if (subs-subs0 >= e.o.loadNotes && out-out0 >= requests) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	handled := time.Since(start)
	// Let the dispatcher deliver for a while: that is load too.
	time.Sleep(time.Second)
	close(stop)
	<-sampled
	_, hwm, serr := c.status()
	if err != nil {
		return err
	}
	if serr != nil {
		return serr
	}
	if subs-subs0 < e.o.loadNotes || out-out0 < requests {
		return fmt.Errorf("after %s: %d of %d notes stored, %d of %d replies enqueued; see %s",
			handled.Round(time.Millisecond), subs-subs0, e.o.loadNotes, out-out0, requests, c.log.Name())
	}
	mu.Lock()
	defer mu.Unlock()
	e.rep.info("load on the binary: requests through the fake Bot API", fmt.Sprintf("%d digests + %d notes, all answered in %.1f s, %d sent, %d 429s",
		o.office(), e.o.loadNotes, handled.Seconds(), srv.SentCount(), srv.Throttled()))
	e.rep.info("resident memory: idle after start (VmRSS)", mb(idle))
	e.rep.info("resident memory: under load, highest sample (VmRSS)", mb(peak))
	tg := e.targets
	e.rep.add(fmt.Sprintf("resident memory at %d people under load (VmHWM, peak)", o.people), mb(hwm),
		fmt.Sprintf("< %d MB", tg.memory>>20), hwm < tg.memory)
	return nil
}
