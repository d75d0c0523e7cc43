package campaignbot

import (
	"context"
	"strings"
	"time"
)

// Plan is a campaign: phases with deadlines, the tasks each role owes, the
// surveys, and the reminder policy (SPEC §3). The plan package reads it from
// YAML; the zero values of optional fields are filled in by the loader.
type Plan struct {
	// Organisation runs the campaign (科技局): the workbook's title rows
	// and the documents' author name it.
	Organisation string
	Title        string
	TitleEn      string
	TimeZone     string // IANA name, default Asia/Shanghai
	Location     *time.Location
	Start        Date
	End          Date
	Policy       Policy
	Phases       []Phase
	Tasks        []Task
	Surveys      []Survey
}

// Phase is a stage of the campaign, from Start to End inclusive.
type Phase struct {
	Key     string
	Title   string
	TitleEn string
	Start   Date
	End     Date
}

// Cardinality says how often a task is owed.
type Cardinality string

// Cardinalities of SPEC §2.
const (
	Once          Cardinality = "once"
	EveryWeek     Cardinality = "every: week"
	PerDepartment Cardinality = "per: department"
)

// ReviewKind says who reviews a task's submissions; "" means not reviewed.
type ReviewKind string

// Review kinds of SPEC §2.
const (
	ReviewNone           ReviewKind = ""
	ReviewLeaderInCharge ReviewKind = "leader-in-charge"
	ReviewHead           ReviewKind = "head"
)

// SatisfiedBy says what fulfils a task.
type SatisfiedBy string

// What can satisfy a task.
const (
	SatisfiedBySubmission SatisfiedBy = ""      // a submission for the task
	SatisfiedByClaim      SatisfiedBy = "claim" // claiming a problem (领办)
	// SatisfiedBySurvey is a survey owed like a task: taking part in it.
	SatisfiedBySurvey SatisfiedBy = "survey"
)

// surveyTaskPrefix starts the task key of a survey owed like a task; plan
// keys cannot hold ':', so it never names a task.
const surveyTaskPrefix = "survey:"

// SurveyTaskKey is the task key under which survey k is owed.
func SurveyTaskKey(k string) string { return surveyTaskPrefix + k }

// SurveyOf returns the survey key of a survey's task key, and whether key
// is one.
func SurveyOf(key string) (string, bool) { return strings.CutPrefix(key, surveyTaskPrefix) }

// Task is a deliverable owed by roles within a phase.
type Task struct {
	Key         string
	Title       string
	TitleEn     string
	Phase       string
	Roles       []Role
	Due         Date // the phase's end unless set
	Cardinality Cardinality
	Review      ReviewKind
	SatisfiedBy SatisfiedBy
	// Prompt is what the deliverable should cover, shown when it is asked
	// for (the research report's four themes); PromptEn in English.
	Prompt   string
	PromptEn string
	// Policy is the reminder policy in force for this task: the plan's,
	// with the task's overrides applied by the loader.
	Policy Policy
}

// Policy is the reminder policy (SPEC §3, §5).
type Policy struct {
	WarnDays      []int // days before a due date to warn, e.g. 7, 3, 1
	OverdueEvery  int   // days between overdue reminders
	OverdueMax    int   // at most this many overdue reminders
	EscalateAfter int   // days overdue before escalating to the leader in charge
	DailyCap      int   // prompts a person gets a day at most
	QuietStart    Clocktime
	QuietEnd      Clocktime
	DigestAt      Clocktime
	// RemindAt is when the day's warnings and reminders go out.
	RemindAt Clocktime
}

// Clocktime is a time of day in minutes since midnight.
type Clocktime int

// String formats c as HH:MM.
func (c Clocktime) String() string {
	return time.Date(0, 1, 1, int(c)/60, int(c)%60, 0, 0, time.UTC).Format("15:04")
}

// InQuiet reports whether minute-of-day m falls in the quiet hours [start, end),
// which may wrap midnight.
func (p Policy) InQuiet(m Clocktime) bool {
	if p.QuietStart == p.QuietEnd {
		return false
	}
	if p.QuietStart < p.QuietEnd {
		return m >= p.QuietStart && m < p.QuietEnd
	}
	return m >= p.QuietStart || m < p.QuietEnd
}

