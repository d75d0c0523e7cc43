package main

// The replicas' end-to-end test (SPEC §8, §10): three processes of the
// built binary on one PostgreSQL database behind a round-robin proxy, fed
// Telegram webhooks and WeCom callbacks from many members; one replica is
// SIGKILLed mid-run, later the leader. No note may be lost, no reply or
// reminder doubled, and another replica must take over the scheduler and
// the dispatcher within 30 s.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot/telegram/telegramtest"
	"campaignbot/bot/wecom"
	"campaignbot/bot/wecom/wecomtest"
	"campaignbot/store"
	"campaignbot/store/pgtest"
)

const (
	// replicaTGUsers and replicaWCUsers members send replicaNotes study
	// notes each.
	replicaTGUsers, replicaWCUsers, replicaNotes = 12, 12, 6
	// replicaTakeover is SPEC §8's bound on the leader's replacement.
	replicaTakeover = 30 * time.Second
)

// replicaCluster starts PostgreSQL for the test, or skips it when the
// server's binaries are not installed (CAMPAIGNBOT_TEST_POSTGRES=require
// makes that a failure, as in CI).
func replicaCluster(t *testing.T) *pgtest.Cluster {
	t.Helper()
	c, err := pgtest.Start()
	if errors.Is(err, pgtest.ErrNotFound) && os.Getenv("CAMPAIGNBOT_TEST_POSTGRES") != "require" {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop() })
	return c
}

// replica is one running process.
type replica struct {
	addr string
	proc *tgProc
	dead atomic.Bool
}

// roundRobin is the load balancer in front of the replicas: each request
// goes to the next live replica; one that cannot be reached is skipped,
// and if none can, the answer is 502 (the platform sends again).
type roundRobin struct {
	replicas []*replica
	next     atomic.Int64
}

