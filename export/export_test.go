package export_test

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"campaignbot"
	"campaignbot/export"
)

// fakeSource is an in-memory export.Source.
type fakeSource struct {
	people   []*campaignbot.Person
	depts    []*campaignbot.Department
	subs     []*campaignbot.Submission
	comments map[int64][]*campaignbot.ReviewComment
	opinions []*campaignbot.Opinion
	problems []*campaignbot.Problem
	events   map[int64][]*campaignbot.ProblemEvent
	ledger   []*campaignbot.LedgerItem
	results  map[string][]campaignbot.SurveyResult
	parts    map[string][]int64
	err      error // returned by FindOpinions when set
}

func (s *fakeSource) FindPeople(context.Context, campaignbot.PersonFilter) ([]*campaignbot.Person, error) {
	return s.people, nil
}
func (s *fakeSource) FindDepartments(context.Context) ([]*campaignbot.Department, error) {
	return s.depts, nil
}
func (s *fakeSource) FindSubmissions(context.Context, campaignbot.SubmissionFilter) ([]*campaignbot.Submission, error) {
	return s.subs, nil
}
func (s *fakeSource) FindReviewComments(_ context.Context, id int64) ([]*campaignbot.ReviewComment, error) {
	return s.comments[id], nil
}
func (s *fakeSource) FindOpinions(context.Context) ([]*campaignbot.Opinion, error) {
	return s.opinions, s.err
}
func (s *fakeSource) FindProblems(context.Context, campaignbot.ProblemFilter) ([]*campaignbot.Problem, error) {
	return s.problems, nil
}
func (s *fakeSource) FindProblemEvents(_ context.Context, id int64) ([]*campaignbot.ProblemEvent, error) {
	return s.events[id], nil
}
func (s *fakeSource) FindLedgerItems(context.Context) ([]*campaignbot.LedgerItem, error) {
	return s.ledger, nil
}
func (s *fakeSource) FindSurveyResults(_ context.Context, key string) ([]campaignbot.SurveyResult, error) {
	return s.results[key], nil
}
func (s *fakeSource) FindParticipants(_ context.Context, key string) ([]int64, error) {
	return s.parts[key], nil
}

const anonAuthor = "隐名作者"

var (
	shanghai = time.FixedZone("CST", 8*3600)
	at       = time.Date(2024, 3, 5, 1, 30, 0, 0, time.UTC) // 09:30 in Shanghai
)

func testPlan() *campaignbot.Plan {
	return &campaignbot.Plan{
		Title: "学习实践活动", Location: shanghai,
		Tasks: []campaignbot.Task{
			{Key: "study-notes", Title: "学习笔记", TitleEn: "Study notes"},
			{Key: "dept-analysis", Title: "科室分析报告", TitleEn: "Department analysis", Review: campaignbot.ReviewLeaderInCharge},
		},
		Surveys: []campaignbot.Survey{{
			Key: "satisfaction", Title: "满意度测评", TitleEn: "Satisfaction", Anonymous: true,
			Roles: []campaignbot.Role{campaignbot.RoleMember},
			Questions: []campaignbot.Question{
				{Key: "problems", Text: "解决突出问题满意度", Kind: campaignbot.QuestionScale},
				{Key: "campaign", Text: "活动总体满意度", Kind: campaignbot.QuestionScale},
				{Key: "best", Text: "最有效的措施", Kind: campaignbot.QuestionChoice, Options: []string{"调研", "帮扶"}},
			},
		}},
	}
}

