package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/web"
)

// measureDashboard times the web console's dashboard for the office: the
// whole page, rendered, first and later (SPEC §11, §10).
func measureDashboard(ctx context.Context, e *env) error {
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	plan := func() *campaignbot.Plan { return e.plan }
	sch := e.newScheduler(db)
	defer sch.Close()
	eng := bot.New(db, e.plan, bot.WithClock(e.clock()))
	srv, err := web.New(db, eng, plan, "http://bench.example.test", web.WithClock(e.clock()), web.WithSubmissionRecords(sch.SubmissionRecords))
	if err != nil {
		return err
	}
	link, err := db.CreateLoginLink(ctx, e.o.org.office())
	if err != nil {
		return err
	}
	sess, err := db.RedeemLoginLink(ctx, link.Token)
	if err != nil {
		return err
	}
	get := func() error {
		req := httptest.NewRequest(http.MethodGet, "/dashboard", nil)
		req.AddCookie(&http.Cookie{Name: "campaignbot_session", Value: sess.Token})
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return fmt.Errorf("dashboard: %d %s", rec.Code, rec.Body.String())
		}
		return nil
	}
	// run warms the scheduler's records in the background at start
	// (Scheduler.Start); the first page here is the first after that.
	if err := sch.Warm(ctx); err != nil {
		return err
	}
	t := time.Now()
	if err := get(); err != nil {
		return err
	}
	first := time.Since(t)
	slowest, _, err := timed(3, get)
	if err != nil {
		return err
	}
	target := e.targets.dashboard
	n := e.o.org.people
	e.rep.add(fmt.Sprintf("web dashboard at %d people, first page after start", n), ms(first), below(target), first < target)
	e.rep.add(fmt.Sprintf("web dashboard at %d people, later (slowest of 3)", n), ms(slowest), below(target), slowest < target)
	return nil
}
