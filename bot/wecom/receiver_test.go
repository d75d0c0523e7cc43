package wecom_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot/wecom"
	"campaignbot/store"
)

// Tencent's published WXBizMsgCrypt sample.
const (
	vecToken     = "QDG6eK"
	vecAESKey    = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	vecCorpID    = "wx5823bf96d3bd56c7"
	vecSignature = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
	vecTimestamp = "1409659589"
	vecNonce     = "263014780"
	vecEchostr   = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	vecEcho      = "1616140317555161061"
)

const textXML = `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1409659589</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[学习笔记：第一阶段]]></Content><MsgId>4561255354251345929</MsgId><AgentID>1000002</AgentID></xml>`

func mustCrypt(tb testing.TB, corpID string) *wecom.Crypt {
	tb.Helper()
	c, err := wecom.NewCrypt(vecToken, vecAESKey, corpID)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// receiverFixture is a Receiver at the vector's time storing into a real
// store, through an intake that can be made to fail.
type receiverFixture struct {
	crypt    *wecom.Crypt
	db       *store.DB
	intake   *flakyIntake
	notified atomic.Int32
	clock    *testClock
	h        http.Handler
}

func newReceiverFixture(t *testing.T) *receiverFixture {
	f := &receiverFixture{crypt: mustCrypt(t, vecCorpID), clock: newTestClock(time.Unix(1409659589, 0))}
	f.db = MustOpenStore(t, f.clock)
	f.intake = &flakyIntake{Intake: f.db}
	f.h = wecom.NewReceiver(f.crypt, f.intake, wecom.WithClock(f.clock), wecom.WithNotify(func() { f.notified.Add(1) }))
	return f
}

// stored returns the callbacks stored, in arrival order.
func (f *receiverFixture) stored(t *testing.T) []*campaignbot.Inbound {
	t.Helper()
	return MustPending(t, f.db)
}

// flakyIntake is the store, failing while fail is set (the disk full, the
// database locked too long).
type flakyIntake struct {
	wecom.Intake
	fail error
}

func (i *flakyIntake) SaveInbound(ctx context.Context, in *campaignbot.Inbound) (bool, error) {
	if i.fail != nil {
		return false, i.fail
	}
	return i.Intake.SaveInbound(ctx, in)
}

func (f *receiverFixture) do(method, query string, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/wecom/callback?"+query, strings.NewReader(body))
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

// post builds WeCom's callback POST for msg, signed and encrypted by c.
func post(t *testing.T, c *wecom.Crypt, msg, ts, nonce string) (query, body string) {
	t.Helper()
	sig, b, err := c.EncryptCallback([]byte(msg), vecCorpID, "1000002", ts, nonce)
	if err != nil {
		t.Fatal(err)
	}
	return url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}.Encode(), string(b)
}

func TestReceiverVerifyURL(t *testing.T) {
	f := newReceiverFixture(t)
	q := url.Values{"msg_signature": {vecSignature}, "timestamp": {vecTimestamp}, "nonce": {vecNonce}, "echostr": {vecEchostr}}
	w := f.do(http.MethodGet, q.Encode(), "")
	if got, want := w.Code, http.StatusOK; got != want {
		t.Fatalf("status = %d, want %d", got, want)
	}
	if got, want := w.Body.String(), vecEcho; got != want {
		t.Fatalf("body = %q, want %q", got, want)
	}
	// An unescaped "+" reaches the handler as a space.
	raw := "msg_signature=" + vecSignature + "&timestamp=" + vecTimestamp + "&nonce=" + vecNonce + "&echostr=" + vecEchostr
	if w := f.do(http.MethodGet, raw, ""); w.Code != http.StatusOK || w.Body.String() != vecEcho {
		t.Fatalf("unescaped echostr: %d %q", w.Code, w.Body.String())
	}

	tests := []struct {
		name   string
		change func(url.Values)
		status int
	}{
		{"wrong signature", func(q url.Values) { q.Set("msg_signature", strings.Repeat("a", 40)) }, 401},
		{"missing signature", func(q url.Values) { q.Del("msg_signature") }, 401},
		{"stale", func(q url.Values) { q.Set("timestamp", "1409650000") }, 401},
		{"bad echostr signed", func(q url.Values) {
			q.Set("echostr", "AAAA")
			q.Set("msg_signature", mustCrypt(t, vecCorpID).Signature(vecTimestamp, vecNonce, "AAAA"))
		}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{"msg_signature": {vecSignature}, "timestamp": {vecTimestamp}, "nonce": {vecNonce}, "echostr": {vecEchostr}}
			tt.change(q)
			if got := f.do(http.MethodGet, q.Encode(), "").Code; got != tt.status {
				t.Fatalf("status = %d, want %d", got, tt.status)
			}
		})
	}
}

