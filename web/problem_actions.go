package web

import (
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"

	"campaignbot"
)

// problemAction is a step on a problem from its page (a leader's claim,
// progress and resolution, the filer's confirmation or reopening): the chat
// command it runs and the audit log's name for it.
type problemAction struct {
	command string // claim, progress, resolve
	action  string // problem_claim, …
	text    bool   // takes a text (and evidence files)
}

// problemStep runs a's chat command for the problem of the path's {id}, as
// if the leader had typed /claim N, /progress N TEXT or /resolve N TEXT with
// the form's photos attached: the same checks, events and notices (the
// filer, or the leader, hears in chat), and the step recorded in the audit log.
func (s *Server) problemStep(a problemAction) func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		id, err := idArg(r, "id")
		if err != nil {
			return err
		}
		text := ""
		if a.text {
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
				if err := r.ParseMultipartForm(maxUploadBody); err != nil {
					return err
				}
			}
			text = field(r, "text")
			if text == "" {
				return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.problem.need_text"))
			}
			if err := s.checkLen(text); err != nil {
				return err
			}
		}
		var replies []string
		var fhs []*multipart.FileHeader
		if r.MultipartForm != nil {
			fhs = r.MultipartForm.File["files"]
		}
		if len(fhs) > maxPhotos {
			return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.problem.too_many", maxPhotos))
		}
		err = s.store.Atomic(r.Context(), func(ctx context.Context) error {
			var atts []campaignbot.Attachment
			for _, fh := range fhs {
				f, err := s.saveUpload(ctx, fh)
				if err != nil {
					return err
				}
				atts = append(atts, *f)
			}
			cmd := fmt.Sprintf("/%s %d", a.command, id)
			if text != "" {
				cmd += " " + text
			}
			var err error
			if replies, err = s.chat.Act(ctx, rc.person, cmd, atts); err != nil {
				return err
			}
			detail := fmt.Sprintf("#%d", id)
			if text != "" {
				detail += " " + excerpt(text, 80)
			}
			return s.record(ctx, rc, a.action, detail)
		})
		if err != nil {
			return err
		}
		return redirect(w, r, fmt.Sprintf("/problems/%d", id), strings.Join(replies, "\n"))
	}
}

// problemEventFile sends file {n} of event {ev} of a problem the person may
// see: the evidence a leader attached to progress or to the resolution.
func (s *Server) problemEventFile(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.visibleProblem(r, rc)
	if err != nil {
		return err
	}
	evID, err := idArg(r, "ev")
	if err != nil {
		return err
	}
	evs, err := s.store.FindProblemEvents(r.Context(), p.ID)
	if err != nil {
		return err
	}
	for _, ev := range evs {
		if ev.ID == evID {
			return s.sendAttachment(w, r, ev.Attachments)
		}
	}
	return &errHTTP{http.StatusNotFound, s.t("web.err.not_found")}
}