func (rr *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for range len(rr.replicas) {
		rep := rr.replicas[int(rr.next.Add(1))%len(rr.replicas)]
		if rep.dead.Load() {
			continue
		}
		req, _ := http.NewRequest(r.Method, "http://"+rep.addr+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := client.Do(req)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		w.Write(b)
		return
	}
	http.Error(w, "no replica answered", http.StatusBadGateway)
}

func TestReplicasKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three replicas on PostgreSQL")
	}
	cluster := replicaCluster(t)
	ctx := context.Background()
	dir := t.TempDir()
	dbURL, err := cluster.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	files := filepath.Join(dir, "files")
	env := map[string]string{"CAMPAIGNBOT_DB": dbURL, "CAMPAIGNBOT_FILES": files}
	loc, err := time.LoadLocation(tgTimeZone)
	if err != nil {
		t.Fatal(err)
	}
	today := campaignbot.DateOf(time.Now(), loc)

	// The store: a plan in its study phase whose reminders are due from
	// midnight on (so that the leader's start sends them), the roster,
	// every member bound.
	planPath := filepath.Join(dir, "plan.yaml")
	crashPlan(t, planPath, today)
	var csv strings.Builder
	csv.WriteString("name,department,roles,telegram,wecom,in_charge_of\n")
	for i := range replicaTGUsers {
		fmt.Fprintf(&csv, "电报%02d,科技管理科,member,,,\n", i)
	}
	for i := range replicaWCUsers {
		fmt.Fprintf(&csv, "企微%02d,办公室,member,,,\n", i)
	}
	rosterPath := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(rosterPath, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := run(t, env, "", "roster", "import", rosterPath); code != 0 {
		t.Fatalf("roster import: %d %s %s", code, out, stderr)
	}
	if code, out, stderr := run(t, env, "", "plan", "apply", planPath); code != 0 {
		t.Fatalf("plan apply: %d %s %s", code, out, stderr)
	}
	db, err := store.Open(ctx, dbURL, store.WithAttachmentDir(files), store.WithLocation(loc))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range replicaTGUsers {
		tgBind(t, db, fmt.Sprintf("电报%02d", i), int64(crashFirstChat+i))
	}
	for i := range replicaWCUsers {
		p, err := db.FindPersonByName(ctx, fmt.Sprintf("企微%02d", i))
		if err != nil {
			t.Fatal(err)
		}
		inv, err := db.CreateInvite(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		user := fmt.Sprintf("qiwei%02d", i)
		if _, err := db.RedeemInvite(ctx, inv.Code, campaignbot.Account{Platform: campaignbot.PlatformWeCom, AccountID: user, ChatID: user}); err != nil {
			t.Fatal(err)
		}
	}

	// The fakes and the proxy in front of three replicas.
	tg := telegramtest.NewServer(t, tgToken)
	wc := wecomtest.NewServer(t, wcCorpID, wcSecret)
	crypt, err := wecom.NewCrypt(wcToken, wcAESKey, wcCorpID)
	if err != nil {
		t.Fatal(err)
	}
	rr := &roundRobin{}
	for range 3 {
		rr.replicas = append(rr.replicas, &replica{addr: crashFreeAddr(t)})
	}
	proxy := httptest.NewServer(rr)
	defer proxy.Close()
	tg.ProxyWebhooks(strings.TrimPrefix(proxy.URL, "http://"))
	bin := tgBuildBinary(t)
	for _, rep := range rr.replicas {
		rep.proc = &tgProc{stderr: &tgLogBuffer{}, done: make(chan struct{})}
		cmd := exec.Command(bin, "run", "--listen", rep.addr)
		cmd.Env = []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "GORACE=halt_on_error=1",
			"CAMPAIGNBOT_DB=" + dbURL, "CAMPAIGNBOT_FILES=" + files,
			"TELEGRAM_BOT_TOKEN=" + tgToken, "TELEGRAM_API_URL=" + tg.URL(),
			"TELEGRAM_WEBHOOK_URL=" + tgHookURL, "TELEGRAM_WEBHOOK_SECRET=" + tgSecret,
			"WECOM_CORP_ID=" + wcCorpID, "WECOM_AGENT_ID=" + strconv.Itoa(wcAgentID), "WECOM_SECRET=" + wcSecret,
			"WECOM_TOKEN=" + wcToken, "WECOM_AES_KEY=" + wcAESKey, "WECOM_API_URL=" + wc.URL(),
		}
		cmd.Stderr = rep.proc.stderr
		rep.proc.cmd = cmd
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func(p *tgProc) { p.err = p.cmd.Wait(); close(p.done) }(rep.proc)
		t.Cleanup(rep.proc.kill)
	}
	leaderOf := func(skip map[int]bool) int {
		for i, rep := range rr.replicas {
			if !skip[i] && strings.Contains(rep.proc.stderr.String(), "leading: running") {
				return i
			}
		}
		return -1
	}
	waitFor := func(what string, limit time.Duration, cond func() bool) time.Duration {
		t.Helper()
		start := time.Now()
		for !cond() {
			if time.Since(start) > limit {
				for i, rep := range rr.replicas {
					t.Logf("replica %d:\n%s", i, rep.proc.stderr.String())
				}
				t.Fatalf("%s: not within %v", what, limit)
			}
			time.Sleep(50 * time.Millisecond)
		}
		return time.Since(start)
	}
	waitFor("every replica listens", 30*time.Second, func() bool {
		for _, rep := range rr.replicas {
			resp, err := http.Get("http://" + rep.addr + "/healthz")
			if err != nil {
				return false
			}
			resp.Body.Close()
		}
		return leaderOf(nil) >= 0
	})

	// The load: every member's notes in order, Telegram's through the
	// fake's webhook deliveries, WeCom's posted (again until 200, as WeCom
	// retries) by one goroutine per member.
	var seq atomic.Int64
	postWeCom := func(user, text string) {
		n := seq.Add(1)
		plain := fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
			"<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content>"+
			"<MsgId>%d</MsgId><AgentID>%d</AgentID></xml>", wcCorpID, user, time.Now().Unix(), text, 7300000000000000000+n, wcAgentID)
		ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), fmt.Sprintf("n%08d", n)
		sig, body, err := crypt.EncryptCallback([]byte(plain), wcCorpID, strconv.Itoa(wcAgentID), ts, nonce)
		if err != nil {
			t.Error(err)
			return
		}
		q := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}
		for range 200 {
			resp, err := http.Post(proxy.URL+"/wecom/callback?"+q.Encode(), "text/xml", bytes.NewReader(body))
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Errorf("callback of %s never answered 200", user)
	}
	var load sync.WaitGroup
	for i := range replicaWCUsers {
		load.Go(func() {
			for n := range replicaNotes {
				postWeCom(fmt.Sprintf("qiwei%02d", i), fmt.Sprintf("/note 企微%02d 的第%d篇学习笔记", i, n+1))
				time.Sleep(150 * time.Millisecond)
			}
		})
	}
	load.Go(func() {
		for n := range replicaNotes {
			for i := range replicaTGUsers {
				tg.SendText(int64(crashFirstChat+i), "", fmt.Sprintf("/note 电报%02d 的第%d篇学习笔记", i, n+1))
			}
			time.Sleep(150 * time.Millisecond)
		}
	})

	// Mid-run: kill a replica that does not lead; later, the leader.
	time.Sleep(400 * time.Millisecond)
	first := leaderOf(nil)
	victim := (first + 1) % len(rr.replicas)
	rr.replicas[victim].dead.Store(true)
	rr.replicas[victim].proc.kill()
	t.Logf("killed replica %d (not leading)", victim)
	time.Sleep(1600 * time.Millisecond)
	rr.replicas[first].dead.Store(true)
	rr.replicas[first].proc.kill()
	t.Logf("killed replica %d, the leader", first)
	// What the dead leader had delivered: its last requests are given a
	// moment to be answered (no other replica leads before LeaderRetry).
	time.Sleep(200 * time.Millisecond)
	atDeath := map[replicaMsg]int{}
	for _, m := range replicaSent(tg, wc) {
		atDeath[m.replicaMsg]++
	}
	took := waitFor("another replica leads", replicaTakeover, func() bool {
		return leaderOf(map[int]bool{first: true, victim: true}) >= 0
	})
	t.Logf("the scheduler and the dispatcher were taken over in %v", took.Round(time.Millisecond))
	load.Wait()

	// Every note: one submission, one acknowledgement.
	want := replicaNotes * (replicaTGUsers + replicaWCUsers)
	acks := func() int {
		n := 0
		for _, m := range replicaSent(tg, wc) {
			if strings.Contains(m.text, "已收到并保存") {
				n++
			}
		}
		return n
	}
	waitFor("every note acknowledged", 90*time.Second, func() bool { return acks() >= want })
	// What the dead leader had claimed and not sent goes when its lease
	// ends: every row is sent (none skipped) before anything is counted.
	waitFor("the outbox sent", store.ClaimLease+30*time.Second, func() bool {
		counts, err := db.CountOutbox(ctx)
		return err == nil && counts[campaignbot.OutboxPending] == 0
	})
	time.Sleep(3 * time.Second) // a doubled send would come now

	subs, err := db.FindSubmissions(ctx, campaignbot.SubmissionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	perPerson := map[int64]map[int]bool{}
	for _, s := range subs {
		if perPerson[s.PersonID] == nil {
			perPerson[s.PersonID] = map[int]bool{}
		}
		perPerson[s.PersonID][s.Version] = true
	}
	if len(subs) != want {
		t.Errorf("%d submissions stored, want %d (0 lost, 0 doubled)", len(subs), want)
	}
	for person, versions := range perPerson {
		if len(versions) != replicaNotes || !versions[1] || !versions[replicaNotes] {
			t.Errorf("person %d has versions %v, want 1..%d", person, versions, replicaNotes)
		}
	}
	// Nothing reached a chat twice but what was in flight at the leader's
	// death: the Bot API has no idempotent send, so a message the platform
	// took and the dead leader had not yet marked sent is sent again by
	// the next leader. Each platform's loop makes one call at a time and
	// marks what it sent before the next, so that is at most one call per
	// platform: one message (its parts, if the platform carries it as
	// several), or one WeCom touser batch (one text to several members).
	all := replicaSent(tg, wc)
	count := map[replicaMsg]int{}
	again := map[string][]replicaMsg{} // by platform
	doubled := 0
	for _, m := range all {
		count[m.replicaMsg]++
		switch {
		case count[m.replicaMsg] == 1:
		case count[m.replicaMsg] == 2 && atDeath[m.replicaMsg] == 1:
			again[m.platform] = append(again[m.platform], m.replicaMsg)
			t.Logf("sent again after the leader's death (in flight at it): %s %s %q", m.platform, m.chat, m.text)
		default:
			doubled++
			t.Errorf("delivered twice: %s %q", m.chat, m.text)
		}
	}
	resent := 0
	for platform, msgs := range again {
		resent += len(msgs)
		chats, texts := map[string]bool{}, map[string]bool{}
		for _, m := range msgs {
			chats[m.chat], texts[m.text] = true, true
		}
		if len(chats) > 1 && len(texts) > 1 {
			t.Errorf("%s: %d messages to %d chats sent again after the leader's death, want those of the one call in flight at it", platform, len(msgs), len(chats))
		}
	}
	counts, err := db.CountOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reminders := len(count) - want
	t.Logf("%d notes, %d submissions, %d messages delivered (%d reminders; %d sent again after the leader's death, in flight at it), %d doubled; outbox %v",
		want, len(subs), len(all), reminders, resent, doubled, counts)
	if reminders <= 0 {
		t.Error("no reminder was sent: the scheduler did not run in any leader")
	}
	if counts[campaignbot.OutboxFailed] > 0 {
		t.Errorf("%d outbox rows failed", counts[campaignbot.OutboxFailed])
	}
	// Every member of a platform owes the same, so is reminded alike: a
	// reminder skipped across the leader's death leaves one short.
	perChat := map[string]map[string]map[string]bool{} // platform → chat → reminder texts
	for _, m := range all {
		if strings.Contains(m.text, "已收到并保存") {
			continue
		}
		if perChat[m.platform] == nil {
			perChat[m.platform] = map[string]map[string]bool{}
		}
		if perChat[m.platform][m.chat] == nil {
			perChat[m.platform][m.chat] = map[string]bool{}
		}
		perChat[m.platform][m.chat][m.text] = true
	}
	for platform, members := range map[string]int{"telegram": replicaTGUsers, "wecom": replicaWCUsers} {
		chats := perChat[platform]
		if len(chats) != members {
			t.Errorf("%s: %d of %d members reminded", platform, len(chats), members)
		}
		reminded := map[int]int{}
		for _, texts := range chats {
			reminded[len(texts)]++
		}
		if len(reminded) > 1 {
			t.Errorf("%s: members got unequal numbers of reminders (count: members) %v", platform, reminded)
		}
	}
}

