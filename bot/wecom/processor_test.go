package wecom_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/bot/wecom"
	"campaignbot/bot/wecom/wecomtest"
)

// processorFixture wires a Receiver and a Processor to a fake WeCom server.
type processorFixture struct {
	srv     *wecomtest.Server
	inbox   *memInbox
	files   fileStore
	handler *recordingHandler
	proc    *wecom.Processor
	recv    *receiverFixture
}

func newProcessorFixture(t *testing.T, opts ...wecom.Option) *processorFixture {
	srv, c := MustClient(t, opts...)
	f := &processorFixture{srv: srv, files: fileStore{dir: t.TempDir()}, handler: &recordingHandler{}}
	f.recv = newReceiverFixture(t)
	f.inbox = f.recv.inbox
	f.proc = wecom.NewProcessor(c, f.files, f.handler, f.inbox, wecom.NewSender(c, nil, f.files))
	return f
}

func mustParse(t *testing.T, xml string) *wecom.Message {
	t.Helper()
	m, err := wecom.ParseMessage([]byte(xml))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestToRequest(t *testing.T) {
	f := newProcessorFixture(t)
	f.srv.AddMedia("IMG1", "IMG1.jpg", "image/jpeg", bytes.Repeat([]byte{0xff, 0xd8}, 50))
	f.srv.AddMedia("FILE1", "FILE1", "application/pdf", []byte("%PDF-1.4 report"))
	head := `<xml><ToUserName>corp</ToUserName><FromUserName>zhangsan</FromUserName><CreateTime>1409659589</CreateTime><AgentID>1000002</AgentID>`
	tests := []struct {
		name  string
		xml   string
		check func(t *testing.T, r *bot.Request)
	}{
		{"text", head + `<MsgType>text</MsgType><Content>/tasks</Content><MsgId>11</MsgId></xml>`, func(t *testing.T, r *bot.Request) {
			if r.Text != "/tasks" || r.MessageID != "11" {
				t.Errorf("request %+v", r)
			}
		}},
		{"image", head + `<MsgType>image</MsgType><PicUrl>http://x</PicUrl><MediaId>IMG1</MediaId><MsgId>12</MsgId></xml>`, func(t *testing.T, r *bot.Request) {
			if len(r.Attachments) != 1 {
				t.Fatalf("attachments %+v", r.Attachments)
			}
			a := r.Attachments[0]
			if a.Name != "IMG1.jpg" || a.MIME != "image/jpeg" || a.Size != 100 || a.Platform != campaignbot.PlatformWeCom {
				t.Errorf("attachment %+v", a)
			}
			if data, err := os.ReadFile(f.files.AttachmentPath(a.SHA256)); err != nil || len(data) != 100 {
				t.Errorf("stored file: %d bytes, %v", len(data), err)
			}
		}},
		{"file keeps member's name", head + `<MsgType>file</MsgType><MediaId>FILE1</MediaId><Title>科室分析报告.pdf</Title><MsgId>13</MsgId></xml>`, func(t *testing.T, r *bot.Request) {
			if len(r.Attachments) != 1 || r.Attachments[0].Name != "科室分析报告.pdf" || r.Attachments[0].MIME != "application/pdf" {
				t.Errorf("attachments %+v", r.Attachments)
			}
		}},
		{"location", head + `<MsgType>location</MsgType><Location_X>30.5</Location_X><Location_Y>114.25</Location_Y><Scale>15</Scale><Label>园区</Label><MsgId>14</MsgId></xml>`, func(t *testing.T, r *bot.Request) {
			if r.Location == nil || r.Location.Latitude != 30.5 || r.Location.Longitude != 114.25 {
				t.Errorf("location %+v", r.Location)
			}
		}},
		{"menu command", head + `<MsgType>event</MsgType><Event>click</Event><EventKey>/tasks</EventKey></xml>`, func(t *testing.T, r *bot.Request) {
			if r.Text != "/tasks" || r.Callback != "" || r.MessageID != "zhangsan:1409659589:click:/tasks" {
				t.Errorf("request %+v", r)
			}
		}},
		{"card button", head + `<MsgType>event</MsgType><Event>template_card_event</Event><EventKey>submit:note</EventKey><TaskId>cb1</TaskId><ResponseCode>rc</ResponseCode></xml>`, func(t *testing.T, r *bot.Request) {
			if r.Callback != "submit:note" || r.Text != "" {
				t.Errorf("request %+v", r)
			}
		}},
		{"enter agent ignored", head + `<MsgType>event</MsgType><Event>enter_agent</Event><EventKey></EventKey></xml>`, nil},
		{"link ignored", head + `<MsgType>link</MsgType><Title>t</Title><MsgId>15</MsgId></xml>`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := f.proc.ToRequest(context.Background(), mustParse(t, tt.xml))
			if err != nil {
				t.Fatal(err)
			}
			if tt.check == nil {
				if r != nil {
					t.Fatalf("request %+v, want none", r)
				}
				return
			}
			if r == nil {
				t.Fatal("no request")
			}
			if r.Platform != campaignbot.PlatformWeCom || r.AccountID != "zhangsan" || r.ChatID != "zhangsan" {
				t.Errorf("request %+v", r)
			}
			tt.check(t, r)
		})
	}
}

