package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"

	"campaignbot"
)

// cell is completion of one task in one department (or in all).
type cell struct {
	Done, Review, Total int
}

// Pct is the share done, in percent.
func (c cell) Pct() int {
	if c.Total == 0 {
		return 0
	}
	return c.Done * 100 / c.Total
}

// deptRow is one department's line of the completion table.
type deptRow struct {
	ID    int64
	Name  string
	Cells []cell
	All   cell
}

// taskCol is one task's column of the completion table.
type taskCol struct {
	Key, Title string
}

// owing is one person who owes something overdue.
type owing struct {
	PersonID   int64
	Name, Dept string
	Items      []string
}

// statusCount counts problems in one status, by age.
type statusCount struct {
	Status                    campaignbot.ProblemStatus
	Count, Week, Month, Older int
}

// surveyRow is one survey's participation.
type surveyRow struct {
	Title           string
	Answered, Total int
	Open            bool
	From, To        campaignbot.Date
}

// dashboardData is everything the dashboard shows.
type dashboardData struct {
	Today      campaignbot.Date
	Phase      *campaignbot.Phase
	PhaseName  string
	DaysLeft   int
	CampDays   int
	Scope      string
	People     int
	Tasks      []taskCol
	Depts      []deptRow
	Total      cell
	Chart      template.HTML
	Owing      []owing
	OwingMore  int
	Problems   []statusCount
	OldOpen    []*campaignbot.Problem
	Surveys    []surveyRow
	Ledger     []*campaignbot.LedgerItem
	LedgerBy   map[string]int
	LedgerOver int
	Names      map[int64]string
	Opinions   int
	Unanswered int
}

// maxOwing is how many people the dashboard lists by name as owing.
const maxOwing = 30

// dashboard shows the campaign at a glance (SPEC §11): the whole
// organisation to the head and the office, their departments to a leader.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d, err := s.dashboardData(r.Context(), rc.person)
	if err != nil {
		return err
	}
	return s.render(w, rc, "dashboard", s.t("web.nav.dashboard"), d)
}

// scope returns the departments p sees: nil for the whole organisation,
// else those p is in charge of.
func (s *Server) scope(p *campaignbot.Person) (all bool, depts []int64) {
	if s.chat.Allowed(p, cmdOrgWide) {
		return true, nil
	}
	if s.chat.Allowed(p, cmdDepts) {
		return false, p.InChargeOf
	}
	return false, nil
}

// dashboardInput reads what everyone's obligations need but the people,
// and the departments.
func (s *Server) dashboardInput(ctx context.Context) (campaignbot.ObligationInput, []*campaignbot.Department, error) {
	var in campaignbot.ObligationInput
	departments, err := s.store.FindDepartments(ctx)
	if err != nil {
		return in, nil, err
	}
	if in.Submissions, in.TaskKeys, err = s.records(ctx); err != nil {
		return in, nil, err
	}
	if in.Returned, err = s.store.FindReturnedSubmissionIDs(ctx); err != nil {
		return in, nil, err
	}
	if in.Claims, err = s.store.FindClaims(ctx); err != nil {
		return in, nil, err
	}
	if in.Leaves, err = s.store.FindAllLeaves(ctx); err != nil {
		return in, nil, err
	}
	inReview, err := s.store.FindSubmissionsInReview(ctx)
	if err != nil {
		return in, nil, err
	}
	for _, sub := range inReview {
		in.InReview = append(in.InReview, sub.ID) // in ID order, as Obligations wants them
	}
	return in, departments, nil
}

// dashboardData computes the dashboard for p.
func (s *Server) dashboardData(ctx context.Context, p *campaignbot.Person) (*dashboardData, error) {
	pl := s.plan()
	today := s.today()
	d := &dashboardData{Today: today, LedgerBy: map[string]int{}}
	if ph := pl.PhaseAt(today); ph != nil {
		d.Phase, d.PhaseName, d.DaysLeft = ph, title(s.lang, ph.Title, ph.TitleEn), int(ph.End-today)
	}
	d.CampDays = int(pl.End - today)

	all, depts := s.scope(p)
	// Everyone is read beside the rest, as the scheduler's digest reads
	// them: at 100,000 people they are a third of the page's time.
	var people []*campaignbot.Person
	var peopleErr error
	var wg sync.WaitGroup
	wg.Go(func() { people, peopleErr = s.store.FindPeople(ctx, campaignbot.PersonFilter{}) })
	in, departments, err := s.dashboardInput(ctx)
	wg.Wait()
	if err = errors.Join(err, peopleErr); err != nil {
		return nil, err
	}
	d.Names = make(map[int64]string, len(people))
	for _, x := range people {
		d.Names[x.ID] = x.Name
	}
	if !all {
		people = slices.DeleteFunc(slices.Clone(people), func(x *campaignbot.Person) bool { return !slices.Contains(depts, x.DepartmentID) })
		departments = slices.DeleteFunc(slices.Clone(departments), func(x *campaignbot.Department) bool { return !slices.Contains(depts, x.ID) })
		d.Scope = s.deptNames(departments)
	}
	d.People = len(people)
	in.Plan, in.Day, in.People = pl, today, people
	s.completion(d, pl, people, departments, campaignbot.Obligations(in))

	if err := s.dashboardProblems(ctx, d, today); err != nil {
		return nil, err
	}
	if err := s.dashboardSurveys(ctx, d, pl, people, all); err != nil {
		return nil, err
	}
	items, err := s.store.FindLedgerItems(ctx)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		d.LedgerBy[string(it.Status)]++
		if it.Status != campaignbot.LedgerDone && today > it.Due {
			d.LedgerOver++
		}
	}
	d.Ledger = items[:min(len(items), 8)]
	ops, err := s.store.FindOpinions(ctx)
	if err != nil {
		return nil, err
	}
	d.Opinions = len(ops)
	for _, op := range ops {
		if op.Answer == "" {
			d.Unanswered++
		}
	}
	return d, nil
}

