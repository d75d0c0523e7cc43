// Command bench measures campaignbot against the performance targets of
// SPEC §10 on this machine and prints each figure beside its target:
//
//	go run ./bench            # 10,000 people, 200,000 submissions, 300 messages
//	go run ./bench -people 100000 -submissions 2000000
//	go run ./bench -quick     # small sizes, for CI
//	go run ./bench -postgres postgres://…   # and the PostgreSQL replicas' row
//
// The targets printed are those of SPEC §10's row for the size: 10,000
// people up to 10,000, 100,000 above.
//
// Everything runs against real SQLite files in a temporary directory, a
// fake Telegram Bot API (bot/telegram/telegramtest) that enforces 30
// messages a second with 429 answers, and the campaignbot binary built from
// this tree. The Benchmark* functions beside the code measure the same
// paths one at a time.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"campaignbot"
	"campaignbot/plan"
)

// options are the command's flags.
type options struct {
	org        org
	deliver    int
	loadNotes  int
	starts     int
	keep       bool
	from       string
	cpuProfile string
	binary     string
	skipBinary bool
	// postgres is the URL of a PostgreSQL server for SPEC §10's
	// replicas row; "" skips it.
	postgres string
	// intakeRate and intakeSeconds pace the sustained intake.
	intakeRate, intakeSeconds int
}

// row is one printed figure.
type row struct {
	figure, measured, target string
	// verdict is PASS, MISS or "" for figures without a target.
	verdict string
}

// report collects the rows.
type report struct {
	rows []row
	w    io.Writer
}

func (r *report) add(figure, measured, target string, pass bool) {
	v := "MISS"
	if pass {
		v = "PASS"
	}
	r.rows = append(r.rows, row{figure, measured, target, v})
	fmt.Fprintf(r.w, "  %-58s %s\n", figure, measured)
}

func (r *report) info(figure, measured string) {
	r.rows = append(r.rows, row{figure, measured, "", ""})
	fmt.Fprintf(r.w, "  %-58s %s\n", figure, measured)
}

func (r *report) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tmeasured\ttarget\tresult")
	for _, x := range r.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", x.figure, x.measured, x.target, x.verdict)
	}
	tw.Flush()
}

func (r *report) missed() int {
	n := 0
	for _, x := range r.rows {
		if x.verdict == "MISS" {
			n++
		}
	}
	return n
}

