package plan

import (
	"fmt"
	"strconv"
	"strings"

	"campaignbot"
)

// words are the labels of Render, by language.
type words struct {
	to, tz, policy, phases, tasks, surveys, due, anonymous, named, questions string
	everyone, once, weekly, perDept, byClaim                                 string
	review                                                                   map[campaignbot.ReviewKind]string
	policyLine                                                               string
}

// wordsFor returns the labels of Render in lang from campaignbot's catalog.
func wordsFor(lang string) words {
	t := func(key string) string { return campaignbot.T(lang, key) }
	return words{
		to: t("plan.to"), tz: t("plan.tz"), policy: t("plan.policy"), phases: t("plan.phases"), tasks: t("plan.tasks"), surveys: t("plan.surveys"),
		due: t("plan.due"), anonymous: t("plan.anonymous"), named: t("plan.named"), questions: t("plan.questions"),
		everyone: t("plan.everyone"), once: t("plan.once"), weekly: t("plan.weekly"), perDept: t("plan.per_dept"), byClaim: t("plan.by_claim"),
		review: map[campaignbot.ReviewKind]string{
			campaignbot.ReviewLeaderInCharge: t("plan.review.leader_in_charge"),
			campaignbot.ReviewHead:           t("plan.review.head"),
		},
		policyLine: t("plan.policy_line"),
	}
}

// Render returns a human summary of p for `plan show`: the campaign, the
// reminder policy, the phases with dates, the tasks with roles, due dates,
// cardinality and review, and the surveys. lang is "en" for English; anything
// else gives Chinese.
func Render(p *campaignbot.Plan, lang string) string {
	w, en := wordsFor(lang), campaignbot.English(lang)
	pick := func(zh, eng string) string {
		if en && eng != "" {
			return eng
		}
		return zh
	}
	sep := campaignbot.T(lang, "list.sep")
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s %s %s · %s %s\n\n", pick(p.Title, p.TitleEn), p.Start, w.to, p.End, w.tz, p.TimeZone)
	fmt.Fprintf(&b, "%s: %s\n\n", w.policy, policyText(p.Policy, w))

	fmt.Fprintf(&b, "%s\n", w.phases)
	for _, ph := range p.Phases {
		fmt.Fprintf(&b, "  %-10s %s %s %s  %s\n", ph.Key, ph.Start, w.to, ph.End, pick(ph.Title, ph.TitleEn))
	}

	fmt.Fprintf(&b, "\n%s\n", w.tasks)
	for _, t := range p.Tasks {
		roles := make([]string, len(t.Roles))
		for i, r := range t.Roles {
			roles[i] = r.Title(lang)
		}
		notes := []string{strings.Join(roles, sep)}
		switch t.Cardinality {
		case campaignbot.EveryWeek:
			notes = append(notes, w.weekly)
		case campaignbot.PerDepartment:
			notes = append(notes, w.perDept)
		default:
			notes = append(notes, w.once)
		}
		if t.Cardinality != campaignbot.EveryWeek {
			notes = append(notes, w.due+" "+t.Due.String())
		}
		if t.Review != campaignbot.ReviewNone {
			notes = append(notes, w.review[t.Review])
		}
		if t.SatisfiedBy == campaignbot.SatisfiedByClaim {
			notes = append(notes, w.byClaim)
		}
		if pol := policyText(t.Policy, w); pol != policyText(p.Policy, w) {
			notes = append(notes, w.policy+": "+pol)
		}
		fmt.Fprintf(&b, "  %-20s %-8s %s — %s\n", t.Key, t.Phase, pick(t.Title, t.TitleEn), strings.Join(notes, "; "))
	}

	if len(p.Surveys) > 0 {
		fmt.Fprintf(&b, "\n%s\n", w.surveys)
	}
	for _, s := range p.Surveys {
		who := w.everyone
		if len(s.Roles) > 0 {
			rs := make([]string, len(s.Roles))
			for i, r := range s.Roles {
				rs[i] = r.Title(lang)
			}
			who = strings.Join(rs, sep)
		}
		anon := w.named
		if s.Anonymous {
			anon = w.anonymous
		}
		fmt.Fprintf(&b, "  %-20s %-8s %s — %s %s %s; %s; %s; %d %s\n", s.Key, s.Phase, pick(s.Title, s.TitleEn),
			s.From, w.to, s.To, who, anon, len(s.Questions), w.questions)
		for _, q := range s.Questions {
			fmt.Fprintf(&b, "      %s (%s): %s\n", q.Key, q.Kind, pick(q.Text, q.TextEn))
		}
	}
	return b.String()
}

func policyText(pol campaignbot.Policy, w words) string {
	days := make([]string, len(pol.WarnDays))
	for i, d := range pol.WarnDays {
		days[i] = strconv.Itoa(d)
	}
	return fmt.Sprintf(w.policyLine, strings.Join(days, "/"), pol.OverdueEvery, pol.OverdueMax,
		pol.EscalateAfter, pol.DailyCap, pol.QuietStart, pol.QuietEnd, pol.DigestAt, pol.RemindAt)
}
