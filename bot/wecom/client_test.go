package wecom_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"campaignbot"
	"campaignbot/bot/wecom"
	"campaignbot/bot/wecom/wecomtest"
)

const (
	testCorp   = "ww0123456789abcdef"
	testSecret = "app-secret"
	testAgent  = 1000002
)

// testClock is a settable clock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock(t time.Time) *testClock { return &testClock{now: t} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// MustClient returns a fake WeCom server and a client of it.
func MustClient(tb testing.TB, opts ...wecom.Option) (*wecomtest.Server, *wecom.Client) {
	tb.Helper()
	srv := wecomtest.NewServer(tb, testCorp, testSecret)
	return srv, wecom.NewClient(srv.URL(), testCorp, testSecret, testAgent, opts...)
}

func TestTokenCached(t *testing.T) {
	clock := newTestClock(time.Unix(1700000000, 0))
	srv, c := MustClient(t, wecom.WithClock(clock))
	ctx := context.Background()
	for i := range 5 {
		if _, err := c.SendText(ctx, "zhangsan", "提醒"+string(rune('0'+i))); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := srv.TokenCalls(), 1; got != want {
		t.Fatalf("gettoken calls = %d, want %d", got, want)
	}
	// Past expires_in minus the margin the token is fetched again.
	clock.Add(wecomtest.TokenLifetime*time.Second - 4*time.Minute)
	if _, err := c.SendText(ctx, "zhangsan", "again"); err != nil {
		t.Fatal(err)
	}
	if got, want := srv.TokenCalls(), 2; got != want {
		t.Fatalf("gettoken calls after expiry = %d, want %d", got, want)
	}
	sent := srv.Sent()
	if got, want := len(sent), 6; got != want {
		t.Fatalf("sent %d, want %d", got, want)
	}
	if m := sent[0]; m.ToUser != "zhangsan" || m.MsgType != "text" || m.AgentID != testAgent || m.Content != "提醒0" {
		t.Fatalf("sent[0] = %+v", m)
	}
}

func TestTokenConcurrentFetchOnce(t *testing.T) {
	srv, c := MustClient(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := c.Token(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got, want := srv.TokenCalls(), 1; got != want {
		t.Fatalf("gettoken calls = %d, want %d", got, want)
	}
}

func TestTokenRefreshOnceOnExpiry(t *testing.T) {
	for _, code := range []int{0, 40014, 40001} {
		srv, c := MustClient(t)
		ctx := context.Background()
		if _, err := c.SendText(ctx, "zhangsan", "one"); err != nil {
			t.Fatal(err)
		}
		if code == 0 {
			srv.ExpireToken() // the server answers 42001
		} else {
			srv.InjectErrcode(wecomtest.PathMessageSend, code, 1)
		}
		if _, err := c.SendText(ctx, "zhangsan", "two"); err != nil {
			t.Fatalf("code %d: %v", code, err)
		}
		if got, want := srv.TokenCalls(), 2; got != want {
			t.Fatalf("code %d: gettoken calls = %d, want %d", code, got, want)
		}
		if got, want := len(srv.Sent()), 2; got != want {
			t.Fatalf("code %d: sent %d, want %d", code, got, want)
		}
	}
}

func TestTokenRefreshNotRepeated(t *testing.T) {
	srv, c := MustClient(t)
	srv.InjectErrcode(wecomtest.PathMessageSend, 42001, 3)
	_, err := c.SendText(context.Background(), "zhangsan", "x")
	var ae *wecom.APIError
	if !errors.As(err, &ae) || ae.Code != 42001 {
		t.Fatalf("err = %v, want errcode 42001", err)
	}
	if got, want := srv.TokenCalls(), 2; got != want {
		t.Fatalf("gettoken calls = %d, want %d (one refresh)", got, want)
	}
	if se := wecom.ClassifyError(err); se.Permanent || se.Unreachable {
		t.Fatalf("expired token classified %+v, want retryable", se)
	}
}

// A wrong secret is a fault of the deployment: delivery pauses and the
// message is kept, instead of every message failing for good.
func TestBadSecretIsAFaultAndHidden(t *testing.T) {
	srv := wecomtest.NewServer(t, testCorp, testSecret)
	c := wecom.NewClient(srv.URL(), testCorp, "wrong-secret", testAgent)
	_, err := c.SendText(context.Background(), "zhangsan", "x")
	if se := wecom.ClassifyError(err); se.Fault == nil || se.Fault.Code != campaignbot.FaultWeComSecret || se.Permanent {
		t.Fatalf("bad secret: %+v, want fault %s", se, campaignbot.FaultWeComSecret)
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Fatalf("error reveals the secret: %v", err)
	}
}

func TestTransportErrorHidesQuery(t *testing.T) {
	// A base URL nobody listens on: the error must not carry the query.
	dead := wecom.NewClient("http://127.0.0.1:1", testCorp, testSecret, testAgent)
	_, err := dead.SendText(context.Background(), "zhangsan", "x")
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), "corpsecret") {
		t.Fatalf("error reveals the query: %v", err)
	}
	if se := wecom.ClassifyError(err); se.Permanent || se.Unreachable {
		t.Fatalf("network error classified %+v, want retryable", se)
	}
}

func TestInvalidUserIsUnreachable(t *testing.T) {
	srv, c := MustClient(t)
	srv.SetInvalidUser("ghost")
	_, err := c.SendText(context.Background(), "ghost", "你好")
	var iu *wecom.InvalidUserError
	if !errors.As(err, &iu) {
		t.Fatalf("err = %v, want InvalidUserError", err)
	}
	se := wecom.ClassifyError(err)
	if !se.Unreachable {
		t.Fatalf("ClassifyError = %+v, want Unreachable", se)
	}
	// A valid member in the same call is still delivered; the invalid one is reported.
	_, err = c.SendText(context.Background(), "zhangsan|ghost", "你好")
	if !errors.As(err, &iu) {
		t.Fatalf("partial: err = %v", err)
	}
	if got, want := len(srv.Sent()), 1; got != want {
		t.Fatalf("sent %d, want %d", got, want)
	}
}

func TestClassifyError(t *testing.T) {
	tests := []struct {
		name        string
		inject      func(*wecomtest.Server)
		retryAfter  time.Duration
		permanent   bool
		unreachable bool
	}{
		{"frequency", func(s *wecomtest.Server) { s.InjectErrcode(wecomtest.PathMessageSend, 45009, 1) }, 60 * time.Second, false, false},
		{"concurrency", func(s *wecomtest.Server) { s.InjectErrcode(wecomtest.PathMessageSend, 45033, 1) }, 60 * time.Second, false, false},
		{"http 429", func(s *wecomtest.Server) { s.InjectStatus(wecomtest.PathMessageSend, 429, 1) }, 7 * time.Second, false, false},
		{"http 502", func(s *wecomtest.Server) { s.InjectStatus(wecomtest.PathMessageSend, 502, 1) }, 0, false, false},
		{"system busy", func(s *wecomtest.Server) { s.InjectErrcode(wecomtest.PathMessageSend, -1, 1) }, 0, false, false},
		{"other errcode", func(s *wecomtest.Server) { s.InjectErrcode(wecomtest.PathMessageSend, 40008, 1) }, 0, true, false},
		{"user not found", func(s *wecomtest.Server) { s.InjectErrcode(wecomtest.PathMessageSend, 60111, 1) }, 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := MustClient(t)
			tt.inject(srv)
			_, err := c.SendText(context.Background(), "zhangsan", "x")
			se := wecom.ClassifyError(err)
			if se == nil {
				t.Fatal("no error")
			}
			if se.RetryAfter != tt.retryAfter || se.Permanent != tt.permanent || se.Unreachable != tt.unreachable {
				t.Fatalf("ClassifyError(%v) = %+v", err, se)
			}
		})
	}
	if wecom.ClassifyError(nil) != nil {
		t.Fatal("ClassifyError(nil) != nil")
	}
}

