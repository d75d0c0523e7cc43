// Package bot is the chat engine: a platform-neutral request goes in,
// replies come out. Every platform adapter (console, Telegram, WeCom) only
// translates to and from it.
package bot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"campaignbot"
)

// Request is one inbound chat event in platform-neutral form.
type Request struct {
	Platform campaignbot.Platform
	// AccountID is the platform's user id (Telegram numeric id as text,
	// WeCom UserID, console person name).
	AccountID string
	// ChatID is where replies go.
	ChatID string
	// Thread is the forum topic of a group chat the message was posted
	// in: replies go there too.
	Thread string
	// InGroup marks a message posted in a group chat: what it says is
	// no longer secret (an invite code in it is revoked).
	InGroup bool
	// MessageID is the platform's message id (or callback id); with
	// Platform and ChatID it identifies the message for de-duplication.
	MessageID string
	Text      string
	// Attachments are files already fetched into the attachment store.
	Attachments []campaignbot.Attachment
	// ReplyTo is the platform message id this message replies to, if any.
	ReplyTo string
	// ReplyToButtons is the data of the buttons on the message replied to,
	// where the platform sends them: a prompt's submit button names its
	// task, so a reply finds the task even before (or without) the
	// outbox's record of the prompt.
	ReplyToButtons []string
	// Callback is the data of a pressed button, if this is a button press.
	Callback string
	Location *Location
	// Reachable, when set, says the account blocked the bot (false) or
	// came back (true): a platform event, not a message.
	Reachable *bool
	// Anonymous is set by the handler when the request was part of an
	// anonymous act (an anonymous opinion or survey, from the command that
	// starts it to the last answer): the intake then keeps no person,
	// chat or time for it once its replies are sent (SPEC §2).
	Anonymous bool

	// report is what Prepare computed for a report command, before the
	// message's transaction.
	report *preparedReport
}

// preparedReport is a report command's answer computed by Prepare for the
// person who sent it.
type preparedReport struct {
	command  string // "digest" or "overdue"
	personID int64
	day      campaignbot.Date
	text     string
	files    []campaignbot.Attachment
}

// Key identifies the message for de-duplication.
func (r *Request) Key() string {
	if r.MessageID == "" {
		return ""
	}
	return string(r.Platform) + ":" + r.ChatID + ":" + r.MessageID
}

// Location is a point the user shared.
type Location struct {
	Latitude, Longitude float64
}

// Reply is one message back to the requester.
type Reply struct {
	Text    string
	Buttons [][]campaignbot.Button
	Files   []campaignbot.Attachment
}

// Handler is what the intake calls. *Engine implements it.
type Handler interface {
	// Handle processes one request and returns the replies to send back to
	// req.ChatID. Messages for other people (notifications) the engine puts
	// in the outbox itself. The intake calls it inside a store transaction
	// (Atomic) that also holds the replies and the update's processed
	// mark: an error rolls all of it back, to be tried again.
	Handle(ctx context.Context, req *Request) ([]Reply, error)
}

// Preparer is a Handler that reads, before the transaction, what a
// request's answer needs: the intake calls Prepare outside the store
// transaction in which it then calls Handle.
type Preparer interface {
	Prepare(ctx context.Context, req *Request)
}

// Reporter renders the scheduler's reports for chat commands. main fills it
// with the scheduler so that /digest and the 08:30 job share one renderer.
type Reporter interface {
	Digest(ctx context.Context, personID int64, day campaignbot.Date) (string, error)
	OverdueFor(ctx context.Context, leaderID int64, day campaignbot.Date) (string, error)
	// Announce sends text to everyone target concerns and reports who
	// gets it now, who when quiet hours end, and who cannot be reached;
	// key names the chat message that asked, so a message processed twice
	// announces once.
	Announce(ctx context.Context, fromPersonID int64, target, text, key string) (campaignbot.Delivery, error)
}

// ChartReporter is a Reporter that can also draw the digest's chart.
type ChartReporter interface {
	DigestWithChart(ctx context.Context, personID int64, day campaignbot.Date) (string, []campaignbot.Attachment, error)
}

// Exporter writes the office's workbook.
type Exporter func(ctx context.Context, w io.Writer) error

// MaxTextLen is the longest text, in characters, that a submission, note or
// opinion may carry.
const MaxTextLen = 20000

// Engine routes requests to command handlers and dialogs.
type Engine struct {
	store    campaignbot.Store
	plan     atomic.Pointer[campaignbot.Plan]
	clock    campaignbot.Clock
	cat      *catalog
	log      *slog.Logger
	botName  atomic.Value // string
	notify   func()
	reporter Reporter
	exporter Exporter
	groups   []campaignbot.Platform // platforms with a campaign group (WithGroups)
	// webLinker makes the login links of /web (WithWebLinker).
	webLinker WebLinker

	commands []*Command
	byName   map[string]*Command
}