// TestReplicasPolling: without a webhook, of three replicas on one
// PostgreSQL store only one long-polls Telegram (getUpdates ends any other
// poll with 409 Conflict); when it is SIGKILLed another takes the polling
// over, from the updates the dead one had not confirmed, and no note is
// lost or stored twice.
func TestReplicasPolling(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three replicas on PostgreSQL")
	}
	cluster := replicaCluster(t)
	ctx := context.Background()
	dir := t.TempDir()
	dbURL, err := cluster.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	files := filepath.Join(dir, "files")
	env := map[string]string{"CAMPAIGNBOT_DB": dbURL, "CAMPAIGNBOT_FILES": files}
	loc, err := time.LoadLocation(tgTimeZone)
	if err != nil {
		t.Fatal(err)
	}
	planPath := filepath.Join(dir, "plan.yaml")
	crashPlan(t, planPath, campaignbot.DateOf(time.Now(), loc))
	const users, notes = 6, 4
	var csv strings.Builder
	csv.WriteString("name,department,roles,telegram,wecom,in_charge_of\n")
	for i := range users {
		fmt.Fprintf(&csv, "电报%02d,科技管理科,member,,,\n", i)
	}
	rosterPath := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(rosterPath, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"roster", "import", rosterPath}, {"plan", "apply", planPath}} {
		if code, out, stderr := run(t, env, "", args...); code != 0 {
			t.Fatalf("%v: %d %s %s", args, code, out, stderr)
		}
	}
	db, err := store.Open(ctx, dbURL, store.WithAttachmentDir(files), store.WithLocation(loc))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range users {
		tgBind(t, db, fmt.Sprintf("电报%02d", i), int64(crashFirstChat+i))
	}

	tg := telegramtest.NewServer(t, tgToken)
	bin := tgBuildBinary(t)
	var procs []*tgProc
	for range 3 {
		p := &tgProc{stderr: &tgLogBuffer{}, done: make(chan struct{})}
		p.cmd = exec.Command(bin, "run", "--listen", crashFreeAddr(t))
		p.cmd.Env = []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "GORACE=halt_on_error=1",
			"CAMPAIGNBOT_DB=" + dbURL, "CAMPAIGNBOT_FILES=" + files,
			"TELEGRAM_BOT_TOKEN=" + tgToken, "TELEGRAM_API_URL=" + tg.URL(),
		}
		p.cmd.Stderr = p.stderr
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { p.err = p.cmd.Wait(); close(p.done) }()
		t.Cleanup(p.kill)
		procs = append(procs, p)
	}
	pollers := func(skip int) []int {
		var out []int
		for i, p := range procs {
			if i != skip && strings.Contains(p.stderr.String(), "polling Telegram for updates") {
				out = append(out, i)
			}
		}
		return out
	}
	waitFor := func(what string, limit time.Duration, cond func() bool) {
		t.Helper()
		for start := time.Now(); !cond(); time.Sleep(50 * time.Millisecond) {
			if time.Since(start) > limit {
				for i, p := range procs {
					t.Logf("replica %d:\n%s", i, p.stderr.String())
				}
				t.Fatalf("%s: not within %v", what, limit)
			}
		}
	}
	waitFor("one replica polls, the others wait", 30*time.Second, func() bool {
		waiting := 0
		for _, p := range procs {
			if strings.Contains(p.stderr.String(), "another replica polls Telegram") {
				waiting++
			}
		}
		return len(pollers(-1)) == 1 && waiting == 2
	})
	send := func(n int) {
		for i := range users {
			tg.SendText(int64(crashFirstChat+i), "", fmt.Sprintf("/note 电报%02d 的第%d篇学习笔记", i, n+1))
		}
	}
	send(0)
	send(1)
	poller := pollers(-1)[0]
	procs[poller].kill()
	t.Logf("killed replica %d, the poller", poller)
	send(2)
	send(3)
	waitFor("another replica polls", replicaTakeover, func() bool { return len(pollers(poller)) == 1 })

	acks := func() int {
		n := 0
		for i := range users {
			for _, m := range tg.Sent(int64(crashFirstChat + i)) {
				if strings.Contains(m.Text, "已收到并保存") {
					n++
				}
			}
		}
		return n
	}
	// Acknowledgements may wait for a leader, if the poller led, and for
	// the lease of what the dead leader had claimed.
	waitFor("every note acknowledged", 90*time.Second, func() bool { return acks() >= users*notes })
	subs, err := db.FindSubmissions(ctx, campaignbot.SubmissionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != users*notes {
		t.Errorf("%d submissions stored, want %d (0 lost, 0 doubled)", len(subs), users*notes)
	}
	conflicts := 0
	for _, c := range tg.CallsOf("getUpdates") {
		if c.Status == http.StatusConflict {
			conflicts++
		}
	}
	if conflicts > 0 {
		t.Errorf("%d getUpdates calls answered 409 Conflict: two replicas polled at once", conflicts)
	}
	if len(tg.Pending()) != 0 {
		t.Errorf("updates %v never confirmed", tg.Pending())
	}
	t.Logf("%d getUpdates calls, %d acknowledgements", len(tg.CallsOf("getUpdates")), acks())
}

