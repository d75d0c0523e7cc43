package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// shared names the flags that several commands take; each command takes
// only those it uses, so that its --help lists nothing it ignores.
type shared uint8

const (
	withDB shared = 1 << iota
	withLang
	withLogFormat
)

// command is one command of the command line: dispatch runs it, usage and
// --help describe it.
type command struct {
	name string // "backup", or "plan apply" for a subcommand
	// synopsis is what follows the name in usage: its own flags and
	// arguments.
	synopsis string
	about    string
	shared   shared
	run      func(ctx context.Context, args []string, stdio IO, getenv func(string) string) error
}

// commandTable is every command, in the order usage lists them.
func commandTable() []command {
	return []command{
		{"run", "[--demo] [--console] [--plan FILE] [--listen ADDR]", "run the bot(s), the scheduler and the HTTP server", withDB | withLang | withLogFormat, cmdRun},
		{"plan init", "[--start YYYY-MM-DD] [--out FILE]", "write the default plan (to standard output unless --out)", 0, cmdPlanInit},
		{"plan check", "FILE", "validate a plan file", 0, cmdPlanCheck},
		{"plan apply", "FILE", "validate a plan file and put it in force", withDB, cmdPlanApply},
		{"plan show", "[--summary]", "print the plan in force", withDB | withLang, cmdPlanShow},
		{"roster import", "[--apply] FILE", "import or update the roster from a CSV or XLSX file", withDB, cmdRosterImport},
		{"roster list", "[--csv]", "list the roster, with binding status", withDB | withLang, cmdRosterList},
		{"roster remove", "NAME|ID...", "take people off the roster (what they submitted stays)", withDB, cmdRosterRemove},
		{"roster sync-wecom", "[--apply]", "show, and with --apply make, the roster changes the WeCom address book brings", withDB, cmdRosterSyncWeCom},
		{"invite", "NAME... | --all", "make one-time invite codes", withDB, cmdInvite},
		{"web-link", "NAME", "print a one-time login link to the web console", withDB | withLang, cmdWebLink},
		{"digest", "[--for NAME] [--date DATE]", "print a digest as it would be sent", withDB | withLang, cmdDigest},
		{"reminders", "[--date DATE]", "preview the day's prompts and reminders", withDB | withLang, cmdReminders},
		{"campaign new", "--plan FILE", "close the current campaign and start the next (same roster and chat bindings)", withDB | withLang, cmdCampaignNew},
		{"campaign list", "", "list the campaigns, current and closed, with what each holds", withDB | withLang, cmdCampaignList},
		{"export", "[--campaign N] [--out FILE.xlsx] [--materials FILE.zip] [--docx FILE.docx]", "write the office's workbook, the submitted files and the compiled materials", withDB | withLang, cmdExport},
		{"backup", "FILE", "copy the store and its attachments (FILE.files) while the bot runs", withDB, cmdBackup},
		{"outbox list", "[--platform P] [--limit N]", "list the messages delivery gave up on", withDB, func(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
			return cmdOutbox(ctx, "list", args, stdio, getenv)
		}},
		{"outbox requeue", "[--platform P] [ID...]", "send messages delivery gave up on again", withDB, func(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
			return cmdOutbox(ctx, "requeue", args, stdio, getenv)
		}},
		{"wecom menu", "", "install the WeCom app menu", withLang, cmdWeComMenu},
		{"version", "", "print the version, the commit built and its date", 0, cmdVersion},
	}
}

