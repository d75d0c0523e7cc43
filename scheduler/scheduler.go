// Package scheduler runs campaignbot's timed work: the daily reminders
// (warnings, overdue reminders, escalations, phase announcements), the daily
// digest, and the dispatcher that delivers the outbox within each platform's
// limits. Jobs are robfig/cron jobs in the plan's time zone; each records the
// last day it completed so that a restart catches up once.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"campaignbot"
)

// Job names, as recorded by JobService.
const (
	JobReminders   = "reminders"
	JobDigest      = "digest"
	JobMaintenance = "maintenance"
)

// MaintainAt is when the nightly maintenance runs, in the plan's time zone:
// after the day's last anonymous acts, before the morning's digest.
const MaintainAt campaignbot.Clocktime = 3 * 60

// AnonymousDialogIdle is how long an anonymous dialog (an opinion asked
// for, a survey half answered) may lie untouched before the nightly
// maintenance drops it: its answers wait beside the account until then.
const AnonymousDialogIdle = time.Hour

// DefaultRemindAt is when the reminders job runs, in the plan's time zone,
// unless the plan's policy says (remind_at).
const DefaultRemindAt campaignbot.Clocktime = 9 * 60

// Store is what the scheduler reads and writes; *store.DB implements it.
type Store interface {
	campaignbot.Store
	campaignbot.ObligationSource
	campaignbot.DigestService
	campaignbot.AnonymityService
}

// Scheduler runs the reminders and digest jobs and serves digests, previews,
// announcements and overdue lists to the bot and the command line.
type Scheduler struct {
	store    Store
	plan     atomic.Pointer[campaignbot.Plan] // SetPlan's
	clock    campaignbot.Clock
	logger   *slog.Logger
	lang     string
	cat      catalog
	remindAt campaignbot.Clocktime
	groups   []campaignbot.Platform
	onQueue  func()

	cron    *cron.Cron
	cancel  context.CancelFunc
	jobs    sync.Mutex     // one job at a time, whoever starts it
	warming sync.WaitGroup // the warm-up Start began
	// heavy lets one computation over everyone (a digest, an overdue
	// list, reminders) run at a time: each holds every person's
	// obligations, and on two cores concurrent ones only multiply the
	// memory (sixteen chats asking for /digest at once reached 130 MB).
	heavy sync.Mutex

	// records are every submission record read so far, in ID order; mu
	// guards them. Submissions are only ever appended (no code deletes one
	// or changes its record), so a load reads just the rows after the last
	// one. SPEC §10: a later digest at 100,000 people / 2,000,000
	// submissions under 1 s, where reading every row takes seconds.
	mu      sync.Mutex
	records []campaignbot.SubmissionRecord
	keys    campaignbot.TaskKeys // numbering the records' tasks
}

// Option configures a Scheduler.
type Option func(*Scheduler)

// WithSchedulerClock sets the scheduler's clock.
func WithSchedulerClock(c campaignbot.Clock) Option { return func(s *Scheduler) { s.clock = c } }

// WithSchedulerLogger sets the scheduler's logger.
func WithSchedulerLogger(l *slog.Logger) Option { return func(s *Scheduler) { s.logger = l } }

// WithLang selects the language of prompts and digests: "en" for English,
// anything else for Chinese (the default).
func WithLang(lang string) Option {
	return func(s *Scheduler) { s.lang, s.cat = lang, newCatalog(lang) }
}

// WithRemindAt sets when the reminders job runs each day (DefaultRemindAt);
// it should be outside the quiet hours.
func WithRemindAt(at campaignbot.Clocktime) Option { return func(s *Scheduler) { s.remindAt = at } }

// WithGroupChats names the platforms with a campaign group configured;
// announcements for everyone also go there (ChatID GroupChat).
func WithGroupChats(ps ...campaignbot.Platform) Option {
	return func(s *Scheduler) { s.groups = ps }
}

// WithOnEnqueue sets a function called after messages are enqueued; main
// passes the dispatcher's Kick.
func WithOnEnqueue(f func()) Option { return func(s *Scheduler) { s.onQueue = f } }

