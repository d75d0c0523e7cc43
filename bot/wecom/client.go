package wecom

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"campaignbot"
)

// Limits of the WeCom API that the client enforces or works around.
const (
	// MaxTextBytes is the longest text content of message/send; WeCom
	// truncates longer text, so SendText splits it.
	MaxTextBytes = 2048
	// MaxMarkdownBytes is the longest markdown content of message/send.
	MaxMarkdownBytes = 2048
	// MaxCardButtons is the most buttons a button_interaction card holds.
	MaxCardButtons = 6
	// maxCardKeyBytes and maxTaskIDBytes bound a card's button key and task id.
	maxCardKeyBytes = 1024
	maxTaskIDBytes  = 128
	// tokenMargin is how long before expires_in a token is refetched.
	tokenMargin = 5 * time.Minute
	// defaultRetryAfter is the wait after a frequency error that names none.
	defaultRetryAfter = 60 * time.Second
	// maxJSONBody bounds an API answer.
	maxJSONBody = 1 << 20
)

// Error codes WeCom answers that the client treats specially.
const (
	CodeSystemBusy        = -1
	CodeInvalidCredential = 40001 // bad secret; on other calls: bad token
	CodeInvalidMediaID    = 40007 // media/get: unknown or expired media
	CodeInvalidCorpID     = 40013
	CodeInvalidToken      = 40014
	CodeTokenExpired      = 42001
	CodeFrequency         = 45009
	CodeConcurrency       = 45033
	CodeIPNotTrusted      = 60020 // the server's IP is not in the app's 企业可信IP
	CodeUserNotFound      = 60111
	CodeInvalidRobotKey   = 93000 // webhook/send: the robot's key is invalid
	CodeAllInvalid        = 81013 // every recipient invalid or out of the app's range
)

// pathToken is the gettoken call, whose 40001 means the secret is wrong.
const pathToken = "/cgi-bin/gettoken"

// ErrTooLarge is returned by GetMedia for media over the size limit.
var ErrTooLarge = errors.New("wecom: media too large")

// APIError is a non-zero errcode of a WeCom API answer.
type APIError struct {
	Path string
	Code int
	Msg  string
}

// Error implements error.
func (e *APIError) Error() string {
	return fmt.Sprintf("wecom %s: errcode %d: %s", e.Path, e.Code, e.Msg)
}

// HTTPError is a WeCom answer with an HTTP status other than 200.
type HTTPError struct {
	Path       string
	Status     int
	RetryAfter time.Duration
}

// Error implements error.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("wecom %s: http status %d", e.Path, e.Status)
}

// InvalidUserError reports recipients that message/send listed as invalid
// (not in the corp, or outside the app's visible range).
type InvalidUserError struct {
	Users []string
	// Err is the errcode 81013 answer when every recipient was invalid.
	Err error
	// MsgID is the message the other recipients got, when there were any.
	MsgID string
}

// Error implements error.
func (e *InvalidUserError) Error() string {
	return fmt.Sprintf("wecom: invalid user %s", strings.Join(e.Users, "|"))
}

// Unwrap returns the API error, if any.
func (e *InvalidUserError) Unwrap() error { return e.Err }

// Client calls the WeCom API for one self-built application. It is safe for
// concurrent use; the access token is fetched once and shared.
type Client struct {
	baseURL  string
	corpID   string
	secret   string
	agentID  int
	http     *http.Client
	clock    campaignbot.Clock
	random   io.Reader
	maxMedia int64

	// fetching serialises token fetches while honouring the context.
	fetching chan struct{}
	mu       sync.Mutex
	token    string
	expires  time.Time
}

// NewClient returns a client of the application agentID of corpID. An
// empty baseURL means DefaultBaseURL.
func NewClient(baseURL, corpID, secret string, agentID int, opts ...Option) *Client {
	o := newOptions(opts)
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	return &Client{
		baseURL:  strings.TrimRight(baseURL, "/"),
		corpID:   corpID,
		secret:   secret,
		agentID:  agentID,
		http:     o.httpClient,
		clock:    o.clock,
		random:   o.random,
		maxMedia: o.maxMedia,
		fetching: make(chan struct{}, 1),
	}
}

// apiResult is the errcode and errmsg every answer carries.
type apiResult struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func (r *apiResult) result() *apiResult { return r }

// resulter is an answer type embedding apiResult.
type resulter interface{ result() *apiResult }

