package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"campaignbot"
)

// ledgerStatuses are the statuses an item may be given, in order.
var ledgerStatuses = []campaignbot.LedgerStatus{campaignbot.LedgerOpen, campaignbot.LedgerInProgress, campaignbot.LedgerDone}

// ledger lists the rectification ledger (整改台账) with the form to add an
// item and the button to publish it.
func (s *Server) ledger(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	items, err := s.store.FindLedgerItems(r.Context())
	if err != nil {
		return err
	}
	names, _, err := s.names(r.Context())
	if err != nil {
		return err
	}
	people, err := s.store.FindPeople(r.Context(), campaignbot.PersonFilter{})
	if err != nil {
		return err
	}
	accepted := campaignbot.ReviewAccepted
	reports, err := s.store.FindSubmissions(r.Context(), campaignbot.SubmissionFilter{State: &accepted, Limit: maxListed})
	if err != nil {
		return err
	}
	reportRows, err := s.subRows(r.Context(), reports)
	if err != nil {
		return err
	}
	return s.render(w, rc, "ledger", s.t("web.nav.ledger"), map[string]any{
		"Items": items, "Names": names, "People": people, "Today": s.today(), "Statuses": ledgerStatuses, "CSRF": rc.session.CSRF,
		"Reports": reportRows,
	})
}

// ledgerForm reads an item's fields from the form into it.
func (s *Server) ledgerForm(r *http.Request, rc *reqCtx, it *campaignbot.LedgerItem) error {
	it.What, it.Measure, it.Evidence = field(r, "what"), field(r, "measure"), field(r, "evidence")
	it.ActorID = rc.person.ID
	if it.What == "" {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.ledger.need_what"))
	}
	if err := s.checkLen(it.What, it.Measure, it.Evidence); err != nil {
		return err
	}
	owner, err := s.store.FindPersonByName(r.Context(), field(r, "owner"))
	if campaignbot.ErrorCode(err) == campaignbot.ENOTFOUND {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("err.no_person", field(r, "owner")))
	} else if err != nil {
		return err
	}
	it.OwnerID = owner.ID
	due, err := campaignbot.ParseDate(field(r, "due"))
	if err != nil {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("ledger.bad_date", field(r, "due")))
	}
	// A due date is not set in the past (SPEC §2); one already past stays.
	if due != it.Due && due < s.today() {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.ledger.past_due", due))
	}
	it.Due = due
	if st := campaignbot.LedgerStatus(field(r, "status")); st != "" {
		it.Status = st
	}
	return nil
}

// ledgerAdd creates an item, tells its owner in chat as /ledger add does,
// and records it in the audit log.
func (s *Server) ledgerAdd(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	it := &campaignbot.LedgerItem{Status: campaignbot.LedgerOpen}
	if err := s.ledgerForm(r, rc, it); err != nil {
		return err
	}
	err := s.store.Atomic(r.Context(), func(ctx context.Context) error {
		if err := s.store.CreateLedgerItem(ctx, it); err != nil {
			return err
		}
		if it.OwnerID != rc.person.ID {
			text := s.t("ledger.notice_owner", it.ID, it.What, orDash(it.Measure), it.Due)
			if err := s.chat.Tell(ctx, it.OwnerID, fmt.Sprintf("notice:ledger:%d:%d", it.ID, it.OwnerID), text); err != nil {
				return err
			}
		}
		return s.record(ctx, rc, "ledger_add", fmt.Sprintf("#%d %s", it.ID, it.What))
	})
	if err != nil {
		return err
	}
	return redirect(w, r, "/ledger", s.t("web.ledger.added", it.ID))
}

// ledgerItem finds item {id} of the ledger.
func (s *Server) ledgerItem(r *http.Request) (*campaignbot.LedgerItem, error) {
	id, err := idArg(r, "id")
	if err != nil {
		return nil, err
	}
	items, err := s.store.FindLedgerItems(r.Context())
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.ID == id {
			return it, nil
		}
	}
	return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "%s", s.t("ledger.no_item", id))
}

// ledgerItemPage shows an item's edit form.
func (s *Server) ledgerItemPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	it, err := s.ledgerItem(r)
	if err != nil {
		return err
	}
	people, err := s.store.FindPeople(r.Context(), campaignbot.PersonFilter{})
	if err != nil {
		return err
	}
	return s.render(w, rc, "ledger_item", s.t("web.ledger.item", it.ID), map[string]any{
		"It": it, "People": people, "Statuses": ledgerStatuses, "CSRF": rc.session.CSRF,
	})
}

// ledgerSave stores an edited item (the same row /ledger shows) and records
// it in the audit log.
func (s *Server) ledgerSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	it, err := s.ledgerItem(r)
	if err != nil {
		return err
	}
	if err := s.ledgerForm(r, rc, it); err != nil {
		return err
	}
	err = s.store.Atomic(r.Context(), func(ctx context.Context) error {
		if err := s.store.UpdateLedgerItem(ctx, it); err != nil {
			return err
		}
		return s.record(ctx, rc, "ledger_edit", fmt.Sprintf("#%d %s · %s · %s", it.ID, it.What, it.Due, s.t("lstatus."+string(it.Status))))
	})
	if err != nil {
		return err
	}
	return redirect(w, r, "/ledger", s.t("web.ledger.saved", it.ID))
}

// ledgerPublish posts the ledger to the campaign group through the chat's
// /ledger publish.
func (s *Server) ledgerPublish(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var replies []string
	err := s.store.Atomic(r.Context(), func(ctx context.Context) error {
		var err error
		if replies, err = s.chat.Act(ctx, rc.person, "/ledger publish", nil); err != nil {
			return err
		}
		return s.record(ctx, rc, "ledger_publish", strings.Join(replies, " "))
	})
	if err != nil {
		return err
	}
	return redirect(w, r, "/ledger", strings.Join(replies, "\n"))
}

// orDash shows an empty text as a dash.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
