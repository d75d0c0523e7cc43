// Package demo seeds a demo organisation — a city science bureau of five
// departments and 25 people holding every role — so that every command has
// something to show when campaignbot is tried in a terminal.
package demo

import (
	"context"
	"fmt"
	"time"

	"campaignbot"
)

// Roster is the demo organisation's roster.
var Roster = []campaignbot.RosterEntry{
	{Name: "王建国", Departments: []string{"局领导"}, Roles: roles("head", "member"), InChargeOf: []string{"办公室"}},
	{Name: "李明华", Departments: []string{"局领导"}, Roles: roles("leader", "member"), InChargeOf: []string{"科技管理科", "高新技术科"}},
	{Name: "张志强", Departments: []string{"局领导"}, Roles: roles("leader", "member"), InChargeOf: []string{"政策法规科", "农村科技科"}},
	{Name: "陈丽", Departments: []string{"办公室"}, Roles: roles("office", "member")},
	{Name: "刘洋", Departments: []string{"办公室"}, Roles: roles("office", "member")},
	{Name: "宋佳", Departments: []string{"办公室"}, Roles: roles("member")},
	{Name: "赵磊", Departments: []string{"科技管理科"}, Roles: roles("middle", "member")},
	{Name: "孙静", Departments: []string{"科技管理科"}, Roles: roles("member")},
	{Name: "周涛", Departments: []string{"科技管理科"}, Roles: roles("member")},
	{Name: "吴敏", Departments: []string{"科技管理科"}, Roles: roles("member", "liaison")},
	{Name: "郑浩", Departments: []string{"高新技术科"}, Roles: roles("middle", "member")},
	{Name: "冯雪", Departments: []string{"高新技术科"}, Roles: roles("member")},
	{Name: "何伟", Departments: []string{"高新技术科"}, Roles: roles("member", "liaison")},
	{Name: "马丽", Departments: []string{"高新技术科"}, Roles: roles("member")},
	{Name: "谢婷", Departments: []string{"高新技术科"}, Roles: roles("liaison")},
	{Name: "黄鹏", Departments: []string{"政策法规科"}, Roles: roles("middle", "member")},
	{Name: "林芳", Departments: []string{"政策法规科"}, Roles: roles("member")},
	{Name: "朱刚", Departments: []string{"政策法规科"}, Roles: roles("member")},
	{Name: "许文", Departments: []string{"政策法规科"}, Roles: roles("member")},
	{Name: "胡军", Departments: []string{"农村科技科"}, Roles: roles("middle", "member")},
	{Name: "郭燕", Departments: []string{"农村科技科"}, Roles: roles("member")},
	{Name: "罗斌", Departments: []string{"农村科技科"}, Roles: roles("member", "liaison")},
	{Name: "高峰", Departments: []string{"农村科技科"}, Roles: roles("member")},
	{Name: "邓超", Departments: []string{"农村科技科"}, Roles: roles("member")},
	{Name: "曹颖", Departments: []string{"科技管理科"}, Roles: roles("member")},
}

func roles(rs ...string) []campaignbot.Role {
	out := make([]campaignbot.Role, len(rs))
	for i, r := range rs {
		out[i] = campaignbot.Role(r)
	}
	return out
}

// DB is the demo's own store: it never goes into the real one (SPEC §7).
const DB = "campaignbot-demo.db"

// DaysIn is how far into the campaign the demo is: the default plan starts
// this many days before today. The preparation phase (15 days) ended three
// days ago, so on whatever day the demo starts, the study phase and its
// opinions survey are open, the office's study plan it did not hand in is
// overdue, and today is the day the policy (3 days) escalates it.
const DaysIn = 17

