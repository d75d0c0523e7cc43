// Package telegramtest is a fake Telegram Bot API for tests and benchmarks.
// It speaks the real wire format — multipart/form-data (what
// go-telegram/bot sends), JSON and url-encoded requests; long polling with
// offsets; getFile and file downloads; 429 answers with retry_after — and
// records every call so that tests can assert on what a client did.
package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// Defaults of the fake.
const (
	DefaultBotUsername = "campaign_test_bot"
	// MaxDownloadSize is the Bot API's getFile limit.
	MaxDownloadSize = 20 << 20
	defaultLimit    = 100
	maxMemory       = 64 << 20
)

// Call is one recorded Bot API request.
type Call struct {
	Method string
	// Params holds the request's fields as text: strings as they are,
	// numbers and objects as JSON, whichever encoding the client used.
	Params map[string]string
	// Files holds uploaded files by form field name.
	Files map[string]File
	// Status is the HTTP status the fake answered.
	Status int
}

// File is an uploaded or registered file.
type File struct {
	Filename string
	Data     []byte
}

// SentMessage is a message the bot sent (sendMessage, sendPhoto, sendDocument).
type SentMessage struct {
	MessageID int
	Method    string
	ChatID    string
	// Text is the text, or the caption of a photo or document.
	Text            string
	ParseMode       string
	ReplyMarkup     string // JSON as sent, "" if none
	ReplyParameters string // JSON as sent, "" if none
	// Thread is the message_thread_id sent (a forum topic), "" if none.
	Thread string
	// File is the uploaded photo or document.
	File *File
	// Edits counts editMessageText calls on this message.
	Edits int
}

// CommandSet is what setMyCommands stored for one scope and language.
type CommandSet struct {
	Commands     []models.BotCommand
	Scope        string // the scope's type: "default", "chat", ...
	ScopeJSON    string
	LanguageCode string
}

// Webhook is the webhook configuration set by setWebhook.
type Webhook struct {
	URL            string
	SecretToken    string
	AllowedUpdates []string
}

type failure struct {
	status      int
	retryAfter  int
	description string
}

type storedFile struct {
	id   string
	path string
	data []byte
}

// Server is a fake Bot API. All methods are safe for concurrent use.
type Server struct {
	token    string
	username string
	srv      *httptest.Server

	mu      sync.Mutex
	updates []models.Update // not yet confirmed, by update_id
	// raw holds the payload of an update queued as captured JSON
	// (AddRawUpdate), sent as it is instead of re-encoded.
	raw         map[int64]json.RawMessage
	albumGap    time.Duration
	nextUpdate  int64
	nextMessage int
	nextFile    int
	nextAlbum   int
	nextCB      int
	wake        chan struct{} // closed and replaced when updates arrive
	pollGen     int
	offsets     []int64
	calls       []Call
	sent        map[string][]*SentMessage
	byID        map[int]*SentMessage
	files       map[string]*storedFile // by file_id
	paths       map[string]*storedFile // by file_path
	failures    map[string][]failure
	perSecond   int
	window      []time.Time // accepted sends in the last second
	throttled   int
	webhook     Webhook
	commands    map[string]CommandSet
	answered    map[string]bool
	hooks       map[string]func(Call)
	faults      faultState // faults.go
}

// Option configures a Server.
type Option func(*Server)

// DefaultAlbumGap is how long apart the fake queues the photos of an
// album: Telegram delivers each as an update of its own, and a poll (or a
// webhook call) may carry the first before the others exist.
const DefaultAlbumGap = 100 * time.Millisecond

// WithAlbumGap sets the time between the updates of an album.
func WithAlbumGap(d time.Duration) Option {
	return func(s *Server) { s.albumGap = d }
}

// WithBotUsername sets the username getMe reports.
func WithBotUsername(name string) Option {
	return func(s *Server) { s.username = name }
}

// NewServer starts a fake Bot API for token; it is closed when the test ends.
func NewServer(tb testing.TB, token string, opts ...Option) *Server {
	tb.Helper()
	s := New(token, opts...)
	tb.Cleanup(s.Close)
	return s
}