func testSource() *fakeSource {
	member := []campaignbot.RoleGrant{{Role: campaignbot.RoleMember}}
	s := &fakeSource{
		depts: []*campaignbot.Department{{ID: 1, Name: "计划科"}, {ID: 2, Name: "办公室"}},
		people: []*campaignbot.Person{
			{ID: 1, Name: "张三", DepartmentID: 1, Department: "计划科", Roles: member, Telegram: "zhang_san"},
			{ID: 2, Name: "李四", DepartmentID: 1, Department: "计划科", InChargeOf: []int64{1, 2},
				Roles: []campaignbot.RoleGrant{{Role: campaignbot.RoleLeader}, {Role: campaignbot.RoleMember}}},
			{ID: 3, Name: anonAuthor, DepartmentID: 2, Department: "办公室", Roles: member, WeCom: "wx3",
				Unreachable: []campaignbot.Platform{campaignbot.PlatformWeCom}},
			{ID: 4, Name: "王五", DepartmentID: 2, Department: "办公室",
				Roles: []campaignbot.RoleGrant{{Role: campaignbot.RoleOffice}}},
		},
		subs: []*campaignbot.Submission{
			{ID: 1, TaskKey: "study-notes", PersonID: 1, DepartmentID: 1, Version: 1, Text: "第一周笔记", SubmittedAt: at,
				Attachments: []campaignbot.Attachment{{Name: "page1.jpg"}, {Name: "page2.jpg"}}},
			{ID: 2, TaskKey: "study-notes", PersonID: 1, DepartmentID: 1, Version: 2, Late: true,
				Text: strings.Repeat("长", 40000), SubmittedAt: at.Add(24 * time.Hour)},
			{ID: 3, TaskKey: "dept-analysis", PersonID: 1, DepartmentID: 1, Version: 1, Text: "分析报告",
				State: campaignbot.ReviewReturned, SubmittedAt: at},
		},
		comments: map[int64][]*campaignbot.ReviewComment{
			3: {{ID: 1, SubmissionID: 3, ReviewerID: 2, Text: "请补充整改措施", Decision: campaignbot.ReviewReturned, CreatedAt: at}},
		},
		opinions: []*campaignbot.Opinion{
			// A faulty store that kept the author of an anonymous opinion
			// must still not make the workbook show it.
			{ID: 1, AuthorID: 3, Anonymous: true, Text: "会议太多", Day: campaignbot.NewDate(2024, 3, 6)},
			{ID: 2, AuthorID: 1, Text: "加强调研", Day: campaignbot.NewDate(2024, 3, 6), Answer: "已采纳", AnsweredBy: 4},
		},
		problems: []*campaignbot.Problem{
			{ID: 7, FilerID: 1, OwnerID: 2, Enterprise: "某某科技有限公司", Category: "资金", Team: "政策宣传组", Description: "流动资金紧张",
				Status: campaignbot.ProblemClaimed, Due: campaignbot.NewDate(2024, 4, 4), CreatedAt: at},
		},
		events: map[int64][]*campaignbot.ProblemEvent{
			7: {
				{ID: 1, ProblemID: 7, Kind: campaignbot.EventFiled, ActorID: 1, CreatedAt: at},
				{ID: 2, ProblemID: 7, Kind: campaignbot.EventClaimed, ActorID: 2, OwnerID: 2, CreatedAt: at.Add(time.Hour)},
			},
		},
		ledger: []*campaignbot.LedgerItem{
			{ID: 1, What: "解决企业流动资金紧张问题协调银行贷款事项", Measure: "coordinate bank loans", OwnerID: 2,
				Due: campaignbot.NewDate(2024, 6, 30), Status: campaignbot.LedgerInProgress, ProblemID: 7},
			{ID: 2, What: "会风", Measure: "fewer meetings", OwnerID: 4, Status: campaignbot.LedgerOpen, SubmissionID: 3},
		},
		results: map[string][]campaignbot.SurveyResult{
			"satisfaction": {
				{QuestionKey: "problems", Count: 5, Values: map[string]int{"3": 1, "4": 2, "5": 2}},
				{QuestionKey: "campaign", Count: 2, Values: map[string]int{"1": 1, "2": 1}},
				{QuestionKey: "best", Count: 3, Values: map[string]int{"调研": 2, "帮扶": 1}},
			},
		},
		parts: map[string][]int64{"satisfaction": {1, 2, 3, 4, 5}},
	}
	return s
}

