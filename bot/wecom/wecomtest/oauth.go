package wecomtest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"
)

// PathAuthGetUserInfo exchanges a web authorisation code for the member.
const PathAuthGetUserInfo = "/cgi-bin/auth/getuserinfo"

// OAuthCodeLifetime is how long a code stays good, as WeCom documents it.
const OAuthCodeLifetime = 5 * time.Minute

// oauthCode is a code handed out by the authorisation page: for a member
// (userID) or for someone outside the corp (openID).
type oauthCode struct {
	userID, openID string
	issued         time.Time
}

// oauthState is the fake's web authorisation: codes issued and not spent.
type oauthState struct {
	codes map[string]oauthCode
}

// IssueOAuthCode returns a code as WeCom's authorisation page gives it to
// the redirect after a member with userID opened the app's link: single
// use, good for OAuthCodeLifetime.
func (s *Server) IssueOAuthCode(userID string) string { return s.issueCode(oauthCode{userID: userID}) }

// IssueOAuthCodeOutsider returns a code for someone who is not a member
// of the corp (WeCom answers such a code with an openid, no userid).
func (s *Server) IssueOAuthCodeOutsider(openID string) string {
	return s.issueCode(oauthCode{openID: openID})
}

func (s *Server) issueCode(c oauthCode) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	code := hex.EncodeToString(b)
	c.issued = time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.oauth.codes == nil {
		s.oauth.codes = map[string]oauthCode{}
	}
	s.oauth.codes[code] = c
	return code
}

// authGetUserInfo answers GET cgi-bin/auth/getuserinfo as WeCom does:
// 41008 without a code, 40029 for a code unknown, already used or expired,
// else the member's userid, or an outsider's openid.
func (s *Server) authGetUserInfo(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	if code == "" {
		answer(w, 41008, "missing code", nil)
		return
	}
	s.mu.Lock()
	c, ok := s.oauth.codes[code]
	delete(s.oauth.codes, code)
	s.mu.Unlock()
	switch {
	case !ok || time.Since(c.issued) > OAuthCodeLifetime:
		answer(w, 40029, "invalid code", nil)
	case c.userID != "":
		answer(w, 0, "ok", map[string]any{"userid": c.userID})
	default:
		answer(w, 0, "ok", map[string]any{"openid": c.openID})
	}
}
