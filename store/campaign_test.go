package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"campaignbot"
)

// TestCampaigns starts a second campaign over a store whose first holds a
// submission of each kind, and reads both: the second starts empty and
// keeps the roster and bindings; the first stays readable.
func TestCampaigns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newTestClock()
	path := filepath.Join(t.TempDir(), "campaignbot.db")
	db := mustOpenPath(t, path, WithClock(clock), WithLocation(time.UTC))
	ids := importPeople(t, db, "张三", "李四")
	zhang, li := ids["张三"], ids["李四"]
	acc := campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: "1001", ChatID: "1001"}
	inv, err := db.CreateInvite(ctx, zhang)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RedeemInvite(ctx, inv.Code, acc); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyPlan(ctx, []byte("title: first\n"), "test"); err != nil {
		t.Fatal(err)
	}

	// Campaign 1: one of everything a campaign owns.
	sub := &campaignbot.Submission{TaskKey: "notes", PersonID: zhang, Text: "第一周心得"}
	if err := db.CreateSubmission(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOpinion(ctx, &campaignbot.Opinion{AuthorID: li, Text: "会议太多"}); err != nil {
		t.Fatal(err)
	}
	prob := &campaignbot.Problem{FilerID: li, Enterprise: "某公司", Category: "资金", Description: "贷款难"}
	if err := db.CreateProblem(ctx, prob); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddProblemEvent(ctx, &campaignbot.ProblemEvent{ProblemID: prob.ID, Kind: campaignbot.EventClaimed, ActorID: zhang, OwnerID: zhang}); err != nil {
		t.Fatal(err)
	}
	item := &campaignbot.LedgerItem{What: "会议多", Measure: "精简会议", Due: campaignbot.DateOf(clock.Now(), time.UTC).AddDays(30)}
	if err := db.CreateLedgerItem(ctx, item); err != nil {
		t.Fatal(err)
	}
	resp := &campaignbot.SurveyResponse{SurveyKey: "sat", PersonID: zhang, Answers: []campaignbot.SurveyAnswer{{QuestionKey: "q1", Value: "5"}}}
	if err := db.RecordSurveyResponse(ctx, resp); err != nil {
		t.Fatal(err)
	}

	// Bad input changes nothing.
	if _, err := db.StartCampaign(ctx, []byte("  \n"), "test"); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
		t.Fatalf("start with an empty plan: %v, want EINVALID", err)
	}
	if cs, err := db.FindCampaigns(ctx); err != nil || len(cs) != 1 {
		t.Fatalf("campaigns after a refused start = %d (%v), want 1", len(cs), err)
	}

	clock.Add(24 * time.Hour)
	c2, err := db.StartCampaign(ctx, []byte("title: second\n"), "test")
	if err != nil {
		t.Fatal(err)
	}
	if c2.ID != 2 || c2.Plan == nil || string(c2.Plan.Source) != "title: second\n" {
		t.Fatalf("second campaign = %+v", c2)
	}

	// Reopened, as another process would see it.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = mustOpenPath(t, path, WithClock(clock), WithLocation(time.UTC))

	if ap, err := db.FindPlan(ctx); err != nil || string(ap.Source) != "title: second\n" {
		t.Fatalf("plan in force = %+v (%v), want the second", ap, err)
	}
	empty := func(what string, n int, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n != 0 {
			t.Errorf("%s in the new campaign = %d, want 0", what, n)
		}
	}
	ss, err := db.FindSubmissions(ctx, campaignbot.SubmissionFilter{})
	empty("submissions", len(ss), err)
	recs, _, err := db.FindSubmissionRecordsAfter(ctx, 0, nil)
	empty("submission records", len(recs), err)
	ops, err := db.FindOpinions(ctx)
	empty("opinions", len(ops), err)
	ps, err := db.FindProblems(ctx, campaignbot.ProblemFilter{})
	empty("problems", len(ps), err)
	claims, err := db.FindClaims(ctx)
	empty("claims", len(claims), err)
	its, err := db.FindLedgerItems(ctx)
	empty("ledger items", len(its), err)
	taken, err := db.FindSurveyParticipation(ctx)
	empty("survey participation", len(taken), err)
	results, err := db.FindSurveyResults(ctx, "sat")
	empty("survey answers", len(results), err)
	_, err = db.FindProblemByID(ctx, prob.ID)
	mustCode(t, err, campaignbot.ENOTFOUND)
	_, err = db.AddProblemEvent(ctx, &campaignbot.ProblemEvent{ProblemID: prob.ID, Kind: campaignbot.EventProgress, ActorID: zhang, Text: "x"})
	mustCode(t, err, campaignbot.ENOTFOUND)

	// The roster and the binding carried over.
	if p, err := db.FindPersonByName(ctx, "李四"); err != nil || p.ID != li {
		t.Errorf("李四 in the new campaign = %+v (%v)", p, err)
	}
	if a, err := db.FindAccount(ctx, acc.Platform, acc.AccountID); err != nil || a.PersonID != zhang {
		t.Errorf("张三's account in the new campaign = %+v (%v)", a, err)
	}

	// The new campaign takes its own work: version 1 again, the same
	// survey answered again.
	sub2 := &campaignbot.Submission{TaskKey: "notes", PersonID: zhang, Text: "新一轮心得"}
	if err := db.CreateSubmission(ctx, sub2); err != nil {
		t.Fatal(err)
	}
	if sub2.Version != 1 {
		t.Errorf("first submission of the new campaign is version %d, want 1", sub2.Version)
	}
	if err := db.RecordSurveyResponse(ctx, resp); err != nil {
		t.Errorf("answering the survey again in the new campaign: %v", err)
	}

	// Campaign 1 is still there to export, and only to read.
	old, err := db.InCampaign(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if ap, err := old.FindPlan(ctx); err != nil || string(ap.Source) != "title: first\n" {
		t.Errorf("campaign 1's plan = %+v (%v)", ap, err)
	}
	if ss, err := old.FindSubmissions(ctx, campaignbot.SubmissionFilter{}); err != nil || len(ss) != 1 || ss[0].ID != sub.ID {
		t.Errorf("campaign 1's submissions = %v (%v), want %d", ss, err, sub.ID)
	}
	if ops, err := old.FindOpinions(ctx); err != nil || len(ops) != 1 {
		t.Errorf("campaign 1's opinions = %d (%v), want 1", len(ops), err)
	}
	if ps, err := old.FindProblems(ctx, campaignbot.ProblemFilter{}); err != nil || len(ps) != 1 || ps[0].OwnerID != zhang {
		t.Errorf("campaign 1's problems = %v (%v)", ps, err)
	}
	if evs, err := old.FindProblemEvents(ctx, prob.ID); err != nil || len(evs) != 2 {
		t.Errorf("campaign 1's problem events = %d (%v), want 2", len(evs), err)
	}
	if its, err := old.FindLedgerItems(ctx); err != nil || len(its) != 1 {
		t.Errorf("campaign 1's ledger = %d (%v), want 1", len(its), err)
	}
	if rs, err := old.FindSurveyResults(ctx, "sat"); err != nil || len(rs) != 1 || rs[0].Count != 1 {
		t.Errorf("campaign 1's survey results = %+v (%v)", rs, err)
	}
	mustCode(t, old.CreateSubmission(ctx, &campaignbot.Submission{TaskKey: "notes", PersonID: li, Text: "x"}), campaignbot.EINVALID)
	if _, err := old.StartCampaign(ctx, []byte("title: x\n"), "test"); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
		t.Errorf("starting a campaign from a closed one: %v, want EINVALID", err)
	}
	_, err = db.InCampaign(ctx, 3)
	mustCode(t, err, campaignbot.ENOTFOUND)

	cs, err := db.FindCampaigns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Fatalf("campaigns = %d, want 2", len(cs))
	}
	one, two := cs[0], cs[1]
	if one.Current() || !one.ClosedAt.Equal(c2.StartedAt) || one.Submissions != 1 || one.Opinions != 1 || one.Problems != 1 || one.LedgerItems != 1 || one.SurveyResponses != 1 {
		t.Errorf("campaign 1 = %+v", one)
	}
	if !two.Current() || two.Submissions != 1 || two.Problems != 0 || two.SurveyResponses != 1 || string(two.Plan.Source) != "title: second\n" {
		t.Errorf("campaign 2 = %+v", two)
	}
}
