package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/scheduler"
)

// metrics counts what happens in this process and, at scrape time, reads
// the store's figures; /metrics serves both in Prometheus' text format.
type metrics struct {
	store  campaignbot.MetricsService
	start  time.Time
	faults *scheduler.FaultBoard // faults.go

	mu       sync.Mutex
	updates  map[campaignbot.Platform]int64
	failures map[campaignbot.Platform]int64
	buckets  []float64 // upper bounds, seconds
	hist     map[campaignbot.Platform]*histogram
}

type histogram struct {
	counts []int64 // per bucket, cumulative at render time
	sum    float64
	n      int64
}

func newMetrics(store campaignbot.MetricsService) *metrics {
	return &metrics{
		store:    store,
		start:    time.Now(),
		updates:  map[campaignbot.Platform]int64{},
		failures: map[campaignbot.Platform]int64{},
		buckets:  []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
		hist:     map[campaignbot.Platform]*histogram{},
	}
}

// instrument wraps the engine so every request is counted and timed.
func (m *metrics) instrument(h bot.Handler) bot.Handler {
	return handlerFunc(func(ctx context.Context, req *bot.Request) ([]bot.Reply, error) {
		t0 := time.Now()
		replies, err := h.Handle(ctx, req)
		m.observe(req.Platform, time.Since(t0), err)
		return replies, err
	})
}

// handlerFunc adapts a function to bot.Handler.
type handlerFunc func(ctx context.Context, req *bot.Request) ([]bot.Reply, error)

func (f handlerFunc) Handle(ctx context.Context, req *bot.Request) ([]bot.Reply, error) {
	return f(ctx, req)
}

func (m *metrics) observe(p campaignbot.Platform, d time.Duration, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.updates[p]++
	if err != nil {
		m.failures[p]++
	}
	h := m.hist[p]
	if h == nil {
		h = &histogram{counts: make([]int64, len(m.buckets))}
		m.hist[p] = h
	}
	s := d.Seconds()
	for i, b := range m.buckets {
		if s <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += s
	h.n++
}

// ServeHTTP writes the metrics.
func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	if err := m.write(r.Context(), w); err != nil {
		http.Error(w, "metrics unavailable", http.StatusInternalServerError)
	}
}

func (m *metrics) write(ctx context.Context, w io.Writer) error {
	outbox, err := m.store.OutboxStats(ctx)
	if err != nil {
		return err
	}
	inbound, err := m.store.InboundStats(ctx)
	if err != nil {
		return err
	}
	runs, err := m.store.JobRuns(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	fmt.Fprintf(w, "# HELP campaignbot_uptime_seconds Seconds since the process started.\n# TYPE campaignbot_uptime_seconds gauge\ncampaignbot_uptime_seconds %g\n", now.Sub(m.start).Seconds())

	m.mu.Lock()
	fmt.Fprintln(w, "# HELP campaignbot_updates_total Chat updates handled by the engine, by platform.\n# TYPE campaignbot_updates_total counter")
	for _, p := range sortedKeys(m.updates) {
		fmt.Fprintf(w, "campaignbot_updates_total{platform=%q} %d\n", p, m.updates[p])
	}
	fmt.Fprintln(w, "# HELP campaignbot_handler_errors_total Updates whose handling failed, by platform.\n# TYPE campaignbot_handler_errors_total counter")
	for _, p := range sortedKeys(m.failures) {
		fmt.Fprintf(w, "campaignbot_handler_errors_total{platform=%q} %d\n", p, m.failures[p])
	}
	fmt.Fprintln(w, "# HELP campaignbot_handler_seconds Time to handle one update.\n# TYPE campaignbot_handler_seconds histogram")
	for _, p := range sortedKeys(m.hist) {
		h := m.hist[p]
		var cum int64
		for i, b := range m.buckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "campaignbot_handler_seconds_bucket{platform=%q,le=\"%g\"} %d\n", p, b, cum)
		}
		fmt.Fprintf(w, "campaignbot_handler_seconds_bucket{platform=%q,le=\"+Inf\"} %d\n", p, h.n)
		fmt.Fprintf(w, "campaignbot_handler_seconds_sum{platform=%q} %g\ncampaignbot_handler_seconds_count{platform=%q} %d\n", p, h.sum, p, h.n)
	}
	m.mu.Unlock()

	fmt.Fprintln(w, "# HELP campaignbot_inbound_total Platform updates stored for durable intake.\n# TYPE campaignbot_inbound_total counter")
	for _, s := range inbound {
		fmt.Fprintf(w, "campaignbot_inbound_total{platform=%q} %d\n", s.Platform, s.Received)
	}
	fmt.Fprintln(w, "# HELP campaignbot_inbound_unprocessed Stored updates not yet processed.\n# TYPE campaignbot_inbound_unprocessed gauge")
	for _, s := range inbound {
		fmt.Fprintf(w, "campaignbot_inbound_unprocessed{platform=%q} %d\n", s.Platform, s.Unhandled)
	}
	fmt.Fprintln(w, "# HELP campaignbot_outbox_messages Outbound messages by platform and status (pending is the outbox depth).\n# TYPE campaignbot_outbox_messages gauge")
	for _, s := range outbox {
		fmt.Fprintf(w, "campaignbot_outbox_messages{platform=%q,status=%q} %d\n", s.Platform, s.Status, s.Count)
	}
	fmt.Fprintln(w, "# HELP campaignbot_outbox_oldest_pending_seconds Age of the oldest pending message, by platform.\n# TYPE campaignbot_outbox_oldest_pending_seconds gauge")
	for _, s := range outbox {
		if s.Status == campaignbot.OutboxPending {
			fmt.Fprintf(w, "campaignbot_outbox_oldest_pending_seconds{platform=%q} %g\n", s.Platform, now.Sub(s.Oldest).Seconds())
		}
	}
	fmt.Fprintln(w, "# HELP campaignbot_scheduler_last_run_timestamp_seconds When each scheduler job last completed.\n# TYPE campaignbot_scheduler_last_run_timestamp_seconds gauge")
	jobs := make([]string, 0, len(runs))
	for j := range runs {
		jobs = append(jobs, j)
	}
	sort.Strings(jobs)
	for _, j := range jobs {
		fmt.Fprintf(w, "campaignbot_scheduler_last_run_timestamp_seconds{job=%q} %d\n", j, runs[j].Unix())
	}
	writeFaultMetrics(w, m.faults)
	return nil
}

func sortedKeys[V any](m map[campaignbot.Platform]V) []campaignbot.Platform {
	keys := make([]campaignbot.Platform, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
