package scheduler

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"campaignbot"
)

// maxCatchUpDays bounds how far back a catch-up looks.
const maxCatchUpDays = 31

// ReminderInput is everything ComputeReminders reads.
type ReminderInput struct {
	Plan *campaignbot.Plan
	// Day is the day the reminders are sent.
	Day campaignbot.Date
	// From is the first day to compute when catching up after downtime;
	// 0 (or any day not before Day) computes Day alone.
	From campaignbot.Date
	// Now is when the messages are enqueued; their NextAt is Now, moved
	// past the quiet hours if it falls inside them.
	Now      time.Time
	People   []*campaignbot.Person
	Accounts []*campaignbot.Account
	// Obligations are computed as of Day (campaignbot.Obligations).
	Obligations []campaignbot.Obligation
	Leaves      []campaignbot.Leave
	// GroupPlatforms are the platforms with a campaign group chat
	// configured; phase announcements also go there.
	GroupPlatforms []campaignbot.Platform
	// Lang is "en" for English, anything else for Chinese.
	Lang string
}

// Prompt is one message to one recipient that the reminders job enqueues,
// with why, for previews. It carries one outbox row per bound account of the
// recipient (none when the person has bound no account).
type Prompt struct {
	Kind campaignbot.OutboxKind
	// Day is the day it fell due; before the run day only in a catch-up.
	Day        campaignbot.Date
	PersonID   int64 // 0 for the campaign group
	PersonName string
	// TaskKey is set for prompts about one task.
	TaskKey  string
	Reason   string
	Text     string
	Messages []*campaignbot.OutboxMessage
}

// candidate is a warning or overdue reminder before the daily cap.
type candidate struct {
	kind     campaignbot.OutboxKind
	day      campaignbot.Date
	ob       *campaignbot.Obligation
	task     *campaignbot.Task
	overdue  int // days overdue on day (negative: days left)
	nth      int // which overdue reminder
	personID int64
}

// escalation is one overdue obligation reported to a leader.
type escalation struct {
	leaderID int64
	ob       *campaignbot.Obligation
	task     *campaignbot.Task
}

// reminderIndex holds the lookups ComputeReminders builds once.
type reminderIndex struct {
	in       *ReminderInput
	cat      catalog
	people   map[int64]*campaignbot.Person
	accounts map[int64][]*campaignbot.Account
	leaves   map[int64][]campaignbot.Leave
	leaderOf map[int64]int64 // department → leader in charge
	heads    []int64
	nextAt   time.Time
}

