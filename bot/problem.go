package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"campaignbot"
)

// Steps of the problem dialog. The review-comment step lives under the same
// dialog name because continueDialog hands the "problem" dialog to
// problemStep.
const (
	stepEnterprise    = "enterprise"
	stepCategory      = "category"
	stepTeam          = "team"
	stepDescription   = "description"
	stepPhotos        = "photos"
	stepReviewComment = "review-comment"
)

// Limits of a problem report.
const (
	maxEnterpriseLen = 100
	maxProblemPhotos = 20
	maxProblemList   = 50
)

// problemDoneWords end the photo step; the dialog's button sends the first.
var problemDoneWords = []string{"完成", "done", "/done", "好了", "结束", "ok"}

// cmdProblem starts the problem dialog; "/problem ENTERPRISE" skips the
// first question. With a number, it shows that problem.
func (e *Engine) cmdProblem(ctx context.Context, c *Context) error {
	arg := strings.TrimSpace(c.Args)
	if id, ok := parseNumber(arg); ok {
		return e.showProblem(ctx, c, id)
	}
	var st campaignbot.DialogState
	if err := e.absorbProblemInput(c, &st); err != nil {
		return err
	}
	if arg == "" {
		return e.problemAsk(ctx, c, stepEnterprise, st)
	}
	if n := utf8.RuneCountInString(arg); n > maxEnterpriseLen {
		return c.userError(campaignbot.EINVALID, "err.too_long", n, maxEnterpriseLen)
	}
	st.Enterprise = arg
	return e.problemAsk(ctx, c, stepCategory, st)
}

// problemAsk saves the dialog at step and asks its question.
func (e *Engine) problemAsk(ctx context.Context, c *Context, step string, st campaignbot.DialogState) error {
	if err := e.saveDialog(ctx, c, dialogProblem, step, st); err != nil {
		return err
	}
	switch step {
	case stepEnterprise:
		c.Reply("problem.ask_enterprise")
	case stepCategory:
		var rows [][]campaignbot.Button
		var row []campaignbot.Button
		for i, cat := range campaignbot.ProblemCategories {
			row = append(row, campaignbot.Button{Text: fmt.Sprintf("%d. %s", i+1, cat), Data: cat})
			if len(row) == 3 {
				rows, row = append(rows, row), nil
			}
		}
		if len(row) > 0 {
			rows = append(rows, row)
		}
		c.ReplyButtons(rows, "problem.ask_category", st.Enterprise)
	case stepTeam:
		var row []campaignbot.Button
		for i, t := range campaignbot.HelpTeams {
			row = append(row, campaignbot.Button{Text: fmt.Sprintf("%d. %s", i+1, t), Data: t})
		}
		c.ReplyButtons([][]campaignbot.Button{row}, "problem.ask_team")
	case stepDescription:
		c.Reply("problem.ask_description")
	case stepPhotos:
		c.ReplyButtons(problemDoneButtons(c), "problem.ask_photos", len(st.Photos), e.locationNote(c, st))
	}
	return nil
}

func problemDoneButtons(c *Context) [][]campaignbot.Button {
	return [][]campaignbot.Button{{{Text: c.T("problem.done_button"), Data: problemDoneWords[0]}}}
}

// locationNote says whether the report carries a location.
func (e *Engine) locationNote(c *Context, st campaignbot.DialogState) string {
	if st.Latitude != nil {
		return c.T("problem.has_location")
	}
	return c.T("problem.no_location")
}

// absorbProblemInput adds the request's attachments and location to the
// report being written, whatever the step.
func (e *Engine) absorbProblemInput(c *Context, st *campaignbot.DialogState) error {
	if len(st.Photos)+len(c.Req.Attachments) > maxProblemPhotos {
		return c.userError(campaignbot.EINVALID, "problem.too_many_photos", maxProblemPhotos)
	}
	st.Photos = append(st.Photos, c.Req.Attachments...)
	if l := c.Req.Location; l != nil {
		if l.Latitude < -90 || l.Latitude > 90 || l.Longitude < -180 || l.Longitude > 180 {
			return c.userError(campaignbot.EINVALID, "problem.bad_location")
		}
		lat, lon := l.Latitude, l.Longitude
		st.Latitude, st.Longitude = &lat, &lon
	}
	return nil
}

