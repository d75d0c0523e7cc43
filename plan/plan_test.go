package plan_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/plan"
)

func date(tb testing.TB, s string) campaignbot.Date {
	tb.Helper()
	d, err := campaignbot.ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// MustDefault returns the default plan starting on start.
func MustDefault(tb testing.TB, start string) (*campaignbot.Plan, []byte) {
	tb.Helper()
	p, text, err := plan.Default(date(tb, start))
	if err != nil {
		tb.Fatal(err)
	}
	return p, text
}

func TestDefault(t *testing.T) {
	p, _ := MustDefault(t, "2026-03-01")
	if got, want := p.Title, "深入学习实践科学发展观活动"; got != want {
		t.Errorf("title: got %q, want %q", got, want)
	}
	if got, want := p.Organisation, "市科技局"; got != want {
		t.Errorf("organisation: got %q, want %q", got, want)
	}
	if got, want := p.TimeZone, "Asia/Shanghai"; got != want || p.Location == nil || p.Location.String() != want {
		t.Errorf("time zone: got %q (%v), want %q", got, p.Location, want)
	}
	if got, want := [2]string{p.Start.String(), p.End.String()}, [2]string{"2026-03-01", "2026-09-15"}; got != want {
		t.Errorf("campaign: got %v, want %v", got, want)
	}
	var phases []string
	for _, ph := range p.Phases {
		phases = append(phases, ph.Key+" "+ph.Start.String()+" "+ph.End.String())
	}
	wantPhases := []string{
		"prep 2026-03-01 2026-03-15",
		"study 2026-03-16 2026-04-30",
		"review 2026-05-01 2026-06-30",
		"rectify 2026-07-01 2026-08-31",
		"wrapup 2026-09-01 2026-09-15",
	}
	if !slices.Equal(phases, wantPhases) {
		t.Errorf("phases: got %q, want %q", phases, wantPhases)
	}

	// The task table of SPEC §3.
	tests := []struct {
		key, title, phase, roles string
		card                     campaignbot.Cardinality
		review                   campaignbot.ReviewKind
		by                       campaignbot.SatisfiedBy
	}{
		{"study-plan", "学习计划", "prep", "office", campaignbot.PerDepartment, "", ""},
		{"study-notes", "学习笔记", "study", "member,middle,leader,head", campaignbot.EveryWeek, "", ""},
		{"study-report", "学习报告", "study", "head", campaignbot.Once, "", ""},
		{"theme-speech", "主题发言", "study", "leader", campaignbot.Once, "", ""},
		{"topic-speech", "专题发言及学习心得", "study", "middle", campaignbot.Once, "", ""},
		{"research-report", "调研报告", "study", "leader,head", campaignbot.Once, "", ""},
		{"dept-analysis", "科室分析报告", "review", "middle", campaignbot.PerDepartment, campaignbot.ReviewLeaderInCharge, ""},
		{"leadership-analysis", "领导班子分析检查报告", "review", "head", campaignbot.Once, "", ""},
		{"rectification-plan", "整改方案", "rectify", "head", campaignbot.Once, "", ""},
		{"commitment", "整改承诺书", "rectify", "leader,head", campaignbot.Once, "", ""},
		{"hard-problem", "领办难题", "rectify", "leader,head", campaignbot.Once, "", campaignbot.SatisfiedByClaim},
	}
	if got, want := len(p.Tasks), len(tests); got != want {
		t.Errorf("got %d tasks, want %d", got, want)
	}
	for _, tt := range tests {
		task := p.FindTask(tt.key)
		if task == nil {
			t.Errorf("task %s missing", tt.key)
			continue
		}
		var roles []string
		for _, r := range task.Roles {
			roles = append(roles, string(r))
		}
		got := []string{task.Title, task.Phase, strings.Join(roles, ","), string(task.Cardinality), string(task.Review), string(task.SatisfiedBy)}
		want := []string{tt.title, tt.phase, tt.roles, string(tt.card), string(tt.review), string(tt.by)}
		if !slices.Equal(got, want) {
			t.Errorf("task %s: got %q, want %q", tt.key, got, want)
		}
		if task.TitleEn == "" {
			t.Errorf("task %s has no English title", tt.key)
		}
		if got, want := task.Due, p.FindPhase(task.Phase).End; got != want {
			t.Errorf("task %s due %s, want its phase end %s", tt.key, got, want)
		}
		if got, want := task.Policy.WarnDays, []int{7, 3, 1}; !slices.Equal(got, want) {
			t.Errorf("task %s warn days %v, want %v", tt.key, got, want)
		}
	}
	if got, want := p.Policy, campaignbot.DefaultPolicy(); !slices.Equal(got.WarnDays, want.WarnDays) ||
		got.OverdueEvery != want.OverdueEvery || got.OverdueMax != want.OverdueMax || got.EscalateAfter != want.EscalateAfter ||
		got.DailyCap != want.DailyCap || got.QuietStart != want.QuietStart || got.QuietEnd != want.QuietEnd || got.DigestAt != want.DigestAt {
		t.Errorf("policy: got %+v, want %+v", got, want)
	}

	op, sat := p.FindSurvey("opinions"), p.FindSurvey("satisfaction")
	if op == nil || sat == nil {
		t.Fatalf("surveys: got %+v", p.Surveys)
	}
	if op.Title != "征求意见" || op.Phase != "study" || !op.Anonymous || op.From != date(t, "2026-03-16") || op.To != date(t, "2026-04-30") {
		t.Errorf("opinions: got %+v", op)
	}
	if sat.Title != "满意度测评" || sat.Phase != "wrapup" || !sat.Anonymous || sat.From != date(t, "2026-09-01") || sat.To != date(t, "2026-09-15") {
		t.Errorf("satisfaction: got %+v", sat)
	}
	var kinds []string
	for _, q := range sat.Questions {
		kinds = append(kinds, string(q.Kind))
	}
	if got, want := kinds, []string{"scale", "scale", "text"}; !slices.Equal(got, want) {
		t.Errorf("satisfaction question kinds: got %q, want %q", got, want)
	}
}

func TestDefaultShift(t *testing.T) {
	base, _ := MustDefault(t, "2026-03-01")
	tests := []string{"2026-03-01", "2027-01-04", "2025-12-31", "2024-02-29"}
	for _, start := range tests {
		t.Run(start, func(t *testing.T) {
			p, text := MustDefault(t, start)
			shift := date(t, start) - base.Start
			if got, want := p.Start, date(t, start); got != want {
				t.Errorf("start: got %s, want %s", got, want)
			}
			if got, want := p.End, base.End+shift; got != want {
				t.Errorf("end: got %s, want %s", got, want)
			}
			for i, ph := range p.Phases {
				if ph.Start != base.Phases[i].Start+shift || ph.End != base.Phases[i].End+shift {
					t.Errorf("phase %s: got %s..%s, want shifted by %d days", ph.Key, ph.Start, ph.End, shift)
				}
			}
			for i, task := range p.Tasks {
				if got, want := task.Due, base.Tasks[i].Due+shift; got != want {
					t.Errorf("task %s due: got %s, want %s", task.Key, got, want)
				}
			}
			for i, s := range p.Surveys {
				if s.From != base.Surveys[i].From+shift || s.To != base.Surveys[i].To+shift {
					t.Errorf("survey %s: got %s..%s, want shifted by %d days", s.Key, s.From, s.To, shift)
				}
			}
			if !bytes.Contains(text, []byte("# campaignbot plan")) {
				t.Error("shifted text lost its comments")
			}
			if !bytes.Contains(text, []byte("start: "+start)) {
				t.Errorf("shifted text does not start on %s", start)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	want, text := MustDefault(t, "2026-03-01")
	path := filepath.Join(t.TempDir(), "plan.yaml")
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := plan.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := plan.Render(got, "en"), plan.Render(want, "en"); g != w {
		t.Errorf("loaded plan differs:\n%s\nwant:\n%s", g, w)
	}
	for i := range want.Phases {
		if got.Phases[i] != want.Phases[i] {
			t.Errorf("phase %d: got %+v, want %+v", i, got.Phases[i], want.Phases[i])
		}
	}
	for i := range want.Tasks {
		g, w := got.Tasks[i], want.Tasks[i]
		if g.Key != w.Key || g.Phase != w.Phase || g.Due != w.Due || !slices.Equal(g.Roles, w.Roles) || g.Cardinality != w.Cardinality {
			t.Errorf("task %d: got %+v, want %+v", i, g, w)
		}
	}
}

func TestFirstOfMonth(t *testing.T) {
	// 17:00 UTC on 31 May is 01:00 on 1 June in Shanghai.
	now := time.Date(2026, time.May, 31, 17, 0, 0, 0, time.UTC)
	p, _, err := plan.Default(plan.FirstOfMonth(now))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Start, date(t, "2026-06-01"); got != want {
		t.Errorf("start: got %s, want %s", got, want)
	}

	_, err = plan.Load(filepath.Join(t.TempDir(), "missing.yaml"))
	if got, want := campaignbot.ErrorCode(err), campaignbot.EINVALID; got != want {
		t.Errorf("missing file: got code %q (%v), want %q", got, err, want)
	}
}

func TestPolicyOverlay(t *testing.T) {
	src := `title: t
start: 2026-03-01
end: 2026-03-31
timezone: Europe/Berlin
policy: {warn_days: [1, 5], daily_cap: 4, quiet_hours: "22:00-07:30", remind_at: "07:45"}
phases: [{key: a, title: A, start: 2026-03-01, end: 2026-03-31}]
tasks:
  - {key: x, title: X, phase: a, roles: [member], due: 2026-03-20, policy: {warn_days: [2], overdue_max: 0}}
  - {key: y, title: Y, phase: a, roles: [member]}
`
	p, err := plan.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Location.String(), "Europe/Berlin"; got != want {
		t.Errorf("location: got %s, want %s", got, want)
	}
	def := campaignbot.DefaultPolicy()
	x, y := p.FindTask("x").Policy, p.FindTask("y").Policy
	tests := []struct {
		name      string
		got, want any
	}{
		{"plan warn days sorted", p.Policy.WarnDays, []int{5, 1}},
		{"plan daily cap", p.Policy.DailyCap, 4},
		{"plan quiet", [2]string{p.Policy.QuietStart.String(), p.Policy.QuietEnd.String()}, [2]string{"22:00", "07:30"}},
		{"plan overdue every kept", p.Policy.OverdueEvery, def.OverdueEvery},
		{"plan remind at", p.Policy.RemindAt.String(), "07:45"},
		{"plan digest at kept", p.Policy.DigestAt.String(), "08:30"},
		{"x warn days", x.WarnDays, []int{2}},
		{"x overdue max", x.OverdueMax, 0},
		{"x daily cap from plan", x.DailyCap, 4},
		{"x due", p.FindTask("x").Due, date(t, "2026-03-20")},
		{"y warn days from plan", y.WarnDays, []int{5, 1}},
		{"y overdue max default", y.OverdueMax, def.OverdueMax},
		{"y due defaults to phase end", p.FindTask("y").Due, date(t, "2026-03-31")},
	}
	for _, tt := range tests {
		if got, want := tt.got, tt.want; !equal(got, want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, want)
		}
	}
}

func equal(a, b any) bool {
	if as, ok := a.([]int); ok {
		bs, ok := b.([]int)
		return ok && slices.Equal(as, bs)
	}
	return a == b
}

// TestBadPlans parses each testdata/*.yaml and expects exactly the errors
// listed in testdata/*.want, one per line.
func TestBadPlans(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test plans: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			wantText, err := os.ReadFile(strings.TrimSuffix(file, ".yaml") + ".want")
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Split(strings.TrimSpace(string(wantText)), "\n")
			p, err := plan.Parse(name, data)
			if p != nil || err == nil {
				t.Fatalf("got a plan, want errors %q", want)
			}
			if got, want := campaignbot.ErrorCode(err), campaignbot.EINVALID; got != want {
				t.Errorf("code: got %q, want %q", got, want)
			}
			var errs *plan.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got %T, want *plan.Errors", err)
			}
			if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, want) {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if got, want := len(errs.List), len(want); got != want {
				t.Errorf("got %d errors in the list, want %d", got, want)
			}
		})
	}
}

