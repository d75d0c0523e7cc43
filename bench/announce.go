package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"campaignbot"
	"campaignbot/bot/wecom"
	"campaignbot/bot/wecom/wecomtest"
	"campaignbot/store"
)

// announceMembers is SPEC §10's WeCom announcement figure.
const announceMembers = 10000

// measureWeComAnnounce delivers one announcement to 10,000 WeCom members
// through the dispatcher and the WeCom sender to the fake API, and counts
// the message/send calls: touser batches of up to 1000 (SPEC §10: at most
// 10), each member getting it once.
func measureWeComAnnounce(ctx context.Context, e *env) error {
	db, err := store.Open(ctx, filepath.Join(e.dir, "announce.db"), store.WithLocation(e.plan.Loc()))
	if err != nil {
		return err
	}
	defer db.Close()
	srv := wecomtest.New("wwbench", "bench-secret")
	defer srv.Close()
	client := wecom.NewClient(srv.URL(), "wwbench", "bench-secret", 1000002, wecom.WithLogger(quietLogger()))
	sender := wecom.NewSender(client, nil, db, wecom.WithLogger(quietLogger()))

	msgs := make([]*campaignbot.OutboxMessage, announceMembers)
	for i := range msgs {
		msgs[i] = &campaignbot.OutboxMessage{Key: fmt.Sprintf("announce:%d", i), Platform: campaignbot.PlatformWeCom,
			ChatID: fmt.Sprintf("member%05d", i), Kind: campaignbot.KindAnnouncement,
			Text: "【通知】明天上午九点在三楼会议室召开学习实践活动动员大会，请准时参加。"}
	}
	elapsed, sent, err := deliverAll(ctx, db, sender, msgs, 60*time.Second)
	if err != nil {
		return err
	}
	got := map[string]int{}
	calls := 0
	for _, m := range srv.Sent() {
		calls++
		for _, u := range strings.Split(m.ToUser, "|") {
			got[u]++
		}
	}
	lost, doubled := 0, 0
	for _, m := range msgs {
		lost += max(0, 1-got[m.ChatID])
		doubled += max(0, got[m.ChatID]-1)
	}
	e.rep.info(fmt.Sprintf("WeCom announcement: %d members, enqueue to last sent", len(msgs)), fmt.Sprintf("%.2f s", elapsed.Seconds()))
	e.rep.add(fmt.Sprintf("WeCom announcement to %d members: message/send calls", len(msgs)),
		fmt.Sprintf("%d (lost %d, doubled %d)", calls, lost, doubled), "<= 10, 0 lost, 0 doubled",
		calls <= 10 && lost == 0 && doubled == 0 && sent == len(msgs))
	return nil
}
