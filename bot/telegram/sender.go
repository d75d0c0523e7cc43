package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"campaignbot"
)

// Upload limits of the Bot API.
const (
	maxPhotoUpload = 10 << 20
	maxFileUpload  = 50 << 20
	// progressTTL bounds how long the sender remembers the parts of a split
	// message already delivered.
	progressTTL = 24 * time.Hour
)

// Sender delivers outbox messages to Telegram. It implements
// campaignbot.Sender.
//
// Text is sent plain, without parse_mode, so user text needs no escaping.
// Text over MaxTextLen is split by SplitText into several messages; the
// buttons go on the last, and Send returns the last message's id — the one
// with the buttons, at the bottom of the chat, which is the one a user
// replies to. Files follow the text, images as photos and the rest as
// documents.
type Sender struct {
	cfg   config
	api   *tgbot.Bot
	files Files

	mu       sync.Mutex
	username string
	progress map[string]*progress // split messages partly delivered, by outbox key
	moved    map[string]string    // chats that changed id (group → supergroup)
}

// progress records the parts of a message already delivered, so that a
// retry after a failure in the middle does not send them again.
type progress struct {
	done int
	last int // message id of the last part sent
	at   time.Time
}

var _ campaignbot.Sender = (*Sender)(nil)

// NewSender returns a sender for the bot token. Files locates attachments
// to upload. It makes no network call.
func NewSender(token string, files Files, opts ...Option) (*Sender, error) {
	if strings.TrimSpace(token) == "" {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "telegram bot token is empty")
	}
	cfg := newConfig(opts)
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.serverURL = strings.TrimRight(cfg.serverURL, "/")
	api, err := tgbot.New(token,
		tgbot.WithServerURL(cfg.serverURL),
		tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(cfg.pollTimeout, cfg.client),
		tgbot.WithErrorsHandler(func(err error) { cfg.log.Warn("telegram client", "err", err) }),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram client: %w", err)
	}
	return &Sender{cfg: cfg, api: api, files: files, progress: map[string]*progress{}, moved: map[string]string{}}, nil
}

// Platform implements campaignbot.Sender.
func (s *Sender) Platform() campaignbot.Platform { return campaignbot.PlatformTelegram }

// Username returns the bot's user name, asking getMe the first time.
func (s *Sender) Username(ctx context.Context) (string, error) {
	s.mu.Lock()
	name := s.username
	s.mu.Unlock()
	if name != "" {
		return name, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.sendTimeout)
	defer cancel()
	me, err := s.api.GetMe(ctx)
	if err != nil {
		return "", fmt.Errorf("telegram getMe: %w", err)
	}
	s.mu.Lock()
	s.username = me.Username
	s.mu.Unlock()
	return me.Username, nil
}

// item is one API message of an outbox message: a text part or a file,
// and the forum topic it goes to (0 for none).
type item struct {
	text   string
	file   *campaignbot.Attachment
	thread int
}

// Send implements campaignbot.Sender. Failures are *campaignbot.SendError:
// 429 carries RetryAfter; a blocked bot, a deactivated user or an unknown
// chat is Unreachable; other bad requests are Permanent; server errors and
// timeouts are retryable.
//
// A fault of the deployment (401: the token was revoked) is a Fault, and so
// is a refusal by the campaign group (the bot was removed from it): delivery
// pauses until it is fixed. A group that became a supergroup is followed to
// its new id; a photo Telegram refuses is sent again as a document, buttons
// and all.
func (s *Sender) Send(ctx context.Context, m *campaignbot.OutboxMessage) (string, error) {
	id, err := s.send(ctx, m)
	var se *campaignbot.SendError
	if m.ChatID == "group" && errors.As(err, &se) && se.Unreachable {
		se.Unreachable = false
		se.Fault = &campaignbot.Fault{Platform: campaignbot.PlatformTelegram, Code: campaignbot.FaultTelegramGroup,
			Chat: "group", Detail: se.Err.Error()}
	}
	return id, err
}

