package scheduler

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"campaignbot"
	"campaignbot/chart"
)

// Digest list lengths: a digest names the first few and points to the
// command that shows the rest.
const (
	digestOverdueLines  = 10
	digestDeptLines     = 10
	digestProblemLines  = 5
	digestReviewLines   = 10
	digestUnboundLines  = 10
	overdueListMaxLines = 300
)

// digestRun is what one digest run reads, shared by every digest it renders.
type digestRun struct {
	s        *Scheduler
	plan     *campaignbot.Plan // the plan in force when the run began
	day      campaignbot.Date
	d        *data
	obs      []campaignbot.Obligation
	reviews  []*campaignbot.Submission
	problems []*campaignbot.Problem
	ledger   []*campaignbot.LedgerItem
	surveyed map[string]int
	leaderOf map[int64]int64 // department → leader in charge
}

// newDigestRun loads what digests of day need, once. Its callers hold
// s.heavy while they use it.
func (s *Scheduler) newDigestRun(ctx context.Context, day campaignbot.Date) (*digestRun, error) {
	d, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	r := &digestRun{s: s, plan: s.plan.Load(), day: day, d: d, leaderOf: campaignbot.LeadersInCharge(d.people)}
	r.obs, r.reviews = d.obligations(r.plan, day, false), d.inReview
	if r.problems, err = s.store.FindProblems(ctx, campaignbot.ProblemFilter{}); err != nil {
		return nil, fmt.Errorf("digest problems: %w", err)
	}
	if r.ledger, err = s.store.FindLedgerItems(ctx); err != nil {
		return nil, fmt.Errorf("digest ledger: %w", err)
	}
	if r.surveyed, err = s.store.CountSurveyParticipants(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// scope is what one reader's digest covers.
type scope struct {
	reader *campaignbot.Person
	all    bool           // head and office: everything
	depts  map[int64]bool // a leader's departments
	office bool
	head   bool
}

func (r *digestRun) scopeOf(personID int64) (*scope, error) {
	p := r.d.byID[personID]
	if p == nil {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "person %d not found", personID)
	}
	sc := &scope{reader: p, depts: map[int64]bool{}, office: p.HasRole(campaignbot.RoleOffice), head: p.HasRole(campaignbot.RoleHead)}
	sc.all = sc.office || sc.head
	if p.HasRole(campaignbot.RoleLeader) {
		for dep, l := range r.leaderOf {
			if l == p.ID {
				sc.depts[dep] = true
			}
		}
	}
	if !sc.all && !p.HasRole(campaignbot.RoleLeader) {
		return nil, campaignbot.Errorf(campaignbot.EFORBIDDEN, "the digest is for leaders, the head and the office")
	}
	return sc, nil
}

func (sc *scope) covers(dept int64) bool { return sc.all || sc.depts[dept] }

// Digest renders the digest of day for the person: everything for the head
// and the office, the departments in their charge for a leader. Others get
// EFORBIDDEN. `/digest`, `campaignbot digest` and the daily job share it.
func (s *Scheduler) Digest(ctx context.Context, forPersonID int64, day campaignbot.Date) (string, error) {
	s.heavy.Lock()
	defer s.heavy.Unlock()
	r, err := s.newDigestRun(ctx, day)
	if err != nil {
		return "", err
	}
	return r.render(forPersonID)
}

// DigestWithChart is Digest with the completion chart the daily job
// attaches, for `/digest` on platforms that show images.
func (s *Scheduler) DigestWithChart(ctx context.Context, forPersonID int64, day campaignbot.Date) (string, []campaignbot.Attachment, error) {
	s.heavy.Lock()
	defer s.heavy.Unlock()
	r, err := s.newDigestRun(ctx, day)
	if err != nil {
		return "", nil, err
	}
	text, ch, err := r.renderWithChart(forPersonID)
	if err != nil {
		return "", nil, err
	}
	files, err := s.chartFile(ctx, ch, day)
	return text, files, err
}

// runDigests sends today's digest to every leader, head and office member,
// once, when its time has come.
func (s *Scheduler) runDigests(ctx context.Context, now time.Time) error {
	s.jobs.Lock()
	defer s.jobs.Unlock()
	p := s.plan.Load()
	today := campaignbot.DateOf(now, p.Loc())
	m := s.minuteOf(now)
	if m < p.Policy.DigestAt || p.Policy.InQuiet(m) {
		return nil
	}
	last, ok, err := s.lastDay(ctx, JobDigest, now)
	if err != nil {
		return err
	}
	if ok && last >= today {
		return nil
	}
	msgs, err := s.digestMessages(ctx, today)
	if err != nil {
		return err
	}
	n, err := s.enqueueRun(ctx, msgs, JobDigest, now)
	if err != nil {
		return fmt.Errorf("record digest run: %w", err)
	}
	s.logger.Info("digests enqueued", "day", today, "new", n)
	return nil
}

// SendDigests enqueues day's digest for every leader, head and office
// member who is bound and not on leave; it returns how many rows were new.
func (s *Scheduler) SendDigests(ctx context.Context, day campaignbot.Date) (int, error) {
	msgs, err := s.digestMessages(ctx, day)
	if err != nil {
		return 0, err
	}
	return s.enqueue(ctx, msgs)
}

// digestMessages renders day's digests as outbox messages.
func (s *Scheduler) digestMessages(ctx context.Context, day campaignbot.Date) ([]*campaignbot.OutboxMessage, error) {
	s.heavy.Lock()
	defer s.heavy.Unlock()
	r, err := s.newDigestRun(ctx, day)
	if err != nil {
		return nil, err
	}
	byPerson := map[int64][]*campaignbot.Account{}
	for _, a := range r.d.accounts {
		byPerson[a.PersonID] = append(byPerson[a.PersonID], a)
	}
	now := outsideQuiet(s.clock.Now(), r.plan)
	var msgs []*campaignbot.OutboxMessage
	for _, p := range r.d.people {
		if len(byPerson[p.ID]) == 0 || r.onLeave(p.ID) ||
			!(p.HasRole(campaignbot.RoleLeader) || p.HasRole(campaignbot.RoleHead) || p.HasRole(campaignbot.RoleOffice)) {
			continue
		}
		text, ch, err := r.renderWithChart(p.ID)
		if err != nil {
			return nil, err
		}
		files, err := s.chartFile(ctx, ch, day)
		if err != nil {
			return nil, err
		}
		for _, a := range byPerson[p.ID] {
			msgs = append(msgs, &campaignbot.OutboxMessage{
				Key:      fmt.Sprintf("%s:%d:%s:%s", campaignbot.KindDigest, p.ID, day, a.Platform),
				Platform: a.Platform, ChatID: a.ChatID, PersonID: p.ID, Kind: campaignbot.KindDigest,
				Text: text, Files: files, NextAt: now,
			})
		}
	}
	return msgs, nil
}

func (r *digestRun) onLeave(personID int64) bool {
	for _, l := range r.d.leaves {
		if l.PersonID == personID && l.Covers(r.day) {
			return true
		}
	}
	return false
}

// tally is done out of owed; review of the rest wait for their reviewer.
type tally struct{ done, owed, review int }

func (c catalog) tally(t tally) string {
	if t.owed == 0 {
		return "0/0"
	}
	return c.t("digest.tally", t.done, t.owed, percent(t.done, t.owed))
}

// percent is done out of owed in whole percent, rounded half up: 2/3 is 67.
func percent(done, owed int) int { return (done*200 + owed) / (2 * owed) }

func (r *digestRun) render(personID int64) (string, error) {
	text, _, err := r.renderWithChart(personID)
	return text, err
}

// renderWithChart renders the digest for a person and the chart of the
// departments' completion it lists (nil before and after the phases).
func (r *digestRun) renderWithChart(personID int64) (string, *chart.Chart, error) {
	sc, err := r.scopeOf(personID)
	if err != nil {
		return "", nil, err
	}
	c, plan, day := r.s.cat, r.plan, r.day
	var b strings.Builder
	line := func(key string, args ...any) { b.WriteString(c.t(key, args...)); b.WriteByte('\n') }

	line("digest.title", day, sc.reader.Name)
	// First what asks the reader to act (SPEC §5).
	r.renderReviews(&b, sc)
	r.renderToAct(&b, sc)
	ph := plan.PhaseAt(day)
	switch {
	case ph != nil:
		line("digest.phase", c.phase(ph), ph.Start, ph.End, int(ph.End-day))
	case day < plan.Start:
		line("digest.before", int(plan.Start-day))
	default:
		line("digest.after")
	}

	ch := r.renderCompletion(&b, sc, ph)
	r.renderOverdue(&b, sc)
	r.renderProblems(&b, sc)
	r.renderSurveys(&b)
	r.renderLedger(&b, sc)
	if sc.office {
		r.renderUnbound(&b)
	}
	return strings.TrimRight(b.String(), "\n"), ch, nil
}

// renderCompletion writes completion by task and by department and returns
// the departments' chart, its bars in the order of the text.
func (r *digestRun) renderCompletion(b *strings.Builder, sc *scope, ph *campaignbot.Phase) *chart.Chart {
	if ph == nil {
		return nil
	}
	c := r.s.cat
	type deptTask struct {
		task string
		dept int64
	}
	byTask := map[string]*tally{}
	byDept := map[int64]*tally{}
	seenDept := map[deptTask]bool{}
	for i := range r.obs {
		o := &r.obs[i]
		t := r.plan.FindTask(o.TaskKey) // surveys have their own line
		p := r.d.byID[o.PersonID]
		if t == nil || t.Phase != ph.Key || p == nil || !sc.covers(p.DepartmentID) {
			continue
		}
		// A per-department task is owed once by the department.
		if o.DepartmentID != 0 {
			k := deptTask{o.TaskKey, o.DepartmentID}
			if seenDept[k] {
				continue
			}
			seenDept[k] = true
		}
		for _, tl := range []*tally{get(byTask, o.TaskKey), get(byDept, p.DepartmentID)} {
			tl.owed++
			switch o.Status {
			case campaignbot.StatusDone:
				tl.done++
			case campaignbot.StatusInReview:
				tl.review++
			}
		}
	}
	if len(byTask) == 0 {
		return nil
	}
	b.WriteString(c.t("digest.completion") + "\n")
	for i := range r.plan.Tasks {
		t := &r.plan.Tasks[i]
		if tl := byTask[t.Key]; tl != nil {
			review := ""
			if tl.review > 0 {
				review = c.t("digest.task.review", tl.review)
			}
			b.WriteString(c.t("digest.task", c.task(t), c.tally(*tl)) + review + "\n")
		}
	}
	depts := make([]int64, 0, len(byDept))
	for id := range byDept {
		depts = append(depts, id)
	}
	// Least complete first: those are the ones to chase.
	slices.SortFunc(depts, func(a, b int64) int {
		ta, tb := byDept[a], byDept[b]
		return cmp.Or(cmp.Compare(ta.done*tb.owed, tb.done*ta.owed), cmp.Compare(a, b))
	})
	var parts []string
	ch := &chart.Chart{
		Title:    c.t("digest.chart.title", c.phase(ph)),
		Subtitle: c.t("digest.chart.subtitle", r.day),
	}
	for i, id := range depts[:min(len(depts), digestDeptLines)] {
		name := fmt.Sprint(id)
		if dep := r.d.deptByID[id]; dep != nil {
			name = dep.Name
		}
		tl := byDept[id]
		// Numbered as the chart's bars are, top to bottom.
		parts = append(parts, fmt.Sprintf("%d.%s %s", i+1, name, c.tally(*tl)))
		value := "0/0"
		if tl.owed > 0 {
			value = c.t("digest.chart.value", tl.done, tl.owed, percent(tl.done, tl.owed))
		}
		ch.Bars = append(ch.Bars, chart.Bar{Label: name, Value: value, Done: tl.done, Owed: tl.owed})
	}
	more := ""
	if n := len(depts) - digestDeptLines; n > 0 {
		more = c.t("digest.more", n)
		ch.Note = c.t("digest.chart.more", n)
	}
	b.WriteString(c.t("digest.depts", strings.Join(parts, c.t("list.sep")), more) + "\n")
	return ch
}

func get[K comparable](m map[K]*tally, k K) *tally {
	t := m[k]
	if t == nil {
		t = &tally{}
		m[k] = t
	}
	return t
}

// overdueIn returns the overdue obligations in scope, grouped by person:
// most overdue person first. A closed survey is not listed: nobody can act
// on it any more, and its participation has a line of its own.
func (r *digestRun) overdueIn(sc *scope) [][]*campaignbot.Obligation {
	byPerson := map[int64][]*campaignbot.Obligation{}
	for i := range r.obs {
		o := &r.obs[i]
		if o.Status != campaignbot.StatusOverdue || r.plan.FindTask(o.TaskKey) == nil {
			continue
		}
		if p := r.d.byID[o.PersonID]; p != nil && sc.covers(p.DepartmentID) {
			byPerson[o.PersonID] = append(byPerson[o.PersonID], o)
		}
	}
	out := make([][]*campaignbot.Obligation, 0, len(byPerson))
	for _, list := range byPerson {
		slices.SortFunc(list, func(a, b *campaignbot.Obligation) int {
			return cmp.Or(cmp.Compare(a.Due, b.Due), cmp.Compare(a.TaskKey, b.TaskKey))
		})
		out = append(out, list)
	}
	slices.SortFunc(out, func(a, b []*campaignbot.Obligation) int {
		return cmp.Or(cmp.Compare(a[0].Due, b[0].Due), cmp.Compare(a[0].PersonID, b[0].PersonID))
	})
	return out
}

// overdueLine is one person's overdue work on one line: each task once,
// with the number of weeks for a weekly one, and the longest delay.
func (r *digestRun) overdueLine(list []*campaignbot.Obligation) string {
	c := r.s.cat
	p := r.d.byID[list[0].PersonID]
	var keys []string
	weeks := map[string]int{}
	for _, o := range list {
		if weeks[o.TaskKey] == 0 {
			keys = append(keys, o.TaskKey)
		}
		weeks[o.TaskKey]++
	}
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		t := r.plan.FindTask(k)
		if t.Cardinality == campaignbot.EveryWeek {
			parts = append(parts, c.t("digest.overdue.weeks", c.task(t), weeks[k]))
		} else {
			parts = append(parts, c.t("digest.overdue.task", c.task(t)))
		}
	}
	return c.t("digest.overdue.line", p.Name, p.Department, strings.Join(parts, c.t("list.sep")), int(r.day-list[0].Due))
}

