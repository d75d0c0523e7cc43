package main

import (
	"context"
)

func cmdDigest(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	return usagef("digest: not wired yet")
}

func cmdReminders(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	return usagef("reminders: not wired yet")
}


func cmdWeComMenu(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	return usagef("wecom menu: not wired yet")
}
