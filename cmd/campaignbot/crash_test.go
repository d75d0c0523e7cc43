package main

// The crash test of campaignbot: the built binary under a stream of chat
// updates and a day's reminders, killed with SIGKILL at random moments and
// restarted on the same store, then checked for lost or doubled work.

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot/telegram/telegramtest"
	"campaignbot/plan"
	"campaignbot/scheduler"
	"campaignbot/store"
)

const (
	// crashUsers bound accounts send crashNotes study notes between them.
	crashUsers = 30
	crashNotes = 150
	// crashFirstChat is the first user's Telegram id (and chat id).
	crashFirstChat = 4001
	// crashMinKills to crashMaxKills processes are killed before the last
	// one runs to the end.
	crashMinKills, crashMaxKills = 5, 8
	// crashMaxLife bounds how long a process lives before its kill.
	crashMaxLife = 2500 * time.Millisecond
	// crashInFlight is how long before a kill a message may have reached
	// Telegram and still be unmarked in the store: the dispatcher marks a
	// row sent with one database write right after its send returns, so a
	// duplicate whose first copy arrived earlier than this before the kill
	// means rows stay unmarked far longer than that window.
	crashInFlight = time.Second
	// crashDrain bounds the last process's work.
	crashDrain = 40 * time.Second
	// crashSeedVar names the variable that replays a run's kills and load.
	crashSeedVar = "CAMPAIGNBOT_CRASH_SEED"
)

// crashReminderKinds are the outbox kinds the reminders job enqueues.
var crashReminderKinds = []campaignbot.OutboxKind{
	campaignbot.KindWarning, campaignbot.KindOverdue, campaignbot.KindEscalation,
	campaignbot.KindPhaseStart, campaignbot.KindPhaseEnd,
}

// crashAckVersion finds the version in an acknowledgement of a study note.
var crashAckVersion = regexp.MustCompile(`^已收到并保存：“学习笔记”第 (\d+) 版`)

// crashNote is one /note update the load generator sent.
type crashNote struct {
	update int64
	chat   int64
	msgID  int
	text   string // the note, without the command
}

// crashMsg is a message as a chat sees it.
type crashMsg struct{ chat, text string }

// crashArrival is a message the fake Bot API received, and which process
// (by index) was alive when it arrived.
type crashArrival struct {
	crashMsg
	at   time.Time
	proc int
}

// crashKill is one SIGKILL and what the store held right after it.
type crashKill struct {
	proc int
	at   time.Time
	how  string // "timed", "send" (in flight) or "poll" (confirming updates)
	// pending holds the outbox rows still pending after the kill.
	pending []crashMsg
}

// crashState is what the fake's hooks and the test share: the process
// alive, its kill trigger, and every message the fake received.
type crashState struct {
	mu         sync.Mutex
	proc       int
	cur        *tgProc
	trigger    string // "send", "poll" or "timed"
	countdown  int    // sends or confirming polls left before the kill
	lastOffset int64
	killed     bool
	killedAt   time.Time
	how        string
	arrivals   []crashArrival
}

// begin makes p, the process with index proc, the one alive.
func (s *crashState) begin(proc int, p *tgProc, trigger string, countdown int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.proc, s.cur, s.trigger, s.countdown = proc, p, trigger, countdown
	s.killed, s.killedAt, s.how = false, time.Time{}, ""
}

// kill SIGKILLs the process alive, once, and waits until it is gone.
func (s *crashState) kill(how string) {
	s.mu.Lock()
	p := s.cur
	if p == nil || s.killed {
		s.mu.Unlock()
		return
	}
	s.killed, s.killedAt, s.how = true, time.Now(), how
	s.mu.Unlock()
	p.kill()
}

// countDown counts one event of kind and reports whether it is the one the
// kill waits for.
func (s *crashState) countDown(kind string) bool {
	if s.killed || s.trigger != kind || s.countdown <= 0 {
		return false
	}
	s.countdown--
	return s.countdown == 0
}

