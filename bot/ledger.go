package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"campaignbot"
)

// maxLedgerField bounds the text of a rectification item's fields.
const maxLedgerField = 2000

// ledgerWords maps the sub-commands of /ledger, and their Chinese words, to
// their names.
var ledgerWords = map[string]string{
	"add": "add", "新增": "add", "添加": "add",
	"from-problem": "from-problem", "问题": "from-problem",
	"from-report": "from-report", "报告": "from-report",
	"done": "done", "完成": "done",
	"status": "status", "状态": "status",
	"edit": "edit", "修改": "edit",
	"remove": "remove", "删除": "remove",
	"publish": "publish", "发布": "publish",
}

// ledgerFields maps what /ledger edit N FIELD accepts to a field.
var ledgerFields = map[string]string{
	"what": "what", "问题": "what", "事项": "what",
	"measure": "measure", "措施": "measure",
	"leader": "leader", "责任领导": "leader",
	"department": "department", "责任科室": "department", "科室": "department",
	"owner": "owner", "责任人": "owner",
	"due": "due", "期限": "due", "时限": "due",
	"evidence": "evidence", "佐证": "evidence",
	"remark": "remark", "备注": "remark",
}

// ledgerStatusWords maps what /ledger status accepts to a status.
var ledgerStatusWords = map[string]campaignbot.LedgerStatus{
	"open": campaignbot.LedgerOpen, "未开始": campaignbot.LedgerOpen,
	"in_progress": campaignbot.LedgerInProgress, "in-progress": campaignbot.LedgerInProgress, "进行中": campaignbot.LedgerInProgress,
	"done": campaignbot.LedgerDone, "已完成": campaignbot.LedgerDone, "完成": campaignbot.LedgerDone,
	"整改中":     campaignbot.LedgerInProgress,
	"ongoing": campaignbot.LedgerOngoing, "长期坚持": campaignbot.LedgerOngoing,
}

// cmdLedger is the rectification ledger (整改台账): with no argument it
// shows the items; its sub-commands add, update and publish them.
func (e *Engine) cmdLedger(ctx context.Context, c *Context) error {
	word, rest, _ := strings.Cut(strings.TrimSpace(c.Args), " ")
	rest = strings.TrimSpace(rest)
	if word == "" {
		return e.ledgerShow(ctx, c)
	}
	switch ledgerWords[strings.ToLower(word)] {
	case "add":
		return e.ledgerAdd(ctx, c, rest)
	case "from-problem":
		return e.ledgerFromProblem(ctx, c, rest)
	case "from-report":
		return e.ledgerFromReport(ctx, c, rest)
	case "done":
		return e.ledgerDone(ctx, c, rest)
	case "status":
		return e.ledgerStatus(ctx, c, rest)
	case "edit":
		return e.ledgerEdit(ctx, c, rest)
	case "remove":
		return e.ledgerRemove(ctx, c, rest)
	case "publish":
		return e.ledgerPublish(ctx, c)
	}
	return c.userError(campaignbot.EINVALID, "ledger.usage")
}

// ledgerShow replies with the ledger.
func (e *Engine) ledgerShow(ctx context.Context, c *Context) error {
	text, n, err := e.renderLedger(ctx, c)
	if err != nil {
		return err
	}
	if n == 0 {
		c.Reply("ledger.empty")
		return nil
	}
	c.ReplyRendered(text + "\n" + c.T("ledger.footer"))
	return nil
}