func TestTimeoutIsRetryable(t *testing.T) {
	block := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block })
	srv := newHTTPServer(t, slow)
	defer close(block)
	c := wecom.NewClient(srv, testCorp, testSecret, testAgent, wecom.WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}))
	_, err := c.SendText(context.Background(), "zhangsan", "x")
	se := wecom.ClassifyError(err)
	if se == nil || se.Permanent || se.Unreachable {
		t.Fatalf("timeout classified %+v (%v), want retryable", se, err)
	}
}

func TestSendLongChineseTextSplit(t *testing.T) {
	srv, c := MustClient(t)
	var paras []string
	for i := range 40 {
		paras = append(paras, strings.Repeat("深入学习实践科学发展观，推动企业发展。", 2+i%6))
	}
	text := strings.Join(paras, "\n\n")
	if _, err := c.SendText(context.Background(), "zhangsan", text); err != nil {
		t.Fatal(err)
	}
	sent := srv.Sent()
	if len(sent) < 2 {
		t.Fatalf("%d bytes sent in %d messages", len(text), len(sent))
	}
	var got []string
	for i, m := range sent {
		if m.Truncated || len(m.Content) > wecom.MaxTextBytes || !utf8.ValidString(m.Content) {
			t.Fatalf("part %d: %d bytes, truncated %v, valid %v", i, len(m.Content), m.Truncated, utf8.ValidString(m.Content))
		}
		for _, p := range strings.Split(m.Content, "\n\n") {
			if !slices.Contains(paras, p) {
				t.Fatalf("part %d breaks a paragraph: %q", i, p)
			}
		}
		got = append(got, m.Content)
	}
	if strings.Join(got, "\n\n") != text {
		t.Fatal("parts do not make up the text")
	}
}