func (s *Sender) send(ctx context.Context, m *campaignbot.OutboxMessage) (string, error) {
	chat, err := s.chat(ctx, m.ChatID)
	if err != nil {
		return "", err
	}
	if err := ValidateButtons(m.Buttons); err != nil {
		return "", &campaignbot.SendError{Permanent: true, Err: err}
	}
	thread, _ := strconv.Atoi(m.Thread)
	var items []item
	for _, part := range SplitText(m.Text, MaxTextLen) {
		items = append(items, item{text: part, thread: thread})
	}
	for i := range m.Files {
		items = append(items, item{file: &m.Files[i], thread: thread})
	}
	if len(items) == 0 {
		return "", &campaignbot.SendError{Permanent: true, Err: errors.New("message has no text and no files")}
	}
	key := m.Key
	if key == "" {
		key = "id:" + strconv.FormatInt(m.ID, 10)
	}
	p := s.startProgress(key)
	// Parts delivered before a restart are not sent again (their ids are
	// lost with the process; the last part's is the one that matters).
	p.done = max(p.done, min(m.PartsSent, len(items)-1))
	for i := p.done; i < len(items); i++ {
		var markup any
		if i == len(items)-1 && len(m.Buttons) > 0 {
			markup = keyboard(m.Buttons)
		}
		id, err := s.sendItem(ctx, &chat, items[i], markup)
		if err != nil {
			return "", err
		}
		p.done, p.last = i+1, id
		if i < len(items)-1 && m.ID != 0 && s.cfg.progress != nil {
			if err := s.cfg.progress.MarkOutboxParts(context.WithoutCancel(ctx), m.ID, i+1); err != nil {
				s.cfg.log.Warn("telegram: record the parts sent", "outbox", m.ID, "err", err)
			}
		}
	}
	s.mu.Lock()
	delete(s.progress, key)
	s.mu.Unlock()
	return strconv.Itoa(p.last), nil
}

func (s *Sender) startProgress(key string) *progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.clock.Now()
	for k, p := range s.progress {
		if now.Sub(p.at) > progressTTL {
			delete(s.progress, k)
		}
	}
	p, ok := s.progress[key]
	if !ok {
		p = &progress{at: now}
		s.progress[key] = p
	}
	return p
}

// chat resolves "group" to TELEGRAM_GROUP_CHAT_ID and a chat that moved
// to where it went.
func (s *Sender) chat(ctx context.Context, chat string) (string, error) {
	if chat == "group" {
		if s.cfg.groupChatID == "" {
			return "", &campaignbot.SendError{Permanent: true, Err: errors.New("no campaign group chat is configured (TELEGRAM_GROUP_CHAT_ID)")}
		}
		chat = s.cfg.groupChatID
	}
	if chat == "" {
		return "", &campaignbot.SendError{Permanent: true, Err: errors.New("empty chat id")}
	}
	if !strings.HasPrefix(chat, "-") || s.cfg.moves == nil {
		return chat, nil // only groups move
	}
	s.mu.Lock()
	to, ok := s.moved[chat]
	s.mu.Unlock()
	if ok {
		return to, nil
	}
	to, err := s.cfg.moves.ResolveChat(ctx, campaignbot.PlatformTelegram, chat)
	if err != nil {
		return "", &campaignbot.SendError{Err: err}
	}
	s.mu.Lock()
	s.moved[chat] = to
	s.mu.Unlock()
	return to, nil
}

