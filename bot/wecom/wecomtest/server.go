// Package wecomtest is a fake WeCom API server for tests. It speaks the
// real wire format (JSON bodies, errcode/errmsg, access_token in the query,
// multipart uploads, binary media downloads) for gettoken, message/send,
// media/upload, media/get, menu/create and the group robot's webhook, and
// records what was sent.
package wecomtest

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Limits the fake enforces the way WeCom does.
const (
	// MaxTextBytes is where WeCom truncates text and markdown app messages.
	MaxTextBytes = 2048
	// MaxRobotMarkdownBytes is the robot's markdown limit; longer is refused.
	MaxRobotMarkdownBytes = 4096
	// MaxRobotTextBytes is the robot's text limit; longer is refused.
	MaxRobotTextBytes = 2048
	// TokenLifetime is the expires_in of issued tokens, in seconds.
	TokenLifetime = 7200
)

// API paths of the fake.
const (
	PathGetToken      = "/cgi-bin/gettoken"
	PathMessageSend   = "/cgi-bin/message/send"
	PathMediaUpload   = "/cgi-bin/media/upload"
	PathMediaGet      = "/cgi-bin/media/get"
	PathMenuCreate    = "/cgi-bin/menu/create"
	PathWebhookSend   = "/cgi-bin/webhook/send"
	PathWebhookUpload = "/cgi-bin/webhook/upload_media"
	PathUpdateCard    = "/cgi-bin/message/update_template_card"
)

// CardUpdate is one accepted update_template_card call.
type CardUpdate struct {
	UserIDs      []string
	ResponseCode string
	TaskID       string // of the card the code was issued for
	ReplaceName  string
}

// responseCode is a code the fake issued for a press of a card.
type responseCode struct {
	user, taskID string
	used         bool
}

// Message is one recorded message/send or webhook/send call that WeCom
// accepted.
type Message struct {
	// Path is PathMessageSend or PathWebhookSend.
	Path    string
	ToUser  string
	MsgType string
	AgentID int
	// Content is the text or markdown content as delivered (truncated to
	// MaxTextBytes for app messages, as WeCom does).
	Content   string
	Truncated bool
	// MediaID is the media of image and file messages.
	MediaID string
	// Image is the decoded image of a robot image message.
	Image        []byte
	TemplateCard *TemplateCard
	MsgID        string
	// Raw is the request body.
	Raw json.RawMessage
}

// TemplateCard is the recorded template_card of a message.
type TemplateCard struct {
	CardType string
	TaskID   string
	Title    string
	Desc     string
	SubTitle string
	Buttons  []Button
}

// Button is one button of a TemplateCard.
type Button struct {
	Text  string
	Key   string
	Style int
}

// Media is stored temporary media.
type Media struct {
	ID   string
	Type string
	Name string
	MIME string
	Data []byte
}

type injection struct {
	errcode int
	status  int
}

// Server is the fake WeCom API. Its methods are safe for concurrent use.
type Server struct {
	srv      *httptest.Server
	corpID   string
	secret   string
	robotKey string

	mu         sync.Mutex
	tokens     map[string]bool // token → expired
	tokenCalls int
	seq        int
	sent       []Message
	media      map[string]Media
	invalid    map[string]bool
	inject     map[string][]injection
	menus      []json.RawMessage
	codes      map[string]*responseCode
	updates    []CardUpdate
	book       addressBook // contacts.go
	faults     faultState  // faults.go
	oauth      oauthState  // oauth.go
}

// NewServer starts a fake for the corp and application secret; it is closed
// when the test ends.
func NewServer(t testing.TB, corpID, secret string) *Server {
	t.Helper()
	s := New(corpID, secret)
	t.Cleanup(s.Close)
	return s
}

