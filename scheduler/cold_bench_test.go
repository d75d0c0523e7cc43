package scheduler

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/store"
)

// BenchmarkDigestCold renders the head's digest with a new scheduler on a
// newly opened store each time, as the first digest of a new process does:
// the roster and the submission records are read from the store file
// (10,000 people, 200,000 submissions; SPEC §10: under 100 ms). With
// "snapshot", the records come from the record snapshot an earlier
// process's scheduler saved at Close, as a running bot leaves it; with
// "first-ever" there is none and every row is read.
func BenchmarkDigestCold(b *testing.B) {
	pl := mustDefaultPlan(b)
	day := pl.FindPhase("study").End - 5
	now := day.Time(pl.Loc()).Add(9 * time.Hour)
	path := mustSeedBig(b, pl, bigOrg{people: 10000, departments: 50, submissions: 200000}, now)
	ctx := context.Background()
	clock := campaignbot.ClockFunc(func() time.Time { return now })
	open := func() *store.DB {
		db, err := store.Open(ctx, path, store.WithLocation(pl.Loc()), store.WithClock(clock))
		if err != nil {
			b.Fatal(err)
		}
		return db
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	for _, bm := range []struct {
		name     string
		snapshot bool
	}{{"snapshot", true}, {"first-ever", false}} {
		b.Run(bm.name, func(b *testing.B) {
			if bm.snapshot {
				// An earlier process.
				db := open()
				s := New(db, pl, WithSchedulerClock(clock), WithSchedulerLogger(quietLogger()))
				if err := s.Warm(ctx); err != nil {
					b.Fatal(err)
				}
				s.Close()
				db.Close()
			}
			for b.Loop() {
				b.StopTimer()
				if !bm.snapshot {
					if _, err := raw.Exec(`DELETE FROM submission_record_snapshot`); err != nil {
						b.Fatal(err)
					}
				}
				db := open()
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
		})
	}
}
