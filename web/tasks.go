package web

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"

	"campaignbot"
)

// taskRow is one obligation of the person, with the task it is for.
type taskRow struct {
	campaignbot.Obligation
	Title     string
	Reviewed  bool
	InReview  bool
	Submitted int64
}

// tasks lists what the person owes (as /tasks does) with a form to submit
// a report or upload a document for each task not done.
func (s *Server) tasks(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	plan := s.plan()
	in, err := s.store.FindObligationInput(ctx, rc.person, plan)
	if err != nil {
		return err
	}
	in.Plan, in.Day = plan, s.today()
	subs, err := s.store.FindSubmissions(ctx, campaignbot.SubmissionFilter{PersonID: &rc.person.ID})
	if err != nil {
		return err
	}
	state := map[int64]campaignbot.ReviewState{}
	for _, x := range subs {
		state[x.ID] = x.State
	}
	var rows []taskRow
	open := map[string]bool{}
	for _, o := range campaignbot.Obligations(in) {
		t := in.Plan.FindTask(o.TaskKey)
		if t == nil {
			continue
		}
		row := taskRow{Obligation: o, Title: title(s.lang, t.Title, t.TitleEn), Reviewed: t.Review != campaignbot.ReviewNone}
		row.InReview = o.Status == campaignbot.StatusDone && state[o.SubmissionID] == campaignbot.ReviewSubmitted
		rows = append(rows, row)
		if o.Status != campaignbot.StatusDone && t.SatisfiedBy == campaignbot.SatisfiedBySubmission {
			open[t.Key] = true
		}
	}
	var forms []taskCol
	for _, t := range in.Plan.Tasks {
		if open[t.Key] {
			forms = append(forms, taskCol{t.Key, title(s.lang, t.Title, t.TitleEn)})
		}
	}
	mine, err := s.subRows(ctx, subs)
	if err != nil {
		return err
	}
	return s.render(w, rc, "tasks", s.t("web.nav.tasks"), map[string]any{
		"Rows": rows, "Forms": forms, "Mine": mine, "Today": in.Day,
	})
}

// taskSubmit submits a report (text, a document, or both) for a task
// through the chat's /submit: the same checks, version, late flag and
// notice to the reviewer.
func (s *Server) taskSubmit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseMultipartForm(maxUploadBody); err != nil {
		return err
	}
	key := r.PathValue("key")
	if s.plan().FindTask(key) == nil || strings.ContainsAny(key, " \n") {
		return &errHTTP{http.StatusNotFound, s.t("submit.unknown_task", key)}
	}
	text := strings.ReplaceAll(field(r, "text"), "\r\n", "\n")
	var replies []string
	err := s.store.Atomic(r.Context(), func(ctx context.Context) error {
		var files []campaignbot.Attachment
		for _, fh := range r.MultipartForm.File["file"] {
			a, err := s.saveUpload(ctx, fh)
			if err != nil {
				return err
			}
			files = append(files, *a)
		}
		var err error
		replies, err = s.chat.Act(ctx, rc.person, fmt.Sprintf("/submit %s %s", key, text), files)
		return err
	})
	if err != nil {
		return err
	}
	return redirect(w, r, "/tasks", strings.Join(replies, "\n"))
}

// audit shows the latest office actions.
func (s *Server) audit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	es, err := s.store.FindAudit(r.Context(), maxListed)
	if err != nil {
		return err
	}
	return s.render(w, rc, "audit", s.t("web.nav.audit"), map[string]any{"Entries": es})
}

// hash is a short digest of s, for idempotency keys.
func hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}