// renderLedger renders every item and reports how many there are.
func (e *Engine) renderLedger(ctx context.Context, c *Context) (string, int, error) {
	items, err := e.store.FindLedgerItems(ctx)
	if err != nil {
		return "", 0, fmt.Errorf("find ledger items: %w", err)
	}
	names, err := e.personNames(ctx)
	if err != nil {
		return "", 0, err
	}
	depts, err := e.departmentNames(ctx)
	if err != nil {
		return "", 0, err
	}
	today := e.today()
	done := 0
	for _, it := range items {
		if it.Status == campaignbot.LedgerDone {
			done++
		}
	}
	var b strings.Builder
	b.WriteString(c.T("ledger.header", len(items), done))
	for _, it := range items {
		overdue := ""
		if it.Status != campaignbot.LedgerDone && it.Status != campaignbot.LedgerOngoing && today > it.Due {
			overdue = c.T("problem.overdue_mark", int(today-it.Due))
		}
		b.WriteString("\n" + c.T("ledger.item", it.ID, it.What, orDash(it.Measure), orDash(names[it.LeaderID]), orDash(depts[it.DepartmentID]),
			orDash(names[it.OwnerID]), it.Due, overdue, c.T("lstatus."+string(it.Status)), orDash(it.Evidence)))
		if it.Remark != "" {
			b.WriteString(c.T("ledger.item_remark", it.Remark))
		}
	}
	return b.String(), len(items), nil
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// checkLedgerText refuses an over-long field.
func checkLedgerText(c *Context, fields ...string) error {
	for _, f := range fields {
		if n := utf8.RuneCountInString(f); n > maxLedgerField {
			return c.userError(campaignbot.EINVALID, "err.too_long", n, maxLedgerField)
		}
	}
	return nil
}

// ledgerAdd creates an item: WHAT | MEASURE | OWNER NAME | YYYY-MM-DD.
func (e *Engine) ledgerAdd(ctx context.Context, c *Context, rest string) error {
	parts := strings.FieldsFunc(rest, func(r rune) bool { return r == '|' || r == '｜' })
	if len(parts) != 4 && len(parts) != 5 {
		return c.userError(campaignbot.EINVALID, "ledger.usage_add")
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	what, measure, ownerName, dueText := parts[0], parts[1], parts[2], parts[3]
	remark := ""
	if len(parts) == 5 {
		remark = parts[4]
	}
	if what == "" || ownerName == "" {
		return c.userError(campaignbot.EINVALID, "ledger.usage_add")
	}
	if err := checkLedgerText(c, what, measure, remark); err != nil {
		return err
	}
	due, err := e.ledgerDue(c, dueText)
	if err != nil {
		return err
	}
	owner, err := e.personArg(ctx, c, ownerName)
	if err != nil {
		return err
	}
	it := &campaignbot.LedgerItem{What: what, Measure: measure, Due: due, Remark: remark}
	if err := e.setLedgerOwner(ctx, it, owner); err != nil {
		return err
	}
	return e.createLedgerItem(ctx, c, it)
}

// ledgerDue parses a due date the office sets: not in the past (SPEC §2).
func (e *Engine) ledgerDue(c *Context, text string) (campaignbot.Date, error) {
	due, err := campaignbot.ParseChatDate(strings.TrimSpace(text), e.today())
	if err != nil {
		return 0, c.userError(campaignbot.EINVALID, "ledger.bad_date", text)
	}
	if due < e.today() {
		return 0, c.userError(campaignbot.EINVALID, "ledger.past_due", due, e.today())
	}
	return due, nil
}

// personArg finds a person of the roster by name.
func (e *Engine) personArg(ctx context.Context, c *Context, name string) (*campaignbot.Person, error) {
	p, err := e.store.FindPersonByName(ctx, strings.TrimSpace(name))
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return nil, c.userError(campaignbot.ENOTFOUND, "err.no_person", name)
	} else if err != nil {
		return nil, fmt.Errorf("find person: %w", err)
	}
	return p, nil
}

// setLedgerOwner makes owner responsible for it, with their department and
// the leader in charge of it.
func (e *Engine) setLedgerOwner(ctx context.Context, it *campaignbot.LedgerItem, owner *campaignbot.Person) error {
	people, err := e.store.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return fmt.Errorf("find people: %w", err)
	}
	it.OwnerID, it.DepartmentID, it.LeaderID = owner.ID, owner.DepartmentID, campaignbot.LeadersInCharge(people)[owner.DepartmentID]
	if owner.HasRole(campaignbot.RoleLeader) || owner.HasRole(campaignbot.RoleHead) {
		it.LeaderID = owner.ID
	}
	return nil
}