// New returns a scheduler for plan over store.
func New(store Store, plan *campaignbot.Plan, opts ...Option) *Scheduler {
	s := &Scheduler{
		store:    store,
		clock:    campaignbot.SystemClock,
		logger:   slog.Default(),
		cat:      newCatalog(""),
		remindAt: plan.Policy.RemindAt,
	}
	s.plan.Store(plan)
	for _, o := range opts {
		o(s)
	}
	return s
}

// SetPlan puts p in force for the jobs, digests and previews that begin
// from now on, so that a plan applied while the bot runs (a deadline moved)
// takes effect without a restart. The jobs' times of day (digest_at,
// remind_at) and time zone stay those of the plan Start saw until the next
// start. A new campaign comes with a new plan, so the submission records
// kept are dropped and the next read takes the current campaign's. Safe for
// concurrent use.
func (s *Scheduler) SetPlan(p *campaignbot.Plan) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.plan.Store(p)
	s.records, s.keys = nil, nil
}

// Start catches up on the jobs that fell due while the process was down and
// then schedules them. A reminders run whose time has passed today runs now,
// covering every day since the last completed one (see ComputeReminders for
// how missed days fold); if today's time has not come, the scheduled run
// catches up. Today's digest is sent if its time has passed and it was not;
// digests of earlier days are stale and skipped. Nothing runs inside quiet
// hours: the next scheduled run catches up instead. Start returns the
// catch-up's error, if any, with the jobs scheduled all the same.
func (s *Scheduler) Start(ctx context.Context) error {
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	logger := cronLogger{s.logger}
	p := s.plan.Load()
	s.cron = cron.New(
		cron.WithLocation(p.Loc()),
		cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)),
	)
	jobs := []struct {
		name string
		at   campaignbot.Clocktime
		run  func(context.Context, time.Time) error
	}{
		{JobReminders, s.remindAt, s.runReminders},
		{JobDigest, p.Policy.DigestAt, s.runDigests},
		{JobMaintenance, MaintainAt, s.RunMaintenance},
	}
	var errs []error
	for _, j := range jobs {
		spec := fmt.Sprintf("%d %d * * *", int(j.at)%60, int(j.at)/60)
		if _, err := s.cron.AddFunc(spec, func() {
			if err := j.run(ctx, s.clock.Now()); err != nil {
				s.logger.Error("job failed", "job", j.name, "err", err)
			}
		}); err != nil {
			return fmt.Errorf("schedule %s: %w", j.name, err)
		}
	}
	for _, j := range jobs {
		if err := j.run(ctx, s.clock.Now()); err != nil {
			errs = append(errs, fmt.Errorf("catch up %s: %w", j.name, err))
		}
	}
	s.cron.Start()
	s.warming.Add(1)
	go func() {
		defer s.warming.Done()
		if err := s.Warm(ctx); err != nil && ctx.Err() == nil {
			s.logger.Warn("warm the scheduler's cache", "err", err)
		}
	}()
	return errors.Join(errs...)
}

// Warm reads every submission record into the scheduler's memory, so that
// later digests, overdue lists and reminder runs read only the rows added
// since. Start runs it in the background, so that the first /digest after
// a start does not pay for it.
func (s *Scheduler) Warm(ctx context.Context) error {
	_, _, err := s.readRecords(ctx)
	return err
}

// Stop stops scheduling jobs and returns a context that is done when the
// running ones have finished.
func (s *Scheduler) Stop() context.Context {
	if s.cron == nil {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}
	return s.cron.Stop()
}

// Close stops the jobs and waits for the running ones to finish.
func (s *Scheduler) Close() error {
	<-s.Stop().Done()
	if s.cancel != nil {
		s.cancel()
	}
	s.warming.Wait()
	return nil
}

// cronLogger sends cron's logging to slog; its routine chatter is debug.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}

// minuteOf returns t's time of day in the plan's time zone.
func (s *Scheduler) minuteOf(t time.Time) campaignbot.Clocktime {
	lt := t.In(s.plan.Load().Loc())
	return campaignbot.Clocktime(lt.Hour()*60 + lt.Minute())
}

