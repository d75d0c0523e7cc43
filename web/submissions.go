package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"campaignbot"
)

// maxListed is how many submissions a list shows.
const maxListed = 200

// subRow is one submission in a list.
type subRow struct {
	*campaignbot.Submission
	Author, Dept, Task string
}

// canSee reports whether p may read what author (of department dept)
// submitted: the head and the office everything, a leader their
// departments, everyone their own.
func (s *Server) canSee(p *campaignbot.Person, authorID, dept int64) bool {
	all, depts := s.scope(p)
	return all || authorID == p.ID || slices.Contains(depts, dept)
}

// submissions lists the submissions p may read, newest first, filtered by
// department, person, task or state.
func (s *Server) submissions(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	q := r.URL.Query()
	f := campaignbot.SubmissionFilter{}
	if v, err := strconv.ParseInt(q.Get("dept"), 10, 64); err == nil {
		f.DepartmentID = &v
	}
	if v, err := strconv.ParseInt(q.Get("person"), 10, 64); err == nil {
		f.PersonID = &v
	}
	if v := q.Get("task"); v != "" {
		f.TaskKey = &v
	}
	if v := campaignbot.ReviewState(q.Get("state")); v != "" {
		f.State = &v
	}
	all, depts := s.scope(rc.person)
	if !all && len(depts) == 0 {
		f.PersonID = &rc.person.ID
	}
	subs, err := s.store.FindSubmissions(ctx, f)
	if err != nil {
		return err
	}
	subs = slices.DeleteFunc(subs, func(x *campaignbot.Submission) bool { return !s.canSee(rc.person, x.PersonID, x.DepartmentID) })
	slices.SortFunc(subs, func(a, b *campaignbot.Submission) int { return b.SubmittedAt.Compare(a.SubmittedAt) })
	more := max(0, len(subs)-maxListed)
	subs = subs[:min(len(subs), maxListed)]
	rows, err := s.subRows(ctx, subs)
	if err != nil {
		return err
	}
	departments, err := s.store.FindDepartments(ctx)
	if err != nil {
		return err
	}
	if !all {
		departments = slices.DeleteFunc(departments, func(d *campaignbot.Department) bool { return !slices.Contains(depts, d.ID) })
	}
	return s.render(w, rc, "submissions", s.t("web.nav.submissions"), map[string]any{
		"Rows": rows, "More": more, "Departments": departments, "Tasks": s.plan().Tasks, "Query": q,
	})
}

// subRows names the authors, departments and tasks of subs.
func (s *Server) subRows(ctx context.Context, subs []*campaignbot.Submission) ([]subRow, error) {
	names, depts, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]subRow, len(subs))
	for i, x := range subs {
		rows[i] = subRow{x, names[x.PersonID], depts[x.DepartmentID], s.taskTitle(x.TaskKey)}
	}
	return rows, nil
}

// names maps person and department ids to names.
func (s *Server) names(ctx context.Context) (map[int64]string, map[int64]string, error) {
	people, err := s.store.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return nil, nil, err
	}
	ds, err := s.store.FindDepartments(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(people))
	for _, p := range people {
		names[p.ID] = p.Name
	}
	depts := make(map[int64]string, len(ds))
	for _, d := range ds {
		depts[d.ID] = d.Name
	}
	return names, depts, nil
}

// taskTitle is a task's title in the console's language.
func (s *Server) taskTitle(key string) string {
	if t := s.plan().FindTask(key); t != nil {
		return title(s.lang, t.Title, t.TitleEn)
	}
	return key
}

// version is one version of a submission with its review comments.
type version struct {
	subRow
	Comments []commentRow
	Diff     []diffRow
}

// commentRow is a reviewer's comment.
type commentRow struct {
	*campaignbot.ReviewComment
	Reviewer string
}

// diffRow is one line of the change from the previous version.
type diffRow struct {
	Op, Text string
}

// submissionPage shows one submission: its text, photos, files, every
// version with its review history, and the decision form for its reviewer.
func (s *Server) submissionPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	sub, err := s.visibleSubmission(r, rc)
	if err != nil {
		return err
	}
	vs, err := s.versions(ctx, sub)
	if err != nil {
		return err
	}
	names, _, err := s.names(ctx)
	if err != nil {
		return err
	}
	rows, err := s.subRows(ctx, vs)
	if err != nil {
		return err
	}
	var versions []version
	var cur *version
	for i, row := range rows {
		v := version{subRow: row}
		cs, err := s.store.FindReviewComments(ctx, row.ID)
		if err != nil {
			return err
		}
		for _, c := range cs {
			v.Comments = append(v.Comments, commentRow{c, names[c.ReviewerID]})
		}
		if i > 0 {
			for _, l := range splitLines(s.chat.Diff(rows[i-1].Text, row.Text)) {
				op, text, _ := strings.Cut(l, " ")
				v.Diff = append(v.Diff, diffRow{op, text})
			}
		}
		versions = append(versions, v)
	}
	slices.Reverse(versions)
	for i := range versions {
		if versions[i].ID == sub.ID {
			cur = &versions[i]
		}
	}
	reviewer := false
	if t := s.plan().FindTask(sub.TaskKey); t != nil && t.Review != campaignbot.ReviewNone &&
		sub.State == campaignbot.ReviewSubmitted && vs[len(vs)-1].ID == sub.ID && s.chat.Allowed(rc.person, "review") {
		ids, err := s.chat.Reviewers(ctx, sub.TaskKey, sub.DepartmentID)
		if err != nil {
			return err
		}
		reviewer = slices.Contains(ids, rc.person.ID)
	}
	points, err := s.reportPoints(ctx, rc.person, sub)
	if err != nil {
		return err
	}
	return s.render(w, rc, "submission", s.t("web.sub.title", cur.Task, sub.Version), map[string]any{
		"Cur": cur, "Versions": versions, "Reviewer": reviewer, "Points": points,
	})
}