// Option configures an Engine.
type Option func(*Engine)

// WithClock sets the clock (tests move it).
func WithClock(c campaignbot.Clock) Option { return func(e *Engine) { e.clock = c } }

// WithLang selects the language of replies: "zh" (default) or "en".
func WithLang(lang string) Option { return func(e *Engine) { e.cat = newCatalog(lang) } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// WithBotName sets the Telegram bot user name, used for invite deep links.
func WithBotName(name string) Option { return func(e *Engine) { e.botName.Store(name) } }

// SetBotName sets the Telegram bot user name once it is known (from getMe).
func (e *Engine) SetBotName(name string) { e.botName.Store(name) }

// BotName returns the Telegram bot user name, or "".
func (e *Engine) BotName() string {
	s, _ := e.botName.Load().(string)
	return s
}

// WithNotify sets a function called after messages are put in the outbox, so
// the dispatcher wakes at once.
func WithNotify(f func()) Option { return func(e *Engine) { e.notify = f } }

// WithReporter sets what renders digests, overdue lists and announcements.
func WithReporter(r Reporter) Option { return func(e *Engine) { e.reporter = r } }

// WithExporter sets what writes the workbook for /export.
func WithExporter(x Exporter) Option { return func(e *Engine) { e.exporter = x } }

// New returns an engine over the store and plan.
func New(store campaignbot.Store, plan *campaignbot.Plan, opts ...Option) *Engine {
	e := &Engine{
		store:  store,
		clock:  campaignbot.SystemClock,
		cat:    newCatalog("zh"),
		log:    slog.New(slog.DiscardHandler),
		notify: func() {},
	}
	e.plan.Store(plan)
	for _, o := range opts {
		o(e)
	}
	e.commands = e.commandTable()
	e.byName = make(map[string]*Command)
	for _, c := range e.commands {
		e.byName[c.Name] = c
		for _, a := range c.Aliases {
			e.byName[a] = c
		}
	}
	return e
}

// Commands returns the command table, for /help, Telegram's setMyCommands
// and the WeCom menu.
func (e *Engine) Commands() []*Command { return e.commands }

// T returns the catalog text for key in the engine's language.
func (e *Engine) T(key string, args ...any) string { return e.cat.t(key, args...) }

// today returns the current day in the plan's time zone.
func (e *Engine) today() campaignbot.Date {
	return campaignbot.DateOf(e.clock.Now(), e.plan.Load().Loc())
}

// Handle implements Handler. A user's mistake becomes a reply; a failure
// of the store (or a panic) is returned, so that the intake rolls the
// message back and tries it again rather than answer "something went
// wrong" for a passing fault.
func (e *Engine) Handle(ctx context.Context, req *Request) ([]Reply, error) {
	acc, p, err := e.store.FindPersonByAccount(ctx, req.Platform, req.AccountID)
	if err != nil && campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
		return nil, fmt.Errorf("find sender: %w", err)
	}
	var rosterBound bool
	if p == nil && req.Reachable == nil && !req.InGroup && req.Platform == campaignbot.PlatformTelegram {
		// A numeric Telegram id in the roster: Telegram vouches for it,
		// and the first message binds it (SPEC §4).
		acc, p, err = e.store.BindRosterAccount(ctx, campaignbot.Account{Platform: req.Platform, AccountID: req.AccountID, ChatID: req.ChatID})
		switch {
		case err == nil:
			rosterBound = true
		case campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND:
			acc, p = nil, nil
		default:
			return nil, fmt.Errorf("bind by roster: %w", err)
		}
	}
	c := &Context{Req: req, e: e, Account: acc, Person: p}
	if rosterBound {
		c.Reply("start.roster_bound", p.Name, p.Department, e.roleNames(p.RoleList()))
		if name, _, _ := e.parseCommand(strings.TrimSpace(req.Text)); name == "start" {
			return c.replies, nil // welcomed: nothing else asked
		}
	}
	if req.Reachable != nil {
		if p != nil {
			if err := e.reachable(ctx, c, *req.Reachable); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	if p != nil && slices.Contains(p.Unreachable, req.Platform) {
		// They wrote: the chat works again, whatever refused a delivery
		// before (SPEC §6), and the digest stops naming them.
		if err := e.store.SetReachable(ctx, p.ID, req.Platform, true); err != nil {
			return nil, fmt.Errorf("set reachable: %w", err)
		}
	}
	if err := e.recoverer(e.route)(ctx, c); err != nil {
		var ue *userError
		if !asUserError(err, &ue) && campaignbot.ErrorCode(err) == campaignbot.EINTERNAL {
			return nil, err
		}
		e.replyError(c, err)
	}
	e.reportNotices(c)
	return c.replies, nil
}

// route decides what the request is: a command, a dialog step, a reply to
// a prompt, or content without context.
func (e *Engine) route(ctx context.Context, c *Context) error {
	req := c.Req
	if !utf8.ValidString(req.Text) || !utf8.ValidString(req.Callback) {
		return c.userError(campaignbot.EINVALID, "err.utf8")
	}
	text := strings.TrimSpace(req.Text)
	if req.Callback != "" {
		text = strings.TrimSpace(req.Callback)
	}
	name, args, isCmd := e.parseCommand(text)
	if isCmd {
		cmd, ok := e.byName[name]
		if !ok {
			return c.userError(campaignbot.EINVALID, "err.unknown_command", name)
		}
		c.Cmd, c.Word, c.Args = cmd, name, args
		return e.chain(cmd)(ctx, c)
	}
	if req.InGroup {
		// Chatter in a group reaches the engine only when a word in it
		// may be an invite code: no longer secret once posted.
		return e.revokeCodesIn(ctx, c, text)
	}
	if code, whole, ok := deepLinkIn(text, e.BotName()); ok && whole {
		// A pasted invite link is the code, not a wrong guess.
		c.Cmd, c.Word, c.Args = e.byName["start"], "start", code
		return e.chain(c.Cmd)(ctx, c)
	}
	if c.Person == nil && req.Platform == campaignbot.PlatformWeCom {
		return c.userError(campaignbot.EFORBIDDEN, "wecom.not_in_roster", req.AccountID)
	}
	if c.Person == nil {
		c.Reply("start.need_bind")
		return nil
	}
	c.Text = text
	if d, err := e.store.FindDialog(ctx, req.Platform, req.AccountID); err == nil {
		c.Dialog = d
		return e.continueDialog(ctx, c)
	} else if campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
		return fmt.Errorf("find dialog: %w", err)
	}
	if req.ReplyTo != "" {
		prompt, err := e.store.FindPrompt(ctx, req.Platform, req.ChatID, req.ReplyTo)
		if err == nil && prompt.TaskKey != "" {
			// A prompt about a missed week says which in its button.
			week := campaignbot.Date(0)
			for _, row := range prompt.Buttons {
				for _, b := range row {
					if args, ok := strings.CutPrefix(b.Data, "/submit "+prompt.TaskKey+" "); ok {
						if week, _, err = e.weekArg(ctx, c, e.plan.Load().FindTask(prompt.TaskKey), args); err != nil {
							return err
						}
					}
				}
			}
			return e.submitContent(ctx, c, prompt.TaskKey, week, text)
		} else if err != nil && campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
			return fmt.Errorf("find prompt: %w", err)
		}
		for _, data := range req.ReplyToButtons {
			args, ok := strings.CutPrefix(data, "/submit ")
			key, args, _ := strings.Cut(args, " ")
			if t := e.plan.Load().FindTask(key); ok && t != nil && t.SatisfiedBy == campaignbot.SatisfiedBySubmission {
				week, _, err := e.weekArg(ctx, c, t, args)
				if err != nil {
					return err
				}
				return e.submitContent(ctx, c, key, week, text)
			}
		}
	}
	if text != "" || len(req.Attachments) > 0 {
		return e.offerTasks(ctx, c, text, req.Attachments)
	}
	c.Reply("hint.help")
	return nil
}

