// Package console runs the chat engine in a terminal: lines typed on stdin
// are messages, replies go to stdout. `/as NAME` switches which roster person
// is typing. It is what `campaignbot run` uses when no platform is set up,
// and what scripted tests drive.
//
// The console is a platform like the others: each line is stored as an
// inbound update and processed by the intake, and what the engine answers
// reaches the terminal through the outbox and the dispatcher, whose sender
// for the console prints.
package console

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"campaignbot"
	"campaignbot/bot"
)

// Store is what the console needs of the store.
type Store interface {
	SaveInbound(ctx context.Context, in *campaignbot.Inbound) (bool, error)
	FindPersonByName(ctx context.Context, name string) (*campaignbot.Person, error)
	FindAccount(ctx context.Context, platform campaignbot.Platform, accountID string) (*campaignbot.Account, error)
	CreateInvite(ctx context.Context, personID int64) (*campaignbot.Invite, error)
	RedeemInvite(ctx context.Context, code string, acc campaignbot.Account) (*campaignbot.Person, error)
	AttachmentPath(sha256 string) string
}

// Intake processes what the console stored; *bot.Intake implements it.
type Intake interface {
	ProcessPending(ctx context.Context) (int, error)
}

// Dispatcher delivers the outbox; *scheduler.Dispatcher implements it.
type Dispatcher interface {
	Drain(ctx context.Context, p campaignbot.Platform)
}

// Console is the terminal adapter: a bot.Decoder for the lines it stores
// and a campaignbot.Sender that prints.
type Console struct {
	store  Store
	intake Intake
	in     io.Reader
	out    io.Writer
	clock  campaignbot.Clock
	lang   string
	as     string // the roster name typing, "" before /as
	// interactive means a person types at a terminal: a prompt is shown
	// before each line, and the line is not echoed (the terminal did).
	interactive bool
	run         string // random per run, so update keys never repeat across runs
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
func New(store Store, intake Intake, in io.Reader, out io.Writer, opts ...Option) *Console {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	c := &Console{store: store, intake: intake, in: in, out: out, clock: campaignbot.SystemClock, lang: "zh", run: hex.EncodeToString(b)}
	for _, o := range opts {
		o(c)
	}
	return c
}

// line is a console update as stored.
type line struct {
	Account string `json:"account"`
	Text    string `json:"text"`
}

// Run reads lines until end of input or ctx is done; after each line it has
// the intake process it and d deliver what it answered.
func (c *Console) Run(ctx context.Context, d Dispatcher) error {
	c.printf("%s\n", campaignbot.T(c.lang, "console.ready"))
	// Lines stored before a restart, and what is due for the console.
	if _, err := c.intake.ProcessPending(ctx); err != nil {
		return fmt.Errorf("process pending lines: %w", err)
	}
	d.Drain(ctx, campaignbot.PlatformConsole)
	sc := bufio.NewScanner(c.in)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for c.showPrompt(); sc.Scan(); c.showPrompt() {
		if ctx.Err() != nil {
			return nil
		}
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if err := c.handleLine(ctx, text); err != nil {
			return err
		}
		d.Drain(ctx, campaignbot.PlatformConsole)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	return nil
}

// handleLine runs one line: a console command, or a message stored and
// processed like any platform's.
func (c *Console) handleLine(ctx context.Context, text string) error {
	if !c.interactive {
		c.printf("%s> %s\n", c.prompt(), text)
	}
	if name, ok := strings.CutPrefix(text, "/as "); ok {
		return c.switchTo(ctx, strings.TrimSpace(name))
	}
	c.seq++
	payload, err := json.Marshal(line{Account: c.account(), Text: text})
	if err != nil {
		return fmt.Errorf("encode line: %w", err)
	}
	if _, err := c.store.SaveInbound(ctx, &campaignbot.Inbound{
		Platform: campaignbot.PlatformConsole,
		Key:      c.run + "-" + strconv.Itoa(c.seq),
		Payload:  payload,
	}); err != nil {
		return fmt.Errorf("store line: %w", err)
	}
	if _, err := c.intake.ProcessPending(ctx); err != nil {
		return fmt.Errorf("process line: %w", err)
	}
	return nil
}

// Route implements bot.Decoder.
func (c *Console) Route(in *campaignbot.Inbound) bot.Route {
	var l line
	if json.Unmarshal(in.Payload, &l) != nil {
		return bot.Route{}
	}
	return bot.Route{Sender: l.Account, Chat: l.Account}
}

// Decode implements bot.Decoder.
func (c *Console) Decode(_ context.Context, ins []*campaignbot.Inbound) (*bot.Request, error) {
	var l line
	if err := json.Unmarshal(ins[0].Payload, &l); err != nil {
		return nil, bot.ErrIgnore
	}
	return &bot.Request{
		Platform:  campaignbot.PlatformConsole,
		AccountID: l.Account,
		ChatID:    l.Account,
		MessageID: ins[0].Key,
		Text:      l.Text,
	}, nil
}

// Platform implements campaignbot.Sender.
func (c *Console) Platform() campaignbot.Platform { return campaignbot.PlatformConsole }

// Send implements campaignbot.Sender by printing m: the answers to the
// person typing as they are, messages for other people under whom they
// are for.
func (c *Console) Send(_ context.Context, m *campaignbot.OutboxMessage) (string, error) {
	if m.ChatID != c.account() {
		c.printf("  ── %s %s ──\n", campaignbot.T(c.lang, "console.to"), m.ChatID)
	}
	for _, l := range strings.Split(m.Text, "\n") {
		c.printf("  %s\n", l)
	}
	for _, row := range m.Buttons {
		for _, b := range row {
			c.printf("    [%s] ⇒ %s\n", b.Text, b.Data)
		}
	}
	for _, f := range m.Files {
		c.printf("    📎 %s (%d B) %s\n", f.Name, f.Size, c.store.AttachmentPath(f.SHA256))
	}
	return strconv.FormatInt(m.ID, 10), nil
}

// switchTo makes name the person typing, binding the console account to the
// roster entry the first time (through an invite, like any other platform).
func (c *Console) switchTo(ctx context.Context, name string) error {
	p, err := c.store.FindPersonByName(ctx, name)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		c.printf("%s\n", campaignbot.T(c.lang, "err.no_person", name))
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
	c.printf("%s\n", campaignbot.T(c.lang, "console.now_as", p.Name, p.Department))
	return nil
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
