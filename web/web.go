// Package web is the office's web console (SPEC §11): server-rendered pages
// over the same store and chat engine as the bots, signed in by the one-time
// links of /web, with the chat's role check. Templates and the style sheet
// are embedded; the pages are plain forms that need no script.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"campaignbot"
)

// Store is what the console reads and writes; *store.DB implements it.
type Store interface {
	campaignbot.Store
	campaignbot.DigestService
	campaignbot.WebService
	campaignbot.ConsoleService
}

// Chat is the chat engine as the console uses it (*bot.Engine): its role
// check, and the commands whose effects and notices the console shares.
type Chat interface {
	// Allowed reports whether p may run the chat command name.
	Allowed(p *campaignbot.Person, command string) bool
	// Act runs a chat command for p and returns the replies' texts.
	Act(ctx context.Context, p *campaignbot.Person, text string, files []campaignbot.Attachment) ([]string, error)
	// FileProblem files a problem as the end of the /problem dialog does.
	FileProblem(ctx context.Context, p *campaignbot.Person, st campaignbot.DialogState) ([]string, error)
	// Tell puts a notice for a person in the outbox.
	Tell(ctx context.Context, personID int64, key, text string) error
	// Reviewers returns who reviews a task's submissions from a department.
	Reviewers(ctx context.Context, taskKey string, departmentID int64) ([]int64, error)
	// Diff renders the change between two versions' texts as /review does.
	Diff(a, b string) string
	// WaitingFor returns the versions waiting for a person's review.
	WaitingFor(ctx context.Context, personID int64) ([]*campaignbot.Submission, error)
}

// Limits of what a request may carry.
const (
	maxFormBody   = 1 << 20  // a form without files
	maxUploadBody = 25 << 20 // a form with files, at most maxUploadFile each
	maxUploadFile = 20 << 20 // what the chat accepts from Telegram too
	maxFieldLen   = 20000    // characters of one text field
)

// cookieName is the session cookie.
const cookieName = "campaignbot_session"

// contentSecurityPolicy allows the page's own style sheet, images and forms
// and nothing else: no script, no frame, nothing from another origin.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

//go:embed templates/*.html static/*
var assets embed.FS

// Server is the web console.
type Server struct {
	store Store
	chat  Chat
	plan  func() *campaignbot.Plan
	clock campaignbot.Clock
	lang  string
	base  atomic.Pointer[baseURL]
	log   *slog.Logger
	pages map[string]*template.Template
	mux   *http.ServeMux
	cop   *http.CrossOriginProtection
	// wecom signs members in from inside WeCom (SetWeComOAuth).
	wecom WeComOAuth
	// parsePlan validates an uploaded plan file (WithPlanParser).
	parsePlan func(name string, data []byte) (*campaignbot.Plan, error)
	// notify wakes the outbox dispatcher (WithNotify).
	notify func()
	// export writes the office's workbook (WithExporter).
	export func(context.Context, io.Writer) error
	// records reads every submission's record (WithSubmissionRecords).
	records func(context.Context) ([]campaignbot.SubmissionRecord, campaignbot.TaskKeys, error)
}

// Option configures a Server.
type Option func(*Server)

// WithLang selects the console's language: "zh" (default) or "en".
func WithLang(lang string) Option { return func(s *Server) { s.lang = lang } }

// WithClock sets the clock (tests move it).
func WithClock(c campaignbot.Clock) Option { return func(s *Server) { s.clock = c } }

// WithSubmissionRecords sets where the dashboard reads the records of every
// submission: main gives it the scheduler's cache (SPEC §10's figure at
// 200,000 submissions misses without it). By default the store is read.
func WithSubmissionRecords(f func(context.Context) ([]campaignbot.SubmissionRecord, campaignbot.TaskKeys, error)) Option {
	return func(s *Server) { s.records = f }
}

// WithExporter sets what writes the office's workbook, the one the chat's
// /export sends; without it the exports page says there is none.
func WithExporter(f func(context.Context, io.Writer) error) Option {
	return func(s *Server) { s.export = f }
}

// WithNotify sets what wakes the outbox dispatcher after messages are put
// back in the outbox, as the chat engine's own notify does.
func WithNotify(f func()) Option { return func(s *Server) { s.notify = f } }

