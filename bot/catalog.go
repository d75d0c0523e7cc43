package bot

import "fmt"

// catalog holds every user-facing string, in Chinese and English. Handlers
// name a key; no user-facing text is built ad hoc.
type catalog struct {
	lang string
}

func newCatalog(lang string) *catalog {
	if lang != "en" {
		lang = "zh"
	}
	return &catalog{lang: lang}
}

// t returns the text for key with args formatted in. A missing key shows
// itself, which the catalog test catches before users do.
func (c *catalog) t(key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	f := m.zh
	if c.lang == "en" {
		f = m.en
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// Translate returns the catalog text for key in lang ("zh" or "en"), for
// adapters that build menus from the command table.
func Translate(lang, key string, args ...any) string { return newCatalog(lang).t(key, args...) }

// msg is one catalog entry.
type msg struct{ zh, en string }

// messages is the catalog.
var messages = map[string]msg{
	"list.sep": {"、", ", "},

	"state.submitted": {"〔待审阅〕", "[awaiting review]"},
	"state.returned":  {"〔已退回修改〕", "[returned for revision]"},
	"state.accepted":  {"〔已通过〕", "[accepted]"},

	"err.utf8":            {"消息包含无效字符，请重新输入。", "The message contains invalid characters; please send it again."},
	"err.unknown_command": {"没有 /%s 这个命令。发送 /help 查看可用命令。", "There is no /%s command. Send /help to see what you can do."},
	"err.not_bound":       {"你还没有绑定名册。请使用办公室发给你的邀请码：/start 邀请码", "You are not bound to the roster yet. Use the invite code from the office: /start CODE"},
	"err.forbidden":       {"%s 只供%s使用。", "%s is only for: %s."},
	"err.internal":        {"抱歉，出了点问题，请稍后再试。参考编号：%s", "Sorry, something went wrong. Please try again later. Reference: %s"},
	"err.invalid":         {"输入有误：%s", "Invalid input: %s"},
	"err.not_found":       {"找不到：%s", "Not found: %s"},
	"err.conflict":        {"无法完成：%s", "Cannot do that: %s"},
	"err.too_long":        {"内容太长（%d 字），最多 %d 字。", "That is too long (%d characters); the limit is %d."},
	"err.no_person":       {"名册中没有“%s”。", "There is no %q in the roster."},
	"err.no_scheduler":    {"简报服务未启动。", "The digest service is not running."},
	"err.no_exporter":     {"导出功能未配置。", "Export is not configured."},
	"err.file_too_large":  {"文件太大，无法接收（上限 20 MB）。请压缩后重新发送。", "That file is too large to receive (the limit is 20 MB); please send a smaller one."},

	"hint.help": {"发送 /help 查看可用命令，或 /tasks 查看我的任务。", "Send /help for the commands, or /tasks for your tasks."},

	"start.need_bind":    {"你好！请先用办公室发给你的邀请码绑定：/start 邀请码", "Hello! First bind your account with the invite code from the office: /start CODE"},
	"start.need_code":    {"请发送邀请码：/start 邀请码（向领导小组办公室索取）。", "Send your invite code: /start CODE (ask the campaign office for one)."},
	"start.already":      {"你已绑定为 %s。发送 /tasks 查看任务。", "You are bound as %s. Send /tasks to see your tasks."},
	"start.welcome":      {"绑定成功！%s（%s，%s）。\n发送 /tasks 查看你的任务，/help 查看全部命令。", "You are bound: %s (%s, %s).\nSend /tasks for your tasks and /help for all commands."},
	"start.wrong_code":   {"邀请码不正确，请核对后重试。", "That invite code is not right; please check it and try again."},
	"start.used_code":    {"这个邀请码已经用过了。如需重新绑定，请向办公室索取新的邀请码。", "That invite code has been used. Ask the office for a new one to bind again."},
	"start.expired_code": {"这个邀请码已过期，请向办公室索取新的邀请码。", "That invite code has expired; ask the office for a new one."},
	"start.slow_down":    {"尝试次数过多，请 %d 分钟后再试。", "Too many attempts; try again in %d minutes."},

	"help.unbound":  {"欢迎使用学习实践活动助手。请先绑定：", "Welcome to the campaign assistant. Bind your account first:"},
	"help.header":   {"%s，你可以使用：", "%s, you can use:"},
	"help.start":    {"用邀请码绑定名册", "bind to the roster with an invite code"},
	"help.help":     {"查看可用命令", "show the commands"},
	"help.tasks":    {"我的任务：已完成 / 待提交 / 已逾期", "my tasks: done / pending / overdue"},
	"help.note":     {"提交学习笔记（文字、照片或文档）", "send a study note (text, photo or document)"},
	"help.submit":   {"选择任务并提交材料", "pick a task and submit"},
	"help.mine":     {"我提交过的材料", "what I have submitted"},
	"help.opinion":  {"提意见建议（/opinion anon 匿名）", "give an opinion (/opinion anon for anonymous)"},
	"help.survey":   {"填写问卷", "answer a survey"},
	"help.leave":    {"请假：/leave 开始日期 结束日期", "leave: /leave FROM TO"},
	"help.cancel":   {"退出当前对话", "leave the current dialog"},
	"help.problem":  {"反映企业问题（附照片）", "file a problem from the field (with photos)"},
	"help.problems": {"我的问题及进展", "my problems and their status"},
	"help.confirm":  {"确认问题已解决并销号：/confirm 编号", "confirm a problem is solved: /confirm N"},
	"help.reopen":   {"问题未解决，重新打开：/reopen 编号 原因", "reopen a problem: /reopen N REASON"},
	"help.digest":   {"今日简报", "today's digest"},
	"help.claim":    {"领办问题：/claim 编号", "take charge of a problem: /claim N"},
	"help.progress": {"报告进展：/progress 编号 内容", "report progress: /progress N TEXT"},
	"help.resolve":  {"报告已解决：/resolve 编号 内容", "report it solved: /resolve N TEXT"},
	"help.review":   {"审阅待批报告", "review reports waiting for me"},
	"help.overdue":  {"分管科室未交名单", "who is overdue in my departments"},
	"help.assign":   {"交办问题：/assign 编号 姓名", "assign a problem: /assign N NAME"},
	"help.announce": {"发通知：/announce [角色|科室] 内容", "announce: /announce [ROLE|DEPT] TEXT"},
	"help.invite":   {"生成邀请码：/invite 姓名", "make an invite code: /invite NAME"},
	"help.ledger":   {"整改台账（/ledger publish 发布到群）", "the rectification ledger (/ledger publish posts it)"},
	"help.export":   {"导出工作簿", "export the workbook"},

	"tasks.phase":     {"当前阶段：%s（%s 至 %s，还剩 %d 天）", "Current phase: %s (%s to %s, %d days left)"},
	"tasks.no_phase":  {"当前不在活动阶段内。", "No phase is running today."},
	"tasks.week":      {"%s（%s 至 %s）", "%s (%s to %s)"},
	"tasks.done":      {"✅ %s — 截止 %s，已完成%s", "✅ %s — due %s, done%s"},
	"tasks.pending":   {"⏳ %s — 截止 %s（还剩 %d 天）提交：/submit %s", "⏳ %s — due %s (%d days left); submit: /submit %s"},
	"tasks.overdue":   {"❗ %s — 截止 %s，已逾期 %d 天，请尽快提交：/submit %s", "❗ %s — due %s, %d days overdue; submit: /submit %s"},
	"tasks.late_mark": {"（逾期提交）", " (late)"},
	"tasks.none":      {"本阶段没有需要你提交的任务。", "Nothing is owed by you in this phase."},

	"submit.unknown_task":       {"没有“%s”这项任务。发送 /tasks 查看任务。", "There is no task %q. Send /tasks to see yours."},
	"submit.not_yours":          {"“%s”不是你需要提交的任务。", "%q is not a task you owe."},
	"submit.not_open":           {"“%s”从 %s 开始提交。", "%q opens on %s."},
	"submit.empty":              {"内容为空，请发送文字、照片或文档。", "That is empty; send text, a photo or a document."},
	"submit.ask":                {"请发送“%s”的内容（文字、照片或文档）。发送 /cancel 取消。", "Send the content for %q (text, photo or document). /cancel to stop."},
	"submit.choose":             {"要提交哪项任务？", "Which task do you want to submit?"},
	"submit.choose_for_content": {"这条内容提交到哪项任务？请选择：", "Which task is this for? Choose one:"},
	"submit.nothing_owed":       {"你目前没有需要提交的任务。", "You owe nothing at the moment."},
	"submit.ok":                 {"已收到并保存：“%s”第 %d 版，%s（附件 %d 个）。", "Saved: %q version %d, %s (%d attachments)."},
	"submit.on_time":            {"按时提交", "on time"},
	"submit.late":               {"逾期提交", "late"},

	"review.waiting_notice": {"%s 提交了“%s”第 %d 版，等待你审阅：/review", "%s submitted %q version %d for your review: /review"},

	"mine.none":   {"你还没有提交过材料。", "You have not submitted anything yet."},
	"mine.header": {"我最近提交的 %d 份材料：", "Your latest %d submissions:"},
	"mine.line":   {"%s %s 第%d版%s %s（附件 %d）", "%s %s v%d%s %s (%d files)"},

	"opinion.ask":      {"请发送你的意见或建议。发送 /cancel 取消。", "Send your opinion or suggestion. /cancel to stop."},
	"opinion.ask_anon": {"请发送你的匿名意见。系统不会记录你的身份。发送 /cancel 取消。", "Send your anonymous opinion; who you are will not be recorded. /cancel to stop."},
	"opinion.empty":    {"意见内容为空。", "The opinion is empty."},
	"opinion.ok":       {"意见已收到，谢谢！办公室会认真研究并答复。", "Thank you; the office will study it and answer."},
	"opinion.ok_anon":  {"匿名意见已收到，谢谢！系统未保存你的身份。", "Your anonymous opinion is saved, without your identity. Thank you."},

	"survey.none":           {"目前没有需要你填写的问卷。", "There is no survey for you to answer now."},
	"survey.choose":         {"请选择问卷：", "Choose a survey:"},
	"survey.unknown":        {"没有“%s”这份问卷。", "There is no survey %q."},
	"survey.closed_or_done": {"问卷“%s”未开放，或你已经填写过。", "Survey %q is not open, or you have answered it."},
	"survey.intro":          {"问卷：%s，共 %d 题。发送 /cancel 可随时退出。", "Survey: %s, %d questions. /cancel to stop at any time."},
	"survey.anonymous":      {"本问卷匿名：只记录你已参与，不记录你的答案与身份的对应关系。", "This survey is anonymous: we record that you took part, not what you answered."},
	"survey.question":       {"第 %d/%d 题：%s", "Question %d/%d: %s"},
	"survey.scale_hint":     {"请回复 1–5（1 很不满意，5 很满意）。", "Reply 1–5 (1 very dissatisfied, 5 very satisfied)."},
	"survey.choice_hint":    {"请回复选项编号。", "Reply with the number of your choice."},
	"survey.text_hint":      {"请直接回复文字。", "Reply in your own words."},
	"survey.bad_answer":     {"这个回答无效，请按提示重新回答。", "That answer is not valid; please answer as asked."},
	"survey.stale_button":   {"这个按钮属于前面的题目，已忽略。请回答第 %d 题。", "That button belongs to an earlier question and was ignored; please answer question %d."},
	"survey.lost":           {"问卷状态已失效，请重新发送 /survey。", "The survey state was lost; send /survey again."},
	"survey.thanks":         {"“%s”已提交，谢谢参与！", "Thank you for answering %q!"},

	"leave.usage":    {"用法：/leave 开始日期 结束日期，例如 /leave 2026-03-10 2026-03-12", "Usage: /leave FROM TO, e.g. /leave 2026-03-10 2026-03-12"},
	"leave.order":    {"结束日期不能早于开始日期。", "The end date is before the start date."},
	"leave.past":     {"请假结束日期已过。", "That leave has already ended."},
	"leave.too_long": {"请假最长 180 天。", "Leave can be at most 180 days."},
	"leave.ok":       {"已登记请假 %s 至 %s：期间不发提醒，期间到期的任务顺延至 %s。", "Leave recorded from %s to %s: no reminders, and deadlines inside it move to %s."},

	"cancel.ok":      {"已取消。", "Cancelled."},
	"cancel.nothing": {"当前没有进行中的对话。", "There is nothing to cancel."},

	"invite.usage":   {"用法：/invite 姓名", "Usage: /invite NAME"},
	"invite.ok":      {"%s 的邀请码：%s\n请对方发送 /start %[2]s 完成绑定。有效期至 %[3]s，仅可使用一次。", "Invite code for %s: %s\nThey send /start %[2]s to bind. Valid until %[3]s, once."},
	"invite.ok_link": {"%s 的邀请码：%s\n链接：%s\n有效期至 %s，仅可使用一次。", "Invite code for %s: %s\nLink: %s\nValid until %s, once."},

	"announce.usage": {"用法：/announce [角色|科室] 内容", "Usage: /announce [ROLE|DEPT] TEXT"},
	"announce.ok":    {"通知已发出，共 %d 条。", "Announcement queued: %d messages."},

	"export.ok": {"工作簿 %s（%d KB）", "Workbook %s (%d KB)"},
}
