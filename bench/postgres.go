package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create the bench's database

	"campaignbot"
	"campaignbot/bot/telegram/telegramtest"
	"campaignbot/scheduler"
	"campaignbot/store"
)

// SPEC §10's PostgreSQL row: three replicas of the binary on one database
// behind a round-robin proxy take the sustained intake (Telegram webhooks)
// while one replica is SIGKILLed mid-run and, later, the leader. The bench
// creates a database of its own on the server -postgres names (the role
// needs CREATEDB) and drops it at the end.

// pgMembers is the organisation the replicas serve: the rate, not the
// size, is what this row measures.
const pgMembers = 300

// pgReplica is one replica process.
type pgReplica struct {
	addr string
	cmd  *exec.Cmd
	log  *os.File
	dead atomic.Bool
	done chan struct{}
}

func (r *pgReplica) leads() bool {
	b, _ := os.ReadFile(r.log.Name())
	return bytes.Contains(b, []byte("leading: running"))
}

func (r *pgReplica) kill() {
	if r.dead.Swap(true) {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.done
}

// pgProxy passes each request to the next live replica.
type pgProxy struct {
	replicas []*pgReplica
	next     atomic.Int64
}

func (p *pgProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	for range len(p.replicas) {
		rep := p.replicas[int(p.next.Add(1))%len(p.replicas)]
		if rep.dead.Load() {
			continue
		}
		req, _ := http.NewRequest(r.Method, "http://"+rep.addr+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		w.Write(b)
		return
	}
	http.Error(w, "no replica answered", http.StatusBadGateway)
}

func measurePostgres(ctx context.Context, e *env) error {
	admin, err := sql.Open("pgx", e.o.postgres)
	if err != nil {
		return err
	}
	defer admin.Close()
	name := fmt.Sprintf("campaignbot_bench_%d", os.Getpid())
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`); err != nil {
		return fmt.Errorf("create the bench's database (the role needs CREATEDB): %w", err)
	}
	defer admin.ExecContext(context.WithoutCancel(ctx), `DROP DATABASE `+name+` WITH (FORCE)`)
	u, err := url.Parse(e.o.postgres)
	if err != nil {
		return err
	}
	u.Path = "/" + name
	dbURL, files := u.String(), filepath.Join(e.dir, "pg-files")

	// The organisation: the plan, members bound on Telegram, today's jobs
	// done (the replicas' start catches nothing up before the kills).
	db, err := store.Open(ctx, dbURL, store.WithAttachmentDir(files), store.WithLocation(e.plan.Loc()))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ApplyPlan(ctx, e.yaml, "bench"); err != nil {
		return err
	}
	var roster []campaignbot.RosterEntry
	for i := range pgMembers {
		roster = append(roster, campaignbot.RosterEntry{Name: fmt.Sprintf("成员%04d", i), Departments: []string{fmt.Sprintf("科室%02d", i%10)},
			Roles: []campaignbot.Role{campaignbot.RoleMember}})
	}
	if _, _, err := db.ImportRoster(ctx, roster); err != nil {
		return err
	}
	for i := range pgMembers {
		p, err := db.FindPersonByName(ctx, roster[i].Name)
		if err != nil {
			return err
		}
		inv, err := db.CreateInvite(ctx, p.ID)
		if err != nil {
			return err
		}
		tg := fmt.Sprint(5000000 + i) // the Telegram user and chat the load sends from
		acc := campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: tg, ChatID: tg}
		if _, err := db.RedeemInvite(ctx, inv.Code, acc); err != nil {
			return err
		}
	}
	for _, job := range []string{scheduler.JobReminders, scheduler.JobDigest} {
		if err := db.SetLastRun(ctx, job, time.Now()); err != nil {
			return err
		}
	}

	bin := e.o.binary
	if bin == "" {
		if bin, err = buildBinary(ctx, e.dir); err != nil {
			return err
		}
	}
	srv := telegramtest.New(benchToken)
	defer srv.Close()
	srv.RateLimit(telegramRate)
	proxy := &pgProxy{}
	front := httptest.NewServer(proxy)
	defer front.Close()
	srv.ProxyWebhooks(strings.TrimPrefix(front.URL, "http://"))
	for i := range 3 {
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		log, err := os.Create(filepath.Join(e.dir, fmt.Sprintf("replica%d.log", i)))
		if err != nil {
			return err
		}
		defer log.Close()
		cmd := exec.Command(bin, "run", "--listen", addr)
		cmd.Env = append(os.Environ(), "CAMPAIGNBOT_DB="+dbURL, "CAMPAIGNBOT_FILES="+files, "CAMPAIGNBOT_LANG=zh",
			"TELEGRAM_BOT_TOKEN="+benchToken, "TELEGRAM_API_URL="+srv.URL(),
			"TELEGRAM_WEBHOOK_URL=https://bot.bench.test/telegram/webhook", "TELEGRAM_WEBHOOK_SECRET=bench_secret")
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			return err
		}
		r := &pgReplica{addr: addr, cmd: cmd, log: log, done: make(chan struct{})}
		go func() { cmd.Wait(); close(r.done) }()
		defer r.kill()
		proxy.replicas = append(proxy.replicas, r)
	}
	leader := func() *pgReplica {
		for _, r := range proxy.replicas {
			if !r.dead.Load() && r.leads() {
				return r
			}
		}
		return nil
	}
	for deadline := time.Now().Add(30 * time.Second); leader() == nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("no replica leads after 30 s; see %s", e.dir)
		}
	}

	// The sustained intake, with the kills at a third and two thirds.
	rate := e.o.intakeRate
	total := max(rate*e.o.intakeSeconds, 3*rate)
	since := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	var takeover time.Duration
	var killedAt time.Time
	tookOver := make(chan time.Duration, 1)
	for sent := 0; sent < total; {
		<-tick.C
		due := min(total, int(time.Since(since).Seconds()*float64(rate)))
		for ; sent < due; sent++ {
			srv.SendText(int64(5000000+sent%pgMembers), "", "/note 副本负载 "+noteText(sent))
			switch sent {
			case total / 3:
				for _, r := range proxy.replicas {
					if r != leader() {
						r.kill()
						break
					}
				}
			case 2 * total / 3:
				old := leader()
				old.kill()
				killedAt = time.Now()
				go func() {
					for time.Since(killedAt) < time.Minute {
						if leader() != nil {
							tookOver <- time.Since(killedAt)
							return
						}
						time.Sleep(20 * time.Millisecond)
					}
					tookOver <- -1
				}()
			}
		}
	}
	tick.Stop()
	sending := time.Since(since)
	takeover = <-tookOver

	raw, err := sql.Open("pgx", dbURL)
	if err != nil {
		return err
	}
	defer raw.Close()
	var stored, processed int
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if err := raw.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(processed_at) FROM inbound WHERE platform = 'telegram'`).Scan(&stored, &processed); err != nil {
			return err
		}
		if processed >= total || time.Now().After(deadline) {
			break
		}
	}
	var lags []time.Duration
	rows, err := raw.QueryContext(ctx, `SELECT processed_at - received_at FROM inbound WHERE platform = 'telegram' AND processed_at IS NOT NULL`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var ns int64
		if err := rows.Scan(&ns); err != nil {
			rows.Close()
			return err
		}
		lags = append(lags, time.Duration(ns))
	}
	rows.Close()
	var notes, distinct int
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT (person_id, version)) FROM submissions`).Scan(&notes, &distinct); err != nil {
		return err
	}
	if len(lags) == 0 {
		return fmt.Errorf("none of %d notes processed; see %s", total, e.dir)
	}
	slices.Sort(lags)
	p99 := lags[min(len(lags)-1, int(0.99*float64(len(lags))))]
	e.rep.info(fmt.Sprintf("PostgreSQL, 3 replicas: notes sent at %d/s (one replica, then the leader, SIGKILLed)", rate),
		fmt.Sprintf("%d in %.1f s", total, sending.Seconds()))
	e.rep.info("PostgreSQL, 3 replicas: store-to-commit, median / p99 / max", ms(lags[len(lags)/2])+" / "+ms(p99)+" / "+ms(lags[len(lags)-1]))
	lost, doubled := total-min(stored, processed, notes), notes-distinct+max(0, notes-total)
	e.rep.add("PostgreSQL, 3 replicas: notes lost, doubled (sent, stored, processed, committed)",
		fmt.Sprintf("%d, %d (%d, %d, %d, %d)", lost, doubled, total, stored, processed, notes), "0, 0", lost == 0 && doubled == 0)
	took := "never"
	if takeover >= 0 {
		took = fmt.Sprintf("%.1f s", takeover.Seconds())
	}
	e.rep.add("PostgreSQL, 3 replicas: scheduler taken over after the leader's SIGKILL", took, "< 30 s", takeover >= 0 && takeover < 30*time.Second)
	return nil
}