// Token returns a valid access token, fetching one with gettoken when the
// cached one is missing or about to expire.
func (c *Client) Token(ctx context.Context) (string, error) {
	if tok := c.cachedToken(); tok != "" {
		return tok, nil
	}
	select {
	case c.fetching <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("wecom token: %w", ctx.Err())
	}
	defer func() { <-c.fetching }()
	// Another caller may have fetched it while this one waited.
	if tok := c.cachedToken(); tok != "" {
		return tok, nil
	}
	var out struct {
		apiResult
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	q := url.Values{"corpid": {c.corpID}, "corpsecret": {c.secret}}
	if err := c.doJSON(ctx, http.MethodGet, pathToken, q, "", nil, &out); err != nil {
		return "", fmt.Errorf("wecom token: %w", err)
	}
	if out.AccessToken == "" {
		return "", fmt.Errorf("wecom token: empty access_token")
	}
	life := time.Duration(out.ExpiresIn) * time.Second
	if life <= 0 {
		life = 7200 * time.Second
	}
	if life > 2*tokenMargin {
		life -= tokenMargin
	} else {
		life /= 2
	}
	c.mu.Lock()
	c.token, c.expires = out.AccessToken, c.clock.Now().Add(life)
	c.mu.Unlock()
	return out.AccessToken, nil
}

func (c *Client) cachedToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.clock.Now().Before(c.expires) {
		return c.token
	}
	return ""
}

// dropToken forgets tok unless another caller has already replaced it.
func (c *Client) dropToken(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == tok {
		c.token = ""
	}
}

func isTokenError(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.Code {
	case CodeInvalidCredential, CodeInvalidToken, CodeTokenExpired:
		return true
	}
	return false
}

// withToken runs fn with an access token; when WeCom says the token is bad
// or expired it drops it and runs fn once more with a fresh one.
func (c *Client) withToken(ctx context.Context, fn func(tok string) error) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.Token(ctx)
		if err != nil {
			return err
		}
		err = fn(tok)
		if attempt == 0 && isTokenError(err) {
			c.dropToken(tok)
			continue
		}
		return err
	}
}

// call performs an authenticated API call with a JSON (or other) body.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, contentType string, body []byte, out resulter) error {
	return c.withToken(ctx, func(tok string) error {
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		qq.Set("access_token", tok)
		return c.doJSON(ctx, method, path, qq, contentType, body, out)
	})
}

// postJSON is call with v marshalled as the body.
func (c *Client) postJSON(ctx context.Context, path string, q url.Values, v any, out resulter) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("wecom %s: %w", path, err)
	}
	return c.call(ctx, http.MethodPost, path, q, "application/json; charset=utf-8", body, out)
}

// doJSON sends one request and decodes the JSON answer into out.
func (c *Client) doJSON(ctx context.Context, method, path string, q url.Values, contentType string, body []byte, out resulter) error {
	resp, err := send(ctx, c.http, method, c.baseURL, path, q, contentType, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decodeAnswer(resp, path, out)
}

// send performs one HTTP request. Transport errors name the path only: the
// query holds the access token, secret or robot key, which must not reach logs.
func send(ctx context.Context, hc *http.Client, method, baseURL, path string, q url.Values, contentType string, body []byte) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, baseURL+path+"?"+q.Encode(), rd)
	if err != nil {
		return nil, fmt.Errorf("wecom %s: new request: %w", path, redact(err, baseURL+path))
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, redact(err, baseURL+path)
	}
	return resp, nil
}

// redact replaces the URL of a *url.Error by one without the query.
func redact(err error, u string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: u, Err: ue.Err}
	}
	return err
}

// decodeAnswer checks the status and errcode of a JSON answer.
func decodeAnswer(resp *http.Response, path string, out resulter) error {
	if err := checkStatus(resp, path); err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONBody))
	if err != nil {
		return fmt.Errorf("wecom %s: read answer: %w", path, err)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("wecom %s: decode answer: %w", path, err)
	}
	if r := out.result(); r.ErrCode != 0 {
		return &APIError{Path: path, Code: r.ErrCode, Msg: r.ErrMsg}
	}
	return nil
}

func checkStatus(resp *http.Response, path string) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	e := &HTTPError{Path: path, Status: resp.StatusCode}
	if resp.StatusCode == http.StatusTooManyRequests {
		e.RetryAfter = defaultRetryAfter
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
	}
	return e
}

