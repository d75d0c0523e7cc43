package store

import (
	"context"
	"testing"
	"time"

	"campaignbot"
)

// TestRequeueOutbox: messages given up on are listed and put back, due now
// with their attempts afresh; one that did not fail is refused by id.
func TestRequeueOutbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newTestClock()
	db := MustOpen(t, WithClock(clock))
	msgs := []*campaignbot.OutboxMessage{
		{Key: "a", Platform: campaignbot.PlatformWeCom, ChatID: "zhangsan", Kind: campaignbot.KindWarning, Text: "请提交"},
		{Key: "b", Platform: campaignbot.PlatformTelegram, ChatID: "42", Kind: campaignbot.KindWarning, Text: "请提交"},
		{Key: "c", Platform: campaignbot.PlatformWeCom, ChatID: "lisi", Kind: campaignbot.KindWarning, Text: "请提交"},
	}
	if _, err := db.EnqueueOutbox(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs[:2] {
		if err := db.MarkOutboxRetry(ctx, m.ID, "errcode 60020", clock.Now(), true); err != nil {
			t.Fatal(err)
		}
	}
	failed, err := db.FailedOutbox(ctx, campaignbot.PlatformWeCom, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 || failed[0].Key != "a" || failed[0].LastError != "errcode 60020" {
		t.Fatalf("failed wecom = %+v, want a", failed)
	}
	_, err = db.RequeueOutbox(ctx, "", msgs[2].ID)
	mustCode(t, err, campaignbot.ENOTFOUND)
	clock.Add(time.Hour)
	n, err := db.RequeueOutbox(ctx, campaignbot.PlatformWeCom)
	if err != nil || n != 1 {
		t.Fatalf("requeue wecom = %d, %v; want 1", n, err)
	}
	claimed, err := db.ClaimOutbox(ctx, campaignbot.PlatformWeCom, clock.Now(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(claimed) != 2 || claimed[0].Key != "a" && claimed[1].Key != "a" {
		t.Fatalf("claimed %+v, want a and c", claimed)
	}
	for _, m := range claimed {
		if m.Key == "a" && m.Attempts != 0 {
			t.Errorf("requeued message has %d attempts, want 0", m.Attempts)
		}
	}
	if n, err := db.RequeueOutbox(ctx, "", msgs[1].ID); err != nil || n != 1 {
		t.Fatalf("requeue by id = %d, %v; want 1", n, err)
	}
}

// TestDeliveryMemory: parts sent survive in the row, chat moves chain, an
// unreachable mark clears, and an update's first storage time is found.
func TestDeliveryMemory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newTestClock()
	db := MustOpen(t, WithClock(clock))
	m := &campaignbot.OutboxMessage{Key: "long", Platform: campaignbot.PlatformTelegram, ChatID: "42", Kind: campaignbot.KindDigest, Text: "…"}
	if _, err := db.EnqueueOutbox(ctx, []*campaignbot.OutboxMessage{m}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{2, 1} { // a late, lower mark does not go back
		if err := db.MarkOutboxParts(ctx, m.ID, n); err != nil {
			t.Fatal(err)
		}
	}
	claimed, err := db.ClaimOutbox(ctx, campaignbot.PlatformTelegram, clock.Now(), 1)
	if err != nil || len(claimed) != 1 || claimed[0].PartsSent != 2 {
		t.Fatalf("claimed %+v, %v; want parts_sent 2", claimed, err)
	}

	tg := campaignbot.PlatformTelegram
	if got, err := db.ResolveChat(ctx, tg, "-100"); err != nil || got != "-100" {
		t.Fatalf("unmoved chat resolves to %q, %v", got, err)
	}
	if err := db.MoveChat(ctx, tg, "-100", "-1001"); err != nil {
		t.Fatal(err)
	}
	if err := db.MoveChat(ctx, tg, "-1001", "-1002"); err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{"-100", "-1001"} {
		if got, err := db.ResolveChat(ctx, tg, from); err != nil || got != "-1002" {
			t.Errorf("%s resolves to %q, %v; want -1002", from, got, err)
		}
	}
	mustCode(t, db.MoveChat(ctx, tg, "-5", "-5"), campaignbot.EINVALID)

	ids := importPeople(t, db, "甲")
	if changed, err := db.MarkReachable(ctx, ids["甲"], tg); err != nil || changed {
		t.Fatalf("reachable person: changed %v, %v", changed, err)
	}
	if err := db.SetReachable(ctx, ids["甲"], tg, false); err != nil {
		t.Fatal(err)
	}
	if changed, err := db.MarkReachable(ctx, ids["甲"], tg); err != nil || !changed {
		t.Fatalf("unreachable person: changed %v, %v", changed, err)
	}
	p, err := db.FindPersonByID(ctx, ids["甲"])
	if err != nil || len(p.Unreachable) != 0 {
		t.Fatalf("person after MarkReachable: %+v, %v", p, err)
	}

	at := clock.Now()
	if _, err := db.SaveInbound(ctx, &campaignbot.Inbound{Platform: tg, Key: "7", Payload: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Hour)
	if got, err := db.InboundReceivedAt(ctx, tg, "7"); err != nil || !got.Equal(at) {
		t.Fatalf("received at %v, %v; want %v", got, err, at)
	}
	_, err = db.InboundReceivedAt(ctx, tg, "8")
	mustCode(t, err, campaignbot.ENOTFOUND)
}