func (r *digestRun) renderOverdue(b *strings.Builder, sc *scope) {
	c := r.s.cat
	list := r.overdueIn(sc)
	if len(list) == 0 {
		b.WriteString(c.t("digest.overdue.none") + "\n")
		return
	}
	b.WriteString(c.t("digest.overdue", len(list)) + "\n")
	for _, l := range list[:min(len(list), digestOverdueLines)] {
		b.WriteString(r.overdueLine(l) + "\n")
	}
	if n := len(list) - digestOverdueLines; n > 0 {
		b.WriteString(c.t("digest.overdue.more", n) + "\n")
	}
}

// reviewsFor returns the versions waiting for personID's review: those of
// departments in their charge, and, for the head, those reviewed by the head.
func (r *digestRun) reviewsFor(personID int64) []*campaignbot.Submission {
	var out []*campaignbot.Submission
	reader := r.d.byID[personID]
	for _, s := range r.reviews {
		t := r.plan.FindTask(s.TaskKey)
		if t == nil {
			continue
		}
		dept := s.DepartmentID
		if author := r.d.byID[s.PersonID]; dept == 0 && author != nil {
			dept = author.DepartmentID
		}
		switch t.Review {
		case campaignbot.ReviewLeaderInCharge:
			if r.leaderOf[dept] == personID {
				out = append(out, s)
			}
		case campaignbot.ReviewHead:
			if reader.HasRole(campaignbot.RoleHead) {
				out = append(out, s)
			}
		}
	}
	return out
}

