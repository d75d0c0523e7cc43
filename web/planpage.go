package web

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"

	"campaignbot"
)

// planPhase is a phase of the plan page, with its tasks and surveys.
type planPhase struct {
	Title      string
	Start, End campaignbot.Date
	Current    bool
	Past       bool
	Tasks      []planTask
	Surveys    []planTask
}

// planTask is a task or survey: who owes it, when, how often.
type planTask struct {
	Title, Roles, How string
	Due               campaignbot.Date
	From              campaignbot.Date
	Overdue           bool
}

// planPage shows the plan in force: its phases with their dates, each
// task with who owes it, its deadline and how often, and the surveys with
// their windows; and which version is in force since when.
func (s *Server) planPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderPlan(w, r, rc, http.StatusOK, nil)
}

// renderPlan renders the plan page with status, and the errors of a plan
// file that was refused.
func (s *Server) renderPlan(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, refused []string) error {
	pl := s.plan()
	today := s.today()
	var phases []planPhase
	for _, ph := range pl.Phases {
		pp := planPhase{Title: title(s.lang, ph.Title, ph.TitleEn), Start: ph.Start, End: ph.End,
			Current: ph.Start <= today && today <= ph.End, Past: ph.End < today}
		for _, t := range pl.Tasks {
			if t.Phase != ph.Key {
				continue
			}
			due := cmp.Or(t.Due, ph.End)
			pp.Tasks = append(pp.Tasks, planTask{Title: title(s.lang, t.Title, t.TitleEn), Roles: s.rolesOrEveryone(t.Roles),
				How: s.taskHow(t), Due: due, Overdue: due < today})
		}
		for _, sv := range pl.Surveys {
			if sv.Phase != ph.Key {
				continue
			}
			anon := s.t("plan.named")
			if sv.Anonymous {
				anon = s.t("plan.anonymous")
			}
			pp.Surveys = append(pp.Surveys, planTask{Title: title(s.lang, sv.Title, sv.TitleEn), Roles: s.rolesOrEveryone(sv.Roles),
				How: anon, From: cmp.Or(sv.From, ph.Start), Due: cmp.Or(sv.To, ph.End)})
		}
		phases = append(phases, pp)
	}
	ap, err := s.store.FindPlan(r.Context())
	if err != nil && campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
		return err
	}
	s.renderPage(w, rc, status, "plan", s.t("web.nav.plan"), map[string]any{
		"Phases": phases, "Applied": ap, "Start": pl.Start, "End": pl.End, "Today": today,
		"CanUpload": s.parsePlan != nil && s.chat.Allowed(rc.person, cmdOrgWide), "Refused": refused,
	})
	return nil
}

// taskHow says how often a task is owed and how it is done.
func (s *Server) taskHow(t campaignbot.Task) string {
	how := s.t("plan.once")
	switch t.Cardinality {
	case campaignbot.EveryWeek:
		how = s.t("plan.weekly")
	case campaignbot.PerDepartment:
		how = s.t("plan.per_dept")
	}
	switch {
	case t.SatisfiedBy == campaignbot.SatisfiedByClaim:
		how += s.t("list.sep") + s.t("plan.by_claim")
	case t.Review == campaignbot.ReviewLeaderInCharge:
		how += s.t("list.sep") + s.t("plan.review.leader_in_charge")
	case t.Review == campaignbot.ReviewHead:
		how += s.t("list.sep") + s.t("plan.review.head")
	}
	return how
}

// rolesOrEveryone names roles, or everyone for none.
func (s *Server) rolesOrEveryone(roles []campaignbot.Role) string {
	if len(roles) == 0 {
		return s.t("plan.everyone")
	}
	return s.roleList(roles)
}

// maxPlanFile is the largest plan file the console takes; the default plan
// is about 10 KB.
const maxPlanFile = 512 << 10

// planUpload validates an uploaded plan file and puts it in force, as
// `campaignbot plan apply FILE` does: a plan with errors is shown back with
// every error and its line, and changes nothing. The running bot reads
// the new version from the store within seconds (a deadline moved: 延期).
func (s *Server) planUpload(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.parsePlan == nil {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.plan.no_upload"))
	}
	if err := r.ParseMultipartForm(maxUploadBody); err != nil {
		return err
	}
	f, fh, err := r.FormFile("plan")
	if err != nil {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.plan.need_file"))
	}
	defer f.Close()
	if fh.Size > maxPlanFile {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.plan.too_large", maxPlanFile>>10))
	}
	data, err := io.ReadAll(io.LimitReader(f, maxPlanFile+1))
	if err != nil {
		return fmt.Errorf("read plan: %w", err)
	}
	name := filepath.Base(fh.Filename)
	if _, err := s.parsePlan(name, data); err != nil {
		if campaignbot.ErrorCode(err) != campaignbot.EINVALID {
			return err
		}
		rc.flash = ""
		return s.renderPlan(w, r, rc, http.StatusBadRequest, strings.Split(campaignbot.ErrorMessage(err), "\n"))
	}
	var ap *campaignbot.AppliedPlan
	err = s.store.Atomic(r.Context(), func(ctx context.Context) error {
		var err error
		if ap, err = s.store.ApplyPlan(ctx, data, "web "+rc.person.Name+" "+name); err != nil {
			return err
		}
		return s.record(ctx, rc, "plan_apply", fmt.Sprintf("%s · %d", name, ap.Version))
	})
	if err != nil {
		return err
	}
	return redirect(w, r, "/plan", s.t("web.plan.applied", name, ap.Version))
}
