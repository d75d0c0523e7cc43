package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/plan"
	"campaignbot/roster"
	"campaignbot/web"
)

// cmdPlanInit writes the default plan, shifted to start on --start.
func cmdPlanInit(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("plan init", stdio, getenv, &cfg)
	start := fs.String("start", "", "first day of the campaign, YYYY-MM-DD (default: the first of this month)")
	out := fs.String("out", "", "write to `file` instead of standard output")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("plan init takes no arguments")
	}
	day := plan.FirstOfMonth(time.Now())
	if *start != "" {
		if day, err = campaignbot.ParseDate(*start); err != nil {
			return usagef("--start: %s", campaignbot.ErrorMessage(err))
		}
	}
	_, text, err := plan.Default(day)
	if err != nil {
		return err
	}
	if *out != "" {
		return os.WriteFile(*out, text, 0o644)
	}
	_, err = stdio.Out.Write(text)
	return err
}

// cmdPlanCheck validates a plan file, naming the line and field of each error.
func cmdPlanCheck(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("plan check", stdio, getenv, &cfg)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	} else if len(pos) != 1 {
		return usagef("usage: campaignbot plan check FILE")
	}
	p, err := plan.Load(pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdio.Out, "%s: ok — %d phases, %d tasks, %d surveys, %s to %s\n", pos[0], len(p.Phases), len(p.Tasks), len(p.Surveys), p.Start, p.End)
	return nil
}

// cmdPlanShow prints the plan in force as it was applied or, with
// --summary, summed up in --lang.
func cmdPlanShow(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("plan show", stdio, getenv, &cfg)
	summary := fs.Bool("summary", false, "print a summary (phases, tasks, due dates, surveys) instead of the plan file")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("plan show takes no arguments")
	}
	db, err := openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	ap, err := db.FindPlan(ctx)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return usagef("no plan has been applied to %s: apply one with \"campaignbot plan apply FILE\"", cfg.dbName())
	} else if err != nil {
		return err
	}
	if !*summary {
		_, err = stdio.Out.Write(ap.Source)
		return err
	}
	p, err := parseStored(ap)
	if err != nil {
		return err
	}
	fmt.Fprint(stdio.Out, plan.Render(p, cfg.Lang))
	return nil
}

// cmdRosterImport imports a roster CSV or XLSX: all lines or none. A
// department the file would take from a leader it does not list is shown,
// and imported only with --apply.
func cmdRosterImport(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("roster import", stdio, getenv, &cfg)
	apply := fs.Bool("apply", false, "make the changes to people the file does not list")
	cfg.createDB = true
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	} else if len(pos) != 1 {
		return usagef("usage: campaignbot roster import [--apply] FILE.csv|FILE.xlsx")
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return usagef("%s", err)
	}
	defer f.Close()
	entries, err := roster.Parse(pos[0], f)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	changes, err := db.PlanRoster(ctx, entries)
	if err != nil {
		return err
	}
	for _, c := range changes {
		fmt.Fprintf(stdio.Err, "%s: leader in charge %s → %s (%s is not in the file)\n", c.Department, c.From, c.To, c.From)
	}
	if len(changes) > 0 && !*apply {
		return usagef("%s: nothing imported: the file changes %d department(s) above for people it does not list; run again with --apply to make the changes", pos[0], len(changes))
	}
	created, updated, err := db.ImportRoster(ctx, entries)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdio.Out, "%s: %d people imported (%d new, %d updated)\n", pos[0], len(entries), created, updated)
	return nil
}

// cmdRosterList lists the roster as a table or, with --csv, as a roster file.
func cmdRosterList(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("roster list", stdio, getenv, &cfg)
	asCSV := fs.Bool("csv", false, "print as a roster CSV file")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("roster list takes no arguments")
	}
	db, err := openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	people, err := db.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return err
	}
	depts, err := db.FindDepartments(ctx)
	if err != nil {
		return err
	}
	if *asCSV {
		return roster.Write(stdio.Out, people, roster.WithDepartments(depts))
	}
	bound := map[int64][]campaignbot.Platform{}
	for _, p := range people {
		accs, err := db.FindAccountsByPerson(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, a := range accs {
			bound[p.ID] = append(bound[p.ID], a.Platform)
		}
	}
	return roster.Table(stdio.Out, people, cfg.Lang, roster.WithDepartments(depts), roster.WithBindings(bound))
}