func (r *digestRun) renderReviews(b *strings.Builder, sc *scope) {
	c := r.s.cat
	list := r.reviewsFor(sc.reader.ID)
	if len(list) == 0 {
		return
	}
	b.WriteString(c.t("digest.reviews", len(list)) + "\n")
	loc := r.plan.Loc()
	for _, s := range list[:min(len(list), digestReviewLines)] {
		name, dept := "?", "?"
		if p := r.d.byID[s.PersonID]; p != nil {
			name, dept = p.Name, p.Department
		}
		b.WriteString(c.t("digest.review.line", c.task(r.plan.FindTask(s.TaskKey)), dept, name, s.Version,
			int(r.day-campaignbot.DateOf(s.SubmittedAt, loc))) + "\n")
	}
}

// renderToAct lists the problems that wait for the reader: for a leader or
// the head, those they own and have not resolved (their hard problems);
// for the head and the office, those nobody has claimed.
func (r *digestRun) renderToAct(b *strings.Builder, sc *scope) {
	c := r.s.cat
	var mine, unowned []string
	for _, p := range r.problems {
		switch {
		case p.OwnerID == sc.reader.ID && (p.Status == campaignbot.ProblemClaimed || p.Status == campaignbot.ProblemNew):
			mine = append(mine, fmt.Sprintf("#%d %s", p.ID, p.Enterprise))
		case p.OwnerID == 0 && p.Status == campaignbot.ProblemNew:
			unowned = append(unowned, fmt.Sprintf("#%d", p.ID))
		}
	}
	if len(mine) > 0 {
		b.WriteString(c.t("digest.act.mine", len(mine), strings.Join(mine[:min(len(mine), digestProblemLines)], c.t("list.sep"))) + "\n")
	}
	if len(unowned) > 0 && (sc.all || sc.reader.HasRole(campaignbot.RoleLeader)) {
		b.WriteString(c.t("digest.act.unowned", len(unowned), strings.Join(unowned[:min(len(unowned), digestProblemLines)], c.t("list.sep"))) + "\n")
	}
}