// URL is the server's base URL, for bot.WithServerURL.
func (s *Server) URL() string { return s.srv.URL }

// Close shuts the server down, ending pending long polls.
func (s *Server) Close() {
	s.mu.Lock()
	s.pollGen++
	close(s.wake)
	s.wake = make(chan struct{})
	s.stopWebhookLocked()
	s.mu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// BotUser is the user getMe returns.
func (s *Server) BotUser() models.User {
	id, _ := strconv.ParseInt(strings.Split(s.token, ":")[0], 10, 64)
	return models.User{ID: id, IsBot: true, FirstName: "Campaign", Username: s.username}
}

// AddUpdate queues u for getUpdates and returns its update_id; a zero ID is
// replaced by the next free one.
func (s *Server) AddUpdate(u models.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addUpdateLocked(u)
}

// AddRawUpdate queues a captured update (JSON as Telegram sends it) for
// getUpdates and the webhook, which send it byte for byte; an update_id
// of 0, or none, is replaced by the next free one (and the JSON re-encoded
// with it). It returns the update_id.
func (s *Server) AddRawUpdate(raw []byte) (int64, error) {
	var u models.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		return 0, fmt.Errorf("telegramtest: captured update: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID != 0 && slices.ContainsFunc(s.updates, func(q models.Update) bool { return q.ID == u.ID }) {
		// Telegram never sends two updates with one id.
		return 0, fmt.Errorf("telegramtest: update_id %d is queued already", u.ID)
	}
	if u.ID == 0 {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			return 0, fmt.Errorf("telegramtest: captured update: %w", err)
		}
		u.ID = s.nextUpdate
		fields["update_id"] = json.RawMessage(strconv.FormatInt(u.ID, 10))
		raw, _ = json.Marshal(fields)
	}
	s.raw[u.ID] = json.RawMessage(bytes.Clone(raw))
	return s.addUpdateLocked(u), nil
}

// payloadLocked is the JSON of a queued update: as captured, or encoded.
func (s *Server) payloadLocked(u models.Update) json.RawMessage {
	if raw, ok := s.raw[u.ID]; ok {
		return raw
	}
	b, _ := json.Marshal(u)
	return b
}

func (s *Server) addUpdateLocked(u models.Update) int64 {
	if u.ID == 0 {
		u.ID = s.nextUpdate
	}
	if u.ID >= s.nextUpdate {
		s.nextUpdate = u.ID + 1
	}
	i, _ := slices.BinarySearchFunc(s.updates, u.ID, func(a models.Update, id int64) int {
		return int(a.ID - id)
	})
	s.updates = slices.Insert(s.updates, i, u)
	s.noteChatLocked(&u)
	close(s.wake)
	s.wake = make(chan struct{})
	return u.ID
}

// NewMessage returns a private text message from fromID with a fresh
// message_id, for tests that build their own updates.
func (s *Server) NewMessage(fromID int64, username, text string) *models.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newMessageLocked(fromID, username, text)
}

func (s *Server) newMessageLocked(fromID int64, username, text string) *models.Message {
	id := s.nextMessage
	s.nextMessage++
	m := &models.Message{
		ID:   id,
		From: &models.User{ID: fromID, FirstName: username, Username: username, LanguageCode: "zh-hans"},
		Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: fromID, Type: models.ChatTypePrivate, FirstName: username, Username: username},
		Text: text,
	}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		m.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: utf16Len(cmd)}}
	}
	return m
}

