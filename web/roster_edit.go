package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"campaignbot"
)

// personNew shows the form that adds a person to the roster.
func (s *Server) personNew(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.render(w, rc, "person_new", s.t("web.person.new"), &personForm{Roles: map[campaignbot.Role]bool{campaignbot.RoleMember: true}, AllRoles: campaignbot.AllRoles})
}

// personAdd adds a person as a one-line `roster import` does (the same
// checks, the same store service), refusing a name already on the roster
// unless a 工号 or WeCom UserID tells the new person apart: an import would
// update that person instead.
func (s *Server) personAdd(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	e := s.rosterEntry(r)
	fail := func(err error) error {
		f := &personForm{Name: e.Name, Department: e.Departments[0], Telegram: e.Telegram, WeCom: e.WeCom, InChargeOf: field(r, "in_charge_of"), ExternalID: e.ID, Team: e.Team,
			Roles: map[campaignbot.Role]bool{}, AllRoles: campaignbot.AllRoles, Error: campaignbot.ErrorMessage(err)}
		for _, role := range e.Roles {
			f.Roles[role] = true
		}
		s.renderPage(w, rc, http.StatusBadRequest, "person_new", s.t("web.person.new"), f)
		return nil
	}
	if e.Name == "" || e.Departments[0] == "" {
		return fail(campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.person.need_name")))
	}
	if err := s.checkLen(e.Name, e.Departments[0], e.Telegram, e.WeCom, e.ID, e.Team); err != nil {
		return fail(err)
	}
	same, err := s.store.FindPeople(r.Context(), campaignbot.PersonFilter{Name: &e.Name})
	if err != nil {
		return err
	}
	// The import's own rule: the same 工号, the same UserID, or a namesake
	// without a 工号 (and without a UserID when the entry has none) is the
	// person it would update.
	if slices.ContainsFunc(same, func(p *campaignbot.Person) bool {
		return e.ID == "" && e.WeCom == "" || e.ID != "" && p.ExternalID == e.ID ||
			e.WeCom != "" && strings.EqualFold(p.WeCom, e.WeCom) || p.ExternalID == "" && (p.WeCom == "" || e.WeCom != "")
	}) {
		return fail(campaignbot.Errorf(campaignbot.ECONFLICT, "%s", s.t("web.person.exists", e.Name)))
	}
	var added *campaignbot.Person
	err = s.store.Atomic(r.Context(), func(ctx context.Context) error {
		if _, _, err := s.store.ImportRoster(ctx, []campaignbot.RosterEntry{e}); err != nil {
			return err
		}
		now, err := s.store.FindPeople(ctx, campaignbot.PersonFilter{Name: &e.Name})
		if err != nil {
			return err
		}
		for _, p := range now {
			if !slices.ContainsFunc(same, func(q *campaignbot.Person) bool { return q.ID == p.ID }) {
				added = p
			}
		}
		if added == nil {
			return fmt.Errorf("add %s: not on the roster after the import", e.Name)
		}
		return s.record(ctx, rc, "person_add", s.t("web.audit.person", added.Name, added.Department, s.roleList(added.RoleList())))
	})
	if code := campaignbot.ErrorCode(err); code == campaignbot.EINVALID || code == campaignbot.ECONFLICT {
		return fail(err)
	} else if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/people/%d", added.ID), s.t("web.person.added", added.Name))
}

// rosterEntry reads a person's fields from the form.
func (s *Server) rosterEntry(r *http.Request) campaignbot.RosterEntry {
	e := campaignbot.RosterEntry{
		Name:        field(r, "name"),
		Departments: []string{field(r, "department")},
		ID:          field(r, "external_id"),
		Team:        field(r, "team"),
		Telegram:    field(r, "telegram"),
		WeCom:       field(r, "wecom"),
		InChargeOf:  splitList(field(r, "in_charge_of")),
	}
	for _, v := range r.PostForm["roles"] {
		if role, ok := campaignbot.ParseRole(v); ok {
			e.Roles = append(e.Roles, role)
		}
	}
	return e
}

// personRemove takes the person off the roster (as `roster remove`): what
// they did keeps its author; they owe nothing and hear nothing from now on.
func (s *Server) personRemove(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := idArg(r, "id")
	if err != nil {
		return err
	}
	if id == rc.person.ID {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.person.not_yourself"))
	}
	// A removal is confirmed by a ticked box, which the browser asks for
	// before sending: no script needed.
	if field(r, "confirm") == "" {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.person.confirm_removal"))
	}
	var gone *campaignbot.Person
	err = s.store.Atomic(r.Context(), func(ctx context.Context) error {
		var err error
		if gone, err = s.store.RemovePerson(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, rc, "person_remove", s.t("web.audit.person", gone.Name, gone.Department, s.roleList(gone.RoleList())))
	})
	if err != nil {
		return err
	}
	return redirect(w, r, "/roster", s.t("web.person.removed", gone.Name))
}

// personInvite makes a one-time invite code for the person through the
// chat's /invite (the same code, expiry and Telegram link), and shows it
// on the page rather than in a redirect's address, where it would stay in
// the browser's history.
func (s *Server) personInvite(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.personArg(r)
	if err != nil {
		return err
	}
	var replies []string
	err = s.store.Atomic(r.Context(), func(ctx context.Context) error {
		var err error
		if replies, err = s.chat.Act(ctx, rc.person, "/invite "+p.Name, nil); err != nil {
			return err
		}
		return s.record(ctx, rc, "invite", p.Name)
	})
	if err != nil {
		return err
	}
	f, err := s.personForm(r, p)
	if err != nil {
		return err
	}
	rc.flash = strings.Join(replies, "\n")
	return s.render(w, rc, "person", p.Name, f)
}

// personRevoke ends the person's open invite codes.
func (s *Server) personRevoke(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.personArg(r)
	if err != nil {
		return err
	}
	var n int
	err = s.store.Atomic(r.Context(), func(ctx context.Context) error {
		var err error
		if n, err = s.store.RevokeInvites(ctx, p.ID); err != nil {
			return err
		}
		return s.record(ctx, rc, "invite_revoke", fmt.Sprintf("%s · %d", p.Name, n))
	})
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/people/%d", p.ID), s.t("web.person.revoked", n, p.Name))
}
