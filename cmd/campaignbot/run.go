package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/bot/console"
	"campaignbot/bot/telegram"
	"campaignbot/demo"
	"campaignbot/plan"
	"campaignbot/scheduler"
	"campaignbot/store"
	"campaignbot/web"
)

// openAll validates cfg and opens the store and the plan in force; a store
// without a plan is refused.
func openAll(ctx context.Context, cfg *Config) (*store.DB, *campaignbot.Plan, error) {
	db, _, p, err := cfg.openStore(ctx, time.Now(), nil)
	if err != nil {
		return nil, nil, err
	}
	if p == nil {
		db.Close()
		return nil, nil, usagef("no plan has been applied to %s: apply one with \"campaignbot plan apply FILE\" or start \"campaignbot run\"", cfg.dbName())
	}
	return db, p, nil
}

// openDB validates cfg and opens the store, for commands that need no plan.
func openDB(ctx context.Context, cfg *Config) (*store.DB, error) {
	db, _, _, err := cfg.openStore(ctx, time.Now(), nil)
	return db, err
}

// Main is the running program: store, engine, scheduler, dispatcher and
// platforms, wired from the configuration.
type Main struct {
	Config Config
	IO     IO

	DB         *store.DB
	Engine     *bot.Engine
	Scheduler  *scheduler.Scheduler
	Dispatcher *scheduler.Dispatcher
	Telegram   *telegram.Telegram
	Intake     *bot.Intake
	// Web is the web console, served on --listen at / (SPEC §11).
	Web *web.Server
	Log *slog.Logger
	// Handler is the engine as the adapters see it: counted and timed.
	Handler bot.Handler

	// Ready is closed when everything has started (tests wait on it).
	Ready chan struct{}
	// Addr is the address the HTTP server listens on, once Ready.
	Addr string

	// plan is the plan in force, read from the store at version
	// planVersion; watchPlan replaces both when another is applied.
	plan        atomic.Pointer[campaignbot.Plan]
	planVersion int64

	// Faults are the faults of the deployment in force (faults.go).
	Faults *scheduler.FaultBoard
	// DispatcherOptions are added to the dispatcher's (tests shorten its
	// waits with them).
	DispatcherOptions []scheduler.DispatcherOption

	// intakeStore is the store as the intake sees it: the lanes this
	// replica holds (replicas.go).
	intakeStore *laneStore
	senders     []campaignbot.Sender
	runners     []func(context.Context) error
	console     *console.Console
	mux         *http.ServeMux
	ln          net.Listener // --listen's, once Run opened it
	metrics     *metrics
	lock        *store.InstanceLock // one run per store (SPEC §8)
	// httpLimits are the HTTP server's timeouts and body limit; zero
	// means the defaults.
	httpLimits httpLimits
}

// cmdRun runs the bot(s) and the scheduler until ctx is done, or the console
// until end of input.
func cmdRun(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	m := &Main{IO: stdio}
	fs := runFlagSet(stdio, getenv, &m.Config)
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("run takes no arguments")
	}
	// The demo never writes into the real store (SPEC §7): its own file,
	// unless --db names one; CAMPAIGNBOT_DB points at the real one.
	dbSet := false
	fs.Visit(func(f *flag.Flag) { dbSet = dbSet || f.Name == "db" })
	if m.Config.Demo && !dbSet {
		m.Config.DB = demo.DB
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	defer m.Close()
	return m.Run(ctx)
}

// runFlagSet is flagSet with the flags of run alone.
func runFlagSet(stdio IO, getenv func(string) string, cfg *Config) *flag.FlagSet {
	fs := flagSet("run", stdio, getenv, cfg)
	fs.StringVar(&cfg.Plan, "plan", getenv("CAMPAIGNBOT_PLAN"), "plan `file` to apply at start (CAMPAIGNBOT_PLAN); without it the plan in the store, or in a new store the embedded default")
	fs.BoolVar(&cfg.Demo, "demo", false, "use the demo organisation, in its own store ("+demo.DB+" unless --db) with a plan that started "+strconv.Itoa(demo.DaysIn)+" days ago")
	fs.StringVar(&cfg.Listen, "listen", getenv("CAMPAIGNBOT_LISTEN"), "HTTP `address` for webhooks, /healthz and /metrics (CAMPAIGNBOT_LISTEN)")
	fs.BoolVar(&cfg.Console, "console", false, "run in the terminal even if a platform is configured")
	return fs
}

