package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"campaignbot"
)

// What SPEC §2 asks of the file against someone who holds it: an anonymous
// act keeps no person, chat or time finer than the day once acknowledged.
// The pieces live where the rows are written (CreateOpinion,
// RecordSurveyResponse, ForgetInbound, the outbox's anonymous rows); this
// file holds what they share: emptying the WAL, remembering forgotten
// update keys, and the nightly maintenance.

// walEraser empties the WAL after an anonymous act: its frames hold the
// pages as they were (the raw update beside its sender, the dialog, the
// acknowledgement with its chat). A checkpoint cannot reset the WAL while
// a reader (an export, a backup, the office's sqlite3 shell) holds a
// snapshot in it, so a failed attempt is retried until one succeeds.
type walEraser struct {
	// conn is a connection without busy timeout: an attempt that would
	// wait for a reader or the writer gives up at once, so it never holds
	// the write lock while the intake waits.
	db   *sql.DB
	conn *sql.Conn

	mu      sync.Mutex
	pending bool // an attempt is owed
	running bool // retry loop running
	closed  bool
	stop    chan struct{}
	done    sync.WaitGroup
}

// Retry waits of walEraser: short first (a reader usually ends within a
// second), never longer than walRetryMax.
const (
	walRetryMin = 20 * time.Millisecond
	walRetryMax = time.Second
)

func newWALEraser(path string) (*walEraser, error) {
	db, err := sql.Open("sqlite", dsn(path, ""))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	// Set here rather than in the DSN, where dsn's own busy_timeout would
	// race with it (the driver sorts the pragmas, busy_timeout first).
	if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = 0`); err != nil {
		conn.Close()
		db.Close()
		return nil, err
	}
	return &walEraser{db: db, conn: conn, stop: make(chan struct{})}, nil
}

// erase tries to empty the WAL now and, if a reader or writer is in the
// way, keeps trying in the background.
func (w *walEraser) erase() {
	if w == nil {
		return // PostgreSQL: no WAL file of the store's own
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.pending = true
	if w.running {
		return
	}
	if w.try() {
		w.pending = false
		return
	}
	w.running = true
	w.done.Add(1)
	go w.retry()
}

// try runs one truncating checkpoint; it reports whether the WAL is empty.
// The caller holds mu.
func (w *walEraser) try() bool {
	var busy, log, moved int
	err := w.conn.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &log, &moved)
	return err == nil && busy == 0
}

func (w *walEraser) retry() {
	defer w.done.Done()
	wait := walRetryMin
	for {
		select {
		case <-w.stop:
			return
		case <-time.After(wait):
		}
		w.mu.Lock()
		if w.try() {
			w.pending, w.running = false, false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		wait = min(2*wait, walRetryMax)
	}
}

// close stops retrying after a last attempt and closes the connection;
// closing again does nothing.
func (w *walEraser) close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	if w.pending {
		w.try()
	}
	close(w.stop)
	w.mu.Unlock()
	w.done.Wait()
	w.conn.Close()
	return w.db.Close()
}

// forgetFor is how long the key of a forgotten update is remembered:
// platforms retry a callback within seconds (WeCom three times, five
// seconds apart), and Telegram sends an update again only until the next
// getUpdates confirms it.
const forgetFor = 10 * time.Minute

// forgottenKeys remembers, in memory only, the keys of the updates of
// anonymous acts whose rows are gone. A key kept in the file would say who
// acted when; what is lost on a restart is a retry arriving across it.
type forgottenKeys struct {
	mu   sync.Mutex
	keys map[string]time.Time
}

func newForgottenKeys() *forgottenKeys { return &forgottenKeys{keys: map[string]time.Time{}} }

func forgottenKey(p campaignbot.Platform, key string) string { return string(p) + "\x00" + key }

func (f *forgottenKeys) add(p campaignbot.Platform, key string, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, at := range f.keys {
		if now.Sub(at) > forgetFor {
			delete(f.keys, k)
		}
	}
	f.keys[forgottenKey(p, key)] = now
}

func (f *forgottenKeys) has(p campaignbot.Platform, key string, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	at, ok := f.keys[forgottenKey(p, key)]
	return ok && now.Sub(at) <= forgetFor
}

// ForgetInbound deletes the updates of an anonymous act (see
// campaignbot.InboundService) and empties the WAL once the transaction
// commits.
func (db *DB) ForgetInbound(ctx context.Context, platform campaignbot.Platform, keys ...string) error {
	return db.write(ctx, func(ctx context.Context, tx *Tx) error {
		var missing []string
		for _, key := range keys {
			res, err := tx.ExecContext(ctx, `DELETE FROM inbound WHERE platform = ? AND key = ?`, string(platform), key)
			if err != nil {
				return fmt.Errorf("forget inbound: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("forget inbound: %w", err)
			} else if n == 0 {
				missing = append(missing, key)
			}
		}
		if len(missing) > 0 {
			return campaignbot.Errorf(campaignbot.ENOTFOUND, "inbound %s %s not found", platform, strings.Join(missing, ", "))
		}
		// Remembered at once: if the transaction rolls back, the rows are
		// still there and a retry is refused by its key all the same.
		for _, key := range keys {
			db.forgotten.add(platform, key, tx.now)
		}
		tx.checkpointAfterCommit()
		return nil
	})
}

// dialogRetention is how long an untouched dialog (or the marker of an
// abandoned anonymous one) is kept by the nightly maintenance.
const dialogRetention = 7 * 24 * time.Hour

// anonymousTables are the tables whose rows are anonymous data, with the
// order of their keys: rows written back in key order lie in the file in
// that order, which says nothing of when they were written (the ids are
// random; participation is keyed by person).
var anonymousTables = []string{"opinions", "survey_answers", "survey_participation"}

// MaintainAnonymity implements campaignbot.AnonymityService. SQLite writes
// a page's cells from its end backwards, so even with random ids the
// offsets of the cells in a page follow the order the rows were inserted.
// Each anonymous table is copied out, emptied and written back in key
// order in one transaction (secure_delete zeroes what is freed), and the
// WAL is emptied afterwards. Its cost grows with the rows of those tables
// only, not with the whole file as VACUUM's would (bench/README.md), and
// it is paid only after a day with anonymous acts.
func (db *DB) MaintainAnonymity(ctx context.Context, abandonedBefore time.Time) error {
	return db.write(ctx, func(ctx context.Context, tx *Tx) error {
		if err := expireDialogs(ctx, tx, abandonedBefore); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM anonymity_pending`)
		if err != nil {
			return fmt.Errorf("erase the order of anonymous rows: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("erase the order of anonymous rows: %w", err)
		} else if n > 0 {
			for _, table := range anonymousTables {
				if err := rewriteInKeyOrder(ctx, tx, table); err != nil {
					return fmt.Errorf("erase the order of %s: %w", table, err)
				}
			}
		}
		tx.checkpointAfterCommit()
		return nil
	})
}

