package scheduler

import (
	"context"
	"testing"
	"time"

	"campaignbot"
)

// TestRunMaintenanceOncePerNight: the maintenance runs once a day, not
// before MaintainAt, and drops an anonymous dialog untouched for longer
// than AnonymousDialogIdle.
func TestRunMaintenanceOncePerNight(t *testing.T) {
	ctx := context.Background()
	o := mustOrg(t)
	s := o.scheduler()
	day := o.plan.Start.AddDays(3)
	loc := o.plan.Loc()
	o.clock.Set(at(day, 0, loc).Add(-2 * time.Hour))
	d := &campaignbot.Dialog{Platform: campaignbot.PlatformConsole, AccountID: "console0", Name: "opinion", Step: "text",
		State: campaignbot.DialogState{Anonymous: true}}
	if err := o.st.SaveDialog(ctx, d); err != nil {
		t.Fatal(err)
	}
	dialog := func() string {
		d, err := o.st.FindDialog(ctx, campaignbot.PlatformConsole, "console0")
		if err != nil {
			return err.Error()
		}
		return d.Name
	}

	if err := s.RunMaintenance(ctx, at(day, MaintainAt-1, loc)); err != nil {
		t.Fatal(err)
	}
	if got, want := dialog(), "opinion"; got != want {
		t.Fatalf("before %s the dialog is %q, want %q", MaintainAt, got, want)
	}
	if err := s.RunMaintenance(ctx, at(day, MaintainAt, loc)); err != nil {
		t.Fatal(err)
	}
	if got, want := dialog(), campaignbot.DialogAnonymousExpired; got != want {
		t.Fatalf("after the maintenance the dialog is %q, want %q", got, want)
	}
	last, err := o.st.LastRun(ctx, JobMaintenance)
	if err != nil || !last.Equal(at(day, MaintainAt, loc)) {
		t.Fatalf("last run = %s, %v", last, err)
	}
	// Later the same day: nothing runs again.
	if err := s.RunMaintenance(ctx, at(day, 23*60, loc)); err != nil {
		t.Fatal(err)
	}
	if last2, _ := o.st.LastRun(ctx, JobMaintenance); !last2.Equal(last) {
		t.Errorf("ran twice in a day: %s then %s", last, last2)
	}
}
