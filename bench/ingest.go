package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	"campaignbot"
	"campaignbot/bot"
)

// members returns the bound members of the generated organisation, the
// people who owe weekly notes.
func (o org) members() []int64 {
	var ids []int64
	for i := o.office() + 1; i <= int64(o.people); i++ {
		if i%10 != 0 && o.bound(i) {
			ids = append(ids, i)
		}
	}
	return ids
}

// bareDSN is the store's writer connection string (store.Open's dsn): the
// same pragmas, the same transaction lock, on the same file.
func bareDSN(path string) string {
	u := url.URL{Scheme: "file", Opaque: url.PathEscape(path)}
	return u.String() + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate&_pragma=secure_delete(1)"
}

// measureIngest compares chat notes through the engine into the store with
// bare one-row transactions into the same database file, in rounds that
// alternate so that both see the same machine.
func measureIngest(ctx context.Context, e *env) error {
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	raw, err := sql.Open("sqlite", bareDSN(e.path))
	if err != nil {
		return err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	if _, err := raw.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_bare (id INTEGER PRIMARY KEY, text TEXT NOT NULL)`); err != nil {
		return err
	}
	engine := bot.New(db, e.plan, bot.WithClock(e.clock()), bot.WithLogger(quietLogger()))
	members := e.o.org.members()
	count := func() (n int, err error) {
		err = raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM submissions`).Scan(&n)
		return n, err
	}
	before, err := count()
	if err != nil {
		return err
	}

	const rounds = 3
	var bareTime, engineTime time.Duration
	seq := 0
	for range rounds {
		t := time.Now()
		for i := range e.o.notes {
			tx, err := raw.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO bench_bare (text) VALUES (?)`, noteText(i)); err != nil {
				tx.Rollback()
				return err
			}
			if err := tx.Commit(); err != nil {
				return err
			}
		}
		bareTime += time.Since(t)

		t = time.Now()
		for range e.o.notes {
			seq++
			id := members[seq%len(members)]
			req := &bot.Request{Platform: campaignbot.PlatformTelegram, AccountID: chatID(id), ChatID: chatID(id),
				MessageID: fmt.Sprint(seq), Text: "/note " + noteText(seq)}
			replies, err := engine.Handle(ctx, req)
			if err != nil {
				return err
			}
			if seq == 1 && (len(replies) == 0 || strings.Contains(replies[0].Text, "出错")) {
				return fmt.Errorf("the first note got %+v", replies)
			}
		}
		engineTime += time.Since(t)
	}
	after, err := count()
	if err != nil {
		return err
	}
	if got, want := after-before, rounds*e.o.notes; got != want {
		return fmt.Errorf("%d notes stored, want %d", got, want)
	}
	n := float64(rounds * e.o.notes)
	bare, eng := n/bareTime.Seconds(), n/engineTime.Seconds()
	e.rep.info("ingest: bare one-row transactions", fmt.Sprintf("%.0f /s", bare))
	e.rep.info("ingest: chat notes through the engine into SQLite", fmt.Sprintf("%.0f /s", eng))
	e.rep.add("ingest through the engine / bare one-row transactions", fmt.Sprintf("%.0f%%", 100*eng/bare), ">= 50%", eng >= bare/2)
	return nil
}
