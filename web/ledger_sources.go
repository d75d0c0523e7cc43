package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"campaignbot"
)

// ledgerAct runs a /ledger sub-command for the office, as typed in chat,
// records action in the audit log with detail, and returns to path with
// the chat's reply: item removal and items made from a problem or a report
// go through the chat's own code (SPEC §2), not a copy of it.
func (s *Server) ledgerAct(w http.ResponseWriter, r *http.Request, rc *reqCtx, command, action, detail, path string) error {
	var replies []string
	err := s.store.Atomic(r.Context(), func(ctx context.Context) error {
		var err error
		if replies, err = s.chat.Act(ctx, rc.person, command, nil); err != nil {
			return err
		}
		return s.record(ctx, rc, action, detail)
	})
	if err != nil {
		return err
	}
	return redirect(w, r, path, strings.Join(replies, "\n"))
}

// ledgerRemove removes item {id} with the reason given (/ledger remove N
// REASON): its history is kept.
func (s *Server) ledgerRemove(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	it, err := s.ledgerItem(r)
	if err != nil {
		return err
	}
	why := oneLine(field(r, "reason"))
	if err := s.checkLen(why); err != nil {
		return err
	}
	detail := fmt.Sprintf("#%d %s", it.ID, excerpt(it.What, 60))
	if why != "" {
		detail += " · " + why
	}
	return s.ledgerAct(w, r, rc, strings.TrimSpace(fmt.Sprintf("/ledger remove %d %s", it.ID, why)), "ledger_remove", detail, "/ledger")
}

// ledgerFromProblem makes an item of problem {id} (/ledger from-problem N
// MEASURE): owned by the problem's leader.
func (s *Server) ledgerFromProblem(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := idArg(r, "id")
	if err != nil {
		return err
	}
	measure := oneLine(field(r, "measure"))
	if err := s.checkLen(measure); err != nil {
		return err
	}
	return s.ledgerAct(w, r, rc, strings.TrimSpace(fmt.Sprintf("/ledger from-problem %d %s", id, measure)),
		"ledger_from_problem", fmt.Sprintf("#%d %s", id, measure), "/ledger")
}

// ledgerFromReport makes an item of point {point} of accepted report {id}
// (/ledger from-report N P MEASURE): owned by the report's author.
func (s *Server) ledgerFromReport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := idArg(r, "id")
	if err != nil {
		return err
	}
	point, err := idArg(r, "point")
	if err != nil {
		return err
	}
	measure := oneLine(field(r, "measure"))
	if err := s.checkLen(measure); err != nil {
		return err
	}
	return s.ledgerAct(w, r, rc, strings.TrimSpace(fmt.Sprintf("/ledger from-report %d %d %s", id, point, measure)),
		"ledger_from_report", fmt.Sprintf("#%d · %d %s", id, point, measure), "/ledger")
}

// reportPoint is one point of an accepted report the office may make an
// item of, with the item already made of it, if any.
type reportPoint struct {
	N      int
	Text   string
	ItemID int64
}

// reportPoints returns the points of sub when it is an accepted report and
// p may make ledger items, nil otherwise.
func (s *Server) reportPoints(ctx context.Context, p *campaignbot.Person, sub *campaignbot.Submission) ([]reportPoint, error) {
	if sub.State != campaignbot.ReviewAccepted || !s.chat.Allowed(p, "ledger") {
		return nil, nil
	}
	items, err := s.store.FindLedgerItems(ctx)
	if err != nil {
		return nil, err
	}
	made := map[int]int64{}
	for _, it := range items {
		if it.SubmissionID == sub.ID {
			made[it.Point] = it.ID
		}
	}
	var ps []reportPoint
	for i, text := range campaignbot.ReportPoints(sub.Text) {
		ps = append(ps, reportPoint{i + 1, text, made[i+1]})
	}
	return ps, nil
}

// oneLine joins a text's lines: a chat command's argument is one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
