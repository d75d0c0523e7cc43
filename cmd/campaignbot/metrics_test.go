package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
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
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, metrics)
		}
	}
}
