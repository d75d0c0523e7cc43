package main

import (
	"fmt"
	"net/http"
	"time"

	"campaignbot"
	"campaignbot/scheduler"
)

// serveHealth answers /healthz: "ok", or "degraded" with one line per fault
// of the deployment in force, naming the platform, the fault, since when
// and what to fix. Both are 200: the process works (it still receives and
// keeps every message), and a load balancer or orchestrator that took a
// degraded replica out of service would make WeCom drop callbacks.
// Monitoring alerts on the first word or on campaignbot_fault_active.
func serveHealth(faults *scheduler.FaultBoard) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fs := faults.Faults()
		if len(fs) == 0 {
			fmt.Fprintln(w, "ok")
			return
		}
		fmt.Fprintln(w, "degraded")
		for _, f := range fs {
			fmt.Fprintf(w, "%s %s since %s: %s\n", f.Platform, f.Code, f.Since.UTC().Format(time.RFC3339),
				campaignbot.T("en", "fault.advice."+f.Code))
		}
	}
}
