package main

// The anonymity test of SPEC §2: members write anonymous opinions and
// anonymous survey answers over the console, WeCom and Telegram, between
// named traffic, while a reader holds a snapshot of the database open; then
// an adversary goes over everything the office's admin could hold (every
// table by SQL, the raw bytes of the .db, -wal and -shm files, the
// attachments, the logs, the exported workbook, a backup), once the
// acknowledgements are sent and again after the nightly maintenance, and
// the test fails if it ties any anonymous text to its writer.

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot/telegram/telegramtest"
	"campaignbot/bot/wecom"
	"campaignbot/bot/wecom/wecomtest"
	"campaignbot/store"
)

// anonWriter is a member of the test and everything that names them.
type anonWriter struct {
	name     string
	platform campaignbot.Platform
	wecom    string // WeCom UserID
	tg       int64  // Telegram user id (= private chat id)
	// windows are the spans of the member's anonymous acts, from the
	// first message sent to the last acknowledgement received.
	windows [][2]time.Time
}

// ids are the strings that name w in a store, a log or a file.
func (w *anonWriter) ids() []string {
	ids := []string{w.name}
	if w.wecom != "" {
		ids = append(ids, w.wecom)
	}
	if w.tg != 0 {
		ids = append(ids, strconv.FormatInt(w.tg, 10))
	}
	return ids
}

var anonRoster = []*anonWriter{
	{name: "孙静", platform: campaignbot.PlatformWeCom, wecom: "sunjing"},
	{name: "赵磊", platform: campaignbot.PlatformWeCom, wecom: "zhaolei"},
	{name: "周敏", platform: campaignbot.PlatformWeCom, wecom: "zhoumin"},
	{name: "郑强", platform: campaignbot.PlatformTelegram, tg: 7770001},
	{name: "钱多", platform: campaignbot.PlatformTelegram, tg: 7770002},
	{name: "冯刚", platform: campaignbot.PlatformTelegram, tg: 7770003},
	{name: "王芳", platform: campaignbot.PlatformConsole},
	{name: "李娜", platform: campaignbot.PlatformConsole},
	{name: "马超", platform: campaignbot.PlatformConsole},
}

// anonSecret makes a text no one else writes.
func anonSecret(kind string) string { return kind + "-" + strings.ToLower(rand.Text()[:12]) }

// anonPlay is the state of the test's play.
type anonPlay struct {
	h   *wecomE2E
	env map[string]string
	// opinions and answers are the anonymous texts with their writers,
	// in the order they were written.
	opinions, answers []anonText
	named             []string // named texts, which may stay beside names
	abandoned         string   // an answer left in an abandoned anonymous survey
	stop              func()   // stops the program start ran
}

// anonAbandoner leaves the anonymous survey half answered.
var anonAbandoner = &anonWriter{name: "吴芳", platform: campaignbot.PlatformWeCom, wecom: "wufang"}

type anonText struct {
	text   string
	writer *anonWriter
}