// sendResult is the answer of message/send.
type sendResult struct {
	apiResult
	InvalidUser    string `json:"invaliduser"`
	InvalidParty   string `json:"invalidparty"`
	InvalidTag     string `json:"invalidtag"`
	UnlicensedUser string `json:"unlicenseduser"`
	MsgID          string `json:"msgid"`
	ResponseCode   string `json:"response_code"`
}

// sendMessage posts one message/send of msgType with payload to toUser.
func (c *Client) sendMessage(ctx context.Context, toUser, msgType string, payload any) (string, error) {
	if toUser == "" {
		return "", campaignbot.Errorf(campaignbot.EINVALID, "wecom message without recipient")
	}
	body := map[string]any{
		"touser":  toUser,
		"msgtype": msgType,
		"agentid": c.agentID,
		msgType:   payload,
	}
	var out sendResult
	if err := c.postJSON(ctx, "/cgi-bin/message/send", nil, body, &out); err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Code == CodeAllInvalid {
			return "", &InvalidUserError{Users: strings.Split(toUser, "|"), Err: err}
		}
		return "", err
	}
	// WeCom UserIDs are case-insensitive.
	wanted := map[string]bool{}
	for _, u := range strings.Split(toUser, "|") {
		wanted[strings.ToLower(u)] = true
	}
	var refused []string
	for _, list := range []string{out.InvalidUser, out.UnlicensedUser} {
		for _, u := range strings.Split(list, "|") {
			if u != "" && wanted[strings.ToLower(u)] {
				refused = append(refused, u)
			}
		}
	}
	if len(refused) > 0 {
		// The others got it: MsgID says which message they got.
		return "", &InvalidUserError{Users: refused, MsgID: out.MsgID}
	}
	return out.MsgID, nil
}

// MaxToUsers is the most members one message/send carries in touser.
const MaxToUsers = 1000

// SendTextToMany sends one text of at most MaxTextBytes to up to
// MaxToUsers members in one call and returns its msgid and the members
// WeCom refused (invaliduser, unlicenseduser): the others got it.
func (c *Client) SendTextToMany(ctx context.Context, users []string, content string) (msgID string, refused []string, err error) {
	if len(users) == 0 || len(users) > MaxToUsers {
		return "", nil, campaignbot.Errorf(campaignbot.EINVALID, "touser of %d members, not 1 to %d", len(users), MaxToUsers)
	}
	if len(content) > MaxTextBytes {
		return "", nil, campaignbot.Errorf(campaignbot.EINVALID, "a text of %d bytes is over %d", len(content), MaxTextBytes)
	}
	msgID, err = c.sendMessage(ctx, strings.Join(users, "|"), "text", map[string]string{"content": content})
	var iu *InvalidUserError
	if errors.As(err, &iu) && iu.MsgID != "" {
		return iu.MsgID, iu.Users, nil
	}
	return msgID, nil, err
}

// SendText sends content to the member toUser, split into messages of at
// most MaxTextBytes on paragraph, then line, then character boundaries. It
// returns the msgid of the first message.
func (c *Client) SendText(ctx context.Context, toUser, content string) (msgID string, err error) {
	return c.sendSplit(ctx, toUser, "text", content, MaxTextBytes)
}

// SendMarkdown sends markdown content to toUser, split like SendText.
func (c *Client) SendMarkdown(ctx context.Context, toUser, content string) (msgID string, err error) {
	return c.sendSplit(ctx, toUser, "markdown", content, MaxMarkdownBytes)
}

func (c *Client) sendSplit(ctx context.Context, toUser, msgType, content string, limit int) (string, error) {
	parts := SplitText(content, limit)
	if len(parts) == 0 {
		return "", campaignbot.Errorf(campaignbot.EINVALID, "wecom %s message is empty", msgType)
	}
	var first string
	for i, p := range parts {
		id, err := c.sendMessage(ctx, toUser, msgType, map[string]string{"content": p})
		if err != nil {
			return first, fmt.Errorf("part %d of %d: %w", i+1, len(parts), err)
		}
		if i == 0 {
			first = id
		}
	}
	return first, nil
}