// problemStep takes the next answer of the problem dialog.
func (e *Engine) problemStep(ctx context.Context, c *Context) error {
	d := c.Dialog
	st := d.State
	if err := e.absorbProblemInput(c, &st); err != nil {
		return err
	}
	got := len(c.Req.Attachments) > 0 || c.Req.Location != nil
	text := c.Text
	switch d.Step {
	case stepEnterprise:
		if text == "" {
			return e.problemReask(ctx, c, d.Step, st, got)
		}
		if n := utf8.RuneCountInString(text); n > maxEnterpriseLen {
			return c.userError(campaignbot.EINVALID, "err.too_long", n, maxEnterpriseLen)
		}
		st.Enterprise = text
		return e.problemAsk(ctx, c, stepCategory, st)
	case stepCategory:
		if text == "" {
			return e.problemReask(ctx, c, d.Step, st, got)
		}
		cat, ok := parseCategory(text)
		if !ok {
			c.Reply("problem.bad_category", text)
			return e.problemAsk(ctx, c, stepCategory, st)
		}
		st.Category = cat
		return e.problemAsk(ctx, c, stepTeam, st)
	case stepTeam:
		if text == "" {
			return e.problemReask(ctx, c, d.Step, st, got)
		}
		team, ok := parseTeam(text)
		if !ok {
			c.Reply("problem.bad_team", text)
			return e.problemAsk(ctx, c, stepTeam, st)
		}
		st.Team = team
		return e.problemAsk(ctx, c, stepDescription, st)
	case stepDescription:
		if text == "" {
			return e.problemReask(ctx, c, d.Step, st, got)
		}
		if n := utf8.RuneCountInString(text); n > MaxTextLen {
			return c.userError(campaignbot.EINVALID, "err.too_long", n, MaxTextLen)
		}
		st.Description = text
		return e.problemAsk(ctx, c, stepPhotos, st)
	case stepPhotos:
		if slices.Contains(problemDoneWords, strings.ToLower(text)) {
			return e.fileProblem(ctx, c, st)
		}
		if text != "" {
			desc := st.Description + "\n" + text
			if n := utf8.RuneCountInString(desc); n > MaxTextLen {
				return c.userError(campaignbot.EINVALID, "err.too_long", n, MaxTextLen)
			}
			st.Description = desc
		}
		if err := e.saveDialog(ctx, c, dialogProblem, stepPhotos, st); err != nil {
			return err
		}
		key := "problem.photos_so_far"
		if text != "" && !got {
			key = "problem.description_added"
		}
		c.ReplyButtons(problemDoneButtons(c), key, len(st.Photos), e.locationNote(c, st))
		return nil
	}
	if err := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); err != nil {
		return fmt.Errorf("delete dialog: %w", err)
	}
	return c.userError(campaignbot.EINVALID, "problem.lost")
}

// problemReask keeps what came without text (photos, a location) and asks
// the current question again.
func (e *Engine) problemReask(ctx context.Context, c *Context, step string, st campaignbot.DialogState, got bool) error {
	if got {
		c.Reply("problem.got_files", len(st.Photos), e.locationNote(c, st))
	}
	return e.problemAsk(ctx, c, step, st)
}

// parseTeam accepts a help team's name or its number (1-based).
func parseTeam(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(campaignbot.HelpTeams) {
		return campaignbot.HelpTeams[n-1], true
	}
	if slices.Contains(campaignbot.HelpTeams, s) {
		return s, true
	}
	return "", false
}

// parseCategory accepts a category's name or its number (1-based).
func parseCategory(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(campaignbot.ProblemCategories) {
		return campaignbot.ProblemCategories[n-1], true
	}
	if slices.Contains(campaignbot.ProblemCategories, s) {
		return s, true
	}
	return "", false
}

