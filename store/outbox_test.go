package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"campaignbot"
)

func TestOutbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newTestClock()
	db := MustOpen(t, WithClock(clock))
	ids := importPeople(t, db, "甲", "乙")
	now := clock.Now()

	prompt := func(key string, person int64, kind campaignbot.OutboxKind, next time.Time) *campaignbot.OutboxMessage {
		return &campaignbot.OutboxMessage{Key: key, Platform: campaignbot.PlatformTelegram, ChatID: fmt.Sprint("chat-", person), PersonID: person,
			Kind: kind, TaskKey: "study-notes", Text: "请提交学习笔记", NextAt: next,
			Buttons: [][]campaignbot.Button{{{Text: "提交", Data: "submit:study-notes"}}}}
	}
	msgs := []*campaignbot.OutboxMessage{
		prompt("study-notes/1/warning/2026-03-10", ids["甲"], campaignbot.KindWarning, time.Time{}),
		prompt("study-notes/2/warning/2026-03-10", ids["乙"], campaignbot.KindWarning, now.Add(-time.Minute)),
		prompt("study-notes/1/overdue/2026-03-10", ids["甲"], campaignbot.KindOverdue, now.Add(time.Hour)),
		{Key: "digest/group/2026-03-10", Platform: campaignbot.PlatformWeCom, ChatID: "group", Kind: campaignbot.KindDigest, Text: "简报"},
	}
	n, err := db.EnqueueOutbox(ctx, msgs)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 || msgs[0].ID == 0 || msgs[0].Status != campaignbot.OutboxPending {
		t.Fatalf("enqueued %d, first = %+v", n, msgs[0])
	}
	again := []*campaignbot.OutboxMessage{
		prompt("study-notes/1/warning/2026-03-10", ids["甲"], campaignbot.KindWarning, time.Time{}),
		prompt("study-notes/1/warning/2026-03-11", ids["甲"], campaignbot.KindWarning, now.Add(24*time.Hour)),
	}
	n, err = db.EnqueueOutbox(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || again[0].ID != 0 || again[1].ID == 0 {
		t.Errorf("re-enqueue: %d new, ids %d %d; want 1 new, 0 and an id", n, again[0].ID, again[1].ID)
	}
	_, err = db.EnqueueOutbox(ctx, []*campaignbot.OutboxMessage{{Key: "x"}})
	mustCode(t, err, campaignbot.EINVALID)

	claimed, err := db.ClaimOutbox(ctx, campaignbot.PlatformTelegram, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range claimed {
		keys = append(keys, m.Key)
	}
	// 乙's message is due a minute earlier, so it comes first.
	if want := []string{"study-notes/2/warning/2026-03-10", "study-notes/1/warning/2026-03-10"}; !slices.Equal(keys, want) {
		t.Fatalf("claimed %v, want %v", keys, want)
	}
	if got := claimed[0].Buttons; len(got) != 1 || got[0][0].Data != "submit:study-notes" {
		t.Errorf("buttons = %+v", got)
	}

	first, second := claimed[0], claimed[1]
	if err := db.MarkOutboxSent(ctx, first.ID, "m-501", now); err != nil {
		t.Fatal(err)
	}
	p, err := db.FindPrompt(ctx, campaignbot.PlatformTelegram, first.ChatID, "m-501")
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != first.ID || p.TaskKey != "study-notes" || p.Status != campaignbot.OutboxSent || p.SentAt == nil || !p.SentAt.Equal(now) {
		t.Errorf("prompt = %+v", p)
	}
	_, err = db.FindPrompt(ctx, campaignbot.PlatformTelegram, "other-chat", "m-501")
	mustCode(t, err, campaignbot.ENOTFOUND)

	// Retry: pending again later, not claimable now; then give up.
	if err := db.MarkOutboxRetry(ctx, second.ID, "429: retry after 3", now.Add(3*time.Second), false); err != nil {
		t.Fatal(err)
	}
	if ms, _ := db.ClaimOutbox(ctx, campaignbot.PlatformTelegram, now, 10); len(ms) != 0 {
		t.Errorf("claimed %d messages before their retry time", len(ms))
	}
	ms, err := db.ClaimOutbox(ctx, campaignbot.PlatformTelegram, now.Add(3*time.Second), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Attempts != 1 || ms[0].LastError != "429: retry after 3" {
		t.Fatalf("after retry: %+v", ms)
	}
	if err := db.MarkOutboxRetry(ctx, second.ID, "bot was blocked", now, true); err != nil {
		t.Fatal(err)
	}
	mustCode(t, db.MarkOutboxRetry(ctx, 4242, "x", now, true), campaignbot.ENOTFOUND)
	mustCode(t, db.MarkOutboxSent(ctx, 4242, "x", now), campaignbot.ENOTFOUND)

	counts, err := db.CountOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[campaignbot.OutboxStatus]int{campaignbot.OutboxPending: 3, campaignbot.OutboxSent: 1, campaignbot.OutboxFailed: 1}; fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("counts = %v, want %v", counts, want)
	}

	day := now.Truncate(24 * time.Hour)
	for _, tt := range []struct {
		person   int64
		from, to time.Time
		want     int
	}{
		{ids["甲"], day, day.Add(24 * time.Hour), 3},
		{ids["乙"], day, day.Add(24 * time.Hour), 1},
		{ids["甲"], day.Add(24 * time.Hour), day.Add(48 * time.Hour), 0},
	} {
		got, err := db.CountPrompts(ctx, tt.person, tt.from, tt.to)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("CountPrompts(%d, %v) = %d, want %d", tt.person, tt.from, got, tt.want)
		}
	}
}