func TestAnonymityAgainstTheFile(t *testing.T) {
	p := newAnonPlay(t)
	h := p.h

	// A reader holds a snapshot through all the writes, as an export or the
	// office's sqlite3 shell would.
	reader, err := sql.Open("sqlite", "file:"+h.dbPath+"?_pragma=query_only(1)")
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

	for round := range 3 {
		for _, w := range anonRoster {
			if w.platform == campaignbot.PlatformConsole {
				continue
			}
			switch round {
			case 0:
				p.named1(w)
				p.anonymousOpinion(w)
			case 1:
				p.anonymousSurvey(w)
			case 2:
				p.named2(w)
			}
		}
	}
	p.abandonSurvey()

	// The console: each member's anonymous acts in a session of their own,
	// between sessions of named traffic.
	wcWaitFor(t, "the outbox to drain", func() bool { return h.count(`SELECT COUNT(*) FROM outbox WHERE status = 'pending'`) == 0 })
	p.stop()
	for _, w := range anonRoster {
		if w.platform != campaignbot.PlatformConsole {
			continue
		}
		p.consoleNamed()
		p.consoleAnonymous(w)
	}
	p.consoleNamed()
	p.start()

	// The acknowledgements are sent; the reader lets go; the WAL must be
	// emptied without any further write.
	rtx.Rollback()
	waitWALEmpty(t, h.dbPath)
	p.attack("after the acknowledgements", false)

	// The nightly maintenance.
	if err := h.m.DB.MaintainAnonymity(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	waitWALEmpty(t, h.dbPath)
	p.attack("after the nightly maintenance", true)

	// The member who abandoned the survey writes again: the message is
	// neither stored nor offered as named content.
	w := anonAbandoner
	late := anonSecret("LATE")
	h.send(h.text(w.wecom, late))
	h.expect(w.wecom, "超时结束")
	if got := h.count(`SELECT COUNT(*) FROM dialogs`); got != 0 {
		t.Errorf("%d dialogs after the late message, want none", got)
	}
	if got := h.count(`SELECT COUNT(*) FROM submissions WHERE text LIKE ?`, "%"+late+"%"); got != 0 {
		t.Errorf("the late message was filed as a submission")
	}
}

func newAnonPlay(t *testing.T) *anonPlay {
	t.Helper()
	dir := t.TempDir()
	h := &wecomE2E{
		t:      t,
		fake:   wecomtest.NewServer(t, wcCorpID, wcSecret),
		tg:     telegramtest.NewServer(t, wcTGToken),
		dbPath: filepath.Join(dir, "campaign.db"),
		codes:  map[string]string{},
		logs:   &tgLogBuffer{},
		seen:   map[string]int{},
		seenTG: map[int64]int{},
		base:   time.Now().Unix(),
	}
	crypt, err := wecom.NewCrypt(wcToken, wcAESKey, wcCorpID)
	if err != nil {
		t.Fatal(err)
	}
	h.crypt = crypt
	planPath := wcWritePlan(t, dir)
	if code, out, stderr := run(t, nil, "", "plan", "apply", "--db", h.dbPath, planPath); code != 0 {
		t.Fatalf("plan apply: %d %s %s", code, out, stderr)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, h.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	var roster []campaignbot.RosterEntry
	roster = append(roster, campaignbot.RosterEntry{Name: "陈丽", Departments: []string{"办公室"},
		Roles: []campaignbot.Role{campaignbot.RoleOffice, campaignbot.RoleMember}, WeCom: "chenli"})
	for _, w := range append(slices.Clone(anonRoster), anonAbandoner) {
		w.windows = nil
		e := campaignbot.RosterEntry{Name: w.name, Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}, WeCom: w.wecom}
		if w.tg != 0 {
			e.Telegram = strconv.FormatInt(w.tg, 10)
		}
		roster = append(roster, e)
	}
	if _, _, err := db.ImportRoster(ctx, roster); err != nil {
		t.Fatal(err)
	}
	for _, e := range roster {
		person, err := db.FindPersonByName(ctx, e.Name)
		if err != nil {
			t.Fatal(err)
		}
		inv, err := db.CreateInvite(ctx, person.ID)
		if err != nil {
			t.Fatal(err)
		}
		h.codes[e.Name] = inv.Code
	}
	db.Close()

	env := map[string]string{
		"CAMPAIGNBOT_DB":     h.dbPath,
		"CAMPAIGNBOT_PLAN":   planPath,
		"WECOM_CORP_ID":      wcCorpID,
		"WECOM_AGENT_ID":     strconv.Itoa(wcAgentID),
		"WECOM_SECRET":       wcSecret,
		"WECOM_TOKEN":        wcToken,
		"WECOM_AES_KEY":      wcAESKey,
		"WECOM_API_URL":      h.fake.URL(),
		"WECOM_ROBOT_KEY":    h.fake.RobotKey(),
		"TELEGRAM_BOT_TOKEN": wcTGToken,
		"TELEGRAM_API_URL":   h.tg.URL(),
	}
	p := &anonPlay{h: h, env: env}
	p.start()
	h.raw, err = sql.Open("sqlite", "file:"+h.dbPath+"?_pragma=query_only(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.raw.Close() })
	for _, w := range append(slices.Clone(anonRoster), anonAbandoner) {
		switch w.platform {
		case campaignbot.PlatformWeCom:
			h.bind(w.wecom, w.name)
		case campaignbot.PlatformTelegram:
			p.say(w, "/start "+h.codes[w.name], "绑定成功")
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("program log:\n%s", h.logs.String())
			for _, m := range h.fake.Sent() {
				t.Logf("wecom %s: %s", m.ToUser, wcShown(m))
			}
			if db, err := sql.Open("sqlite", "file:"+h.dbPath+"?_pragma=query_only(1)"); err == nil {
				for _, q := range []string{`SELECT id, key, chat_id, status, anonymous, last_error FROM outbox ORDER BY id DESC LIMIT 5`, `SELECT platform, key, processed_at IS NULL, attempts, last_error FROM inbound ORDER BY rowid DESC LIMIT 5`, `SELECT * FROM dialogs`} {
					rows, _ := db.Query(q)
					cols, _ := rows.Columns()
					for rows.Next() {
						v := make([]any, len(cols))
						ptr := make([]any, len(cols))
						for i := range v {
							ptr[i] = &v[i]
						}
						rows.Scan(ptr...)
						t.Logf("%s: %v", q[:20], v)
					}
					rows.Close()
				}
				db.Close()
			}
		}
	})
	return p
}

// say sends text as w and waits for the replies, checking the first.
func (p *anonPlay) say(w *anonWriter, text, want string, more ...int) {
	h := p.h
	h.t.Helper()
	replies := 1
	if len(more) > 0 {
		replies = more[0]
	}
	switch w.platform {
	case campaignbot.PlatformWeCom:
		h.send(h.text(w.wecom, text))
		h.expect(w.wecom, want)
		for range replies - 1 {
			h.next(w.wecom)
		}
	case campaignbot.PlatformTelegram:
		h.tg.SendText(w.tg, "", text)
		h.expectTG(w.tg, want)
		for range replies - 1 {
			h.expectTG(w.tg)
		}
	}
}

func (p *anonPlay) named1(w *anonWriter) {
	note := anonSecret("NOTE")
	p.named = append(p.named, note)
	p.say(w, "/note "+note, "已收到并保存")
}

func (p *anonPlay) named2(w *anonWriter) {
	op := anonSecret("NAMED")
	p.named = append(p.named, op)
	p.say(w, "/opinion "+op, "意见已收到")
	p.say(w, "/tasks", "")
}

func (p *anonPlay) anonymousOpinion(w *anonWriter) {
	text := anonSecret("OPINION")
	start := time.Now()
	p.say(w, "/opinion anon", "匿名意见")
	p.say(w, text, "匿名意见已收到")
	w.windows = append(w.windows, [2]time.Time{start, time.Now()})
	p.opinions = append(p.opinions, anonText{text, w})
}

// anonymousSurvey answers the default plan's anonymous call for opinions:
// a choice, then four free texts.
func (p *anonPlay) anonymousSurvey(w *anonWriter) {
	start := time.Now()
	p.say(w, "/survey opinions", "征求意见", 2)
	p.say(w, "2", "2/5")
	for q := 2; q <= 5; q++ {
		text := anonSecret("ANSWER" + strconv.Itoa(q))
		want := fmt.Sprintf("%d/5", q+1)
		if q == 5 {
			want = "谢谢"
		}
		p.say(w, text, want)
		if q == 5 {
			p.answers = append(p.answers, anonText{text, w})
		}
	}
	w.windows = append(w.windows, [2]time.Time{start, time.Now()})
}

// abandonSurvey answers two questions of the anonymous survey and goes.
func (p *anonPlay) abandonSurvey() {
	w := anonAbandoner
	p.abandoned = anonSecret("ABANDONED")
	p.say(w, "/survey opinions", "征求意见", 2)
	p.say(w, "1", "2/5")
	p.say(w, p.abandoned, "3/5")
}

// start runs the program against the fakes, until stop or the test's end.
func (p *anonPlay) start() {
	h := p.h
	t := h.t
	m := &Main{IO: IO{In: strings.NewReader(""), Out: io.Discard, Err: h.logs}}
	runFlagSet(m.IO, func(k string) string { return p.env[k] }, &m.Config)
	m.Config.Listen = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		cancel()
		t.Fatalf("open: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	stopped := false
	p.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(wcWait):
			t.Errorf("the program did not stop within %s", wcWait)
		}
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}
	t.Cleanup(p.stop)
	select {
	case <-m.Ready:
	case err := <-done:
		t.Fatalf("run ended before it was ready: %v", err)
	case <-time.After(wcWait):
		t.Fatalf("not ready within %s", wcWait)
	}
	h.m = m
}

