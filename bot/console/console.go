// Package console runs the chat engine in a terminal: lines typed on stdin
// are messages, replies go to stdout. `/as NAME` switches which roster person
// is typing. It is what `campaignbot run` uses when no platform is set up,
// and what scripted tests drive.
package console

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"campaignbot"
	"campaignbot/bot"
)

// Store is what the console needs of the store besides the engine.
type Store interface {
	FindPersonByName(ctx context.Context, name string) (*campaignbot.Person, error)
	FindAccount(ctx context.Context, platform campaignbot.Platform, accountID string) (*campaignbot.Account, error)
	CreateInvite(ctx context.Context, personID int64) (*campaignbot.Invite, error)
	RedeemInvite(ctx context.Context, code string, acc campaignbot.Account) (*campaignbot.Person, error)
	ClaimOutbox(ctx context.Context, platform campaignbot.Platform, now time.Time, limit int) ([]*campaignbot.OutboxMessage, error)
	MarkOutboxSent(ctx context.Context, id int64, platformMessageID string, at time.Time) error
	AttachmentPath(sha256 string) string
}

// Console is the terminal adapter.
type Console struct {
	h     bot.Handler
	store Store
	in    io.Reader
	out   io.Writer
	clock campaignbot.Clock
	lang  string
	as    string // the roster name typing, "" before /as
	// interactive means a person types at a terminal: a prompt is shown
	// before each line, and the line is not echoed (the terminal did).
	interactive bool
	run         string // random per run, so message ids never repeat across runs
	seq         int
}

// Option configures a Console.
type Option func(*Console)

// WithClock sets the clock.
func WithClock(c campaignbot.Clock) Option { return func(c2 *Console) { c2.clock = c } }

// WithLang sets the language of the console's own lines ("zh" or "en").
func WithLang(lang string) Option { return func(c *Console) { c.lang = lang } }

// WithInteractive shows a prompt before each line instead of echoing the
// line read, for a person typing at a terminal.
func WithInteractive(on bool) Option { return func(c *Console) { c.interactive = on } }

// New returns a console reading in and writing out.
func New(h bot.Handler, store Store, in io.Reader, out io.Writer, opts ...Option) *Console {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	c := &Console{h: h, store: store, in: in, out: out, clock: campaignbot.SystemClock, lang: "zh", run: hex.EncodeToString(b)}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Run reads lines until end of input or ctx is done.
func (c *Console) Run(ctx context.Context) error {
	c.printf("%s\n", c.text("ready"))
	sc := bufio.NewScanner(c.in)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for c.showPrompt(); sc.Scan(); c.showPrompt() {
		if ctx.Err() != nil {
			return nil
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := c.handleLine(ctx, line); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	return nil
}

// handleLine runs one line: a console command or a message to the engine.
func (c *Console) handleLine(ctx context.Context, line string) error {
	if !c.interactive {
		c.printf("%s> %s\n", c.prompt(), line)
	}
	if name, ok := strings.CutPrefix(line, "/as "); ok {
		return c.switchTo(ctx, strings.TrimSpace(name))
	}
	c.seq++
	req := &bot.Request{
		Platform:  campaignbot.PlatformConsole,
		AccountID: c.account(),
		ChatID:    c.account(),
		MessageID: c.run + "-" + strconv.Itoa(c.seq),
		Text:      line,
	}
	replies, err := c.h.Handle(ctx, req)
	if err != nil {
		return fmt.Errorf("handle: %w", err)
	}
	for _, r := range replies {
		c.printReply(r)
	}
	return c.drainOutbox(ctx)
}

// switchTo makes name the person typing, binding the console account to the
// roster entry the first time (through an invite, like any other platform).
func (c *Console) switchTo(ctx context.Context, name string) error {
	p, err := c.store.FindPersonByName(ctx, name)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		c.printf("%s\n", fmt.Sprintf(c.text("no_person"), name))
		return nil
	} else if err != nil {
		return fmt.Errorf("find person: %w", err)
	}
	if _, err := c.store.FindAccount(ctx, campaignbot.PlatformConsole, p.Name); campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		inv, err := c.store.CreateInvite(ctx, p.ID)
		if err != nil {
			return fmt.Errorf("create invite: %w", err)
		}
		acc := campaignbot.Account{Platform: campaignbot.PlatformConsole, AccountID: p.Name, ChatID: p.Name}
		if _, err := c.store.RedeemInvite(ctx, inv.Code, acc); err != nil {
			return fmt.Errorf("bind console account: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("find account: %w", err)
	}
	c.as = p.Name
	c.printf("%s\n", fmt.Sprintf(c.text("now_as"), p.Name, p.Department))
	return nil
}

// drainOutbox prints what the engine and the scheduler queued for console
// accounts: notifications to other people show whom they are for.
func (c *Console) drainOutbox(ctx context.Context) error {
	for {
		msgs, err := c.store.ClaimOutbox(ctx, campaignbot.PlatformConsole, c.clock.Now(), 100)
		if err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		if len(msgs) == 0 {
			return nil
		}
		for _, m := range msgs {
			c.printf("  ── %s %s ──\n", c.text("to"), m.ChatID)
			c.printReply(bot.Reply{Text: m.Text, Buttons: m.Buttons, Files: m.Files})
			if err := c.store.MarkOutboxSent(ctx, m.ID, strconv.FormatInt(m.ID, 10), c.clock.Now()); err != nil {
				return fmt.Errorf("mark sent: %w", err)
			}
		}
	}
}

// printReply prints a reply, its buttons as the text to type, and its files.
func (c *Console) printReply(r bot.Reply) {
	for _, line := range strings.Split(r.Text, "\n") {
		c.printf("  %s\n", line)
	}
	for _, row := range r.Buttons {
		for _, b := range row {
			c.printf("    [%s] ⇒ %s\n", b.Text, b.Data)
		}
	}
	for _, f := range r.Files {
		c.printf("    📎 %s (%d B) %s\n", f.Name, f.Size, c.store.AttachmentPath(f.SHA256))
	}
}

func (c *Console) account() string {
	if c.as == "" {
		return "console"
	}
	return c.as
}

// showPrompt asks for the next line at a terminal.
func (c *Console) showPrompt() {
	if c.interactive {
		c.printf("%s> ", c.prompt())
	}
}

func (c *Console) prompt() string {
	if c.as == "" {
		return "?"
	}
	return c.as
}

func (c *Console) printf(format string, args ...any) { fmt.Fprintf(c.out, format, args...) }

// text returns the console's own lines; chat replies come from the engine's
// catalog.
func (c *Console) text(key string) string {
	m := consoleText[key]
	if c.lang == "en" {
		return m[1]
	}
	return m[0]
}

var consoleText = map[string][2]string{
	"ready":     {"campaignbot 控制台：每行是一条消息，/as 姓名 切换身份，Ctrl-D 退出。", "campaignbot console: each line is a message, /as NAME switches person, Ctrl-D quits."},
	"now_as":    {"（现在以 %s〔%s〕的身份输入）", "(now typing as %s [%s])"},
	"no_person": {"名册中没有“%s”。", "There is no %q in the roster."},
	"to":        {"发给", "to"},
}
