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

func (c catalog) task(t *campaignbot.Task) string  { return c.pick(t.Title, t.TitleEn) }
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
	"fold.overdue": {"· 「%s」%s 已逾期 %d 天", "· “%s”%s overdue by %d days"},
	"fold.warn":    {"· 「%s」%s %d 天后到期", "· “%s”%s due in %d days"},

	// Escalation, privately to the leader in charge.
	"escalate":      {"【督办】您分管的科室有以下任务逾期 %d 天以上：\n%s\n发送 /overdue 查看完整名单。", "In the departments you are in charge of, these are overdue by %d days or more:\n%s\nSend /overdue for the full list."},
	"escalate.line": {"· %s（%s）：「%s」%s 逾期 %d 天", "· %s (%s): “%s”%s, %d days overdue"},

	// Phase announcements.
	"phase.start":      {"【阶段开始】「%s」今天开始（%s 至 %s）。本阶段任务：\n%s\n发送 /tasks 查看您的任务。", "The phase “%s” begins today (%s to %s). Its tasks:\n%s\nSend /tasks to see yours."},
	"phase.start.task": {"· 「%s」截止 %s", "· “%s”, due %s"},
	"phase.end":        {"【阶段结束】「%s」今天结束。还未提交的请抓紧，发送 /tasks 查看您的任务。", "The phase “%s” ends today. If anything of yours is still open, send /tasks to see it."},

	// Announcements (/announce).
	"announce": {"【通知】%s\n—— %s", "Notice: %s\n— %s"},

	// Reasons, for `campaignbot reminders` previews and logs.
	"reason.warn":        {"「%s」%s 还有 %d 天到期", "“%s”%s due in %d days"},
	"reason.overdue":     {"「%s」%s 逾期 %d 天（第 %d 次催交）", "“%s”%s overdue by %d days (reminder %d)"},
	"reason.fold":        {"合并 %d 项：每日上限 %d 条", "%d items folded: daily cap of %d"},
	"reason.escalate":    {"分管科室 %d 项逾期 %d 天以上", "%d items in their departments overdue by %d+ days"},
	"reason.phase.start": {"阶段「%s」开始", "phase “%s” begins"},
	"reason.phase.end":   {"阶段「%s」结束", "phase “%s” ends"},
	"reason.group":       {"（群）", "(group)"},
}
