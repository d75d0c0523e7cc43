package wecomtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Error messages as WeCom words them (全局错误码); clients must go by
// errcode, but logs show these.
const (
	msgIPNotTrusted = "not allow to access from your ip, hint: [1717571485419203277035119], from ip: 203.0.113.7, more info at https://open.work.weixin.qq.com/devtool/query?e=60020"
	msgFrequency    = "api freq out of limit, hint: [1717571485419203277035119], from ip: 203.0.113.7, more info at https://open.work.weixin.qq.com/devtool/query?e=45009"
)

// MemberMessagesPerMinute is how many app messages one member receives a
// minute; WeCom drops the excess without an error.
const MemberMessagesPerMinute = 30

// faultState is the deployment faults and per-member behaviour the fake
// plays; Server's mu guards it.
type faultState struct {
	untrusted bool                   // the caller's IP is not in 企业可信IP
	member    map[string][]injection // message/send answers for one member
	limit     int                    // app messages a member receives a minute; 0: no limit
	received  map[string][]time.Time // by member, within the last minute
	dropped   []Message
}

// TrustIP sets whether the caller's IP is in the app's 企业可信IP. When it
// is not, every app API call but gettoken answers errcode 60020, as WeCom
// does for a self-built app whose trusted IPs do not list the server (the
// usual first-day mistake); the group robot is not concerned.
func (s *Server) TrustIP(trusted bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.untrusted = !trusted
}

// SetSecret replaces the app secret, as when an administrator resets it:
// gettoken with the old one answers 40001, and tokens already issued stay
// valid until they expire.
func (s *Server) SetSecret(secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secret = secret
}

// SetRobotKey replaces the key the group robot's webhook takes, as when
// the robot is removed and added again; the old key answers 93000.
func (s *Server) SetRobotKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.robotKey = key
}

// SetValidUser undoes SetInvalidUser: the member is in the app's visible
// range (可见范围) again.
func (s *Server) SetValidUser(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.invalid, id)
}

// InjectMemberErrcode makes the next times message/send calls to the
// member alone answer errcode code: 45009 for a member who got too many
// messages, while others still get theirs. Until then a call to several
// members including them answers code as a whole.
func (s *Server) InjectMemberErrcode(member string, code, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.member == nil {
		s.faults.member = map[string][]injection{}
	}
	for range times {
		s.faults.member[member] = append(s.faults.member[member], injection{errcode: code})
	}
}

// LimitMembers makes the fake drop, silently, what one member would
// receive beyond perMinute app messages in a minute (WeCom's
// MemberMessagesPerMinute): message/send answers ok, the member sees
// nothing. Zero turns it off.
func (s *Server) LimitMembers(perMinute int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.limit = perMinute
	s.faults.received = map[string][]time.Time{}
}

// Dropped returns the messages answered ok but dropped by LimitMembers.
func (s *Server) Dropped() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.faults.dropped...)
}

// faulty plays the faults before a call reaches its handler; it reports
// whether it answered.
func (s *Server) faulty(w http.ResponseWriter, r *http.Request) bool {
	path := r.URL.Path
	robot := strings.HasPrefix(path, "/cgi-bin/webhook/")
	s.mu.Lock()
	untrusted, perMember, limit := s.faults.untrusted, len(s.faults.member) > 0, s.faults.limit
	s.mu.Unlock()
	if untrusted && !robot && path != PathGetToken {
		answer(w, 60020, msgIPNotTrusted, nil)
		return true
	}
	if path != PathMessageSend || (!perMember && limit == 0) {
		return false
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		answer(w, 44002, "empty post data", nil)
		return true
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	var req sendRequest
	if json.Unmarshal(raw, &req) != nil || req.ToUser == "" {
		return false // the handler answers
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// A call to several members (touser "a|b") that includes one who is
	// over their limit fails as a whole with that member's errcode, and
	// does not say whose it is; the member's own calls use it up.
	if users := strings.Split(req.ToUser, "|"); len(users) > 1 {
		for _, u := range users {
			if q := s.faults.member[u]; len(q) > 0 {
				answer(w, q[0].errcode, msgFrequency, nil)
				return true
			}
		}
	}
	if q := s.faults.member[req.ToUser]; len(q) > 0 {
		s.faults.member[req.ToUser] = q[1:]
		msg := "injected"
		if q[0].errcode == 45009 {
			msg = msgFrequency
		}
		answer(w, q[0].errcode, msg, nil)
		return true
	}
	if limit == 0 || strings.Contains(req.ToUser, "|") || s.invalid[req.ToUser] {
		return false
	}
	now := time.Now()
	recent := s.faults.received[req.ToUser][:0]
	for _, t := range s.faults.received[req.ToUser] {
		if now.Sub(t) < time.Minute {
			recent = append(recent, t)
		}
	}
	if len(recent) >= limit {
		s.faults.received[req.ToUser] = recent
		s.seq++
		m := Message{Path: PathMessageSend, ToUser: req.ToUser, MsgType: req.MsgType, Raw: raw, MsgID: fmt.Sprintf("msg-%d", s.seq)}
		s.faults.dropped = append(s.faults.dropped, m)
		answer(w, 0, "ok", map[string]any{"invaliduser": "", "invalidparty": "", "invalidtag": "", "unlicenseduser": "", "msgid": m.MsgID})
		return true
	}
	s.faults.received[req.ToUser] = append(recent, now)
	return false
}

// EventXML is the plaintext of an event callback as WeCom pushes it, before
// encryption: subscribe and unsubscribe (a member added to or removed from
// the app's 可见范围), enter_agent, …
func EventXML(corpID, user, event string, createTime int64, agentID int) string {
	return fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[%s]]></Event>"+
		"<AgentID>%d</AgentID></xml>", corpID, user, createTime, event, agentID)
}
