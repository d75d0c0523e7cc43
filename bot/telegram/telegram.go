// Package telegram connects the chat engine to the Telegram Bot API through
// github.com/go-telegram/bot (imported as tgbot).
//
// campaignbot owns update intake instead of the library's Start loop and
// webhook handler: those acknowledge an update (the next getUpdates offset,
// or the webhook's 200) before anything is stored, so a crash would lose it.
// Here every update is stored first (Store.SaveInbound, keyed by update_id)
// and only then acknowledged; a processing loop turns stored updates into
// engine requests, puts the replies in the outbox under deterministic keys
// and marks the update processed. A crash anywhere neither loses nor doubles
// a message: an unprocessed update is processed again on start, the engine
// handles a message id once, and the outbox ignores a key it already has.
//
// Outbound messages go through Sender, which the outbox dispatcher calls.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"time"

	tgbot "github.com/go-telegram/bot"

	"campaignbot"
)

// Defaults and Bot API limits.
const (
	DefaultServerURL   = "https://api.telegram.org"
	DefaultPollTimeout = 50 * time.Second
	DefaultSendTimeout = 30 * time.Second
	// WebhookPath is where main mounts Handler.
	WebhookPath = "/telegram/webhook"
	// MaxTextLen is the longest message text, in UTF-16 code units.
	MaxTextLen = 4096
	// MaxCallbackData is the longest button data, in bytes.
	MaxCallbackData = 64
	// MaxDownload is the largest file getFile lets a bot download.
	MaxDownload = 20 << 20

	pollLimit      = 100 // updates per getUpdates, Telegram's maximum
	maxWebhookBody = 1 << 20
	retryDelay     = time.Second
	maxRetryDelay  = 30 * time.Second
)

// Store is what the adapter needs of the store: it stores updates before
// acknowledging them, and attachments when the intake decodes them.
type Store interface {
	SaveInbound(ctx context.Context, in *campaignbot.Inbound) (bool, error)
	SaveAttachment(ctx context.Context, name, mime string, data []byte) (*campaignbot.Attachment, error)
	AttachmentPath(sha256 string) string
}

// Files gives the path of a stored attachment; campaignbot.Store has it.
type Files interface {
	AttachmentPath(sha256 string) string
}

type config struct {
	serverURL   string
	webhookURL  string
	secret      string
	groupChatID string
	client      *http.Client
	log         *slog.Logger
	clock       campaignbot.Clock
	notify      func()
	stored      func()
	lang        string // of the adapter's own replies
	pollTimeout time.Duration
	sendTimeout time.Duration
	retryDelay  time.Duration // first wait after a failure; tests shorten it
	onReady     func(ctx context.Context, username string)
	onStart     func(ctx context.Context, accountID, chatID string)
	faults      campaignbot.FaultReporter
	moves       campaignbot.ChatMoves
	progress    campaignbot.OutboxProgress
	pollGate    func(ctx context.Context, poll func(context.Context))
}

// Option configures a Telegram adapter or a Sender.
type Option func(*config)

// WithServerURL points the adapter at another Bot API server
// (TELEGRAM_API_URL: a self-hosted server, or a test fake).
func WithServerURL(u string) Option { return func(c *config) { c.serverURL = u } }

// WithWebhook selects webhook mode: Run registers url with setWebhook and
// Handler accepts only requests carrying secret in
// X-Telegram-Bot-Api-Secret-Token.
func WithWebhook(url, secret string) Option {
	return func(c *config) { c.webhookURL, c.secret = url, secret }
}

// WithGroupChatID sets the campaign group's chat id, where messages for
// ChatID "group" go (TELEGRAM_GROUP_CHAT_ID).
func WithGroupChatID(id string) Option { return func(c *config) { c.groupChatID = id } }