func utf16Len(s string) int {
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

// AddMessage queues a message update and returns its update_id.
func (s *Server) AddMessage(m *models.Message) int64 {
	return s.AddUpdate(models.Update{Message: m})
}

// SendText queues a private text message from a user and returns its message_id.
func (s *Server) SendText(fromID int64, username, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.newMessageLocked(fromID, username, text)
	s.addUpdateLocked(models.Update{Message: m})
	return m.ID
}

// SendReply queues a private message from a user replying to the message
// replyTo (normally one the bot sent) and returns its message_id.
func (s *Server) SendReply(fromID int64, replyTo int, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.newMessageLocked(fromID, "", text)
	orig := &models.Message{ID: replyTo, Date: m.Date, Chat: m.Chat}
	if sm, ok := s.byID[replyTo]; ok {
		bu := s.BotUser()
		orig.From = &bu
		orig.Text = sm.Text
		// Telegram sends the replied message whole, its keyboard too.
		if sm.ReplyMarkup != "" {
			var kb models.InlineKeyboardMarkup
			if json.Unmarshal([]byte(sm.ReplyMarkup), &kb) == nil && len(kb.InlineKeyboard) > 0 {
				orig.ReplyMarkup = &kb
			}
		}
	}
	m.ReplyToMessage = orig
	s.addUpdateLocked(models.Update{Message: m})
	return m.ID
}

// SendPhoto queues a private photo message with caption. The photo is
// registered in three sizes: two small previews and data itself as the
// largest, as Telegram does. It returns the message_id.
func (s *Server) SendPhoto(fromID int64, caption string, data []byte) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.newMessageLocked(fromID, "", "")
	m.Caption = caption
	m.Photo = s.photoSizesLocked(data)
	s.addUpdateLocked(models.Update{Message: m})
	return m.ID
}

func (s *Server) photoSizesLocked(data []byte) []models.PhotoSize {
	var sizes []models.PhotoSize
	for i, dim := range []int{90, 320, 1280} {
		part := data
		if i < 2 {
			part = data[:min(len(data), dim)]
		}
		f := s.registerLocked("", fmt.Sprintf("photos/file_%d.jpg", s.nextFile), part)
		sizes = append(sizes, models.PhotoSize{
			FileID: f.id, FileUniqueID: "u" + f.id, Width: dim, Height: dim * 3 / 4, FileSize: len(part),
		})
	}
	return sizes
}

// SendDocument queues a private document message and returns its message_id.
func (s *Server) SendDocument(fromID int64, fileName, caption string, data []byte) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.newMessageLocked(fromID, "", "")
	m.Caption = caption
	f := s.registerLocked("", fmt.Sprintf("documents/file_%d", s.nextFile), data)
	m.Document = &models.Document{
		FileID: f.id, FileUniqueID: "u" + f.id, FileName: fileName,
		MimeType: http.DetectContentType(data), FileSize: int64(len(data)),
	}
	s.addUpdateLocked(models.Update{Message: m})
	return m.ID
}

// PressButton queues a callback_query for a button with data on the bot's
// message messageID in the user's private chat, and returns the query id.
func (s *Server) PressButton(fromID int64, messageID int, data string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextCB++
	id := fmt.Sprintf("cb%d", s.nextCB)
	bu := s.BotUser()
	msg := &models.Message{
		ID: messageID, From: &bu, Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: fromID, Type: models.ChatTypePrivate},
	}
	if sm, ok := s.byID[messageID]; ok {
		msg.Text = sm.Text
		// Telegram sends the pressed message whole, its keyboard too.
		var kb models.InlineKeyboardMarkup
		if sm.ReplyMarkup != "" && json.Unmarshal([]byte(sm.ReplyMarkup), &kb) == nil && len(kb.InlineKeyboard) > 0 {
			msg.ReplyMarkup = &kb
		}
	}
	s.addUpdateLocked(models.Update{CallbackQuery: &models.CallbackQuery{
		ID:           id,
		From:         models.User{ID: fromID},
		Message:      models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: msg},
		ChatInstance: "ci" + strconv.FormatInt(fromID, 10),
		Data:         data,
	}})
	return id
}

// AddFile registers a file that getFile and the download route serve.
func (s *Server) AddFile(fileID, path string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.registerLocked(fileID, path, data)
}

func (s *Server) registerLocked(id, path string, data []byte) *storedFile {
	s.nextFile++
	if id == "" {
		id = fmt.Sprintf("file%d", s.nextFile)
	}
	f := &storedFile{id: id, path: path, data: bytes.Clone(data)}
	s.files[id] = f
	s.paths[path] = f
	return f
}

