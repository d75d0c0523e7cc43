package bot

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestProcessLanesOrder checks that each sender's items are processed in
// order, that a failure holds back only that sender's later items, and the
// result.
func TestProcessLanesOrder(t *testing.T) {
	type item struct {
		sender string
		n      int
	}
	tests := []struct {
		name   string
		items  []item
		fail   item // the item whose processing fails, if any
		want   map[string][]int
		wantOK bool
	}{
		{"one sender", []item{{"a", 1}, {"a", 2}, {"a", 3}}, item{},
			map[string][]int{"a": {1, 2, 3}}, true},
		{"senders interleaved",
			[]item{{"a", 1}, {"b", 1}, {"a", 2}, {"c", 1}, {"b", 2}, {"a", 3}}, item{},
			map[string][]int{"a": {1, 2, 3}, "b": {1, 2}, "c": {1}}, true},
		{"a failure holds back its sender only",
			[]item{{"a", 1}, {"b", 1}, {"a", 2}, {"b", 2}, {"a", 3}, {"b", 3}}, item{"a", 2},
			map[string][]int{"a": {1, 2}, "b": {1, 2, 3}}, false},
		{"nothing", nil, item{}, map[string][]int{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			got := map[string][]int{}
			ok := ProcessLanes(context.Background(), tt.items, func(it item) string { return it.sender },
				func(_ context.Context, it item) bool {
					mu.Lock()
					got[it.sender] = append(got[it.sender], it.n)
					mu.Unlock()
					return it != tt.fail
				})
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v", ok, tt.wantOK)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("processed %v, want %v", got, tt.want)
			}
		})
	}
}

// TestProcessLanesConcurrent checks that different senders are processed
// side by side, never more than MaxLanes at once.
func TestProcessLanesConcurrent(t *testing.T) {
	// Two senders whose first items each wait for the other's to start:
	// processed one after the other they would never finish.
	started := map[string]chan struct{}{"a": make(chan struct{}), "b": make(chan struct{})}
	other := map[string]string{"a": "b", "b": "a"}
	ok := ProcessLanes(context.Background(), []string{"a", "b"}, func(s string) string { return s },
		func(_ context.Context, s string) bool {
			close(started[s])
			select {
			case <-started[other[s]]:
				return true
			case <-time.After(10 * time.Second):
				t.Errorf("%s waited for %s in vain: lanes not concurrent", s, other[s])
				return false
			}
		})
	if !ok {
		t.Fatal("ProcessLanes reported a failure")
	}

	var inFlight, most atomic.Int32
	var senders []string
	for i := range 5 * MaxLanes {
		senders = append(senders, fmt.Sprint(i), fmt.Sprint(i))
	}
	var mu sync.Mutex
	var done []string
	ProcessLanes(context.Background(), senders, func(s string) string { return s },
		func(_ context.Context, s string) bool {
			n := inFlight.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(time.Millisecond) // let the lanes overlap
			inFlight.Add(-1)
			mu.Lock()
			done = append(done, s)
			mu.Unlock()
			return true
		})
	if got := most.Load(); got > MaxLanes {
		t.Errorf("%d lanes at once, want at most %d", got, MaxLanes)
	}
	slices.Sort(done)
	slices.Sort(senders)
	if !slices.Equal(done, senders) {
		t.Errorf("processed %d items, want %d", len(done), len(senders))
	}
}

// TestProcessLanesCancelled stops when the context is done.
func TestProcessLanesCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var called atomic.Bool
	ok := ProcessLanes(ctx, []string{"a", "b"}, func(s string) string { return s },
		func(context.Context, string) bool { called.Store(true); return true })
	if ok || called.Load() {
		t.Errorf("ok = %v, called = %v; want false, false", ok, called.Load())
	}
}
