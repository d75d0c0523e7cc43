package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/term"

	"campaignbot"
	"campaignbot/export"
	"campaignbot/store"
)

// cmdExport writes the office's workbook, showing progress on a terminal.
func cmdExport(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("export", stdio, getenv, &cfg)
	out := fs.String("out", "", "the workbook `file` to write (.xlsx)")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 || *out == "" {
		return usagef("usage: campaignbot export --out FILE.xlsx")
	}
	db, p, err := openAll(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	opts := []export.Option{export.WithLang(cfg.Lang)}
	if isTerminal(stdio.Err) {
		opts = append(opts, export.WithProgress(func(done, total int) {
			fmt.Fprintf(stdio.Err, "\rexporting… %d/%d rows", done, total)
			if done == total {
				fmt.Fprintln(stdio.Err)
			}
		}))
	}
	// Write beside the target and rename, so a failed export leaves no
	// half-written workbook behind.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".export-*.xlsx")
	if err != nil {
		return usagef("%s", err)
	}
	defer os.Remove(tmp.Name())
	if err := export.Write(ctx, tmp, db, p, opts...); err != nil {
		tmp.Close()
		return fmt.Errorf("export: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("export: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(stdio.Out, "workbook written to %s\n", *out)
	return nil
}

// exporter returns the engine's /export function over the store and the
// plan in force.
func exporter(db *store.DB, plan func() *campaignbot.Plan, lang string) func(ctx context.Context, w io.Writer) error {
	return func(ctx context.Context, w io.Writer) error {
		return export.Write(ctx, w, db, plan(), export.WithLang(lang))
	}
}

// isTerminal reports whether f is a terminal. A character device is not
// enough: /dev/null, a service's standard input, is one too.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}
