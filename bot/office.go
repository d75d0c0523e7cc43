package bot

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"campaignbot"
)

// DeepLink returns the Telegram deep link for an invite code, or "" when the
// bot's user name is unknown.
func DeepLink(botName, code string) string {
	if botName == "" {
		return ""
	}
	return "https://t.me/" + botName + "?start=" + code
}

// cmdInvite creates an invite code for a roster entry.
func (e *Engine) cmdInvite(ctx context.Context, c *Context) error {
	name := strings.TrimSpace(c.Args)
	if name == "" {
		return c.userError(campaignbot.EINVALID, "invite.usage")
	}
	p, err := e.store.FindPersonByName(ctx, name)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return c.userError(campaignbot.ENOTFOUND, "err.no_person", name)
	} else if err != nil {
		return fmt.Errorf("find person: %w", err)
	}
	inv, err := e.store.CreateInvite(ctx, p.ID)
	if err != nil {
		return fmt.Errorf("create invite: %w", err)
	}
	expires := inv.ExpiresAt.In(e.plan.Load().Loc()).Format("2006-01-02 15:04")
	if link := DeepLink(e.BotName(), inv.Code); link != "" {
		c.Reply("invite.ok_link", p.Name, inv.Code, link, expires)
	} else {
		c.Reply("invite.ok", p.Name, inv.Code, expires)
	}
	return nil
}

// Prepare computes a report command's answer (/digest, /overdue) before
// the message's transaction. At 100,000 people a digest reads and computes
// for a couple of seconds; inside the transaction that would hold the
// store's only writer, and no other message could even be stored
// meanwhile (measured: 22 /digest at 100,000 people kept 2,000 notes out
// of the store for 5 minutes). The reads see the store as it is just
// before the transaction, as they would a moment earlier inside it. A
// failure here is left for Handle, which computes the answer in the
// transaction and reports what went wrong.
func (e *Engine) Prepare(ctx context.Context, req *Request) {
	if e.reporter == nil || req.Callback != "" || req.Reachable != nil || req.InGroup {
		return
	}
	name, _, ok := e.parseCommand(strings.TrimSpace(req.Text))
	cmd := e.byName[name]
	if !ok || cmd == nil || cmd.Name != "digest" && cmd.Name != "overdue" {
		return
	}
	_, p, err := e.store.FindPersonByAccount(ctx, req.Platform, req.AccountID)
	if err != nil || p == nil {
		return
	}
	r := &preparedReport{command: cmd.Name, personID: p.ID, day: e.today()}
	r.text, r.files, err = e.report(ctx, r.command, req.Platform, p.ID, r.day)
	if err != nil {
		return
	}
	req.report = r
}

// report renders the report command's answer for the person.
func (e *Engine) report(ctx context.Context, command string, platform campaignbot.Platform, personID int64, day campaignbot.Date) (string, []campaignbot.Attachment, error) {
	if command == "overdue" {
		text, err := e.reporter.OverdueFor(ctx, personID, day)
		if err != nil {
			return "", nil, fmt.Errorf("overdue: %w", err)
		}
		return text, nil, nil
	}
	if cr, ok := e.reporter.(ChartReporter); ok && platform != campaignbot.PlatformConsole {
		text, files, err := cr.DigestWithChart(ctx, personID, day)
		if err != nil {
			return "", nil, fmt.Errorf("digest: %w", err)
		}
		return text, files, nil
	}
	text, err := e.reporter.Digest(ctx, personID, day)
	if err != nil {
		return "", nil, fmt.Errorf("digest: %w", err)
	}
	return text, nil, nil
}

// prepared returns the answer Prepare computed for this command and
// person, if any.
func (c *Context) prepared(command string) *preparedReport {
	r := c.Req.report
	if r == nil || r.command != command || c.Person == nil || r.personID != c.Person.ID || r.day != c.e.today() {
		return nil
	}
	return r
}

// cmdDigest renders today's digest for the person.
func (e *Engine) cmdDigest(ctx context.Context, c *Context) error {
	return e.replyReport(ctx, c, "digest")
}

// cmdOverdue lists who is overdue in the leader's departments.
func (e *Engine) cmdOverdue(ctx context.Context, c *Context) error {
	return e.replyReport(ctx, c, "overdue")
}

