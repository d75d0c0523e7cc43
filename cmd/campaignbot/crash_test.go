package main

// The crash test of campaignbot: the built binary under a stream of chat
// updates and a day's reminders, killed with SIGKILL at random moments and
// restarted on the same store, then checked for lost or doubled work.

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
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
// the digest at 23:59, which the test (skipped from 23:55) never reaches:
// every message a chat gets is then one text, one outbox row.
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
	if code, out, stderr := run(t, nil, "", "plan", "apply", "--db", env.db, env.plan); code != 0 {
		t.Fatalf("plan apply: %d %s%s", code, out, stderr)
	}
	code, out, stderr := run(t, nil, "", "reminders", "--db", env.db, "--date", env.today.String())
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

// crashRig is one crash test's organisation, binary, fake Bot API and
// record of what happened.
type crashRig struct {
	t        *testing.T
	env      *tgEnv
	db       *store.DB
	raw      *crashDB
	bin      string
	people   map[string]int64 // person id by chat id
	expected map[string]*campaignbot.OutboxMessage
	state    *crashState

	notesMu sync.Mutex
	notes   []crashNote

	procs     []*tgProc
	startedAt []time.Time
	// ranBefore says whether today's reminders run was recorded when each
	// process started.
	ranBefore []bool
	kills     []crashKill
	// lastRun is the reminders run recorded, once a process recorded it.
	lastRun time.Time
}

// generate sends crashNotes notes from every user in turn, with unique
// texts, at random intervals while the processes come and go. The returned
// channel is closed when the last is sent.
func (r *crashRig) generate(rng *rand.Rand) <-chan struct{} {
	done, stop := make(chan struct{}), make(chan struct{})
	r.t.Cleanup(func() { close(stop); <-done })
	go func() {
		defer close(done)
		for n := range crashNotes {
			chat := int64(crashFirstChat + n%crashUsers)
			text := fmt.Sprintf("崩溃测试笔记 %03d：%d 的学习体会", n+1, chat)
			m := r.env.fake.NewMessage(chat, "u"+tgID(chat), "/note "+text)
			id := r.env.fake.AddMessage(m)
			r.notesMu.Lock()
			r.notes = append(r.notes, crashNote{update: id, chat: chat, msgID: m.ID, text: text})
			r.notesMu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(10+rng.IntN(60)) * time.Millisecond):
			}
		}
	}()
	return done
}

// sentNotes returns the notes sent so far.
func (r *crashRig) sentNotes() []crashNote {
	r.notesMu.Lock()
	defer r.notesMu.Unlock()
	return slices.Clone(r.notes)
}

// reminderRun returns when today's reminders run was recorded, zero if not yet.
func (r *crashRig) reminderRun() time.Time {
	r.t.Helper()
	at, err := r.db.LastRun(context.Background(), scheduler.JobReminders)
	if err != nil {
		r.t.Fatal(err)
	}
	return at
}

// start starts a process of the binary, to be killed on trigger.
func (r *crashRig) start(trigger string, countdown int) *tgProc {
	r.t.Helper()
	r.ranBefore = append(r.ranBefore, !r.reminderRun().IsZero())
	r.startedAt = append(r.startedAt, time.Now())
	p := r.env.startBinary(r.t, r.bin)
	r.procs = append(r.procs, p)
	r.state.begin(len(r.procs)-1, p, trigger, countdown)
	return p
}

// crashLife picks how a process dies: after a random time, in the middle
// of its nth send, or, polling, as it confirms its nth batch of updates
// (with a time limit all the same).
func crashLife(rng *rand.Rand, webhook bool) (trigger string, countdown int, life time.Duration) {
	switch rng.IntN(3) {
	case 1:
		return "send", 1 + rng.IntN(12), crashMaxLife + time.Second
	case 2:
		if !webhook {
			return "poll", 1 + rng.IntN(3), crashMaxLife + time.Second
		}
	}
	return "timed", 0, time.Duration(50+rng.IntN(int(crashMaxLife/time.Millisecond)-50)) * time.Millisecond
}

