// Package export writes the office's workbook (SPEC §7 `campaignbot export`)
// with github.com/xuri/excelize/v2: the roster, submissions, opinions,
// problems and their events, the rectification ledger and survey results,
// one sheet each.
package export

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"campaignbot"
	"campaignbot/roster"
)

// Source is the part of the store the workbook reads.
type Source interface {
	FindPeople(ctx context.Context, filter campaignbot.PersonFilter) ([]*campaignbot.Person, error)
	FindDepartments(ctx context.Context) ([]*campaignbot.Department, error)
	FindSubmissions(ctx context.Context, filter campaignbot.SubmissionFilter) ([]*campaignbot.Submission, error)
	FindReviewComments(ctx context.Context, submissionID int64) ([]*campaignbot.ReviewComment, error)
	FindOpinions(ctx context.Context) ([]*campaignbot.Opinion, error)
	FindProblems(ctx context.Context, filter campaignbot.ProblemFilter) ([]*campaignbot.Problem, error)
	FindProblemEvents(ctx context.Context, problemID int64) ([]*campaignbot.ProblemEvent, error)
	FindLedgerItems(ctx context.Context) ([]*campaignbot.LedgerItem, error)
	FindSurveyResults(ctx context.Context, surveyKey string) ([]campaignbot.SurveyResult, error)
	FindParticipants(ctx context.Context, surveyKey string) ([]int64, error)
}

// Limits and layout of the workbook.
const (
	// MaxCellText is where long texts are cut; Excel holds at most 32,767
	// characters (UTF-16 code units) in a cell.
	MaxCellText = 32000
	// MinColWidth and MaxColWidth bound the computed column widths.
	MinColWidth = 8
	MaxColWidth = 60
	// TimeLayout is how instants are written, in the plan's time zone.
	TimeLayout = "2006-01-02 15:04"
)

// Option changes how Write builds the workbook.
type Option func(*options)

type options struct {
	lang     string
	progress func(done, total int)
}

// WithLang sets the language of headers and labels: "en" for English;
// Chinese (the default) otherwise.
func WithLang(lang string) Option { return func(o *options) { o.lang = lang } }

// WithProgress has Write report the rows written so far out of all rows of
// the workbook. It is called from Write's goroutine, often enough for a
// progress bar (at most about 200 times) and always once with done == total.
func WithProgress(f func(done, total int)) Option { return func(o *options) { o.progress = f } }

// sheet is one worksheet: a header row and n rows produced on demand, so
// that the widths pass and the writing pass need not keep rows in memory.
type sheet struct {
	name string
	head []string
	n    int
	row  func(i int) []any
}

// Write reads everything the workbook shows from src and writes it to w as
// an .xlsx file, with dates and times in p's time zone.
func Write(ctx context.Context, w io.Writer, src Source, p *campaignbot.Plan, opts ...Option) error {
	o := &options{}
	for _, opt := range opts {
		opt(o)
	}
	d, err := load(ctx, src, p, o)
	if err != nil {
		return err
	}
	sheets := []*sheet{
		d.rosterSheet(), d.submissionSheet(), d.opinionSheet(), d.problemSheet(),
		d.eventSheet(), d.ledgerSheet(), d.surveySheet(),
	}

	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "center"},
	})
	if err != nil {
		return fmt.Errorf("export: header style: %w", err)
	}
	pr := &progress{f: o.progress}
	for _, s := range sheets {
		pr.total += s.n
	}
	for i, s := range sheets {
		if err := writeSheet(ctx, f, i, s, bold, pr); err != nil {
			return fmt.Errorf("export: sheet %s: %w", s.name, err)
		}
	}
	pr.finish()
	// The renamed "Sheet1" stays the active sheet. (SetActiveSheet would
	// parse every streamed sheet back into memory.)
	if err := f.Write(w); err != nil {
		return fmt.Errorf("export: write workbook: %w", err)
	}
	return nil
}

type progress struct {
	f           func(done, total int)
	done, total int
	last        int
}

func (p *progress) add() {
	p.done++
	if p.f == nil {
		return
	}
	if step := max(1, p.total/200); p.done-p.last >= step {
		p.last = p.done
		p.f(p.done, p.total)
	}
}

func (p *progress) finish() {
	if p.f != nil && (p.last != p.done || p.total == 0) {
		p.last = p.done
		p.f(p.done, p.total)
	}
}