// New starts a fake outside a test (the bench); Close stops it.
func New(corpID, secret string) *Server {
	s := &Server{
		corpID:   corpID,
		secret:   secret,
		robotKey: "robot-key-0123",
		tokens:   map[string]bool{},
		media:    map[string]Media{},
		invalid:  map[string]bool{},
		inject:   map[string][]injection{},
		codes:    map[string]*responseCode{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathGetToken, s.getToken)
	mux.HandleFunc("POST "+PathMessageSend, s.authed(s.messageSend))
	mux.HandleFunc("POST "+PathMediaUpload, s.authed(s.mediaUpload))
	mux.HandleFunc("GET "+PathMediaGet, s.authed(s.mediaGet))
	mux.HandleFunc("POST "+PathMenuCreate, s.authed(s.menuCreate))
	mux.HandleFunc("POST "+PathUpdateCard, s.authed(s.updateCard))
	s.routeContacts(mux)
	mux.HandleFunc("GET "+PathAuthGetUserInfo, s.authed(s.authGetUserInfo))
	mux.HandleFunc("POST "+PathWebhookSend, s.robot(s.webhookSend))
	mux.HandleFunc("POST "+PathWebhookUpload, s.robot(s.webhookUpload))
	s.srv = httptest.NewServer(s.injected(mux))
	return s
}

// Close stops the fake.
func (s *Server) Close() { s.srv.Close() }

// URL is the base URL to give the client.
func (s *Server) URL() string { return s.srv.URL }

// RobotKey is the key the fake's group robot webhook accepts.
func (s *Server) RobotKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.robotKey
}

// ExpireToken expires every issued token: the next call with one gets
// errcode 42001.
func (s *Server) ExpireToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for tok := range s.tokens {
		s.tokens[tok] = true
	}
}

// TokenCalls counts gettoken calls that issued a token.
func (s *Server) TokenCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenCalls
}

// SetInvalidUser makes message/send list id in invaliduser (and fail with
// errcode 81013 when every recipient is invalid), as for a member outside
// the app's visible range.
func (s *Server) SetInvalidUser(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalid[id] = true
}

// AddMedia registers media that media/get serves, as if a member sent it.
func (s *Server) AddMedia(id, name, mimeType string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.media[id] = Media{ID: id, Type: "file", Name: name, MIME: mimeType, Data: append([]byte(nil), data...)}
}

// Media returns stored media (uploaded or added).
func (s *Server) Media(id string) (Media, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	return m, ok
}

// InjectErrcode makes the next times calls to path answer errcode code
// (HTTP 200), before anything else is checked.
func (s *Server) InjectErrcode(path string, code, times int) {
	s.addInjection(path, injection{errcode: code}, times)
}

// InjectStatus makes the next times calls to path answer the HTTP status;
// 429 carries Retry-After: 7.
func (s *Server) InjectStatus(path string, status, times int) {
	s.addInjection(path, injection{status: status}, times)
}

func (s *Server) addInjection(path string, in injection, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range times {
		s.inject[path] = append(s.inject[path], in)
	}
}

// Sent returns a copy of the recorded messages in order.
func (s *Server) Sent() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.sent...)
}

// Menus returns the bodies of menu/create calls.
func (s *Server) Menus() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]json.RawMessage(nil), s.menus...)
}

func (s *Server) injected(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		var in *injection
		if q := s.inject[r.URL.Path]; len(q) > 0 {
			in = &q[0]
			s.inject[r.URL.Path] = q[1:]
		}
		s.mu.Unlock()
		switch {
		case in == nil && s.faulty(w, r):
		case in == nil:
			next.ServeHTTP(w, r)
		case in.status != 0:
			if in.status == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "7")
			}
			http.Error(w, http.StatusText(in.status), in.status)
		default:
			answer(w, in.errcode, "injected", nil)
		}
	})
}

