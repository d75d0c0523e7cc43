package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"campaignbot"
	"campaignbot/scheduler"
	"campaignbot/store"
)

// openForDay opens the store and plan and parses --date, which defaults to
// today in the plan's time zone.
func openForDay(ctx context.Context, cfg *Config, date string) (*store.DB, *campaignbot.Plan, campaignbot.Date, error) {
	day := campaignbot.Date(0)
	if date != "" {
		d, err := campaignbot.ParseDate(date)
		if err != nil {
			return nil, nil, 0, usagef("--date: %s", campaignbot.ErrorMessage(err))
		}
		day = d
	}
	db, p, err := openAll(ctx, cfg)
	if err != nil {
		return nil, nil, 0, err
	}
	if date == "" {
		day = campaignbot.DateOf(time.Now(), p.Loc())
	}
	return db, p, day, nil
}

// cmdDigest prints a digest as it would be sent: for one person, or for
// everyone who gets one.
func cmdDigest(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("digest", stdio, getenv, &cfg)
	forName := fs.String("for", "", "the `person` whose digest to print (default: everyone who gets one)")
	date := fs.String("date", "", "the day, YYYY-MM-DD (default: today)")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("usage: campaignbot digest [--for NAME] [--date DATE]")
	}
	db, p, day, err := openForDay(ctx, &cfg, *date)
	if err != nil {
		return err
	}
	defer db.Close()
	sch := scheduler.New(db, p, scheduler.WithLang(cfg.Lang))
	var people []*campaignbot.Person
	if *forName != "" {
		x, err := db.FindPersonByName(ctx, *forName)
		if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
			return usagef("no %q in the roster", *forName)
		} else if err != nil {
			return err
		}
		people = append(people, x)
	} else {
		all, err := db.FindPeople(ctx, campaignbot.PersonFilter{})
		if err != nil {
			return err
		}
		for _, x := range all {
			if x.HasRole(campaignbot.RoleLeader) || x.HasRole(campaignbot.RoleHead) || x.HasRole(campaignbot.RoleOffice) {
				people = append(people, x)
			}
		}
	}
	for i, x := range people {
		text, err := sch.Digest(ctx, x.ID, day)
		if campaignbot.ErrorCode(err) == campaignbot.EFORBIDDEN {
			return usagef("%s gets no digest (only leaders, the head and the office do)", x.Name)
		} else if err != nil {
			return err
		}
		if i > 0 {
			fmt.Fprintln(stdio.Out)
		}
		fmt.Fprintf(stdio.Out, "=== %s ===\n%s\n", x.Name, text)
	}
	return nil
}

// cmdReminders previews every message that falls due on a day, to whom and why.
func cmdReminders(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("reminders", stdio, getenv, &cfg)
	date := fs.String("date", "", "the day, YYYY-MM-DD (default: today)")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("usage: campaignbot reminders [--date DATE]")
	}
	db, p, day, err := openForDay(ctx, &cfg, *date)
	if err != nil {
		return err
	}
	defer db.Close()
	prompts, err := scheduler.New(db, p, scheduler.WithLang(cfg.Lang)).Preview(ctx, day)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdio.Out, "%s: %d messages\n", day, len(prompts))
	for _, pr := range prompts {
		to := pr.PersonName
		if pr.PersonID == 0 {
			to = "(group)"
		}
		var via []string
		for _, m := range pr.Messages {
			via = append(via, string(m.Platform))
		}
		if len(via) == 0 {
			via = append(via, "unbound: not sent")
		}
		fmt.Fprintf(stdio.Out, "%-12s %-10s %-20s %s [%s]\n", pr.Kind, to, pr.TaskKey, pr.Reason, strings.Join(via, ","))
	}
	return nil
}
