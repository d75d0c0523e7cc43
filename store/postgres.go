package store

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os/exec"
	"path"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"campaignbot"
)

// PostgreSQL (SPEC §8) is the engine of deployments with several replicas.
// The store's code is one for both engines: its SQL is written once, with
// ? placeholders and the constructs both understand (ON CONFLICT, RETURNING,
// COALESCE); the few that differ are chosen by DB.pg. The driver below
// turns ? into PostgreSQL's $n, so every statement, the tests' included,
// runs unchanged.
//
// Writes are serialized as SQLite serializes them: each write transaction
// first takes a transaction-scoped advisory lock that every replica shares
// (writeLockKey). So a write sees every write committed before it, ids
// from sequences commit in the order they are drawn (readers that go on
// from the highest id they saw, as FindSubmissionRecordsAfter does, miss
// none), and read-modify-write steps (the next version of a submission,
// the invite guesses of an account) need no retry on serialization
// failures. Reads run beside the writer, each transaction on one snapshot
// (REPEATABLE READ), as SQLite's readers do in WAL mode.

// Advisory lock keys. The single-bigint and the two-int4 forms of advisory
// locks are separate key spaces; the lanes use the two-int4 form with
// laneLockSpace first.
const (
	writeLockKey   = 0x63616d7061696701 // "campaig" 1: the write lock
	migrateLockKey = 0x63616d7061696702 // migrations, while one replica applies them
	leaderLockKey  = 0x63616d7061696703 // the leader (replica.go)
	pollLockKey    = 0x63616d7061696704 // the replica polling Telegram (replica.go)
	laneLockSpace  = 0x63620001         // a sender's lane (replica.go)
)

// IsPostgresURL reports whether dsn names a PostgreSQL database
// (postgres:// or postgresql://) rather than a SQLite file.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// redactURL drops the password from a database URL, for messages.
func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// openPostgres opens the pools of db on the PostgreSQL database at dsn and
// applies the pending migrations.
func openPostgres(ctx context.Context, db *DB, dsn string) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s: not a PostgreSQL URL (%s)", redactURL(dsn), reason(err))
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	// A connection whose client is gone (its machine died) is noticed by
	// the server within about 20 s, so the advisory locks it held — the
	// leader's above all — are freed in time for a takeover within 30 s.
	for k, v := range map[string]string{"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3"} {
		if _, ok := cfg.RuntimeParams[k]; !ok {
			cfg.RuntimeParams[k] = v
		}
	}
	db.pgConfig = cfg
	connector := pgConnector{stdlib.GetConnector(*cfg)}
	db.wdb = sql.OpenDB(connector)
	db.wdb.SetMaxOpenConns(4) // writers queue on the write lock anyway
	db.wdb.SetMaxIdleConns(4)
	if err := db.wdb.PingContext(ctx); err != nil {
		db.wdb.Close()
		return fmt.Errorf("connect to %s: %w", redactURL(dsn), err)
	}
	if err := db.migratePostgres(ctx); err != nil {
		db.wdb.Close()
		return err
	}
	db.rdb = sql.OpenDB(connector)
	db.rdb.SetMaxOpenConns(8)
	db.rdb.SetMaxIdleConns(8)
	db.odb = sql.OpenDB(connector)
	db.odb.SetMaxOpenConns(2) // a platform loop marks one message at a time
	db.odb.SetMaxIdleConns(2)
	return nil
}

// pgConnector hands out pgx's database/sql connections, wrapped so that
// they take SQLite's placeholders and values.
type pgConnector struct{ driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{conn.(*stdlib.Conn)}, nil
}

// pgConn is a pgx connection that rewrites ? placeholders to $n and passes
// booleans as the 0 and 1 the schema stores.
type pgConn struct{ *stdlib.Conn }

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(rebind(query))
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), args)
}

// CheckNamedValue converts arguments as database/sql does for a driver
// without a converter (named string and integer types become string and
// int64), and a bool to the integer SQLite would have stored.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	v, err := driver.DefaultParameterConverter.ConvertValue(nv.Value)
	if err != nil {
		return err
	}
	if b, ok := v.(bool); ok {
		v = int64(0)
		if b {
			v = int64(1)
		}
	}
	nv.Value = v
	return nil
}

// rebind rewrites the ? placeholders of query to $1, $2 …, leaving string
// literals, quoted identifiers and comments alone.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		ch := query[i]
		switch {
		case ch == '\'' || ch == '"':
			j := strings.IndexByte(query[i+1:], ch)
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+2])
			i += j + 1
		case ch == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+1])
			i += j
		case ch == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// pgError returns the PostgreSQL error in err's chain, if there is one.
func pgError(err error) (*pgconn.PgError, bool) {
	var pe *pgconn.PgError
	return pe, errors.As(err, &pe)
}

// pgConstraintErr is constraintErr for PostgreSQL's error codes; ok is
// false for an error that is not a constraint's.
func pgConstraintErr(err error, what string) (coded error, ok bool) {
	pe, isPG := pgError(err)
	if !isPG {
		return nil, false
	}
	switch pe.Code {
	case "23505": // unique_violation
		return campaignbot.Errorf(campaignbot.ECONFLICT, "%s: already exists", what), true
	case "23503": // foreign_key_violation
		return campaignbot.Errorf(campaignbot.EINVALID, "%s: refers to a record that does not exist", what), true
	case "23514", "23502": // check_violation, not_null_violation
		return campaignbot.Errorf(campaignbot.EINVALID, "%s: a value is missing or out of range", what), true
	case "23P01": // raised by the schema's triggers (problem_events)
		return campaignbot.Errorf(campaignbot.ECONFLICT, "%s: %s", what, pe.Message), true
	}
	return nil, false
}

// migratePostgres applies the PostgreSQL migrations not yet recorded, each
// in its own transaction with its record, under an advisory lock so that
// replicas started together apply each once.
func (db *DB) migratePostgres(ctx context.Context) error {
	conn, err := db.wdb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, int64(migrateLockKey)); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?)`, int64(migrateLockKey))
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (
		name TEXT PRIMARY KEY,
		applied_at BIGINT NOT NULL
	)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	ms, err := migrationsIn(migrationFS, "migration/postgres")
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := db.migratePostgresFile(ctx, conn, m.name); err != nil {
			return fmt.Errorf("migration postgres/%s: %w", path.Base(m.name), err)
		}
	}
	return nil
}

func (db *DB) migratePostgresFile(ctx context.Context, conn *sql.Conn, name string) error {
	buf, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	base := path.Base(name)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations WHERE name = ?`, base).Scan(&n); err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	if n != 0 {
		return nil
	}
	// No arguments: pgx sends the file as one simple query, every
	// statement of it.
	if _, err := tx.ExecContext(ctx, string(buf)); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, base, encTime(db.Now())); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	return tx.Commit()
}

// pgDump writes a snapshot of the PostgreSQL database to path with
// pg_dump (custom format: pg_restore --dbname=… path restores it). A
// backup of a PostgreSQL database is pg_dump's job; the store only runs
// it, beside copying the attachments.
func (db *DB) pgDump(ctx context.Context, path string) error {
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		return campaignbot.Errorf(campaignbot.EINVALID, "backing up a PostgreSQL store is pg_dump's job, and pg_dump is not on PATH: install the PostgreSQL client (apt-get install postgresql-client)")
	}
	cmd := exec.CommandContext(ctx, bin, "--format=custom", "--no-owner", "--file="+path, "--dbname="+db.pgURL)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pg_dump: %v: %s", err, bytes.TrimSpace(out.Bytes()))
	}
	return nil
}
