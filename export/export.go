// Package export writes what the office files (SPEC §12): the workbook
// (github.com/xuri/excelize/v2: roster, progress with a completion chart,
// who has not handed in, submissions, opinions, problems and their events,
// the rectification ledger in the office layout, survey results), the
// materials ZIP of every submitted file, and the compiled Word document.
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
	// What campaignbot.Obligations reads besides the roster and the
	// submissions, for 进度统计 and 未交名单.
	FindClaims(ctx context.Context) ([]campaignbot.Claim, error)
	FindAllLeaves(ctx context.Context) ([]campaignbot.Leave, error)
	FindSurveyParticipation(ctx context.Context) ([]campaignbot.SurveyTaken, error)
}

// Limits and layout of the workbook.
const (
	// MaxCellText is where long texts are cut; Excel holds at most 32,767
	// characters (UTF-16 code units) in a cell.
	MaxCellText = 32000
	// MinColWidth and MaxColWidth bound the computed column widths; a
	// column whose text is wider wraps.
	MinColWidth = 8
	MaxColWidth = 60
	// DateFormat and TimeFormat are the number formats of date and
	// date-time cells.
	DateFormat = "yyyy-mm-dd"
	TimeFormat = "yyyy-mm-dd hh:mm"
	// PaperA4 is A4 in the sheet's page setup.
	PaperA4 = 9
	// lineHeight and maxRowHeight are in points: a row of wrapped text
	// gets one line's height per line, up to Excel's maximum.
	lineHeight   = 15
	maxRowHeight = 409
)

// Option changes how Write builds the workbook.
type Option func(*options)

type options struct {
	lang     string
	progress func(done, total int)
	now      time.Time
}

// WithLang sets the language of headers and labels: "en" for English;
// Chinese (the default) otherwise.
func WithLang(lang string) Option { return func(o *options) { o.lang = lang } }

// WithProgress has Write report the rows written so far out of all rows of
// the workbook. It is called from Write's goroutine, often enough for a
// progress bar (at most about 200 times) and always once with done == total.
func WithProgress(f func(done, total int)) Option { return func(o *options) { o.progress = f } }

// WithNow sets the time the export is made: the day progress is counted
// on, the document's creation time. The default is the time of the call.
func WithNow(t time.Time) Option { return func(o *options) { o.now = t } }

func newOptions(opts []Option) *options {
	o := &options{}
	for _, opt := range opts {
		opt(o)
	}
	if o.now.IsZero() {
		o.now = time.Now()
	}
	return o
}

// day is a date cell; time.Time values are date-time cells.
type day campaignbot.Date

// ratio is a percentage cell.
type ratio float64

// sheet is one worksheet: an optional title row, a header row and n rows
// produced on demand, so that the widths pass and the writing pass need
// not keep rows in memory.
type sheet struct {
	name  string
	title string
	head  []string
	n     int
	row   func(i int) []any
	// chart, when set, adds a chart; it must be added before the rows are
	// streamed (the stream writer copies the sheet's settings).
	chart func(f *excelize.File, s *sheet) error
}

// headRow is the 1-based row of the header.
func (s *sheet) headRow() int {
	if s.title != "" {
		return 2
	}
	return 1
}

