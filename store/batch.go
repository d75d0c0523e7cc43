package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
)

// Group commit. A write transaction costs SQLite about as much to commit as
// the statements in it cost to run (the WAL frames of every page it touched,
// the WAL index, the locks), so when several chats' messages arrive at once
// the writes of the chat path are run together: the writer goroutine takes
// every write waiting for it, runs each in a savepoint of one transaction
// and commits once. A write that fails rolls back to its savepoint and
// fails alone; a commit that fails fails them all, so no caller is told of
// a write that did not reach the database. A lone write runs in a
// transaction of its own, as beginTx would run it.

// maxBatch bounds the writes committed together, so that one commit stays
// short and a waiting reader's snapshot is never far behind.
const maxBatch = 64

// writeOp is one write waiting for the writer goroutine.
type writeOp struct {
	ctx  context.Context
	fn   func(context.Context, *Tx) error
	done chan error
}

// The savepoint statements, prepared with the frequent ones.
const (
	qSavepoint  = `SAVEPOINT w`
	qRollbackTo = `ROLLBACK TO w`
)

// errClosed is returned for writes asked of a closed store.
var errClosed = errors.New("store is closed")

// write runs fn in a write transaction, possibly together with other
// callers' writes, and returns once that transaction has committed (nil) or
// failed. fn must not commit or roll back tx; it sees tx.now as the time of
// its own write. Once fn has started it runs to the end even if ctx is done,
// since cancelling one statement would roll back the whole transaction.
func (db *DB) write(ctx context.Context, fn func(context.Context, *Tx) error) error {
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.ops <- op:
	case <-db.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-op.done
}

// writeLoop is the writer goroutine: it runs the waiting writes in batches
// until Close.
func (db *DB) writeLoop() {
	defer close(db.stopped)
	batch := make([]*writeOp, 0, maxBatch)
	for {
		select {
		case op := <-db.ops:
			batch = append(batch[:0], op)
		case <-db.quit:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case op := <-db.ops:
				batch = append(batch, op)
			default:
				break more
			}
		}
		db.runBatch(batch)
		clear(batch)
		// The callers just answered are runnable on this thread's queue;
		// let them go first, so that those that write again (the next
		// message of a busy sender) join the next batch instead of
		// waiting behind it.
		runtime.Gosched()
	}
}

// runBatch runs ops in one transaction and tells each its outcome.
func (db *DB) runBatch(ops []*writeOp) {
	live := ops[:0:0]
	for _, op := range ops {
		if err := op.ctx.Err(); err != nil {
			op.done <- err // never started: nothing to undo
			continue
		}
		live = append(live, op)
	}
	if len(live) == 0 {
		return
	}
	tx, err := db.beginTx(context.Background())
	if err != nil {
		for _, op := range live {
			op.done <- err
		}
		return
	}
	defer tx.Rollback()

	if len(live) == 1 {
		op := live[0]
		if err := op.call(tx); err != nil {
			op.done <- err
			return
		}
		err := tx.commit()
		if err == nil {
			db.writes.Add(1)
			db.batchCommits.Add(1)
		}
		op.done <- err
		return
	}

	errs := make([]error, len(live))
	for i, op := range live {
		tx.now = db.Now().UTC()
		errs[i], err = runSavepoint(op, tx)
		if err != nil {
			// The savepoint could not be rolled back or released: the
			// transaction is in doubt, so none of it is committed.
			err = fmt.Errorf("batched write: %w", err)
			for _, op := range live {
				op.done <- err
			}
			return
		}
	}
	cerr := tx.commit()
	if cerr == nil {
		db.batchCommits.Add(1)
		for _, err := range errs {
			if err == nil {
				db.writes.Add(1)
			}
		}
	}
	for i, op := range live {
		if errs[i] == nil {
			errs[i] = cerr
		}
		op.done <- errs[i]
	}
}

// runSavepoint runs op inside a savepoint of tx: its changes stay if it
// succeeds and are undone if it fails. opErr is op's own failure; err is a
// failure of the savepoint itself, which dooms the transaction. Savepoints
// are not released: each op's nests in the one before, COMMIT keeps them
// all, and a statement fewer per write is worth more than the nesting
// costs (at most maxBatch levels).
func runSavepoint(op *writeOp, tx *Tx) (opErr, err error) {
	ctx := context.WithoutCancel(op.ctx)
	if _, err := tx.ExecContext(ctx, qSavepoint); err != nil {
		return nil, err
	}
	if opErr = op.call(tx); opErr != nil {
		// Rolling back to the savepoint leaves it on the stack, empty.
		if _, err := tx.ExecContext(ctx, qRollbackTo); err != nil {
			return opErr, err
		}
	}
	return opErr, nil
}

// call runs op's function in tx with op's context values but not its
// cancellation. A panic becomes op's error instead of ending the writer
// goroutine, and with it every later write.
func (op *writeOp) call(tx *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write panicked: %v", r)
		}
	}()
	return op.fn(context.WithoutCancel(op.ctx), tx)
}