// WithPlanParser lets the office upload a new plan on the plan page,
// validated by parse (plan.Parse: every error with its line and field).
func WithPlanParser(parse func(name string, data []byte) (*campaignbot.Plan, error)) Option {
	return func(s *Server) { s.parsePlan = parse }
}

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// baseURL is the console's public address and whether it is https.
type baseURL struct {
	url    string
	secure bool
}

// New returns the console over store and chat; plan returns the plan in
// force; base is its public address (CAMPAIGNBOT_BASE_URL), from which
// login links are made and cookies marked Secure when it is https. It may
// be "" until SetBaseURL.
func New(store Store, chat Chat, plan func() *campaignbot.Plan, base string, opts ...Option) (*Server, error) {
	s := &Server{
		store: store, chat: chat, plan: plan,
		clock: campaignbot.SystemClock,
		lang:  "zh",
		log:   slog.New(slog.DiscardHandler),
		cop:   http.NewCrossOriginProtection(),
	}
	s.base.Store(&baseURL{})
	s.records = func(ctx context.Context) ([]campaignbot.SubmissionRecord, campaignbot.TaskKeys, error) {
		return store.FindSubmissionRecordsAfter(ctx, 0, nil)
	}
	for _, o := range opts {
		o(s)
	}
	if base != "" {
		if err := s.SetBaseURL(base); err != nil {
			return nil, err
		}
	}
	var err error
	if s.pages, err = s.parseTemplates(); err != nil {
		return nil, err
	}
	s.mux = http.NewServeMux()
	s.routes()
	return s, nil
}

// SetBaseURL sets the console's public address: main sets the listener's
// own when CAMPAIGNBOT_BASE_URL is not given.
func (s *Server) SetBaseURL(base string) error {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("base url %q: want http(s)://host[:port][/path]", base)
	}
	s.base.Store(&baseURL{strings.TrimSuffix(base, "/"), u.Scheme == "https"})
	return nil
}

// secure reports whether cookies are marked Secure: behind https.
func (s *Server) secure() bool { return s.base.Load().secure }

// LinkURL is the login link for a token.
func LinkURL(baseURL, token string) string {
	return strings.TrimSuffix(baseURL, "/") + "/login/" + token
}

// LoginLink makes a one-time login link for the person (/web).
func (s *Server) LoginLink(ctx context.Context, personID int64) (string, time.Time, error) {
	base := s.base.Load().url
	if base == "" {
		return "", time.Time{}, campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.not_configured"))
	}
	l, err := s.store.CreateLoginLink(ctx, personID)
	if err != nil {
		return "", time.Time{}, err
	}
	return LinkURL(base, l.Token), l.ExpiresAt, nil
}

// route is one entry of the route table: a pattern, the chat command whose
// roles may use it ("" for anyone signed in, "-" for anyone at all; "a|b"
// for the roles of either), and the handler.
type route struct {
	pattern string
	command string
	handler func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error
}

// Commands the console's pages share their roles with. The chat's table
// decides who holds them (Chat.Allowed): head and office run the whole
// organisation (/assign), leaders their departments (/overdue).
const (
	cmdOrgWide = "assign"  // head, office: everything
	cmdDepts   = "overdue" // leaders: their departments
)

