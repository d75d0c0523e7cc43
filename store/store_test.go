package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"campaignbot"
)

// testClock is a clock that moves only when told to.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// MustOpen opens a store in a fresh file under tb.TempDir and closes it
// when the test ends.
func MustOpen(tb testing.TB, opts ...Option) *DB {
	tb.Helper()
	return mustOpenPath(tb, filepath.Join(tb.TempDir(), "campaignbot.db"), opts...)
}

func mustOpenPath(tb testing.TB, path string, opts ...Option) *DB {
	tb.Helper()
	db, err := openTestStore(tb, path, opts...)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return db
}

// mustCode fails unless err carries the code.
func mustCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := campaignbot.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func TestMigrateIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	db, err := openTestStore(t, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ImportRoster(ctx, []campaignbot.RosterEntry{{Name: "张三", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleMember}}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = mustOpenPath(t, path)
	ms := testMigrations(t)
	var n int
	if err := db.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if got, want := n, len(ms); got != want {
		t.Errorf("recorded migrations = %d, want %d", got, want)
	}
	p, err := db.FindPersonByName(ctx, "张三")
	if err != nil {
		t.Fatalf("data lost on reopen: %v", err)
	}
	if got, want := p.Department, "办公室"; got != want {
		t.Errorf("department = %q, want %q", got, want)
	}
	for _, pragma := range []struct {
		name string
		want string
	}{{"foreign_keys", "1"}, {"journal_mode", "wal"}, {"busy_timeout", "5000"}, {"synchronous", "1"}} {
		if onPostgres() {
			break
		}
		var got string
		if err := db.rdb.QueryRowContext(ctx, "PRAGMA "+pragma.name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != pragma.want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma.name, got, pragma.want)
		}
	}
}

func TestOpenPaths(t *testing.T) {
	sqliteOnly(t)
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"with space.db", "q?x#y%z.db", "中文.db"} {
		path := filepath.Join(dir, name)
		db := mustOpenPath(t, path)
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: database not created where asked: %v", name, err)
		}
		if _, err := os.Stat(db.AttachmentPath(strings.Repeat("0", 64))); !os.IsNotExist(err) {
			t.Errorf("%s: attachment dir: %v", name, err)
		}
		if !fileExists(path + ".files") {
			t.Errorf("%s: attachment dir %s.files not created", name, name)
		}
	}
	_, err := Open(context.Background(), "")
	mustCode(t, err, campaignbot.EINVALID)
}

func TestMigrationsOrder(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"migration/0010_late.sql":  {Data: []byte("")},
		"migration/0002_next.sql":  {Data: []byte("")},
		"migration/0001_init.sql":  {Data: []byte("")},
		"migration/0009_other.sql": {Data: []byte("")},
	}
	ms, err := migrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, m := range ms {
		got = append(got, m.num)
	}
	want := []int{1, 2, 9, 10}
	if len(got) != len(want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order = %v, want %v", got, want)
		}
	}

	for name, fsys := range map[string]fstest.MapFS{
		"duplicate": {"migration/0001_a.sql": {}, "migration/0001_b.sql": {}},
		"no number": {"migration/init.sql": {}},
	} {
		if _, err := migrations(fsys); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestBackupWhileWriting(t *testing.T) {
	sqliteOnly(t)
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "甲", "乙")
	att, err := db.SaveAttachment(ctx, "note.jpg", "image/jpeg", []byte("handwritten page"))
	if err != nil {
		t.Fatal(err)
	}

	done, started := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	wg.Add(1)
	var written int
	var werr error
	go func() {
		defer wg.Done()
		defer once.Do(func() { close(started) })
		for {
			select {
			case <-done:
				return
			default:
			}
			s := &campaignbot.Submission{TaskKey: "study-notes", PersonID: ids["甲"], Text: "笔记", Attachments: []campaignbot.Attachment{*att}}
			if werr = db.CreateSubmission(ctx, s); werr != nil {
				return
			}
			written++
			if written == 5 {
				once.Do(func() { close(started) })
			}
		}
	}()
	<-started // some rows land before the backup, more during it
	path := filepath.Join(t.TempDir(), "backup.db")
	berr := db.Backup(ctx, path)
	close(done)
	wg.Wait()
	if berr != nil {
		t.Fatalf("backup: %v", berr)
	}
	if werr != nil {
		t.Fatalf("writer: %v", werr)
	}

	b, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var subs, links int
	if err := b.QueryRow(`SELECT (SELECT COUNT(*) FROM submissions), (SELECT COUNT(*) FROM submission_attachments)`).Scan(&subs, &links); err != nil {
		t.Fatal(err)
	}
	if subs < 5 || subs > written {
		t.Errorf("backup has %d submissions, want 5..%d", subs, written)
	}
	if subs != links {
		t.Errorf("backup is not consistent: %d submissions, %d attachment links", subs, links)
	}
	restored := mustOpenPath(t, path)
	if got := restored.AttachmentPath(att.SHA256); !fileExists(got) {
		t.Errorf("attachment %s not copied into the backup", got)
	}

	mustCode(t, db.Backup(ctx, path), campaignbot.EINVALID)
}

// A backup that fails leaves nothing at its path, and the next backup to
// that path removes what a killed one left behind.
func TestBackupAtomic(t *testing.T) {
	sqliteOnly(t)
	t.Parallel()
	db := MustOpen(t)
	importPeople(t, db, "甲")
	att, err := db.SaveAttachment(context.Background(), "page.jpg", "image/jpeg", []byte("a page"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "backup.db")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.Backup(ctx, path); err == nil {
		t.Fatal("backup with a cancelled context succeeded")
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("a failed backup left %v", left)
	}

	// What a backup killed part-way leaves: its incomplete directory.
	killed := filepath.Join(dir, "backup.db.incomplete-123")
	if err := os.MkdirAll(filepath.Join(killed, "db.files"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(killed, "db"), []byte("SQLite format 3\x00"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	left, _ := os.ReadDir(dir)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	if want := []string{"backup.db", "backup.db.files"}; !slices.Equal(names, want) {
		t.Errorf("after the backup the directory holds %v, want %v", names, want)
	}
	restored := mustOpenPath(t, path)
	if !fileExists(restored.AttachmentPath(att.SHA256)) {
		t.Error("the attachment is not in the backup")
	}
	if _, err := restored.FindPersonByName(context.Background(), "甲"); err != nil {
		t.Errorf("the backup lacks the roster: %v", err)
	}

	// A leftover attachment directory of another backup is not overwritten.
	other := filepath.Join(dir, "other.db")
	if err := os.Mkdir(other+".files", 0o750); err != nil {
		t.Fatal(err)
	}
	mustCode(t, db.Backup(context.Background(), other), campaignbot.EINVALID)
}
