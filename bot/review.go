package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"campaignbot"
)

// maxCommentLen bounds a reviewer's comment.
const maxCommentLen = 5000

// cmdReview is the review loop: "/review" lists what waits for me,
// "/review N" shows version N, "/review N accept [COMMENT]" accepts it and
// "/review N return COMMENT" returns it to its author (通过 / 退回 too).
func (e *Engine) cmdReview(ctx context.Context, c *Context) error {
	args := strings.TrimSpace(c.Args)
	if args == "" {
		return e.reviewList(ctx, c)
	}
	first, rest, _ := strings.Cut(args, " ")
	id, ok := parseNumber(first)
	if !ok {
		return c.userError(campaignbot.EINVALID, "review.usage")
	}
	s, t, err := e.reviewable(ctx, c, id)
	if err != nil {
		return err
	}
	verb, comment, _ := strings.Cut(strings.TrimSpace(rest), " ")
	comment = strings.TrimSpace(comment)
	switch strings.ToLower(verb) {
	case "":
		return e.showReview(ctx, c, s, t)
	case "accept", "通过":
		return e.decideReview(ctx, c, s, t, campaignbot.ReviewAccepted, comment)
	case "return", "退回":
		if comment == "" {
			if err := e.checkWaiting(ctx, c, s, t); err != nil {
				return err
			}
			if err := e.saveDialog(ctx, c, dialogReview, stepReviewComment, campaignbot.DialogState{SubmissionID: s.ID}); err != nil {
				return err
			}
			c.Reply("review.ask_comment", e.title(t.Title, t.TitleEn), s.Version)
			return nil
		}
		return e.decideReview(ctx, c, s, t, campaignbot.ReviewReturned, comment)
	}
	return c.userError(campaignbot.EINVALID, "review.usage")
}

// reviewCommentStep takes the comment that returns a version to its author.
func (e *Engine) reviewCommentStep(ctx context.Context, c *Context) error {
	id := c.Dialog.State.SubmissionID
	if c.Text == "" {
		c.Reply("review.ask_comment_again")
		return nil
	}
	err := func() error {
		s, t, err := e.reviewable(ctx, c, id)
		if err != nil {
			return err
		}
		return e.decideReview(ctx, c, s, t, campaignbot.ReviewReturned, c.Text)
	}()
	if derr := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); derr != nil && err == nil {
		return fmt.Errorf("delete dialog: %w", derr)
	}
	return err
}

// reviewable finds submission id and checks that the person reviews it.
func (e *Engine) reviewable(ctx context.Context, c *Context, id int64) (*campaignbot.Submission, *campaignbot.Task, error) {
	s, err := e.store.FindSubmissionByID(ctx, id)
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return nil, nil, c.userError(campaignbot.ENOTFOUND, "review.not_found", id)
	} else if err != nil {
		return nil, nil, fmt.Errorf("find submission: %w", err)
	}
	t := e.plan.Load().FindTask(s.TaskKey)
	if t == nil || t.Review == campaignbot.ReviewNone {
		return nil, nil, c.userError(campaignbot.ENOTFOUND, "review.not_found", id)
	}
	ids, err := e.reviewersOf(ctx, t, &campaignbot.Person{DepartmentID: s.DepartmentID})
	if err != nil {
		return nil, nil, err
	}
	if !slices.Contains(ids, c.Person.ID) {
		return nil, nil, c.userError(campaignbot.EFORBIDDEN, "review.not_yours", id)
	}
	return s, t, nil
}

// perDepartment reports whether s's versions count within its department.
func perDepartment(t *campaignbot.Task, s *campaignbot.Submission) bool {
	return t.Cardinality == campaignbot.PerDepartment && s.DepartmentID != 0
}

// versionsOf returns every version sharing numbers with s, oldest first.
func (e *Engine) versionsOf(ctx context.Context, t *campaignbot.Task, s *campaignbot.Submission) ([]*campaignbot.Submission, error) {
	f := campaignbot.SubmissionFilter{TaskKey: &s.TaskKey}
	if perDepartment(t, s) {
		f.DepartmentID = &s.DepartmentID
	} else {
		f.PersonID = &s.PersonID
	}
	vs, err := e.store.FindSubmissions(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("find versions: %w", err)
	}
	slices.SortFunc(vs, byVersion)
	return vs, nil
}

