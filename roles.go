package campaignbot

import "strings"

// roleWords is the one role vocabulary of SPEC §1: for each role its
// Chinese words, the title first, and its English title. The roster, the
// plan, /announce, the catalog and the exports all read it.
var roleWords = map[Role]struct {
	zh []string
	en string
}{
	RoleMember:  {[]string{"党员干部", "党员"}, "member"},
	RoleMiddle:  {[]string{"中层干部"}, "middle manager"},
	RoleLeader:  {[]string{"班子成员", "分管领导"}, "leader"},
	RoleHead:    {[]string{"主要负责人"}, "head"},
	RoleLiaison: {[]string{"驻企指导员"}, "liaison"},
	RoleOffice:  {[]string{"领导小组办公室", "办公室"}, "office"},
}

// ParseRole returns the role that word names: its English key (member,
// middle, leader, head, liaison, office; any case) or one of its Chinese
// words (党员干部 or 党员, 中层干部, 班子成员 or 分管领导, 主要负责人,
// 驻企指导员, 领导小组办公室 or 办公室).
func ParseRole(word string) (Role, bool) {
	word = strings.TrimSpace(word)
	if r := Role(strings.ToLower(word)); r.Valid() {
		return r, true
	}
	for _, r := range AllRoles {
		for _, w := range roleWords[r].zh {
			if w == word {
				return r, true
			}
		}
	}
	return "", false
}

// Words returns every word ParseRole accepts for r: its key, then its
// Chinese words, the title first.
func (r Role) Words() []string {
	return append([]string{string(r)}, roleWords[r].zh...)
}

// RoleWords returns every word ParseRole accepts, role by role in the
// order of AllRoles, for help and error texts.
func RoleWords() []string {
	var ws []string
	for _, r := range AllRoles {
		ws = append(ws, r.Words()...)
	}
	return ws
}

// Title returns r's name for people to read: the English title when lang
// is English ("en", "en-US", …), else the Chinese one. An unknown role is
// shown as it is.
func (r Role) Title(lang string) string {
	w, ok := roleWords[r]
	switch {
	case !ok:
		return string(r)
	case strings.HasPrefix(strings.ToLower(lang), "en"):
		return w.en
	}
	return w.zh[0]
}

// LeadersInCharge maps each department to its leader in charge (分管领导):
// the person whose InChargeOf lists it. A department nobody lists has none
// and is absent. The roster import gives a department at most one such
// person; should people list the same department anyway, the lowest ID
// wins, so every caller picks the same one.
func LeadersInCharge(people []*Person) map[int64]int64 {
	m := map[int64]int64{}
	for _, p := range people {
		for _, d := range p.InChargeOf {
			if l, ok := m[d]; !ok || p.ID < l {
				m[d] = p.ID
			}
		}
	}
	return m
}
