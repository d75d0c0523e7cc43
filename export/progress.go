package export

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"campaignbot"
)

// loadProgress computes everyone's obligations as of the export's day,
// with the one rule the chat and the digests use (campaignbot.Obligations).
func (d *data) loadProgress(ctx context.Context, src Source) error {
	in := campaignbot.ObligationInput{Plan: d.p, Day: d.today, People: d.people}
	subs := slices.Clone(d.subs)
	slices.SortFunc(subs, func(a, b *campaignbot.Submission) int { return cmp.Compare(a.ID, b.ID) })
	for _, s := range subs {
		in.Submissions = append(in.Submissions, campaignbot.SubmissionRecord{
			ID: s.ID, Task: in.TaskKeys.Number(s.TaskKey), PersonID: s.PersonID, DepartmentID: s.DepartmentID,
			Day: campaignbot.DateOf(s.SubmittedAt, d.loc), Week: s.Week,
		})
		switch s.State {
		case campaignbot.ReviewReturned:
			in.Returned = append(in.Returned, s.ID)
		case campaignbot.ReviewSubmitted:
			in.InReview = append(in.InReview, s.ID)
		}
	}
	var err error
	if in.Claims, err = src.FindClaims(ctx); err != nil {
		return fmt.Errorf("export: find claims: %w", err)
	}
	if in.Leaves, err = src.FindAllLeaves(ctx); err != nil {
		return fmt.Errorf("export: find leaves: %w", err)
	}
	if in.Answered, err = src.FindSurveyParticipation(ctx); err != nil {
		return fmt.Errorf("export: find survey participation: %w", err)
	}
	d.obligations = campaignbot.Obligations(in)
	return nil
}

// owedTitle is the title of a task or of a survey owed like one.
func (d *data) owedTitle(key string) string {
	if k, ok := campaignbot.SurveyOf(key); ok {
		for _, sv := range d.p.Surveys {
			if sv.Key == k {
				if d.l.en {
					return cmp.Or(sv.TitleEn, sv.Title)
				}
				return sv.Title
			}
		}
		return k
	}
	return d.taskTitle(key)
}

// tally counts the obligations of one group by how they stand.
type tally struct {
	owed, done, late, review, missing int
}

func (t *tally) add(o campaignbot.Obligation) {
	t.owed++
	switch o.Status {
	case campaignbot.StatusDone:
		t.done++
		if o.Late {
			t.late++
		}
	case campaignbot.StatusInReview:
		t.review++
	default:
		t.missing++
	}
}

func (t tally) cells() []any {
	var rate any
	if t.owed > 0 {
		rate = ratio(float64(t.done) / float64(t.owed))
	}
	return []any{t.owed, t.done, t.late, t.review, t.missing, rate}
}

// progressRow is one row of 进度统计: a department's (or, with dept -1,
// all departments') tally for a task's period, or for everything.
type progressRow struct {
	task     string
	period   string
	due      campaignbot.Date
	dept     int64
	deptName string
	t        tally
}

// personDept returns the department of a person, 0 if none.
func (d *data) personDept() map[int64]int64 {
	m := make(map[int64]int64, len(d.people))
	for _, pe := range d.people {
		m[pe.ID] = pe.DepartmentID
	}
	return m
}

// departmentOrder lists the departments in the roster's order of first
// appearance, so the chart and the tables agree.
func (d *data) departmentOrder() []int64 {
	var ids []int64
	for _, pe := range d.people {
		if !slices.Contains(ids, pe.DepartmentID) {
			ids = append(ids, pe.DepartmentID)
		}
	}
	return ids
}

// progressRows groups the obligations: first every department's total
// over all tasks (what the chart shows) and the grand total, then for each
// task and period each department's tally and the period's total.
func (d *data) progressRows() []progressRow {
	if len(d.obligations) == 0 {
		return nil
	}
	deptOf := d.personDept()
	order := d.departmentOrder()
	overall := map[int64]*tally{}
	var grand tally
	type periodKey struct {
		task       string
		start, end campaignbot.Date
	}
	var periods []periodKey
	byPeriod := map[periodKey]map[int64]*tally{}
	dueOf := map[periodKey]campaignbot.Date{}
	for _, o := range d.obligations {
		dept := deptOf[o.PersonID]
		if overall[dept] == nil {
			overall[dept] = &tally{}
		}
		overall[dept].add(o)
		grand.add(o)
		k := periodKey{o.TaskKey, o.PeriodStart, o.PeriodEnd}
		if byPeriod[k] == nil {
			byPeriod[k] = map[int64]*tally{}
			periods = append(periods, k)
			dueOf[k] = o.Due
		}
		// Leave moves a person's due date later; the period's is the earliest.
		dueOf[k] = min(dueOf[k], o.Due)
		if byPeriod[k][dept] == nil {
			byPeriod[k][dept] = &tally{}
		}
		byPeriod[k][dept].add(o)
	}
	var rows []progressRow
	for _, dept := range order {
		if t := overall[dept]; t != nil {
			rows = append(rows, progressRow{task: d.l.all, dept: dept, deptName: d.dept(dept), t: *t})
		}
	}
	rows = append(rows, progressRow{task: d.l.all, dept: -1, deptName: d.l.total, t: grand})

	slices.SortStableFunc(periods, func(a, b periodKey) int {
		return cmp.Or(cmp.Compare(d.taskIndex(a.task), d.taskIndex(b.task)), cmp.Compare(a.start, b.start))
	})
	for _, k := range periods {
		title, period := d.owedTitle(k.task), periodText(k.start, k.end)
		var sum tally
		for _, dept := range order {
			t := byPeriod[k][dept]
			if t == nil {
				continue
			}
			rows = append(rows, progressRow{task: title, period: period, due: dueOf[k], dept: dept, deptName: d.dept(dept), t: *t})
			sum.owed, sum.done, sum.late = sum.owed+t.owed, sum.done+t.done, sum.late+t.late
			sum.review, sum.missing = sum.review+t.review, sum.missing+t.missing
		}
		rows = append(rows, progressRow{task: title, period: period, due: dueOf[k], dept: -1, deptName: d.l.total, t: sum})
	}
	return rows
}

