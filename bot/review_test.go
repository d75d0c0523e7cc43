package bot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"campaignbot"
)

// fieldVersions returns the department's submissions of dept-analysis, oldest
// version first.
func (e *fieldEnv) fieldVersions(author string) []*campaignbot.Submission {
	e.t.Helper()
	dept, key := e.person(author).DepartmentID, "dept-analysis"
	subs, err := e.db.FindSubmissions(context.Background(), campaignbot.SubmissionFilter{DepartmentID: &dept, TaskKey: &key})
	if err != nil {
		e.t.Fatal(err)
	}
	slices.SortFunc(subs, func(a, b *campaignbot.Submission) int { return a.Version - b.Version })
	return subs
}

// TestReviewLoop runs a department report to acceptance over two versions:
// return with a comment, the author is told, resubmits, the reviewer sees
// what changed, accepts.
func TestReviewLoop(t *testing.T) {
	ctx := context.Background()
	e := fieldNewEnv(t, campaignbot.NewDate(2026, time.May, 11))

	fieldContains(t, e.send("李明华", "/review"), "Nothing is waiting for your review")
	e.send("赵磊", "/submit dept-analysis")
	fieldContains(t, e.send("赵磊", "一、学习情况\n二、存在问题\n三、整改方向"), "version 1")
	v1 := e.fieldVersions("赵磊")[0]
	told := e.drain()
	if got, want := fieldRecipients(told), []string{"李明华"}; !slices.Equal(got, want) {
		t.Fatalf("submission told %v, want %v", got, want)
	}

	got := e.send("李明华", "/review")
	fieldContains(t, got, fmt.Sprintf("|/review %d]", v1.ID))
	fieldContains(t, got, "科技管理科 赵磊")
	fieldContains(t, e.send("张志强", fmt.Sprintf("/review %d", v1.ID)), "is not yours to review")
	fieldContains(t, e.send("李明华", "/review 9999"), "There is no report #9999")
	fieldContains(t, e.send("李明华", "/review abc"), "Usage: /review")
	fieldContains(t, e.send("孙静", "/review"), "/review is only for")

	got = e.send("李明华", fmt.Sprintf("/review %d", v1.ID))
	fieldContains(t, got, "二、存在问题")
	fieldContains(t, got, fmt.Sprintf("[Return|/review %d return]", v1.ID))
	fieldContains(t, got, fmt.Sprintf("[Accept|/review %d accept]", v1.ID))

	// The return button asks for the comment; the next message is it.
	fieldContains(t, e.send("李明华", fmt.Sprintf("/review %d return", v1.ID)), "Send your comment")

	e.restart()

	fieldContains(t, e.send("李明华", "存在问题要有具体事例"), "赵磊's \"Department analysis report\" version 1 is returned.\n赵磊 told.")
	told = e.drain()
	if got, want := fieldRecipients(told), []string{"赵磊"}; !slices.Equal(got, want) {
		t.Fatalf("return told %v, want %v", got, want)
	}
	fieldContains(t, told[0].Text, "存在问题要有具体事例")
	if got := told[0].Buttons; len(got) == 0 || got[0][0].Data != "/submit dept-analysis" {
		t.Errorf("return notice buttons = %v", got)
	}
	fieldContains(t, e.send("李明华", "/review"), "Nothing is waiting")
	fieldContains(t, e.send("李明华", fmt.Sprintf("/review %d accept", v1.ID)), "is not awaiting review")

	// The author revises; the new version carries a file.
	att, err := e.db.SaveAttachment(ctx, "附表.xlsx", "application/vnd.ms-excel", []byte("table"))
	if err != nil {
		t.Fatal(err)
	}
	e.send("赵磊", "/submit dept-analysis")
	r := e.req("赵磊", "一、学习情况\n二、存在问题：会议多、调研少，如全年到企业调研仅 3 次\n三、整改方向\n四、时间安排")
	r.Attachments = []campaignbot.Attachment{*att}
	fieldContains(t, fieldRender(e.do(r)), "version 2")
	vs := e.fieldVersions("赵磊")
	if len(vs) != 2 {
		t.Fatalf("%d versions, want 2", len(vs))
	}
	v2 := vs[1]
	if got, want := v2.State, campaignbot.ReviewSubmitted; got != want {
		t.Errorf("v2 state = %s, want %s", got, want)
	}
	if got, want := fieldRecipients(e.drain()), []string{"李明华"}; !slices.Equal(got, want) {
		t.Fatalf("resubmission told %v, want %v", got, want)
	}

	got = e.send("李明华", "/review")
	fieldContains(t, got, fmt.Sprintf("|/review %d]", v2.ID))
	if strings.Contains(got, fmt.Sprintf("|/review %d]", v1.ID)) {
		t.Errorf("old version still listed: %q", got)
	}
	replies := e.do(e.req("李明华", fmt.Sprintf("/review %d", v2.ID)))
	show := fieldRender(replies)
	for _, want := range []string{
		"Changes since version 1",
		"- 二、存在问题\n",
		"+ 二、存在问题：会议多、调研少",
		"+ 四、时间安排",
		"  三、整改方向",
		"v1 李明华 returned",
		"存在问题要有具体事例",
	} {
		fieldContains(t, show, want)
	}
	if got, want := len(replies[0].Files), 1; got != want {
		t.Errorf("files = %d, want %d", got, want)
	}

	fieldContains(t, e.send("李明华", fmt.Sprintf("/review %d 通过", v2.ID)), "赵磊's \"Department analysis report\" version 2 is accepted. Report #2; to put its points in the ledger: /ledger from-report 2\n赵磊 told.")
	told = e.drain()
	if got, want := fieldRecipients(told), []string{"赵磊"}; !slices.Equal(got, want) {
		t.Fatalf("accept told %v, want %v", got, want)
	}
	fieldContains(t, told[0].Text, "李明华 accepted")

	e.restart()
	vs = e.fieldVersions("赵磊")
	if got, want := []campaignbot.ReviewState{vs[0].State, vs[1].State}, []campaignbot.ReviewState{campaignbot.ReviewReturned, campaignbot.ReviewAccepted}; !slices.Equal(got, want) {
		t.Errorf("states = %v, want %v", got, want)
	}
	for i, want := range []campaignbot.ReviewState{campaignbot.ReviewReturned, campaignbot.ReviewAccepted} {
		cs, err := e.db.FindReviewComments(ctx, vs[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 1 || cs[0].Decision != want || e.name(cs[0].ReviewerID) != "李明华" {
			t.Errorf("comments on v%d = %+v, want one %s by 李明华", i+1, cs, want)
		}
	}
}

// TestReviewByHead: the head reviews a department that no leader is in
// charge of; an inline return carries its comment; a decided version is
// not decided again.
func TestReviewByHead(t *testing.T) {
	e := fieldNewEnv(t, campaignbot.NewDate(2026, time.May, 11))
	e.send("黄鹏", "/submit dept-analysis")
	e.send("黄鹏", "报告正文")
	v1 := e.fieldVersions("黄鹏")[0]
	if got, want := fieldRecipients(e.drain()), []string{"王建国"}; !slices.Equal(got, want) {
		t.Fatalf("submission told %v, want %v", got, want)
	}
	fieldContains(t, e.send("王建国", "/review"), fmt.Sprintf("|/review %d]", v1.ID))
	fieldContains(t, e.send("李明华", fmt.Sprintf("/review %d", v1.ID)), "is not yours to review")
	fieldContains(t, e.send("王建国", fmt.Sprintf("/review %d 退回 请补充事例", v1.ID)), "is returned")
	fieldContains(t, e.drain()[0].Text, "请补充事例")
	fieldContains(t, e.send("王建国", fmt.Sprintf("/review %d return", v1.ID)), "is not awaiting review")
}

// TestReturnedReportOwedAgain: a report returned for revision no longer
// counts in /tasks; the author owes a new version.
func TestReturnedReportOwedAgain(t *testing.T) {
	e := fieldNewEnv(t, campaignbot.NewDate(2026, time.May, 11))
	e.send("赵磊", "/submit dept-analysis")
	e.send("赵磊", "一、学习情况\n二、存在问题")
	v1 := e.fieldVersions("赵磊")[0]
	// Handed in is not done: it waits for the reviewer.
	fieldContains(t, e.send("赵磊", "/tasks"), "Department analysis report — due 2026-06-30, handed in, awaiting review")
	e.send("李明华", fmt.Sprintf("/review %d return", v1.ID))
	fieldContains(t, e.send("李明华", "存在问题要有具体事例"), "is returned")
	got := e.send("赵磊", "/tasks")
	fieldContains(t, got, "submit: /submit dept-analysis")
	if strings.Contains(got, "done") {
		t.Errorf("a returned report still counts as done:\n%s", got)
	}
}
