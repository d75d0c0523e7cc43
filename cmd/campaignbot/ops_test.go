package main

// What an operator meets at the command line (SPEC §7, §13), through the
// built binary: each command's help, commands without their subcommand,
// version, the checks run makes before it starts, and backup killed
// part-way.

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot/telegram/telegramtest"
	"campaignbot/bot/wecom/wecomtest"
	"campaignbot/plan"
	"campaignbot/store"
)

// opsRun runs the binary with args, env (and PATH) and stdin (nil: the
// null device, as under a service manager), and returns its exit status
// and both streams.
func opsRun(t *testing.T, bin string, env map[string]string, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), tgWait)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String(), errb.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errb.String()
}

// helpFlags returns the flags a --help output lists.
func helpFlags(help string) []string {
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(help, -1) {
		flags = append(flags, m[1])
	}
	slices.Sort(flags)
	return flags
}

func TestOperations(t *testing.T) {
	t.Parallel()
	bin := tgBuildBinary(t)

	// Each command's --help names its arguments and lists its own flags,
	// nothing more (SPEC §7).
	t.Run("help", func(t *testing.T) {
		want := map[string][]string{
			"run":               {"console", "db", "demo", "lang", "listen", "log-format", "plan"},
			"plan init":         {"out", "start"},
			"plan check":        nil,
			"plan apply":        {"db"},
			"plan show":         {"db", "lang", "summary"},
			"roster import":     {"apply", "db"},
			"roster remove":     {"db"},
			"roster sync-wecom": {"apply", "db"},
			"roster list":       {"csv", "db", "lang"},
			"invite":            {"all", "bot-name", "db"},
			"digest":            {"date", "db", "for", "lang"},
			"reminders":         {"date", "db", "lang"},
			"campaign new":      {"db", "lang", "plan"},
			"campaign list":     {"db", "lang"},
			"export":            {"campaign", "db", "docx", "lang", "materials", "out"},
			"backup":            {"db"},
			"wecom menu":        {"lang"},
			"version":           nil,
			"web-link":          {"db", "lang"},
			"outbox list":       {"db", "limit", "platform"},
			"outbox requeue":    {"db", "platform"},
		}
		for _, c := range commandTable() {
			code, out, stderr := opsRun(t, bin, nil, nil, append(strings.Fields(c.name), "--help")...)
			if code != exitOK || stderr != "" {
				t.Errorf("%s --help: exit %d, stderr %q", c.name, code, stderr)
			}
			if first, _, _ := strings.Cut(out, "\n"); !strings.HasPrefix(first, "Usage: campaignbot "+c.name) {
				t.Errorf("%s --help begins %q", c.name, first)
			}
			if got := helpFlags(out); !slices.Equal(got, want[c.name]) {
				t.Errorf("%s --help lists flags %v, want %v:\n%s", c.name, got, want[c.name], out)
			}
		}
		_, out, _ := opsRun(t, bin, nil, nil, "backup", "--help")
		if !strings.HasPrefix(out, "Usage: campaignbot backup FILE\n") {
			t.Errorf("backup --help does not name FILE:\n%s", out)
		}
	})

	// A command that needs a subcommand, given none or an unknown one,
	// prints its subcommands and exits 2 (SPEC §7).
	t.Run("group without command", func(t *testing.T) {
		for _, args := range [][]string{{"plan"}, {"roster"}, {"wecom"}, {"plan", "nosuch"}} {
			code, out, stderr := opsRun(t, bin, nil, nil, args...)
			if code != exitUsage || out != "" || !strings.Contains(stderr, "Usage:\n  campaignbot "+args[0]+" ") {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and the usage on stderr", args, code, out, stderr)
			}
		}
		code, out, _ := opsRun(t, bin, nil, nil, "plan", "--help")
		if code != exitOK || !strings.Contains(out, "campaignbot plan apply FILE") {
			t.Errorf("plan --help: exit %d:\n%s", code, out)
		}
		code, _, stderr := opsRun(t, bin, nil, nil, "backup", "--lang", "en", "b.db")
		if code != exitUsage || !strings.Contains(stderr, "flag provided but not defined: -lang") {
			t.Errorf("backup --lang: exit %d, %q", code, stderr)
		}
	})

	t.Run("version", func(t *testing.T) {
		code, out, stderr := opsRun(t, bin, nil, nil, "version")
		if code != exitOK || !regexp.MustCompile(`^campaignbot \S+\ncommit: \S+.*\ndate: \S+\ngo: go1\.\d+`).MatchString(out) {
			t.Fatalf("version: exit %d, %q, %q", code, out, stderr)
		}
		if code, again, _ := opsRun(t, bin, nil, nil, "--version"); code != exitOK || again != out {
			t.Errorf("--version: exit %d, %q; want %q", code, again, out)
		}
		// What the toolchain recorded (a build with -buildvcs=false or
		// outside a checkout records no commit) is what version prints.
		info, err := exec.Command("go", "version", "-m", bin).Output()
		if err != nil {
			t.Fatal(err)
		}
		if m := regexp.MustCompile(`vcs.revision=([0-9a-f]+)`).FindSubmatch(info); m != nil {
			if !strings.Contains(out, "commit: "+string(m[1])) {
				t.Errorf("version says %q; the binary was built from %s", out, m[1])
			}
		} else if !strings.Contains(out, "commit: unknown") {
			t.Errorf("version claims a commit the build did not record: %q", out)
		}
	})

	// run with no platform, where nobody can type into the console, refuses
	// to start instead of printing the banner and exiting 0.
	t.Run("no platform under a service manager", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "c.db")
		for _, tt := range []struct {
			name  string
			env   map[string]string
			stdin io.Reader
			want  string
		}{
			{"stdin /dev/null", nil, nil, "standard input is neither a terminal, a pipe nor a file"},
			{"systemd", map[string]string{"INVOCATION_ID": "0123456789abcdef"}, strings.NewReader("/help\n"), "INVOCATION_ID is set by systemd"},
		} {
			code, out, stderr := opsRun(t, bin, tt.env, tt.stdin, "run", "--db", db)
			if code != exitUsage || !strings.Contains(stderr, "no platform is configured") || !strings.Contains(stderr, tt.want) || strings.Contains(out, "控制台") {
				t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.name, code, out, stderr, tt.want)
			}
			if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s: the refused run made the database", tt.name)
			}
		}
		// A script piped in, and --console, still run the console.
		if code, out, stderr := opsRun(t, bin, nil, strings.NewReader("/help\n"), "run", "--demo", "--db", db); code != exitOK || !strings.Contains(out, "控制台") {
			t.Errorf("console with a pipe: exit %d, %q, %q", code, out, stderr)
		}
		if code, _, stderr := opsRun(t, bin, nil, nil, "run", "--console", "--db", db); code != exitOK {
			t.Errorf("run --console with /dev/null: exit %d, %q", code, stderr)
		}
	})

	// Every variable is checked at start, by name, and nothing starts (no
	// database is made) when one is wrong.
	t.Run("variables", func(t *testing.T) {
		wecom := func(over map[string]string) map[string]string {
			env := map[string]string{
				"WECOM_CORP_ID": wcCorpID, "WECOM_AGENT_ID": "1000002", "WECOM_SECRET": wcSecret,
				"WECOM_TOKEN": wcToken, "WECOM_AES_KEY": wcAESKey, "CAMPAIGNBOT_LISTEN": "127.0.0.1:0",
			}
			for k, v := range over {
				if v == "" {
					delete(env, k)
				} else {
					env[k] = v
				}
			}
			return env
		}
		for _, tt := range []struct {
			name string
			env  map[string]string
			want []string
		}{
			{"agent id", wecom(map[string]string{"WECOM_AGENT_ID": "abc"}), []string{"WECOM_AGENT_ID: not a number"}},
			{"wecom without --listen", wecom(map[string]string{"CAMPAIGNBOT_LISTEN": ""}), []string{"WECOM_CORP_ID: WeCom delivers messages to the callback URL, so it needs --listen"}},
			{"wecom half configured", wecom(map[string]string{"WECOM_SECRET": "", "WECOM_TOKEN": ""}), []string{
				"WECOM_SECRET: missing (WECOM_CORP_ID is set", "WECOM_TOKEN: missing (WECOM_CORP_ID is set"}},
			{"AES key", wecom(map[string]string{"WECOM_AES_KEY": "short"}), []string{"WECOM_AES_KEY: must be the 43 letters and digits"}},
			// The old env example's line, as systemd's EnvironmentFile reads it.
			{"trailing comment", map[string]string{"TELEGRAM_BOT_TOKEN": tgToken, "CAMPAIGNBOT_LISTEN": "127.0.0.1:8080                # webhooks, /healthz, /metrics"},
				[]string{`CAMPAIGNBOT_LISTEN: the value ends in a comment ("# webhooks, /healthz, /metrics")`}},
			{"bot token", map[string]string{"TELEGRAM_BOT_TOKEN": "secret-without-colon"}, []string{"TELEGRAM_BOT_TOKEN: not a bot token"}},
			{"webhook without token", map[string]string{"TELEGRAM_WEBHOOK_URL": "http://bot.example.org/hook"}, []string{
				"TELEGRAM_WEBHOOK_URL: not an https:// URL", "TELEGRAM_BOT_TOKEN: missing (TELEGRAM_WEBHOOK_URL is set)"}},
			{"language", map[string]string{"CAMPAIGNBOT_LANG": "fr", "TELEGRAM_BOT_TOKEN": tgToken}, []string{`CAMPAIGNBOT_LANG: must be zh or en, not "fr"`}},
		} {
			db := filepath.Join(t.TempDir(), "c.db")
			code, _, stderr := opsRun(t, bin, tt.env, nil, "run", "--db", db)
			if code != exitUsage {
				t.Errorf("%s: exit %d, want %d; stderr %q", tt.name, code, exitUsage, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("%s: stderr %q lacks %q", tt.name, stderr, w)
				}
			}
			if strings.Contains(stderr, "secret-without-colon") {
				t.Errorf("%s: the message shows the secret: %q", tt.name, stderr)
			}
			if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s: the refused run made the database", tt.name)
			}
		}
		code, _, stderr := opsRun(t, bin, nil, nil, "run", "--lang", "fr", "--console", "--db", filepath.Join(t.TempDir(), "c.db"))
		if code != exitUsage || !strings.Contains(stderr, `--lang: must be zh or en, not "fr"`) {
			t.Errorf("--lang fr: exit %d, %q", code, stderr)
		}
	})

	t.Run("backup killed part-way", func(t *testing.T) { testBackupKilled(t, bin) })
}

