package store

import (
	"context"
	"database/sql"
	"fmt"

	"campaignbot"
)

// Parsing SQL costs as much as running it for the small statements of the
// chat path, so the store prepares its frequent statements once at Open, on
// both pools, and transactions reuse them (database/sql then prepares them
// once per connection). They cannot be prepared lazily: preparing on a pool
// needs a free connection, and the writer's only connection is busy with
// the transaction that wants the statement.

// stmtSet maps a query's text to its statement prepared on one pool.
type stmtSet map[string]*sql.Stmt

// prepareAll prepares queries on pool.
func prepareAll(ctx context.Context, pool *sql.DB, queries []string) (stmtSet, error) {
	set := stmtSet{}
	for _, q := range queries {
		if _, ok := set[q]; ok {
			continue
		}
		s, err := pool.PrepareContext(ctx, q)
		if err != nil {
			set.close()
			return nil, fmt.Errorf("prepare %q: %w", q, err)
		}
		set[q] = s
	}
	return set, nil
}

// close closes every statement.
func (set stmtSet) close() {
	for _, s := range set {
		s.Close()
	}
}

// stmt returns the transaction's copy of the prepared statement for query,
// or nil when query is not one of the prepared ones.
func (tx *Tx) stmt(ctx context.Context, query string) *sql.Stmt {
	s := tx.set[query]
	if s == nil {
		return nil
	}
	if ts := tx.local[query]; ts != nil {
		return ts
	}
	if tx.local == nil {
		tx.local = map[string]*sql.Stmt{}
	}
	ts := tx.Tx.StmtContext(ctx, s)
	tx.local[query] = ts
	return ts
}

// ExecContext runs query in the transaction, prepared if it is a frequent one.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := tx.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs query in the transaction, prepared if it is a frequent one.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := tx.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction, prepared if it is a
// frequent one.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := tx.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

// frequentQueries lists the statements of the chat path and the dispatcher
// (identifying the sender, de-duplicating, dialogs, submissions, problems,
// the outbox) and those run per person by a roster import or invite --all.
// Each must be the exact text the code runs.
func frequentQueries() []string {
	id, name := int64(0), ""
	qs := []string{
		qPersonExists, qPersonByName, qInsertPerson, qUpdatePerson, qGrantRole, qRevokeRole, qClearInCharge,
		qClearLeader, qFreeDepartment, qSetInCharge, qSetLeader, qEnsureDepartment, qInsertInvite,
		qSourceKey, qInsertNextPerson, qInsertNextDept,
		insertAttachmentsQuery("submission_attachments", "submission_id"),
		insertAttachmentsQuery("problem_event_attachments", "event_id"),
		qInsertProblemEvent, qUpdateProblem,
		qEnqueue, qClaimOutbox, qMarkSent, qMarkRetry, qFindPrompt, qCountPrompts,
		qSaveInbound, qPendingInbound, qMarkInboundProcessed, qMarkHandled,
		qFindDialog, qSaveDialog, qDeleteDialog, qLastRun, qSetLastRun,
		findAccountsQuery(accountByID), findAccountsQuery(accountsByPerson), qArrival,
		qSavepoint, qRollbackTo,
	}
	qs = append(qs, findSubmissionsQueries(`id = ?`)...)
	qs = append(qs, findProblemsQueries(`id = ?`)...)
	for _, f := range []campaignbot.PersonFilter{{ID: &id}, {Name: &name}} {
		cond, _ := peopleWhere(f)
		qs = append(qs, findPeopleQueries(cond)...)
	}
	return qs
}

// readRow runs a frequent single-statement read outside any transaction: a
// statement is atomic by itself in SQLite, and BEGIN and ROLLBACK around it
// cost as much as the query on the chat path.
func (db *DB) readRow(ctx context.Context, query string, args ...any) *sql.Row {
	if s := db.rset[query]; s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return db.rdb.QueryRowContext(ctx, query, args...)
}
