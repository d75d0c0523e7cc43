package main

import (
	"context"
	"errors"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/bot/telegram"
	"campaignbot/store"
)

// openTelegram builds the Telegram adapter.
func (m *Main) openTelegram(ctx context.Context, kick func()) error {
	tc := m.Config.Telegram
	opts := []telegram.Option{
		telegram.WithLogger(m.Log),
		telegram.WithNotify(kick),
		telegram.WithOnStored(m.Intake.Wake),
		telegram.WithLang(m.Config.Lang),
		telegram.WithFaults(m.Faults),
		telegram.WithChatMoves(m.DB),
		telegram.WithOutboxProgress(m.DB),
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
	if tc.WebhookURL == "" && store.IsPostgresURL(m.Config.DB) {
		opts = append(opts, telegram.WithPollGate(m.pollTelegram))
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
	}), telegram.WithOnStart(func(ctx context.Context, accountID, chatID string) {
		// Someone just bound: their menu, if their roles have one.
		acc, p, err := m.DB.FindPersonByAccount(ctx, campaignbot.PlatformTelegram, accountID)
		if err != nil {
			return // not bound: a wrong code
		}
		if err := m.setRoleMenu(ctx, p, []*campaignbot.Account{acc}); err != nil {
			m.Log.Warn("telegram command menu failed", "err", err)
		}
	}))
	tg, err := telegram.New(tc.Token, m.DB, opts...)
	if err != nil {
		return usagef("telegram: %s", err)
	}
	m.Telegram = tg
	m.register(campaignbot.PlatformTelegram, tg)
	m.senders = append(m.senders, tg.Sender())
	if tc.WebhookURL != "" {
		m.mux.Handle("POST "+telegram.WebhookPath, tg.Handler())
	}
	m.runners = append(m.runners, tg.Run)
	return nil
}

// pollTelegram runs poll while this replica holds the poll lock: of
// several replicas on one PostgreSQL store without a webhook, only one
// long-polls Telegram (getUpdates ends any other's poll with 409 Conflict);
// the others serve WeCom's callbacks and the web console, and process
// what the poller stores. One that loses the lock (its connection to the
// database failed) stops polling and tries for it again.
func (m *Main) pollTelegram(ctx context.Context, poll func(context.Context)) {
	for ctx.Err() == nil {
		err := m.DB.Poll(ctx, func() {
			m.Log.Info("another replica polls Telegram for updates: this one serves callbacks and the console")
		}, func(ctx context.Context) error {
			m.Log.Info("polling Telegram for updates")
			poll(ctx)
			return nil
		})
		if !errors.Is(err, store.ErrLeadershipLost) {
			return
		}
		m.Log.Warn("lost the Telegram poll lock; trying for it again", "err", err)
	}
}

// telegramCommands builds the command menus, per language, from the engine's
// command table: the commands every bound member has.
func telegramCommands(e *bot.Engine) map[string][]telegram.Command {
	menus := map[string][]telegram.Command{}
	for _, lang := range []string{"zh", "en"} {
		var cmds []telegram.Command
		for _, c := range e.Commands() {
			if len(c.Roles) == 0 {
				cmds = append(cmds, telegram.Command{Name: c.Name, Description: campaignbot.T(lang, c.Help)})
			}
		}
		menus[lang] = cmds
	}
	menus[""] = menus["zh"]
	return menus
}

// setRoleMenus gives each bound person whose roles have commands beyond
// everyone's (leaders, the head, the office, liaisons) a command menu of
// their own in their private chat; people who bind later get theirs when
// their /start is handled.
func (m *Main) setRoleMenus(ctx context.Context) error {
	people, err := m.DB.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return err
	}
	for _, p := range people {
		if !hasRoleMenu(m.Engine, p) {
			continue
		}
		accs, err := m.DB.FindAccountsByPerson(ctx, p.ID)
		if err != nil {
			return err
		}
		if err := m.setRoleMenu(ctx, p, accs); err != nil {
			return err
		}
	}
	return nil
}

// hasRoleMenu reports whether p's roles allow commands beyond everyone's.
func hasRoleMenu(e *bot.Engine, p *campaignbot.Person) bool {
	for _, c := range e.Commands() {
		if len(c.Roles) > 0 && c.Allowed(p) {
			return true
		}
	}
	return false
}

// setRoleMenu sets the command menu of p's private Telegram chats to the
// commands of p's roles, when they have more than everyone's.
func (m *Main) setRoleMenu(ctx context.Context, p *campaignbot.Person, accs []*campaignbot.Account) error {
	if !hasRoleMenu(m.Engine, p) {
		return nil
	}
	var cmds []telegram.Command
	for _, c := range m.Engine.Commands() {
		if c.Allowed(p) {
			cmds = append(cmds, telegram.Command{Name: c.Name, Description: campaignbot.T(m.Config.Lang, c.Help)})
		}
	}
	for _, a := range accs {
		if a.Platform != campaignbot.PlatformTelegram {
			continue
		}
		if err := m.Telegram.Sender().SetChatCommands(ctx, a.ChatID, cmds); err != nil {
			return err
		}
	}
	return nil
}
