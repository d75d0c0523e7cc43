package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"campaignbot"
)

// cmdOutbox lists the messages delivery gave up on, or puts them back in
// the outbox: after a fault the bot could not tell from a message's own
// failure (an old version failed messages on a revoked token), or once the
// office fixed a recipient (bound again, back in the visible range). The
// running bot sends requeued messages within seconds.
func cmdOutbox(ctx context.Context, sub string, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("outbox "+sub, stdio, getenv, &cfg)
	platform := fs.String("platform", "", "only messages to `platform` (telegram or wecom)")
	limit := 50
	if sub == "list" {
		fs.IntVar(&limit, "limit", limit, "list at most `n` messages, newest first")
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	var ids []int64
	for _, a := range pos {
		id, err := strconv.ParseInt(a, 10, 64)
		if sub != "requeue" || err != nil || id <= 0 {
			return usagef("usage: campaignbot outbox list [--platform P] [--limit N] | outbox requeue [--platform P] [ID...]")
		}
		ids = append(ids, id)
	}
	p := campaignbot.Platform(*platform)
	switch p {
	case "", campaignbot.PlatformTelegram, campaignbot.PlatformWeCom, campaignbot.PlatformConsole:
	default:
		return usagef("--platform: %q is not telegram, wecom or console", *platform)
	}
	db, err := openDB(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "requeue" {
		n, err := db.RequeueOutbox(ctx, p, ids...)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdio.Out, "%d failed messages put back in the outbox; the running bot sends them\n", n)
		return nil
	}
	ms, err := db.FailedOutbox(ctx, p, limit)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		fmt.Fprintln(stdio.Out, "no failed messages")
		return nil
	}
	tw := tabwriter.NewWriter(stdio.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPLATFORM\tCHAT\tKIND\tCREATED\tATTEMPTS\tERROR")
	for _, m := range ms {
		why := strings.ReplaceAll(m.LastError, "\n", " ")
		if r := []rune(why); len(r) > 120 {
			why = string(r[:119]) + "…"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", m.ID, m.Platform, m.ChatID, m.Kind,
			m.CreatedAt.Local().Format("2006-01-02 15:04"), m.Attempts, why)
	}
	return tw.Flush()
}
