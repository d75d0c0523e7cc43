package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"campaignbot"
	"campaignbot/bot"
)

const fetchTimeout = 2 * time.Minute

// errTooLarge marks a file over MaxDownload.
var errTooLarge = errors.New("file over the 20 MB download limit")

// event is what one update asks of the adapter.
type event struct {
	req      *bot.Request // nil when there is nothing for the engine
	files    []fileRef    // to fetch into req.Attachments
	tooLarge bool         // a file is over MaxDownload
	privOnly bool         // a command that only a private chat may send
	// groupPrivate is a command sent in a group that is answered only in
	// private.
	groupPrivate bool
	callbackID   string // to answer
	member       *memberChange
}

type fileRef struct {
	id, name, mime string
	size           int64
}

// memberChange is a user blocking (or unblocking) the bot.
type memberChange struct {
	accountID string
	reachable bool
}

// decode translates an update into an event. botName is the bot's user
// name, used to tell "/cmd@ThisBot" from commands for other bots.
func decode(u *models.Update, botName string) event {
	switch {
	case u.Message != nil:
		return decodeMessage(u.Message, botName)
	case u.CallbackQuery != nil:
		return decodeCallback(u.CallbackQuery)
	case u.MyChatMember != nil:
		mc := u.MyChatMember
		if mc.Chat.Type != models.ChatTypePrivate {
			return event{}
		}
		switch mc.NewChatMember.Type {
		case models.ChatMemberTypeBanned:
			return event{member: &memberChange{accountID: formatID(mc.From.ID), reachable: false}}
		case models.ChatMemberTypeMember:
			return event{member: &memberChange{accountID: formatID(mc.From.ID), reachable: true}}
		}
	}
	// Edited messages, channel posts and the rest are not for the engine.
	return event{}
}

func formatID(id int64) string { return strconv.FormatInt(id, 10) }

func decodeMessage(m *models.Message, botName string) event {
	if m.From == nil || m.From.IsBot {
		return event{}
	}
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	text, forUs := stripBotName(text, botName)
	if !forUs {
		return event{}
	}
	// In groups only commands are for the bot: members' chatter must not
	// become a submission of someone's open dialog.
	if m.Chat.Type != models.ChatTypePrivate && !strings.HasPrefix(text, "/") {
		return event{}
	}
	req := &bot.Request{
		Platform:  campaignbot.PlatformTelegram,
		AccountID: formatID(m.From.ID),
		ChatID:    formatID(m.Chat.ID),
		MessageID: strconv.Itoa(m.ID),
		Text:      text,
	}
	if r := m.ReplyToMessage; r != nil {
		req.ReplyTo = strconv.Itoa(r.ID)
		if r.ReplyMarkup != nil {
			for _, row := range r.ReplyMarkup.InlineKeyboard {
				for _, b := range row {
					if b.CallbackData != "" {
						req.ReplyToButtons = append(req.ReplyToButtons, b.CallbackData)
					}
				}
			}
		}
	}
	if m.Location != nil {
		req.Location = &bot.Location{Latitude: m.Location.Latitude, Longitude: m.Location.Longitude}
	}
	ev := event{req: req}
	if m.Chat.Type != models.ChatTypePrivate && isCommand(text, "start") {
		// Redeemed here, an invite would bind the person to the group
		// chat, so that their reminders went to everyone in it.
		ev.privOnly = true
		return ev
	}
	if m.Chat.Type != models.ChatTypePrivate && !isCommand(text, "help") {
		// Answers carry personal data (tasks, invite codes, reports,
		// overdue names); in the group only /help is answered.
		ev.groupPrivate = true
		return ev
	}
	if p := largestPhoto(m.Photo); p != nil {
		ev.files = append(ev.files, fileRef{id: p.FileID, name: fmt.Sprintf("photo_%d.jpg", m.ID), mime: "image/jpeg", size: int64(p.FileSize)})
	}
	if d := m.Document; d != nil {
		name := d.FileName
		if name == "" {
			name = fmt.Sprintf("document_%d", m.ID)
		}
		ev.files = append(ev.files, fileRef{id: d.FileID, name: name, mime: d.MimeType, size: d.FileSize})
	}
	for _, f := range ev.files {
		if f.size > MaxDownload {
			ev.tooLarge = true
		}
	}
	return ev
}

// largestPhoto picks the biggest of the sizes Telegram sends for a photo.
func largestPhoto(sizes []models.PhotoSize) *models.PhotoSize {
	var best *models.PhotoSize
	for i := range sizes {
		p := &sizes[i]
		if best == nil || p.Width*p.Height > best.Width*best.Height ||
			(p.Width*p.Height == best.Width*best.Height && p.FileSize > best.FileSize) {
			best = p
		}
	}
	return best
}

