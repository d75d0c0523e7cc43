package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
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
	// refusal is the catalog key of the answer to a message the bot does
	// not take as it is (an edit, a voice message, a sticker).
	refusal string
	// chosen is the used keyboard of a pressed button, to edit away.
	chosen *chosenButton
	member *memberChange
	move   *chatMove   // a group became a supergroup
	group  *groupState // the bot was removed from a group, or added
}

// chosenButton is a pressed button's message: its keyboard is edited away
// and the choice shown instead, so that it cannot be pressed again.
type chosenButton struct {
	chat      int64
	messageID int
	text      string // the message's text, "" for a photo's caption
	label     string // the pressed button's label
}

// chatMove is a group that became a supergroup with a new id.
type chatMove struct{ from, to int64 }

// groupState is the bot's membership of a group chat changing.
type groupState struct {
	chat    int64
	present bool
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
	case u.Message != nil && u.Message.MigrateToChatID != 0:
		return event{move: &chatMove{from: u.Message.Chat.ID, to: u.Message.MigrateToChatID}}
	case u.Message != nil && u.Message.MigrateFromChatID != 0:
		return event{move: &chatMove{from: u.Message.MigrateFromChatID, to: u.Message.Chat.ID}}
	case u.Message != nil:
		return decodeMessage(u.Message, botName)
	case u.EditedMessage != nil:
		return decodeEdit(u.EditedMessage)
	case u.CallbackQuery != nil:
		return decodeCallback(u.CallbackQuery)
	case u.MyChatMember != nil:
		mc := u.MyChatMember
		if mc.Chat.Type != models.ChatTypePrivate {
			switch mc.NewChatMember.Type {
			case models.ChatMemberTypeLeft, models.ChatMemberTypeBanned:
				return event{group: &groupState{chat: mc.Chat.ID, present: false}}
			case models.ChatMemberTypeMember, models.ChatMemberTypeAdministrator:
				return event{group: &groupState{chat: mc.Chat.ID, present: true}}
			}
			return event{}
		}
		switch mc.NewChatMember.Type {
		case models.ChatMemberTypeBanned:
			return event{member: &memberChange{accountID: formatID(mc.From.ID), reachable: false}}
		case models.ChatMemberTypeMember:
			return event{member: &memberChange{accountID: formatID(mc.From.ID), reachable: true}}
		}
	}
	// Channel posts and the rest are not for the engine.
	return event{}
}

