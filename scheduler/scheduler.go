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
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"campaignbot"
)

// Job names, as recorded by JobService.
const (
	JobReminders = "reminders"
	JobDigest    = "digest"
)

// DefaultRemindAt is when the reminders job runs, in the plan's time zone,
// unless the plan's policy says (remind_at).
const DefaultRemindAt campaignbot.Clocktime = 9 * 60

// Store is what the scheduler reads and writes; *store.DB implements it.
type Store interface {
	campaignbot.Store
	campaignbot.ObligationSource
	campaignbot.DigestService
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

	mu   sync.Mutex // guards snap and the three below
	snap snapshot
	// started is set by Start: from then on loads save the record snapshot
	// in the background when due. A scheduler used once, without Start and
	// Close, saves nothing: its caller may close the store meanwhile.
	started bool
	saving  bool // a background save is running
	// savingRoster is set while a roster snapshot is saved in the
	// background; rosterSaved is when the last one started.
	savingRoster bool
	rosterSaved  time.Time
	closed       bool           // Close has begun: no more background saves
	saves        sync.WaitGroup // the background saves
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
// start. Safe for concurrent use.
func (s *Scheduler) SetPlan(p *campaignbot.Plan) { s.plan.Store(p) }

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
	s.mu.Lock()
	s.started = true
	s.mu.Unlock()
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

// Warm reads the roster and every submission record into the scheduler's
// cache, so that later digests, overdue lists and reminder runs read only
// what changed. Start runs it in the background, so that the first /digest
// after a start is as fast as any other. With 200,000 submissions the first
// read takes most of a second unless the store keeps a record snapshot
// (campaignbot.SubmissionRecordSnapshotService), which a started scheduler
// saves as records accumulate, and Close: then it takes tens of
// milliseconds.
func (s *Scheduler) Warm(ctx context.Context) error {
	_, err := s.load(ctx)
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

// Close stops the jobs and waits for the running ones to finish. If the
// store keeps a record snapshot and records were read since the last save,
// it saves them, and the roster snapshot likewise, so that the next process
// starts from them.
func (s *Scheduler) Close() error {
	<-s.Stop().Done()
	if s.cancel != nil {
		s.cancel()
	}
	s.warming.Wait()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.saves.Wait()
	s.saveRecordsOnClose()
	s.saveRoster(context.Background())
	return nil
}

// rosterSnapshotter is implemented by stores that keep a roster snapshot
// (*store.DB): FindPeople with no filter then decodes one value instead of
// reading every person's rows while the roster is unchanged.
type rosterSnapshotter interface {
	SaveRosterSnapshot(ctx context.Context) error
}

// rosterSaveEvery spaces the roster snapshot's saves: while members bind
// their accounts the roster changes by the minute, and a snapshot a few
// changes old is not used anyway (the tables are read instead).
const rosterSaveEvery = 10 * time.Minute

// saveRosterIfDue saves the roster snapshot in the background after the
// scheduler read a changed roster, at most every rosterSaveEvery, once
// Start has run; s.mu is held.
func (s *Scheduler) saveRosterIfDue(ctx context.Context) {
	if _, ok := s.store.(rosterSnapshotter); !ok || !s.started || s.closed || s.savingRoster ||
		(!s.rosterSaved.IsZero() && s.clock.Now().Sub(s.rosterSaved) < rosterSaveEvery) {
		return
	}
	s.savingRoster, s.rosterSaved = true, s.clock.Now()
	s.saves.Add(1)
	go func() {
		defer s.saves.Done()
		s.saveRoster(context.WithoutCancel(ctx))
		s.mu.Lock()
		s.savingRoster = false
		s.mu.Unlock()
	}()
}

// saveRoster saves the roster snapshot and logs a failure: it only makes a
// new process's first load faster.
func (s *Scheduler) saveRoster(ctx context.Context) {
	st, ok := s.store.(rosterSnapshotter)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, recordSaveTimeout)
	defer cancel()
	switch err := st.SaveRosterSnapshot(ctx); {
	case campaignbot.ErrorCode(err) == campaignbot.ECONFLICT:
		s.logger.Info("roster snapshot not saved", "reason", err)
	case err != nil:
		s.logger.Warn("save the roster snapshot", "err", err)
	}
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

// lastDay returns the day job last completed, ok false if never.
func (s *Scheduler) lastDay(ctx context.Context, job string) (campaignbot.Date, bool, error) {
	at, err := s.store.LastRun(ctx, job)
	if err != nil {
		return 0, false, fmt.Errorf("last run of %s: %w", job, err)
	}
	if at.IsZero() {
		return 0, false, nil
	}
	return campaignbot.DateOf(at, s.plan.Load().Loc()), true, nil
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
	last, ok, err := s.lastDay(ctx, JobReminders)
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
	n, err := s.store.EnqueueOutboxRun(ctx, msgs, job, at)
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
		People: d.people, Departments: d.departments, Accounts: d.accounts, Leaves: d.leaves,
		Obligations:    d.obligations(p, to, nil),
		GroupPlatforms: s.groups, Lang: s.lang,
	}), nil
}