func byVersion(a, b *campaignbot.Submission) int {
	return cmp.Or(cmp.Compare(a.Version, b.Version), cmp.Compare(a.ID, b.ID))
}

// checkWaiting refuses a version that is not the latest or not awaiting
// review, before asking for a comment on it.
func (e *Engine) checkWaiting(ctx context.Context, c *Context, s *campaignbot.Submission, t *campaignbot.Task) error {
	vs, err := e.versionsOf(ctx, t, s)
	if err != nil {
		return err
	}
	if s.State != campaignbot.ReviewSubmitted || len(vs) == 0 || vs[len(vs)-1].ID != s.ID {
		return c.userError(campaignbot.ECONFLICT, "review.not_waiting", s.ID)
	}
	return nil
}

// waitingFor returns the latest versions awaiting review by personID.
func (e *Engine) waitingFor(ctx context.Context, personID int64) ([]*campaignbot.Submission, error) {
	var out []*campaignbot.Submission
	reviewers := map[string][]int64{}
	for i := range e.plan.Load().Tasks {
		t := &e.plan.Load().Tasks[i]
		if t.Review == campaignbot.ReviewNone {
			continue
		}
		subs, err := e.store.FindSubmissions(ctx, campaignbot.SubmissionFilter{TaskKey: &t.Key})
		if err != nil {
			return nil, fmt.Errorf("find submissions: %w", err)
		}
		latest := map[string]*campaignbot.Submission{}
		for _, s := range subs {
			scope := "p" + strconv.FormatInt(s.PersonID, 10)
			if perDepartment(t, s) {
				scope = "d" + strconv.FormatInt(s.DepartmentID, 10)
			}
			if l := latest[scope]; l == nil || byVersion(s, l) > 0 {
				latest[scope] = s
			}
		}
		for _, s := range latest {
			if s.State != campaignbot.ReviewSubmitted {
				continue
			}
			key := t.Key + ":" + strconv.FormatInt(s.DepartmentID, 10)
			ids, ok := reviewers[key]
			if !ok {
				if ids, err = e.reviewersOf(ctx, t, &campaignbot.Person{DepartmentID: s.DepartmentID}); err != nil {
					return nil, err
				}
				reviewers[key] = ids
			}
			if slices.Contains(ids, personID) {
				out = append(out, s)
			}
		}
	}
	slices.SortFunc(out, func(a, b *campaignbot.Submission) int { return a.SubmittedAt.Compare(b.SubmittedAt) })
	return out, nil
}

// reviewList lists what waits for the person's review, as buttons.
func (e *Engine) reviewList(ctx context.Context, c *Context) error {
	subs, err := e.waitingFor(ctx, c.Person.ID)
	if err != nil {
		return err
	}
	if len(subs) == 0 {
		c.Reply("review.none")
		return nil
	}
	names, err := e.personNames(ctx)
	if err != nil {
		return err
	}
	depts, err := e.departmentNames(ctx)
	if err != nil {
		return err
	}
	loc := e.plan.Load().Loc()
	var b strings.Builder
	b.WriteString(c.T("review.list_header", len(subs)))
	var rows [][]campaignbot.Button
	for _, s := range subs {
		title := e.taskTitle(s.TaskKey)
		b.WriteString("\n" + c.T("review.list_line", s.ID, depts[s.DepartmentID], names[s.PersonID], title, s.Version,
			s.SubmittedAt.In(loc).Format("01-02 15:04")))
		rows = append(rows, []campaignbot.Button{{
			Text: c.T("review.list_button", s.ID, depts[s.DepartmentID], title, s.Version),
			Data: fmt.Sprintf("/review %d", s.ID),
		}})
	}
	c.replies = append(c.replies, Reply{Text: b.String(), Buttons: rows})
	return nil
}

// taskTitle returns a task's title in the engine's language.
func (e *Engine) taskTitle(key string) string {
	if t := e.plan.Load().FindTask(key); t != nil {
		return e.title(t.Title, t.TitleEn)
	}
	return key
}