// visibleSubmission finds the submission of the path's {id}, if p may read it.
func (s *Server) visibleSubmission(r *http.Request, rc *reqCtx) (*campaignbot.Submission, error) {
	id, err := idArg(r, "id")
	if err != nil {
		return nil, err
	}
	sub, err := s.store.FindSubmissionByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !s.canSee(rc.person, sub.PersonID, sub.DepartmentID) {
		return nil, &errHTTP{http.StatusForbidden, s.t("web.err.forbidden")}
	}
	return sub, nil
}

// versions returns every version of sub's task by its author (or
// department, for tasks owed per department), oldest first.
func (s *Server) versions(ctx context.Context, sub *campaignbot.Submission) ([]*campaignbot.Submission, error) {
	f := campaignbot.SubmissionFilter{TaskKey: &sub.TaskKey}
	if t := s.plan().FindTask(sub.TaskKey); t != nil && t.Cardinality == campaignbot.PerDepartment && sub.DepartmentID != 0 {
		f.DepartmentID = &sub.DepartmentID
	} else {
		f.PersonID = &sub.PersonID
	}
	vs, err := s.store.FindSubmissions(ctx, f)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(vs, func(a, b *campaignbot.Submission) int { return a.Version - b.Version })
	return vs, nil
}

// submissionFile sends attachment n of a submission the person may read.
func (s *Server) submissionFile(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	sub, err := s.visibleSubmission(r, rc)
	if err != nil {
		return err
	}
	return s.sendAttachment(w, r, sub.Attachments)
}

// sendAttachment sends attachment {n} of as: images shown in the page,
// anything else downloaded under its original name.
func (s *Server) sendAttachment(w http.ResponseWriter, r *http.Request, as []campaignbot.Attachment) error {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n >= len(as) {
		return &errHTTP{http.StatusNotFound, s.t("web.err.not_found")}
	}
	a := as[n]
	f, err := os.Open(s.store.AttachmentPath(a.SHA256))
	if err != nil {
		return fmt.Errorf("open attachment: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat attachment: %w", err)
	}
	h := w.Header()
	// A stored file is someone's upload: it runs nothing, and only the
	// image types a browser shows inline are given their own type.
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=3600")
	switch a.MIME {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		h.Set("Content-Type", a.MIME)
		h.Set("Content-Disposition", "inline")
	default:
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", mimeDisposition(a.Name))
	}
	http.ServeContent(w, r, "", st.ModTime(), f)
	return nil
}

// mimeDisposition is an attachment's Content-Disposition with its original
// name (RFC 6266: filename* in UTF-8 for Chinese names).
func mimeDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}

// reviewQueue lists what waits for the leader's review (/review).
func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	subs, err := s.chat.WaitingFor(r.Context(), rc.person.ID)
	if err != nil {
		return err
	}
	rows, err := s.subRows(r.Context(), subs)
	if err != nil {
		return err
	}
	return s.render(w, rc, "review", s.t("web.nav.review"), map[string]any{"Rows": rows})
}

// reviewSave returns a version with a comment or accepts it, through the
// chat's /review: the same checks, and the author told in chat.
func (s *Server) reviewSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := idArg(r, "id")
	if err != nil {
		return err
	}
	comment := strings.ReplaceAll(field(r, "comment"), "\r\n", "\n")
	verb := "accept"
	if r.FormValue("decision") == "return" {
		verb = "return"
		if comment == "" {
			return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.review.need_comment"))
		}
	}
	var replies []string
	err = s.store.Atomic(r.Context(), func(ctx context.Context) error {
		var err error
		if replies, err = s.chat.Act(ctx, rc.person, fmt.Sprintf("/review %d %s %s", id, verb, comment), nil); err != nil {
			return err
		}
		return s.record(ctx, rc, "review_"+verb, fmt.Sprintf("#%d %s", id, comment))
	})
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/submissions/%d", id), strings.Join(replies, "\n"))
}

// splitLines splits text into lines; empty text has none.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
