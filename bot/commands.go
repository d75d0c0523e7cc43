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
	// Help is the catalog key of the one-line help text.
	Help    string
	Handler HandlerFunc
}

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
		{Name: "start", Aliases: []string{"绑定"}, Unbound: true, Help: "help.start", Handler: e.cmdStart},
		{Name: "help", Aliases: []string{"帮助"}, Unbound: true, Help: "help.help", Handler: e.cmdHelp},
		{Name: "tasks", Aliases: []string{"任务"}, Roles: everyone, Help: "help.tasks", Handler: e.cmdTasks},
		{Name: "note", Aliases: []string{"笔记"}, Help: "help.note", Handler: e.cmdNote},
		{Name: "submit", Aliases: []string{"提交"}, Help: "help.submit", Handler: e.cmdSubmit},
		{Name: "mine", Aliases: []string{"我的"}, Help: "help.mine", Handler: e.cmdMine},
		{Name: "opinion", Aliases: []string{"意见", "匿名意见"}, Help: "help.opinion", Handler: e.cmdOpinion},
		{Name: "survey", Aliases: []string{"问卷"}, Help: "help.survey", Handler: e.cmdSurvey},
		{Name: "leave", Aliases: []string{"请假"}, Help: "help.leave", Handler: e.cmdLeave},
		{Name: "cancel", Aliases: []string{"取消"}, Help: "help.cancel", Handler: e.cmdCancel},
		{Name: "web", Aliases: []string{"网页"}, Help: "web.help", Handler: e.cmdWeb},

		{Name: "problem", Aliases: []string{"问题"}, Roles: fieldRoles, Help: "help.problem", Handler: e.cmdProblem},
		{Name: "problems", Aliases: []string{"我的问题"}, Roles: fieldRoles, Help: "help.problems", Handler: e.cmdProblems},
		{Name: "confirm", Aliases: []string{"确认销号"}, Roles: fieldRoles, Help: "help.confirm", Handler: e.cmdConfirm},
		{Name: "reopen", Aliases: []string{"重新打开"}, Roles: fieldRoles, Help: "help.reopen", Handler: e.cmdReopen},

		{Name: "digest", Aliases: []string{"简报"}, Roles: digestRoles, Help: "help.digest", Handler: e.cmdDigest},
		{Name: "claim", Aliases: []string{"领办"}, Roles: leaders, Help: "help.claim", Handler: e.cmdClaim},
		{Name: "progress", Aliases: []string{"进展"}, Roles: leaders, Help: "help.progress", Handler: e.cmdProgress},
		{Name: "resolve", Aliases: []string{"解决"}, Roles: leaders, Help: "help.resolve", Handler: e.cmdResolve},
		{Name: "review", Aliases: []string{"审阅"}, Roles: leaders, Help: "help.review", Handler: e.cmdReview},
		{Name: "overdue", Aliases: []string{"未交"}, Roles: leaders, Help: "help.overdue", Handler: e.cmdOverdue},

		{Name: "assign", Aliases: []string{"交办"}, Roles: headAndOffice, Help: "help.assign", Handler: e.cmdAssign},
		{Name: "announce", Aliases: []string{"通知"}, Roles: headAndOffice, Help: "help.announce", Handler: e.cmdAnnounce},
		{Name: "invite", Aliases: []string{"邀请"}, Roles: headAndOffice, Help: "help.invite", Handler: e.cmdInvite},
		{Name: "ledger", Aliases: []string{"台账"}, Roles: headAndOffice, Help: "help.ledger", Handler: e.cmdLedger},
		{Name: "export", Aliases: []string{"导出"}, Roles: headAndOffice, Help: "help.export", Handler: e.cmdExport},
	}
}