// lastDay returns the day job last completed, ok false if never. A record
// dated after today was left by a clock that ran fast (and was put right):
// trusted, it would suppress the job until that day came. It is logged and
// taken as a run yesterday, so that today's run goes ahead; the days
// between the true last run and today are not known, so not caught up.
func (s *Scheduler) lastDay(ctx context.Context, job string, now time.Time) (campaignbot.Date, bool, error) {
	at, err := s.store.LastRun(ctx, job)
	if err != nil {
		return 0, false, fmt.Errorf("last run of %s: %w", job, err)
	}
	if at.IsZero() {
		return 0, false, nil
	}
	loc := s.plan.Load().Loc()
	day, today := campaignbot.DateOf(at, loc), campaignbot.DateOf(now, loc)
	if day > today {
		s.logger.Warn("the job's last run is recorded in the future: the clock ran fast; running today's as if the last run was yesterday",
			"job", job, "recorded", at.In(loc).Format(time.RFC3339), "now", now.In(loc).Format(time.RFC3339))
		return today - 1, true, nil
	}
	return day, true, nil
}

// runReminders enqueues the reminders of every day since the last completed
// run up to today, once today's run time has come.
func (s *Scheduler) runReminders(ctx context.Context, now time.Time) error {
	s.jobs.Lock()
	defer s.jobs.Unlock()
	p := s.plan.Load()
	today := campaignbot.DateOf(now, p.Loc())
	m := s.minuteOf(now)
	if m < s.remindAt || p.Policy.InQuiet(m) {
		return nil
	}
	last, ok, err := s.lastDay(ctx, JobReminders, now)
	if err != nil {
		return err
	}
	if ok && last >= today {
		return nil
	}
	from := today
	if ok {
		from = last + 1
	}
	prompts, err := s.computeReminders(ctx, from, today, now)
	if err != nil {
		return err
	}
	// The run is recorded with its messages: after a crash between the
	// two, a restart would recompute from changed data (submissions made
	// since) and could send what it folded before as prompts of their own.
	n, err := s.enqueueRun(ctx, messagesOf(prompts), JobReminders, now)
	if err != nil {
		return fmt.Errorf("record reminders run: %w", err)
	}
	s.logger.Info("reminders enqueued", "from", from, "to", today, "new", n)
	// Once a day, forget the raw updates and handled-message records that
	// de-duplication no longer needs (platforms retry within minutes).
	if n, err := s.store.DeleteProcessedInbound(ctx, now.Add(-IntakeRetention)); err != nil {
		s.logger.Error("delete processed updates", "err", err)
	} else if n > 0 {
		s.logger.Info("processed updates deleted", "count", n)
	}
	return nil
}

// RunMaintenance runs the nightly maintenance once a day, at or after
// MaintainAt (a start after that time catches up): abandoned anonymous
// dialogs are dropped and the physical order of anonymous rows is erased
// (SPEC §2, §8).
func (s *Scheduler) RunMaintenance(ctx context.Context, now time.Time) error {
	s.jobs.Lock()
	defer s.jobs.Unlock()
	today := campaignbot.DateOf(now, s.plan.Load().Loc())
	if last, ok, err := s.lastDay(ctx, JobMaintenance, now); err != nil {
		return err
	} else if ok && last >= today || s.minuteOf(now) < MaintainAt {
		return nil
	}
	if err := s.store.MaintainAnonymity(ctx, now.Add(-AnonymousDialogIdle)); err != nil {
		return fmt.Errorf("maintain anonymity: %w", err)
	}
	if err := s.store.SetLastRun(ctx, JobMaintenance, now); err != nil {
		return fmt.Errorf("record maintenance run: %w", err)
	}
	s.logger.Info("nightly maintenance done", "day", today)
	return nil
}

// IntakeRetention is how long processed platform updates and handled-message
// records are kept for de-duplication.
const IntakeRetention = 7 * 24 * time.Hour

