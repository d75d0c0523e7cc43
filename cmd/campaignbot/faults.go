package main

import (
	"fmt"
	"io"
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

// writeFaultMetrics writes the faults of the deployment seen since start:
// whether each is in force (a paused platform or chat) and how often it
// started.
func writeFaultMetrics(w io.Writer, faults *scheduler.FaultBoard) {
	if faults == nil {
		return
	}
	counts := faults.Counts()
	fmt.Fprintln(w, "# HELP campaignbot_fault_active Whether a fault of the deployment pauses a platform (or its group chat): 1 while it lasts.\n# TYPE campaignbot_fault_active gauge")
	for _, c := range counts {
		active := 0
		if c.Active {
			active = 1
		}
		fmt.Fprintf(w, "campaignbot_fault_active{platform=%q,fault=%q} %d\n", c.Platform, c.Code, active)
	}
	fmt.Fprintln(w, "# HELP campaignbot_faults_total Faults of the deployment that started since the process did.\n# TYPE campaignbot_faults_total counter")
	for _, c := range counts {
		fmt.Fprintf(w, "campaignbot_faults_total{platform=%q,fault=%q} %d\n", c.Platform, c.Code, c.Raised)
	}
}
