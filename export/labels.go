package export

import (
	"strings"

	"campaignbot"
)

// labels are the words of the workbook in one language.
type labels struct {
	lang        string
	en          bool
	sep         string
	yes, no     string
	anonymous   string
	tooFew      string
	fromProblem string // takes the problem id
	fromReport  string // takes the submission id
	report      string // takes the task, the author and the version
	comment     string // takes the time, the reviewer, the decision and the text
	sheets      []string
	rosterHead  []string
	subHead     []string
	opinionHead []string
	problemHead []string
	eventHead   []string
	ledgerHead  []string
	surveyHead  []string
	review      map[campaignbot.ReviewState]string
	problem     map[campaignbot.ProblemStatus]string
	event       map[campaignbot.ProblemEventKind]string
	ledger      map[campaignbot.LedgerStatus]string
	kind        map[campaignbot.QuestionKind]string
}

// SheetNames returns the names of the workbook's sheets in order, in lang
// ("en" or Chinese).
func SheetNames(lang string) []string { return labelsFor(lang).sheets }

func labelsFor(lang string) labels {
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		return labels{
			lang: "en", en: true, sep: ", ", yes: "yes", no: "no",
			anonymous: "anonymous", tooFew: "too few answers to show",
			fromProblem: "problem #%d", fromReport: "report #%d",
			report: " %s (%s v%d)", comment: "%s %s (%s): %s",
			sheets:      []string{"roster", "submissions", "opinions", "problems", "problem events", "ledger", "survey results"},
			rosterHead:  []string{"name", "department", "roles", "telegram", "wecom", "in charge of", "unreachable"},
			subHead:     []string{"task", "person", "department", "version", "late", "review state", "submitted at", "text", "attachments", "review comments"},
			opinionHead: []string{"day", "author", "text", "answer", "answered by"},
			problemHead: []string{"id", "enterprise", "category", "description", "filer", "owner", "status", "due", "created", "photos"},
			eventHead:   []string{"problem id", "kind", "actor", "owner", "text", "at"},
			ledgerHead:  []string{"id", "what", "measure", "owner", "due", "status", "evidence", "source"},
			surveyHead:  []string{"survey", "question", "kind", "participants", "audience", "answers", "results", "mean"},
			review: map[campaignbot.ReviewState]string{
				campaignbot.ReviewNotRequired: "not reviewed", campaignbot.ReviewSubmitted: "waiting for review",
				campaignbot.ReviewReturned: "returned", campaignbot.ReviewAccepted: "accepted",
			},
			problem: map[campaignbot.ProblemStatus]string{
				campaignbot.ProblemNew: "new", campaignbot.ProblemClaimed: "claimed",
				campaignbot.ProblemResolved: "resolved", campaignbot.ProblemClosed: "closed",
			},
			event: map[campaignbot.ProblemEventKind]string{
				campaignbot.EventFiled: "filed", campaignbot.EventClaimed: "claimed", campaignbot.EventAssigned: "assigned",
				campaignbot.EventProgress: "progress", campaignbot.EventResolved: "resolved",
				campaignbot.EventConfirm: "confirmed", campaignbot.EventReopened: "reopened",
			},
			ledger: map[campaignbot.LedgerStatus]string{
				campaignbot.LedgerOpen: "open", campaignbot.LedgerInProgress: "in progress", campaignbot.LedgerDone: "done",
			},
			kind: map[campaignbot.QuestionKind]string{
				campaignbot.QuestionScale: "scale 1–5", campaignbot.QuestionChoice: "single choice", campaignbot.QuestionText: "free text",
			},
		}
	}
	return labels{
		lang: "zh", sep: "、", yes: "是", no: "否",
		anonymous: "匿名", tooFew: "样本不足",
		fromProblem: "问题 #%d", fromReport: "报告 #%d",
		report: " %s（%s v%d）", comment: "%s %s（%s）：%s",
		sheets:      []string{"名册", "提交", "意见", "问题", "问题记录", "整改台账", "问卷结果"},
		rosterHead:  []string{"姓名", "科室", "角色", "Telegram", "企业微信", "分管科室", "无法送达"},
		subHead:     []string{"任务", "提交人", "科室", "版本", "逾期", "审阅状态", "提交时间", "内容", "附件", "审阅意见"},
		opinionHead: []string{"日期", "提出人", "内容", "答复", "答复人"},
		problemHead: []string{"编号", "企业", "类别", "问题描述", "提出人", "责任人", "状态", "期限", "提出时间", "照片数"},
		eventHead:   []string{"问题编号", "类型", "操作人", "责任人", "内容", "时间"},
		ledgerHead:  []string{"编号", "整改事项", "整改措施", "责任人", "完成时限", "状态", "整改成效", "来源"},
		surveyHead:  []string{"问卷", "题目", "题型", "参与人数", "应参与人数", "作答数", "结果", "平均分"},
		review: map[campaignbot.ReviewState]string{
			campaignbot.ReviewNotRequired: "无需审阅", campaignbot.ReviewSubmitted: "待审阅",
			campaignbot.ReviewReturned: "已退回", campaignbot.ReviewAccepted: "已通过",
		},
		problem: map[campaignbot.ProblemStatus]string{
			campaignbot.ProblemNew: "待领办", campaignbot.ProblemClaimed: "办理中",
			campaignbot.ProblemResolved: "已解决待确认", campaignbot.ProblemClosed: "已销号",
		},
		event: map[campaignbot.ProblemEventKind]string{
			campaignbot.EventFiled: "提出", campaignbot.EventClaimed: "领办", campaignbot.EventAssigned: "交办",
			campaignbot.EventProgress: "进展", campaignbot.EventResolved: "解决",
			campaignbot.EventConfirm: "确认销号", campaignbot.EventReopened: "重新打开",
		},
		ledger: map[campaignbot.LedgerStatus]string{
			campaignbot.LedgerOpen: "未开始", campaignbot.LedgerInProgress: "整改中", campaignbot.LedgerDone: "已完成",
		},
		kind: map[campaignbot.QuestionKind]string{
			campaignbot.QuestionScale: "量表（1–5）", campaignbot.QuestionChoice: "单选", campaignbot.QuestionText: "填空",
		},
	}
}