// Write reads everything the workbook shows from src and writes it to w as
// an .xlsx file, with dates and times in p's time zone.
func Write(ctx context.Context, w io.Writer, src Source, p *campaignbot.Plan, opts ...Option) error {
	o := newOptions(opts)
	d, err := load(ctx, src, p, o)
	if err != nil {
		return err
	}
	if err := d.loadProgress(ctx, src); err != nil {
		return err
	}
	sheets := []*sheet{
		d.rosterSheet(), d.progressSheet(), d.missingSheet(), d.submissionSheet(), d.opinionSheet(),
		d.problemSheet(), d.eventSheet(), d.ledgerSheet(), d.surveySheet(),
	}

	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetDocProps(d.docProps()); err != nil {
		return fmt.Errorf("export: document properties: %w", err)
	}
	if err := f.SetAppProps(&excelize.AppProperties{Application: "campaignbot", Company: d.p.Organisation}); err != nil {
		return fmt.Errorf("export: application properties: %w", err)
	}
	st, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("export: styles: %w", err)
	}
	pr := &progress{f: o.progress}
	for _, s := range sheets {
		pr.total += s.n
	}
	for i, s := range sheets {
		if err := writeSheet(ctx, f, i, s, st, d.l.footer, pr); err != nil {
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

// author is who the files say wrote them: the organisation, else
// campaignbot.
func (d *data) author() string { return cmp.Or(d.p.Organisation, "campaignbot") }

func (d *data) docProps() *excelize.DocProperties {
	now := d.now.UTC().Format(time.RFC3339)
	return &excelize.DocProperties{
		Creator: d.author(), LastModifiedBy: "campaignbot", Created: now, Modified: now,
		Title: d.campaignTitle(), Language: map[bool]string{true: "en-US", false: "zh-CN"}[d.l.en],
	}
}

func (d *data) campaignTitle() string {
	if d.l.en {
		return cmp.Or(d.p.TitleEn, d.p.Title)
	}
	return d.p.Title
}

// styles are the cell styles of the workbook.
type styles struct {
	title, head, text, wrap, date, time, ratio int
}

func newStyles(f *excelize.File) (*styles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1},
	}
	top := &excelize.Alignment{Vertical: "top"}
	date, tm := DateFormat, TimeFormat
	pct := "0.0%"
	defs := []*excelize.Style{
		{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}},
		{Font: &excelize.Font{Bold: true}, Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Alignment: &excelize.Alignment{Vertical: "center", Horizontal: "center", WrapText: true}},
		{Border: border, Alignment: top},
		{Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}},
		{Border: border, Alignment: top, CustomNumFmt: &date},
		{Border: border, Alignment: top, CustomNumFmt: &tm},
		{Border: border, Alignment: top, CustomNumFmt: &pct},
	}
	ids := make([]int, len(defs))
	for i, def := range defs {
		id, err := f.NewStyle(def)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return &styles{title: ids[0], head: ids[1], text: ids[2], wrap: ids[3], date: ids[4], time: ids[5], ratio: ids[6]}, nil
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

// valueWidth is the width a cell value needs, and whether it is text that
// must wrap (wider than MaxColWidth or on several lines).
func valueWidth(v any) (int, bool) {
	switch v := v.(type) {
	case string:
		w := cellWidth(v)
		return w, w > MaxColWidth || strings.Contains(v, "\n")
	case time.Time:
		return len(TimeFormat), false
	case day:
		return len(DateFormat), false
	case ratio:
		return 6, false
	case nil:
		return 0, false
	}
	return len(fmt.Sprint(v)), false
}

// writeSheet writes s as the index-th sheet. The first takes the place of
// the default "Sheet1".
func writeSheet(ctx context.Context, f *excelize.File, index int, s *sheet, st *styles, footer string, pr *progress) error {
	widths := make([]int, len(s.head))
	wrap := make([]bool, len(s.head))
	for c, h := range s.head {
		widths[c] = cellWidth(h)
	}
	for i := range s.n {
		for c, v := range s.row(i) {
			w, wr := valueWidth(v)
			widths[c], wrap[c] = max(widths[c], w), wrap[c] || wr
		}
	}
	for c := range widths {
		widths[c] = min(max(widths[c]+2, MinColWidth), MaxColWidth)
	}

	if index == 0 {
		if err := f.SetSheetName(f.GetSheetName(0), s.name); err != nil {
			return err
		}
	} else if _, err := f.NewSheet(s.name); err != nil {
		return err
	}
	hr := s.headRow()
	first, _ := excelize.CoordinatesToCellName(1, hr)
	last, err := excelize.CoordinatesToCellName(len(s.head), hr+s.n)
	if err != nil {
		return err
	}
	// The stream writer copies the sheet's settings when it is created, so
	// filter, page setup, print titles and chart must be in place before.
	if err := f.AutoFilter(s.name, first+":"+last, nil); err != nil {
		return err
	}
	if err := pageSetup(f, s, footer); err != nil {
		return err
	}
	if s.chart != nil {
		if err := s.chart(f, s); err != nil {
			return fmt.Errorf("chart: %w", err)
		}
	}
	sw, err := f.NewStreamWriter(s.name)
	if err != nil {
		return err
	}
	for c, wd := range widths {
		if err := sw.SetColWidth(c+1, c+1, float64(wd)); err != nil {
			return err
		}
	}
	below, _ := excelize.CoordinatesToCellName(1, hr+1)
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: hr, TopLeftCell: below, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: below, ActiveCell: below, Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}
	if s.title != "" {
		if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: s.title}}, excelize.RowOpts{Height: 30}); err != nil {
			return err
		}
		end, _ := excelize.CoordinatesToCellName(len(s.head), 1)
		if err := sw.MergeCell("A1", end); err != nil {
			return err
		}
	}
	head := make([]any, len(s.head))
	for c, h := range s.head {
		head[c] = excelize.Cell{StyleID: st.head, Value: h}
	}
	if err := sw.SetRow(first, head); err != nil {
		return err
	}
	for i := range s.n {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, hr+1+i)
		values, lines := styleRow(s.row(i), widths, wrap, st)
		opts := []excelize.RowOpts{}
		if lines > 1 {
			opts = append(opts, excelize.RowOpts{Height: float64(min(lines*lineHeight, maxRowHeight))})
		}
		if err := sw.SetRow(cell, values, opts...); err != nil {
			return err
		}
		pr.add()
	}
	return sw.Flush()
}