// WithHTTPClient sets the HTTP client for every Bot API call. Leave its
// Timeout zero: long polls last up to the poll timeout, and each call has
// its own deadline.
func WithHTTPClient(h *http.Client) Option { return func(c *config) { c.client = h } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithClock sets the clock for stored times.
func WithClock(k campaignbot.Clock) Option { return func(c *config) { c.clock = k } }

// WithNotify sets a function called after replies are put in the outbox,
// so that the dispatcher wakes at once.
func WithNotify(f func()) Option { return func(c *config) { c.notify = f } }

// WithOnStored sets a function called after updates are stored, so that
// the intake processes them at once (bot.Intake.Wake).
func WithOnStored(f func()) Option { return func(c *config) { c.stored = f } }

// WithLang selects the language of the adapter's own replies ("zh" or "en"),
// which come from campaignbot's catalog.
func WithLang(lang string) Option { return func(c *config) { c.lang = lang } }

// WithOnReady sets a function called once the Bot API has answered at
// start-up, with the bot's user name (for deep links and command menus).
func WithOnReady(f func(ctx context.Context, username string)) Option {
	return func(c *config) { c.onReady = f }
}

// WithOnStart sets a function called after a /start from a private chat
// was handled (an account may just have been bound), to set up what depends
// on the person, such as their command menu.
func WithOnStart(f func(ctx context.Context, accountID, chatID string)) Option {
	return func(c *config) { c.onStart = f }
}

// WithFaults sets who is told of faults of the deployment found while
// receiving (401, 409) and of the campaign group's membership.
func WithFaults(r campaignbot.FaultReporter) Option { return func(c *config) { c.faults = r } }

// WithChatMoves keeps where groups went when they became supergroups, so
// that every process follows them.
func WithChatMoves(m campaignbot.ChatMoves) Option { return func(c *config) { c.moves = m } }

// WithOutboxProgress records the parts of a split message already sent,
// so that a retry after a restart does not send them twice.
func WithOutboxProgress(p campaignbot.OutboxProgress) Option {
	return func(c *config) { c.progress = p }
}

// WithPollGate runs the long-poll loop (no webhook) through gate, which
// calls poll while this process may poll and returns when ctx ends: with
// several replicas only one may call getUpdates at a time, as Telegram
// ends every other poll with 409 Conflict. Updates are stored by their
// update_id, so a poller that takes over from offset 0 stores none twice.
func WithPollGate(gate func(ctx context.Context, poll func(context.Context))) Option {
	return func(c *config) { c.pollGate = gate }
}

// WithPollTimeout sets how long one getUpdates long poll waits (whole seconds).
func WithPollTimeout(d time.Duration) Option { return func(c *config) { c.pollTimeout = d } }

// WithSendTimeout bounds one outbound API call.
func WithSendTimeout(d time.Duration) Option { return func(c *config) { c.sendTimeout = d } }

func newConfig(opts []Option) config {
	c := config{
		serverURL:   DefaultServerURL,
		client:      &http.Client{},
		log:         slog.Default(),
		clock:       campaignbot.SystemClock,
		notify:      func() {},
		stored:      func() {},
		lang:        "zh",
		pollTimeout: DefaultPollTimeout,
		sendTimeout: DefaultSendTimeout,
		retryDelay:  retryDelay,
	}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// secretPattern is what Telegram accepts as a webhook secret_token.
var secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (c *config) validate() error {
	if _, err := url.ParseRequestURI(c.serverURL); err != nil {
		return campaignbot.Errorf(campaignbot.EINVALID, "telegram API URL %q is not a URL", c.serverURL)
	}
	if c.webhookURL != "" {
		u, err := url.ParseRequestURI(c.webhookURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			return campaignbot.Errorf(campaignbot.EINVALID, "telegram webhook URL %q is not an http(s) URL", c.webhookURL)
		}
		if !secretPattern.MatchString(c.secret) {
			return campaignbot.Errorf(campaignbot.EINVALID,
				"telegram webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
		}
	}
	if c.pollTimeout < time.Second {
		return campaignbot.Errorf(campaignbot.EINVALID, "telegram poll timeout must be at least 1s")
	}
	return nil
}

// Telegram receives updates (long polling or webhook), hands them to the
// engine and queues the replies.
type Telegram struct {
	cfg    config
	token  string
	store  Store
	sender *Sender
}

// New returns an adapter for the bot token. It makes no network call; Run
// does.
func New(token string, store Store, opts ...Option) (*Telegram, error) {
	if store == nil {
		return nil, fmt.Errorf("telegram: a store is required")
	}
	s, err := NewSender(token, store, opts...)
	if err != nil {
		return nil, err
	}
	return &Telegram{cfg: s.cfg, token: token, store: store, sender: s}, nil
}

// Sender returns the adapter's sender, for the outbox dispatcher.
func (t *Telegram) Sender() *Sender { return t.sender }

// Username returns the bot's user name (getMe, once).
func (t *Telegram) Username(ctx context.Context) (string, error) { return t.sender.Username(ctx) }

// SetCommands sets the command menus; see Sender.SetCommands.
func (t *Telegram) SetCommands(ctx context.Context, commands map[string][]Command) error {
	return t.sender.SetCommands(ctx, commands)
}

// Run receives and processes updates until ctx ends. It first learns the
// bot's name (getMe), then registers the webhook (webhook mode) or deletes
// any webhook and long-polls. Updates stored before a crash are processed
// first. It returns nil when ctx ends, or the error that kept it from
// starting.
func (t *Telegram) Run(ctx context.Context) error {
	// A Bot API that is down or slow at start-up is waited for, so that it
	// does not take WeCom and the scheduler down with it. A token the API
	// refuses (revoked in @BotFather) is a fault of the deployment: it is
	// reported and tried again until fixed, and the other platforms go on.
	var fault string
	for wait := time.Second; ; wait = min(2*wait, maxStartWait) {
		err := t.start(ctx)
		if err == nil {
			break
		}
		if errors.Is(err, tgbot.ErrorUnauthorized) || errors.Is(err, tgbot.ErrorNotFound) {
			if fault == "" {
				fault = campaignbot.FaultTelegramToken
				t.raise(ctx, fault, err)
			}
		} else {
			t.cfg.log.Warn("telegram not reachable; retrying", "err", err, "retry_in", wait)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
	if fault != "" {
		t.clear(ctx, fault)
	}
	if t.cfg.onReady != nil {
		name, _ := t.Username(ctx)
		t.cfg.onReady(ctx, name)
	}
	t.cfg.stored() // updates stored before a restart
	if t.cfg.webhookURL == "" && t.cfg.pollGate != nil {
		t.cfg.pollGate(ctx, t.pollLoop)
	} else if t.cfg.webhookURL == "" {
		t.pollLoop(ctx)
	}
	<-ctx.Done()
	return nil
}

// maxStartWait bounds the wait between attempts to reach the Bot API at start.
const maxStartWait = time.Minute

// start learns the bot's name and sets or deletes the webhook.
func (t *Telegram) start(ctx context.Context) error {
	if _, err := t.Username(ctx); err != nil {
		return err
	}
	return t.registerWebhook(ctx)
}

func (t *Telegram) registerWebhook(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.sendTimeout)
	defer cancel()
	if t.cfg.webhookURL != "" {
		_, err := t.sender.api.SetWebhook(ctx, &tgbot.SetWebhookParams{
			URL: t.cfg.webhookURL, SecretToken: t.cfg.secret, AllowedUpdates: allowedUpdates(),
		})
		if err != nil {
			return fmt.Errorf("telegram setWebhook: %w", err)
		}
		t.cfg.log.Info("telegram webhook set", "url", t.cfg.webhookURL)
		return nil
	}
	// getUpdates is refused while a webhook is set.
	if _, err := t.sender.api.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("telegram deleteWebhook: %w", err)
	}
	return nil
}

// allowedUpdates are the update types campaignbot acts on.
func allowedUpdates() []string {
	return []string{"message", "edited_message", "callback_query", "my_chat_member"}
}
