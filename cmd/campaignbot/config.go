package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"campaignbot"
	"campaignbot/demo"
	"campaignbot/plan"
	"campaignbot/store"
)

// Config is the configuration of one invocation, from flags over
// environment variables (SPEC §7). It is parsed once here and passed down.
type Config struct {
	DB        string
	Plan      string
	Listen    string
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
	fs.StringVar(&cfg.Plan, "plan", getenv("CAMPAIGNBOT_PLAN"), "plan `file` (CAMPAIGNBOT_PLAN; default: the embedded plan)")
	fs.StringVar(&cfg.Lang, "lang", envOr(getenv, "CAMPAIGNBOT_LANG", "zh"), "language of chat text: zh or en (CAMPAIGNBOT_LANG)")
	fs.StringVar(&cfg.LogFormat, "log-format", envOr(getenv, "CAMPAIGNBOT_LOG_FORMAT", "text"), "log format: text or json")
	fs.BoolVar(&cfg.Demo, "demo", false, "use the demo organisation and a plan that started 20 days ago")
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

// loadPlan returns the plan in force: the --plan file, the demo plan
// (started DaysIn days ago) with --demo, or the embedded default starting
// on the first of this month.
func (c *Config) loadPlan(now time.Time) (*campaignbot.Plan, error) {
	if c.Plan != "" {
		return plan.Load(c.Plan)
	}
	if c.Demo {
		loc, err := time.LoadLocation(plan.DefaultTimeZone)
		if err != nil {
			return nil, fmt.Errorf("load time zone: %w", err)
		}
		p, _, err := plan.Default(campaignbot.DateOf(now, loc).AddDays(-demo.DaysIn))
		return p, err
	}
	return plan.LoadOrDefault("", now)
}

// openStore opens the database for the plan, seeding the demo organisation
// into an empty one with --demo.
func (c *Config) openStore(ctx context.Context, p *campaignbot.Plan, now time.Time) (*store.DB, error) {
	var perDept []string
	for _, t := range p.Tasks {
		if t.Cardinality == campaignbot.PerDepartment {
			perDept = append(perDept, t.Key)
		}
	}
	if _, err := os.Stat(c.DB); errors.Is(err, os.ErrNotExist) && !c.createDB {
		return nil, usagef("%s: no such database (campaignbot run or roster import creates one)", c.DB)
	}
	db, err := store.Open(ctx, c.DB, store.WithLocation(p.Loc()), store.WithPerDepartmentTasks(perDept...))
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
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
			return nil, err
		}
	}
	return db, nil
}