// createLedgerItem stores it, answers and tells its owner.
func (e *Engine) createLedgerItem(ctx context.Context, c *Context, it *campaignbot.LedgerItem) error {
	it.ActorID = c.Person.ID
	if err := e.store.CreateLedgerItem(ctx, it); err != nil {
		return fmt.Errorf("create ledger item: %w", err)
	}
	owner := e.nameOf(ctx, c, it.OwnerID)
	c.Reply("ledger.added", it.ID, it.What, owner, it.Due)
	if it.OwnerID == 0 || it.OwnerID == c.Person.ID {
		return nil
	}
	text := c.T("ledger.notice_owner", it.ID, it.What, orDash(it.Measure), it.Due)
	key := fmt.Sprintf("notice:ledger:%d:%d", it.ID, it.OwnerID)
	return e.tell(ctx, c, it.OwnerID, campaignbot.KindNotice, key, text, nil)
}

// ledgerItemFor returns the item already made from a problem or from a
// point of a submission, and whether there is one.
func (e *Engine) ledgerItemFor(ctx context.Context, problemID, submissionID int64, point int) (*campaignbot.LedgerItem, bool, error) {
	items, err := e.store.FindLedgerItems(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("find ledger items: %w", err)
	}
	for _, it := range items {
		if problemID != 0 && it.ProblemID == problemID || submissionID != 0 && it.SubmissionID == submissionID && it.Point == point {
			return it, true, nil
		}
	}
	return nil, false, nil
}

// ledgerFromProblem creates an item from problem N: "N [MEASURE]".
func (e *Engine) ledgerFromProblem(ctx context.Context, c *Context, rest string) error {
	first, measure, _ := strings.Cut(rest, " ")
	measure = strings.TrimSpace(measure)
	id, ok := parseNumber(first)
	if !ok {
		return c.userError(campaignbot.EINVALID, "ledger.usage_from_problem")
	}
	if err := checkLedgerText(c, measure); err != nil {
		return err
	}
	p, err := e.store.FindProblemByID(ctx, id)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return c.userError(campaignbot.ENOTFOUND, "problem.not_found", id)
	} else if err != nil {
		return fmt.Errorf("find problem: %w", err)
	}
	if p.OwnerID == 0 {
		return c.userError(campaignbot.EINVALID, "ledger.problem_no_owner", id, id)
	}
	if old, found, err := e.ledgerItemFor(ctx, id, 0, 0); err != nil {
		return err
	} else if found {
		return c.userError(campaignbot.ECONFLICT, "ledger.exists", old.ID)
	}
	it := &campaignbot.LedgerItem{
		What:      c.T("ledger.what_problem", p.Enterprise, p.Description),
		Measure:   measure,
		Due:       max(p.Due, e.today()), // an overdue problem is due from now
		Status:    campaignbot.LedgerInProgress,
		ProblemID: p.ID,
	}
	owner, err := e.store.FindPersonByID(ctx, p.OwnerID)
	if err != nil {
		return fmt.Errorf("find owner: %w", err)
	}
	if err := e.setLedgerOwner(ctx, it, owner); err != nil {
		return err
	}
	if p.Status == campaignbot.ProblemClosed {
		evs, err := e.store.FindProblemEvents(ctx, p.ID)
		if err != nil {
			return fmt.Errorf("find problem events: %w", err)
		}
		it.Status = campaignbot.LedgerDone
		for _, ev := range evs {
			if ev.Kind == campaignbot.EventResolved {
				it.Evidence = ev.Text
			}
		}
	}
	return e.createLedgerItem(ctx, c, it)
}