// MoveChat records that a group became a supergroup with a new id, from a
// 400 answer or the migrate_to_chat_id service message.
func (s *Sender) MoveChat(ctx context.Context, from, to int64) error {
	f, t := strconv.FormatInt(from, 10), strconv.FormatInt(to, 10)
	if s.cfg.moves != nil {
		if err := s.cfg.moves.MoveChat(ctx, campaignbot.PlatformTelegram, f, t); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.moved[f] = t
	for k, v := range s.moved {
		if v == f {
			s.moved[k] = t
		}
	}
	s.mu.Unlock()
	s.cfg.log.Info("telegram group moved: following it to the new chat id", "from", f, "to", t)
	return nil
}

// chatParam turns a numeric chat id into a number for the API.
func chatParam(chat string) any {
	if n, err := strconv.ParseInt(chat, 10, 64); err == nil {
		return n
	}
	return chat // "@channelusername"
}

// sendItem sends one part to *chat. When Telegram answers that the group
// became a supergroup, it follows it (updating *chat) and sends again.
func (s *Sender) sendItem(ctx context.Context, chat *string, it item, markup any) (int, error) {
	for range 2 {
		id, err := s.sendItemTo(ctx, chatParam(*chat), it, markup)
		var mig *tgbot.MigrateError
		if !errors.As(err, &mig) || mig.MigrateToChatID == 0 {
			return id, classifyErr(err)
		}
		from, _ := strconv.ParseInt(*chat, 10, 64)
		if err := s.MoveChat(ctx, from, int64(mig.MigrateToChatID)); err != nil {
			return 0, &campaignbot.SendError{Err: fmt.Errorf("telegram: follow the group to its new id: %w", err)}
		}
		*chat = strconv.Itoa(mig.MigrateToChatID)
	}
	return 0, &campaignbot.SendError{Err: errors.New("telegram: the group moved twice in a row")}
}

// sendItemTo sends one part; a library error comes back as it is, wrapped
// with the method, for sendItem to classify.
func (s *Sender) sendItemTo(ctx context.Context, chatID any, it item, markup any) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.sendTimeout)
	defer cancel()
	if it.file == nil {
		msg, err := s.api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chatID, MessageThreadID: it.thread, Text: it.text, ReplyMarkup: markup})
		if err != nil {
			return 0, fmt.Errorf("telegram sendMessage: %w", err)
		}
		return msg.ID, nil
	}
	a := it.file
	f, err := os.Open(s.files.AttachmentPath(a.SHA256))
	if err != nil {
		return 0, &campaignbot.SendError{Permanent: true, Err: fmt.Errorf("open attachment %s: %w", a.Name, err)}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, &campaignbot.SendError{Permanent: true, Err: fmt.Errorf("stat attachment %s: %w", a.Name, err)}
	}
	if st.Size() > maxFileUpload {
		return 0, &campaignbot.SendError{Permanent: true, Err: fmt.Errorf("attachment %s is %d bytes, over Telegram's 50 MB upload limit", a.Name, st.Size())}
	}
	name := a.Name
	if name == "" {
		name = a.SHA256
	}
	if isPhoto(a.MIME) && st.Size() <= maxPhotoUpload {
		msg, err := s.api.SendPhoto(ctx, &tgbot.SendPhotoParams{ChatID: chatID, MessageThreadID: it.thread,
			Photo: &models.InputFileUpload{Filename: name, Data: f}, ReplyMarkup: markup})
		if err == nil {
			return msg.ID, nil
		}
		if !photoRefused(err) {
			return 0, fmt.Errorf("telegram sendPhoto: %w", err)
		}
		// Telegram would not take it as a photo (dimensions, format):
		// the same file goes as a document, with the same buttons.
		s.cfg.log.Info("telegram refused a photo; sending it as a document", "file", a.Name, "err", err)
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return 0, &campaignbot.SendError{Err: fmt.Errorf("rewind attachment %s: %w", a.Name, err)}
		}
	}
	msg, err := s.api.SendDocument(ctx, &tgbot.SendDocumentParams{ChatID: chatID, MessageThreadID: it.thread,
		Document: &models.InputFileUpload{Filename: name, Data: f}, ReplyMarkup: markup})
	if err != nil {
		return 0, fmt.Errorf("telegram sendDocument: %w", err)
	}
	return msg.ID, nil
}

// inlineKeyboard and inlineButton are the reply markup on the wire. The
// library's models.InlineKeyboardButton always carries "copy_text", which
// Telegram refuses (BUTTON_COPY_TEXT_INVALID, go-telegram/bot#167).
type inlineKeyboard struct {
	InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
}

type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

func keyboard(rows [][]campaignbot.Button) inlineKeyboard {
	k := inlineKeyboard{InlineKeyboard: make([][]inlineButton, 0, len(rows))}
	for _, row := range rows {
		r := make([]inlineButton, 0, len(row))
		for _, b := range row {
			r = append(r, inlineButton{Text: b.Text, CallbackData: b.Data})
		}
		k.InlineKeyboard = append(k.InlineKeyboard, r)
	}
	return k
}

// ValidateButtons checks buttons against Telegram's rules: a label, and
// data of 1 to MaxCallbackData bytes. Call it before putting buttons in the
// outbox; Send refuses invalid buttons as a permanent failure.
func ValidateButtons(rows [][]campaignbot.Button) error {
	for _, row := range rows {
		for _, b := range row {
			if strings.TrimSpace(b.Text) == "" {
				return campaignbot.Errorf(campaignbot.EINVALID, "button with data %q has no label", b.Data)
			}
			if n := len(b.Data); n == 0 || n > MaxCallbackData {
				return campaignbot.Errorf(campaignbot.EINVALID,
					"button %q: callback data is %d bytes; Telegram allows 1 to %d", b.Text, n, MaxCallbackData)
			}
		}
	}
	return nil
}

