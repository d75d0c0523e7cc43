// Package store implements campaignbot's services on SQLite
// (modernc.org/sqlite, no cgo). Every public method runs one transaction;
// attachments are files named by their sha256 in a directory beside the
// database.
//
// Writes go through a pool of one connection whose transactions begin
// IMMEDIATE, so writers queue in Go instead of spinning on SQLite's busy
// handler and never fail to upgrade a read lock; the writes of the chat
// path are committed in groups (batch.go). Reads use a separate pool of
// read-only connections and run beside the writer thanks to WAL.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"campaignbot"
)

var _ campaignbot.Store = (*DB)(nil)
var _ campaignbot.ObligationSource = (*DB)(nil)

// DefaultUTCOffset is the offset of the default location (UTC+8, the time
// zone of the default plan, Asia/Shanghai, which keeps no daylight saving).
const DefaultUTCOffset = 8 * time.Hour

// DB is the SQLite store. It implements campaignbot.Store.
type DB struct {
	// Now returns the current time; Open sets it from the clock option.
	Now func() time.Time

	path    string
	files   string // attachment directory
	loc     *time.Location
	perDept map[string]bool

	wdb *sql.DB // one connection, BEGIN IMMEDIATE
	rdb *sql.DB // read-only connections
	// cdb is one connection that never waits (busy_timeout 0), for
	// checkpoints that must not hold up the writer while readers finish.
	cdb  *sql.DB
	wset stmtSet // frequent statements prepared on wdb
	rset stmtSet // and on rdb

	senders senderCache // FindArrival's

	// The writer goroutine (batch.go) takes writes from ops until quit is
	// closed, then closes stopped.
	ops      chan *writeOp
	quit     chan struct{}
	quitOnce sync.Once
	stopped  chan struct{}

	// The checkpointer (checkpoint.go) is told of commits on commits and
	// closes ckptStopped after quit.
	commits     chan struct{}
	commitCount atomic.Int64
	ckptStopped chan struct{}

	// Counters for WriteStats.
	writes, batchCommits, checkpoints atomic.Int64
}

// Option configures Open.
type Option func(*DB)

// WithClock makes the store read the time from c.
func WithClock(c campaignbot.Clock) Option {
	return func(db *DB) { db.Now = c.Now }
}

// WithLocation sets the time zone in which instants become days (role
// grants, opinion and answer days, problem due dates, submission days).
// It should be the plan's location; the default is UTC+8.
func WithLocation(loc *time.Location) Option {
	return func(db *DB) {
		if loc != nil {
			db.loc = loc
		}
	}
}

// WithPerDepartmentTasks names the tasks owed per department (cardinality
// "per: department"): their submission versions count within (task,
// department) instead of (task, person), and review applies to the
// department's latest version.
func WithPerDepartmentTasks(taskKeys ...string) Option {
	return func(db *DB) {
		for _, k := range taskKeys {
			db.perDept[k] = true
		}
	}
}

// WithAttachmentDir stores attachments in dir instead of "<db path>.files".
func WithAttachmentDir(dir string) Option {
	return func(db *DB) { db.files = dir }
}

// Open opens (creating if needed) the database at path, applies the
// pending migrations and creates the attachment directory.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	if path == "" {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "database path is required")
	}
	if err := checkFile(ctx, path); err != nil {
		return nil, err
	}
	db := &DB{
		Now:     campaignbot.SystemClock.Now,
		path:    path,
		files:   path + ".files",
		loc:     time.FixedZone("UTC+8", int(DefaultUTCOffset/time.Second)),
		perDept: map[string]bool{},
	}
	for _, o := range opts {
		o(db)
	}
	if err := os.MkdirAll(db.files, 0o750); err != nil {
		return nil, fmt.Errorf("create attachment directory: %w", err)
	}

	var err error
	// secure_delete zeroes deleted content, so a redacted update leaves no
	// trace in free pages of the file.
	if db.wdb, err = sql.Open("sqlite", dsn(path, "_txlock=immediate&_pragma=secure_delete(1)&_pragma=wal_autocheckpoint(0)&_pragma=temp_store(2)")); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db.wdb.SetMaxOpenConns(1)
	db.wdb.SetMaxIdleConns(1)
	db.wdb.SetConnMaxLifetime(0)
	db.wdb.SetConnMaxIdleTime(0)
	if err := db.migrate(ctx); err != nil {
		db.wdb.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}

	if db.cdb, err = sql.Open("sqlite", dsn(path, "_pragma=busy_timeout(0)&_pragma=cache_size(-64)")); err != nil {
		db.wdb.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	db.cdb.SetMaxOpenConns(1)
	if db.rdb, err = sql.Open("sqlite", dsn(path, "_pragma=query_only(1)&_pragma=cache_size(-1000)")); err != nil {
		db.cdb.Close()
		db.wdb.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	// A reader per core: more only wait for the same cores, and each one
	// the chat's concurrent lanes open keeps a page cache and its own copy
	// of every prepared statement (four readers on two cores cost 3–5 MB
	// of resident memory for no speed).
	n := max(2, runtime.GOMAXPROCS(0))
	db.rdb.SetMaxOpenConns(n)
	db.rdb.SetMaxIdleConns(n)
	if db.wset, err = prepareAll(ctx, db.wdb, frequentQueries()); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	if db.rset, err = prepareAll(ctx, db.rdb, frequentQueries()); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	db.ops = make(chan *writeOp) // unbuffered: a write is either taken or refused
	db.quit = make(chan struct{})
	db.stopped = make(chan struct{})
	db.commits = make(chan struct{}, 1)
	db.ckptStopped = make(chan struct{})
	go db.writeLoop()
	go db.checkpointLoop()
	return db, nil
}

// dsn builds the connection string; the pragmas are in it so that every
// pooled connection has them.
func dsn(path string, extra string) string {
	u := url.URL{Scheme: "file", Opaque: url.PathEscape(path)}
	q := "_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	if extra != "" {
		q += "&" + extra
	}
	return u.String() + "?" + q
}