// Seed fills an empty store with the demo organisation and some history.
// setNow moves the store's clock, so the history is dated in the past; Seed
// leaves it at now. A store that already has people is left alone.
func Seed(ctx context.Context, st campaignbot.Store, p *campaignbot.Plan, now time.Time, setNow func(time.Time)) (seeded bool, err error) {
	defer setNow(now)
	people, err := st.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return false, fmt.Errorf("find people: %w", err)
	} else if len(people) > 0 {
		return false, nil
	}
	loc := p.Loc()
	at := func(d campaignbot.Date, hour int) time.Time { return d.Time(loc).Add(time.Duration(hour) * time.Hour) }
	setNow(at(p.Start.AddDays(-1), 10))
	if _, _, err := st.ImportRoster(ctx, Roster); err != nil {
		return false, fmt.Errorf("import roster: %w", err)
	}
	byName := map[string]*campaignbot.Person{}
	if people, err = st.FindPeople(ctx, campaignbot.PersonFilter{}); err != nil {
		return false, fmt.Errorf("find people: %w", err)
	}
	for _, x := range people {
		byName[x.Name] = x
	}
	submit := func(name, task, text string, day campaignbot.Date, late bool) error {
		x := byName[name]
		setNow(at(day, 15))
		return st.CreateSubmission(ctx, &campaignbot.Submission{
			TaskKey: task, PersonID: x.ID, DepartmentID: x.DepartmentID, Text: text, Late: late,
		})
	}
	today := campaignbot.DateOf(now, loc)
	study := p.FindPhase("study")
	var errs []error
	// The office's study plan is missing: overdue, escalated today. A
	// section's draft analysis report waits for its leader's review.
	setNow(at(today.AddDays(-1), 17))
	errs = append(errs, st.CreateSubmission(ctx, &campaignbot.Submission{
		TaskKey: "dept-analysis", PersonID: byName["赵磊"].ID, DepartmentID: byName["赵磊"].DepartmentID, State: campaignbot.ReviewSubmitted,
		Text: "科技管理科分析检查报告（初稿）\n一、学习情况：全科坚持每周两次集中学习。\n二、存在问题：深入企业调研不够，全年到企业仅 6 次。\n三、整改方向：建立科长联系企业制度，每月走访不少于两家。",
	}))
	if study != nil {
		// Study notes for the weeks of the study phase that have ended,
		// with some people missing some weeks so /overdue has names.
		i := 0
		for wk := study.Start.ISOWeekStart(); wk.AddDays(6) < today; wk = wk.AddDays(7) {
			for _, x := range people {
				i++
				if !x.HasRole(campaignbot.RoleMember) || i%4 == 0 {
					continue
				}
				day := wk.AddDays(2)
				if day < study.Start {
					day = study.Start
				}
				errs = append(errs, submit(x.Name, "study-notes", "学习《科学发展观重要论述摘编》体会：要把解放思想落实到服务企业的具体工作中。", day, false))
			}
		}
		// A report and a speech from the phase's first days, and never from
		// a day still to come: the study phase began only two days ago
		// (DaysIn), and they were dated tomorrow and the day after.
		early := func(n int) campaignbot.Date { return min(study.Start.AddDays(n), today.AddDays(-1)) }
		errs = append(errs, submit("王建国", "study-report", "学习报告：打实基础科学发展，改善作风奋起直追。", early(3), false))
		errs = append(errs, submit("赵磊", "topic-speech", "专题发言：提升科技项目管理服务水平。", early(4), false))
	}
	setNow(at(today.AddDays(-3), 11))
	p1 := &campaignbot.Problem{FilerID: byName["何伟"].ID, Enterprise: "恒达精密机械有限公司", Category: "资金", Description: "企业研发中心建设资金缺口约 300 万元，希望了解科技项目贷款贴息政策。"}
	p2 := &campaignbot.Problem{FilerID: byName["罗斌"].ID, Enterprise: "绿源农业科技合作社", Category: "技术", Description: "大棚蔬菜病虫害防治缺少技术指导，希望对接农科院专家。"}
	for _, pr := range []*campaignbot.Problem{p1, p2} {
		errs = append(errs, st.CreateProblem(ctx, pr))
	}
	setNow(at(today.AddDays(-2), 9))
	if p1.ID != 0 {
		_, err := st.AddProblemEvent(ctx, &campaignbot.ProblemEvent{ProblemID: p1.ID, Kind: campaignbot.EventClaimed, ActorID: byName["李明华"].ID, OwnerID: byName["李明华"].ID})
		errs = append(errs, err)
		setNow(at(today.AddDays(-1), 16))
		_, err = st.AddProblemEvent(ctx, &campaignbot.ProblemEvent{ProblemID: p1.ID, Kind: campaignbot.EventProgress, ActorID: byName["李明华"].ID, Text: "已联系市科技银行，下周组织政策对接会。"})
		errs = append(errs, err)
	}
	errs = append(errs,
		st.CreateOpinion(ctx, &campaignbot.Opinion{AuthorID: byName["林芳"].ID, Text: "建议科技项目申报材料进一步精简，推行网上申报。", Day: today.AddDays(-4)}),
		st.CreateOpinion(ctx, &campaignbot.Opinion{Anonymous: true, Text: "部分科室服务企业时效性不强，希望明确办结时限。", Day: today.AddDays(-2)}),
		st.CreateLeave(ctx, &campaignbot.Leave{PersonID: byName["孙静"].ID, From: today.AddDays(1), To: today.AddDays(5)}),
	)
	// Answers to the opinions survey from enough people that its results
	// show, and a rectification item made from the claimed problem.
	if sv := p.FindSurvey("opinions"); sv != nil && today >= sv.From {
		setNow(at(today.AddDays(-1), 20))
		for i, name := range []string{"林芳", "朱刚", "郭燕", "高峰"} {
			r := &campaignbot.SurveyResponse{SurveyKey: sv.Key, PersonID: byName[name].ID, Anonymous: sv.Anonymous}
			for _, q := range sv.Questions {
				v := demoAnswers[i%len(demoAnswers)]
				if q.Kind == campaignbot.QuestionChoice && len(q.Options) > 0 {
					v = q.Options[i%len(q.Options)]
				} else if q.Kind == campaignbot.QuestionScale {
					v = "4"
				}
				r.Answers = append(r.Answers, campaignbot.SurveyAnswer{QuestionKey: q.Key, Value: v})
			}
			errs = append(errs, st.RecordSurveyResponse(ctx, r))
		}
	}
	if p1.ID != 0 {
		setNow(at(today, 8))
		errs = append(errs, st.CreateLedgerItem(ctx, &campaignbot.LedgerItem{
			What: "恒达精密机械有限公司研发中心建设资金缺口", Measure: "组织科技银行政策对接会，协助申报科技项目贷款贴息",
			OwnerID: byName["李明华"].ID, Due: today.AddDays(30), Status: campaignbot.LedgerInProgress, ProblemID: p1.ID,
		}))
	}
	for _, err := range errs {
		if err != nil {
			return false, fmt.Errorf("seed demo: %w", err)
		}
	}
	return true, nil
}

// demoAnswers are free-text survey answers in the seed's words.
var demoAnswers = []string{
	"个别干部深入基层调研不够，服务企业的主动性有待加强。",
	"企业迫切需要技术、人才和融资方面的对接服务。",
	"科技项目管理重审批、轻服务，评价体系有待完善。",
	"建议建立健全服务企业的长效机制和考核办法。",
}
