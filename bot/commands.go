package bot

import (
	"slices"

	"campaignbot"
)

// Command is one entry of the command table: it drives routing, /help,
// Telegram's command menu and the role × command test.
type Command struct {
	Name    string   // the slash command without "/"
	Aliases []string // Chinese words that WeCom users type instead
	// Roles that may run it; empty means everyone bound.
	Roles []campaignbot.Role
	// Unbound commands are open to users not yet bound to the roster.
	Unbound bool
	// Help is the catalog key of the one-line help text; "<Help>.ex" is
	// that of an example, and /help groups commands by Area.
	Help    string
	Area    string
	Handler HandlerFunc
}

// Areas of /help, in the order it lists them.
const (
	areaTasks   = "tasks"
	areaVoice   = "voice"
	areaField   = "field"
	areaLeaders = "leaders"
	areaOffice  = "office"
)

// aliasOnly reports whether word is one of the command's aliases (as
// opposed to its slash name), so plain text is not mistaken for a command.
func (cmd *Command) aliasOnly(word string) bool { return slices.Contains(cmd.Aliases, word) }

var (
	everyone      []campaignbot.Role
	fieldRoles    = []campaignbot.Role{campaignbot.RoleLiaison, campaignbot.RoleLeader, campaignbot.RoleHead, campaignbot.RoleOffice}
	leaders       = []campaignbot.Role{campaignbot.RoleLeader, campaignbot.RoleHead}
	digestRoles   = []campaignbot.Role{campaignbot.RoleLeader, campaignbot.RoleHead, campaignbot.RoleOffice}
	headAndOffice = []campaignbot.Role{campaignbot.RoleHead, campaignbot.RoleOffice}
)

// commandTable is every chat command of SPEC §4, in the order /help lists them.
func (e *Engine) commandTable() []*Command {
	return []*Command{
		{Name: "start", Aliases: []string{"绑定"}, Unbound: true, Help: "help.start", Area: areaTasks, Handler: e.cmdStart},
		{Name: "help", Aliases: []string{"帮助"}, Unbound: true, Help: "help.help", Area: areaTasks, Handler: e.cmdHelp},
		{Name: "tasks", Aliases: []string{"任务"}, Roles: everyone, Help: "help.tasks", Area: areaTasks, Handler: e.cmdTasks},
		{Name: "note", Aliases: []string{"笔记"}, Help: "help.note", Area: areaTasks, Handler: e.cmdNote},
		{Name: "submit", Aliases: []string{"提交"}, Help: "help.submit", Area: areaTasks, Handler: e.cmdSubmit},
		{Name: "mine", Aliases: []string{"我的"}, Help: "help.mine", Area: areaTasks, Handler: e.cmdMine},
		{Name: "opinion", Aliases: []string{"意见", "匿名意见"}, Help: "help.opinion", Area: areaVoice, Handler: e.cmdOpinion},
		{Name: "survey", Aliases: []string{"问卷"}, Help: "help.survey", Area: areaVoice, Handler: e.cmdSurvey},
		{Name: "leave", Aliases: []string{"请假"}, Help: "help.leave", Area: areaTasks, Handler: e.cmdLeave},
		{Name: "cancel", Aliases: []string{"取消"}, Help: "help.cancel", Area: areaTasks, Handler: e.cmdCancel},
		{Name: "web", Aliases: []string{"网页"}, Help: "web.help", Area: areaTasks, Handler: e.cmdWeb},

		{Name: "problem", Aliases: []string{"问题"}, Roles: fieldRoles, Help: "help.problem", Area: areaField, Handler: e.cmdProblem},
		{Name: "problems", Aliases: []string{"我的问题"}, Roles: fieldRoles, Help: "help.problems", Area: areaField, Handler: e.cmdProblems},
		{Name: "confirm", Aliases: []string{"确认销号"}, Roles: fieldRoles, Help: "help.confirm", Area: areaField, Handler: e.cmdConfirm},
		{Name: "reopen", Aliases: []string{"重新打开"}, Roles: fieldRoles, Help: "help.reopen", Area: areaField, Handler: e.cmdReopen},

		{Name: "digest", Aliases: []string{"简报"}, Roles: digestRoles, Help: "help.digest", Area: areaLeaders, Handler: e.cmdDigest},
		{Name: "claim", Aliases: []string{"领办"}, Roles: leaders, Help: "help.claim", Area: areaLeaders, Handler: e.cmdClaim},
		{Name: "progress", Aliases: []string{"进展"}, Roles: leaders, Help: "help.progress", Area: areaLeaders, Handler: e.cmdProgress},
		{Name: "resolve", Aliases: []string{"解决"}, Roles: leaders, Help: "help.resolve", Area: areaLeaders, Handler: e.cmdResolve},
		{Name: "review", Aliases: []string{"审阅"}, Roles: leaders, Help: "help.review", Area: areaLeaders, Handler: e.cmdReview},
		{Name: "overdue", Aliases: []string{"未交"}, Roles: leaders, Help: "help.overdue", Area: areaLeaders, Handler: e.cmdOverdue},

		{Name: "assign", Aliases: []string{"交办"}, Roles: headAndOffice, Help: "help.assign", Area: areaOffice, Handler: e.cmdAssign},
		{Name: "announce", Aliases: []string{"通知"}, Roles: headAndOffice, Help: "help.announce", Area: areaOffice, Handler: e.cmdAnnounce},
		{Name: "invite", Aliases: []string{"邀请"}, Roles: headAndOffice, Help: "help.invite", Area: areaOffice, Handler: e.cmdInvite},
		{Name: "opinions", Aliases: []string{"意见列表"}, Roles: headAndOffice, Help: "help.opinions", Area: areaOffice, Handler: e.cmdOpinions},
		{Name: "answer", Aliases: []string{"答复"}, Roles: headAndOffice, Help: "help.answer", Area: areaOffice, Handler: e.cmdAnswer},
		{Name: "ledger", Aliases: []string{"台账"}, Roles: headAndOffice, Help: "help.ledger", Area: areaOffice, Handler: e.cmdLedger},
		{Name: "export", Aliases: []string{"导出"}, Roles: headAndOffice, Help: "help.export", Area: areaOffice, Handler: e.cmdExport},
	}
}