// RunDay enqueues the reminders of day as the daily job would, at the
// clock's time, without touching the job's record; it returns how many
// outbox rows were new. Keys make running it twice harmless.
func (s *Scheduler) RunDay(ctx context.Context, day campaignbot.Date) (int, error) {
	s.jobs.Lock()
	defer s.jobs.Unlock()
	return s.enqueueReminders(ctx, day, day, s.clock.Now())
}

// Preview returns the prompts that day's reminders job would enqueue, with
// recipients' names and reasons, without enqueueing anything. Prompts for
// people with no bound account have no Messages.
func (s *Scheduler) Preview(ctx context.Context, day campaignbot.Date) ([]Prompt, error) {
	now := day.Time(s.plan.Load().Loc()).Add(time.Duration(s.remindAt) * time.Minute)
	return s.computeReminders(ctx, day, day, now)
}

func (s *Scheduler) enqueueReminders(ctx context.Context, from, to campaignbot.Date, now time.Time) (int, error) {
	prompts, err := s.computeReminders(ctx, from, to, now)
	if err != nil {
		return 0, err
	}
	return s.enqueue(ctx, messagesOf(prompts))
}

// messagesOf returns the outbox messages of the prompts.
func messagesOf(prompts []Prompt) []*campaignbot.OutboxMessage {
	var msgs []*campaignbot.OutboxMessage
	for _, p := range prompts {
		msgs = append(msgs, p.Messages...)
	}
	return msgs
}

func (s *Scheduler) enqueue(ctx context.Context, msgs []*campaignbot.OutboxMessage) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	return s.enqueueRun(ctx, msgs, "", time.Time{})
}