func mustExport(t *testing.T, src export.Source, p *campaignbot.Plan, opts ...export.Option) *excelize.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "campaign.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := export.Write(context.Background(), out, src, p, opts...); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func mustRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestWriteWorkbook(t *testing.T) {
	var calls [][2]int
	f := mustExport(t, testSource(), testPlan(), export.WithProgress(func(done, total int) { calls = append(calls, [2]int{done, total}) }))

	if got, want := f.GetSheetList(), export.SheetNames("zh"); !slices.Equal(got, want) {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	tests := []struct {
		sheet string
		head  []string
		rows  int // data rows
	}{
		{"名册", []string{"姓名", "科室", "角色", "Telegram", "企业微信", "分管科室", "无法送达"}, 4},
		{"提交", []string{"任务", "提交人", "科室", "版本", "逾期", "审阅状态", "提交时间", "内容", "附件", "审阅意见"}, 3},
		{"意见", []string{"日期", "提出人", "内容", "答复", "答复人"}, 2},
		{"问题", []string{"编号", "企业", "类别", "帮扶组", "问题描述", "提出人", "责任人", "状态", "期限", "提出时间", "照片数"}, 1},
		{"问题记录", []string{"问题编号", "类型", "操作人", "责任人", "内容", "时间"}, 2},
		{"整改台账", []string{"编号", "整改事项", "整改措施", "责任人", "完成时限", "状态", "整改成效", "来源", "责任领导", "责任科室", "备注"}, 2},
		{"问卷结果", []string{"问卷", "题目", "题型", "参与人数", "应参与人数", "作答数", "结果", "平均分"}, 3},
	}
	defined := f.GetDefinedName()
	for _, tt := range tests {
		rows := mustRows(t, f, tt.sheet)
		if got := rows[0]; !slices.Equal(got, tt.head) {
			t.Errorf("%s header = %v, want %v", tt.sheet, got, tt.head)
		}
		if got, want := len(rows)-1, tt.rows; got != want {
			t.Errorf("%s has %d data rows, want %d", tt.sheet, got, want)
		}
		panes, err := f.GetPanes(tt.sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
			t.Errorf("%s panes = %+v, want the header row frozen", tt.sheet, panes)
		}
		style, err := f.GetCellStyle(tt.sheet, "A1")
		if err != nil {
			t.Fatal(err)
		}
		if st, err := f.GetStyle(style); err != nil || st.Font == nil || !st.Font.Bold {
			t.Errorf("%s header style = %+v, %v; want bold", tt.sheet, st, err)
		}
		last, _ := excelize.CoordinatesToCellName(len(tt.head), tt.rows+1)
		want := fmt.Sprintf("'%s'!$A$1:$%s", tt.sheet, strings.Replace(last, fmt.Sprint(tt.rows+1), fmt.Sprintf("$%d", tt.rows+1), 1))
		if !slices.ContainsFunc(defined, func(d excelize.DefinedName) bool {
			return d.Name == "_xlnm._FilterDatabase" && d.Scope == tt.sheet && d.RefersTo == want
		}) {
			t.Errorf("%s has no autofilter %s among %+v", tt.sheet, want, defined)
		}
		for c := range tt.head {
			col, _ := excelize.ColumnNumberToName(c + 1)
			w, err := f.GetColWidth(tt.sheet, col)
			if err != nil {
				t.Fatal(err)
			}
			if w < export.MinColWidth || w > export.MaxColWidth {
				t.Errorf("%s column %s width %v outside [%d, %d]", tt.sheet, col, w, export.MinColWidth, export.MaxColWidth)
			}
		}
	}

	// Progress: rising, ending at the number of data rows.
	total := 0
	for _, tt := range tests {
		total += tt.rows
	}
	if len(calls) == 0 || calls[len(calls)-1] != [2]int{total, total} {
		t.Errorf("progress calls %v, want the last to be {%d %d}", calls, total, total)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] <= calls[i-1][0] {
			t.Errorf("progress went from %v to %v", calls[i-1], calls[i])
		}
	}

	// The roster.
	if got, want := mustRows(t, f, "名册")[2], []string{"李四", "计划科", "班子成员、党员干部", "", "", "计划科、办公室"}; !slices.Equal(got, want) {
		t.Errorf("leader row = %q, want %q", got, want)
	}

	// Submissions: names, late flag, time zone, truncation, attachments, comments.
	subs := mustRows(t, f, "提交")
	if got, want := subs[1][:7], []string{"学习笔记", "张三", "计划科", "1", "否", "无需审阅", "2024-03-05 09:30"}; !slices.Equal(got, want) {
		t.Errorf("submission row = %q, want %q", got, want)
	}
	if got, want := subs[1][8], "page1.jpg\npage2.jpg"; got != want {
		t.Errorf("attachments = %q, want %q", got, want)
	}
	if got, want := subs[2][4], "是"; got != want {
		t.Errorf("late = %q, want %q", got, want)
	}
	long := subs[2][7]
	if n := len(utf16.Encode([]rune(long))); n > export.MaxCellText || n < export.MaxCellText-1 || !strings.HasSuffix(long, "…") {
		t.Errorf("long text kept %d UTF-16 units, ending %q; want cut to %d with …", n, long[len(long)-6:], export.MaxCellText)
	}
	if got, want := subs[3][5], "已退回"; got != want {
		t.Errorf("review state = %q, want %q", got, want)
	}
	if got, want := subs[3][9], "2024-03-05 09:30 李四（已退回）：请补充整改措施"; got != want {
		t.Errorf("review comments = %q, want %q", got, want)
	}

	// Opinions: the anonymous one says 匿名; its author appears nowhere but
	// in their own roster line.
	ops := mustRows(t, f, "意见")
	if got, want := ops[1], []string{"2024-03-06", "张三", "加强调研", "已采纳", "王五"}; !slices.Equal(got, want) {
		t.Errorf("named opinion = %q, want %q", got, want)
	}
	if got, want := ops[2], []string{"2024-03-06", "匿名", "会议太多"}; !slices.Equal(got, want) {
		t.Errorf("anonymous opinion = %q, want %q", got, want)
	}
	var found []string
	for _, sh := range f.GetSheetList() {
		for r, row := range mustRows(t, f, sh) {
			for c, v := range row {
				if strings.Contains(v, anonAuthor) {
					cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
					found = append(found, sh+"!"+cell)
				}
			}
		}
	}
	if want := []string{"名册!A4"}; !slices.Equal(found, want) {
		t.Errorf("the anonymous author's name is in %v, want only %v", found, want)
	}

	// Problems and events.
	if got, want := mustRows(t, f, "问题")[1], []string{"7", "某某科技有限公司", "资金", "政策宣传组", "流动资金紧张", "张三", "李四", "办理中", "2024-04-04", "2024-03-05 09:30", "0"}; !slices.Equal(got, want) {
		t.Errorf("problem row = %q, want %q", got, want)
	}
	if got, want := mustRows(t, f, "问题记录")[2], []string{"7", "领办", "李四", "李四", "", "2024-03-05 10:30"}; !slices.Equal(got, want) {
		t.Errorf("event row = %q, want %q", got, want)
	}

	// Ledger: sources, and a CJK column wider than an ASCII one of the
	// same length.
	ledger := mustRows(t, f, "整改台账")
	if got, want := ledger[1][7], "问题 #7"; got != want {
		t.Errorf("ledger source = %q, want %q", got, want)
	}
	if got, want := ledger[2][7], "报告 #3 科室分析报告（张三 v1）"; got != want {
		t.Errorf("ledger source = %q, want %q", got, want)
	}
	if got, want := ledger[0][8:], []string{"责任领导", "责任科室", "备注"}; !slices.Equal(got, want) {
		t.Errorf("ledger head ends %q, want %q", got, want)
	}
	cjk, _ := f.GetColWidth("整改台账", "B")
	ascii, _ := f.GetColWidth("整改台账", "C")
	if cjk <= ascii {
		t.Errorf("CJK column width %v <= ASCII column width %v", cjk, ascii)
	}

	// Survey: the group of two is hidden.
	survey := mustRows(t, f, "问卷结果")
	if got, want := survey[1], []string{"满意度测评", "解决突出问题满意度", "量表（1–5）", "5", "3", "5", "1: 0、2: 0、3: 1、4: 2、5: 2", "4.2"}; !slices.Equal(got, want) {
		t.Errorf("survey row = %q, want %q", got, want)
	}
	if got, want := survey[2], []string{"满意度测评", "活动总体满意度", "量表（1–5）", "5", "3", "", "样本不足"}; !slices.Equal(got, want) {
		t.Errorf("small group row = %q, want %q", got, want)
	}
	if got, want := survey[3][6], "调研: 2、帮扶: 1"; got != want {
		t.Errorf("choice result = %q, want %q", got, want)
	}
}

