package console_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/plan"
	"campaignbot/scheduler"
	"campaignbot/store"
)

// flowRoster is an organisation with every role: a member, a section head
// whose report the leader in charge reviews, the leader, the head, the
// office and a liaison.
var flowRoster = []campaignbot.RosterEntry{
	{Name: "张三", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}},
	{Name: "赵科长", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMiddle}},
	{Name: "李副局长", Departments: []string{"局领导"}, Roles: []campaignbot.Role{campaignbot.RoleLeader}, InChargeOf: []string{"科技管理科"}},
	{Name: "王局长", Departments: []string{"局领导"}, Roles: []campaignbot.Role{campaignbot.RoleHead}},
	{Name: "陈丽", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleOffice}},
	{Name: "吴指导员", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleLiaison}},
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
		"❗ 学习笔记 — 4 周未交（2026-03-16 至 2026-04-12），补交：/note",
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
		"❗ 学习笔记 — 2 周未交（2026-03-16 至 2026-03-29）",
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

// day parses a 2026 day MM-DD.
func day(t *testing.T, mmdd string) campaignbot.Date {
	t.Helper()
	d, err := campaignbot.ParseDate("2026-" + mmdd)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// runDay runs the reminders job of the 2026 day MM-DD, as the scheduler
// does at 09:00.
func (f *flowSession) runDay(mmdd string) {
	f.t.Helper()
	f.set(mmdd)
	sch := scheduler.New(f.db, f.plan, scheduler.WithSchedulerClock(f.clock), scheduler.WithSchedulerLogger(slog.New(slog.DiscardHandler)))
	if _, err := sch.RunDay(context.Background(), day(f.t, mmdd)); err != nil {
		f.t.Fatal(err)
	}
}

// TestFlowSurveyOwed: the wrap-up phase's satisfaction survey is owed like
// a task: announced at the phase start, warned of before it closes with a
// button that opens it, listed in /tasks and in the digest, and done once
// answered.
func TestFlowSurveyOwed(t *testing.T) {
	f := newFlowSession(t)
	f.run("/as 张三\n/as 王局长\n")
	f.runDay("09-01")
	f.runDay("09-14")
	out := f.run("/as 张三\n/tasks\n/as 王局长\n/digest\n")
	inOrder(t, out,
		"── 发给 张三 ──",
		"【阶段开始】「总结和满意度测评阶段」今天开始",
		"· 问卷「满意度测评」2026-09-01 至 2026-09-15，发送 /survey satisfaction 填写",
		"── 发给 张三 ──",
		"【提醒】问卷「满意度测评」还有 1 天截止（2026-09-15）",
		"[填写 满意度测评] ⇒ /survey satisfaction",
		"张三> /tasks",
		"⏳ 问卷「满意度测评」— 2026-09-15 截止（还剩 1 天）填写：/survey satisfaction",
		"王局长> /digest",
		"问卷「满意度测评」：已答 0/6 人（0%），2026-09-15 截止",
	)
	if strings.Contains(out, "本阶段没有需要您提交的任务") {
		t.Errorf("/tasks says nothing is owed while the survey is open:\n%s", out)
	}
	// Answered, it is done.
	pl := f.plan.FindSurvey("satisfaction")
	answers := strings.Repeat("5\n", len(pl.Questions))
	out = f.run("/as 张三\n/survey satisfaction\n" + answers + "/tasks\n")
	inOrder(t, out, "张三> /tasks", "✅ 满意度测评 — 截止 2026-09-15，已完成")
}

// TestFlowHardProblem: 领办难题 is satisfied only by claiming a problem:
// /tasks says so and points to /problems and /claim, /submit refuses text
// for it with that advice, and a claim completes it.
func TestFlowHardProblem(t *testing.T) {
	f := newFlowSession(t)
	f.set("07-01")
	out := f.run("/as 李副局长\n/tasks\n/submit hard-problem 我领办了一个难题\n/submit\n")
	inOrder(t, out,
		"李副局长> /tasks",
		"⏳ 领办难题 — 截止 2026-08-31（还剩 61 天）：领办一个问题即完成，无需提交材料。发送 /problems 查看问题，/claim 编号 领办",
		"李副局长> /submit hard-problem 我领办了一个难题",
		"“领办难题”无需提交材料：领办一个问题即完成。发送 /problems 查看问题，/claim 编号 领办。",
	)
	if strings.Contains(out, "/submit hard-problem\n") || strings.Contains(out, "⇒ /submit hard-problem") {
		t.Errorf("/submit is offered for 领办难题:\n%s", out)
	}
	subs, err := f.db.FindSubmissions(context.Background(), campaignbot.SubmissionFilter{})
	if err != nil || len(subs) != 0 {
		t.Fatalf("text for 领办难题 was stored: %v %v", subs, err)
	}
	zs, err := f.db.FindPersonByName(context.Background(), "张三")
	if err != nil {
		t.Fatal(err)
	}
	pr := &campaignbot.Problem{FilerID: zs.ID, Enterprise: "华光电子", Category: "资金", Description: "流动资金紧张"}
	if err := f.db.CreateProblem(context.Background(), pr); err != nil {
		t.Fatal(err)
	}
	out = f.run(fmt.Sprintf("/as 李副局长\n/claim %d\n/tasks\n", pr.ID))
	inOrder(t, out, "李副局长> /tasks", "✅ 领办难题 — 截止 2026-08-31，已完成")
}

// TestFlowReview: a reviewed report counts as done only when accepted: it
// is 待审阅 in the author's /tasks and in the leader's digest (which opens
// with it), and is not overdue while it waits.
func TestFlowReview(t *testing.T) {
	f := newFlowSession(t)
	f.set("05-10")
	out := f.run("/as 赵科长\n/submit dept-analysis 一、学习情况 二、存在问题\n/tasks\n/as 李副局长\n/digest\n")
	inOrder(t, out,
		"赵科长> /tasks",
		"📝 科室分析报告 — 截止 2026-06-30，已提交，待审阅",
		"李副局长> /digest",
		"【每日简报】2026-05-10 · 李副局长",
		"待您审阅 1 份",
		"当前阶段",
		"「科室分析报告」0/1（0%），待审阅 1",
	)
	subs, err := f.db.FindSubmissions(context.Background(), campaignbot.SubmissionFilter{})
	if err != nil || len(subs) != 1 {
		t.Fatalf("submissions %v %v", subs, err)
	}
	// Past its due date while it waits, it is not overdue; accepted
	// (within its phase, as /tasks shows it), it is done.
	f.set("07-05")
	out = f.run("/as 李副局长\n/overdue\n")
	if strings.Contains(out, "科室分析报告") {
		t.Errorf("a report waiting for review is listed overdue:\n%s", out)
	}
	f.set("06-01")
	out = f.run(fmt.Sprintf("/as 李副局长\n/review %d accept\n/as 赵科长\n/tasks\n", subs[0].ID))
	inOrder(t, out, "赵科长> /tasks", "✅ 科室分析报告 — 截止 2026-06-30，已完成")
}

// TestFlowOpinions: the office lists the opinions and answers them; a named
// author gets the answer in chat, an anonymous opinion's answer can be
// published to the campaign group, and the answers are stored for the
// export's 答复 column.
func TestFlowOpinions(t *testing.T) {
	f := newFlowSession(t)
	f.engineOpts = []bot.Option{bot.WithGroups(campaignbot.PlatformConsole)}
	f.set("04-10")
	f.run("/as 张三\n/opinion 建议减少会议，多到企业调研\n/opinion anon 个别领导作风不实\n")
	ctx := context.Background()
	ops, err := f.db.FindOpinions(ctx)
	if err != nil || len(ops) != 2 {
		t.Fatalf("opinions %v %v", ops, err)
	}
	var named, anon *campaignbot.Opinion
	for _, op := range ops {
		if op.Anonymous {
			anon = op
		} else {
			named = op
		}
	}
	out := f.run(strings.Join([]string{
		"/as 陈丽",
		"/opinions",
		fmt.Sprintf("/answer %d 已采纳：每月至少两次到企业调研", named.Number()),
		fmt.Sprintf("/answer %d publish", anon.Number()),
		fmt.Sprintf("/answer %d 已转交纪检组核查", anon.Number()),
		"/answer 1000001 无此意见",
		"/answer",
		"/opinions",
	}, "\n") + "\n")
	inOrder(t, out,
		"陈丽> /opinions",
		"共收到意见 2 条，待答复 2 条：",
		"陈丽> /answer",
		"── 发给 张三 ──",
		"【意见答复】您在 2026-04-10 提的意见：“建议减少会议，多到企业调研”",
		"办公室答复：已采纳：每月至少两次到企业调研",
		fmt.Sprintf("已答复 张三 的意见 #%d。", named.Number()),
		"已通知 张三。",
		fmt.Sprintf("意见 #%d 还没有答复。", anon.Number()),
		fmt.Sprintf("已答复匿名意见 #%d。", anon.Number()),
		fmt.Sprintf("[发布到活动群] ⇒ /answer %d publish", anon.Number()),
		"没有编号为 1000001 的意见",
		"用法：/answer 编号 答复内容",
		"共收到意见 2 条，待答复 0 条：",
	)
	// Within a day the order is random, as the IDs are.
	for _, want := range []string{
		fmt.Sprintf("#%d 2026-04-10 张三：建议减少会议，多到企业调研 〔待答复〕", named.Number()),
		fmt.Sprintf("#%d 2026-04-10 匿名：个别领导作风不实 〔待答复〕", anon.Number()),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("/opinions lacks %q:\n%s", want, out)
		}
	}
	out = f.run(fmt.Sprintf("/as 陈丽\n/answer %d publish\n/answer %[1]d publish\n", anon.Number()))
	inOrder(t, out,
		"── 发给 group ──",
		"【意见答复】",
		"意见（2026-04-10）：个别领导作风不实",
		"答复：已转交纪检组核查",
		fmt.Sprintf("意见 #%d 及其答复已发布到活动群。", anon.Number()),
		fmt.Sprintf("意见 #%d 的这条答复已经发布过。", anon.Number()),
	)
	ops, err = f.db.FindOpinions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if op.Answer == "" || op.AnsweredBy == 0 {
			t.Errorf("opinion %d not stored answered: %+v", op.Number(), op)
		}
	}
}