// answer writes a WeCom JSON answer with errcode, errmsg and extra fields.
func answer(w http.ResponseWriter, code int, msg string, extra map[string]any) {
	body := map[string]any{"errcode": code, "errmsg": msg}
	for k, v := range extra {
		body[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) getToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("corpid") != s.corpID {
		answer(w, 40013, "invalid corpid", nil)
		return
	}
	s.mu.Lock()
	secret := s.secret
	s.mu.Unlock()
	if q.Get("corpsecret") != secret {
		answer(w, 40001, "invalid credential", nil)
		return
	}
	s.mu.Lock()
	s.seq++
	s.tokenCalls++
	tok := fmt.Sprintf("token-%d", s.seq)
	s.tokens[tok] = false
	s.mu.Unlock()
	answer(w, 0, "ok", map[string]any{"access_token": tok, "expires_in": TokenLifetime})
}

// authed checks access_token like WeCom: missing 41001, unknown 40014,
// expired 42001.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := r.URL.Query().Get("access_token")
		s.mu.Lock()
		expired, ok := s.tokens[tok]
		s.mu.Unlock()
		switch {
		case tok == "":
			answer(w, 41001, "access_token missing", nil)
		case !ok:
			answer(w, 40014, "invalid access_token", nil)
		case expired:
			answer(w, 42001, "access_token expired", nil)
		default:
			h(w, r)
		}
	}
}

func (s *Server) robot(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		key := s.robotKey
		s.mu.Unlock()
		if r.URL.Query().Get("key") != key {
			answer(w, 93000, "invalid webhook url", nil)
			return
		}
		h(w, r)
	}
}

// sendRequest is the body of message/send and webhook/send.
type sendRequest struct {
	ToUser  string `json:"touser"`
	MsgType string `json:"msgtype"`
	AgentID int    `json:"agentid"`
	Text    *struct {
		Content string `json:"content"`
	} `json:"text"`
	Markdown *struct {
		Content string `json:"content"`
	} `json:"markdown"`
	Image *struct {
		MediaID string `json:"media_id"`
		Base64  string `json:"base64"`
		MD5     string `json:"md5"`
	} `json:"image"`
	File *struct {
		MediaID string `json:"media_id"`
	} `json:"file"`
	TemplateCard *struct {
		CardType  string `json:"card_type"`
		TaskID    string `json:"task_id"`
		MainTitle struct {
			Title string `json:"title"`
			Desc  string `json:"desc"`
		} `json:"main_title"`
		SubTitleText string `json:"sub_title_text"`
		ButtonList   []struct {
			Text  string `json:"text"`
			Style int    `json:"style"`
			Key   string `json:"key"`
		} `json:"button_list"`
	} `json:"template_card"`
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *sendRequest, bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		answer(w, 44002, "empty post data", nil)
		return nil, nil, false
	}
	var req sendRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		answer(w, 47001, "data format error", nil)
		return nil, nil, false
	}
	return raw, &req, true
}