// writeSheet writes s as the index-th sheet. The first takes the place of
// the default "Sheet1".
func writeSheet(ctx context.Context, f *excelize.File, index int, s *sheet, headStyle int, pr *progress) error {
	widths := make([]int, len(s.head))
	for c, h := range s.head {
		widths[c] = cellWidth(h)
	}
	for i := range s.n {
		for c, v := range s.row(i) {
			if str, ok := v.(string); ok {
				widths[c] = max(widths[c], cellWidth(str))
			} else if v != nil {
				widths[c] = max(widths[c], len(fmt.Sprint(v)))
			}
		}
	}

	if index == 0 {
		if err := f.SetSheetName(f.GetSheetName(0), s.name); err != nil {
			return err
		}
	} else if _, err := f.NewSheet(s.name); err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(len(s.head), s.n+1)
	if err != nil {
		return err
	}
	// The stream writer copies the sheet's settings when it is created, so
	// the filter must be in place before.
	if err := f.AutoFilter(s.name, "A1:"+last, nil); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(s.name)
	if err != nil {
		return err
	}
	for c, wd := range widths {
		// Header cells also hold the filter button.
		if err := sw.SetColWidth(c+1, c+1, float64(min(max(wd+2, MinColWidth), MaxColWidth))); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}
	head := make([]any, len(s.head))
	for c, h := range s.head {
		head[c] = excelize.Cell{StyleID: headStyle, Value: h}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{StyleID: headStyle}); err != nil {
		return err
	}
	for i := range s.n {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, s.row(i)); err != nil {
			return err
		}
		pr.add()
	}
	return sw.Flush()
}

// cellWidth is the width s needs in a column: its longest line, with wide
// (CJK) characters counting two. It stops counting past MaxColWidth.
func cellWidth(s string) int {
	widest := 0
	for line := range strings.Lines(s) {
		if len(line) > 4*MaxColWidth {
			line = line[:4*MaxColWidth]
		}
		widest = max(widest, roster.DisplayWidth(strings.TrimRight(line, "\r\n")))
		if widest >= MaxColWidth {
			return widest
		}
	}
	return widest
}

// clip cuts s so that it fits in a cell, marking the cut.
func clip(s string) string {
	if len(s) <= MaxCellText {
		return s
	}
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > MaxCellText-1 {
			return s[:i] + "…"
		}
	}
	return s
}

// data is everything the sheets show, loaded before writing so that the
// progress total is known.
type data struct {
	p           *campaignbot.Plan
	loc         *time.Location
	l           labels
	people      []*campaignbot.Person
	names       map[int64]string
	depts       map[int64]string
	subs        []*campaignbot.Submission
	subByID     map[int64]*campaignbot.Submission
	comments    map[int64][]*campaignbot.ReviewComment
	opinions    []*campaignbot.Opinion
	problems    []*campaignbot.Problem
	events      []*campaignbot.ProblemEvent
	ledger      []*campaignbot.LedgerItem
	results     map[string][]campaignbot.SurveyResult
	participant map[string]int
}

func load(ctx context.Context, src Source, p *campaignbot.Plan, o *options) (*data, error) {
	d := &data{
		p: p, loc: p.Loc(), l: labelsFor(o.lang),
		names: map[int64]string{}, depts: map[int64]string{}, subByID: map[int64]*campaignbot.Submission{},
		comments: map[int64][]*campaignbot.ReviewComment{},
		results:  map[string][]campaignbot.SurveyResult{}, participant: map[string]int{},
	}
	var err error
	if d.people, err = src.FindPeople(ctx, campaignbot.PersonFilter{}); err != nil {
		return nil, fmt.Errorf("export: find people: %w", err)
	}
	for _, pe := range d.people {
		d.names[pe.ID] = pe.Name
	}
	depts, err := src.FindDepartments(ctx)
	if err != nil {
		return nil, fmt.Errorf("export: find departments: %w", err)
	}
	for _, dp := range depts {
		d.depts[dp.ID] = dp.Name
	}
	if d.subs, err = src.FindSubmissions(ctx, campaignbot.SubmissionFilter{}); err != nil {
		return nil, fmt.Errorf("export: find submissions: %w", err)
	}
	for _, s := range d.subs {
		d.subByID[s.ID] = s
		// Only reviewed submissions can have comments.
		if s.State != campaignbot.ReviewNotRequired && s.State != campaignbot.ReviewSubmitted {
			if d.comments[s.ID], err = src.FindReviewComments(ctx, s.ID); err != nil {
				return nil, fmt.Errorf("export: find review comments of submission %d: %w", s.ID, err)
			}
		}
	}
	if d.opinions, err = src.FindOpinions(ctx); err != nil {
		return nil, fmt.Errorf("export: find opinions: %w", err)
	}
	// Order by day, named first, then text: the store's order could tell
	// when, relative to named opinions, an anonymous one was given.
	d.opinions = slices.Clone(d.opinions)
	slices.SortStableFunc(d.opinions, func(a, b *campaignbot.Opinion) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), boolCmp(a.Anonymous, b.Anonymous), strings.Compare(a.Text, b.Text))
	})
	if d.problems, err = src.FindProblems(ctx, campaignbot.ProblemFilter{}); err != nil {
		return nil, fmt.Errorf("export: find problems: %w", err)
	}
	d.problems = slices.Clone(d.problems)
	slices.SortStableFunc(d.problems, func(a, b *campaignbot.Problem) int { return cmp.Compare(a.ID, b.ID) })
	for _, pr := range d.problems {
		evs, err := src.FindProblemEvents(ctx, pr.ID)
		if err != nil {
			return nil, fmt.Errorf("export: find events of problem %d: %w", pr.ID, err)
		}
		d.events = append(d.events, evs...)
	}
	if d.ledger, err = src.FindLedgerItems(ctx); err != nil {
		return nil, fmt.Errorf("export: find ledger: %w", err)
	}
	for _, sv := range p.Surveys {
		if d.results[sv.Key], err = src.FindSurveyResults(ctx, sv.Key); err != nil {
			return nil, fmt.Errorf("export: find results of survey %s: %w", sv.Key, err)
		}
		ids, err := src.FindParticipants(ctx, sv.Key)
		if err != nil {
			return nil, fmt.Errorf("export: find participants of survey %s: %w", sv.Key, err)
		}
		d.participant[sv.Key] = len(ids)
	}
	return d, nil
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func (d *data) person(id int64) string {
	if id == 0 {
		return ""
	}
	if n, ok := d.names[id]; ok {
		return n
	}
	return "#" + strconv.FormatInt(id, 10)
}

