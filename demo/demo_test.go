package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/demo"
	"campaignbot/plan"
	"campaignbot/store"
)

// TestSeedHistoryIsPast: the demo's history is dated before now, on every
// weekday (its days move with today). The study report and the topic speech
// were dated tomorrow and the day after, whatever the day.
func TestSeedHistoryIsPast(t *testing.T) {
	ctx := context.Background()
	loc := time.FixedZone("CST", 8*3600)
	for off := range 7 {
		now := time.Now().In(loc).AddDate(0, 0, off)
		p, _, err := plan.Default(campaignbot.DateOf(now, loc).AddDays(-demo.DaysIn))
		if err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"), store.WithLocation(loc))
		if err != nil {
			t.Fatal(err)
		}
		clock := db.Now
		if _, err := demo.Seed(ctx, db, p, now, func(at time.Time) {
			if at.Equal(now) {
				db.Now = clock
			} else {
				db.Now = func() time.Time { return at }
			}
		}); err != nil {
			t.Fatal(err)
		}
		subs, err := db.FindSubmissions(ctx, campaignbot.SubmissionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) == 0 {
			t.Fatalf("%s: the demo has no submissions", now.Weekday())
		}
		for _, s := range subs {
			if s.SubmittedAt.After(now) {
				t.Errorf("%s: %s of person %d is dated %s, after now (%s)", now.Weekday(), s.TaskKey, s.PersonID, s.SubmittedAt.In(loc), now.Format(time.DateTime))
			}
		}
		db.Close()
	}
}
