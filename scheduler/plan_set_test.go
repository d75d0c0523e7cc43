package scheduler

import (
	"context"
	"strings"
	"testing"

	"campaignbot"
)

// TestSetPlan moves a due date while the scheduler runs (a deadline moved:
// 延期): the warnings move with it.
func TestSetPlan(t *testing.T) {
	o := mustOrg(t)
	s := o.scheduler()
	ctx := context.Background()
	due := o.plan.FindTask("topic-speech").Due
	warned := func(day campaignbot.Date) bool {
		t.Helper()
		prompts, err := s.Preview(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range prompts {
			// A warning merged with others under the daily cap names
			// the task only in its text.
			if p.Kind == campaignbot.KindWarning && p.PersonName == "钱科长" &&
				(p.TaskKey == "topic-speech" || strings.Contains(p.Text, "专题发言")) {
				return true
			}
		}
		return false
	}
	if !warned(due.AddDays(-7)) {
		t.Fatalf("no warning for topic-speech on %s, 7 days before it is due", due.AddDays(-7))
	}

	later := due.AddDays(7)
	moved := *o.plan
	moved.Tasks = append([]campaignbot.Task(nil), o.plan.Tasks...)
	for i := range moved.Tasks {
		if moved.Tasks[i].Key == "topic-speech" {
			moved.Tasks[i].Due = later
		}
	}
	s.SetPlan(&moved)
	if warned(due.AddDays(-7)) {
		t.Errorf("a warning for topic-speech on %s after its due date moved to %s", due.AddDays(-7), later)
	}
	if !warned(later.AddDays(-7)) {
		t.Errorf("no warning for topic-speech on %s, 7 days before its new due date %s", later.AddDays(-7), later)
	}
}