func (d *data) dept(id int64) string {
	if id == 0 {
		return ""
	}
	if n, ok := d.depts[id]; ok {
		return n
	}
	return "#" + strconv.FormatInt(id, 10)
}

func (d *data) time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(d.loc).Format(TimeLayout)
}

func date(x campaignbot.Date) string {
	if x == 0 {
		return ""
	}
	return x.String()
}

func (d *data) taskTitle(key string) string {
	t := d.p.FindTask(key)
	switch {
	case t == nil:
		return key
	case d.l.en && t.TitleEn != "":
		return t.TitleEn
	}
	return t.Title
}

func (d *data) rosterSheet() *sheet {
	return &sheet{name: d.l.sheets[0], head: d.l.rosterHead, n: len(d.people), row: func(i int) []any {
		pe := d.people[i]
		roles := make([]string, 0, len(pe.Roles))
		for _, r := range pe.RoleList() {
			roles = append(roles, r.Title(d.l.lang))
		}
		inCharge := make([]string, 0, len(pe.InChargeOf))
		for _, id := range pe.InChargeOf {
			inCharge = append(inCharge, d.dept(id))
		}
		unreachable := make([]string, 0, len(pe.Unreachable))
		for _, pl := range pe.Unreachable {
			unreachable = append(unreachable, string(pl))
		}
		dept := pe.Department
		if dept == "" {
			dept = d.dept(pe.DepartmentID)
		}
		return []any{pe.Name, dept, strings.Join(roles, d.l.sep), pe.Telegram, pe.WeCom,
			strings.Join(inCharge, d.l.sep), strings.Join(unreachable, d.l.sep)}
	}}
}

func (d *data) submissionSheet() *sheet {
	return &sheet{name: d.l.sheets[1], head: d.l.subHead, n: len(d.subs), row: func(i int) []any {
		s := d.subs[i]
		files := make([]string, 0, len(s.Attachments))
		for _, a := range s.Attachments {
			files = append(files, cmp.Or(a.Name, a.SHA256))
		}
		var comments []string
		for _, c := range d.comments[s.ID] {
			comments = append(comments, fmt.Sprintf(d.l.comment, d.time(c.CreatedAt), d.person(c.ReviewerID), d.l.review[c.Decision], c.Text))
		}
		late := d.l.no
		if s.Late {
			late = d.l.yes
		}
		return []any{d.taskTitle(s.TaskKey), d.person(s.PersonID), d.dept(s.DepartmentID), s.Version, late,
			cmp.Or(d.l.review[s.State], string(s.State)), d.time(s.SubmittedAt), clip(s.Text), clip(strings.Join(files, "\n")),
			clip(strings.Join(comments, "\n"))}
	}}
}

// opinionSheet never reads an anonymous opinion's author fields: even if a
// store filled them, the workbook must not show who wrote it.
func (d *data) opinionSheet() *sheet {
	return &sheet{name: d.l.sheets[2], head: d.l.opinionHead, n: len(d.opinions), row: func(i int) []any {
		op := d.opinions[i]
		author := d.l.anonymous
		if !op.Anonymous {
			author = d.person(op.AuthorID)
		}
		return []any{date(op.Day), author, clip(op.Text), clip(op.Answer), d.person(op.AnsweredBy)}
	}}
}

