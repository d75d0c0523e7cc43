package main

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"sync"
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

	// Notes arrive as the adapters take them: batches of up to 100 updates
	// from many members, each member's in order, members side by side
	// (bot.ProcessLanes); and, for comparison, one member at a time.
	handle := func(seq int) error {
		id := members[seq%len(members)]
		req := &bot.Request{Platform: campaignbot.PlatformTelegram, AccountID: chatID(id), ChatID: chatID(id),
			MessageID: fmt.Sprint(seq), Text: "/note " + noteText(seq)}
		replies, err := engine.Handle(ctx, req)
		if err != nil {
			return err
		}
		if len(replies) == 0 || strings.Contains(replies[0].Text, "出错") {
			return fmt.Errorf("note %d got %+v", seq, replies)
		}
		return nil
	}
	const rounds, batch = 3, 100
	var bareTime, engineTime, serialTime time.Duration
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
		var mu sync.Mutex
		var firstErr error
		for start := 0; start < e.o.notes; start += batch {
			var seqs []int
			for range min(batch, e.o.notes-start) {
				seq++
				seqs = append(seqs, seq)
			}
			bot.ProcessLanes(ctx, seqs, func(seq int) string { return chatID(members[seq%len(members)]) },
				func(_ context.Context, seq int) bool {
					if err := handle(seq); err != nil {
						mu.Lock()
						firstErr = cmp.Or(firstErr, err)
						mu.Unlock()
						return false
					}
					return true
				})
			if firstErr != nil {
				return firstErr
			}
		}
		engineTime += time.Since(t)

		t = time.Now()
		for range e.o.notes {
			seq++
			if err := handle(seq); err != nil {
				return err
			}
		}
		serialTime += time.Since(t)
	}
	after, err := count()
	if err != nil {
		return err
	}
	if got, want := after-before, 2*rounds*e.o.notes; got != want {
		return fmt.Errorf("%d notes stored, want %d", got, want)
	}
	n := float64(rounds * e.o.notes)
	bare, eng, serial := n/bareTime.Seconds(), n/engineTime.Seconds(), n/serialTime.Seconds()
	e.rep.info("ingest: bare one-row transactions", fmt.Sprintf("%.0f /s", bare))
	e.rep.info("ingest: notes one member at a time (no batching)", fmt.Sprintf("%.0f /s (%.0f%%)", serial, 100*serial/bare))
	e.rep.info("ingest: notes as the adapters take them (batches of 100)", fmt.Sprintf("%.0f /s", eng))
	e.rep.add("ingest through the engine / bare one-row transactions", fmt.Sprintf("%.0f%%", 100*eng/bare), ">= 50%", eng >= bare/2)
	return nil
}
