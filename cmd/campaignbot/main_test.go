package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// run runs the command line in-process with env and returns the exit
// status and the two streams.
func run(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, IO{In: strings.NewReader(stdin), Out: &out, Err: &errb}, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func TestPlanInitAndCheck(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := run(t, nil, "", "plan", "init", "--start", "2026-03-01")
	if code != 0 {
		t.Fatalf("plan init: %d %s", code, stderr)
	}
	path := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = run(t, nil, "", "plan", "check", path)
	if code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("plan check: %d %q %q", code, out, stderr)
	}

	// A task in a missing phase fails, naming the line.
	text, _ := os.ReadFile(path)
	lines := strings.Split(string(text), "\n")
	want := 0
	for i, l := range lines {
		if strings.TrimSpace(l) == "phase: rectify" {
			lines[i] = strings.Replace(l, "rectify", "rectfy", 1)
			want = i + 1
			break
		}
	}
	if want == 0 {
		t.Fatalf("no 'phase: rectify' line in the default plan")
	}
	badPath := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badPath, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, nil, "", "plan", "check", badPath)
	if code != 2 {
		t.Fatalf("bad plan: exit %d, want 2", code)
	}
	if !strings.Contains(stderr, "bad.yaml:"+strconv.Itoa(want)+":") || !strings.Contains(stderr, "rectfy") {
		t.Fatalf("bad plan error does not name line %d: %s", want, stderr)
	}

	if code, _, _ := run(t, nil, "", "plan", "check"); code != 2 {
		t.Fatalf("plan check without file: exit %d, want 2", code)
	}
}

// roster30 builds a 30-person roster.
func roster30() string {
	var b strings.Builder
	b.WriteString("name,department,roles,telegram,wecom,in_charge_of\n")
	b.WriteString("王局长,局领导,head;member,,wang,\n")
	b.WriteString("李副局长,局领导,leader;member,li_deputy,li,科技管理科;高新技术科\n")
	depts := []string{"科技管理科", "高新技术科", "政策法规科", "办公室"}
	for i := 0; i < 28; i++ {
		role := "member"
		if i%7 == 0 {
			role = "middle;member"
		}
		if i%9 == 0 {
			role = "liaison"
		}
		b.WriteString("成员" + string(rune('甲'+i)) + "," + depts[i%len(depts)] + "," + role + ",,u" + strconv.Itoa(i) + ",\n")
	}
	return b.String()
}

