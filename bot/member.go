package bot

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"campaignbot"
)

// Dialog names.
const (
	dialogSubmit  = "submit"
	dialogOpinion = "opinion"
	dialogSurvey  = "survey"
	dialogProblem = "problem"
	dialogReview  = "review"
)

// taskNotes is the task a /note goes to.
const taskNotes = "study-notes"

// deepLink is an invite link as Telegram shows it (https://t.me/BOT?start=
// CODE, telegram.me, tg://resolve?domain=BOT&start=CODE): bot name, code.
var deepLink = regexp.MustCompile(`(?i)(?:(?:https?://)?(?:www\.)?(?:t|telegram)\.me/([a-z0-9_]{3,64})/?\?start=|tg://resolve\?domain=([a-z0-9_]{3,64})&start=)([A-Za-z0-9_-]{1,64})`)

// DeepLinkCode finds an invite link to the bot named botName (any bot when
// it is "") in text and returns its code.
func DeepLinkCode(text, botName string) (string, bool) {
	code, _, ok := deepLinkIn(text, botName)
	return code, ok
}

// deepLinkIn is DeepLinkCode, also reporting whether the link is all
// the text says.
func deepLinkIn(text, botName string) (code string, whole, ok bool) {
	m := deepLink.FindStringSubmatchIndex(text)
	if m == nil {
		return "", false, false
	}
	var name string
	if m[2] >= 0 {
		name = text[m[2]:m[3]]
	} else {
		name = text[m[4]:m[5]]
	}
	if botName != "" && !strings.EqualFold(name, botName) {
		return "", false, false
	}
	return text[m[6]:m[7]], strings.TrimSpace(text[:m[0]]+text[m[1]:]) == "", true
}

// codeWords returns the words of text that may be invite codes (the
// store's are 22 base64url characters; any word of 16 to 64 is looked up).
func codeWords(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) {
		if len(w) >= 16 && len(w) <= 64 {
			out = append(out, w)
		}
	}
	return out
}

// MayHoldCode reports whether group chatter holds a word shaped like an
// invite code: the adapter hands such a message to the engine, which
// revokes the code if it is one.
func MayHoldCode(text string) bool { return len(codeWords(text)) > 0 }

// revokeCodesIn revokes the invite codes among the words of a message
// posted in a group; it answers only when one was a code, so that chatter
// with long words gets no reply.
func (e *Engine) revokeCodesIn(ctx context.Context, c *Context, text string) error {
	revoked := false
	for _, w := range codeWords(text) {
		ok, err := e.store.RevokeInvite(ctx, w)
		if err != nil {
			return fmt.Errorf("revoke invite: %w", err)
		}
		revoked = revoked || ok
	}
	if revoked {
		c.Reply("start.code_in_group")
	}
	return nil
}

// cmdStart binds the chat account to a roster entry with an invite code.
// A code posted in a group is revoked, and a bound account keeps its
// binding. WeCom takes no code: the roster's UserID is bound at import
// (SPEC §4).
func (e *Engine) cmdStart(ctx context.Context, c *Context) error {
	if c.Req.Platform == campaignbot.PlatformWeCom {
		if c.Person == nil {
			return c.userError(campaignbot.EFORBIDDEN, "wecom.not_in_roster", c.Req.AccountID)
		}
		c.Reply("start.wecom_bound", c.Person.Name, c.Person.Department)
		return nil
	}
	code := strings.TrimSpace(c.Args)
	if link, _, ok := deepLinkIn(code, e.BotName()); ok {
		code = link // the whole link pasted after /start
	}
	if c.Req.InGroup && code != "" {
		// Everyone in the group has seen it: nobody may use it now.
		if _, err := e.store.RevokeInvite(ctx, code); err != nil {
			return fmt.Errorf("revoke invite: %w", err)
		}
		return c.userError(campaignbot.EINVALID, "start.code_in_group")
	}
	if code != "" && c.Person != nil {
		return c.userError(campaignbot.ECONFLICT, "start.already_bound", c.Person.Name)
	}
	if code == "" {
		if c.Person != nil {
			c.Reply("start.already", c.Person.Name)
			return nil
		}
		c.Reply("start.need_code")
		return nil
	}
	now := e.clock.Now()
	guessKey := string(c.Req.Platform) + ":" + c.Req.AccountID
	fails, err := e.store.InviteFailures(ctx, guessKey, now.Add(-guessWindow))
	if err != nil {
		return fmt.Errorf("invite failures: %w", err)
	}
	if len(fails) >= maxGuesses {
		wait := fails[len(fails)-maxGuesses].Add(guessWindow).Sub(now)
		return c.userError(campaignbot.EFORBIDDEN, "start.slow_down", int(wait.Minutes())+1)
	}
	p, err := e.store.RedeemInvite(ctx, code, campaignbot.Account{
		Platform:  c.Req.Platform,
		AccountID: c.Req.AccountID,
		ChatID:    c.Req.ChatID,
	})
	switch {
	case campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND:
		if err := e.store.RecordInviteFailure(ctx, guessKey, now, now.Add(-guessWindow)); err != nil {
			return fmt.Errorf("record invite failure: %w", err)
		}
		return c.userError(campaignbot.EINVALID, "start.wrong_code")
	case campaignbot.ErrorMessage(err) == campaignbot.MsgInviteUsed:
		return c.userError(campaignbot.EINVALID, "start.used_code")
	case campaignbot.ErrorMessage(err) == campaignbot.MsgInviteExpired:
		return c.userError(campaignbot.EINVALID, "start.expired_code")
	case campaignbot.ErrorMessage(err) == campaignbot.MsgAccountBound:
		return c.userError(campaignbot.ECONFLICT, "start.account_bound")
	case err != nil:
		return fmt.Errorf("redeem invite: %w", err)
	}
	c.Person = p
	c.Reply("start.welcome", p.Name, p.Department, e.roleNames(p.RoleList()))
	return nil
}

