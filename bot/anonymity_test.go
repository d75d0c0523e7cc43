package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"campaignbot"
)

// TestStaleAnonymousDialogFilesNothing: a message to an anonymous dialog
// that went stale (or that the nightly maintenance dropped) is told so; it
// is neither stored nor offered as a named study note.
func TestStaleAnonymousDialogFilesNothing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	r := e.req("member", "/opinion anon")
	mustContain(t, e.do(r), "anonymous")
	if !r.Anonymous {
		t.Error("the request that opens an anonymous opinion is not marked anonymous")
	}
	e.clock.Add(25 * time.Hour)
	const text = "the canteen closes too early"
	r = e.req("member", text)
	got := e.do(r)
	mustContain(t, got, "timed out")
	if !r.Anonymous || strings.Contains(got, "Which task") {
		t.Errorf("stale anonymous dialog: anonymous %v, reply %q", r.Anonymous, got)
	}
	if _, err := e.db.FindDialog(ctx, campaignbot.PlatformConsole, "member"); campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
		t.Errorf("a dialog is left: %v", err)
	}
	if subs := e.submissions("member"); len(subs) != 0 {
		t.Errorf("the message was filed: %+v", subs)
	}
	if ops, _ := e.db.FindOpinions(ctx); len(ops) != 0 {
		t.Errorf("the late message became an opinion: %+v", ops)
	}

	// A survey half answered, dropped by the nightly maintenance.
	mustContain(t, e.send("member2", "/survey opinions"), "1/5")
	if err := e.db.MaintainAnonymity(ctx, e.clock.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	r = e.req("member2", "2")
	mustContain(t, e.do(r), "timed out")
	if !r.Anonymous {
		t.Error("the message after a dropped anonymous survey is not marked anonymous")
	}
	if ok, err := e.db.HasAnswered(ctx, "opinions", e.person("member2").ID); err != nil || ok {
		t.Errorf("answered = %v, %v", ok, err)
	}
	// Named traffic is not marked.
	r = e.req("member2", "/tasks")
	e.do(r)
	if r.Anonymous {
		t.Error("/tasks is marked anonymous")
	}
}
