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

// cmdExport writes what the office files (SPEC §12): the workbook, the
// materials ZIP and the compiled document, any of them in one run, showing
// the workbook's progress on a terminal.
func cmdExport(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("export", stdio, getenv, &cfg)
	out := fs.String("out", "", "the workbook `file` to write (.xlsx)")
	materials := fs.String("materials", "", "the `file` to write every submitted file to, by task, department and person, with the workbook (.zip)")
	docx := fs.String("docx", "", "the `file` to write the compiled materials to: title page, contents, each submission with its text and pictures (.docx)")
	campaign := fs.Int64("campaign", 0, "export campaign `N` (see campaign list) instead of the current one")
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 || *out == "" && *materials == "" && *docx == "" {
		return usagef("usage: campaignbot export [--campaign N] [--out FILE.xlsx] [--materials FILE.zip] [--docx FILE.docx]")
	} else if *campaign < 0 {
		return usagef("--campaign: %d is not a campaign number", *campaign)
	}
	closer, db, p, err := openCampaign(ctx, &cfg, *campaign)
	if err != nil {
		return err
	}
	defer closer.Close()
	opts := []export.Option{export.WithLang(cfg.Lang)}
	if isTerminal(stdio.Err) {
		opts = append(opts, export.WithProgress(func(done, total int) {
			fmt.Fprintf(stdio.Err, "\r%s", campaignbot.T(cfg.Lang, "export.cli.progress", done, total))
			if done == total {
				fmt.Fprintln(stdio.Err)
			}
		}))
	}
	if *out != "" {
		if err := writeAtomic(*out, func(w io.Writer) error { return export.Write(ctx, w, db, p, opts...) }); err != nil {
			return err
		}
		fmt.Fprintln(stdio.Out, campaignbot.T(cfg.Lang, "export.cli.workbook", *out))
	}
	if *materials != "" {
		var res *export.MaterialsResult
		if err := writeAtomic(*materials, func(w io.Writer) (err error) {
			res, err = export.WriteMaterials(ctx, w, db, db, p, opts...)
			return err
		}); err != nil {
			return err
		}
		fmt.Fprintln(stdio.Out, campaignbot.T(cfg.Lang, "export.cli.materials", *materials, res.Files))
		reportMissing(stdio, cfg.Lang, res.Missing)
	}
	if *docx != "" {
		var res *export.MaterialsResult
		if err := writeAtomic(*docx, func(w io.Writer) (err error) {
			res, err = export.WriteDocument(ctx, w, db, db, p, opts...)
			return err
		}); err != nil {
			return err
		}
		fmt.Fprintln(stdio.Out, campaignbot.T(cfg.Lang, "export.cli.docx", *docx))
		reportMissing(stdio, cfg.Lang, res.Missing)
	}
	return nil
}

// reportMissing lists the attachments whose bytes the store lacks: the
// export goes on without them, but the office must know.
func reportMissing(stdio IO, lang string, missing []string) {
	if len(missing) == 0 {
		return
	}
	fmt.Fprintln(stdio.Err, campaignbot.T(lang, "export.cli.missing", len(missing), export.MissingListName(lang)))
	for _, m := range missing {
		fmt.Fprintln(stdio.Err, "  "+m)
	}
}

// writeAtomic writes a file through write beside path and renames it into
// place, so a failed export leaves no half-written file behind.
func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".export-*"+filepath.Ext(path))
	if err != nil {
		return usagef("%s", err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
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
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("export: %w", err)
	}
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
