package main

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"campaignbot"
	"campaignbot/bot/telegram"
	"campaignbot/bot/telegram/telegramtest"
	"campaignbot/scheduler"
	"campaignbot/store"
)

// benchToken is the fake bot's token.
const benchToken = "123456:bench-token"

// telegramRate is the Bot API's global limit the fake enforces.
const telegramRate = 30

// measureDelivery delivers the first -deliver reminders computed for the
// organisation (one per person) through the dispatcher, with its default Telegram limits,
// to a fake Bot API that answers 429 to the 31st message in any second.
func measureDelivery(ctx context.Context, e *env) error {
	msgs := e.reminders[:min(len(e.reminders), e.o.deliver)]
	if len(msgs) < 2 {
		return fmt.Errorf("only %d reminders to deliver", len(msgs))
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	srv := telegramtest.New(benchToken)
	defer srv.Close()
	srv.RateLimit(telegramRate)
	var mu sync.Mutex
	var arrivals []time.Time
	srv.OnCall("sendMessage", func(telegramtest.Call) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
	})
	sender, err := telegram.NewSender(benchToken, db, telegram.WithServerURL(srv.URL()), telegram.WithLogger(quietLogger()))
	if err != nil {
		return err
	}
	want := map[string]int{}
	for _, m := range msgs {
		want[m.ChatID]++
	}
	elapsed, sent, err := deliverAll(ctx, db, sender, msgs, time.Duration(len(msgs))*time.Second/telegramRate*2+10*time.Second)
	if err != nil {
		return err
	}

	lost, doubled := 0, 0
	got := 0
	for chat, n := range want {
		id, err := strconv.ParseInt(chat, 10, 64)
		if err != nil {
			return err
		}
		g := len(srv.Sent(id))
		got += g
		lost += max(0, n-g)
		doubled += max(0, g-n)
	}
	doubled += srv.SentCount() - got // anything sent to a chat that was owed nothing
	mu.Lock()
	first, last := arrivals[0], arrivals[len(arrivals)-1]
	calls := len(arrivals)
	mu.Unlock()
	throttled := srv.Throttled()
	// The rate of accepted messages between the first and the last: n
	// messages at exactly 30 a second span (n-1)/30 s.
	rate := float64(calls-throttled-1) / last.Sub(first).Seconds()
	e.rep.info(fmt.Sprintf("delivery: %d reminders, enqueue to last sent", len(msgs)), fmt.Sprintf("%.2f s (%.1f msg/s)", elapsed.Seconds(), float64(len(msgs))/elapsed.Seconds()))
	e.rep.add(fmt.Sprintf("delivery at 30 msg/s: achieved fraction (%d messages)", len(msgs)), fmt.Sprintf("%.1f%% (%.2f msg/s)", 100*rate/telegramRate, rate), ">= 95%", rate >= 0.95*telegramRate)
	e.rep.add("delivery: 429 answers", fmt.Sprint(throttled), "0", throttled == 0)
	e.rep.add("delivery: lost (not delivered, or outbox not marked sent)", fmt.Sprint(max(lost, len(msgs)-sent)), "0", lost == 0 && sent == len(msgs))
	e.rep.add("delivery: doubled", fmt.Sprint(doubled), "0", doubled == 0)
	return nil
}

// deliverAll enqueues msgs, due now, into db and runs a dispatcher with
// sender until every one is marked sent or within has passed. It returns
// the time from the start to then and how many were marked sent.
func deliverAll(ctx context.Context, db *store.DB, sender campaignbot.Sender, msgs []*campaignbot.OutboxMessage, within time.Duration) (time.Duration, int, error) {
	due := time.Now().Add(-time.Second)
	for _, m := range msgs {
		m.NextAt = due
	}
	if n, err := db.EnqueueOutbox(ctx, msgs); err != nil {
		return 0, 0, err
	} else if n != len(msgs) {
		return 0, 0, fmt.Errorf("%d of %d messages enqueued", n, len(msgs))
	}
	d := scheduler.NewDispatcher(db, []campaignbot.Sender{sender}, scheduler.WithLogger(quietLogger()))
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- d.Run(dctx) }()
	d.Kick()
	var sent int
	for deadline := start.Add(within); ; time.Sleep(20 * time.Millisecond) {
		counts, err := db.CountOutbox(ctx)
		if err != nil {
			return 0, 0, err
		}
		if sent = counts[campaignbot.OutboxSent]; sent >= len(msgs) || time.Now().After(deadline) {
			break
		}
	}
	elapsed := time.Since(start)
	cancel()
	return elapsed, sent, <-done
}