// completion fills the department × task table, its chart and who owes
// what.
func (s *Server) completion(d *dashboardData, pl *campaignbot.Plan, people []*campaignbot.Person, departments []*campaignbot.Department,
	obs []campaignbot.Obligation) {
	taskIdx := map[string]int{}
	for _, t := range pl.Tasks {
		taskIdx[t.Key] = -1
	}
	seen := map[string]bool{}
	for _, o := range obs {
		seen[o.TaskKey] = true
	}
	for _, t := range pl.Tasks {
		if seen[t.Key] {
			taskIdx[t.Key] = len(d.Tasks)
			d.Tasks = append(d.Tasks, taskCol{t.Key, title(s.lang, t.Title, t.TitleEn)})
		}
	}
	rowOf := map[int64]int{}
	for _, dep := range departments {
		rowOf[dep.ID] = len(d.Depts)
		d.Depts = append(d.Depts, deptRow{ID: dep.ID, Name: dep.Name, Cells: make([]cell, len(d.Tasks))})
	}
	byID := make(map[int64]*campaignbot.Person, len(people))
	for _, p := range people {
		byID[p.ID] = p
	}
	var owe *owing
	for _, o := range obs {
		p := byID[o.PersonID]
		ri, inRow := rowOf[p.DepartmentID]
		ti, isTask := taskIdx[o.TaskKey] // a survey owed is not a column
		if !inRow || !isTask || ti < 0 {
			continue
		}
		c := &d.Depts[ri].Cells[ti]
		c.Total++
		switch {
		case o.Status == campaignbot.StatusInReview:
			c.Review++
		case o.Status == campaignbot.StatusDone:
			c.Done++
		case o.Status == campaignbot.StatusOverdue:
			if owe == nil || owe.PersonID != p.ID {
				d.Owing = append(d.Owing, owing{PersonID: p.ID, Name: p.Name, Dept: p.Department})
				owe = &d.Owing[len(d.Owing)-1]
			}
			owe.Items = append(owe.Items, s.t("web.dash.owes_item", d.Tasks[ti].Title, o.Due))
		}
	}
	for i := range d.Depts {
		row := &d.Depts[i]
		for _, c := range row.Cells {
			row.All.Done += c.Done
			row.All.Review += c.Review
			row.All.Total += c.Total
		}
		d.Total.Done += row.All.Done
		d.Total.Review += row.All.Review
		d.Total.Total += row.All.Total
	}
	slices.SortStableFunc(d.Owing, func(a, b owing) int { return cmp.Compare(len(b.Items), len(a.Items)) })
	if len(d.Owing) > maxOwing {
		d.OwingMore = len(d.Owing) - maxOwing
		d.Owing = d.Owing[:maxOwing]
	}
	d.Chart = s.chart(d)
}

// problemAgeDays are the bounds of the dashboard's problem ages.
const (
	ageWeek  = 7
	ageMonth = 30
)

// dashboardProblems counts problems by status and age and lists the oldest
// still open.
func (s *Server) dashboardProblems(ctx context.Context, d *dashboardData, today campaignbot.Date) error {
	ps, err := s.store.FindProblems(ctx, campaignbot.ProblemFilter{})
	if err != nil {
		return err
	}
	loc := s.plan().Loc()
	for _, st := range []campaignbot.ProblemStatus{campaignbot.ProblemNew, campaignbot.ProblemClaimed, campaignbot.ProblemResolved, campaignbot.ProblemClosed} {
		sc := statusCount{Status: st}
		for _, p := range ps {
			if p.Status != st {
				continue
			}
			sc.Count++
			switch age := int(today - campaignbot.DateOf(p.CreatedAt, loc)); {
			case age < ageWeek:
				sc.Week++
			case age < ageMonth:
				sc.Month++
			default:
				sc.Older++
			}
		}
		d.Problems = append(d.Problems, sc)
	}
	open := slices.DeleteFunc(slices.Clone(ps), func(p *campaignbot.Problem) bool { return p.Status == campaignbot.ProblemClosed })
	slices.SortFunc(open, func(a, b *campaignbot.Problem) int { return a.CreatedAt.Compare(b.CreatedAt) })
	d.OldOpen = open[:min(len(open), 5)]
	return nil
}

