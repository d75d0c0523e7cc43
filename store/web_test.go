package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"campaignbot"
)

func TestLoginLinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newTestClock()
	db := MustOpen(t, WithClock(clock), WithLocation(time.UTC))
	ids := importPeople(t, db, "陈丽")

	l, err := db.CreateLoginLink(ctx, ids["陈丽"])
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Token) < 40 || !l.ExpiresAt.Equal(clock.Now().Add(campaignbot.LoginLinkTTL)) {
		t.Errorf("link %+v", l)
	}
	var stored int
	mustQueryInt(t, db, `SELECT count(*) FROM web_logins WHERE token_hash = ?`, &stored, l.Token)
	if stored != 0 {
		t.Error("the token is stored in clear")
	}

	s, err := db.RedeemLoginLink(ctx, l.Token)
	if err != nil {
		t.Fatal(err)
	}
	if s.PersonID != ids["陈丽"] || s.Token == "" || s.CSRF == "" || s.Token == l.Token {
		t.Errorf("session %+v", s)
	}
	_, err = db.RedeemLoginLink(ctx, l.Token)
	mustCode(t, err, campaignbot.EINVALID)
	_, err = db.RedeemLoginLink(ctx, "no-such-token")
	mustCode(t, err, campaignbot.ENOTFOUND)

	got, err := db.FindWebSession(ctx, s.Token)
	if err != nil || got.PersonID != s.PersonID || got.CSRF != s.CSRF {
		t.Fatalf("find session: %+v %v", got, err)
	}

	// A link used 15 minutes after it was made is refused.
	late, err := db.CreateLoginLink(ctx, ids["陈丽"])
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(campaignbot.LoginLinkTTL)
	_, err = db.RedeemLoginLink(ctx, late.Token)
	mustCode(t, err, campaignbot.EINVALID)

	// Sessions end by sign-out and by age.
	if err := db.DeleteWebSession(ctx, s.Token); err != nil {
		t.Fatal(err)
	}
	_, err = db.FindWebSession(ctx, s.Token)
	mustCode(t, err, campaignbot.ENOTFOUND)
	l2, _ := db.CreateLoginLink(ctx, ids["陈丽"])
	s2, err := db.RedeemLoginLink(ctx, l2.Token)
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(campaignbot.WebSessionTTL)
	_, err = db.FindWebSession(ctx, s2.Token)
	mustCode(t, err, campaignbot.ENOTFOUND)

	_, err = db.CreateLoginLink(ctx, 9999)
	mustCode(t, err, campaignbot.ENOTFOUND)
}

func TestAudit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "陈丽")
	for _, a := range []string{"ledger.add", "opinion.answer"} {
		if err := db.RecordAudit(ctx, &campaignbot.AuditEntry{PersonID: ids["陈丽"], Action: a, Detail: "#1"}); err != nil {
			t.Fatal(err)
		}
	}
	mustCode(t, db.RecordAudit(ctx, &campaignbot.AuditEntry{PersonID: ids["陈丽"]}), campaignbot.EINVALID)
	es, err := db.FindAudit(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Action != "opinion.answer" || es[0].Actor != "陈丽" || es[1].Action != "ledger.add" {
		t.Errorf("audit %+v", es)
	}
}

func TestUpdatePerson(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "孙静", "周涛")
	e := campaignbot.RosterEntry{Name: "孙静静", Departments: []string{"科技管理科"},
		Roles: []campaignbot.Role{campaignbot.RoleMember, campaignbot.RoleLiaison}, WeCom: "sunjing"}
	p, err := db.UpdatePerson(ctx, ids["孙静"], e)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != ids["孙静"] || p.Name != "孙静静" || p.Department != "科技管理科" || !p.HasRole(campaignbot.RoleLiaison) || p.WeCom != "sunjing" {
		t.Errorf("updated %+v", p)
	}
	bad := e
	bad.Name, bad.Roles = "孙静", nil
	_, err = db.UpdatePerson(ctx, ids["孙静"], bad)
	mustCode(t, err, campaignbot.EINVALID)
	if p, _ := db.FindPersonByID(ctx, ids["孙静"]); !strings.HasPrefix(p.Name, "孙静静") {
		t.Errorf("a refused edit changed %+v", p)
	}
	// Names are not unique (SPEC §7): a second 周涛 is another person, and
	// a name alone no longer says which.
	e.Name = "周涛"
	if _, err = db.UpdatePerson(ctx, ids["孙静"], e); err != nil {
		t.Fatal(err)
	}
	_, err = db.FindPersonByName(ctx, "周涛")
	mustCode(t, err, campaignbot.EINVALID)
}

func mustQueryInt(tb testing.TB, db *DB, q string, dest *int, args ...any) {
	tb.Helper()
	if err := db.rdb.QueryRow(q, args...).Scan(dest); err != nil {
		tb.Fatal(err)
	}
}
