package campaignbot_test

import (
	"slices"
	"testing"

	"campaignbot"
)

func TestParseRole(t *testing.T) {
	for _, tt := range []struct {
		word string
		want campaignbot.Role
	}{
		{"member", campaignbot.RoleMember}, {"党员干部", campaignbot.RoleMember}, {"党员", campaignbot.RoleMember},
		{"Middle", campaignbot.RoleMiddle}, {"中层干部", campaignbot.RoleMiddle},
		{"leader", campaignbot.RoleLeader}, {"班子成员", campaignbot.RoleLeader}, {"分管领导", campaignbot.RoleLeader},
		{" head ", campaignbot.RoleHead}, {"主要负责人", campaignbot.RoleHead},
		{"liaison", campaignbot.RoleLiaison}, {"驻企指导员", campaignbot.RoleLiaison},
		{"office", campaignbot.RoleOffice}, {"领导小组办公室", campaignbot.RoleOffice}, {"办公室", campaignbot.RoleOffice},
	} {
		if got, ok := campaignbot.ParseRole(tt.word); !ok || got != tt.want {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", tt.word, got, ok, tt.want)
		}
	}
	for _, word := range []string{"", "党", "boss", "科技管理科", "member leader"} {
		if got, ok := campaignbot.ParseRole(word); ok {
			t.Errorf("ParseRole(%q) = %q; want no role", word, got)
		}
	}
}

// Every word a role lists parses back to that role, and no word names two.
func TestRoleWords(t *testing.T) {
	seen := map[string]campaignbot.Role{}
	for _, r := range campaignbot.AllRoles {
		for _, w := range r.Words() {
			if got, ok := campaignbot.ParseRole(w); !ok || got != r {
				t.Errorf("ParseRole(%q) = %q, %v; want %q", w, got, ok, r)
			}
			if prev, ok := seen[w]; ok {
				t.Errorf("%q names both %q and %q", w, prev, r)
			}
			seen[w] = r
		}
		if zh, en := r.Title("zh"), r.Title("en"); zh == "" || en == "" || !slices.Contains(r.Words(), zh) {
			t.Errorf("%q: titles %q, %q", r, zh, en)
		}
	}
	if got, want := len(campaignbot.RoleWords()), len(seen); got != want {
		t.Errorf("RoleWords has %d words, want %d", got, want)
	}
	if got, want := campaignbot.RoleLeader.Title("zh"), "班子成员"; got != want {
		t.Errorf("leader's title = %q, want %q", got, want)
	}
	if got, want := campaignbot.RoleMiddle.Title("en"), "middle manager"; got != want {
		t.Errorf("middle's English title = %q, want %q", got, want)
	}
}

func TestLeadersInCharge(t *testing.T) {
	people := []*campaignbot.Person{
		{ID: 7, InChargeOf: []int64{1, 2}},
		{ID: 3, InChargeOf: []int64{2}}, // a second claim: the lower ID wins
		{ID: 5},
		{ID: 9, InChargeOf: []int64{4}},
	}
	got := campaignbot.LeadersInCharge(people)
	want := map[int64]int64{1: 7, 2: 3, 4: 9}
	if len(got) != len(want) {
		t.Fatalf("LeadersInCharge = %v, want %v", got, want)
	}
	for d, l := range want {
		if got[d] != l {
			t.Errorf("leader of %d = %d, want %d", d, got[d], l)
		}
	}
}