func TestSendEmptyText(t *testing.T) {
	_, c := MustClient(t)
	_, err := c.SendText(context.Background(), "zhangsan", "  ")
	if got, want := campaignbot.ErrorCode(err), campaignbot.EINVALID; got != want {
		t.Fatalf("code = %q, want %q", got, want)
	}
}

func TestSendMarkdown(t *testing.T) {
	srv, c := MustClient(t)
	if _, err := c.SendMarkdown(context.Background(), "zhangsan", "**简报**\n> 完成 80%"); err != nil {
		t.Fatal(err)
	}
	if m := srv.Sent()[0]; m.MsgType != "markdown" || m.Content != "**简报**\n> 完成 80%" {
		t.Fatalf("sent %+v", m)
	}
}

func TestSendTemplateCard(t *testing.T) {
	srv, c := MustClient(t)
	card := wecom.TemplateCard{Title: "学习笔记", Desc: "截止 3月1日", SubTitle: "请提交本周学习笔记", Buttons: []wecom.CardButton{{Text: "提交", Key: "submit:note"}, {Text: "请假", Key: "/leave", Style: 2}}}
	ctx := context.Background()
	id, err := c.SendTemplateCard(ctx, "zhangsan", card)
	if err != nil {
		t.Fatal(err)
	}
	if id == "" {
		t.Fatal("no msgid")
	}
	if _, err := c.SendTemplateCard(ctx, "zhangsan", card); err != nil {
		t.Fatalf("second card (task ids must differ): %v", err)
	}
	got := srv.Sent()[0].TemplateCard
	if got.CardType != "button_interaction" || got.Title != "学习笔记" || got.Desc != "截止 3月1日" || got.SubTitle != "请提交本周学习笔记" {
		t.Fatalf("card = %+v", got)
	}
	if len(got.Buttons) != 2 || got.Buttons[0] != (wecomtest.Button{Text: "提交", Key: "submit:note", Style: 1}) || got.Buttons[1].Style != 2 {
		t.Fatalf("buttons = %+v", got.Buttons)
	}
	if srv.Sent()[0].TemplateCard.TaskID == srv.Sent()[1].TemplateCard.TaskID {
		t.Fatal("task ids repeat")
	}
	for _, bad := range []wecom.TemplateCard{
		{Title: "x"},
		{Title: "x", Buttons: make([]wecom.CardButton, 7)},
		{Title: "x", TaskID: "有中文", Buttons: []wecom.CardButton{{Text: "a", Key: "a"}}},
		{Title: "x", Buttons: []wecom.CardButton{{Text: "a"}}},
	} {
		if _, err := c.SendTemplateCard(ctx, "zhangsan", bad); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
			t.Errorf("card %+v: err = %v, want EINVALID", bad, err)
		}
	}
}