// routes registers every page and action, in one table.
func (s *Server) routes() {
	table := []route{
		{"GET /login/{token}", "-", s.loginPage},
		{"POST /login", "-", s.login},
		{"GET " + wecomLoginPath, "-", s.wecomLogin},
		{"POST /logout", "", s.logout},
		{"GET /{$}", "", s.home},
		{"GET /dashboard", "digest", s.dashboard},
		{"GET /roster", "invite", s.roster},
		{"GET /people/new", "invite", s.personNew},
		{"POST /people/new", "invite", s.personAdd},
		{"GET /people/{id}", "invite", s.personPage},
		{"POST /people/{id}", "invite", s.personSave},
		{"POST /people/{id}/remove", "invite", s.personRemove},
		{"POST /people/{id}/invite", "invite", s.personInvite},
		{"POST /people/{id}/revoke", "invite", s.personRevoke},
		{"GET /submissions", "", s.submissions},
		{"GET /submissions/{id}", "", s.submissionPage},
		{"GET /submissions/{id}/files/{n}", "", s.submissionFile},
		{"POST /submissions/{id}/review", "review", s.reviewSave},
		{"GET /review", "review", s.reviewQueue},
		{"GET /problems", "problems", s.problems},
		{"GET /problems/new", "problem", s.problemNew},
		{"POST /problems/new", "problem", s.problemFile},
		{"GET /problems/{id}", "problems", s.problemPage},
		{"GET /problems/{id}/photos/{n}", "problems", s.problemPhoto},
		{"GET /problems/{id}/events/{ev}/files/{n}", "problems", s.problemEventFile},
		{"POST /problems/{id}/assign", "assign", s.problemAssign},
		{"POST /problems/{id}/claim", "claim", s.problemStep(problemAction{"claim", "problem_claim", false})},
		{"POST /problems/{id}/progress", "progress", s.problemStep(problemAction{"progress", "problem_progress", true})},
		{"POST /problems/{id}/resolve", "resolve", s.problemStep(problemAction{"resolve", "problem_resolve", true})},
		{"POST /problems/{id}/confirm", "confirm", s.problemStep(problemAction{"confirm", "problem_confirm", false})},
		{"POST /problems/{id}/reopen", "reopen", s.problemStep(problemAction{"reopen", "problem_reopen", true})},
		{"GET /ledger", "ledger", s.ledger},
		{"POST /ledger", "ledger", s.ledgerAdd},
		{"GET /ledger/{id}", "ledger", s.ledgerItemPage},
		{"POST /ledger/{id}", "ledger", s.ledgerSave},
		{"POST /ledger/publish", "ledger", s.ledgerPublish},
		{"POST /ledger/{id}/remove", "ledger", s.ledgerRemove},
		{"POST /problems/{id}/ledger", "ledger", s.ledgerFromProblem},
		{"POST /submissions/{id}/points/{point}/ledger", "ledger", s.ledgerFromReport},
		{"GET /opinions", opinionsCommand, s.opinions},
		{"POST /opinions/{id}/answer", opinionsCommand, s.opinionAnswer},
		{"GET /tasks", "tasks", s.tasks},
		{"POST /tasks/{key}", "submit", s.taskSubmit},
		{"GET /audit", "export", s.audit},
		{"GET /surveys", cmdOrgWide, s.surveys},
		{"GET /announce", "announce", s.announcePage},
		{"POST /announce", "announce", s.announceSend},
		{"POST /announce/preview", "announce", s.announcePreview},
		{"GET /exports", "export", s.exports},
		{"POST /exports/workbook", "export", s.exportWorkbook},
		{"GET /plan", cmdOrgWide + "|" + cmdDepts, s.planPage},
		{"POST /plan", cmdOrgWide, s.planUpload},
		{"GET /outbox", "export", s.outbox},
		{"POST /outbox/requeue", "export", s.outboxRequeue},
	}
	for _, rt := range table {
		s.mux.Handle(rt.pattern, s.wrap(rt))
	}
	static, _ := fs.Sub(assets, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", s.staticHandler(http.FileServerFS(static))))
}

// opinionsCommand is the chat command whose roles read and answer
// opinions (/answer).
const opinionsCommand = "answer"

// staticHandler serves the embedded assets with the console's headers.
func (s *Server) staticHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.securityHeaders(w)
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// securityHeaders are set on every response.
func (s *Server) securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
}

// reqCtx is one request's signed-in person and session.
type reqCtx struct {
	person  *campaignbot.Person
	session *campaignbot.WebSession
	// flash is a message carried to the next page (?ok=…).
	flash string
}

// errHTTP is an error with the status it answers.
type errHTTP struct {
	status int
	msg    string
}

func (e *errHTTP) Error() string { return fmt.Sprintf("%d %s", e.status, e.msg) }

