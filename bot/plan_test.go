package bot_test

import (
	"strings"
	"testing"

	"campaignbot"
)

// TestSetPlan moves the study phase's end while the engine runs: the next
// /tasks counts to the new end (a deadline moved: 延期).
func TestSetPlan(t *testing.T) {
	e := newEnv(t)
	study := e.plan.FindPhase("study")
	if got, want := e.send("member", "/tasks"), "to "+study.End.String(); !strings.Contains(got, want) {
		t.Fatalf("/tasks before the change lacks %q:\n%s", want, got)
	}

	moved := *e.plan
	moved.Phases = append([]campaignbot.Phase(nil), e.plan.Phases...)
	for i := range moved.Phases {
		if moved.Phases[i].Key == "study" {
			moved.Phases[i].End = study.End.AddDays(14)
		}
	}
	e.engine.SetPlan(&moved)
	if got, want := e.send("member", "/tasks"), "to "+study.End.AddDays(14).String(); !strings.Contains(got, want) {
		t.Fatalf("/tasks after SetPlan lacks %q:\n%s", want, got)
	}
}
