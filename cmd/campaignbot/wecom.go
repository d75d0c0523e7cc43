package main

import (
	"context"
	"fmt"

	"campaignbot"
	"campaignbot/bot/wecom"
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
	if m.Web != nil {
		m.Web.SetWeComOAuth(client)
	}
	var robot *wecom.Robot
	if wc.RobotKey != "" {
		robot = wecom.NewRobot(wc.APIURL, wc.RobotKey, wecom.WithLogger(m.Log))
	}
	words := map[string]string{}
	for _, c := range m.Engine.Commands() {
		if len(c.Aliases) > 0 {
			words[c.Name] = c.Aliases[0]
		}
	}
	m.senders = append(m.senders, wecom.NewSender(client, robot, m.DB, wecom.WithLang(m.Config.Lang),
		wecom.WithOutboxProgress(m.DB), wecom.WithLogger(m.Log), wecom.WithWords(wecom.NewWords(words, m.Config.Lang))))
	proc := wecom.NewProcessor(client, m.DB, wecom.WithLogger(m.Log), wecom.WithLang(m.Config.Lang), wecom.WithRoster(m.DB),
		wecom.WithContactChange(m.followContacts(client)))
	m.register(campaignbot.PlatformWeCom, proc)
	m.mux.Handle("/wecom/callback", wecom.NewReceiver(crypt, m.DB, wecom.WithNotify(m.Intake.Wake), wecom.WithLogger(m.Log)))
	m.runners = append(m.runners, func(ctx context.Context) error {
		if err := client.CreateMenu(ctx, wecom.DefaultMenu(m.Config.Lang)); err != nil {
			m.Log.Warn("wecom menu not installed", "err", err)
		}
		<-ctx.Done()
		return nil
	})
	return nil
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
	if err := cfg.validatePlatforms(false); err != nil {
		return err
	}
	wc := cfg.WeCom
	if wc.CorpID == "" || wc.Secret == "" || wc.AgentID == 0 {
		return usagef("wecom menu needs WECOM_CORP_ID, WECOM_AGENT_ID and WECOM_SECRET")
	}
	client := wecom.NewClient(wc.APIURL, wc.CorpID, wc.Secret, wc.AgentID)
	if err := client.CreateMenu(ctx, wecom.DefaultMenu(cfg.Lang)); err != nil {
		return fmt.Errorf("create menu: %w", err)
	}
	fmt.Fprintln(stdio.Out, "WeCom app menu installed")
	return nil
}