// cmdHelp lists the commands of the person's roles.
func (e *Engine) cmdHelp(ctx context.Context, c *Context) error {
	var b strings.Builder
	if c.Person == nil && c.Req.Platform == campaignbot.PlatformWeCom {
		return c.userError(campaignbot.EFORBIDDEN, "wecom.not_in_roster", c.Req.AccountID)
	}
	if c.Person == nil {
		b.WriteString(c.T("help.unbound"))
	} else {
		b.WriteString(c.T("help.header", c.Person.Name))
	}
	for _, area := range []string{areaTasks, areaVoice, areaField, areaLeaders, areaOffice} {
		header := false
		for _, cmd := range e.commands {
			if cmd.Area != area || c.Person == nil && !cmd.Unbound || c.Person != nil && !cmd.Allowed(c.Person) {
				continue
			}
			// A bound person has no use for /start.
			if c.Person != nil && cmd.Unbound && cmd.Name != "help" {
				continue
			}
			if !header {
				b.WriteString("\n\n" + c.T("help.area."+area))
				header = true
			}
			alias := ""
			if len(cmd.Aliases) > 0 {
				alias = " (" + strings.Join(cmd.Aliases, "/") + ")"
			}
			fmt.Fprintf(&b, "\n/%s%s — %s", cmd.Name, alias, c.T(cmd.Help))
			if ex := c.T(cmd.Help + ".ex"); ex != "" {
				b.WriteString("\n    " + c.T("help.example", ex))
			}
		}
	}
	c.ReplyRendered(b.String())
	return nil
}

// obligationsFor computes what p owes today, by the one rule the scheduler
// uses too (campaignbot.Obligations) over what the store reads for p.
func (e *Engine) obligationsFor(ctx context.Context, p *campaignbot.Person) ([]campaignbot.Obligation, error) {
	plan := e.plan.Load()
	in, err := e.store.FindObligationInput(ctx, p, plan)
	if err != nil {
		return nil, fmt.Errorf("find obligation input: %w", err)
	}
	in.Plan, in.Day = plan, e.today()
	return campaignbot.Obligations(in), nil
}

// cmdTasks shows the person's deliverables and surveys in this phase,
// anything overdue, and their leave.
func (e *Engine) cmdTasks(ctx context.Context, c *Context) error {
	obs, err := e.obligationsFor(ctx, c.Person)
	if err != nil {
		return err
	}
	today := e.today()
	pl := e.plan.Load()
	var b strings.Builder
	if ph := pl.PhaseAt(today); ph != nil {
		b.WriteString(c.T("tasks.phase", e.title(ph.Title, ph.TitleEn), ph.Start, ph.End, int(ph.End-today)))
	} else {
		b.WriteString(c.T("tasks.no_phase"))
	}
	// Several missed weeks of a weekly task make one line.
	missed := map[string][]campaignbot.Obligation{}
	for _, o := range obs {
		if t := pl.FindOwed(o.TaskKey); t != nil && t.Cardinality == campaignbot.EveryWeek && o.Status == campaignbot.StatusOverdue {
			missed[o.TaskKey] = append(missed[o.TaskKey], o)
		}
	}
	shown := 0
	for _, o := range obs {
		t := pl.FindOwed(o.TaskKey)
		if t == nil || !e.showObligation(o, today) {
			continue
		}
		if ws := missed[o.TaskKey]; len(ws) > 1 && o.Status == campaignbot.StatusOverdue {
			if o.PeriodStart == ws[0].PeriodStart {
				b.WriteString("\n" + c.T("tasks.missed_weeks", e.title(t.Title, t.TitleEn), len(ws), ws[0].PeriodStart, ws[len(ws)-1].PeriodEnd))
				shown++
			}
			continue
		}
		b.WriteString("\n" + e.obligationLine(c, o, t, today))
		shown++
	}
	if shown == 0 {
		b.WriteString("\n" + c.T("tasks.none"))
	}
	ls, err := e.store.FindLeaves(ctx, c.Person.ID)
	if err != nil {
		return fmt.Errorf("find leaves: %w", err)
	}
	for _, l := range ls {
		switch {
		case l.Covers(today):
			b.WriteString("\n" + c.T("tasks.on_leave", l.From, l.To, l.To.AddDays(1)))
		case l.From > today:
			b.WriteString("\n" + c.T("tasks.leave_ahead", l.From, l.To, l.ID))
		}
	}
	c.ReplyRendered(b.String())
	return nil
}