// cmdRosterRemove takes people off the roster by name, id or WeCom UserID:
// all or none.
func cmdRosterRemove(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("roster remove", stdio, getenv, &cfg)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	} else if len(pos) == 0 {
		return usagef("usage: campaignbot roster remove NAME|ID...")
	}
	db, err := openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	removed, err := db.RemovePeople(ctx, pos)
	if c := campaignbot.ErrorCode(err); c == campaignbot.ENOTFOUND || c == campaignbot.EINVALID {
		return usagef("%s; nobody removed", campaignbot.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	for _, p := range removed {
		fmt.Fprintf(stdio.Out, "removed %s (%s)\n", p.Name, p.Department)
	}
	return nil
}

// cmdInvite prints one-time invite codes, with Telegram deep links when the
// bot's user name is known (TELEGRAM_BOT_NAME or --bot-name).
func cmdInvite(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("invite", stdio, getenv, &cfg)
	all := fs.Bool("all", false, "invite everyone not yet bound on any platform")
	botName := fs.String("bot-name", "", "Telegram bot user name for deep links (TELEGRAM_BOT_NAME)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *all == (len(pos) > 0) {
		return usagef("usage: campaignbot invite NAME... | --all")
	}
	if *botName == "" {
		*botName = cfg.Telegram.BotName
	}
	db, err := openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	var people []*campaignbot.Person
	if *all {
		everyone, err := db.FindPeople(ctx, campaignbot.PersonFilter{})
		if err != nil {
			return err
		}
		for _, x := range everyone {
			accs, err := db.FindAccountsByPerson(ctx, x.ID)
			if err != nil {
				return err
			}
			if len(accs) == 0 {
				people = append(people, x)
			}
		}
	} else {
		for _, name := range pos {
			x, err := db.FindPersonByName(ctx, name)
			if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
				return usagef("no %q in the roster", name)
			} else if err != nil {
				return err
			}
			people = append(people, x)
		}
	}
	for _, x := range people {
		inv, err := db.CreateInvite(ctx, x.ID)
		if err != nil {
			return err
		}
		line := fmt.Sprintf("%s\t%s\t%s", x.Name, inv.Code, inv.ExpiresAt.In(db.Location()).Format("2006-01-02 15:04"))
		if link := bot.DeepLink(*botName, inv.Code); link != "" {
			line += "\t" + link
		}
		fmt.Fprintln(stdio.Out, line)
	}
	if len(people) == 0 {
		fmt.Fprintln(stdio.Err, "campaignbot: everyone is bound already; name people to invite them again")
	}
	return nil
}

// cmdBackup makes a consistent copy of the store while the bot runs.
func cmdBackup(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("backup", stdio, getenv, &cfg)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	} else if len(pos) != 1 {
		return usagef("usage: campaignbot backup FILE")
	}
	db, err := openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdio.Out, "backup written to %s\n", pos[0])
	return nil
}

// cmdWebLink prints a one-time login link to the web console for a person
// (SPEC §7), as /web replies in chat.
func cmdWebLink(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("web-link", stdio, getenv, &cfg)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: campaignbot web-link NAME")
	}
	if cfg.BaseURL == "" {
		return usagef("CAMPAIGNBOT_BASE_URL: not set; it is the web console's public address, e.g. https://campaign.example.gov.cn")
	}
	db, err := openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := db.FindPersonByName(ctx, pos[0])
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return usagef("no %q in the roster", pos[0])
	} else if err != nil {
		return err
	}
	l, err := db.CreateLoginLink(ctx, p.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdio.Out, "%s\n", web.LinkURL(cfg.BaseURL, l.Token))
	fmt.Fprintf(stdio.Err, "%s: single use, valid until %s\n", p.Name, l.ExpiresAt.Local().Format("2006-01-02 15:04"))
	return nil
}
