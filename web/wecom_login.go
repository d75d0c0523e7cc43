package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"time"

	"campaignbot"
)

// WeComOAuth is WeCom's web authorisation (网页授权) as the console uses
// it to sign in a member who opens it inside WeCom; *wecom.Client is one.
type WeComOAuth interface {
	// AuthorizeURL is the link WeCom's client opens, coming back to
	// redirectURI with a code and state.
	AuthorizeURL(redirectURI, state string) string
	// UserIDByCode exchanges a code for the member's UserID: EINVALID for
	// a code WeCom refuses, ENOTFOUND for someone outside the corp.
	UserIDByCode(ctx context.Context, code string) (string, error)
}

// SetWeComOAuth lets members sign in from inside WeCom at /wecom/login
// (SPEC §11): the app's menu or a message links there. Main calls it once
// the WeCom client exists, before the console serves.
func (s *Server) SetWeComOAuth(o WeComOAuth) { s.wecom = o }

// stateCookie carries the state of a WeCom sign-in until WeCom sends the
// browser back, so that a code made for someone else's browser (a link
// passed on, a forged redirect) does not sign this one in.
const stateCookie = "campaignbot_wecom_state"

// stateTTL is how long a WeCom sign-in may take.
const stateTTL = 10 * time.Minute

// wecomLoginPath is where WeCom sends the browser back.
const wecomLoginPath = "/wecom/login"

// wecomLogin signs a member in by WeCom's web authorisation: without a code
// it sends the browser to WeCom; with one it checks the state, asks WeCom
// whose code it is, and starts a session for the roster's person with
// that UserID, by the same single-use link a /web login spends.
func (s *Server) wecomLogin(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.wecom == nil || s.base.Load().url == "" {
		return &errHTTP{http.StatusNotFound, s.t("web.wecom.not_configured")}
	}
	q := r.URL.Query()
	code := q.Get("code")
	if code == "" {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		state := hex.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: state, Path: wecomLoginPath, MaxAge: int(stateTTL / time.Second),
			HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, s.wecom.AuthorizeURL(s.base.Load().url+wecomLoginPath, state), http.StatusFound)
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: "", Path: wecomLoginPath, MaxAge: -1, HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteLaxMode})
	ck, err := r.Cookie(stateCookie)
	if err != nil || ck.Value == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(q.Get("state"))) != 1 {
		return &errHTTP{http.StatusUnauthorized, s.t("web.wecom.bad_state")}
	}
	userID, err := s.wecom.UserIDByCode(r.Context(), code)
	switch campaignbot.ErrorCode(err) {
	case "":
	case campaignbot.EINVALID:
		return &errHTTP{http.StatusUnauthorized, s.t("web.wecom.bad_code")}
	case campaignbot.ENOTFOUND:
		return &errHTTP{http.StatusForbidden, s.t("web.wecom.not_member")}
	default:
		return err
	}
	p, err := s.personByWeCom(r.Context(), userID)
	if err != nil {
		return err
	}
	l, err := s.store.CreateLoginLink(r.Context(), p.ID)
	if err != nil {
		return err
	}
	sess, err := s.store.RedeemLoginLink(r.Context(), l.Token)
	if err != nil {
		return err
	}
	return s.startSession(w, r, rc, sess, "wecom")
}

// personByWeCom finds the roster's person with the WeCom UserID: by the
// roster's column, or by a WeCom account bound to them.
func (s *Server) personByWeCom(ctx context.Context, userID string) (*campaignbot.Person, error) {
	people, err := s.store.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return nil, err
	}
	for _, p := range people {
		if p.WeCom == userID {
			return p, nil
		}
	}
	_, p, err := s.store.FindPersonByAccount(ctx, campaignbot.PlatformWeCom, userID)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return nil, &errHTTP{http.StatusForbidden, s.t("web.wecom.not_on_roster")}
	}
	return p, err
}