func TestUploadAndSendFile(t *testing.T) {
	srv, c := MustClient(t)
	ctx := context.Background()
	data := []byte("整改台账 2009 年第一阶段")
	id, err := c.UploadMedia(ctx, wecom.MediaFile, "整改台账.txt", data)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := srv.Media(id)
	if !ok || m.Name != "整改台账.txt" || !bytes.Equal(m.Data, data) || m.Type != "file" {
		t.Fatalf("stored media = %+v, %v", m, ok)
	}
	if _, err := c.SendFile(ctx, "zhangsan", id); err != nil {
		t.Fatal(err)
	}
	if got := srv.Sent()[0]; got.MsgType != "file" || got.MediaID != id {
		t.Fatalf("sent %+v", got)
	}
	img, err := c.UploadMedia(ctx, wecom.MediaImage, "chart.png", pngBytes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendImage(ctx, "zhangsan", img); err != nil {
		t.Fatal(err)
	}
	if got := srv.Sent()[1]; got.MsgType != "image" || got.MediaID != img {
		t.Fatalf("sent %+v", got)
	}
	for _, tt := range []struct {
		kind string
		data []byte
	}{{"sticker", data}, {wecom.MediaFile, []byte("tiny")}, {wecom.MediaImage, make([]byte, 10<<20+1)}} {
		if _, err := c.UploadMedia(ctx, tt.kind, "x", tt.data); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
			t.Errorf("upload %s of %d bytes: %v, want EINVALID", tt.kind, len(tt.data), err)
		}
	}
}

// pngBytes is a 1×1 PNG.
func pngBytes() []byte {
	return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
}

func TestGetMedia(t *testing.T) {
	srv, c := MustClient(t, wecom.WithMaxMediaSize(1024))
	ctx := context.Background()
	srv.AddMedia("MEDIA_OK", "现场照片.jpg", "image/jpeg", bytes.Repeat([]byte{0xff}, 1024))
	srv.AddMedia("MEDIA_BIG", "big.pdf", "application/pdf", make([]byte, 1025))
	srv.AddMedia("MEDIA_JSON", "data.json", "application/json", []byte(`{"errcode":0,"rows":[]}`))
	data, name, mimeType, err := c.GetMedia(ctx, "MEDIA_OK")
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 1024 || name != "现场照片.jpg" || mimeType != "image/jpeg" {
		t.Fatalf("GetMedia = %d bytes, %q, %q", len(data), name, mimeType)
	}
	if _, _, _, err := c.GetMedia(ctx, "MEDIA_BIG"); !errors.Is(err, wecom.ErrTooLarge) {
		t.Fatalf("big: %v, want ErrTooLarge", err)
	}
	if data, _, _, err := c.GetMedia(ctx, "MEDIA_JSON"); err != nil || !bytes.HasPrefix(data, []byte(`{"errcode":0`)) {
		t.Fatalf("a JSON file is data: %q, %v", data, err)
	}
	_, _, _, err = c.GetMedia(ctx, "MEDIA_NONE")
	var ae *wecom.APIError
	if !errors.As(err, &ae) || ae.Code != 40007 {
		t.Fatalf("unknown media: %v, want errcode 40007", err)
	}
	srv.ExpireToken()
	if _, _, _, err := c.GetMedia(ctx, "MEDIA_OK"); err != nil {
		t.Fatalf("after token expiry: %v", err)
	}
}

