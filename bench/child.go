package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"campaignbot/bot/telegram/telegramtest"
	"campaignbot/scheduler"
)

// child is one running campaignbot binary.
type child struct {
	cmd  *exec.Cmd
	addr string
	log  *os.File
}

// buildBinary builds ./cmd/campaignbot of the module the bench runs in.
func buildBinary(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	bin := filepath.Join(dir, "campaignbot")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/campaignbot")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, b)
	}
	return bin, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startChild runs `campaignbot run` on the organisation's store with the
// fake Bot API and returns once /healthz answers, with the time that took
// from just before the exec.
func (e *env) startChild(bin, apiURL string, n int) (*child, time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, 0, err
	}
	logf, err := os.Create(filepath.Join(e.dir, fmt.Sprintf("run-%d.log", n)))
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(bin, "run", "--db", e.path, "--plan", filepath.Join(e.dir, "plan.yaml"), "--listen", addr)
	cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+benchToken, "TELEGRAM_API_URL="+apiURL, "CAMPAIGNBOT_LANG=zh")
	cmd.Stdout, cmd.Stderr = logf, logf
	client := &http.Client{Timeout: 200 * time.Millisecond}
	url := "http://" + addr + "/healthz"
	start := time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, 0, err
	}
	c := &child{cmd: cmd, addr: addr, log: logf}
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c, time.Since(start), nil
			}
		}
		if time.Since(start) > 30*time.Second {
			c.stop()
			return nil, 0, fmt.Errorf("no /healthz after 30 s; see %s", logf.Name())
		}
		time.Sleep(time.Millisecond)
	}
}

// stop ends the child with SIGTERM, as systemd does, and waits for it.
func (c *child) stop() error {
	defer c.log.Close()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
		return errors.New("campaignbot did not stop within 15 s of SIGTERM")
	}
}

// status reads the child's VmRSS and VmHWM (peak) in bytes.
func (c *child) status() (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, 0, err
		}
		if k == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
	}
	return rss, hwm, sc.Err()
}

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

// measureBinary times start to ready of the built binary over the
// organisation (as a restart on a day whose jobs have run), then loads the
// last one it started with chat traffic and reads its resident memory.
func measureBinary(ctx context.Context, e *env) error {
	bin := e.o.binary
	if bin == "" {
		t := time.Now()
		var err error
		if bin, err = buildBinary(ctx, e.dir); err != nil {
			return err
		}
		e.rep.info("setup: go build ./cmd/campaignbot", fmt.Sprintf("%.1f s", time.Since(t).Seconds()))
	}
	if err := os.WriteFile(filepath.Join(e.dir, "plan.yaml"), e.yaml, 0o644); err != nil {
		return err
	}
	// Today's jobs are done, so a start catches nothing up: the restart of
	// a running deployment.
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	for _, job := range []string{scheduler.JobReminders, scheduler.JobDigest} {
		if err := db.SetLastRun(ctx, job, time.Now()); err != nil {
			db.Close()
			return err
		}
	}
	if err := db.Close(); err != nil {
		return err
	}

	srv := telegramtest.New(benchToken)
	defer srv.Close()
	srv.RateLimit(telegramRate)
	var times []time.Duration
	var c *child
	for i := range max(e.o.starts, 1) {
		var d time.Duration
		if c, d, err = e.startChild(bin, srv.URL(), i); err != nil {
			return err
		}
		times = append(times, d)
		if i < e.o.starts-1 {
			if err := c.stop(); err != nil {
				return err
			}
		}
	}
	defer c.stop()
	all := make([]string, len(times))
	for i, d := range times {
		all[i] = ms(d)
	}
	slices.Sort(times)
	med := times[len(times)/2]
	tg := e.targets
	e.rep.add(fmt.Sprintf("start to ready: exec to /healthz, %d people (median of %d)", e.o.org.people, len(times)), ms(med), below(tg.ready), med < tg.ready)
	e.rep.info("start to ready: each start", strings.Join(all, ", "))
	if err := e.loadChild(ctx, c, srv); err != nil {
		return err
	}
	if e.o.intakeSeconds == 0 {
		return nil
	}
	return e.measureIntake(ctx, c, srv)
}