// ComputeReminders returns the prompts that fall due on in.Day (and, when
// catching up, on every day from in.From): deadline warnings, overdue
// reminders, escalations to the leader in charge, and phase start and end
// announcements. It is pure and reads nothing but in.
//
// The rules, with the policy of each task:
//   - a warning WarnDays before Due, and an overdue reminder on days
//     Due+1, Due+1+OverdueEvery, … (at most OverdueMax), to each person
//     whose obligation is not done and whose period has begun;
//   - on day Due+EscalateAfter, the obligation is reported privately to
//     the leader in charge of the person's department (to the head when
//     there is none, or when it is the person), one message per leader a
//     day listing every such obligation;
//   - on a phase's first and last day, an announcement to everyone whom its
//     tasks or surveys concern, and to each group chat in GroupPlatforms;
//   - nothing to anyone on leave on in.Day (or on the day it fell due);
//     on the first day back, a warning for what falls due within the
//     longest warning period (a due date the leave moved falls due then);
//   - at most Plan.Policy.DailyCap warnings and overdue reminders a person
//     (0: no cap), most urgent first (earliest due date first, so overdue
//     before warnings); when there are more, the last allowed message folds
//     the rest into one list with a submit button per task. Escalations and
//     announcements do not count toward the cap.
//
// When catching up over several days, only the latest prompt per person,
// task and period is kept (three missed overdue reminders become one, keyed
// by the latest day), phase starts are announced only while the phase is
// still on, and phase ends only on the day itself.
//
// Idempotency keys are "<kind>:<task>:<person>:<day>[:<period start>]:<platform>"
// for prompts; "fold:<person>:<day>:<platform>", "escalation:<leader>:<day>:<platform>",
// "phase_start:<phase>:<person|group>:<day>:<platform>" (and phase_end) for
// the rest. The platform is part of every key because a person bound on two
// platforms gets the prompt on both.
func ComputeReminders(in ReminderInput) []Prompt {
	if in.Plan == nil {
		return nil
	}
	x := newReminderIndex(&in)
	from := in.Day
	if in.From != 0 && in.From < in.Day {
		from = max(in.From, in.Day-maxCatchUpDays)
	}

	var out []Prompt
	for d := from; d <= in.Day; d++ {
		out = append(out, x.phasePrompts(d)...)
	}

	// Latest candidate per (person, task, period) over the days.
	type obKey struct {
		person int64
		task   string
		period campaignbot.Date
	}
	latest := make(map[obKey]candidate)
	var escalations []escalation
	for i := range in.Obligations {
		ob := &in.Obligations[i]
		// Handed in and waiting for its reviewer is not the author's to chase.
		if ob.Status == campaignbot.StatusDone || ob.Status == campaignbot.StatusInReview {
			continue
		}
		t := in.Plan.FindOwed(ob.TaskKey)
		if t == nil || x.onLeave(ob.PersonID, in.Day) {
			continue
		}
		pol := t.Policy
		for d := from; d <= in.Day; d++ {
			if ob.PeriodStart > d || x.onLeave(ob.PersonID, d) {
				continue
			}
			late := int(d - ob.Due)
			if late > 0 && t.SatisfiedBy == campaignbot.SatisfiedBySurvey {
				break // a closed survey can no longer be answered
			}
			c := candidate{day: d, ob: ob, task: t, overdue: late, personID: ob.PersonID}
			switch {
			case late < 0 && slices.Contains(pol.WarnDays, -late):
				c.kind = campaignbot.KindWarning
			case late <= 0 && len(pol.WarnDays) > 0 && -late <= slices.Max(pol.WarnDays) && x.onLeave(ob.PersonID, d-1):
				// Back from leave, which held the warnings (or moved the
				// due date to today): one now.
				c.kind = campaignbot.KindWarning
			case late >= 1 && pol.OverdueEvery > 0 && (late-1)%pol.OverdueEvery == 0 && (late-1)/pol.OverdueEvery < pol.OverdueMax:
				c.kind, c.nth = campaignbot.KindOverdue, (late-1)/pol.OverdueEvery+1
			}
			if c.kind != "" {
				latest[obKey{ob.PersonID, ob.TaskKey, ob.PeriodStart}] = c
			}
			if pol.EscalateAfter > 0 && late == pol.EscalateAfter {
				if l := x.leaderFor(ob.PersonID); l != 0 {
					escalations = append(escalations, escalation{l, ob, t})
				}
			}
		}
	}

	byPerson := make(map[int64][]candidate)
	for _, c := range latest {
		byPerson[c.personID] = append(byPerson[c.personID], c)
	}
	ids := make([]int64, 0, len(byPerson))
	for id := range byPerson {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		out = append(out, x.capped(byPerson[id])...)
	}
	out = append(out, x.escalationPrompts(escalations)...)
	return out
}

func newReminderIndex(in *ReminderInput) *reminderIndex {
	x := &reminderIndex{
		in:       in,
		cat:      newCatalog(in.Lang),
		people:   make(map[int64]*campaignbot.Person, len(in.People)),
		accounts: make(map[int64][]*campaignbot.Account, len(in.Accounts)),
		leaves:   make(map[int64][]campaignbot.Leave),
		leaderOf: campaignbot.LeadersInCharge(in.People),
		nextAt:   outsideQuiet(in.Now, in.Plan),
	}
	for _, p := range in.People {
		x.people[p.ID] = p
		if p.HasRole(campaignbot.RoleHead) {
			x.heads = append(x.heads, p.ID)
		}
	}
	slices.Sort(x.heads)
	for _, a := range in.Accounts {
		x.accounts[a.PersonID] = append(x.accounts[a.PersonID], a)
	}
	for _, l := range in.Leaves {
		x.leaves[l.PersonID] = append(x.leaves[l.PersonID], l)
	}
	return x
}

func (x *reminderIndex) onLeave(personID int64, d campaignbot.Date) bool {
	for _, l := range x.leaves[personID] {
		if l.Covers(d) {
			return true
		}
	}
	return false
}

// leaderFor returns who hears of personID's overdue work: the leader in
// charge of their department, or the head when there is none or it is the
// person themselves; 0 when nobody can be told (or they are on leave).
func (x *reminderIndex) leaderFor(personID int64) int64 {
	p := x.people[personID]
	if p == nil {
		return 0
	}
	l := x.leaderOf[p.DepartmentID]
	if l == 0 || l == personID {
		l = 0
		for _, h := range x.heads {
			if h != personID {
				l = h
				break
			}
		}
	}
	if l == 0 || x.onLeave(l, x.in.Day) {
		return 0
	}
	return l
}