// SplitText splits s into parts of at most limit UTF-16 code units (how
// Telegram counts message length; one unit per character outside emoji and
// rare CJK). It splits between paragraphs where it can, else between lines,
// else between characters, never inside one; parts are trimmed of
// surrounding white space and empty parts dropped. Text that fits is
// returned whole and untouched. A limit below 2 counts as 2.
func SplitText(s string, limit int) []string {
	limit = max(limit, 2)
	if units(s) <= limit {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		return []string{s}
	}
	var out []string
	for _, p := range split(s, limit, []string{"\n\n", "\n"}) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// split packs the pieces of s between seps[0] greedily into parts of at most
// limit units, splitting an oversized piece at the next separator.
func split(s string, limit int, seps []string) []string {
	if units(s) <= limit {
		return []string{s}
	}
	if len(seps) == 0 {
		return splitRunes(s, limit)
	}
	sep, sepLen := seps[0], units(seps[0])
	var out []string
	var cur strings.Builder
	curLen, has := 0, false
	flush := func() {
		if has {
			out = append(out, cur.String())
			cur.Reset()
			curLen, has = 0, false
		}
	}
	for _, piece := range strings.Split(s, sep) {
		n := units(piece)
		switch {
		case n > limit:
			flush()
			out = append(out, split(piece, limit, seps[1:])...)
		case !has:
			cur.WriteString(piece)
			curLen, has = n, true
		case curLen+sepLen+n <= limit:
			cur.WriteString(sep)
			cur.WriteString(piece)
			curLen += sepLen + n
		default:
			flush()
			cur.WriteString(piece)
			curLen, has = n, true
		}
	}
	flush()
	return out
}

func splitRunes(s string, limit int) []string {
	var out []string
	start, n := 0, 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if w < 1 {
			w = 1 // invalid UTF-8 is sent as U+FFFD
		}
		if n+w > limit {
			out = append(out, s[start:i])
			start, n = i, 0
		}
		n += w
	}
	return append(out, s[start:])
}

// units counts s in UTF-16 code units.
func units(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// Command is one entry of the bot's command menu.
type Command struct {
	// Name is the command without the slash: lower-case letters, digits
	// and underscores, at most 32.
	Name        string
	Description string
}

// SetCommands sets the command menu shown in Telegram clients, per
// language: the key is a language code ("zh", "en"), "" for everyone else.
// Menus are set for the default scope; per-chat scopes would need every
// chat id.
func (s *Sender) SetCommands(ctx context.Context, commands map[string][]Command) error {
	langs := make([]string, 0, len(commands))
	for l := range commands {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	for _, lang := range langs {
		if err := s.setCommands(ctx, &models.BotCommandScopeDefault{}, lang, commands[lang]); err != nil {
			return err
		}
	}
	return nil
}

// SetChatCommands sets the command menu of one private chat, for a person
// whose roles have commands beyond everyone's.
func (s *Sender) SetChatCommands(ctx context.Context, chatID string, commands []Command) error {
	id, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil {
		return campaignbot.Errorf(campaignbot.EINVALID, "chat id %q is not numeric", chatID)
	}
	return s.setCommands(ctx, &models.BotCommandScopeChat{ChatID: id}, "", commands)
}

func (s *Sender) setCommands(ctx context.Context, scope models.BotCommandScope, lang string, commands []Command) error {
	var cmds []models.BotCommand
	for _, c := range commands {
		name := strings.TrimPrefix(c.Name, "/")
		if !validCommand(name) {
			return campaignbot.Errorf(campaignbot.EINVALID,
				"command %q: use 1-32 lower-case letters, digits and underscores", c.Name)
		}
		if n := len([]rune(c.Description)); n == 0 || n > 256 {
			return campaignbot.Errorf(campaignbot.EINVALID, "command %q: description must be 1-256 characters", c.Name)
		}
		cmds = append(cmds, models.BotCommand{Command: name, Description: c.Description})
	}
	for attempt := 1; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, s.cfg.sendTimeout)
		_, err := s.api.SetMyCommands(cctx, &tgbot.SetMyCommandsParams{Commands: cmds, Scope: scope, LanguageCode: lang})
		cancel()
		// Setting every leader's menu at start-up meets the flood limit:
		// Telegram says how long to wait, and the menus go on after it.
		var tooMany *tgbot.TooManyRequestsError
		if !errors.As(err, &tooMany) || attempt == maxMenuAttempts {
			if err != nil {
				return fmt.Errorf("telegram setMyCommands %q: %w", lang, err)
			}
			return nil
		}
		wait := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
		s.cfg.log.Info("telegram setMyCommands: flood limit, waiting as told", "retry_after", wait)
		if !sleep(ctx, wait) {
			return fmt.Errorf("telegram setMyCommands %q: %w", lang, ctx.Err())
		}
	}
}

// maxMenuAttempts bounds the tries of one command menu that Telegram
// answers 429, each after the retry_after it names.
const maxMenuAttempts = 10

func validCommand(name string) bool {
	if name == "" || len(name) > 32 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}
