package web

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"

	"campaignbot"
)

// maxPhotos is how many photos one problem report may carry.
const maxPhotos = 9

// column is one status of the problem board.
type column struct {
	Status   campaignbot.ProblemStatus
	Problems []*campaignbot.Problem
}

// visibleProblems returns the problems p may see: all for those who may
// claim or assign them, their own reports for everyone else.
func (s *Server) visibleProblems(ctx context.Context, p *campaignbot.Person) ([]*campaignbot.Problem, error) {
	f := campaignbot.ProblemFilter{}
	if !s.chat.Allowed(p, "claim") && !s.chat.Allowed(p, cmdOrgWide) {
		f.FilerID = &p.ID
	}
	return s.store.FindProblems(ctx, f)
}

// problems is the board: one column per status, oldest first.
func (s *Server) problems(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ps, err := s.visibleProblems(r.Context(), rc.person)
	if err != nil {
		return err
	}
	names, _, err := s.names(r.Context())
	if err != nil {
		return err
	}
	var cols []column
	for _, st := range []campaignbot.ProblemStatus{campaignbot.ProblemNew, campaignbot.ProblemClaimed, campaignbot.ProblemResolved, campaignbot.ProblemClosed} {
		c := column{Status: st}
		for _, p := range ps {
			if p.Status == st {
				c.Problems = append(c.Problems, p)
			}
		}
		slices.SortFunc(c.Problems, func(a, b *campaignbot.Problem) int { return a.CreatedAt.Compare(b.CreatedAt) })
		cols = append(cols, c)
	}
	return s.render(w, rc, "problems", s.t("web.nav.problems"), map[string]any{
		"Columns": cols, "Names": names, "Today": s.today(), "CanFile": s.chat.Allowed(rc.person, "problem"),
	})
}

// visibleProblem finds the problem of the path's {id}, if p may see it.
func (s *Server) visibleProblem(r *http.Request, rc *reqCtx) (*campaignbot.Problem, error) {
	id, err := idArg(r, "id")
	if err != nil {
		return nil, err
	}
	p, err := s.store.FindProblemByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if p.FilerID != rc.person.ID && !s.chat.Allowed(rc.person, "claim") && !s.chat.Allowed(rc.person, cmdOrgWide) {
		return nil, &errHTTP{http.StatusForbidden, s.t("web.err.forbidden")}
	}
	return p, nil
}

// problemPage shows a problem with its photos and events, and the assign
// form for those who may assign.
func (s *Server) problemPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	p, err := s.visibleProblem(r, rc)
	if err != nil {
		return err
	}
	evs, err := s.store.FindProblemEvents(ctx, p.ID)
	if err != nil {
		return err
	}
	names, _, err := s.names(ctx)
	if err != nil {
		return err
	}
	var owners []*campaignbot.Person
	canAssign := s.chat.Allowed(rc.person, "assign") && p.Status != campaignbot.ProblemClosed
	if canAssign {
		people, err := s.store.FindPeople(ctx, campaignbot.PersonFilter{})
		if err != nil {
			return err
		}
		for _, x := range people {
			if s.chat.Allowed(x, "claim") {
				owners = append(owners, x)
			}
		}
	}
	open := p.Status != campaignbot.ProblemClosed
	// The office may make a ledger item of a problem a leader owns, once.
	var ledgerItem int64
	canLedger := p.OwnerID != 0 && s.chat.Allowed(rc.person, "ledger")
	if canLedger {
		items, err := s.store.FindLedgerItems(ctx)
		if err != nil {
			return err
		}
		for _, it := range items {
			if it.ProblemID == p.ID {
				ledgerItem, canLedger = it.ID, false
			}
		}
	}
	return s.render(w, rc, "problem", fmt.Sprintf("#%d %s", p.ID, p.Enterprise), map[string]any{
		"P": p, "Events": evs, "Names": names, "Owners": owners, "CanAssign": canAssign,
		"CanClaim":   open && p.OwnerID == 0 && s.chat.Allowed(rc.person, "claim"),
		"CanReport":  p.Status == campaignbot.ProblemClaimed && p.OwnerID == rc.person.ID && s.chat.Allowed(rc.person, "progress"),
		"CanConfirm": p.Status == campaignbot.ProblemResolved && p.FilerID == rc.person.ID && s.chat.Allowed(rc.person, "confirm"),
		"MaxPhotos":  maxPhotos,
		"CanLedger":  canLedger, "LedgerItem": ledgerItem,
	})
}