// dashboardSurveys counts who answered each survey that has opened, among
// its audience in scope.
func (s *Server) dashboardSurveys(ctx context.Context, d *dashboardData, pl *campaignbot.Plan, people []*campaignbot.Person, all bool) error {
	var counts map[string]int
	if all {
		var err error
		if counts, err = s.store.CountSurveyParticipants(ctx); err != nil {
			return err
		}
	}
	for i := range pl.Surveys {
		sv := &pl.Surveys[i]
		from, to := sv.From, sv.To
		if ph := pl.FindPhase(sv.Phase); ph != nil {
			from, to = cmp.Or(from, ph.Start), cmp.Or(to, ph.End)
		}
		if from > d.Today {
			continue
		}
		row := surveyRow{Title: title(s.lang, sv.Title, sv.TitleEn), From: from, To: to, Open: d.Today <= to}
		inScope := map[int64]bool{}
		for _, p := range people {
			if len(sv.Roles) == 0 || slices.ContainsFunc(sv.Roles, p.HasRole) {
				row.Total++
				inScope[p.ID] = true
			}
		}
		if all {
			row.Answered = counts[sv.Key]
		} else {
			ids, err := s.store.FindParticipants(ctx, sv.Key)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if inScope[id] {
					row.Answered++
				}
			}
		}
		d.Surveys = append(d.Surveys, row)
	}
	return nil
}

// deptNames joins department names for a heading.
func (s *Server) deptNames(ds []*campaignbot.Department) string {
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.Name
	}
	return strings.Join(names, s.t("list.sep"))
}

// title picks a title in the console's language.
func title(lang, zh, en string) string {
	if campaignbot.English(lang) && en != "" {
		return en
	}
	return zh
}

// Chart geometry, in SVG user units.
const (
	chartLabelW = 120
	chartCellW  = 64
	chartCellH  = 30
	chartHeadH  = 28
)

// chart draws completion by department × task as a heat map in SVG: one
// row per department, one column per task and one for all tasks, each cell
// shaded by its share done and labelled with it. It is drawn here, on the
// server, so the page needs no script.
func (s *Server) chart(d *dashboardData) template.HTML {
	if len(d.Depts) == 0 || len(d.Tasks) == 0 {
		return ""
	}
	cols := len(d.Tasks) + 1
	w := chartLabelW + cols*chartCellW
	h := chartHeadH + len(d.Depts)*chartCellH + 4
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg" font-size="12">`,
		w, h, template.HTMLEscapeString(s.t("web.dash.chart_label")))
	heads := make([]string, 0, cols)
	for _, t := range d.Tasks {
		heads = append(heads, t.Title)
	}
	heads = append(heads, s.t("web.dash.all_tasks"))
	for i, t := range heads {
		x := chartLabelW + i*chartCellW + chartCellW/2
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#1f2328">`, x, chartHeadH-8)
		// Long titles are cut to fit the column; the table below has them whole.
		b.WriteString(template.HTMLEscapeString(clip(t, 5)))
		b.WriteString(`<title>` + template.HTMLEscapeString(t) + `</title></text>`)
	}
	for r, row := range d.Depts {
		y := chartHeadH + r*chartCellH
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="#1f2328">%s</text>`, chartLabelW-8, y+chartCellH/2+4,
			template.HTMLEscapeString(clip(row.Name, 8)))
		cells := append(slices.Clone(row.Cells), row.All)
		for i, c := range cells {
			x := chartLabelW + i*chartCellW
			if c.Total == 0 {
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#f6f8fa" stroke="#fff"/>`, x, y, chartCellW, chartCellH)
				continue
			}
			pct := c.Pct()
			fg := "#1f2328"
			if pct >= 60 {
				fg = "#fff"
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#fff"><title>%d/%d</title></rect>`,
				x, y, chartCellW, chartCellH, shade(pct), c.Done, c.Total)
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="%s">%d%%</text>`, x+chartCellW/2, y+chartCellH/2+4, fg, pct)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// shade is the colour of a cell done pct percent: from pale red through
// amber to green.
func shade(pct int) string {
	switch {
	case pct >= 90:
		return "#1a7f37"
	case pct >= 60:
		return "#4ac26b"
	case pct >= 30:
		return "#f2cc60"
	case pct > 0:
		return "#ffb3a8"
	}
	return "#ffd8d3"
}

// clip shortens s to n characters with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
