package campaignbot_test

import (
	"errors"
	"testing"

	"campaignbot"
)

// TestProblemApply covers every rule of Problem.Apply: the changes it allows
// and, for each refusal, the rule named, its code and the problem as it stood.
func TestProblemApply(t *testing.T) {
	const filer, owner, other int64 = 1, 2, 3
	problem := func(status campaignbot.ProblemStatus, ownerID int64) campaignbot.Problem {
		return campaignbot.Problem{ID: 7, FilerID: filer, OwnerID: ownerID, Status: status}
	}
	ev := func(kind campaignbot.ProblemEventKind, actor, ownerID int64, text string) campaignbot.ProblemEvent {
		return campaignbot.ProblemEvent{ProblemID: 7, Kind: kind, ActorID: actor, OwnerID: ownerID, Text: text}
	}
	const (
		New      = campaignbot.ProblemNew
		Claimed  = campaignbot.ProblemClaimed
		Resolved = campaignbot.ProblemResolved
		Closed   = campaignbot.ProblemClosed
	)
	tests := []struct {
		name string
		p    campaignbot.Problem
		ev   campaignbot.ProblemEvent
		// want is the problem after the event; rule and code the refusal.
		want campaignbot.Problem
		rule campaignbot.ProblemRule
		code string
	}{
		{name: "claim", p: problem(New, 0), ev: ev(campaignbot.EventClaimed, owner, owner, ""), want: problem(Claimed, owner)},
		{name: "claim own again", p: problem(Claimed, owner), ev: ev(campaignbot.EventClaimed, owner, owner, ""), want: problem(Claimed, owner)},
		{name: "assign over an owner", p: problem(Claimed, owner), ev: ev(campaignbot.EventAssigned, other, other, ""), want: problem(Claimed, other)},
		{name: "assign resolved", p: problem(Resolved, owner), ev: ev(campaignbot.EventAssigned, other, other, ""), want: problem(Claimed, other)},
		{name: "progress", p: problem(Claimed, owner), ev: ev(campaignbot.EventProgress, owner, 0, "x"), want: problem(Claimed, owner)},
		{name: "resolve", p: problem(Claimed, owner), ev: ev(campaignbot.EventResolved, owner, 0, "x"), want: problem(Resolved, owner)},
		{name: "confirm", p: problem(Resolved, owner), ev: ev(campaignbot.EventConfirm, filer, 0, ""), want: problem(Closed, owner)},
		{name: "reopen resolved", p: problem(Resolved, owner), ev: ev(campaignbot.EventReopened, filer, 0, "x"), want: problem(Claimed, owner)},
		{name: "reopen closed", p: problem(Closed, owner), ev: ev(campaignbot.EventReopened, filer, 0, "x"), want: problem(Claimed, owner)},
		{name: "reopen unowned", p: problem(Resolved, 0), ev: ev(campaignbot.EventReopened, filer, 0, "x"), want: problem(New, 0)},

		{name: "claim closed", p: problem(Closed, owner), ev: ev(campaignbot.EventClaimed, other, other, ""), rule: campaignbot.RuleClosed, code: campaignbot.ECONFLICT},
		{name: "assign closed", p: problem(Closed, owner), ev: ev(campaignbot.EventAssigned, other, other, ""), rule: campaignbot.RuleClosed, code: campaignbot.ECONFLICT},
		{name: "claim for nobody", p: problem(New, 0), ev: ev(campaignbot.EventClaimed, owner, 0, ""), rule: campaignbot.RuleOwnerRequired, code: campaignbot.EINVALID},
		{name: "assign to nobody", p: problem(New, 0), ev: ev(campaignbot.EventAssigned, other, 0, ""), rule: campaignbot.RuleOwnerRequired, code: campaignbot.EINVALID},
		{name: "claim owned", p: problem(Claimed, owner), ev: ev(campaignbot.EventClaimed, other, other, ""), rule: campaignbot.RuleOwned, code: campaignbot.ECONFLICT},
		{name: "progress by another", p: problem(Claimed, owner), ev: ev(campaignbot.EventProgress, other, 0, "x"), rule: campaignbot.RuleNotOwner, code: campaignbot.EFORBIDDEN},
		{name: "resolve unowned", p: problem(New, 0), ev: ev(campaignbot.EventResolved, owner, 0, "x"), rule: campaignbot.RuleNotOwner, code: campaignbot.EFORBIDDEN},
		{name: "progress on resolved", p: problem(Resolved, owner), ev: ev(campaignbot.EventProgress, owner, 0, "x"), rule: campaignbot.RuleWrongStatus, code: campaignbot.ECONFLICT},
		{name: "resolve closed", p: problem(Closed, owner), ev: ev(campaignbot.EventResolved, owner, 0, "x"), rule: campaignbot.RuleWrongStatus, code: campaignbot.ECONFLICT},
		{name: "progress without text", p: problem(Claimed, owner), ev: ev(campaignbot.EventProgress, owner, 0, ""), rule: campaignbot.RuleTextRequired, code: campaignbot.EINVALID},
		{name: "resolve without text", p: problem(Claimed, owner), ev: ev(campaignbot.EventResolved, owner, 0, ""), rule: campaignbot.RuleTextRequired, code: campaignbot.EINVALID},
		{name: "confirm by the owner", p: problem(Resolved, owner), ev: ev(campaignbot.EventConfirm, owner, 0, ""), rule: campaignbot.RuleNotFiler, code: campaignbot.EFORBIDDEN},
		{name: "confirm unresolved", p: problem(Claimed, owner), ev: ev(campaignbot.EventConfirm, filer, 0, ""), rule: campaignbot.RuleWrongStatus, code: campaignbot.ECONFLICT},
		{name: "reopen by another", p: problem(Resolved, owner), ev: ev(campaignbot.EventReopened, other, 0, "x"), rule: campaignbot.RuleNotFiler, code: campaignbot.EFORBIDDEN},
		{name: "reopen in hand", p: problem(Claimed, owner), ev: ev(campaignbot.EventReopened, filer, 0, "x"), rule: campaignbot.RuleWrongStatus, code: campaignbot.ECONFLICT},
		{name: "reopen without reason", p: problem(Resolved, owner), ev: ev(campaignbot.EventReopened, filer, 0, ""), rule: campaignbot.RuleTextRequired, code: campaignbot.EINVALID},
		{name: "file again", p: problem(New, 0), ev: ev(campaignbot.EventFiled, filer, 0, "x"), rule: campaignbot.RuleUnknownEvent, code: campaignbot.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ev := tt.p, tt.ev
			err := p.Apply(&ev)
			if tt.rule == "" {
				if err != nil {
					t.Fatalf("Apply = %v, want success", err)
				}
				if got, want := p, tt.want; got.Status != want.Status || got.OwnerID != want.OwnerID {
					t.Errorf("after Apply: status %s owner %d, want status %s owner %d", got.Status, got.OwnerID, want.Status, want.OwnerID)
				}
				return
			}
			var r *campaignbot.ProblemRefusal
			if !errors.As(err, &r) {
				t.Fatalf("Apply = %v, want a ProblemRefusal", err)
			}
			want := campaignbot.ProblemRefusal{Rule: tt.rule, Kind: tt.ev.Kind, ProblemID: tt.p.ID,
				Status: tt.p.Status, OwnerID: tt.p.OwnerID, FilerID: tt.p.FilerID}
			if *r != want {
				t.Errorf("refusal = %+v, want %+v", *r, want)
			}
			if got := campaignbot.ErrorCode(err); got != tt.code {
				t.Errorf("ErrorCode = %s, want %s", got, tt.code)
			}
			if p.Status != tt.p.Status || p.OwnerID != tt.p.OwnerID {
				t.Errorf("refused Apply changed the problem to status %s owner %d", p.Status, p.OwnerID)
			}
		})
	}
}
