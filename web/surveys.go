package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"campaignbot"
)

// surveyPage is one survey on the surveys page: its window, who took part
// by department, and its results.
type surveyPage struct {
	Key, Title         string
	From, To           campaignbot.Date
	Open, Anonymous    bool
	Started            bool
	Answered, Audience int
	Depts              []surveyDept
	Questions          []questionResult
	MinGroup           int
}

// surveyDept is a department's participation in a survey.
type surveyDept struct {
	Name               string
	Answered, Audience int
}

// questionResult is one question's answers as the page shows them: counts
// by value for scale and choice questions, the texts for free text, nothing
// under campaignbot.MinGroupSize answers.
type questionResult struct {
	Text   string
	Kind   campaignbot.QuestionKind
	Count  int
	Shown  bool
	Values []valueCount
	Mean   string
	Texts  []string
}

// valueCount is how many answered a value, with its share of the bar.
type valueCount struct {
	Label string
	N, Of int
	Pct   int
}

// surveys shows every survey of the plan: participation by department and
// the results. Answers come from the store aggregated, with no person: an
// anonymous answer is never shown beside a name (SPEC §2), and a question
// with fewer than three answers shows only its count.
func (s *Server) surveys(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	pl := s.plan()
	people, err := s.store.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		return err
	}
	today := s.today()
	var pages []surveyPage
	for i := range pl.Surveys {
		sv := &pl.Surveys[i]
		from, to := sv.From, sv.To
		if ph := pl.FindPhase(sv.Phase); ph != nil {
			from, to = cmp.Or(from, ph.Start), cmp.Or(to, ph.End)
		}
		pg := surveyPage{Key: sv.Key, Title: title(s.lang, sv.Title, sv.TitleEn), From: from, To: to, Anonymous: sv.Anonymous,
			Started: from <= today, Open: from <= today && today <= to, MinGroup: campaignbot.MinGroupSize}
		ids, err := s.store.FindParticipants(ctx, sv.Key)
		if err != nil {
			return err
		}
		took := map[int64]bool{}
		for _, id := range ids {
			took[id] = true
		}
		byDept := map[string]*surveyDept{}
		for _, p := range people {
			if len(sv.Roles) > 0 && !slices.ContainsFunc(sv.Roles, p.HasRole) {
				continue
			}
			d := byDept[p.Department]
			if d == nil {
				d = &surveyDept{Name: p.Department}
				byDept[p.Department] = d
			}
			d.Audience++
			pg.Audience++
			if took[p.ID] {
				d.Answered++
				pg.Answered++
			}
		}
		for _, d := range byDept {
			pg.Depts = append(pg.Depts, *d)
		}
		slices.SortFunc(pg.Depts, func(a, b surveyDept) int { return cmp.Compare(a.Name, b.Name) })
		results, err := s.store.FindSurveyResults(ctx, sv.Key)
		if err != nil {
			return err
		}
		byKey := map[string]campaignbot.SurveyResult{}
		for _, res := range results {
			byKey[res.QuestionKey] = res
		}
		for j := range sv.Questions {
			pg.Questions = append(pg.Questions, s.questionResult(&sv.Questions[j], byKey[sv.Questions[j].Key]))
		}
		pages = append(pages, pg)
	}
	return s.render(w, rc, "surveys", s.t("web.nav.surveys"), map[string]any{"Surveys": pages})
}

// questionResult renders one question's aggregated answers.
func (s *Server) questionResult(q *campaignbot.Question, res campaignbot.SurveyResult) questionResult {
	qr := questionResult{Text: title(s.lang, q.Text, q.TextEn), Kind: q.Kind, Count: res.Count}
	if res.Count < campaignbot.MinGroupSize || res.Values == nil {
		return qr
	}
	qr.Shown = true
	switch q.Kind {
	case campaignbot.QuestionScale:
		sum := 0
		for v := 5; v >= 1; v-- {
			n := res.Values[strconv.Itoa(v)]
			sum += v * n
			qr.Values = append(qr.Values, valueCount{strconv.Itoa(v), n, res.Count, n * 100 / res.Count})
		}
		qr.Mean = fmt.Sprintf("%.2f", float64(sum)/float64(res.Count))
	case campaignbot.QuestionChoice:
		for i, opt := range q.Options {
			label := opt
			if campaignbot.English(s.lang) && i < len(q.OptionsEn) {
				label = q.OptionsEn[i]
			}
			n := res.Values[opt]
			qr.Values = append(qr.Values, valueCount{label, n, res.Count, n * 100 / res.Count})
		}
	default:
		// The store hands the texts out in random order, unlinked.
		qr.Texts = res.Texts
	}
	return qr
}