// replyReport answers a report command with what Prepare computed for it,
// or computes it now.
func (e *Engine) replyReport(ctx context.Context, c *Context, command string) error {
	if e.reporter == nil {
		return c.userError(campaignbot.EINVALID, "err.no_scheduler")
	}
	if r := c.prepared(command); r != nil {
		c.replies = append(c.replies, Reply{Text: r.text, Files: r.files})
		return nil
	}
	text, files, err := e.report(ctx, command, c.Req.Platform, c.Person.ID, e.today())
	if err != nil {
		return err
	}
	c.replies = append(c.replies, Reply{Text: text, Files: files})
	return nil
}

// dialogAnnounce waits for the sender to confirm an announcement's
// audience.
const dialogAnnounce = "announce"

// maxButtonData is the longest button data every platform takes, in bytes
// (Telegram's callback_data: 64).
const maxButtonData = 64

// cmdAnnounce sends an announcement to a role, a department, or everyone:
// /announce [ROLE|DEPT|全体] TEXT. A first word that names none of them
// may be a mistyped department (/announce 科技管里科 …): the announcement
// then goes to everyone only once the sender confirms it, and the
// department nearest the word is offered instead (SPEC §4).
func (e *Engine) cmdAnnounce(ctx context.Context, c *Context) error {
	if e.reporter == nil {
		return c.userError(campaignbot.EINVALID, "err.no_scheduler")
	}
	// A new /announce replaces one waiting for confirmation.
	if d, err := e.store.FindDialog(ctx, c.Req.Platform, c.Req.AccountID); err == nil && d.Name == dialogAnnounce {
		if err := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); err != nil {
			return fmt.Errorf("delete dialog: %w", err)
		}
	} else if err != nil && campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
		return fmt.Errorf("find dialog: %w", err)
	}
	text := strings.TrimSpace(c.Args)
	first, rest := firstWord(text)
	if first == "" {
		return c.userError(campaignbot.EINVALID, "announce.usage")
	}
	if everyoneWord(first) {
		return e.announce(ctx, c, "", rest)
	}
	target, err := e.audience(ctx, first)
	if err != nil {
		return err
	}
	if target != "" {
		return e.announce(ctx, c, target, rest)
	}
	if err := e.checkContent(c, text, nil); err != nil {
		return err
	}
	if err := e.saveDialog(ctx, c, dialogAnnounce, "confirm", campaignbot.DialogState{Text: text}); err != nil {
		return err
	}
	return e.askAudience(ctx, c, first, "announce.confirm")
}

// askAudience asks the sender to confirm that the announcement goes to
// everyone, offering the department or role nearest the first word.
func (e *Engine) askAudience(ctx context.Context, c *Context, first, key string) error {
	people, err := e.store.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return fmt.Errorf("find people: %w", err)
	}
	buttons := [][]campaignbot.Button{{{Text: c.T("announce.button_everyone", len(people)), Data: c.T("announce.yes")}}}
	var text string
	if key == "announce.confirm" {
		text = c.T(key, first, len(people))
	} else {
		text = c.T(key, len(people))
	}
	if near, n, err := e.nearestAudience(ctx, first, people); err != nil {
		return err
	} else if near != "" {
		text += "\n" + c.T("announce.confirm_suggest", near, n)
		// A name too long for a button's data is offered in the text only.
		if len(near) <= maxButtonData {
			buttons[0] = append(buttons[0], campaignbot.Button{Text: c.T("announce.button_target", near), Data: near})
		}
	}
	buttons = append(buttons, []campaignbot.Button{{Text: c.T("announce.button_cancel"), Data: "/cancel"}})
	c.replies = append(c.replies, Reply{Text: text, Buttons: buttons})
	return nil
}

// nearestAudience returns the department or role word nearest word (one
// wrong character in a short name, two in a longer one) and how many
// people it names; "" if none is that near.
func (e *Engine) nearestAudience(ctx context.Context, word string, people []*campaignbot.Person) (string, int, error) {
	depts, err := e.store.FindDepartments(ctx)
	if err != nil {
		return "", 0, fmt.Errorf("find departments: %w", err)
	}
	known := campaignbot.RoleWords()
	for _, d := range depts {
		known = append(known, d.Name)
	}
	edits := 1
	if utf8.RuneCountInString(word) > 4 {
		edits = 2
	}
	near := campaignbot.Closest(word, known, edits)
	if near == "" {
		return "", 0, nil
	}
	n := 0
	r, isRole := campaignbot.ParseRole(near)
	for _, p := range people {
		if (isRole && p.HasRole(r)) || (!isRole && p.Department == near) {
			n++
		}
	}
	return near, n, nil
}

