package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"campaignbot"
)

// Frequent statements of the outbox, the intake, dialogs and jobs.
const (
	qEnqueue = `INSERT INTO outbox (key, platform, chat_id, person_id, kind, task_key, text, buttons, files, status, attempts, next_at, created_at, anonymous, thread)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id`
	qEnqueueWithID = `INSERT INTO outbox (id, key, platform, chat_id, person_id, kind, task_key, text, buttons, files, status, attempts, next_at, created_at, anonymous, thread)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id`
	qClaimOutbox = `SELECT ` + outboxColumns + ` FROM outbox WHERE status = ? AND platform = ? AND next_at <= ?
		ORDER BY next_at, id LIMIT ?`
	// PostgreSQL: the rows are locked until the claim's lease is written,
	// and rows another transaction holds are passed over.
	qClaimOutboxPG = qClaimOutbox + ` FOR UPDATE SKIP LOCKED`
	qFindPrompt    = `SELECT ` + outboxColumns + ` FROM outbox
		WHERE platform = ? AND chat_id = ? AND platform_message_id = ? ORDER BY id DESC LIMIT 1`
	qMarkSent = `UPDATE outbox SET status = ?, platform_message_id = ?, sent_at = ?, attempts = attempts + 1, last_error = '',
		text = CASE WHEN kind = 'reply' THEN '' ELSE text END WHERE id = ?`
	qMarkRetry    = `UPDATE outbox SET status = ?, attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?`
	qCountPrompts = `SELECT COUNT(*) FROM outbox WHERE person_id = ? AND created_at >= ? AND created_at < ? AND kind IN (?, ?)`
	qSaveInbound  = `INSERT INTO inbound (platform, key, payload, received_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (platform, key) DO NOTHING`
	qPendingInbound = `SELECT platform, key, payload, received_at, attempts, COALESCE(retry_at, 0) FROM inbound
		WHERE processed_at IS NULL ORDER BY received_at, rowid LIMIT ?`
	// PostgreSQL has no rowid: seq orders updates received together.
	qPendingInboundPG = `SELECT platform, key, payload, received_at, attempts, COALESCE(retry_at, 0) FROM inbound
		WHERE processed_at IS NULL ORDER BY received_at, seq LIMIT ?`
	qMarkInboundProcessed = `UPDATE inbound SET processed_at = COALESCE(processed_at, ?), payload = ? WHERE platform = ? AND key = ?`
	qFindDialog           = `SELECT name, step, data, updated_at FROM dialogs WHERE platform = ? AND account_id = ?`
	qSaveDialog           = `INSERT INTO dialogs (platform, account_id, name, step, data, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (platform, account_id) DO UPDATE SET name = excluded.name, step = excluded.step, data = excluded.data, updated_at = excluded.updated_at`
	qDeleteDialog = `DELETE FROM dialogs WHERE platform = ? AND account_id = ?`
	qLastRun      = `SELECT last_run FROM job_runs WHERE job = ?`
	qSetLastRun   = `INSERT INTO job_runs (job, last_run) VALUES (?, ?)
		ON CONFLICT (job) DO UPDATE SET last_run = excluded.last_run`
)

