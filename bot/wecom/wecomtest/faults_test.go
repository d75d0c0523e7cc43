package wecomtest

import (
	"net/url"
	"strings"
	"testing"
)

// TestFaults: the faults the fake plays answer as WeCom does.
func TestFaults(t *testing.T) {
	s := NewServer(t, "corp", "secret")
	tok := call(t, "GET", s.URL()+PathGetToken+"?corpid=corp&corpsecret=secret", "")["access_token"].(string)
	send := func(user string) map[string]any {
		return call(t, "POST", s.URL()+PathMessageSend+"?access_token="+url.QueryEscape(tok),
			`{"touser":"`+user+`","msgtype":"text","agentid":1,"text":{"content":"hi"}}`)
	}

	s.TrustIP(false)
	got := send("u1")
	if errcode(got) != 60020 || !strings.Contains(got["errmsg"].(string), "from ip:") {
		t.Errorf("untrusted IP: %v, want 60020 naming the IP", got)
	}
	if c := errcode(call(t, "GET", s.URL()+PathGetToken+"?corpid=corp&corpsecret=secret", "")); c != 0 {
		t.Errorf("gettoken from an untrusted IP: errcode %d, want 0", c)
	}
	s.TrustIP(true)

	s.InjectMemberErrcode("u1", 45009, 1)
	if c := errcode(send("u1")); c != 45009 {
		t.Errorf("u1: errcode %d, want 45009", c)
	}
	if c := errcode(send("u2")); c != 0 {
		t.Errorf("u2 while u1 is limited: errcode %d, want 0", c)
	}

	s.LimitMembers(3)
	for i := range 5 {
		if c := errcode(send("u3")); c != 0 {
			t.Fatalf("message %d to u3: errcode %d, want 0 (WeCom drops silently)", i+1, c)
		}
	}
	if got := len(s.Dropped()); got != 2 {
		t.Errorf("%d dropped, want 2 over the limit of 3", got)
	}
	n := 0
	for _, m := range s.Sent() {
		if m.ToUser == "u3" {
			n++
		}
	}
	if n != 3 {
		t.Errorf("u3 received %d, want 3", n)
	}

	s.SetSecret("new")
	if c := errcode(call(t, "GET", s.URL()+PathGetToken+"?corpid=corp&corpsecret=secret", "")); c != 40001 {
		t.Errorf("old secret after a reset: errcode %d, want 40001", c)
	}
	old := s.RobotKey()
	s.SetRobotKey("robot-2")
	if c := errcode(call(t, "POST", s.URL()+PathWebhookSend+"?key="+old, `{"msgtype":"text","text":{"content":"x"}}`)); c != 93000 {
		t.Errorf("old robot key: errcode %d, want 93000", c)
	}
	s.SetInvalidUser("u4")
	if c := errcode(send("u4")); c != 81013 {
		t.Errorf("invalid user: errcode %d, want 81013", c)
	}
	s.SetValidUser("u4")
	if c := errcode(send("u4")); c != 0 {
		t.Errorf("user back in range: errcode %d, want 0", c)
	}
}
