package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"campaignbot"
)

func TestProblemLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newTestClock()
	db := MustOpen(t, WithClock(clock), WithLocation(time.UTC))
	ids := importPeople(t, db, "联络员", "王副", "钱副")
	filer, owner, other := ids["联络员"], ids["王副"], ids["钱副"]

	photo, err := db.SaveAttachment(ctx, "site.jpg", "image/jpeg", []byte("factory floor"))
	if err != nil {
		t.Fatal(err)
	}
	lat, lon := 30.1, 120.2
	p := &campaignbot.Problem{FilerID: filer, Enterprise: "某电子公司", Category: "资金", Description: "贷款难", Photos: []campaignbot.Attachment{*photo}, Latitude: &lat, Longitude: &lon}
	if err := db.CreateProblem(ctx, p); err != nil {
		t.Fatal(err)
	}
	today := campaignbot.DateOf(clock.Now(), time.UTC)
	if p.Status != campaignbot.ProblemNew || p.Due != today.AddDays(campaignbot.ProblemDueDays) || p.ID == 0 {
		t.Errorf("created problem = %+v", p)
	}
	for _, bad := range []*campaignbot.Problem{
		{FilerID: filer, Category: "天气", Description: "x"},
		{FilerID: filer, Category: "资金", Description: " "},
		{FilerID: 0, Category: "资金", Description: "x"},
		{FilerID: filer, Category: "资金", Description: "x", Latitude: &lat},
	} {
		mustCode(t, db.CreateProblem(ctx, bad), campaignbot.EINVALID)
	}

	steps := []struct {
		ev       campaignbot.ProblemEvent
		code     string // "" for success
		status   campaignbot.ProblemStatus
		advances time.Duration
	}{
		{ev: campaignbot.ProblemEvent{Kind: campaignbot.EventProgress, ActorID: owner, Text: "x"}, code: campaignbot.EFORBIDDEN},
		{ev: campaignbot.ProblemEvent{Kind: campaignbot.EventClaimed, ActorID: owner, OwnerID: owner}, status: campaignbot.ProblemClaimed, advances: 24 * time.Hour},
		{ev: campaignbot.ProblemEvent{Kind: campaignbot.EventClaimed, ActorID: other, OwnerID: other}, code: campaignbot.ECONFLICT},
		{ev: campaignbot.ProblemEvent{Kind: campaignbot.EventProgress, ActorID: owner, Text: "已对接银行"}, status: campaignbot.ProblemClaimed},
		{ev: campaignbot.ProblemEvent{Kind: campaignbot.EventConfirm, ActorID: filer}, code: campaignbot.ECONFLICT},
		{ev: campaignbot.ProblemEvent{Kind: campaignbot.EventResolved, ActorID: owner, Text: "已放贷"}, status: campaignbot.ProblemResolved},
		{ev: campaignbot.ProblemEvent{Kind: campaignbot.EventConfirm, ActorID: owner}, code: campaignbot.EFORBIDDEN},
		{ev: campaignbot.ProblemEvent{Kind: campaignbot.EventReopened, ActorID: filer, Text: "只放了一半"}, status: campaignbot.ProblemClaimed},
		{ev: campaignbot.ProblemEvent{Kind: campaignbot.EventResolved, ActorID: owner, Text: "全部放贷", Attachments: []campaignbot.Attachment{*photo}}, status: campaignbot.ProblemResolved},
		{ev: campaignbot.ProblemEvent{Kind: campaignbot.EventConfirm, ActorID: filer}, status: campaignbot.ProblemClosed},
		{ev: campaignbot.ProblemEvent{Kind: campaignbot.EventAssigned, ActorID: other, OwnerID: other}, code: campaignbot.ECONFLICT},
		{ev: campaignbot.ProblemEvent{Kind: campaignbot.EventFiled, ActorID: filer}, code: campaignbot.EINVALID},
	}
	okEvents := 1 // filed
	for i, st := range steps {
		ev := st.ev
		ev.ProblemID = p.ID
		got, err := db.AddProblemEvent(ctx, &ev)
		if st.code != "" {
			mustCode(t, err, st.code)
			continue
		}
		if err != nil {
			t.Fatalf("step %d (%s): %v", i, ev.Kind, err)
		}
		okEvents++
		if got.Status != st.status {
			t.Errorf("step %d (%s): status %s, want %s", i, ev.Kind, got.Status, st.status)
		}
		stored, err := db.FindProblemByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Status != st.status || stored.OwnerID != owner {
			t.Errorf("step %d: stored %s owner %d", i, stored.Status, stored.OwnerID)
		}
		clock.Add(st.advances)
	}
	_, err = db.AddProblemEvent(ctx, &campaignbot.ProblemEvent{ProblemID: 999, Kind: campaignbot.EventClaimed, ActorID: owner, OwnerID: owner})
	mustCode(t, err, campaignbot.ENOTFOUND)

	evs, err := db.FindProblemEvents(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != okEvents || evs[0].Kind != campaignbot.EventFiled || evs[len(evs)-1].Kind != campaignbot.EventConfirm {
		t.Errorf("events = %d (first %s), want %d from filed to confirmed", len(evs), evs[0].Kind, okEvents)
	}
	if len(evs[len(evs)-2].Attachments) != 1 {
		t.Errorf("resolve evidence lost: %+v", evs[len(evs)-2])
	}
	_, err = db.FindProblemEvents(ctx, 999)
	mustCode(t, err, campaignbot.ENOTFOUND)

	// Events are append-only, even for SQL that bypasses the store.
	if _, err := db.wdb.ExecContext(ctx, `UPDATE problem_events SET text = 'x'`); err == nil {
		t.Error("problem_events accepted an UPDATE")
	}
	if _, err := db.wdb.ExecContext(ctx, `DELETE FROM problem_events`); err == nil {
		t.Error("problem_events accepted a DELETE")
	}

	got, err := db.FindProblemByID(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Photos) != 1 || got.Photos[0].SHA256 != photo.SHA256 || got.Latitude == nil || *got.Latitude != lat {
		t.Errorf("stored problem = %+v", got)
	}
	closed := []campaignbot.ProblemStatus{campaignbot.ProblemClosed}
	for _, f := range []struct {
		filter campaignbot.ProblemFilter
		want   int
	}{
		{campaignbot.ProblemFilter{FilerID: &filer}, 1},
		{campaignbot.ProblemFilter{OwnerID: &other}, 0},
		{campaignbot.ProblemFilter{OwnerID: &owner, Statuses: closed}, 1},
		{campaignbot.ProblemFilter{Statuses: []campaignbot.ProblemStatus{campaignbot.ProblemNew}}, 0},
	} {
		ps, err := db.FindProblems(ctx, f.filter)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != f.want {
			t.Errorf("filter %+v: %d problems, want %d", f.filter, len(ps), f.want)
		}
	}

	claims, err := db.FindClaims(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []campaignbot.Claim{{PersonID: owner, Day: today}}; len(claims) != 1 || claims[0] != want[0] {
		t.Errorf("claims = %v, want %v", claims, want)
	}
}

func TestLedger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "王副")
	const later = campaignbot.Date(40000) // in 2079
	it := &campaignbot.LedgerItem{What: "审批时限过长", Measure: "压缩至5个工作日", OwnerID: ids["王副"], Due: later, ActorID: ids["王副"]}
	if err := db.CreateLedgerItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	if it.Status != campaignbot.LedgerOpen || it.ID == 0 {
		t.Errorf("created = %+v", it)
	}
	mustCode(t, db.CreateLedgerItem(ctx, &campaignbot.LedgerItem{What: ""}), campaignbot.EINVALID)
	mustCode(t, db.CreateLedgerItem(ctx, &campaignbot.LedgerItem{What: "x", Status: "later"}), campaignbot.EINVALID)
	mustCode(t, db.CreateLedgerItem(ctx, &campaignbot.LedgerItem{What: "x", ProblemID: 77, Due: later}), campaignbot.EINVALID)
	// SPEC §2: a due date is not in the past when set.
	mustCode(t, db.CreateLedgerItem(ctx, &campaignbot.LedgerItem{What: "x", Due: 20600}), campaignbot.EINVALID)

	it.Status, it.Evidence = campaignbot.LedgerDone, "文件已印发"
	if err := db.UpdateLedgerItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	mustCode(t, db.UpdateLedgerItem(ctx, &campaignbot.LedgerItem{ID: 404, What: "x", Status: campaignbot.LedgerOpen}), campaignbot.ENOTFOUND)
	its, err := db.FindLedgerItems(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(its) != 1 || its[0].Status != campaignbot.LedgerDone || its[0].Evidence != "文件已印发" || its[0].OwnerID != ids["王副"] {
		t.Errorf("ledger = %+v", its)
	}
	moved := *it
	moved.Due = 20600
	mustCode(t, db.UpdateLedgerItem(ctx, &moved), campaignbot.EINVALID)

	// Removed, the item goes and its history stays.
	mustCode(t, db.RemoveLedgerItem(ctx, 404, ids["王副"], ""), campaignbot.ENOTFOUND)
	if err := db.RemoveLedgerItem(ctx, it.ID, ids["王副"], "与 #2 重复"); err != nil {
		t.Fatal(err)
	}
	if its, err := db.FindLedgerItems(ctx); err != nil || len(its) != 0 {
		t.Errorf("after removal: %v %v", its, err)
	}
	evs, err := db.FindLedgerEvents(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ev := range evs {
		kinds = append(kinds, ev.Kind)
		if ev.ActorID != ids["王副"] {
			t.Errorf("event %+v without its actor", ev)
		}
	}
	if got, want := strings.Join(kinds, " "), "created edited removed"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	if !strings.Contains(evs[1].Text, "status: open → done") || !strings.Contains(evs[2].Text, "与 #2 重复") {
		t.Errorf("event texts %q, %q", evs[1].Text, evs[2].Text)
	}
}