// FailNext makes the next call of method fail with status: 429 answers
// "Too Many Requests: retry after X" with parameters.retry_after, 403
// "Forbidden: bot was blocked by the user", 400 a bad request, 5xx a server
// error. Each call queues one failure.
func (s *Server) FailNext(method string, status int, retryAfter int) {
	s.FailNextWith(method, status, "", retryAfter)
}

// FailNextWith is FailNext with the error description given ("" for the
// default of the status).
func (s *Server) FailNextWith(method string, status int, description string, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], failure{status, retryAfter, description})
}

// RateLimit enforces at most perSecond successful send* calls in any
// sliding second (by arrival); excess calls get 429 with retry_after.
// Zero turns the limit off.
func (s *Server) RateLimit(perSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perSecond = perSecond
	s.window = nil
}

// Throttled reports how many calls RateLimit refused.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// OnCall sets f to be called with each call of method when it arrives,
// before it is answered, so a test can check what the client had done by
// then. f runs without the Server's lock held.
func (s *Server) OnCall(method string, f func(Call)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks[method] = f
}

// Calls returns a copy of every recorded call, in arrival order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		out[i] = Call{Method: c.Method, Status: c.Status, Params: map[string]string{}, Files: map[string]File{}}
		for k, v := range c.Params {
			out[i].Params[k] = v
		}
		for k, v := range c.Files {
			out[i].Files[k] = File{Filename: v.Filename, Data: bytes.Clone(v.Data)}
		}
	}
	return out
}

// CallsOf returns the recorded calls of one method.
func (s *Server) CallsOf(method string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Sent returns copies of the messages sent to chatID, oldest first.
func (s *Server) Sent(chatID int64) []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SentMessage
	for _, m := range s.sent[strconv.FormatInt(chatID, 10)] {
		c := *m
		if m.File != nil {
			c.File = &File{Filename: m.File.Filename, Data: bytes.Clone(m.File.Data)}
		}
		out = append(out, c)
	}
	return out
}

// SentCount returns how many messages were sent to all chats.
func (s *Server) SentCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}

// Offsets returns the offset of every getUpdates call, in order (0 when
// the client sent none).
func (s *Server) Offsets() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.offsets)
}

// Pending returns the ids of updates not yet confirmed by an offset.
func (s *Server) Pending() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []int64
	for _, u := range s.updates {
		ids = append(ids, u.ID)
	}
	return ids
}

// Webhook returns the webhook set by setWebhook (zero after deleteWebhook).
func (s *Server) Webhook() Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.webhook
	w.AllowedUpdates = slices.Clone(w.AllowedUpdates)
	return w
}

// Commands returns the command sets stored by setMyCommands, ordered by
// scope and language.
func (s *Server) Commands() []CommandSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CommandSet
	for _, cs := range s.commands {
		cs.Commands = slices.Clone(cs.Commands)
		out = append(out, cs)
	}
	slices.SortFunc(out, func(a, b CommandSet) int {
		return strings.Compare(a.ScopeJSON+"\x00"+a.LanguageCode, b.ScopeJSON+"\x00"+b.LanguageCode)
	})
	return out
}

// Answered reports whether the callback query was answered.
func (s *Server) Answered(callbackID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.answered[callbackID]
}

