package store

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"campaignbot"
)

func TestSubmissionVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "甲", "乙")

	submit := func(person int64, task, text string) *campaignbot.Submission {
		t.Helper()
		s := &campaignbot.Submission{TaskKey: task, PersonID: person, Text: text}
		if err := db.CreateSubmission(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	a1 := submit(ids["甲"], "study-notes", "第一篇")
	a2 := submit(ids["甲"], "study-notes", "第二篇")
	b1 := submit(ids["乙"], "study-notes", "乙的笔记")
	c1 := submit(ids["甲"], "theme-speech", "发言")
	for _, tt := range []struct {
		s    *campaignbot.Submission
		want int
	}{{a1, 1}, {a2, 2}, {b1, 1}, {c1, 1}} {
		if tt.s.Version != tt.want {
			t.Errorf("%s/%d version = %d, want %d", tt.s.TaskKey, tt.s.PersonID, tt.s.Version, tt.want)
		}
	}

	all, err := db.FindSubmissions(ctx, campaignbot.SubmissionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(all), 4; got != want {
		t.Errorf("stored %d submissions, want %d", got, want)
	}

	for _, bad := range []*campaignbot.Submission{
		{TaskKey: "study-notes", PersonID: ids["甲"], Text: "  \n"},
		{TaskKey: "", PersonID: ids["甲"], Text: "x"},
		{TaskKey: "study-notes", PersonID: ids["甲"], Text: "x", State: campaignbot.ReviewAccepted},
		{TaskKey: "study-notes", PersonID: ids["甲"], Attachments: []campaignbot.Attachment{{SHA256: "../etc/passwd"}}},
	} {
		mustCode(t, db.CreateSubmission(ctx, bad), campaignbot.EINVALID)
	}
	mustCode(t, db.CreateSubmission(ctx, &campaignbot.Submission{TaskKey: "study-notes", PersonID: 4040, Text: "x"}), campaignbot.EINVALID)

	task := "study-notes"
	limited, err := db.FindSubmissions(ctx, campaignbot.SubmissionFilter{PersonID: &a1.PersonID, TaskKey: &task, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(limited) != 1 || limited[0].ID != a2.ID {
		t.Errorf("newest of 甲's notes = %v, want %d", limited, a2.ID)
	}
	_, err = db.FindSubmissionByID(ctx, 123456)
	mustCode(t, err, campaignbot.ENOTFOUND)
}

func TestAttachments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "甲")
	data := []byte("a photo of a handwritten page")
	a, err := db.SaveAttachment(ctx, "p1.jpg", "image/jpeg", data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.SaveAttachment(ctx, "p2.jpg", "image/jpeg", data)
	if err != nil {
		t.Fatal(err)
	}
	if a.SHA256 != b.SHA256 || a.Size != int64(len(data)) {
		t.Errorf("same bytes gave %s and %s", a.SHA256, b.SHA256)
	}
	got, err := os.ReadFile(db.AttachmentPath(a.SHA256))
	if err != nil || string(got) != string(data) {
		t.Errorf("stored file = %q, %v", got, err)
	}
	entries, err := os.ReadDir(db.files)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("attachment dir holds %d files, want 1", len(entries))
	}
	if p := db.AttachmentPath("../../x"); p != "" {
		t.Errorf("AttachmentPath of a bad name = %q, want empty", p)
	}
	_, err = db.SaveAttachment(ctx, "empty", "text/plain", nil)
	mustCode(t, err, campaignbot.EINVALID)

	a.Platform = campaignbot.PlatformTelegram
	s := &campaignbot.Submission{TaskKey: "study-notes", PersonID: ids["甲"], Attachments: []campaignbot.Attachment{*a, *b}}
	if err := db.CreateSubmission(ctx, s); err != nil {
		t.Fatal(err)
	}
	stored, err := db.FindSubmissionByID(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.Attachments) != 2 || stored.Attachments[0] != *a || stored.Attachments[1].Name != "p2.jpg" {
		t.Errorf("attachments = %+v", stored.Attachments)
	}
}

func TestReviewFlow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, WithPerDepartmentTasks("dept-analysis"))
	if _, _, err := db.ImportRoster(ctx, []campaignbot.RosterEntry{
		{Name: "王副", Departments: []string{"局领导"}, Roles: []campaignbot.Role{campaignbot.RoleLeader}, InChargeOf: []string{"科技科"}},
		{Name: "赵科", Departments: []string{"科技科"}, Roles: []campaignbot.Role{campaignbot.RoleMiddle}},
		{Name: "孙科", Departments: []string{"科技科"}, Roles: []campaignbot.Role{campaignbot.RoleMiddle}},
	}); err != nil {
		t.Fatal(err)
	}
	leader, _ := db.FindPersonByName(ctx, "王副")
	zhao, _ := db.FindPersonByName(ctx, "赵科")
	sun, _ := db.FindPersonByName(ctx, "孙科")

	v1 := &campaignbot.Submission{TaskKey: "dept-analysis", PersonID: zhao.ID, DepartmentID: zhao.DepartmentID, Text: "初稿", State: campaignbot.ReviewSubmitted}
	if err := db.CreateSubmission(ctx, v1); err != nil {
		t.Fatal(err)
	}
	mustCode(t, db.ReviewSubmission(ctx, &campaignbot.ReviewComment{SubmissionID: v1.ID, ReviewerID: leader.ID, Decision: campaignbot.ReviewReturned}), campaignbot.EINVALID)
	mustCode(t, db.ReviewSubmission(ctx, &campaignbot.ReviewComment{SubmissionID: v1.ID, ReviewerID: leader.ID, Decision: "maybe"}), campaignbot.EINVALID)
	ret := &campaignbot.ReviewComment{SubmissionID: v1.ID, ReviewerID: leader.ID, Text: "问题查摆不深", Decision: campaignbot.ReviewReturned}
	if err := db.ReviewSubmission(ctx, ret); err != nil {
		t.Fatal(err)
	}
	// Returned: not awaiting review any more.
	mustCode(t, db.ReviewSubmission(ctx, &campaignbot.ReviewComment{SubmissionID: v1.ID, ReviewerID: leader.ID, Decision: campaignbot.ReviewAccepted}), campaignbot.ECONFLICT)

	// The department's other section head revises: version 2 of the department's report.
	v2 := &campaignbot.Submission{TaskKey: "dept-analysis", PersonID: sun.ID, DepartmentID: sun.DepartmentID, Text: "修改稿", State: campaignbot.ReviewSubmitted}
	if err := db.CreateSubmission(ctx, v2); err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 {
		t.Errorf("per-department version = %d, want 2", v2.Version)
	}
	mustCode(t, db.ReviewSubmission(ctx, &campaignbot.ReviewComment{SubmissionID: v1.ID, ReviewerID: leader.ID, Text: "x", Decision: campaignbot.ReviewReturned}), campaignbot.ECONFLICT)
	acc := &campaignbot.ReviewComment{SubmissionID: v2.ID, ReviewerID: leader.ID, Text: "同意", Decision: campaignbot.ReviewAccepted}
	if err := db.ReviewSubmission(ctx, acc); err != nil {
		t.Fatal(err)
	}
	mustCode(t, db.ReviewSubmission(ctx, &campaignbot.ReviewComment{SubmissionID: 999, ReviewerID: leader.ID, Decision: campaignbot.ReviewAccepted}), campaignbot.ENOTFOUND)

	got1, _ := db.FindSubmissionByID(ctx, v1.ID)
	got2, _ := db.FindSubmissionByID(ctx, v2.ID)
	if got1.State != campaignbot.ReviewReturned || got2.State != campaignbot.ReviewAccepted {
		t.Errorf("states = %s, %s; want returned, accepted", got1.State, got2.State)
	}
	cs, err := db.FindReviewComments(ctx, v1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Text != "问题查摆不深" || cs[0].Decision != campaignbot.ReviewReturned || cs[0].ID != ret.ID {
		t.Errorf("comments = %+v", cs)
	}

	// The returned version is named as such to the obligations computation;
	// a colleague's note, owed by each person, is not read for 孙科.
	note := &campaignbot.Submission{TaskKey: "study-notes", PersonID: zhao.ID, DepartmentID: zhao.DepartmentID, Text: "笔记"}
	if err := db.CreateSubmission(ctx, note); err != nil {
		t.Fatal(err)
	}
	p := &campaignbot.Plan{Tasks: []campaignbot.Task{
		{Key: "study-notes", Cardinality: campaignbot.EveryWeek},
		{Key: "dept-analysis", Cardinality: campaignbot.PerDepartment},
	}}
	in, err := db.FindObligationInput(ctx, sun, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Submissions) != 2 || !slices.Equal(in.Returned, []int64{v1.ID}) || in.Submissions[1].DepartmentID != sun.DepartmentID {
		t.Errorf("obligation input = %+v, want v1 returned and v2 counted", in)
	}
}

// TestAnonymousOpinionUnlinkable stores an anonymous opinion that arrived
// as a raw update beside a dialog holding its text, then reads every column
// of every table and checks that no row ties the text to its author.
func TestAnonymousOpinionUnlinkable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "甲", "乙", "丙", "匿名作者", "署名者")
	author := ids["匿名作者"]
	inv, err := db.CreateInvite(ctx, author)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RedeemInvite(ctx, inv.Code, campaignbot.Account{Platform: campaignbot.PlatformTelegram, AccountID: "tg-70071", ChatID: "chat-70071"}); err != nil {
		t.Fatal(err)
	}
	const text = "建议减少文山会海-7f3a"
	payload := fmt.Sprintf(`{"update_id":55501,"message":{"from":{"id":"tg-70071"},"chat":{"id":"chat-70071"},"text":%q}}`, text)
	if _, err := db.SaveInbound(ctx, &campaignbot.Inbound{Platform: campaignbot.PlatformTelegram, Key: "55501", Payload: []byte(payload)}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveDialog(ctx, &campaignbot.Dialog{Platform: campaignbot.PlatformTelegram, AccountID: "tg-70071", Name: "submit", Step: "choose",
		State: campaignbot.DialogState{Text: text}}); err != nil {
		t.Fatal(err)
	}
	named := &campaignbot.Opinion{AuthorID: ids["署名者"], Text: "署名意见"}
	if err := db.CreateOpinion(ctx, named); err != nil {
		t.Fatal(err)
	}
	op := &campaignbot.Opinion{AuthorID: author, Anonymous: true, Text: text}
	// As the intake stores it: the opinion and the update's processed
	// mark in one transaction.
	if err := db.Atomic(ctx, func(ctx context.Context) error {
		if err := db.CreateOpinion(ctx, op); err != nil {
			return err
		}
		return db.MarkInboundProcessed(ctx, campaignbot.PlatformTelegram, "55501")
	}); err != nil {
		t.Fatal(err)
	}
	if op.AuthorID != 0 || op.ID <= 0 {
		t.Errorf("stored opinion = %+v, want no author and an id", op)
	}

	// Everything that identifies the author or the message.
	p, _ := db.FindPersonByID(ctx, author)
	secrets := []string{p.Name, "tg-70071", "chat-70071", "55501", "9001", inv.Code}
	dump := dumpAll(t, db)
	rowsWithText := 0
	for _, row := range dump {
		if !strings.Contains(row.text, text) {
			continue
		}
		rowsWithText++
		if row.table != "opinions" {
			t.Errorf("text found in %s: %s", row.table, row.text)
		}
		for _, s := range secrets {
			if strings.Contains(row.text, s) {
				t.Errorf("row of %s holds the text beside %q: %s", row.table, s, row.text)
			}
		}
		for col, v := range row.cols {
			if v == fmt.Sprint(author) || v == fmt.Sprint(encTime(db.Now())) {
				t.Errorf("opinion column %s = %s links the author or the instant", col, v)
			}
		}
	}
	if rowsWithText != 1 {
		t.Errorf("text found in %d rows, want 1 (the opinion)", rowsWithText)
	}

	// Nor do the raw files keep the update as it arrived.
	for _, file := range []string{db.path, db.path + "-wal"} {
		raw, err := os.ReadFile(file)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), `"from":{"id":"tg-70071"}`) {
			t.Errorf("%s still holds the raw update", file)
		}
	}

	ops, err := db.FindOpinions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 2 {
		t.Fatalf("opinions = %d, want 2", len(ops))
	}
	for _, o := range ops {
		if o.Anonymous && o.AuthorID != 0 || !o.Anonymous && o.AuthorID != ids["署名者"] {
			t.Errorf("opinion %+v", o)
		}
	}
	if err := db.AnswerOpinion(ctx, op.ID, "已采纳", ids["署名者"]); err != nil {
		t.Fatal(err)
	}
	mustCode(t, db.AnswerOpinion(ctx, 42, "x", 0), campaignbot.ENOTFOUND)
	mustCode(t, db.CreateOpinion(ctx, &campaignbot.Opinion{Text: "no author"}), campaignbot.EINVALID)
	pending, err := db.PendingInbound(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Errorf("redacted update still pending: %+v", pending)
	}
}

