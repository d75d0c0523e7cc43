package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"campaignbot"
)

func TestApplyPlan(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	path := filepath.Join(t.TempDir(), "campaignbot.db")
	db := mustOpenPath(t, path, WithClock(clock))

	_, err := db.FindPlan(ctx)
	mustCode(t, err, campaignbot.ENOTFOUND)
	if v, err := db.FindPlanVersion(ctx); err != nil || v != 0 {
		t.Fatalf("version before any plan = %d, %v; want 0", v, err)
	}
	_, err = db.ApplyPlan(ctx, []byte(" \n"), "test")
	mustCode(t, err, campaignbot.EINVALID)

	first := []byte("title: 一\n# a comment the office wrote\n")
	p1, err := db.ApplyPlan(ctx, first, "plan apply one.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p1.Version != 1 || !p1.AppliedAt.Equal(clock.Now()) || p1.AppliedBy != "plan apply one.yaml" {
		t.Errorf("first apply = %+v", p1)
	}

	// The same source again is no new version.
	clock.Add(time.Hour)
	again, err := db.ApplyPlan(ctx, first, "run --plan one.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if again.Version != 1 || !again.AppliedAt.Equal(p1.AppliedAt) || again.AppliedBy != p1.AppliedBy {
		t.Errorf("same source applied again = %+v, want %+v", again, p1)
	}

	second := []byte("title: 二\n")
	p2, err := db.ApplyPlan(ctx, second, "plan apply two.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p2.Version != 2 || !p2.AppliedAt.Equal(clock.Now()) {
		t.Errorf("second apply = %+v", p2)
	}

	// Another handle on the file (another process) sees the plan in
	// force, byte for byte.
	other := mustOpenPath(t, path)
	got, err := other.FindPlan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(got.Source), string(second); got != want {
		t.Errorf("source = %q, want %q", got, want)
	}
	if got.Version != 2 || !got.AppliedAt.Equal(p2.AppliedAt) || got.AppliedBy != "plan apply two.yaml" {
		t.Errorf("plan in force = %+v", got)
	}
	if v, err := other.FindPlanVersion(ctx); err != nil || v != 2 {
		t.Errorf("version = %d, %v; want 2", v, err)
	}

	// Going back to the first source is a change like any other.
	p3, err := db.ApplyPlan(ctx, first, "plan apply one.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p3.Version != 3 {
		t.Errorf("first source applied after the second: version %d, want 3", p3.Version)
	}
}
