package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot/wecom"
	"campaignbot/bot/wecom/wecomtest"
	"campaignbot/store"
)

const (
	// crashWeComUsers members post crashWeComNotes notes between them, few
	// enough a minute each to stay inside WeCom's per-member limit.
	crashWeComUsers = 20
	crashWeComNotes = 100
)

// crashWeComNote is one note WeCom pushed, and whether the program
// acknowledged the callback (answered 200).
type crashWeComNote struct {
	user, text string
	cb         []byte // the callback's plaintext, posted again as WeCom retries
}

// TestCrashWeComCallbacks runs the built binary as WeCom's callback URL
// under a stream of encrypted text notes, SIGKILLs it at random moments
// and restarts it on the same store. The load plays WeCom: a callback not
// answered 200 (the process is dead, or was killed mid-request) is posted
// again, and some that were answered are posted again anyway (WeCom
// retries when the answer is late). Then every note is filed exactly once,
// and every member gets each acknowledgement once — but for a send in
// flight at a kill, which WeCom received before the dead process could
// record it.
func TestCrashWeComCallbacks(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test builds and kills the binary many times")
	}
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(crashSeedVar); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s: %v", crashSeedVar, err)
		}
	}
	t.Logf("seed %d (set %s to replay)", seed, crashSeedVar)
	rng := rand.New(rand.NewPCG(seed, 3))

	dir := t.TempDir()
	dbPath := filepath.Join(dir, "campaign.db")
	planPath := wcWritePlan(t, dir)
	if code, out, stderr := run(t, nil, "", "plan", "apply", "--db", dbPath, planPath); code != 0 {
		t.Fatalf("plan apply: %d %s %s", code, out, stderr)
	}
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	users := crashWeComRoster(t, db)
	fake := wecomtest.NewServer(t, wcCorpID, wcSecret)
	crypt, err := wecom.NewCrypt(wcToken, wcAESKey, wcCorpID)
	if err != nil {
		t.Fatal(err)
	}
	addr := crashFreeAddr(t)
	bin := tgBuildBinary(t)
	start := func() *tgProc {
		p := &tgProc{stderr: &tgLogBuffer{}, done: make(chan struct{})}
		p.cmd = exec.Command(bin, "run", "--db", dbPath, "--plan", planPath, "--listen", addr)
		p.cmd.Env = []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "GORACE=halt_on_error=1",
			"WECOM_CORP_ID=" + wcCorpID, "WECOM_AGENT_ID=" + strconv.Itoa(wcAgentID), "WECOM_SECRET=" + wcSecret,
			"WECOM_TOKEN=" + wcToken, "WECOM_AES_KEY=" + wcAESKey, "WECOM_API_URL=" + fake.URL(),
		}
		p.cmd.Stderr = p.stderr
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			p.err = p.cmd.Wait()
			close(p.done)
		}()
		t.Cleanup(p.kill)
		return p
	}

	// The load: each note posted until answered 200, one in ten posted
	// again after that.
	var (
		mu     sync.Mutex
		notes  []crashWeComNote
		posts  int
		resent int
	)
	client := &http.Client{Timeout: 5 * time.Second}
	post := func(n, attempt int, plain []byte) bool {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		nonce := fmt.Sprintf("n%d-%d", n, attempt)
		sig, body, err := crypt.EncryptCallback(plain, wcCorpID, strconv.Itoa(wcAgentID), ts, nonce)
		if err != nil {
			t.Error(err)
			return true
		}
		q := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}
		resp, err := client.Post("http://"+addr+"/wecom/callback?"+q.Encode(), "text/xml", bytes.NewReader(body))
		mu.Lock()
		posts++
		mu.Unlock()
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode == http.StatusOK
	}
	generated, stop := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(stop); <-generated })
	go func() {
		defer close(generated)
		loadRng := rand.New(rand.NewPCG(seed, 4))
		base := time.Now().Unix()
		for n := range crashWeComNotes {
			user := users[n%len(users)]
			text := fmt.Sprintf("企业微信崩溃测试笔记 %03d：%s 的学习体会", n+1, user)
			plain := fmt.Appendf(nil, "<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
				"<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[/note %s]]></Content>"+
				"<MsgId>%d</MsgId><AgentID>%d</AgentID></xml>", wcCorpID, user, base+int64(n), text, 7400000000000000000+n, wcAgentID)
			mu.Lock()
			notes = append(notes, crashWeComNote{user: user, text: text, cb: plain})
			mu.Unlock()
			for attempt := 0; !post(n, attempt, plain); attempt++ {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
			if loadRng.IntN(10) == 0 {
				post(n, 1000, plain)
				mu.Lock()
				resent++
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(10+loadRng.IntN(60)) * time.Millisecond):
			}
		}
	}()

	raw := crashOpenSQL(t, dbPath)
	count := func(q string) int {
		var n int
		raw.each(q, func(rows *sql.Rows) error { return rows.Scan(&n) })
		return n
	}
	kills := crashMinKills + rng.IntN(crashMaxKills-crashMinKills+1)
	var procs []*tgProc
	for k := range kills {
		p := start()
		procs = append(procs, p)
		life := time.Duration(100+rng.IntN(int(crashMaxLife/time.Millisecond)-100)) * time.Millisecond
		select {
		case <-p.done:
			t.Fatalf("process %d ended by itself (%v):\n%s", k+1, p.err, p.stderr.String())
		case <-time.After(life):
		}
		p.kill()
		t.Logf("kill %d after %s: %d submissions, %d outbox rows pending", k+1, life,
			count(`SELECT COUNT(*) FROM submissions`), count(`SELECT COUNT(*) FROM outbox WHERE status = 'pending'`))
	}
	last := start()
	procs = append(procs, last)
	select {
	case <-generated:
	case <-time.After(crashDrain):
		t.Fatal("the load did not finish")
	}
	deadline := time.Now().Add(crashDrain)
	for count(`SELECT COUNT(*) FROM submissions`) < crashWeComNotes || count(`SELECT COUNT(*) FROM inbound WHERE processed_at IS NULL`) > 0 ||
		count(`SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND kind = 'reply'`) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %d submissions, %d unprocessed, %d replies pending:\n%s", crashDrain,
				count(`SELECT COUNT(*) FROM submissions`), count(`SELECT COUNT(*) FROM inbound WHERE processed_at IS NULL`),
				count(`SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND kind = 'reply'`), last.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
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

	// Every note filed once, by its member.
	subs, err := db.FindSubmissions(context.Background(), campaignbot.SubmissionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byText := map[string][]*campaignbot.Submission{}
	for _, s := range subs {
		byText[s.Text] = append(byText[s.Text], s)
	}
	person := map[string]int64{}
	for _, u := range users {
		acc, p, err := db.FindPersonByAccount(context.Background(), campaignbot.PlatformWeCom, u)
		if err != nil {
			t.Fatal(acc, err)
		}
		person[u] = p.ID
	}
	for _, n := range notes {
		got := byText[n.text]
		if len(got) != 1 || got[0].PersonID != person[n.user] {
			t.Errorf("note %q of %s: %d submissions %+v, want one by them", n.text, n.user, len(got), got)
		}
	}
	if len(notes) != crashWeComNotes || len(subs) != crashWeComNotes {
		t.Errorf("%d notes posted, %d submissions, want %d", len(notes), len(subs), crashWeComNotes)
	}
	// Every acknowledgement arrived; twice only for a send in flight at a kill.
	copies := map[string]int{}
	acks := 0
	for _, m := range fake.Sent() {
		if !strings.Contains(m.Content, "已收到并保存") {
			continue
		}
		// Members whose acknowledgements read the same are sent one
		// message/send with touser "a|b" (SPEC §10): one delivery to each.
		for _, to := range strings.Split(m.ToUser, "|") {
			copies[to+"\x00"+m.Content]++
			acks++
		}
	}
	duplicates := acks - len(copies)
	if len(copies) != crashWeComNotes {
		t.Errorf("%d distinct acknowledgements arrived, want %d", len(copies), crashWeComNotes)
	}
	if duplicates > kills {
		t.Errorf("%d acknowledgements arrived twice over %d kills: more than the send in flight at each", duplicates, kills)
	}
	if n := count(`SELECT COUNT(*) FROM outbox WHERE status = 'failed'`); n != 0 {
		t.Errorf("%d outbox rows failed", n)
	}
	for _, p := range procs {
		tgAssertNoSecrets(t, p.stderr.String())
		if strings.Contains(p.stderr.String(), wcSecret) {
			t.Errorf("a process logged the WeCom secret")
		}
	}
	t.Logf("wecom crash summary: seed %d, %d kills, %d notes, %d callbacks posted (%d resent after a 200), %d submissions, %d acknowledgements (%d twice)",
		seed, kills, len(notes), posts, resent, len(subs), acks, duplicates)
}

// crashWeComRoster imports crashWeComUsers members, each bound to a WeCom
// UserID, and returns the UserIDs.
func crashWeComRoster(t *testing.T, db *store.DB) []string {
	t.Helper()
	ctx := context.Background()
	var entries []campaignbot.RosterEntry
	var users []string
	for i := range crashWeComUsers {
		u := fmt.Sprintf("member%02d", i+1)
		users = append(users, u)
		entries = append(entries, campaignbot.RosterEntry{Line: i + 2, Name: fmt.Sprintf("成员%02d", i+1),
			Departments: []string{"科技管理科"}, Roles: []campaignbot.Role{campaignbot.RoleMember}, WeCom: u})
	}
	if _, _, err := db.ImportRoster(ctx, entries); err != nil {
		t.Fatal(err)
	}
	return users
}