// decodeEdit answers an edit in a private chat: what was filed stays as it
// was (SPEC §4), and the sender is told how to file a new version. Edits
// in groups are chatter.
func decodeEdit(m *models.Message) event {
	if m.From == nil || m.From.IsBot || m.Chat.Type != models.ChatTypePrivate {
		return event{}
	}
	return event{refusal: "tg.edited", req: &bot.Request{
		Platform:  campaignbot.PlatformTelegram,
		AccountID: formatID(m.From.ID),
		ChatID:    formatID(m.Chat.ID),
		MessageID: "edit:" + strconv.Itoa(m.ID) + ":" + strconv.Itoa(m.EditDate),
	}}
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
	inGroup := m.Chat.Type != models.ChatTypePrivate
	if inGroup && !strings.HasPrefix(text, "/") {
		// In groups only commands are for the bot: members' chatter must
		// not become a submission of someone's open dialog. An invite
		// link pasted there is the exception: it is no longer secret.
		if code, ok := bot.DeepLinkCode(text, botName); ok {
			text = "/start " + code
		} else if !bot.MayHoldCode(text) {
			return event{}
		}
		// Else the engine looks for a code in it, and says nothing
		// unless it finds one.
	}
	req := &bot.Request{
		Platform:  campaignbot.PlatformTelegram,
		AccountID: formatID(m.From.ID),
		ChatID:    formatID(m.Chat.ID),
		MessageID: strconv.Itoa(m.ID),
		Text:      text,
		InGroup:   inGroup,
	}
	if m.IsTopicMessage && m.MessageThreadID != 0 {
		req.Thread = strconv.Itoa(m.MessageThreadID)
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
	if inGroup && !strings.HasPrefix(text, "/") {
		return ev
	}
	if inGroup && isCommand(text, "start") {
		// Redeemed here, an invite would bind the person to the group
		// chat, so that their reminders went to everyone in it. A code
		// posted there goes to the engine, which revokes it.
		if _, code, _ := strings.Cut(text, " "); strings.TrimSpace(code) == "" {
			ev.privOnly = true
		}
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
	if v := m.Video; v != nil {
		name, mime := v.FileName, v.MimeType
		if name == "" {
			name = fmt.Sprintf("video_%d.mp4", m.ID)
		}
		if mime == "" {
			mime = "video/mp4"
		}
		ev.files = append(ev.files, fileRef{id: v.FileID, name: name, mime: mime, size: v.FileSize})
	}
	if v := m.VideoNote; v != nil {
		ev.files = append(ev.files, fileRef{id: v.FileID, name: fmt.Sprintf("video_note_%d.mp4", m.ID), mime: "video/mp4", size: int64(v.FileSize)})
	}
	if a := m.Audio; a != nil {
		name := a.FileName
		if name == "" {
			name = fmt.Sprintf("audio_%d", m.ID)
		}
		ev.files = append(ev.files, fileRef{id: a.FileID, name: name, mime: a.MimeType, size: a.FileSize})
	}
	switch {
	case m.Voice != nil:
		// A voice message cannot be read, searched or reviewed as a
		// note: the sender is asked for text.
		ev.refusal = "tg.voice"
	case m.Sticker != nil:
		ev.refusal = "tg.sticker"
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
	if m := cq.Message.Message; m != nil && m.ReplyMarkup != nil {
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if b.CallbackData == cq.Data && ev.chosen == nil {
					ev.chosen = &chosenButton{chat: m.Chat.ID, messageID: m.ID, text: m.Text, label: b.Text}
				}
			}
		}
	}
	return ev
}

// Route implements bot.Decoder: the user who sent the update, the chat a
// failure notice goes to, and an album's chat and media group.
func (t *Telegram) Route(in *campaignbot.Inbound) bot.Route {
	type from struct {
		ID int64 `json:"id"`
	}
	var u struct {
		Message *struct {
			From         *from              `json:"from"`
			Chat         struct{ ID int64 } `json:"chat"`
			MediaGroupID string             `json:"media_group_id"`
			Text         string             `json:"text"`
		} `json:"message"`
		EditedMessage *struct {
			From *from              `json:"from"`
			Chat struct{ ID int64 } `json:"chat"`
		} `json:"edited_message"`
		CallbackQuery *struct {
			From from `json:"from"`
		} `json:"callback_query"`
		MyChatMember *struct {
			From from `json:"from"`
		} `json:"my_chat_member"`
	}
	var r bot.Route
	if json.Unmarshal(in.Payload, &u) != nil {
		return r
	}
	switch {
	case u.Message != nil:
		if u.Message.From != nil {
			r.Sender = formatID(u.Message.From.ID)
		}
		r.Chat = formatID(u.Message.Chat.ID)
		if u.Message.MediaGroupID != "" {
			r.Group = r.Chat + "/" + u.Message.MediaGroupID
		}
		// A client cuts a text over the limit there and sends the rest as
		// the next message.
		r.Text = u.Message.Text != ""
		r.Full = units(u.Message.Text) == MaxTextLen
	case u.EditedMessage != nil:
		if u.EditedMessage.From != nil {
			r.Sender = formatID(u.EditedMessage.From.ID)
		}
		r.Chat = formatID(u.EditedMessage.Chat.ID)
	case u.CallbackQuery != nil:
		r.Sender = formatID(u.CallbackQuery.From.ID)
		r.Chat = r.Sender
	case u.MyChatMember != nil:
		r.Sender = formatID(u.MyChatMember.From.ID)
	}
	return r
}

// Decode implements bot.Decoder: the updates of one message (an album's
// photos are several) become one request, with its files fetched.
func (t *Telegram) Decode(ctx context.Context, ins []*campaignbot.Inbound) (*bot.Request, error) {
	name, err := t.Username(ctx)
	if err != nil {
		return nil, err
	}
	var u models.Update
	if err := json.Unmarshal(ins[0].Payload, &u); err != nil {
		t.cfg.log.Warn("telegram update not decodable, skipped", "update", ins[0].Key, "err", err)
		return nil, bot.ErrIgnore
	}
	ev := decode(&u, name)
	if ev.callbackID != "" {
		t.answerCallback(ctx, ev.callbackID)
	}
	if ev.chosen != nil {
		t.editChosen(ctx, ev.chosen)
	}
	if ev.move != nil {
		if err := t.sender.MoveChat(ctx, ev.move.from, ev.move.to); err != nil {
			return nil, err
		}
		return nil, bot.ErrIgnore
	}
	if ev.group != nil {
		t.groupChanged(ctx, ev.group)
		return nil, bot.ErrIgnore
	}
	if ev.member != nil {
		return &bot.Request{Platform: campaignbot.PlatformTelegram, AccountID: ev.member.accountID,
			Reachable: &ev.member.reachable}, nil
	}
	req := ev.req
	if req == nil {
		return nil, bot.ErrIgnore
	}
	album := u.Message != nil && u.Message.MediaGroupID != ""
	for _, x := range ins[1:] {
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
		switch {
		case !album:
			// The rest of a text the client cut at the limit.
			req.Text += xe.req.Text
		case req.Text == "":
			// An album's caption is on one of its photos.
			req.Text = xe.req.Text
		}
	}
	switch {
	case ev.refusal != "":
		return req, campaignbot.Errorf(campaignbot.EINVALID, "%s", campaignbot.T(t.cfg.lang, ev.refusal))
	case ev.privOnly:
		return req, campaignbot.Errorf(campaignbot.EINVALID, "%s", campaignbot.T(t.cfg.lang, "tg.private_only"))
	case ev.groupPrivate:
		return req, campaignbot.Errorf(campaignbot.EINVALID, "%s", campaignbot.T(t.cfg.lang, "tg.group_private"))
	case ev.tooLarge:
		return req, campaignbot.Errorf(campaignbot.EINVALID, "%s", campaignbot.T(t.cfg.lang, "err.file_too_large"))
	}
	for _, f := range ev.files {
		att, err := t.fetch(ctx, f)
		var df *downloadFailure
		switch {
		case errors.Is(err, errTooLarge):
			return req, campaignbot.Errorf(campaignbot.EINVALID, "%s", campaignbot.T(t.cfg.lang, "err.file_too_large"))
		case errors.As(err, &df):
			return nil, &bot.DownloadError{Expires: ins[0].ReceivedAt.Add(fileLifetime), Err: err}
		case err != nil:
			return nil, err
		}
		req.Attachments = append(req.Attachments, *att)
	}
	return req, nil
}

// Processed implements bot.Processed: after a /start, the new member's
// command menu.
func (t *Telegram) Processed(ctx context.Context, req *bot.Request) {
	if t.cfg.onStart != nil && isCommand(req.Text, "start") && !req.InGroup {
		t.cfg.onStart(ctx, req.AccountID, req.ChatID)
	}
}

// editChosen edits a pressed button's keyboard away, showing the choice
// in its place (SPEC §6: used buttons are edited away). A failure (the
// message is over 48 hours old, or was edited already when the press is
// processed again) does not stop processing.
func (t *Telegram) editChosen(ctx context.Context, c *chosenButton) {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.sendTimeout)
	defer cancel()
	var err error
	chosen := campaignbot.T(t.cfg.lang, "tg.chosen", c.label)
	if c.text != "" && units(c.text)+units(chosen)+2 <= MaxTextLen {
		_, err = t.sender.api.EditMessageText(ctx, &tgbot.EditMessageTextParams{
			ChatID: c.chat, MessageID: c.messageID, Text: c.text + "\n\n" + chosen})
	} else {
		_, err = t.sender.api.EditMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{
			ChatID: c.chat, MessageID: c.messageID})
	}
	if err != nil {
		t.cfg.log.Warn("telegram: edit a used keyboard away", "err", err)
	}
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