// runToKill runs one process until its kill and checks what it left.
func (r *crashRig) runToKill(rng *rand.Rand) {
	t := r.t
	t.Helper()
	trigger, countdown, life := crashLife(rng, r.env.listen != "")
	p := r.start(trigger, countdown)
	k := len(r.procs) - 1
	timer := time.NewTimer(life)
	select {
	case <-p.done:
	case <-timer.C:
		r.state.kill("timed")
	}
	timer.Stop()
	<-p.done
	if code := p.cmd.ProcessState.ExitCode(); code != -1 {
		t.Fatalf("process %d ended by itself (%v) before its kill:\n%s", k+1, p.err, p.stderr.String())
	}
	r.state.mu.Lock()
	kill := crashKill{proc: k, at: r.state.killedAt, how: r.state.how}
	r.state.mu.Unlock()

	// What the dead process left: every update confirmed to Telegram is
	// stored, every acknowledgement sent has its submission, and the rows
	// still pending may have had a send in flight.
	notes := r.sentNotes()
	pending := map[int64]bool{}
	for _, id := range r.env.fake.Pending() {
		pending[id] = true
	}
	stored, _ := r.raw.inbound()
	for _, n := range notes {
		if !pending[n.update] && !stored[tgID(n.update)] {
			t.Errorf("kill %d: update %d was confirmed to Telegram but is not stored", k+1, n.update)
		}
	}
	r.ackedSubmitted(fmt.Sprintf("kill %d", k+1))
	for _, row := range r.raw.outbox() {
		if row.status == string(campaignbot.OutboxPending) {
			kill.pending = append(kill.pending, crashMsg{row.chat, row.text})
		}
	}
	at := r.reminderRun()
	if !r.lastRun.IsZero() && !at.Equal(r.lastRun) {
		t.Errorf("kill %d: the reminders run recorded at %s was recorded again at %s", k+1, r.lastRun, at)
	}
	r.lastRun = at
	r.kills = append(r.kills, kill)
	t.Logf("kill %d (%s) %s after start: %d notes sent, %d outbox rows pending",
		k+1, kill.how, kill.at.Sub(r.startedAt[k]).Round(time.Millisecond), len(notes), len(kill.pending))
}

// ackedSubmitted checks that every acknowledgement Telegram received so far
// has its submission in the store.
func (r *crashRig) ackedSubmitted(when string) {
	r.t.Helper()
	subs, err := r.db.FindSubmissions(context.Background(), campaignbot.SubmissionFilter{})
	if err != nil {
		r.t.Fatal(err)
	}
	have := map[crashMsg]bool{}
	for _, s := range subs {
		have[crashMsg{strconv.FormatInt(s.PersonID, 10), crashAck(s)}] = true
	}
	for _, a := range r.state.received() {
		if crashAckVersion.MatchString(a.text) && !have[crashMsg{strconv.FormatInt(r.people[a.chat], 10), a.text}] {
			r.t.Errorf("%s: chat %s got %q, but the store has no such submission", when, a.chat, a.text)
		}
	}
}

