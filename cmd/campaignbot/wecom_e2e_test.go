package main

// End-to-end tests of the WeCom adapter: the whole program (Main) runs
// against the fake WeCom API of bot/wecom/wecomtest, and the tests play
// WeCom's side of the callback URL with the adapter's own Crypt. Replies
// are read from what the fake recorded of message/send and webhook/send.

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/bot/telegram/telegramtest"
	"campaignbot/bot/wecom"
	"campaignbot/bot/wecom/wecomtest"
	"campaignbot/plan"
	"campaignbot/store"
)

// The application's settings, as an office would copy them from the WeCom
// admin console. The token and EncodingAESKey are Tencent's sample values.
const (
	wcCorpID  = "ww5823bf96d3bd56c7"
	wcSecret  = "app-secret-for-e2e"
	wcAgentID = 1000002
	wcToken   = "QDG6eK"
	wcAESKey  = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	wcTGToken = "424242:e2e-telegram-token"
	// wcTGUser is the Telegram user id of 钱多, who is on both platforms.
	wcTGUser = 5001
)

// wcWait bounds every wait for an outcome.
const wcWait = 15 * time.Second

// wcRoster is the organisation of the tests: one person per flow, so that
// no member comes near WeCom's 30 messages a minute.
var wcRoster = []campaignbot.RosterEntry{
	{Name: "陈丽", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleOffice, campaignbot.RoleMember}, WeCom: "chenli"},
	{Name: "李明华", Departments: []string{"局领导"}, Roles: []campaignbot.Role{campaignbot.RoleLeader, campaignbot.RoleMember}, WeCom: "liminghua", InChargeOf: []string{"科技管理科"}},
	{Name: "孙静", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}, WeCom: "sunjing"},
	{Name: "赵磊", Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMiddle, campaignbot.RoleMember}, WeCom: "zhaolei"},
	{Name: "周敏", Departments: []string{"政策法规科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}, WeCom: "zhoumin"},
	{Name: "吴芳", Departments: []string{"政策法规科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}, WeCom: "wufang"},
	{Name: "郑强", Departments: []string{"高新技术科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}, WeCom: "zhengqiang"},
	{Name: "钱多", Departments: []string{"高新技术科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}, Telegram: strconv.Itoa(wcTGUser), WeCom: "qianduo"},
	{Name: "冯刚", Departments: []string{"高新技术科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}, WeCom: "fenggang"},
	{Name: "刘洋", Departments: []string{"高新技术科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}, WeCom: "liuyang"},
}

// Invite codes beyond each person's own (keyed by name).
const (
	wcCodeTelegram = "钱多/telegram"
	wcCodeExpired  = "郑强/expired"
)

// wcHTTP plays WeCom's HTTP client; its timeout keeps a stuck server from
// hanging the test.
var wcHTTP = &http.Client{Timeout: wcWait}

// wecomE2E is one running program with its fakes.
type wecomE2E struct {
	t      *testing.T
	fake   *wecomtest.Server
	tg     *telegramtest.Server // nil unless Telegram runs too
	crypt  *wecom.Crypt
	m      *Main
	dbPath string
	raw    *sql.DB // read-only view of the store, for what no service returns
	codes  map[string]string
	logs   *tgLogBuffer

	seq    atomic.Int64   // message ids and create times
	base   int64          // CreateTime of the first message
	mu     sync.Mutex     // guards seen and seenTG
	seen   map[string]int // WeCom messages consumed per member
	seenTG map[int64]int  // Telegram messages consumed per chat
}

// newWeComE2E seeds a store (roster, invites, a plan in its study phase
// with no quiet hours, so that nothing waits for the morning), starts the
// fake WeCom API (and, with telegram, the fake Bot API) and runs the program
// against them until the test ends.
func newWeComE2E(t *testing.T, telegram bool, configure ...func(*Main)) *wecomE2E {
	t.Helper()
	dir := t.TempDir()
	h := &wecomE2E{
		t:      t,
		fake:   wecomtest.NewServer(t, wcCorpID, wcSecret),
		dbPath: filepath.Join(dir, "campaign.db"),
		codes:  map[string]string{},
		logs:   &tgLogBuffer{},
		seen:   map[string]int{},
		seenTG: map[int64]int{},
		base:   time.Now().Unix(),
	}
	crypt, err := wecom.NewCrypt(wcToken, wcAESKey, wcCorpID)
	if err != nil {
		t.Fatal(err)
	}
	h.crypt = crypt

	planPath := wcWritePlan(t, dir)
	h.seed(planPath)

	env := map[string]string{
		"CAMPAIGNBOT_DB":   h.dbPath,
		"CAMPAIGNBOT_PLAN": planPath,
		"WECOM_CORP_ID":    wcCorpID,
		"WECOM_AGENT_ID":   strconv.Itoa(wcAgentID),
		"WECOM_SECRET":     wcSecret,
		"WECOM_TOKEN":      wcToken,
		"WECOM_AES_KEY":    wcAESKey,
		"WECOM_API_URL":    h.fake.URL(),
		"WECOM_ROBOT_KEY":  h.fake.RobotKey(),
	}
	if telegram {
		h.tg = telegramtest.NewServer(t, wcTGToken)
		env["TELEGRAM_BOT_TOKEN"] = wcTGToken
		env["TELEGRAM_API_URL"] = h.tg.URL()
	}
	h.run(env, configure...)

	h.raw, err = sql.Open("sqlite", "file:"+h.dbPath+"?_pragma=query_only(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.raw.Close() })
	t.Cleanup(func() {
		for _, m := range h.fake.Sent() {
			if m.Truncated {
				t.Errorf("WeCom truncated a message to %q of %d bytes: the sender must split it", m.ToUser, len(m.Content))
			}
		}
		if t.Failed() {
			t.Logf("program log:\n%s", h.logs.String())
		}
	})
	return h
}

// wcWritePlan writes the default plan started 20 days ago (the study
// phase is live) without quiet hours and returns its path.
func wcWritePlan(t *testing.T, dir string) string {
	t.Helper()
	loc, err := time.LoadLocation(plan.DefaultTimeZone)
	if err != nil {
		t.Fatal(err)
	}
	_, text, err := plan.Default(campaignbot.DateOf(time.Now(), loc).AddDays(-20))
	if err != nil {
		t.Fatal(err)
	}
	quiet := []byte(`quiet_hours: "21:30-08:00"`)
	if !bytes.Contains(text, quiet) {
		t.Fatalf("the default plan has no %s line", quiet)
	}
	text = bytes.Replace(text, quiet, []byte(`quiet_hours: "00:00-00:00"`), 1)
	path := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// seed applies the plan, imports the roster and makes the invites before
// the program starts, as the office does with `plan apply`, `roster import`
// and `invite`.
func (h *wecomE2E) seed(planPath string) {
	t := h.t
	ctx := context.Background()
	if code, out, stderr := run(t, nil, "", "plan", "apply", "--db", h.dbPath, planPath); code != 0 {
		t.Fatalf("plan apply: %d %s %s", code, out, stderr)
	}
	db, err := store.Open(ctx, h.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, _, err := db.ImportRoster(ctx, wcRoster); err != nil {
		t.Fatal(err)
	}
	invite := func(name string) string {
		person, err := db.FindPersonByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		inv, err := db.CreateInvite(ctx, person.ID)
		if err != nil {
			t.Fatal(err)
		}
		return inv.Code
	}
	// The expired code first: a code made later replaces the person's
	// unexpired ones.
	clock := db.Now
	db.Now = func() time.Time { return clock().Add(-campaignbot.InviteTTL - 24*time.Hour) }
	h.codes[wcCodeExpired] = invite("郑强")
	db.Now = clock
	// Codes are for Telegram: WeCom members are bound by the roster.
	for _, e := range wcRoster {
		h.codes[e.Name] = invite(e.Name)
	}
	h.codes[wcCodeTelegram] = h.codes["钱多"]
}

// run starts the program as `campaignbot run --listen 127.0.0.1:0` would
// with env, and stops it when the test ends.
func (h *wecomE2E) run(env map[string]string, configure ...func(*Main)) {
	t := h.t
	m := &Main{IO: IO{In: strings.NewReader(""), Out: io.Discard, Err: h.logs}}
	for _, c := range configure {
		c(m)
	}
	runFlagSet(m.IO, func(k string) string { return env[k] }, &m.Config)
	m.Config.Listen = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		cancel()
		t.Fatalf("open: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(wcWait):
			t.Errorf("the program did not stop within %s", wcWait)
		}
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	select {
	case <-m.Ready:
	case err := <-done:
		t.Fatalf("run ended before it was ready: %v", err)
	case <-time.After(wcWait):
		t.Fatalf("not ready within %s", wcWait)
	}
	h.m = m
}

// wcWaitFor polls cond until it holds or wcWait has passed.
func wcWaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wcWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", wcWait, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// callback is one message or event as WeCom pushes it to the callback URL.
type callback struct {
	plain     string
	timestamp string
	nonce     string
	signature string
	body      []byte
}

// newCallback wraps the decrypted XML fields of a message from user.
func (h *wecomE2E) newCallback(user, fields string) *callback {
	n := h.seq.Add(1)
	plain := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime>%s<AgentID>%d</AgentID></xml>", wcCorpID, user, h.base+n, fields, wcAgentID)
	return &callback{plain: plain, timestamp: strconv.FormatInt(time.Now().Unix(), 10), nonce: fmt.Sprintf("n%08d", n)}
}

// msgID returns a fresh MsgId element.
func (h *wecomE2E) msgID() string {
	return fmt.Sprintf("<MsgId>%d</MsgId>", 7300000000000000000+h.seq.Add(1))
}

func (h *wecomE2E) text(user, content string) *callback {
	return h.newCallback(user, "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA["+content+"]]></Content>"+h.msgID())
}

func (h *wecomE2E) image(user, mediaID string) *callback {
	return h.newCallback(user, "<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[https://wework.qpic.cn/wwpic/1/0]]></PicUrl>"+
		"<MediaId><![CDATA["+mediaID+"]]></MediaId>"+h.msgID())
}

func (h *wecomE2E) file(user, mediaID, name string) *callback {
	return h.newCallback(user, "<MsgType><![CDATA[file]]></MsgType><MediaId><![CDATA["+mediaID+"]]></MediaId>"+
		"<FileName><![CDATA["+name+"]]></FileName>"+h.msgID())
}

// click is a click on the application menu.
func (h *wecomE2E) click(user, key string) *callback {
	return h.newCallback(user, "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[click]]></Event><EventKey><![CDATA["+key+"]]></EventKey>")
}

// press is a press of a template card button.
func (h *wecomE2E) press(user string, card *wecomtest.TemplateCard, key string) *callback {
	h.t.Helper()
	// The button's key carries its label (wecom.JoinCardKey); WeCom
	// returns the whole key, and a ResponseCode for update_template_card.
	i := slices.IndexFunc(card.Buttons, func(b wecomtest.Button) bool {
		data, _ := wecom.SplitCardKey(b.Key)
		return data == key
	})
	if i < 0 {
		h.t.Fatalf("card %q has no button with key %q: %+v", card.Title, key, card.Buttons)
	}
	return h.newCallback(user, "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>"+
		"<EventKey><![CDATA["+card.Buttons[i].Key+"]]></EventKey><TaskId><![CDATA["+card.TaskID+"]]></TaskId>"+
		"<CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA["+h.fake.PressCard(user, card.TaskID)+"]]></ResponseCode>")
}

// callbackURL is the program's callback URL with q.
func (h *wecomE2E) callbackURL(q url.Values) string {
	return "http://" + h.m.Addr + "/wecom/callback?" + q.Encode()
}

// post sends cb as WeCom does (the same bytes again when WeCom retries)
// and returns the HTTP status.
func (h *wecomE2E) post(cb *callback) int {
	h.t.Helper()
	if cb.body == nil {
		sig, body, err := h.crypt.EncryptCallback([]byte(cb.plain), wcCorpID, strconv.Itoa(wcAgentID), cb.timestamp, cb.nonce)
		if err != nil {
			h.t.Fatal(err)
		}
		cb.signature, cb.body = sig, body
	}
	q := url.Values{"msg_signature": {cb.signature}, "timestamp": {cb.timestamp}, "nonce": {cb.nonce}}
	return h.postRaw(h.callbackURL(q), cb.body)
}

func (h *wecomE2E) postRaw(u string, body []byte) int {
	h.t.Helper()
	resp, err := wcHTTP.Post(u, "text/xml", bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// send posts cb and requires WeCom's 200.
func (h *wecomE2E) send(cb *callback) {
	h.t.Helper()
	if got, want := h.post(cb), http.StatusOK; got != want {
		h.t.Fatalf("callback answered %d, want %d", got, want)
	}
}

// sentTo returns the app messages sent to user so far.
func (h *wecomE2E) sentTo(user string) []wecomtest.Message {
	var out []wecomtest.Message
	for _, m := range h.fake.Sent() {
		// One call may carry a text to many members (touser "a|b").
		if m.Path == wecomtest.PathMessageSend && slices.Contains(strings.Split(m.ToUser, "|"), user) {
			out = append(out, m)
		}
	}
	return out
}

// wcShown is everything a member sees of a message: text, card title, text
// and buttons.
func wcShown(m wecomtest.Message) string {
	s := m.Content
	if c := m.TemplateCard; c != nil {
		s += c.Title + "\n" + c.Desc + "\n" + c.SubTitle
		for _, b := range c.Buttons {
			s += "\n[" + b.Text + "]"
		}
	}
	return s
}

// next waits for the next message sent to user.
func (h *wecomE2E) next(user string) wecomtest.Message {
	h.t.Helper()
	var msg wecomtest.Message
	wcWaitFor(h.t, "a message to "+user, func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		msgs := h.sentTo(user)
		if len(msgs) <= h.seen[user] {
			return false
		}
		msg = msgs[h.seen[user]]
		h.seen[user]++
		return true
	})
	return msg
}

// expect waits for the next message to user and checks that it shows each
// of wants.
func (h *wecomE2E) expect(user string, wants ...string) wecomtest.Message {
	h.t.Helper()
	m := h.next(user)
	for _, w := range wants {
		if !strings.Contains(wcShown(m), w) {
			h.t.Fatalf("message to %s does not show %q:\n%s", user, w, wcShown(m))
		}
	}
	return m
}

// expectCard is expect for a template card with buttons.
func (h *wecomE2E) expectCard(user string, wants ...string) *wecomtest.TemplateCard {
	h.t.Helper()
	m := h.expect(user, wants...)
	if m.MsgType != "template_card" || m.TemplateCard == nil || len(m.TemplateCard.Buttons) == 0 {
		h.t.Fatalf("message to %s is a %s, want a template card with buttons:\n%s", user, m.MsgType, wcShown(m))
	}
	return m.TemplateCard
}

// say sends text from user and expects a reply showing wants.
func (h *wecomE2E) say(user, text string, wants ...string) wecomtest.Message {
	h.t.Helper()
	h.send(h.text(user, text))
	return h.expect(user, wants...)
}

// bind binds user to name's roster entry through the chat.
// The roster binds WeCom accounts at import, so a leader may already have
// been sent the day's digest (text and chart) when the program started after the digest
// hour: that is skipped.
func (h *wecomE2E) bind(user, name string) {
	h.t.Helper()
	h.send(h.text(user, "绑定"))
	m := h.next(user)
	for strings.HasPrefix(wcShown(m), "【每日简报】") || m.MsgType == "image" {
		m = h.next(user) // the digest and its chart
	}
	for _, w := range []string{"已通过企业微信绑定为 " + name, "无需邀请码"} {
		if !strings.Contains(wcShown(m), w) {
			h.t.Fatalf("message to %s does not show %q:\n%s", user, w, wcShown(m))
		}
	}
}

// quiet checks that nothing more was sent to user: it sends /cancel as a
// barrier (callbacks are processed in order, replies delivered in order)
// and requires its answer to be the next message.
func (h *wecomE2E) quiet(user string) {
	h.t.Helper()
	h.say(user, "/cancel", "没有进行中的对话")
}

// person returns the stored person called name.
func (h *wecomE2E) person(name string) *campaignbot.Person {
	h.t.Helper()
	p, err := h.m.DB.FindPersonByName(context.Background(), name)
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

// submissions returns name's submissions, newest first.
func (h *wecomE2E) submissions(name string) []*campaignbot.Submission {
	h.t.Helper()
	id := h.person(name).ID
	subs, err := h.m.DB.FindSubmissions(context.Background(), campaignbot.SubmissionFilter{PersonID: &id})
	if err != nil {
		h.t.Fatal(err)
	}
	return subs
}

// count runs a COUNT query on the store.
func (h *wecomE2E) count(query string, args ...any) int {
	h.t.Helper()
	var n int
	if err := h.raw.QueryRow(query, args...).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

func (h *wecomE2E) inboundRows() int {
	return h.count(`SELECT COUNT(*) FROM inbound WHERE platform = 'wecom'`)
}

// wcJPEG is a small photo of a handwritten page.
func wcJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range 16 {
		img.Set(i, i, color.Black)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func wcSHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func TestWeComURLVerification(t *testing.T) {
	h := newWeComE2E(t, false)
	const plain = "1616140317555161061"
	echostr, err := h.crypt.Encrypt([]byte(plain))
	if err != nil {
		t.Fatal(err)
	}
	ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), "263014780"
	get := func(sig string) (int, string) {
		t.Helper()
		q := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}, "echostr": {echostr}}
		resp, err := wcHTTP.Get(h.callbackURL(q))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(body)
	}
	status, body := get(h.crypt.Signature(ts, nonce, echostr))
	if got, want := status, http.StatusOK; got != want {
		t.Fatalf("status = %d, want %d (%s)", got, want, body)
	}
	if got, want := body, plain; got != want {
		t.Errorf("body = %q, want the bare echostr %q", got, want)
	}
	if status, _ := get(strings.Repeat("0", 40)); status != http.StatusUnauthorized {
		t.Errorf("wrong signature: status %d, want 401", status)
	}

	// The program installs the app menu, whose clicks send commands.
	wcWaitFor(t, "menu/create", func() bool { return len(h.fake.Menus()) > 0 })
	for _, key := range []string{`"/tasks"`, `"/note"`, `"/submit"`, `"/mine"`, `"/help"`} {
		if !bytes.Contains(h.fake.Menus()[0], []byte(key)) {
			t.Errorf("the menu has no %s button: %s", key, h.fake.Menus()[0])
		}
	}
}

func TestWeComMemberFlows(t *testing.T) {
	h := newWeComE2E(t, false)
	ctx := context.Background()

	t.Run("bind", func(t *testing.T) {
		h.t = t
		// The roster's UserID is bound at import (SPEC §4): the first
		// message is answered as 孙静's, with no code asked for.
		h.say("sunjing", "/tasks", "学习笔记")
		h.say("sunjing", "/start", "已通过企业微信绑定为 孙静", "科技管理科", "无需邀请码")
		// A code sent on WeCom binds nothing and is not used up.
		h.say("zhaolei", "绑定 "+h.codes["孙静"], "已通过企业微信绑定为 赵磊", "无需邀请码")
		h.say("zhengqiang", "/start "+h.codes[wcCodeExpired], "已通过企业微信绑定为 郑强")
		// A UserID the roster does not list is told to ask the office,
		// whatever it sends; no code helps.
		for _, text := range []string{"/help", "/tasks", "绑定 " + h.codes["孙静"], "今天的学习笔记"} {
			reply := h.say("stranger", text, "不在活动名册中", "stranger", "办公室")
			if strings.Contains(reply.Content, "/start") || strings.Contains(reply.Content, "邀请码：") {
				t.Errorf("%q: the answer on WeCom points to codes:\n%s", text, reply.Content)
			}
		}
		var used int
		if err := h.raw.QueryRow(`SELECT COUNT(*) FROM invites WHERE used_at IS NOT NULL`).Scan(&used); err != nil {
			t.Fatal(err)
		}
		if used != 0 {
			t.Errorf("%d invite codes used on WeCom", used)
		}
		if _, err := h.m.DB.FindAccount(ctx, campaignbot.PlatformWeCom, "stranger"); campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
			t.Errorf("stranger: %v, want not bound", err)
		}
		acc, err := h.m.DB.FindAccount(ctx, campaignbot.PlatformWeCom, "sunjing")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := acc.PersonID, h.person("孙静").ID; got != want {
			t.Errorf("sunjing bound to person %d, want %d", got, want)
		}
	})

	t.Run("help and tasks", func(t *testing.T) {
		h.t = t
		// On WeCom the texts name the Chinese words, never a slash
		// command (SPEC §4).
		h.say("sunjing", "/help", "孙静，您可以使用", "「任务」", "「笔记」", "「请假」")
		help := h.say("sunjing", "帮助", "孙静，您可以使用")
		if strings.Contains(help.Content, "/announce") || strings.Contains(help.Content, "「通知」") {
			t.Errorf("a member's help lists /announce:\n%s", help.Content)
		}
		if regexp.MustCompile(`/[a-z]`).MatchString(help.Content) {
			t.Errorf("help on WeCom names slash commands:\n%s", help.Content)
		}
		tasks := h.say("sunjing", "/tasks", "学习调研阶段", "学习笔记", "「提交」 study-notes")
		h.say("sunjing", "任务", "学习调研阶段")
		// The app menu sends the command as the click's EventKey.
		h.send(h.click("sunjing", "/tasks"))
		if got := h.expect("sunjing", "学习调研阶段"); got.Content != tasks.Content {
			t.Errorf("menu /tasks = %q, want %q", got.Content, tasks.Content)
		}
		h.say("sunjing", "/announce 明天开会", "只供")
	})

	t.Run("note text, image and file", func(t *testing.T) {
		h.t = t
		h.say("sunjing", "/note 今天学习了科学发展观的基本内涵。", "已收到并保存", "学习笔记", "附件 0 个")

		photo := wcJPEG(t)
		h.fake.AddMedia("MEDIA_PHOTO_1", "page.jpg", "image/jpeg", photo)
		h.say("sunjing", "笔记", "请发送“学习笔记”的内容")
		h.send(h.image("sunjing", "MEDIA_PHOTO_1"))
		h.expect("sunjing", "已收到并保存", "学习笔记", "附件 1 个")
		subs := h.submissions("孙静")
		if len(subs) != 2 || len(subs[0].Attachments) != 1 {
			t.Fatalf("submissions after the photo: %+v", subs)
		}
		att := subs[0].Attachments[0]
		if got, want := att.SHA256, wcSHA256(photo); got != want {
			t.Errorf("attachment sha256 = %s, want %s", got, want)
		}
		if got, want := att.Platform, campaignbot.PlatformWeCom; got != want {
			t.Errorf("attachment platform = %q, want %q", got, want)
		}
		stored, err := os.ReadFile(filepath.Join(h.dbPath+".files", att.SHA256))
		if err != nil {
			t.Fatalf("the photo is not under the store's files: %v", err)
		}
		if !bytes.Equal(stored, photo) {
			t.Errorf("stored photo differs from the one sent")
		}

		// A document sent without a command: the bot asks which task it is for.
		doc := []byte("PK\x03\x04 学习心得：理论联系实际。")
		h.fake.AddMedia("MEDIA_DOC_1", "media_doc_1", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", doc)
		h.send(h.file("sunjing", "MEDIA_DOC_1", "学习心得.docx"))
		card := h.expectCard("sunjing", "这条内容提交到哪项任务", "学习笔记")
		h.send(h.press("sunjing", card, "/submit study-notes"))
		h.expect("sunjing", "已收到并保存", "学习笔记", "附件 1 个")
		subs = h.submissions("孙静")
		if len(subs) != 3 || len(subs[0].Attachments) != 1 || subs[0].Attachments[0].Name != "学习心得.docx" {
			t.Fatalf("submissions after the document: %+v", subs)
		}
		if _, err := os.Stat(filepath.Join(h.dbPath+".files", wcSHA256(doc))); err != nil {
			t.Errorf("the document is not under the store's files: %v", err)
		}
	})

	t.Run("WeCom retries a message", func(t *testing.T) {
		h.t = t
		before := len(h.submissions("孙静"))
		rows := h.inboundRows()
		cb := h.text("sunjing", "/note 重试也只保存一次。")
		h.send(cb)
		h.expect("sunjing", "已收到并保存")
		for range 2 {
			h.send(cb) // WeCom retries when it did not get our 200 in time
		}
		h.quiet("sunjing")
		if got, want := len(h.submissions("孙静")), before+1; got != want {
			t.Errorf("%d submissions, want %d", got, want)
		}
		if got, want := h.inboundRows(), rows+2; got != want { // the note and the /cancel
			t.Errorf("%d inbound rows, want %d", got, want)
		}
	})

	t.Run("mine", func(t *testing.T) {
		h.t = t
		mine := h.say("sunjing", "/mine", "我最近提交的 4 份材料", "学习笔记", "重试也只保存一次")
		if got := h.say("sunjing", "我的", "我最近提交的"); got.Content != mine.Content {
			t.Errorf("我的 = %q, want %q", got.Content, mine.Content)
		}
	})

	t.Run("submit with a choice", func(t *testing.T) {
		h.t = t
		card := h.expectCardAfter("zhaolei", "/submit", "要提交哪项任务", "专题发言及学习心得", "学习笔记")
		h.send(h.press("zhaolei", card, "/submit topic-speech"))
		h.expect("zhaolei", "请发送“专题发言及学习心得”的内容")
		// The pressed card now shows the choice and cannot be pressed again.
		if ups := h.fake.CardUpdates(); len(ups) == 0 || ups[len(ups)-1].TaskID != card.TaskID || ups[len(ups)-1].ReplaceName != "已选：专题发言及学习心得" {
			t.Errorf("card updates %+v, want the pressed card %s to show 已选：专题发言及学习心得", ups, card.TaskID)
		}
		h.say("zhaolei", "专题发言：以科学发展观统领科技工作。", "已收到并保存", "专题发言及学习心得", "第 1 版")

		card = h.expectCardAfter("zhaolei", "提交", "要提交哪项任务")
		h.send(h.press("zhaolei", card, "/submit study-notes"))
		h.expect("zhaolei", "请发送“学习笔记”的内容")
		h.say("zhaolei", "取消", "已取消")
		h.say("zhaolei", "/cancel", "没有进行中的对话")
		h.say("zhaolei", "提交 topic-speech", "请发送“专题发言及学习心得”的内容")
		h.say("zhaolei", "修改后的专题发言。", "已收到并保存", "第 2 版")
		h.say("zhaolei", "/submit no-such-task", "没有“no-such-task”这项任务")
		h.say("zhaolei", "/submit study-report", "不是您需要提交的任务")

		subs := h.submissions("赵磊")
		if len(subs) != 2 || subs[0].TaskKey != "topic-speech" || subs[0].Version != 2 {
			t.Fatalf("赵磊's submissions: %+v", subs)
		}
		h.say("zhaolei", "/mine", "我最近提交的 2 份材料", "专题发言及学习心得")
	})

	t.Run("opinions", func(t *testing.T) {
		h.t = t
		h.bind("zhoumin", "周敏")
		h.say("zhoumin", "/opinion", "请发送您的意见")
		h.say("zhoumin", "建议多到企业一线调研。", "意见已收到")
		h.say("zhoumin", "意见 简化科技项目申报材料。", "意见已收到")

		anon := "审批环节太多，作风要转变。"
		h.say("zhoumin", "匿名意见", "匿名意见")
		cb := h.text("zhoumin", anon)
		h.send(cb)
		h.expect("zhoumin", "匿名意见已收到")
		h.say("zhoumin", "/opinion anon 会议太多，落实太少。", "匿名意见已收到")

		ops, err := h.m.DB.FindOpinions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		named, anonymous := 0, 0
		for _, op := range ops {
			switch {
			case op.Anonymous && op.AuthorID == 0:
				anonymous++
			case !op.Anonymous && op.AuthorID == h.person("周敏").ID:
				named++
			default:
				t.Errorf("opinion %+v", op)
			}
		}
		if named != 2 || anonymous != 2 {
			t.Errorf("%d named and %d anonymous opinions, want 2 and 2", named, anonymous)
		}
		// The raw callback of the anonymous text no longer ties it to its sender.
		if n := h.count(`SELECT COUNT(*) FROM inbound WHERE platform = 'wecom' AND CAST(payload AS TEXT) LIKE ?`, "%"+anon+"%"); n != 0 {
			t.Errorf("%d inbound rows still hold the anonymous opinion", n)
		}
	})

	t.Run("survey", func(t *testing.T) {
		h.t = t
		h.say("zhoumin", "问卷", "问卷：征求意见，共 5 题")
		card := h.expectCard("zhoumin", "第 1/5 题", "1. 党员干部落实科学发展观")
		h.send(h.press("zhoumin", card, "sv:0:3"))
		h.expect("zhoumin", "第 2/5 题", "请直接回复文字")
		answers := []string{"个别干部调研不深入。", "企业需要技术和人才。", "项目管理重审批轻服务。", "建议建立科技服务的考核机制。"}
		for i, a := range answers[:3] {
			h.say("zhoumin", a, fmt.Sprintf("第 %d/5 题", i+3))
		}
		h.say("zhoumin", answers[3], "“征求意见”已提交，谢谢参与")
		h.say("zhoumin", "/survey", "目前没有需要您填写的问卷")
		// The survey is anonymous: no raw callback keeps an answer beside
		// its sender.
		for _, a := range answers {
			if n := h.count(`SELECT COUNT(*) FROM inbound WHERE CAST(payload AS TEXT) LIKE ?`, "%"+a+"%"); n != 0 {
				t.Errorf("%d inbound rows still hold the answer %q", n, a)
			}
		}
		done, err := h.m.DB.HasAnswered(ctx, "opinions", h.person("周敏").ID)
		if err != nil || !done {
			t.Errorf("HasAnswered = %v, %v; want true", done, err)
		}

		// Numbered options typed as text, a wrong one first; then /cancel.
		h.bind("wufang", "吴芳")
		h.say("wufang", "/survey", "问卷：征求意见")
		h.expectCard("wufang", "第 1/5 题")
		h.say("wufang", "9", "这个回答无效")
		h.expectCard("wufang", "第 1/5 题")
		h.say("wufang", "2", "第 2/5 题")
		h.say("wufang", "/cancel", "已取消")
		h.say("wufang", "问卷", "问卷：征求意见")
		h.expectCard("wufang", "第 1/5 题")
		h.say("wufang", "取消", "已取消")
	})

	t.Run("leave", func(t *testing.T) {
		h.t = t
		today := campaignbot.DateOf(time.Now(), h.m.Plan().Loc())
		from, to := today.AddDays(3), today.AddDays(5)
		h.say("wufang", fmt.Sprintf("/leave %s %s", from, to), "已登记请假 #", from.String()+" 至 "+to.String(), to.AddDays(1).String())
		h.say("wufang", fmt.Sprintf("请假 %s %s", to.AddDays(10), to.AddDays(11)), "已登记请假")
		h.say("wufang", "/leave", "用法：「请假」")
		h.say("wufang", fmt.Sprintf("请假 %s %s", to, from), "结束日期不能早于开始日期")
		h.say("wufang", fmt.Sprintf("/leave %s %s", today.AddDays(-9), today.AddDays(-8)), "请假结束日期已过")
		leaves, err := h.m.DB.FindLeaves(ctx, h.person("吴芳").ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(leaves) != 2 || leaves[0].From != from || leaves[0].To != to {
			t.Errorf("leaves = %+v, want two, the first %s to %s", leaves, from, to)
		}
	})

	t.Run("unknown and empty", func(t *testing.T) {
		h.t = t
		h.say("wufang", "/nosuch", "没有 /nosuch 这个命令")
		h.say("wufang", "/note", "请发送“学习笔记”的内容")
		h.say("wufang", "/cancel", "已取消")
		// Opening the app and tapping the menu in the same second: the
		// click is not mistaken for a retry of the enter_agent event, which
		// gets no answer.
		click := h.click("wufang", "/help")
		enter := h.newCallback("wufang", "")
		enter.plain = strings.Replace(click.plain, "<Event><![CDATA[click]]></Event><EventKey><![CDATA[/help]]></EventKey>",
			"<Event><![CDATA[enter_agent]]></Event><EventKey><![CDATA[]]></EventKey>", 1)
		h.send(enter)
		h.send(click)
		h.expect("wufang", "吴芳，您可以使用")
		h.quiet("wufang")
	})
}

// expectCardAfter sends text from user and expects a card showing wants.
func (h *wecomE2E) expectCardAfter(user, text string, wants ...string) *wecomtest.TemplateCard {
	h.t.Helper()
	h.send(h.text(user, text))
	return h.expectCard(user, wants...)
}

// wcEncryptRaw encrypts plain as WXBizMsgCrypt does but leaves the padding
// to the caller, for callbacks that must fail after the signature check.
func wcEncryptRaw(t *testing.T, plain []byte) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(wcAESKey + "=")
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out)
}

// wcEnvelope is the POST body WeCom wraps an Encrypt value in.
func wcEnvelope(enc string) []byte {
	return []byte("<xml><ToUserName><![CDATA[" + wcCorpID + "]]></ToUserName><AgentID><![CDATA[" + strconv.Itoa(wcAgentID) +
		"]]></AgentID><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
}

func TestWeComRejectsBadCallbacks(t *testing.T) {
	h := newWeComE2E(t, false)
	h.bind("sunjing", "孙静")
	before := h.inboundRows()

	note := h.text("sunjing", "/note 不应保存的笔记")
	ts, nonce := note.timestamp, note.nonce
	sign := func(enc string) url.Values {
		return url.Values{"msg_signature": {h.crypt.Signature(ts, nonce, enc)}, "timestamp": {ts}, "nonce": {nonce}}
	}
	goodSig, goodBody, err := h.crypt.EncryptCallback([]byte(note.plain), wcCorpID, strconv.Itoa(wcAgentID), ts, nonce)
	if err != nil {
		t.Fatal(err)
	}

	// Padding of 0 bytes (invalid) after a well-formed message.
	msg := []byte(note.plain)
	plain := make([]byte, 0, 256)
	plain = append(plain, bytes.Repeat([]byte{'r'}, 16)...)
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(msg)))
	plain = append(plain, msg...)
	plain = append(plain, wcCorpID...)
	for len(plain)%32 != 0 {
		plain = append(plain, 0)
	}
	badPadding := wcEncryptRaw(t, plain)

	other, err := wecom.NewCrypt(wcToken, wcAESKey, "wwSomeOtherCorp")
	if err != nil {
		t.Fatal(err)
	}
	_, otherCorpBody, err := other.EncryptCallback([]byte(note.plain), wcCorpID, strconv.Itoa(wcAgentID), ts, nonce)
	if err != nil {
		t.Fatal(err)
	}
	otherCorpEnc := wcBetween(string(otherCorpBody), "<Encrypt><![CDATA[", "]]>")

	notXML, err := h.crypt.Encrypt([]byte("this is not xml"))
	if err != nil {
		t.Fatal(err)
	}
	noSender, err := h.crypt.Encrypt([]byte("<xml><MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>"))
	if err != nil {
		t.Fatal(err)
	}
	stale := strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)
	staleSig, staleBody, err := h.crypt.EncryptCallback([]byte(note.plain), wcCorpID, "1", stale, nonce)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		q    url.Values
		body []byte
		want int
	}{
		{"wrong signature", url.Values{"msg_signature": {strings.Repeat("ab", 20)}, "timestamp": {ts}, "nonce": {nonce}}, goodBody, http.StatusUnauthorized},
		{"no signature", url.Values{"timestamp": {ts}, "nonce": {nonce}}, goodBody, http.StatusUnauthorized},
		{"signature of another body", url.Values{"msg_signature": {goodSig}, "timestamp": {ts}, "nonce": {nonce}}, wcEnvelope(notXML), http.StatusUnauthorized},
		{"stale timestamp", url.Values{"msg_signature": {staleSig}, "timestamp": {stale}, "nonce": {nonce}}, staleBody, http.StatusUnauthorized},
		{"bad padding", sign(badPadding), wcEnvelope(badPadding), http.StatusBadRequest},
		{"wrong corp id", sign(otherCorpEnc), wcEnvelope(otherCorpEnc), http.StatusBadRequest},
		{"decrypted text is not XML", sign(notXML), wcEnvelope(notXML), http.StatusBadRequest},
		{"message without sender", sign(noSender), wcEnvelope(noSender), http.StatusBadRequest},
		{"envelope is not XML", sign("x"), []byte("<xml><Encrypt>"), http.StatusBadRequest},
		{"not base64", sign("%%%%"), wcEnvelope("%%%%"), http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			if got := h.postRaw(h.callbackURL(tt.q), tt.body); got != tt.want {
				t.Errorf("status = %d, want %d", got, tt.want)
			}
			if got, want := h.inboundRows(), before; got != want {
				t.Errorf("%d inbound rows, want %d: a rejected callback was stored", got, want)
			}
		})
	}
	h.t = t
	// Nothing was processed: the next message gets the next answer, and no
	// note was stored.
	h.quiet("sunjing")
	if subs := h.submissions("孙静"); len(subs) != 0 {
		t.Errorf("a rejected callback was stored as %+v", subs)
	}
	// The same message, properly sent, is taken.
	h.send(note)
	h.expect("sunjing", "已收到并保存", "学习笔记")
}

// wcBetween returns the text of s between after and the next before.
func wcBetween(s, after, before string) string {
	_, rest, _ := strings.Cut(s, after)
	v, _, _ := strings.Cut(rest, before)
	return v
}

// expectTG waits for the next Telegram message to chat and checks that it
// shows each of wants.
func (h *wecomE2E) expectTG(chat int64, wants ...string) telegramtest.SentMessage {
	h.t.Helper()
	var msg telegramtest.SentMessage
	wcWaitFor(h.t, fmt.Sprintf("a Telegram message to %d", chat), func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		msgs := h.tg.Sent(chat)
		if len(msgs) <= h.seenTG[chat] {
			return false
		}
		msg = msgs[h.seenTG[chat]]
		h.seenTG[chat]++
		return true
	})
	for _, w := range wants {
		if !strings.Contains(msg.Text, w) {
			h.t.Fatalf("Telegram message to %d does not show %q:\n%s", chat, w, msg.Text)
		}
	}
	return msg
}

// sayTG sends text from the Telegram user and expects a reply showing wants.
func (h *wecomE2E) sayTG(user int64, text string, wants ...string) telegramtest.SentMessage {
	h.t.Helper()
	h.tg.SendText(user, "qianduo", text)
	return h.expectTG(user, wants...)
}

func TestWeComAndTelegramSamePerson(t *testing.T) {
	h := newWeComE2E(t, true)
	const user = "qianduo"
	h.bind(user, "钱多")
	h.sayTG(wcTGUser, "/start "+h.codes[wcCodeTelegram], "绑定成功", "钱多")
	accs, err := h.m.DB.FindAccountsByPerson(context.Background(), h.person("钱多").ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(accs) != 2 {
		t.Fatalf("钱多 has %d accounts, want one on each platform: %+v", len(accs), accs)
	}

	// Before: the same pending tasks on both, each in its platform's words
	// (「提交」 on WeCom where Telegram says /submit).
	words := map[string]string{}
	for _, c := range h.m.Engine.Commands() {
		if len(c.Aliases) > 0 {
			words[c.Name] = c.Aliases[0]
		}
	}
	inWeCom := wecom.NewWords(words, "zh").Apply
	wcTasks := h.say(user, "/tasks", "学习笔记", "⏳")
	tgTasks := h.sayTG(wcTGUser, "/tasks", "学习笔记", "⏳")
	if got, want := inWeCom(tgTasks.Text), wcTasks.Content; got != want {
		t.Errorf("Telegram /tasks = %q, WeCom /tasks = %q", got, want)
	}

	// A note on WeCom shows on Telegram, and the other way round.
	h.say(user, "/note 两个平台看到同一份笔记。", "已收到并保存", "第 1 版")
	tgTasks = h.sayTG(wcTGUser, "/tasks", "✅ 学习笔记")
	tgMine := h.sayTG(wcTGUser, "/mine", "我最近提交的 1 份材料", "两个平台看到同一份笔记")
	h.sayTG(wcTGUser, "/note 在 Telegram 上写的第二篇。", "已收到并保存", "第 2 版")
	wcMine := h.say(user, "我的", "我最近提交的 2 份材料", "两个平台看到同一份笔记", "在 Telegram 上写的第二篇")
	wcTasks = h.say(user, "任务", "✅ 学习笔记")
	if got, want := wcTasks.Content, inWeCom(tgTasks.Text); got != want {
		t.Errorf("WeCom /tasks = %q, Telegram /tasks = %q", got, want)
	}
	if !strings.Contains(wcMine.Content, strings.Split(tgMine.Text, "\n")[1]) {
		t.Errorf("WeCom /mine does not list Telegram's line %q:\n%s", strings.Split(tgMine.Text, "\n")[1], wcMine.Content)
	}
	subs := h.submissions("钱多")
	if len(subs) != 2 || len(subs[0].Attachments) != 0 || len(subs[1].Attachments) != 0 {
		t.Fatalf("钱多's submissions: %+v", subs)
	}

	// The engine answers a Telegram request for the same person alike.
	replies, err := h.m.Engine.Handle(context.Background(), &bot.Request{
		Platform: campaignbot.PlatformTelegram, AccountID: strconv.Itoa(wcTGUser), ChatID: strconv.Itoa(wcTGUser), Text: "/mine",
	})
	if err != nil || len(replies) != 1 || replies[0].Text != wcMine.Content {
		t.Errorf("engine /mine for the Telegram account = %+v, %v; want %q", replies, err, wcMine.Content)
	}
}

func TestWeComTokenExpiryAndInvalidUser(t *testing.T) {
	h := newWeComE2E(t, false)
	h.bind("liuyang", "刘洋")
	calls := h.fake.TokenCalls()
	h.fake.ExpireToken()
	h.say("liuyang", "/help", "刘洋，您可以使用")
	if got, want := h.fake.TokenCalls(), calls+1; got != want {
		t.Errorf("%d gettoken calls, want %d (refetched once)", got, want)
	}
	h.fake.InjectErrcode(wecomtest.PathMessageSend, 40014, 1)
	h.say("liuyang", "/tasks", "学习笔记")
	if got, want := h.fake.TokenCalls(), calls+2; got != want {
		t.Errorf("%d gettoken calls after 40014, want %d", got, want)
	}

	// A member outside the app's visible range: the reply is refused and
	// the person is marked unreachable on WeCom.
	h.bind("fenggang", "冯刚")
	h.fake.SetInvalidUser("fenggang")
	h.send(h.text("fenggang", "/tasks"))
	id := h.person("冯刚").ID
	wcWaitFor(t, "冯刚 marked unreachable on WeCom", func() bool {
		p, err := h.m.DB.FindPersonByID(context.Background(), id)
		return err == nil && slices.Contains(p.Unreachable, campaignbot.PlatformWeCom)
	})
	if p := h.person("刘洋"); len(p.Unreachable) != 0 {
		t.Errorf("刘洋 is marked unreachable on %v", p.Unreachable)
	}
}

func TestWeComGroupRobot(t *testing.T) {
	h := newWeComE2E(t, false)
	h.bind("chenli", "陈丽")
	robot := func(want string) func() bool {
		return func() bool {
			for _, m := range h.fake.Sent() {
				if m.Path == wecomtest.PathWebhookSend && strings.Contains(m.Content, want) {
					return true
				}
			}
			return false
		}
	}
	const text = "明天下午三点在三楼会议室集中学习。"
	h.send(h.text("chenli", "/announce 全体 "+text))
	wcWaitFor(t, "the announcement on the group robot", robot(text))
	// 陈丽 gets the acknowledgement and, being bound, the announcement.
	wcWaitFor(t, "陈丽's acknowledgement and copy", func() bool {
		var ack, copy bool
		for _, m := range h.sentTo("chenli") {
			ack = ack || strings.Contains(m.Content, "通知正在发给")
			copy = copy || strings.Contains(m.Content, text)
		}
		return ack && copy
	})

	today := campaignbot.DateOf(time.Now(), h.m.Plan().Loc())
	h.send(h.text("chenli", fmt.Sprintf("/ledger add 科技项目审批环节多 | 精简审批流程 | 李明华 | %s", today.AddDays(30))))
	wcWaitFor(t, "the ledger item", func() bool {
		return slices.ContainsFunc(h.sentTo("chenli"), func(m wecomtest.Message) bool { return strings.Contains(m.Content, "已加入整改台账") })
	})
	h.send(h.text("chenli", "台账 发布"))
	wcWaitFor(t, "the ledger on the group robot", robot("科技项目审批环节多"))

	// A reply with a file: uploaded with media/upload, sent as a file message.
	h.send(h.text("chenli", "导出"))
	var media wecomtest.Media
	wcWaitFor(t, "the workbook as a file message", func() bool {
		for _, m := range h.sentTo("chenli") {
			if m.MsgType == "file" {
				var ok bool
				media, ok = h.fake.Media(m.MediaID)
				return ok
			}
		}
		return false
	})
	if !strings.HasSuffix(media.Name, ".xlsx") || !bytes.HasPrefix(media.Data, []byte("PK")) {
		t.Errorf("the workbook arrived as %q (%d bytes)", media.Name, len(media.Data))
	}
}

// TestWeComChangeContactKeepsRosterInStep: a member added to the address
// book (a change_contact event, as Tencent documents it) is in the roster
// and bound by the time the bot has followed the event: their first
// message is answered as theirs, with no code.
func TestWeComChangeContactKeepsRosterInStep(t *testing.T) {
	h := newWeComE2E(t, false)
	h.fake.SetAddressBook(
		[]wecomtest.Department{{ID: 1, Name: "市科技局"}, {ID: 5, Name: "科技管理科", ParentID: 1}},
		[]wecomtest.User{{UserID: "newbie", Name: "新同事", Departments: []int64{5}}},
		nil,
	)
	h.send(h.newCallback("sys", "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event>"+
		"<ChangeType>create_user</ChangeType><UserID><![CDATA[newbie]]></UserID><Name><![CDATA[新同事]]></Name>"+
		"<Department><![CDATA[5]]></Department><MainDepartment>5</MainDepartment><Status>1</Status>"))
	wcWaitFor(t, "新同事 bound by the address book", func() bool {
		_, err := h.m.DB.FindAccount(context.Background(), campaignbot.PlatformWeCom, "newbie")
		return err == nil
	})
	h.say("newbie", "任务", "学习笔记")
	h.say("newbie", "绑定", "已通过企业微信绑定为 新同事", "科技管理科")
	// The members the address book does not list stay.
	if _, err := h.m.DB.FindAccount(context.Background(), campaignbot.PlatformWeCom, "sunjing"); err != nil {
		t.Errorf("孙静, not in this address book, was unbound: %v", err)
	}

	// Deleted from the address book (delete_user): off the roster, told
	// so on the next message, what they submitted kept.
	h.say("newbie", "笔记 读了《实践论》", "已收到")
	newbie := h.person("新同事")
	h.send(h.newCallback("sys", "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event>"+
		"<ChangeType>delete_user</ChangeType><UserID><![CDATA[newbie]]></UserID>"))
	wcWaitFor(t, "新同事 taken off the roster", func() bool {
		_, err := h.m.DB.FindAccount(context.Background(), campaignbot.PlatformWeCom, "newbie")
		return campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND
	})
	if ps, err := h.m.DB.FindPeople(context.Background(), campaignbot.PersonFilter{}); err != nil {
		t.Fatal(err)
	} else if slices.ContainsFunc(ps, func(p *campaignbot.Person) bool { return p.Name == "新同事" }) {
		t.Errorf("新同事 is still listed on the roster")
	}
	if subs, err := h.m.DB.FindSubmissions(context.Background(), campaignbot.SubmissionFilter{PersonID: &newbie.ID}); err != nil || len(subs) != 1 {
		t.Errorf("新同事's submissions: %d %v, want the note kept", len(subs), err)
	}
	h.say("newbie", "任务", "不在活动名册中")
	// A delete_user for someone never on the roster changes nothing.
	h.send(h.newCallback("sys", "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event>"+
		"<ChangeType>delete_user</ChangeType><UserID><![CDATA[nobody]]></UserID>"))
	h.say("sunjing", "任务", "学习笔记")
}