// checkPlatforms refuses a configuration that could never receive a
// message: a webhook or WeCom (whose callbacks are its only way in)
// without --listen, and the console when no platform is configured and
// nobody can type into it — standard input /dev/null or a socket, or a
// service manager's (systemd sets INVOCATION_ID) — which would otherwise
// print the console's banner and exit 0 at once, and under Restart=always
// start again every few seconds.
func (m *Main) checkPlatforms() error {
	c := &m.Config
	if c.Console {
		return nil
	}
	if c.Telegram.WebhookURL != "" && c.Telegram.Token != "" && c.Listen == "" {
		return usagef("TELEGRAM_WEBHOOK_URL needs --listen (CAMPAIGNBOT_LISTEN) to receive updates")
	}
	if c.WeCom.CorpID != "" && c.Listen == "" {
		return usagef("WECOM_CORP_ID: WeCom delivers messages to the callback URL, so it needs --listen (CAMPAIGNBOT_LISTEN), for example 127.0.0.1:8080 behind the HTTPS proxy that serves /wecom/callback")
	}
	if !m.consoleMode() {
		return nil
	}
	const none = "no platform is configured (set TELEGRAM_BOT_TOKEN or WECOM_CORP_ID, see README.md)"
	if c.getenv != nil && c.getenv("INVOCATION_ID") != "" {
		return usagef("%s, and the terminal console cannot run under a service manager (INVOCATION_ID is set by systemd); to run the console anyway, pass --console", none)
	}
	if f, ok := m.IO.In.(*os.File); ok {
		st, err := f.Stat()
		if err != nil {
			return fmt.Errorf("standard input: %w", err)
		}
		if !isTerminal(f) && !st.Mode().IsRegular() && st.Mode()&os.ModeNamedPipe == 0 {
			return usagef("%s, and standard input is neither a terminal, a pipe nor a file, so nobody can type into the terminal console; to run it anyway, pass --console", none)
		}
	}
	return nil
}

// Plan returns the plan in force.
func (m *Main) Plan() *campaignbot.Plan { return m.plan.Load() }

// platforms returns the platforms this process runs.
func (m *Main) platforms() []campaignbot.Platform {
	if m.consoleMode() {
		return []campaignbot.Platform{campaignbot.PlatformConsole}
	}
	var ps []campaignbot.Platform
	if m.Config.Telegram.Token != "" {
		ps = append(ps, campaignbot.PlatformTelegram)
	}
	if m.Config.WeCom.CorpID != "" {
		ps = append(ps, campaignbot.PlatformWeCom)
	}
	return ps
}

// consoleMode reports whether the terminal is the platform.
func (m *Main) consoleMode() bool {
	return m.Config.Console || (m.Config.Telegram.Token == "" && m.Config.WeCom.CorpID == "")
}

