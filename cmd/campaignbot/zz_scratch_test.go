package main

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestScratchGoRun(t *testing.T) {
	env := newTGEnv(t)
	cmd := exec.Command("go", "run", "./cmd/campaignbot", "run", "--db", env.db, "--plan", env.plan)
	cmd.Dir = "../.."
	buf := &tgLogBuffer{}
	cmd.Stderr = buf
	cmd.Stdout = buf
	cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+tgToken, "TELEGRAM_API_URL="+env.fake.URL())
	t0 := time.Now()
	cmd.Start()
	tgWaitFor(t, "poll", func() bool { return len(env.fake.Offsets()) > 0 })
	t.Logf("go run: polling after %s", time.Since(t0))
	u := env.user(1002, "李四")
	u.text(t, "/help")
	u.expect(t, "")
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	t.Logf("log:\n%s", buf.String())
	tgAssertNoSecrets(t, buf.String())
}
