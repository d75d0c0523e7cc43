// Package plan reads campaign plans from YAML (SPEC §3): it validates them
// with errors that name the file, line and field, fills in defaults, and holds
// the embedded default plan that reproduces the seed campaign.
package plan

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // plans name IANA zones; do not depend on the host's zoneinfo

	"go.yaml.in/yaml/v3"

	"campaignbot"
)

// DefaultTimeZone is the time zone of a plan that names none.
const DefaultTimeZone = "Asia/Shanghai"

// maxNodes bounds the YAML nodes Parse visits, aliases expanded, so that a
// small file full of aliases cannot make it work for ever.
const maxNodes = 200_000

// maxErrors bounds the errors listed; the rest are counted.
const maxErrors = 100

var (
	keyPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
	clockPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$`)
	yamlLine     = regexp.MustCompile(`^yaml: line ([0-9]+): (.*)$`)
)

// Fields allowed in each mapping of a plan file.
var (
	planFields     = []string{"organisation", "title", "title_en", "timezone", "start", "end", "policy", "phases", "tasks", "surveys"}
	phaseFields    = []string{"key", "title", "title_en", "start", "end"}
	taskFields     = []string{"key", "title", "title_en", "phase", "roles", "every", "per", "due", "review", "satisfied_by", "policy", "prompt", "prompt_en"}
	surveyFields   = []string{"key", "title", "title_en", "phase", "roles", "from", "to", "anonymous", "questions"}
	questionFields = []string{"key", "text", "text_en", "kind", "options", "options_en"}
	policyFields   = []string{"warn_days", "overdue_every", "overdue_max", "escalate_after", "daily_cap", "quiet_hours", "digest_at", "remind_at"}
)

// Parse reads the plan in data; name is the file name used in errors. Every
// problem found is reported, each with its line and field, in one *Errors.
func Parse(name string, data []byte) (*campaignbot.Plan, error) {
	p := &parser{file: name}
	pl := p.parse(data)
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b FieldError) int { return cmp.Compare(a.Line, b.Line) })
		if p.dropped > 0 {
			p.errs = append(p.errs, FieldError{File: name, Msg: fmt.Sprintf("and %d more errors", p.dropped)})
		}
		return nil, &Errors{List: p.errs}
	}
	return pl, nil
}

// parser walks the yaml.Node tree and collects errors.
type parser struct {
	file    string
	errs    []FieldError
	dropped int
	visited int
}

// tooComplex aborts the walk when maxNodes is exceeded.
type tooComplex struct{}

func (p *parser) errorf(n *yaml.Node, field, format string, args ...any) {
	if len(p.errs) >= maxErrors {
		p.dropped++
		return
	}
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, FieldError{File: p.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) parse(data []byte) (pl *campaignbot.Plan) {
	var doc yaml.Node
	if err := decode(data, &doc); err != nil {
		fe := FieldError{File: p.file, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			fe.Line, _ = strconv.Atoi(m[1])
			fe.Msg = m[2]
		}
		p.errs = append(p.errs, fe)
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		p.errs = append(p.errs, FieldError{File: p.file, Line: 1, Msg: "the plan is empty"})
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(tooComplex); !ok {
				panic(r)
			}
			p.errs = append(p.errs, FieldError{File: p.file, Msg: fmt.Sprintf("the plan has more than %d nodes (aliases expanded)", maxNodes)})
			pl = nil
		}
	}()
	return p.plan(doc.Content[0])
}

// decode parses data into a node tree. The YAML parser is third-party code
// fed with user input, so a panic in it becomes an error.
func decode(data []byte, doc *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: cannot parse: %v", r)
		}
	}()
	return yaml.Unmarshal(data, doc)
}

// resolve follows aliases and counts the nodes visited.
func (p *parser) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	p.visited++
	if p.visited > maxNodes {
		panic(tooComplex{})
	}
	return n
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// fields calls fn for each pair of mapping n, in order, after reporting
// unknown and repeated keys. It reports false if n is not a mapping.
func (p *parser) fields(n *yaml.Node, path string, known []string, fn func(key string, k, v *yaml.Node)) bool {
	n = p.resolve(n)
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "expected a mapping of fields (%s)", strings.Join(known, ", "))
		return false
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := p.resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, path, "field names must be plain words")
			continue
		}
		field := join(path, k.Value)
		switch {
		case k.Tag == "!!merge":
			p.errorf(k, field, "merge keys (<<) are not supported")
		case !slices.Contains(known, k.Value):
			msg := fmt.Sprintf("unknown field %q", k.Value)
			if s := campaignbot.Closest(k.Value, known, 2); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			p.errorf(k, field, "%s", msg)
		case seen[k.Value] > 0:
			p.errorf(k, field, "repeated field (first at line %d)", seen[k.Value])
		default:
			seen[k.Value] = k.Line
			fn(k.Value, k, v)
		}
	}
	return true
}

// scalar returns the value of scalar node n, "" for null.
func (p *parser) scalar(n *yaml.Node, field, want string) (string, bool) {
	n = p.resolve(n)
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, field, "expected %s", want)
		return "", false
	}
	if n.Tag == "!!null" {
		return "", true
	}
	return n.Value, true
}

func (p *parser) str(n *yaml.Node, field string) string {
	s, _ := p.scalar(n, field, "a string")
	return strings.TrimSpace(s)
}

func (p *parser) date(n *yaml.Node, field string) (campaignbot.Date, bool) {
	s, ok := p.scalar(n, field, "a date (YYYY-MM-DD)")
	if !ok {
		return 0, false
	}
	if s == "" {
		p.errorf(n, field, "required")
		return 0, false
	}
	d, err := campaignbot.ParseDate(s)
	if err != nil {
		p.errorf(n, field, "bad date %q, want YYYY-MM-DD", s)
		return 0, false
	}
	return d, true
}

func (p *parser) integer(n *yaml.Node, field string) (int, bool) {
	s, ok := p.scalar(n, field, "a whole number")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	if err != nil {
		p.errorf(n, field, "expected a whole number, got %q", s)
		return 0, false
	}
	return i, true
}

func (p *parser) boolean(n *yaml.Node, field string) bool {
	s, ok := p.scalar(n, field, "true or false")
	if !ok {
		return false
	}
	switch strings.ToLower(s) {
	case "true", "yes":
		return true
	case "false", "no", "":
		return false
	}
	p.errorf(n, field, "expected true or false, got %q", s)
	return false
}

// list returns the items of sequence n; a lone scalar counts as a list of one.
func (p *parser) list(n *yaml.Node, field string) []*yaml.Node {
	n = p.resolve(n)
	switch {
	case n.Kind == yaml.SequenceNode:
		return n.Content
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		return nil
	case n.Kind == yaml.ScalarNode:
		return []*yaml.Node{n}
	}
	p.errorf(n, field, "expected a list")
	return nil
}

// checkKey validates an element key and reports duplicates among seen.
func (p *parser) checkKey(n, kn *yaml.Node, field, what, key string, seen map[string]int) {
	switch {
	case key == "":
		p.errorf(n, join(field, "key"), "required")
	case !keyPattern.MatchString(key):
		p.errorf(kn, join(field, "key"), "bad key %q: use up to 32 lower-case letters, digits, - and _", key)
	case seen[key] > 0:
		p.errorf(kn, join(field, "key"), "duplicate %s key %q (first at line %d)", what, key, seen[key])
	default:
		seen[key] = kn.Line
	}
}

func (p *parser) plan(root *yaml.Node) *campaignbot.Plan {
	pl := &campaignbot.Plan{}
	top := map[string]*yaml.Node{}
	if !p.fields(root, "", planFields, func(key string, _, v *yaml.Node) { top[key] = v }) {
		return nil
	}
	root = p.resolve(root)
	req := func(key string) *yaml.Node {
		if top[key] == nil {
			p.errorf(root, key, "required")
		}
		return top[key]
	}
	if n := req("title"); n != nil {
		if pl.Title = p.str(n, "title"); pl.Title == "" {
			p.errorf(n, "title", "required")
		}
	}
	if n := top["title_en"]; n != nil {
		pl.TitleEn = p.str(n, "title_en")
	}
	if n := top["organisation"]; n != nil {
		pl.Organisation = p.str(n, "organisation")
	}
	pl.TimeZone = DefaultTimeZone
	if n := top["timezone"]; n != nil {
		if tz := p.str(n, "timezone"); tz != "" {
			pl.TimeZone = tz
		}
		if pl.TimeZone == "Local" {
			p.errorf(n, "timezone", "name a zone such as Asia/Shanghai, not Local")
		}
	}
	loc, err := time.LoadLocation(pl.TimeZone)
	if err != nil {
		p.errorf(top["timezone"], "timezone", "unknown time zone %q", pl.TimeZone)
		loc = time.FixedZone("CST", 8*3600)
	}
	pl.Location = loc
	okStart, okEnd := false, false
	if n := req("start"); n != nil {
		pl.Start, okStart = p.date(n, "start")
	}
	if n := req("end"); n != nil {
		pl.End, okEnd = p.date(n, "end")
	}
	datesOK := okStart && okEnd
	if datesOK && pl.End < pl.Start {
		p.errorf(top["end"], "end", "campaign ends (%s) before it starts (%s)", pl.End, pl.Start)
		datesOK = false
	}
	pl.Policy = campaignbot.DefaultPolicy()
	if n := top["policy"]; n != nil {
		p.policy(n, "policy").apply(&pl.Policy)
	}
	if n := req("phases"); n != nil {
		p.phases(pl, n, datesOK)
	}
	if n := top["tasks"]; n != nil {
		p.tasks(pl, n, datesOK)
	}
	if n := top["surveys"]; n != nil {
		p.surveys(pl, n, datesOK)
	}
	return pl
}

// inCampaign reports a date outside the campaign.
func (p *parser) inCampaign(pl *campaignbot.Plan, n *yaml.Node, field string, d campaignbot.Date) bool {
	if d < pl.Start || d > pl.End {
		p.errorf(n, field, "%s is outside the campaign (%s to %s)", d, pl.Start, pl.End)
		return false
	}
	return true
}

func (p *parser) phases(pl *campaignbot.Plan, n *yaml.Node, datesOK bool) {
	items := p.list(n, "phases")
	if len(items) == 0 {
		p.errorf(n, "phases", "a plan needs at least one phase")
		return
	}
	seen := map[string]int{}
	var prev *campaignbot.Phase
	for i, it := range items {
		field := index("phases", i)
		var ph campaignbot.Phase
		var nodes = map[string]*yaml.Node{}
		if !p.fields(it, field, phaseFields, func(key string, _, v *yaml.Node) { nodes[key] = v }) {
			continue
		}
		it = p.resolve(it)
		if v := nodes["key"]; v != nil {
			ph.Key = p.str(v, join(field, "key"))
		}
		p.checkKey(it, cmp.Or(nodes["key"], it), field, "phase", ph.Key, seen)
		if v := nodes["title"]; v != nil {
			ph.Title = p.str(v, join(field, "title"))
		}
		if ph.Title == "" {
			p.errorf(cmp.Or(nodes["title"], it), join(field, "title"), "required")
		}
		if v := nodes["title_en"]; v != nil {
			ph.TitleEn = p.str(v, join(field, "title_en"))
		}
		var okS, okE bool
		if v := nodes["start"]; v != nil {
			ph.Start, okS = p.date(v, join(field, "start"))
		} else {
			p.errorf(it, join(field, "start"), "required")
		}
		if v := nodes["end"]; v != nil {
			ph.End, okE = p.date(v, join(field, "end"))
		} else {
			p.errorf(it, join(field, "end"), "required")
		}
		pl.Phases = append(pl.Phases, ph)
		if !okS || !okE {
			continue
		}
		switch {
		case ph.End < ph.Start:
			p.errorf(nodes["end"], join(field, "end"), "phase ends (%s) before it starts (%s)", ph.End, ph.Start)
			continue
		case datesOK && (ph.Start < pl.Start || ph.End > pl.End):
			p.errorf(nodes["start"], field, "phase %q (%s to %s) is outside the campaign (%s to %s)", ph.Key, ph.Start, ph.End, pl.Start, pl.End)
		case prev != nil && ph.Start < prev.Start:
			p.errorf(nodes["start"], join(field, "start"), "phases must be in date order: %q starts before %q", ph.Key, prev.Key)
		case prev != nil && ph.Start <= prev.End:
			p.errorf(nodes["start"], join(field, "start"), "phase %q overlaps phase %q, which ends %s", ph.Key, prev.Key, prev.End)
		}
		prev = &pl.Phases[len(pl.Phases)-1]
	}
}

func (p *parser) roles(n *yaml.Node, field string, required bool) []campaignbot.Role {
	items := p.list(n, field)
	if required && len(items) == 0 {
		p.errorf(n, field, "name at least one role (%s)", roleNames())
	}
	var rs []campaignbot.Role
	for i, it := range items {
		f := index(field, i)
		w := p.str(it, f)
		r, ok := campaignbot.ParseRole(w)
		switch {
		case !ok:
			p.errorf(it, f, "unknown role %q (want one of %s)", w, roleNames())
		case slices.Contains(rs, r):
			p.errorf(it, f, "role %q listed twice", r)
		default:
			rs = append(rs, r)
		}
	}
	return rs
}

func roleNames() string { return strings.Join(campaignbot.RoleWords(), ", ") }

// phaseRef looks up the phase named by field key of an element.
func (p *parser) phaseRef(pl *campaignbot.Plan, n, parent *yaml.Node, field string) (string, *campaignbot.Phase) {
	if n == nil {
		p.errorf(parent, field, "required")
		return "", nil
	}
	k := p.str(n, field)
	if k == "" {
		p.errorf(n, field, "required")
		return "", nil
	}
	ph := pl.FindPhase(k)
	if ph == nil {
		p.errorf(n, field, "unknown phase %q", k)
	}
	return k, ph
}

func (p *parser) tasks(pl *campaignbot.Plan, n *yaml.Node, datesOK bool) {
	seen := map[string]int{}
	for i, it := range p.list(n, "tasks") {
		field := index("tasks", i)
		nodes := map[string]*yaml.Node{}
		if !p.fields(it, field, taskFields, func(key string, _, v *yaml.Node) { nodes[key] = v }) {
			continue
		}
		it = p.resolve(it)
		t := campaignbot.Task{Cardinality: campaignbot.Once}
		if v := nodes["key"]; v != nil {
			t.Key = p.str(v, join(field, "key"))
		}
		p.checkKey(it, cmp.Or(nodes["key"], it), field, "task", t.Key, seen)
		if v := nodes["title"]; v != nil {
			t.Title = p.str(v, join(field, "title"))
		}
		if t.Title == "" {
			p.errorf(cmp.Or(nodes["title"], it), join(field, "title"), "required")
		}
		if v := nodes["title_en"]; v != nil {
			t.TitleEn = p.str(v, join(field, "title_en"))
		}
		if v := nodes["prompt"]; v != nil {
			t.Prompt = p.str(v, join(field, "prompt"))
		}
		if v := nodes["prompt_en"]; v != nil {
			t.PromptEn = p.str(v, join(field, "prompt_en"))
		}
		var ph *campaignbot.Phase
		t.Phase, ph = p.phaseRef(pl, nodes["phase"], it, join(field, "phase"))
		if v := nodes["roles"]; v != nil {
			t.Roles = p.roles(v, join(field, "roles"), true)
		} else {
			p.errorf(it, join(field, "roles"), "required")
		}
		if v := nodes["every"]; v != nil {
			if s := p.str(v, join(field, "every")); s != "week" {
				p.errorf(v, join(field, "every"), "every must be \"week\", not %q", s)
			}
			t.Cardinality = campaignbot.EveryWeek
		}
		if v := nodes["per"]; v != nil {
			if s := p.str(v, join(field, "per")); s != "department" {
				p.errorf(v, join(field, "per"), "per must be \"department\", not %q", s)
			}
			if nodes["every"] != nil {
				p.errorf(v, join(field, "per"), "a task is owed either every week or per department, not both")
			}
			t.Cardinality = campaignbot.PerDepartment
		}
		if v := nodes["review"]; v != nil {
			t.Review = campaignbot.ReviewKind(p.str(v, join(field, "review")))
			if t.Review != campaignbot.ReviewLeaderInCharge && t.Review != campaignbot.ReviewHead {
				p.errorf(v, join(field, "review"), "unknown review %q (want leader-in-charge or head)", t.Review)
			}
		}
		if v := nodes["satisfied_by"]; v != nil {
			t.SatisfiedBy = campaignbot.SatisfiedBy(p.str(v, join(field, "satisfied_by")))
			switch {
			case t.SatisfiedBy != campaignbot.SatisfiedByClaim:
				p.errorf(v, join(field, "satisfied_by"), "satisfied_by must be \"claim\", not %q", t.SatisfiedBy)
			case t.Cardinality != campaignbot.Once:
				p.errorf(v, join(field, "satisfied_by"), "a task satisfied by a claim is owed once, not every week or per department")
			case t.Review != campaignbot.ReviewNone:
				p.errorf(v, join(field, "satisfied_by"), "a task satisfied by a claim has no submissions to review")
			}
		}
		if ph != nil {
			t.Due = ph.End
		}
		if v := nodes["due"]; v != nil {
			f := join(field, "due")
			if d, ok := p.date(v, f); ok {
				switch {
				case t.Cardinality == campaignbot.EveryWeek:
					p.errorf(v, f, "a weekly task is due at the end of each week; remove due")
				case datesOK && !p.inCampaign(pl, v, f, d):
				case ph != nil && d < ph.Start:
					p.errorf(v, f, "due %s is before phase %q starts (%s)", d, ph.Key, ph.Start)
				default:
					t.Due = d
				}
			}
		}
		t.Policy = pl.Policy
		t.Policy.WarnDays = slices.Clone(pl.Policy.WarnDays)
		if v := nodes["policy"]; v != nil {
			p.policy(v, join(field, "policy")).apply(&t.Policy)
		}
		pl.Tasks = append(pl.Tasks, t)
	}
}

func (p *parser) surveys(pl *campaignbot.Plan, n *yaml.Node, datesOK bool) {
	seen := map[string]int{}
	for i, it := range p.list(n, "surveys") {
		field := index("surveys", i)
		nodes := map[string]*yaml.Node{}
		if !p.fields(it, field, surveyFields, func(key string, _, v *yaml.Node) { nodes[key] = v }) {
			continue
		}
		it = p.resolve(it)
		var s campaignbot.Survey
		if v := nodes["key"]; v != nil {
			s.Key = p.str(v, join(field, "key"))
		}
		p.checkKey(it, cmp.Or(nodes["key"], it), field, "survey", s.Key, seen)
		if v := nodes["title"]; v != nil {
			s.Title = p.str(v, join(field, "title"))
		}
		if s.Title == "" {
			p.errorf(cmp.Or(nodes["title"], it), join(field, "title"), "required")
		}
		if v := nodes["title_en"]; v != nil {
			s.TitleEn = p.str(v, join(field, "title_en"))
		}
		var ph *campaignbot.Phase
		s.Phase, ph = p.phaseRef(pl, nodes["phase"], it, join(field, "phase"))
		if v := nodes["roles"]; v != nil {
			s.Roles = p.roles(v, join(field, "roles"), false)
		}
		if v := nodes["anonymous"]; v != nil {
			s.Anonymous = p.boolean(v, join(field, "anonymous"))
		}
		if ph != nil {
			s.From, s.To = ph.Start, ph.End
		}
		okFrom, okTo := true, true
		if v := nodes["from"]; v != nil {
			s.From, okFrom = p.date(v, join(field, "from"))
			okFrom = okFrom && (!datesOK || p.inCampaign(pl, v, join(field, "from"), s.From))
		}
		if v := nodes["to"]; v != nil {
			s.To, okTo = p.date(v, join(field, "to"))
			okTo = okTo && (!datesOK || p.inCampaign(pl, v, join(field, "to"), s.To))
		}
		if okFrom && okTo && s.To < s.From {
			p.errorf(cmp.Or(nodes["to"], nodes["from"], it), join(field, "to"), "survey closes (%s) before it opens (%s)", s.To, s.From)
		}
		if v := nodes["questions"]; v != nil {
			s.Questions = p.questions(v, join(field, "questions"))
		} else {
			p.errorf(it, join(field, "questions"), "required")
		}
		pl.Surveys = append(pl.Surveys, s)
	}
}

func (p *parser) questions(n *yaml.Node, path string) []campaignbot.Question {
	items := p.list(n, path)
	if len(items) == 0 {
		p.errorf(n, path, "a survey needs at least one question")
	}
	seen := map[string]int{}
	var qs []campaignbot.Question
	for i, it := range items {
		field := index(path, i)
		nodes := map[string]*yaml.Node{}
		if !p.fields(it, field, questionFields, func(key string, _, v *yaml.Node) { nodes[key] = v }) {
			continue
		}
		it = p.resolve(it)
		var q campaignbot.Question
		if v := nodes["key"]; v != nil {
			q.Key = p.str(v, join(field, "key"))
		}
		p.checkKey(it, cmp.Or(nodes["key"], it), field, "question", q.Key, seen)
		if v := nodes["text"]; v != nil {
			q.Text = p.str(v, join(field, "text"))
		}
		if q.Text == "" {
			p.errorf(cmp.Or(nodes["text"], it), join(field, "text"), "required")
		}
		if v := nodes["text_en"]; v != nil {
			q.TextEn = p.str(v, join(field, "text_en"))
		}
		kindField := join(field, "kind")
		if v := nodes["kind"]; v != nil {
			q.Kind = campaignbot.QuestionKind(p.str(v, kindField))
			switch q.Kind {
			case campaignbot.QuestionScale, campaignbot.QuestionChoice, campaignbot.QuestionText:
			default:
				p.errorf(v, kindField, "unknown kind %q (want scale, choice or text)", q.Kind)
			}
		} else {
			p.errorf(it, kindField, "required")
		}
		optField := join(field, "options")
		if v := nodes["options"]; v != nil {
			for j, o := range p.list(v, optField) {
				s := p.str(o, index(optField, j))
				switch {
				case s == "":
					p.errorf(o, index(optField, j), "empty option")
				case slices.Contains(q.Options, s):
					p.errorf(o, index(optField, j), "option %q listed twice", s)
				default:
					q.Options = append(q.Options, s)
				}
			}
			if q.Kind != campaignbot.QuestionChoice && q.Kind != "" {
				p.errorf(v, optField, "only choice questions have options")
			}
		}
		if q.Kind == campaignbot.QuestionChoice && len(q.Options) < 2 {
			p.errorf(cmp.Or(nodes["options"], it), optField, "a choice question needs at least two options")
		}
		if v := nodes["options_en"]; v != nil {
			enField := join(field, "options_en")
			for j, o := range p.list(v, enField) {
				q.OptionsEn = append(q.OptionsEn, p.str(o, index(enField, j)))
			}
			if len(q.OptionsEn) != len(q.Options) {
				p.errorf(v, enField, "%d English options for %d options", len(q.OptionsEn), len(q.Options))
			}
		}
		qs = append(qs, q)
	}
	return qs
}

// policyPatch holds the policy fields a plan or task sets.
type policyPatch struct {
	warnDays                                          []int
	overdueEvery, overdueMax, escalateAfter, dailyCap *int
	quiet                                             *[2]campaignbot.Clocktime
	digestAt, remindAt                                *campaignbot.Clocktime
}

func (pp policyPatch) apply(pol *campaignbot.Policy) {
	if pp.warnDays != nil {
		pol.WarnDays = pp.warnDays
	}
	set := func(dst *int, src *int) {
		if src != nil {
			*dst = *src
		}
	}
	set(&pol.OverdueEvery, pp.overdueEvery)
	set(&pol.OverdueMax, pp.overdueMax)
	set(&pol.EscalateAfter, pp.escalateAfter)
	set(&pol.DailyCap, pp.dailyCap)
	if pp.quiet != nil {
		pol.QuietStart, pol.QuietEnd = pp.quiet[0], pp.quiet[1]
	}
	if pp.digestAt != nil {
		pol.DigestAt = *pp.digestAt
	}
	if pp.remindAt != nil {
		pol.RemindAt = *pp.remindAt
	}
}

func (p *parser) policy(n *yaml.Node, path string) policyPatch {
	var pp policyPatch
	bounded := func(v *yaml.Node, field string, lo, hi int) *int {
		i, ok := p.integer(v, field)
		if !ok {
			return nil
		}
		if i < lo || i > hi {
			p.errorf(v, field, "%d is out of range (%d to %d)", i, lo, hi)
			return nil
		}
		return &i
	}
	p.fields(n, path, policyFields, func(key string, _, v *yaml.Node) {
		field := join(path, key)
		switch key {
		case "warn_days":
			pp.warnDays = []int{}
			for i, it := range p.list(v, field) {
				d := bounded(it, index(field, i), 1, 366)
				switch {
				case d == nil:
				case slices.Contains(pp.warnDays, *d):
					p.errorf(it, index(field, i), "%d listed twice", *d)
				default:
					pp.warnDays = append(pp.warnDays, *d)
				}
			}
			slices.SortFunc(pp.warnDays, func(a, b int) int { return b - a })
		case "overdue_every":
			pp.overdueEvery = bounded(v, field, 1, 366)
		case "overdue_max":
			pp.overdueMax = bounded(v, field, 0, 100)
		case "escalate_after":
			pp.escalateAfter = bounded(v, field, 0, 366)
		case "daily_cap":
			pp.dailyCap = bounded(v, field, 1, 100)
		case "quiet_hours":
			s := p.str(v, field)
			from, to, ok := strings.Cut(s, "-")
			a, okA := clock(from)
			b, okB := clock(to)
			if !ok || !okA || !okB {
				p.errorf(v, field, "bad quiet hours %q, want HH:MM-HH:MM", s)
				return
			}
			pp.quiet = &[2]campaignbot.Clocktime{a, b}
		case "digest_at", "remind_at":
			s := p.str(v, field)
			c, ok := clock(s)
			if !ok {
				p.errorf(v, field, "bad time %q, want HH:MM", s)
				return
			}
			if key == "digest_at" {
				pp.digestAt = &c
			} else {
				pp.remindAt = &c
			}
		}
	})
	return pp
}

// clock parses HH:MM.
func clock(s string) (campaignbot.Clocktime, bool) {
	m := clockPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	return campaignbot.Clocktime(h*60 + mi), true
}
