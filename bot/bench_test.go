package bot_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"campaignbot"
	"campaignbot/bot"
)

// noteBody is a study note of a realistic size (about 300 bytes).
var noteBody = strings.Repeat("深入学习贯彻会议精神，结合本职工作查找差距。", 7)

// BenchmarkHandleNote ingests chat notes through the engine into a real
// store file: de-duplication, the person, the dialog, the submission and
// its reply. SPEC §10 wants at least half the rate of BenchmarkBareInsertTx.
func BenchmarkHandleNote(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	for b.Loop() {
		replies, err := e.engine.Handle(ctx, e.req("member", "/note "+noteBody))
		if err != nil || len(replies) == 0 {
			b.Fatal(replies, err)
		}
	}
}

// BenchmarkBareInsertTx is BenchmarkHandleNote's baseline: one row per
// transaction into the same database file, through a connection with the
// store writer's settings.
func BenchmarkBareInsertTx(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	u := url.URL{Scheme: "file", Opaque: url.PathEscape(e.path)}
	raw, err := sql.Open("sqlite", u.String()+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate&_pragma=secure_delete(1)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	if _, err := raw.ExecContext(ctx, `CREATE TABLE bare (id INTEGER PRIMARY KEY, text TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bare (text) VALUES (?)`, noteBody); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandleNoteLanes is BenchmarkHandleNote with notes from 16
// members arriving together, processed as the adapters process a batch of
// updates (ProcessLanes), so that the store commits their writes together.
func BenchmarkHandleNoteLanes(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	var roster []campaignbot.RosterEntry
	var who []string
	for i := range 16 {
		name := fmt.Sprint("m", i)
		who = append(who, name)
		roster = append(roster, campaignbot.RosterEntry{Name: name, Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}})
	}
	if _, _, err := e.db.ImportRoster(ctx, roster); err != nil {
		b.Fatal(err)
	}
	for _, name := range who {
		e.bind(name)
	}
	reqs := make([]*bot.Request, 100)
	for b.Loop() {
		for i := range reqs {
			reqs[i] = e.req(who[i%len(who)], "/note "+noteBody)
		}
		ok := bot.ProcessLanes(ctx, reqs, func(r *bot.Request) string { return r.AccountID },
			func(ctx context.Context, r *bot.Request) bool {
				replies, err := e.engine.Handle(ctx, r)
				return err == nil && len(replies) > 0
			})
		if !ok {
			b.Fatal("a note failed")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(100*b.N), "ns/note")
}
