package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"campaignbot"
)

// TestOutboxStats counts the outbox by platform and status and dates the
// oldest pending message of each platform.
func TestOutboxStats(t *testing.T) {
	t.Parallel()
	db := MustOpen(t)
	ctx := context.Background()
	fillOutbox(t, db, 1000)
	stats, err := db.OutboxStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	oldest := map[campaignbot.Platform]time.Time{}
	for _, s := range stats {
		got[fmt.Sprintf("%s/%s", s.Platform, s.Status)] = s.Count
		if s.Status == campaignbot.OutboxPending {
			oldest[s.Platform] = s.Oldest
		}
	}
	// Rows i = 1…1000: every 100th pending, every third on WeCom.
	want := map[string]int{"telegram/pending": 7, "telegram/sent": 660, "wecom/pending": 3, "wecom/sent": 330}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts %v, want %v", got, want)
	}
	if w := decTime(100); !oldest[campaignbot.PlatformTelegram].Equal(w) {
		t.Errorf("oldest pending on telegram %v, want %v", oldest[campaignbot.PlatformTelegram], w)
	}
	if w := decTime(300); !oldest[campaignbot.PlatformWeCom].Equal(w) {
		t.Errorf("oldest pending on wecom %v, want %v", oldest[campaignbot.PlatformWeCom], w)
	}
}

// BenchmarkOutboxStats reads the outbox's figures as a /metrics scrape
// does, at 200,000 and 2,000,000 messages (1 % pending).
func BenchmarkOutboxStats(b *testing.B) {
	for _, n := range []int{200_000, 2_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			db := MustOpen(b)
			fillOutbox(b, db, n)
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				if _, err := db.OutboxStats(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// fillOutbox inserts n messages straight into the table: every 100th
// pending, the rest sent; every third on WeCom, the rest on Telegram; row
// i created at encoded time i.
func fillOutbox(tb testing.TB, db *DB, n int) {
	tb.Helper()
	_, err := db.wdb.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
INSERT INTO outbox (key, platform, chat_id, kind, text, status, next_at, created_at)
SELECT 'bench:' || i, CASE WHEN i % 3 = 0 THEN 'wecom' ELSE 'telegram' END, CAST(i % 5000 AS TEXT), 'reminder',
	'提醒：请于本周五前提交学习笔记。', CASE WHEN i % 100 = 0 THEN 'pending' ELSE 'sent' END, i, i FROM n`, n)
	if err != nil {
		tb.Fatal(err)
	}
}