// fileProblem stores the report, ends the dialog, answers with the
// problem's number and tells the office, the head and the leaders.
func (e *Engine) fileProblem(ctx context.Context, c *Context, st campaignbot.DialogState) error {
	p := &campaignbot.Problem{
		FilerID:     c.Person.ID,
		Enterprise:  st.Enterprise,
		Category:    st.Category,
		Team:        st.Team,
		Description: strings.TrimSpace(st.Description),
		Photos:      st.Photos,
		Latitude:    st.Latitude,
		Longitude:   st.Longitude,
	}
	if p.Enterprise == "" || p.Category == "" || p.Description == "" {
		if err := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); err != nil {
			return fmt.Errorf("delete dialog: %w", err)
		}
		return c.userError(campaignbot.EINVALID, "problem.lost")
	}
	if err := e.store.CreateProblem(ctx, p); err != nil {
		return fmt.Errorf("create problem: %w", err)
	}
	if err := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); err != nil {
		return fmt.Errorf("delete dialog: %w", err)
	}
	c.Reply("problem.filed", p.ID, p.Enterprise, p.Category, len(p.Photos), p.Due, p.ID)
	return e.tellNewProblem(ctx, c, p)
}

// tellNewProblem tells the head, the office and every leader of a new
// problem; those who may claim it get a button for it.
func (e *Engine) tellNewProblem(ctx context.Context, c *Context, p *campaignbot.Problem) error {
	people, err := e.store.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return fmt.Errorf("find people: %w", err)
	}
	text := c.T("problem.notice_new", c.Person.Name, p.ID, p.Enterprise, p.Category, excerpt(p.Description, 200), len(p.Photos))
	for _, x := range people {
		if x.ID == p.FilerID {
			continue
		}
		canClaim := x.HasRole(campaignbot.RoleLeader) || x.HasRole(campaignbot.RoleHead)
		if !canClaim && !x.HasRole(campaignbot.RoleOffice) {
			continue
		}
		var buttons [][]campaignbot.Button
		body := text
		if canClaim {
			buttons = [][]campaignbot.Button{{{Text: c.T("problem.claim_button", p.ID), Data: fmt.Sprintf("/claim %d", p.ID)}}}
		}
		if x.HasRole(campaignbot.RoleHead) || x.HasRole(campaignbot.RoleOffice) {
			body += "\n" + c.T("problem.notice_assign_hint", p.ID)
		}
		key := fmt.Sprintf("notice:problem:%d:%d", p.ID, x.ID)
		if err := e.tell(ctx, c, x.ID, campaignbot.KindNotice, key, body, buttons); err != nil {
			return err
		}
	}
	return nil
}

// parseNumber reads a positive number (a problem, report or ledger item), "12" or "#12".
func parseNumber(s string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
	return id, err == nil && id > 0
}

// problemArgs splits "N REST" and finds problem N, answering clearly when
// the number is missing, malformed or unknown.
func (e *Engine) problemArgs(ctx context.Context, c *Context) (*campaignbot.Problem, string, error) {
	usage := "problem.usage." + c.cmdName()
	first, rest, _ := strings.Cut(strings.TrimSpace(c.Args), " ")
	if first == "" {
		return nil, "", c.userError(campaignbot.EINVALID, usage)
	}
	id, ok := parseNumber(first)
	if !ok {
		return nil, "", c.userError(campaignbot.EINVALID, "problem.bad_number", first, c.T(usage))
	}
	p, err := e.store.FindProblemByID(ctx, id)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return nil, "", c.userError(campaignbot.ENOTFOUND, "problem.not_found", id)
	} else if err != nil {
		return nil, "", fmt.Errorf("find problem: %w", err)
	}
	return p, strings.TrimSpace(rest), nil
}

// personNames maps person ids to names, for lists.
func (e *Engine) personNames(ctx context.Context) (map[int64]string, error) {
	people, err := e.store.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return nil, fmt.Errorf("find people: %w", err)
	}
	names := make(map[int64]string, len(people))
	for _, p := range people {
		names[p.ID] = p.Name
	}
	return names, nil
}

// nameOf returns a person's name, or the catalog's "nobody".
func (e *Engine) nameOf(ctx context.Context, c *Context, id int64) string {
	if id == 0 {
		return c.T("problem.nobody")
	}
	p, err := e.store.FindPersonByID(ctx, id)
	if err != nil {
		return "#" + strconv.FormatInt(id, 10)
	}
	return p.Name
}