// TemplateCard is a button_interaction template card: a title, optional
// description and body text, and up to MaxCardButtons buttons whose keys
// come back as template_card_event EventKey.
type TemplateCard struct {
	// TaskID identifies the card for later updates; unique per card. Empty
	// means SendTemplateCard generates one.
	TaskID   string
	Title    string
	Desc     string
	SubTitle string
	Buttons  []CardButton
}

// CardButton is one button of a TemplateCard.
type CardButton struct {
	Text string
	Key  string
	// Style is 1..4 (WeCom's colours); 0 means 1.
	Style int
}

// SendTemplateCard sends card to toUser.
func (c *Client) SendTemplateCard(ctx context.Context, toUser string, card TemplateCard) (msgID string, err error) {
	if len(card.Buttons) == 0 || len(card.Buttons) > MaxCardButtons {
		return "", campaignbot.Errorf(campaignbot.EINVALID, "a template card takes 1 to %d buttons, not %d", MaxCardButtons, len(card.Buttons))
	}
	if card.TaskID == "" {
		if card.TaskID, err = c.newTaskID(); err != nil {
			return "", err
		}
	}
	if !validTaskID(card.TaskID) {
		return "", campaignbot.Errorf(campaignbot.EINVALID, "template card task id %q is not 1-%d of [A-Za-z0-9_-@]", card.TaskID, maxTaskIDBytes)
	}
	type button struct {
		Text  string `json:"text"`
		Style int    `json:"style"`
		Key   string `json:"key"`
	}
	buttons := make([]button, len(card.Buttons))
	for i, b := range card.Buttons {
		if b.Key == "" || len(b.Key) > maxCardKeyBytes {
			return "", campaignbot.Errorf(campaignbot.EINVALID, "template card button key of %d bytes", len(b.Key))
		}
		style := b.Style
		if style == 0 {
			style = 1
		}
		buttons[i] = button{Text: b.Text, Style: style, Key: b.Key}
	}
	type title struct {
		Title string `json:"title,omitempty"`
		Desc  string `json:"desc,omitempty"`
	}
	payload := struct {
		CardType     string   `json:"card_type"`
		MainTitle    title    `json:"main_title"`
		SubTitleText string   `json:"sub_title_text,omitempty"`
		TaskID       string   `json:"task_id"`
		ButtonList   []button `json:"button_list"`
	}{"button_interaction", title{card.Title, card.Desc}, card.SubTitle, card.TaskID, buttons}
	return c.sendMessage(ctx, toUser, "template_card", payload)
}

// UpdateCardButton replaces the buttons of the card a member pressed by
// one button that cannot be pressed, reading replaceName
// (update_template_card); responseCode is the template_card_event's, valid
// once and for 72 hours.
func (c *Client) UpdateCardButton(ctx context.Context, userID, responseCode, replaceName string) error {
	if responseCode == "" {
		return campaignbot.Errorf(campaignbot.EINVALID, "update_template_card without response_code")
	}
	type button struct {
		ReplaceName string `json:"replace_name"`
	}
	body := struct {
		UserIDs      []string `json:"userids"`
		AgentID      int      `json:"agentid"`
		ResponseCode string   `json:"response_code"`
		Button       button   `json:"button"`
	}{[]string{userID}, c.agentID, responseCode, button{replaceName}}
	var out apiResult
	return c.postJSON(ctx, "/cgi-bin/message/update_template_card", nil, body, &out)
}

func (c *Client) newTaskID() (string, error) {
	b := make([]byte, 12)
	if _, err := io.ReadFull(c.random, b); err != nil {
		return "", fmt.Errorf("template card task id: %w", err)
	}
	return "cb" + hex.EncodeToString(b), nil
}

func validTaskID(s string) bool {
	if s == "" || len(s) > maxTaskIDBytes {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '@'
		if !ok {
			return false
		}
	}
	return true
}

// Media kinds of UploadMedia.
const (
	MediaImage = "image"
	MediaVoice = "voice"
	MediaVideo = "video"
	MediaFile  = "file"
)

// mediaLimits are WeCom's upload limits per kind.
var mediaLimits = map[string]int{
	MediaImage: 10 << 20,
	MediaVoice: 2 << 20,
	MediaVideo: 10 << 20,
	MediaFile:  20 << 20,
}

// minMediaBytes is WeCom's lower bound for uploads.
const minMediaBytes = 5