// content validates and extracts a message's content into m; it answers
// and returns false when WeCom would refuse it.
func (s *Server) content(w http.ResponseWriter, req *sendRequest, m *Message, robot bool) bool {
	switch req.MsgType {
	case "text", "markdown":
		var c string
		switch {
		case req.MsgType == "text" && req.Text != nil:
			c = req.Text.Content
		case req.MsgType == "markdown" && req.Markdown != nil:
			c = req.Markdown.Content
		}
		if c == "" {
			answer(w, 44004, "empty content", nil)
			return false
		}
		limit := MaxTextBytes
		if robot && req.MsgType == "markdown" {
			limit = MaxRobotMarkdownBytes
		}
		if len(c) > limit {
			if robot {
				answer(w, 40058, fmt.Sprintf("%s.content exceed max length %d", req.MsgType, limit), nil)
				return false
			}
			c, m.Truncated = c[:limit], true
		}
		m.Content = c
	case "image":
		if req.Image == nil {
			answer(w, 40058, "image is required", nil)
			return false
		}
		if robot {
			data, err := base64.StdEncoding.DecodeString(req.Image.Base64)
			sum := md5.Sum(data)
			if err != nil || len(data) == 0 || hex.EncodeToString(sum[:]) != req.Image.MD5 {
				answer(w, 40009, "invalid image size or md5", nil)
				return false
			}
			m.Image = data
			return true
		}
		if _, ok := s.Media(req.Image.MediaID); !ok {
			answer(w, 40007, "invalid media_id", nil)
			return false
		}
		m.MediaID = req.Image.MediaID
	case "file":
		if req.File == nil {
			answer(w, 40058, "file is required", nil)
			return false
		}
		if _, ok := s.Media(req.File.MediaID); !ok {
			answer(w, 40007, "invalid media_id", nil)
			return false
		}
		m.MediaID = req.File.MediaID
	case "template_card":
		tc := req.TemplateCard
		if robot || tc == nil || tc.CardType != "button_interaction" || tc.TaskID == "" || len(tc.ButtonList) == 0 || len(tc.ButtonList) > 6 {
			answer(w, 40058, "invalid template_card", nil)
			return false
		}
		card := &TemplateCard{CardType: tc.CardType, TaskID: tc.TaskID, Title: tc.MainTitle.Title, Desc: tc.MainTitle.Desc, SubTitle: tc.SubTitleText}
		for _, b := range tc.ButtonList {
			if b.Key == "" {
				answer(w, 40058, "button key is required", nil)
				return false
			}
			card.Buttons = append(card.Buttons, Button{Text: b.Text, Key: b.Key, Style: b.Style})
		}
		if s.taskIDUsed(tc.TaskID) {
			answer(w, 40058, "task_id already used", nil)
			return false
		}
		m.TemplateCard = card
	default:
		answer(w, 40008, "invalid message type", nil)
		return false
	}
	return true
}

func (s *Server) taskIDUsed(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.sent {
		if m.TemplateCard != nil && m.TemplateCard.TaskID == id {
			return true
		}
	}
	return false
}

func (s *Server) messageSend(w http.ResponseWriter, r *http.Request) {
	raw, req, ok := readBody(w, r)
	if !ok {
		return
	}
	if req.ToUser == "" {
		answer(w, 40031, "invalid userid list", nil)
		return
	}
	m := Message{Path: PathMessageSend, ToUser: req.ToUser, MsgType: req.MsgType, AgentID: req.AgentID, Raw: raw}
	if !s.content(w, req, &m, false) {
		return
	}
	var invalid []string
	valid := 0
	s.mu.Lock()
	for _, u := range strings.Split(req.ToUser, "|") {
		if s.invalid[u] {
			invalid = append(invalid, u)
		} else {
			valid++
		}
	}
	s.mu.Unlock()
	extra := map[string]any{"invaliduser": strings.Join(invalid, "|"), "invalidparty": "", "invalidtag": "", "unlicenseduser": ""}
	if valid == 0 {
		answer(w, 81013, "user & party & tag all invalid", extra)
		return
	}
	m.MsgID = s.record(m)
	extra["msgid"] = m.MsgID
	answer(w, 0, "ok", extra)
}

// record appends m and returns its msgid.
func (s *Server) record(m Message) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	m.MsgID = "msg-" + strconv.Itoa(s.seq)
	s.sent = append(s.sent, m)
	return m.MsgID
}

// storeUpload parses the multipart form's "media" part and stores it.
func (s *Server) storeUpload(w http.ResponseWriter, r *http.Request, kind string) (Media, bool) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		answer(w, 44001, "empty media data", nil)
		return Media{}, false
	}
	files := r.MultipartForm.File["media"]
	if len(files) != 1 {
		answer(w, 44001, "empty media data", nil)
		return Media{}, false
	}
	f, err := files[0].Open()
	if err != nil {
		answer(w, 44001, "empty media data", nil)
		return Media{}, false
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil || len(data) <= 5 {
		answer(w, 40006, "invalid media size", nil)
		return Media{}, false
	}
	s.mu.Lock()
	s.seq++
	m := Media{ID: "media-" + strconv.Itoa(s.seq), Type: kind, Name: files[0].Filename, MIME: http.DetectContentType(data), Data: data}
	s.media[m.ID] = m
	s.mu.Unlock()
	return m, true
}