type apiError struct {
	OK          bool           `json:"ok"`
	ErrorCode   int            `json:"error_code"`
	Description string         `json:"description"`
	Parameters  map[string]int `json:"parameters,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeResult(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

func writeError(w http.ResponseWriter, status int, description string, retryAfter int) {
	e := apiError{ErrorCode: status, Description: description}
	if retryAfter > 0 {
		e.Parameters = map[string]int{"retry_after": retryAfter}
	}
	writeJSON(w, status, e)
}

func defaultDescription(status, retryAfter int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return fmt.Sprintf("Too Many Requests: retry after %d", retryAfter)
	case status == http.StatusForbidden:
		return "Forbidden: bot was blocked by the user"
	case status == http.StatusBadRequest:
		return "Bad Request: message text is empty"
	case status == http.StatusUnauthorized:
		return "Unauthorized"
	case status >= 500:
		return "Internal Server Error"
	}
	return http.StatusText(status)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.serveFile(w, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found", 0)
		return
	}
	token, method, ok := strings.Cut(rest, "/")
	if !ok || method == "" {
		writeError(w, http.StatusNotFound, "Not Found", 0)
		return
	}
	if token != s.token || s.tokenRevoked() {
		writeError(w, http.StatusUnauthorized, "Unauthorized", 0)
		return
	}
	params, files, err := parseParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}
	s.mu.Lock()
	hook := s.hooks[method]
	s.mu.Unlock()
	if hook != nil {
		hook(Call{Method: method, Params: params, Files: files})
	}
	status := s.dispatch(w, r, method, params, files)
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: method, Params: params, Files: files, Status: status})
	s.mu.Unlock()
}

func (s *Server) serveFile(w http.ResponseWriter, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	if token != s.token {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	f, ok := s.paths[path]
	s.mu.Unlock()
	if !ok {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	_, _ = w.Write(f.data)
}

// parseParams reads a request's fields whatever its encoding.
func parseParams(r *http.Request) (map[string]string, map[string]File, error) {
	params := map[string]string{}
	files := map[string]File{}
	for k, v := range r.URL.Query() {
		params[k] = v[0]
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxMemory+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read body: %w", err)
	}
	if len(body) == 0 {
		return params, files, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), ctParams["boundary"])
		form, err := mr.ReadForm(maxMemory)
		if err != nil {
			return nil, nil, fmt.Errorf("multipart: %w", err)
		}
		defer form.RemoveAll()
		for k, v := range form.Value {
			params[k] = v[0]
		}
		for k, fhs := range form.File {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, nil, fmt.Errorf("multipart file %s: %w", k, err)
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return nil, nil, fmt.Errorf("multipart file %s: %w", k, err)
			}
			files[k] = File{Filename: fhs[0].Filename, Data: data}
		}
	case "application/json":
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, nil, fmt.Errorf("json: %w", err)
		}
		for k, raw := range m {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				params[k] = str
			} else {
				params[k] = string(raw)
			}
		}
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, nil, fmt.Errorf("form: %w", err)
		}
		for k, v := range vals {
			params[k] = v[0]
		}
	default:
		return nil, nil, fmt.Errorf("unsupported content type %q", ct)
	}
	return params, files, nil
}

// dispatch answers one API call and returns the HTTP status it wrote.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, method string, p map[string]string, files map[string]File) int {
	s.mu.Lock()
	if q := s.failures[method]; len(q) > 0 {
		f := q[0]
		s.failures[method] = q[1:]
		s.mu.Unlock()
		desc := f.description
		if desc == "" {
			desc = defaultDescription(f.status, f.retryAfter)
		}
		writeError(w, f.status, desc, f.retryAfter)
		return f.status
	}
	if strings.HasPrefix(method, "send") && s.perSecond > 0 {
		now := time.Now()
		i := 0
		for i < len(s.window) && now.Sub(s.window[i]) >= time.Second {
			i++
		}
		s.window = s.window[i:]
		if len(s.window) >= s.perSecond {
			s.throttled++
			wait := time.Second - now.Sub(s.window[0])
			retry := int((wait + time.Second - 1) / time.Second)
			s.mu.Unlock()
			writeError(w, http.StatusTooManyRequests, defaultDescription(http.StatusTooManyRequests, retry), retry)
			return http.StatusTooManyRequests
		}
		s.window = append(s.window, now)
	}
	s.mu.Unlock()
	if status := s.playFault(w, method, p); status != 0 {
		return status
	}

	switch method {
	case "getMe":
		writeResult(w, s.BotUser())
		return http.StatusOK
	case "getUpdates":
		return s.getUpdates(w, r, p)
	case "sendMessage", "sendPhoto", "sendDocument":
		return s.send(w, method, p, files)
	case "editMessageText":
		return s.editMessageText(w, p)
	case "editMessageReplyMarkup":
		// The text stays; only the keyboard changes (none: removed).
		id, _ := intParam(p, "message_id")
		s.mu.Lock()
		if sm, ok := s.byID[int(id)]; ok {
			p["text"] = sm.Text
		}
		s.mu.Unlock()
		return s.editMessageText(w, p)
	case "answerCallbackQuery":
		s.mu.Lock()
		s.answered[p["callback_query_id"]] = true
		s.mu.Unlock()
		writeResult(w, true)
		return http.StatusOK
	case "setWebhook":
		var allowed []string
		if a := p["allowed_updates"]; a != "" {
			if err := json.Unmarshal([]byte(a), &allowed); err != nil {
				writeError(w, http.StatusBadRequest, "Bad Request: can't parse allowed_updates", 0)
				return http.StatusBadRequest
			}
		}
		if p["url"] == "" {
			writeError(w, http.StatusBadRequest, "Bad Request: bad webhook: URL is empty", 0)
			return http.StatusBadRequest
		}
		if !strings.HasPrefix(p["url"], "https://") {
			writeError(w, http.StatusBadRequest, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook", 0)
			return http.StatusBadRequest
		}
		s.mu.Lock()
		s.webhook = Webhook{URL: p["url"], SecretToken: p["secret_token"], AllowedUpdates: allowed}
		_ = s.setAllowedLocked(p["allowed_updates"])
		s.startWebhookLocked()
		// A long poll in progress ends with a 409, as on Telegram.
		close(s.wake)
		s.wake = make(chan struct{})
		s.mu.Unlock()
		writeResult(w, true)
		return http.StatusOK
	case "deleteWebhook":
		s.mu.Lock()
		s.webhook = Webhook{}
		s.stopWebhookLocked()
		if p["drop_pending_updates"] == "true" {
			s.updates = nil
		}
		s.mu.Unlock()
		writeResult(w, true)
		return http.StatusOK
	case "setMyCommands":
		return s.setMyCommands(w, p)
	case "getFile":
		return s.getFile(w, p)
	}
	writeError(w, http.StatusNotFound, "Not Found: method not found", 0)
	return http.StatusNotFound
}

func intParam(p map[string]string, name string) (int64, error) {
	v, ok := p[name]
	if !ok || v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		//lint:ignore ST1005 the text is the description Telegram itself answers with
		return 0, fmt.Errorf("Bad Request: %s is not a number", name)
	}
	return n, nil
}

// getUpdates confirms updates below offset and long-polls for the rest.
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, p map[string]string) int {
	offset, err1 := intParam(p, "offset")
	timeout, err2 := intParam(p, "timeout")
	limit, err3 := intParam(p, "limit")
	for _, err := range []error{err1, err2, err3} {
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error(), 0)
			return http.StatusBadRequest
		}
	}
	if limit <= 0 || limit > defaultLimit {
		limit = defaultLimit
	}
	s.mu.Lock()
	if s.webhook.URL != "" {
		s.mu.Unlock()
		writeError(w, http.StatusConflict, descWebhookActive, 0)
		return http.StatusConflict
	}
	s.offsets = append(s.offsets, offset)
	if err := s.setAllowedLocked(p["allowed_updates"]); err != nil {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, err.Error(), 0)
		return http.StatusBadRequest
	}
	// An offset beyond the sequence (Telegram restarted it lower) confirms
	// nothing: the answer starts at the oldest pending update.
	if offset != 0 && offset <= s.nextUpdate {
		i := 0
		for i < len(s.updates) && s.updates[i].ID < offset {
			i++
		}
		s.updates = s.updates[i:]
	}
	// A new poll ends the one in progress, as on Telegram.
	s.pollGen++
	gen := s.pollGen
	close(s.wake)
	s.wake = make(chan struct{})
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	for len(s.updates) == 0 && timeout > 0 {
		wake := s.wake
		s.mu.Unlock()
		select {
		case <-wake:
		case <-deadline.C:
			timeout = 0
		case <-r.Context().Done():
			return http.StatusOK
		}
		s.mu.Lock()
		if s.webhook.URL != "" {
			s.mu.Unlock()
			writeError(w, http.StatusConflict, descSetWebhook, 0)
			return http.StatusConflict
		}
		if s.pollGen != gen {
			s.mu.Unlock()
			writeError(w, http.StatusConflict, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", 0)
			return http.StatusConflict
		}
	}
	out := []json.RawMessage{}
	for _, u := range s.updates[:min(int64(len(s.updates)), limit)] {
		out = append(out, s.payloadLocked(u))
	}
	s.mu.Unlock()
	writeResult(w, out)
	return http.StatusOK
}

func (s *Server) send(w http.ResponseWriter, method string, p map[string]string, files map[string]File) int {
	chatID := p["chat_id"]
	if chatID == "" {
		writeError(w, http.StatusBadRequest, "Bad Request: chat_id is empty", 0)
		return http.StatusBadRequest
	}
	sm := &SentMessage{Method: method, ChatID: chatID, ParseMode: p["parse_mode"],
		ReplyMarkup: p["reply_markup"], ReplyParameters: p["reply_parameters"], Thread: p["message_thread_id"]}
	if msg := checkMarkup(sm.ReplyMarkup); msg != "" {
		writeError(w, http.StatusBadRequest, "Bad Request: "+msg, 0)
		return http.StatusBadRequest
	}
	field := map[string]string{"sendPhoto": "photo", "sendDocument": "document"}[method]
	switch method {
	case "sendMessage":
		sm.Text = p["text"]
		if sm.Text == "" {
			writeError(w, http.StatusBadRequest, "Bad Request: message text is empty", 0)
			return http.StatusBadRequest
		}
		if n := utf16Len(sm.Text); n > 4096 {
			writeError(w, http.StatusBadRequest, "Bad Request: message is too long", 0)
			return http.StatusBadRequest
		}
	default:
		sm.Text = p["caption"]
		if f, ok := files[field]; ok {
			sm.File = &File{Filename: f.Filename, Data: bytes.Clone(f.Data)}
		} else if ref := p[field]; ref != "" {
			s.mu.Lock()
			sf, ok := s.files[strings.TrimPrefix(ref, "attach://")]
			s.mu.Unlock()
			if !ok {
				writeError(w, http.StatusBadRequest, "Bad Request: wrong file identifier/HTTP URL specified", 0)
				return http.StatusBadRequest
			}
			sm.File = &File{Filename: sf.path, Data: bytes.Clone(sf.data)}
		} else {
			writeError(w, http.StatusBadRequest, "Bad Request: there is no "+field+" in the request", 0)
			return http.StatusBadRequest
		}
	}

	s.mu.Lock()
	sm.MessageID = s.nextMessage
	s.nextMessage++
	s.sent[chatID] = append(s.sent[chatID], sm)
	s.byID[sm.MessageID] = sm
	id, _ := strconv.ParseInt(chatID, 10, 64)
	msg := models.Message{ID: sm.MessageID, Date: int(time.Now().Unix()), Chat: models.Chat{ID: id, Type: chatType(id)}}
	bu := s.BotUser()
	msg.From = &bu
	switch method {
	case "sendMessage":
		msg.Text = sm.Text
	case "sendPhoto":
		msg.Caption = sm.Text
		msg.Photo = s.photoSizesLocked(sm.File.Data)
	case "sendDocument":
		msg.Caption = sm.Text
		f := s.registerLocked("", fmt.Sprintf("documents/file_%d", s.nextFile), sm.File.Data)
		msg.Document = &models.Document{FileID: f.id, FileUniqueID: "u" + f.id, FileName: sm.File.Filename, FileSize: int64(len(f.data))}
	}
	s.mu.Unlock()
	writeResult(w, msg)
	return http.StatusOK
}

// checkMarkup validates an inline keyboard as Telegram does; it returns the
// error description, "" when the markup is acceptable.
func checkMarkup(markup string) string {
	if markup == "" {
		return ""
	}
	var m struct {
		InlineKeyboard [][]map[string]json.RawMessage `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(markup), &m); err != nil {
		return "can't parse reply keyboard markup JSON object"
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if ct, ok := b["copy_text"]; ok {
				var c struct{ Text string }
				if json.Unmarshal(ct, &c) != nil || c.Text == "" {
					return "BUTTON_COPY_TEXT_INVALID"
				}
			}
			if cd, ok := b["callback_data"]; ok {
				var d string
				if json.Unmarshal(cd, &d) != nil || len(d) == 0 || len(d) > 64 {
					return "BUTTON_DATA_INVALID"
				}
			} else if len(b) <= 1 {
				return "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
			}
		}
	}
	return ""
}