// capped applies the daily cap to one person's candidates.
func (x *reminderIndex) capped(cs []candidate) []Prompt {
	slices.SortFunc(cs, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.ob.Due, b.ob.Due), cmp.Compare(a.task.Key, b.task.Key), cmp.Compare(a.ob.PeriodStart, b.ob.PeriodStart))
	})
	limit := x.in.Plan.Policy.DailyCap
	if limit <= 0 || len(cs) <= limit {
		out := make([]Prompt, 0, len(cs))
		for _, c := range cs {
			out = append(out, x.prompt(c))
		}
		return out
	}
	out := make([]Prompt, 0, limit)
	for _, c := range cs[:limit-1] {
		out = append(out, x.prompt(c))
	}
	return append(out, x.fold(cs[limit-1:], limit))
}

func (x *reminderIndex) period(ob *campaignbot.Obligation, t *campaignbot.Task) string {
	if t.Cardinality != campaignbot.EveryWeek {
		return ""
	}
	return x.cat.t("remind.week", ob.PeriodStart, ob.PeriodEnd)
}

func (x *reminderIndex) prompt(c candidate) Prompt {
	title, week := x.cat.task(c.task), x.period(c.ob, c.task)
	var text, reason string
	switch {
	case c.task.SatisfiedBy == campaignbot.SatisfiedBySurvey:
		k, _ := campaignbot.SurveyOf(c.task.Key)
		text = x.cat.t("remind.survey.warn", title, -c.overdue, c.ob.Due, k)
		reason = x.cat.t("remind.reason.warn", title, -c.overdue)
	case c.task.SatisfiedBy == campaignbot.SatisfiedByClaim && c.kind == campaignbot.KindOverdue:
		text = x.cat.t("remind.claim.overdue", title, c.overdue, c.ob.Due)
		reason = x.cat.t("remind.reason.overdue", title, c.overdue, c.nth)
	case c.task.SatisfiedBy == campaignbot.SatisfiedByClaim:
		text = x.cat.t("remind.claim.warn", title, -c.overdue, c.ob.Due)
		reason = x.cat.t("remind.reason.warn", title, -c.overdue)
	case c.kind == campaignbot.KindOverdue:
		text = x.cat.t("remind.overdue", title+week, c.overdue, c.ob.Due)
		reason = x.cat.t("remind.reason.overdue", title+week, c.overdue, c.nth)
	case c.overdue == 0:
		text = x.cat.t("remind.warn.0", title+week, c.ob.Due)
		reason = x.cat.t("remind.reason.warn", title+week, 0)
	case c.overdue == -1:
		text = x.cat.t("remind.warn.1", title+week, c.ob.Due)
		reason = x.cat.t("remind.reason.warn", title+week, 1)
	default:
		text = x.cat.t("remind.warn", title+week, -c.overdue, c.ob.Due)
		reason = x.cat.t("remind.reason.warn", title+week, -c.overdue)
	}
	key := fmt.Sprintf("%s:%s:%d:%s", c.kind, c.task.Key, c.personID, c.day)
	if c.task.Cardinality == campaignbot.EveryWeek {
		key += ":" + c.ob.PeriodStart.String()
	}
	p := Prompt{Kind: c.kind, Day: c.day, PersonID: c.personID, TaskKey: c.task.Key, Reason: reason, Text: text}
	if c.task.SatisfiedBy != campaignbot.SatisfiedBySubmission {
		p.TaskKey = "" // a reply to it submits nothing: its button says what to do
	}
	x.address(&p, key, [][]campaignbot.Button{{x.submitButton(c.task, c.ob, c.day)}})
	return p
}

// submitButton is the button that does what a prompt asks: open the
// survey, list the problems to claim, or submit — for a missed week, for
// that week.
func (x *reminderIndex) submitButton(t *campaignbot.Task, ob *campaignbot.Obligation, day campaignbot.Date) campaignbot.Button {
	switch {
	case t.SatisfiedBy == campaignbot.SatisfiedBySurvey:
		k, _ := campaignbot.SurveyOf(t.Key)
		return campaignbot.Button{Text: x.cat.t("remind.survey") + " " + x.cat.task(t), Data: "/survey " + k}
	case t.SatisfiedBy == campaignbot.SatisfiedByClaim:
		return campaignbot.Button{Text: x.cat.t("remind.claim"), Data: "/problems"}
	case t.Cardinality == campaignbot.EveryWeek && ob.PeriodEnd < day:
		return campaignbot.Button{Text: x.cat.t("remind.submit") + " " + x.cat.task(t) + x.period(ob, t), Data: "/submit " + t.Key + " " + ob.PeriodStart.String()}
	}
	return campaignbot.Button{Text: x.cat.t("remind.submit") + " " + x.cat.task(t), Data: "/submit " + t.Key}
}