func main() {
	var o options
	quick := flag.Bool("quick", false, "small sizes for CI: 1,000 people, 20,000 submissions, 60 messages")
	flag.IntVar(&o.org.people, "people", 10000, "people in the generated organisation")
	flag.IntVar(&o.org.departments, "departments", 50, "departments in the generated organisation")
	flag.IntVar(&o.org.submissions, "submissions", 200000, "submissions in the generated organisation")
	flag.IntVar(&o.deliver, "deliver", 300, "reminders to deliver through the fake Bot API at 30 msg/s (300 take about 10 s)")
	flag.IntVar(&o.loadNotes, "load-notes", 2000, "notes sent to the running binary during the memory measurement")
	flag.IntVar(&o.intakeRate, "intake-rate", 200, "notes a second sent to the running binary for the sustained intake")
	flag.IntVar(&o.intakeSeconds, "intake-seconds", 60, "seconds of sustained intake (0: skip it)")
	flag.IntVar(&o.starts, "starts", 3, "starts of the binary timed for start to ready")
	flag.StringVar(&o.binary, "binary", "", "campaignbot binary to time (default: build ./cmd/campaignbot into the temporary directory)")
	flag.BoolVar(&o.skipBinary, "skip-binary", false, "skip the figures that need the binary (start to ready, resident memory)")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory and print its path")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the in-process measurements (after setup) to this file")
	flag.StringVar(&o.from, "from", "", "copy this organisation (big.db of an earlier -keep run, same sizes, same day) instead of generating one")
	flag.StringVar(&o.postgres, "postgres", os.Getenv("CAMPAIGNBOT_BENCH_POSTGRES"), "PostgreSQL `URL` for the replicas' row (CAMPAIGNBOT_BENCH_POSTGRES): the bench creates and drops a database of its own there")
	flag.Parse()
	if *quick {
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for name, v := range map[string]*int{"people": &o.org.people, "departments": &o.org.departments, "submissions": &o.org.submissions,
			"deliver": &o.deliver, "load-notes": &o.loadNotes, "intake-seconds": &o.intakeSeconds} {
			if !set[name] {
				*v = map[string]int{"people": 1000, "departments": 20, "submissions": 20000, "deliver": 60, "load-notes": 300, "intake-seconds": 5}[name]
			}
		}
	}
	if o.org.departments < 1 || o.org.people < o.org.departments+3 || o.deliver < 2 || o.intakeRate < 1 || o.intakeSeconds < 0 {
		fmt.Fprintln(os.Stderr, "bench: need at least departments+3 people, 1 department and 2 messages")
		os.Exit(2)
	}
	if err := run(context.Background(), o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// env is what the measurements share.
type env struct {
	o    options
	dir  string
	path string // the generated organisation's store file
	plan *campaignbot.Plan
	yaml []byte // the plan's text, for the binary
	day  campaignbot.Date
	now  time.Time // 10:00 on day, the clock of in-process measurements
	rep  *report
	// targets are SPEC §10's figures for the organisation's size.
	targets targets
	// reminders are the Telegram messages of the day's reminders.
	reminders []*campaignbot.OutboxMessage
}

func (e *env) clock() campaignbot.Clock {
	return campaignbot.ClockFunc(func() time.Time { return e.now })
}

func run(ctx context.Context, o options, out io.Writer) error {
	dir, err := os.MkdirTemp("", "campaignbot-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(out, "temporary directory:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	e := &env{o: o, dir: dir, path: filepath.Join(dir, "big.db"), rep: &report{w: out}, targets: targetsFor(o.org.people)}
	// The plan is the default one, placed so that the bench's day is five
	// days before the end of the study phase: weekly notes are owed and many
	// are overdue, which is when reminders and digests have most to do. The
	// day is this week's Monday, when last week's missed notes get their
	// overdue reminder: on a Sunday no weekly prompt falls due, and the
	// figures would depend on the day the bench runs.
	loc, err := time.LoadLocation(plan.DefaultTimeZone)
	if err != nil {
		return err
	}
	e.day = campaignbot.DateOf(time.Now(), loc).ISOWeekStart()
	p0, _, err := plan.Default(e.day)
	if err != nil {
		return err
	}
	start := e.day - (p0.FindPhase("study").End - p0.Start) + 5
	if e.plan, e.yaml, err = plan.Default(start); err != nil {
		return err
	}
	e.now = e.day.Time(loc).Add(10 * time.Hour)

	fmt.Fprintf(out, "campaignbot bench: %d people, %d departments, %d submissions; %s, %d CPUs, load average %s, %s\n",
		o.org.people, o.org.departments, o.org.submissions, runtime.Version(), runtime.NumCPU(), loadAverage(), time.Now().Format(time.DateTime))
	began := time.Now()
	setup := "setup: generate the organisation"
	if o.from != "" {
		setup = "setup: copy the organisation from " + o.from
		if err = copyFile(e.path, o.from); err == nil {
			err = clearRuns(ctx, e.path)
		}
	} else {
		err = seed(ctx, e.path, e.plan, o.org, e.day, e.now)
	}
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	fi, err := os.Stat(e.path)
	if err != nil {
		return err
	}
	e.rep.info(setup, fmt.Sprintf("%.1f s, %d MB file", time.Since(began).Seconds(), fi.Size()>>20))

	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	steps := []struct {
		name string
		f    func(context.Context, *env) error
	}{
		{"reminders and digest", measureSchedule},
		{"web dashboard", measureDashboard},
		{"delivery", measureDelivery},
		{"WeCom announcement", measureWeComAnnounce},
	}
	if !o.skipBinary {
		steps = append(steps, struct {
			name string
			f    func(context.Context, *env) error
		}{"binary", measureBinary})
	}
	if o.postgres != "" {
		steps = append(steps, struct {
			name string
			f    func(context.Context, *env) error
		}{"PostgreSQL replicas", measurePostgres})
	}
	for _, s := range steps {
		if err := s.f(ctx, e); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	fmt.Fprintf(out, "\n%s\n", strings.Repeat("=", 20))
	e.rep.print(out)
	fmt.Fprintf(out, "\n%d of %d figures miss their target; %.0f s in all\n", e.rep.missed(), countTargets(e.rep), time.Since(began).Seconds())
	return nil
}

// loadAverage returns the machine's load average over the last minute, or
// "?": the figures are wall-clock times, which other work on the machine
// lengthens.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// clearRuns deletes what earlier runs left in the store file at path: the
// outbox, so that its reminders can be delivered again; the updates taken
// in, since the fake Bot API numbers its updates from 1 again and the store
// would take the new ones for updates it has processed already (a copied
// organisation then stored none of the load's notes); and the load's notes.
func clearRuns(ctx context.Context, path string) error {
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer raw.Close()
	_, err = raw.ExecContext(ctx, `DELETE FROM outbox; DELETE FROM inbound; DELETE FROM submissions WHERE text LIKE '负载测试%'`)
	return err
}

// copyFile copies the file src to dst.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func countTargets(r *report) int {
	n := 0
	for _, x := range r.rows {
		if x.verdict != "" {
			n++
		}
	}
	return n
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