func TestProcessorEndToEnd(t *testing.T) {
	f := newProcessorFixture(t)
	f.handler.replies = []bot.Reply{{Text: "已收到：学习笔记（第 1 版）"}}
	q, body := post(t, f.recv.crypt, textXML, vecTimestamp, "p1")
	if w := f.recv.do(http.MethodPost, q, body); w.Code != http.StatusOK {
		t.Fatalf("callback: %d", w.Code)
	}
	n, err := f.proc.ProcessPending(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("ProcessPending = %d, %v", n, err)
	}
	reqs := f.handler.requests()
	if len(reqs) != 1 || reqs[0].Text != "学习笔记：第一阶段" || reqs[0].AccountID != "zhangsan" || reqs[0].MessageID != "4561255354251345929" {
		t.Fatalf("requests %+v", reqs)
	}
	sent := f.srv.Sent()
	if len(sent) != 1 || sent[0].ToUser != "zhangsan" || sent[0].Content != "已收到：学习笔记（第 1 版）" {
		t.Fatalf("sent %+v", sent)
	}
	// Processed callbacks are not handled again.
	if n, err := f.proc.ProcessPending(context.Background()); err != nil || n != 0 {
		t.Fatalf("second pass = %d, %v", n, err)
	}
	if got, want := len(f.handler.requests()), 1; got != want {
		t.Fatalf("handled %d, want %d", got, want)
	}
}