func TestWriteEnglish(t *testing.T) {
	f := mustExport(t, testSource(), testPlan(), export.WithLang("en"))
	if got, want := f.GetSheetList(), export.SheetNames("en"); !slices.Equal(got, want) {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	if got, want := mustRows(t, f, "opinions")[2][1], "anonymous"; got != want {
		t.Errorf("anonymous author = %q, want %q", got, want)
	}
	if got, want := mustRows(t, f, "submissions")[1][:5], []string{"Study notes", "张三", "计划科", "1", "no"}; !slices.Equal(got, want) {
		t.Errorf("submission row = %q, want %q", got, want)
	}
	if got, want := mustRows(t, f, "survey results")[2][6], "too few answers to show"; got != want {
		t.Errorf("small group = %q, want %q", got, want)
	}
}

func TestWriteEmpty(t *testing.T) {
	var calls [][2]int
	f := mustExport(t, &fakeSource{}, testPlan(), export.WithProgress(func(done, total int) { calls = append(calls, [2]int{done, total}) }))
	for _, sh := range export.SheetNames("zh")[:6] {
		if got, want := len(mustRows(t, f, sh)), 1; got != want {
			t.Errorf("%s has %d rows, want only the header", sh, got)
		}
	}
	// The plan's questions are listed even before anyone answers.
	for i, row := range mustRows(t, f, "问卷结果")[1:] {
		if got, want := row[3:], []string{"0", "0", "", "样本不足"}; !slices.Equal(got, want) {
			t.Errorf("question %d = %q, want %q", i, got, want)
		}
	}
	if want := [][2]int{{1, 3}, {2, 3}, {3, 3}}; !slices.Equal(calls, want) {
		t.Errorf("progress calls = %v, want %v", calls, want)
	}

	// Nothing at all: one call saying so.
	calls = nil
	mustExport(t, &fakeSource{}, &campaignbot.Plan{}, export.WithProgress(func(done, total int) { calls = append(calls, [2]int{done, total}) }))
	if want := [][2]int{{0, 0}}; !slices.Equal(calls, want) {
		t.Errorf("progress calls = %v, want %v", calls, want)
	}
}

func TestWriteSourceError(t *testing.T) {
	src := testSource()
	src.err = &campaignbot.Error{Code: campaignbot.EINTERNAL, Message: "disk on fire"}
	err := export.Write(context.Background(), io.Discard, src, testPlan())
	var ce *campaignbot.Error
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "find opinions") {
		t.Errorf("err = %v, want the source's error wrapped", err)
	}
}