func (r *digestRun) renderProblems(b *strings.Builder, sc *scope) {
	c := r.s.cat
	loc := r.plan.Loc()
	var fresh, open, young, mid, old int
	var overdue []*campaignbot.Problem
	for _, p := range r.problems {
		// A leader sees the problems they own and those nobody owns yet.
		if !sc.all && p.OwnerID != sc.reader.ID && p.OwnerID != 0 {
			continue
		}
		filed := campaignbot.DateOf(p.CreatedAt, loc)
		if filed >= r.day-1 {
			fresh++
		}
		if p.Status == campaignbot.ProblemClosed {
			continue
		}
		open++
		switch age := int(r.day - filed); {
		case age < 7:
			young++
		case age <= 30:
			mid++
		default:
			old++
		}
		if p.Due < r.day && p.Status != campaignbot.ProblemResolved {
			overdue = append(overdue, p)
		}
	}
	if fresh+open == 0 {
		return
	}
	b.WriteString(c.t("digest.problems", fresh, open, young, mid, old, len(overdue)) + "\n")
	if line := r.problemsByTeam(sc); line != "" {
		b.WriteString(line + "\n")
	}
	slices.SortFunc(overdue, func(a, b *campaignbot.Problem) int { return cmp.Or(cmp.Compare(a.Due, b.Due), cmp.Compare(a.ID, b.ID)) })
	for _, p := range overdue[:min(len(overdue), digestProblemLines)] {
		late := int(r.day - p.Due)
		if owner := r.d.byID[p.OwnerID]; owner != nil {
			b.WriteString(c.t("digest.problem.owned", p.ID, p.Enterprise, p.Category, late, owner.Name) + "\n")
		} else {
			b.WriteString(c.t("digest.problem.unowned", p.ID, p.Enterprise, p.Category, late, p.ID) + "\n")
		}
	}
	if n := len(overdue) - digestProblemLines; n > 0 {
		b.WriteString(c.t("digest.more.line", n) + "\n")
	}
}

