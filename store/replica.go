package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Several replicas on one PostgreSQL database (SPEC §8) share the work two
// ways, both with session advisory locks on a connection of their own:
// the server frees such a lock the moment the connection ends, however
// the replica ended (a SIGKILL closes its socket; a machine that vanished
// is noticed by TCP keepalive within about 20 s), so no lease has to run
// out and no row has to be swept.
//
//   - Lanes: the intake of a replica processes a sender's updates only
//     while it holds the sender's lane, so that no two replicas work on one
//     sender at once and each sender's messages stay in order.
//   - Leader: one replica holds the leader lock and runs the scheduler and
//     the dispatcher; the others try for it every LeaderRetry.
//   - Poller: without a webhook, one replica holds the poll lock and
//     long-polls Telegram for updates (Poll); the others serve WeCom's
//     callbacks and the web console.
//
// (riverqueue/river elects its leader through a row with an expiry that
// the leader keeps renewing, which also works through poolers that do not
// keep a session; a campaign bot connects straight to its database, and
// the session lock frees itself without a renewal loop.)
//
// On SQLite there is one process per store (InstanceLock): it leads, and
// every lane is its own.

// LeaderRetry is how often a replica that is not the leader tries to
// become it, and how often the leader checks that its lock's connection
// is alive: a leader that dies is replaced within LeaderRetry of the
// server freeing its lock.
const LeaderRetry = 5 * time.Second

// Lanes are the sender lanes a replica holds.
type Lanes struct {
	db   *DB
	mu   sync.Mutex
	conn *pgx.Conn // nil on SQLite, or until the first lock
	held map[string]int32
}

// Lanes returns the store's lane holder for one intake.
func (db *DB) Lanes() *Lanes { return &Lanes{db: db, held: map[string]int32{}} }

// laneKey is a lane's advisory lock key; two lanes whose keys collide are
// only serialized with each other.
func laneKey(lane string) int32 {
	h := fnv.New32a()
	h.Write([]byte(lane))
	return int32(h.Sum32())
}

// TryLock takes the lanes no other replica holds and returns those held
// now (with any held before). On SQLite it returns every lane.
func (l *Lanes) TryLock(ctx context.Context, lanes []string) (map[string]bool, error) {
	got := make(map[string]bool, len(lanes))
	if !l.db.pg {
		for _, lane := range lanes {
			got[lane] = true
		}
		return got, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.connect(ctx); err != nil {
		return nil, err
	}
	for _, lane := range lanes {
		if _, ok := l.held[lane]; ok {
			got[lane] = true
			continue
		}
		k := laneKey(lane)
		var ok bool
		if err := l.conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, int32(laneLockSpace), k).Scan(&ok); err != nil {
			l.drop()
			return nil, fmt.Errorf("lock lane: %w", err)
		}
		if ok {
			l.held[lane] = k
			got[lane] = true
		}
	}
	return got, nil
}

// Release lets go of one lane, if held. A lane whose key another held lane
// shares stays locked until that one goes too.
func (l *Lanes) Release(ctx context.Context, lane string) error {
	if !l.db.pg {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	k, ok := l.held[lane]
	if !ok || l.conn == nil {
		return nil
	}
	delete(l.held, lane)
	for _, other := range l.held {
		if other == k {
			return nil
		}
	}
	if _, err := l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, int32(laneLockSpace), k); err != nil {
		l.drop()
		return fmt.Errorf("release lane: %w", err)
	}
	return nil
}

// ReleaseAll lets go of every lane held.
func (l *Lanes) ReleaseAll(ctx context.Context) error {
	if !l.db.pg {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil || len(l.held) == 0 {
		return nil
	}
	// One key may stand for two lanes (a collision): unlock it once.
	keys := map[int32]bool{}
	for _, k := range l.held {
		keys[k] = true
	}
	for k := range keys {
		if _, err := l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, int32(laneLockSpace), k); err != nil {
			// The connection is in doubt: closing it frees every lock.
			l.drop()
			return fmt.Errorf("release lane: %w", err)
		}
	}
	clear(l.held)
	return nil
}

// Close releases the lanes and closes their connection.
func (l *Lanes) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.drop()
	return nil
}

func (l *Lanes) connect(ctx context.Context) error {
	if l.conn != nil {
		return nil
	}
	conn, err := pgx.ConnectConfig(ctx, l.db.pgConfig)
	if err != nil {
		return fmt.Errorf("lanes: connect: %w", err)
	}
	l.conn = conn
	return nil
}

// drop closes the connection, which frees its locks. The caller holds mu.
func (l *Lanes) drop() {
	if l.conn != nil {
		l.conn.Close(context.Background())
		l.conn = nil
	}
	clear(l.held)
}

// ErrLeadershipLost is returned by Lead when the leader lock's connection
// failed while lead was running: another replica may lead by now.
var ErrLeadershipLost = errors.New("lost the lock (its database connection failed): another replica may hold it now")

// Lead waits until this replica holds the leader lock, then runs lead with
// a context that is cancelled if the lock is lost, and returns what lead
// returns — ErrLeadershipLost if the lock went first. It returns nil
// without running lead if ctx ends first. On SQLite it runs lead at once.
// onWait, if not nil, is called once when another replica leads.
func (db *DB) Lead(ctx context.Context, onWait func(), lead func(context.Context) error) error {
	return db.hold(ctx, leaderLockKey, onWait, lead)
}

// Poll is Lead for the replica that long-polls a platform for updates
// (Telegram's getUpdates answers one poller at a time and ends the poll
// of any other with 409 Conflict): one replica at a time runs poll, and
// another takes over within LeaderRetry of the server freeing the lock.
// It is a lock of its own, not the leader's, so that a replica that lost
// it goes on serving and tries for it again.
func (db *DB) Poll(ctx context.Context, onWait func(), poll func(context.Context) error) error {
	return db.hold(ctx, pollLockKey, onWait, poll)
}

// hold runs fn while this replica holds the session advisory lock key, on
// a connection of its own (Lead).
func (db *DB) hold(ctx context.Context, key int64, onWait func(), fn func(context.Context) error) error {
	if !db.pg {
		return fn(ctx)
	}
	var conn *pgx.Conn
	waited := false
	for {
		if conn == nil {
			c, err := pgx.ConnectConfig(ctx, db.pgConfig)
			if err != nil && ctx.Err() != nil {
				return nil
			} else if err == nil {
				conn = c
			}
		}
		if conn != nil {
			var ok bool
			err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok)
			if err == nil && ok {
				break
			}
			if err != nil {
				conn.Close(context.Background())
				conn = nil
			}
		}
		if !waited && onWait != nil {
			onWait()
		}
		waited = true
		select {
		case <-ctx.Done():
			if conn != nil {
				conn.Close(context.Background())
			}
			return nil
		case <-time.After(LeaderRetry):
		}
	}
	defer conn.Close(context.Background()) // frees the lock
	lctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-lctx.Done():
				return
			case <-time.After(LeaderRetry):
			}
			pctx, pcancel := context.WithTimeout(lctx, LeaderRetry)
			err := conn.Ping(pctx)
			pcancel()
			if err != nil && lctx.Err() == nil {
				cancel(ErrLeadershipLost)
				return
			}
		}
	}()
	err := fn(lctx)
	cancel(nil)
	<-watched
	if cause := context.Cause(lctx); errors.Is(cause, ErrLeadershipLost) {
		return ErrLeadershipLost
	}
	return err
}