// problemPhoto sends photo {n} of a problem the person may see.
func (s *Server) problemPhoto(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.visibleProblem(r, rc)
	if err != nil {
		return err
	}
	return s.sendAttachment(w, r, p.Photos)
}

// problemAssign gives a problem to a leader through the chat's /assign:
// the same checks, and the leader told in chat.
func (s *Server) problemAssign(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := idArg(r, "id")
	if err != nil {
		return err
	}
	owner := field(r, "owner")
	if owner == "" || strings.ContainsAny(owner, " \n") {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.problem.pick_owner"))
	}
	var replies []string
	err = s.store.Atomic(r.Context(), func(ctx context.Context) error {
		var err error
		if replies, err = s.chat.Act(ctx, rc.person, fmt.Sprintf("/assign %d %s", id, owner), nil); err != nil {
			return err
		}
		return s.record(ctx, rc, "problem_assign", fmt.Sprintf("#%d → %s", id, owner))
	})
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/problems/%d", id), strings.Join(replies, "\n"))
}

// problemNew is the form a liaison files a problem with, photos taken on
// the phone included.
func (s *Server) problemNew(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.render(w, rc, "problem_new", s.t("web.problem.new"), map[string]any{
		"Categories": campaignbot.ProblemCategories, "Teams": campaignbot.HelpTeams, "MaxPhotos": maxPhotos,
	})
}

// problemFile files the problem as the /problem dialog does at its end:
// stored, the filer answered, the head, the office and the leaders told.
func (s *Server) problemFile(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseMultipartForm(maxUploadBody); err != nil {
		return err
	}
	st := campaignbot.DialogState{Enterprise: field(r, "enterprise"), Category: field(r, "category"), Team: field(r, "team"), Description: field(r, "description")}
	if st.Enterprise == "" || st.Description == "" || !slices.Contains(campaignbot.ProblemCategories, st.Category) ||
		!slices.Contains(campaignbot.HelpTeams, st.Team) {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.problem.incomplete"))
	}
	if err := s.checkLen(st.Enterprise, st.Description); err != nil {
		return err
	}
	files := r.MultipartForm.File["photos"]
	if len(files) > maxPhotos {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.problem.too_many", maxPhotos))
	}
	var replies []string
	err := s.store.Atomic(r.Context(), func(ctx context.Context) error {
		for _, fh := range files {
			a, err := s.saveUpload(ctx, fh)
			if err != nil {
				return err
			}
			if !strings.HasPrefix(a.MIME, "image/") {
				return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.problem.not_photo", fh.Filename))
			}
			st.Photos = append(st.Photos, *a)
		}
		var err error
		replies, err = s.chat.FileProblem(ctx, rc.person, st)
		return err
	})
	if err != nil {
		return err
	}
	return redirect(w, r, "/problems", strings.Join(replies, "\n"))
}

// saveUpload stores an uploaded file as an attachment, its type sniffed
// from its bytes rather than taken from the browser.
func (s *Server) saveUpload(ctx context.Context, fh *multipart.FileHeader) (*campaignbot.Attachment, error) {
	if fh.Size > maxUploadFile {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.err.too_large", maxUploadFile>>20))
	}
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("open upload: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxUploadFile+1))
	if err != nil {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	if len(data) == 0 {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.err.empty_file", fh.Filename))
	}
	return s.store.SaveAttachment(ctx, fh.Filename, sniff(fh.Filename, data), data)
}

// sniff returns a file's MIME type from its bytes; Office documents, which
// are ZIP files inside, by their name.
func sniff(name string, data []byte) string {
	mime := http.DetectContentType(data)
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".docx"):
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case strings.HasSuffix(lower, ".xlsx"):
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case strings.HasSuffix(lower, ".pptx"):
		return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	}
	mime, _, _ = strings.Cut(mime, ";")
	return mime
}