// styleRow gives each value of a row its cell style, and returns how many
// lines its wrapped text needs.
func styleRow(row []any, widths []int, wrap []bool, st *styles) ([]any, int) {
	out := make([]any, len(row))
	lines := 1
	for c, v := range row {
		switch v := v.(type) {
		case nil:
			out[c] = excelize.Cell{StyleID: st.text}
		case time.Time:
			if v.IsZero() {
				out[c] = excelize.Cell{StyleID: st.text}
			} else {
				out[c] = excelize.Cell{StyleID: st.time, Value: v}
			}
		case day:
			if v == 0 {
				out[c] = excelize.Cell{StyleID: st.text}
			} else {
				out[c] = excelize.Cell{StyleID: st.date, Value: campaignbot.Date(v).Time(time.UTC)}
			}
		case ratio:
			out[c] = excelize.Cell{StyleID: st.ratio, Value: float64(v)}
		case string:
			if wrap[c] {
				out[c] = excelize.Cell{StyleID: st.wrap, Value: v}
				lines = max(lines, lineCount(v, widths[c]-1))
			} else {
				out[c] = excelize.Cell{StyleID: st.text, Value: v}
			}
		default:
			out[c] = excelize.Cell{StyleID: st.text, Value: v}
		}
	}
	return out, lines
}

// lineCount is how many lines s takes in a wrapped column width wide.
func lineCount(s string, width int) int {
	n := 0
	for line := range strings.Lines(s) {
		w := roster.DisplayWidth(strings.TrimRight(line, "\r\n"))
		n += max(1, (w+width-1)/width)
		if n*lineHeight >= maxRowHeight {
			break
		}
	}
	return max(n, 1)
}

// pageSetup has s print on A4 landscape (SPEC §12), fit to the page's
// width, with its title and header rows on every page and page numbers.
func pageSetup(f *excelize.File, s *sheet, footer string) error {
	orient := "landscape"
	size, one, zero, fit := PaperA4, 1, 0, true
	if err := f.SetPageLayout(s.name, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return err
	}
	if err := f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	margin, edge := 0.5, 0.3
	if err := f.SetPageMargins(s.name, &excelize.PageLayoutMarginsOptions{Left: &margin, Right: &margin, Top: &margin, Bottom: &margin, Header: &edge, Footer: &edge}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(s.name, &excelize.HeaderFooterOptions{OddFooter: footer}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", Scope: s.name,
		RefersTo: fmt.Sprintf("'%s'!$1:$%d", s.name, s.headRow()),
	})
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
		if widest > MaxColWidth {
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
	now         time.Time
	today       campaignbot.Date
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
	// files are the materials' paths of each submission's attachments.
	files map[int64][]string
	// obligations are everyone's, as of today.
	obligations []campaignbot.Obligation
}

func load(ctx context.Context, src Source, p *campaignbot.Plan, o *options) (*data, error) {
	d := &data{
		now: o.now, today: campaignbot.DateOf(o.now, p.Loc()),
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
	d.files = d.materialNames()
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
		return d.l.noDept
	}
	if n, ok := d.depts[id]; ok {
		return n
	}
	return "#" + strconv.FormatInt(id, 10)
}

// time is a date-time cell in the plan's time zone.
func (d *data) time(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(d.loc)
}

// timeText is t as text, for cells that join several.
func (d *data) timeText(t time.Time) string {
	return t.In(d.loc).Format("2006-01-02 15:04")
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
		dept := cmp.Or(pe.Department, d.dept(pe.DepartmentID))
		return []any{pe.Name, dept, strings.Join(roles, d.l.sep), pe.Telegram, pe.WeCom,
			strings.Join(inCharge, d.l.sep), strings.Join(unreachable, d.l.sep)}
	}}
}

