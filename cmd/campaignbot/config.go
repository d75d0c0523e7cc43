package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"campaignbot"
	"campaignbot/demo"
	"campaignbot/store"
)

// Config is the configuration of one invocation, from flags over
// environment variables (SPEC §7). It is parsed once here and passed down.
type Config struct {
	// DB is the SQLite file, or a postgres:// URL (SPEC §8).
	DB string
	// Files is the attachment directory (CAMPAIGNBOT_FILES); required
	// with PostgreSQL, where every replica must share it.
	Files  string
	Plan   string
	Listen string
	// BaseURL is the web console's public address (CAMPAIGNBOT_BASE_URL),
	// from which login links are made.
	BaseURL string
	// MetricsToken is the bearer token /metrics asks for
	// (CAMPAIGNBOT_METRICS_TOKEN); without it only loopback may scrape.
	MetricsToken string
	Lang         string
	LogFormat    string
	Console      bool
	Demo         bool

	// createDB lets the command create a missing database; only run and
	// roster import may (SPEC §7).
	createDB bool

	// flags are the command's flags, to tell a flag given from a
	// variable in messages; getenv reads the environment.
	flags  *flag.FlagSet
	getenv func(string) string

	Telegram TelegramConfig
	WeCom    WeComConfig
}

// TelegramConfig configures the Telegram adapter; Token empty means off.
type TelegramConfig struct {
	Token         string
	APIURL        string
	WebhookURL    string
	WebhookSecret string
	GroupChatID   string
	BotName       string
}

// WeComConfig configures the WeCom adapter; CorpID empty means off.
type WeComConfig struct {
	CorpID   string
	AgentID  int
	Secret   string
	Token    string
	AESKey   string
	APIURL   string
	RobotKey string
}

// readEnv reads the settings that come from the environment; flags
// registered later take these as their defaults.
func (c *Config) readEnv(getenv func(string) string) {
	c.getenv = getenv
	c.DB = envOr(getenv, "CAMPAIGNBOT_DB", "campaignbot.db")
	c.Files = getenv("CAMPAIGNBOT_FILES")
	c.Lang = envOr(getenv, "CAMPAIGNBOT_LANG", "zh")
	c.LogFormat = envOr(getenv, "CAMPAIGNBOT_LOG_FORMAT", "text")
	c.BaseURL = getenv("CAMPAIGNBOT_BASE_URL")
	c.MetricsToken = getenv("CAMPAIGNBOT_METRICS_TOKEN")
	c.Telegram = TelegramConfig{
		Token:         getenv("TELEGRAM_BOT_TOKEN"),
		APIURL:        getenv("TELEGRAM_API_URL"),
		WebhookURL:    getenv("TELEGRAM_WEBHOOK_URL"),
		WebhookSecret: getenv("TELEGRAM_WEBHOOK_SECRET"),
		GroupChatID:   getenv("TELEGRAM_GROUP_CHAT_ID"),
		BotName:       getenv("TELEGRAM_BOT_NAME"),
	}
	// WECOM_AGENT_ID is parsed by validatePlatforms, which names it when
	// it is not a number.
	c.WeCom = WeComConfig{
		CorpID:   getenv("WECOM_CORP_ID"),
		Secret:   getenv("WECOM_SECRET"),
		Token:    getenv("WECOM_TOKEN"),
		AESKey:   getenv("WECOM_AES_KEY"),
		APIURL:   getenv("WECOM_API_URL"),
		RobotKey: getenv("WECOM_ROBOT_KEY"),
	}
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// source names where a setting came from, for messages: the flag if it
// was given, else the environment variable.
func (c *Config) source(flagName, env string) string {
	given := false
	if c.flags != nil {
		c.flags.Visit(func(f *flag.Flag) { given = given || f.Name == flagName })
	}
	if given || env == "" {
		return "--" + flagName
	}
	return env
}

// validate checks the settings every command shares.
func (c *Config) validate() error {
	var errs []string
	if c.Lang != "zh" && c.Lang != "en" {
		errs = append(errs, fmt.Sprintf("%s: must be zh or en, not %q", c.source("lang", "CAMPAIGNBOT_LANG"), c.Lang))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Sprintf("%s: must be text or json, not %q", c.source("log-format", "CAMPAIGNBOT_LOG_FORMAT"), c.LogFormat))
	}
	if c.DB == "" {
		errs = append(errs, "--db: must not be empty")
	}
	if len(errs) > 0 {
		return usagef("%s", strings.Join(errs, "\n"))
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("CAMPAIGNBOT_BASE_URL: not an http(s) URL: %q", c.BaseURL)
		}
	}
	return nil
}

// open opens the store cfg names, with the attachment directory of
// CAMPAIGNBOT_FILES when it is set.
func (c *Config) open(ctx context.Context, opts ...store.Option) (*store.DB, error) {
	if c.Files != "" {
		opts = append([]store.Option{store.WithAttachmentDir(c.Files)}, opts...)
	}
	if store.IsPostgresURL(c.DB) && c.Files == "" {
		return nil, usagef("CAMPAIGNBOT_FILES: a PostgreSQL store keeps attachments in a directory every replica shares; set it")
	}
	return store.Open(ctx, c.DB, opts...)
}

// dbName names the store in messages: a PostgreSQL URL without its
// password.
func (c *Config) dbName() string {
	if store.IsPostgresURL(c.DB) {
		if u, err := url.Parse(c.DB); err == nil {
			return u.Redacted()
		}
		return "postgres://…"
	}
	return c.DB
}

// logger returns the logger the configuration asks for. Secrets are never
// passed to it.
func (c *Config) logger(w io.Writer, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore opens the database with the settings that the plan in force
// fixes at Open (the time zone in which the store counts days, the tasks
// owed per department) and returns that plan as stored and parsed; both are
// nil when no plan has been applied. The plan lives in the store, so the
// store is opened once to read it and again with its settings. apply, if
// not nil, runs on the first handle (run applies its plan there). With
// --demo the demo organisation is seeded into an empty store.
func (c *Config) openStore(ctx context.Context, now time.Time, apply func(context.Context, *store.DB) error) (*store.DB, *campaignbot.AppliedPlan, *campaignbot.Plan, error) {
	if err := c.validate(); err != nil {
		return nil, nil, nil, err
	}
	if _, err := os.Stat(c.DB); errors.Is(err, os.ErrNotExist) && !c.createDB && !store.IsPostgresURL(c.DB) {
		return nil, nil, nil, usagef("%s: no such database (campaignbot run, roster import or plan apply creates one)", c.DB)
	}
	db, err := c.open(ctx)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("open store: %w", err)
	}
	if apply != nil {
		if err := apply(ctx, db); err != nil {
			db.Close()
			return nil, nil, nil, err
		}
	}
	ap, err := db.FindPlan(ctx)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return db, nil, nil, nil
	} else if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	p, err := parseStored(ap)
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, nil, nil, err
	}
	db, err = c.open(ctx, storeOptions(p)...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("open store: %w", err)
	}
	if c.Demo {
		clock := db.Now
		_, err := demo.Seed(ctx, db, p, now, func(t time.Time) {
			if t.Equal(now) {
				db.Now = clock
				return
			}
			db.Now = func() time.Time { return t }
		})
		if err != nil {
			db.Close()
			return nil, nil, nil, err
		}
	}
	return db, ap, p, nil
}