// addProblemEvent appends ev and answers the rule that refused it, if one
// did, with its message; nothing changes when it fails.
func (e *Engine) addProblemEvent(ctx context.Context, c *Context, ev *campaignbot.ProblemEvent) (*campaignbot.Problem, error) {
	np, err := e.store.AddProblemEvent(ctx, ev)
	var r *campaignbot.ProblemRefusal
	switch {
	case err == nil:
		return np, nil
	case campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND:
		return nil, c.userError(campaignbot.ENOTFOUND, "problem.not_found", ev.ProblemID)
	case !errors.As(err, &r):
		return nil, fmt.Errorf("add problem event: %w", err)
	}
	code := campaignbot.ErrorCode(err)
	switch r.Rule {
	case campaignbot.RuleNotFiler:
		// Who filed a problem is the filer's to tell: the refusal
		// names nobody.
		return nil, c.userError(code, "problem.not_filer", r.ProblemID)
	case campaignbot.RuleNotOwner:
		return nil, c.userError(code, "problem.not_owner", r.ProblemID, e.nameOf(ctx, c, r.OwnerID))
	case campaignbot.RuleOwned:
		return nil, c.userError(code, "problem.already_owned", r.ProblemID, e.nameOf(ctx, c, r.OwnerID))
	case campaignbot.RuleClosed, campaignbot.RuleWrongStatus:
		return nil, c.userError(code, "problem.wrong_state."+string(r.Kind), r.ProblemID, c.T("pstatus."+string(r.Status)))
	}
	// RuleOwnerRequired, RuleTextRequired, RuleUnknownEvent: the command
	// was not used as it should be.
	return nil, c.userError(code, "problem.usage."+c.cmdName())
}

// tellProblemChange tells the filer, the owner and (when it changed) the
// previous owner of ev — never the actor.
func (e *Engine) tellProblemChange(ctx context.Context, c *Context, p *campaignbot.Problem, ev *campaignbot.ProblemEvent, prevOwner int64) error {
	actor := c.Person.Name
	type note struct {
		to      int64
		text    string
		buttons [][]campaignbot.Button
	}
	var notes []note
	add := func(to int64, text string, buttons [][]campaignbot.Button) {
		if to == 0 || to == ev.ActorID || slices.ContainsFunc(notes, func(n note) bool { return n.to == to }) {
			return
		}
		notes = append(notes, note{to, text, buttons})
	}
	switch ev.Kind {
	case campaignbot.EventClaimed:
		add(p.FilerID, c.T("problem.notice_claimed", p.ID, p.Enterprise, actor), nil)
	case campaignbot.EventAssigned:
		owner := e.nameOf(ctx, c, p.OwnerID)
		add(p.OwnerID, c.T("problem.notice_assigned_owner", p.ID, p.Enterprise, actor, excerpt(p.Description, 200), p.Due, p.ID, p.ID), nil)
		add(p.FilerID, c.T("problem.notice_assigned_filer", p.ID, p.Enterprise, owner), nil)
		if prevOwner != p.OwnerID {
			add(prevOwner, c.T("problem.notice_reassigned", p.ID, p.Enterprise, owner), nil)
		}
	case campaignbot.EventProgress:
		add(p.FilerID, c.T("problem.notice_progress", p.ID, p.Enterprise, actor, ev.Text), nil)
	case campaignbot.EventResolved:
		buttons := [][]campaignbot.Button{{{Text: c.T("problem.confirm_button", p.ID), Data: fmt.Sprintf("/confirm %d", p.ID)}}}
		text := c.T("problem.notice_resolved", p.ID, p.Enterprise, actor, ev.Text)
		if n := len(ev.Attachments); n > 0 {
			text += "\n" + c.T("problem.notice_evidence", n, p.ID)
		}
		add(p.FilerID, text+"\n"+c.T("problem.notice_confirm_hint", p.ID), buttons)
	case campaignbot.EventConfirm:
		add(p.OwnerID, c.T("problem.notice_confirmed", p.ID, p.Enterprise, actor), nil)
	case campaignbot.EventReopened:
		add(p.OwnerID, c.T("problem.notice_reopened", p.ID, p.Enterprise, actor, ev.Text), nil)
	}
	for _, n := range notes {
		key := fmt.Sprintf("notice:problem:%d:%d:%d", p.ID, ev.ID, n.to)
		if err := e.tell(ctx, c, n.to, campaignbot.KindNotice, key, n.text, n.buttons); err != nil {
			return err
		}
	}
	return nil
}