func TestRender(t *testing.T) {
	p, _ := MustDefault(t, "2026-03-01")
	tests := []struct {
		lang string
		want []string
	}{
		{"zh", []string{"党员干部、中层干部、班子成员、主要负责人", "深入学习实践科学发展观活动", "学习调研阶段", "2026-03-16 至 2026-04-30", "科室分析报告", "每科室一份", "分管领导审阅", "每周一次", "领办问题即完成", "满意度测评", "匿名", "免打扰 21:30–08:00"}},
		{"en", []string{"member, middle manager, leader, head", "Study and research", "2026-03-16 to 2026-04-30", "Department analysis report", "one per department", "reviewed by the leader in charge", "every week", "done by claiming a problem", "Satisfaction survey", "quiet 21:30–08:00", "due 2026-08-31"}},
	}
	for _, tt := range tests {
		got := plan.Render(p, tt.lang)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: missing %q in:\n%s", tt.lang, w, got)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	_, text := MustDefault(f, "2026-03-01")
	f.Add(text)
	f.Add([]byte("title: t\nstart: 2026-03-01\nend: 2026-03-02\nphases: [{key: a, title: A, start: 2026-03-01, end: 2026-03-02}]\n"))
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("x: &x {a: 1}\ntasks: [*x, *x]\n<<: *x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := plan.Parse("fuzz.yaml", data)
		if (p == nil) == (err == nil) {
			t.Fatalf("got plan %v and error %v", p != nil, err)
		}
		if err != nil && campaignbot.ErrorCode(err) != campaignbot.EINVALID {
			t.Fatalf("got code %q for %v", campaignbot.ErrorCode(err), err)
		}
	})
}

