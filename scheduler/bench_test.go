package scheduler

import (
	"context"
	"fmt"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/store"
)

// BenchmarkComputeReminders10k computes one day's reminders for 10,000
// people (SPEC §10: under 0.5 s), obligations included.
func BenchmarkComputeReminders10k(b *testing.B) {
	pl := mustDefaultPlan(b)
	day := pl.FindPhase("study").End - 1
	const n, depts = 10000, 50
	var people []*campaignbot.Person
	var accounts []*campaignbot.Account
	var subs []campaignbot.SubmissionRecord
	for i := 1; i <= n; i++ {
		role := campaignbot.RoleMember
		if i <= depts {
			role = campaignbot.RoleLeader
		} else if i%10 == 0 {
			role = campaignbot.RoleMiddle
		}
		p := &campaignbot.Person{ID: int64(i), Name: fmt.Sprint("p", i), DepartmentID: int64(i%depts + 1),
			Roles: []campaignbot.RoleGrant{{Role: role, Since: pl.Start}}}
		if role == campaignbot.RoleLeader {
			p.InChargeOf = []int64{int64(i)}
		}
		people = append(people, p)
		accounts = append(accounts, &campaignbot.Account{Platform: campaignbot.PlatformTelegram, ChatID: fmt.Sprint(i), PersonID: p.ID})
		// Half the people keep up with their weekly notes.
		if i%2 == 0 {
			for w := pl.FindPhase("study").Start; w <= day; w += 7 {
				subs = append(subs, campaignbot.SubmissionRecord{ID: int64(len(subs) + 1), Task: 0, PersonID: p.ID, DepartmentID: p.DepartmentID, Day: w})
			}
		}
	}
	now := day.Time(pl.Loc()).Add(9 * time.Hour)
	b.ResetTimer()
	var prompts int
	for b.Loop() {
		obs := campaignbot.Obligations(campaignbot.ObligationInput{Plan: pl, Day: day, People: people, Submissions: subs, TaskKeys: campaignbot.TaskKeys{"study-notes"}})
		out := ComputeReminders(ReminderInput{Plan: pl, Day: day, Now: now, People: people,
			Accounts: accounts, Obligations: obs})
		prompts = len(out)
	}
	b.ReportMetric(float64(prompts), "prompts")
}

// BenchmarkDigest renders the head's digest from a real store file with
// 10,000 people and 200,000 submissions (SPEC §10: under 100 ms each). The
// first digest of a process loads the roster and every submission record;
// the benchmark measures the digests after it, which read only what changed.
func BenchmarkDigest(b *testing.B) {
	pl := mustDefaultPlan(b)
	day := pl.FindPhase("study").End - 5
	now := day.Time(pl.Loc()).Add(9 * time.Hour)
	path := mustSeedBig(b, pl, bigOrg{people: 10000, departments: 50, submissions: 200000}, now)
	ctx := context.Background()
	db, err := store.Open(ctx, path, store.WithLocation(pl.Loc()), store.WithClock(campaignbot.ClockFunc(func() time.Time { return now })))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s := New(db, pl, WithSchedulerClock(campaignbot.ClockFunc(func() time.Time { return now })), WithSchedulerLogger(quietLogger()))
	head := int64(51)
	start := time.Now()
	if _, err := s.Digest(ctx, head, day); err != nil {
		b.Fatal(err)
	}
	cold := time.Since(start)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Digest(ctx, head, day); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cold.Milliseconds()), "cold-ms")
}