// cmdClaim takes charge of a problem (领办): /claim N.
func (e *Engine) cmdClaim(ctx context.Context, c *Context) error {
	p, _, err := e.problemArgs(ctx, c)
	if err != nil {
		return err
	}
	if p.OwnerID == c.Person.ID && p.Status != campaignbot.ProblemClosed {
		c.Reply("claim.already_yours", p.ID)
		return nil
	}
	ev := &campaignbot.ProblemEvent{ProblemID: p.ID, Kind: campaignbot.EventClaimed, ActorID: c.Person.ID, OwnerID: c.Person.ID}
	np, err := e.addProblemEvent(ctx, c, ev)
	if err != nil {
		return err
	}
	c.Reply("claim.ok", np.ID, np.Enterprise, np.Due, np.ID, np.ID)
	return e.tellProblemChange(ctx, c, np, ev, p.OwnerID)
}

// cmdAssign gives a problem to a leader or the head (交办): /assign N NAME.
func (e *Engine) cmdAssign(ctx context.Context, c *Context) error {
	p, name, err := e.problemArgs(ctx, c)
	if err != nil {
		return err
	}
	if name == "" {
		return c.userError(campaignbot.EINVALID, "problem.usage.assign")
	}
	owner, err := e.store.FindPersonByName(ctx, name)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return c.userError(campaignbot.ENOTFOUND, "err.no_person", name)
	} else if err != nil {
		return fmt.Errorf("find person: %w", err)
	}
	if !owner.HasRole(campaignbot.RoleLeader) && !owner.HasRole(campaignbot.RoleHead) {
		return c.userError(campaignbot.EINVALID, "assign.not_leader", owner.Name)
	}
	if p.OwnerID == owner.ID && p.Status != campaignbot.ProblemClosed {
		c.Reply("assign.already", p.ID, owner.Name)
		return nil
	}
	ev := &campaignbot.ProblemEvent{ProblemID: p.ID, Kind: campaignbot.EventAssigned, ActorID: c.Person.ID, OwnerID: owner.ID}
	np, err := e.addProblemEvent(ctx, c, ev)
	if err != nil {
		return err
	}
	c.Reply("assign.ok", np.ID, owner.Name)
	return e.tellProblemChange(ctx, c, np, ev, p.OwnerID)
}

// cmdProgress reports progress on an owned problem: /progress N TEXT.
func (e *Engine) cmdProgress(ctx context.Context, c *Context) error {
	return e.ownerReport(ctx, c, campaignbot.EventProgress, "progress.ok")
}

// cmdResolve reports an owned problem solved, with evidence: /resolve N TEXT
// and any files on the same message.
func (e *Engine) cmdResolve(ctx context.Context, c *Context) error {
	return e.ownerReport(ctx, c, campaignbot.EventResolved, "resolve.ok")
}

// ownerReport appends a progress or resolved event written by the owner.
func (e *Engine) ownerReport(ctx context.Context, c *Context, kind campaignbot.ProblemEventKind, okKey string) error {
	p, text, err := e.problemArgs(ctx, c)
	if err != nil {
		return err
	}
	if text == "" {
		return c.userError(campaignbot.EINVALID, "problem.usage."+c.cmdName())
	}
	if n := utf8.RuneCountInString(text); n > MaxTextLen {
		return c.userError(campaignbot.EINVALID, "err.too_long", n, MaxTextLen)
	}
	ev := &campaignbot.ProblemEvent{ProblemID: p.ID, Kind: kind, ActorID: c.Person.ID, Text: text, Attachments: c.Req.Attachments}
	np, err := e.addProblemEvent(ctx, c, ev)
	if err != nil {
		return err
	}
	reply := c.T(okKey, np.ID, e.nameOf(ctx, c, np.FilerID))
	if n := len(ev.Attachments); n > 0 {
		reply += c.T("problem.with_files", n)
	}
	c.ReplyRendered(reply)
	return e.tellProblemChange(ctx, c, np, ev, p.OwnerID)
}

