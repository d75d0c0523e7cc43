package web

import (
	"crypto/subtle"
	"net/http"

	"campaignbot"
)

// loginPage asks the holder of a login link to sign in. The link is used by
// the form it shows, not by opening it: chat apps open links to preview
// them, and a preview must not spend a single-use link.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.render(w, rc, "login", s.t("web.login.title"), map[string]any{"Token": r.PathValue("token")})
}

// login spends a login link and starts a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	token := r.PostFormValue("token")
	sess, err := s.store.RedeemLoginLink(r.Context(), token)
	switch campaignbot.ErrorCode(err) {
	case "":
	case campaignbot.ENOTFOUND, campaignbot.EINVALID:
		return &errHTTP{http.StatusUnauthorized, s.t("web.err.bad_link")}
	default:
		return err
	}
	return s.startSession(w, r, rc, sess, "")
}

// startSession sets the cookie of a new session, records the sign-in (how
// says by what, "" for a login link) and sends the browser home.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, rc *reqCtx, sess *campaignbot.WebSession, how string) error {
	rc.person, rc.session = &campaignbot.Person{ID: sess.PersonID}, sess
	if err := s.record(r.Context(), rc, "login", how); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: sess.Token, Path: "/",
		Expires: sess.ExpiresAt, HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// logout ends the session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.store.DeleteWebSession(r.Context(), rc.session.Token); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteLaxMode})
	rc.person, rc.session = nil, nil
	return s.render(w, rc, "error", s.t("web.logout.title"), map[string]any{"Message": s.t("web.logout.done")})
}

// home sends each person to their first page: the dashboard for those who
// may see it, their tasks for everyone else.
func (s *Server) home(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.chat.Allowed(rc.person, "digest") {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	} else {
		http.Redirect(w, r, "/tasks", http.StatusSeeOther)
	}
	return nil
}

// validCSRF reports whether a form carries its session's CSRF token.
func (s *Server) validCSRF(r *http.Request, rc *reqCtx) bool {
	got := r.FormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(rc.session.CSRF)) == 1
}