// parseCommand splits "/name args" (or a Chinese alias followed by args) into
// name and args. "/name@BotName" is accepted.
func (e *Engine) parseCommand(text string) (name, args string, ok bool) {
	if text == "" {
		return "", "", false
	}
	first, rest, _ := strings.Cut(text, " ")
	rest = strings.TrimSpace(rest)
	if strings.HasPrefix(first, "/") {
		first = strings.TrimPrefix(first, "/")
		first, _, _ = strings.Cut(first, "@")
		return strings.ToLower(first), rest, true
	}
	if c, ok := e.byName[first]; ok && c.aliasOnly(first) {
		return first, rest, true
	}
	return "", "", false
}

// replyError turns a user's mistake into a reply: a user error's text as
// is, a coded store error through the catalog. Internal errors never get
// here: Handle returns them, for the intake to retry.
func (e *Engine) replyError(c *Context, err error) {
	var ue *userError
	if asUserError(err, &ue) {
		c.replies = append(c.replies, Reply{Text: ue.text})
		return
	}
	c.Reply("err."+campaignbot.ErrorCode(err), campaignbot.ErrorMessage(err))
}

// tell puts a message for a person in the outbox on every platform the
// person is bound on, and notes on c whether it can reach them, for
// reportNotices. key makes it idempotent.
func (e *Engine) tell(ctx context.Context, c *Context, personID int64, kind campaignbot.OutboxKind, key, text string, buttons [][]campaignbot.Button) error {
	p, err := e.store.FindPersonByID(ctx, personID)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return nil // no longer in the roster: nobody to tell
	} else if err != nil {
		return fmt.Errorf("find person: %w", err)
	}
	accs, err := e.store.FindAccountsByPerson(ctx, personID)
	if err != nil {
		return fmt.Errorf("find accounts: %w", err)
	}
	if c != nil { // nil: the web console's notices, which report nothing back
		c.notices = append(c.notices, notice{name: p.Name, reach: campaignbot.ReachOf(p, accs)})
	}
	var msgs []*campaignbot.OutboxMessage
	now := e.clock.Now()
	for _, a := range accs {
		msgs = append(msgs, &campaignbot.OutboxMessage{
			Key:      key + ":" + string(a.Platform),
			Platform: a.Platform,
			ChatID:   a.ChatID,
			PersonID: personID,
			Kind:     kind,
			Text:     text,
			Buttons:  buttons,
			Status:   campaignbot.OutboxPending,
			NextAt:   now,
		})
	}
	if len(msgs) == 0 {
		return nil
	}
	if _, err := e.store.EnqueueOutbox(ctx, msgs); err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	e.notify()
	return nil
}

