package main

import (
	"context"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/bot/telegram"
)

// openTelegram builds the Telegram adapter.
func (m *Main) openTelegram(ctx context.Context, kick func()) error {
	tc := m.Config.Telegram
	opts := []telegram.Option{
		telegram.WithLogger(m.Log),
		telegram.WithNotify(kick),
		telegram.WithLang(m.Config.Lang),
		telegram.WithMessages(telegram.Messages{
			TooLarge: m.Engine.T("err.file_too_large"),
			Failed:   m.Engine.T("err.internal", "%s"),
		}),
	}
	if tc.APIURL != "" {
		opts = append(opts, telegram.WithServerURL(tc.APIURL))
	}
	if tc.WebhookURL != "" {
		opts = append(opts, telegram.WithWebhook(tc.WebhookURL, tc.WebhookSecret))
	}
	if tc.GroupChatID != "" {
		opts = append(opts, telegram.WithGroupChatID(tc.GroupChatID))
	}
	opts = append(opts, telegram.WithOnReady(func(ctx context.Context, name string) {
		if tc.BotName == "" && name != "" {
			m.Engine.SetBotName(name) // deep links need the bot's user name
		}
		if err := m.Telegram.SetCommands(ctx, telegramCommands(m.Engine)); err != nil {
			m.Log.Warn("telegram setMyCommands failed", "err", err)
		}
		if err := m.setRoleMenus(ctx); err != nil {
			m.Log.Warn("telegram per-person command menus failed", "err", err)
		}
	}))
	tg, err := telegram.New(tc.Token, m.DB, m.Handler, opts...)
	if err != nil {
		return usagef("telegram: %s", err)
	}
	m.Telegram = tg
	m.senders = append(m.senders, tg.Sender())
	if tc.WebhookURL != "" {
		m.mux.Handle("POST "+telegram.WebhookPath, tg.Handler())
	}
	m.runners = append(m.runners, tg.Run)
	return nil
}

// telegramCommands builds the command menus, per language, from the engine's
// command table: the commands every bound member has.
func telegramCommands(e *bot.Engine) map[string][]telegram.Command {
	menus := map[string][]telegram.Command{}
	for _, lang := range []string{"zh", "en"} {
		var cmds []telegram.Command
		for _, c := range e.Commands() {
			if len(c.Roles) == 0 {
				cmds = append(cmds, telegram.Command{Name: c.Name, Description: bot.Translate(lang, c.Help)})
			}
		}
		menus[lang] = cmds
	}
	menus[""] = menus["zh"]
	return menus
}

// setRoleMenus gives each bound person whose roles have commands beyond
// everyone's (leaders, the head, the office, liaisons) a command menu of
// their own in their private chat. People bound later get theirs at the
// next start; everyone has the default menu meanwhile.
func (m *Main) setRoleMenus(ctx context.Context) error {
	people, err := m.DB.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return err
	}
	for _, p := range people {
		var cmds []telegram.Command
		extra := false
		for _, c := range m.Engine.Commands() {
			if c.Allowed(p) {
				cmds = append(cmds, telegram.Command{Name: c.Name, Description: bot.Translate(m.Config.Lang, c.Help)})
				extra = extra || len(c.Roles) > 0
			}
		}
		if !extra {
			continue
		}
		accs, err := m.DB.FindAccountsByPerson(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, a := range accs {
			if a.Platform != campaignbot.PlatformTelegram {
				continue
			}
			if err := m.Telegram.Sender().SetChatCommands(ctx, a.ChatID, cmds); err != nil {
				return err
			}
		}
	}
	return nil
}
