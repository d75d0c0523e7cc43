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
	"strconv"
	"time"

	"campaignbot"
	"campaignbot/demo"
	"campaignbot/store"
)

// Config is the configuration of one invocation, from flags over
// environment variables (SPEC §7). It is parsed once here and passed down.
type Config struct {
	DB     string
	Plan   string
	Listen string
	// BaseURL is the web console's public address (CAMPAIGNBOT_BASE_URL),
	// from which login links are made.
	BaseURL   string
	Lang      string
	LogFormat string
	Console   bool
	Demo      bool

	// createDB lets the command create a missing database; only run and
	// roster import may (SPEC §7).
	createDB bool

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

// flagSet registers the flags every command takes, with defaults from the
// environment.
func flagSet(name string, stdio IO, getenv func(string) string, cfg *Config) *flag.FlagSet {
	fs := flag.NewFlagSet("campaignbot "+name, flag.ContinueOnError)
	fs.SetOutput(stdio.Err)
	fs.StringVar(&cfg.DB, "db", envOr(getenv, "CAMPAIGNBOT_DB", "campaignbot.db"), "SQLite database `file` (CAMPAIGNBOT_DB)")
	fs.StringVar(&cfg.Lang, "lang", envOr(getenv, "CAMPAIGNBOT_LANG", "zh"), "language of chat text: zh or en (CAMPAIGNBOT_LANG)")
	cfg.BaseURL = getenv("CAMPAIGNBOT_BASE_URL")
	fs.StringVar(&cfg.LogFormat, "log-format", envOr(getenv, "CAMPAIGNBOT_LOG_FORMAT", "text"), "log format: text or json")
	cfg.Telegram = TelegramConfig{
		Token:         getenv("TELEGRAM_BOT_TOKEN"),
		APIURL:        getenv("TELEGRAM_API_URL"),
		WebhookURL:    getenv("TELEGRAM_WEBHOOK_URL"),
		WebhookSecret: getenv("TELEGRAM_WEBHOOK_SECRET"),
		GroupChatID:   getenv("TELEGRAM_GROUP_CHAT_ID"),
		BotName:       getenv("TELEGRAM_BOT_NAME"),
	}
	agent, _ := strconv.Atoi(getenv("WECOM_AGENT_ID"))
	cfg.WeCom = WeComConfig{
		CorpID:   getenv("WECOM_CORP_ID"),
		AgentID:  agent,
		Secret:   getenv("WECOM_SECRET"),
		Token:    getenv("WECOM_TOKEN"),
		AESKey:   getenv("WECOM_AES_KEY"),
		APIURL:   getenv("WECOM_API_URL"),
		RobotKey: getenv("WECOM_ROBOT_KEY"),
	}
	return fs
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// parseArgs parses flags anywhere among args and returns the positional
// arguments; flag errors are usage errors.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, err
		} else if err != nil {
			return nil, usagef("%s", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// validate checks the settings every command shares.
func (c *Config) validate() error {
	if c.Lang != "zh" && c.Lang != "en" {
		return usagef("--lang must be zh or en, not %q", c.Lang)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return usagef("--log-format must be text or json, not %q", c.LogFormat)
	}
	if c.DB == "" {
		return usagef("--db must not be empty")
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("CAMPAIGNBOT_BASE_URL: not an http(s) URL: %q", c.BaseURL)
		}
	}
	return nil
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
	if _, err := os.Stat(c.DB); errors.Is(err, os.ErrNotExist) && !c.createDB {
		return nil, nil, nil, usagef("%s: no such database (campaignbot run, roster import or plan apply creates one)", c.DB)
	}
	db, err := store.Open(ctx, c.DB)
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
	db, err = store.Open(ctx, c.DB, storeOptions(p)...)
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