// departmentNames maps department ids to names.
func (e *Engine) departmentNames(ctx context.Context) (map[int64]string, error) {
	ds, err := e.store.FindDepartments(ctx)
	if err != nil {
		return nil, fmt.Errorf("find departments: %w", err)
	}
	m := make(map[int64]string, len(ds))
	for _, d := range ds {
		m[d.ID] = d.Name
	}
	return m, nil
}

// showReview shows a version: author, task, text, files, what changed
// since the previous version and the comments so far, with the decision
// buttons when it awaits review.
func (e *Engine) showReview(ctx context.Context, c *Context, s *campaignbot.Submission, t *campaignbot.Task) error {
	vs, err := e.versionsOf(ctx, t, s)
	if err != nil {
		return err
	}
	names, err := e.personNames(ctx)
	if err != nil {
		return err
	}
	depts, err := e.departmentNames(ctx)
	if err != nil {
		return err
	}
	loc := e.plan.Load().Loc()
	late := ""
	if s.Late {
		late = c.T("tasks.late_mark")
	}
	var b strings.Builder
	b.WriteString(c.T("review.show_header", s.ID, e.title(t.Title, t.TitleEn), s.Version, names[s.PersonID], depts[s.DepartmentID],
		s.SubmittedAt.In(loc).Format("2006-01-02 15:04"), late, c.T("state."+string(s.State))))
	if s.Text != "" {
		b.WriteString("\n\n" + s.Text)
	}
	if len(s.Attachments) > 0 {
		b.WriteString("\n\n" + c.T("review.files", len(s.Attachments)))
	}
	var prev *campaignbot.Submission
	for _, v := range vs {
		if v.Version < s.Version {
			prev = v
		}
	}
	if prev != nil {
		diff := renderDiff(lineDiff(prev.Text, s.Text), 1)
		if diff == "" {
			b.WriteString("\n\n" + c.T("review.no_change", prev.Version))
		} else {
			b.WriteString("\n\n" + c.T("review.changes", prev.Version) + "\n" + diff)
		}
	}
	var comments []string
	for _, v := range vs {
		if v.Version > s.Version {
			continue
		}
		cs, err := e.store.FindReviewComments(ctx, v.ID)
		if err != nil {
			return fmt.Errorf("find review comments: %w", err)
		}
		for _, rc := range cs {
			text := rc.Text
			if text == "" {
				text = c.T("review.no_comment")
			}
			comments = append(comments, c.T("review.comment_line", v.Version, names[rc.ReviewerID],
				c.T("decision."+string(rc.Decision)), rc.CreatedAt.In(loc).Format("01-02 15:04"), text))
		}
	}
	if len(comments) > 0 {
		b.WriteString("\n\n" + c.T("review.comments") + "\n" + strings.Join(comments, "\n"))
	}
	var buttons [][]campaignbot.Button
	if s.State == campaignbot.ReviewSubmitted && vs[len(vs)-1].ID == s.ID {
		buttons = [][]campaignbot.Button{{
			{Text: c.T("review.accept_button"), Data: fmt.Sprintf("/review %d accept", s.ID)},
			{Text: c.T("review.return_button"), Data: fmt.Sprintf("/review %d return", s.ID)},
		}}
		b.WriteString("\n\n" + c.T("review.decide_hint", s.ID, s.ID))
	} else {
		b.WriteString("\n\n" + c.T("review.not_waiting", s.ID))
	}
	c.replies = append(c.replies, Reply{Text: b.String(), Buttons: buttons, Files: s.Attachments})
	return nil
}

