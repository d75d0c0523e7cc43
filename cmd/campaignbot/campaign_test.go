package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// workbookText returns every cell of the workbook at path, one per line.
func workbookText(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			for _, cell := range row {
				b.WriteString(cell + "\n")
			}
		}
	}
	return b.String()
}

// TestCampaignNew runs a campaign, starts the next one while the bot runs,
// and checks that a bound member works in it without binding again, that
// both are listed, and that the first still exports with its work and the
// second without it.
func TestCampaignNew(t *testing.T) {
	t.Parallel()
	env := newTGEnv(t)
	tgBind(t, env.openDB(t), "张三", 7001)
	env.runCommand(t)
	u := env.user(7001, "张三")

	u.text(t, "/note 第一轮的学习心得")
	u.expect(t, tgAck(1, 0))

	// The next campaign's plan: the same dates, its weekly note renamed.
	text, err := os.ReadFile(env.plan)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(text), "title: 学习笔记\n") != 1 {
		t.Fatal("the plan does not title its note 学习笔记 once")
	}
	next := filepath.Join(env.dir, "next.yaml")
	if err := os.WriteFile(next, []byte(strings.Replace(string(text), "title: 学习笔记\n", "title: 第二轮学习笔记\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(env.dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(text), "phases:", "phasen:", 1)), 0o644); err != nil {
		t.Fatal(err)
	}

	// An invalid plan is refused and changes nothing.
	code, out, stderr := run(t, nil, "", "campaign", "new", "--db", env.db, "--plan", bad)
	if code != exitUsage || !strings.Contains(stderr, "未开始新一轮") {
		t.Fatalf("campaign new with an invalid plan: %d %q %q", code, out, stderr)
	}
	if _, out, _ := run(t, nil, "", "campaign", "list", "--db", env.db); strings.Count(out, "\n") != 2 || !strings.Contains(out, "进行中") {
		t.Fatalf("campaign list after a refused campaign new:\n%s", out)
	}

	code, out, stderr = run(t, nil, "", "campaign", "new", "--db", env.db, "--plan", next)
	if code != 0 {
		t.Fatalf("campaign new: %d %q %q", code, out, stderr)
	}
	for _, want := range []string{"第 2 轮", "第 1 轮已结束", "export --campaign 1", "花名册 19 人", "1 人已绑定的 1 个聊天账号", "无需重新绑定"} {
		if !strings.Contains(out, want) {
			t.Errorf("campaign new does not say %q:\n%s", want, out)
		}
	}

	// The bound member's /tasks shows the new plan once the bot has
	// taken it up (it looks every few seconds), and the note of the first
	// campaign does not count in the second.
	tgWaitFor(t, "/tasks to show the new campaign's note", func() bool {
		before := len(env.fake.Sent(u.id))
		u.text(t, "/tasks")
		tgWaitFor(t, "an answer to /tasks", func() bool { return len(env.fake.Sent(u.id)) > before })
		sent := env.fake.Sent(u.id)
		return strings.Contains(sent[len(sent)-1].Text, "第二轮学习笔记")
	})
	u.seen = len(env.fake.Sent(u.id))
	u.text(t, "/note 第二轮的学习心得")
	u.expect(t, tgZh("submit.ok", "第二轮学习笔记", 1, tgZh("submit.on_time"), 0))

	code, out, stderr = run(t, nil, "", "campaign", "list", "--db", env.db, "--lang", "en")
	if code != 0 {
		t.Fatalf("campaign list: %d %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "1 ") || !strings.Contains(lines[1], "closed ") ||
		!strings.HasPrefix(lines[2], "2 ") || !strings.Contains(lines[2], "current") {
		t.Fatalf("campaign list:\n%s", out)
	}
	if f := strings.Fields(lines[1]); f[len(f)-5] != "1" {
		t.Errorf("campaign 1 lists %s submissions, want 1:\n%s", f[len(f)-5], out)
	}

	one, two := filepath.Join(env.dir, "one.xlsx"), filepath.Join(env.dir, "two.xlsx")
	if code, out, stderr := run(t, nil, "", "export", "--db", env.db, "--campaign", "1", "--out", one); code != 0 {
		t.Fatalf("export --campaign 1: %d %q %q", code, out, stderr)
	}
	if code, out, stderr := run(t, nil, "", "export", "--db", env.db, "--out", two); code != 0 {
		t.Fatalf("export: %d %q %q", code, out, stderr)
	}
	if got := workbookText(t, one); !strings.Contains(got, "第一轮的学习心得") || strings.Contains(got, "第二轮的学习心得") {
		t.Errorf("campaign 1's workbook does not hold just its own note")
	}
	if got := workbookText(t, two); strings.Contains(got, "第一轮的学习心得") || !strings.Contains(got, "第二轮的学习心得") {
		t.Errorf("the current campaign's workbook does not hold just its own note")
	}
	if code, _, stderr := run(t, nil, "", "export", "--db", env.db, "--campaign", "3", "--out", one); code != exitUsage || !strings.Contains(stderr, "没有第 3 轮") {
		t.Errorf("export --campaign 3: %d %q", code, stderr)
	}
}