// ledgerFromReport makes rectification items from an accepted report, one
// per point the office picks: "" lists the accepted reports with their
// numbers, "N" lists report N's points, "N P [MEASURE]" makes an item of
// point P, owned by the report's author, due when the phase after the
// report's ends.
func (e *Engine) ledgerFromReport(ctx context.Context, c *Context, rest string) error {
	f := strings.Fields(rest)
	if len(f) == 0 {
		return e.acceptedReports(ctx, c)
	}
	id, ok := parseNumber(f[0])
	if !ok {
		return c.userError(campaignbot.EINVALID, "ledger.usage_from_report")
	}
	s, err := e.store.FindSubmissionByID(ctx, id)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return c.userError(campaignbot.ENOTFOUND, "ledger.no_report", id)
	} else if err != nil {
		return fmt.Errorf("find submission: %w", err)
	}
	if s.State != campaignbot.ReviewAccepted {
		return c.userError(campaignbot.EINVALID, "ledger.report_not_accepted", id)
	}
	points := campaignbot.ReportPoints(s.Text)
	if len(f) == 1 {
		if len(points) == 0 {
			return c.userError(campaignbot.EINVALID, "ledger.report_no_points", id)
		}
		var b strings.Builder
		b.WriteString(c.T("ledger.points_header", id, e.taskTitle(s.TaskKey), s.Version, len(points)))
		var rows [][]campaignbot.Button
		for i, p := range points {
			b.WriteString("\n" + c.T("ledger.point_line", i+1, excerpt(p, 80)))
			rows = append(rows, []campaignbot.Button{{Text: c.T("ledger.point_button", i+1, excerpt(p, 16)), Data: fmt.Sprintf("/ledger from-report %d %d", id, i+1)}})
		}
		b.WriteString("\n" + c.T("ledger.points_footer", id))
		c.replies = append(c.replies, Reply{Text: b.String(), Buttons: rows})
		return nil
	}
	point, err := strconv.Atoi(f[1])
	if err != nil || point < 1 || point > len(points) {
		return c.userError(campaignbot.EINVALID, "ledger.no_point", f[1], id, len(points))
	}
	_, measure, _ := strings.Cut(strings.TrimSpace(rest), " ")
	_, measure, _ = strings.Cut(strings.TrimSpace(measure), " ")
	measure = strings.TrimSpace(measure)
	if err := checkLedgerText(c, measure); err != nil {
		return err
	}
	if old, found, err := e.ledgerItemFor(ctx, 0, id, point); err != nil {
		return err
	} else if found {
		return c.userError(campaignbot.ECONFLICT, "ledger.exists", old.ID)
	}
	it := &campaignbot.LedgerItem{
		What:         points[point-1],
		Measure:      measure,
		Due:          max(e.rectifyDue(s.TaskKey), e.today()),
		SubmissionID: s.ID,
		Point:        point,
		Remark:       c.T("ledger.remark_report", id, e.taskTitle(s.TaskKey), s.Version, point),
	}
	author, err := e.store.FindPersonByID(ctx, s.PersonID)
	if err != nil {
		return fmt.Errorf("find author: %w", err)
	}
	if err := e.setLedgerOwner(ctx, it, author); err != nil {
		return err
	}
	if s.DepartmentID != 0 {
		it.DepartmentID = s.DepartmentID
	}
	return e.createLedgerItem(ctx, c, it)
}

// acceptedReports lists the accepted reports, with the numbers
// /ledger from-report takes.
func (e *Engine) acceptedReports(ctx context.Context, c *Context) error {
	accepted := campaignbot.ReviewAccepted
	subs, err := e.store.FindSubmissions(ctx, campaignbot.SubmissionFilter{State: &accepted, Limit: 30})
	if err != nil {
		return fmt.Errorf("find accepted reports: %w", err)
	}
	if len(subs) == 0 {
		return c.userError(campaignbot.EINVALID, "ledger.no_accepted")
	}
	names, err := e.personNames(ctx)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(c.T("ledger.accepted_header", len(subs)))
	for _, s := range subs {
		b.WriteString("\n" + c.T("ledger.accepted_line", s.ID, names[s.PersonID], e.taskTitle(s.TaskKey), s.Version, s.ID))
	}
	c.ReplyRendered(b.String())
	return nil
}