// onSend records a message the fake received; it kills the process while
// the send is in flight if that is the trigger.
func (s *crashState) onSend(c telegramtest.Call) {
	text := c.Params["text"]
	if c.Method != "sendMessage" {
		text = c.Params["caption"]
	}
	s.mu.Lock()
	s.arrivals = append(s.arrivals, crashArrival{crashMsg{c.Params["chat_id"], text}, time.Now(), s.proc})
	fire := s.countDown("send")
	s.mu.Unlock()
	if fire {
		s.kill("send")
	}
}

// onPoll kills the process as it confirms stored updates, if that is the
// trigger.
func (s *crashState) onPoll(c telegramtest.Call) {
	off, _ := strconv.ParseInt(c.Params["offset"], 10, 64)
	s.mu.Lock()
	fire := false
	if off > s.lastOffset {
		s.lastOffset = off
		fire = s.countDown("poll")
	}
	s.mu.Unlock()
	if fire {
		s.kill("poll")
	}
}

// received returns a copy of the arrivals so far.
func (s *crashState) received() []crashArrival {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.arrivals)
}

// crashOutboxRow is one outbox row as stored.
type crashOutboxRow struct {
	key, chat, kind, text, status, pmid, lastErr string
	attempts                                     int
	sent                                         bool
}

// crashDB reads the store's tables straight from the database file.
type crashDB struct {
	t  *testing.T
	db *sql.DB
}

func crashOpenSQL(t *testing.T, path string) *crashDB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &crashDB{t, db}
}

// each runs q and calls scan for every row.
func (c *crashDB) each(q string, scan func(*sql.Rows) error) {
	c.t.Helper()
	rows, err := c.db.Query(q)
	if err != nil {
		c.t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			c.t.Fatalf("%s: %v", q, err)
		}
	}
	if err := rows.Err(); err != nil {
		c.t.Fatalf("%s: %v", q, err)
	}
}

func (c *crashDB) outbox() []crashOutboxRow {
	c.t.Helper()
	var out []crashOutboxRow
	c.each(`SELECT key, chat_id, kind, text, status, platform_message_id, last_error, attempts, sent_at IS NOT NULL FROM outbox ORDER BY id`,
		func(rows *sql.Rows) error {
			var r crashOutboxRow
			err := rows.Scan(&r.key, &r.chat, &r.kind, &r.text, &r.status, &r.pmid, &r.lastErr, &r.attempts, &r.sent)
			out = append(out, r)
			return err
		})
	return out
}

// inbound returns the stored update ids and how many are unprocessed.
func (c *crashDB) inbound() (map[string]bool, int) {
	c.t.Helper()
	keys, open := map[string]bool{}, 0
	c.each(`SELECT key, processed_at IS NULL FROM inbound WHERE platform = 'telegram'`, func(rows *sql.Rows) error {
		var k string
		var unprocessed bool
		if err := rows.Scan(&k, &unprocessed); err != nil {
			return err
		}
		keys[k] = true
		if unprocessed {
			open++
		}
		return nil
	})
	return keys, open
}

// crashPlan writes the default plan shifted so that its study phase ends
// three days after today (a deadline warning for everyone who owes this
// week's study notes), with the reminders job at 00:00, no quiet hours and
// the digest at 23:59 (out of the test's way: each chat's messages are then
// all single-part texts).
func crashPlan(t *testing.T, path string, today campaignbot.Date) *campaignbot.Plan {
	t.Helper()
	start := today.AddDays(-57)
	for range 3 {
		code, out, stderr := run(t, nil, "", "plan", "init", "--start", start.String())
		if code != 0 {
			t.Fatalf("plan init: %d %s", code, stderr)
		}
		for field, value := range map[string]string{"quiet_hours": "00:00-00:00", "remind_at": "00:00", "digest_at": "23:59"} {
			re := regexp.MustCompile(`(?m)^(\s*` + field + `:\s*)"[^"]*"`)
			if !re.MatchString(out) {
				t.Fatalf("the default plan has no %s line:\n%s", field, out)
			}
			out = re.ReplaceAllString(out, `${1}"`+value+`"`)
		}
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := plan.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		ph := p.FindPhase("study")
		if ph == nil {
			t.Fatal("the default plan has no study phase")
		}
		if shift := ph.End - today.AddDays(3); shift != 0 {
			start -= shift
			continue
		}
		if now := p.PhaseAt(today); now == nil || now.Key != "study" {
			t.Fatalf("the test plan is not in its study phase today (%s): %+v", today, now)
		}
		if p.Policy.RemindAt != 0 || p.Policy.InQuiet(p.Policy.RemindAt) {
			t.Fatalf("the plan's policy did not take the edits: %+v", p.Policy)
		}
		return p
	}
	t.Fatalf("could not place the study phase's end three days after %s", today)
	return nil
}

