package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"campaignbot"
)

// opinions lists the opinions (征求意见), unanswered first, with a form to
// answer each. Anonymous ones show no author: the store has none.
func (s *Server) opinions(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ops, err := s.store.FindOpinions(r.Context())
	if err != nil {
		return err
	}
	slices.SortStableFunc(ops, func(a, b *campaignbot.Opinion) int {
		if (a.Answer == "") != (b.Answer == "") {
			if a.Answer == "" {
				return -1
			}
			return 1
		}
		return int(b.Day - a.Day)
	})
	names, _, err := s.names(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, rc, "opinions", s.t("web.nav.opinions"), map[string]any{"Opinions": ops, "Names": names})
}

// opinionAnswer stores the office's answer and, for a named opinion,
// tells its author in chat.
func (s *Server) opinionAnswer(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := idArg(r, "id")
	if err != nil {
		return err
	}
	answer := field(r, "answer")
	if answer == "" {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.opinion.need_answer"))
	}
	if err := s.checkLen(answer); err != nil {
		return err
	}
	err = s.store.Atomic(r.Context(), func(ctx context.Context) error {
		ops, err := s.store.FindOpinions(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(ops, func(op *campaignbot.Opinion) bool { return op.ID == id })
		if i < 0 {
			return campaignbot.Errorf(campaignbot.ENOTFOUND, "%s", s.t("web.opinion.not_found", id))
		}
		op := ops[i]
		if err := s.store.AnswerOpinion(ctx, id, answer, rc.person.ID); err != nil {
			return err
		}
		if !op.Anonymous && op.AuthorID != 0 {
			text := s.t("web.opinion.notice", op.Day, excerpt(op.Text, 200), answer)
			// The key holds the answer's hash so that a corrected answer
			// is told too, and a repeated post is not.
			key := fmt.Sprintf("notice:opinion:%d:%x", id, hash(answer))
			if err := s.chat.Tell(ctx, op.AuthorID, key, text); err != nil {
				return err
			}
		}
		// Opinions are numbered at random (their order would tell who
		// wrote the anonymous ones): the log names them by day and text.
		return s.record(ctx, rc, "opinion_answer", fmt.Sprintf("%s「%s」→ %s", op.Day, excerpt(op.Text, 40), excerpt(answer, 200)))
	})
	if err != nil {
		return err
	}
	return redirect(w, r, "/opinions", s.t("web.opinion.answered"))
}

// excerpt cuts s to n characters.
func excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
