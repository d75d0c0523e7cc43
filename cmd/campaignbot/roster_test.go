package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"campaignbot"
	"campaignbot/bot/wecom/wecomtest"
	"campaignbot/store"
)

// TestRosterSyncWeCom builds the roster from the address book: the plan is
// shown and nothing changes without --apply; with it the members are
// people bound by UserID, the 办公室 tag gives the office role, a
// department's leader is its leader in charge, and a second sync has
// nothing to do. What the roster knew and the address book does not (a
// Telegram id) stays.
func TestRosterSyncWeCom(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	fake := wecomtest.NewServer(t, wcCorpID, wcSecret)
	fake.SetAddressBook(
		[]wecomtest.Department{{ID: 1, Name: "市科技局"}, {ID: 2, Name: "局领导", ParentID: 1}, {ID: 3, Name: "科技管理科", ParentID: 1, Leaders: []string{"limh"}}, {ID: 4, Name: "办公室", ParentID: 1}},
		[]wecomtest.User{{UserID: "limh", Name: "李明华", Departments: []int64{2}}, {UserID: "sunjing", Name: "孙静", Departments: []int64{3}},
			{UserID: "chenli", Name: "陈丽", Departments: []int64{4, 1}}},
		[]wecomtest.Tag{{ID: 1, Name: "办公室", UserIDs: []string{"chenli"}}, {ID: 2, Name: "分管领导", UserIDs: []string{"limh"}}, {ID: 3, Name: "羽毛球协会", UserIDs: []string{"sunjing"}}},
	)
	env := map[string]string{"CAMPAIGNBOT_DB": db, "WECOM_CORP_ID": wcCorpID, "WECOM_AGENT_ID": "1000002", "WECOM_SECRET": wcSecret, "WECOM_API_URL": fake.URL()}
	// The office imported 孙静 with her Telegram id first.
	csv := filepath.Join(dir, "r.csv")
	if err := os.WriteFile(csv, []byte("姓名,科室,角色,Telegram,企业微信\n孙静,科技管理科,党员,12345,sunjing\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, env, "", "roster", "import", csv); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}

	code, out, stderr := run(t, env, "", "roster", "sync-wecom")
	if code != 0 {
		t.Fatalf("sync-wecom: %d %s", code, stderr)
	}
	for _, want := range []string{"new      李明华 (局领导", "in charge of 科技管理科", "new      陈丽 (办公室, office;member) chenli", "2 new, 0 changed, 1 unchanged", "--apply"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan does not show %q:\n%s", want, out)
		}
	}
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if ps, _ := s.FindPeople(context.Background(), campaignbot.PersonFilter{}); len(ps) != 1 {
		t.Errorf("the plan alone stored %d people", len(ps))
	}
	s.Close()

	if code, out, stderr = run(t, env, "", "roster", "sync-wecom", "--apply"); code != 0 || !strings.Contains(out, "applied: 2 new") {
		t.Fatalf("sync-wecom --apply: %d %s %s", code, out, stderr)
	}
	s, err = store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	_, limh, err := s.FindPersonByAccount(ctx, campaignbot.PlatformWeCom, "limh")
	if err != nil {
		t.Fatalf("李明华 not bound: %v", err)
	}
	depts, _ := s.FindDepartments(ctx)
	var kgk int64
	for _, d := range depts {
		if d.Name == "科技管理科" {
			kgk = d.ID
		}
	}
	if !limh.HasRole(campaignbot.RoleLeader) || len(limh.InChargeOf) != 1 || limh.InChargeOf[0] != kgk {
		t.Errorf("李明华 = %+v, want the leader in charge of 科技管理科", limh)
	}
	_, chen, err := s.FindPersonByAccount(ctx, campaignbot.PlatformWeCom, "chenli")
	if err != nil || !chen.HasRole(campaignbot.RoleOffice) || chen.Department != "办公室" {
		t.Errorf("陈丽 = %+v, %v", chen, err)
	}
	_, sun, err := s.FindPersonByAccount(ctx, campaignbot.PlatformWeCom, "sunjing")
	if err != nil || sun.Telegram != "12345" {
		t.Errorf("孙静 = %+v, %v: the roster's Telegram id is lost", sun, err)
	}
	if code, out, _ = run(t, env, "", "roster", "sync-wecom"); code != 0 || !strings.Contains(out, "0 new, 0 changed, 3 unchanged") {
		t.Errorf("second sync: %d %s", code, out)
	}
}

// TestRemindersWeComBoundByRoster: a UserID given in the roster binds the
// member on WeCom at import, so the day's preview sends them their
// prompts on WeCom instead of listing them as unbound.
func TestRemindersWeComBoundByRoster(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	if code, _, stderr := run(t, nil, "/as 孙静\n", "run", "--demo", "--db", db); code != 0 {
		t.Fatalf("seed demo: %d %s", code, stderr)
	}
	code, out, stderr := run(t, nil, "", "reminders", "--db", db)
	if code != 0 || !regexp.MustCompile(`刘洋 .*\[unbound: not sent\]`).MatchString(out) {
		t.Fatalf("before: 刘洋 is not unbound in the preview: %d %s %s", code, out, stderr)
	}
	code, list, _ := run(t, nil, "", "roster", "list", "--db", db, "--csv")
	if code != 0 {
		t.Fatalf("roster list --csv: %d", code)
	}
	var lines []string
	for _, l := range strings.Split(list, "\r\n") {
		if f := strings.Split(l, ","); len(f) == 8 && f[1] == "刘洋" {
			f[5] = "liuyang"
			l = strings.Join(f, ",")
		}
		lines = append(lines, l)
	}
	file := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\r\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := run(t, nil, "", "roster", "import", "--db", db, file); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, stderr)
	}
	code, out, _ = run(t, nil, "", "reminders", "--db", db)
	if code != 0 || !regexp.MustCompile(`刘洋 .*\[wecom\]`).MatchString(out) || regexp.MustCompile(`刘洋 .*unbound`).MatchString(out) {
		t.Errorf("after: 刘洋's prompts do not go to WeCom:\n%s", out)
	}
	code, out, _ = run(t, nil, "", "roster", "list", "--db", db)
	if code != 0 || !regexp.MustCompile(`刘洋 .*liuyang .*wecom`).MatchString(out) {
		t.Errorf("roster list does not show 刘洋 bound on wecom:\n%s", out)
	}
}
