package main

// One run per store, and no run on a file it cannot use (SPEC §8): the
// built binary, as an operator starts it twice or on a bad file.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"campaignbot/store"
)

// lockProc is one "campaignbot run" in console mode, kept running by its
// open standard input.
type lockProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

// startRun starts "campaignbot run --db db" and kills it when the test
// ends.
func startRun(t *testing.T, bin, db string) *lockProc {
	t.Helper()
	p := &lockProc{done: make(chan struct{})}
	p.cmd = exec.Command(bin, "run", "--db", db)
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Dir(db)}
	p.cmd.Stderr = &p.stderr
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// waitHolder waits until the lock file of db names p as its holder.
func waitHolder(t *testing.T, db string, p *lockProc) {
	t.Helper()
	want := fmt.Sprintf("pid %d on host ", p.cmd.Process.Pid)
	tgWaitFor(t, fmt.Sprintf("pid %d to hold the lock", p.cmd.Process.Pid), func() bool {
		text, _ := os.ReadFile(db + ".lock")
		return strings.HasPrefix(string(text), want)
	})
}

// runBinary runs the binary to its end and returns its exit status and
// standard error.
func runBinary(t *testing.T, cmd *exec.Cmd) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), stderr.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, stderr.String()
}

func TestRunRefusesSecondInstance(t *testing.T) {
	t.Parallel()
	bin := tgBuildBinary(t)
	db := filepath.Join(t.TempDir(), "campaignbot.db")
	first := startRun(t, bin, db)
	waitHolder(t, db, first)

	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), tgWait)
	defer cancel()
	started := time.Now()
	code, stderr := runBinary(t, exec.CommandContext(ctx, bin, "run", "--console", "--db", db))
	t.Logf("the second run refused after %s", time.Since(started).Round(time.Millisecond))
	want := fmt.Sprintf("campaignbot: %s is in use by another campaignbot run (pid %d on host %s since ", db, first.cmd.Process.Pid, host)
	if code != exitUsage || !strings.HasPrefix(stderr, want) || !strings.HasSuffix(stderr, "); stop it first\n") {
		t.Errorf("second run: exit %d, %q; want exit %d, %q…", code, stderr, exitUsage, want)
	}
	select {
	case <-first.done:
		t.Fatalf("the first run ended: %v\n%s", first.err, first.stderr.String())
	default:
	}

	// SIGKILL, maybe before the first run has written its new database,
	// leaves the lock file naming the dead process; the kernel has dropped
	// its lock, so the next run starts.
	_ = first.cmd.Process.Kill()
	<-first.done
	next := startRun(t, bin, db)
	waitHolder(t, db, next)
	next.stdin.Close() // end of input ends the console
	select {
	case <-next.done:
		if next.err != nil {
			t.Errorf("run after the kill: %v\n%s", next.err, next.stderr.String())
		}
	case <-time.After(tgWait):
		t.Fatal("run did not end at end of input")
	}
}

// The checks themselves are tested in package store; here, that run and
// the other commands refuse with exit status 2 and the message.
func TestRunRefusesUnusableDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty.db", nil, "not a SQLite database (0 bytes)"},
		{"garbage.db", bytes.Repeat([]byte("garbage\n"), 1000), "not a SQLite database (no SQLite header)"},
	} {
		path := filepath.Join(dir, tt.name)
		if err := os.WriteFile(path, tt.data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"run", "--db", path}, {"roster", "list", "--db", path}} {
			code, _, stderr := run(t, nil, "", args...)
			if want := "campaignbot: " + path + ": " + tt.want + "\n"; code != exitUsage || stderr != want {
				t.Errorf("%v: exit %d, %q; want exit %d, %q", args, code, stderr, exitUsage, want)
			}
		}
	}
}

// Commands other than run and roster import refuse a missing database
// instead of creating an empty one (SPEC §7).
func TestOnlyRunCreatesDatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "new.db")
	for _, args := range [][]string{{"roster", "list"}, {"invite", "--all"}, {"digest"}, {"reminders"}, {"backup", path + ".bak"}, {"export", "--out", path + ".xlsx"}, {"plan", "show"}} {
		code, _, stderr := run(t, nil, "", append(args, "--db", path)...)
		if want := "campaignbot: " + path + ": no such database (campaignbot run, roster import or plan apply creates one)\n"; code != exitUsage || stderr != want {
			t.Errorf("%v: exit %d, %q; want exit %d, %q", args, code, stderr, exitUsage, want)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%v made the database: %v", args, err)
		}
	}
	if code, _, stderr := run(t, nil, "", "run", "--db", path); code != exitOK {
		t.Fatalf("run: exit %d, %s", code, stderr)
	}
	if code, _, stderr := run(t, nil, "", "roster", "list", "--db", path); code != exitOK {
		t.Errorf("roster list after run: exit %d, %s", code, stderr)
	}
}

// A database the program may not write, as when it belongs to another
// user or sits on a read-only mount. Tests run as root, who may write any
// file, so then the binary runs as nobody on a file of root's.
func TestRunRefusesReadOnlyDatabase(t *testing.T) {
	t.Parallel()
	bin := tgBuildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "campaignbot.db")
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "run", "--console", "--db", db)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	if os.Geteuid() == 0 {
		const nobody = 65534
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		// nobody must reach the binary and write the lock file beside the
		// database: only the database itself is out of bounds.
		for _, d := range []string{filepath.Dir(bin), filepath.Dir(filepath.Dir(bin)), filepath.Dir(dir)} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chmod(dir, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	code, stderr := runBinary(t, cmd)
	if want := "campaignbot: " + db + ": cannot write (permission denied)\n"; code != exitUsage || stderr != want {
		t.Errorf("run: exit %d, %q; want exit %d, %q", code, stderr, exitUsage, want)
	}
}

// A database in a directory the program may not write: SQLite could open
// the file but not make its -wal and -shm files beside it. Every command
// refuses, saying so, instead of "attempt to write a readonly database".
func TestRefusesDatabaseInReadOnlyDirectory(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the program as another user")
	}
	bin := tgBuildBinary(t)
	dir := filepath.Join(t.TempDir(), "ro")
	db := filepath.Join(dir, "campaignbot.db")
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	const nobody = 65534
	for _, d := range []string{filepath.Dir(bin), filepath.Dir(filepath.Dir(bin)), filepath.Dir(dir), filepath.Dir(filepath.Dir(dir))} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(db, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	want := "campaignbot: " + db + ": cannot write in its directory " + dir + " (permission denied); SQLite keeps its -wal and -shm files beside the database\n"
	for _, args := range [][]string{{"roster", "list"}, {"digest"}, {"backup", filepath.Join(t.TempDir(), "b.db")}} {
		cmd := exec.Command(bin, append(args, "--db", db)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		if code, stderr := runBinary(t, cmd); code != exitUsage || stderr != want {
			t.Errorf("%v: exit %d, %q; want exit %d, %q", args, code, stderr, exitUsage, want)
		}
	}
}