// announceStep takes the sender's answer to askAudience: yes sends to
// everyone, a department or role sends there (without the mistyped first
// word), anything else asks again.
func (e *Engine) announceStep(ctx context.Context, c *Context) error {
	if cmd := e.byName["announce"]; !cmd.Allowed(c.Person) {
		// The roles changed since the question was asked.
		if err := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); err != nil {
			return fmt.Errorf("delete dialog: %w", err)
		}
		return c.userError(campaignbot.EFORBIDDEN, "err.forbidden", "/"+cmd.Name, e.roleNames(cmd.Roles))
	}
	text := c.Dialog.State.Text
	answer := strings.TrimSpace(c.Text)
	target := ""
	if !yesWord(answer) && !everyoneWord(answer) {
		t, err := e.audience(ctx, answer)
		if err != nil {
			return err
		}
		if t == "" {
			first, _ := firstWord(text)
			return e.askAudience(ctx, c, first, "announce.confirm_again")
		}
		target = t
		if _, rest := firstWord(text); rest != "" {
			text = rest
		}
	}
	if err := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); err != nil {
		return fmt.Errorf("delete dialog: %w", err)
	}
	return e.announce(ctx, c, target, text)
}

// announce sends text to target ("" for everyone) and tells the sender
// what it came to.
func (e *Engine) announce(ctx context.Context, c *Context, target, text string) error {
	if text == "" {
		return c.userError(campaignbot.EINVALID, "announce.usage")
	}
	if err := e.checkContent(c, text, nil); err != nil {
		return err
	}
	rep, err := e.reporter.Announce(ctx, c.Person.ID, target, text, c.Req.Key())
	if err != nil {
		return fmt.Errorf("announce: %w", err)
	}
	var lines []string
	if rep.Now > 0 {
		lines = append(lines, c.T("announce.sent", rep.Now))
	}
	if rep.Held > 0 {
		until := rep.HeldUntil.In(e.plan.Load().Loc()).Format("2006-01-02 15:04")
		lines = append(lines, c.T("announce.held", until, rep.Held))
	}
	if rep.Now+rep.Held == 0 {
		lines = append(lines, c.T("announce.nobody"))
	}
	if n := len(rep.Unreachable); n > 0 {
		lines = append(lines, c.T("announce.unreachable", n, e.names(rep.Unreachable)))
	}
	if n := len(rep.Unbound); n > 0 {
		lines = append(lines, c.T("announce.unbound", n, e.names(rep.Unbound)))
	}
	c.ReplyRendered(strings.Join(lines, "\n"))
	return nil
}

// firstWord splits text at its first white space (any: a new line, an
// ideographic space).
func firstWord(text string) (first, rest string) {
	text = strings.TrimSpace(text)
	i := strings.IndexFunc(text, unicode.IsSpace)
	if i < 0 {
		return text, ""
	}
	return text[:i], strings.TrimSpace(text[i:])
}

// everyoneWord reports whether word names everyone as an announcement's
// audience: then no confirmation is asked.
func everyoneWord(word string) bool {
	switch strings.ToLower(word) {
	case "全体", "全体人员", "所有人", "全员", "all", "everyone":
		return true
	}
	return false
}

// yesWord reports whether word confirms, in either language.
func yesWord(word string) bool {
	switch strings.ToLower(strings.Trim(word, "。.!！ ")) {
	case "确认", "确定", "是", "是的", "发送", "好", "yes", "y", "ok", "confirm", "send":
		return true
	}
	return false
}

// audience returns the announcement target that word names: a role's key
// for any of the role's words (a role wins over a department of the same
// name, as 办公室 may be both), or a department's name; "" for neither.
func (e *Engine) audience(ctx context.Context, word string) (string, error) {
	if r, ok := campaignbot.ParseRole(word); ok {
		return string(r), nil
	}
	depts, err := e.store.FindDepartments(ctx)
	if err != nil {
		return "", fmt.Errorf("find departments: %w", err)
	}
	for _, d := range depts {
		if d.Name == word {
			return d.Name, nil
		}
	}
	return "", nil
}

// cmdExport sends the workbook as a file.
func (e *Engine) cmdExport(ctx context.Context, c *Context) error {
	if e.exporter == nil {
		return c.userError(campaignbot.EINVALID, "err.no_exporter")
	}
	var buf bytes.Buffer
	if err := e.exporter(ctx, &buf); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	name := "campaignbot-" + e.today().String() + ".xlsx"
	att, err := e.store.SaveAttachment(ctx, name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
	if err != nil {
		return fmt.Errorf("save workbook: %w", err)
	}
	c.ReplyFiles([]campaignbot.Attachment{*att}, "export.ok", name, buf.Len()/1024+1)
	return nil
}
