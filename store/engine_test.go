package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"sync"
	"testing"

	"campaignbot/store/pgtest"
)

// The store's tests run twice: on SQLite, always, and then, when the
// PostgreSQL server's binaries are installed, on a throwaway cluster with
// a database of its own for each store a test opens (SPEC §8: the same
// suite against both engines). CAMPAIGNBOT_TEST_POSTGRES=off skips the
// second pass; =require fails when PostgreSQL cannot be started (CI).

// testCluster is the PostgreSQL cluster of the second pass; nil on SQLite.
var testCluster *pgtest.Cluster

func TestMain(m *testing.M) {
	code := m.Run()
	mode := os.Getenv("CAMPAIGNBOT_TEST_POSTGRES")
	if code != 0 || mode == "off" {
		os.Exit(code)
	}
	c, err := pgtest.Start()
	if err != nil {
		if mode == "require" || !errors.Is(err, pgtest.ErrNotFound) {
			fmt.Fprintf(os.Stderr, "store tests on PostgreSQL: %v\n", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "store tests ran on SQLite only: %v\n", err)
		os.Exit(0)
	}
	fmt.Fprintln(os.Stderr, "=== the store's tests again, on PostgreSQL")
	testCluster = c
	code = m.Run()
	if err := c.Stop(); err != nil && code == 0 {
		fmt.Fprintf(os.Stderr, "stop PostgreSQL: %v\n", err)
		code = 1
	}
	os.Exit(code)
}

// onPostgres reports whether the test runs in the PostgreSQL pass.
func onPostgres() bool { return testCluster != nil }

// sqliteOnly skips a test of SQLite's own machinery (its file, pragmas,
// WAL) in the PostgreSQL pass.
func sqliteOnly(tb testing.TB) {
	tb.Helper()
	if onPostgres() {
		tb.Skip("SQLite only")
	}
}

// testDatabases maps the path a test opened a store at to its database,
// so that a test that closes and opens again finds its data.
var (
	testDatabasesMu sync.Mutex
	testDatabases   = map[string]string{}
)

// testMigrations lists the migrations of the engine under test.
func testMigrations(tb testing.TB) []migration {
	tb.Helper()
	dir := "migration"
	if onPostgres() {
		dir = "migration/postgres"
	}
	ms, err := migrationsIn(migrationFS, dir)
	if err != nil {
		tb.Fatal(err)
	}
	return ms
}

// openTestStore opens a store for a test at path (a file under the test's
// temporary directory) on SQLite, or in a fresh PostgreSQL database with
// the attachments in the test's temporary directory.
func openTestStore(tb testing.TB, path string, opts ...Option) (*DB, error) {
	tb.Helper()
	if !onPostgres() {
		return Open(context.Background(), path, opts...)
	}
	testDatabasesMu.Lock()
	url, ok := testDatabases[path]
	if !ok {
		var err error
		if url, err = testCluster.NewDatabase(context.Background()); err != nil {
			testDatabasesMu.Unlock()
			tb.Fatal(err)
		}
		testDatabases[path] = url
	}
	testDatabasesMu.Unlock()
	return Open(context.Background(), url, append([]Option{WithAttachmentDir(path + ".files")}, opts...)...)
}

// TestPostgresTwins: every SQLite migration after those postgres/0001_init
// covers has a PostgreSQL twin of the same name, and every PostgreSQL
// migration but 0001_init has its SQLite original, so that the two engines'
// schemas go on together (README, "Migrations").
func TestPostgresTwins(t *testing.T) {
	const initCovers = 40 // postgres/0001_init.sql is SQLite's 0001–0040
	lite, err := migrationsIn(migrationFS, "migration")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrationsIn(migrationFS, "migration/postgres")
	if err != nil {
		t.Fatal(err)
	}
	twins := map[string]bool{}
	for _, m := range pg {
		twins[path.Base(m.name)] = true
	}
	originals := map[string]bool{}
	for _, m := range lite {
		originals[path.Base(m.name)] = true
		if m.num > initCovers && !twins[path.Base(m.name)] {
			t.Errorf("%s has no PostgreSQL twin: write store/migration/postgres/%s", m.name, path.Base(m.name))
		}
	}
	for _, m := range pg {
		if base := path.Base(m.name); base != "0001_init.sql" && !originals[base] {
			t.Errorf("%s is the twin of no SQLite migration", m.name)
		}
	}
}
