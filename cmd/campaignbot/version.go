package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// cmdVersion prints the version, commit and build date, from the build
// information the Go toolchain writes into the binary: the module version
// ("(devel)" for a build from a checkout), the commit it was built from
// (marked when the tree had changes) and that commit's time.
func cmdVersion(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("version", stdio, getenv, &cfg)
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("version takes no arguments")
	}
	version, commit, date, goVersion := buildInfo()
	fmt.Fprintf(stdio.Out, "campaignbot %s\ncommit: %s\ndate: %s\ngo: %s %s/%s\n", version, commit, date, goVersion, runtime.GOOS, runtime.GOARCH)
	return nil
}

// buildInfo returns what the toolchain wrote into the binary, "unknown"
// for what it did not: for version and for the build_info metric.
func buildInfo() (version, commit, date, goVersion string) {
	version, commit, date = "unknown", "unknown", "unknown"
	goVersion = runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		version, goVersion = bi.Main.Version, bi.GoVersion
		modified := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.time":
				date = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if modified && commit != "unknown" {
			commit += " (with uncommitted changes)"
		}
	}
	return version, commit, date, goVersion
}