// cmdConfirm closes a resolved problem (销号): /confirm N, by its filer.
func (e *Engine) cmdConfirm(ctx context.Context, c *Context) error {
	p, _, err := e.problemArgs(ctx, c)
	if err != nil {
		return err
	}
	if p.Status == campaignbot.ProblemClosed {
		return c.userError(campaignbot.ECONFLICT, "confirm.already_closed", p.ID, p.Enterprise)
	}
	ev := &campaignbot.ProblemEvent{ProblemID: p.ID, Kind: campaignbot.EventConfirm, ActorID: c.Person.ID}
	np, err := e.addProblemEvent(ctx, c, ev)
	if err != nil {
		return err
	}
	c.Reply("confirm.ok", np.ID, np.Enterprise)
	return e.tellProblemChange(ctx, c, np, ev, p.OwnerID)
}

// cmdReopen sends a resolved problem back to its owner: /reopen N REASON.
func (e *Engine) cmdReopen(ctx context.Context, c *Context) error {
	p, reason, err := e.problemArgs(ctx, c)
	if err != nil {
		return err
	}
	if reason == "" {
		return c.userError(campaignbot.EINVALID, "problem.usage.reopen")
	}
	if n := utf8.RuneCountInString(reason); n > MaxTextLen {
		return c.userError(campaignbot.EINVALID, "err.too_long", n, MaxTextLen)
	}
	ev := &campaignbot.ProblemEvent{ProblemID: p.ID, Kind: campaignbot.EventReopened, ActorID: c.Person.ID, Text: reason, Attachments: c.Req.Attachments}
	np, err := e.addProblemEvent(ctx, c, ev)
	if err != nil {
		return err
	}
	c.Reply("reopen.ok", np.ID, e.nameOf(ctx, c, np.OwnerID))
	return e.tellProblemChange(ctx, c, np, ev, p.OwnerID)
}

// seesAllProblems reports whether p may see every problem.
func seesAllProblems(p *campaignbot.Person) bool {
	return p.HasRole(campaignbot.RoleHead) || p.HasRole(campaignbot.RoleOffice)
}

// canClaim reports whether p may take charge of problems.
func canClaim(p *campaignbot.Person) bool {
	return p.HasRole(campaignbot.RoleLeader) || p.HasRole(campaignbot.RoleHead)
}

// cmdProblems lists the person's problems: filed or owned by them, the
// unclaimed ones for those who may claim, every open one for the head and
// the office. "/problems N" shows one.
func (e *Engine) cmdProblems(ctx context.Context, c *Context) error {
	arg := strings.TrimSpace(c.Args)
	team, byTeam := parseTeam(arg)
	if _, isNumber := parseNumber(arg); isNumber {
		byTeam = false // a number is a problem's
	}
	if arg != "" && !byTeam {
		id, ok := parseNumber(arg)
		if !ok {
			return c.userError(campaignbot.EINVALID, "problem.bad_number", arg, c.T("problem.usage.problems"))
		}
		return e.showProblem(ctx, c, id)
	}
	all, err := e.store.FindProblems(ctx, campaignbot.ProblemFilter{})
	if err != nil {
		return fmt.Errorf("find problems: %w", err)
	}
	me := c.Person
	var mine []*campaignbot.Problem
	for _, p := range all {
		open := p.Status != campaignbot.ProblemClosed
		if byTeam && p.Team != team {
			continue
		}
		if p.FilerID == me.ID || p.OwnerID == me.ID ||
			open && seesAllProblems(me) ||
			p.Status == campaignbot.ProblemNew && canClaim(me) {
			mine = append(mine, p)
		}
	}
	if len(mine) == 0 {
		c.Reply("problems.none")
		return nil
	}
	names, err := e.personNames(ctx)
	if err != nil {
		return err
	}
	// Open ones first, newest first within each group.
	slices.SortStableFunc(mine, func(a, b *campaignbot.Problem) int {
		ac, bc := a.Status == campaignbot.ProblemClosed, b.Status == campaignbot.ProblemClosed
		if ac != bc {
			if ac {
				return 1
			}
			return -1
		}
		return cmp.Compare(b.ID, a.ID)
	})
	today := e.today()
	var b strings.Builder
	b.WriteString(c.T("problems.header", len(mine)))
	for i, p := range mine {
		if i == maxProblemList {
			b.WriteString("\n" + c.T("problems.more", len(mine)-maxProblemList))
			break
		}
		b.WriteString("\n" + e.problemLine(c, p, names, today))
	}
	b.WriteString("\n" + c.T("problems.footer"))
	c.ReplyRendered(b.String())
	return nil
}