// obligationLine is one line of /tasks: what o is, where it stands, and
// the command that does what it needs.
func (e *Engine) obligationLine(c *Context, o campaignbot.Obligation, t *campaignbot.Task, today campaignbot.Date) string {
	title := e.title(t.Title, t.TitleEn)
	if t.Cardinality == campaignbot.EveryWeek {
		title = c.T("tasks.week", title, o.PeriodStart, o.PeriodEnd)
	}
	// The submit command of a missed week names the week.
	submit := t.Key
	if t.Cardinality == campaignbot.EveryWeek && o.PeriodEnd < today {
		submit += " " + o.PeriodStart.String()
	}
	switch {
	case o.Status == campaignbot.StatusDone:
		late := ""
		if o.Late {
			late = c.T("tasks.late_mark")
		}
		return c.T("tasks.done", title, o.Due, late)
	case o.Status == campaignbot.StatusInReview:
		return c.T("tasks.in_review", title, o.Due)
	case t.SatisfiedBy == campaignbot.SatisfiedBySurvey:
		k, _ := campaignbot.SurveyOf(t.Key)
		return c.T("tasks.survey", title, o.Due, int(o.Due-today), k)
	case t.SatisfiedBy == campaignbot.SatisfiedByClaim && o.Status == campaignbot.StatusOverdue:
		return c.T("tasks.claim.overdue", title, o.Due, int(today-o.Due))
	case t.SatisfiedBy == campaignbot.SatisfiedByClaim:
		return c.T("tasks.claim", title, o.Due, int(o.Due-today))
	case o.Status == campaignbot.StatusOverdue:
		return c.T("tasks.overdue", title, o.Due, int(today-o.Due), submit)
	}
	return c.T("tasks.pending", title, o.Due, int(o.Due-today), submit)
}

// showObligation keeps /tasks short: this phase's tasks, the current week
// of weekly ones, the surveys open today, and whatever is overdue (but a
// closed survey, which can no longer be answered).
func (e *Engine) showObligation(o campaignbot.Obligation, today campaignbot.Date) bool {
	t := e.plan.Load().FindOwed(o.TaskKey)
	if t.SatisfiedBy == campaignbot.SatisfiedBySurvey {
		return today >= o.PeriodStart && today <= o.PeriodEnd
	}
	if o.Status == campaignbot.StatusOverdue {
		return true
	}
	ph := e.plan.Load().PhaseAt(today)
	if ph == nil || t.Phase != ph.Key {
		return false
	}
	if t.Cardinality == campaignbot.EveryWeek {
		return today >= o.PeriodStart && today <= o.PeriodEnd
	}
	return true
}

// title picks the title in the engine's language.
func (e *Engine) title(zh, en string) string {
	if e.cat.lang == "en" && en != "" {
		return en
	}
	return zh
}

// cmdNote stores a study note, or asks for it: `/note [WEEK] [TEXT]`.
// Without content, when weeks were missed, it offers them beside this one.
func (e *Engine) cmdNote(ctx context.Context, c *Context) error {
	t := e.plan.Load().FindTask(taskNotes)
	if t == nil {
		return c.userError(campaignbot.ENOTFOUND, "submit.unknown_task", taskNotes)
	}
	week, text, err := e.weekArg(ctx, c, t, strings.TrimSpace(c.Args))
	if err != nil {
		return err
	}
	if text != "" || len(c.Req.Attachments) > 0 {
		return e.submitContent(ctx, c, taskNotes, week, text)
	}
	if week == 0 {
		missed, err := e.missedWeeks(ctx, c.Person, t)
		if err != nil {
			return err
		}
		if len(missed) > 0 {
			rows := [][]campaignbot.Button{{{Text: c.T("note.this_week"), Data: "/submit " + taskNotes + " " + e.today().String()}}}
			for _, o := range missed {
				rows = append(rows, []campaignbot.Button{{Text: c.T("note.missed_week", o.PeriodStart, o.PeriodEnd), Data: "/submit " + taskNotes + " " + o.PeriodStart.String()}})
			}
			c.ReplyButtons(rows, "note.choose_week", len(missed))
			return nil
		}
	}
	return e.askContent(ctx, c, taskNotes, week)
}

