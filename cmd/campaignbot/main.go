// Command campaignbot runs an organisation's campaign in chat: the bot(s),
// the scheduler, and the office's tools (plan, roster, invites, digests,
// exports, backups). See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"campaignbot"
)

// defaultMemoryLimit is the soft limit of the Go runtime's memory unless
// GOMEMLIMIT says otherwise. It is a ceiling, not a target: below it the
// collector paces itself as usual (the heap grows to twice the live data
// before a collection), and near it collects sooner, so that SPEC §10's
// largest organisation (100,000 people, 2,000,000 submissions: about 150 MB
// live, more while a digest is computed) stays under 400 MB resident. A
// limit under the live data makes the collector run without pause (up to
// half the CPU): with 32 MiB, 52 /digest at 100,000 people were not all
// answered in 5 minutes.
const defaultMemoryLimit = 300 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, os.Getenv)
	stop()
	os.Exit(code)
}

// IO is the standard streams of one invocation.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

// Exit statuses (SPEC §7).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError is bad usage or bad input: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// Run runs the command line args and returns the exit status.
func Run(ctx context.Context, args []string, stdio IO, getenv func(string) string) int {
	err := dispatch(ctx, args, stdio, getenv)
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		// One line per mistake, each marked, as a journal shows them.
		for _, line := range strings.Split(ue.msg, "\n") {
			fmt.Fprintln(stdio.Err, "campaignbot:", line)
		}
		return exitUsage
	case campaignbot.ErrorCode(err) == campaignbot.EINVALID:
		fmt.Fprintln(stdio.Err, "campaignbot:", campaignbot.ErrorMessage(err))
		return exitUsage
	case campaignbot.ErrorCode(err) != campaignbot.EINTERNAL:
		fmt.Fprintln(stdio.Err, "campaignbot:", campaignbot.ErrorMessage(err))
		return exitFailure
	default:
		fmt.Fprintln(stdio.Err, "campaignbot:", err)
		return exitFailure
	}
}
