package scheduler

import (
	"fmt"

	"campaignbot"
)

// catalog holds every user-facing string the scheduler sends (prompts,
// announcements, digests), in Chinese and English. The bot package has its
// own catalog for chat replies.
type catalog struct {
	en bool
}

// newCatalog returns the catalog for lang: "en" for English, anything else
// for Chinese (zh-CN), the default.
func newCatalog(lang string) catalog { return catalog{en: lang == "en"} }

// t returns the text for key with args formatted in. A missing key shows
// itself, which TestCatalogComplete catches before users do.
func (c catalog) t(key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	f := m.zh
	if c.en {
		f = m.en
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// pick returns en when the catalog is English and en is set, zh otherwise:
// for names that come from the plan (task and phase titles).
func (c catalog) pick(zh, en string) string {
	if c.en && en != "" {
		return en
	}
	return zh
}

func (c catalog) task(t *campaignbot.Task) string   { return c.pick(t.Title, t.TitleEn) }
func (c catalog) phase(p *campaignbot.Phase) string { return c.pick(p.Title, p.TitleEn) }

// msg is one catalog entry.
type msg struct{ zh, en string }

// messages is the catalog.
var messages = map[string]msg{
	"button.submit": {"提交", "Submit"},
	"sep":           {"、", ", "},

	// Prompts. Every prompt is for one task; replying to it submits for it.
	"warn":         {"【提醒】「%s」还有 %d 天到期（%s）。直接回复本消息即可提交，也可点「提交」。", "Reminder: “%s” is due in %d days (%s). Reply to this message to submit it, or press Submit."},
	"warn.1":       {"【提醒】「%s」明天到期（%s）。直接回复本消息即可提交，也可点「提交」。", "Reminder: “%s” is due tomorrow (%s). Reply to this message to submit it, or press Submit."},
	"overdue":      {"【催交】「%s」已逾期 %d 天（截止 %s）。迟交仍会接收并标注为迟交。直接回复本消息即可提交。", "Overdue: “%s” was due %[3]s, %[2]d days ago. Late work is still accepted, marked late. Reply to this message to submit it."},
	"week":         {"（%s 至 %s 这一周）", " (the week %s to %s)"},
	"fold":         {"您还有 %d 项待办：\n%s\n发送 /tasks 查看全部，或点下面的按钮提交。", "You have %d more items to do:\n%s\nSend /tasks to see them all, or press a button below to submit."},
	"fold.overdue": {"· 「%s」已逾期 %d 天", "· “%s” overdue by %d days"},
	"fold.warn":    {"· 「%s」%d 天后到期", "· “%s” due in %d days"},

	// Escalation, privately to the leader in charge.
	"escalate":      {"【督办】您分管的科室有以下任务逾期 %d 天以上：\n%s\n发送 /overdue 查看完整名单。", "In the departments you are in charge of, these are overdue by %d days or more:\n%s\nSend /overdue for the full list."},
	"escalate.line": {"· %s（%s）：「%s」逾期 %d 天", "· %s (%s): “%s”, %d days overdue"},

	// Phase announcements.
	"phase.start":      {"【阶段开始】「%s」今天开始（%s 至 %s）。本阶段任务：\n%s\n发送 /tasks 查看您的任务。", "The phase “%s” begins today (%s to %s). Its tasks:\n%s\nSend /tasks to see yours."},
	"phase.start.task": {"· 「%s」截止 %s", "· “%s”, due %s"},
	"phase.end":        {"【阶段结束】「%s」今天结束。还未提交的请抓紧，发送 /tasks 查看您的任务。", "The phase “%s” ends today. If anything of yours is still open, send /tasks to see it."},

	// Digest. Each line that asks for action names the command that does it.
	"tally":                  {"%d/%d（%d%%）", "%d/%d (%d%%)"},
	"digest.title":           {"【每日简报】%s · %s", "Daily digest, %s, for %s"},
	"digest.phase":           {"当前阶段：「%s」（%s 至 %s），还剩 %d 天", "Phase: “%s” (%s to %s), %d days left"},
	"digest.before":          {"活动还有 %d 天开始", "The campaign begins in %d days"},
	"digest.after":           {"本次活动各阶段已结束", "All phases of the campaign are over"},
	"digest.completion":      {"完成情况（已交/应交）：", "Completion (done/owed):"},
	"digest.task":            {"· 「%s」%s", "· “%s” %s"},
	"digest.depts":           {"按科室：%s%s", "By department: %s%s"},
	"digest.more":            {" 等，另有 %d 个", ", and %d more"},
	"digest.more.line":       {"……另有 %d 项", "… and %d more"},
	"digest.overdue":         {"逾期 %d 项（%d 人），发送 /overdue 查看完整名单：", "Overdue: %d items (%d people); send /overdue for the full list:"},
	"digest.overdue.none":    {"无逾期未交。", "Nothing is overdue."},
	"digest.overdue.line":    {"· %s（%s）：「%s」逾期 %d 天", "· %s (%s): “%s”, %d days overdue"},
	"digest.overdue.more":    {"……另有 %d 项，发送 /overdue 查看", "… and %d more: send /overdue"},
	"digest.reviews":         {"待您审阅 %d 份，发送 /review 审阅：", "Waiting for your review: %d; send /review:"},
	"digest.review.line":     {"· 「%s」%s %s 第 %d 版，已等 %d 天", "· “%s”, %s, %s, version %d, waiting %d days"},
	"digest.problems":        {"问题：昨日以来新增 %d 个；未结 %d 个（7 天内 %d，7–30 天 %d，30 天以上 %d）；逾期 %d 个。发送 /problems 查看", "Problems: %d new since yesterday; %d open (under 7 days %d, 7–30 days %d, over 30 days %d); %d overdue. Send /problems"},
	"digest.problem.owned":   {"· #%d %s（%s）逾期 %d 天，领办：%s", "· #%d %s (%s), %d days overdue, owner %s"},
	"digest.problem.unowned": {"· #%d %s（%s）逾期 %d 天，无人领办：发送 /claim %d 领办", "· #%d %s (%s), %d days overdue, nobody owns it: send /claim %d"},
	"digest.survey":          {"问卷「%s」：已答 %s", "Survey “%s”: answered %s"},
	"digest.ledger":          {"整改台账：未开始 %d，进行中 %d，已完成 %d。发送 /ledger 查看", "Rectification ledger: %d open, %d in progress, %d done. Send /ledger"},
	"digest.unbound":         {"未绑定 %d 人：%s%s。发送 /invite 姓名 生成邀请码", "Not bound: %d people: %s%s. Send /invite NAME for an invite code"},
	"digest.unreachable":     {"无法送达 %d 人：%s%s。请联系本人重新绑定", "Unreachable: %d people: %s%s. Ask them to bind again"},
	"overdue.title":          {"截至 %s 逾期未交 %d 项（%d 人）：", "Overdue as of %s: %d items (%d people):"},
	"overdue.dept":           {"【%s】", "%s:"},

	// Announcements (/announce).
	"announce": {"【通知】%s\n—— %s", "Notice: %s\n— %s"},

	// Reasons, for `campaignbot reminders` previews and logs.
	"reason.warn":        {"「%s」还有 %d 天到期", "“%s” due in %d days"},
	"reason.overdue":     {"「%s」逾期 %d 天（第 %d 次催交）", "“%s” overdue by %d days (reminder %d)"},
	"reason.fold":        {"合并 %d 项：每日上限 %d 条", "%d items folded: daily cap of %d"},
	"reason.escalate":    {"分管科室 %d 项逾期 %d 天以上", "%d items in their departments overdue by %d+ days"},
	"reason.phase.start": {"阶段「%s」开始", "phase “%s” begins"},
	"reason.phase.end":   {"阶段「%s」结束", "phase “%s” ends"},
	"reason.group":       {"（群）", "(group)"},
}