func TestReceiverPostStoresOnce(t *testing.T) {
	f := newReceiverFixture(t)
	q, body := post(t, f.crypt, textXML, vecTimestamp, "n1")
	for i := range 3 { // WeCom retries the same request
		w := f.do(http.MethodPost, q, body)
		if w.Code != http.StatusOK || w.Body.Len() != 0 {
			t.Fatalf("attempt %d: %d %q", i, w.Code, w.Body.String())
		}
	}
	stored := f.stored(t)
	if got, want := len(stored), 1; got != want {
		t.Fatalf("stored %d, want %d", got, want)
	}
	in := stored[0]
	if in.Platform != campaignbot.PlatformWeCom || in.Key != "4561255354251345929" || string(in.Payload) != textXML || !in.ReceivedAt.Equal(f.clock.Now()) {
		t.Fatalf("stored %+v", in)
	}
	if got, want := f.notified.Load(), int32(1); got != want {
		t.Fatalf("notified %d times, want %d", got, want)
	}
	// The same message under a fresh nonce (a retry WeCom signed anew) is still stored once.
	q2, body2 := post(t, f.crypt, textXML, vecTimestamp, "n2")
	if w := f.do(http.MethodPost, q2, body2); w.Code != http.StatusOK {
		t.Fatalf("re-signed retry: %d", w.Code)
	}
	if got, want := len(f.stored(t)), 1; got != want {
		t.Fatalf("stored %d, want %d", got, want)
	}
}

func TestReceiverEventDedupKey(t *testing.T) {
	f := newReceiverFixture(t)
	ev := `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><FromUserName><![CDATA[lisi]]></FromUserName><CreateTime>1409659580</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[click]]></Event><EventKey><![CDATA[/tasks]]></EventKey><AgentID>1000002</AgentID></xml>`
	q, body := post(t, f.crypt, ev, vecTimestamp, "e1")
	f.do(http.MethodPost, q, body)
	f.do(http.MethodPost, q, body)
	stored := f.stored(t)
	if len(stored) != 1 || stored[0].Key != "lisi:1409659580:click:/tasks" {
		t.Fatalf("stored %+v", stored)
	}
}

// encryptRaw encrypts an already padded plaintext with the vector's key.
func encryptRaw(t *testing.T, plain []byte) string {
	t.Helper()
	key, _ := base64.StdEncoding.DecodeString(vecAESKey + "=")
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out)
}