// crashRoster imports crashUsers people as of twenty days ago, so that they
// owe past weeks' notes too (overdue reminders, escalations): members (every
// fourth also a section head), a leader in charge of every department and
// the head. Each is bound on Telegram with chat id = user id; it returns
// the person id of each chat.
func crashRoster(t *testing.T, db *store.DB) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	depts := []string{"科技管理科", "办公室", "政策法规科"}
	var entries []campaignbot.RosterEntry
	for i := range crashUsers - 2 {
		roles := []campaignbot.Role{campaignbot.RoleMember}
		if i%4 == 3 {
			roles = append(roles, campaignbot.RoleMiddle)
		}
		entries = append(entries, campaignbot.RosterEntry{Line: i + 2, Name: fmt.Sprintf("成员%02d", i+1),
			Departments: []string{depts[i%len(depts)]}, Roles: roles})
	}
	entries = append(entries,
		campaignbot.RosterEntry{Line: crashUsers, Name: "分管领导", Departments: depts[:1],
			Roles: []campaignbot.Role{campaignbot.RoleLeader}, InChargeOf: depts},
		campaignbot.RosterEntry{Line: crashUsers + 1, Name: "局长", Departments: depts[1:2],
			Roles: []campaignbot.Role{campaignbot.RoleHead}})
	clock := db.Now
	db.Now = func() time.Time { return clock().Add(-20 * 24 * time.Hour) }
	_, _, err := db.ImportRoster(ctx, entries)
	db.Now = clock
	if err != nil {
		t.Fatalf("import roster: %v", err)
	}
	people := map[string]int64{}
	for i, e := range entries {
		id := int64(crashFirstChat + i)
		tgBind(t, db, e.Name, id)
		people[tgID(id)] = tgPersonID(t, db, e.Name)
	}
	return people
}

// crashExpected returns the reminder outbox rows that today's catch-up
// will enqueue, by key, as the scheduler previews them — and checks that
// "campaignbot reminders --date" shows as many.
func crashExpected(t *testing.T, env *tgEnv, db *store.DB, p *campaignbot.Plan) map[string]*campaignbot.OutboxMessage {
	t.Helper()
	prompts, err := scheduler.New(db, p).Preview(context.Background(), env.today)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*campaignbot.OutboxMessage{}
	for _, pr := range prompts {
		if len(pr.Messages) != 1 {
			t.Fatalf("prompt %+v has %d messages, want one (everyone is bound on Telegram)", pr, len(pr.Messages))
		}
		for _, m := range pr.Messages {
			want[m.Key] = m
		}
	}
	code, out, stderr := run(t, nil, "", "reminders", "--db", env.db, "--plan", env.plan, "--date", env.today.String())
	if head := fmt.Sprintf("%s: %d messages\n", env.today, len(prompts)); code != 0 || !strings.HasPrefix(out, head) {
		t.Fatalf("reminders --date: status %d, want output starting %q:\n%s%s", code, head, out, stderr)
	}
	if len(want) < crashUsers {
		t.Fatalf("today's reminders: %d, want at least one for each of %d people:\n%s", len(want), crashUsers, out)
	}
	return want
}

// crashAck is the acknowledgement of a study note as the chat sees it.
func crashAck(s *campaignbot.Submission) string {
	late := tgZh("submit.on_time")
	if s.Late {
		late = tgZh("submit.late")
	}
	return tgZh("submit.ok", "学习笔记", s.Version, late, len(s.Attachments))
}