// decideReview records the reviewer's decision and tells the author.
func (e *Engine) decideReview(ctx context.Context, c *Context, s *campaignbot.Submission, t *campaignbot.Task, decision campaignbot.ReviewState, comment string) error {
	if n := utf8.RuneCountInString(comment); n > maxCommentLen {
		return c.userError(campaignbot.EINVALID, "err.too_long", n, maxCommentLen)
	}
	rc := &campaignbot.ReviewComment{SubmissionID: s.ID, ReviewerID: c.Person.ID, Text: comment, Decision: decision}
	switch err := e.store.ReviewSubmission(ctx, rc); campaignbot.ErrorCode(err) {
	case "":
	case campaignbot.ECONFLICT:
		return c.userError(campaignbot.ECONFLICT, "review.not_waiting", s.ID)
	case campaignbot.EINVALID:
		return c.userError(campaignbot.EINVALID, "review.usage")
	default:
		return fmt.Errorf("review submission: %w", err)
	}
	title := e.title(t.Title, t.TitleEn)
	author := e.nameOf(ctx, c, s.PersonID)
	var text string
	var buttons [][]campaignbot.Button
	if decision == campaignbot.ReviewReturned {
		c.Reply("review.returned_ok", title, s.Version, author)
		text = c.T("review.notice_returned", c.Person.Name, title, s.Version, comment, t.Key)
		buttons = [][]campaignbot.Button{{{Text: c.T("review.resubmit_button"), Data: "/submit " + t.Key}}}
	} else {
		c.Reply("review.accepted_ok", title, s.Version, author, s.ID, s.ID)
		text = c.T("review.notice_accepted", c.Person.Name, title, s.Version)
		if comment != "" {
			text += "\n" + c.T("review.notice_comment", comment)
		}
	}
	key := fmt.Sprintf("notice:review:%d:%s:%d", s.ID, decision, s.PersonID)
	if s.PersonID != c.Person.ID {
		if err := e.tell(ctx, c, s.PersonID, campaignbot.KindNotice, key, text, buttons); err != nil {
			return err
		}
	}
	left, err := e.waitingFor(ctx, c.Person.ID)
	if err != nil {
		return err
	}
	if len(left) > 0 {
		c.Reply("review.more_waiting", len(left))
	}
	return nil
}

// diffOp marks a line of a line diff.
type diffOp byte

// Line diff operations, as printed.
const (
	diffSame diffOp = ' '
	diffAdd  diffOp = '+'
	diffDel  diffOp = '-'
)

// diffLine is one line of a line diff.
type diffLine struct {
	op   diffOp
	text string
}

// maxDiffCells bounds the LCS table; larger changes show as a whole
// replacement rather than cost memory.
const maxDiffCells = 4 << 20

// lineDiff returns the lines of a and b as a shortest edit script from the
// longest common subsequence: unchanged lines, lines only in a (-) and
// lines only in b (+), in order.
func lineDiff(a, b string) []diffLine {
	x, y := splitLines(a), splitLines(b)
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	var out []diffLine
	for _, l := range x[:pre] {
		out = append(out, diffLine{diffSame, l})
	}
	out = append(out, lcsDiff(x[pre:len(x)-suf], y[pre:len(y)-suf])...)
	for _, l := range x[len(x)-suf:] {
		out = append(out, diffLine{diffSame, l})
	}
	return out
}

// lcsDiff diffs x and y by dynamic programming over suffixes.
func lcsDiff(x, y []string) []diffLine {
	n, m := len(x), len(y)
	var out []diffLine
	if n*m > maxDiffCells {
		for _, l := range x {
			out = append(out, diffLine{diffDel, l})
		}
		for _, l := range y {
			out = append(out, diffLine{diffAdd, l})
		}
		return out
	}
	w := m + 1
	lcs := make([]int32, (n+1)*w) // lcs[i*w+j]: LCS length of x[i:] and y[j:]
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case x[i] == y[j]:
			out = append(out, diffLine{diffSame, x[i]})
			i, j = i+1, j+1
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			out = append(out, diffLine{diffDel, x[i]})
			i++
		default:
			out = append(out, diffLine{diffAdd, y[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, diffLine{diffDel, x[i]})
	}
	for ; j < m; j++ {
		out = append(out, diffLine{diffAdd, y[j]})
	}
	return out
}

// splitLines splits text into lines; empty text has none.
func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// renderDiff prints the changed lines with around unchanged lines beside
// them; longer unchanged runs show as "…". No change renders as "".
func renderDiff(lines []diffLine, around int) string {
	near := make([]bool, len(lines))
	changed := false
	for i, l := range lines {
		if l.op == diffSame {
			continue
		}
		changed = true
		for k := max(0, i-around); k <= min(len(lines)-1, i+around); k++ {
			near[k] = true
		}
	}
	if !changed {
		return ""
	}
	var b strings.Builder
	skipped := false
	for i, l := range lines {
		if !near[i] {
			if !skipped {
				b.WriteString("  …\n")
				skipped = true
			}
			continue
		}
		skipped = false
		b.WriteByte(byte(l.op))
		b.WriteByte(' ')
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}