// anonymousWritten records, in tx, that anonymous rows were written: the
// next maintenance erases their order, and empties the WAL once tx commits.
func anonymousWritten(ctx context.Context, tx *Tx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO anonymity_pending (one) VALUES (1) ON CONFLICT DO NOTHING`); err != nil {
		return fmt.Errorf("note anonymous rows: %w", err)
	}
	tx.checkpointAfterCommit()
	return nil
}

// expireDialogs replaces each anonymous dialog untouched since
// abandonedBefore with a marker that keeps only the day, and deletes
// dialogs and markers untouched for dialogRetention. Markers are inserted
// anew, so their rowids say nothing of when the dialogs began.
func expireDialogs(ctx context.Context, tx *Tx, abandonedBefore time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM dialogs WHERE updated_at < ?`, encTime(tx.now.Add(-dialogRetention))); err != nil {
		return fmt.Errorf("delete old dialogs: %w", err)
	}
	type account struct{ platform, id string }
	var abandoned []account
	anonymous := `json_extract(data, '$.anonymous') = 1`
	if tx.db.pg {
		// Not data::jsonb: a row saved before the state was typed may not
		// be JSON at all (FindDialog). json.Marshal writes the flag so.
		anonymous = `strpos(data, '"anonymous":true') > 0`
	}
	err := eachRow(ctx, tx, `SELECT platform, account_id FROM dialogs
		WHERE name <> ? AND `+anonymous+` AND updated_at < ? ORDER BY platform, account_id`,
		[]any{campaignbot.DialogAnonymousExpired, encTime(abandonedBefore)}, func(rows *sql.Rows) error {
			var a account
			if err := rows.Scan(&a.platform, &a.id); err != nil {
				return err
			}
			abandoned = append(abandoned, a)
			return nil
		})
	if err != nil {
		return fmt.Errorf("find abandoned anonymous dialogs: %w", err)
	}
	for _, a := range abandoned {
		if _, err := tx.ExecContext(ctx, qDeleteDialog, a.platform, a.id); err != nil {
			return fmt.Errorf("drop abandoned anonymous dialog: %w", err)
		}
	}
	day := encTime(tx.today().Time(tx.db.loc))
	for _, a := range abandoned {
		if _, err := tx.ExecContext(ctx, qSaveDialog, a.platform, a.id, campaignbot.DialogAnonymousExpired, "", "{}", day); err != nil {
			return fmt.Errorf("mark abandoned anonymous dialog: %w", err)
		}
	}
	return nil
}

// rewriteInKeyOrder empties table and writes its rows back in key order,
// through a scratch table in the same file (a temporary table could spill
// to a temporary file that secure_delete does not cover).
//
// PostgreSQL: CLUSTER rewrites the table in the order of its primary key
// into new files and drops the old ones with their dead rows.
func rewriteInKeyOrder(ctx context.Context, tx *Tx, table string) error {
	if tx.db.pg {
		_, err := tx.ExecContext(ctx, `CLUSTER `+table+` USING `+table+`_pkey`)
		return err
	}
	const scratch = "anonymity_rewrite"
	stmts := []string{
		`DROP TABLE IF EXISTS ` + scratch,
		`CREATE TABLE ` + scratch + ` AS SELECT * FROM ` + table,
		`DELETE FROM ` + table,
		`INSERT INTO ` + table + ` SELECT * FROM ` + scratch,
		`DROP TABLE ` + scratch,
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
