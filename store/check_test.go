package store

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"campaignbot"
)

// mustStoreFile returns the path of a store that was created, used and
// closed, as a real database file.
func mustStoreFile(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "valid.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestOpenRefusesUnusableFile(t *testing.T) {
	t.Parallel()
	valid, err := os.ReadFile(mustStoreFile(t))
	if err != nil {
		t.Fatal(err)
	}
	garbage := []byte(strings.Repeat("not a database at all\n", 200))
	// Page 1 past its 100-byte header holds the schema.
	badSchema := append([]byte(nil), valid...)
	for i := 100; i < 4096; i++ {
		badSchema[i] = 0xff
	}
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a SQLite database (0 bytes)"},
		{"garbage", garbage, "not a SQLite database (no SQLite header)"},
		{"header only", valid[:16], "file is not a database or is corrupt (16 bytes, shorter than the database header)"},
		{"truncated", valid[:len(valid)-100], "file is not a database or is corrupt (" + strconv.Itoa(len(valid)-100) + " bytes, not a whole number of 4096-byte pages)"},
		{"bad schema", badSchema, "file is not a database or is corrupt ("},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "campaignbot.db")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(context.Background(), path)
			mustCode(t, err, campaignbot.EINVALID)
			if got, want := campaignbot.ErrorMessage(err), path+": "+tt.want; !strings.HasPrefix(got, want) {
				t.Errorf("Open: %q, want %q", got, want)
			}
			// Refused means untouched: SQLite did not make it a database.
			if got, err := os.ReadFile(path); err != nil || string(got) != string(tt.data) {
				t.Errorf("the file changed (%d bytes, was %d; %v)", len(got), len(tt.data), err)
			}
		})
	}
}

func TestOpenRefusesDirectory(t *testing.T) {
	t.Parallel()
	_, err := Open(context.Background(), t.TempDir())
	mustCode(t, err, campaignbot.EINVALID)
	if got := campaignbot.ErrorMessage(err); !strings.Contains(got, "a directory, not a SQLite database") {
		t.Errorf("Open: %q", got)
	}
}

func TestOpenRefusesReadOnlyFile(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		// Root writes a file whatever its mode. TestRunRefusesReadOnlyDatabase
		// in cmd/campaignbot runs the program as another user instead.
		t.Skip("root may write a read-only file")
	}
	path := mustStoreFile(t)
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path)
	mustCode(t, err, campaignbot.EINVALID)
	if got, want := campaignbot.ErrorMessage(err), path+": cannot write (permission denied)"; got != want {
		t.Errorf("Open: %q, want %q", got, want)
	}
}

// A file that does not exist is no error: Open creates it.
func TestOpenCreatesMissingFile(t *testing.T) {
	sqliteOnly(t)
	t.Parallel()
	path := filepath.Join(t.TempDir(), "new.db")
	mustOpenPath(t, path)
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("after Open: %v, %v", fi, err)
	}
	// And the store reopens what it made.
	mustOpenPath(t, path)
}

// A new database file holds a header from the moment it exists: a process
// killed while creating it leaves no empty file for the next start to
// refuse.
func TestCreateFileIsWhole(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "campaignbot.db")
	if err := createFile(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(data), sqliteHeader) {
		t.Fatalf("created file: %d bytes, %v; want a SQLite header", len(data), err)
	}
	if err := checkFile(context.Background(), path); err != nil {
		t.Errorf("check of the created file: %v", err)
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "sub", "*")); len(names) != 1 {
		t.Errorf("files beside the database: %q, want none", names)
	}
}
