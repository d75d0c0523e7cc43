//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package store

import (
	"fmt"
	"os"
	"runtime"
)

// tryLock refuses: the instance lock needs flock(2), which this system
// lacks.
func tryLock(f *os.File) error {
	return fmt.Errorf("the instance lock needs flock(2), which %s lacks", runtime.GOOS)
}