// envFile reads an EnvironmentFile as systemd does: "#" and ";" begin a
// comment only at the start of a line, and a value is everything after
// the "=" (quotes removed), a "#" in it included. With commented true, it
// reads the assignments an operator would uncomment too.
func envFile(t *testing.T, path string, commented bool) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	assign := regexp.MustCompile(`^([A-Z][A-Z0-9_]*)=(.*)$`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			if !commented {
				continue
			}
			line = strings.TrimSpace(line[1:])
		}
		m := assign.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		v := strings.TrimSpace(m[2])
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		env[m[1]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return env
}

// The env example reads as intended under systemd: no value carries a
// comment, and its settings pass the checks run makes at start.
func TestEnvExample(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "deploy", "campaignbot.env.example")
	all := envFile(t, path, true)
	if len(all) < 15 {
		t.Fatalf("the env example sets %d variables, want every one of SPEC §7", len(all))
	}
	for k, v := range all {
		if strings.Contains(v, "#") {
			t.Errorf("%s=%q: systemd keeps the comment as part of the value", k, v)
		}
	}
	active := envFile(t, path, false)
	var cfg Config
	flagSet("run", IO{Out: io.Discard, Err: io.Discard}, func(k string) string { return active[k] }, &cfg)
	cfg.Listen = active["CAMPAIGNBOT_LISTEN"]
	if err := cfg.validate(); err != nil {
		t.Errorf("the env example as shipped: %v", err)
	}
	if err := cfg.validatePlatforms(true); err != nil {
		t.Errorf("the env example as shipped: %v", err)
	}
}

