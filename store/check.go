package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"campaignbot"
)

// sqliteHeader begins every SQLite 3 database file; the page size follows
// it, big-endian, in bytes 16 and 17.
const sqliteHeader = "SQLite format 3\x00"

// checkFile refuses, with an EINVALID error that says why, a database file
// the store cannot use (SPEC §8): a directory, an empty file, one it may
// not write, one that is not SQLite, and one whose size or schema is
// corrupt. A missing file it creates, empty but whole (see createFile).
//
// It does not run PRAGMA quick_check: that reads every page, in time that
// grows with the file, against the start-to-ready figure of SPEC §10
// (< 1 s at 100,000 people). Damage deeper than the schema shows as errors
// when it is read.
func checkFile(ctx context.Context, path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return createFile(ctx, path)
	case err != nil:
		return campaignbot.Errorf(campaignbot.EINVALID, "%s: cannot read (%s)", path, reason(err))
	case fi.IsDir():
		return campaignbot.Errorf(campaignbot.EINVALID, "%s: a directory, not a SQLite database", path)
	case fi.Size() == 0:
		return campaignbot.Errorf(campaignbot.EINVALID, "%s: not a SQLite database (0 bytes)", path)
	}
	// Open for writing, as SQLite will: a read-only mount, a file of
	// another user or a mode without write permission fails here, while a
	// file that root may write anyway passes, as it should.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s: cannot write (%s)", path, reason(err))
	}
	defer f.Close()
	// SQLite makes its -wal and -shm files beside the database: a file it
	// may write in a directory it may not fails at the first statement,
	// with "attempt to write a readonly database".
	probe, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".probe-*")
	if err != nil {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s: cannot write in its directory %s (%s); SQLite keeps its -wal and -shm files beside the database", path, filepath.Dir(path), reason(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	var h [100]byte
	n, err := io.ReadFull(f, h[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if n < len(sqliteHeader) || string(h[:len(sqliteHeader)]) != sqliteHeader {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s: not a SQLite database (no SQLite header)", path)
	}
	if n < len(h) {
		return corruptf(path, "%d bytes, shorter than the database header", fi.Size())
	}
	pageSize := int64(binary.BigEndian.Uint16(h[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return corruptf(path, "page size %d", pageSize)
	}
	if fi.Size()%pageSize != 0 {
		return corruptf(path, "%d bytes, not a whole number of %d-byte pages", fi.Size(), pageSize)
	}
	return checkSchema(ctx, path)
}

// checkSchema reads the schema of the database at path, which every
// statement parses first, and reports a corrupt one.
func checkSchema(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", dsn(path, "_pragma=query_only(1)"))
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&n)
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_CORRUPT || se.Code()&0xff == sqlite3.SQLITE_NOTADB) {
		return corruptf(path, "%s", se.Error())
	} else if err != nil {
		return fmt.Errorf("read schema of %s: %w", path, err)
	}
	return nil
}

// createFile makes a new database at path in one step. SQLite writes
// nothing to a new file until its first commit, so a process killed in
// between (a first start stopped at once) would leave an empty file that
// the next start refuses; the file is made beside path instead and linked
// into place only when it holds a header.
func createFile(ctx context.Context, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("create database directory: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".new-*")
	if err != nil {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s: cannot create (%s)", path, reason(err))
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	db, err := sql.Open("sqlite", dsn(tmp, ""))
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	// Any write makes SQLite write the header; closing checkpoints the WAL
	// into the file and removes it.
	if _, err := db.ExecContext(ctx, `PRAGMA user_version = 0`); err != nil {
		db.Close()
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	// Link, unlike rename, leaves alone a database another command has
	// made meanwhile.
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return nil
}

// syncFile flushes the file at path to the disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// corruptf returns the error for a file that has a SQLite header but is
// not a usable database.
func corruptf(path, format string, args ...any) error {
	return campaignbot.Errorf(campaignbot.EINVALID, "%s: file is not a database or is corrupt (%s)", path, fmt.Sprintf(format, args...))
}

// reason returns what went wrong in err without the path and operation
// that *fs.PathError adds, for messages that name the file themselves.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