func TestReceiverPostRejects(t *testing.T) {
	c := mustCrypt(t, vecCorpID)
	signed := func(enc string) (string, string) {
		q := url.Values{"msg_signature": {c.Signature(vecTimestamp, "r", enc)}, "timestamp": {vecTimestamp}, "nonce": {"r"}}
		return q.Encode(), "<xml><ToUserName><![CDATA[x]]></ToUserName><AgentID><![CDATA[1]]></AgentID><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
	}
	badPadding := func() string {
		plain := make([]byte, 64)
		binary.BigEndian.PutUint32(plain[16:20], 2)
		copy(plain[22:], vecCorpID)
		return encryptRaw(t, plain) // last byte 0: no valid padding
	}
	tests := []struct {
		name   string
		req    func() (string, string)
		status int
	}{
		{"wrong signature", func() (string, string) {
			q, b := post(t, c, textXML, vecTimestamp, "r")
			return strings.Replace(q, "msg_signature=", "msg_signature=0", 1), b
		}, 401},
		{"signed by another token", func() (string, string) {
			other, _ := wecom.NewCrypt("other", vecAESKey, vecCorpID)
			return post(t, other, textXML, vecTimestamp, "r")
		}, 401},
		{"wrong corp id", func() (string, string) {
			return post(t, mustCrypt(t, "ww0000000000000000"), textXML, vecTimestamp, "r")
		}, 400},
		{"bad padding", func() (string, string) { return signed(badPadding()) }, 400},
		{"bad base64", func() (string, string) { return signed("@@not-base64@@") }, 400},
		{"bad envelope xml", func() (string, string) {
			return "msg_signature=x&timestamp=" + vecTimestamp + "&nonce=r", "<xml><Encrypt>"
		}, 400},
		{"bad message xml", func() (string, string) { return post(t, c, "<xml><MsgType>text", vecTimestamp, "r") }, 400},
		{"stale", func() (string, string) { return post(t, c, textXML, "1409659000", "r") }, 401},
		{"future", func() (string, string) { return post(t, c, textXML, "1409660000", "r") }, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newReceiverFixture(t)
			q, body := tt.req()
			if got := f.do(http.MethodPost, q, body).Code; got != tt.status {
				t.Fatalf("status = %d, want %d", got, tt.status)
			}
			if n := len(f.stored(t)); n != 0 {
				t.Fatalf("stored %d", n)
			}
			if f.notified.Load() != 0 {
				t.Fatal("notified")
			}
		})
	}
}

func TestReceiverReplayedNonce(t *testing.T) {
	f := newReceiverFixture(t)
	q, body := post(t, f.crypt, textXML, vecTimestamp, "same")
	if w := f.do(http.MethodPost, q, body); w.Code != 200 {
		t.Fatalf("first: %d", w.Code)
	}
	other := strings.Replace(textXML, "4561255354251345929", "4561255354251345930", 1)
	q2, body2 := post(t, f.crypt, other, vecTimestamp, "same")
	if w := f.do(http.MethodPost, q2, body2); w.Code != http.StatusUnauthorized {
		t.Fatalf("replayed nonce: %d, want 401", w.Code)
	}
	if got, want := len(f.stored(t)), 1; got != want {
		t.Fatalf("stored %d, want %d", got, want)
	}
}

func TestReceiverStoreFailureLetsWeComRetry(t *testing.T) {
	f := newReceiverFixture(t)
	f.intake.fail = errBusy
	q, body := post(t, f.crypt, textXML, vecTimestamp, "n")
	if w := f.do(http.MethodPost, q, body); w.Code != http.StatusInternalServerError {
		t.Fatalf("store failure: %d, want 500", w.Code)
	}
	f.intake.fail = nil
	if w := f.do(http.MethodPost, q, body); w.Code != http.StatusOK {
		t.Fatalf("retry: %d, want 200", w.Code)
	}
	if got, want := len(f.stored(t)), 1; got != want {
		t.Fatalf("stored %d, want %d", got, want)
	}
}

func TestReceiverMethodAndSize(t *testing.T) {
	f := newReceiverFixture(t)
	if got := f.do(http.MethodPut, "", "").Code; got != http.StatusMethodNotAllowed {
		t.Fatalf("PUT: %d", got)
	}
	q, _ := post(t, f.crypt, textXML, vecTimestamp, "n")
	if got := f.do(http.MethodPost, q, strings.Repeat("x", 2<<20)).Code; got != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MB body: %d", got)
	}
}
