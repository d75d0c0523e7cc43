package wecomtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// call performs a raw request and decodes the JSON answer.
func call(t *testing.T, method, u, body string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func errcode(m map[string]any) int { return int(m["errcode"].(float64)) }

func TestWireFormat(t *testing.T) {
	s := NewServer(t, "corp", "secret")
	if got := errcode(call(t, "GET", s.URL()+PathGetToken+"?corpid=corp&corpsecret=bad", "")); got != 40001 {
		t.Fatalf("bad secret: errcode %d", got)
	}
	if got := errcode(call(t, "GET", s.URL()+PathGetToken+"?corpid=other&corpsecret=secret", "")); got != 40013 {
		t.Fatalf("bad corp: errcode %d", got)
	}
	tok := call(t, "GET", s.URL()+PathGetToken+"?corpid=corp&corpsecret=secret", "")
	if errcode(tok) != 0 || tok["access_token"] == "" || tok["expires_in"].(float64) != TokenLifetime {
		t.Fatalf("gettoken = %v", tok)
	}
	send := func(token, body string) map[string]any {
		return call(t, "POST", s.URL()+PathMessageSend+"?access_token="+url.QueryEscape(token), body)
	}
	text := `{"touser":"u1","msgtype":"text","agentid":1,"text":{"content":"` + strings.Repeat("好", 700) + `"}}`
	tests := []struct {
		name  string
		token string
		body  string
		want  int
	}{
		{"no token", "", text, 41001},
		{"unknown token", "nope", text, 40014},
		{"not json", tok["access_token"].(string), "{", 47001},
		{"no recipient", tok["access_token"].(string), `{"msgtype":"text","text":{"content":"x"}}`, 40031},
		{"empty text", tok["access_token"].(string), `{"touser":"u1","msgtype":"text","text":{"content":""}}`, 44004},
		{"unknown type", tok["access_token"].(string), `{"touser":"u1","msgtype":"sticker"}`, 40008},
		{"unknown media", tok["access_token"].(string), `{"touser":"u1","msgtype":"file","file":{"media_id":"x"}}`, 40007},
		{"card without buttons", tok["access_token"].(string), `{"touser":"u1","msgtype":"template_card","template_card":{"card_type":"button_interaction","task_id":"t"}}`, 40058},
		{"long text", tok["access_token"].(string), text, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errcode(send(tt.token, tt.body)); got != tt.want {
				t.Fatalf("errcode %d, want %d", got, tt.want)
			}
		})
	}
	sent := s.Sent()
	if len(sent) != 1 || !sent[0].Truncated || len(sent[0].Content) != MaxTextBytes {
		t.Fatalf("long text not truncated like WeCom: %d bytes, truncated %v", len(sent[0].Content), sent[0].Truncated)
	}
	s.ExpireToken()
	if got := errcode(send(tok["access_token"].(string), text)); got != 42001 {
		t.Fatalf("expired token: errcode %d", got)
	}
	s.InjectErrcode(PathGetToken, 45009, 1)
	if got := errcode(call(t, "GET", s.URL()+PathGetToken+"?corpid=corp&corpsecret=secret", "")); got != 45009 {
		t.Fatalf("injected: errcode %d", got)
	}
	if got := errcode(call(t, "POST", s.URL()+PathWebhookSend+"?key=bad", `{"msgtype":"text","text":{"content":"x"}}`)); got != 93000 {
		t.Fatalf("robot bad key: errcode %d", got)
	}
	long := `{"msgtype":"markdown","markdown":{"content":"` + strings.Repeat("x", MaxRobotMarkdownBytes+1) + `"}}`
	if got := errcode(call(t, "POST", s.URL()+PathWebhookSend+"?key="+s.RobotKey(), long)); got != 40058 {
		t.Fatalf("robot long markdown: errcode %d", got)
	}
}
