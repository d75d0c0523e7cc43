package scheduler

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/store"
)

func TestZZLive(t *testing.T) {
	pl := mustDefaultPlan(t)
	day := pl.FindPhase("study").End - 5
	now := day.Time(pl.Loc()).Add(9 * time.Hour)
	path := mustSeedBig(t, pl, bigOrg{people: 10000, departments: 50, submissions: 200000}, now)
	ctx := context.Background()
	clock := campaignbot.ClockFunc(func() time.Time { return now })
	db, _ := store.Open(ctx, path, store.WithLocation(pl.Loc()), store.WithClock(clock))
	defer db.Close()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	t.Logf("before: heap %d MB", m.HeapAlloc>>20)
	runtime.MemProfileRate = 4096
	s := New(db, pl, WithSchedulerClock(clock), WithSchedulerLogger(quietLogger()))
	s.Warm(ctx)
	s.Digest(ctx, 51, day)
	runtime.GC()
	runtime.ReadMemStats(&m)
	t.Logf("after: heap %d MB, total alloc %d MB", m.HeapAlloc>>20, m.TotalAlloc>>20)
	f, _ := os.Create("/tmp/live.prof")
	pprof.Lookup("heap").WriteTo(f, 0)
	f.Close()
	runtime.KeepAlive(s)
}