// problemsByTeam counts the open problems the reader sees per help team
// (帮扶组), "" when no problem names a team.
func (r *digestRun) problemsByTeam(sc *scope) string {
	c := r.s.cat
	counts := map[string]int{}
	for _, p := range r.problems {
		if p.Status == campaignbot.ProblemClosed || (!sc.all && p.OwnerID != sc.reader.ID && p.OwnerID != 0) {
			continue
		}
		counts[p.Team]++
	}
	if len(counts) == 0 || (len(counts) == 1 && counts[""] > 0) {
		return ""
	}
	var parts []string
	for _, t := range campaignbot.HelpTeams {
		parts = append(parts, c.t("digest.problems.team", t, counts[t]))
		delete(counts, t)
	}
	others := slices.Sorted(maps.Keys(counts))
	for _, t := range others {
		name := t
		if t == "" {
			name = c.t("digest.problems.no_team")
		}
		parts = append(parts, c.t("digest.problems.team", name, counts[t]))
	}
	return c.t("digest.problems.teams", strings.Join(parts, c.t("list.sep")))
}

func (r *digestRun) renderSurveys(b *strings.Builder) {
	c := r.s.cat
	for i := range r.plan.Surveys {
		sv := &r.plan.Surveys[i]
		from, to := sv.From, sv.To
		if ph := r.plan.FindPhase(sv.Phase); ph != nil {
			if from == 0 {
				from = ph.Start
			}
			if to == 0 {
				to = ph.End
			}
		}
		if r.day < from || r.day > to {
			continue
		}
		audience := 0
		for _, p := range r.d.people {
			if len(sv.Roles) == 0 || slices.ContainsFunc(sv.Roles, p.HasRole) {
				audience++
			}
		}
		n := r.surveyed[sv.Key]
		pct := 0
		if audience > 0 {
			pct = percent(n, audience)
		}
		b.WriteString(c.t("digest.survey", c.pick(sv.Title, sv.TitleEn), n, audience, pct, to) + "\n")
	}
}