func TestGetMediaDefaultLimit(t *testing.T) {
	srv, c := MustClient(t)
	srv.AddMedia("HUGE", "scan.pdf", "application/pdf", make([]byte, wecom.DefaultMaxMediaSize+1))
	if _, _, _, err := c.GetMedia(context.Background(), "HUGE"); !errors.Is(err, wecom.ErrTooLarge) {
		t.Fatalf("20 MB + 1: %v, want ErrTooLarge", err)
	}
}

func TestRobot(t *testing.T) {
	srv := wecomtest.NewServer(t, testCorp, testSecret)
	r := wecom.NewRobot(srv.URL(), srv.RobotKey())
	ctx := context.Background()
	long := strings.Repeat(strings.Repeat("整改事项进展顺利。", 20)+"\n\n", 30)
	if err := r.SendMarkdown(ctx, long); err != nil {
		t.Fatal(err)
	}
	if err := r.SendText(ctx, "通知"); err != nil {
		t.Fatal(err)
	}
	if err := r.SendImage(ctx, pngBytes()); err != nil {
		t.Fatal(err)
	}
	if err := r.SendFile(ctx, "台账.xlsx", []byte("PK\x03\x04 workbook")); err != nil {
		t.Fatal(err)
	}
	sent := srv.Sent()
	var md []string
	for _, m := range sent {
		if m.Path != wecomtest.PathWebhookSend {
			t.Fatalf("robot message on %s", m.Path)
		}
		if m.MsgType == "markdown" {
			if len(m.Content) > wecom.MaxRobotMarkdownBytes {
				t.Fatalf("markdown part of %d bytes", len(m.Content))
			}
			md = append(md, m.Content)
		}
	}
	if len(md) < 2 || strings.Join(md, "\n\n") != strings.Trim(long, "\n") {
		t.Fatalf("markdown split into %d parts that do not make up the text", len(md))
	}
	last := sent[len(sent)-3:]
	if last[0].MsgType != "text" || last[0].Content != "通知" || last[1].MsgType != "image" || !bytes.Equal(last[1].Image, pngBytes()) || last[2].MsgType != "file" {
		t.Fatalf("robot sent %+v", last)
	}
	bad := wecom.NewRobot(srv.URL(), "wrong-key")
	err := bad.SendMarkdown(ctx, "x")
	var ae *wecom.APIError
	if !errors.As(err, &ae) || ae.Code != 93000 || strings.Contains(err.Error(), "wrong-key") {
		t.Fatalf("wrong key: %v", err)
	}
	srv.InjectErrcode(wecomtest.PathWebhookSend, 45009, 1)
	if se := wecom.ClassifyError(r.SendMarkdown(ctx, "x")); se == nil || se.RetryAfter != 60*time.Second {
		t.Fatalf("robot frequency limit: %+v", se)
	}
}

func TestCreateMenu(t *testing.T) {
	srv, c := MustClient(t)
	if err := c.CreateMenu(context.Background(), wecom.DefaultMenu("zh")); err != nil {
		t.Fatal(err)
	}
	menus := srv.Menus()
	if len(menus) != 1 {
		t.Fatalf("%d menus", len(menus))
	}
	var got wecom.Menu
	if err := json.Unmarshal(menus[0], &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Button) != 3 || got.Button[0].Key != "/tasks" || got.Button[0].Type != "click" {
		t.Fatalf("menu = %+v", got)
	}
	tooMany := wecom.Menu{Button: make([]wecom.MenuButton, 4)}
	if err := c.CreateMenu(context.Background(), tooMany); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
		t.Fatalf("4 buttons: %v", err)
	}
}
