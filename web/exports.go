package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"

	"campaignbot"
)

// exports offers the office's workbook (SPEC §12) for download.
func (s *Server) exports(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.render(w, rc, "exports", s.t("web.nav.exports"), map[string]any{"Ready": s.export != nil})
}

// exportWorkbook writes the workbook, the one /export sends in chat, as a
// download, and records the export in the audit log. It is a form's post,
// not a link, so that no page of another site can start it and each one
// is audited once.
func (s *Server) exportWorkbook(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.export == nil {
		return campaignbot.Errorf(campaignbot.EINVALID, "%s", s.t("err.no_exporter"))
	}
	var buf bytes.Buffer
	if err := s.export(r.Context(), &buf); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	name := "campaignbot-" + s.today().String() + ".xlsx"
	err := s.store.Atomic(r.Context(), func(ctx context.Context) error {
		return s.record(ctx, rc, "export", fmt.Sprintf("%s · %d KB", name, buf.Len()/1024+1))
	})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", mimeDisposition(name))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err = w.Write(buf.Bytes())
	return err
}