// replicaMsg is one message as its chat saw it.
type replicaMsg struct{ chat, text string }

// replicaDelivery is one delivery: the message and its platform.
type replicaDelivery struct {
	replicaMsg
	platform string
}

// replicaSent lists what both fakes delivered, Telegram's chat by chat,
// then WeCom's in order, member by member.
func replicaSent(tg *telegramtest.Server, wc *wecomtest.Server) []replicaDelivery {
	var out []replicaDelivery
	for i := range replicaTGUsers {
		chat := int64(crashFirstChat + i)
		for _, m := range tg.Sent(chat) {
			out = append(out, replicaDelivery{replicaMsg{strconv.FormatInt(chat, 10), m.Text}, "telegram"})
		}
	}
	for _, m := range wc.Sent() {
		text := m.Content
		if c := m.TemplateCard; c != nil {
			text += c.Title + "\n" + c.Desc + "\n" + c.TaskID
		}
		// A touser batch is one call to several members, each of whom
		// gets the message.
		for _, user := range strings.Split(m.ToUser, "|") {
			out = append(out, replicaDelivery{replicaMsg{user, text}, "wecom"})
		}
	}
	return out
}

// TestPostgresCommands: the commands take a postgres:// URL as they take a
// file: roster import, plan apply, export, and backup through pg_dump,
// whose dump pg_restore loads into another database.
func TestPostgresCommands(t *testing.T) {
	cluster := replicaCluster(t)
	ctx := context.Background()
	dir := t.TempDir()
	dbURL, err := cluster.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CAMPAIGNBOT_DB": dbURL}
	if code, _, stderr := run(t, env, "", "roster", "list"); code != 2 || !strings.Contains(stderr, "CAMPAIGNBOT_FILES") {
		t.Errorf("without CAMPAIGNBOT_FILES: %d %q, want status 2 naming it", code, stderr)
	}
	env["CAMPAIGNBOT_FILES"] = filepath.Join(dir, "files")
	code, out, stderr := run(t, nil, "", "plan", "init", "--start", "2026-03-01")
	if code != 0 {
		t.Fatalf("plan init: %d %s", code, stderr)
	}
	planPath := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(planPath, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	rosterPath := filepath.Join(dir, "roster.csv")
	if err := os.WriteFile(rosterPath, []byte("name,department,roles,telegram,wecom,in_charge_of\n孙静,科技管理科,member,,,\n陈丽,办公室,office,,,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"roster", "import", rosterPath}, {"plan", "apply", planPath}, {"export", "--out", filepath.Join(dir, "office.xlsx")}} {
		if code, out, stderr := run(t, env, "", args...); code != 0 {
			t.Fatalf("%v: %d %s %s", args, code, out, stderr)
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "office.xlsx")); err != nil || st.Size() == 0 {
		t.Errorf("export wrote no workbook: %v", err)
	}
	if _, err := exec.LookPath("pg_dump"); err != nil {
		t.Skip("pg_dump is not on PATH")
	}
	backup := filepath.Join(dir, "campaign.dump")
	if code, out, stderr := run(t, env, "", "backup", backup); code != 0 {
		t.Fatalf("backup: %d %s %s", code, out, stderr)
	}
	restored, err := cluster.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	restore := exec.Command(filepath.Join(cluster.BinDir(), "pg_restore"), "--no-owner", "--dbname="+restored, backup)
	if out, err := restore.CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v %s", err, out)
	}
	db, err := store.Open(ctx, restored, store.WithAttachmentDir(backup+".files"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if p, err := db.FindPersonByName(ctx, "孙静"); err != nil || p.Department != "科技管理科" {
		t.Errorf("the restored backup: %+v, %v", p, err)
	}
	if _, err := db.FindPlan(ctx); err != nil {
		t.Errorf("the restored backup has no plan: %v", err)
	}
}