// wrap puts a route's handler behind the console's checks: headers, body
// limit, cross-origin protection, session, role and CSRF token; an error it
// returns becomes an error page, and a panic a 500.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.securityHeaders(w)
		w.Header().Set("Cache-Control", "no-store")
		rc := &reqCtx{}
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("web: panic", "path", r.URL.Path, "panic", v)
				s.renderError(w, r, rc, &errHTTP{http.StatusInternalServerError, s.t("web.err.internal")})
			}
		}()
		err := s.serve(w, r, rt, rc)
		if err != nil {
			s.renderError(w, r, rc, err)
		}
	})
}

// serve runs the checks, then the handler.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt route, rc *reqCtx) error {
	limit := int64(maxFormBody)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		limit = maxUploadBody
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := s.cop.Check(r); err != nil {
		return &errHTTP{http.StatusForbidden, s.t("web.err.csrf")}
	}
	if rt.command == "-" {
		return rt.handler(w, r, rc)
	}
	if err := s.signIn(r, rc); err != nil {
		if r.Method == http.MethodGet {
			return &errHTTP{http.StatusUnauthorized, s.t("web.err.signed_out")}
		}
		return err
	}
	if rt.command != "" && !s.allowedAny(rc.person, rt.command) {
		return &errHTTP{http.StatusForbidden, s.t("web.err.forbidden")}
	}
	if r.Method == http.MethodPost && !s.validCSRF(r, rc) {
		return &errHTTP{http.StatusForbidden, s.t("web.err.csrf")}
	}
	rc.flash = r.URL.Query().Get("ok")
	return rt.handler(w, r, rc)
}

// signIn finds the session of the request's cookie and its person.
func (s *Server) signIn(r *http.Request, rc *reqCtx) error {
	ck, err := r.Cookie(cookieName)
	if err != nil || ck.Value == "" {
		return &errHTTP{http.StatusUnauthorized, s.t("web.err.signed_out")}
	}
	sess, err := s.store.FindWebSession(r.Context(), ck.Value)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return &errHTTP{http.StatusUnauthorized, s.t("web.err.signed_out")}
	} else if err != nil {
		return err
	}
	p, err := s.store.FindPersonByID(r.Context(), sess.PersonID)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return &errHTTP{http.StatusUnauthorized, s.t("web.err.signed_out")}
	} else if err != nil {
		return err
	}
	sess.Token = ck.Value
	rc.person, rc.session = p, sess
	return nil
}

// renderError answers err: its status and message for an errHTTP or a
// coded error, 500 (logged) for anything else.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) {
	var he *errHTTP
	if !errors.As(err, &he) {
		switch campaignbot.ErrorCode(err) {
		case campaignbot.EINVALID, campaignbot.ECONFLICT:
			he = &errHTTP{http.StatusBadRequest, campaignbot.ErrorMessage(err)}
		case campaignbot.ENOTFOUND:
			he = &errHTTP{http.StatusNotFound, campaignbot.ErrorMessage(err)}
		case campaignbot.EFORBIDDEN:
			he = &errHTTP{http.StatusForbidden, campaignbot.ErrorMessage(err)}
		default:
			s.log.Error("web", "path", r.URL.Path, "err", err)
			he = &errHTTP{http.StatusInternalServerError, s.t("web.err.internal")}
		}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		he = &errHTTP{http.StatusRequestEntityTooLarge, s.t("web.err.too_large", maxUploadFile>>20)}
	}
	s.renderPage(w, rc, he.status, "error", s.t("web.err.title"), map[string]any{"Status": he.status, "Message": he.msg})
}

// redirect answers a form with a redirect to path, carrying a message.
func redirect(w http.ResponseWriter, r *http.Request, path, msg string) error {
	if msg != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "ok=" + url.QueryEscape(msg)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// t returns the catalog text for key in the console's language.
func (s *Server) t(key string, args ...any) string { return campaignbot.T(s.lang, key, args...) }

// today is the current day in the plan's time zone.
func (s *Server) today() campaignbot.Date { return campaignbot.DateOf(s.clock.Now(), s.plan().Loc()) }

// record writes an office action to the audit log. Callers run it inside
// the action's Atomic, so that the action and its record commit together.
func (s *Server) record(ctx context.Context, rc *reqCtx, action, detail string) error {
	return s.store.RecordAudit(ctx, &campaignbot.AuditEntry{PersonID: rc.person.ID, Action: action, Detail: detail})
}