// finish runs the last process until every note is stored, processed and
// acknowledged and the outbox is empty, then stops it with SIGINT.
func (r *crashRig) finish() {
	t := r.t
	t.Helper()
	last := r.start("", 0)
	deadline := time.Now().Add(crashDrain)
	for {
		// What Telegram saw confirmed is read before the store: an update
		// is stored before it is confirmed, so the store read after holds
		// every update confirmed by then (read the other way round, one
		// stored and confirmed in between looks confirmed but not stored).
		unconfirmed := len(r.env.fake.Pending())
		stored, open := r.raw.inbound()
		var subs, pendingRows int
		r.raw.each(`SELECT COUNT(*) FROM submissions`, func(rows *sql.Rows) error { return rows.Scan(&subs) })
		r.raw.each(`SELECT COUNT(*) FROM outbox WHERE status = 'pending'`, func(rows *sql.Rows) error { return rows.Scan(&pendingRows) })
		if unconfirmed == 0 && len(stored) == crashNotes && open == 0 && subs == crashNotes && pendingRows == 0 {
			break
		}
		if unconfirmed == 0 {
			// Telegram never offers a confirmed update again.
			for _, n := range r.sentNotes() {
				if !stored[tgID(n.update)] {
					t.Fatalf("update %d (%q) was confirmed to Telegram and never stored", n.update, n.text)
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s the last process had not finished: %d updates unconfirmed, %d stored (%d unprocessed), %d submissions, %d pending rows:\n%s",
				crashDrain, unconfirmed, len(stored), open, subs, pendingRows, last.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The work may all have been done by the processes before: wait until
	// this one has started (its signal handling set up) before stopping it.
	tgWaitFor(t, "the last process to start", func() bool { return strings.Contains(last.stderr.String(), "campaignbot running") })
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
	for _, p := range r.procs {
		tgAssertNoSecrets(t, p.stderr.String())
	}
}

// crashCounts is what the fake received, per message.
type crashCounts struct {
	arrivals []crashArrival
	copies   map[crashMsg]int
	// allowed counts, per message, the copies that were in flight at a kill.
	allowed              map[crashMsg]int
	allowedN, duplicates int
	maxGap               time.Duration // the longest a copy in flight arrived before its kill
}

// checkCopies checks that each message arrived once, or once more for each
// kill that left it pending after its process had sent it within
// crashInFlight before the kill.
func (r *crashRig) checkCopies() *crashCounts {
	t := r.t
	t.Helper()
	c := &crashCounts{arrivals: r.state.received(), copies: map[crashMsg]int{}, allowed: map[crashMsg]int{}}
	for _, a := range c.arrivals {
		c.copies[a.crashMsg]++
	}
	// The fake's own record agrees with what its hooks saw.
	perChat := map[string]int{}
	for m, n := range c.copies {
		perChat[m.chat] += n
	}
	for chat := range r.people {
		id, _ := strconv.ParseInt(chat, 10, 64)
		if got, want := len(r.env.fake.Sent(id)), perChat[chat]; got != want {
			t.Errorf("chat %s: the fake recorded %d messages, its hooks %d", chat, got, want)
		}
	}
	unmarked := map[crashMsg]time.Duration{} // sent, yet unmarked long before a kill
	for _, k := range r.kills {
		for _, m := range k.pending {
			for _, a := range c.arrivals {
				if a.proc != k.proc || a.crashMsg != m {
					continue
				}
				if gap := k.at.Sub(a.at); gap > crashInFlight {
					unmarked[m] = gap
				} else {
					c.allowed[m]++
					c.maxGap = max(c.maxGap, gap)
				}
			}
		}
	}
	for m, n := range c.copies {
		c.duplicates += n - 1
		c.allowedN += c.allowed[m]
		if n > 1+c.allowed[m] {
			why := ""
			if gap, ok := unmarked[m]; ok {
				why = fmt.Sprintf("; a copy arrived %s before a kill and its row was still pending", gap)
			}
			t.Errorf("chat %s got %q %d times, want once plus %d sends in flight (arrived within %s before a kill)%s",
				m.chat, m.text, n, c.allowed[m], crashInFlight, why)
		}
	}
	if c.duplicates > len(r.kills) {
		t.Errorf("%d messages arrived twice over %d kills: more than one send in flight per kill", c.duplicates, len(r.kills))
	}
	return c
}

// sentByID returns the messages the fake delivered, by message id.
func (r *crashRig) sentByID() map[string]telegramtest.SentMessage {
	out := map[string]telegramtest.SentMessage{}
	for chat := range r.people {
		id, _ := strconv.ParseInt(chat, 10, 64)
		for _, m := range r.env.fake.Sent(id) {
			out[strconv.Itoa(m.MessageID)] = m
		}
	}
	return out
}

// checkNotes checks that every note produced exactly one submission, from
// its update, and that its acknowledgement arrived and is the message its
// reply row records. It returns the submissions and acknowledgements.
func (r *crashRig) checkNotes(c *crashCounts, rows map[string]crashOutboxRow) (subs, acks int) {
	t := r.t
	t.Helper()
	all, err := r.db.FindSubmissions(context.Background(), campaignbot.SubmissionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byText := map[string][]*campaignbot.Submission{}
	for _, s := range all {
		byText[s.Text] = append(byText[s.Text], s)
	}
	notes := r.sentNotes()
	if len(notes) != crashNotes || len(all) != crashNotes {
		t.Errorf("%d notes sent, %d submissions stored, want %d and %d", len(notes), len(all), crashNotes, crashNotes)
	}
	sent := r.sentByID()
	for _, n := range notes {
		got := byText[n.text]
		if len(got) != 1 {
			t.Errorf("note %q (update %d) stored %d times, want once", n.text, n.update, len(got))
			continue
		}
		s, chat := got[0], tgID(n.chat)
		if s.PersonID != r.people[chat] || s.TaskKey != "study-notes" {
			t.Errorf("note %q: stored %+v, want by person %d for study-notes", n.text, s, r.people[chat])
		}
		ack := crashMsg{chat, crashAck(s)}
		acks += c.copies[ack]
		if c.copies[ack] == 0 {
			t.Errorf("note %q (update %d) was never acknowledged (%q)", n.text, n.update, ack.text)
		}
		row, ok := rows["reply:telegram:"+tgID(n.update)+":0"]
		if sm := sent[row.pmid]; !ok || sm.ChatID != chat || sm.Text != ack.text {
			t.Errorf("update %d: reply row %+v records message %+v, want the acknowledgement %q", n.update, row, sm, ack.text)
		}
	}
	r.ackedSubmitted("the end")
	return len(all), acks
}

// checkReminders checks that the reminder rows are exactly those due today
// and that each arrived; it returns how many there are of each kind.
func (r *crashRig) checkReminders(c *crashCounts, rows map[string]crashOutboxRow) map[string]int {
	t := r.t
	t.Helper()
	kinds := map[string]int{}
	for _, row := range rows {
		if !slices.Contains(crashReminderKinds, campaignbot.OutboxKind(row.kind)) {
			continue
		}
		kinds[row.kind]++
		want, ok := r.expected[row.key]
		if !ok {
			t.Errorf("reminder %s (%s to %s) was not due today: %q", row.key, row.kind, row.chat, row.text)
			continue
		}
		m := crashMsg{row.chat, row.text}
		if row.chat != want.ChatID || row.text != want.Text || c.copies[m] < 1 {
			t.Errorf("reminder %s: chat %s got %q %d times, want %q to %s", row.key, row.chat, row.text, c.copies[m], want.Text, want.ChatID)
		}
	}
	for key := range r.expected {
		if _, ok := rows[key]; !ok {
			t.Errorf("reminder %s due today was never enqueued", key)
		}
	}
	return kinds
}

// checkOutbox checks that the store marked every row sent once, recording
// the message Telegram received.
func (r *crashRig) checkOutbox(rows map[string]crashOutboxRow) {
	t := r.t
	t.Helper()
	sent := r.sentByID()
	byMessage := map[string]string{}
	for _, row := range rows {
		if row.status != string(campaignbot.OutboxSent) || !row.sent || row.attempts != 1 || row.lastErr != "" || row.pmid == "" {
			t.Errorf("outbox row %s: status %s, sent_at set %v, attempts %d, error %q, message %q; want sent once",
				row.key, row.status, row.sent, row.attempts, row.lastErr, row.pmid)
		}
		if other, dup := byMessage[row.pmid]; dup {
			t.Errorf("outbox rows %s and %s both record message %s", other, row.key, row.pmid)
		}
		byMessage[row.pmid] = row.key
		// Sent replies keep no text.
		if sm, ok := sent[row.pmid]; !ok || sm.ChatID != row.chat || (row.kind != string(campaignbot.KindReply) && sm.Text != row.text) {
			t.Errorf("outbox row %s (%s %q) records message %s, which Telegram has as %+v", row.key, row.chat, row.text, row.pmid, sm)
		}
	}
}

// checkJobRuns checks that today's reminders run was recorded once and that
// no process ran the job after that; it returns how many rows the
// processes' logs say they enqueued.
func (r *crashRig) checkJobRuns() int {
	t := r.t
	t.Helper()
	at := r.reminderRun()
	if day := campaignbot.DateOf(at, r.env.loc); at.IsZero() || day != r.env.today || (!r.lastRun.IsZero() && !at.Equal(r.lastRun)) {
		t.Errorf("reminders job last ran at %s (day %s), want once today %s (recorded first at %s)", at, day, r.env.today, r.lastRun)
	}
	enqueued := 0
	for i, p := range r.procs {
		for _, line := range strings.Split(p.stderr.String(), "\n") {
			if !strings.Contains(line, `msg="reminders enqueued"`) {
				continue
			}
			if r.ranBefore[i] {
				t.Errorf("process %d ran the reminders job again after today's run was recorded: %s", i+1, line)
			}
			if _, n, ok := strings.Cut(line, " new="); ok {
				v, _ := strconv.Atoi(strings.TrimSpace(n))
				enqueued += v
			}
		}
	}
	return enqueued
}

// TestCrashUnderLoad runs the built binary against a stream of /note
// updates and a day's reminders, SIGKILLs it at random moments (timed, in
// the middle of a send, or as it confirms updates to Telegram) several
// times, restarting it each time on the same store, and lets the last
// process finish and stop on SIGINT. Then no acknowledged note is lost, no
// update is processed twice, and every reminder due is sent exactly once —
// except that a message whose send was in flight at a kill (received by
// Telegram, not yet marked sent) may arrive once more, as the dispatcher
// documents.
func TestCrashUnderLoad(t *testing.T) {
	crashUnderLoad(t, false)
}

// TestCrashWebhook is TestCrashUnderLoad in webhook mode: the fake Bot API
// delivers each update to the binary's POST /telegram/webhook with the
// secret header and, as Telegram does, delivers it again until it is
// answered 2xx — through every kill, while no process listens. An update
// is answered 200 only once stored, so none is lost, and none is filed
// twice.
func TestCrashWebhook(t *testing.T) {
	crashUnderLoad(t, true)
}

func crashUnderLoad(t *testing.T, webhook bool) {
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
	if y, m, d := now.Date(); time.Date(y, m, d+1, 0, 0, 0, 0, loc).Sub(now) < 5*time.Minute {
		// A new day would bring a second reminders run mid-test.
		t.Skipf("%s is too close to midnight in %s for one day's reminders", now.Format(time.TimeOnly), tgTimeZone)
	}
	dir := t.TempDir()
	env := &tgEnv{dir: dir, db: filepath.Join(dir, "campaign.db"), plan: filepath.Join(dir, "plan.yaml"), loc: loc}
	if webhook {
		env.listen = crashFreeAddr(t)
	}
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
	r := &crashRig{t: t, env: env, db: db, raw: crashOpenSQL(t, env.db), state: &crashState{proc: -1}}
	r.people = crashRoster(t, db)
	r.expected = crashExpected(t, env, db, p)
	r.bin = tgBuildBinary(t)

	env.fake = telegramtest.NewServer(t, tgToken)
	if webhook {
		env.fake.ProxyWebhooks(env.listen)
	}
	for _, m := range []string{"sendMessage", "sendPhoto", "sendDocument"} {
		env.fake.OnCall(m, r.state.onSend)
	}
	env.fake.OnCall("getUpdates", r.state.onPoll)
	generated := r.generate(rand.New(rand.NewPCG(seed, 2)))

	kills := crashMinKills + rng.IntN(crashMaxKills-crashMinKills+1)
	for range kills {
		r.runToKill(rng)
	}
	select {
	case <-generated:
	case <-time.After(crashDrain):
		t.Fatal("the load generator did not finish")
	}
	r.finish()

	c := r.checkCopies()
	rows := map[string]crashOutboxRow{}
	for _, row := range r.raw.outbox() {
		rows[row.key] = row
	}
	subs, acks := r.checkNotes(c, rows)
	kinds := r.checkReminders(c, rows)
	r.checkOutbox(rows)
	enqueued := r.checkJobRuns()

	hows := map[string]int{}
	for _, k := range r.kills {
		hows[k.how]++
	}
	if webhook {
		failed := 0
		for _, d := range env.fake.Deliveries() {
			if d.Status != http.StatusOK {
				failed++
			}
		}
		if failed == 0 {
			t.Error("no webhook delivery failed: the kills never met one, the test proves little")
		}
		t.Logf("webhook: %d deliveries, %d failed and were repeated", len(env.fake.Deliveries()), failed)
	}
	t.Logf("crash summary: seed %d, %d kills %v, %d updates, %d submissions, %d acknowledgements received, "+
		"%d reminders due %v (%d enqueued per the logs), %d messages received, duplicates allowed %d / seen %d "+
		"(a copy in flight arrived at most %s before its kill), %s in all",
		seed, kills, hows, len(r.sentNotes()), subs, acks, len(r.expected), kinds, enqueued, len(c.arrivals),
		c.allowedN, c.duplicates, c.maxGap.Round(time.Millisecond), time.Since(started).Round(100*time.Millisecond))
}

// crashFreeAddr returns a loopback address no one listens on, for every
// process of a crash test to listen on in turn (the webhook URL stays).
func crashFreeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