// taskIndex orders tasks as the plan lists them, surveys after.
func (d *data) taskIndex(key string) int {
	if i := slices.IndexFunc(d.p.Tasks, func(t campaignbot.Task) bool { return t.Key == key }); i >= 0 {
		return i
	}
	if k, ok := campaignbot.SurveyOf(key); ok {
		return len(d.p.Tasks) + slices.IndexFunc(d.p.Surveys, func(s campaignbot.Survey) bool { return s.Key == k })
	}
	return len(d.p.Tasks) + len(d.p.Surveys)
}

func periodText(start, end campaignbot.Date) string {
	if start == end {
		return start.String()
	}
	return start.String() + "～" + end.String()
}

// Columns of 进度统计 the chart reads (1-based).
const (
	progressDeptCol    = 4
	progressDoneCol    = 6
	progressReviewCol  = 8
	progressMissingCol = 9
)

// progressSheet is 进度统计: handed in, late, in review and not handed in,
// by department over all tasks, then by task, period and department, with
// totals, and a stacked column chart of the departments' completion.
func (d *data) progressSheet() *sheet {
	rows := d.progressRows()
	depts := 0
	for _, r := range rows {
		if r.task == d.l.all && r.dept >= 0 {
			depts++
		}
	}
	s := &sheet{name: d.l.sheets[1], head: d.l.progressHead, n: len(rows), row: func(i int) []any {
		r := rows[i]
		var due any
		if r.due != 0 {
			due = day(r.due)
		}
		return append([]any{r.task, r.period, due, r.deptName}, r.t.cells()...)
	}}
	if depts > 0 {
		s.chart = func(f *excelize.File, s *sheet) error { return d.completionChart(f, s, depts) }
	}
	return s
}

// completionChart adds a stacked column chart of the first depts rows of
// 进度统计 (every department's total): handed in, in review, not handed in.
func (d *data) completionChart(f *excelize.File, s *sheet, depts int) error {
	ref := func(col, from, to int) string {
		a, _ := excelize.CoordinatesToCellName(col, from, true)
		b, _ := excelize.CoordinatesToCellName(col, to, true)
		if from == to {
			return fmt.Sprintf("'%s'!%s", s.name, a)
		}
		return fmt.Sprintf("'%s'!%s:%s", s.name, a, b)
	}
	hr := s.headRow()
	cats := ref(progressDeptCol, hr+1, hr+depts)
	var series []excelize.ChartSeries
	colors := []string{"70AD47", "FFC000", "C00000"}
	for i, col := range []int{progressDoneCol, progressReviewCol, progressMissingCol} {
		series = append(series, excelize.ChartSeries{
			Name: ref(col, hr, hr), Categories: cats, Values: ref(col, hr+1, hr+depts),
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colors[i]}},
		})
	}
	at, _ := excelize.CoordinatesToCellName(len(s.head)+2, hr)
	title := fmt.Sprintf(d.l.chartTitle, d.today)
	return f.AddChart(s.name, at, &excelize.Chart{
		Type: excelize.ColStacked, Series: series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: title, Font: &excelize.Font{Bold: true, Size: 12}}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: uint(max(480, 60*depts+160)), Height: 320},
		PlotArea:  excelize.ChartPlotArea{ShowVal: true},
	})
}

// missingSheet is 未交名单: every period begun and not handed in (nor
// waiting for review), by department and person, overdue ones first.
func (d *data) missingSheet() *sheet {
	deptOf := d.personDept()
	order := d.departmentOrder()
	var rows []campaignbot.Obligation
	for _, o := range d.obligations {
		if o.Status == campaignbot.StatusOverdue || o.Status == campaignbot.StatusPending {
			rows = append(rows, o)
		}
	}
	slices.SortStableFunc(rows, func(a, b campaignbot.Obligation) int {
		return cmp.Or(
			cmp.Compare(slices.Index(order, deptOf[a.PersonID]), slices.Index(order, deptOf[b.PersonID])),
			strings.Compare(d.person(a.PersonID), d.person(b.PersonID)), cmp.Compare(a.PersonID, b.PersonID),
			cmp.Compare(a.Due, b.Due), cmp.Compare(d.taskIndex(a.TaskKey), d.taskIndex(b.TaskKey)))
	})
	return &sheet{name: d.l.sheets[2], head: d.l.missingHead, n: len(rows), row: func(i int) []any {
		o := rows[i]
		status, late := d.l.pending, any(nil)
		if o.Status == campaignbot.StatusOverdue {
			status, late = d.l.overdue, int(d.today-o.Due)
		}
		return []any{d.dept(deptOf[o.PersonID]), d.person(o.PersonID), d.owedTitle(o.TaskKey),
			periodText(o.PeriodStart, o.PeriodEnd), day(o.Due), status, late}
	}}
}
