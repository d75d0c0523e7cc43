package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"campaignbot"
	"campaignbot/plan"
	"campaignbot/web"
)

// TestPlanUpload: a plan with errors is shown back with its lines and
// changes nothing; a valid one is put in force as plan apply does, audited.
func TestPlanUpload(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	srv, err := web.New(c.db, c.eng, func() *campaignbot.Plan { return c.plan }, c.ts.URL, web.WithPlanParser(plan.Parse))
	if err != nil {
		t.Fatal(err)
	}
	c.ts.Config.Handler = srv
	office := c.signIn(t, "陈丽")
	if _, body := office.get(t, "/plan"); !strings.Contains(body, `id="plan-upload"`) {
		t.Fatal("no upload form for the office")
	}
	upload := func(b *browser, name string, data []byte) (int, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrf", b.csrf)
		fw, _ := mw.CreateFormFile("plan", name)
		fw.Write(data)
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, c.ts.URL+"/plan", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	before, err := c.db.FindPlanVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, source, err := plan.Default(c.plan.Start)
	if err != nil {
		t.Fatal(err)
	}
	broken := bytes.Replace(source, []byte("phase: study"), []byte("phase: stduy"), 1)
	code, body := upload(office, "plan.yaml", broken)
	if code != http.StatusBadRequest || !strings.Contains(body, "plan.yaml:") || !strings.Contains(body, "stduy") {
		t.Fatalf("a broken plan: %d\n%s", code, body)
	}
	if v, _ := c.db.FindPlanVersion(ctx); v != before {
		t.Errorf("a broken plan changed the version %d → %d", before, v)
	}
	moved := bytes.Replace(source, []byte(c.plan.End.String()), []byte(c.plan.End.AddDays(7).String()), -1)
	if code, body := upload(office, "plan.yaml", moved); code != http.StatusSeeOther {
		t.Fatalf("a valid plan: %d %s", code, body)
	}
	if v, _ := c.db.FindPlanVersion(ctx); v == before {
		t.Errorf("the valid plan was not applied")
	}
	es, _ := c.db.FindAudit(ctx, 1)
	if len(es) != 1 || es[0].Action != "plan_apply" {
		t.Errorf("audit %+v", es)
	}
	leader := c.signIn(t, "李明华")
	if code, _ := upload(leader, "plan.yaml", moved); code != http.StatusForbidden {
		t.Errorf("a leader's upload: %d", code)
	}
}