// Open takes the store's instance lock, opens the store and builds the
// engine, the scheduler and the configured platforms. Nothing talks to a
// platform until Run.
func (m *Main) Open(ctx context.Context) (err error) {
	if err := m.Config.validate(); err != nil {
		return err
	}
	if err := m.Config.validatePlatforms(true); err != nil {
		return err
	}
	if err := m.checkPlatforms(); err != nil {
		return err
	}
	if m.lock, err = lockStore(&m.Config); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			m.lock.Close()
		}
	}()
	m.Ready = make(chan struct{})
	level := slog.LevelInfo
	if m.consoleMode() {
		level = slog.LevelWarn // keep the terminal for the conversation
	}
	m.Log = m.Config.logger(m.IO.Err, level)
	now := time.Now()
	db, ap, p, err := m.Config.openStore(ctx, now, func(ctx context.Context, db *store.DB) error {
		return m.applyStartPlan(ctx, db, now)
	})
	if err != nil {
		return err
	}
	m.DB, m.planVersion = db, ap.Version
	m.plan.Store(p)
	m.mux = http.NewServeMux()
	// The dispatcher is built last, once the senders are known; until then
	// a kick has nothing to wake.
	kick := func() {
		if m.Dispatcher != nil {
			m.Dispatcher.Kick()
		}
	}
	m.Faults = scheduler.NewFaultBoard(db, campaignbot.SystemClock, m.Config.Lang, m.Log, kick)
	m.metrics = newMetrics(db, m.Faults, m.platforms())
	m.mux.HandleFunc("GET /healthz", serveHealth(m.Faults))
	m.mux.Handle("GET /metrics", m.metrics.handler(m.Config.MetricsToken, m.Log))
	var groups []campaignbot.Platform
	if m.Config.Telegram.Token != "" && m.Config.Telegram.GroupChatID != "" {
		groups = append(groups, campaignbot.PlatformTelegram)
	}
	if m.Config.WeCom.CorpID != "" && m.Config.WeCom.RobotKey != "" {
		groups = append(groups, campaignbot.PlatformWeCom)
	}
	m.Scheduler = scheduler.New(db, p,
		scheduler.WithLang(m.Config.Lang),
		scheduler.WithSchedulerLogger(m.Log),
		scheduler.WithOnEnqueue(kick),
		scheduler.WithGroupChats(groups...),
	)
	m.Engine = bot.New(db, p,
		bot.WithLang(m.Config.Lang),
		bot.WithLogger(m.Log),
		bot.WithBotName(m.Config.Telegram.BotName),
		bot.WithNotify(kick),
		bot.WithReporter(m.Scheduler),
		bot.WithExporter(exporter(db, m.Plan, m.Config.Lang)),
		bot.WithGroups(groups...),
		bot.WithWebLinker(func(ctx context.Context, personID int64) (string, time.Time, error) {
			return m.Web.LoginLink(ctx, personID)
		}),
	)
	if m.Web, err = web.New(db, m.Engine, m.Plan, m.Config.BaseURL,
		web.WithLang(m.Config.Lang), web.WithLogger(m.Log), web.WithSubmissionRecords(m.Scheduler.SubmissionRecords),
		web.WithExporter(exporter(db, m.Plan, m.Config.Lang)), web.WithNotify(kick),
		web.WithPlanParser(plan.Parse)); err != nil {
		return err
	}
	m.mux.Handle("/", m.Web)
	m.Handler = m.metrics.instrument(m.Engine)
	m.intakeStore = newLaneStore(db)
	m.Intake = bot.NewIntake(m.intakeStore, m.Handler,
		bot.WithIntakeLogger(m.Log),
		bot.WithIntakeNotify(kick),
		bot.WithIntakeLang(m.Config.Lang),
	)
	if m.consoleMode() {
		m.console = console.New(m.DB, m.Intake, m.IO.In, m.IO.Out, console.WithLang(m.Config.Lang),
			console.WithInteractive(isTerminal(m.IO.In)))
		m.register(campaignbot.PlatformConsole, m.console)
		m.senders = append(m.senders, m.console)
	}
	if m.consoleMode() {
		m.Dispatcher = m.newDispatcher()
		return nil
	}
	if m.Config.Telegram.Token != "" {
		if err := m.openTelegram(ctx, kick); err != nil {
			return err
		}
	}
	if m.Config.WeCom.CorpID != "" {
		if err := m.openWeCom(ctx, kick); err != nil {
			return err
		}
	}
	m.Dispatcher = m.newDispatcher()
	return nil
}

// register makes the intake decode platform p's updates with d.
func (m *Main) register(p campaignbot.Platform, d bot.Decoder) {
	m.intakeStore.register(p, d)
	m.Intake.Register(p, d)
}

// newDispatcher builds the outbox dispatcher over the platforms' senders:
// the only way anything reaches a chat.
func (m *Main) newDispatcher() *scheduler.Dispatcher {
	opts := []scheduler.DispatcherOption{
		scheduler.WithLogger(m.Log),
		scheduler.WithFaults(m.Faults),
		scheduler.WithOnUnreachable(func(ctx context.Context, personID int64, pl campaignbot.Platform) {
			if err := m.DB.SetReachable(ctx, personID, pl, false); err != nil {
				m.Log.Error("mark unreachable", "person", personID, "platform", pl, "err", err)
			}
		}),
		// One refusal does not mark a person unreachable for ever: the next
		// delivery that succeeds clears it.
		scheduler.WithOnDelivered(func(ctx context.Context, personID int64, pl campaignbot.Platform) {
			if _, err := m.DB.MarkReachable(ctx, personID, pl); err != nil {
				m.Log.Error("mark reachable", "person", personID, "platform", pl, "err", err)
			}
		}),
	}
	if store.IsPostgresURL(m.Config.DB) {
		// A claim is a lease there (store.ClaimLease): a leader that lost
		// the lead and has not yet noticed sends nothing the next may have.
		opts = append(opts, scheduler.WithClaimLease(store.ClaimLease))
	}
	return scheduler.NewDispatcher(m.DB, m.senders, append(opts, m.DispatcherOptions...)...)
}

