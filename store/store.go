// Package store implements campaignbot's services on SQLite
// (modernc.org/sqlite, no cgo), or on PostgreSQL for several replicas
// (postgres.go). Every public method runs one transaction,
// or joins the one Atomic opened; attachments are files named by their
// sha256 in a directory beside the database.
//
// Writes go through a pool of one connection whose transactions begin
// IMMEDIATE, so writers queue in Go instead of spinning on SQLite's busy
// handler and never fail to upgrade a read lock. Reads use a separate pool
// of read-only connections and run beside the writer thanks to WAL.
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
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"campaignbot"
)

var _ campaignbot.Store = (*DB)(nil)
var _ campaignbot.ObligationSource = (*DB)(nil)

// DefaultUTCOffset is the offset of the default location (UTC+8, the time
// zone of the default plan, Asia/Shanghai, which keeps no daylight saving).
const DefaultUTCOffset = 8 * time.Hour

// DB is the store, on SQLite or PostgreSQL. It implements campaignbot.Store.
type DB struct {
	// Now returns the current time; Open sets it from the clock option.
	Now func() time.Time

	path    string
	files   string // attachment directory
	loc     *time.Location
	perDept map[string]bool

	// recordsPerPart is the least number of submission records worth a
	// read connection of their own (FindSubmissionRecordsAfter).
	recordsPerPart int64

	// campaign is the campaign this DB reads, 0 for the current one
	// (InCampaign).
	campaign int64

	wdb *sql.DB // one connection, BEGIN IMMEDIATE (PostgreSQL: a few, behind the write lock)
	rdb *sql.DB // read-only connections
	// odb (PostgreSQL only) serves the dispatcher's claims and marks,
	// outside the write lock (beginOutboxTx).
	odb *sql.DB

	// pg is set on PostgreSQL, whose connection settings pgConfig holds
	// (the leader's and the lanes' own connections are made with them).
	pg       bool
	pgConfig *pgx.ConnConfig
	pgURL    string // with its password: never in a message

	wal *walEraser // empties the WAL after anonymous acts
	// forgotten remembers the updates of anonymous acts whose rows are
	// gone, so that a platform's retry is not taken for a new message.
	forgotten *forgottenKeys
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
// On PostgreSQL it is required: a directory every replica shares
// (CAMPAIGNBOT_FILES).
func WithAttachmentDir(dir string) Option {
	return func(db *DB) { db.files = dir }
}

// Open opens (creating if needed) the database at path, applies the
// pending migrations and creates the attachment directory. A path that is
// a postgres:// URL opens that PostgreSQL database instead.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	if path == "" {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "database path is required")
	}
	if IsPostgresURL(path) {
		return openPG(ctx, path, opts)
	}
	if err := checkFile(ctx, path); err != nil {
		return nil, err
	}
	db := newDB(path, opts)
	if err := os.MkdirAll(db.files, 0o750); err != nil {
		return nil, fmt.Errorf("create attachment directory: %w", err)
	}

	var err error
	if db.wdb, err = sql.Open("sqlite", dsn(path, "_txlock=immediate")); err != nil {
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
	if db.rdb, err = sql.Open("sqlite", dsn(path, "_pragma=query_only(1)")); err != nil {
		db.wdb.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	n := max(2, runtime.GOMAXPROCS(0))
	db.rdb.SetMaxOpenConns(n)
	db.rdb.SetMaxIdleConns(n)
	if db.wal, err = newWALEraser(path); err != nil {
		db.rdb.Close()
		db.wdb.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	// A WAL left by an earlier process (a reader held it at its end, or it
	// crashed) may hold an anonymous act's frames.
	db.wal.erase()
	return db, nil
}

// newDB is a store with its options applied and no connections yet.
func newDB(path string, opts []Option) *DB {
	db := &DB{
		Now:            campaignbot.SystemClock.Now,
		path:           path,
		files:          path + ".files",
		recordsPerPart: 100_000,
		loc:            time.FixedZone("UTC+8", int(DefaultUTCOffset/time.Second)),
		perDept:        map[string]bool{},

		forgotten: newForgottenKeys(),
	}
	for _, o := range opts {
		o(db)
	}
	return db
}

// openPG opens the PostgreSQL database at url. Attachments go into the
// directory WithAttachmentDir names, which all replicas share.
func openPG(ctx context.Context, url string, opts []Option) (*DB, error) {
	db := newDB("", opts)
	db.path, db.pg, db.pgURL = redactURL(url), true, url
	if db.files == ".files" {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "%s: PostgreSQL needs a directory for attachments that every replica shares (CAMPAIGNBOT_FILES)", db.path)
	}
	if err := os.MkdirAll(db.files, 0o750); err != nil {
		return nil, fmt.Errorf("create attachment directory: %w", err)
	}
	if err := openPostgres(ctx, db, url); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return db, nil
}

// dsn builds the connection string; the pragmas are in it so that every
// pooled connection has them. secure_delete zeroes deleted content, so that
// a blanked update or a deleted acknowledgement leaves no trace in the
// free space of a page or in free pages (SPEC §2).
func dsn(path string, extra string) string {
	u := url.URL{Scheme: "file", Opaque: url.PathEscape(path)}
	q := "_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(1)"
	if extra != "" {
		q += "&" + extra
	}
	return u.String() + "?" + q
}

// Close stops erasing the WAL (a last attempt is made) and closes the
// connection pools.
func (db *DB) Close() error {
	var errs []error
	if db.wal != nil {
		errs = append(errs, db.wal.close())
	}
	if db.rdb != nil {
		errs = append(errs, db.rdb.Close())
	}
	if db.odb != nil {
		errs = append(errs, db.odb.Close())
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
// it writes carries the same instant. A Tx begun inside Atomic is a
// savepoint of Atomic's transaction: its Commit releases the savepoint and
// its Rollback undoes just its own writes.
type Tx struct {
	*sql.Tx
	db  *DB
	now time.Time
	// savepoint names the savepoint of a Tx joined to Atomic's; "" for
	// a transaction of its own.
	savepoint string
	done      bool
	// root is the transaction a joined Tx is a savepoint of (itself for a
	// transaction of its own).
	root *Tx
	// checkpoint asks for the WAL to be emptied once root commits.
	checkpoint bool
	// campaign is the campaign whose rows the transaction reads and
	// writes: the current one, read when it begins, or the one the DB was
	// opened on (InCampaign).
	campaign int64
}

// checkpointAfterCommit asks for the WAL to be emptied once the
// transaction commits: it holds an anonymous act whose pages as they were
// before (the raw update, the dialog, the acknowledgement) must not linger
// there. See walEraser.
func (tx *Tx) checkpointAfterCommit() { tx.root.checkpoint = true }

// txKey carries Atomic's transaction in a context.
type txKey struct{}

// Atomic runs fn in one write transaction: every store call made with the
// context fn receives joins it, and it commits only if fn returns nil. The
// intake runs each inbound message in one, so that its effects, its replies
// and its processed mark commit together (SPEC §8). Inside fn, only calls
// with fn's context may use the store: the writer's only connection is
// fn's.
func (db *DB) Atomic(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*Tx); ok {
		return fn(ctx)
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(context.WithValue(ctx, txKey{}, tx)); err != nil {
		return err
	}
	return tx.commit()
}

// beginTx starts a write transaction (BEGIN IMMEDIATE on the writer), or a
// savepoint of Atomic's transaction when ctx carries one.
func (db *DB) beginTx(ctx context.Context) (*Tx, error) {
	if outer, ok := ctx.Value(txKey{}).(*Tx); ok {
		return outer.join(ctx)
	}
	t, err := db.beginSchemaTx(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.findCampaign(ctx); err != nil {
		t.Tx.Rollback()
		return nil, err
	}
	if db.campaign != 0 && db.campaign != t.campaign {
		t.Tx.Rollback()
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "campaign %d is closed: it can be read and exported, not changed", db.campaign)
	}
	return t, nil
}

// beginSchemaTx starts a write transaction that knows no campaign, for the
// migrations (the first of which may not have the campaigns table yet).
func (db *DB) beginSchemaTx(ctx context.Context) (*Tx, error) {
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	if db.pg {
		// One writer at a time across every replica (postgres.go).
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(writeLockKey)); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("begin: write lock: %w", err)
		}
	}
	t := &Tx{Tx: tx, db: db, now: db.Now().UTC()}
	t.root = t
	return t, nil
}

// beginOutboxTx begins a transaction of the dispatcher on outbox rows it
// names by id or claims with SKIP LOCKED. On PostgreSQL it takes no write
// lock and runs on a pool of its own: such a transaction assigns no id and
// reads nothing it writes back, and the rows' own locks order it with
// every other writer. So a message the platform has taken is marked sent
// within one commit, not after the intake's transactions of every replica
// queued on the write lock — a leader killed in between leaves at most
// that one message to be sent again by the next. On SQLite it is beginTx.
func (db *DB) beginOutboxTx(ctx context.Context) (*Tx, error) {
	if _, joins := ctx.Value(txKey{}).(*Tx); joins || !db.pg {
		return db.beginTx(ctx)
	}
	tx, err := db.odb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	t := &Tx{Tx: tx, db: db, now: db.Now().UTC()}
	t.root = t
	return t, nil
}

// beginRead starts a read-only transaction on a reader connection, or joins
// Atomic's transaction (which sees its own writes) when ctx carries one.
func (db *DB) beginRead(ctx context.Context) (*Tx, error) {
	if outer, ok := ctx.Value(txKey{}).(*Tx); ok {
		return outer.join(ctx)
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if db.pg {
		opts.Isolation = sql.LevelRepeatableRead // one snapshot, as SQLite's readers
	}
	tx, err := db.rdb.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	t := &Tx{Tx: tx, db: db, now: db.Now().UTC()}
	t.root = t
	if db.campaign != 0 {
		t.campaign = db.campaign
	} else if err := t.findCampaign(ctx); err != nil {
		t.Tx.Rollback()
		return nil, err
	}
	return t, nil
}

// findCampaign sets tx.campaign to the current campaign, the latest. It is
// read in each transaction, not kept in the DB, because another process
// (`campaign new`) may start the next campaign while this one runs.
func (tx *Tx) findCampaign(ctx context.Context) error {
	if err := tx.Tx.QueryRowContext(ctx, `SELECT MAX(id) FROM campaigns`).Scan(&tx.campaign); err != nil {
		return fmt.Errorf("find the current campaign: %w", err)
	}
	return nil
}

// savepoints numbers the savepoints of joined transactions.
var savepoints atomic.Int64

// join opens a savepoint of outer for one store call.
func (outer *Tx) join(ctx context.Context) (*Tx, error) {
	name := fmt.Sprintf("s%d", savepoints.Add(1))
	if _, err := outer.Tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	return &Tx{Tx: outer.Tx, db: outer.db, now: outer.now, savepoint: name, root: outer.root, campaign: outer.campaign}, nil
}

// Rollback undoes the transaction, or a joined one's writes; after Commit
// it does nothing, so it can be deferred.
func (tx *Tx) Rollback() error {
	if tx.savepoint == "" {
		return tx.Tx.Rollback()
	}
	if tx.done {
		return nil
	}
	tx.done = true
	ctx := context.Background()
	if _, err := tx.Tx.ExecContext(ctx, "ROLLBACK TO "+tx.savepoint); err != nil {
		return err
	}
	_, err := tx.Tx.ExecContext(ctx, "RELEASE "+tx.savepoint)
	return err
}

// write runs fn in a write transaction of its own (or a savepoint of
// Atomic's) and commits it.
func (db *DB) write(ctx context.Context, fn func(context.Context, *Tx) error) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(ctx, tx); err != nil {
		return err
	}
	return tx.commit()
}

// today is the day of the transaction's instant in the store's location.
func (tx *Tx) today() campaignbot.Date { return campaignbot.DateOf(tx.now, tx.db.loc) }

// commit commits tx (or releases a joined one's savepoint), wrapping the
// error.
func (tx *Tx) commit() error {
	if tx.savepoint != "" {
		if _, err := tx.Tx.ExecContext(context.Background(), "RELEASE "+tx.savepoint); err != nil {
			return fmt.Errorf("release: %w", err)
		}
		tx.done = true
		return nil
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if tx.checkpoint && tx.db.wal != nil {
		tx.db.wal.erase()
	}
	return nil
}

// constraintErr turns a SQLite constraint failure into a coded error whose
// message says what was wrong; other errors are wrapped with the context.
func constraintErr(err error, what string) error {
	if coded, ok := pgConstraintErr(err, what); ok {
		return coded
	}
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
	if pe, ok := pgError(err); ok {
		return pe.Code == "23505"
	}
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

// nullDay stores the day 0 as NULL.
func nullDay(d campaignbot.Date) any {
	if d == 0 {
		return nil
	}
	return int64(d)
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
// (PostgreSQL: pg_dump's custom format, which pg_restore reads) while the
// bot keeps running, and copies the attachments into
// "<path>.files"; neither may exist. It is atomic: both are written in a
// directory beside path, "<path>.incomplete-*", synced, and renamed into
// place when complete, the database last — so a backup killed part-way
// leaves no file at path, only the incomplete directory, which the next
// backup to path removes.
func (db *DB) Backup(ctx context.Context, path string) error {
	if path == "" {
		return campaignbot.Errorf(campaignbot.EINVALID, "backup path is required")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	for _, p := range []string{abs, abs + ".files"} {
		if _, err := os.Lstat(p); err == nil {
			return campaignbot.Errorf(campaignbot.EINVALID, "backup: %s already exists", p)
		} else if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("backup: %w", err)
		}
	}
	stale, err := filepath.Glob(globEscape(abs) + ".incomplete-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	for _, dir := range stale {
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("backup: remove an incomplete backup: %w", err)
		}
	}
	work, err := os.MkdirTemp(filepath.Dir(abs), filepath.Base(abs)+".incomplete-*")
	if err != nil {
		return campaignbot.Errorf(campaignbot.EINVALID, "backup: cannot write beside %s (%s)", path, reason(err))
	}
	defer os.RemoveAll(work)
	tmp := filepath.Join(work, "db")
	snapshot := db.vacuumInto
	if db.pg {
		snapshot = db.pgDump
	}
	if err := snapshot(ctx, tmp); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// Attachments are written before the rows that name them are committed,
	// so the files present now cover every row in the snapshot.
	if err := copyAttachments(db.files, tmp+".files"); err != nil {
		return fmt.Errorf("backup attachments: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := syncDir(tmp + ".files"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp+".files", abs+".files"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp, abs); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return syncDir(filepath.Dir(abs))
}

// vacuumInto writes a snapshot of the database to path. VACUUM INTO reads
// one snapshot, so writers carry on meanwhile.
func (db *DB) vacuumInto(ctx context.Context, path string) error {
	conn, err := db.rdb.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only = 0"); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "VACUUM INTO ?", path)
	if _, rerr := conn.ExecContext(context.Background(), "PRAGMA query_only = 1"); rerr != nil {
		// Never hand a writable connection back to the read pool.
		conn.Raw(func(any) error { return driver.ErrBadConn })
		if err == nil {
			err = rerr
		}
	}
	return err
}

// syncDir flushes a directory's entries (files created or renamed in it)
// to the disk.
func syncDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// globEscape escapes the characters filepath.Match treats specially.
func globEscape(path string) string {
	var b strings.Builder
	for _, r := range path {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