func TestInbound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newTestClock()
	db := MustOpen(t, WithClock(clock))
	for i, key := range []string{"103", "101", "102"} {
		in := &campaignbot.Inbound{Platform: campaignbot.PlatformTelegram, Key: key, Payload: []byte(`{"update_id":` + key + `}`),
			ReceivedAt: clock.Now().Add(time.Duration(i) * time.Second)}
		fresh, err := db.SaveInbound(ctx, in)
		if err != nil || !fresh {
			t.Fatalf("save %s: %v %v", key, fresh, err)
		}
	}
	fresh, err := db.SaveInbound(ctx, &campaignbot.Inbound{Platform: campaignbot.PlatformTelegram, Key: "101", Payload: []byte("dup")})
	if err != nil || fresh {
		t.Errorf("duplicate save = %v %v, want false", fresh, err)
	}
	fresh, err = db.SaveInbound(ctx, &campaignbot.Inbound{Platform: campaignbot.PlatformWeCom, Key: "101", ReceivedAt: clock.Now().Add(time.Minute)})
	if err != nil || !fresh {
		t.Errorf("same key on another platform = %v %v, want true", fresh, err)
	}
	pending, err := db.PendingInbound(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, in := range pending {
		keys = append(keys, string(in.Platform)+":"+in.Key)
	}
	if want := []string{"telegram:103", "telegram:101", "telegram:102", "wecom:101"}; !slices.Equal(keys, want) {
		t.Errorf("pending = %v, want %v (by arrival)", keys, want)
	}
	if string(pending[1].Payload) != `{"update_id":101}` {
		t.Errorf("payload = %q", pending[1].Payload)
	}
	if err := db.MarkInboundProcessed(ctx, campaignbot.PlatformTelegram, "103"); err != nil {
		t.Fatal(err)
	}
	mustCode(t, db.MarkInboundProcessed(ctx, campaignbot.PlatformTelegram, "999"), campaignbot.ENOTFOUND)
	pending, _ = db.PendingInbound(ctx, 1)
	if len(pending) != 1 || pending[0].Key != "101" {
		t.Errorf("pending after processing = %+v", pending)
	}

	retryAt := clock.Now().Add(time.Minute)
	for want := 1; want <= 2; want++ {
		n, err := db.RecordInboundFailure(ctx, campaignbot.PlatformTelegram, []string{"101", "102"}, "download failed", retryAt)
		if err != nil || n != want {
			t.Errorf("RecordInboundFailure = %d %v, want %d", n, err, want)
		}
	}
	pending, _ = db.PendingInbound(ctx, 1)
	if pending[0].Attempts != 2 || !pending[0].RetryAt.Equal(retryAt) {
		t.Errorf("failed update = %+v, want 2 attempts, retry at %v", pending[0], retryAt)
	}
	_, err = db.RecordInboundFailure(ctx, campaignbot.PlatformTelegram, []string{"103"}, "x", retryAt)
	mustCode(t, err, campaignbot.ENOTFOUND) // processed already

	clock.Add(time.Hour)
	n, err := db.DeleteProcessedInbound(ctx, clock.Now())
	if err != nil || n != 1 {
		t.Errorf("deleted %d processed updates (%v), want 1", n, err)
	}
}