// Close waits for the write in progress, refuses later ones and closes the
// connection pools.
func (db *DB) Close() error {
	if db.quit != nil {
		db.quitOnce.Do(func() { close(db.quit) })
		<-db.stopped
		<-db.ckptStopped
	}
	db.wset.close()
	db.rset.close()
	var errs []error
	if db.rdb != nil {
		errs = append(errs, db.rdb.Close())
	}
	if db.cdb != nil {
		errs = append(errs, db.cdb.Close())
	}
	if db.wdb != nil {
		errs = append(errs, db.wdb.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// Location returns the time zone in which the store counts days.
func (db *DB) Location() *time.Location { return db.loc }

// Tx is a transaction together with the time it started, so that every row
// it writes carries the same instant. Its Exec and Query methods reuse the
// statements prepared at Open (see stmt.go).
type Tx struct {
	*sql.Tx
	db    *DB
	now   time.Time
	set   stmtSet              // the pool's prepared statements
	local map[string]*sql.Stmt // those of set in use by this transaction
}

// beginTx starts a write transaction (BEGIN IMMEDIATE on the writer).
func (db *DB) beginTx(ctx context.Context) (*Tx, error) {
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &Tx{Tx: tx, db: db, now: db.Now().UTC(), set: db.wset}, nil
}

// beginRead starts a read-only transaction on a reader connection.
func (db *DB) beginRead(ctx context.Context) (*Tx, error) {
	tx, err := db.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &Tx{Tx: tx, db: db, now: db.Now().UTC(), set: db.rset}, nil
}

// today is the day of the transaction's instant in the store's location.
func (tx *Tx) today() campaignbot.Date { return campaignbot.DateOf(tx.now, tx.db.loc) }

// commit commits tx, wrapping the error.
func (tx *Tx) commit() error {
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	tx.db.committed()
	return nil
}

// constraintErr turns a SQLite constraint failure into a coded error whose
// message says what was wrong; other errors are wrapped with the context.
func constraintErr(err error, what string) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("%s: %w", what, err)
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return campaignbot.Errorf(campaignbot.ECONFLICT, "%s: already exists", what)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return campaignbot.Errorf(campaignbot.EINVALID, "%s: refers to a record that does not exist", what)
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return campaignbot.Errorf(campaignbot.EINVALID, "%s: a value is missing or out of range", what)
	case sqlite3.SQLITE_CONSTRAINT_TRIGGER:
		return campaignbot.Errorf(campaignbot.ECONFLICT, "%s: %s", what, se.Error())
	}
	return fmt.Errorf("%s: %w", what, err)
}

// isUniqueErr reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUniqueErr(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) &&
		(se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// Times are stored as UTC unix nanoseconds.

func encTime(t time.Time) int64 { return t.UTC().UnixNano() }

func decTime(n int64) time.Time { return time.Unix(0, n).UTC() }

func decTimePtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := decTime(n.Int64)
	return &t
}

// nullID stores the id 0 as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullString stores "" as NULL, for optional unique keys.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// randomID returns a random positive 63-bit id, for rows whose insertion
// order must not be observable.
func randomID() int64 {
	var b [8]byte
	rand.Read(b[:]) // never fails (crypto/rand.Read panics rather than return an error)
	id := int64(binary.BigEndian.Uint64(b[:]) >> 1)
	if id == 0 {
		id = 1
	}
	return id
}

// Backup writes a consistent copy of the database to path with VACUUM INTO
// while the bot keeps running, and copies the attachments into
// "<path>.files". path must not exist.
func (db *DB) Backup(ctx context.Context, path string) error {
	if path == "" {
		return campaignbot.Errorf(campaignbot.EINVALID, "backup path is required")
	}
	if _, err := os.Stat(path); err == nil {
		return campaignbot.Errorf(campaignbot.EINVALID, "backup file %s already exists", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// VACUUM INTO reads one snapshot, so writers carry on meanwhile.
	conn, err := db.rdb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only = 0"); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	_, err = conn.ExecContext(ctx, "VACUUM INTO ?", abs)
	if _, rerr := conn.ExecContext(context.Background(), "PRAGMA query_only = 1"); rerr != nil {
		// Never hand a writable connection back to the read pool.
		conn.Raw(func(any) error { return driver.ErrBadConn })
		if err == nil {
			err = rerr
		}
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// Attachments are written before the rows that name them are committed,
	// so the files present now cover every row in the snapshot.
	if err := copyAttachments(db.files, path+".files"); err != nil {
		return fmt.Errorf("backup attachments: %w", err)
	}
	return nil
}
