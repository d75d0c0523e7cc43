package main

import (
	"context"
	"fmt"
	"time"

	"campaignbot"
	"campaignbot/bot/wecom"
	"campaignbot/store"
)

// openWeCom builds the WeCom adapter: the callback receiver (stores first,
// answers 200, then the processor hands the message to the engine), the
// API sender for the outbox, and the group robot when configured.
func (m *Main) openWeCom(ctx context.Context, kick func()) error {
	wc := m.Config.WeCom
	if wc.Secret == "" || wc.Token == "" || wc.AESKey == "" || wc.AgentID == 0 {
		return usagef("WeCom needs WECOM_CORP_ID, WECOM_AGENT_ID, WECOM_SECRET, WECOM_TOKEN and WECOM_AES_KEY")
	}
	crypt, err := wecom.NewCrypt(wc.Token, wc.AESKey, wc.CorpID)
	if err != nil {
		return usagef("WECOM_AES_KEY: %s", err)
	}
	client := wecom.NewClient(wc.APIURL, wc.CorpID, wc.Secret, wc.AgentID, wecom.WithLogger(m.Log))
	var robot *wecom.Robot
	if wc.RobotKey != "" {
		robot = wecom.NewRobot(wc.APIURL, wc.RobotKey, wecom.WithLogger(m.Log))
	}
	m.senders = append(m.senders, wecom.NewSender(client, robot, m.DB))
	replies := &outboxReplies{db: m.DB, platform: campaignbot.PlatformWeCom, kick: kick}
	proc := wecom.NewProcessor(client, m.DB, m.Handler, m.DB, replies, wecom.WithLogger(m.Log))
	proc.SetTooLargeText(m.Engine.T("err.file_too_large"))
	proc.SetFailedText(m.Engine.T("err.internal", "%s"))
	m.mux.Handle("/wecom/callback", wecom.NewReceiver(crypt, m.DB, wecom.WithNotify(proc.Wake), wecom.WithLogger(m.Log)))
	m.runners = append(m.runners, func(ctx context.Context) error {
		if err := client.CreateMenu(ctx, wecom.DefaultMenu()); err != nil {
			m.Log.Warn("wecom menu not installed", "err", err)
		}
		return proc.Run(ctx)
	})
	return nil
}

// outboxReplies is the replies "sender" of an adapter: it puts replies in
// the outbox (keyed by the inbound message, so a message processed twice is
// answered once) and wakes the dispatcher, which paces and delivers them.
type outboxReplies struct {
	db       *store.DB
	platform campaignbot.Platform
	kick     func()
}

// Platform implements campaignbot.Sender.
func (o *outboxReplies) Platform() campaignbot.Platform { return o.platform }

// Send implements campaignbot.Sender by enqueueing m. A reply names the
// person it goes to (the adapter knows only the chat), so that a refused
// delivery marks them unreachable.
func (o *outboxReplies) Send(ctx context.Context, m *campaignbot.OutboxMessage) (string, error) {
	m.Status, m.NextAt = campaignbot.OutboxPending, time.Time{}
	if m.PersonID == 0 {
		// A WeCom chat is the member's UserID, which is the account id.
		acc, err := o.db.FindAccount(ctx, o.platform, m.ChatID)
		switch {
		case err == nil:
			m.PersonID = acc.PersonID
		case campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND:
			return "", fmt.Errorf("find account of reply: %w", err)
		}
	}
	if _, err := o.db.EnqueueOutbox(ctx, []*campaignbot.OutboxMessage{m}); err != nil {
		return "", fmt.Errorf("enqueue reply: %w", err)
	}
	o.kick()
	return "", nil
}

// cmdWeComMenu installs the WeCom app menu with the main commands.
func cmdWeComMenu(ctx context.Context, args []string, stdio IO, getenv func(string) string) error {
	var cfg Config
	fs := flagSet("wecom menu", stdio, getenv, &cfg)
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usagef("usage: campaignbot wecom menu")
	}
	wc := cfg.WeCom
	if wc.CorpID == "" || wc.Secret == "" || wc.AgentID == 0 {
		return usagef("wecom menu needs WECOM_CORP_ID, WECOM_AGENT_ID and WECOM_SECRET")
	}
	client := wecom.NewClient(wc.APIURL, wc.CorpID, wc.Secret, wc.AgentID)
	if err := client.CreateMenu(ctx, wecom.DefaultMenu()); err != nil {
		return fmt.Errorf("create menu: %w", err)
	}
	fmt.Fprintln(stdio.Out, "WeCom app menu installed")
	return nil
}
