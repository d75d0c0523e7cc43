package console_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/plan"
	"campaignbot/store"
)

// flowRoster is an organisation with every role: a member, a section head
// whose report the leader in charge reviews, the leader, the head and the
// office.
var flowRoster = []campaignbot.RosterEntry{
	{Name: "张三", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}},
	{Name: "赵科长", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMiddle}},
	{Name: "李副局长", Departments: []string{"局领导"}, Roles: []campaignbot.Role{campaignbot.RoleLeader}, InChargeOf: []string{"科技管理科"}},
	{Name: "王局长", Departments: []string{"局领导"}, Roles: []campaignbot.Role{campaignbot.RoleHead}},
	{Name: "陈丽", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleOffice}},
}

// flowSession is a console session over the default plan of 2026 (study
// phase 03-16 to 04-30, analysis and review to 06-30, rectification to
// 08-31, wrap-up 09-01 to 09-15) with flowRoster imported on 03-01; set
// moves the clock to 10:00 of a day.
type flowSession struct {
	*session
	now time.Time
}

func newFlowSession(t *testing.T) *flowSession {
	t.Helper()
	p, _, err := plan.Default(campaignbot.NewDate(2026, time.March, 1))
	if err != nil {
		t.Fatal(err)
	}
	f := &flowSession{}
	f.session = &session{t: t, lang: "zh", path: filepath.Join(t.TempDir(), "c.db"), plan: p,
		clock: campaignbot.ClockFunc(func() time.Time { return f.now })}
	f.set("03-01")
	db, err := store.Open(context.Background(), f.path, store.WithClock(f.clock), store.WithLocation(p.Loc()), store.WithPerDepartmentTasks("study-plan", "dept-analysis"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.db = db
	if _, _, err := db.ImportRoster(context.Background(), flowRoster); err != nil {
		t.Fatal(err)
	}
	return f
}

// set moves the clock to 10:00 on the 2026 day MM-DD.
func (f *flowSession) set(mmdd string) {
	f.t.Helper()
	d, err := campaignbot.ParseDate("2026-" + mmdd)
	if err != nil {
		f.t.Fatal(err)
	}
	f.now = d.Time(f.plan.Loc()).Add(10 * time.Hour)
}

// TestFlowMissedWeek: a member hands in two missed weeks late, from /note
// (which offers the open weeks) and from /submit with the week; each then
// counts for its week, marked late, and the week written in stays owed.
func TestFlowMissedWeek(t *testing.T) {
	f := newFlowSession(t)
	f.set("04-15") // weeks of 03-16, 03-23, 03-30 and 04-06 have passed
	out := f.run(strings.Join([]string{
		"/as 张三",
		"/tasks",
		"/note",
		"/submit study-notes 2026-03-30",
		"补交的笔记：学习了新思想",
		"/note 2026-04-08 四月第二周的笔记",
		"/note 2026-05-20 还没到的一周",
		"/tasks",
		"/note 本周的笔记",
	}, "\n") + "\n")
	inOrder(t, out,
		"张三> /tasks",
		"❗ 学习笔记（2026-03-30 至 2026-04-05） — 截止 2026-04-05，已逾期 10 天，请尽快提交：/submit study-notes 2026-03-30",
		"⏳ 问卷「征求意见」— 2026-04-30 截止（还剩 15 天）填写：/survey opinions",
		"张三> /note",
		"您有 4 周的学习笔记未交",
		"[本周笔记] ⇒ /submit study-notes 2026-04-15",
		"[补交 2026-03-16 至 2026-03-22] ⇒ /submit study-notes 2026-03-16",
		"[补交 2026-04-06 至 2026-04-12] ⇒ /submit study-notes 2026-04-06",
		"张三> /submit study-notes 2026-03-30",
		"2026-03-30 起的一周，补交",
		"张三> 补交的笔记：学习了新思想",
		"已收到并保存：“学习笔记（2026-03-30 至 2026-04-05）”第 1 版，逾期提交",
		"张三> /note 2026-04-08 四月第二周的笔记",
		"已收到并保存：“学习笔记（2026-04-06 至 2026-04-12）”第 2 版，逾期提交",
		"张三> /note 2026-05-20 还没到的一周",
		"2026-05-20 这一周还没有开始",
		"张三> /tasks",
		"❗ 学习笔记（2026-03-23 至 2026-03-29） — 截止 2026-03-29，已逾期 17 天",
		"⏳ 学习笔记（2026-04-13 至 2026-04-19） — 截止 2026-04-19（还剩 4 天）",
		"张三> /note 本周的笔记",
		"已收到并保存：“学习笔记”第 3 版，按时提交",
	)
	if last := out[strings.LastIndex(out, "张三> /tasks"):]; strings.Contains(last, "2026-04-06 至 2026-04-12） — 截止 2026-04-12，已逾期") ||
		strings.Contains(last, "2026-03-30 至 2026-04-05） — 截止 2026-04-05，已逾期") {
		t.Errorf("the week handed in late is still overdue:\n%s", out)
	}
	subs, err := f.db.FindSubmissions(context.Background(), campaignbot.SubmissionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	weeks := map[int]string{}
	for _, s := range subs {
		weeks[s.Version] = s.Week.String()
		if s.Late != (s.Week != 0) {
			t.Errorf("version %d late = %v for week %s", s.Version, s.Late, s.Week)
		}
	}
	if weeks[1] != "2026-03-30" || weeks[2] != "2026-04-06" || weeks[3] != "1970-01-01" {
		t.Errorf("weeks by version = %v", weeks)
	}
}
