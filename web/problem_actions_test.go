package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"campaignbot"
)

// bindAll binds everyone of the demo on the console platform, so that a
// notice to anyone shows in the outbox.
func (c *console) bindAll(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	people, err := c.db.FindPeople(ctx, campaignbot.PersonFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	for _, x := range people {
		if accs, _ := c.db.FindAccountsByPerson(ctx, x.ID); len(accs) > 0 {
			continue
		}
		inv, err := c.db.CreateInvite(ctx, x.ID)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := c.db.RedeemInvite(ctx, inv.Code, campaignbot.Account{Platform: campaignbot.PlatformConsole, AccountID: x.Name, ChatID: x.Name}); err != nil {
			tb.Fatal(err)
		}
	}
}

// lastSent returns the newest pending console message to each chat.
func (c *console) lastSent(tb testing.TB) map[string]string {
	tb.Helper()
	ms, err := c.db.ClaimOutbox(context.Background(), campaignbot.PlatformConsole, time.Now().Add(time.Hour), 1000)
	if err != nil {
		tb.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range ms {
		got[m.ChatID] = m.Text
	}
	return got
}

// postMultipart posts a form with files, as a browser's file input does.
func (b *browser) postMultipart(tb testing.TB, path string, form url.Values, files map[string][]byte) (int, string) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile("files", name)
		if err != nil {
			tb.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.c.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(res.Body)
	return res.StatusCode, body.String()
}

// TestProblemClaimProgressResolve: a leader takes charge of a problem in
// the console, reports progress with a photo and resolves it; the filer
// hears each step in chat, confirms it closed from the console, and every
// step is in the audit log.
func TestProblemClaimProgressResolve(t *testing.T) {
	c := newConsole(t)
	ctx := context.Background()
	c.bindAll(t)
	ps, err := c.db.FindProblems(ctx, campaignbot.ProblemFilter{Statuses: []campaignbot.ProblemStatus{campaignbot.ProblemNew}})
	if err != nil || len(ps) == 0 {
		t.Fatalf("no unclaimed demo problem: %v", err)
	}
	p := ps[0]
	filer, err := c.db.FindPersonByID(ctx, p.FilerID)
	if err != nil {
		t.Fatal(err)
	}
	path := "/problems/" + itoa(p.ID)

	// A member may not take charge; nothing changes.
	member := c.signIn(t, "孙静")
	if code, _ := member.post(t, path+"/claim", url.Values{"csrf": {member.csrf}}); code != http.StatusForbidden {
		t.Errorf("a member's claim: %d", code)
	}
	leader := c.signIn(t, "张志强")
	if _, body := leader.get(t, path); !strings.Contains(body, `action="`+path+`/claim"`) {
		t.Fatalf("no claim form for a leader on an unclaimed problem")
	}
	if code, body := leader.post(t, path+"/claim", url.Values{"csrf": {leader.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("claim: %d %s", code, body)
	}
	got, _ := c.db.FindProblemByID(ctx, p.ID)
	if got.OwnerID != c.person(t, "张志强").ID || got.Status != campaignbot.ProblemClaimed {
		t.Fatalf("after claim %+v", got)
	}
	if text := c.lastSent(t)[filer.Name]; !strings.Contains(text, "张志强") {
		t.Errorf("the filer was told of the claim: %q", text)
	}
	// Another leader cannot take it over, as in chat.
	other := c.signIn(t, "李明华")
	if code, _ := other.post(t, path+"/claim", url.Values{"csrf": {other.csrf}}); code != http.StatusBadRequest {
		t.Errorf("a second leader's claim: %d", code)
	}
	if _, body := other.get(t, path); strings.Contains(body, `action="`+path+`/progress"`) {
		t.Errorf("a leader who does not own it is offered the progress form")
	}
	// An empty report is refused.
	if code, _ := leader.post(t, path+"/progress", url.Values{"csrf": {leader.csrf}, "text": {" "}}); code != http.StatusBadRequest {
		t.Errorf("empty progress: %d", code)
	}
	code, body := leader.postMultipart(t, path+"/progress", url.Values{"csrf": {leader.csrf}, "text": {"已约企业座谈，正在对接人社局。"}},
		map[string][]byte{"座谈.png": pngBytes(t)})
	if code != http.StatusSeeOther {
		t.Fatalf("progress: %d %s", code, body)
	}
	if text := c.lastSent(t)[filer.Name]; !strings.Contains(text, "已约企业座谈") {
		t.Errorf("the filer was told of the progress: %q", text)
	}
	evs, _ := c.db.FindProblemEvents(ctx, p.ID)
	last := evs[len(evs)-1]
	if last.Kind != campaignbot.EventProgress || len(last.Attachments) != 1 || last.Attachments[0].MIME != "image/png" {
		t.Errorf("progress event %+v", last)
	}
	if code, _ := leader.get(t, path+"/events/"+itoa(last.ID)+"/files/0"); code != http.StatusOK {
		t.Errorf("the evidence photo: %d", code)
	}
	if code, body := leader.post(t, path+"/resolve", url.Values{"csrf": {leader.csrf}, "text": {"已落实人才公寓两套。"}}); code != http.StatusSeeOther {
		t.Fatalf("resolve: %d %s", code, body)
	}
	if got, _ := c.db.FindProblemByID(ctx, p.ID); got.Status != campaignbot.ProblemResolved {
		t.Errorf("after resolve %s", got.Status)
	}
	if text := c.lastSent(t)[filer.Name]; !strings.Contains(text, "已落实人才公寓两套") {
		t.Errorf("the filer was told of the resolution: %q", text)
	}
	// The filer confirms it closed from the console; the leader hears.
	liaison := c.signIn(t, filer.Name)
	if _, body := liaison.get(t, path); !strings.Contains(body, `action="`+path+`/confirm"`) {
		t.Fatalf("no confirm form for the filer")
	}
	if code, body := liaison.post(t, path+"/confirm", url.Values{"csrf": {liaison.csrf}}); code != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", code, body)
	}
	if got, _ := c.db.FindProblemByID(ctx, p.ID); got.Status != campaignbot.ProblemClosed {
		t.Errorf("after confirm %s", got.Status)
	}
	if text := c.lastSent(t)["张志强"]; !strings.Contains(text, "销号") {
		t.Errorf("the leader was not told of the confirmation")
	}
	es, _ := c.db.FindAudit(ctx, 10)
	var actions []string
	for _, e := range es {
		if e.Action != "login" {
			actions = append(actions, e.Action)
		}
	}
	if want := "problem_confirm problem_resolve problem_progress problem_claim"; strings.Join(actions, " ") != want {
		t.Errorf("audit %q, want %q", actions, want)
	}
}

// pngBytes is a small photo.
func pngBytes(tb testing.TB) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
