package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"campaignbot"
)

// rosterRow is one person of the roster page.
type rosterRow struct {
	*campaignbot.Person
	Bound []campaignbot.Platform
}

// roster lists everyone with their roles and binding status per platform
// (SPEC §11).
func (s *Server) roster(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	people, err := s.store.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return err
	}
	accs, err := s.store.FindAllAccounts(ctx)
	if err != nil {
		return err
	}
	bound := map[int64][]campaignbot.Platform{}
	for _, a := range accs {
		bound[a.PersonID] = append(bound[a.PersonID], a.Platform)
	}
	rows := make([]rosterRow, 0, len(people))
	unbound, unreachable := 0, 0
	for _, p := range people {
		rows = append(rows, rosterRow{p, bound[p.ID]})
		if len(bound[p.ID]) == 0 && p.WeCom == "" {
			unbound++
		}
		if len(p.Unreachable) > 0 {
			unreachable++
		}
	}
	slices.SortStableFunc(rows, func(a, b rosterRow) int { return strings.Compare(a.Department, b.Department) })
	return s.render(w, rc, "roster", s.t("web.nav.roster"), map[string]any{
		"Rows": rows, "Unbound": unbound, "Unreachable": unreachable,
	})
}

// personForm is the edit form of one person.
type personForm struct {
	ID                         int64
	Name, Department, Telegram string
	WeCom, InChargeOf          string
	ExternalID, Team           string // 工号, 帮扶组
	Roles                      map[campaignbot.Role]bool
	AllRoles                   []campaignbot.Role
	Accounts                   []*campaignbot.Account
	Invites                    []*campaignbot.Invite
	Error                      string
}

// personPage shows a person's edit form.
func (s *Server) personPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.personArg(r)
	if err != nil {
		return err
	}
	f, err := s.personForm(r, p)
	if err != nil {
		return err
	}
	return s.render(w, rc, "person", p.Name, f)
}

// personForm fills the form from p.
func (s *Server) personForm(r *http.Request, p *campaignbot.Person) (*personForm, error) {
	depts, err := s.store.FindDepartments(r.Context())
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, d := range depts {
		names[d.ID] = d.Name
	}
	var in []string
	for _, id := range p.InChargeOf {
		in = append(in, names[id])
	}
	accs, err := s.store.FindAccountsByPerson(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	invs, err := s.store.FindInvites(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	f := &personForm{ID: p.ID, Name: p.Name, Department: p.Department, Telegram: p.Telegram, WeCom: p.WeCom, ExternalID: p.ExternalID, Team: p.Team,
		InChargeOf: strings.Join(in, "，"), Roles: map[campaignbot.Role]bool{}, AllRoles: campaignbot.AllRoles, Accounts: accs, Invites: invs}
	for _, role := range p.RoleList() {
		f.Roles[role] = true
	}
	return f, nil
}

// personSave stores the edited person as a one-line roster import would,
// and records it in the audit log.
func (s *Server) personSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.personArg(r)
	if err != nil {
		return err
	}
	e := s.rosterEntry(r)
	var saved *campaignbot.Person
	err = s.store.Atomic(r.Context(), func(ctx context.Context) error {
		var err error
		if saved, err = s.store.UpdatePerson(ctx, p.ID, e); err != nil {
			return err
		}
		return s.record(ctx, rc, "person_edit", s.t("web.audit.person", saved.Name, saved.Department, s.roleList(saved.RoleList())))
	})
	if code := campaignbot.ErrorCode(err); code == campaignbot.EINVALID || code == campaignbot.ECONFLICT {
		f, ferr := s.personForm(r, p)
		if ferr != nil {
			return ferr
		}
		f.Name, f.Department, f.Telegram, f.WeCom, f.InChargeOf = e.Name, e.Departments[0], e.Telegram, e.WeCom, field(r, "in_charge_of")
		f.ExternalID, f.Team = e.ID, e.Team
		f.Roles = map[campaignbot.Role]bool{}
		for _, role := range e.Roles {
			f.Roles[role] = true
		}
		f.Error = campaignbot.ErrorMessage(err)
		s.renderPage(w, rc, http.StatusBadRequest, "person", p.Name, f)
		return nil
	} else if err != nil {
		return err
	}
	return redirect(w, r, "/roster", s.t("web.person.saved", saved.Name))
}

// personArg finds the person of the path's {id}.
func (s *Server) personArg(r *http.Request) (*campaignbot.Person, error) {
	id, err := idArg(r, "id")
	if err != nil {
		return nil, err
	}
	return s.store.FindPersonByID(r.Context(), id)
}

// roleList renders roles in the console's language.
func (s *Server) roleList(roles []campaignbot.Role) string {
	names := make([]string, len(roles))
	for i, role := range roles {
		names[i] = role.Title(s.lang)
	}
	return strings.Join(names, s.t("list.sep"))
}

// idArg reads a positive number from the path.
func idArg(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, campaignbot.Errorf(campaignbot.ENOTFOUND, "%s", fmt.Sprintf("%q", r.PathValue(name)))
	}
	return id, nil
}

// field returns a trimmed form field.
func field(r *http.Request, name string) string { return strings.TrimSpace(r.FormValue(name)) }

// checkLen refuses a text over maxFieldLen characters, saying how long it
// is rather than echoing it.
func (s *Server) checkLen(values ...string) error {
	for _, v := range values {
		if n := utf8.RuneCountInString(v); n > maxFieldLen {
			return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("err.too_long", n, maxFieldLen))
		}
	}
	return nil
}

// splitList splits a list typed with commas (, ，、) or spaces.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' || r == ';' || r == '；' })
}