type dumpRow struct {
	table string
	cols  map[string]string
	text  string // every column, joined
}

// dumpAll reads every row of every table, as text.
func dumpAll(tb testing.TB, db *DB) []dumpRow {
	tb.Helper()
	ctx := context.Background()
	tablesQuery := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if onPostgres() {
		tablesQuery = `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`
	}
	rows, err := db.rdb.QueryContext(ctx, tablesQuery)
	if err != nil {
		tb.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			tb.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 20 {
		tb.Fatalf("only %d tables: %v", len(tables), tables)
	}
	var out []dumpRow
	for _, table := range tables {
		rows, err := db.rdb.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			r := dumpRow{table: table, cols: map[string]string{}}
			var parts []string
			for i, v := range vals {
				s := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					s = string(b)
				}
				r.cols[cols[i]] = s
				parts = append(parts, s)
			}
			r.text = strings.Join(parts, "|")
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			tb.Fatal(err)
		}
		rows.Close()
	}
	return out
}

// TestConcurrentSubmissions stores submissions from several goroutines at
// once: versions stay 1..n without gaps or repeats.
func TestConcurrentSubmissions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t)
	ids := importPeople(t, db, "甲")
	const workers, messages = 4, 15
	errs := make(chan error, workers)
	for range workers {
		go func() {
			for i := range messages {
				s := &campaignbot.Submission{TaskKey: "study-notes", PersonID: ids["甲"], Text: fmt.Sprint("笔记", i)}
				if err := db.CreateSubmission(ctx, s); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	ss, err := db.FindSubmissions(ctx, campaignbot.SubmissionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	versions := map[int]bool{}
	for _, s := range ss {
		versions[s.Version] = true
	}
	if n := workers * messages; len(ss) != n || len(versions) != n || !versions[1] || !versions[n] {
		t.Errorf("stored %d submissions with %d distinct versions, want %d and 1..%d", len(ss), len(versions), n, n)
	}
}
