package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"campaignbot"
)

// maxFailedListed is how many failed messages the page lists, newest first.
const maxFailedListed = 200

// failedRow is a message delivery gave up on, with its recipient's name.
type failedRow struct {
	*campaignbot.OutboxMessage
	To string
}

// outbox lists the messages delivery gave up on (as `campaignbot outbox
// list`) with a button to send them again (as `outbox requeue`), after the
// office fixed what stopped them.
func (s *Server) outbox(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ms, err := s.store.FailedOutbox(r.Context(), "", maxFailedListed)
	if err != nil {
		return err
	}
	names, _, err := s.names(r.Context())
	if err != nil {
		return err
	}
	rows := make([]failedRow, len(ms))
	for i, m := range ms {
		to := names[m.PersonID]
		if m.PersonID == 0 {
			to = s.t("web.outbox.group")
		}
		rows[i] = failedRow{m, to}
	}
	return s.render(w, rc, "outbox", s.t("web.nav.outbox"), map[string]any{"Rows": rows})
}

// outboxRequeue puts the failed messages picked (or all, for "all") back
// in the outbox; the running dispatcher sends them within seconds.
func (s *Server) outboxRequeue(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var ids []int64
	if r.FormValue("all") == "" {
		for _, v := range r.PostForm["id"] {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.outbox.pick"))
			}
			ids = append(ids, id)
		}
		if len(ids) == 0 {
			return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("web.outbox.pick"))
		}
	}
	var n int
	err := s.store.Atomic(r.Context(), func(ctx context.Context) error {
		var err error
		if n, err = s.store.RequeueOutbox(ctx, "", ids...); err != nil {
			return err
		}
		return s.record(ctx, rc, "outbox_requeue", fmt.Sprintf("%d %v", n, ids))
	})
	if err != nil {
		return err
	}
	if s.notify != nil {
		s.notify()
	}
	return redirect(w, r, "/outbox", s.t("web.outbox.requeued", n))
}
