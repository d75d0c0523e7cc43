package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"campaignbot"
	"campaignbot/web"
)

// TestSurveysAnnouncePlanExports: the office's pages of surveys, the plan,
// exports and announcements open for the office and not for a member; the
// announcement preview counts the audience as the scheduler sends to it.
func TestSurveysAnnouncePlanExports(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	office := c.signIn(t, "陈丽")
	for _, path := range []string{"/surveys", "/announce", "/plan", "/exports"} {
		if code, body := office.get(t, path); code != http.StatusOK {
			t.Errorf("office %s: %d %s", path, code, c.log)
		} else if !strings.Contains(body, `href="`+path+`"`) {
			t.Errorf("the menu lacks %s", path)
		}
	}
	if _, body := office.get(t, "/plan"); !strings.Contains(body, "学习笔记") || !strings.Contains(body, campaignbot.T("zh", "plan.weekly")) {
		t.Errorf("the plan page lacks the weekly study notes")
	}
	member := c.signIn(t, "孙静")
	for _, path := range []string{"/surveys", "/announce", "/plan", "/exports"} {
		if code, _ := member.get(t, path); code != http.StatusForbidden {
			t.Errorf("member %s: %d", path, code)
		}
	}
	if code, _ := member.post(t, "/exports/workbook", url.Values{"csrf": {member.csrf}}); code != http.StatusForbidden {
		t.Errorf("member export: %d", code)
	}
	// The preview of an announcement to 科技管理科.
	people, _ := c.db.FindPeople(ctx, campaignbot.PersonFilter{})
	n := 0
	for _, p := range people {
		if p.Department == "科技管理科" {
			n++
		}
	}
	code, body := office.post(t, "/announce/preview", url.Values{"csrf": {office.csrf}, "target": {"科技管理科"}, "text": {"周五下午集中学习。"}})
	if code != http.StatusOK || !strings.Contains(body, campaignbot.T("zh", "web.announce.preview_counts", n, 0)) || !strings.Contains(body, "周五下午集中学习。") {
		t.Errorf("preview: %d\n%s", code, body)
	}
	if code, _ := office.post(t, "/announce/preview", url.Values{"csrf": {office.csrf}, "target": {"科技管里科"}, "text": {"x"}}); code != http.StatusBadRequest {
		t.Errorf("a mistyped department: %d", code)
	}
	if code, _ := office.post(t, "/announce", url.Values{"target": {""}, "text": {"伪造通知"}}); code != http.StatusForbidden {
		t.Errorf("an announcement without the form's token: %d", code)
	}
}

// TestWorkbookDownload: the office downloads the workbook the chat's
// /export sends, as a form's post, and the export is audited.
func TestWorkbookDownload(t *testing.T) {
	c := newConsole(t)
	var calls int
	srv, err := web.New(c.db, c.eng, func() *campaignbot.Plan { return c.plan }, c.ts.URL,
		web.WithExporter(func(_ context.Context, w io.Writer) error {
			calls++
			_, err := io.WriteString(w, "PK\x03\x04workbook")
			return err
		}))
	if err != nil {
		t.Fatal(err)
	}
	c.ts.Config.Handler = srv
	office := c.signIn(t, "陈丽")
	if code, _ := office.post(t, "/exports/workbook", url.Values{}); code != http.StatusForbidden || calls != 0 {
		t.Errorf("an export without the form's token: %d, %d calls", code, calls)
	}
	res, err := office.client.PostForm(c.ts.URL+"/exports/workbook", url.Values{"csrf": {office.csrf}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(body) != "PK\x03\x04workbook" || !strings.Contains(res.Header.Get("Content-Disposition"), ".xlsx") ||
		!strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("download: %d %q %v", res.StatusCode, body, res.Header)
	}
	es, _ := c.db.FindAudit(context.Background(), 1)
	if len(es) != 1 || es[0].Action != "export" {
		t.Errorf("audit %+v", es)
	}
}