// TestFlowLedger: items carry numbers in chat; a due date in the past is
// refused; an accepted report's number is shown when it is accepted and in
// /ledger from-report, whose points become one item each; items are edited
// and removed with their history kept.
func TestFlowLedger(t *testing.T) {
	f := newFlowSession(t)
	f.set("06-01")
	// A report of two points, as a chat message of two lines brings it.
	zk, err := f.db.FindPersonByName(context.Background(), "赵科长")
	if err != nil {
		t.Fatal(err)
	}
	sub := &campaignbot.Submission{TaskKey: "dept-analysis", PersonID: zk.ID, DepartmentID: zk.DepartmentID,
		Text: "一、调研不深入\n二、会议多", State: campaignbot.ReviewSubmitted}
	if err := f.db.CreateSubmission(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
	n := sub.ID
	out := f.run(strings.Join([]string{
		"/as 李副局长",
		fmt.Sprintf("/review %d accept", n),
		"/as 陈丽",
		"/ledger add 文山会海 | 精简发文 | 张三 | 2026-05-01",
		"/ledger add 文山会海 | 精简发文 | 张三 | 2026-08-31 | 每月通报",
		"/ledger from-report",
		fmt.Sprintf("/ledger from-report %d", n),
		fmt.Sprintf("/ledger from-report %d 2 压缩会议", n),
		"/ledger edit 1 期限 2026-09-30",
		"/ledger edit 1 期限 2026-01-01",
		"/ledger status 2 长期坚持",
		"/ledger remove 1 与 #2 重复",
		"/ledger",
	}, "\n") + "\n")
	inOrder(t, out,
		fmt.Sprintf("材料编号 #%d；如需列入整改台账：/ledger from-report %[1]d", n),
		"陈丽> /ledger add 文山会海 | 精简发文 | 张三 | 2026-05-01",
		"期限 2026-05-01 已过（今天是 2026-06-01）",
		"已加入整改台账 #1：文山会海（责任人 张三，期限 2026-08-31）",
		"陈丽> /ledger from-report",
		fmt.Sprintf("#%d 赵科长“科室分析报告”第 1 版：/ledger from-report %[1]d", n),
		fmt.Sprintf("报告 #%d “科室分析报告”第 1 版共 2 个要点", n),
		"1. 一、调研不深入",
		"2. 二、会议多",
		fmt.Sprintf("[要点 2：二、会议多] ⇒ /ledger from-report %d 2", n),
		"已加入整改台账 #2：二、会议多（责任人 赵科长，期限 2026-08-31）",
		"整改事项 #1 的期限已改为：2026-09-30（修改已留痕）",
		"期限 2026-01-01 已过",
		"整改事项 #2 状态已改为“长期坚持”",
		"整改事项 #1 已从台账删除：文山会海（删除记录已保留）",
		"整改台账（共 1 项，已完成 0 项）：",
		"#2 二、会议多",
		"措施：压缩会议｜责任领导：李副局长｜责任科室：科技管理科｜责任人：赵科长｜期限：2026-08-31｜长期坚持",
		fmt.Sprintf("备注：来自报告 #%d “科室分析报告”第 1 版要点 2", n),
	)
	evs, err := f.db.FindLedgerEvents(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ev := range evs {
		kinds = append(kinds, ev.Kind)
	}
	if got, want := strings.Join(kinds, " "), "created edited removed"; got != want {
		t.Errorf("item 1's events %q, want %q", got, want)
	}
}

// TestFlowLeave: a single day of leave, the list, a cancel, the office
// entering one for a member (who is told), /tasks saying so, and a deadline
// inside the leave moved to the day after it with a warning on that day.
func TestFlowLeave(t *testing.T) {
	f := newFlowSession(t)
	f.set("04-20")
	out := f.run(strings.Join([]string{
		"/as 张三",
		"/leave 2026-04-22",
		"/leave list",
		"/leave cancel 1",
		"/leave cancel 1",
		"/as 陈丽",
		"/leave 张三 2026-04-20 2026-04-26",
		"/leave list 张三",
		"/as 赵科长",
		"/leave list 张三",
		"/as 张三",
		"/tasks",
	}, "\n") + "\n")
	inOrder(t, out,
		"张三> /leave 2026-04-22",
		"已登记请假 #1：2026-04-22 至 2026-04-22。期间不发提醒，期间到期的任务顺延至 2026-04-23。",
		"张三> /leave list",
		"#1 2026-04-22 至 2026-04-22（到期任务顺延至 2026-04-23）",
		"请假 #1 已撤销。",
		"没有编号为 #1 的请假。",
		"陈丽> /leave 张三 2026-04-20 2026-04-26",
		"── 发给 张三 ──",
		"办公室（陈丽）为您登记了请假：2026-04-20 至 2026-04-26。",
		"已为 张三 登记请假 #1：2026-04-20 至 2026-04-26",
		"陈丽> /leave list 张三",
		"#1 2026-04-20 至 2026-04-26",
		"赵科长> /leave list 张三",
		"用法：/leave",
		"张三> /tasks",
		// The week of 04-20 was due 04-26, inside the leave: moved to 04-27.
		"⏳ 学习笔记（2026-04-20 至 2026-04-26） — 截止 2026-04-27",
		"🏖 您 2026-04-20 至 2026-04-26 请假中",
	)
	// Nothing during the leave; on the first day back, a warning for the
	// moved due date.
	f.run("/as 张三\n")
	f.runDay("04-25")
	if out := f.run("/as 陈丽\n"); strings.Contains(out, "── 发给 张三 ──") {
		t.Errorf("张三 was prompted during the leave:\n%s", out)
	}
	f.runDay("04-27")
	out = f.run("/as 陈丽\n")
	inOrder(t, out, "── 发给 张三 ──", "【提醒】「学习笔记（2026-04-20 至 2026-04-26 这一周）」今天到期（2026-04-27）")
}

// TestFlowMessages: /help grouped by area with an example each and no
// /start for a bound person; a note from someone who owes none counts
// toward no task; confirming a closed problem says it is closed.
func TestFlowMessages(t *testing.T) {
	f := newFlowSession(t)
	f.set("05-20") // after the study phase: study notes are owed by nobody
	out := f.run("/as 王局长\n/help\n/as 张三\n/help\n/note 自学笔记\n")
	inOrder(t, out,
		"王局长> /help",
		"【我的任务】",
		"/note (笔记) — ",
		"例：/note 今天学习了",
		"【意见与问卷】",
		"【一线问题】",
		"【领导】",
		"/overdue (未交)",
		"【办公室】",
		"/opinions (意见列表)",
		"/answer (答复)",
		"/ledger (台账) — 整改台账：/ledger 查看；add 新增；from-problem 编号 由问题生成；from-report [编号 [要点]] 由报告要点生成；edit 编号 字段 内容 修改；remove 编号 原因 删除",
		"张三> /help",
		"【我的任务】",
		"张三> /note 自学笔记",
		"已收到并保存：“学习笔记”第 1 版，不计入任何任务（您目前不欠这项任务）",
	)
	head := out[:strings.Index(out, "张三> /help")]
	member := out[strings.Index(out, "张三> /help"):]
	if strings.Contains(head, "/start") || strings.Contains(member, "/start") {
		t.Errorf("/help offers /start to a bound person:\n%s", out)
	}
	if strings.Contains(member, "【办公室】") || strings.Contains(member, "【领导】") {
		t.Errorf("a member's /help lists others' commands:\n%s", member)
	}

	wu, err := f.db.FindPersonByName(context.Background(), "吴指导员")
	if err != nil {
		t.Fatal(err)
	}
	pr := &campaignbot.Problem{FilerID: wu.ID, Enterprise: "华光电子", Category: "资金", Description: "流动资金紧张"}
	if err := f.db.CreateProblem(context.Background(), pr); err != nil {
		t.Fatal(err)
	}
	out = f.run(fmt.Sprintf("/as 王局长\n/claim %d\n/resolve %[1]d 贷款已发放\n/as 吴指导员\n/confirm %[1]d\n/confirm %[1]d\n", pr.ID))
	inOrder(t, out, "吴指导员> /confirm", "吴指导员> /confirm", fmt.Sprintf("问题 #%d（华光电子）已经销号，无需再次确认。", pr.ID))
}

// TestFlowResearchPrompt: asking for the research report gives the seed's
// four research themes.
func TestFlowResearchPrompt(t *testing.T) {
	f := newFlowSession(t)
	f.set("04-10")
	out := f.run("/as 李副局长\n/submit research-report\n")
	inOrder(t, out, "请发送“调研报告”的内容", "一、党员干部落实科学发展观的思想问题和作风问题", "四、制约科技创新和科学发展的机制")
}

// TestFlowHelpTeams: a liaison's problem goes to a help team (帮扶组) chosen
// in the /problem dialog; /problems TEAM lists one team's, and the head's
// digest counts the open problems per team.
func TestFlowHelpTeams(t *testing.T) {
	f := newFlowSession(t)
	f.set("05-06")
	out := f.run(strings.Join([]string{
		"/as 吴指导员",
		"/problem 华光电子", "2", "1", "流动资金紧张", "完成",
		"/problem 星火农业", "4", "困难帮扶组", "缺少技术人员", "完成",
		"/as 王局长",
		"/problems 政策宣传组",
		"/digest",
	}, "\n") + "\n")
	inOrder(t, out,
		"吴指导员> /problem 华光电子",
		"这个问题交哪个帮扶组？",
		"1. 政策宣传组",
		"已登记问题 #1",
		"已登记问题 #2",
		"王局长> /problems 政策宣传组",
		"#1〔待领办〕华光电子（资金·政策宣传组）",
		"王局长> /digest",
		"未结问题按帮扶组：政策宣传组 1 个、创新服务组 0 个、困难帮扶组 1 个",
	)
	list := out[strings.Index(out, "王局长> /problems 政策宣传组"):strings.Index(out, "王局长> /digest")]
	if strings.Contains(list, "星火农业") {
		t.Errorf("政策宣传组's list shows 困难帮扶组's problem:\n%s", list)
	}
	ps, err := f.db.FindProblems(context.Background(), campaignbot.ProblemFilter{})
	if err != nil || len(ps) != 2 || ps[0].Team != "政策宣传组" || ps[1].Team != "困难帮扶组" {
		t.Fatalf("problems stored %+v, %v", ps, err)
	}
}