// stripBotName turns "/cmd@ThisBot args" into "/cmd args". It reports false
// for a command addressed to another bot. Other text is returned as it is,
// so a deep link's "/start CODE" reaches the engine unchanged.
func stripBotName(text, botName string) (string, bool) {
	if !strings.HasPrefix(text, "/") {
		return text, true
	}
	end := strings.IndexFunc(text, unicode.IsSpace)
	if end < 0 {
		end = len(text)
	}
	cmd, at, ok := strings.Cut(text[:end], "@")
	if !ok {
		return text, true
	}
	if botName != "" && !strings.EqualFold(at, botName) {
		return text, false
	}
	return cmd + text[end:], true
}

// isCommand reports whether text is the command name, with or without
// arguments.
func isCommand(text, name string) bool {
	first, _, _ := strings.Cut(text, " ")
	return strings.EqualFold(first, "/"+name)
}

func decodeCallback(cq *models.CallbackQuery) event {
	ev := event{callbackID: cq.ID}
	if cq.Data == "" || cq.From.IsBot {
		return ev
	}
	chat := cq.From.ID
	switch {
	case cq.Message.Message != nil:
		chat = cq.Message.Message.Chat.ID
	case cq.Message.InaccessibleMessage != nil:
		chat = cq.Message.InaccessibleMessage.Chat.ID
	}
	ev.req = &bot.Request{
		Platform:  campaignbot.PlatformTelegram,
		AccountID: formatID(cq.From.ID),
		ChatID:    formatID(chat),
		MessageID: "cb:" + cq.ID,
		Callback:  cq.Data,
	}
	return ev
}

// process carries one stored update through the engine, with the other
// updates of its album if it is the first photo of one. It returns the chat
// to tell if processing fails for good.
func (t *Telegram) process(ctx context.Context, in *campaignbot.Inbound, album []*campaignbot.Inbound) (string, error) {
	if len(in.Payload) == 0 {
		return "", nil // redacted
	}
	var u models.Update
	if err := json.Unmarshal(in.Payload, &u); err != nil {
		t.cfg.log.Warn("telegram update not decodable, skipped", "update", in.Key, "err", err)
		return "", nil
	}
	name, err := t.Username(ctx)
	if err != nil {
		return "", err
	}
	ev := decode(&u, name)
	if ev.callbackID != "" {
		t.answerCallback(ctx, ev.callbackID)
	}
	if ev.member != nil {
		return "", t.setReachable(ctx, ev.member)
	}
	req := ev.req
	if req == nil {
		return "", nil
	}
	// The other photos of an album, stored as updates of their own, ride
	// along: one note with every page, not one note and questions.
	for _, x := range album {
		var xu models.Update
		if err := json.Unmarshal(x.Payload, &xu); err != nil {
			continue
		}
		xe := decode(&xu, name)
		if xe.req == nil {
			continue
		}
		ev.files = append(ev.files, xe.files...)
		ev.tooLarge = ev.tooLarge || xe.tooLarge
		if req.Text == "" {
			req.Text = xe.req.Text
		}
	}
	req.InboundKey = string(campaignbot.PlatformTelegram) + ":" + in.Key
	if ev.privOnly {
		return req.ChatID, t.enqueue(ctx, in.Key, req, []bot.Reply{{Text: t.cfg.msgs.PrivateOnly}})
	}
	if ev.groupPrivate {
		return req.ChatID, t.enqueue(ctx, in.Key, req, []bot.Reply{{Text: t.cfg.msgs.GroupPrivate}})
	}
	tooLarge := []bot.Reply{{Text: t.cfg.msgs.TooLarge}}
	if ev.tooLarge {
		return req.ChatID, t.enqueue(ctx, in.Key, req, tooLarge)
	}
	for _, f := range ev.files {
		att, err := t.fetch(ctx, f)
		if errors.Is(err, errTooLarge) {
			return req.ChatID, t.enqueue(ctx, in.Key, req, tooLarge)
		} else if err != nil {
			return req.ChatID, err
		}
		req.Attachments = append(req.Attachments, *att)
	}
	replies, err := t.handle(ctx, req)
	if err != nil {
		return req.ChatID, err
	}
	if err := t.enqueue(ctx, in.Key, req, replies); err != nil {
		return req.ChatID, err
	}
	if t.cfg.onStart != nil && isCommand(req.Text, "start") {
		t.cfg.onStart(ctx, req.AccountID, req.ChatID)
	}
	return req.ChatID, nil
}

// handle calls the engine, turning a panic into an error.
func (t *Telegram) handle(ctx context.Context, req *bot.Request) (replies []bot.Reply, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panic: %v", r)
		}
	}()
	return t.handler.Handle(ctx, req)
}

