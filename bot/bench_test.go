package bot_test

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"
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