// TestAliasBomb checks that aliases cannot make Parse expand a small file
// into millions of nodes.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("title: t\nstart: 2026-03-01\nend: 2026-03-31\n")
	b.WriteString("phases: [{key: a, title: A, start: 2026-03-01, end: 2026-03-31}]\n")
	b.WriteString("surveys:\n  - &s\n    key: s\n    title: S\n    phase: a\n    questions: [&q {key: q, text: Q, kind: text}")
	b.WriteString(strings.Repeat(", *q", 400))
	b.WriteString("]\n")
	b.WriteString(strings.Repeat("  - *s\n", 400))
	_, err := plan.Parse("bomb.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "bomb.yaml: the plan has more than 200000 nodes") {
		t.Fatalf("got %.300v, want the node limit", err)
	}
	if !strings.HasSuffix(err.Error(), " more errors") {
		t.Errorf("got %d lines, want the list cut short", strings.Count(err.Error(), "\n")+1)
	}
}

// TestOptionsEn: English options stand beside the options, one for one.
func TestOptionsEn(t *testing.T) {
	src := func(en string) string {
		return `title: t
start: 2026-03-01
end: 2026-03-31
phases: [{key: a, title: A, start: 2026-03-01, end: 2026-03-31}]
tasks: [{key: x, title: X, phase: a, roles: [member]}]
surveys:
  - key: s
    title: S
    phase: a
    questions:
      - {key: q, text: 哪个, kind: choice, options: [甲, 乙], options_en: ` + en + `}
`
	}
	p, err := plan.Parse("p.yaml", []byte(src("[A, B]")))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Surveys[0].Questions[0].OptionsEn; len(got) != 2 || got[1] != "B" {
		t.Errorf("options_en = %v", got)
	}
	_, err = plan.Parse("p.yaml", []byte(src("[A]")))
	if err == nil || !strings.Contains(err.Error(), "p.yaml:11: surveys[0].questions[0].options_en: 1 English options for 2 options") {
		t.Errorf("a short options_en: %v", err)
	}
}

// A plan names roles with any word of the one vocabulary; two words for
// the same role are one role listed twice.
func TestPlanRoleWords(t *testing.T) {
	src := func(roles string) string {
		return `title: t
start: 2026-03-01
end: 2026-03-31
phases: [{key: a, title: A, start: 2026-03-01, end: 2026-03-31}]
tasks: [{key: x, title: X, phase: a, roles: ` + roles + `}]
`
	}
	p, err := plan.Parse("p.yaml", []byte(src("[党员干部, 分管领导, head]")))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Tasks[0].Roles, []campaignbot.Role{campaignbot.RoleMember, campaignbot.RoleLeader, campaignbot.RoleHead}; !slices.Equal(got, want) {
		t.Errorf("roles = %v, want %v", got, want)
	}
	_, err = plan.Parse("p.yaml", []byte(src("[member, 党员]")))
	if err == nil || !strings.Contains(err.Error(), `tasks[0].roles[1]: role "member" listed twice`) {
		t.Errorf("member and 党员: %v", err)
	}
}
