package main

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"campaignbot/bot/telegram/telegramtest"
)

// measureIntake feeds the running binary notes from members through the
// fake Bot API at -intake-rate messages a second for -intake-seconds, waits
// until every one is processed, and reads from the store how long each
// waited between being stored (inbound.received_at) and the commit of its
// effects, replies and processed mark (inbound.processed_at).
func (e *env) measureIntake(ctx context.Context, c *child, srv *telegramtest.Server) error {
	raw, err := sql.Open("sqlite", "file:"+e.path+"?_pragma=query_only(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer raw.Close()
	var subs0 int
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM submissions`).Scan(&subs0); err != nil {
		return err
	}

	members := e.o.org.members()
	rate, total := e.o.intakeRate, e.o.intakeRate*e.o.intakeSeconds
	since := time.Now()
	// One tick every 10 ms sends its share, so the rate holds to the
	// hundredth of a second without a tick per message.
	tick := time.NewTicker(10 * time.Millisecond)
	sent := 0
	for sent < total {
		<-tick.C
		due := min(total, int(time.Since(since).Seconds()*float64(rate)))
		for ; sent < due; sent++ {
			id := members[(sent*13)%len(members)]
			srv.SendText(id+1000000, "", "/note 持续负载 "+noteText(sent))
		}
	}
	tick.Stop()
	sending := time.Since(since)

	// Every stored row: processed or not, none is left out of the count.
	count := func() (stored, processed int, err error) {
		err = raw.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(processed_at) FROM inbound WHERE platform = 'telegram' AND received_at >= ?`,
			since.UnixNano()).Scan(&stored, &processed)
		return stored, processed, err
	}
	deadline := time.Now().Add(5 * time.Minute)
	var stored, processed int
	for {
		if stored, processed, err = count(); err != nil {
			return err
		}
		if processed >= total || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var lags []time.Duration
	rows, err := raw.QueryContext(ctx, `SELECT processed_at - received_at FROM inbound
		WHERE platform = 'telegram' AND received_at >= ? AND processed_at IS NOT NULL`, since.UnixNano())
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ns int64
		if err := rows.Scan(&ns); err != nil {
			return err
		}
		lags = append(lags, time.Duration(ns))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var subs int
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM submissions`).Scan(&subs); err != nil {
		return err
	}
	notes := subs - subs0
	if len(lags) == 0 {
		return fmt.Errorf("intake: none of %d notes processed; see %s", total, c.log.Name())
	}
	slices.Sort(lags)
	pct := func(p float64) time.Duration { return lags[min(len(lags)-1, int(p*float64(len(lags))))] }
	e.rep.info(fmt.Sprintf("sustained intake: notes sent at %d/s for %d s", rate, e.o.intakeSeconds),
		fmt.Sprintf("%d in %.1f s (%.0f/s)", total, sending.Seconds(), float64(total)/sending.Seconds()))
	e.rep.info("sustained intake: store-to-commit, median / max", ms(pct(0.5))+" / "+ms(lags[len(lags)-1]))
	e.rep.add("sustained intake: store-to-commit, p99", ms(pct(0.99)), "< 500 ms", pct(0.99) < 500*time.Millisecond)
	lost := total - min(stored, processed, notes)
	e.rep.add("sustained intake: notes lost (sent, stored, processed, committed)",
		fmt.Sprintf("%d (%d, %d, %d, %d)", lost, total, stored, processed, notes), "0", lost == 0)
	return nil
}
