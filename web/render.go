package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"campaignbot"
)

// page is what the layout needs besides the page's own data.
type page struct {
	Title string
	Lang  string
	Me    *campaignbot.Person
	CSRF  string
	Nav   []navItem
	Flash string
	// Can says which pages of the menu the person may open, by path, so
	// that a page links only where its reader may go.
	Can  map[string]bool
	Data any
}

// navItem is one link of the menu.
type navItem struct {
	Href, Label string
}

// navTable is the menu: each page with the chat commands whose roles see
// it (any of those listed).
var navTable = []struct{ href, key, command string }{
	{"/dashboard", "web.nav.dashboard", "digest"},
	{"/tasks", "web.nav.tasks", "tasks"},
	{"/review", "web.nav.review", "review"},
	{"/submissions", "web.nav.submissions", cmdOrgWide + "|" + cmdDepts},
	{"/problems", "web.nav.problems", "problems"},
	{"/ledger", "web.nav.ledger", "ledger"},
	{"/opinions", "web.nav.opinions", opinionsCommand},
	{"/roster", "web.nav.roster", "invite"},
	{"/surveys", "web.nav.surveys", cmdOrgWide},
	{"/announce", "web.nav.announce", "announce"},
	{"/plan", "web.nav.plan", cmdOrgWide + "|" + cmdDepts},
	{"/exports", "web.nav.exports", "export"},
	{"/outbox", "web.nav.outbox", "export"},
	{"/audit", "web.nav.audit", "export"},
}

// parseTemplates parses each page with the layout.
func (s *Server) parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"t":    s.t,
		"date": func(d campaignbot.Date) string { return d.String() },
		"time": func(t time.Time) string { return t.In(s.plan().Loc()).Format("2006-01-02 15:04") },
		"role": func(r campaignbot.Role) string { return r.Title(s.lang) },
		"pct": func(n, d int) int {
			if d == 0 {
				return 0
			}
			return n * 100 / d
		},
		"lines": func(s string) []string { return strings.Split(s, "\n") },
		"add":   func(a, b int) int { return a + b },
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		pages[base] = t
	}
	return pages, nil
}

// render writes a page with status 200.
func (s *Server) render(w http.ResponseWriter, rc *reqCtx, name, title string, data any) error {
	s.renderPage(w, rc, http.StatusOK, name, title, data)
	return nil
}

// renderPage writes a page in the layout; the page is rendered whole
// before anything is written, so a template error is a clean 500.
func (s *Server) renderPage(w http.ResponseWriter, rc *reqCtx, status int, name, title string, data any) {
	pg := page{Title: title, Lang: "zh-CN", Data: data}
	if campaignbot.English(s.lang) {
		pg.Lang = "en"
	}
	if rc != nil && rc.person != nil && rc.session != nil {
		pg.Me, pg.CSRF, pg.Flash = rc.person, rc.session.CSRF, rc.flash
		pg.Can = map[string]bool{}
		for _, n := range navTable {
			if s.allowedAny(rc.person, n.command) {
				pg.Nav = append(pg.Nav, navItem{n.href, s.t(n.key)})
				pg.Can[n.href] = true
			}
		}
	}
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout.html", pg); err != nil {
		s.log.Error("web: render", "page", name, "err", err)
		http.Error(w, s.t("web.err.internal"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// allowedAny reports whether p may run any of the chat commands listed,
// separated by "|".
func (s *Server) allowedAny(p *campaignbot.Person, commands string) bool {
	for _, c := range strings.Split(commands, "|") {
		if s.chat.Allowed(p, c) {
			return true
		}
	}
	return false
}
