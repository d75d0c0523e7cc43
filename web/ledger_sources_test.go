package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"campaignbot"
)

// TestLedgerFromProblemReportAndRemove: the office makes ledger items of a
// problem and of a point of an accepted report, and removes one, through
// the chat's /ledger (the same items, the same refusals), each audited.
func TestLedgerFromProblemReportAndRemove(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	office := c.signIn(t, "陈丽")

	// A problem nobody owns cannot be put on the ledger: the chat's rule.
	ps, err := c.db.FindProblems(ctx, campaignbot.ProblemFilter{Statuses: []campaignbot.ProblemStatus{campaignbot.ProblemNew}})
	if err != nil || len(ps) == 0 {
		t.Fatalf("no unclaimed demo problem: %v", err)
	}
	p := ps[0]
	if _, body := office.get(t, "/problems/"+itoa(p.ID)); strings.Contains(body, `/problems/`+itoa(p.ID)+`/ledger"`) {
		t.Errorf("an unowned problem offers the ledger form")
	}
	if code, _ := office.post(t, "/problems/"+itoa(p.ID)+"/ledger", url.Values{"csrf": {office.csrf}}); code != http.StatusBadRequest {
		t.Errorf("from an unowned problem: %d", code)
	}
	if code, body := office.post(t, "/problems/"+itoa(p.ID)+"/assign", url.Values{"csrf": {office.csrf}, "owner": {"张志强"}}); code != http.StatusSeeOther {
		t.Fatalf("assign: %d %s", code, body)
	}
	if _, body := office.get(t, "/problems/"+itoa(p.ID)); !strings.Contains(body, `action="/problems/`+itoa(p.ID)+`/ledger"`) {
		t.Errorf("an owned problem lacks the ledger form")
	}
	if code, body := office.post(t, "/problems/"+itoa(p.ID)+"/ledger", url.Values{"csrf": {office.csrf}, "measure": {"专班对接\n限期办结"}}); code != http.StatusSeeOther {
		t.Fatalf("from problem: %d %s", code, body)
	}
	fromProblem := findItem(t, c, func(it *campaignbot.LedgerItem) bool { return it.ProblemID == p.ID })
	if fromProblem.OwnerID != c.person(t, "张志强").ID || fromProblem.Measure != "专班对接 限期办结" {
		t.Errorf("item from the problem %+v", fromProblem)
	}
	// Twice is refused, as in chat.
	if code, _ := office.post(t, "/problems/"+itoa(p.ID)+"/ledger", url.Values{"csrf": {office.csrf}}); code != http.StatusBadRequest {
		t.Errorf("a second item from the problem: %d", code)
	}

	// An accepted report: its points each offer a form.
	zhao := c.person(t, "赵磊")
	report := &campaignbot.Submission{TaskKey: "dept-analysis", PersonID: zhao.ID, DepartmentID: zhao.DepartmentID,
		Text: "一、服务企业不够主动\n二、材料审核周期偏长", State: campaignbot.ReviewSubmitted}
	if err := c.db.CreateSubmission(ctx, report); err != nil {
		t.Fatal(err)
	}
	if err := c.db.ReviewSubmission(ctx, &campaignbot.ReviewComment{SubmissionID: report.ID, ReviewerID: c.person(t, "李明华").ID, Decision: campaignbot.ReviewAccepted}); err != nil {
		t.Fatal(err)
	}
	if _, body := office.get(t, "/ledger"); !strings.Contains(body, `/submissions/`+itoa(report.ID)+`#points`) {
		t.Errorf("the ledger page does not offer the accepted report")
	}
	_, body := office.get(t, "/submissions/"+itoa(report.ID))
	if !strings.Contains(body, `/submissions/`+itoa(report.ID)+`/points/2/ledger"`) || strings.Contains(body, `/submissions/`+itoa(report.ID)+`/points/3/ledger"`) {
		t.Errorf("the report's points are not offered one by one")
	}
	if code, body := office.post(t, "/submissions/"+itoa(report.ID)+"/points/2/ledger", url.Values{"csrf": {office.csrf}, "measure": {"压缩审核时限"}}); code != http.StatusSeeOther {
		t.Fatalf("from report: %d %s", code, body)
	}
	fromReport := findItem(t, c, func(it *campaignbot.LedgerItem) bool { return it.SubmissionID == report.ID })
	if fromReport.Point != 2 || !strings.Contains(fromReport.What, "材料审核周期偏长") || fromReport.OwnerID != zhao.ID || fromReport.Measure != "压缩审核时限" {
		t.Errorf("item from the report %+v", fromReport)
	}
	if code, _ := office.post(t, "/submissions/"+itoa(report.ID)+"/points/9/ledger", url.Values{"csrf": {office.csrf}}); code != http.StatusBadRequest {
		t.Errorf("a point the report lacks: %d", code)
	}
	// A leader may not; the office's page is not theirs.
	leader := c.signIn(t, "李明华")
	if code, _ := leader.post(t, "/submissions/"+itoa(report.ID)+"/points/1/ledger", url.Values{"csrf": {leader.csrf}}); code != http.StatusForbidden {
		t.Errorf("a leader making an item: %d", code)
	}

	// Removing keeps the history, with the reason.
	if code, body := office.post(t, "/ledger/"+itoa(fromProblem.ID)+"/remove", url.Values{"csrf": {office.csrf}, "reason": {"与第 1 项重复"}}); code != http.StatusSeeOther {
		t.Fatalf("remove: %d %s", code, body)
	}
	items, _ := c.db.FindLedgerItems(ctx)
	for _, it := range items {
		if it.ID == fromProblem.ID {
			t.Errorf("item %d is still on the ledger", it.ID)
		}
	}
	evs, _ := c.db.FindLedgerEvents(ctx, fromProblem.ID)
	if len(evs) == 0 || evs[len(evs)-1].Kind != campaignbot.LedgerRemoved || !strings.Contains(evs[len(evs)-1].Text, "与第 1 项重复") {
		t.Errorf("removal events %+v", evs)
	}
	es, _ := c.db.FindAudit(ctx, 10)
	var actions []string
	for _, e := range es {
		if e.Action != "login" {
			actions = append(actions, e.Action)
		}
	}
	if want := "ledger_remove ledger_from_report ledger_from_problem problem_assign"; strings.Join(actions, " ") != want {
		t.Errorf("audit %q, want %q", actions, want)
	}
}

// findItem returns the ledger item that match reports true for.
func findItem(tb testing.TB, c *console, match func(*campaignbot.LedgerItem) bool) *campaignbot.LedgerItem {
	tb.Helper()
	items, err := c.db.FindLedgerItems(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	for _, it := range items {
		if match(it) {
			return it
		}
	}
	tb.Fatal("no such ledger item")
	return nil
}
