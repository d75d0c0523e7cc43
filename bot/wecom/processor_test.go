package wecom_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/bot/wecom"
	"campaignbot/bot/wecom/wecomtest"
	"campaignbot/scheduler"
	"campaignbot/store"
)

// decoderFixture is a Processor over the fake WeCom API, storing files in a
// real store.
type decoderFixture struct {
	srv  *wecomtest.Server
	db   *store.DB
	proc *wecom.Processor
}

func newDecoderFixture(t *testing.T, opts ...wecom.Option) *decoderFixture {
	srv, c := MustClient(t, opts...)
	db := MustOpenStore(t, newTestClock(time.Unix(1409735669, 0)))
	return &decoderFixture{srv: srv, db: db, proc: wecom.NewProcessor(c, db)}
}

// decode decodes a callback as the intake reads it back from the store.
func (f *decoderFixture) decode(payload string) (*bot.Request, error) {
	in := &campaignbot.Inbound{Platform: campaignbot.PlatformWeCom, Key: "k", Payload: []byte(payload)}
	return f.proc.Decode(context.Background(), []*campaignbot.Inbound{in})
}

// capture reads a callback captured under testdata.
func capture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestProcessorIsDecoder(t *testing.T) {
	var _ bot.Decoder = (*wecom.Processor)(nil)
}

func TestProcessorRoute(t *testing.T) {
	f := newDecoderFixture(t)
	tests := []struct {
		payload string
		want    bot.Route
	}{
		{capture(t, "text.xml"), bot.Route{Sender: "zhangsan", Chat: "zhangsan"}},
		{capture(t, "template_card_event.xml"), bot.Route{Sender: "lisi", Chat: "lisi"}},
		{capture(t, "enter_agent.xml"), bot.Route{Sender: "wangwu", Chat: "wangwu"}},
		{"<xml><MsgType>text", bot.Route{}},
	}
	for _, tt := range tests {
		got := f.proc.Route(&campaignbot.Inbound{Platform: campaignbot.PlatformWeCom, Key: "k", Payload: []byte(tt.payload)})
		if got != tt.want {
			t.Errorf("Route(%.60s…) = %+v, want %+v", tt.payload, got, tt.want)
		}
	}
}