// missedWeeks returns the weeks of weekly task t that p let pass without a
// note, oldest first.
func (e *Engine) missedWeeks(ctx context.Context, p *campaignbot.Person, t *campaignbot.Task) ([]campaignbot.Obligation, error) {
	obs, err := e.obligationsFor(ctx, p)
	if err != nil {
		return nil, err
	}
	var missed []campaignbot.Obligation
	for _, o := range obs {
		if o.TaskKey == t.Key && o.Status == campaignbot.StatusOverdue {
			missed = append(missed, o)
		}
	}
	return missed, nil
}

// weekArg takes a leading date off args for weekly task t: the week it
// falls in, which must have begun. It returns 0 for the current week (or a
// task that is not weekly, or no date) and the rest of args.
func (e *Engine) weekArg(ctx context.Context, c *Context, t *campaignbot.Task, args string) (campaignbot.Date, string, error) {
	if t.Cardinality != campaignbot.EveryWeek {
		return 0, args, nil
	}
	first, rest, _ := strings.Cut(args, " ")
	day, err := campaignbot.ParseChatDate(first, e.today())
	if err != nil {
		return 0, args, nil
	}
	rest = strings.TrimSpace(rest)
	today := e.today()
	if day > today {
		return 0, "", c.userError(campaignbot.EINVALID, "note.future_week", day)
	}
	obs, err := e.obligationsFor(ctx, c.Person)
	if err != nil {
		return 0, "", err
	}
	for _, o := range obs {
		if o.TaskKey != t.Key || day < o.PeriodStart || day > o.PeriodEnd {
			continue
		}
		if today <= o.PeriodEnd {
			return 0, rest, nil // this week's: an ordinary note
		}
		return o.PeriodStart, rest, nil
	}
	return 0, "", c.userError(campaignbot.EINVALID, "note.no_week", day, e.title(t.Title, t.TitleEn))
}

// cmdSubmit offers the tasks the person owes, or takes content for one:
// `/submit TASK [WEEK] [TEXT]`.
func (e *Engine) cmdSubmit(ctx context.Context, c *Context) error {
	key, text, _ := strings.Cut(strings.TrimSpace(c.Args), " ")
	if key == "" {
		return e.offerTasks(ctx, c, "", nil)
	}
	t := e.plan.Load().FindTask(key)
	if t == nil {
		return c.userError(campaignbot.ENOTFOUND, "submit.unknown_task", key)
	}
	if t.SatisfiedBy == campaignbot.SatisfiedByClaim {
		return c.userError(campaignbot.EINVALID, "submit.by_claim", e.title(t.Title, t.TitleEn))
	}
	week, text, err := e.weekArg(ctx, c, t, strings.TrimSpace(text))
	if err != nil {
		return err
	}
	// Content sent before the task was chosen is held in the dialog.
	d, err := e.store.FindDialog(ctx, c.Req.Platform, c.Req.AccountID)
	if err == nil && d.Name == dialogSubmit && d.Step == "choose" {
		c.Dialog = d
		c.Req.Attachments = d.State.Files
		return e.submitContent(ctx, c, t.Key, week, d.State.Text)
	}
	if text != "" || len(c.Req.Attachments) > 0 {
		return e.submitContent(ctx, c, t.Key, week, text)
	}
	return e.askContent(ctx, c, t.Key, week)
}

// askContent starts a dialog waiting for the content of a task (for a
// missed week, when week is set).
func (e *Engine) askContent(ctx context.Context, c *Context, taskKey string, week campaignbot.Date) error {
	t := e.plan.Load().FindTask(taskKey)
	if t == nil {
		return c.userError(campaignbot.ENOTFOUND, "submit.unknown_task", taskKey)
	}
	if err := e.checkOwes(c, t); err != nil {
		return err
	}
	if err := e.saveDialog(ctx, c, dialogSubmit, "content", campaignbot.DialogState{TaskKey: t.Key, Week: week}); err != nil {
		return err
	}
	if week != 0 {
		c.Reply("submit.ask_week", e.title(t.Title, t.TitleEn), week)
		return nil
	}
	if prompt := e.title(t.Prompt, t.PromptEn); prompt != "" {
		c.Reply("submit.ask_prompt", e.title(t.Title, t.TitleEn), prompt)
		return nil
	}
	c.Reply("submit.ask", e.title(t.Title, t.TitleEn))
	return nil
}