func TestRosterImport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	env := map[string]string{"CAMPAIGNBOT_DB": db}

	gbk, err := simplifiedchinese.GBK.NewEncoder().String(roster30())
	if err != nil {
		t.Fatal(err)
	}
	gbkPath := filepath.Join(dir, "gbk.csv")
	bomPath := filepath.Join(dir, "bom.csv")
	os.WriteFile(gbkPath, []byte(gbk), 0o644)
	os.WriteFile(bomPath, append([]byte("\xef\xbb\xbf"), roster30()...), 0o644)

	code, out, stderr := run(t, env, "", "roster", "import", gbkPath)
	if code != 0 || !strings.Contains(out, "30 people imported (30 new, 0 updated)") {
		t.Fatalf("GBK import: %d %q %q", code, out, stderr)
	}
	code, out, stderr = run(t, env, "", "roster", "import", bomPath)
	if code != 0 || !strings.Contains(out, "(0 new, 30 updated)") {
		t.Fatalf("BOM re-import: %d %q %q", code, out, stderr)
	}
	code, out, _ = run(t, env, "", "roster", "list")
	if code != 0 || !strings.Contains(out, "李副局长") || !strings.Contains(out, "成员甲") || strings.Count(out, "\n") < 31 {
		t.Fatalf("roster list: %d\n%s", code, out)
	}

	// One bad line: nothing imported, the line named, exit 2.
	lines := strings.Split(roster30(), "\n")
	lines[17] = strings.Replace(lines[17], "member", "mmeber", 1)
	lines = append(lines[:5], append([]string{"新人,办公室,member,,,"}, lines[5:]...)...)
	badPath := filepath.Join(dir, "bad.csv")
	os.WriteFile(badPath, []byte(strings.Join(lines, "\n")), 0o644)
	code, _, stderr = run(t, env, "", "roster", "import", badPath)
	if code != 2 || !strings.Contains(stderr, "bad.csv:19:") {
		t.Fatalf("bad roster: exit %d, stderr %q", code, stderr)
	}
	_, out, _ = run(t, env, "", "roster", "list")
	if strings.Contains(out, "新人") {
		t.Fatalf("a roster with a bad line imported something")
	}

	// Invites print, with deep links when the bot name is known.
	env["TELEGRAM_BOT_NAME"] = "campaign_bot"
	code, out, stderr = run(t, env, "", "invite", "王局长")
	if code != 0 || !strings.Contains(out, "https://t.me/campaign_bot?start=") {
		t.Fatalf("invite: %d %q %q", code, out, stderr)
	}
	// Everyone has a WeCom UserID, bound at import: no codes to hand out.
	code, out, stderr = run(t, env, "", "invite", "--all")
	if code != 0 || out != "" || !strings.Contains(stderr, "everyone is bound already") {
		t.Fatalf("invite --all with everyone on WeCom: %d %q %q", code, out, stderr)
	}
	// Someone without a UserID gets a code.
	newPath := filepath.Join(dir, "new.csv")
	os.WriteFile(newPath, []byte("name,department,roles\n新同事,办公室,member\n"), 0o644)
	if code, _, stderr := run(t, env, "", "roster", "import", newPath); code != 0 {
		t.Fatalf("import 新同事: %d %s", code, stderr)
	}
	code, out, _ = run(t, env, "", "invite", "--all")
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "新同事\t") {
		t.Fatalf("invite --all: %d\n%s", code, out)
	}
	if code, _, _ := run(t, env, "", "invite", "无此人"); code != 2 {
		t.Fatalf("invite unknown: exit %d, want 2", code)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"nosuch"}, {"plan", "nosuch"}, {"run", "--lang", "fr"}, {"run", "extra"}, {"backup"}} {
		if code, _, _ := run(t, nil, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	for _, args := range [][]string{{"--help"}, {"run", "--help"}, {"plan", "check", "--help"}} {
		if code, _, _ := run(t, nil, "", args...); code != 0 {
			t.Errorf("%v: exit %d, want 0", args, code)
		}
	}
}

func TestConsoleDemoScripted(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	script := "/as 孙静\n/tasks\n/note 今天学习了……\n/mine\n"
	code, out, stderr := run(t, nil, script, "run", "--demo", "--db", db)
	if code != 0 {
		t.Fatalf("run: %d %s", code, stderr)
	}
	for _, want := range []string{"现在以 孙静", "当前阶段：学习调研阶段", "学习笔记", "已收到并保存", "今天学习了……"} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q:\n%s", want, out)
		}
	}
	// Backup of the demo store.
	backup := filepath.Join(t.TempDir(), "b.db")
	if code, _, stderr := run(t, nil, "", "backup", "--db", db, backup); code != 0 {
		t.Fatalf("backup: %d %s", code, stderr)
	}
	if code, out, _ := run(t, nil, "", "roster", "list", "--db", backup); code != 0 || !strings.Contains(out, "孙静") {
		t.Fatalf("roster of the backup: %d %s", code, out)
	}
}

// TestExportDemoWorkbook exports the demo organisation and opens the
// workbook: every sheet has its header and at least one row of data.
func TestExportDemoWorkbook(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	if code, _, stderr := run(t, nil, "", "run", "--demo", "--db", db); code != 0 {
		t.Fatalf("seed demo: %d %s", code, stderr)
	}
	out := filepath.Join(dir, "campaign.xlsx")
	if code, _, stderr := run(t, nil, "", "export", "--db", db, "--out", out); code != 0 {
		t.Fatalf("export: %d %s", code, stderr)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) < 7 {
		t.Fatalf("sheets %v, want 7", sheets)
	}
	for _, name := range sheets {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 2 {
			t.Errorf("sheet %s has %d rows, want a header and data", name, len(rows))
		}
	}
	if code, _, _ := run(t, nil, "", "export", "--db", db); code != 2 {
		t.Errorf("export without --out: exit %d, want 2", code)
	}
}

