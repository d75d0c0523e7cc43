package bot

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"unicode"

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

// cmdDigest renders today's digest for the person.
func (e *Engine) cmdDigest(ctx context.Context, c *Context) error {
	if e.reporter == nil {
		return c.userError(campaignbot.EINVALID, "err.no_scheduler")
	}
	if cr, ok := e.reporter.(ChartReporter); ok && c.Req.Platform != campaignbot.PlatformConsole {
		text, files, err := cr.DigestWithChart(ctx, c.Person.ID, e.today())
		if err != nil {
			return fmt.Errorf("digest: %w", err)
		}
		c.replies = append(c.replies, Reply{Text: text, Files: files})
		return nil
	}
	text, err := e.reporter.Digest(ctx, c.Person.ID, e.today())
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	c.ReplyRendered(text)
	return nil
}

// cmdOverdue lists who is overdue in the leader's departments.
func (e *Engine) cmdOverdue(ctx context.Context, c *Context) error {
	if e.reporter == nil {
		return c.userError(campaignbot.EINVALID, "err.no_scheduler")
	}
	text, err := e.reporter.OverdueFor(ctx, c.Person.ID, e.today())
	if err != nil {
		return fmt.Errorf("overdue: %w", err)
	}
	c.ReplyRendered(text)
	return nil
}

// cmdAnnounce sends an announcement to a role, a department, or everyone:
// /announce [ROLE|DEPT] TEXT. A first word that names neither stays in the
// text, which goes to everyone.
func (e *Engine) cmdAnnounce(ctx context.Context, c *Context) error {
	if e.reporter == nil {
		return c.userError(campaignbot.EINVALID, "err.no_scheduler")
	}
	target, text := "", strings.TrimSpace(c.Args)
	if i := strings.IndexFunc(text, unicode.IsSpace); i != 0 {
		first, rest := text, ""
		if i > 0 {
			first, rest = text[:i], strings.TrimSpace(text[i:])
		}
		t, err := e.audience(ctx, first)
		if err != nil {
			return err
		}
		if t != "" {
			target, text = t, rest
		}
	}
	if text == "" {
		return c.userError(campaignbot.EINVALID, "announce.usage")
	}
	if err := e.checkContent(c, text, nil); err != nil {
		return err
	}
	n, err := e.reporter.Announce(ctx, c.Person.ID, target, text, c.Req.Key())
	if err != nil {
		return fmt.Errorf("announce: %w", err)
	}
	c.Reply("announce.ok", n)
	return nil
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
