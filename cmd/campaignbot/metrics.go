package main

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/scheduler"
)

// metrics counts what happens in this process and, at scrape time, reads
// the store's figures and the fault board; /metrics serves them with the
// Go runtime's and the process's own, through prometheus/client_golang
// (SPEC §13). Each Main has its own registry: no global state.
type metrics struct {
	reg      *prometheus.Registry
	updates  *prometheus.CounterVec
	failures *prometheus.CounterVec
	handling *prometheus.HistogramVec
}

// newMetrics registers every collector; platforms are those the process
// runs, whose counters start at zero so that an alert on a rate has a
// series before the first error.
func newMetrics(store campaignbot.MetricsService, faults *scheduler.FaultBoard, platforms []campaignbot.Platform) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "campaignbot_updates_total", Help: "Chat updates handled by the engine, by platform.",
		}, []string{"platform"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "campaignbot_handler_errors_total", Help: "Updates whose handling failed, by platform.",
		}, []string{"platform"}),
		handling: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "campaignbot_handler_seconds", Help: "Time to handle one update.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
		}, []string{"platform"}),
	}
	for _, p := range platforms {
		m.updates.WithLabelValues(string(p))
		m.failures.WithLabelValues(string(p))
	}
	start := time.Now()
	version, commit, _, goVersion := buildInfo()
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "campaignbot_build_info", Help: "Always 1; the labels say which build runs (as campaignbot version does).",
		ConstLabels: prometheus.Labels{"version": version, "revision": commit, "goversion": goVersion},
	})
	build.Set(1)
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.updates, m.failures, m.handling,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "campaignbot_uptime_seconds", Help: "Seconds since the process started.",
		}, func() float64 { return time.Since(start).Seconds() }),
		build,
		newStoreCollector(store, faults, platforms),
	)
	return m
}

// instrument wraps the engine so every request is counted and timed.
func (m *metrics) instrument(h bot.Handler) bot.Handler {
	return handlerFunc(func(ctx context.Context, req *bot.Request) ([]bot.Reply, error) {
		t0 := time.Now()
		replies, err := h.Handle(ctx, req)
		p := string(req.Platform)
		m.updates.WithLabelValues(p).Inc()
		if err != nil {
			m.failures.WithLabelValues(p).Inc()
		}
		m.handling.WithLabelValues(p).Observe(time.Since(t0).Seconds())
		return replies, err
	})
}

// handlerFunc adapts a function to bot.Handler.
type handlerFunc func(ctx context.Context, req *bot.Request) ([]bot.Reply, error)

func (f handlerFunc) Handle(ctx context.Context, req *bot.Request) ([]bot.Reply, error) {
	return f(ctx, req)
}

