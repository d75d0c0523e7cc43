package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/plan"
	"campaignbot/store"
)

// mustWritePlan writes the default plan starting on start to dir/name.
func mustWritePlan(t *testing.T, dir, name string, start campaignbot.Date) string {
	t.Helper()
	code, out, stderr := run(t, nil, "", "plan", "init", "--start", start.String())
	if code != 0 {
		t.Fatalf("plan init: %d %s", code, stderr)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// mustPostpone writes a copy of the plan file at path to dir/name with the
// study phase ending days later and the review phase starting as much
// later (延期), and returns the copy's path and the study phase's new end.
func mustPostpone(t *testing.T, path, name string, studyEnd campaignbot.Date, days int) (string, campaignbot.Date) {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(text)
	end, next := "end: "+studyEnd.String(), "start: "+studyEnd.AddDays(1).String()
	if strings.Count(s, end) != 1 || strings.Count(s, next) != 1 {
		t.Fatalf("the plan does not say %q and %q once each", end, next)
	}
	newEnd := studyEnd.AddDays(days)
	s = strings.Replace(s, end, "end: "+newEnd.String(), 1)
	s = strings.Replace(s, next, "start: "+newEnd.AddDays(1).String(), 1)
	moved := filepath.Join(filepath.Dir(path), name)
	if err := os.WriteFile(moved, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return moved, newEnd
}

func TestPlanApplyAndShow(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	path := mustWritePlan(t, dir, "plan.yaml", campaignbot.NewDate(2026, time.March, 1))

	if code, _, stderr := run(t, nil, "", "plan", "show", "--db", db); code != 2 || !strings.Contains(stderr, "plan apply") {
		t.Fatalf("plan show before any apply: exit %d, %q; want 2 and how to apply one", code, stderr)
	}
	code, out, stderr := run(t, nil, "", "plan", "apply", "--db", db, path)
	if code != 0 || !strings.Contains(out, "applied as version 1 — 5 phases, 11 tasks, 2 surveys, 2026-03-01 to 2026-09-15") {
		t.Fatalf("plan apply: %d %q %q", code, out, stderr)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	code, out, stderr = run(t, nil, "", "plan", "show", "--db", db)
	if code != 0 || out != string(want) {
		t.Fatalf("plan show: %d %q; want the applied file byte for byte", code, stderr)
	}
	if code, out, _ := run(t, nil, "", "plan", "show", "--db", db, "--summary", "--lang", "en"); code != 0 || !strings.Contains(out, "study-notes") {
		t.Fatalf("plan show --summary: %d %s", code, out)
	}
	code, out, _ = run(t, nil, "", "plan", "apply", "--db", db, path)
	if code != 0 || !strings.Contains(out, "already in force (version 1") {
		t.Fatalf("the same plan again: %d %q", code, out)
	}

	// A bad plan: errors as plan check prints them, exit 2, nothing stored.
	text := strings.Replace(string(want), "phase: rectify", "phase: rectfy", 1)
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, checked := run(t, nil, "", "plan", "check", bad)
	code, _, stderr = run(t, nil, "", "plan", "apply", "--db", db, bad)
	if code != 2 || stderr != checked || !strings.Contains(stderr, "bad.yaml:") {
		t.Fatalf("bad plan: exit %d, %q; want 2 and what plan check says, %q", code, stderr, checked)
	}
	if _, out, _ := run(t, nil, "", "plan", "show", "--db", db); out != string(want) {
		t.Fatal("a bad plan changed the plan in force")
	}
	fresh := filepath.Join(dir, "fresh.db")
	if code, _, _ := run(t, nil, "", "plan", "apply", "--db", fresh, bad); code != 2 {
		t.Fatalf("bad plan on a new store: exit %d, want 2", code)
	}
	if code, _, _ := run(t, nil, "", "plan", "show", "--db", fresh); code != 2 {
		t.Fatal("a bad plan was stored in a new store")
	}

	// Commands other than run read the plan from the store and take no
	// --plan: the study phase's end is announced on its new day.
	rosterPath := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(rosterPath, []byte(roster30()), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, nil, "", "roster", "import", "--db", db, rosterPath); code != 0 {
		t.Fatalf("roster import: %d %s", code, stderr)
	}
	studyEnd := campaignbot.NewDate(2026, time.April, 30)
	moved, newEnd := mustPostpone(t, path, "moved.yaml", studyEnd, 14)
	if code, out, stderr := run(t, nil, "", "plan", "apply", "--db", db, moved); code != 0 || !strings.Contains(out, "version 2") {
		t.Fatalf("plan apply moved: %d %q %q", code, out, stderr)
	}
	for day, want := range map[campaignbot.Date]bool{studyEnd: false, newEnd: true} {
		code, out, stderr = run(t, nil, "", "reminders", "--db", db, "--date", day.String())
		if code != 0 || strings.Contains(out, "phase_end") != want {
			t.Errorf("reminders on %s: %d, phase end announced %t, want %t:\n%s%s", day, code, !want, want, out, stderr)
		}
	}
	if code, _, _ := run(t, nil, "", "reminders", "--db", db, "--plan", path); code != 2 {
		t.Errorf("reminders --plan: exit %d, want 2 (run alone takes --plan)", code)
	}
}

// TestRunStartPlan: run applies --plan at start when it differs from the
// stored plan, and the embedded default only into a store without one.
func TestRunStartPlan(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	version := func() int64 {
		t.Helper()
		st, err := store.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		v, err := st.FindPlanVersion(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if code, _, stderr := run(t, nil, "", "run", "--db", db); code != 0 {
		t.Fatalf("run: %d %s", code, stderr)
	}
	if v := version(); v != 1 {
		t.Fatalf("run on a new store: plan version %d, want 1 (the default)", v)
	}
	if code, _, stderr := run(t, nil, "", "run", "--db", db); code != 0 || version() != 1 {
		t.Fatalf("run again: %d %s, version %d; want the stored plan kept", code, stderr, version())
	}
	path := mustWritePlan(t, dir, "plan.yaml", campaignbot.NewDate(2026, time.March, 1))
	env := map[string]string{"CAMPAIGNBOT_PLAN": path}
	for range 2 {
		if code, _, stderr := run(t, env, "", "run", "--db", db); code != 0 {
			t.Fatalf("run with CAMPAIGNBOT_PLAN: %d %s", code, stderr)
		}
		if v := version(); v != 2 {
			t.Fatalf("run with CAMPAIGNBOT_PLAN: version %d, want 2", v)
		}
	}
	if _, out, _ := run(t, nil, "", "plan", "show", "--db", db); !strings.Contains(out, "start: 2026-03-01") {
		t.Errorf("the plan of CAMPAIGNBOT_PLAN is not in force:\n%s", out)
	}
}

// TestRunPicksUpAppliedPlan: a plan applied by another process while the
// bot runs is in force without a restart (a deadline moved: 延期).
func TestRunPicksUpAppliedPlan(t *testing.T) {
	t.Parallel()
	env := newTGEnv(t)
	tgBind(t, env.openDB(t), "张三", 7001)
	env.runCommand(t)
	u := env.user(7001, "张三")

	p, err := plan.Load(env.plan)
	if err != nil {
		t.Fatal(err)
	}
	studyEnd := p.FindPhase("study").End
	u.text(t, "/tasks")
	u.expect(t, "至 "+studyEnd.String())

	moved, newEnd := mustPostpone(t, env.plan, "moved.yaml", studyEnd, 14)
	if code, out, stderr := run(t, nil, "", "plan", "apply", "--db", env.db, moved); code != 0 {
		t.Fatalf("plan apply: %d %q %q", code, out, stderr)
	}
	want := "至 " + newEnd.String()
	// Ask until the answer counts to the new end: the bot looks for a new
	// plan every few seconds.
	tgWaitFor(t, "/tasks to show the study phase's new end", func() bool {
		before := len(env.fake.Sent(u.id))
		u.text(t, "/tasks")
		tgWaitFor(t, "an answer to /tasks", func() bool { return len(env.fake.Sent(u.id)) > before })
		sent := env.fake.Sent(u.id)
		return strings.Contains(sent[len(sent)-1].Text, want)
	})
}