func TestProcessorDecode(t *testing.T) {
	f := newDecoderFixture(t)
	img := bytes.Repeat([]byte{0xff, 0xd8}, 50)
	f.srv.AddMedia("MEDIA_IMG", "MEDIA_IMG.jpg", "image/jpeg", img)
	// WeCom names a file download by its media id; the member's name is in the callback.
	f.srv.AddMedia("MEDIA_FILE", "MEDIA_FILE", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK\x03\x04 report"))
	tests := []struct {
		file  string
		from  string
		check func(t *testing.T, r *bot.Request)
	}{
		{"text.xml", "zhangsan", func(t *testing.T, r *bot.Request) {
			if r.Text != "提交学习笔记" || r.MessageID != "1234567890123456" || len(r.Attachments) != 0 {
				t.Errorf("request %+v", r)
			}
		}},
		{"image.xml", "zhangsan", func(t *testing.T, r *bot.Request) {
			if len(r.Attachments) != 1 {
				t.Fatalf("attachments %+v, want the image", r.Attachments)
			}
			a := r.Attachments[0]
			if a.Name != "MEDIA_IMG.jpg" || a.MIME != "image/jpeg" || a.Size != int64(len(img)) || a.Platform != campaignbot.PlatformWeCom {
				t.Errorf("attachment %+v", a)
			}
			if data, err := os.ReadFile(f.db.AttachmentPath(a.SHA256)); err != nil || !bytes.Equal(data, img) {
				t.Errorf("stored file: %d bytes, %v; want the image fetched with media/get", len(data), err)
			}
		}},
		{"file.xml", "zhangsan", func(t *testing.T, r *bot.Request) {
			if len(r.Attachments) != 1 || r.Attachments[0].Name != "分析报告.docx" || !strings.Contains(r.Attachments[0].MIME, "wordprocessingml") {
				t.Errorf("attachments %+v, want the member's file name", r.Attachments)
			}
		}},
		{"location.xml", "zhangsan", func(t *testing.T, r *bot.Request) {
			if r.Location == nil || r.Location.Latitude != 23.134521 || r.Location.Longitude != 113.358803 {
				t.Errorf("location %+v", r.Location)
			}
		}},
		{"click.xml", "zhangsan", func(t *testing.T, r *bot.Request) {
			if r.Text != "/tasks" || r.Callback != "" || r.MessageID != "zhangsan:1409735669:click:/tasks" {
				t.Errorf("menu click %+v, want the command as text", r)
			}
		}},
		{"template_card_event.xml", "lisi", func(t *testing.T, r *bot.Request) {
			if r.Callback != "submit:note" || r.Text != "" || r.MessageID != "lisi:1409735670:template_card_event:submit:note:cb0123" {
				t.Errorf("card button %+v, want the key as callback", r)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, err := f.decode(capture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if r.Platform != campaignbot.PlatformWeCom || r.AccountID != tt.from || r.ChatID != tt.from {
				t.Errorf("request %+v, want from and to %s on WeCom", r, tt.from)
			}
			tt.check(t, r)
		})
	}
}

func TestProcessorDecodeIgnores(t *testing.T) {
	f := newDecoderFixture(t)
	head := `<xml><ToUserName>wx5823bf96d3bd56c7</ToUserName><FromUserName>zhangsan</FromUserName><CreateTime>1409735669</CreateTime><AgentID>1000002</AgentID>`
	tests := []struct {
		name    string
		payload string
	}{
		{"enter agent", capture(t, "enter_agent.xml")},
		{"location report", head + `<MsgType>event</MsgType><Event>LOCATION</Event><Latitude>23.1</Latitude><Longitude>113.3</Longitude><Precision>30</Precision></xml>`},
		{"click without key", head + `<MsgType>event</MsgType><Event>click</Event><EventKey> </EventKey></xml>`},
		{"image without media", head + `<MsgType>image</MsgType><MsgId>16</MsgId></xml>`},
		{"unreadable", "<xml><MsgType>text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := f.decode(tt.payload)
			if !errors.Is(err, bot.ErrIgnore) || r != nil {
				t.Fatalf("Decode = %+v, %v; want bot.ErrIgnore", r, err)
			}
		})
	}
}

// TestProcessorDecodeTooLarge: a file over the download limit is not
// fetched; the request comes with an EINVALID error whose message is the
// reply.
func TestProcessorDecodeTooLarge(t *testing.T) {
	f := newDecoderFixture(t, wecom.WithMaxMediaSize(64))
	f.srv.AddMedia("MEDIA_FILE", "MEDIA_FILE", "application/pdf", make([]byte, 65))
	r, err := f.decode(capture(t, "file.xml"))
	if r == nil || r.AccountID != "zhangsan" || r.ChatID != "zhangsan" || len(r.Attachments) != 0 {
		t.Fatalf("request %+v, want zhangsan's without attachments", r)
	}
	if got, want := campaignbot.ErrorCode(err), campaignbot.EINVALID; got != want {
		t.Fatalf("error %v, want code %s", err, want)
	}
	if got, want := campaignbot.ErrorMessage(err), campaignbot.T("zh", "err.file_too_large"); got != want {
		t.Errorf("reply %q, want %q", got, want)
	}
}

// TestProcessorDecodeMediaFailure: a media/get that fails is a passing
// failure (a plain error, tried again later), and the next attempt fetches
// the file.
func TestProcessorDecodeMediaFailure(t *testing.T) {
	f := newDecoderFixture(t)
	f.srv.AddMedia("MEDIA_IMG", "MEDIA_IMG.jpg", "image/jpeg", bytes.Repeat([]byte{1}, 10))
	f.srv.InjectStatus(wecomtest.PathMediaGet, http.StatusBadGateway, 1)
	f.srv.InjectErrcode(wecomtest.PathMediaGet, 45009, 1) // api freq out of limit
	for i := range 2 {
		r, err := f.decode(capture(t, "image.xml"))
		if err == nil || errors.Is(err, bot.ErrIgnore) || campaignbot.ErrorCode(err) != campaignbot.EINTERNAL || r != nil {
			t.Fatalf("attempt %d: Decode = %+v, %v; want a plain error", i+1, r, err)
		}
	}
	r, err := f.decode(capture(t, "image.xml"))
	if err != nil || len(r.Attachments) != 1 {
		t.Fatalf("attempt 3: Decode = %+v, %v; want the image", r, err)
	}
}

// echoHandler answers every request with its text, and records the
// requests it saw.
type echoHandler struct {
	mu   sync.Mutex
	seen []*bot.Request
}

func (h *echoHandler) Handle(_ context.Context, req *bot.Request) ([]bot.Reply, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seen = append(h.seen, req)
	return []bot.Reply{{Text: "echo: " + req.Text}}, nil
}

func (h *echoHandler) requests() []*bot.Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*bot.Request(nil), h.seen...)
}