// offerTasks holds content sent without a task and asks which task it is for.
func (e *Engine) offerTasks(ctx context.Context, c *Context, text string, files []campaignbot.Attachment) error {
	obs, err := e.obligationsFor(ctx, c.Person)
	if err != nil {
		return err
	}
	today := e.today()
	seen := map[string]bool{}
	var rows [][]campaignbot.Button
	for _, o := range obs {
		t := e.plan.Load().FindTask(o.TaskKey)
		if t == nil || seen[t.Key] || t.SatisfiedBy == campaignbot.SatisfiedByClaim || !e.showObligation(o, today) {
			continue
		}
		seen[t.Key] = true
		rows = append(rows, []campaignbot.Button{{Text: e.title(t.Title, t.TitleEn), Data: "/submit " + t.Key}})
	}
	if !seen[taskNotes] && e.plan.Load().FindTask(taskNotes) != nil {
		t := e.plan.Load().FindTask(taskNotes)
		rows = append(rows, []campaignbot.Button{{Text: e.title(t.Title, t.TitleEn), Data: "/submit " + t.Key}})
	}
	if len(rows) == 0 {
		c.Reply("submit.nothing_owed")
		return nil
	}
	if text == "" && len(files) == 0 {
		// From /submit: nothing held yet.
		if err := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); err != nil {
			return fmt.Errorf("delete dialog: %w", err)
		}
		c.ReplyButtons(rows, "submit.choose")
		return nil
	}
	if err := e.checkContent(c, text, files); err != nil {
		return err
	}
	if err := e.saveDialog(ctx, c, dialogSubmit, "choose", campaignbot.DialogState{Text: text, Files: files}); err != nil {
		return err
	}
	c.ReplyButtons(rows, "submit.choose_for_content")
	return nil
}

// checkOwes refuses a task the person's roles do not owe (study notes are
// open to everyone) or whose phase has not begun.
func (e *Engine) checkOwes(c *Context, t *campaignbot.Task) error {
	owes := t.Key == taskNotes
	for _, r := range t.Roles {
		owes = owes || c.Person.HasRole(r)
	}
	if !owes {
		return c.userError(campaignbot.EFORBIDDEN, "submit.not_yours", e.title(t.Title, t.TitleEn))
	}
	if ph := e.plan.Load().FindPhase(t.Phase); ph != nil && e.today() < ph.Start {
		return c.userError(campaignbot.EINVALID, "submit.not_open", e.title(t.Title, t.TitleEn), ph.Start)
	}
	return nil
}

// checkContent refuses empty or oversized content.
func (e *Engine) checkContent(c *Context, text string, files []campaignbot.Attachment) error {
	if strings.TrimSpace(text) == "" && len(files) == 0 {
		return c.userError(campaignbot.EINVALID, "submit.empty")
	}
	if n := utf8.RuneCountInString(text); n > MaxTextLen {
		return c.userError(campaignbot.EINVALID, "err.too_long", n, MaxTextLen)
	}
	return nil
}

// submitContent stores text and the request's attachments as a submission
// for the task (for the missed week starting week, when set) and
// acknowledges it after commit.
func (e *Engine) submitContent(ctx context.Context, c *Context, taskKey string, week campaignbot.Date, text string) error {
	t := e.plan.Load().FindTask(taskKey)
	if t == nil {
		return c.userError(campaignbot.ENOTFOUND, "submit.unknown_task", taskKey)
	}
	text = strings.TrimSpace(text)
	files := c.Req.Attachments
	if err := e.checkOwes(c, t); err != nil {
		return err
	}
	if err := e.checkContent(c, text, files); err != nil {
		return err
	}
	late, owed, err := e.isLate(ctx, c.Person, t, week)
	if err != nil {
		return err
	}
	s := &campaignbot.Submission{
		TaskKey:      t.Key,
		PersonID:     c.Person.ID,
		DepartmentID: c.Person.DepartmentID,
		Text:         text,
		Attachments:  files,
		Late:         late,
		Week:         week,
	}
	if t.Review != campaignbot.ReviewNone {
		s.State = campaignbot.ReviewSubmitted
	}
	if err := e.store.CreateSubmission(ctx, s); err != nil {
		return fmt.Errorf("create submission: %w", err)
	}
	if c.Dialog != nil {
		// The content finished a dialog. Another dialog in progress (a
		// survey, say) is left alone by a self-contained /note.
		if err := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); err != nil {
			return fmt.Errorf("delete dialog: %w", err)
		}
	}
	title := e.title(t.Title, t.TitleEn)
	if week != 0 {
		title = c.T("tasks.week", title, week, week.AddDays(6))
	}
	lateText := c.T("submit.on_time")
	switch {
	case !owed:
		lateText = c.T("submit.no_task")
	case s.Late:
		lateText = c.T("submit.late")
	}
	c.Reply("submit.ok", title, s.Version, lateText, len(s.Attachments))
	if s.State == campaignbot.ReviewSubmitted {
		return e.tellReviewer(ctx, c, t, s)
	}
	return nil
}