// handler serves the registry, guarded as SPEC §7 says: with token set
// only to "Authorization: Bearer TOKEN", else only to loopback clients.
// A failed store read is logged and counted (storeCollector), and the
// rest still served.
func (m *metrics) handler(token string, log *slog.Logger) http.Handler {
	h := promhttp.InstrumentMetricHandler(m.reg, promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slogPrintln{log},
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !metricsAllowed(token, r) {
			if token != "" {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				http.Error(w, "metrics: bearer token required", http.StatusUnauthorized)
				return
			}
			http.Error(w, "metrics: served only to loopback unless CAMPAIGNBOT_METRICS_TOKEN is set", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// metricsAllowed applies SPEC §7. Without a token the client must be on
// loopback and the request must not have come through a proxy: a reverse
// proxy on the same host connects from loopback, and would otherwise serve
// /metrics to the internet.
func metricsAllowed(token string, r *http.Request) bool {
	if token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		return ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
	}
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// slogPrintln adapts slog to promhttp's ErrorLog.
type slogPrintln struct{ log *slog.Logger }

func (l slogPrintln) Println(v ...any) { l.log.Error("metrics", "err", fmt.Sprint(v...)) }

// storeCollector reads, at each scrape, the figures the store and the fault
// board hold. A failed read is logged, counted in
// campaignbot_metrics_errors_total and leaves its metrics out of that
// scrape.
type storeCollector struct {
	store     campaignbot.MetricsService
	faults    *scheduler.FaultBoard
	platforms []campaignbot.Platform
	errors    prometheus.Counter

	inbound, unprocessed, outbox, oldest, lastRun, faultActive, faultsTotal *prometheus.Desc
}

func newStoreCollector(store campaignbot.MetricsService, faults *scheduler.FaultBoard, platforms []campaignbot.Platform) *storeCollector {
	return &storeCollector{
		store: store, faults: faults, platforms: platforms,
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "campaignbot_metrics_errors_total", Help: "Reads of the store's figures that failed at a scrape (logged at ERROR).",
		}),
		inbound:     prometheus.NewDesc("campaignbot_inbound_total", "Platform updates stored for durable intake.", []string{"platform"}, nil),
		unprocessed: prometheus.NewDesc("campaignbot_inbound_unprocessed", "Stored updates not yet processed.", []string{"platform"}, nil),
		outbox:      prometheus.NewDesc("campaignbot_outbox_messages", "Outbound messages by platform and status (pending is the outbox depth).", []string{"platform", "status"}, nil),
		oldest:      prometheus.NewDesc("campaignbot_outbox_oldest_pending_seconds", "Age of the oldest pending message, by platform.", []string{"platform"}, nil),
		lastRun:     prometheus.NewDesc("campaignbot_scheduler_last_run_timestamp_seconds", "When each scheduler job last completed.", []string{"job"}, nil),
		faultActive: prometheus.NewDesc("campaignbot_fault_active", "Whether a fault of the deployment pauses a platform (or its group chat): 1 while it lasts.", []string{"platform", "fault"}, nil),
		faultsTotal: prometheus.NewDesc("campaignbot_faults_total", "Faults of the deployment that started since the process did.", []string{"platform", "fault"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	c.errors.Describe(ch)
	for _, d := range []*prometheus.Desc{c.inbound, c.unprocessed, c.outbox, c.oldest, c.lastRun, c.faultActive, c.faultsTotal} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	// promhttp gives collectors no context; a scrape that outlives its
	// client's timeout is cut here instead of holding a read transaction.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.collectOutbox(ctx, ch)
	c.collectInbound(ctx, ch)
	c.collectJobs(ctx, ch)
	c.collectFaults(ch)
	c.errors.Collect(ch)
}

func (c *storeCollector) fail(ch chan<- prometheus.Metric, d *prometheus.Desc, err error) {
	c.errors.Inc()
	ch <- prometheus.NewInvalidMetric(d, err)
}

func (c *storeCollector) collectOutbox(ctx context.Context, ch chan<- prometheus.Metric) {
	stats, err := c.store.OutboxStats(ctx)
	if err != nil {
		c.fail(ch, c.outbox, err)
		return
	}
	// Every status of every platform run is a series, failed ones at 0
	// until one fails.
	counts := map[[2]string]int{}
	for _, p := range c.platforms {
		for _, s := range []campaignbot.OutboxStatus{campaignbot.OutboxPending, campaignbot.OutboxSent, campaignbot.OutboxFailed} {
			counts[[2]string{string(p), string(s)}] = 0
		}
	}
	now := time.Now()
	for _, s := range stats {
		counts[[2]string{string(s.Platform), string(s.Status)}] = s.Count
		if s.Status == campaignbot.OutboxPending && s.Count > 0 {
			ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, now.Sub(s.Oldest).Seconds(), string(s.Platform))
		}
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.outbox, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
}

func (c *storeCollector) collectInbound(ctx context.Context, ch chan<- prometheus.Metric) {
	stats, err := c.store.InboundStats(ctx)
	if err != nil {
		c.fail(ch, c.inbound, err)
		return
	}
	for _, s := range stats {
		ch <- prometheus.MustNewConstMetric(c.inbound, prometheus.CounterValue, float64(s.Received), string(s.Platform))
		ch <- prometheus.MustNewConstMetric(c.unprocessed, prometheus.GaugeValue, float64(s.Unhandled), string(s.Platform))
	}
}

func (c *storeCollector) collectJobs(ctx context.Context, ch chan<- prometheus.Metric) {
	runs, err := c.store.JobRuns(ctx)
	if err != nil {
		c.fail(ch, c.lastRun, err)
		return
	}
	for job, at := range runs {
		ch <- prometheus.MustNewConstMetric(c.lastRun, prometheus.GaugeValue, float64(at.Unix()), job)
	}
}

// collectFaults writes every fault code of the platforms run, at zero
// until it happens, with those seen since start.
func (c *storeCollector) collectFaults(ch chan<- prometheus.Metric) {
	type key struct {
		p    campaignbot.Platform
		code string
	}
	seen := map[key]scheduler.FaultCount{}
	for _, p := range c.platforms {
		for _, code := range campaignbot.FaultCodes(p) {
			seen[key{p, code}] = scheduler.FaultCount{Platform: p, Code: code}
		}
	}
	if c.faults != nil {
		for _, f := range c.faults.Counts() {
			seen[key{f.Platform, f.Code}] = f
		}
	}
	for _, f := range seen {
		active := 0.0
		if f.Active {
			active = 1
		}
		ch <- prometheus.MustNewConstMetric(c.faultActive, prometheus.GaugeValue, active, string(f.Platform), f.Code)
		ch <- prometheus.MustNewConstMetric(c.faultsTotal, prometheus.CounterValue, float64(f.Raised), string(f.Platform), f.Code)
	}
}