// console runs one console session with lines.
func (p *anonPlay) console(lines []string) string {
	t := p.h.t
	t.Helper()
	env := map[string]string{"CAMPAIGNBOT_DB": p.env["CAMPAIGNBOT_DB"], "CAMPAIGNBOT_PLAN": p.env["CAMPAIGNBOT_PLAN"]}
	code, out, stderr := run(t, env, strings.Join(lines, "\n")+"\n", "run", "--console")
	p.h.logs.Write([]byte(stderr))
	if code != 0 {
		t.Fatalf("console: %d\n%s\n%s", code, out, stderr)
	}
	return out
}

func (p *anonPlay) consoleNamed() {
	var lines []string
	for _, w := range anonRoster {
		if w.platform == campaignbot.PlatformConsole {
			note := anonSecret("NOTE")
			p.named = append(p.named, note)
			lines = append(lines, "/as "+w.name, "/note "+note, "/tasks")
		}
	}
	p.console(lines)
}

func (p *anonPlay) consoleAnonymous(w *anonWriter) {
	op := anonSecret("OPINION")
	lines := []string{"/as " + w.name, "/opinion anon", op, "/survey opinions", "3"}
	var answer string
	for q := 2; q <= 5; q++ {
		answer = anonSecret("ANSWER" + strconv.Itoa(q))
		lines = append(lines, answer)
	}
	start := time.Now()
	out := p.console(lines)
	w.windows = append(w.windows, [2]time.Time{start, time.Now()})
	if !strings.Contains(out, "匿名意见已收到") || !strings.Contains(out, "谢谢") {
		p.h.t.Fatalf("console session of %s:\n%s", w.name, out)
	}
	p.opinions = append(p.opinions, anonText{op, w})
	p.answers = append(p.answers, anonText{answer, w})
}

