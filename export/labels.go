package export

import "campaignbot"

// labels are the words of the workbook in one language.
type labels struct {
	lang         string
	en           bool
	sep          string
	yes, no      string
	anonymous    string
	tooFew       string
	fromProblem  string // takes the problem id
	fromReport   string // takes the submission id
	report       string // takes the task, the author and the version
	comment      string // takes the time, the reviewer, the decision and the text
	noDept       string
	versionDir   string // takes the version and the day
	missingFile  string
	footer       string
	ledgerTitle  string // takes the organisation and the campaign
	evidenceOf   string
	sourceOf     string
	all, total   string
	chartTitle   string // takes the day
	overdue      string
	pending      string
	progressHead []string
	missingHead  []string
	sheets       []string
	rosterHead   []string
	subHead      []string
	opinionHead  []string
	problemHead  []string
	eventHead    []string
	ledgerHead   []string
	surveyHead   []string
	review       map[campaignbot.ReviewState]string
	problem      map[campaignbot.ProblemStatus]string
	event        map[campaignbot.ProblemEventKind]string
	ledger       map[campaignbot.LedgerStatus]string
	kind         map[campaignbot.QuestionKind]string
}

// SheetNames returns the names of the workbook's sheets in order, in lang
// ("en" or Chinese).
func SheetNames(lang string) []string { return labelsFor(lang).sheets }

// MissingListName is the name, in lang, of the text file in the materials
// that lists the files missing from the store.
func MissingListName(lang string) string { return labelsFor(lang).missingFile }

// labelsFor returns the labels in lang from campaignbot's catalog.
func labelsFor(lang string) labels {
	t := func(key string) string { return campaignbot.T(lang, key) }
	ts := func(keys ...string) []string {
		out := make([]string, len(keys))
		for i, k := range keys {
			out[i] = t(k)
		}
		return out
	}
	l := labels{
		lang: "zh", sep: t("list.sep"), yes: t("export.yes"), no: t("export.no"),
		anonymous: t("export.anonymous"), tooFew: t("export.too_few"),
		fromProblem: t("export.from_problem"), fromReport: t("export.from_report"),
		report: t("export.report"), comment: t("export.comment"),
		noDept: t("export.no_department"), versionDir: t("export.materials.version"), missingFile: t("export.materials.missing") + ".txt", footer: t("export.footer"),
		ledgerTitle: t("export.ledger.title"), evidenceOf: t("export.ledger.evidence_of"), sourceOf: t("export.ledger.source_of"),
		all: t("export.progress.all"), total: t("export.progress.total"), chartTitle: t("export.progress.chart"),
		overdue: t("export.missing.overdue"), pending: t("export.missing.pending"),
		progressHead: ts("export.progress.task", "export.progress.period", "export.progress.due", "export.progress.dept", "export.progress.owed",
			"export.progress.done", "export.progress.late", "export.progress.review", "export.progress.missing", "export.progress.rate"),
		missingHead: ts("export.progress.dept", "export.missing.name", "export.progress.task", "export.progress.period", "export.progress.due",
			"export.missing.status", "export.missing.days"),
		sheets:      ts("export.sheet.roster", "export.sheet.progress", "export.sheet.missing", "export.sheet.submissions", "export.sheet.opinions", "export.sheet.problems", "export.sheet.problem_events", "export.sheet.ledger", "export.sheet.survey_results"),
		rosterHead:  ts("roster.name", "roster.department", "roster.roles", "roster.telegram", "roster.wecom", "roster.in_charge_of", "roster.unreachable"),
		subHead:     ts("export.submission.task", "export.submission.person", "export.submission.department", "export.submission.version", "export.submission.late", "export.submission.review_state", "export.submission.submitted_at", "export.submission.text", "export.submission.attachments", "export.submission.review_comments"),
		opinionHead: ts("export.opinion.day", "export.opinion.author", "export.opinion.text", "export.opinion.answer", "export.opinion.answered_by"),
		problemHead: ts("export.problem.id", "export.problem.enterprise", "export.problem.category", "export.problem.team", "export.problem.description", "export.problem.filer", "export.problem.owner", "export.problem.status", "export.problem.due", "export.problem.created", "export.problem.photos"),
		eventHead:   ts("export.event.problem_id", "export.event.kind", "export.event.actor", "export.event.owner", "export.event.text", "export.event.at"),
		ledgerHead: ts("export.ledger.no", "export.ledger.problem", "export.ledger.measure", "export.ledger.leader", "export.ledger.department",
			"export.ledger.owner", "export.ledger.due", "export.ledger.progress", "export.ledger.remark", "export.ledger.filed"),
		surveyHead: ts("export.survey.survey", "export.survey.question", "export.survey.kind", "export.survey.participants", "export.survey.audience", "export.survey.answers", "export.survey.results", "export.survey.mean"),
		review: map[campaignbot.ReviewState]string{
			campaignbot.ReviewNotRequired: t("export.review.not_required"), campaignbot.ReviewSubmitted: t("export.review.submitted"),
			campaignbot.ReviewReturned: t("export.review.returned"), campaignbot.ReviewAccepted: t("export.review.accepted"),
		},
		problem: map[campaignbot.ProblemStatus]string{
			campaignbot.ProblemNew: t("export.pstatus.new"), campaignbot.ProblemClaimed: t("export.pstatus.claimed"),
			campaignbot.ProblemResolved: t("export.pstatus.resolved"), campaignbot.ProblemClosed: t("export.pstatus.closed"),
		},
		event: map[campaignbot.ProblemEventKind]string{
			campaignbot.EventFiled: t("export.pevent.filed"), campaignbot.EventClaimed: t("export.pevent.claimed"), campaignbot.EventAssigned: t("export.pevent.assigned"),
			campaignbot.EventProgress: t("export.pevent.progress"), campaignbot.EventResolved: t("export.pevent.resolved"),
			campaignbot.EventConfirm: t("export.pevent.confirmed"), campaignbot.EventReopened: t("export.pevent.reopened"),
		},
		ledger: map[campaignbot.LedgerStatus]string{
			campaignbot.LedgerOpen: t("export.lstatus.open"), campaignbot.LedgerInProgress: t("export.lstatus.in_progress"), campaignbot.LedgerDone: t("export.lstatus.done"),
			campaignbot.LedgerOngoing: t("export.lstatus.ongoing"),
		},
		kind: map[campaignbot.QuestionKind]string{
			campaignbot.QuestionScale: t("export.question.scale"), campaignbot.QuestionChoice: t("export.question.choice"), campaignbot.QuestionText: t("export.question.text"),
		},
	}
	if campaignbot.English(lang) {
		l.lang, l.en = "en", true
	}
	return l
}
