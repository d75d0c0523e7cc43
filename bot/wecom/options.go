package wecom

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"time"

	"campaignbot"
)

// Defaults of the options.
const (
	// DefaultBaseURL is WeCom's public API server.
	DefaultBaseURL = "https://qyapi.weixin.qq.com"
	// DefaultMaxMediaSize is the largest media GetMedia downloads (20 MB).
	DefaultMaxMediaSize = 20 << 20
	// DefaultMaxAge is how far a callback timestamp may be from the clock.
	DefaultMaxAge = 5 * time.Minute
	// DefaultTimeout bounds one API call when no HTTP client is given.
	DefaultTimeout = 30 * time.Second
	// maxCallbackBody bounds a callback POST body.
	maxCallbackBody = 1 << 20
)

// Option configures a Client, Robot, Crypt, Receiver or Processor; each
// uses the options that concern it and ignores the others.
type Option func(*options)

type options struct {
	httpClient *http.Client
	clock      campaignbot.Clock
	random     io.Reader
	maxMedia   int64
	maxAge     time.Duration
	notify     func()
	logger     *slog.Logger
	lang       string
	progress   campaignbot.OutboxProgress
	roster     Roster
	words      *Words
	contacts   func(ctx context.Context, change *Message) error
}

// WithContactChange makes a Processor call f for each change_contact event
// (a change of the address book), to keep the roster in step; the event
// gets no reply.
func WithContactChange(f func(ctx context.Context, change *Message) error) Option {
	return func(o *options) { o.contacts = f }
}

// WithWords makes a Sender rewrite its texts for WeCom (NewWords).
func WithWords(w *Words) Option { return func(o *options) { o.words = w } }

// Roster tells whether a UserID is a bound member; campaignbot's
// PersonService implements it.
type Roster interface {
	FindAccount(ctx context.Context, platform campaignbot.Platform, accountID string) (*campaignbot.Account, error)
}

// WithRoster makes a Processor fetch the media of roster members only: a
// photo from anyone else is neither downloaded nor kept.
func WithRoster(r Roster) Option { return func(o *options) { o.roster = r } }

func newOptions(opts []Option) *options {
	o := &options{
		httpClient: &http.Client{Timeout: DefaultTimeout},
		clock:      campaignbot.SystemClock,
		random:     rand.Reader,
		maxMedia:   DefaultMaxMediaSize,
		maxAge:     DefaultMaxAge,
		notify:     func() {},
		logger:     slog.New(slog.DiscardHandler),
		lang:       "zh",
	}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// WithHTTPClient sets the HTTP client of a Client or Robot.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithClock sets the clock for token expiry (Client) and callback freshness
// (Receiver).
func WithClock(c campaignbot.Clock) Option { return func(o *options) { o.clock = c } }

// WithRandom sets the source of the random prefix of encrypted messages and
// of template card task ids.
func WithRandom(r io.Reader) Option { return func(o *options) { o.random = r } }

// WithMaxMediaSize sets the largest media GetMedia accepts.
func WithMaxMediaSize(n int64) Option { return func(o *options) { o.maxMedia = n } }

// WithMaxAge sets how far from the clock a callback timestamp may be.
func WithMaxAge(d time.Duration) Option { return func(o *options) { o.maxAge = d } }

// WithNotify sets the function the Receiver calls after it stored a new
// callback, typically (*Processor).Wake.
func WithNotify(f func()) Option { return func(o *options) { o.notify = f } }

// WithLogger sets the logger of a Receiver or Processor.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithLang sets the language ("zh" or "en") of the texts a Processor or
// Sender writes itself, which come from campaignbot's catalog.
func WithLang(lang string) Option { return func(o *options) { o.lang = lang } }

// WithOutboxProgress makes a Sender record the parts of a message already
// delivered in the store, so that a retry after a restart does not send
// them twice.
func WithOutboxProgress(p campaignbot.OutboxProgress) Option {
	return func(o *options) { o.progress = p }
}