// TestCrashUnderLoad runs the built binary against a stream of /note
// updates and a day's reminders, SIGKILLs it at random moments (timed, in
// the middle of a send, or as it confirms updates to Telegram) several
// times, restarting it each time on the same store, and lets the last
// process finish and stop on SIGINT. Then no acknowledged note is lost, no
// update is processed twice, and every reminder is sent exactly once —
// except that a message whose send was in flight at a kill (received by
// Telegram, not yet marked sent) may arrive once more, as the dispatcher
// documents.
func TestCrashUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test builds and kills the binary many times")
	}
	t.Parallel()
	started := time.Now()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(crashSeedVar); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s: %v", crashSeedVar, err)
		}
	}
	t.Logf("seed %d (set %s to replay)", seed, crashSeedVar)
	rng := rand.New(rand.NewPCG(seed, 1))

	loc, err := time.LoadLocation(tgTimeZone)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(loc)
	if y, m, d := now.Date(); time.Date(y, m, d+1, 0, 0, 0, 0, loc).Sub(now) < 3*time.Minute {
		// A new day would bring a second reminders run mid-test.
		t.Skipf("%s is too close to midnight in %s for one day's reminders", now.Format(time.TimeOnly), tgTimeZone)
	}
	dir := t.TempDir()
	env := &tgEnv{dir: dir, db: filepath.Join(dir, "campaign.db"), plan: filepath.Join(dir, "plan.yaml"), loc: loc}
	env.today = campaignbot.DateOf(now, loc)
	p := crashPlan(t, env.plan, env.today)
	var perDept []string
	for _, task := range p.Tasks {
		if task.Cardinality == campaignbot.PerDepartment {
			perDept = append(perDept, task.Key)
		}
	}
	db, err := store.Open(context.Background(), env.db, store.WithLocation(loc), store.WithPerDepartmentTasks(perDept...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	people := crashRoster(t, db)
	expected := crashExpected(t, env, db, p)
	raw := crashOpenSQL(t, env.db)
	bin := tgBuildBinary(t)

	env.fake = telegramtest.NewServer(t, tgToken)
	state := &crashState{proc: -1}
	for _, m := range []string{"sendMessage", "sendPhoto", "sendDocument"} {
		env.fake.OnCall(m, state.onSend)
	}
	env.fake.OnCall("getUpdates", state.onPoll)

	// The load: crashNotes notes from every user in turn, unique texts, at
	// random intervals while the processes come and go.
	var notesMu sync.Mutex
	var notes []crashNote
	genDone := make(chan struct{})
	genRNG := rand.New(rand.NewPCG(seed, 2))
	go func() {
		defer close(genDone)
		for n := range crashNotes {
			chat := int64(crashFirstChat + n%crashUsers)
			text := fmt.Sprintf("崩溃测试笔记 %03d：%d 的学习体会", n+1, chat)
			m := env.fake.NewMessage(chat, "u"+tgID(chat), "/note "+text)
			id := env.fake.AddMessage(m)
			notesMu.Lock()
			notes = append(notes, crashNote{update: id, chat: chat, msgID: m.ID, text: text})
			notesMu.Unlock()
			time.Sleep(time.Duration(10+genRNG.IntN(60)) * time.Millisecond)
		}
	}()
	sentNotes := func() []crashNote {
		notesMu.Lock()
		defer notesMu.Unlock()
		return slices.Clone(notes)
	}
	ackedSubmitted := func(when string) {
		t.Helper()
		subs, err := db.FindSubmissions(context.Background(), campaignbot.SubmissionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, s := range subs {
			have[crashAck(s)+"\x00"+strconv.FormatInt(s.PersonID, 10)] = true
		}
		for _, a := range state.received() {
			if crashAckVersion.MatchString(a.text) && !have[a.text+"\x00"+strconv.FormatInt(people[a.chat], 10)] {
				t.Errorf("%s: chat %s got %q, but the store has no such submission", when, a.chat, a.text)
			}
		}
	}

	// The kills.
	kills := crashMinKills + rng.IntN(crashMaxKills-crashMinKills+1)
	var procs []*tgProc
	var startedAt []time.Time
	var ranBefore []bool // whether today's reminders run was recorded when each process started
	var killLog []crashKill
	var lastRun time.Time
	for k := range kills {
		trigger, countdown := "timed", 0
		life := time.Duration(50+rng.IntN(int(crashMaxLife/time.Millisecond)-50)) * time.Millisecond
		switch rng.IntN(3) {
		case 1:
			trigger, countdown, life = "send", 1+rng.IntN(12), crashMaxLife+time.Second
		case 2:
			trigger, countdown, life = "poll", 1+rng.IntN(3), crashMaxLife+time.Second
		}
		at, err := db.LastRun(context.Background(), scheduler.JobReminders)
		if err != nil {
			t.Fatal(err)
		}
		ranBefore = append(ranBefore, !at.IsZero())
		startedAt = append(startedAt, time.Now())
		proc := env.startBinary(t, bin)
		procs = append(procs, proc)
		state.begin(k, proc, trigger, countdown)
		timer := time.NewTimer(life)
		select {
		case <-proc.done:
		case <-timer.C:
			state.kill("timed")
		}
		timer.Stop()
		<-proc.done
		if code := proc.cmd.ProcessState.ExitCode(); code != -1 {
			t.Fatalf("process %d ended by itself (%v) before its kill:\n%s", k, proc.err, proc.stderr.String())
		}
		state.mu.Lock()
		kill := crashKill{proc: k, at: state.killedAt, how: state.how}
		state.mu.Unlock()

		// What the dead process left: every update confirmed to Telegram
		// is stored, every acknowledgement sent has its submission, and the
		// rows still pending may have had a send in flight.
		gen := sentNotes()
		pending := map[int64]bool{}
		for _, id := range env.fake.Pending() {
			pending[id] = true
		}
		stored, _ := raw.inbound()
		for _, n := range gen {
			if !pending[n.update] && !stored[tgID(n.update)] {
				t.Errorf("kill %d: update %d was confirmed to Telegram but is not stored", k, n.update)
			}
		}
		ackedSubmitted(fmt.Sprintf("kill %d", k))
		for _, r := range raw.outbox() {
			if r.status == string(campaignbot.OutboxPending) {
				kill.pending = append(kill.pending, crashMsg{r.chat, r.text})
			}
		}
		if at, err = db.LastRun(context.Background(), scheduler.JobReminders); err != nil {
			t.Fatal(err)
		}
		if !lastRun.IsZero() && !at.Equal(lastRun) {
			t.Errorf("kill %d: the reminders run recorded at %s was recorded again at %s", k, lastRun, at)
		}
		lastRun = at
		killLog = append(killLog, kill)
		t.Logf("kill %d %s, %s after start; %d updates sent, %d pending rows",
			k+1, kill.how, kill.at.Sub(startedAt[k]).Round(time.Millisecond), len(gen), len(kill.pending))
	}

	// The last process runs until everything is done, then stops on SIGINT.
	select {
	case <-genDone:
	case <-time.After(crashDrain):
		t.Fatal("the load generator did not finish")
	}
	at, err := db.LastRun(context.Background(), scheduler.JobReminders)
	if err != nil {
		t.Fatal(err)
	}
	ranBefore = append(ranBefore, !at.IsZero())
	last := env.startBinary(t, bin)
	procs = append(procs, last)
	state.begin(kills, last, "", 0)
	deadline := time.Now().Add(crashDrain)
	for {
		stored, open := raw.inbound()
		var subs, pendingRows int
		raw.each(`SELECT COUNT(*) FROM submissions`, func(rows *sql.Rows) error { return rows.Scan(&subs) })
		raw.each(`SELECT COUNT(*) FROM outbox WHERE status = 'pending'`, func(rows *sql.Rows) error { return rows.Scan(&pendingRows) })
		if len(env.fake.Pending()) == 0 && len(stored) == crashNotes && open == 0 && subs == crashNotes && pendingRows == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s the last process had not finished: %d updates unconfirmed, %d stored (%d unprocessed), %d submissions, %d pending rows:\n%s",
				crashDrain, len(env.fake.Pending()), len(stored), open, subs, pendingRows, last.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := last.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-last.done:
		if last.err != nil {
			t.Errorf("campaignbot run after SIGINT: %v\n%s", last.err, last.stderr.String())
		}
	case <-time.After(tgWait):
		t.Fatal("campaignbot did not stop on SIGINT")
	}
	for _, proc := range procs {
		tgAssertNoSecrets(t, proc.stderr.String())
	}

	arrivals := state.received()
	copies := map[crashMsg]int{}
	for _, a := range arrivals {
		copies[a.crashMsg]++
	}
	// The fake's own record agrees with what the hooks saw.
	for chat := range people {
		id, _ := strconv.ParseInt(chat, 10, 64)
		n, seen := len(env.fake.Sent(id)), 0
		for m, c := range copies {
			if m.chat == chat {
				seen += c
			}
		}
		if n != seen {
			t.Errorf("chat %s: the fake recorded %d messages, its hooks %d", chat, n, seen)
		}
	}

	// A duplicate is allowed only for a row left pending by a kill whose
	// process had sent it: the send was in flight.
	allowed := map[crashMsg]int{}
	unmarked := map[crashMsg]time.Duration{} // sent, yet unmarked long before a kill
	var gaps []time.Duration
	for _, k := range killLog {
		for _, m := range k.pending {
			for _, a := range arrivals {
				if a.proc != k.proc || a.crashMsg != m {
					continue
				}
				if gap := k.at.Sub(a.at); gap > crashInFlight {
					unmarked[m] = gap
				} else {
					allowed[m]++
					gaps = append(gaps, gap)
				}
			}
		}
	}
	duplicates, allowedTotal := 0, 0
	for m, n := range copies {
		duplicates += n - 1
		allowedTotal += allowed[m]
		if n > 1+allowed[m] {
			why := ""
			if gap, ok := unmarked[m]; ok {
				why = fmt.Sprintf("; a copy arrived %s before a kill and its row was still pending", gap)
			}
			t.Errorf("chat %s got %q %d times, want once plus %d sends in flight (arrived within %s before a kill)%s",
				m.chat, m.text, n, allowed[m], crashInFlight, why)
		}
	}
	if duplicates > kills {
		t.Errorf("%d messages arrived twice over %d kills: more than one send in flight per kill", duplicates, kills)
	}

	// (1) Every note produced exactly one submission, from its update, and
	// one acknowledgement.
	subs, err := db.FindSubmissions(context.Background(), campaignbot.SubmissionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byText := map[string][]*campaignbot.Submission{}
	for _, s := range subs {
		byText[s.Text] = append(byText[s.Text], s)
	}
	gen := sentNotes()
	if len(gen) != crashNotes || len(subs) != crashNotes {
		t.Errorf("%d notes sent, %d submissions stored, want %d and %d", len(gen), len(subs), crashNotes, crashNotes)
	}
	rows := raw.outbox()
	rowByKey := map[string]crashOutboxRow{}
	for _, r := range rows {
		rowByKey[r.key] = r
	}
	sentByID := map[string]telegramtest.SentMessage{}
	for chat := range people {
		id, _ := strconv.ParseInt(chat, 10, 64)
		for _, m := range env.fake.Sent(id) {
			sentByID[strconv.Itoa(m.MessageID)] = m
		}
	}
	acks := 0
	for _, n := range gen {
		got := byText[n.text]
		if len(got) != 1 {
			t.Errorf("note %q (update %d) stored %d times, want once", n.text, n.update, len(got))
			continue
		}
		s, chat := got[0], tgID(n.chat)
		if want := "telegram:" + chat + ":" + strconv.Itoa(n.msgID); s.SourceKey != want || s.PersonID != people[chat] || s.TaskKey != "study-notes" {
			t.Errorf("note %q: stored %+v, want from %s by person %d for study-notes", n.text, s, want, people[chat])
		}
		ack := crashMsg{chat, crashAck(s)}
		acks += copies[ack]
		if copies[ack] == 0 {
			t.Errorf("note %q (update %d) was never acknowledged (%q)", n.text, n.update, ack.text)
		}
		r, ok := rowByKey["reply:telegram:"+tgID(n.update)+":0"]
		if sm := sentByID[r.pmid]; !ok || sm.ChatID != chat || sm.Text != ack.text {
			t.Errorf("update %d: reply row %+v points at %+v, want the acknowledgement %q", n.update, r, sm, ack.text)
		}
	}
	ackedSubmitted("the end")

	// (2) Every reminder of today's run was enqueued once and sent; nothing
	// else of the reminders' kinds was enqueued.
	reminders := 0
	kinds := map[string]int{}
	for _, r := range rows {
		if !slices.Contains(crashReminderKinds, campaignbot.OutboxKind(r.kind)) {
			continue
		}
		reminders++
		kinds[r.kind]++
		want, ok := expected[r.key]
		if !ok {
			t.Errorf("reminder %s (%s to %s) was not due today: %q", r.key, r.kind, r.chat, r.text)
			continue
		}
		m := crashMsg{r.chat, r.text}
		if r.chat != want.ChatID || r.text != want.Text || copies[m] < 1 {
			t.Errorf("reminder %s: chat %s got %q %d times, want %q to %s", r.key, r.chat, r.text, copies[m], want.Text, want.ChatID)
		}
	}
	for key := range expected {
		if _, ok := rowByKey[key]; !ok {
			t.Errorf("reminder %s due today was never enqueued", key)
		}
	}

	// (3) The store marked every row sent once, with the message Telegram
	// received; the reminders job ran once today.
	seenIDs := map[string]string{}
	for _, r := range rows {
		if r.status != string(campaignbot.OutboxSent) || !r.sent || r.attempts != 1 || r.lastErr != "" || r.pmid == "" {
			t.Errorf("outbox row %s: status %s, sent_at set %v, attempts %d, error %q, message %q; want sent once",
				r.key, r.status, r.sent, r.attempts, r.lastErr, r.pmid)
		}
		if other, dup := seenIDs[r.pmid]; dup {
			t.Errorf("outbox rows %s and %s both record message %s", other, r.key, r.pmid)
		}
		seenIDs[r.pmid] = r.key
		if sm, ok := sentByID[r.pmid]; !ok || sm.ChatID != r.chat || (r.kind != string(campaignbot.KindReply) && sm.Text != r.text) {
			t.Errorf("outbox row %s (%s %q) records message %s, which Telegram has as %+v", r.key, r.chat, r.text, r.pmid, sm)
		}
	}
	at, err = db.LastRun(context.Background(), scheduler.JobReminders)
	if err != nil {
		t.Fatal(err)
	}
	if day := campaignbot.DateOf(at, loc); at.IsZero() || day != env.today || (!lastRun.IsZero() && !at.Equal(lastRun)) {
		t.Errorf("reminders job last ran at %s (day %s), want once today %s (first recorded %s)", at, day, env.today, lastRun)
	}
	enqueued := 0
	for i, proc := range procs {
		for _, line := range strings.Split(proc.stderr.String(), "\n") {
			if !strings.Contains(line, `msg="reminders enqueued"`) {
				continue
			}
			if ranBefore[i] {
				t.Errorf("process %d ran the reminders job again after today's run was recorded: %s", i, line)
			}
			if _, n, ok := strings.Cut(line, " new="); ok {
				v, _ := strconv.Atoi(strings.Fields(n)[0])
				enqueued += v
			}
		}
	}

	maxGap := time.Duration(0)
	for _, g := range gaps {
		maxGap = max(maxGap, g)
	}
	hows := map[string]int{}
	for _, k := range killLog {
		hows[k.how]++
	}
	t.Logf("crash summary: seed %d, %d kills (%v), %d updates, %d submissions, %d acknowledgements received, "+
		"%d reminders due (%v; %d enqueued per the logs), %d messages received, duplicates allowed %d / seen %d "+
		"(first copy at most %s before its kill), %s in all",
		seed, kills, hows, len(gen), len(subs), acks, reminders, kinds, enqueued, len(arrivals),
		allowedTotal, duplicates, maxGap.Round(time.Millisecond), time.Since(started).Round(100*time.Millisecond))
}