// enqueueRun enqueues msgs and, unless job is "", records the job's run in
// the same transaction; it wakes the dispatcher when something is new.
func (s *Scheduler) enqueueRun(ctx context.Context, msgs []*campaignbot.OutboxMessage, job string, at time.Time) (int, error) {
	// The messages and the record of the run commit together: a crash
	// cannot leave a run's messages queued but the run unrecorded, which
	// the next start would compute again from changed data.
	var n int
	err := s.store.Atomic(ctx, func(ctx context.Context) (err error) {
		if n, err = s.store.EnqueueOutbox(ctx, msgs); err != nil || job == "" {
			return err
		}
		return s.store.SetLastRun(ctx, job, at)
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	if n > 0 && s.onQueue != nil {
		s.onQueue()
	}
	return n, nil
}

func (s *Scheduler) computeReminders(ctx context.Context, from, to campaignbot.Date, now time.Time) ([]Prompt, error) {
	s.heavy.Lock()
	defer s.heavy.Unlock()
	d, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	p := s.plan.Load()
	return ComputeReminders(ReminderInput{
		Plan: p, Day: to, From: from, Now: now,
		People: d.people, Accounts: d.accounts, Leaves: d.leaves,
		Obligations:    d.obligations(p, to, true),
		GroupPlatforms: s.groups, Lang: s.lang,
	}), nil
}

// data is a consistent view of the store for one run.
type data struct {
	people      []*campaignbot.Person
	byID        map[int64]*campaignbot.Person
	departments []*campaignbot.Department
	deptByID    map[int64]*campaignbot.Department
	accounts    []*campaignbot.Account
	bound       map[int64][]campaignbot.Platform
	leaves      []campaignbot.Leave
	records     []campaignbot.SubmissionRecord
	keys        campaignbot.TaskKeys
	returned    []int64 // IDs of returned versions, in order: they do not count
	inReview    []*campaignbot.Submission
	claims      []campaignbot.Claim
	answered    []campaignbot.SurveyTaken
}

// load reads the roster, the submission records added since the last load
// and the rest of what the jobs and digests read in bulk. The records, the
// people and the rest are read side by side, on two cores (SPEC §10): at
// 100,000 people the people are a third of a later digest.
func (s *Scheduler) load(ctx context.Context) (*data, error) {
	d := &data{}
	var recErr, peopleErr error
	var wg sync.WaitGroup
	wg.Go(func() { d.records, d.keys, recErr = s.readRecords(ctx) })
	wg.Go(func() {
		if d.people, peopleErr = s.store.FindPeople(ctx, campaignbot.PersonFilter{}); peopleErr != nil {
			peopleErr = fmt.Errorf("load people: %w", peopleErr)
		}
	})
	err := s.loadRest(ctx, d)
	wg.Wait()
	if err = errors.Join(err, recErr, peopleErr); err != nil {
		return nil, err
	}
	d.byID = make(map[int64]*campaignbot.Person, len(d.people))
	for _, p := range d.people {
		d.byID[p.ID] = p
	}
	d.deptByID = make(map[int64]*campaignbot.Department, len(d.departments))
	for _, dep := range d.departments {
		d.deptByID[dep.ID] = dep
	}
	d.bound = make(map[int64][]campaignbot.Platform)
	for _, a := range d.accounts {
		d.bound[a.PersonID] = append(d.bound[a.PersonID], a.Platform)
	}
	return d, nil
}

// loadRest reads what load reads besides the submission records and the
// people.
func (s *Scheduler) loadRest(ctx context.Context, d *data) error {
	var err error
	if d.departments, err = s.store.FindDepartments(ctx); err != nil {
		return fmt.Errorf("load departments: %w", err)
	}
	if d.accounts, err = s.store.FindAllAccounts(ctx); err != nil {
		return fmt.Errorf("load accounts: %w", err)
	}
	if d.leaves, err = s.store.FindAllLeaves(ctx); err != nil {
		return fmt.Errorf("load leave: %w", err)
	}
	if d.returned, err = s.store.FindReturnedSubmissionIDs(ctx); err != nil {
		return err
	}
	if d.inReview, err = s.store.FindSubmissionsInReview(ctx); err != nil {
		return err
	}
	if d.claims, err = s.store.FindClaims(ctx); err != nil {
		return err
	}
	if d.answered, err = s.store.FindSurveyParticipation(ctx); err != nil {
		return err
	}
	return nil
}

// readRecords reads the submission records after the ones kept and returns
// all of them, with the keys their tasks are numbered by. Later reads
// append after the returned lengths, never inside them, so the caller can
// use the slices without s.mu.
func (s *Scheduler) readRecords(ctx context.Context) ([]campaignbot.SubmissionRecord, campaignbot.TaskKeys, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var last int64
	if n := len(s.records); n > 0 {
		last = s.records[n-1].ID
	}
	recs, keys, err := s.store.FindSubmissionRecordsAfter(ctx, last, s.keys)
	if err != nil {
		return nil, nil, err
	}
	if s.records == nil {
		s.records = recs
	} else {
		s.records = append(s.records, recs...)
	}
	s.keys = keys
	return slices.Clip(s.records), slices.Clip(s.keys), nil
}

// obligations computes everyone's obligations as of day; unmet leaves out
// those done or in review (campaignbot.ObligationInput.Unmet).
func (d *data) obligations(plan *campaignbot.Plan, day campaignbot.Date, unmet bool) []campaignbot.Obligation {
	inReview := make([]int64, len(d.inReview))
	for i, sub := range d.inReview {
		inReview[i] = sub.ID // FindSubmissionsInReview's order is by ID
	}
	return campaignbot.Obligations(campaignbot.ObligationInput{
		Plan: plan, Day: day, People: d.people, Submissions: d.records, TaskKeys: d.keys, Returned: d.returned, InReview: inReview,
		Claims: d.claims, Leaves: d.leaves, Answered: d.answered, Unmet: unmet,
	})
}

// SubmissionRecords returns the records of every submission, oldest first,
// from the cache the digests keep (only rows added since the last read are
// read): the web console's dashboard computes everyone's obligations from
// them too, and rereading 200,000 rows per page costs it the 500 ms of
// SPEC §10. The slice must not be changed.
func (s *Scheduler) SubmissionRecords(ctx context.Context) ([]campaignbot.SubmissionRecord, campaignbot.TaskKeys, error) {
	return s.readRecords(ctx)
}