// fold makes one message of the candidates beyond the cap, with a submit
// button for each task.
func (x *reminderIndex) fold(cs []candidate, limit int) Prompt {
	var lines []string
	var buttons [][]campaignbot.Button
	seen := map[string]bool{}
	kind := campaignbot.KindWarning
	for _, c := range cs {
		title, week := x.cat.task(c.task), x.period(c.ob, c.task)
		if c.kind == campaignbot.KindOverdue {
			kind = campaignbot.KindOverdue
			lines = append(lines, x.cat.t("remind.fold.overdue", title+week, c.overdue))
		} else {
			lines = append(lines, x.cat.t("remind.fold.warn", title+week, -c.overdue))
		}
		b := x.submitButton(c.task, c.ob, c.day)
		if !seen[b.Data] {
			seen[b.Data] = true
			buttons = append(buttons, []campaignbot.Button{b})
		}
	}
	p := Prompt{
		Kind: kind, Day: x.in.Day, PersonID: cs[0].personID,
		Reason: x.cat.t("remind.reason.fold", len(cs), limit),
		Text:   x.cat.t("remind.fold", len(cs), strings.Join(lines, "\n")),
	}
	// One task folded alone is still a prompt for that task.
	if len(seen) == 1 && cs[0].task.SatisfiedBy == campaignbot.SatisfiedBySubmission &&
		!slices.ContainsFunc(cs, func(o candidate) bool { return o.task.Key != cs[0].task.Key }) {
		p.TaskKey = cs[0].task.Key
	}
	x.address(&p, fmt.Sprintf("fold:%d:%s", p.PersonID, x.in.Day), buttons)
	return p
}

func (x *reminderIndex) escalationPrompts(es []escalation) []Prompt {
	byLeader := make(map[int64][]escalation)
	for _, e := range es {
		byLeader[e.leaderID] = append(byLeader[e.leaderID], e)
	}
	leaders := make([]int64, 0, len(byLeader))
	for id := range byLeader {
		leaders = append(leaders, id)
	}
	slices.Sort(leaders)
	var out []Prompt
	for _, id := range leaders {
		list := byLeader[id]
		slices.SortFunc(list, func(a, b escalation) int {
			return cmp.Or(cmp.Compare(a.ob.Due, b.ob.Due), cmp.Compare(a.ob.PersonID, b.ob.PersonID), cmp.Compare(a.task.Key, b.task.Key))
		})
		// A per-department task is one line per department, naming its owers.
		type lineKey struct {
			task   string
			period campaignbot.Date
			who    int64
		}
		var lines []string
		var keys []lineKey
		names := map[lineKey][]string{}
		first := map[lineKey]escalation{}
		after := 0
		for _, e := range list {
			k := lineKey{e.task.Key, e.ob.PeriodStart, e.ob.PersonID}
			if e.ob.DepartmentID != 0 {
				k.who = -e.ob.DepartmentID
			}
			if _, ok := first[k]; !ok {
				first[k] = e
				keys = append(keys, k)
			}
			names[k] = append(names[k], x.people[e.ob.PersonID].Name)
			after = e.task.Policy.EscalateAfter
		}
		for _, k := range keys {
			e := first[k]
			late := int(x.in.Day - e.ob.Due)
			lines = append(lines, x.cat.t("remind.escalate.line", strings.Join(names[k], x.cat.t("list.sep")),
				x.people[e.ob.PersonID].Department, x.cat.task(e.task)+x.period(e.ob, e.task), late))
		}
		pr := Prompt{
			Kind: campaignbot.KindEscalation, Day: x.in.Day, PersonID: id,
			Reason: x.cat.t("remind.reason.escalate", len(list), after),
			Text:   x.cat.t("remind.escalate", after, strings.Join(lines, "\n")),
		}
		x.address(&pr, fmt.Sprintf("escalation:%d:%s", id, x.in.Day), nil)
		out = append(out, pr)
	}
	return out
}

