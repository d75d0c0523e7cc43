package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"campaignbot"
	"campaignbot/plan"
	"campaignbot/store"
)

// cmdCampaignNew closes the current campaign and starts the next with a
// plan file, keeping the roster and the chat bindings (SPEC §2). An invalid
// plan, or a store whose campaign has no plan yet, changes nothing.
func cmdCampaignNew(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("campaign new", stdio, getenv, &cfg)
	file := fs.String("plan", "", "the plan `file` of the new campaign")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 || *file == "" {
		return usagef("usage: campaignbot campaign new --plan FILE")
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	lang := cfg.Lang
	p, source, err := plan.LoadSource(*file)
	if err != nil {
		return usagef("%s\n%s", campaignbot.T(lang, "campaign.cli.bad_plan", *file), campaignbot.ErrorMessage(err))
	}
	db, err := openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	before, err := db.FindPlan(ctx)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return usagef("%s", campaignbot.T(lang, "campaign.cli.no_plan"))
	} else if err != nil {
		return err
	}
	old, _ := parseStored(before) // a stored plan that no longer parses is replaced all the same
	cs, err := db.FindCampaigns(ctx)
	if err != nil {
		return err
	}
	closed := cs[len(cs)-1]
	c, err := db.StartCampaign(ctx, source, "campaign new --plan "+*file+byWhom())
	if err != nil {
		return err
	}
	people, err := db.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return err
	}
	accounts, err := db.FindAllAccounts(ctx)
	if err != nil {
		return err
	}
	bound := map[int64]bool{}
	for _, a := range accounts {
		bound[a.PersonID] = true
	}
	fmt.Fprintln(stdio.Out, campaignbot.T(lang, "campaign.cli.started", c.ID, planTitle(lang, p), p.Start, p.End, len(p.Phases), len(p.Tasks), len(p.Surveys)))
	fmt.Fprintln(stdio.Out, campaignbot.T(lang, "campaign.cli.closed", closed.ID, closed.ID))
	fmt.Fprintln(stdio.Out, campaignbot.T(lang, "campaign.cli.carried", len(people), len(bound), len(accounts)))
	fmt.Fprintln(stdio.Out, campaignbot.T(lang, "campaign.cli.fresh"))
	for _, what := range restartNeeded(old, p) {
		fmt.Fprintln(stdio.Out, campaignbot.T(lang, "campaign.cli.restart", what))
	}
	return nil
}

// planTitle is a plan's title in lang, or a placeholder.
func planTitle(lang string, p *campaignbot.Plan) string {
	if p == nil {
		return campaignbot.T(lang, "campaign.cli.untitled")
	}
	t := p.Title
	if campaignbot.English(lang) && p.TitleEn != "" {
		t = p.TitleEn
	}
	if t == "" {
		return campaignbot.T(lang, "campaign.cli.untitled")
	}
	return t
}

// cmdCampaignList lists the store's campaigns, oldest first.
func cmdCampaignList(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("campaign list", stdio, getenv, &cfg)
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("usage: campaignbot campaign list")
	}
	db, err := openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	cs, err := db.FindCampaigns(ctx)
	if err != nil {
		return err
	}
	lang := cfg.Lang
	tw := tabwriter.NewWriter(stdio.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, campaignbot.T(lang, "campaign.cli.header"))
	for _, c := range cs {
		var p *campaignbot.Plan
		loc := time.Local
		if c.Plan != nil {
			if p, err = parseStored(c.Plan); err == nil {
				loc = p.Loc()
			}
		}
		period := campaignbot.T(lang, "roster.none")
		if p != nil {
			period = fmt.Sprintf("%s – %s", p.Start, p.End)
		}
		state := campaignbot.T(lang, "campaign.cli.current")
		if !c.Current() {
			state = campaignbot.T(lang, "campaign.cli.closed_at", c.ClosedAt.In(loc).Format("2006-01-02 15:04"))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n", c.ID, planTitle(lang, p), period,
			c.StartedAt.In(loc).Format("2006-01-02 15:04"), state,
			c.Submissions, c.Opinions, c.Problems, c.LedgerItems, c.SurveyResponses)
	}
	return tw.Flush()
}

// openCampaign opens the store on campaign n (0 for the current one) with
// the settings of that campaign's plan. Close the first DB, not the view.
func openCampaign(ctx context.Context, cfg *Config, n int64) (*store.DB, *store.DB, *campaignbot.Plan, error) {
	if n == 0 {
		db, p, err := openAll(ctx, cfg)
		return db, db, p, err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	view, err := db.InCampaign(ctx, n)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		db.Close()
		return nil, nil, nil, usagef("%s", campaignbot.T(cfg.Lang, "campaign.cli.unknown", n))
	} else if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	ap, err := view.FindPlan(ctx)
	if err == nil {
		var p *campaignbot.Plan
		if p, err = parseStored(ap); err == nil {
			db.Close()
			if db, err = store.Open(ctx, cfg.DB, storeOptions(p)...); err != nil {
				return nil, nil, nil, fmt.Errorf("open store: %w", err)
			}
			if view, err = db.InCampaign(ctx, n); err != nil {
				db.Close()
				return nil, nil, nil, err
			}
			return db, view, p, nil
		}
	}
	db.Close()
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return nil, nil, nil, usagef("%s", campaignbot.T(cfg.Lang, "campaign.cli.no_plan_in", n))
	}
	return nil, nil, nil, err
}