func (s *Server) mediaUpload(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("type")
	switch kind {
	case "image", "voice", "video", "file":
	default:
		answer(w, 40004, "invalid media type", nil)
		return
	}
	m, ok := s.storeUpload(w, r, kind)
	if !ok {
		return
	}
	answer(w, 0, "", map[string]any{"type": kind, "media_id": m.ID, "created_at": "1380000000"})
}

func (s *Server) mediaGet(w http.ResponseWriter, r *http.Request) {
	m, ok := s.Media(r.URL.Query().Get("media_id"))
	if !ok {
		answer(w, 40007, "invalid media_id", nil)
		return
	}
	w.Header().Set("Content-Type", m.MIME)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": m.Name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(m.Data)))
	_, _ = w.Write(m.Data)
}

func (s *Server) menuCreate(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("agentid") == "" {
		answer(w, 40056, "invalid agentid", nil)
		return
	}
	raw, err := io.ReadAll(r.Body)
	var menu struct {
		Button []json.RawMessage `json:"button"`
	}
	if err != nil || json.Unmarshal(raw, &menu) != nil || len(menu.Button) == 0 || len(menu.Button) > 3 {
		answer(w, 40058, "invalid button", nil)
		return
	}
	s.mu.Lock()
	s.menus = append(s.menus, raw)
	s.mu.Unlock()
	answer(w, 0, "ok", nil)
}

func (s *Server) webhookSend(w http.ResponseWriter, r *http.Request) {
	raw, req, ok := readBody(w, r)
	if !ok {
		return
	}
	m := Message{Path: PathWebhookSend, MsgType: req.MsgType, Raw: raw}
	if req.MsgType == "text" && req.Text != nil && len(req.Text.Content) > MaxRobotTextBytes {
		answer(w, 40058, "text.content exceed max length 2048", nil)
		return
	}
	if !s.content(w, req, &m, true) {
		return
	}
	s.record(m)
	answer(w, 0, "ok", nil)
}

func (s *Server) webhookUpload(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("type") != "file" {
		answer(w, 40004, "invalid media type", nil)
		return
	}
	m, ok := s.storeUpload(w, r, "file")
	if !ok {
		return
	}
	answer(w, 0, "ok", map[string]any{"type": "file", "media_id": m.ID, "created_at": "1380000000"})
}

// PressCard plays a member pressing a button of the card taskID: it returns
// the ResponseCode WeCom puts in the template_card_event, which
// update_template_card accepts once.
func (s *Server) PressCard(user, taskID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	code := "RC" + strconv.Itoa(s.seq)
	s.codes[code] = &responseCode{user: user, taskID: taskID}
	return code
}

// CardUpdates returns the accepted update_template_card calls.
func (s *Server) CardUpdates() []CardUpdate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CardUpdate(nil), s.updates...)
}

// updateCard takes update_template_card with a button replacement: the
// response_code must be one issued and not used yet.
func (s *Server) updateCard(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserIDs      []string `json:"userids"`
		AgentID      int      `json:"agentid"`
		ResponseCode string   `json:"response_code"`
		Button       *struct {
			ReplaceName string `json:"replace_name"`
		} `json:"button"`
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || json.Unmarshal(raw, &req) != nil {
		answer(w, 47001, "data format error", nil)
		return
	}
	if req.AgentID == 0 {
		answer(w, 40056, "invalid agentid", nil)
		return
	}
	if req.Button == nil || req.Button.ReplaceName == "" {
		answer(w, 40058, "invalid button", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rc := s.codes[req.ResponseCode]
	if rc == nil || rc.used {
		answer(w, 40058, "invalid response_code", nil)
		return
	}
	rc.used = true
	s.updates = append(s.updates, CardUpdate{UserIDs: req.UserIDs, ResponseCode: req.ResponseCode, TaskID: rc.taskID, ReplaceName: req.Button.ReplaceName})
	answer(w, 0, "ok", nil)
}
