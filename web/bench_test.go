package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot"
	"campaignbot/plan"
	"campaignbot/scheduler"
	"campaignbot/store"
	"campaignbot/web"
)

// BenchmarkDashboard renders the office's dashboard over 10,000 people in
// 50 departments with twenty study notes each (200,000 submissions) (SPEC §11; the figure at
// 200,000 submissions is go run ./bench's).
func BenchmarkDashboard(b *testing.B) {
	ctx := context.Background()
	loc := time.FixedZone("CST", 8*3600)
	today := campaignbot.DateOf(time.Now(), loc)
	p, _, err := plan.Default(today.AddDays(-40))
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "big.db"), store.WithLocation(loc))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const people, depts, notes = 10000, 50, 20
	entries := []campaignbot.RosterEntry{{Name: "办公室主任", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleOffice}}}
	for i := range people - 1 {
		e := campaignbot.RosterEntry{Name: fmt.Sprintf("成员%05d", i), Departments: []string{fmt.Sprintf("科室%02d", i%depts)},
			Roles: []campaignbot.Role{campaignbot.RoleMember}}
		if i < depts {
			e.Roles = append(e.Roles, campaignbot.RoleLeader)
		}
		entries = append(entries, e)
	}
	if _, _, err := db.ImportRoster(ctx, entries); err != nil {
		b.Fatal(err)
	}
	all, err := db.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		b.Fatal(err)
	}
	err = db.Atomic(ctx, func(ctx context.Context) error {
		for _, x := range all {
			for n := range notes {
				if err := db.CreateSubmission(ctx, &campaignbot.Submission{TaskKey: "study-notes", PersonID: x.ID, DepartmentID: x.DepartmentID,
					Text: fmt.Sprintf("第 %d 周学习笔记", n+1)}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	sch := scheduler.New(db, p)
	defer sch.Close()
	eng := bot.New(db, p)
	srv, err := web.New(db, eng, func() *campaignbot.Plan { return p }, "http://bench.example.test", web.WithSubmissionRecords(sch.SubmissionRecords))
	if err != nil {
		b.Fatal(err)
	}
	office, err := db.FindPersonByName(ctx, "办公室主任")
	if err != nil {
		b.Fatal(err)
	}
	link, err := db.CreateLoginLink(ctx, office.ID)
	if err != nil {
		b.Fatal(err)
	}
	sess, err := db.RedeemLoginLink(ctx, link.Token)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/dashboard", nil)
		req.AddCookie(&http.Cookie{Name: "campaignbot_session", Value: sess.Token})
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("dashboard: %d", rec.Code)
		}
	}
}
