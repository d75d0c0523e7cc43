package bot

import (
	"context"
	"fmt"
	"time"

	"campaignbot"
)

// PlatformWeb is the platform of requests the web console makes of the
// engine (Act). No chat account is bound on it: replies go back to the page.
const PlatformWeb campaignbot.Platform = "web"

// WebLinker makes a one-time login link to the web console for a person;
// main fills it with the web package's, and without it /web says the
// console is not set up.
type WebLinker func(ctx context.Context, personID int64) (url string, expires time.Time, err error)

// WithWebLinker sets what /web uses to make login links.
func WithWebLinker(f WebLinker) Option { return func(e *Engine) { e.webLinker = f } }

// cmdWeb replies with a one-time link to the web console (SPEC §11).
func (e *Engine) cmdWeb(ctx context.Context, c *Context) error {
	if e.webLinker == nil {
		return c.userError(campaignbot.EINVALID, "web.not_configured")
	}
	if c.Req.ChatID != "" && c.Req.ChatID != c.Req.AccountID && c.Req.Platform == campaignbot.PlatformTelegram {
		// A login link said in a group is a login for everyone there.
		return c.userError(campaignbot.EINVALID, "web.private_only")
	}
	url, expires, err := e.webLinker(ctx, c.Person.ID)
	if err != nil {
		return fmt.Errorf("web link: %w", err)
	}
	c.Reply("web.link", url, expires.In(e.plan.Load().Loc()).Format("15:04"))
	return nil
}

// Allowed reports whether p may run the chat command name (or alias): the
// web console asks it before each page and action, so that the chat and
// the console answer from the one command table (SPEC §9).
func (e *Engine) Allowed(p *campaignbot.Person, name string) bool {
	cmd, ok := e.byName[name]
	return ok && p != nil && cmd.Allowed(p)
}

// Act runs one chat command for p on behalf of the web console, as if p
// had typed text with files attached, and returns the replies' texts. The
// command goes through the same role check, handler and notifications as
// in chat; a refusal is a *campaignbot.Error whose message is the reply
// the chat would give. Callers run it inside the store's Atomic, as the
// intake does, so that its effects and notices commit together.
func (e *Engine) Act(ctx context.Context, p *campaignbot.Person, text string, files []campaignbot.Attachment) ([]string, error) {
	c := e.webContext(p, text, files)
	name, args, ok := e.parseCommand(text)
	cmd := e.byName[name]
	if !ok || cmd == nil {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "%s", c.T("err.unknown_command", name))
	}
	c.Cmd, c.Word, c.Args = cmd, name, args
	return e.finishAct(ctx, c, e.recoverer(e.chain(cmd))(ctx, c))
}

// FileProblem files a problem for p from the console's form, as the end of
// the /problem dialog does (st holds what the dialog would have gathered),
// and returns the reply's text.
func (e *Engine) FileProblem(ctx context.Context, p *campaignbot.Person, st campaignbot.DialogState) ([]string, error) {
	c := e.webContext(p, "", nil)
	c.Cmd = e.byName["problem"]
	err := e.requireRole(c.Cmd, func(ctx context.Context, c *Context) error { return e.fileProblem(ctx, c, st) })(ctx, c)
	return e.finishAct(ctx, c, err)
}

// Tell puts a notice for a person in the outbox on every platform they are
// bound on; key makes it idempotent.
func (e *Engine) Tell(ctx context.Context, personID int64, key, text string) error {
	return e.tell(ctx, nil, personID, campaignbot.KindNotice, key, text, nil)
}

// webContext is the request context of a console action by p.
func (e *Engine) webContext(p *campaignbot.Person, text string, files []campaignbot.Attachment) *Context {
	acc := fmt.Sprintf("web:%d", p.ID)
	req := &Request{Platform: PlatformWeb, AccountID: acc, ChatID: acc, Text: text, Attachments: files}
	return &Context{Req: req, Person: p, e: e}
}

// finishAct turns a console action's outcome into replies or an error. A
// dialog the command may have begun is dropped: a page has no next message.
func (e *Engine) finishAct(ctx context.Context, c *Context, err error) ([]string, error) {
	if derr := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); derr != nil && campaignbot.ErrorCode(derr) != campaignbot.ENOTFOUND {
		return nil, fmt.Errorf("delete dialog: %w", derr)
	}
	var ue *userError
	switch {
	case asUserError(err, &ue):
		return nil, &campaignbot.Error{Code: ue.code, Message: ue.text}
	case err != nil && campaignbot.ErrorCode(err) != campaignbot.EINTERNAL:
		return nil, &campaignbot.Error{Code: campaignbot.ErrorCode(err), Message: c.T("err."+campaignbot.ErrorCode(err), campaignbot.ErrorMessage(err))}
	case err != nil:
		return nil, err
	}
	texts := make([]string, len(c.replies))
	for i, r := range c.replies {
		texts[i] = r.Text
	}
	return texts, nil
}

// Reviewers returns who reviews a submission of task taskKey from the
// department: the rule of /review, for the console's pages.
func (e *Engine) Reviewers(ctx context.Context, taskKey string, departmentID int64) ([]int64, error) {
	t := e.plan.Load().FindTask(taskKey)
	if t == nil {
		return nil, nil
	}
	return e.reviewersOf(ctx, t, &campaignbot.Person{DepartmentID: departmentID})
}

// WaitingFor returns the latest versions waiting for personID's review,
// oldest first: the list of /review.
func (e *Engine) WaitingFor(ctx context.Context, personID int64) ([]*campaignbot.Submission, error) {
	return e.waitingFor(ctx, personID)
}

// Diff renders what changed from text a to text b as /review shows it:
// changed lines marked "+ " or "- ", a line of context around them.
func (e *Engine) Diff(a, b string) string { return renderDiff(lineDiff(a, b), 1) }