// findCommand returns the command named name, if any.
func findCommand(name string) (command, bool) {
	for _, c := range commandTable() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// subcommands returns the commands of group ("plan"), or none if group is
// no group.
func subcommands(group string) []command {
	var cs []command
	for _, c := range commandTable() {
		if strings.HasPrefix(c.name, group+" ") {
			cs = append(cs, c)
		}
	}
	return cs
}

// printCommands writes the usage lines of cs.
func printCommands(w io.Writer, cs []command) {
	width := 0
	for _, c := range cs {
		width = max(width, len(strings.TrimSpace(c.name+" "+c.synopsis)))
	}
	for _, c := range cs {
		fmt.Fprintf(w, "  campaignbot %-*s  %s\n", width, strings.TrimSpace(c.name+" "+c.synopsis), c.about)
	}
}

// printUsage writes the usage of the whole program.
func printUsage(w io.Writer) {
	fmt.Fprint(w, "campaignbot runs an organisation's campaign in chat (Telegram, WeCom, or the terminal).\n\nUsage:\n")
	printCommands(w, commandTable())
	fmt.Fprint(w, `
Run "campaignbot COMMAND --help" for a command's flags; --db takes CAMPAIGNBOT_DB,
and flags override the environment variables (see README.md).
Exit status: 0 done, 1 failure at run time, 2 bad usage or bad input.
`)
}

// printGroupUsage writes the usage of a command group such as "plan".
func printGroupUsage(w io.Writer, group string) {
	fmt.Fprint(w, "Usage:\n")
	printCommands(w, subcommands(group))
	fmt.Fprintf(w, "\nRun \"campaignbot %s COMMAND --help\" for a command's flags.\n", group)
}

func dispatch(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	if len(args) == 0 {
		printUsage(stdio.Err)
		return usagef("a command is required")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printUsage(stdio.Out)
		return nil
	case "-version", "--version":
		return cmdVersion(ctx, args[1:], stdio, getenv)
	}
	if c, ok := findCommand(args[0]); ok {
		return c.run(ctx, args[1:], stdio, getenv)
	}
	if subs := subcommands(args[0]); len(subs) > 0 {
		group := args[0]
		if len(args) == 1 {
			printGroupUsage(stdio.Err, group)
			return usagef("%s needs a command", group)
		}
		switch args[1] {
		case "-h", "-help", "--help", "help":
			printGroupUsage(stdio.Out, group)
			return nil
		}
		if c, ok := findCommand(group + " " + args[1]); ok {
			return c.run(ctx, args[2:], stdio, getenv)
		}
		printGroupUsage(stdio.Err, group)
		return usagef("unknown command: %s %s", group, args[1])
	}
	printUsage(stdio.Err)
	return usagef("unknown command: %s", args[0])
}

// flagSet returns the flag set of the command name, with the shared flags
// it takes (defaults from the environment), and reads the environment into
// cfg. Its --help writes the command's synopsis and flags to standard
// output.
func flagSet(name string, stdio IO, getenv func(string) string, cfg *Config) *flag.FlagSet {
	c, ok := findCommand(name)
	if !ok {
		c = command{name: name, shared: withDB | withLang}
	}
	fs := flag.NewFlagSet("campaignbot "+name, flag.ContinueOnError)
	cfg.readEnv(getenv)
	cfg.flags = fs
	if c.shared&withDB != 0 {
		fs.StringVar(&cfg.DB, "db", cfg.DB, "SQLite database `file`, or a postgres:// URL (CAMPAIGNBOT_DB)")
	}
	if c.shared&withLang != 0 {
		fs.StringVar(&cfg.Lang, "lang", cfg.Lang, "language: zh or en (CAMPAIGNBOT_LANG)")
	}
	if c.shared&withLogFormat != 0 {
		fs.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "log format: text or json (CAMPAIGNBOT_LOG_FORMAT)")
	}
	out := &flagErrors{}
	fs.SetOutput(out)
	fs.Usage = func() {
		// The flag package calls Usage after printing a parse error
		// too; Run prints that error, and the usage only on --help.
		if out.failed {
			out.failed = false
			return
		}
		fmt.Fprintf(stdio.Out, "Usage: campaignbot %s\n", strings.TrimSpace(c.name+" "+c.synopsis))
		if c.about != "" {
			fmt.Fprintf(stdio.Out, "\n%s.\n", capitalize(c.about))
		}
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprint(stdio.Out, "\nFlags:\n")
			fs.SetOutput(stdio.Out)
			fs.PrintDefaults()
			fs.SetOutput(out)
		}
	}
	return fs
}

// flagErrors takes the flag package's error messages (Run prints them) and
// notes that one came.
type flagErrors struct{ failed bool }

func (e *flagErrors) Write(p []byte) (int, error) {
	e.failed = true
	return len(p), nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// parseArgs parses flags anywhere among args and returns the positional
// arguments; flag errors are usage errors.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, err
		} else if err != nil {
			return nil, usagef("%s (see \"%s --help\")", err, fs.Name())
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