// phasePrompts announces the phases that start or end on d.
func (x *reminderIndex) phasePrompts(d campaignbot.Date) []Prompt {
	var out []Prompt
	for i := range x.in.Plan.Phases {
		ph := &x.in.Plan.Phases[i]
		var kind campaignbot.OutboxKind
		var text, reason string
		switch {
		case ph.Start == d && ph.End >= x.in.Day:
			kind = campaignbot.KindPhaseStart
			var lines []string
			for j := range x.in.Plan.Tasks {
				t := &x.in.Plan.Tasks[j]
				if t.Phase == ph.Key {
					due := t.Due
					if due == 0 {
						due = ph.End
					}
					lines = append(lines, x.cat.t("remind.phase.start.task", x.cat.task(t), due))
				}
			}
			for j := range x.in.Plan.Surveys {
				if sv := &x.in.Plan.Surveys[j]; sv.Phase == ph.Key {
					lines = append(lines, x.cat.t("remind.phase.start.survey", x.cat.pick(sv.Title, sv.TitleEn), sv.From, sv.To, sv.Key))
				}
			}
			text = x.cat.t("remind.phase.start", x.cat.phase(ph), ph.Start, ph.End, strings.Join(lines, "\n"))
			reason = x.cat.t("remind.reason.phase.start", x.cat.phase(ph))
		case ph.End == d && d == x.in.Day:
			kind = campaignbot.KindPhaseEnd
			text = x.cat.t("remind.phase.end", x.cat.phase(ph))
			reason = x.cat.t("remind.reason.phase.end", x.cat.phase(ph))
		default:
			continue
		}
		roles, everyone := x.phaseAudience(ph.Key)
		for _, p := range x.in.People {
			if x.onLeave(p.ID, x.in.Day) || !everyone && !slices.ContainsFunc(p.Roles, func(g campaignbot.RoleGrant) bool { return roles[g.Role] }) {
				continue
			}
			pr := Prompt{Kind: kind, Day: d, PersonID: p.ID, Reason: reason, Text: text}
			x.address(&pr, fmt.Sprintf("%s:%s:%d:%s", kind, ph.Key, p.ID, d), nil)
			out = append(out, pr)
		}
		if len(x.in.GroupPlatforms) > 0 {
			pr := Prompt{Kind: kind, Day: d, Reason: reason + x.cat.t("remind.reason.group"), Text: text}
			for _, pl := range x.in.GroupPlatforms {
				pr.Messages = append(pr.Messages, x.message(&pr, fmt.Sprintf("%s:%s:group:%s:%s", kind, ph.Key, d, pl), pl, GroupChat, nil))
			}
			out = append(out, pr)
		}
	}
	return out
}

// phaseAudience returns the roles a phase's tasks and surveys concern; a
// survey without roles concerns everyone.
func (x *reminderIndex) phaseAudience(phase string) (map[campaignbot.Role]bool, bool) {
	roles := map[campaignbot.Role]bool{}
	for _, t := range x.in.Plan.Tasks {
		if t.Phase == phase {
			for _, r := range t.Roles {
				roles[r] = true
			}
		}
	}
	for _, s := range x.in.Plan.Surveys {
		if s.Phase == phase {
			if len(s.Roles) == 0 {
				return roles, true
			}
			for _, r := range s.Roles {
				roles[r] = true
			}
		}
	}
	return roles, false
}

// address fills p's name and one outbox row per account of the person.
func (x *reminderIndex) address(p *Prompt, key string, buttons [][]campaignbot.Button) {
	if person := x.people[p.PersonID]; person != nil {
		p.PersonName = person.Name
	}
	for _, a := range x.accounts[p.PersonID] {
		p.Messages = append(p.Messages, x.message(p, key+":"+string(a.Platform), a.Platform, a.ChatID, buttons))
	}
}

func (x *reminderIndex) message(p *Prompt, key string, pl campaignbot.Platform, chat string, buttons [][]campaignbot.Button) *campaignbot.OutboxMessage {
	return &campaignbot.OutboxMessage{
		Key: key, Platform: pl, ChatID: chat, PersonID: p.PersonID,
		Kind: p.Kind, TaskKey: p.TaskKey, Text: p.Text, Buttons: buttons,
		Status: campaignbot.OutboxPending, NextAt: x.nextAt, CreatedAt: x.in.Now,
	}
}

// outsideQuiet returns t, or the end of the plan's quiet hours if t falls
// inside them.
func outsideQuiet(t time.Time, plan *campaignbot.Plan) time.Time {
	loc, pol := plan.Loc(), plan.Policy
	lt := t.In(loc)
	m := campaignbot.Clocktime(lt.Hour()*60 + lt.Minute())
	if !pol.InQuiet(m) {
		return t
	}
	day := campaignbot.DateOf(t, loc)
	if m >= pol.QuietEnd {
		// Quiet hours wrap midnight and t is before it: they end tomorrow.
		day++
	}
	return day.Time(loc).Add(time.Duration(pol.QuietEnd) * time.Minute)
}