// notice is a message tell queued for someone else, and its reach.
type notice struct {
	name  string
	reach campaignbot.Reach
}

// reportNotices tells the requester what became of the notices their
// message caused: who was told, and by name who was not (never bound) or
// may not be (every account refused the last delivery), so that they can
// pass it on themselves. It is added to the last reply.
func (e *Engine) reportNotices(c *Context) {
	if len(c.notices) == 0 {
		return
	}
	var told, unbound, unreachable []string
	for _, n := range c.notices {
		switch n.reach {
		case campaignbot.ReachBound:
			told = append(told, n.name)
		case campaignbot.ReachUnbound:
			unbound = append(unbound, n.name)
		case campaignbot.ReachUnreachable:
			unreachable = append(unreachable, n.name)
		}
	}
	var lines []string
	switch {
	case len(told) > 3:
		lines = append(lines, c.T("notice.told_many", len(told)))
	case len(told) > 0:
		lines = append(lines, c.T("notice.told", e.names(told)))
	}
	if len(unbound) > 0 {
		lines = append(lines, c.T("notice.unbound", e.names(unbound)))
	}
	if len(unreachable) > 0 {
		lines = append(lines, c.T("notice.unreachable", e.names(unreachable)))
	}
	text := strings.Join(lines, "\n")
	if n := len(c.replies); n > 0 {
		c.replies[n-1].Text += "\n" + text
	} else {
		c.replies = append(c.replies, Reply{Text: text})
	}
}

// maxNames is how many names a report lists before it counts the rest.
const maxNames = 20

// names joins names for a reply, the first maxNames of them.
func (e *Engine) names(names []string) string {
	s := strings.Join(names[:min(len(names), maxNames)], e.T("list.sep"))
	if len(names) > maxNames {
		s += e.T("list.sep") + e.T("announce.more", len(names)-maxNames)
	}
	return s
}

// reachable records that the sender's chat on the request's platform can
// be reached again, or not (a Telegram user blocked the bot; a WeCom member
// left the app's visible range). A change on WeCom is the administrator's
// doing, so the office is told (SPEC §6).
func (e *Engine) reachable(ctx context.Context, c *Context, reachable bool) error {
	p, pl := c.Person, c.Req.Platform
	was := !slices.Contains(p.Unreachable, pl)
	if err := e.store.SetReachable(ctx, p.ID, pl, reachable); err != nil {
		return fmt.Errorf("set reachable: %w", err)
	}
	if was == reachable || pl != campaignbot.PlatformWeCom {
		return nil
	}
	key := "fault.office.unsubscribed"
	if reachable {
		key = "fault.office.subscribed"
	}
	role := campaignbot.RoleOffice
	office, err := e.store.FindPeople(ctx, campaignbot.PersonFilter{Role: &role})
	if err != nil {
		return fmt.Errorf("find the office: %w", err)
	}
	for _, o := range office {
		if o.ID == p.ID {
			continue
		}
		k := fmt.Sprintf("notice:visible:%s:%d", c.Req.MessageID, o.ID)
		if err := e.tell(ctx, c, o.ID, campaignbot.KindNotice, k, c.T(key, p.Name), nil); err != nil {
			return err
		}
	}
	return nil
}