// mustMember puts name in the roster and binds the WeCom account userID to
// them, as redeeming an invite does.
func mustMember(t *testing.T, db *store.DB, name, userID string) *campaignbot.Person {
	t.Helper()
	ctx := context.Background()
	if _, _, err := db.ImportRoster(ctx, []campaignbot.RosterEntry{{Name: name, Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}}}); err != nil {
		t.Fatal(err)
	}
	p, err := db.FindPersonByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := db.CreateInvite(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RedeemInvite(ctx, inv.Code, campaignbot.Account{Platform: campaignbot.PlatformWeCom, AccountID: userID, ChatID: userID}); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCallbackToOutbox runs a callback through the whole intake: the
// Receiver stores it in a real store and wakes the intake, which decodes
// it with the Processor and puts the handler's answer in the outbox for
// the member; the dispatcher then delivers it with the Sender.
func TestCallbackToOutbox(t *testing.T) {
	clock := newTestClock(time.Unix(1409659589, 0))
	db := MustOpenStore(t, clock)
	member := mustMember(t, db, "张三", "zhangsan")
	srv, client := MustClient(t, wecom.WithMaxMediaSize(64))
	srv.AddMedia("BIG", "scan.pdf", "application/pdf", make([]byte, 65))

	h := &echoHandler{}
	intake := bot.NewIntake(db, h, bot.WithIntakeClock(clock))
	intake.Register(campaignbot.PlatformWeCom, wecom.NewProcessor(client, db))
	var woken atomic.Int32
	crypt := mustCrypt(t, vecCorpID)
	recv := wecom.NewReceiver(crypt, db, wecom.WithClock(clock), wecom.WithNotify(func() {
		woken.Add(1)
		intake.Wake()
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- intake.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	callback := func(msg, nonce string) {
		t.Helper()
		q, body := post(t, crypt, msg, vecTimestamp, nonce)
		r := httptest.NewRequest(http.MethodPost, "/wecom/callback?"+q, strings.NewReader(body))
		w := httptest.NewRecorder()
		recv.ServeHTTP(w, r)
		if w.Code != http.StatusOK || w.Body.Len() != 0 {
			t.Fatalf("callback: %d %q", w.Code, w.Body.String())
		}
	}
	callback(textXML, "t1")
	callback(capture(t, "enter_agent.xml"), "t2")
	bigFile := `<xml><ToUserName>wx5823bf96d3bd56c7</ToUserName><FromUserName>wangwu</FromUserName><CreateTime>1409659589</CreateTime><MsgType>file</MsgType><MediaId>BIG</MediaId><Title>scan.pdf</Title><MsgId>77</MsgId><AgentID>1000002</AgentID></xml>`
	callback(bigFile, "t3")
	callback(textXML, "t4") // WeCom's retry of the first, signed anew

	outbox := func() []*campaignbot.OutboxMessage {
		ms, err := db.ClaimOutbox(context.Background(), campaignbot.PlatformWeCom, clock.Now(), 10)
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}
	waitFor(t, "every callback processed", func() bool { return len(MustPending(t, db)) == 0 })
	if got, want := woken.Load(), int32(3); got != want {
		t.Errorf("intake woken %d times, want %d (once per new callback)", got, want)
	}
	reqs := h.requests()
	if len(reqs) != 1 || reqs[0].Text != "学习笔记：第一阶段" || reqs[0].AccountID != "zhangsan" || reqs[0].MessageID != "4561255354251345929" {
		t.Fatalf("handled %+v, want the text once (not the event, not the file over the limit)", reqs)
	}
	out := outbox()
	if len(out) != 2 {
		t.Fatalf("outbox %+v, want the echo and the refusal", out)
	}
	byChat := map[string]*campaignbot.OutboxMessage{}
	for _, m := range out {
		byChat[m.ChatID] = m
	}
	echo, refusal := byChat["zhangsan"], byChat["wangwu"]
	if echo == nil || echo.Text != "echo: 学习笔记：第一阶段" || echo.PersonID != member.ID || echo.Kind != campaignbot.KindReply || echo.Platform != campaignbot.PlatformWeCom {
		t.Errorf("reply %+v, want the echo for 张三 (person %d)", echo, member.ID)
	}
	if refusal == nil || refusal.Text != campaignbot.T("zh", "err.file_too_large") || refusal.PersonID != 0 {
		t.Errorf("refusal %+v, want the too-large text for wangwu, who is in no roster", refusal)
	}

	d := scheduler.NewDispatcher(db, []campaignbot.Sender{wecom.NewSender(client, nil, db)},
		scheduler.WithClock(clock), scheduler.WithLogger(slog.New(slog.DiscardHandler)))
	d.Drain(ctx, campaignbot.PlatformWeCom)
	got := map[string]string{}
	for _, m := range srv.Sent() {
		got[m.ToUser] += m.Content
	}
	if got["zhangsan"] != "echo: 学习笔记：第一阶段" || got["wangwu"] != campaignbot.T("zh", "err.file_too_large") || len(got) != 2 {
		t.Errorf("WeCom received %q, want the echo for zhangsan and the refusal for wangwu", got)
	}
	if n := len(outbox()); n != 0 {
		t.Errorf("%d replies still pending after delivery", n)
	}
}

// TestProcessorLinkIsContent takes an article a member forwards (Tencent's
// documented link message) as text: title, summary and address.
func TestProcessorLinkIsContent(t *testing.T) {
	f := newDecoderFixture(t)
	r, err := f.decode(capture(t, "link.xml"))
	if err != nil {
		t.Fatal(err)
	}
	want := "this is a title!\nthis is a description!\nhttps://mp.weixin.qq.com/s/example"
	if r.Text != want || r.AccountID != "fromUser" {
		t.Errorf("request %+v, want text %q", r, want)
	}
}

// countingSaver counts the files stored.
type countingSaver struct {
	wecom.AttachmentSaver
	n int
}

func (c *countingSaver) SaveAttachment(ctx context.Context, name, mime string, data []byte) (*campaignbot.Attachment, error) {
	c.n++
	return c.AttachmentSaver.SaveAttachment(ctx, name, mime, data)
}

// strangerRoster binds only zhangsan.
type strangerRoster struct{}

func (strangerRoster) FindAccount(_ context.Context, p campaignbot.Platform, id string) (*campaignbot.Account, error) {
	if id == "zhangsan" {
		return &campaignbot.Account{Platform: p, AccountID: id, ChatID: id}, nil
	}
	return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "not bound")
}

// TestProcessorStrangerPhotoNotFetched neither downloads nor keeps a photo
// from a UserID the roster does not list.
func TestProcessorStrangerPhotoNotFetched(t *testing.T) {
	srv, c := MustClient(t)
	db := MustOpenStore(t, newTestClock(time.Unix(1409735669, 0)))
	saver := &countingSaver{AttachmentSaver: db}
	proc := wecom.NewProcessor(c, saver, wecom.WithRoster(strangerRoster{}))
	srv.AddMedia("MEDIA_IMG", "p.jpg", "image/jpeg", []byte("\xFF\xD8\xFF\xE0photo"))
	decode := func(payload string) (*bot.Request, error) {
		in := &campaignbot.Inbound{Platform: campaignbot.PlatformWeCom, Key: "k", Payload: []byte(payload)}
		return proc.Decode(context.Background(), []*campaignbot.Inbound{in})
	}
	stranger := strings.Replace(capture(t, "image.xml"), "zhangsan", "stranger", 1)
	r, err := decode(stranger)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Attachments) != 0 || r.AccountID != "stranger" {
		t.Errorf("stranger's photo kept: %+v", r)
	}
	if saver.n != 0 {
		t.Errorf("%d files stored", saver.n)
	}
	r, err = decode(capture(t, "image.xml"))
	if err != nil || len(r.Attachments) != 1 {
		t.Fatalf("member's photo: %+v, %v", r, err)
	}
}

// TestProcessorCardPressUpdatesCard answers a template_card_event by
// update_template_card with its ResponseCode: the card shows the choice and
// cannot be pressed again.
func TestProcessorCardPressUpdatesCard(t *testing.T) {
	f := newDecoderFixture(t)
	code := f.srv.PressCard("lisi", "cb0123")
	payload := strings.Replace(capture(t, "template_card_event.xml"), "RC123", code, 1)
	payload = strings.Replace(payload, "submit:note", wecom.JoinCardKey("submit:note", "提交笔记"), 1)
	r, err := f.decode(payload)
	if err != nil {
		t.Fatal(err)
	}
	if r.Callback != "submit:note" {
		t.Errorf("callback %q, want the key without its label", r.Callback)
	}
	ups := f.srv.CardUpdates()
	if len(ups) != 1 || ups[0].TaskID != "cb0123" || ups[0].ReplaceName != "已选：提交笔记" || ups[0].UserIDs[0] != "lisi" {
		t.Fatalf("card updates %+v", ups)
	}
	// A replay of the same callback cannot use the code again; the press
	// is still decoded (the intake's key keeps it from being filed twice).
	if _, err := f.decode(payload); err != nil {
		t.Fatal(err)
	}
	if n := len(f.srv.CardUpdates()); n != 1 {
		t.Errorf("%d updates after a replay", n)
	}
}

// TestProcessorChangeContact hands an address book change (Tencent's
// documented update_user event) to the roster's follower, with no reply.
func TestProcessorChangeContact(t *testing.T) {
	_, c := MustClient(t)
	db := MustOpenStore(t, newTestClock(time.Unix(1409735669, 0)))
	var got []*wecom.Message
	proc := wecom.NewProcessor(c, db, wecom.WithContactChange(func(_ context.Context, m *wecom.Message) error {
		got = append(got, m)
		return nil
	}))
	in := &campaignbot.Inbound{Platform: campaignbot.PlatformWeCom, Key: "k", Payload: []byte(capture(t, "change_contact.xml"))}
	r, err := proc.Decode(context.Background(), []*campaignbot.Inbound{in})
	if !errors.Is(err, bot.ErrIgnore) || r != nil {
		t.Fatalf("Decode = %+v, %v; want no request", r, err)
	}
	if len(got) != 1 || got[0].ChangeType != "update_user" || got[0].UserID != "zhangsan" || got[0].NewUserID != "zhangsan001" {
		t.Fatalf("followed %+v", got)
	}
	// Without a follower the event is ignored.
	if _, err := wecom.NewProcessor(c, db).Decode(context.Background(), []*campaignbot.Inbound{in}); !errors.Is(err, bot.ErrIgnore) {
		t.Errorf("Decode without follower: %v", err)
	}
}

// TestProcessorSubscribeEvents reads Tencent's documented subscribe and
// unsubscribe events as the member reachable again, or not.
func TestProcessorSubscribeEvents(t *testing.T) {
	f := newDecoderFixture(t)
	for file, want := range map[string]bool{"subscribe.xml": true, "unsubscribe.xml": false} {
		r, err := f.decode(capture(t, file))
		if err != nil {
			t.Fatal(err)
		}
		if r.Reachable == nil || *r.Reachable != want || r.AccountID != "UserID" {
			t.Errorf("%s: %+v", file, r)
		}
	}
}
