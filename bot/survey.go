package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"campaignbot"
)

// maxAnswerLen bounds a free-text survey answer.
const maxAnswerLen = 2000

// stepAnswer is the survey dialog's one step: the state says which question
// waits for its answer.
const stepAnswer = "answer"

// openSurveys returns the surveys open today for p that p has not answered.
func (e *Engine) openSurveys(ctx context.Context, p *campaignbot.Person) ([]*campaignbot.Survey, error) {
	today := e.today()
	var open []*campaignbot.Survey
	for i := range e.plan.Load().Surveys {
		s := &e.plan.Load().Surveys[i]
		if today < s.From || today > s.To {
			continue
		}
		if len(s.Roles) > 0 && !slices.ContainsFunc(s.Roles, p.HasRole) {
			continue
		}
		done, err := e.store.HasAnswered(ctx, s.Key, p.ID)
		if err != nil {
			return nil, fmt.Errorf("has answered: %w", err)
		} else if !done {
			open = append(open, s)
		}
	}
	return open, nil
}

// cmdSurvey offers the open surveys, or starts the one named.
func (e *Engine) cmdSurvey(ctx context.Context, c *Context) error {
	open, err := e.openSurveys(ctx, c.Person)
	if err != nil {
		return err
	}
	key := strings.TrimSpace(c.Args)
	if key == "" {
		if len(open) == 0 {
			c.Reply("survey.none")
			return nil
		}
		if len(open) > 1 {
			var rows [][]campaignbot.Button
			for _, s := range open {
				rows = append(rows, []campaignbot.Button{{Text: e.title(s.Title, s.TitleEn), Data: "/survey " + s.Key}})
			}
			c.ReplyButtons(rows, "survey.choose")
			return nil
		}
		key = open[0].Key
	}
	i := slices.IndexFunc(open, func(s *campaignbot.Survey) bool { return s.Key == key })
	if i < 0 {
		if e.plan.Load().FindSurvey(key) == nil {
			return c.userError(campaignbot.ENOTFOUND, "survey.unknown", key)
		}
		return c.userError(campaignbot.ECONFLICT, "survey.closed_or_done", key)
	}
	s := open[i]
	c.Req.Anonymous = s.Anonymous
	st := campaignbot.DialogState{SurveyKey: s.Key, Anonymous: s.Anonymous}
	if err := e.saveDialog(ctx, c, dialogSurvey, stepAnswer, st); err != nil {
		return err
	}
	intro := c.T("survey.intro", e.title(s.Title, s.TitleEn), len(s.Questions))
	if s.Anonymous {
		intro += "\n" + c.T("survey.anonymous")
	}
	c.ReplyRendered(intro)
	e.askQuestion(c, s, 0)
	return nil
}

// askQuestion sends question i with buttons for its choices.
func (e *Engine) askQuestion(c *Context, s *campaignbot.Survey, i int) {
	q := s.Questions[i]
	text := c.T("survey.question", i+1, len(s.Questions), e.title(q.Text, q.TextEn))
	var rows [][]campaignbot.Button
	switch q.Kind {
	case campaignbot.QuestionScale:
		var row []campaignbot.Button
		for v := 1; v <= 5; v++ {
			row = append(row, campaignbot.Button{Text: strconv.Itoa(v), Data: answerData(i, strconv.Itoa(v))})
		}
		rows = append(rows, row)
		text += "\n" + c.T("survey.scale_hint")
	case campaignbot.QuestionChoice:
		for j, o := range q.Options {
			if e.cat.lang == "en" && j < len(q.OptionsEn) {
				o = q.OptionsEn[j]
			}
			rows = append(rows, []campaignbot.Button{{Text: fmt.Sprintf("%d. %s", j+1, o), Data: answerData(i, strconv.Itoa(j+1))}})
		}
		text += "\n" + c.T("survey.choice_hint")
	default:
		text += "\n" + c.T("survey.text_hint")
	}
	c.replies = append(c.replies, Reply{Text: text, Buttons: rows})
}