func (d *data) submissionSheet() *sheet {
	return &sheet{name: d.l.sheets[3], head: d.l.subHead, n: len(d.subs), row: func(i int) []any {
		s := d.subs[i]
		files := d.files[s.ID]
		var comments []string
		for _, c := range d.comments[s.ID] {
			comments = append(comments, fmt.Sprintf(d.l.comment, d.timeText(c.CreatedAt), d.person(c.ReviewerID), d.l.review[c.Decision], c.Text))
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
	return &sheet{name: d.l.sheets[4], head: d.l.opinionHead, n: len(d.opinions), row: func(i int) []any {
		op := d.opinions[i]
		author := d.l.anonymous
		if !op.Anonymous {
			author = d.person(op.AuthorID)
		}
		return []any{day(op.Day), author, clip(op.Text), clip(op.Answer), d.person(op.AnsweredBy)}
	}}
}

func (d *data) problemSheet() *sheet {
	return &sheet{name: d.l.sheets[5], head: d.l.problemHead, n: len(d.problems), row: func(i int) []any {
		pr := d.problems[i]
		return []any{pr.ID, pr.Enterprise, pr.Category, pr.Team, clip(pr.Description), d.person(pr.FilerID),
			d.person(pr.OwnerID), cmp.Or(d.l.problem[pr.Status], string(pr.Status)), day(pr.Due), d.time(pr.CreatedAt), len(pr.Photos)}
	}}
}

func (d *data) eventSheet() *sheet {
	return &sheet{name: d.l.sheets[6], head: d.l.eventHead, n: len(d.events), row: func(i int) []any {
		ev := d.events[i]
		return []any{ev.ProblemID, cmp.Or(d.l.event[ev.Kind], string(ev.Kind)), d.person(ev.ActorID),
			d.person(ev.OwnerID), clip(ev.Text), d.time(ev.CreatedAt)}
	}}
}

// ledgerSheet is the ledger in the office's layout (SPEC §12): a title row
// naming the organisation and the campaign, then 序号, 存在问题, 整改措施,
// 责任领导, 责任科室, 责任人, 完成时限, 整改进展, 备注, 填报日期.
func (d *data) ledgerSheet() *sheet {
	title := fmt.Sprintf(d.l.ledgerTitle, d.p.Organisation, d.campaignTitle())
	return &sheet{name: d.l.sheets[7], title: strings.TrimSpace(title), head: d.l.ledgerHead, n: len(d.ledger), row: func(i int) []any {
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
		progress := cmp.Or(d.l.ledger[it.Status], string(it.Status))
		if it.Evidence != "" {
			progress += "\n" + fmt.Sprintf(d.l.evidenceOf, it.Evidence)
		}
		var remark []string
		if it.Remark != "" {
			remark = append(remark, it.Remark)
		}
		if source != "" {
			remark = append(remark, fmt.Sprintf(d.l.sourceOf, source))
		}
		dept := ""
		if it.DepartmentID != 0 {
			dept = d.dept(it.DepartmentID)
		}
		filed := cmp.Or(it.UpdatedAt, it.CreatedAt)
		var filedDay any
		if !filed.IsZero() {
			filedDay = day(campaignbot.DateOf(filed, d.loc))
		}
		return []any{i + 1, clip(it.What), clip(it.Measure), d.person(it.LeaderID), dept, d.person(it.OwnerID),
			day(it.Due), clip(progress), clip(strings.Join(remark, "\n")), filedDay}
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
	return &sheet{name: d.l.sheets[8], head: d.l.surveyHead, n: len(rows), row: func(i int) []any {
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