func TestProcessorRunWakes(t *testing.T) {
	f := newProcessorFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	handled := make(chan struct{})
	wrapped := &notifyingHandler{recordingHandler: f.handler, handled: handled}
	srvClient := wecom.NewClient(f.srv.URL(), testCorp, testSecret, testAgent)
	proc := wecom.NewProcessor(srvClient, f.files, wrapped, f.inbox, wecom.NewSender(srvClient, nil, nil))
	go func() { done <- proc.Run(ctx) }()
	recv := wecom.NewReceiver(f.recv.crypt, f.inbox, wecom.WithClock(f.recv.clock), wecom.WithNotify(proc.Wake))
	f.recv.h = recv
	q, body := post(t, f.recv.crypt, textXML, vecTimestamp, "w1")
	if w := f.recv.do(http.MethodPost, q, body); w.Code != http.StatusOK {
		t.Fatalf("callback: %d", w.Code)
	}
	<-handled
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// notifyingHandler signals each handled request.
type notifyingHandler struct {
	*recordingHandler
	handled chan struct{}
}

func (h *notifyingHandler) Handle(ctx context.Context, req *bot.Request) ([]bot.Reply, error) {
	replies, err := h.recordingHandler.Handle(ctx, req)
	h.handled <- struct{}{}
	return replies, err
}

func TestProcessorTooLarge(t *testing.T) {
	f := newProcessorFixture(t, wecom.WithMaxMediaSize(64))
	f.srv.AddMedia("BIG", "scan.pdf", "application/pdf", make([]byte, 65))
	msg := `<xml><ToUserName>c</ToUserName><FromUserName>wangwu</FromUserName><CreateTime>1409659589</CreateTime><MsgType>file</MsgType><MediaId>BIG</MediaId><Title>scan.pdf</Title><MsgId>77</MsgId></xml>`
	q, body := post(t, f.recv.crypt, msg, vecTimestamp, "big")
	f.recv.do(http.MethodPost, q, body)
	if n, err := f.proc.ProcessPending(context.Background()); err != nil || n != 1 {
		t.Fatalf("ProcessPending = %d, %v", n, err)
	}
	if len(f.handler.requests()) != 0 {
		t.Fatal("too-large file reached the engine")
	}
	sent := f.srv.Sent()
	if len(sent) != 1 || sent[0].ToUser != "wangwu" || sent[0].Content != wecom.DefaultTooLargeText {
		t.Fatalf("sent %+v", sent)
	}
}

func TestProcessorTransientFailureStaysPending(t *testing.T) {
	f := newProcessorFixture(t)
	f.srv.AddMedia("IMG", "a.jpg", "image/jpeg", bytes.Repeat([]byte{1}, 10))
	msg := `<xml><ToUserName>c</ToUserName><FromUserName>zhaoliu</FromUserName><CreateTime>1409659589</CreateTime><MsgType>image</MsgType><MediaId>IMG</MediaId><MsgId>88</MsgId></xml>`
	q, body := post(t, f.recv.crypt, msg, vecTimestamp, "t1")
	f.recv.do(http.MethodPost, q, body)
	f.srv.InjectStatus(wecomtest.PathMediaGet, http.StatusBadGateway, 1)
	if n, err := f.proc.ProcessPending(context.Background()); err == nil || n != 0 {
		t.Fatalf("first pass = %d, %v; want an error", n, err)
	}
	if n, err := f.proc.ProcessPending(context.Background()); err != nil || n != 1 {
		t.Fatalf("second pass = %d, %v", n, err)
	}
	if got := f.handler.requests(); len(got) != 1 || len(got[0].Attachments) != 1 {
		t.Fatalf("requests %+v", got)
	}
}

// TestProcessorEngineFailureRetried: an engine error (the store failing)
// keeps the callback pending, so it is handled and answered once the store
// is back; one that keeps failing is given up after maxAttempts.
func TestProcessorEngineFailureRetried(t *testing.T) {
	f := newProcessorFixture(t)
	f.handler.err = errBusy
	f.handler.replies = []bot.Reply{{Text: "已收到"}}
	q, body := post(t, f.recv.crypt, textXML, vecTimestamp, "r1")
	f.recv.do(http.MethodPost, q, body)
	if n, err := f.proc.ProcessPending(context.Background()); err == nil || n != 0 {
		t.Fatalf("failing pass = %d, %v; want an error", n, err)
	}
	if len(f.srv.Sent()) != 0 {
		t.Fatalf("answered although the engine failed: %+v", f.srv.Sent())
	}
	f.handler.mu.Lock()
	f.handler.err = nil
	f.handler.mu.Unlock()
	if n, err := f.proc.ProcessPending(context.Background()); err != nil || n != 1 {
		t.Fatalf("pass after recovery = %d, %v", n, err)
	}
	if sent := f.srv.Sent(); len(sent) != 1 || sent[0].Content != "已收到" {
		t.Fatalf("sent %+v, want the reply once", sent)
	}

	g := newProcessorFixture(t)
	g.handler.err = errBusy
	q, body = post(t, g.recv.crypt, textXML, vecTimestamp, "r2")
	g.recv.do(http.MethodPost, q, body)
	for i := 1; i < 3; i++ {
		if n, err := g.proc.ProcessPending(context.Background()); err == nil || n != 0 {
			t.Fatalf("attempt %d = %d, %v; want an error", i, n, err)
		}
	}
	if n, err := g.proc.ProcessPending(context.Background()); err != nil || n != 1 {
		t.Fatalf("last attempt = %d, %v; want it given up", n, err)
	}
}

// TestProcessorFailingCallbackHoldsBackItsMember: a member's image whose
// download keeps failing holds back that member's later text, not another
// member's, and is given up after maxAttempts passes, after which the text
// is handled.
func TestProcessorFailingCallbackHoldsBackItsMember(t *testing.T) {
	f := newProcessorFixture(t)
	f.srv.AddMedia("IMG", "a.jpg", "image/jpeg", bytes.Repeat([]byte{1}, 10))
	f.srv.InjectStatus(wecomtest.PathMediaGet, http.StatusBadGateway, 3)
	for i, msg := range []string{
		`<xml><ToUserName>c</ToUserName><FromUserName>zhaoliu</FromUserName><CreateTime>1409659589</CreateTime><MsgType>image</MsgType><MediaId>IMG</MediaId><MsgId>91</MsgId></xml>`,
		`<xml><ToUserName>c</ToUserName><FromUserName>zhaoliu</FromUserName><CreateTime>1409659590</CreateTime><MsgType>text</MsgType><Content>第二条</Content><MsgId>92</MsgId></xml>`,
		`<xml><ToUserName>c</ToUserName><FromUserName>sunqi</FromUserName><CreateTime>1409659591</CreateTime><MsgType>text</MsgType><Content>别人的</Content><MsgId>93</MsgId></xml>`,
	} {
		q, body := post(t, f.recv.crypt, msg, vecTimestamp, "h"+string(rune('a'+i)))
		f.recv.do(http.MethodPost, q, body)
	}
	texts := func() []string {
		var got []string
		for _, r := range f.handler.requests() {
			got = append(got, r.AccountID+":"+r.Text)
		}
		return got
	}
	for pass := 1; pass <= 2; pass++ {
		if _, err := f.proc.ProcessPending(context.Background()); err == nil {
			t.Fatalf("pass %d: no error for the failing download", pass)
		}
		if got := texts(); len(got) != 1 || got[0] != "sunqi:别人的" {
			t.Fatalf("after pass %d the engine saw %v; want only the other member's text", pass, got)
		}
	}
	if _, err := f.proc.ProcessPending(context.Background()); err != nil {
		t.Fatalf("third pass: %v; want the image given up", err)
	}
	if got := texts(); len(got) != 2 || got[1] != "zhaoliu:第二条" {
		t.Fatalf("after the image was given up the engine saw %v; want the held-back text", got)
	}
	var notices []string
	for _, m := range f.srv.Sent() {
		if m.ToUser == "zhaoliu" && strings.Contains(m.Content, "参考编号：wc-") {
			notices = append(notices, m.Content)
		}
	}
	if len(notices) != 1 {
		t.Errorf("the member was told %d times that the image failed (%v), want once", len(notices), f.srv.Sent())
	}
}