// waitWALEmpty waits for the -wal file to be empty (or gone).
func waitWALEmpty(t *testing.T, dbPath string) {
	t.Helper()
	deadline := time.Now().Add(wcWait)
	for {
		fi, err := os.Stat(dbPath + "-wal")
		if err != nil || fi.Size() == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Logf("the WAL still holds %d bytes after %s", fi.Size(), wcWait)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// attack is the adversary. It collects what the admin could hold and tries
// to name the writer of each anonymous text; order says whether the
// physical order of rows must be erased by now (SPEC §2 allows it to last
// until the nightly maintenance).
func (p *anonPlay) attack(when string, order bool) {
	h := p.h
	t := h.t
	t.Helper()
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")
	if err := h.m.DB.Backup(context.Background(), backup); err != nil {
		t.Fatal(err)
	}
	workbook := filepath.Join(dir, "export.xlsx")
	if code, out, stderr := run(t, map[string]string{"CAMPAIGNBOT_DB": h.dbPath}, "", "export", "--out", workbook); code != 0 {
		t.Fatalf("export: %d %s %s", code, out, stderr)
	}

	files := map[string][]byte{}
	for _, f := range []string{h.dbPath, h.dbPath + "-wal", h.dbPath + "-shm", backup} {
		if b, err := os.ReadFile(f); err == nil {
			files[filepath.Base(f)] = b
		}
	}
	for _, d := range []string{h.dbPath + ".files", backup + ".files"} {
		filepath.WalkDir(d, func(path string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				b, _ := os.ReadFile(path)
				files[path] = b
			}
			return nil
		})
	}
	if zr, err := zip.OpenReader(workbook); err == nil {
		for _, f := range zr.File {
			rc, err := f.Open()
			if err == nil {
				b, _ := io.ReadAll(rc)
				rc.Close()
				files["export:"+f.Name] = b
			}
		}
		zr.Close()
	} else {
		t.Fatal(err)
	}
	files["log"] = []byte(h.logs.String())

	all := append(slices.Clone(p.opinions), p.answers...)
	// 1. Names, accounts and chats near the text, in any file: each text
	// is given to the writer whose identifier lies nearest to it. In a
	// file that keeps nothing of the writers, only chance puts one near
	// (a named row beside an anonymous one in the export), so the file
	// fails when two or more guesses and most of them are right.
	const near = 1024
	for name, b := range files {
		guesses, right := 0, 0
		for _, a := range all {
			i := bytes.Index(b, []byte(a.text))
			if i < 0 {
				continue
			}
			var nearest *anonWriter
			best := near + 1
			for _, w := range anonRoster {
				for _, id := range w.ids() {
					for off := max(0, i-near); off < min(len(b), i+len(a.text)+near); {
						j := bytes.Index(b[off:min(len(b), i+len(a.text)+near)], []byte(id))
						if j < 0 {
							break
						}
						j += off
						d := i - j
						if j > i {
							d = j - i - len(a.text)
						}
						if d < best {
							best, nearest = d, w
						}
						off = j + len(id)
					}
				}
			}
			if nearest != nil {
				guesses++
				if nearest == a.writer {
					right++
				}
			}
		}
		if right >= 2 && 2*right > guesses {
			t.Errorf("%s: in %s, the identifier nearest to an anonymous text names its writer for %d of %d texts", when, name, right, len(all))
		}
	}
	// 2. The abandoned answer is gone once the maintenance ran.
	if order {
		for name, b := range files {
			if bytes.Contains(b, []byte(p.abandoned)) {
				t.Errorf("%s: %s still holds the answer of an abandoned anonymous survey", when, name)
			}
		}
	}
	// 3. Every row of every table: a text beside its writer, or a row
	// naming a writer with a time inside one of their anonymous acts.
	p.attackRows(when, h.dbPath)
	p.attackRows(when+" (backup)", backup)
	// 4. The logs: a writer named with a time inside their act.
	for _, line := range strings.Split(h.logs.String(), "\n") {
		for _, w := range anonRoster {
			if !containsAny(line, w.ids()) {
				continue
			}
			for _, ts := range timesIn(line) {
				if w.inWindow(ts) {
					t.Errorf("%s: a log line names %s at the time of an anonymous act: %s", when, w.name, line)
				}
			}
		}
	}
	// 5. The physical order of the texts against the order of writing.
	for _, set := range []struct {
		what  string
		texts []anonText
	}{{"anonymous opinions", p.opinions}, {"anonymous answers", p.answers}} {
		for name, b := range files {
			tau, ok := orderAgreement(b, set.texts)
			if !ok {
				continue
			}
			if tau >= 0.8 || tau <= -0.8 {
				if order {
					t.Errorf("%s: the %s lie in %s in the order they were written (Kendall tau %.2f)", when, set.what, name, tau)
				} else {
					t.Logf("%s: the %s lie in %s in the order they were written (Kendall tau %.2f); SPEC §2 allows it until the nightly maintenance", when, set.what, name, tau)
				}
			}
		}
	}
}

// attackRows reads every row of every table of the database at path.
func (p *anonPlay) attackRows(when, path string) {
	t := p.h.t
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ids := map[int64]*anonWriter{}
	for _, w := range anonRoster {
		var id int64
		if err := db.QueryRow(`SELECT id FROM people WHERE name = ?`, w.name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[id] = w
	}
	texts := map[string]*anonWriter{}
	for _, a := range append(slices.Clone(p.opinions), p.answers...) {
		texts[a.text] = a.writer
	}
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	for _, table := range tables {
		rs, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var named []*anonWriter
			var times []time.Time
			var row strings.Builder
			for i, v := range vals {
				switch v := v.(type) {
				case int64:
					col := cols[i]
					if w, ok := ids[v]; ok && col != "id" && (strings.HasSuffix(col, "_id") || strings.HasSuffix(col, "_by")) {
						named = append(named, w)
					}
					if v > 1e18 { // unix nanoseconds
						times = append(times, time.Unix(0, v))
					}
				case string:
					row.WriteString(v + "\x00")
				case []byte:
					row.Write(v)
					row.WriteString("\x00")
				}
			}
			for _, w := range anonRoster {
				if containsAny(row.String(), w.ids()) {
					named = append(named, w)
				}
			}
			for text, writer := range texts {
				if strings.Contains(row.String(), text) && slices.Contains(named, writer) {
					t.Errorf("%s: a row of %s holds %s's anonymous text beside them", when, table, writer.name)
				}
			}
			for _, w := range named {
				for _, ts := range times {
					if w.inWindow(ts) {
						t.Errorf("%s: a row of %s names %s with a time inside one of their anonymous acts (%s)", when, table, w.name, ts.Format(time.StampMicro))
					}
				}
			}
		}
		rs.Close()
	}
}

func (w *anonWriter) inWindow(ts time.Time) bool {
	for _, win := range w.windows {
		if !ts.Before(win[0]) && !ts.After(win[1]) {
			return true
		}
	}
	return false
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// timesIn finds slog's time=... stamps in a log line.
func timesIn(line string) []time.Time {
	var out []time.Time
	for _, f := range strings.Fields(line) {
		v, ok := strings.CutPrefix(f, "time=")
		if !ok {
			continue
		}
		if ts, err := time.Parse(time.RFC3339Nano, v); err == nil {
			out = append(out, ts)
		}
	}
	return out
}

// orderAgreement is Kendall's tau between the order the texts were written
// in and the order of their first offsets in b; ok is false unless every
// text is in b.
func orderAgreement(b []byte, texts []anonText) (float64, bool) {
	type pos struct{ written, at int }
	var ps []pos
	for i, a := range texts {
		at := bytes.Index(b, []byte(a.text))
		if at < 0 {
			return 0, false
		}
		ps = append(ps, pos{i, at})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].at < ps[j].at })
	agree, disagree := 0, 0
	for i := range ps {
		for j := i + 1; j < len(ps); j++ {
			if ps[i].written < ps[j].written {
				agree++
			} else {
				disagree++
			}
		}
	}
	return float64(agree-disagree) / float64(agree+disagree), len(ps) > 2
}