// surveyAnswer takes the answer to the current question; after the last one
// it stores the response and forgets the dialog.
func (e *Engine) surveyAnswer(ctx context.Context, c *Context) error {
	st := c.Dialog.State
	s := e.plan.Load().FindSurvey(st.SurveyKey)
	if s != nil && s.Anonymous {
		c.Req.Anonymous = true
	}
	i := st.Question
	if s == nil || i < 0 || i >= len(s.Questions) || len(st.Answers) != i {
		if err := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); err != nil {
			return fmt.Errorf("delete dialog: %w", err)
		}
		return c.userError(campaignbot.EINVALID, "survey.lost")
	}
	q := s.Questions[i]
	text := c.Text
	if qi, v, ok := parseAnswerData(text); ok {
		if qi != i {
			// A button of an earlier question, pressed twice or late.
			c.Reply("survey.stale_button", i+1)
			return nil
		}
		text = v
	}
	value, ok := parseAnswer(q, text)
	if !ok {
		c.Reply("survey.bad_answer")
		e.askQuestion(c, s, i)
		return nil
	}
	st.Answers = append(st.Answers, campaignbot.SurveyAnswer{QuestionKey: q.Key, Value: value})
	if i+1 < len(s.Questions) {
		st.Question = i + 1
		if err := e.saveDialog(ctx, c, dialogSurvey, stepAnswer, st); err != nil {
			return err
		}
		e.askQuestion(c, s, i+1)
		return nil
	}
	r := &campaignbot.SurveyResponse{SurveyKey: s.Key, PersonID: c.Person.ID, Answers: st.Answers, Anonymous: s.Anonymous,
		DialogPlatform: c.Req.Platform, DialogAccount: c.Req.AccountID}
	// The dialog goes in the response's transaction: a failure keeps it,
	// so the last answer can be sent again.
	if err := e.store.RecordSurveyResponse(ctx, r); campaignbot.ErrorCode(err) == campaignbot.ECONFLICT {
		if err := e.store.DeleteDialog(ctx, c.Req.Platform, c.Req.AccountID); err != nil {
			return fmt.Errorf("delete dialog: %w", err)
		}
		return c.userError(campaignbot.ECONFLICT, "survey.closed_or_done", s.Key)
	} else if err != nil {
		return fmt.Errorf("record survey response: %w", err)
	}
	c.Reply("survey.thanks", e.title(s.Title, s.TitleEn))
	return nil
}

// parseAnswer validates an answer for q.
func parseAnswer(q campaignbot.Question, text string) (string, bool) {
	text = strings.TrimSpace(text)
	switch q.Kind {
	case campaignbot.QuestionScale:
		v, err := strconv.Atoi(text)
		return text, err == nil && v >= 1 && v <= 5
	case campaignbot.QuestionChoice:
		if v, err := strconv.Atoi(text); err == nil && v >= 1 && v <= len(q.Options) {
			return q.Options[v-1], true
		}
		if j := slices.Index(q.OptionsEn, text); j >= 0 && j < len(q.Options) {
			return q.Options[j], true
		}
		return text, slices.Contains(q.Options, text)
	default:
		return text, text != "" && utf8.RuneCountInString(text) <= maxAnswerLen
	}
}

// answerData is the button data of answer v to question i: the question
// rides along so a late or double press cannot answer the next question.
func answerData(i int, v string) string { return fmt.Sprintf("sv:%d:%s", i, v) }

// parseAnswerData splits button data made by answerData.
func parseAnswerData(s string) (int, string, bool) {
	rest, ok := strings.CutPrefix(s, "sv:")
	if !ok {
		return 0, "", false
	}
	qs, v, ok := strings.Cut(rest, ":")
	i, err := strconv.Atoi(qs)
	return i, v, ok && err == nil
}