// problemLine is one line of a problem list.
func (e *Engine) problemLine(c *Context, p *campaignbot.Problem, names map[int64]string, today campaignbot.Date) string {
	owner := c.T("problem.unclaimed")
	if p.OwnerID != 0 {
		owner = names[p.OwnerID]
	}
	age := int(today - campaignbot.DateOf(p.CreatedAt, e.plan.Load().Loc()))
	overdue := ""
	if p.Status != campaignbot.ProblemClosed && today > p.Due {
		overdue = c.T("problem.overdue_mark", int(today-p.Due))
	}
	category := p.Category
	if p.Team != "" {
		category += c.T("problems.team_mark", p.Team)
	}
	return c.T("problems.line", p.ID, c.T("pstatus."+string(p.Status)), p.Enterprise, category,
		excerpt(p.Description, 30), owner, age, overdue)
}

// showProblem shows one problem with its history and photos, to those it
// concerns: its filer and owner, leaders, the head and the office.
func (e *Engine) showProblem(ctx context.Context, c *Context, id int64) error {
	p, err := e.store.FindProblemByID(ctx, id)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return c.userError(campaignbot.ENOTFOUND, "problem.not_found", id)
	} else if err != nil {
		return fmt.Errorf("find problem: %w", err)
	}
	me := c.Person
	if p.FilerID != me.ID && p.OwnerID != me.ID && !seesAllProblems(me) && !canClaim(me) {
		return c.userError(campaignbot.EFORBIDDEN, "problem.not_yours", id)
	}
	evs, err := e.store.FindProblemEvents(ctx, id)
	if err != nil {
		return fmt.Errorf("find problem events: %w", err)
	}
	names, err := e.personNames(ctx)
	if err != nil {
		return err
	}
	loc := e.plan.Load().Loc()
	owner := c.T("problem.unclaimed")
	if p.OwnerID != 0 {
		owner = names[p.OwnerID]
	}
	var b strings.Builder
	b.WriteString(c.T("problem.show_header", p.ID, p.Enterprise, p.Category, c.T("pstatus."+string(p.Status)),
		names[p.FilerID], owner, p.Due))
	if p.Latitude != nil && p.Longitude != nil {
		b.WriteString("\n" + c.T("problem.show_location", *p.Latitude, *p.Longitude))
	}
	b.WriteString("\n" + p.Description)
	files := slices.Clone(p.Photos)
	for _, ev := range evs {
		what := c.T("pevent." + string(ev.Kind))
		if ev.Kind == campaignbot.EventAssigned {
			what = c.T("pevent.assigned", names[ev.OwnerID])
		}
		line := c.T("problem.show_event", ev.CreatedAt.In(loc).Format("01-02 15:04"), names[ev.ActorID], what)
		if ev.Text != "" && ev.Kind != campaignbot.EventFiled {
			line += c.T("problem.event_text", ev.Text)
		}
		if len(ev.Attachments) > 0 {
			line += c.T("problem.event_files", len(ev.Attachments))
		}
		b.WriteString("\n" + line)
		files = append(files, ev.Attachments...)
	}
	var buttons [][]campaignbot.Button
	switch {
	case p.Status == campaignbot.ProblemNew && canClaim(me):
		buttons = [][]campaignbot.Button{{{Text: c.T("problem.claim_button", p.ID), Data: fmt.Sprintf("/claim %d", p.ID)}}}
	case p.Status == campaignbot.ProblemResolved && p.FilerID == me.ID:
		buttons = [][]campaignbot.Button{{{Text: c.T("problem.confirm_button", p.ID), Data: fmt.Sprintf("/confirm %d", p.ID)}}}
	}
	c.replies = append(c.replies, Reply{Text: b.String(), Buttons: buttons, Files: files})
	return nil
}