// TestDigestAndReminders prints the demo's digest for a leader and the
// day's reminders, and refuses what it cannot do.
func TestDigestAndReminders(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	if code, _, stderr := run(t, nil, "/as 孙静\n", "run", "--demo", "--db", db); code != 0 {
		t.Fatalf("seed demo: %d %s", code, stderr)
	}
	code, out, stderr := run(t, nil, "", "digest", "--db", db, "--for", "李明华")
	if code != 0 || !strings.Contains(out, "=== 李明华 ===") || !strings.Contains(out, "学习调研阶段") || !strings.Contains(out, "按科室：1.") {
		t.Fatalf("digest: %d %q %q", code, out, stderr)
	}
	if code, _, _ := run(t, nil, "", "digest", "--db", db, "--for", "孙静"); code != 2 {
		t.Errorf("digest for a member: exit %d, want 2", code)
	}
	if code, _, _ := run(t, nil, "", "digest", "--db", db, "--date", "tomorrow"); code != 2 {
		t.Errorf("digest with a bad date: exit %d, want 2", code)
	}
	code, out, stderr = run(t, nil, "", "reminders", "--db", db)
	if code != 0 || !strings.Contains(out, "messages") {
		t.Fatalf("reminders: %d %q %q", code, out, stderr)
	}
	// 孙静 is bound on the console: her prompts are marked as sent there.
	if strings.Contains(out, "孙静") && !strings.Contains(out, "[console]") {
		t.Errorf("reminders do not say how a bound person is reached:\n%s", out)
	}
}

// TestDemoOwnStoreAndDay: --demo without --db writes campaignbot-demo.db,
// never the default store, even with CAMPAIGNBOT_DB set; on whatever day it
// starts there is overdue work, an escalation due, a report waiting for
// review and an open survey.
func TestDemoOwnStoreAndDay(t *testing.T) {
	t.Chdir(t.TempDir())
	env := map[string]string{"CAMPAIGNBOT_DB": "real.db"}
	if code, _, stderr := run(t, env, "", "run", "--demo"); code != 0 {
		t.Fatalf("run --demo: %d %s", code, stderr)
	}
	if _, err := os.Stat("campaignbot-demo.db"); err != nil {
		t.Fatalf("the demo's store: %v", err)
	}
	for _, real := range []string{"real.db", "campaignbot.db"} {
		if _, err := os.Stat(real); !os.IsNotExist(err) {
			t.Errorf("the demo touched %s: %v", real, err)
		}
	}
	db := "campaignbot-demo.db"
	code, out, stderr := run(t, nil, "", "reminders", "--db", db)
	if code != 0 || !strings.Contains(out, "escalation   王建国") || !strings.Contains(out, "「学习计划」逾期 3 天") {
		t.Errorf("the demo's reminders today lack an escalation of the study plan: %d %s %s", code, out, stderr)
	}
	code, out, stderr = run(t, nil, "", "digest", "--db", db, "--for", "李明华")
	if code != 0 || !strings.Contains(out, "待您审阅 1 份") || !strings.Contains(out, "问卷「征求意见」") {
		t.Errorf("李明华's digest lacks the report to review or the open survey: %d %s %s", code, out, stderr)
	}
	code, out, stderr = run(t, nil, "", "digest", "--db", db, "--for", "王建国")
	if code != 0 || !strings.Contains(out, "逾期未交") || !strings.Contains(out, "陈丽（办公室）：「学习计划」") {
		t.Errorf("the head's digest lacks the overdue study plan: %d %s %s", code, out, stderr)
	}
}
