package scheduler

import (
	"context"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/store"
)

// BenchmarkDigestCold renders the head's digest with a new scheduler on a
// newly opened store each time, as the first digest of a new process does:
// the roster and every submission record are read from the store file
// (10,000 people, 200,000 submissions).
func BenchmarkDigestCold(b *testing.B) {
	pl := mustDefaultPlan(b)
	day := pl.FindPhase("study").End - 5
	now := day.Time(pl.Loc()).Add(9 * time.Hour)
	path := mustSeedBig(b, pl, bigOrg{people: 10000, departments: 50, submissions: 200000}, now)
	ctx := context.Background()
	clock := campaignbot.ClockFunc(func() time.Time { return now })
	for b.Loop() {
		b.StopTimer()
		db, err := store.Open(ctx, path, store.WithLocation(pl.Loc()), store.WithClock(clock))
		if err != nil {
			b.Fatal(err)
		}
		s := New(db, pl, WithSchedulerClock(clock), WithSchedulerLogger(quietLogger()))
		b.StartTimer()
		if _, err := s.Digest(ctx, 51, day); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		db.Close()
		b.StartTimer()
	}
}