// DefaultPolicy is the reminder policy of SPEC §3.
func DefaultPolicy() Policy {
	return Policy{
		WarnDays:      []int{7, 3, 1},
		OverdueEvery:  2,
		OverdueMax:    3,
		EscalateAfter: 3,
		DailyCap:      2,
		QuietStart:    21*60 + 30,
		QuietEnd:      8 * 60,
		DigestAt:      8*60 + 30,
		RemindAt:      9 * 60,
	}
}

// QuestionKind is the kind of a survey question.
type QuestionKind string

// Question kinds of SPEC §2.
const (
	QuestionScale  QuestionKind = "scale"  // 1–5
	QuestionChoice QuestionKind = "choice" // one of Options
	QuestionText   QuestionKind = "text"
)

// Question is one question of a survey.
type Question struct {
	Key     string
	Text    string
	TextEn  string
	Kind    QuestionKind
	Options []string
	// OptionsEn are the options in English, in the same order; answers
	// are stored as the Options they stand for.
	OptionsEn []string
}

// Survey is a questionnaire for an audience within a window.
type Survey struct {
	Key       string
	Title     string
	TitleEn   string
	Phase     string
	Roles     []Role // audience; empty means everyone
	From, To  Date   // the window; the phase's bounds unless set
	Anonymous bool
	Questions []Question
}

// PhaseAt returns the phase that contains d, or nil.
func (p *Plan) PhaseAt(d Date) *Phase {
	for i := range p.Phases {
		if d >= p.Phases[i].Start && d <= p.Phases[i].End {
			return &p.Phases[i]
		}
	}
	return nil
}

// FindPhase returns the phase with key k, or nil.
func (p *Plan) FindPhase(k string) *Phase {
	for i := range p.Phases {
		if p.Phases[i].Key == k {
			return &p.Phases[i]
		}
	}
	return nil
}

// FindTask returns the task with key k, or nil.
func (p *Plan) FindTask(k string) *Task {
	for i := range p.Tasks {
		if p.Tasks[i].Key == k {
			return &p.Tasks[i]
		}
	}
	return nil
}

// FindOwed returns what an obligation's task key names: the task, or the
// survey as a task (key SurveyTaskKey, owed by its audience — everyone when
// it names no role — from its window's start, due when it closes, with the
// plan's reminder policy). Nil when there is neither.
func (p *Plan) FindOwed(key string) *Task {
	sk, ok := SurveyOf(key)
	if !ok {
		return p.FindTask(key)
	}
	s := p.FindSurvey(sk)
	if s == nil {
		return nil
	}
	roles := s.Roles
	if len(roles) == 0 {
		roles = AllRoles
	}
	return &Task{
		Key: key, Title: s.Title, TitleEn: s.TitleEn, Phase: s.Phase, Roles: roles,
		Due: s.To, Cardinality: Once, SatisfiedBy: SatisfiedBySurvey, Policy: p.Policy,
	}
}

// FindSurvey returns the survey with key k, or nil.
func (p *Plan) FindSurvey(k string) *Survey {
	for i := range p.Surveys {
		if p.Surveys[i].Key == k {
			return &p.Surveys[i]
		}
	}
	return nil
}

// Loc returns the plan's time zone, Asia/Shanghai's offset if unset.
func (p *Plan) Loc() *time.Location {
	if p.Location != nil {
		return p.Location
	}
	return time.FixedZone("CST", 8*3600)
}

// AppliedPlan is a plan as the store keeps it: the YAML source exactly as
// it was applied, so that `plan show` prints what the office wrote and
// every process parses the same text.
type AppliedPlan struct {
	// Version numbers the plans applied to a store, from 1, and grows with
	// each; a running process compares it to learn of a plan applied by
	// another one.
	Version   int64
	Source    []byte
	AppliedAt time.Time
	// AppliedBy says who or what applied it, e.g. "plan apply plan.yaml".
	AppliedBy string
}

// PlanService keeps the plan in force (SPEC §3). The store does not read
// YAML: a caller validates the source (package plan) before applying it.
type PlanService interface {
	// ApplyPlan stores source as the plan in force and returns it with its
	// version. A source equal to the plan in force is not stored again:
	// that plan is returned as it is.
	ApplyPlan(ctx context.Context, source []byte, by string) (*AppliedPlan, error)
	// FindPlan returns the plan in force, ENOTFOUND if none was applied.
	FindPlan(ctx context.Context) (*AppliedPlan, error)
	// FindPlanVersion returns the version of the plan in force, 0 if none
	// was applied.
	FindPlanVersion(ctx context.Context) (int64, error)
}