// isLate reports whether submitting for t today (for the missed week
// starting week, when set) is after its due date, and whether it counts
// toward anything p owes: a note from someone who owes none, or after its
// phase, counts toward no week. The period is the week's (this week's
// when week is 0) for a weekly task; otherwise the first not done, else
// the latest.
func (e *Engine) isLate(ctx context.Context, p *campaignbot.Person, t *campaignbot.Task, week campaignbot.Date) (late, owed bool, err error) {
	obs, err := e.obligationsFor(ctx, p)
	if err != nil {
		return false, false, err
	}
	today := e.today()
	var mine []campaignbot.Obligation
	for _, o := range obs {
		if o.TaskKey == t.Key {
			mine = append(mine, o)
		}
	}
	if t.Cardinality == campaignbot.EveryWeek {
		if week == 0 {
			week = today
		}
		for _, o := range mine {
			if week >= o.PeriodStart && week <= o.PeriodEnd {
				return today > o.Due, true, nil
			}
		}
		return false, false, nil
	}
	for _, o := range mine {
		if o.Status != campaignbot.StatusDone {
			return today > o.Due, true, nil
		}
	}
	if n := len(mine); n > 0 {
		return today > mine[n-1].Due, true, nil
	}
	// Held by a role granted after the task's period: still taken, as
	// late as its due date says.
	due := t.Due
	if ph := e.plan.Load().FindPhase(t.Phase); due == 0 && ph != nil {
		due = ph.End
	}
	return today > due, true, nil
}

// tellReviewer tells whoever reviews t that a version waits for them.
func (e *Engine) tellReviewer(ctx context.Context, c *Context, t *campaignbot.Task, s *campaignbot.Submission) error {
	ids, err := e.reviewersOf(ctx, t, c.Person)
	if err != nil {
		return err
	}
	text := c.T("review.waiting_notice", c.Person.Name, e.title(t.Title, t.TitleEn), s.Version)
	for _, id := range ids {
		key := fmt.Sprintf("notice:review:%d:%d", s.ID, id)
		if err := e.tell(ctx, c, id, campaignbot.KindNotice, key, text, nil); err != nil {
			return err
		}
	}
	return nil
}

// reviewersOf returns who reviews author's submissions of t: the leader in
// charge of the author's department, or the head(s); nobody (an empty
// list) for a task without review.
func (e *Engine) reviewersOf(ctx context.Context, t *campaignbot.Task, author *campaignbot.Person) ([]int64, error) {
	if t.Review == campaignbot.ReviewNone {
		return []int64{}, nil
	}
	people, err := e.store.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return nil, fmt.Errorf("find reviewers: %w", err)
	}
	if t.Review == campaignbot.ReviewLeaderInCharge {
		if l := campaignbot.LeadersInCharge(people)[author.DepartmentID]; l != 0 {
			return []int64{l}, nil
		}
		// No leader in charge: the head reviews.
	}
	var ids []int64
	for _, p := range people {
		if p.HasRole(campaignbot.RoleHead) {
			ids = append(ids, p.ID)
		}
	}
	return ids, nil
}

// cmdMine lists what the person has submitted, newest first.
func (e *Engine) cmdMine(ctx context.Context, c *Context) error {
	subs, err := e.store.FindSubmissions(ctx, campaignbot.SubmissionFilter{PersonID: &c.Person.ID, Limit: 20})
	if err != nil {
		return fmt.Errorf("find submissions: %w", err)
	}
	if len(subs) == 0 {
		c.Reply("mine.none")
		return nil
	}
	var b strings.Builder
	b.WriteString(c.T("mine.header", len(subs)))
	loc := e.plan.Load().Loc()
	for _, s := range subs {
		title := s.TaskKey
		if t := e.plan.Load().FindTask(s.TaskKey); t != nil {
			title = e.title(t.Title, t.TitleEn)
		}
		flags := ""
		if s.Late {
			flags += c.T("tasks.late_mark")
		}
		if s.State != campaignbot.ReviewNotRequired {
			flags += " " + c.T("state."+string(s.State))
		}
		b.WriteString("\n" + c.T("mine.line", s.SubmittedAt.In(loc).Format("01-02 15:04"), title, s.Version, flags, excerpt(s.Text, 30), len(s.Attachments)))
	}
	c.ReplyRendered(b.String())
	return nil
}

// excerpt shortens s to n characters on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// cmdOpinion records an opinion, named or anonymous, or asks for it.
func (e *Engine) cmdOpinion(ctx context.Context, c *Context) error {
	anon := c.Word == "匿名意见"
	text := c.Args
	if first, rest, _ := strings.Cut(text, " "); first == "anon" || first == "匿名" {
		anon, text = true, strings.TrimSpace(rest)
	} else if text == "anon" || text == "匿名" {
		anon, text = true, ""
	}
	if anon {
		c.Req.Anonymous = true
	}
	if text == "" {
		if err := e.saveDialog(ctx, c, dialogOpinion, "text", campaignbot.DialogState{Anonymous: anon}); err != nil {
			return err
		}
		if anon {
			c.Reply("opinion.ask_anon")
		} else {
			c.Reply("opinion.ask")
		}
		return nil
	}
	return e.createOpinion(ctx, c, text, anon)
}