// fetch downloads a file (getFile, then the file route) into the
// attachment store.
func (t *Telegram) fetch(ctx context.Context, f fileRef) (*campaignbot.Attachment, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	data, err := t.download(ctx, f)
	if err != nil {
		return nil, err
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

// fileLifetime is how long the intake keeps trying to fetch a file: a
// file_id stays valid long after its message (the download link at least
// an hour, getFile gives a new one), so a day of trying covers a Bot API
// outage without keeping a member's note pending for ever.
const fileLifetime = 24 * time.Hour

// download fetches the file's bytes: getFile, then the file's URL, or, from
// a self-hosted Bot API server started with --local, the absolute path it
// answers with, read from disk. A failure that may pass is a
// *downloadFailure, which Decode hands to the intake as a
// *bot.DownloadError.
func (t *Telegram) download(ctx context.Context, f fileRef) ([]byte, error) {
	file, err := t.sender.api.GetFile(ctx, &tgbot.GetFileParams{FileID: f.id})
	if err != nil {
		if errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(err.Error(), "file is too big") {
			return nil, errTooLarge
		}
		return nil, &downloadFailure{fmt.Errorf("telegram getFile: %w", err)}
	}
	if file.FileSize > MaxDownload {
		return nil, errTooLarge
	}
	if filepath.IsAbs(file.FilePath) && t.cfg.serverURL != DefaultServerURL {
		return readLocal(file.FilePath)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.cfg.serverURL+"/file/bot"+t.token+"/"+file.FilePath, nil)
	if err != nil {
		return nil, fmt.Errorf("telegram download: %w", redact(err))
	}
	resp, err := t.cfg.client.Do(req)
	if err != nil {
		return nil, &downloadFailure{fmt.Errorf("telegram download: %w", redact(err))}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &downloadFailure{fmt.Errorf("telegram download: HTTP %d", resp.StatusCode)}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxDownload+1))
	if err != nil {
		return nil, &downloadFailure{fmt.Errorf("telegram download: %w", err)}
	}
	if len(data) > MaxDownload {
		return nil, errTooLarge
	}
	return data, nil
}

// readLocal reads a file a --local Bot API server stored on this machine.
func readLocal(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		// The server may not have finished writing it, or it lives on a
		// volume not mounted here (then every try fails, and the member
		// is told in the end).
		return nil, &downloadFailure{fmt.Errorf("telegram local file: %w", err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxDownload+1))
	if err != nil {
		return nil, &downloadFailure{fmt.Errorf("telegram local file: %w", err)}
	}
	if len(data) > MaxDownload {
		return nil, errTooLarge
	}
	return data, nil
}

// downloadFailure is a download that may work when tried again.
type downloadFailure struct{ err error }

func (e *downloadFailure) Error() string { return e.err.Error() }
func (e *downloadFailure) Unwrap() error { return e.err }

// groupChanged tells the fault reporter that the bot left the campaign
// group or came back: the office is told, and group posts are kept until
// it is back.
func (t *Telegram) groupChanged(ctx context.Context, g *groupState) {
	if t.cfg.faults == nil || t.cfg.groupChatID == "" {
		return
	}
	group, err := t.sender.chat(ctx, "group")
	if err != nil || group != formatID(g.chat) {
		return
	}
	if g.present {
		t.cfg.faults.ClearFault(ctx, campaignbot.PlatformTelegram, campaignbot.FaultTelegramGroup)
		return
	}
	t.cfg.log.Error("telegram: the bot was removed from the campaign group; group posts are kept until it is added again", "chat", group)
	t.cfg.faults.RaiseFault(ctx, campaignbot.Fault{Platform: campaignbot.PlatformTelegram,
		Code: campaignbot.FaultTelegramGroup, Chat: "group", Detail: "my_chat_member: the bot left the group"})
}