func (r *digestRun) renderLedger(b *strings.Builder, sc *scope) {
	n := map[campaignbot.LedgerStatus]int{}
	total := 0
	for _, it := range r.ledger {
		if sc.all || it.OwnerID == sc.reader.ID {
			n[it.Status]++
			total++
		}
	}
	if total == 0 {
		return
	}
	b.WriteString(r.s.cat.t("digest.ledger", n[campaignbot.LedgerOpen], n[campaignbot.LedgerInProgress], n[campaignbot.LedgerDone]) + "\n")
}

func (r *digestRun) renderUnbound(b *strings.Builder) {
	c := r.s.cat
	var unbound, unreachable, invisible []string
	for _, p := range r.d.people {
		if len(r.d.bound[p.ID]) == 0 {
			unbound = append(unbound, p.Name)
		}
		// On WeCom a refusal means the member is outside the app's visible
		// range (可见范围), which only an administrator changes; elsewhere
		// the person blocked the bot and a message from them clears it.
		blocked := false
		for _, pl := range p.Unreachable {
			if pl == campaignbot.PlatformWeCom {
				invisible = append(invisible, p.Name)
			} else {
				blocked = true
			}
		}
		if blocked {
			unreachable = append(unreachable, p.Name)
		}
	}
	for _, g := range []struct {
		key   string
		names []string
	}{{"digest.unbound", unbound}, {"digest.unreachable", unreachable}, {"fault.digest.wecom_unreachable", invisible}} {
		if len(g.names) == 0 {
			continue
		}
		more := ""
		if n := len(g.names) - digestUnboundLines; n > 0 {
			more = c.t("digest.more", n)
		}
		b.WriteString(c.t(g.key, len(g.names), strings.Join(g.names[:min(len(g.names), digestUnboundLines)], c.t("list.sep")), more) + "\n")
	}
}

// OverdueFor lists everyone overdue on day in the departments the leader is
// in charge of (everyone, for the head and the office), for `/overdue`.
func (s *Scheduler) OverdueFor(ctx context.Context, leaderID int64, day campaignbot.Date) (string, error) {
	s.heavy.Lock()
	defer s.heavy.Unlock()
	r, err := s.newDigestRun(ctx, day)
	if err != nil {
		return "", err
	}
	sc, err := r.scopeOf(leaderID)
	if err != nil {
		return "", err
	}
	list := r.overdueIn(sc)
	if len(list) == 0 {
		return s.cat.t("digest.overdue.none"), nil
	}
	var b strings.Builder
	b.WriteString(s.cat.t("digest.overdue.title", day, len(list)) + "\n")
	// Grouped by department, most overdue first within each.
	slices.SortStableFunc(list, func(a, b []*campaignbot.Obligation) int {
		return cmp.Compare(r.d.byID[a[0].PersonID].Department, r.d.byID[b[0].PersonID].Department)
	})
	dept := ""
	for i, l := range list {
		if i == overdueListMaxLines {
			b.WriteString(s.cat.t("digest.more.line", len(list)-i) + "\n")
			break
		}
		if p := r.d.byID[l[0].PersonID]; p.Department != dept {
			dept = p.Department
			b.WriteString(s.cat.t("digest.overdue.dept", dept) + "\n")
		}
		b.WriteString(r.overdueLine(l) + "\n")
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

// chartFile stores the completion chart of a digest as an attachment; the
// same chart (the same bytes) is stored once. With fewer than two bars
// there is no chart (an empty list): one bar says no more than the text.
func (s *Scheduler) chartFile(ctx context.Context, ch *chart.Chart, day campaignbot.Date) ([]campaignbot.Attachment, error) {
	if ch == nil || len(ch.Bars) < 2 {
		return []campaignbot.Attachment{}, nil
	}
	data, err := chart.Render(*ch)
	if err != nil {
		return nil, err
	}
	att, err := s.store.SaveAttachment(ctx, "digest-"+day.String()+".png", "image/png", data)
	if err != nil {
		return nil, fmt.Errorf("save chart: %w", err)
	}
	return []campaignbot.Attachment{*att}, nil
}