// ledgerEdit changes one field of an item: "N FIELD VALUE".
func (e *Engine) ledgerEdit(ctx context.Context, c *Context, rest string) error {
	first, rest, _ := strings.Cut(rest, " ")
	word, value, _ := strings.Cut(strings.TrimSpace(rest), " ")
	value = strings.TrimSpace(value)
	it, err := e.ledgerItemArg(ctx, c, first, "ledger.usage_edit")
	if err != nil {
		return err
	}
	field := ledgerFields[strings.ToLower(word)]
	if field == "" || value == "" && field != "remark" && field != "evidence" && field != "measure" {
		return c.userError(campaignbot.EINVALID, "ledger.usage_edit")
	}
	if err := checkLedgerText(c, value); err != nil {
		return err
	}
	switch field {
	case "what":
		it.What = value
	case "measure":
		it.Measure = value
	case "evidence":
		it.Evidence = value
	case "remark":
		it.Remark = value
	case "due":
		if it.Due, err = e.ledgerDue(c, value); err != nil {
			return err
		}
	case "owner":
		p, err := e.personArg(ctx, c, value)
		if err != nil {
			return err
		}
		if err := e.setLedgerOwner(ctx, it, p); err != nil {
			return err
		}
	case "leader":
		p, err := e.personArg(ctx, c, value)
		if err != nil {
			return err
		}
		it.LeaderID = p.ID
	case "department":
		depts, err := e.departmentNames(ctx)
		if err != nil {
			return err
		}
		it.DepartmentID = 0
		for id, name := range depts {
			if name == value {
				it.DepartmentID = id
			}
		}
		if it.DepartmentID == 0 {
			return c.userError(campaignbot.ENOTFOUND, "ledger.no_department", value)
		}
	}
	it.ActorID = c.Person.ID
	if err := e.store.UpdateLedgerItem(ctx, it); err != nil {
		return fmt.Errorf("update ledger item: %w", err)
	}
	c.Reply("ledger.edited", it.ID, c.T("ledger.field."+field), orDash(value))
	return nil
}

// ledgerRemove removes an item, keeping its history: "N [REASON]".
func (e *Engine) ledgerRemove(ctx context.Context, c *Context, rest string) error {
	first, why, _ := strings.Cut(rest, " ")
	it, err := e.ledgerItemArg(ctx, c, first, "ledger.usage_remove")
	if err != nil {
		return err
	}
	if err := e.store.RemoveLedgerItem(ctx, it.ID, c.Person.ID, strings.TrimSpace(why)); err != nil {
		return fmt.Errorf("remove ledger item: %w", err)
	}
	c.Reply("ledger.removed", it.ID, it.What)
	return nil
}

// rectifyDue is the end of the phase after the task's, where its findings
// are rectified; the plan's end when there is none.
func (e *Engine) rectifyDue(taskKey string) campaignbot.Date {
	if t := e.plan.Load().FindTask(taskKey); t != nil {
		for i, ph := range e.plan.Load().Phases {
			if ph.Key == t.Phase && i+1 < len(e.plan.Load().Phases) {
				return e.plan.Load().Phases[i+1].End
			}
		}
	}
	return e.plan.Load().End
}

// ledgerItemArg finds item "ID" of the ledger.
func (e *Engine) ledgerItemArg(ctx context.Context, c *Context, arg, usage string) (*campaignbot.LedgerItem, error) {
	id, ok := parseNumber(arg)
	if !ok {
		return nil, c.userError(campaignbot.EINVALID, usage)
	}
	items, err := e.store.FindLedgerItems(ctx)
	if err != nil {
		return nil, fmt.Errorf("find ledger items: %w", err)
	}
	for _, it := range items {
		if it.ID == id {
			return it, nil
		}
	}
	return nil, c.userError(campaignbot.ENOTFOUND, "ledger.no_item", id)
}

