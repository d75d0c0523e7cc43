package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"campaignbot"
)

func TestForgetInboundRefusesRetry(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	in := &campaignbot.Inbound{Platform: campaignbot.PlatformWeCom, Key: "sunjing-1733390000", Payload: []byte("<xml/>")}
	if ok, err := db.SaveInbound(ctx, in); err != nil || !ok {
		t.Fatalf("save = %v, %v", ok, err)
	}
	if err := db.Atomic(ctx, func(ctx context.Context) error {
		return db.ForgetInbound(ctx, campaignbot.PlatformWeCom, in.Key)
	}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.rdb.QueryRow(`SELECT COUNT(*) FROM inbound`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d inbound rows (%v), want none", n, err)
	}
	// WeCom sends the callback again: it is not a new message.
	again := &campaignbot.Inbound{Platform: campaignbot.PlatformWeCom, Key: in.Key, Payload: []byte("<xml/>")}
	if ok, err := db.SaveInbound(ctx, again); err != nil || ok {
		t.Fatalf("save again = %v, %v; want false, nil", ok, err)
	}
	mustCode(t, db.ForgetInbound(ctx, campaignbot.PlatformWeCom, "missing"), campaignbot.ENOTFOUND)
}

func TestAnonymousOutboxRowGoesWhenSent(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "甲")
	msgs := []*campaignbot.OutboxMessage{
		{Key: "reply:named", Platform: campaignbot.PlatformTelegram, ChatID: "42", PersonID: ids["甲"], Kind: campaignbot.KindReply, Text: "已收到"},
		{Key: "anon:a", Platform: campaignbot.PlatformTelegram, ChatID: "42", PersonID: ids["甲"], Kind: campaignbot.KindReply, Text: "第 1/5 题", Anonymous: true},
		{Key: "anon:b", Platform: campaignbot.PlatformTelegram, ChatID: "42", PersonID: ids["甲"], Kind: campaignbot.KindReply, Text: "第 2/5 题", Anonymous: true},
	}
	if _, err := db.EnqueueOutbox(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	named, a, b := msgs[0], msgs[1], msgs[2]
	if a.ID >= 0 || b.ID != a.ID+1 {
		t.Errorf("anonymous ids %d, %d: want negative and in order", a.ID, b.ID)
	}
	claimed, err := db.ClaimOutbox(ctx, campaignbot.PlatformTelegram, db.Now().Add(time.Second), 10)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, m := range claimed {
		order = append(order, m.Key)
		if m.Anonymous && m.PersonID != 0 {
			t.Errorf("anonymous row %s names person %d", m.Key, m.PersonID)
		}
	}
	if got, want := strings.Join(order, " "), "anon:a anon:b reply:named"; got != want {
		t.Errorf("claimed %s, want %s", got, want)
	}
	for _, m := range msgs[:2] {
		if err := db.MarkOutboxSent(ctx, m.ID, "7", db.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MarkOutboxRetry(ctx, b.ID, "chat not found", db.Now(), true); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.rdb.QueryRow(`SELECT COUNT(*) FROM outbox WHERE anonymous = 1 OR person_id IS NULL`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d anonymous rows left (%v), want none", n, err)
	}
	if err := db.rdb.QueryRow(`SELECT COUNT(*) FROM outbox WHERE id = ? AND status = 'sent'`, named.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("the named reply is not kept as sent (%d, %v)", n, err)
	}
}

// TestWALErasedOnceReaderGoes holds a reader's snapshot while an anonymous
// opinion is written, then lets go: the WAL must be emptied without any
// further write.
func TestWALErasedOnceReaderGoes(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	db := MustOpen(t)
	reader, err := sql.Open("sqlite", "file:"+db.path+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	rtx, err := reader.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rtx.QueryRow(`SELECT COUNT(*) FROM opinions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	const text = "WAL-secret-opinion"
	if err := db.CreateOpinion(ctx, &campaignbot.Opinion{Anonymous: true, Text: text}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(db.path + "-wal"); !bytes.Contains(b, []byte(text)) {
		t.Fatal("the WAL does not hold the opinion while the reader is open: the test shows nothing")
	}
	rtx.Rollback()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(db.path + "-wal")
		if len(b) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the WAL still holds %d bytes (opinion in it: %v) after the reader let go", len(b), bytes.Contains(b, []byte(text)))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestMaintainAnonymity(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	db := MustOpen(t, WithClock(clock))
	var texts []string
	for i := range 40 {
		texts = append(texts, fmt.Sprintf("ORDER-%02d-%s", i, strings.Repeat("意", 10)))
		if err := db.CreateOpinion(ctx, &campaignbot.Opinion{Anonymous: true, Text: texts[i]}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []*campaignbot.Dialog{
		{Platform: campaignbot.PlatformWeCom, AccountID: "sunjing", Name: "survey", Step: "answer",
			State: campaignbot.DialogState{SurveyKey: "opinions", Anonymous: true, Answers: []campaignbot.SurveyAnswer{{QuestionKey: "q", Value: "ABANDONED"}}}},
		{Platform: campaignbot.PlatformWeCom, AccountID: "zhaolei", Name: "submit", Step: "content", State: campaignbot.DialogState{TaskKey: "study-notes"}},
	} {
		if err := db.SaveDialog(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	clock.Add(2 * time.Hour)
	fresh := &campaignbot.Dialog{Platform: campaignbot.PlatformTelegram, AccountID: "42", Name: "opinion", Step: "text", State: campaignbot.DialogState{Anonymous: true}}
	if err := db.SaveDialog(ctx, fresh); err != nil {
		t.Fatal(err)
	}

	tau := func() float64 {
		t.Helper()
		if onPostgres() {
			return 0 // the order of rows in PostgreSQL's files is CLUSTER's
		}
		db.wal.erase()
		b, err := os.ReadFile(db.path)
		if err != nil {
			t.Fatal(err)
		}
		var at []int
		for _, s := range texts {
			i := bytes.Index(b, []byte(s))
			if i < 0 {
				t.Fatalf("%s is not in the file", s)
			}
			at = append(at, i)
		}
		agree, disagree := 0, 0
		for i := range at {
			for j := i + 1; j < len(at); j++ {
				if at[i] < at[j] {
					agree++
				} else {
					disagree++
				}
			}
		}
		return float64(agree-disagree) / float64(agree+disagree)
	}
	if got := tau(); got > -0.8 && !onPostgres() {
		t.Fatalf("before the maintenance the texts lie in order with tau %.2f; the test shows nothing", got)
	}
	if err := db.MaintainAnonymity(ctx, clock.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := tau(); got < -0.5 || got > 0.5 {
		t.Errorf("after the maintenance the texts lie in the order written with tau %.2f", got)
	}
	d, err := db.FindDialog(ctx, campaignbot.PlatformWeCom, "sunjing")
	if err != nil || d.Name != campaignbot.DialogAnonymousExpired || len(d.State.Answers) != 0 {
		t.Errorf("abandoned anonymous dialog became %+v, %v; want the marker", d, err)
	} else if day := campaignbot.DateOf(clock.Now(), db.loc).Time(db.loc); !d.UpdatedAt.Equal(day) {
		t.Errorf("the marker keeps %s, want the day %s", d.UpdatedAt, day)
	}
	for _, acc := range []struct {
		p  campaignbot.Platform
		id string
	}{{campaignbot.PlatformWeCom, "zhaolei"}, {campaignbot.PlatformTelegram, "42"}} {
		if _, err := db.FindDialog(ctx, acc.p, acc.id); err != nil {
			t.Errorf("dialog of %s was dropped: %v", acc.id, err)
		}
	}
	if b, _ := os.ReadFile(db.path); bytes.Contains(b, []byte("ABANDONED")) {
		t.Error("the abandoned answer is still in the file")
	}
	var pending int
	if err := db.rdb.QueryRow(`SELECT COUNT(*) FROM anonymity_pending`).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("after the maintenance %d erasures are still owed (%v)", pending, err)
	}
	if err := db.CreateOpinion(ctx, &campaignbot.Opinion{Anonymous: true, Text: "one more"}); err != nil {
		t.Fatal(err)
	}
	if err := db.rdb.QueryRow(`SELECT COUNT(*) FROM anonymity_pending`).Scan(&pending); err != nil || pending != 1 {
		t.Errorf("an anonymous opinion does not owe an erasure (%d, %v)", pending, err)
	}
	ops, err := db.FindOpinions(ctx)
	if err != nil || len(ops) != len(texts)+1 {
		t.Fatalf("%d opinions after the maintenance (%v), want %d", len(ops), err, len(texts))
	}
}

// BenchmarkMaintainAnonymity is the nightly erasure of row order at SPEC
// §10's size: 100,000 people who all answered a five-question anonymous
// survey, and 10,000 anonymous opinions.
func BenchmarkMaintainAnonymity(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	const people, questions, opinions = 100000, 5, 10000
	err := db.write(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO departments (id, name) VALUES (1, '科技管理科')`); err != nil {
			return err
		}
		for i := 1; i <= people; i++ {
			if _, err := tx.ExecContext(ctx, `INSERT INTO people (id, name, department_id, created_at, updated_at) VALUES (?, ?, 1, 0, 0)`,
				i, fmt.Sprintf("成员%06d", i)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_participation (survey_key, person_id) VALUES ('satisfaction', ?)`, i); err != nil {
				return err
			}
			for q := range questions {
				if _, err := tx.ExecContext(ctx, `INSERT INTO survey_answers (id, survey_key, question_key, value, day) VALUES (?, 'satisfaction', ?, ?, 20000)`,
					randomID(), fmt.Sprintf("q%d", q), fmt.Sprintf("满意度评价与建议 %d", i%7)); err != nil {
					return err
				}
			}
		}
		for i := range opinions {
			if _, err := tx.ExecContext(ctx, `INSERT INTO opinions (id, anonymous, text, day) VALUES (?, 1, ?, 20000)`,
				randomID(), fmt.Sprintf("匿名意见 %d：%s", i, strings.Repeat("建议加快办结时限。", 8))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		// As after a day with anonymous acts.
		if _, err := db.wdb.ExecContext(ctx, `INSERT OR IGNORE INTO anonymity_pending (one) VALUES (1)`); err != nil {
			b.Fatal(err)
		}
		if err := db.MaintainAnonymity(ctx, db.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if fi, err := os.Stat(db.path); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "MB-file")
	}
}
