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
	"syscall"

	"campaignbot"
)

// defaultMemoryLimit is the soft heap limit unless GOMEMLIMIT says
// otherwise: the Go collector would otherwise let the heap grow to twice
// the live data (about 20 MB at 10,000 people) before collecting.
const defaultMemoryLimit = 32 << 20

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

const usage = `campaignbot runs an organisation's campaign in chat (Telegram, WeCom, or the terminal).

Usage:
  campaignbot run [--demo] [--console] [--db FILE] [--plan FILE] [--listen ADDR] [--lang zh|en]
  campaignbot plan init [--start YYYY-MM-DD]    write the default plan to stdout
  campaignbot plan check FILE                   validate a plan file
  campaignbot plan apply FILE                   validate a plan file and put it in force
  campaignbot plan show [--summary]             print the plan in force
  campaignbot roster import FILE.csv            import or update the roster
  campaignbot roster list [--csv]               list the roster
  campaignbot invite NAME | --all               make one-time invite codes
  campaignbot web-link NAME                     print a one-time login link to the web console
  campaignbot digest [--for NAME] [--date DATE] print a digest as it would be sent
  campaignbot reminders [--date DATE]           preview the day's prompts and reminders
  campaignbot export --out FILE.xlsx            write the office's workbook
  campaignbot backup FILE                       consistent copy of the store
  campaignbot wecom menu                        install the WeCom app menu

Every command takes --db, --lang and --log-format; run "campaignbot COMMAND --help".
Flags override environment variables (CAMPAIGNBOT_DB, CAMPAIGNBOT_PLAN, ...; see README.md).
Exit status: 0 done, 1 failure at run time, 2 bad usage or bad input.
`

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
		fmt.Fprintln(stdio.Err, "campaignbot:", ue.msg)
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

func dispatch(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stdio.Err, usage)
		return usagef("a command is required")
	}
	cmd, rest := args[0], args[1:]
	sub := func() (string, []string, error) {
		if len(rest) == 0 || rest[0] == "-h" || rest[0] == "--help" {
			fmt.Fprint(stdio.Out, usage)
			return "", nil, flag.ErrHelp
		}
		return rest[0], rest[1:], nil
	}
	switch cmd {
	case "-h", "--help", "help":
		fmt.Fprint(stdio.Out, usage)
		return nil
	case "run":
		return cmdRun(ctx, rest, stdio, getenv)
	case "plan":
		s, r, err := sub()
		if err != nil {
			return err
		}
		switch s {
		case "init":
			return cmdPlanInit(ctx, r, stdio, getenv)
		case "check":
			return cmdPlanCheck(ctx, r, stdio, getenv)
		case "apply":
			return cmdPlanApply(ctx, r, stdio, getenv)
		case "show":
			return cmdPlanShow(ctx, r, stdio, getenv)
		}
		return usagef("unknown command: plan %s (init, check, apply or show)", s)
	case "roster":
		s, r, err := sub()
		if err != nil {
			return err
		}
		switch s {
		case "import":
			return cmdRosterImport(ctx, r, stdio, getenv)
		case "list":
			return cmdRosterList(ctx, r, stdio, getenv)
		}
		return usagef("unknown command: roster %s (import or list)", s)
	case "invite":
		return cmdInvite(ctx, rest, stdio, getenv)
	case "web-link":
		return cmdWebLink(ctx, rest, stdio, getenv)
	case "digest":
		return cmdDigest(ctx, rest, stdio, getenv)
	case "reminders":
		return cmdReminders(ctx, rest, stdio, getenv)
	case "export":
		return cmdExport(ctx, rest, stdio, getenv)
	case "backup":
		return cmdBackup(ctx, rest, stdio, getenv)
	case "wecom":
		s, r, err := sub()
		if err != nil {
			return err
		}
		if s == "menu" {
			return cmdWeComMenu(ctx, r, stdio, getenv)
		}
		return usagef("unknown command: wecom %s (menu)", s)
	}
	fmt.Fprint(stdio.Err, usage)
	return usagef("unknown command: %s", cmd)
}
