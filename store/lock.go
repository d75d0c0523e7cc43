package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"

	"campaignbot"
)

// InstanceLock makes one campaignbot run the only one on its database
// (SPEC §8). It is an flock(2) on the file "<db>.lock" beside the database,
// whose text names the holder. The kernel drops the lock when the holder's
// process ends, however it ends, so a lock file left behind by a killed
// process does not block the next start.
type InstanceLock struct {
	f *os.File
}

// errLocked is what tryLock returns when another open file holds the lock.
var errLocked = errors.New("locked")

// holderWait bounds how long Lock waits for a holder that has just taken
// the lock to write its name.
const holderWait = 500 * time.Millisecond

// Lock takes the instance lock of the database at path without waiting. If
// another process holds it, Lock returns an ECONFLICT error naming the
// holder: its pid, host and start time.
func Lock(path string) (*InstanceLock, error) {
	if path == "" {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "database path is required")
	}
	name := path + ".lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "%s: cannot create the lock file %s (%s)", path, name, reason(err))
	}
	if err := tryLock(f); errors.Is(err, errLocked) {
		defer f.Close()
		return nil, campaignbot.Errorf(campaignbot.ECONFLICT, "%s is in use by another campaignbot run (%s); stop it first", path, holder(f))
	} else if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	line := fmt.Sprintf("pid %d on host %s since %s\n", os.Getpid(), host, time.Now().Format(time.RFC3339))
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := f.WriteAt([]byte(line), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", name, err)
	}
	return &InstanceLock{f: f}, nil
}

// Close releases the lock. The file stays: removing it would let a process
// that opened it just before lock an unlinked file while a third creates a
// new one, and both would run.
func (l *InstanceLock) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	// Emptied, the file names no holder once this one is gone.
	terr := f.Truncate(0)
	if err := f.Close(); err != nil {
		return fmt.Errorf("unlock %s: %w", f.Name(), err)
	}
	if terr != nil {
		return fmt.Errorf("unlock %s: %w", f.Name(), terr)
	}
	return nil
}

// holder returns the first line of the lock file f, waiting up to
// holderWait for a holder that has just taken the lock to write it.
func holder(f *os.File) string {
	deadline := time.Now().Add(holderWait)
	buf := make([]byte, 256)
	for {
		n, _ := f.ReadAt(buf, 0)
		if line, _, ok := bytes.Cut(buf[:n], []byte("\n")); ok && len(line) > 0 {
			return string(bytes.ToValidUTF8(line, []byte("?")))
		}
		if time.Now().After(deadline) {
			return "holder unknown"
		}
		time.Sleep(20 * time.Millisecond)
	}
}
