package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"campaignbot"
)

// mustLock takes the instance lock of path and releases it when the test
// ends.
func mustLock(tb testing.TB, path string) *InstanceLock {
	tb.Helper()
	l, err := Lock(path)
	if err != nil {
		tb.Fatalf("lock %s: %v", path, err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// The lock is flock(2) on the open file, so a second Lock in this process
// stands for a second process: both open the lock file anew.
func TestLockRefusesSecondHolder(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "campaignbot.db")
	first := mustLock(t, path)

	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Lock(path)
	mustCode(t, err, campaignbot.ECONFLICT)
	got := campaignbot.ErrorMessage(err)
	want := fmt.Sprintf("%s is in use by another campaignbot run (pid %d on host %s since ", path, os.Getpid(), host)
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "); stop it first") {
		t.Errorf("second lock: %q, want %q…", got, want)
	}

	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if text, err := os.ReadFile(path + ".lock"); err != nil || len(text) != 0 {
		t.Errorf("lock file after Close: %q, %v; want it empty", text, err)
	}
	mustLock(t, path)
}

// A process killed with SIGKILL leaves its lock file naming it, but the
// kernel has dropped its flock: the file must not block the next start.
func TestLockIgnoresStaleFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "campaignbot.db")
	if err := os.WriteFile(path+".lock", []byte("pid 99999 on host gone since 2026-01-01T00:00:00Z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustLock(t, path)
	text, err := os.ReadFile(path + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("pid %d on host ", os.Getpid()); !strings.HasPrefix(string(text), want) || strings.Count(string(text), "\n") != 1 {
		t.Errorf("lock file %q, want one line starting %q", text, want)
	}
}

// A holder that has not yet written its name is reported as unknown,
// after a short wait, rather than as nobody.
func TestLockHolderUnknown(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "campaignbot.db")
	mustLock(t, path)
	if err := os.Truncate(path+".lock", 0); err != nil {
		t.Fatal(err)
	}
	_, err := Lock(path)
	mustCode(t, err, campaignbot.ECONFLICT)
	if got := campaignbot.ErrorMessage(err); !strings.Contains(got, "(holder unknown)") {
		t.Errorf("second lock: %q, want the holder unknown", got)
	}
}

func TestLockNeedsWritableDirectory(t *testing.T) {
	t.Parallel()
	_, err := Lock(filepath.Join(t.TempDir(), "no", "such", "dir", "campaignbot.db"))
	mustCode(t, err, campaignbot.EINVALID)
	if got := campaignbot.ErrorMessage(err); !strings.Contains(got, "cannot create the lock file") {
		t.Errorf("lock in a missing directory: %q", got)
	}
}