// EnqueueOutbox stores the messages whose key is new and reports how many
// were.
func (db *DB) EnqueueOutbox(ctx context.Context, msgs []*campaignbot.OutboxMessage) (int, error) {
	for _, m := range msgs {
		if m.Key == "" || m.Platform == "" || m.ChatID == "" || m.Kind == "" {
			return 0, campaignbot.Errorf(campaignbot.EINVALID, "an outbox message needs a key, a platform, a chat and a kind")
		}
	}
	var n int
	err := db.write(ctx, func(ctx context.Context, tx *Tx) (err error) {
		n, err = enqueue(ctx, tx, msgs)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func enqueue(ctx context.Context, tx *Tx, msgs []*campaignbot.OutboxMessage) (int, error) {
	n := 0
	// Anonymous rows of one call count up from one random id, so that
	// they go out in order (the dispatcher sends by NextAt, then id).
	anonID := -randomID()
	for _, m := range msgs {
		buttons, err := json.Marshal(m.Buttons)
		if err != nil {
			return 0, fmt.Errorf("enqueue: encode buttons: %w", err)
		}
		files, err := json.Marshal(m.Files)
		if err != nil {
			return 0, fmt.Errorf("enqueue: encode files: %w", err)
		}
		next := m.NextAt
		if next.IsZero() {
			next = tx.now
		}
		var id int64
		person, rowID := m.PersonID, int64(0)
		if m.Anonymous {
			// A negative random id: the next id of the named rows is not
			// moved by it, and deleting it once sent leaves no gap among
			// them to date it by; nor is an id reused, which the
			// dispatcher would take for a message it already sent.
			person, rowID = 0, anonID
			anonID++
		}
		args := []any{m.Key, string(m.Platform), m.ChatID, nullID(person), string(m.Kind), m.TaskKey, m.Text,
			string(buttons), string(files), string(campaignbot.OutboxPending), encTime(next), encTime(tx.now), m.Anonymous, m.Thread}
		if rowID != 0 {
			err = tx.QueryRowContext(ctx, qEnqueueWithID, append([]any{rowID}, args...)...).Scan(&id)
		} else {
			err = tx.QueryRowContext(ctx, qEnqueue, args...).Scan(&id)
		}
		if errors.Is(err, sql.ErrNoRows) {
			continue // already enqueued
		} else if err != nil {
			return 0, constraintErr(err, "enqueue "+m.Key)
		}
		m.ID, m.Status, m.NextAt, m.CreatedAt, m.Attempts = id, campaignbot.OutboxPending, next.UTC(), tx.now, 0
		n++
	}
	return n, nil
}

const outboxColumns = `id, key, platform, chat_id, COALESCE(person_id, 0), kind, task_key, text, buttons, files, status, attempts, next_at,
	last_error, platform_message_id, created_at, sent_at, parts_sent, anonymous, thread`

// scanOutbox reads one row selected with outboxColumns.
func scanOutbox(rows interface{ Scan(...any) error }) (*campaignbot.OutboxMessage, error) {
	var m campaignbot.OutboxMessage
	var buttons, files string
	var next, created int64
	var sent sql.NullInt64
	if err := rows.Scan(&m.ID, &m.Key, &m.Platform, &m.ChatID, &m.PersonID, &m.Kind, &m.TaskKey, &m.Text, &buttons, &files,
		&m.Status, &m.Attempts, &next, &m.LastError, &m.PlatformMessageID, &created, &sent, &m.PartsSent, &m.Anonymous, &m.Thread); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(buttons), &m.Buttons); err != nil {
		return nil, fmt.Errorf("decode buttons of outbox %d: %w", m.ID, err)
	}
	if err := json.Unmarshal([]byte(files), &m.Files); err != nil {
		return nil, fmt.Errorf("decode files of outbox %d: %w", m.ID, err)
	}
	m.NextAt, m.CreatedAt, m.SentAt = decTime(next), decTime(created), decTimePtr(sent)
	return &m, nil
}

// ClaimOutbox returns up to limit pending messages for platform whose
// NextAt has come, by NextAt then id. SQLite has one writer and one
// dispatcher per platform, so the rows need no lock. On PostgreSQL the
// rows are selected FOR UPDATE SKIP LOCKED and their NextAt pushed forward
// by ClaimLease, so that no other dispatcher (a leader that has just lost
// its lease and not yet noticed) takes them meanwhile; the messages are
// returned with the NextAt they had.
func (db *DB) ClaimOutbox(ctx context.Context, platform campaignbot.Platform, now time.Time, limit int) ([]*campaignbot.OutboxMessage, error) {
	if limit <= 0 {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "claim limit must be positive")
	}
	begin, q := db.beginRead, qClaimOutbox
	if db.pg {
		begin, q = db.beginOutboxTx, qClaimOutboxPG
	}
	tx, err := begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var ms []*campaignbot.OutboxMessage
	err = eachRow(ctx, tx, q, []any{string(campaignbot.OutboxPending), string(platform), encTime(now), limit},
		func(rows *sql.Rows) error {
			m, err := scanOutbox(rows)
			if err != nil {
				return err
			}
			ms = append(ms, m)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	if !db.pg {
		return ms, nil
	}
	for _, m := range ms {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET next_at = ? WHERE id = ?`, encTime(now.Add(ClaimLease)), m.ID); err != nil {
			return nil, fmt.Errorf("claim outbox: %w", err)
		}
	}
	if err := tx.commit(); err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return ms, nil
}

// ClaimLease is how long a message claimed on PostgreSQL is kept from other
// claims: the dispatcher marks it sent or sets its retry well before, and
// a leader that died with it claimed leaves it to its successor after.
const ClaimLease = 30 * time.Second

// MarkOutboxSent records a delivery and the platform's message id. The
// acknowledgement of an anonymous act is deleted instead (SPEC §2).
func (db *DB) MarkOutboxSent(ctx context.Context, id int64, platformMessageID string, at time.Time) error {
	tx, err := db.beginOutboxTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if gone, err := deleteAnonymousOutbox(ctx, tx, id); err != nil || gone {
		if err != nil {
			return err
		}
		return tx.commit()
	}
	res, err := tx.ExecContext(ctx, qMarkSent, string(campaignbot.OutboxSent), platformMessageID, encTime(at), id)
	if err != nil {
		return fmt.Errorf("mark outbox sent: %w", err)
	}
	if err := oneRow(res, fmt.Sprintf("outbox message %d not found", id)); err != nil {
		return err
	}
	return tx.commit()
}

// MarkOutboxRetry records a failed attempt: pending again at next, or
// failed for good when giveUp is set; lastErr says why.
func (db *DB) MarkOutboxRetry(ctx context.Context, id int64, lastErr string, next time.Time, giveUp bool) error {
	status := campaignbot.OutboxPending
	if giveUp {
		status = campaignbot.OutboxFailed
	}
	tx, err := db.beginOutboxTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if giveUp {
		if gone, err := deleteAnonymousOutbox(ctx, tx, id); err != nil || gone {
			if err != nil {
				return err
			}
			return tx.commit()
		}
	}
	res, err := tx.ExecContext(ctx, qMarkRetry,
		string(status), encTime(next), lastErr, id)
	if err != nil {
		return fmt.Errorf("mark outbox retry: %w", err)
	}
	if err := oneRow(res, fmt.Sprintf("outbox message %d not found", id)); err != nil {
		return err
	}
	return tx.commit()
}

// deleteAnonymousOutbox deletes the row if it is an anonymous act's
// acknowledgement, and asks for the WAL to be emptied of it.
func deleteAnonymousOutbox(ctx context.Context, tx *Tx, id int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ? AND anonymous = 1`, id)
	if err != nil {
		return false, fmt.Errorf("delete anonymous outbox row: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("delete anonymous outbox row: %w", err)
	}
	if n == 0 {
		return false, nil
	}
	tx.checkpointAfterCommit()
	return true, nil
}

// FindPrompt returns the sent message with the platform message id in the
// chat, ENOTFOUND if there is none.
func (db *DB) FindPrompt(ctx context.Context, platform campaignbot.Platform, chatID, platformMessageID string) (*campaignbot.OutboxMessage, error) {
	if platformMessageID == "" {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "no message id given")
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	m, err := scanOutbox(tx.QueryRowContext(ctx, qFindPrompt,
		string(platform), chatID, platformMessageID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "message %s in chat %s not found", platformMessageID, chatID)
	} else if err != nil {
		return nil, fmt.Errorf("find prompt: %w", err)
	}
	return m, nil
}

// CountOutbox counts messages by status; every status is in the map.
func (db *DB) CountOutbox(ctx context.Context) (map[campaignbot.OutboxStatus]int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	counts := map[campaignbot.OutboxStatus]int{campaignbot.OutboxPending: 0, campaignbot.OutboxSent: 0, campaignbot.OutboxFailed: 0}
	err = eachRow(ctx, tx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`, nil, func(rows *sql.Rows) error {
		var s campaignbot.OutboxStatus
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return err
		}
		counts[s] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count outbox: %w", err)
	}
	return counts, nil
}

// CountPrompts counts the prompts (warnings and overdue reminders) enqueued
// for a person in [from, to), for the daily cap.
func (db *DB) CountPrompts(ctx context.Context, personID int64, from, to time.Time) (int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, qCountPrompts,
		personID, encTime(from), encTime(to), string(campaignbot.KindWarning), string(campaignbot.KindOverdue)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count prompts: %w", err)
	}
	return n, nil
}

// SaveInbound stores in (ReceivedAt now unless set); it reports false if
// the platform and key were stored before.
func (db *DB) SaveInbound(ctx context.Context, in *campaignbot.Inbound) (bool, error) {
	if in.Platform == "" || in.Key == "" {
		return false, campaignbot.Errorf(campaignbot.EINVALID, "an inbound update needs a platform and a key")
	}
	payload := in.Payload
	if payload == nil {
		payload = []byte{}
	}
	var n int64
	err := db.write(ctx, func(ctx context.Context, tx *Tx) error {
		if db.forgotten.has(in.Platform, in.Key, tx.now) {
			return nil // an anonymous act's update, sent again
		}
		if in.ReceivedAt.IsZero() {
			in.ReceivedAt = tx.now
		}
		res, err := tx.ExecContext(ctx, qSaveInbound, string(in.Platform), in.Key, payload, encTime(in.ReceivedAt))
		if err != nil {
			return fmt.Errorf("save inbound: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("save inbound: %w", err)
		}
		return nil
	})
	return err == nil && n == 1, err
}

// PendingInbound returns up to limit unprocessed updates of every
// platform, in arrival order.
func (db *DB) PendingInbound(ctx context.Context, limit int) ([]*campaignbot.Inbound, error) {
	if limit <= 0 {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "limit must be positive")
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var ins []*campaignbot.Inbound
	q := qPendingInbound
	if db.pg {
		q = qPendingInboundPG
	}
	err = eachRow(ctx, tx, q, []any{limit},
		func(rows *sql.Rows) error {
			var in campaignbot.Inbound
			var at, retry int64
			if err := rows.Scan(&in.Platform, &in.Key, &in.Payload, &at, &in.Attempts, &retry); err != nil {
				return err
			}
			in.ReceivedAt = decTime(at)
			if retry != 0 {
				in.RetryAt = decTime(retry)
			}
			ins = append(ins, &in)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("pending inbound: %w", err)
	}
	return ins, nil
}

// MarkInboundProcessed records that the updates with keys were processed
// (the photos of an album together) and drops their payloads. If some were
// never stored (or are gone), the error is ENOTFOUND and nothing is marked.
func (db *DB) MarkInboundProcessed(ctx context.Context, platform campaignbot.Platform, keys ...string) error {
	return db.write(ctx, func(ctx context.Context, tx *Tx) error {
		var missing []string
		for _, key := range keys {
			res, err := tx.ExecContext(ctx, qMarkInboundProcessed, encTime(tx.now), []byte{}, string(platform), key)
			if err != nil {
				return fmt.Errorf("mark inbound processed: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("mark inbound processed: %w", err)
			} else if n == 0 {
				missing = append(missing, key)
			}
		}
		if len(missing) > 0 {
			return campaignbot.Errorf(campaignbot.ENOTFOUND, "inbound %s %s not found", platform, strings.Join(missing, ", "))
		}
		return nil
	})
}

// RecordInboundFailure counts a failed attempt at the updates with keys and
// holds them back until retryAt; it returns the attempts counted so far.
func (db *DB) RecordInboundFailure(ctx context.Context, platform campaignbot.Platform, keys []string, why string, retryAt time.Time) (int, error) {
	attempts := 0
	err := db.write(ctx, func(ctx context.Context, tx *Tx) error {
		for _, key := range keys {
			var n int
			err := tx.QueryRowContext(ctx, `UPDATE inbound SET attempts = attempts + 1, retry_at = ?, last_error = ?
				WHERE platform = ? AND key = ? AND processed_at IS NULL RETURNING attempts`,
				encTime(retryAt), why, string(platform), key).Scan(&n)
			if errors.Is(err, sql.ErrNoRows) {
				return campaignbot.Errorf(campaignbot.ENOTFOUND, "inbound %s %s not pending", platform, key)
			} else if err != nil {
				return fmt.Errorf("record inbound failure: %w", err)
			}
			attempts = max(attempts, n)
		}
		return nil
	})
	return attempts, err
}

// DeleteProcessedInbound deletes processed updates received before t and
// reports how many went. Run it now and then so raw payloads are not kept
// longer than needed.
func (db *DB) DeleteProcessedInbound(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM inbound WHERE processed_at IS NOT NULL AND received_at < ?`, encTime(before))
		if err != nil {
			return fmt.Errorf("delete inbound: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// FindDialog returns the account's dialog, ENOTFOUND if none. A row whose
// data does not decode into a DialogState (one saved before the state was
// typed, when it was a map of strings) counts as an abandoned dialog:
// ENOTFOUND too, and the account's next dialog replaces it.
func (db *DB) FindDialog(ctx context.Context, platform campaignbot.Platform, accountID string) (*campaignbot.Dialog, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	d := campaignbot.Dialog{Platform: platform, AccountID: accountID}
	var data string
	var at int64
	err = tx.QueryRowContext(ctx, qFindDialog,
		string(platform), accountID).Scan(&d.Name, &d.Step, &data, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "no dialog for %s account %s", platform, accountID)
	} else if err != nil {
		return nil, fmt.Errorf("find dialog: %w", err)
	}
	if d.State, err = decodeDialogState(data); err != nil {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "no readable dialog for %s account %s", platform, accountID)
	}
	d.UpdatedAt = decTime(at)
	return &d, nil
}

// SaveDialog creates or replaces the account's dialog and fills UpdatedAt.
func (db *DB) SaveDialog(ctx context.Context, d *campaignbot.Dialog) error {
	if d.Platform == "" || d.AccountID == "" || d.Name == "" {
		return campaignbot.Errorf(campaignbot.EINVALID, "a dialog needs a platform, an account and a name")
	}
	data, err := json.Marshal(d.State)
	if err != nil {
		return fmt.Errorf("encode dialog data: %w", err)
	}
	return db.write(ctx, func(ctx context.Context, tx *Tx) error {
		d.UpdatedAt = tx.now
		if _, err := tx.ExecContext(ctx, qSaveDialog,
			string(d.Platform), d.AccountID, d.Name, d.Step, string(data), encTime(d.UpdatedAt)); err != nil {
			return fmt.Errorf("save dialog: %w", err)
		}
		return nil
	})
}

// decodeDialogState reads a dialog's data. Unknown fields are refused, so
// that a map saved by the untyped dialogs does not pass for a state.
func decodeDialogState(data string) (campaignbot.DialogState, error) {
	var s campaignbot.DialogState
	dec := json.NewDecoder(strings.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return campaignbot.DialogState{}, fmt.Errorf("decode dialog state: %w", err)
	}
	return s, nil
}

// DeleteDialog deletes the account's dialog; deleting none is not an error.
func (db *DB) DeleteDialog(ctx context.Context, platform campaignbot.Platform, accountID string) error {
	return db.write(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, qDeleteDialog, string(platform), accountID); err != nil {
			return fmt.Errorf("delete dialog: %w", err)
		}
		return nil
	})
}

// LastRun returns when job last completed, the zero time if never.
func (db *DB) LastRun(ctx context.Context, job string) (time.Time, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return time.Time{}, err
	}
	defer tx.Rollback()
	var at int64
	err = tx.QueryRowContext(ctx, qLastRun, job).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	} else if err != nil {
		return time.Time{}, fmt.Errorf("last run: %w", err)
	}
	return decTime(at), nil
}

// SetLastRun records when job last completed.
func (db *DB) SetLastRun(ctx context.Context, job string, at time.Time) error {
	if job == "" {
		return campaignbot.Errorf(campaignbot.EINVALID, "a job name is required")
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, qSetLastRun, job, encTime(at)); err != nil {
		return fmt.Errorf("set last run: %w", err)
	}
	return tx.commit()
}
