package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/bot/console"
	"campaignbot/store"
)

// openAll validates cfg, loads the plan and opens the store.
func openAll(ctx context.Context, cfg *Config) (*store.DB, *campaignbot.Plan, error) {
	if err := cfg.validate(); err != nil {
		return nil, nil, err
	}
	now := time.Now()
	p, err := cfg.loadPlan(now)
	if err != nil {
		return nil, nil, err
	}
	db, err := cfg.openStore(ctx, p, now)
	if err != nil {
		return nil, nil, err
	}
	return db, p, nil
}

// Main is the running program: store, engine, scheduler and platforms,
// wired from the configuration.
type Main struct {
	Config Config
	IO     IO

	DB     *store.DB
	Plan   *campaignbot.Plan
	Engine *bot.Engine
	Log    *slog.Logger
}

// cmdRun runs the bot(s) and the scheduler until ctx is done, or the console
// until end of input.
func cmdRun(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	m := &Main{IO: stdio}
	fs := flagSet("run", stdio, getenv, &m.Config)
	fs.StringVar(&m.Config.Listen, "listen", getenv("CAMPAIGNBOT_LISTEN"), "HTTP `address` for webhooks, /healthz and /metrics (CAMPAIGNBOT_LISTEN)")
	fs.BoolVar(&m.Config.Console, "console", false, "run in the terminal even if a platform is configured")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("run takes no arguments")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	return m.Run(ctx)
}

// Open opens the store and builds the engine.
func (m *Main) Open(ctx context.Context) error {
	level := slog.LevelInfo
	if m.consoleMode() {
		level = slog.LevelWarn // keep the terminal for the conversation
	}
	m.Log = m.Config.logger(m.IO.Err, level)
	db, p, err := openAll(ctx, &m.Config)
	if err != nil {
		return err
	}
	m.DB, m.Plan = db, p
	m.Engine = bot.New(db, p,
		bot.WithLang(m.Config.Lang),
		bot.WithLogger(m.Log),
		bot.WithBotName(m.Config.Telegram.BotName),
		bot.WithExporter(exporter(db, p, m.Config.Lang)),
	)
	return nil
}

// consoleMode reports whether the terminal is the platform.
func (m *Main) consoleMode() bool {
	return m.Config.Console || (m.Config.Telegram.Token == "" && m.Config.WeCom.CorpID == "")
}

// Run runs until ctx is done or, in console mode, until end of input.
func (m *Main) Run(ctx context.Context) error {
	if m.consoleMode() {
		var opts []console.Option
		opts = append(opts, console.WithLang(m.Config.Lang))
		c := console.New(m.Engine, m.DB, m.IO.In, m.IO.Out, opts...)
		if err := c.Run(ctx); err != nil {
			return fmt.Errorf("console: %w", err)
		}
		return nil
	}
	return usagef("platforms are not wired yet")
}

// Close releases everything Open acquired.
func (m *Main) Close() error {
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}