// TestAtomic: the writes of store calls made inside Atomic commit together
// or not at all, a call that fails inside undoes only its own writes, and
// reads inside see the writes before them.
func TestAtomic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	save := func(ctx context.Context, key string) error {
		_, err := db.SaveInbound(ctx, &campaignbot.Inbound{Platform: campaignbot.PlatformConsole, Key: key, Payload: []byte("{}")})
		return err
	}
	pendingKeys := func() []string {
		t.Helper()
		ins, err := db.PendingInbound(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, in := range ins {
			keys = append(keys, in.Key)
		}
		return keys
	}
	boom := errors.New("boom")
	err := db.Atomic(ctx, func(ctx context.Context) error {
		if err := save(ctx, "a"); err != nil {
			return err
		}
		if got := pendingKeys(); len(got) != 0 {
			t.Errorf("outside the transaction: %v, want nothing yet", got)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Atomic = %v, want boom", err)
	}
	if got := pendingKeys(); len(got) != 0 {
		t.Errorf("after a failed Atomic: %v, want nothing", got)
	}

	err = db.Atomic(ctx, func(ctx context.Context) error {
		if err := save(ctx, "b"); err != nil {
			return err
		}
		// A failing call inside: its own writes go, the others stay.
		mustCode(t, db.MarkInboundProcessed(ctx, campaignbot.PlatformConsole, "b", "missing"), campaignbot.ENOTFOUND)
		ins, err := db.PendingInbound(ctx, 10)
		if err != nil || len(ins) != 1 || ins[0].Key != "b" {
			t.Errorf("inside: %v %v, want b pending", ins, err)
		}
		return save(ctx, "c")
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := pendingKeys(); !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("after Atomic: %v, want [b c]", got)
	}
}

func TestDialogsAndJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newTestClock()
	db := MustOpen(t, WithClock(clock))
	_, err := db.FindDialog(ctx, campaignbot.PlatformConsole, "甲")
	mustCode(t, err, campaignbot.ENOTFOUND)
	d := &campaignbot.Dialog{Platform: campaignbot.PlatformConsole, AccountID: "甲", Name: "problem", Step: "category",
		State: campaignbot.DialogState{Enterprise: "某公司"}}
	if err := db.SaveDialog(ctx, d); err != nil {
		t.Fatal(err)
	}
	lat, lon := 30.5, 114.25
	d.Step, d.State.Category = "description", "资金"
	d.State.Photos = []campaignbot.Attachment{{SHA256: "ab", Name: "a.jpg", MIME: "image/jpeg", Size: 3}}
	d.State.Latitude, d.State.Longitude = &lat, &lon
	if err := db.SaveDialog(ctx, d); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindDialog(ctx, campaignbot.PlatformConsole, "甲")
	if err != nil {
		t.Fatal(err)
	}
	if st := got.State; got.Step != "description" || st.Category != "资金" || st.Enterprise != "某公司" ||
		len(st.Photos) != 1 || st.Photos[0] != d.State.Photos[0] || st.Latitude == nil || *st.Latitude != lat ||
		st.Longitude == nil || *st.Longitude != lon || !got.UpdatedAt.Equal(clock.Now()) {
		t.Errorf("dialog = %+v", got)
	}
	if err := db.DeleteDialog(ctx, campaignbot.PlatformConsole, "甲"); err != nil {
		t.Fatal(err)
	}
	_, err = db.FindDialog(ctx, campaignbot.PlatformConsole, "甲")
	mustCode(t, err, campaignbot.ENOTFOUND)

	last, err := db.LastRun(ctx, "reminders")
	if err != nil || !last.IsZero() {
		t.Errorf("LastRun of a new job = %v %v, want zero", last, err)
	}
	at := clock.Now().Add(-time.Hour)
	if err := db.SetLastRun(ctx, "reminders", at); err != nil {
		t.Fatal(err)
	}
	if err := db.SetLastRun(ctx, "reminders", at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	last, err = db.LastRun(ctx, "reminders")
	if err != nil || !last.Equal(at.Add(time.Minute)) {
		t.Errorf("LastRun = %v %v, want %v", last, err, at.Add(time.Minute))
	}
}

// TestDialogUntyped: a dialog saved as the untyped map of strings reads as
// no dialog, and the account's next dialog replaces it. Rows that decode
// into the typed state mean the same there.
func TestDialogUntyped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	for _, tc := range []struct {
		data string
		want *campaignbot.DialogState // nil: no dialog
	}{
		{`{"anon":"1"}`, nil},
		{`{"survey":"opinions","a:q1":"5"}`, nil},
		{`{"enterprise":"某公司","lat":"30.5","lon":"114.25"}`, nil},
		{`{"text":"held","files":""}`, nil},
		{`{"submission":"12"}`, nil},
		{`not json`, nil},
		{`{"task":"study-notes"}`, &campaignbot.DialogState{TaskKey: "study-notes"}},
		{`{"enterprise":"某公司","category":"资金"}`, &campaignbot.DialogState{Enterprise: "某公司", Category: "资金"}},
	} {
		if _, err := db.wdb.ExecContext(ctx, `INSERT INTO dialogs (platform, account_id, name, step, data, updated_at) VALUES ('console', '甲', 'x', 'y', ?, 0)
			ON CONFLICT (platform, account_id) DO UPDATE SET data = excluded.data`, tc.data); err != nil {
			t.Fatal(err)
		}
		d, err := db.FindDialog(ctx, campaignbot.PlatformConsole, "甲")
		switch {
		case tc.want == nil:
			if campaignbot.ErrorCode(err) != campaignbot.ENOTFOUND {
				t.Errorf("%s: FindDialog = %+v, %v; want ENOTFOUND", tc.data, d, err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.data, err)
		case !reflect.DeepEqual(d.State, *tc.want):
			t.Errorf("%s: state %+v, want %+v", tc.data, d.State, *tc.want)
		}
	}
	d := &campaignbot.Dialog{Platform: campaignbot.PlatformConsole, AccountID: "甲", Name: "opinion", Step: "text",
		State: campaignbot.DialogState{Anonymous: true}}
	if err := db.SaveDialog(ctx, d); err != nil {
		t.Fatal(err)
	}
	if got, err := db.FindDialog(ctx, campaignbot.PlatformConsole, "甲"); err != nil || got.Name != "opinion" || !got.State.Anonymous {
		t.Errorf("after SaveDialog: %+v, %v", got, err)
	}
}

func TestSurvey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "甲", "乙", "丙", "丁")
	answer := func(name, value string, anonymous bool) error {
		return db.RecordSurveyResponse(ctx, &campaignbot.SurveyResponse{SurveyKey: "satisfaction", PersonID: ids[name], Anonymous: anonymous,
			Answers: []campaignbot.SurveyAnswer{{QuestionKey: "q1", Value: value}, {QuestionKey: "q2", Value: "很好"}}})
	}
	for _, a := range []struct{ name, value string }{{"甲", "5"}, {"乙", "4"}, {"丙", "5"}} {
		if err := answer(a.name, a.value, true); err != nil {
			t.Fatal(err)
		}
	}
	mustCode(t, answer("甲", "1", true), campaignbot.ECONFLICT)
	mustCode(t, db.RecordSurveyResponse(ctx, &campaignbot.SurveyResponse{SurveyKey: "satisfaction", PersonID: ids["丁"]}), campaignbot.EINVALID)

	for _, tt := range []struct {
		name string
		want bool
	}{{"甲", true}, {"丁", false}} {
		got, err := db.HasAnswered(ctx, "satisfaction", ids[tt.name])
		if err != nil || got != tt.want {
			t.Errorf("HasAnswered(%s) = %v %v, want %v", tt.name, got, err, tt.want)
		}
	}
	ps, err := db.FindParticipants(ctx, "satisfaction")
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{ids["甲"], ids["乙"], ids["丙"]}; !slices.Equal(ps, want) {
		t.Errorf("participants = %v, want %v", ps, want)
	}
	rs, err := db.FindSurveyResults(ctx, "satisfaction")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].QuestionKey != "q1" || rs[0].Count != 3 || rs[0].Values["5"] != 2 || rs[0].Values["4"] != 1 || len(rs[1].Texts) != 3 {
		t.Errorf("results = %+v", rs)
	}
	var withPerson int
	if err := db.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_answers WHERE person_id IS NOT NULL`).Scan(&withPerson); err != nil {
		t.Fatal(err)
	}
	if withPerson != 0 {
		t.Errorf("%d anonymous answers keep a person", withPerson)
	}

	// A named survey with two answers: the person is kept, results are withheld.
	for _, name := range []string{"甲", "乙"} {
		if err := db.RecordSurveyResponse(ctx, &campaignbot.SurveyResponse{SurveyKey: "opinions", PersonID: ids[name],
			Answers: []campaignbot.SurveyAnswer{{QuestionKey: "q1", Value: "3"}}}); err != nil {
			t.Fatal(err)
		}
	}
	rs, err = db.FindSurveyResults(ctx, "opinions")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Count != 2 || rs[0].Values != nil || rs[0].Texts != nil {
		t.Errorf("small group results = %+v, want only the count", rs)
	}
	if err := db.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_answers WHERE person_id IS NOT NULL`).Scan(&withPerson); err != nil {
		t.Fatal(err)
	}
	if withPerson != 2 {
		t.Errorf("named answers with a person = %d, want 2", withPerson)
	}
}