// answerCallback stops the button's spinner. A failure (an old query after
// a restart) does not stop processing.
func (t *Telegram) answerCallback(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.sendTimeout)
	defer cancel()
	if _, err := t.sender.api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: id}); err != nil {
		t.cfg.log.Warn("telegram answerCallbackQuery failed", "err", err)
	}
}

func (t *Telegram) setReachable(ctx context.Context, mc *memberChange) error {
	acc, err := t.store.FindAccount(ctx, campaignbot.PlatformTelegram, mc.accountID)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return nil
	} else if err != nil {
		return fmt.Errorf("find account: %w", err)
	}
	if err := t.store.SetReachable(ctx, acc.PersonID, campaignbot.PlatformTelegram, mc.reachable); err != nil {
		return fmt.Errorf("set reachable: %w", err)
	}
	return nil
}

// fetch downloads a file (getFile, then the file route) into the
// attachment store.
func (t *Telegram) fetch(ctx context.Context, f fileRef) (*campaignbot.Attachment, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	file, err := t.sender.api.GetFile(ctx, &tgbot.GetFileParams{FileID: f.id})
	if err != nil {
		if errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(err.Error(), "file is too big") {
			return nil, errTooLarge
		}
		return nil, fmt.Errorf("telegram getFile: %w", err)
	}
	if file.FileSize > MaxDownload {
		return nil, errTooLarge
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.cfg.serverURL+"/file/bot"+t.token+"/"+file.FilePath, nil)
	if err != nil {
		return nil, fmt.Errorf("telegram download: %w", redact(err))
	}
	resp, err := t.cfg.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram download: %w", redact(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("telegram download: HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("telegram download: %w", err)
	}
	if len(data) > MaxDownload {
		return nil, errTooLarge
	}
	mime := f.mime
	if mime == "" {
		mime = http.DetectContentType(data)
	}
	att, err := t.store.SaveAttachment(ctx, f.name, mime, data)
	if err != nil {
		return nil, fmt.Errorf("save attachment: %w", err)
	}
	return att, nil
}

// enqueue puts the replies to the update with key in the outbox. Keys are
// "reply:telegram:<update_id>:<n>", so processing an update again adds
// nothing.
func (t *Telegram) enqueue(ctx context.Context, key string, req *bot.Request, replies []bot.Reply) error {
	var msgs []*campaignbot.OutboxMessage
	for i, r := range replies {
		if r.Text == "" && len(r.Files) == 0 {
			continue
		}
		if err := ValidateButtons(r.Buttons); err != nil {
			return err
		}
		m := t.outboxReply(key, strconv.Itoa(i), req.ChatID, 0, r.Text)
		m.Buttons, m.Files = r.Buttons, r.Files
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return nil
	}
	// The person, if the account is bound (possibly just now, by /start),
	// lets the dispatcher mark them unreachable.
	acc, err := t.store.FindAccount(ctx, campaignbot.PlatformTelegram, req.AccountID)
	if err != nil && campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
		return fmt.Errorf("find account: %w", err)
	}
	if acc != nil && err == nil && req.ChatID == acc.ChatID {
		for _, m := range msgs {
			m.PersonID = acc.PersonID
		}
	}
	if _, err := t.store.EnqueueOutbox(ctx, msgs); err != nil {
		return fmt.Errorf("enqueue replies: %w", err)
	}
	t.cfg.notify()
	return nil
}

// route is what processing needs to know of a stored update before
// decoding it: who sent it, and the album it is part of.
type route struct {
	sender string // the user's ID, "" when the update has no sender
	album  string // chat and media group of an album's photo, or ""
}

// routeOf reads the route of a stored update.
func routeOf(in *campaignbot.Inbound) route {
	type from struct {
		ID int64 `json:"id"`
	}
	var u struct {
		Message *struct {
			From         *from              `json:"from"`
			Chat         struct{ ID int64 } `json:"chat"`
			MediaGroupID string             `json:"media_group_id"`
		} `json:"message"`
		CallbackQuery *struct {
			From from `json:"from"`
		} `json:"callback_query"`
		MyChatMember *struct {
			From from `json:"from"`
		} `json:"my_chat_member"`
	}
	var r route
	if json.Unmarshal(in.Payload, &u) != nil {
		return r
	}
	switch {
	case u.Message != nil:
		if u.Message.From != nil {
			r.sender = formatID(u.Message.From.ID)
		}
		if u.Message.MediaGroupID != "" {
			r.album = formatID(u.Message.Chat.ID) + "/" + u.Message.MediaGroupID
		}
	case u.CallbackQuery != nil:
		r.sender = formatID(u.CallbackQuery.From.ID)
	case u.MyChatMember != nil:
		r.sender = formatID(u.MyChatMember.From.ID)
	}
	return r
}