func (s *Server) editMessageText(w http.ResponseWriter, p map[string]string) int {
	id, err := intParam(p, "message_id")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), 0)
		return http.StatusBadRequest
	}
	s.mu.Lock()
	sm, ok := s.byID[int(id)]
	if !ok || sm.ChatID != p["chat_id"] {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "Bad Request: message to edit not found", 0)
		return http.StatusBadRequest
	}
	if p["text"] == sm.Text && p["reply_markup"] == sm.ReplyMarkup {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message", 0)
		return http.StatusBadRequest
	}
	sm.Text = p["text"]
	sm.ReplyMarkup = p["reply_markup"]
	sm.Edits++
	chat, _ := strconv.ParseInt(sm.ChatID, 10, 64)
	msg := models.Message{ID: sm.MessageID, Date: int(time.Now().Unix()), EditDate: int(time.Now().Unix()),
		Chat: models.Chat{ID: chat, Type: chatType(chat)}, Text: sm.Text}
	s.mu.Unlock()
	writeResult(w, msg)
	return http.StatusOK
}

func chatType(id int64) models.ChatType {
	if id < 0 {
		return models.ChatTypeSupergroup
	}
	return models.ChatTypePrivate
}

func (s *Server) setMyCommands(w http.ResponseWriter, p map[string]string) int {
	var cmds []models.BotCommand
	if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: can't parse commands JSON object", 0)
		return http.StatusBadRequest
	}
	for _, c := range cmds {
		if c.Command == "" || len(c.Command) > 32 || strings.ToLower(c.Command) != c.Command || c.Description == "" {
			writeError(w, http.StatusBadRequest, "Bad Request: BOT_COMMAND_INVALID", 0)
			return http.StatusBadRequest
		}
	}
	scopeJSON := p["scope"]
	if scopeJSON == "" {
		scopeJSON = `{"type":"default"}`
	}
	var scope struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal([]byte(scopeJSON), &scope); err != nil || scope.Type == "" {
		writeError(w, http.StatusBadRequest, "Bad Request: can't parse BotCommandScope", 0)
		return http.StatusBadRequest
	}
	cs := CommandSet{Commands: cmds, Scope: scope.Type, ScopeJSON: scopeJSON, LanguageCode: p["language_code"]}
	s.mu.Lock()
	s.commands[scopeJSON+"\x00"+cs.LanguageCode] = cs
	s.mu.Unlock()
	writeResult(w, true)
	return http.StatusOK
}

func (s *Server) getFile(w http.ResponseWriter, p map[string]string) int {
	s.mu.Lock()
	f, ok := s.files[p["file_id"]]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusBadRequest, "Bad Request: invalid file_id", 0)
		return http.StatusBadRequest
	}
	if len(f.data) > MaxDownloadSize {
		writeError(w, http.StatusBadRequest, "Bad Request: file is too big", 0)
		return http.StatusBadRequest
	}
	writeResult(w, models.File{FileID: f.id, FileUniqueID: "u" + f.id, FileSize: int64(len(f.data)), FilePath: f.path})
	return http.StatusOK
}
