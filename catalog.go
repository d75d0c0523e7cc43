package campaignbot

import (
	"fmt"
	"strings"
)

// T returns the catalog text for key in lang, with args formatted in:
// English when lang is English ("en", "en-US", …), Chinese (zh-CN) for
// anything else. A missing key shows itself, which TestCatalog catches
// before users do.
func T(lang, key string, args ...any) string {
	m, ok := catalog[key]
	if !ok {
		return key
	}
	f := m.zh
	if English(lang) {
		f = m.en
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// English reports whether lang is English ("en", "en-US", …); every other
// language is Chinese, the default.
func English(lang string) bool { return strings.HasPrefix(strings.ToLower(lang), "en") }

// message is one catalog entry: the same text in Chinese and in English,
// taking the same arguments.
type message struct{ zh, en string }

// catalog is every user-facing string of the program, keyed by area: the
// chat engine's replies (by command: "start.", "submit.", "problem.", …, and
// "err." for errors), the scheduler's prompts and digests ("remind.",
// "digest."), the adapters' own replies ("tg.", "wecom.", "console."), the
// workbook's labels ("export.", "roster." shared with the roster listing)
// and the plan summary ("plan.").
var catalog = map[string]message{
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
	"help.announce": {"发通知：/announce [角色|科室|全体] 内容", "announce: /announce [ROLE|DEPT|all] TEXT"},
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

	"anon.expired":     {"您上次开始的匿名填写已超时结束，刚才这条消息没有保存，也没有记在您名下。如需继续，请重新发送 /匿名意见 或 /survey。", "Your anonymous entry timed out and ended; the message you just sent was not saved, nor filed under your name. To go on, send /opinion anon or /survey again."},
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

	"announce.usage": {"用法：/announce [角色|科室|全体] 内容", "Usage: /announce [ROLE|DEPT|all] TEXT"},

	"export.ok": {"工作簿 %s（%d KB）", "Workbook %s (%d KB)"},

	// Field problems, reviews and the ledger.
	"pstatus.new":      {"待领办", "unclaimed"},
	"pstatus.claimed":  {"办理中", "in hand"},
	"pstatus.resolved": {"已解决待确认", "resolved, awaiting confirmation"},
	"pstatus.closed":   {"已销号", "closed"},

	"pevent.filed":     {"反映问题", "filed it"},
	"pevent.claimed":   {"领办", "took charge"},
	"pevent.assigned":  {"交办给 %s", "assigned it to %s"},
	"pevent.progress":  {"报告进展", "reported progress"},
	"pevent.resolved":  {"报告解决", "reported it solved"},
	"pevent.confirmed": {"确认销号", "confirmed and closed it"},
	"pevent.reopened":  {"重新打开", "reopened it"},

	"problem.ask_enterprise":    {"请输入企业名称。发送 /cancel 取消。", "Which enterprise is it? /cancel to stop."},
	"problem.ask_category":      {"“%s”的问题属于哪一类？请点选或回复编号：", "Which kind of problem does %q have? Choose or reply with the number:"},
	"problem.ask_description":   {"请描述问题的具体情况。", "Describe the problem."},
	"problem.ask_photos":        {"请发送现场照片（可多张）和位置，发完后点“完成”。当前：照片 %d 张，%s。", "Send photos (as many as you like) and the location, then press Done. So far: %d photos, %s."},
	"problem.done_button":       {"完成", "Done"},
	"problem.has_location":      {"已有位置", "location set"},
	"problem.no_location":       {"无位置", "no location"},
	"problem.too_many_photos":   {"一个问题最多 %d 张照片。", "A problem can have at most %d photos."},
	"problem.bad_location":      {"位置无效，请重新发送。", "That location is not valid; send it again."},
	"problem.bad_category":      {"没有“%s”这个类别。", "There is no category %q."},
	"problem.photos_so_far":     {"已收到：照片 %d 张，%s。可继续发送，发完点“完成”。", "Got it: %d photos, %s. Send more, or press Done."},
	"problem.description_added": {"已补充到问题描述。当前：照片 %d 张，%s。发完点“完成”。", "Added to the description. So far: %d photos, %s. Press Done when finished."},
	"problem.got_files":         {"已收到：照片 %d 张，%s。", "Got it: %d photos, %s."},
	"problem.lost":              {"问题登记的状态已失效，请重新发送 /problem。", "The problem report was lost; send /problem again."},
	"problem.filed":             {"已登记问题 #%d：%s（%s），照片 %d 张，办理期限 %s。有进展会告诉您。查看：/problems %d", "Problem #%d is filed: %s (%s), %d photos, due %s. You will hear of progress. See it: /problems %d"},
	"problem.notice_new":        {"%s 反映了新问题 #%d：%s（%s）\n%s\n现场照片 %d 张。", "%s filed problem #%d: %s (%s)\n%s\n%d photos."},
	"problem.claim_button":      {"领办 #%d", "Take charge of #%d"},
	"problem.confirm_button":    {"确认销号 #%d", "Confirm #%d solved"},
	"problem.notice_assign_hint": {
		"交办：/assign %d 姓名",
		"Assign it: /assign %d NAME",
	},
	"problem.bad_number":    {"“%s”不是有效的编号。%s", "%q is not a valid number. %s"},
	"problem.not_found":     {"没有编号为 #%d 的问题。发送 /problems 查看问题列表。", "There is no problem #%d. Send /problems for the list."},
	"problem.not_yours":     {"问题 #%d 与你无关，无法查看。", "Problem #%d is not yours to see."},
	"problem.nobody":        {"（无）", "(nobody)"},
	"problem.unclaimed":     {"待领办", "unclaimed"},
	"problem.not_filer":     {"只有问题 #%d 的反映人本人可以确认或重新打开它。", "Only the person who filed problem #%d may confirm or reopen it."},
	"problem.not_owner":     {"只有承办人（%[2]s）可以报告问题 #%[1]d 的进展或解决情况。", "Only the owner of problem #%[1]d (%[2]s) may report on it."},
	"problem.already_owned": {"问题 #%d 已由 %s 领办。", "Problem #%d is already in %s's hands."},
	"problem.overdue_mark":  {"，已超期 %d 天", ", %d days overdue"},
	"problem.event_text":    {"：%s", ": %s"},
	"problem.event_files":   {"（附件 %d 个）", " (%d files)"},
	"problem.show_header":   {"问题 #%d：%s（%s）\n状态：%s｜反映人：%s｜承办人：%s｜期限：%s", "Problem #%d: %s (%s)\nStatus: %s | filed by %s | owner %s | due %s"},
	"problem.show_location": {"位置：%.5f, %.5f", "Location: %.5f, %.5f"},
	"problem.show_event":    {"%s %s %s", "%s %s %s"},

	"problem.usage.claim":    {"用法：/claim 问题编号，例如 /claim 3", "Usage: /claim N, e.g. /claim 3"},
	"problem.usage.assign":   {"用法：/assign 问题编号 姓名，例如 /assign 3 李明华", "Usage: /assign N NAME, e.g. /assign 3 Li"},
	"problem.usage.progress": {"用法：/progress 问题编号 进展情况", "Usage: /progress N TEXT"},
	"problem.usage.resolve":  {"用法：/resolve 问题编号 解决情况（可附照片作为证据）", "Usage: /resolve N TEXT (attach photos as evidence)"},
	"problem.usage.confirm":  {"用法：/confirm 问题编号", "Usage: /confirm N"},
	"problem.usage.reopen":   {"用法：/reopen 问题编号 原因", "Usage: /reopen N REASON"},
	"problem.usage.problems": {"用法：/problems 或 /problems 问题编号", "Usage: /problems or /problems N"},

	"problem.wrong_state.claimed":   {"问题 #%d 当前状态为“%s”，不能领办。", "Problem #%d is %s; it cannot be claimed."},
	"problem.wrong_state.assigned":  {"问题 #%d 当前状态为“%s”，不能交办。", "Problem #%d is %s; it cannot be assigned."},
	"problem.wrong_state.progress":  {"问题 #%d 当前状态为“%s”，不能报告进展。", "Problem #%d is %s; no progress can be reported."},
	"problem.wrong_state.resolved":  {"问题 #%d 当前状态为“%s”，不能报告解决。", "Problem #%d is %s; it cannot be reported solved."},
	"problem.wrong_state.confirmed": {"问题 #%d 当前状态为“%s”，承办人尚未报告解决，不能确认销号。", "Problem #%d is %s: it has not been reported solved, so it cannot be confirmed."},
	"problem.wrong_state.reopened":  {"问题 #%d 当前状态为“%s”，尚未报告解决，无需重新打开。", "Problem #%d is %s: it has not been reported solved, so there is nothing to reopen."},

	"problem.notice_claimed":        {"你反映的问题 #%d（%s）已由 %s 领办。", "Problem #%d (%s) that you filed is now in %s's hands."},
	"problem.notice_assigned_owner": {"%[3]s 将问题 #%[1]d（%[2]s）交办给你：\n%[4]s\n期限 %[5]s。报告进展：/progress %[6]d 内容；解决后：/resolve %[7]d 说明（可附照片）。", "%[3]s assigned problem #%[1]d (%[2]s) to you:\n%[4]s\nDue %[5]s. Report progress: /progress %[6]d TEXT; when solved: /resolve %[7]d TEXT (with photos)."},
	"problem.notice_assigned_filer": {"你反映的问题 #%d（%s）已交办给 %s。", "Problem #%d (%s) that you filed is assigned to %s."},
	"problem.notice_reassigned":     {"问题 #%d（%s）已改由 %s 承办。", "Problem #%d (%s) is now assigned to %s."},
	"problem.notice_progress":       {"问题 #%d（%s）有新进展（%s）：%s", "Progress on problem #%d (%s) from %s: %s"},
	"problem.notice_resolved":       {"问题 #%d（%s）已由 %s 报告解决：%s", "%[3]s reports problem #%[1]d (%[2]s) solved: %[4]s"},
	"problem.notice_evidence":       {"证据附件 %d 个，查看：/problems %d", "%d evidence files; see them: /problems %d"},
	"problem.notice_confirm_hint":   {"确认已解决请点“确认销号”；未解决请发送 /reopen %d 原因", "Press Confirm if it is solved; if not, send /reopen %d REASON."},
	"problem.with_files":            {"（附件 %d 个）", " (%d files attached)"},
	"problem.notice_confirmed":      {"问题 #%d（%s）已由 %s 确认解决并销号。", "%[3]s confirmed problem #%[1]d (%[2]s) solved; it is closed."},
	"problem.notice_reopened":       {"问题 #%d（%s）被 %s 重新打开，原因：%s", "%[3]s reopened problem #%[1]d (%[2]s): %[4]s"},

	"claim.already_yours": {"问题 #%d 已由你承办。", "Problem #%d is already yours."},
	"claim.ok":            {"你已领办问题 #%d（%s），期限 %s。报告进展：/progress %d 内容；解决后：/resolve %d 说明（可附照片）。", "You took charge of problem #%d (%s), due %s. Report progress: /progress %d TEXT; when solved: /resolve %d TEXT (with photos)."},
	"assign.not_leader":   {"%s 不是班子成员或主要负责人，不能承办问题。", "%s is not a leader or the head and cannot own a problem."},
	"assign.already":      {"问题 #%d 已由 %s 承办。", "Problem #%d is already assigned to %s."},
	"assign.ok":           {"问题 #%d 已交办给 %s。", "Problem #%d is assigned to %s."},
	"progress.ok":         {"问题 #%[1]d 的进展已记录。", "Progress on problem #%[1]d is recorded."},
	"resolve.ok":          {"问题 #%d 已报告解决，等待反映人 %s 确认销号。", "Problem #%d is reported solved; waiting for %s to confirm."},
	"confirm.ok":          {"问题 #%d（%s）已确认解决并销号，谢谢！", "Problem #%d (%s) is confirmed solved and closed. Thank you!"},
	"reopen.ok":           {"问题 #%d 已重新打开，退回承办人 %s 继续办理。", "Problem #%d is reopened and back with %s."},

	"problems.none":   {"没有与你相关的问题。登记新问题：/problem", "No problems concern you. File one: /problem"},
	"problems.header": {"问题列表（%d 个）：", "Problems (%d):"},
	"problems.line":   {"#%d〔%s〕%s（%s）%s — %s，%d 天%s", "#%d [%s] %s (%s) %s — %s, %d days%s"},
	"problems.more":   {"……另有 %d 个未列出", "… and %d more"},
	"problems.footer": {"查看详情：/problems 编号", "Details: /problems N"},

	"decision.returned": {"退回", "returned"},
	"decision.accepted": {"通过", "accepted"},

	"review.usage":             {"用法：/review 查看待审阅；/review 编号 查看；/review 编号 accept 通过；/review 编号 return 意见 退回", "Usage: /review lists; /review N shows; /review N accept; /review N return COMMENT"},
	"review.ask_comment":       {"请发送退回“%s”第 %d 版的修改意见，将转告作者。发送 /cancel 取消。", "Send your comment for returning %q version %d; the author will get it. /cancel to stop."},
	"review.ask_comment_again": {"退回需要修改意见，请发送文字。发送 /cancel 取消。", "Returning needs a comment; please send it as text. /cancel to stop."},
	"review.not_found":         {"没有编号为 #%d 的待审阅材料。发送 /review 查看列表。", "There is no report #%d to review. Send /review for the list."},
	"review.not_yours":         {"材料 #%d 不由你审阅。", "Report #%d is not yours to review."},
	"review.not_waiting":       {"材料 #%d 不在待审阅状态（已处理或已有新版本）。", "Report #%d is not awaiting review (already decided, or there is a newer version)."},
	"review.none":              {"目前没有等待你审阅的材料。", "Nothing is waiting for your review."},
	"review.list_header":       {"等待你审阅的材料（%d 份）：", "Waiting for your review (%d):"},
	"review.list_line":         {"#%d %s %s“%s”第 %d 版（%s 提交）", "#%d %s %s %q version %d (submitted %s)"},
	"review.list_button":       {"#%d %s %s 第%d版", "#%d %s %s v%d"},
	"review.show_header":       {"#%d “%s”第 %d 版\n作者：%s（%s），提交于 %s%s %s", "#%d %q version %d\nBy %s (%s), submitted %s%s %s"},
	"review.files":             {"附件 %d 个，见随附文件。", "%d attachments, sent with this message."},
	"review.no_change":         {"与第 %d 版相比，正文没有改动。", "The text is unchanged since version %d."},
	"review.changes":           {"与第 %d 版相比的改动（+ 新增，- 删除）：", "Changes since version %d (+ added, - removed):"},
	"review.comments":          {"审阅意见：", "Comments:"},
	"review.comment_line":      {"第%d版 %s %s（%s）：%s", "v%d %s %s (%s): %s"},
	"review.no_comment":        {"（无意见）", "(no comment)"},
	"review.accept_button":     {"通过", "Accept"},
	"review.return_button":     {"退回", "Return"},
	"review.decide_hint":       {"通过：/review %d accept；退回：/review %d return 意见", "Accept: /review %d accept; return: /review %d return COMMENT"},
	"review.returned_ok":       {"已退回 %[3]s 的“%[1]s”第 %[2]d 版。", "%[3]s's %[1]q version %[2]d is returned."},
	"review.accepted_ok":       {"%[3]s 的“%[1]s”第 %[2]d 版已通过。", "%[3]s's %[1]q version %[2]d is accepted."},
	"review.notice_returned":   {"%s 退回了“%s”第 %d 版，修改意见：\n%s\n请修改后重新提交：/submit %s", "%s returned %q version %d with this comment:\n%s\nRevise it and submit again: /submit %s"},
	"review.resubmit_button":   {"重新提交", "Submit again"},
	"review.notice_accepted":   {"%s 审阅通过了“%s”第 %d 版。", "%s accepted %q version %d."},
	"review.notice_comment":    {"意见：%s", "Comment: %s"},
	"review.more_waiting":      {"还有 %d 份等待审阅：/review", "%d more wait for your review: /review"},

	"lstatus.open":        {"未开始", "open"},
	"lstatus.in_progress": {"进行中", "in progress"},
	"lstatus.done":        {"已完成", "done"},

	"ledger.usage": {
		"用法：/ledger 查看台账；/ledger add 事项 | 措施 | 责任人 | 期限；/ledger from-problem 问题编号 [措施]；/ledger from-report 材料编号 [措施]；/ledger done 编号 佐证；/ledger status 编号 open|in_progress|done；/ledger publish 发布到活动群",
		"Usage: /ledger shows it; /ledger add WHAT | MEASURE | OWNER | YYYY-MM-DD; /ledger from-problem N [MEASURE]; /ledger from-report N [MEASURE]; /ledger done ID EVIDENCE; /ledger status ID open|in_progress|done; /ledger publish posts it to the campaign group",
	},
	"ledger.empty":        {"整改台账还没有事项。新增：/ledger add 事项 | 措施 | 责任人 | 期限", "The ledger is empty. Add an item: /ledger add WHAT | MEASURE | OWNER | YYYY-MM-DD"},
	"ledger.footer":       {"更新：/ledger done 编号 佐证、/ledger status 编号 状态；发布：/ledger publish", "Update: /ledger done ID EVIDENCE, /ledger status ID STATUS; publish: /ledger publish"},
	"ledger.header":       {"整改台账（共 %d 项，已完成 %d 项）：", "Rectification ledger (%d items, %d done):"},
	"ledger.item":         {"#%d %s\n   措施：%s｜责任人：%s｜期限：%s%s｜%s\n   佐证：%s", "#%d %s\n   measure: %s | owner: %s | due %s%s | %s\n   evidence: %s"},
	"ledger.usage_add":    {"用法：/ledger add 事项 | 措施 | 责任人姓名 | 期限（YYYY-MM-DD）", "Usage: /ledger add WHAT | MEASURE | OWNER NAME | YYYY-MM-DD"},
	"ledger.bad_date":     {"“%s”不是日期，请用 YYYY-MM-DD。", "%q is not a date; use YYYY-MM-DD."},
	"ledger.added":        {"已加入整改台账 #%d：%s（责任人 %s，期限 %s）。", "Ledger item #%d added: %s (owner %s, due %s)."},
	"ledger.notice_owner": {"你被列为整改事项 #%d 的责任人：%s\n措施：%s\n期限：%s", "You own rectification item #%d: %s\nMeasure: %s\nDue: %s"},

	"ledger.usage_from_problem":  {"用法：/ledger from-problem 问题编号 [整改措施]", "Usage: /ledger from-problem N [MEASURE]"},
	"ledger.problem_no_owner":    {"问题 #%d 还没有承办人，请先交办：/assign %d 姓名", "Problem #%d has no owner yet; assign it first: /assign %d NAME"},
	"ledger.exists":              {"它已在整改台账中：#%d。", "It is already in the ledger as #%d."},
	"ledger.what_problem":        {"%s：%s", "%s: %s"},
	"ledger.usage_from_report":   {"用法：/ledger from-report 材料编号 [整改措施]（材料须已审阅通过）", "Usage: /ledger from-report N [MEASURE] (an accepted report)"},
	"ledger.report_not_accepted": {"材料 #%d 尚未审阅通过，不能列入台账。", "Report #%d is not accepted yet, so it cannot go in the ledger."},
	"ledger.what_report":         {"%s“%s”（第%d版）查摆的问题：%s", "Issues found in %s's %q (v%d): %s"},
	"ledger.no_item":             {"台账中没有 #%d。发送 /ledger 查看。", "There is no ledger item #%d. Send /ledger to see them."},
	"ledger.usage_done":          {"用法：/ledger done 编号 佐证材料说明（可附文件）", "Usage: /ledger done ID EVIDENCE (files may be attached)"},
	"ledger.evidence_file":       {"〔附件 %s %s〕", "[file %s %s]"},
	"ledger.done_ok":             {"整改事项 #%d 已完成：%s", "Ledger item #%d is done: %s"},
	"ledger.usage_status":        {"用法：/ledger status 编号 open|in_progress|done（未开始/进行中/已完成）", "Usage: /ledger status ID open|in_progress|done"},
	"ledger.status_ok":           {"整改事项 #%d 状态已改为“%s”。", "Ledger item #%d is now %s."},

	"ledger.no_group":          {"没有配置活动群（TELEGRAM_GROUP_CHAT_ID 或 WECOM_ROBOT_KEY），无法发布台账。", "No campaign group is configured (TELEGRAM_GROUP_CHAT_ID or WECOM_ROBOT_KEY), so the ledger cannot be published."},
	"ledger.publish_header":    {"【整改台账】%s 公开接受监督", "[Rectification ledger] %s, published for supervision"},
	"ledger.already_published": {"今天已发布过相同内容的台账。", "This ledger was already published today."},
	"ledger.published":         {"整改台账（%d 项）已发往活动群：%s。", "The ledger (%d items) is posted to the campaign group on: %s."},

	// Scheduler: prompts, announcements and digests.
	"remind.submit": {"提交", "Submit"},

	// Prompts. Every prompt is for one task; replying to it submits for it.
	"remind.warn":         {"【提醒】「%s」还有 %d 天到期（%s）。直接回复本消息即可提交，也可点「提交」。", "Reminder: “%s” is due in %d days (%s). Reply to this message to submit it, or press Submit."},
	"remind.warn.1":       {"【提醒】「%s」明天到期（%s）。直接回复本消息即可提交，也可点「提交」。", "Reminder: “%s” is due tomorrow (%s). Reply to this message to submit it, or press Submit."},
	"remind.overdue":      {"【催交】「%s」已逾期 %d 天（截止 %s）。迟交仍会接收并标注为迟交。直接回复本消息即可提交。", "Overdue: “%s” was due %[3]s, %[2]d days ago. Late work is still accepted, marked late. Reply to this message to submit it."},
	"remind.week":         {"（%s 至 %s 这一周）", " (the week %s to %s)"},
	"remind.fold":         {"您还有 %d 项待办：\n%s\n发送 /tasks 查看全部，或点下面的按钮提交。", "You have %d more items to do:\n%s\nSend /tasks to see them all, or press a button below to submit."},
	"remind.fold.overdue": {"· 「%s」已逾期 %d 天", "· “%s” overdue by %d days"},
	"remind.fold.warn":    {"· 「%s」%d 天后到期", "· “%s” due in %d days"},

	// Escalation, privately to the leader in charge.
	"remind.escalate":      {"【督办】您分管的科室有以下任务逾期 %d 天以上：\n%s\n发送 /overdue 查看完整名单。", "In the departments you are in charge of, these are overdue by %d days or more:\n%s\nSend /overdue for the full list."},
	"remind.escalate.line": {"· %s（%s）：「%s」逾期 %d 天", "· %s (%s): “%s”, %d days overdue"},

	// Phase announcements.
	"remind.phase.start":      {"【阶段开始】「%s」今天开始（%s 至 %s）。本阶段任务：\n%s\n发送 /tasks 查看您的任务。", "The phase “%s” begins today (%s to %s). Its tasks:\n%s\nSend /tasks to see yours."},
	"remind.phase.start.task": {"· 「%s」截止 %s", "· “%s”, due %s"},
	"remind.phase.end":        {"【阶段结束】「%s」今天结束。还未提交的请抓紧，发送 /tasks 查看您的任务。", "The phase “%s” ends today. If anything of yours is still open, send /tasks to see it."},

	// Digest. Each line that asks for action names the command that does it.
	"digest.tally":           {"%d/%d（%d%%）", "%d/%d (%d%%)"},
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
	"digest.unreachable":     {"无法送达 %d 人：%s%s（已屏蔽机器人或删除了对话）。请本人向机器人发一条消息即可恢复", "Unreachable: %d people: %s%s (they blocked the bot or deleted the chat). A message from them to the bot restores it"},
	"digest.overdue.title":   {"截至 %s 逾期未交 %d 项（%d 人）：", "Overdue as of %s: %d items (%d people):"},
	"digest.overdue.dept":    {"【%s】", "%s:"},

	// Announcements (/announce).
	"announce.notice": {"【通知】%s\n—— %s", "Notice: %s\n— %s"},

	// What an announcement and a notice came to (SPEC §4: every reply
	// tells the truth): who gets it now, who when quiet hours end, who
	// cannot be reached.
	"announce.sent":            {"通知正在发给 %d 人。", "The announcement is being sent to %d people."},
	"announce.held":            {"现在是免打扰时段，通知将于 %s 发给 %d 人。", "It is quiet hours: the announcement goes to %[2]d people at %[1]s."},
	"announce.nobody":          {"没有人能收到这条通知。", "Nobody can receive this announcement."},
	"announce.unbound":         {"%d 人尚未绑定，收不到：%s。邀请绑定：/invite 姓名", "%d people have not bound an account and will not get it: %s. Invite them: /invite NAME"},
	"announce.unreachable":     {"%d 人的账号上次拒收消息（可能已屏蔽或移出可见范围），可能收不到：%s。", "%d people refused the last message (blocked the bot, or outside the app's visibility) and may not get it: %s."},
	"announce.more":            {"等 %d 人", "and %d more"},
	"announce.confirm":         {"“%s”不是角色或科室名称。将发给全体 %d 人，确认？\n回复“确认”发给全体，回复“取消”放弃。以后要发给全体，可直接写：/announce 全体 内容", "%q is neither a role nor a department. This goes to all %d people: send it?\nReply “yes” to send it to everyone, /cancel to drop it. To address everyone directly: /announce all TEXT"},
	"announce.confirm_suggest": {"若要发给“%[1]s”（%[2]d 人），回复“%[1]s”。", "To send it to %[1]s (%[2]d people) instead, reply “%[1]s”."},
	"announce.confirm_again":   {"这条通知还在等您确认：回复“确认”发给全体 %d 人，或回复科室、角色名称改发，回复“取消”放弃。", "The announcement is waiting: reply “yes” to send it to all %d people, a department or role to send it there, or /cancel to drop it."},
	"announce.yes":             {"确认", "yes"},
	"announce.button_everyone": {"发给全体 %d 人", "Send to all %d"},
	"announce.button_target":   {"改发给 %s", "Send to %s"},
	"announce.button_cancel":   {"取消", "Cancel"},
	"notice.told":              {"已通知 %s。", "%s told."},
	"notice.told_many":         {"已通知 %d 人。", "%d people told."},
	"notice.unbound":           {"%s 尚未绑定，未能通知，请另行转告。", "%s has not bound an account and was not told: tell them yourself."},
	"notice.unreachable":       {"%s 的账号上次拒收消息（可能已屏蔽或移出可见范围），通知可能未送达，请另行转告。", "%s refused the last message (blocked the bot, or outside the app's visibility) and may not get this: tell them yourself."},

	// Reasons, for `campaignbot reminders` previews and logs.
	"remind.reason.warn":        {"「%s」还有 %d 天到期", "“%s” due in %d days"},
	"remind.reason.overdue":     {"「%s」逾期 %d 天（第 %d 次催交）", "“%s” overdue by %d days (reminder %d)"},
	"remind.reason.fold":        {"合并 %d 项：每日上限 %d 条", "%d items folded: daily cap of %d"},
	"remind.reason.escalate":    {"分管科室 %d 项逾期 %d 天以上", "%d items in their departments overdue by %d+ days"},
	"remind.reason.phase.start": {"阶段「%s」开始", "phase “%s” begins"},
	"remind.reason.phase.end":   {"阶段「%s」结束", "phase “%s” ends"},
	"remind.reason.group":       {"（群）", "(group)"},

	// Adapters' own replies.
	"tg.private_only":  {"请在与我的私聊中发送 /start 邀请码，不要发在群里。发在群里的邀请码已不再保密，请向办公室索取新的邀请码。", "Send /start CODE to me in a private chat, not in a group. A code posted in a group is no longer secret: ask the office for a new one."},
	"tg.group_private": {"请在与我的私聊中发送这条命令：在群里我只回答 /help。", "Please send me that in a private chat: in a group I answer only /help."},

	"wecom.card_title":        {"请选择", "Choose"},
	"wecom.menu.tasks":        {"任务", "Tasks"},
	"wecom.menu.submit_group": {"提交", "Submit"},
	"wecom.menu.note":         {"学习笔记", "Study note"},
	"wecom.menu.submit":       {"提交材料", "Submit work"},
	"wecom.menu.mine":         {"我的提交", "My submissions"},
	"wecom.menu.opinion":      {"提意见", "Opinion"},
	"wecom.menu.survey":       {"问卷", "Survey"},
	"wecom.menu.more":         {"更多", "More"},
	"wecom.menu.problem":      {"反映问题", "Report problem"},
	"wecom.menu.digest":       {"今日简报", "Today's digest"},
	"wecom.menu.review":       {"审阅", "Review"},
	"wecom.menu.ledger":       {"整改台账", "Ledger"},
	"wecom.menu.help":         {"帮助", "Help"},

	"console.ready":  {"campaignbot 控制台：每行是一条消息，/as 姓名 切换身份，Ctrl-D 退出。", "campaignbot console: each line is a message, /as NAME switches person, Ctrl-D quits."},
	"console.now_as": {"（现在以 %s〔%s〕的身份输入）", "(now typing as %s [%s])"},
	"console.to":     {"发给", "to"},

	// The workbook (campaignbot export).
	"export.yes":          {"是", "yes"},
	"export.no":           {"否", "no"},
	"export.anonymous":    {"匿名", "anonymous"},
	"export.too_few":      {"样本不足", "too few answers to show"},
	"export.from_problem": {"问题 #%d", "problem #%d"},
	"export.from_report":  {"报告 #%d", "report #%d"},
	"export.report":       {" %s（%s v%d）", " %s (%s v%d)"},
	"export.comment":      {"%s %s（%s）：%s", "%s %s (%s): %s"},

	"export.sheet.roster":         {"名册", "roster"},
	"export.sheet.submissions":    {"提交", "submissions"},
	"export.sheet.opinions":       {"意见", "opinions"},
	"export.sheet.problems":       {"问题", "problems"},
	"export.sheet.problem_events": {"问题记录", "problem events"},
	"export.sheet.ledger":         {"整改台账", "ledger"},
	"export.sheet.survey_results": {"问卷结果", "survey results"},

	// The roster's columns, in the workbook and in campaignbot roster show.
	"roster.name":         {"姓名", "name"},
	"roster.department":   {"科室", "department"},
	"roster.roles":        {"角色", "roles"},
	"roster.telegram":     {"Telegram", "telegram"},
	"roster.wecom":        {"企业微信", "wecom"},
	"roster.in_charge_of": {"分管科室", "in charge of"},
	"roster.unreachable":  {"无法送达", "unreachable"},
	"roster.none":         {"—", "-"},

	"export.submission.task":            {"任务", "task"},
	"export.submission.person":          {"提交人", "person"},
	"export.submission.department":      {"科室", "department"},
	"export.submission.version":         {"版本", "version"},
	"export.submission.late":            {"逾期", "late"},
	"export.submission.review_state":    {"审阅状态", "review state"},
	"export.submission.submitted_at":    {"提交时间", "submitted at"},
	"export.submission.text":            {"内容", "text"},
	"export.submission.attachments":     {"附件", "attachments"},
	"export.submission.review_comments": {"审阅意见", "review comments"},

	"export.opinion.day":         {"日期", "day"},
	"export.opinion.author":      {"提出人", "author"},
	"export.opinion.text":        {"内容", "text"},
	"export.opinion.answer":      {"答复", "answer"},
	"export.opinion.answered_by": {"答复人", "answered by"},

	"export.problem.id":          {"编号", "id"},
	"export.problem.enterprise":  {"企业", "enterprise"},
	"export.problem.category":    {"类别", "category"},
	"export.problem.description": {"问题描述", "description"},
	"export.problem.filer":       {"提出人", "filer"},
	"export.problem.owner":       {"责任人", "owner"},
	"export.problem.status":      {"状态", "status"},
	"export.problem.due":         {"期限", "due"},
	"export.problem.created":     {"提出时间", "created"},
	"export.problem.photos":      {"照片数", "photos"},

	"export.event.problem_id": {"问题编号", "problem id"},
	"export.event.kind":       {"类型", "kind"},
	"export.event.actor":      {"操作人", "actor"},
	"export.event.owner":      {"责任人", "owner"},
	"export.event.text":       {"内容", "text"},
	"export.event.at":         {"时间", "at"},

	"export.ledger.id":       {"编号", "id"},
	"export.ledger.what":     {"整改事项", "what"},
	"export.ledger.measure":  {"整改措施", "measure"},
	"export.ledger.owner":    {"责任人", "owner"},
	"export.ledger.due":      {"完成时限", "due"},
	"export.ledger.status":   {"状态", "status"},
	"export.ledger.evidence": {"整改成效", "evidence"},
	"export.ledger.source":   {"来源", "source"},

	"export.survey.survey":       {"问卷", "survey"},
	"export.survey.question":     {"题目", "question"},
	"export.survey.kind":         {"题型", "kind"},
	"export.survey.participants": {"参与人数", "participants"},
	"export.survey.audience":     {"应参与人数", "audience"},
	"export.survey.answers":      {"作答数", "answers"},
	"export.survey.results":      {"结果", "results"},
	"export.survey.mean":         {"平均分", "mean"},

	"export.review.not_required": {"无需审阅", "not reviewed"},
	"export.review.submitted":    {"待审阅", "waiting for review"},
	"export.review.returned":     {"已退回", "returned"},
	"export.review.accepted":     {"已通过", "accepted"},

	"export.pstatus.new":      {"待领办", "new"},
	"export.pstatus.claimed":  {"办理中", "claimed"},
	"export.pstatus.resolved": {"已解决待确认", "resolved"},
	"export.pstatus.closed":   {"已销号", "closed"},

	"export.pevent.filed":     {"提出", "filed"},
	"export.pevent.claimed":   {"领办", "claimed"},
	"export.pevent.assigned":  {"交办", "assigned"},
	"export.pevent.progress":  {"进展", "progress"},
	"export.pevent.resolved":  {"解决", "resolved"},
	"export.pevent.confirmed": {"确认销号", "confirmed"},
	"export.pevent.reopened":  {"重新打开", "reopened"},

	"export.lstatus.open":        {"未开始", "open"},
	"export.lstatus.in_progress": {"整改中", "in progress"},
	"export.lstatus.done":        {"已完成", "done"},

	"export.question.scale":  {"量表（1–5）", "scale 1–5"},
	"export.question.choice": {"单选", "single choice"},
	"export.question.text":   {"填空", "free text"},

	// The plan summary (campaignbot plan show).
	"plan.to":                      {"至", "to"},
	"plan.tz":                      {"时区", "time zone"},
	"plan.policy":                  {"提醒", "Reminders"},
	"plan.phases":                  {"阶段", "Phases"},
	"plan.tasks":                   {"任务", "Tasks"},
	"plan.surveys":                 {"问卷", "Surveys"},
	"plan.due":                     {"截止", "due"},
	"plan.anonymous":               {"匿名", "anonymous"},
	"plan.named":                   {"实名", "named"},
	"plan.questions":               {"题", "questions"},
	"plan.everyone":                {"全体", "everyone"},
	"plan.once":                    {"一次", "once"},
	"plan.weekly":                  {"每周一次", "every week"},
	"plan.per_dept":                {"每科室一份", "one per department"},
	"plan.by_claim":                {"领办问题即完成", "done by claiming a problem"},
	"plan.review.leader_in_charge": {"分管领导审阅", "reviewed by the leader in charge"},
	"plan.review.head":             {"主要负责人审阅", "reviewed by the head"},
	"plan.policy_line": {
		"截止前 %s 天预警; 逾期每 %d 天提醒, 最多 %d 次; 逾期 %d 天后报分管领导; 每人每天最多 %d 条; 免打扰 %s–%s; 简报 %s; 提醒 %s",
		"warn %s days before a due date; when overdue remind every %d days, at most %d times; escalate to the leader in charge after %d days; at most %d prompts a day; quiet %s–%s; digest at %s; reminders at %s",
	},

	// Faults of the deployment and of delivery (SPEC §5, §6): what the
	// operator reads in the log and /healthz, and the office in chat.
	"fault.platform.telegram":        {"Telegram", "Telegram"},
	"fault.platform.wecom":           {"企业微信", "WeCom"},
	"fault.platform.console":         {"控制台", "the console"},
	"fault.advice.telegram_token":    {"Telegram 拒绝了机器人令牌（401）：令牌已被撤销或填错。请在 @BotFather 取得新令牌，填入 TELEGRAM_BOT_TOKEN 后重启", "Telegram refuses the bot token (401): it was revoked or is wrong. Get a new token from @BotFather, set TELEGRAM_BOT_TOKEN and restart"},
	"fault.advice.telegram_conflict": {"另有程序在接收本机器人的消息（409：另一个 webhook 或另一个轮询进程）。请停掉另一个进程，或用 deleteWebhook 删除别处设置的 webhook", "something else receives this bot's updates (409: another webhook or another polling process). Stop the other process, or delete the webhook set elsewhere (deleteWebhook)"},
	"fault.advice.telegram_group":    {"机器人已不在活动群中（被移出或群已解散），发往群的消息暂存。请把机器人重新拉进群，或修改 TELEGRAM_GROUP_CHAT_ID", "the bot is no longer in the campaign group (removed, or the group is gone); group posts are kept. Add the bot to the group again, or change TELEGRAM_GROUP_CHAT_ID"},
	"fault.advice.wecom_ip":          {"本服务器的出口 IP 不在企业微信应用的「企业可信IP」中（60020）。请在管理后台 应用管理 → 本应用 → 企业可信IP 中加入该 IP", "this server's IP is not in the WeCom app's trusted IPs (企业可信IP, 60020). Add it in the admin console: 应用管理 → the app → 企业可信IP"},
	"fault.advice.wecom_secret":      {"企业微信拒绝了应用的 Secret（40001）：已重置或填错。请在应用详情中查看 Secret，填入 WECOM_SECRET 后重启", "WeCom refuses the app secret (40001): it was reset or is wrong. Copy the Secret from the app's page into WECOM_SECRET and restart"},
	"fault.advice.wecom_corpid":      {"企业微信拒绝了企业 ID（40013）。请在 我的企业 → 企业信息 中核对企业ID，填入 WECOM_CORP_ID 后重启", "WeCom refuses the corp id (40013). Check 企业ID under 我的企业 → 企业信息, set WECOM_CORP_ID and restart"},
	"fault.advice.wecom_robot_key":   {"群机器人的 key 无效（93000：机器人已被移除或 key 填错），发往群的消息暂存。请在群里重新添加机器人，把新 webhook 的 key 填入 WECOM_ROBOT_KEY 后重启", "the group robot's key is invalid (93000: the robot was removed or the key is wrong); group posts are kept. Add the robot to the group again, set the new webhook's key in WECOM_ROBOT_KEY and restart"},
	"fault.office.raised":            {"【运行故障】%s 暂停发送：%s。所有消息均已保留，修复后自动补发。", "Delivery fault: %s is paused: %s. Every message is kept and goes out once it is fixed."},
	"fault.office.cleared":           {"【已恢复】%s 已恢复发送，暂停期间保留的消息正在补发。", "Resolved: %s delivers again; the messages kept meanwhile are going out now."},
	"fault.office.unsubscribed":      {"%s 已不在企业微信应用的可见范围内，收不到本应用的消息。如需恢复，请在管理后台 应用管理 → 本应用 → 可见范围 中加入此人。", "%s is no longer in the WeCom app's visible range (可见范围) and gets none of its messages. To restore, add them under 应用管理 → the app → 可见范围."},
	"fault.office.subscribed":        {"%s 已加入企业微信应用的可见范围，可以收到本应用的消息了。", "%s is in the WeCom app's visible range (可见范围) again and gets its messages."},
	"fault.digest.wecom_unreachable": {"企业微信无法送达 %d 人：%s%s（不在应用的可见范围内）。请在管理后台 应用管理 → 本应用 → 可见范围 中加入", "Unreachable on WeCom: %d people: %s%s (outside the app's visible range). Add them under 应用管理 → the app → 可见范围"},
	"fault.download_failed":          {"抱歉，您发送的文件多次下载失败，未能收到，请重新发送。", "Sorry, the file you sent could not be downloaded after many tries and was not received. Please send it again."},
}