// createOpinion stores the opinion. For an anonymous one, the dialog goes in
// the same transaction (and the intake blanks the raw update in it too), so
// nothing ties text to sender.
func (e *Engine) createOpinion(ctx context.Context, c *Context, text string, anon bool) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return c.userError(campaignbot.EINVALID, "opinion.empty")
	}
	if n := utf8.RuneCountInString(text); n > MaxTextLen {
		return c.userError(campaignbot.EINVALID, "err.too_long", n, MaxTextLen)
	}
	op := &campaignbot.Opinion{Anonymous: anon, Text: text, Day: e.today()}
	if !anon {
		op.AuthorID = c.Person.ID
	}
	if err := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); err != nil {
		return fmt.Errorf("delete dialog: %w", err)
	}
	if err := e.store.CreateOpinion(ctx, op); err != nil {
		return fmt.Errorf("create opinion: %w", err)
	}
	if anon {
		c.Reply("opinion.ok_anon")
	} else {
		c.Reply("opinion.ok")
	}
	return nil
}

// cmdLeave records, lists and cancels absences: `/leave FROM [TO]` (one
// day without TO), `/leave list`, `/leave cancel N`. The office may name
// the person first: `/leave NAME FROM [TO]`, `/leave list NAME`.
func (e *Engine) cmdLeave(ctx context.Context, c *Context) error {
	f := strings.Fields(c.Args)
	if len(f) == 0 {
		return c.userError(campaignbot.EINVALID, "leave.usage")
	}
	switch f[0] {
	case "list", "列表", "查看":
		who, err := e.leaveSubject(ctx, c, f[1:])
		if err != nil {
			return err
		}
		return e.leaveList(ctx, c, who)
	case "cancel", "取消", "撤销":
		if len(f) != 2 {
			return c.userError(campaignbot.EINVALID, "leave.usage")
		}
		id, ok := parseNumber(f[1])
		if !ok {
			return c.userError(campaignbot.EINVALID, "leave.usage")
		}
		return e.leaveCancel(ctx, c, id)
	}
	who := c.Person
	if _, err := campaignbot.ParseChatDate(f[0], e.today()); err != nil {
		var err error
		if who, err = e.leaveSubject(ctx, c, f[:1]); err != nil {
			return err
		}
		f = f[1:]
	}
	if len(f) != 1 && len(f) != 2 {
		return c.userError(campaignbot.EINVALID, "leave.usage")
	}
	from, err := campaignbot.ParseChatDate(f[0], e.today())
	if err != nil {
		return c.userError(campaignbot.EINVALID, "leave.usage")
	}
	to := from
	if len(f) == 2 {
		if to, err = campaignbot.ParseChatDate(f[1], e.today()); err != nil {
			return c.userError(campaignbot.EINVALID, "leave.usage")
		}
	}
	today := e.today()
	switch {
	case to < from:
		return c.userError(campaignbot.EINVALID, "leave.order")
	case to < today:
		return c.userError(campaignbot.EINVALID, "leave.past")
	case to-from > 180:
		return c.userError(campaignbot.EINVALID, "leave.too_long")
	}
	l := &campaignbot.Leave{PersonID: who.ID, From: from, To: to}
	if err := e.store.CreateLeave(ctx, l); err != nil {
		return fmt.Errorf("create leave: %w", err)
	}
	if who.ID == c.Person.ID {
		c.Reply("leave.ok", l.ID, from, to, to.AddDays(1))
		return nil
	}
	c.Reply("leave.ok_for", who.Name, l.ID, from, to, to.AddDays(1))
	key := fmt.Sprintf("notice:leave:%d", l.ID)
	return e.tell(ctx, c, who.ID, campaignbot.KindNotice, key, c.T("leave.notice", c.Person.Name, from, to, to.AddDays(1), l.ID), nil)
}

// leaveSubject is whom a leave command is about: the person named in args,
// which only the office may name, else the sender.
func (e *Engine) leaveSubject(ctx context.Context, c *Context, args []string) (*campaignbot.Person, error) {
	if len(args) == 0 {
		return c.Person, nil
	}
	if !c.Person.HasRole(campaignbot.RoleOffice) {
		return nil, c.userError(campaignbot.EINVALID, "leave.usage")
	}
	return e.personArg(ctx, c, args[0])
}

