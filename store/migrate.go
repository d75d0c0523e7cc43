package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// migrationFS holds the schema migrations, SQLite's in migration/ and
// PostgreSQL's in migration/postgres/. Shipped files are never edited; a
// change is a new file with the next number (NNNN_name.sql), in both.
//
//go:embed migration/*.sql migration/postgres/*.sql
var migrationFS embed.FS

// migration is one numbered schema change.
type migration struct {
	num  int
	name string
}

// migrations lists the embedded migrations in numeric order and rejects
// files without a number or with a number used twice.
func migrations(fsys fs.FS) ([]migration, error) { return migrationsIn(fsys, "migration") }

// migrationsIn is migrations for the files of dir.
func migrationsIn(fsys fs.FS, dir string) ([]migration, error) {
	names, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var ms []migration
	for _, name := range names {
		base := path.Base(name)
		digits, _, _ := strings.Cut(base, "_")
		n, err := strconv.Atoi(strings.TrimSuffix(digits, ".sql"))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number", base)
		}
		ms = append(ms, migration{num: n, name: name})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.num - b.num })
	for i := 1; i < len(ms); i++ {
		if ms[i].num == ms[i-1].num {
			return nil, fmt.Errorf("migrations %s and %s share number %d", ms[i-1].name, ms[i].name, ms[i].num)
		}
	}
	return ms, nil
}

// migrate applies every migration not yet recorded, each in its own
// transaction together with its record.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.wdb.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (
		name TEXT PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	ms, err := migrations(migrationFS)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := db.migrateFile(ctx, m.name); err != nil {
			return fmt.Errorf("migration %s: %w", path.Base(m.name), err)
		}
	}
	return nil
}

// fkOffMarker on a migration's first line runs it with foreign keys off, as
// SQLite's procedure for rebuilding a table requires (dropping the old
// table would otherwise cascade to the rows referring to it); the foreign
// keys are checked before it commits.
const fkOffMarker = "-- campaignbot:foreign_keys=off"

// migrateFile applies one migration unless it is recorded as applied.
func (db *DB) migrateFile(ctx context.Context, name string) error {
	buf, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if strings.HasPrefix(string(buf), fkOffMarker) {
		// PRAGMA foreign_keys is a no-op inside a transaction; the writer
		// pool's one connection keeps it until it is set back.
		if _, err := db.wdb.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return fmt.Errorf("foreign keys off: %w", err)
		}
		defer db.wdb.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
	}
	tx, err := db.beginSchemaTx(ctx)
	if err != nil {
		return err
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
	if _, err := tx.ExecContext(ctx, string(buf)); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	var violations int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&violations); err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	} else if violations > 0 {
		return fmt.Errorf("foreign key check: %d rows refer to rows that do not exist", violations)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, base, encTime(tx.now)); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	return tx.commit()
}
