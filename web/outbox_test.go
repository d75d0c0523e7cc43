package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"campaignbot"
)

// TestFailedOutboxRequeue: the office sees the messages delivery gave up
// on and puts one back, as `campaignbot outbox requeue ID` does.
func TestFailedOutboxRequeue(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	sun := c.person(t, "孙静")
	now := time.Now()
	msgs := []*campaignbot.OutboxMessage{
		{Key: "t:1", Platform: campaignbot.PlatformTelegram, ChatID: "71", PersonID: sun.ID, Kind: campaignbot.KindNotice, Text: "第一条", Status: campaignbot.OutboxPending, NextAt: now},
		{Key: "t:2", Platform: campaignbot.PlatformTelegram, ChatID: "71", PersonID: sun.ID, Kind: campaignbot.KindNotice, Text: "第二条", Status: campaignbot.OutboxPending, NextAt: now},
	}
	if _, err := c.db.EnqueueOutbox(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	claimed, err := c.db.ClaimOutbox(ctx, campaignbot.PlatformTelegram, now.Add(time.Minute), 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claimed %d %v", len(claimed), err)
	}
	for _, m := range claimed {
		if err := c.db.MarkOutboxRetry(ctx, m.ID, "Forbidden: bot was blocked by the user", now, true); err != nil {
			t.Fatal(err)
		}
	}
	office := c.signIn(t, "陈丽")
	_, body := office.get(t, "/outbox")
	if !strings.Contains(body, "bot was blocked by the user") || !strings.Contains(body, "孙静") {
		t.Fatalf("the failed messages are not listed:\n%s", body)
	}
	if code, _ := office.post(t, "/outbox/requeue", url.Values{"csrf": {office.csrf}}); code != http.StatusBadRequest {
		t.Errorf("requeue with nothing picked: %d", code)
	}
	first := claimed[0].ID
	if code, body := office.post(t, "/outbox/requeue", url.Values{"csrf": {office.csrf}, "id": {itoa(first)}}); code != http.StatusSeeOther {
		t.Fatalf("requeue: %d %s", code, body)
	}
	failed, _ := c.db.FailedOutbox(ctx, "", 10)
	if len(failed) != 1 || failed[0].ID == first {
		t.Errorf("failed after requeueing one: %+v", failed)
	}
	if code, _ := office.post(t, "/outbox/requeue", url.Values{"csrf": {office.csrf}, "all": {"1"}}); code != http.StatusSeeOther {
		t.Errorf("requeue all: %d", code)
	}
	if failed, _ := c.db.FailedOutbox(ctx, "", 10); len(failed) != 0 {
		t.Errorf("still failed: %d", len(failed))
	}
	member := c.signIn(t, "孙静")
	if code, _ := member.get(t, "/outbox"); code != http.StatusForbidden {
		t.Errorf("member /outbox: %d", code)
	}
	es, _ := c.db.FindAudit(ctx, 5)
	if len(es) < 3 || es[1].Action != "outbox_requeue" || es[2].Action != "outbox_requeue" {
		t.Errorf("audit %+v", es)
	}
}