// leaveList lists who's leave that has not ended, with the numbers
// /leave cancel takes.
func (e *Engine) leaveList(ctx context.Context, c *Context, who *campaignbot.Person) error {
	ls, err := e.store.FindLeaves(ctx, who.ID)
	if err != nil {
		return fmt.Errorf("find leaves: %w", err)
	}
	today := e.today()
	var b strings.Builder
	for _, l := range ls {
		if l.To >= today {
			b.WriteString("\n" + c.T("leave.line", l.ID, l.From, l.To, l.To.AddDays(1)))
		}
	}
	if b.Len() == 0 {
		c.Reply("leave.none", who.Name)
		return nil
	}
	c.ReplyRendered(c.T("leave.list_header", who.Name) + b.String() + "\n" + c.T("leave.list_footer"))
	return nil
}

// leaveCancel cancels leave id: the sender's own, or anyone's for the office.
func (e *Engine) leaveCancel(ctx context.Context, c *Context, id int64) error {
	owner := c.Person.ID
	if c.Person.HasRole(campaignbot.RoleOffice) {
		all, err := e.store.FindAllLeaves(ctx)
		if err != nil {
			return fmt.Errorf("find leaves: %w", err)
		}
		for _, l := range all {
			if l.ID == id {
				owner = l.PersonID
			}
		}
	}
	err := e.store.DeleteLeave(ctx, owner, id)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return c.userError(campaignbot.ENOTFOUND, "leave.no_leave", id)
	} else if err != nil {
		return fmt.Errorf("cancel leave: %w", err)
	}
	c.Reply("leave.cancelled", id)
	return nil
}

// cmdCancel leaves the current dialog.
func (e *Engine) cmdCancel(ctx context.Context, c *Context) error {
	if d, err := e.store.FindDialog(ctx, c.Req.Platform, c.Req.AccountID); campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		c.Reply("cancel.nothing")
		return nil
	} else if err != nil {
		return fmt.Errorf("find dialog: %w", err)
	} else if d.State.Anonymous || d.Name == campaignbot.DialogAnonymousExpired {
		c.Req.Anonymous = true
	}
	if err := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); err != nil {
		return fmt.Errorf("delete dialog: %w", err)
	}
	c.Reply("cancel.ok")
	return nil
}

// saveDialog stores the dialog state of the requesting account.
func (e *Engine) saveDialog(ctx context.Context, c *Context, name, step string, st campaignbot.DialogState) error {
	d := &campaignbot.Dialog{
		Platform: c.Req.Platform, AccountID: c.Req.AccountID,
		Name: name, Step: step, State: st, UpdatedAt: e.clock.Now(),
	}
	if err := e.store.SaveDialog(ctx, d); err != nil {
		return fmt.Errorf("save dialog: %w", err)
	}
	return nil
}

// dialogTTL is how long an untouched dialog waits before it is forgotten.
const dialogTTL = 24 * time.Hour

// continueDialog feeds a message to the dialog in progress. A message
// to an anonymous dialog is part of the anonymous act; one that comes after
// the dialog ended (it expired, or the nightly maintenance dropped it) is
// neither stored nor taken as named content: the member meant it to be
// anonymous.
func (e *Engine) continueDialog(ctx context.Context, c *Context) error {
	d := c.Dialog
	stale := e.clock.Now().Sub(d.UpdatedAt) > dialogTTL
	if d.State.Anonymous || d.Name == campaignbot.DialogAnonymousExpired {
		c.Req.Anonymous = true
		if stale || d.Name == campaignbot.DialogAnonymousExpired {
			if err := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); err != nil {
				return fmt.Errorf("delete dialog: %w", err)
			}
			c.Reply("anon.expired")
			return nil
		}
	}
	if stale {
		if err := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); err != nil {
			return fmt.Errorf("delete dialog: %w", err)
		}
		c.Dialog = nil
		return e.offerTasks(ctx, c, c.Text, c.Req.Attachments)
	}
	switch d.Name {
	case dialogSubmit:
		if d.Step == "content" {
			return e.submitContent(ctx, c, d.State.TaskKey, d.State.Week, c.Text)
		}
		// More content while the task is being chosen (the next page of a
		// note, photo by photo): it joins what is held.
		text := strings.TrimSpace(strings.Join([]string{d.State.Text, c.Text}, "\n"))
		files := append(d.State.Files, c.Req.Attachments...)
		return e.offerTasks(ctx, c, text, files)
	case dialogOpinion:
		return e.createOpinion(ctx, c, c.Text, d.State.Anonymous)
	case dialogSurvey:
		return e.surveyAnswer(ctx, c)
	case dialogProblem:
		return e.problemStep(ctx, c)
	case dialogReview:
		return e.reviewCommentStep(ctx, c)
	case dialogAnnounce:
		return e.announceStep(ctx, c)
	}
	if err := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); err != nil {
		return fmt.Errorf("delete dialog: %w", err)
	}
	c.Reply("hint.help")
	return nil
}