func (d *data) problemSheet() *sheet {
	return &sheet{name: d.l.sheets[3], head: d.l.problemHead, n: len(d.problems), row: func(i int) []any {
		pr := d.problems[i]
		return []any{pr.ID, pr.Enterprise, pr.Category, pr.Team, clip(pr.Description), d.person(pr.FilerID),
			d.person(pr.OwnerID), cmp.Or(d.l.problem[pr.Status], string(pr.Status)), date(pr.Due), d.time(pr.CreatedAt), len(pr.Photos)}
	}}
}

func (d *data) eventSheet() *sheet {
	return &sheet{name: d.l.sheets[4], head: d.l.eventHead, n: len(d.events), row: func(i int) []any {
		ev := d.events[i]
		return []any{ev.ProblemID, cmp.Or(d.l.event[ev.Kind], string(ev.Kind)), d.person(ev.ActorID),
			d.person(ev.OwnerID), clip(ev.Text), d.time(ev.CreatedAt)}
	}}
}

func (d *data) ledgerSheet() *sheet {
	return &sheet{name: d.l.sheets[5], head: d.l.ledgerHead, n: len(d.ledger), row: func(i int) []any {
		it := d.ledger[i]
		var source string
		switch {
		case it.ProblemID != 0:
			source = fmt.Sprintf(d.l.fromProblem, it.ProblemID)
		case it.SubmissionID != 0:
			source = fmt.Sprintf(d.l.fromReport, it.SubmissionID)
			if s, ok := d.subByID[it.SubmissionID]; ok {
				source += fmt.Sprintf(d.l.report, d.taskTitle(s.TaskKey), d.person(s.PersonID), s.Version)
			}
		}
		return []any{it.ID, clip(it.What), clip(it.Measure), d.person(it.OwnerID), date(it.Due),
			cmp.Or(d.l.ledger[it.Status], string(it.Status)), clip(it.Evidence), source,
			d.person(it.LeaderID), d.dept(it.DepartmentID), clip(it.Remark)}
	}}
}

// surveyRow is one question of one survey, as the results sheet shows it.
type surveyRow struct {
	sv *campaignbot.Survey
	q  *campaignbot.Question
	r  campaignbot.SurveyResult
}

func (d *data) surveySheet() *sheet {
	var rows []surveyRow
	for i := range d.p.Surveys {
		sv := &d.p.Surveys[i]
		byKey := map[string]campaignbot.SurveyResult{}
		for _, r := range d.results[sv.Key] {
			byKey[r.QuestionKey] = r
		}
		for j := range sv.Questions {
			rows = append(rows, surveyRow{sv: sv, q: &sv.Questions[j], r: byKey[sv.Questions[j].Key]})
		}
	}
	return &sheet{name: d.l.sheets[6], head: d.l.surveyHead, n: len(rows), row: func(i int) []any {
		r := rows[i]
		title, text := r.sv.Title, r.q.Text
		if d.l.en {
			title, text = cmp.Or(r.sv.TitleEn, title), cmp.Or(r.q.TextEn, text)
		}
		row := []any{title, text, d.l.kind[r.q.Kind], d.participant[r.sv.Key], d.audience(r.sv)}
		if r.r.Count < campaignbot.MinGroupSize {
			return append(row, nil, d.l.tooFew, nil)
		}
		result, mean := d.summarize(r.q, r.r)
		return append(row, r.r.Count, clip(result), mean)
	}}
}

// audience counts the people a survey is for.
func (d *data) audience(sv *campaignbot.Survey) int {
	n := 0
	for _, pe := range d.people {
		if len(sv.Roles) == 0 || slices.ContainsFunc(sv.Roles, pe.HasRole) {
			n++
		}
	}
	return n
}

// summarize gives the counts per value (or the texts) and, for a scale
// question, the mean (nil otherwise).
func (d *data) summarize(q *campaignbot.Question, r campaignbot.SurveyResult) (string, any) {
	if q.Kind == campaignbot.QuestionText {
		return strings.Join(r.Texts, "\n"), nil
	}
	var values []string
	if q.Kind == campaignbot.QuestionScale {
		values = []string{"1", "2", "3", "4", "5"}
	} else {
		values = slices.Clone(q.Options)
	}
	var extra []string
	for v := range r.Values {
		if !slices.Contains(values, v) {
			extra = append(extra, v)
		}
	}
	slices.Sort(extra)
	values = append(values, extra...)

	parts := make([]string, 0, len(values))
	sum, n := 0, 0
	for _, v := range values {
		c := r.Values[v]
		parts = append(parts, fmt.Sprintf("%s: %d", v, c))
		if x, err := strconv.Atoi(v); err == nil {
			sum, n = sum+x*c, n+c
		}
	}
	result := strings.Join(parts, d.l.sep)
	if q.Kind != campaignbot.QuestionScale || n == 0 {
		return result, nil
	}
	mean, _ := strconv.ParseFloat(strconv.FormatFloat(float64(sum)/float64(n), 'f', 2, 64), 64)
	return result, mean
}