// Run runs until ctx is done or, in console mode, until end of input.
func (m *Main) Run(ctx context.Context) error {
	replicated := store.IsPostgresURL(m.Config.DB) && !m.consoleMode()
	if !replicated {
		if err := m.Scheduler.Start(ctx); err != nil {
			m.Log.Error("scheduler catch-up failed", "err", err)
		}
	}
	if m.consoleMode() {
		srv, err := m.listen(ctx)
		if err != nil {
			return err
		}
		if srv != nil {
			defer srv.Close()
		}
		wctx, stop := context.WithCancel(ctx)
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			m.watchPlan(wctx)
		}()
		defer func() { stop(); <-watched }()
		close(m.Ready)
		if err := m.console.Run(ctx, m.Dispatcher); err != nil {
			return fmt.Errorf("console: %w", err)
		}
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, len(m.runners)+2)
	start := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil && ctx.Err() == nil {
				errc <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	srv, err := m.listen(ctx)
	if err != nil {
		return err
	}
	if srv != nil {
		start("http", func(context.Context) error {
			if err := srv.Serve(m.ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
	}
	if replicated {
		// The scheduler and the dispatcher run in the leader only; a
		// replica that loses the lead stops (its service manager starts
		// it again), so that it never sends beside the new leader.
		start("leader", func(ctx context.Context) error {
			return m.DB.Lead(ctx, func() {
				m.Log.Info("another replica leads: this one stores and processes messages, the leader schedules and sends")
			}, func(ctx context.Context) error {
				m.Log.Info("leading: running the scheduler and the dispatcher")
				if err := m.Scheduler.Start(ctx); err != nil {
					m.Log.Error("scheduler catch-up failed", "err", err)
				}
				return m.Dispatcher.Run(ctx)
			})
		})
	} else {
		start("dispatcher", m.Dispatcher.Run)
	}
	start("intake", m.Intake.Run)
	start("plan", m.watchPlan)
	for i, r := range m.runners {
		start(fmt.Sprintf("platform %d", i), r)
	}
	m.Log.Info("campaignbot running", "listen", m.Addr, "platforms", len(m.senders))
	close(m.Ready)
	select {
	case <-ctx.Done():
	case err = <-errc:
		m.Log.Error("stopping", "err", err)
	}
	// Drain: stop taking requests, let in-flight work finish.
	if srv != nil {
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = srv.Shutdown(sctx)
		scancel()
	}
	cancel()
	wg.Wait()
	m.Log.Info("campaignbot stopped")
	return err
}

// listen opens the --listen address, if one is set, and returns the HTTP
// server for it (webhooks, the web console, /healthz, /metrics). Without
// CAMPAIGNBOT_BASE_URL the console's links point at the address itself.
func (m *Main) listen(ctx context.Context) (*http.Server, error) {
	if m.Config.Listen == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", m.Config.Listen)
	if err != nil {
		return nil, usagef("--listen: %s", err)
	}
	m.ln, m.Addr = ln, ln.Addr().String()
	if m.Config.BaseURL == "" {
		m.Web.SetBaseURL(localURL(ln.Addr()))
	}
	srv := m.httpServer()
	if m.consoleMode() {
		go func() {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				m.Log.Error("http", "err", err)
			}
		}()
	}
	return srv, nil
}

// localURL is the address of a listener as a browser on the same machine
// reaches it: a wildcard host is localhost.
func localURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Close releases everything Open acquired.
func (m *Main) Close() error {
	defer m.lock.Close() // last: a new run may start as soon as it is released
	if m.Scheduler != nil {
		_ = m.Scheduler.Close()
	}
	if m.intakeStore != nil {
		_ = m.intakeStore.Close()
	}
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}
