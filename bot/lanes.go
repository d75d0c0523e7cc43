package bot

import (
	"context"
	"sync"
)

// MaxLanes is how many senders' messages the intake processes at once. One
// sender's messages depend on each other (dialogs are per sender), so they
// are processed in order; different senders' are as independent as two
// messages sent at the same moment. Lanes let one member's slow download
// (a 20 MB scan over a slow link) not hold up everyone else; the store
// still commits one message at a time.
const MaxLanes = 4

// ProcessLanes processes items, which are in arrival order: the items of
// one lane (one sender: key's value) in order, one at a time; different
// lanes concurrently, up to MaxLanes at once. A lane stops at its first
// item for which process reports false, so that no later message of that
// sender overtakes it; the other lanes go on. ProcessLanes returns once
// every lane has stopped, reporting whether every item was processed.
func ProcessLanes[T any](ctx context.Context, items []T, key func(T) string, process func(context.Context, T) bool) bool {
	var order []string
	lanes := map[string][]T{}
	for _, it := range items {
		k := key(it)
		if _, ok := lanes[k]; !ok {
			order = append(order, k)
		}
		lanes[k] = append(lanes[k], it)
	}
	run := func(lane []T) bool {
		for _, it := range lane {
			if ctx.Err() != nil || !process(ctx, it) {
				return false
			}
		}
		return true
	}
	if len(order) == 1 {
		return run(lanes[order[0]])
	}

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		ok   = true
		free = make(chan struct{}, MaxLanes)
	)
	for _, k := range order {
		free <- struct{}{}
		wg.Go(func() {
			defer func() { <-free }()
			if !run(lanes[k]) {
				mu.Lock()
				ok = false
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return ok
}