func TestWriteRawXML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "raw.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := export.Write(context.Background(), out, testSource(), testPlan()); err != nil {
		t.Fatal(err)
	}
	out.Close()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	filters := 0
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "<autoFilter ") {
			filters++
		}
		if !strings.Contains(string(b), `state="frozen"`) {
			t.Errorf("%s has no frozen pane", zf.Name)
		}
	}
	if got, want := filters, len(export.SheetNames("zh")); got != want {
		t.Errorf("%d worksheets have an autofilter, want %d", got, want)
	}
}

func BenchmarkWrite(b *testing.B) {
	src := testSource()
	src.subs = nil
	text := strings.Repeat("本周学习了科学发展观的有关论述，结合本科室工作进行了思考。", 10)
	for i := range 10000 {
		src.subs = append(src.subs, &campaignbot.Submission{
			ID: int64(i + 1), TaskKey: "study-notes", PersonID: int64(i%4 + 1), DepartmentID: 1,
			Version: i/4 + 1, Text: text, Late: i%7 == 0, SubmittedAt: at.Add(time.Duration(i) * time.Minute),
		})
	}
	p := testPlan()
	b.ReportAllocs()
	for b.Loop() {
		if err := export.Write(context.Background(), io.Discard, src, p); err != nil {
			b.Fatal(err)
		}
	}
}