// testBackupKilled SIGKILLs "campaignbot backup" part-way, several times,
// and checks that what it leaves never looks like a backup: FILE exists
// only when complete, and the next backup clears what the killed one left.
func testBackupKilled(t *testing.T, bin string) {
	dir := t.TempDir()
	src := filepath.Join(dir, "live.db")
	ctx := context.Background()
	db, err := store.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ImportRoster(ctx, []campaignbot.RosterEntry{{Name: "孙静", Departments: []string{"办公室"}, Roles: []campaignbot.Role{campaignbot.RoleMember}}}); err != nil {
		t.Fatal(err)
	}
	// Enough attachments that copying them takes a while.
	rng := rand.New(rand.NewPCG(1, 2))
	const files = 200
	page := make([]byte, 64<<10)
	for range files {
		for j := range page {
			page[j] = byte(rng.UintN(256))
		}
		if _, err := db.SaveAttachment(ctx, "page.jpg", "image/jpeg", page); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(out, "backup.db")
	midway := 0
	for attempt := range 6 {
		cmd := exec.Command(bin, "backup", "--db", src, target)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it as soon as its work directory appears, or after a
		// random moment.
		deadline := time.Now().Add(time.Duration(rng.IntN(200)) * time.Millisecond)
		for time.Now().Before(deadline) {
			if m, _ := filepath.Glob(target + ".incomplete-*"); len(m) > 0 && attempt%2 == 0 {
				break
			}
			time.Sleep(200 * time.Microsecond)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if _, serr := os.Stat(target); serr == nil {
			// A backup at the path is complete, whether the process exited
			// or was killed after its last rename (while it synced the
			// directory or closed the store): that is what atomic means.
			checkBackup(t, target, files)
			for _, p := range []string{target, target + ".files"} {
				if err := os.RemoveAll(p); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		midway++
		if _, err := os.Stat(target + ".files"); err == nil {
			// Renamed first, the database last: a directory of files
			// without the database beside it is no backup either, but
			// the next backup must not be blocked by it forever.
			if err := os.RemoveAll(target + ".files"); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("%d of 6 backups killed before they completed", midway)

	// The next backup completes and leaves nothing else behind.
	if code, _, stderr := opsRun(t, bin, nil, nil, "backup", "--db", src, target); code != exitOK {
		t.Fatalf("backup: exit %d, %s", code, stderr)
	}
	checkBackup(t, target, files)
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"backup.db", "backup.db.files"}; !slices.Equal(names, want) {
		t.Errorf("after a complete backup the directory holds %v, want %v", names, want)
	}
	// A second backup to the same file refuses.
	if code, _, stderr := opsRun(t, bin, nil, nil, "backup", "--db", src, target); code != exitUsage || !strings.Contains(stderr, "already exists") {
		t.Errorf("backup over a backup: exit %d, %q", code, stderr)
	}
}

// checkBackup checks that the backup at path holds the roster and every
// attachment.
func checkBackup(t *testing.T, path string, files int) {
	t.Helper()
	b, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var people int
	if err := b.QueryRow(`SELECT COUNT(*) FROM people`).Scan(&people); err != nil || people != 1 {
		t.Errorf("backup %s: %d people, %v", path, people, err)
	}
	entries, err := os.ReadDir(path + ".files")
	if err != nil || len(entries) != files {
		t.Errorf("backup %s: %d attachments, want %d (%v)", path, len(entries), files, err)
	}
}

// The HTTP server cuts off slow headers, slow bodies and idle
// connections, and refuses bodies over its limit (SPEC §9). The limits are
// shortened here; the test checks that the server applies them, against a
// client that would otherwise hold its connection for minutes.
func TestHTTPServerLimits(t *testing.T) {
	t.Parallel()
	env := newTGEnv(t)
	env.webhook = true
	env.runMainWith(t, func(m *Main) {
		m.httpLimits = httpLimits{readHeader: 300 * time.Millisecond, read: 500 * time.Millisecond,
			write: 2 * time.Second, idle: 300 * time.Millisecond, maxBody: 4 << 10}
	})
	dial := func() net.Conn {
		c, err := net.Dial("tcp", env.addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		// Far beyond the limits: a read that reaches it means the server
		// kept the connection.
		c.SetReadDeadline(time.Now().Add(tgWait))
		return c
	}
	// closed reads what the server sends until it closes the connection.
	closed := func(what string, c net.Conn) string {
		t.Helper()
		got, err := io.ReadAll(c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("%s: the server kept the connection for %s", what, tgWait)
		}
		return string(got)
	}

	c := dial()
	io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: bot\r\n")
	closed("headers never finished", c)

	c = dial()
	io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n")
	if got := closed("idle after a request", c); !strings.HasPrefix(got, "HTTP/1.1 200 OK") {
		t.Errorf("GET /healthz answered %q", got)
	}

	c = dial()
	io.WriteString(c, "POST /telegram/webhook HTTP/1.1\r\nHost: bot\r\nX-Telegram-Bot-Api-Secret-Token: "+tgSecret+
		"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"update_id\":")
	closed("a body that never finished", c)

	big := `{"update_id":1,"message":{"text":"` + strings.Repeat("长", 3000) + `"}}`
	req, err := http.NewRequest(http.MethodPost, "http://"+env.addr+"/telegram/webhook", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", tgSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a %d-byte body: status %d, want 413", len(big), resp.StatusCode)
	}
	if n := env.inboundRows(t); n != 0 {
		t.Errorf("%d updates stored from refused requests", n)
	}
}

// wecom menu needs the application's id and secret only, and names a
// variable that is wrong.
func TestWeComMenuCommand(t *testing.T) {
	t.Parallel()
	fake := wecomtest.NewServer(t, wcCorpID, wcSecret)
	env := map[string]string{"WECOM_CORP_ID": wcCorpID, "WECOM_AGENT_ID": "1000002", "WECOM_SECRET": wcSecret, "WECOM_API_URL": fake.URL()}
	if code, out, stderr := run(t, env, "", "wecom", "menu"); code != exitOK || !strings.Contains(out, "menu installed") {
		t.Fatalf("wecom menu: exit %d, %q, %q", code, out, stderr)
	}
	if got := len(fake.Menus()); got != 1 {
		t.Errorf("%d menus created, want 1", got)
	}
	env["WECOM_AGENT_ID"] = "1000002 # the AgentId"
	if code, _, stderr := run(t, env, "", "wecom", "menu"); code != exitUsage || !strings.Contains(stderr, "WECOM_AGENT_ID: the value ends in a comment") {
		t.Errorf("wecom menu with a comment in a value: exit %d, %q", code, stderr)
	}
}

// Through Telegram: a mistyped department asks before anything is sent,
// offers the department as a button, and the reply says what the
// announcement came to, naming who is not bound (SPEC §4).
func TestTelegramAnnounceTellsTheTruth(t *testing.T) {
	t.Parallel()
	env := newTGEnv(t)
	office := filepath.Join(env.dir, "office.csv")
	if err := os.WriteFile(office, []byte("name,department,roles,telegram,wecom,in_charge_of\n陈丽,办公室,office;member,,,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, nil, "", "roster", "import", "--db", env.db, office); code != exitOK {
		t.Fatalf("roster import: %s", stderr)
	}
	db := env.openDB(t)
	tgBind(t, db, "陈丽", 9001)
	tgBind(t, db, "张三", 9002)
	people, err := db.FindPeople(context.Background(), campaignbot.PersonFilter{})
	if err != nil {
		t.Fatal(err)
	}
	env.runCommand(t)
	chen, zhang := env.user(9001, "陈丽"), env.user(9002, "张三")

	chen.text(t, "/announce 科技管里科 明天上午九点集中学习")
	ask := chen.expect(t, fmt.Sprintf("“科技管里科”不是角色或科室名称。将发给全体 %d 人，确认？", len(people)))
	tgRequireButton(t, ask, "确认")
	tgRequireButton(t, ask, "科技管理科")
	if strings.Contains(ask.Text, "通知正在发给") || len(env.fake.Sent(9002)) != 0 {
		t.Fatalf("sent before the sender confirmed: %q", ask.Text)
	}

	chen.press(t, ask.MessageID, "科技管理科")
	// 科技管理科: 张三 bound, the other eight of tgRoster not.
	p, err := plan.Load(env.plan)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(p.Loc())
	var reply telegramtest.SentMessage
	if p.Policy.InQuiet(campaignbot.Clocktime(now.Hour()*60 + now.Minute())) {
		reply = chen.expect(t, "现在是免打扰时段，通知将于")
	} else {
		reply = chen.expect(t, "通知正在发给 1 人。")
		got := zhang.expect(t, "明天上午九点集中学习")
		if strings.Contains(got.Text, "科技管里科") {
			t.Errorf("the mistyped department went out: %q", got.Text)
		}
	}
	if !strings.Contains(reply.Text, "8 人尚未绑定，收不到：") {
		t.Errorf("the reply does not count the unbound: %q", reply.Text)
	}
	for _, name := range tgRoster[1:] {
		if !strings.Contains(reply.Text, name) {
			t.Errorf("the reply does not name %s as unbound: %q", name, reply.Text)
		}
	}
}