// snapshot caches what the jobs and digests read in bulk: the roster (while
// its fingerprint holds) and every submission record (appended to, since
// submissions are never deleted; returned versions are filtered per read).
// A store with a record snapshot also reports the epoch, which moves if a
// submission is deleted or changed after all: the records are then read
// again.
type snapshot struct {
	version     string
	people      []*campaignbot.Person
	departments []*campaignbot.Department
	accounts    []*campaignbot.Account
	leaves      []campaignbot.Leave
	// The roster's lookup maps (indexRoster), shared read-only by every
	// data built from this version.
	byID     map[int64]*campaignbot.Person
	deptByID map[int64]*campaignbot.Department
	bound    map[int64][]campaignbot.Platform

	records recordList
	maxID   int64
	epoch   int64
	// saved is how many of records (a prefix) were last saved as the
	// store's record snapshot, or failed to be: the next attempt waits
	// for more.
	saved int
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
	records     recordList // a view
	returned    []int64    // IDs of returned versions, in order: they do not count
	claims      []campaignbot.Claim
}

// load refreshes the snapshot and returns a view of it. When the roster
// changed, as it has for a new process, the people, the slowest of its
// reads, are read beside the rest.
func (s *Scheduler) load(ctx context.Context) (*data, error) {
	version, err := s.store.RosterVersion(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := &s.snap
	reload := version != sn.version
	var people []*campaignbot.Person
	var peopleErr error
	var wg sync.WaitGroup
	if reload {
		wg.Go(func() { people, peopleErr = s.findPeople(ctx) })
	}
	returned, claims, err := s.loadRest(ctx, sn, reload)
	wg.Wait()
	if err == nil && peopleErr != nil {
		err = fmt.Errorf("load people: %w", peopleErr)
	}
	if err != nil {
		return nil, err // a roster half read is read again: sn.version stays
	}
	if reload {
		sn.people, sn.version = people, version
		sn.indexRoster()
		s.saveRosterIfDue(ctx)
	}
	return &data{
		people: sn.people, departments: sn.departments, accounts: sn.accounts, leaves: sn.leaves,
		byID: sn.byID, deptByID: sn.deptByID, bound: sn.bound,
		records: sn.records.view(), returned: returned, claims: claims,
	}, nil
}

// indexRoster builds the roster's lookup maps, once per roster version:
// every digest reads them, none changes them.
func (sn *snapshot) indexRoster() {
	sn.byID = make(map[int64]*campaignbot.Person, len(sn.people))
	sn.deptByID = make(map[int64]*campaignbot.Department, len(sn.departments))
	sn.bound = make(map[int64][]campaignbot.Platform)
	for _, p := range sn.people {
		sn.byID[p.ID] = p
	}
	for _, dep := range sn.departments {
		sn.deptByID[dep.ID] = dep
	}
	for _, a := range sn.accounts {
		sn.bound[a.PersonID] = append(sn.bound[a.PersonID], a.Platform)
	}
}

// findPeople returns everyone.
func (s *Scheduler) findPeople(ctx context.Context) ([]*campaignbot.Person, error) {
	return s.store.FindPeople(ctx, campaignbot.PersonFilter{})
}

// loadRest reads the rest of a load while the people are read: the other
// roster tables if reload is set, the submission records after the cached
// ones (saving the record snapshot if due), the versions returned for
// revision and the claims.
func (s *Scheduler) loadRest(ctx context.Context, sn *snapshot, reload bool) (returned []int64, claims []campaignbot.Claim, err error) {
	if reload {
		if sn.departments, err = s.store.FindDepartments(ctx); err != nil {
			return nil, nil, fmt.Errorf("load departments: %w", err)
		}
		if sn.accounts, err = s.store.FindAllAccounts(ctx); err != nil {
			return nil, nil, fmt.Errorf("load accounts: %w", err)
		}
		if sn.leaves, err = s.store.FindAllLeaves(ctx); err != nil {
			return nil, nil, fmt.Errorf("load leave: %w", err)
		}
	}
	recs, err := s.readRecords(ctx, sn)
	if err != nil {
		return nil, nil, err
	}
	if len(recs) > 0 {
		sn.records.append(recs)
		sn.maxID = recs[len(recs)-1].ID
	}
	s.saveRecordsIfDue(ctx, sn)
	if returned, err = s.store.FindReturnedSubmissionIDs(ctx); err != nil {
		return nil, nil, err
	}
	if claims, err = s.store.FindClaims(ctx); err != nil {
		return nil, nil, err
	}
	return returned, claims, nil
}

// obligations computes the obligations as of day, for people (everyone when nil).
func (d *data) obligations(plan *campaignbot.Plan, day campaignbot.Date, people []*campaignbot.Person) []campaignbot.Obligation {
	if people == nil {
		people = d.people
	}
	return campaignbot.Obligations(campaignbot.ObligationInput{
		Plan: plan, Day: day, People: people, SubmissionSeq: d.records.all(), Returned: d.returned, Claims: d.claims, Leaves: d.leaves,
	})
}

// readRecords returns the submission records after the cached ones. With a
// store that keeps a record snapshot, a moved epoch (a submission deleted
// or changed) empties the cache and every record is read again.
func (s *Scheduler) readRecords(ctx context.Context, sn *snapshot) ([]campaignbot.SubmissionRecord, error) {
	st, ok := s.store.(campaignbot.SubmissionRecordSnapshotService)
	if !ok {
		return s.store.FindSubmissionRecordsAfter(ctx, sn.maxID)
	}
	recs, epoch, err := st.FindSubmissionRecordsInEpoch(ctx, sn.maxID)
	if err != nil {
		return nil, err
	}
	if epoch != sn.epoch && sn.maxID != 0 {
		s.logger.Info("submissions were deleted or changed: reading every record again")
		sn.records, sn.maxID, sn.saved = recordList{}, 0, 0
		if recs, epoch, err = st.FindSubmissionRecordsInEpoch(ctx, 0); err != nil {
			return nil, err
		}
	}
	sn.epoch = epoch
	return recs, nil
}

// The record snapshot is first saved once a load finds recordSaveMin
// records (fewer are read quickly enough), then whenever the records not in
// it reach a tenth of those in it or recordSaveMaxBehind, whichever is
// fewer; a new process reads the rows after it one by one.
const (
	recordSaveMin       = 1000
	recordSaveMaxBehind = 20000
	// recordSaveTimeout bounds one save (encoding and one short write).
	recordSaveTimeout = time.Minute
)

// recordSaveDue reports whether n records, of which the saved snapshot
// holds the first saved, call for a save.
func recordSaveDue(n, saved int) bool {
	if n < recordSaveMin {
		return false
	}
	return n-saved >= max(min(saved/10, recordSaveMaxBehind), 1)
}

// saveRecordsIfDue starts saving the cached records as the store's record
// snapshot, in the background, when enough are not in it yet and Start has
// run; s.mu is held. After a restart the first load saves too (saved is
// not known yet), which costs the store one look when its snapshot already
// reaches as far.
func (s *Scheduler) saveRecordsIfDue(ctx context.Context, sn *snapshot) {
	st, ok := s.store.(campaignbot.SubmissionRecordSnapshotService)
	if !ok || !s.started || s.saving || s.closed || !recordSaveDue(sn.records.len(), sn.saved) {
		return
	}
	n := sn.records.len()
	// Later loads append after n, never write before it: the view can be
	// read without s.mu.
	recs, epoch := sn.records.view(), sn.epoch
	s.saving = true
	s.saves.Add(1)
	go func() {
		defer s.saves.Done()
		s.saveRecords(context.WithoutCancel(ctx), st, recs, epoch)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.saving = false
		if s.snap.epoch == epoch {
			s.snap.saved = max(s.snap.saved, n)
		}
	}()
}

// saveRecordsOnClose saves the cached records if the store's record
// snapshot lacks some of them.
func (s *Scheduler) saveRecordsOnClose() {
	st, ok := s.store.(campaignbot.SubmissionRecordSnapshotService)
	if !ok {
		return
	}
	s.mu.Lock()
	n, sn := s.snap.records.len(), &s.snap
	recs, epoch, stale := sn.records.view(), sn.epoch, n >= recordSaveMin && n > sn.saved
	s.mu.Unlock()
	if stale {
		s.saveRecords(context.Background(), st, recs, epoch)
	}
}

// saveRecords saves recs as the store's record snapshot and logs a failure:
// the snapshot only makes a new process's first load faster.
func (s *Scheduler) saveRecords(ctx context.Context, st campaignbot.SubmissionRecordSnapshotService, recs recordList, epoch int64) {
	ctx, cancel := context.WithTimeout(ctx, recordSaveTimeout)
	defer cancel()
	err := st.SaveSubmissionRecordSnapshot(ctx, recs.all(), epoch)
	switch {
	case campaignbot.ErrorCode(err) == campaignbot.ECONFLICT:
		s.logger.Info("submission record snapshot not saved", "reason", err)
	case err != nil:
		s.logger.Warn("save the submission record snapshot", "err", err)
	default:
		s.logger.Debug("submission record snapshot saved", "records", recs.len())
	}
}
