package store

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"campaignbot"
)

// TestRecordsAfterWithTwoWriters has two handles on one database (two
// replicas on PostgreSQL, two processes' pools on SQLite) store
// submissions at once while a reader goes on from the highest ID it has
// seen, as the scheduler's cache does: it must miss none. On PostgreSQL,
// IDs come from a sequence and would commit out of order but for the
// write lock every write transaction takes.
func TestRecordsAfterWithTwoWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "campaignbot.db")
	a := mustOpenPath(t, path)
	b := mustOpenPath(t, path)
	ids := importPeople(t, a, "甲", "乙")
	const each = 60
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i, db := range []*DB{a, b} {
		person := ids[[]string{"甲", "乙"}[i]]
		wg.Go(func() {
			for n := range each {
				s := &campaignbot.Submission{TaskKey: "study-notes", PersonID: person, Text: fmt.Sprint("笔记", n)}
				if err := db.CreateSubmission(ctx, s); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	seen := map[int64]bool{}
	var after int64
	read := func() {
		t.Helper()
		rs, _, err := a.FindSubmissionRecordsAfter(ctx, after, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if seen[r.ID] {
				t.Fatalf("record %d read twice", r.ID)
			}
			seen[r.ID] = true
			after = max(after, r.ID)
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			read()
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	read()
	if len(seen) != 2*each {
		t.Errorf("the reader saw %d submissions, want %d", len(seen), 2*each)
	}
}

// TestLanes: a lane one replica holds is not another's until released; on
// SQLite every lane is the one process's.
func TestLanes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "campaignbot.db")
	a, b := mustOpenPath(t, path).Lanes(), mustOpenPath(t, path).Lanes()
	defer a.Close()
	defer b.Close()
	if got, err := a.TryLock(ctx, []string{"telegram:1", "wecom:zhang"}); err != nil || len(got) != 2 {
		t.Fatalf("first replica got %v, %v; want both lanes", got, err)
	}
	got, err := b.TryLock(ctx, []string{"telegram:1", "telegram:2"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"telegram:2": true}
	if !onPostgres() {
		want["telegram:1"] = true
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("second replica got %v, want %v", got, want)
	}
	if err := a.ReleaseAll(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := b.TryLock(ctx, []string{"telegram:1"}); err != nil || !got["telegram:1"] {
		t.Errorf("after release the second replica got %v, %v", got, err)
	}
	if err := b.Release(ctx, "telegram:2"); err != nil {
		t.Fatal(err)
	}
	if got, err := a.TryLock(ctx, []string{"telegram:1", "telegram:2"}); err != nil || !got["telegram:2"] || got["telegram:1"] != !onPostgres() {
		t.Errorf("after the second replica let go of one lane the first got %v, %v", got, err)
	}
}

// TestLeaderTakeover: of two replicas one leads; when it stops, the other
// leads within LeaderRetry.
func TestLeaderTakeover(t *testing.T) {
	if !onPostgres() {
		t.Skip("PostgreSQL only: on SQLite one process leads")
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "campaignbot.db")
	a, b := mustOpenPath(t, path), mustOpenPath(t, path)
	actx, stopA := context.WithCancel(context.Background())
	bctx, stopB := context.WithCancel(context.Background())
	defer stopB()
	led := make(chan string, 2)
	waiting := make(chan struct{}, 2)
	lead := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			led <- name
			<-ctx.Done()
			return nil
		}
	}
	doneA := make(chan error, 1)
	go func() { doneA <- a.Lead(actx, nil, lead("a")) }()
	if got := <-led; got != "a" {
		t.Fatalf("%s leads, want a", got)
	}
	go b.Lead(bctx, func() { waiting <- struct{}{} }, lead("b"))
	<-waiting
	select {
	case got := <-led:
		t.Fatalf("%s leads beside a", got)
	case <-time.After(LeaderRetry + time.Second):
	}
	stopA()
	if err := <-doneA; err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	select {
	case got := <-led:
		if got != "b" {
			t.Fatalf("%s leads, want b", got)
		}
		t.Logf("b took over in %v", time.Since(start))
	case <-time.After(2*LeaderRetry + time.Second):
		t.Fatal("b did not take over")
	}
}

// TestPollLock: one replica at a time polls, and the poll lock is not the
// leader's: a replica that does not lead may poll.
func TestPollLock(t *testing.T) {
	if !onPostgres() {
		t.Skip("PostgreSQL only: on SQLite one process polls")
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "campaignbot.db")
	a, b, c := mustOpenPath(t, path), mustOpenPath(t, path), mustOpenPath(t, path)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	running := make(chan string, 3)
	hold := func(name string) func(context.Context) error {
		return func(ctx context.Context) error {
			running <- name
			<-ctx.Done()
			return nil
		}
	}
	go a.Lead(ctx, nil, hold("a leads"))
	if got := <-running; got != "a leads" {
		t.Fatalf("%s, want a leads", got)
	}
	bctx, stopB := context.WithCancel(ctx)
	doneB := make(chan error, 1)
	go func() { doneB <- b.Poll(bctx, nil, hold("b polls")) }()
	if got := <-running; got != "b polls" {
		t.Fatalf("%s, want b polls beside the leader", got)
	}
	waiting := make(chan struct{}, 1)
	go c.Poll(ctx, func() { waiting <- struct{}{} }, hold("c polls"))
	<-waiting
	select {
	case got := <-running:
		t.Fatalf("%s beside b", got)
	case <-time.After(LeaderRetry + time.Second):
	}
	stopB()
	if err := <-doneB; err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-running:
		if got != "c polls" {
			t.Fatalf("%s, want c polls", got)
		}
	case <-time.After(2*LeaderRetry + time.Second):
		t.Fatal("c did not take over the polling")
	}
}