// TestEnqueueOutboxRun records a scheduler run with its messages, in one
// transaction (as the scheduler does): a failed enqueue records no run.
func TestEnqueueOutboxRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	at := time.Date(2026, 3, 20, 1, 0, 0, 0, time.UTC)
	enqueueRun := func(msgs []*campaignbot.OutboxMessage) (n int, err error) {
		err = db.Atomic(ctx, func(ctx context.Context) error {
			if n, err = db.EnqueueOutbox(ctx, msgs); err != nil {
				return err
			}
			return db.SetLastRun(ctx, "reminders", at)
		})
		return n, err
	}
	bad := []*campaignbot.OutboxMessage{{Key: "", Platform: campaignbot.PlatformTelegram, ChatID: "1", Kind: campaignbot.KindWarning, Text: "x"}}
	if _, err := enqueueRun(bad); campaignbot.ErrorCode(err) != campaignbot.EINVALID {
		t.Fatalf("bad message: %v, want EINVALID", err)
	}
	if last, err := db.LastRun(ctx, "reminders"); err != nil || !last.IsZero() {
		t.Fatalf("a failed enqueue recorded a run: %v %v", last, err)
	}
	msgs := []*campaignbot.OutboxMessage{{Key: "warning:a:1", Platform: campaignbot.PlatformTelegram, ChatID: "1", Kind: campaignbot.KindWarning, Text: "x"}}
	if n, err := enqueueRun(msgs); err != nil || n != 1 {
		t.Fatalf("enqueue: %d %v", n, err)
	}
	if last, err := db.LastRun(ctx, "reminders"); err != nil || !last.Equal(at) {
		t.Fatalf("run recorded at %v (%v), want %v", last, err, at)
	}
}

// TestMarkInboundProcessedTogether marks an album's updates in one call:
// all of them, or none when one key is unknown (reported as ENOTFOUND).
func TestMarkInboundProcessedTogether(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	for _, key := range []string{"201", "202", "203", "204"} {
		if _, err := db.SaveInbound(ctx, &campaignbot.Inbound{Platform: campaignbot.PlatformTelegram, Key: key, Payload: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MarkInboundProcessed(ctx, campaignbot.PlatformTelegram, "201", "202"); err != nil {
		t.Fatal(err)
	}
	mustCode(t, db.MarkInboundProcessed(ctx, campaignbot.PlatformTelegram, "203", "999"), campaignbot.ENOTFOUND)
	pending, err := db.PendingInbound(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 || pending[0].Key != "203" || pending[1].Key != "204" {
		t.Errorf("pending = %+v, want 203 (none of a failed call marked) and 204", pending)
	}
}