// UploadMedia uploads data as temporary media (kept three days by WeCom) of
// kind image, voice, video or file and returns its media_id.
func (c *Client) UploadMedia(ctx context.Context, kind, name string, data []byte) (mediaID string, err error) {
	limit, ok := mediaLimits[kind]
	if !ok {
		return "", campaignbot.Errorf(campaignbot.EINVALID, "unknown media kind %q", kind)
	}
	if len(data) <= minMediaBytes || len(data) > limit {
		return "", campaignbot.Errorf(campaignbot.EINVALID, "%s %q of %d bytes is outside WeCom's %d..%d", kind, name, len(data), minMediaBytes+1, limit)
	}
	body, contentType, err := multipartMedia(name, data)
	if err != nil {
		return "", err
	}
	var out struct {
		apiResult
		Type    string `json:"type"`
		MediaID string `json:"media_id"`
	}
	q := url.Values{"type": {kind}}
	if err := c.call(ctx, http.MethodPost, "/cgi-bin/media/upload", q, contentType, body, &out); err != nil {
		return "", err
	}
	if out.MediaID == "" {
		return "", fmt.Errorf("wecom media upload: empty media_id")
	}
	return out.MediaID, nil
}

// multipartMedia builds the form WeCom's upload endpoints read: one part
// named "media" with filename and filelength.
func multipartMedia(name string, data []byte) ([]byte, string, error) {
	if name == "" {
		name = "file"
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="media"; filename="%s"; filelength=%d`, quoteEscaper.Replace(name), len(data)))
	h.Set("Content-Type", "application/octet-stream")
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", fmt.Errorf("media form: %w", err)
	}
	if _, err := part.Write(data); err != nil {
		return nil, "", fmt.Errorf("media form: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, "", fmt.Errorf("media form: %w", err)
	}
	return b.Bytes(), w.FormDataContentType(), nil
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "", "\n", "")

// SendImage sends an uploaded image to toUser.
func (c *Client) SendImage(ctx context.Context, toUser, mediaID string) (msgID string, err error) {
	return c.sendMessage(ctx, toUser, "image", map[string]string{"media_id": mediaID})
}

// SendFile sends an uploaded file to toUser.
func (c *Client) SendFile(ctx context.Context, toUser, mediaID string) (msgID string, err error) {
	return c.sendMessage(ctx, toUser, "file", map[string]string{"media_id": mediaID})
}

// GetMedia downloads temporary media a member sent. Media over the size
// limit (WithMaxMediaSize, default 20 MB) gives ErrTooLarge without being read.
func (c *Client) GetMedia(ctx context.Context, mediaID string) (data []byte, name, mimeType string, err error) {
	err = c.withToken(ctx, func(tok string) error {
		q := url.Values{"access_token": {tok}, "media_id": {mediaID}}
		resp, err := send(ctx, c.http, http.MethodGet, c.baseURL, "/cgi-bin/media/get", q, "", nil)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		data, name, mimeType, err = c.readMedia(resp, mediaID)
		return err
	})
	if err != nil {
		return nil, "", "", fmt.Errorf("get media %s: %w", mediaID, err)
	}
	return data, name, mimeType, nil
}

func (c *Client) readMedia(resp *http.Response, mediaID string) ([]byte, string, string, error) {
	const path = "/cgi-bin/media/get"
	if err := checkStatus(resp, path); err != nil {
		return nil, "", "", err
	}
	if resp.ContentLength > c.maxMedia {
		return nil, "", "", fmt.Errorf("%d bytes over %d: %w", resp.ContentLength, c.maxMedia, ErrTooLarge)
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxMedia+1))
	if err != nil {
		return nil, "", "", fmt.Errorf("read media: %w", err)
	}
	if int64(len(data)) > c.maxMedia {
		return nil, "", "", fmt.Errorf("over %d bytes: %w", c.maxMedia, ErrTooLarge)
	}
	// Errors come as JSON with an errcode; a member's JSON file does not have one.
	if mt == "application/json" || mt == "text/plain" {
		var r apiResult
		if json.Unmarshal(data, &r) == nil && r.ErrCode != 0 {
			return nil, "", "", &APIError{Path: path, Code: r.ErrCode, Msg: r.ErrMsg}
		}
	}
	name := mediaID
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		name = params["filename"]
		if u, err := url.PathUnescape(name); err == nil {
			name = u
		}
	}
	if mt == "" {
		mt = http.DetectContentType(data)
	}
	return data, name, mt, nil
}
