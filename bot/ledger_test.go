package bot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot"
)

func (e *fieldEnv) ledger() []*campaignbot.LedgerItem {
	e.t.Helper()
	items, err := e.db.FindLedgerItems(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return items
}

// item returns ledger item id, nil if there is none.
func (e *fieldEnv) item(id int64) *campaignbot.LedgerItem {
	e.t.Helper()
	for _, it := range e.ledger() {
		if it.ID == id {
			return it
		}
	}
	return nil
}

// TestLedger adds items by hand, from a problem and from an accepted
// report, updates them and publishes the ledger to the campaign group.
func TestLedger(t *testing.T) {
	ctx := context.Background()
	e := fieldNewEnv(t, campaignbot.NewDate(2026, time.May, 11), bot.WithGroups(campaignbot.PlatformTelegram))

	fieldContains(t, e.send("陈丽", "/ledger"), "The ledger is empty")
	fieldContains(t, e.send("孙静", "/ledger"), "/ledger is only for")
	fieldContains(t, e.send("李明华", "/ledger"), "/ledger is only for")

	bad := []struct{ text, want string }{
		{"/ledger add 会议过多 | 精简会议", "Usage: /ledger add"},
		{"/ledger add 会议过多 | 精简会议 | 李明华 | 8月底", `"8月底" is not a date`},
		{"/ledger add 会议过多 | 精简会议 | 无名氏 | 2026-08-31", `There is no "无名氏"`},
		{"/ledger frobnicate", "Usage: /ledger shows it"},
		{"/ledger from-problem 5", "There is no problem #5"},
		{"/ledger from-problem", "Usage: /ledger from-problem"},
		{"/ledger done 1 已完成", "There is no ledger item #1"},
		{"/ledger status x done", "Usage: /ledger status"},
		{"/ledger publish", "The ledger is empty"},
	}
	for _, b := range bad {
		fieldContains(t, e.send("陈丽", b.text), b.want)
	}
	if got := len(e.ledger()); got != 0 {
		t.Fatalf("bad input made %d items", got)
	}

	fieldContains(t, e.send("陈丽", "/ledger add 会议过多、文山会海 | 精简会议，压缩发文 | 李明华 | 2026-08-31"), "Ledger item #1 added")
	told := e.drain()
	if got, want := fieldRecipients(told), []string{"李明华"}; !slices.Equal(got, want) {
		t.Fatalf("add told %v, want %v", got, want)
	}
	fieldContains(t, told[0].Text, "You own rectification item #1")

	// From a problem: its owner and due date.
	e.fileProblem("何伟", "华新电子", "资金", "融资难")
	e.send("张志强", "/claim 1")
	e.drain()
	fieldContains(t, e.send("王建国", "/ledger from-problem 1 协调银行授信"), "Ledger item #2 added")
	fieldContains(t, e.send("王建国", "/ledger from-problem 1"), "already in the ledger as #2")
	p := e.problem(1)
	it := e.item(2)
	if it.ProblemID != 1 || it.OwnerID != p.OwnerID || it.Due != p.Due || it.What != "华新电子: 融资难" || it.Measure != "协调银行授信" {
		t.Errorf("item from problem = %+v, problem %+v", it, p)
	}
	if got, want := fieldRecipients(e.drain()), []string{"张志强"}; !slices.Equal(got, want) {
		t.Fatalf("from-problem told %v, want %v", got, want)
	}

	// From a report, only once accepted.
	e.send("赵磊", "/submit dept-analysis")
	e.send("赵磊", "一、调研不深入\n二、会议多")
	sub := e.fieldVersions("赵磊")[0]
	fieldContains(t, e.send("陈丽", fmt.Sprintf("/ledger from-report %d", sub.ID)), "is not accepted yet")
	fieldContains(t, e.send("陈丽", "/ledger from-report"), "No report has been accepted yet")
	fieldContains(t, e.send("李明华", fmt.Sprintf("/review %d accept", sub.ID)), fmt.Sprintf("to put its points in the ledger: /ledger from-report %d", sub.ID))
	e.drain()
	fieldContains(t, e.send("陈丽", "/ledger from-report"), fmt.Sprintf("#%d 赵磊 \"Department analysis report\" version 1: /ledger from-report %[1]d", sub.ID))
	got := e.send("陈丽", fmt.Sprintf("/ledger from-report %d", sub.ID))
	fieldContains(t, got, "has 2 points")
	fieldContains(t, got, fmt.Sprintf("|/ledger from-report %d 2]", sub.ID))
	fieldContains(t, e.send("陈丽", fmt.Sprintf("/ledger from-report %d 3", sub.ID)), "report #1 has 2 points")
	fieldContains(t, e.send("陈丽", fmt.Sprintf("/ledger from-report %d 1 每季度到企业调研", sub.ID)), "Ledger item #3 added")
	if got, want := fieldRecipients(e.drain()), []string{"赵磊"}; !slices.Equal(got, want) {
		t.Fatalf("from-report told %v, want %v", got, want)
	}
	fromReport := e.item(3)
	if fromReport == nil || fromReport.SubmissionID != sub.ID || e.name(fromReport.OwnerID) != "赵磊" ||
		fromReport.Due != campaignbot.NewDate(2026, time.August, 31) || fromReport.What != "一、调研不深入" || fromReport.Point != 1 {
		t.Errorf("item from report = %+v", fromReport)
	}

	fieldContains(t, e.send("陈丽", "/ledger status 1 in_progress"), "#1 is now in progress")
	fieldContains(t, e.send("陈丽", "/ledger done 1"), "Usage: /ledger done")
	fieldContains(t, e.send("陈丽", "/ledger done 1 印发《会议精简办法》"), "#1 is done")
	got = e.send("陈丽", "/ledger")
	for _, want := range []string{"3 items, 1 done", "会议过多、文山会海", "owner: 李明华", "evidence: 印发《会议精简办法》", "owner: 张志强"} {
		fieldContains(t, got, want)
	}

	fieldContains(t, e.send("陈丽", "/ledger publish"), "posted to the campaign group on: telegram")
	fieldContains(t, e.send("陈丽", "/ledger publish"), "already published today")
	far := e.clock.Now().Add(time.Hour)
	msgs, err := e.db.ClaimOutbox(ctx, campaignbot.PlatformTelegram, far, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("%d telegram messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.ChatID != bot.GroupChatID || m.Kind != campaignbot.KindLedger || m.PersonID != 0 ||
		!strings.HasPrefix(m.Key, "ledger:telegram:2026-05-11:") || !strings.Contains(m.Text, "印发《会议精简办法》") {
		t.Errorf("group message = %+v", m)
	}
	// A changed ledger is published again the same day.
	e.send("陈丽", "/ledger status 2 done")
	fieldContains(t, e.send("陈丽", "/ledger publish"), "posted to the campaign group")

	// Without a group configured the office is told so, and nothing is queued.
	plain := bot.New(e.db, e.plan, bot.WithClock(e.clock), bot.WithLang("en"))
	replies, err := plain.Handle(ctx, e.req("陈丽", "/ledger publish"))
	if err != nil {
		t.Fatal(err)
	}
	fieldContains(t, fieldRender(replies), "No campaign group is configured")
	if got := e.drain(); len(got) != 0 {
		t.Errorf("publish without group queued %d console messages: %+v", len(got), got[0])
	}
}
