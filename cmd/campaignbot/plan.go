package main

import (
	"context"
	"fmt"
	"os/user"
	"slices"
	"time"

	"campaignbot"
	"campaignbot/demo"
	"campaignbot/plan"
	"campaignbot/store"
)

// planPoll is how often a running bot looks for a plan applied by another
// process. It polls because nothing else tells it: `plan apply` shares only
// the database file with it, and SQLite notifies no other connection of a
// commit.
const planPoll = 2 * time.Second

// cmdPlanApply validates a plan file and stores it as the plan in force.
func cmdPlanApply(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("plan apply", stdio, getenv, &cfg)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	} else if len(pos) != 1 {
		return usagef("usage: campaignbot plan apply FILE")
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	p, source, err := plan.LoadSource(pos[0])
	if err != nil {
		return err
	}
	db, err := cfg.open(ctx)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer db.Close()
	var old *campaignbot.Plan
	before, err := db.FindPlan(ctx)
	if err == nil {
		// A stored plan that no longer parses is replaced all the same.
		old, _ = parseStored(before)
	} else if campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
		return err
	}
	ap, err := db.ApplyPlan(ctx, source, "plan apply "+pos[0]+byWhom())
	if err != nil {
		return err
	}
	if before != nil && ap.Version == before.Version {
		fmt.Fprintf(stdio.Out, "%s: already in force (version %d, applied %s by %s)\n",
			pos[0], ap.Version, ap.AppliedAt.In(p.Loc()).Format("2006-01-02 15:04"), ap.AppliedBy)
		return nil
	}
	fmt.Fprintf(stdio.Out, "%s: applied as version %d — %d phases, %d tasks, %d surveys, %s to %s\n",
		pos[0], ap.Version, len(p.Phases), len(p.Tasks), len(p.Surveys), p.Start, p.End)
	for _, what := range restartNeeded(old, p) {
		fmt.Fprintf(stdio.Out, "note: %s changed; a running bot takes it up when restarted\n", what)
	}
	return nil
}

// byWhom names the user applying a plan, for the record, if known.
func byWhom() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return " (" + u.Username + ")"
	}
	return ""
}

// parseStored parses the plan as stored.
func parseStored(ap *campaignbot.AppliedPlan) (*campaignbot.Plan, error) {
	p, err := plan.Parse(fmt.Sprintf("stored plan version %d", ap.Version), ap.Source)
	if err != nil {
		return nil, fmt.Errorf("the plan in the store does not parse: %w", err)
	}
	return p, nil
}

// storeOptions are the store's settings that come from the plan.
func storeOptions(p *campaignbot.Plan) []store.Option {
	return []store.Option{store.WithLocation(p.Loc()), store.WithPerDepartmentTasks(perDepartmentTasks(p)...)}
}

func perDepartmentTasks(p *campaignbot.Plan) []string {
	var keys []string
	for _, t := range p.Tasks {
		if t.Cardinality == campaignbot.PerDepartment {
			keys = append(keys, t.Key)
		}
	}
	return keys
}

// restartNeeded lists what changes from old to p that a running bot fixes
// at start: the store's time zone and per-department tasks, the
// scheduler's times of day. Everything else takes effect at once.
func restartNeeded(old, p *campaignbot.Plan) []string {
	if old == nil {
		return nil
	}
	var what []string
	if old.Loc().String() != p.Loc().String() {
		what = append(what, "the time zone")
	}
	if !slices.Equal(perDepartmentTasks(old), perDepartmentTasks(p)) {
		what = append(what, "the tasks owed per department")
	}
	if old.Policy.DigestAt != p.Policy.DigestAt || old.Policy.RemindAt != p.Policy.RemindAt {
		what = append(what, "digest_at or remind_at")
	}
	return what
}

// applyStartPlan applies the plan run starts with: the --plan file if
// given (a file equal to the plan in force changes nothing); otherwise, in
// a store without a plan, the embedded default starting on the first of
// this month, or with --demo the one that started demo.DaysIn days ago.
func (m *Main) applyStartPlan(ctx context.Context, db *store.DB, now time.Time) error {
	c := &m.Config
	if c.Plan != "" {
		_, source, err := plan.LoadSource(c.Plan)
		if err != nil {
			return err
		}
		before, err := db.FindPlan(ctx)
		if err != nil && campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
			return err
		}
		ap, err := db.ApplyPlan(ctx, source, "run --plan "+c.Plan)
		if err != nil {
			return err
		}
		// A deadline moved with `plan apply` is undone by a restart
		// with the old file in CAMPAIGNBOT_PLAN: say so.
		if before != nil && ap.Version != before.Version {
			m.Log.Warn("--plan replaced the plan in force", "file", c.Plan, "version", ap.Version,
				"replaced_version", before.Version, "replaced_applied_by", before.AppliedBy)
		}
		return nil
	}
	if v, err := db.FindPlanVersion(ctx); err != nil || v != 0 {
		return err
	}
	start, by := plan.FirstOfMonth(now), "run: the default plan"
	if c.Demo {
		loc, err := time.LoadLocation(plan.DefaultTimeZone)
		if err != nil {
			return fmt.Errorf("load time zone: %w", err)
		}
		start, by = campaignbot.DateOf(now, loc).AddDays(-demo.DaysIn), "run --demo"
	}
	_, source, err := plan.Default(start)
	if err != nil {
		return err
	}
	_, err = db.ApplyPlan(ctx, source, by)
	return err
}

// watchPlan puts a plan applied while the bot runs (by `plan apply` in
// another process) in force in the engine and the scheduler, without a
// restart, until ctx is done.
func (m *Main) watchPlan(ctx context.Context) error {
	t := time.NewTicker(planPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := m.reloadPlan(ctx); err != nil && ctx.Err() == nil {
			m.Log.Error("reload the plan", "err", err)
		}
	}
}

// reloadPlan puts the stored plan in force if its version changed.
func (m *Main) reloadPlan(ctx context.Context) error {
	v, err := m.DB.FindPlanVersion(ctx)
	if err != nil || v == m.planVersion {
		return err
	}
	ap, err := m.DB.FindPlan(ctx)
	if err != nil {
		return err
	}
	// Whatever happens, this version has been looked at: a plan that
	// does not parse is reported once, not every few seconds.
	m.planVersion = ap.Version
	p, err := parseStored(ap)
	if err != nil {
		return fmt.Errorf("keeping the plan in force: %w", err)
	}
	for _, what := range restartNeeded(m.Plan(), p) {
		m.Log.Warn("the applied plan changes what takes effect at the next start", "what", what)
	}
	m.plan.Store(p)
	m.Engine.SetPlan(p)
	m.Scheduler.SetPlan(p)
	m.Log.Info("plan in force", "version", ap.Version, "applied_by", ap.AppliedBy)
	return nil
}