// ledgerDone marks an item done with evidence: "ID EVIDENCE"; files on the
// same message are named in the evidence.
func (e *Engine) ledgerDone(ctx context.Context, c *Context, rest string) error {
	first, evidence, _ := strings.Cut(rest, " ")
	evidence = strings.TrimSpace(evidence)
	it, err := e.ledgerItemArg(ctx, c, first, "ledger.usage_done")
	if err != nil {
		return err
	}
	for _, a := range c.Req.Attachments {
		evidence = strings.TrimSpace(evidence + " " + c.T("ledger.evidence_file", a.Name, a.SHA256[:min(12, len(a.SHA256))]))
	}
	if evidence == "" {
		return c.userError(campaignbot.EINVALID, "ledger.usage_done")
	}
	if err := checkLedgerText(c, evidence); err != nil {
		return err
	}
	it.Status, it.Evidence, it.ActorID = campaignbot.LedgerDone, evidence, c.Person.ID
	if err := e.store.UpdateLedgerItem(ctx, it); err != nil {
		return fmt.Errorf("update ledger item: %w", err)
	}
	c.Reply("ledger.done_ok", it.ID, it.What)
	return nil
}

// ledgerStatus sets an item's status: "ID open|in_progress|done".
func (e *Engine) ledgerStatus(ctx context.Context, c *Context, rest string) error {
	first, word, _ := strings.Cut(rest, " ")
	it, err := e.ledgerItemArg(ctx, c, first, "ledger.usage_status")
	if err != nil {
		return err
	}
	status, ok := ledgerStatusWords[strings.ToLower(strings.TrimSpace(word))]
	if !ok {
		return c.userError(campaignbot.EINVALID, "ledger.usage_status")
	}
	it.Status, it.ActorID = status, c.Person.ID
	if err := e.store.UpdateLedgerItem(ctx, it); err != nil {
		return fmt.Errorf("update ledger item: %w", err)
	}
	c.Reply("ledger.status_ok", it.ID, c.T("lstatus."+string(status)))
	return nil
}

// ledgerPublish posts the ledger to the campaign group on every platform
// that has one, once per day and content.
func (e *Engine) ledgerPublish(ctx context.Context, c *Context) error {
	if len(e.groups) == 0 {
		return c.userError(campaignbot.EINVALID, "ledger.no_group")
	}
	text, n, err := e.renderLedger(ctx, c)
	if err != nil {
		return err
	}
	if n == 0 {
		return c.userError(campaignbot.EINVALID, "ledger.empty")
	}
	today := e.today()
	text = c.T("ledger.publish_header", today) + "\n" + text
	sum := sha256.Sum256([]byte(text))
	hash := hex.EncodeToString(sum[:8])
	now := e.clock.Now()
	var msgs []*campaignbot.OutboxMessage
	var platforms []string
	for _, p := range e.groups {
		msgs = append(msgs, &campaignbot.OutboxMessage{
			Key:      fmt.Sprintf("ledger:%s:%s:%s", p, today, hash),
			Platform: p,
			ChatID:   GroupChatID,
			Kind:     campaignbot.KindLedger,
			Text:     text,
			Status:   campaignbot.OutboxPending,
			NextAt:   now,
		})
		platforms = append(platforms, string(p))
	}
	added, err := e.store.EnqueueOutbox(ctx, msgs)
	if err != nil {
		return fmt.Errorf("enqueue ledger: %w", err)
	}
	if added == 0 {
		c.Reply("ledger.already_published")
		return nil
	}
	e.notify()
	c.Reply("ledger.published", n, strings.Join(platforms, c.T("list.sep")))
	return nil
}
