package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"campaignbot"
)

// maxAnnouncement is the longest announcement, in characters: the
// scheduler's own limit (scheduler.MaxAnnouncement), which refuses longer.
const maxAnnouncement = 2000

// audienceChoice is one entry of the audience menu: the chat's word for it
// and its label.
type audienceChoice struct {
	Value, Label string
}

// announcePreview is who an announcement would reach, as the chat would
// report it after sending: bound people, and those unbound or unreachable
// by name.
type announcePreview struct {
	Audience, Bound          int
	Unbound, Unreachable     []string
	UnboundMore, UnreachMore int
}

// maxPreviewNames is how many unbound or unreachable people the preview
// names; it counts the rest.
const maxPreviewNames = 30

// announcePage shows the form that composes an announcement, with the
// audience preview after "preview".
func (s *Server) announcePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderAnnounce(w, r, rc, "", "", nil)
}

// renderAnnounce renders the form with target and text filled in and the
// preview, if any.
func (s *Server) renderAnnounce(w http.ResponseWriter, r *http.Request, rc *reqCtx, target, text string, pv *announcePreview) error {
	depts, err := s.store.FindDepartments(r.Context())
	if err != nil {
		return err
	}
	choices := []audienceChoice{{"", s.t("web.announce.everyone")}}
	for _, role := range campaignbot.AllRoles {
		choices = append(choices, audienceChoice{string(role), role.Title(s.lang)})
	}
	for _, d := range depts {
		choices = append(choices, audienceChoice{d.Name, d.Name})
	}
	return s.render(w, rc, "announce", s.t("web.nav.announce"), map[string]any{
		"Choices": choices, "Target": target, "Text": text, "Preview": pv, "Max": maxAnnouncement,
	})
}

// announceForm reads and checks the form's audience and text.
func (s *Server) announceForm(r *http.Request) (string, string, error) {
	target, text := field(r, "target"), field(r, "text")
	if text == "" {
		return target, text, campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.announce.need_text"))
	}
	if n := utf8.RuneCountInString(text); n > maxAnnouncement {
		return target, text, campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("err.too_long", n, maxAnnouncement))
	}
	return target, text, nil
}

// announcePreview counts who the audience is and who of it cannot be
// reached, by the rules the scheduler sends by.
func (s *Server) announcePreview(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	target, text, err := s.announceForm(r)
	if err != nil {
		return err
	}
	depts, err := s.store.FindDepartments(ctx)
	if err != nil {
		return err
	}
	match, err := campaignbot.AnnouncementAudience(target, depts)
	if err != nil {
		return err
	}
	people, err := s.store.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return err
	}
	accs, err := s.store.FindAllAccounts(ctx)
	if err != nil {
		return err
	}
	byPerson := map[int64][]*campaignbot.Account{}
	for _, a := range accs {
		byPerson[a.PersonID] = append(byPerson[a.PersonID], a)
	}
	pv := &announcePreview{}
	for _, p := range people {
		if !match(p) {
			continue
		}
		pv.Audience++
		switch campaignbot.ReachOf(p, byPerson[p.ID]) {
		case campaignbot.ReachBound:
			pv.Bound++
		case campaignbot.ReachUnbound:
			if len(pv.Unbound) < maxPreviewNames {
				pv.Unbound = append(pv.Unbound, p.Name)
			} else {
				pv.UnboundMore++
			}
		case campaignbot.ReachUnreachable:
			if len(pv.Unreachable) < maxPreviewNames {
				pv.Unreachable = append(pv.Unreachable, p.Name)
			} else {
				pv.UnreachMore++
			}
		}
	}
	return s.renderAnnounce(w, r, rc, target, text, pv)
}

// announceSend sends the announcement through the chat's /announce: the
// same outbox, quiet hours and report of who it reached now, who when
// quiet hours end, and who it cannot reach (SPEC §4).
func (s *Server) announceSend(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	target, text, err := s.announceForm(r)
	if err != nil {
		return err
	}
	word := target
	if word == "" {
		word = "全体" // the chat's word for everyone, which asks no confirmation
	} else if strings.ContainsFunc(word, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == '\u3000' }) {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.announce.bad_target", target))
	}
	var replies []string
	err = s.store.Atomic(r.Context(), func(ctx context.Context) error {
		var err error
		if replies, err = s.chat.Act(ctx, rc.person, "/announce "+word+" "+text, nil); err != nil {
			return err
		}
		audience := target
		if audience == "" {
			audience = s.t("web.announce.everyone")
		} else if role, ok := campaignbot.ParseRole(target); ok {
			audience = role.Title(s.lang)
		}
		return s.record(ctx, rc, "announce", fmt.Sprintf("%s · %s · %s", audience, excerpt(text, 60), strings.Join(replies, " ")))
	})
	if err != nil {
		return err
	}
	return redirect(w, r, "/announce", strings.Join(replies, "\n"))
}
