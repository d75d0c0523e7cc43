package main

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"campaignbot"
	"campaignbot/store"
)

// TestHealthAndMetrics runs the bot against the fake Bot API with --listen:
// /healthz answers, and /metrics counts a handled update, the outbox by
// status and the scheduler's runs, in Prometheus' text format.
func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	env := newTGEnv(t)
	r := env.runMain(t)
	defer r.stop(t)
	get := func(path string) string {
		t.Helper()
		resp, err := http.Get("http://" + env.addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		return string(body)
	}
	if got := get("/healthz"); strings.TrimSpace(got) != "ok" {
		t.Errorf("/healthz = %q", got)
	}
	u := env.user(5001, "甲")
	u.text(t, "/help")
	u.expect(t, tgZh("help.unbound"))
	var metrics string
	// The reply reaches the user just before the outbox records it sent.
	tgWaitFor(t, "the update counted and its reply recorded as sent", func() bool {
		metrics = get("/metrics")
		return strings.Contains(metrics, `campaignbot_updates_total{platform="telegram"} 1`) &&
			strings.Contains(metrics, `campaignbot_outbox_messages{platform="telegram",status="sent"}`)
	})
	for _, want := range []string{
		"# TYPE campaignbot_handler_seconds histogram",
		`campaignbot_handler_seconds_count{platform="telegram"} 1`,
		`campaignbot_inbound_total{platform="telegram"}`,
		`campaignbot_outbox_messages{platform="telegram",status="sent"}`,
		"campaignbot_uptime_seconds",
		// Go runtime, process and build (SPEC §13).
		"go_goroutines ", "go_memstats_heap_alloc_bytes ", "process_cpu_seconds_total ", "process_resident_memory_bytes ",
		`campaignbot_build_info{goversion="go`,
		// Error counters are there before the first error.
		`campaignbot_handler_errors_total{platform="telegram"} 0`,
		`campaignbot_faults_total{fault="telegram_token",platform="telegram"} 0`,
		`campaignbot_fault_active{fault="telegram_conflict",platform="telegram"} 0`,
		`campaignbot_outbox_messages{platform="telegram",status="failed"} 0`,
		"campaignbot_metrics_errors_total 0",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, metrics)
		}
	}
}

// TestMetricsAccess: /metrics as SPEC §7 says. Without
// CAMPAIGNBOT_METRICS_TOKEN only loopback clients that did not come
// through a proxy; with it only "Authorization: Bearer TOKEN", from
// anywhere.
func TestMetricsAccess(t *testing.T) {
	t.Parallel()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "campaignbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		name, token, remote, auth, forwarded string
		want                                 int
	}{
		{"loopback", "", "127.0.0.1:40000", "", "", http.StatusOK},
		{"loopback v6", "", "[::1]:40000", "", "", http.StatusOK},
		{"remote", "", "203.0.113.7:40000", "", "", http.StatusForbidden},
		{"through a proxy on the host", "", "127.0.0.1:40000", "", "203.0.113.7", http.StatusForbidden},
		{"token, remote", "s3cret", "203.0.113.7:40000", "Bearer s3cret", "", http.StatusOK},
		{"token, through a proxy", "s3cret", "127.0.0.1:40000", "Bearer s3cret", "203.0.113.7", http.StatusOK},
		{"token missing", "s3cret", "127.0.0.1:40000", "", "", http.StatusUnauthorized},
		{"token wrong", "s3cret", "127.0.0.1:40000", "Bearer s3cre", "", http.StatusUnauthorized},
		{"not bearer", "s3cret", "127.0.0.1:40000", "Basic s3cret", "", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newMetrics(db, nil, []campaignbot.Platform{campaignbot.PlatformWeCom}).handler(tc.token, log)
			req := httptest.NewRequest("GET", "/metrics", nil)
			req.RemoteAddr = tc.remote
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			if tc.forwarded != "" {
				req.Header.Set("X-Forwarded-For", tc.forwarded)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
			body := rec.Body.String()
			if got := strings.Contains(body, "campaignbot_outbox_messages"); got != (tc.want == http.StatusOK) {
				t.Errorf("metrics served: %v, status %d", got, rec.Code)
			}
			if tc.want == http.StatusOK && !strings.Contains(body, `campaignbot_faults_total{fault="wecom_ip",platform="wecom"} 0`) {
				t.Errorf("no WeCom fault counter at zero:\n%s", body)
			}
		})
	}
}

// TestMetricsStoreError: a store that cannot be read is counted and
// logged, and the rest is still served.
func TestMetricsStoreError(t *testing.T) {
	t.Parallel()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "campaignbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	h := newMetrics(db, nil, nil).handler("", slog.New(slog.NewTextHandler(&logs, nil)))
	db.Close()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.RemoteAddr = "127.0.0.1:1"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "go_goroutines ") || !strings.Contains(body, "campaignbot_metrics_errors_total 3") {
		t.Errorf("status %d:\n%s", rec.Code, body)
	}
	if !strings.Contains(logs.String(), "level=ERROR msg=metrics") {
		t.Errorf("not logged: %q", logs.String())
	}
}

// BenchmarkMetricsScrape serves /metrics whole, as Prometheus scrapes it,
// with 2,000,000 messages in the outbox (1 % pending).
func BenchmarkMetricsScrape(b *testing.B) {
	path := filepath.Join(b.TempDir(), "campaignbot.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	_, err = raw.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000)
INSERT INTO outbox (key, platform, chat_id, kind, text, status, next_at, created_at)
SELECT 'bench:' || i, CASE WHEN i % 3 = 0 THEN 'wecom' ELSE 'telegram' END, CAST(i % 5000 AS TEXT), 'reminder',
	'提醒：请于本周五前提交学习笔记。', CASE WHEN i % 100 = 0 THEN 'pending' ELSE 'sent' END, i, i FROM n`)
	raw.Close()
	if err != nil {
		b.Fatal(err)
	}
	h := newMetrics(db, nil, []campaignbot.Platform{campaignbot.PlatformTelegram, campaignbot.PlatformWeCom}).
		handler("", slog.New(slog.DiscardHandler))
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.RemoteAddr = "127.0.0.1:1"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `campaignbot_outbox_messages{platform="telegram",status="sent"} 1.32e+06`) {
			b.Fatalf("status %d:\n%s", rec.Code, rec.Body)
		}
	}
}
