package export_test

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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
	claims   []campaignbot.Claim
	leaves   []campaignbot.Leave
	answered []campaignbot.SurveyTaken
	err      error // returned by FindOpinions when set
}

func (s *fakeSource) FindClaims(context.Context) ([]campaignbot.Claim, error) { return s.claims, nil }
func (s *fakeSource) FindAllLeaves(context.Context) ([]campaignbot.Leave, error) {
	return s.leaves, nil
}
func (s *fakeSource) FindSurveyParticipation(context.Context) ([]campaignbot.SurveyTaken, error) {
	return s.answered, nil
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

// now is when the tests export: Wednesday of the study phase's third week,
// 12:00 in Shanghai.
var now = time.Date(2024, 3, 20, 4, 0, 0, 0, time.UTC)

func testPlan() *campaignbot.Plan {
	return &campaignbot.Plan{
		Organisation: "市科技局", Title: "学习实践活动", TitleEn: "Study and practice", Location: shanghai,
		Phases: []campaignbot.Phase{{Key: "study", Title: "学习调研阶段", Start: campaignbot.NewDate(2024, 3, 4), End: campaignbot.NewDate(2024, 3, 24)}},
		Tasks: []campaignbot.Task{
			{Key: "study-notes", Title: "学习笔记", TitleEn: "Study notes", Phase: "study",
				Roles: []campaignbot.Role{campaignbot.RoleMember}, Cardinality: campaignbot.EveryWeek},
			{Key: "dept-analysis", Title: "科室分析报告", TitleEn: "Department analysis", Phase: "study", Due: campaignbot.NewDate(2024, 3, 15),
				Roles: []campaignbot.Role{campaignbot.RoleMember}, Review: campaignbot.ReviewLeaderInCharge},
		},
		Surveys: []campaignbot.Survey{{
			Key: "satisfaction", Title: "满意度测评", TitleEn: "Satisfaction", Anonymous: true,
			Roles: []campaignbot.Role{campaignbot.RoleMember}, Phase: "study",
			From: campaignbot.NewDate(2024, 3, 18), To: campaignbot.NewDate(2024, 3, 24),
			Questions: []campaignbot.Question{
				{Key: "problems", Text: "解决突出问题满意度", Kind: campaignbot.QuestionScale},
				{Key: "campaign", Text: "活动总体满意度", Kind: campaignbot.QuestionScale},
				{Key: "best", Text: "最有效的措施", Kind: campaignbot.QuestionChoice, Options: []string{"调研", "帮扶"}},
				{Key: "advice", Text: "意见建议", Kind: campaignbot.QuestionText},
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
			// A second version of the same week: the materials give each
			// version its folder.
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
			{ID: 1, What: "解决企业流动资金紧张问题协调银行贷款事项", Measure: "coordinate bank loans", LeaderID: 2, DepartmentID: 1, OwnerID: 2,
				Due: campaignbot.NewDate(2024, 6, 30), Status: campaignbot.LedgerInProgress, Evidence: "已放贷", ProblemID: 7,
				CreatedAt: at, UpdatedAt: at.Add(48 * time.Hour)},
			{ID: 2, What: "会风", Measure: "fewer meetings", OwnerID: 4, Status: campaignbot.LedgerOpen, SubmissionID: 3, Remark: "每月通报"},
		},
		results: map[string][]campaignbot.SurveyResult{
			"satisfaction": {
				{QuestionKey: "problems", Count: 5, Values: map[string]int{"3": 1, "4": 2, "5": 2}},
				{QuestionKey: "campaign", Count: 2, Values: map[string]int{"1": 1, "2": 1}},
				{QuestionKey: "best", Count: 3, Values: map[string]int{"调研": 2, "帮扶": 1}},
				{QuestionKey: "advice", Count: 4, Texts: []string{"多下基层", "少开会", "精简文件", "加强督查"}},
			},
		},
		parts: map[string][]int64{"satisfaction": {1, 2, 3, 4, 5}},
	}
	return s
}

// mustWrite exports to a file and returns its path.
func mustWrite(t *testing.T, src export.Source, p *campaignbot.Plan, opts ...export.Option) string {
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
	return path
}

// mustOpen opens a workbook with excelize, as the office's Excel would.
func mustOpen(t *testing.T, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func mustExport(t *testing.T, src export.Source, p *campaignbot.Plan, opts ...export.Option) *excelize.File {
	t.Helper()
	return mustOpen(t, mustWrite(t, src, p, opts...))
}

func mustRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// mustStyle returns the style of a cell.
func mustStyle(t *testing.T, f *excelize.File, sheet, cell string) *excelize.Style {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// checkDateCell checks that cell holds want as an Excel date (a serial
// number with a date format), not as text.
func checkDateCell(t *testing.T, f *excelize.File, sheet, cell string, want time.Time, format string) {
	t.Helper()
	typ, err := f.GetCellType(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("%s!%s has type %v, want a number (a date cell)", sheet, cell, typ)
	}
	raw, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	serial, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Errorf("%s!%s = %q, want a date serial number", sheet, cell, raw)
		return
	}
	got, err := excelize.ExcelDateToTime(serial, false)
	if err != nil || !got.Equal(want) {
		t.Errorf("%s!%s = %v (%s), want %v", sheet, cell, got, raw, want)
	}
	if st := mustStyle(t, f, sheet, cell); st.CustomNumFmt == nil || *st.CustomNumFmt != format {
		t.Errorf("%s!%s number format %v, want %q", sheet, cell, st.CustomNumFmt, format)
	}
}

// zipPart reads one part of an OOXML package.
func zipPart(t *testing.T, path, name string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sheetNames are the workbook's sheets (SPEC §12), written out so that a
// catalog change shows here.
var sheetNames = []string{"名册", "进度统计", "未交名单", "提交明细", "意见建议", "问题台账", "问题记录", "整改台账", "问卷结果"}

func TestWriteWorkbook(t *testing.T) {
	var calls [][2]int
	path := mustWrite(t, testSource(), testPlan(), export.WithNow(now),
		export.WithProgress(func(done, total int) { calls = append(calls, [2]int{done, total}) }))
	f := mustOpen(t, path)

	if got := f.GetSheetList(); !slices.Equal(got, sheetNames) || !slices.Equal(export.SheetNames("zh"), sheetNames) {
		t.Fatalf("sheets = %v, want %v", got, sheetNames)
	}
	tests := []struct {
		sheet string
		title string // the title row above the header, if any
		head  []string
		rows  int // data rows
	}{
		{"名册", "", []string{"姓名", "科室", "角色", "Telegram", "企业微信", "分管科室", "无法送达"}, 4},
		{"进度统计", "", []string{"任务", "周期", "截止日期", "科室", "应交", "已交", "其中迟交", "待审阅", "未交", "完成率"}, 18},
		{"未交名单", "", []string{"科室", "姓名", "任务", "周期", "截止日期", "状态", "逾期天数"}, 14},
		{"提交明细", "", []string{"任务", "提交人", "科室", "版本", "逾期", "审阅状态", "提交时间", "内容", "附件", "审阅意见"}, 3},
		{"意见建议", "", []string{"日期", "提出人", "内容", "答复", "答复人"}, 2},
		{"问题台账", "", []string{"编号", "企业", "类别", "帮扶组", "问题描述", "提出人", "责任人", "状态", "期限", "提出时间", "照片数"}, 1},
		{"问题记录", "", []string{"问题编号", "类型", "操作人", "责任人", "内容", "时间"}, 2},
		{"整改台账", "市科技局学习实践活动整改台账", []string{"序号", "存在问题", "整改措施", "责任领导", "责任科室", "责任人", "完成时限", "整改进展", "备注", "填报日期"}, 2},
		{"问卷结果", "", []string{"问卷", "题目", "题型", "参与人数", "应参与人数", "作答数", "结果", "平均分"}, 4},
	}
	defined := f.GetDefinedName()
	for _, tt := range tests {
		rows := mustRows(t, f, tt.sheet)
		hr := 1 // the header's row
		if tt.title != "" {
			hr = 2
			if got := rows[0]; !slices.Equal(got, []string{tt.title}) {
				t.Errorf("%s title row = %q, want %q", tt.sheet, got, tt.title)
			}
			last, _ := excelize.CoordinatesToCellName(len(tt.head), 1)
			merged, err := f.GetMergeCells(tt.sheet)
			if err != nil || len(merged) != 1 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != last {
				t.Errorf("%s merged cells %v, %v; want the title across A1:%s", tt.sheet, merged, err, last)
			}
		}
		if got := rows[hr-1]; !slices.Equal(got, tt.head) {
			t.Errorf("%s header = %q, want %q", tt.sheet, got, tt.head)
		}
		if got, want := len(rows)-hr, tt.rows; got != want {
			t.Errorf("%s has %d data rows, want %d", tt.sheet, got, want)
		}
		panes, err := f.GetPanes(tt.sheet)
		if err != nil {
			t.Fatal(err)
		}
		if below := fmt.Sprintf("A%d", hr+1); !panes.Freeze || panes.YSplit != hr || panes.TopLeftCell != below {
			t.Errorf("%s panes = %+v, want rows 1–%d frozen", tt.sheet, panes, hr)
		}
		if st := mustStyle(t, f, tt.sheet, fmt.Sprintf("A%d", hr)); st.Font == nil || !st.Font.Bold {
			t.Errorf("%s header style = %+v; want bold", tt.sheet, st)
		}
		last, _ := excelize.CoordinatesToCellName(len(tt.head), hr+tt.rows, true)
		filter := fmt.Sprintf("'%s'!$A$%d:%s", tt.sheet, hr, last)
		titles := fmt.Sprintf("'%s'!$1:$%d", tt.sheet, hr)
		for name, want := range map[string]string{"_xlnm._FilterDatabase": filter, "_xlnm.Print_Titles": titles} {
			if !slices.ContainsFunc(defined, func(d excelize.DefinedName) bool {
				return d.Name == name && d.Scope == tt.sheet && d.RefersTo == want
			}) {
				t.Errorf("%s has no %s %s among %+v", tt.sheet, name, want, defined)
			}
		}
		// Printing: A4 landscape, as wide as the page and as long as it
		// takes, page numbers in the footer.
		layout, err := f.GetPageLayout(tt.sheet)
		if err != nil {
			t.Fatal(err)
		}
		if layout.Size == nil || *layout.Size != export.PaperA4 || layout.Orientation == nil || *layout.Orientation != "landscape" ||
			layout.FitToWidth == nil || *layout.FitToWidth != 1 || layout.FitToHeight == nil || *layout.FitToHeight != 0 {
			t.Errorf("%s page layout = %s, want A4 (%d) landscape, 1 page wide, any number of pages tall", tt.sheet, pageLayout(layout), export.PaperA4)
		}
		props, err := f.GetSheetProps(tt.sheet)
		if err != nil || props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("%s sheet props %+v, %v; want fit to page", tt.sheet, props, err)
		}
		if hf, err := f.GetHeaderFooter(tt.sheet); err != nil || hf == nil || hf.OddFooter != "&C第 &P 页，共 &N 页" {
			t.Errorf("%s footer = %+v, %v; want page numbers", tt.sheet, hf, err)
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

	// The file says who made it and when: the organisation, at the export.
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Creator != "市科技局" || props.Created != "2024-03-20T04:00:00Z" || props.Modified != props.Created || props.Title != "学习实践活动" || props.Language != "zh-CN" {
		t.Errorf("document properties = %+v, want by 市科技局, created 2024-03-20T04:00:00Z, titled 学习实践活动", props)
	}
	if app, err := f.GetAppProps(); err != nil || app.Company != "市科技局" || app.Application != "campaignbot" {
		t.Errorf("application properties = %+v, %v", app, err)
	}

	// The roster.
	if got, want := mustRows(t, f, "名册")[2], []string{"李四", "计划科", "班子成员、党员干部", "", "", "计划科、办公室"}; !slices.Equal(got, want) {
		t.Errorf("leader row = %q, want %q", got, want)
	}

	// 进度统计: each department over all tasks, the total, then each
	// task's period by department with its total. On 2024-03-20 张三 has
	// handed in the first week's notes; the analysis was returned to him.
	progress := mustRows(t, f, "进度统计")
	for i, want := range [][]string{
		{"全部任务", "", "", "计划科", "10", "1", "0", "0", "9", "10.0%"},
		{"全部任务", "", "", "办公室", "5", "0", "0", "0", "5", "0.0%"},
		{"全部任务", "", "", "合计", "15", "1", "0", "0", "14", "6.7%"},
		{"学习笔记", "2024-03-04～2024-03-10", "2024-03-10", "计划科", "2", "1", "0", "0", "1", "50.0%"},
		{"学习笔记", "2024-03-04～2024-03-10", "2024-03-10", "办公室", "1", "0", "0", "0", "1", "0.0%"},
		{"学习笔记", "2024-03-04～2024-03-10", "2024-03-10", "合计", "3", "1", "0", "0", "2", "33.3%"},
	} {
		if got := progress[i+1]; !slices.Equal(got, want) {
			t.Errorf("进度统计 row %d = %q, want %q", i+2, got, want)
		}
	}
	if got, want := progress[len(progress)-1], []string{"满意度测评", "2024-03-18～2024-03-24", "2024-03-24", "合计", "3", "0", "0", "0", "3", "0.0%"}; !slices.Equal(got, want) {
		t.Errorf("进度统计 last row = %q, want %q", got, want)
	}
	checkDateCell(t, f, "进度统计", "C5", time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC), export.DateFormat)
	if raw, _ := f.GetCellValue("进度统计", "J5", excelize.Options{RawCellValue: true}); raw != "0.5" {
		t.Errorf("进度统计!J5 = %q, want the number 0.5 shown as a percentage", raw)
	}
	if st := mustStyle(t, f, "进度统计", "J5"); st.CustomNumFmt == nil || *st.CustomNumFmt != "0.0%" {
		t.Errorf("进度统计!J5 number format %v, want 0.0%%", st.CustomNumFmt)
	}
	checkCompletionChart(t, path)

	// 未交名单: by department and person, overdue first with the days.
	missing := mustRows(t, f, "未交名单")
	for i, want := range [][]string{
		{"计划科", "张三", "科室分析报告", "2024-03-04～2024-03-24", "2024-03-15", "逾期未交", "5"},
		{"计划科", "张三", "学习笔记", "2024-03-11～2024-03-17", "2024-03-17", "逾期未交", "3"},
		{"计划科", "张三", "学习笔记", "2024-03-18～2024-03-24", "2024-03-24", "未到期"},
		{"计划科", "张三", "满意度测评", "2024-03-18～2024-03-24", "2024-03-24", "未到期"},
		{"计划科", "李四", "学习笔记", "2024-03-04～2024-03-10", "2024-03-10", "逾期未交", "10"},
	} {
		if got := missing[i+1]; !slices.Equal(got, want) {
			t.Errorf("未交名单 row %d = %q, want %q", i+2, got, want)
		}
	}
	checkDateCell(t, f, "未交名单", "E2", time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), export.DateFormat)
	if typ, _ := f.GetCellType("未交名单", "G2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("未交名单!G2 (days overdue) has type %v, want a number", typ)
	}

	// Submissions: names, late flag, time zone, truncation, attachments
	// by their path in the materials, comments.
	subs := mustRows(t, f, "提交明细")
	if got, want := subs[1][:7], []string{"学习笔记", "张三", "计划科", "1", "否", "无需审阅", "2024-03-05 09:30"}; !slices.Equal(got, want) {
		t.Errorf("submission row = %q, want %q", got, want)
	}
	checkDateCell(t, f, "提交明细", "G2", time.Date(2024, 3, 5, 9, 30, 0, 0, time.UTC), export.TimeFormat)
	if got, want := subs[1][8], "学习笔记/计划科/张三/第1版_2024-03-05/page1.jpg\n学习笔记/计划科/张三/第1版_2024-03-05/page2.jpg"; got != want {
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

	// Long text wraps, and its row is tall enough to show it; short text
	// in a column that wraps nowhere does not.
	for _, cell := range []string{"提交明细!H3", "提交明细!I2", "问卷结果!G5", "整改台账!H3"} {
		sheet, ref, _ := strings.Cut(cell, "!")
		if st := mustStyle(t, f, sheet, ref); st.Alignment == nil || !st.Alignment.WrapText {
			t.Errorf("%s does not wrap: %+v", cell, st.Alignment)
		}
	}
	if st := mustStyle(t, f, "名册", "A2"); st.Alignment != nil && st.Alignment.WrapText {
		t.Errorf("名册!A2 wraps a name")
	}
	if h, _ := f.GetRowHeight("问卷结果", 5); h < 4*15 {
		t.Errorf("the row of four text answers is %v points tall, want room for four lines", h)
	}
	if h, _ := f.GetRowHeight("提交明细", 3); h != 409 {
		t.Errorf("the row of the long text is %v points tall, want Excel's most, 409", h)
	}

	// Opinions: the anonymous one says 匿名; its author appears in no
	// sheet about opinions, only where people are listed by name.
	ops := mustRows(t, f, "意见建议")
	if got, want := ops[1], []string{"2024-03-06", "张三", "加强调研", "已采纳", "王五"}; !slices.Equal(got, want) {
		t.Errorf("named opinion = %q, want %q", got, want)
	}
	if got, want := ops[2], []string{"2024-03-06", "匿名", "会议太多"}; !slices.Equal(got, want) {
		t.Errorf("anonymous opinion = %q, want %q", got, want)
	}
	checkDateCell(t, f, "意见建议", "A3", time.Date(2024, 3, 6, 0, 0, 0, 0, time.UTC), export.DateFormat)
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
	for _, cell := range found {
		if !strings.HasPrefix(cell, "名册!") && !strings.HasPrefix(cell, "未交名单!B") {
			t.Errorf("the anonymous author's name is in %s (all: %v)", cell, found)
		}
	}

	// Problems and events.
	if got, want := mustRows(t, f, "问题台账")[1], []string{"7", "某某科技有限公司", "资金", "政策宣传组", "流动资金紧张", "张三", "李四", "办理中", "2024-04-04", "2024-03-05 09:30", "0"}; !slices.Equal(got, want) {
		t.Errorf("problem row = %q, want %q", got, want)
	}
	checkDateCell(t, f, "问题台账", "I2", time.Date(2024, 4, 4, 0, 0, 0, 0, time.UTC), export.DateFormat)
	if got, want := mustRows(t, f, "问题记录")[2], []string{"7", "领办", "李四", "李四", "", "2024-03-05 10:30"}; !slices.Equal(got, want) {
		t.Errorf("event row = %q, want %q", got, want)
	}

	// The ledger in the office's layout: 序号 from 1, the responsible
	// leader and department, progress with its evidence, the source in
	// the remarks, the day it was last filled in.
	ledger := mustRows(t, f, "整改台账")
	if got, want := ledger[2], []string{"1", "解决企业流动资金紧张问题协调银行贷款事项", "coordinate bank loans", "李四", "计划科", "李四", "2024-06-30", "整改中\n成效：已放贷", "来源：问题 #7", "2024-03-07"}; !slices.Equal(got, want) {
		t.Errorf("ledger row = %q, want %q", got, want)
	}
	if got, want := ledger[3], []string{"2", "会风", "fewer meetings", "", "", "王五", "", "未开始", "每月通报\n来源：报告 #3 科室分析报告（张三 v1）"}; !slices.Equal(got, want) {
		t.Errorf("ledger row = %q, want %q", got, want)
	}
	checkDateCell(t, f, "整改台账", "G3", time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC), export.DateFormat)
	checkDateCell(t, f, "整改台账", "J3", time.Date(2024, 3, 7, 0, 0, 0, 0, time.UTC), export.DateFormat)
	if st := mustStyle(t, f, "整改台账", "A1"); st.Font == nil || !st.Font.Bold || st.Font.Size < 14 {
		t.Errorf("ledger title style %+v, want bold and large", st.Font)
	}
	// A CJK column is wider than an ASCII one of the same length.
	cjk, _ := f.GetColWidth("整改台账", "B")
	ascii, _ := f.GetColWidth("整改台账", "C")
	if cjk <= ascii {
		t.Errorf("CJK column width %v <= ASCII column width %v", cjk, ascii)
	}

	// Survey: the group of two is hidden; the texts are one a line.
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
	if got, want := survey[4][6], "多下基层\n少开会\n精简文件\n加强督查"; got != want {
		t.Errorf("text answers = %q, want %q", got, want)
	}
}

func pageLayout(l excelize.PageLayoutOptions) string {
	s := func(p any) string {
		switch p := p.(type) {
		case *int:
			if p != nil {
				return strconv.Itoa(*p)
			}
		case *string:
			if p != nil {
				return *p
			}
		}
		return "nil"
	}
	return fmt.Sprintf("size %s, %s, fit %s wide × %s tall", s(l.Size), s(l.Orientation), s(l.FitToWidth), s(l.FitToHeight))
}

// chartSpace is the part of DrawingML's chart that the tests read.
type chartSpace struct {
	Title struct {
		Text []string `xml:"tx>rich>p>r>t"`
	} `xml:"chart>title"`
	Bar struct {
		Dir      attrVal `xml:"barDir"`
		Grouping attrVal `xml:"grouping"`
		Series   []struct {
			Name       string `xml:"tx>strRef>f"`
			Categories string `xml:"cat>strRef>f"`
			Values     string `xml:"val>numRef>f"`
		} `xml:"ser"`
	} `xml:"chart>plotArea>barChart"`
}

type attrVal struct {
	Val string `xml:"val,attr"`
}

// relationships is an OOXML .rels part.
type relationships struct {
	Rels []relationship `xml:"Relationship"`
}

type relationship struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

// checkCompletionChart checks that 进度统计 carries a native stacked
// column chart of the departments' totals: the sheet's drawing holds a
// chart whose series read the sheet's cells.
func checkCompletionChart(t *testing.T, path string) {
	t.Helper()
	// 进度统计 is the second sheet: sheet2.xml.
	var rels relationships
	if err := xml.Unmarshal(zipPart(t, path, "xl/worksheets/_rels/sheet2.xml.rels"), &rels); err != nil {
		t.Fatal(err)
	}
	drawing := ""
	for _, r := range rels.Rels {
		if strings.HasSuffix(r.Type, "/drawing") {
			drawing = r.Target
		}
	}
	if drawing == "" || !strings.Contains(string(zipPart(t, path, "xl/worksheets/sheet2.xml")), "<drawing ") {
		t.Fatalf("进度统计 has no drawing: %+v", rels)
	}
	name := filepath.Base(drawing)
	rels = relationships{}
	if err := xml.Unmarshal(zipPart(t, path, "xl/drawings/_rels/"+name+".rels"), &rels); err != nil {
		t.Fatal(err)
	}
	if len(rels.Rels) != 1 || !strings.HasSuffix(rels.Rels[0].Type, "/chart") {
		t.Fatalf("the drawing of 进度统计 holds %+v, want one chart", rels)
	}
	var chart chartSpace
	if err := xml.Unmarshal(zipPart(t, path, "xl/charts/"+filepath.Base(rels.Rels[0].Target)), &chart); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(chart.Title.Text, ""), "各科室完成情况（截至 2024-03-20）"; got != want {
		t.Errorf("chart title %q, want %q", got, want)
	}
	if chart.Bar.Dir.Val != "col" || chart.Bar.Grouping.Val != "stacked" {
		t.Errorf("chart is %s %s, want stacked columns", chart.Bar.Grouping.Val, chart.Bar.Dir.Val)
	}
	type series struct{ name, cats, values string }
	var got []series
	for _, s := range chart.Bar.Series {
		got = append(got, series{s.Name, s.Categories, s.Values})
	}
	// Two departments, in rows 2–3: handed in, in review, not handed in.
	want := []series{
		{"'进度统计'!$F$1", "'进度统计'!$D$2:$D$3", "'进度统计'!$F$2:$F$3"},
		{"'进度统计'!$H$1", "'进度统计'!$D$2:$D$3", "'进度统计'!$H$2:$H$3"},
		{"'进度统计'!$I$1", "'进度统计'!$D$2:$D$3", "'进度统计'!$I$2:$I$3"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("chart series %+v, want %+v", got, want)
	}
}

func TestWriteEnglish(t *testing.T) {
	f := mustExport(t, testSource(), testPlan(), export.WithLang("en"), export.WithNow(now))
	want := []string{"roster", "progress", "not handed in", "submissions", "opinions", "problems", "problem events", "ledger", "survey results"}
	if got := f.GetSheetList(); !slices.Equal(got, want) || !slices.Equal(export.SheetNames("en"), want) {
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
	if got, want := mustRows(t, f, "ledger")[0][0], "市科技局 Study and practice: rectification ledger"; got != want {
		t.Errorf("ledger title = %q, want %q", got, want)
	}
	if got, want := mustRows(t, f, "progress")[3][:4], []string{"all tasks", "", "", "total"}; !slices.Equal(got, want) {
		t.Errorf("progress total row = %q, want %q", got, want)
	}
	if props, err := f.GetDocProps(); err != nil || props.Language != "en-US" || props.Title != "Study and practice" {
		t.Errorf("document properties = %+v, %v", props, err)
	}
}

func TestWriteEmpty(t *testing.T) {
	var calls [][2]int
	path := mustWrite(t, &fakeSource{}, testPlan(), export.WithNow(now), export.WithProgress(func(done, total int) { calls = append(calls, [2]int{done, total}) }))
	f := mustOpen(t, path)
	for _, sh := range sheetNames[:7] {
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
	if want := [][2]int{{1, 4}, {2, 4}, {3, 4}, {4, 4}}; !slices.Equal(calls, want) {
		t.Errorf("progress calls = %v, want %v", calls, want)
	}
	// No one owes anything: no chart of nothing.
	if b := zipPart(t, path, "xl/worksheets/sheet2.xml"); strings.Contains(string(b), "<drawing ") {
		t.Errorf("进度统计 has a chart with no departments")
	}
	// Without an organisation the file is campaignbot's.
	p := testPlan()
	p.Organisation = ""
	f = mustExport(t, &fakeSource{}, p)
	if props, err := f.GetDocProps(); err != nil || props.Creator != "campaignbot" {
		t.Errorf("document properties = %+v, %v; want by campaignbot", props, err)
	}
	if got, want := mustRows(t, f, "整改台账")[0][0], "学习实践活动整改台账"; got != want {
		t.Errorf("ledger title = %q, want %q", got, want)
	}

	// Nothing at all: one call saying so.
	calls = nil
	mustExport(t, &fakeSource{}, &campaignbot.Plan{}, export.WithProgress(func(done, total int) { calls = append(calls, [2]int{done, total}) }))
	if want := [][2]int{{0, 0}}; !slices.Equal(calls, want) {
		t.Errorf("progress calls = %v, want %v", calls, want)
	}
}

// TestWriteCreatedNow: without WithNow the file is created at the time
// of the export, not at some fixed date.
func TestWriteCreatedNow(t *testing.T) {
	before := time.Now().UTC().Truncate(time.Second)
	f := mustExport(t, &fakeSource{}, testPlan())
	after := time.Now().UTC()
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	created, err := time.Parse(time.RFC3339, props.Created)
	if err != nil || created.Before(before) || created.After(after) {
		t.Errorf("created %q, want between %v and %v", props.Created, before, after)
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
	path := mustWrite(t, testSource(), testPlan(), export.WithNow(now))
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
	if got, want := filters, len(sheetNames); got != want {
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
