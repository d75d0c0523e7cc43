package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/store"
)

// TestOutboxCommands: the operator lists what delivery gave up on, with
// why, and puts it back in the outbox; bad usage is refused.
func TestOutboxCommands(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "campaign.db")
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	msgs := []*campaignbot.OutboxMessage{
		{Key: "a", Platform: campaignbot.PlatformWeCom, ChatID: "zhangsan", Kind: campaignbot.KindWarning, Text: "请提交"},
		{Key: "b", Platform: campaignbot.PlatformTelegram, ChatID: "42", Kind: campaignbot.KindDigest, Text: "简报"},
	}
	if _, err := db.EnqueueOutbox(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if err := db.MarkOutboxRetry(ctx, m.ID, "gave up after 1 attempts: wecom errcode 60020: not allow to access from your ip", time.Now(), true); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	code, out, stderr := run(t, nil, "", "outbox", "list", "--db", dbPath, "--platform", "wecom")
	if code != 0 || !strings.Contains(out, "zhangsan") || !strings.Contains(out, "60020") || strings.Contains(out, "digest") {
		t.Fatalf("outbox list: %d\n%s%s", code, out, stderr)
	}
	if code, _, stderr := run(t, nil, "", "outbox", "requeue", "--db", dbPath, "x"); code != exitUsage {
		t.Errorf("requeue x: status %d, want %d: %s", code, exitUsage, stderr)
	}
	if code, _, stderr := run(t, nil, "", "outbox", "list", "--db", dbPath, "--platform", "fax"); code != exitUsage {
		t.Errorf("--platform fax: status %d, want %d: %s", code, exitUsage, stderr)
	}
	code, out, stderr = run(t, nil, "", "outbox", "requeue", "--db", dbPath)
	if code != 0 || !strings.HasPrefix(out, "2 failed messages put back") {
		t.Fatalf("outbox requeue: %d %q %s", code, out, stderr)
	}
	code, out, _ = run(t, nil, "", "outbox", "list", "--db", dbPath)
	if code != 0 || strings.TrimSpace(out) != "no failed messages" {
		t.Errorf("after requeue: %d %q", code, out)
	}
}
