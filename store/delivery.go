package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"campaignbot"
)

// MarkOutboxParts records that the first parts of outbox message id were
// delivered; a retry goes on from there (campaignbot.OutboxProgress).
func (db *DB) MarkOutboxParts(ctx context.Context, id int64, parts int) error {
	tx, err := db.beginOutboxTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET parts_sent = CASE WHEN parts_sent > ? THEN parts_sent ELSE ? END WHERE id = ?`, parts, parts, id)
	if err != nil {
		return fmt.Errorf("mark outbox parts: %w", err)
	}
	if err := oneRow(res, fmt.Sprintf("outbox message %d not found", id)); err != nil {
		return err
	}
	return tx.commit()
}

// MoveChat records that chat from of platform is now chat to, and makes
// chats that had moved to from follow it.
func (db *DB) MoveChat(ctx context.Context, platform campaignbot.Platform, from, to string) error {
	if from == "" || to == "" || from == to {
		return campaignbot.Errorf(campaignbot.EINVALID, "a chat moves from one id to another")
	}
	return db.write(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO chat_moves (platform, from_chat, to_chat, moved_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (platform, from_chat) DO UPDATE SET to_chat = excluded.to_chat, moved_at = excluded.moved_at`,
			string(platform), from, to, encTime(tx.now)); err != nil {
			return fmt.Errorf("move chat: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chat_moves SET to_chat = ? WHERE platform = ? AND to_chat = ?`,
			to, string(platform), from); err != nil {
			return fmt.Errorf("move chat: %w", err)
		}
		return nil
	})
}

// ResolveChat returns where chat of platform went, chat itself if it never
// moved.
func (db *DB) ResolveChat(ctx context.Context, platform campaignbot.Platform, chat string) (string, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	var to string
	err = tx.QueryRowContext(ctx, `SELECT to_chat FROM chat_moves WHERE platform = ? AND from_chat = ?`, string(platform), chat).Scan(&to)
	if errors.Is(err, sql.ErrNoRows) {
		return chat, nil
	} else if err != nil {
		return "", fmt.Errorf("resolve chat: %w", err)
	}
	return to, nil
}

// MarkReachable clears the person's unreachable mark on platform, if any,
// and reports whether there was one. It only reads when there is none, so
// that calling it after every delivery costs no write.
func (db *DB) MarkReachable(ctx context.Context, personID int64, platform campaignbot.Platform) (bool, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return false, err
	}
	var n int
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM person_unreachable WHERE person_id = ? AND platform = ?`, personID, string(platform)).Scan(&n)
	tx.Rollback()
	if err != nil {
		return false, fmt.Errorf("find unreachable: %w", err)
	}
	if n == 0 {
		return false, nil
	}
	return true, db.SetReachable(ctx, personID, platform, true)
}

// InboundReceivedAt returns when the update with key was first stored,
// ENOTFOUND if it was not (or is gone).
func (db *DB) InboundReceivedAt(ctx context.Context, platform campaignbot.Platform, key string) (time.Time, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return time.Time{}, err
	}
	defer tx.Rollback()
	var at int64
	err = tx.QueryRowContext(ctx, `SELECT received_at FROM inbound WHERE platform = ? AND key = ?`, string(platform), key).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, campaignbot.Errorf(campaignbot.ENOTFOUND, "inbound %s %s not found", platform, key)
	} else if err != nil {
		return time.Time{}, fmt.Errorf("find inbound: %w", err)
	}
	return decTime(at), nil
}

// FailedOutbox returns up to limit messages given up on (status failed), of
// platform or every platform when it is "", newest first.
func (db *DB) FailedOutbox(ctx context.Context, platform campaignbot.Platform, limit int) ([]*campaignbot.OutboxMessage, error) {
	if limit <= 0 {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "limit must be positive")
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var ms []*campaignbot.OutboxMessage
	err = eachRow(ctx, tx, `SELECT `+outboxColumns+` FROM outbox WHERE status = ? AND (? = '' OR platform = ?) ORDER BY id DESC LIMIT ?`,
		[]any{string(campaignbot.OutboxFailed), string(platform), string(platform), limit},
		func(rows *sql.Rows) error {
			m, err := scanOutbox(rows)
			if err != nil {
				return err
			}
			ms = append(ms, m)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("failed outbox: %w", err)
	}
	return ms, nil
}

// RequeueOutbox puts messages given up on back in the outbox, due now with
// their attempts counted afresh: those with ids, or, with none, every one
// of platform ("" for every platform). It reports how many.
func (db *DB) RequeueOutbox(ctx context.Context, platform campaignbot.Platform, ids ...int64) (int, error) {
	var n int64
	err := db.write(ctx, func(ctx context.Context, tx *Tx) error {
		const q = `UPDATE outbox SET status = ?, attempts = 0, next_at = ?, last_error = 'requeued: ' || last_error
			WHERE status = ? AND (? = '' OR platform = ?)`
		args := []any{string(campaignbot.OutboxPending), encTime(tx.now), string(campaignbot.OutboxFailed), string(platform), string(platform)}
		if len(ids) == 0 {
			res, err := tx.ExecContext(ctx, q, args...)
			if err != nil {
				return fmt.Errorf("requeue outbox: %w", err)
			}
			n, err = res.RowsAffected()
			return err
		}
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, q+` AND id = ?`, append(args, id)...)
			if err != nil {
				return fmt.Errorf("requeue outbox: %w", err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if k == 0 {
				return campaignbot.Errorf(campaignbot.ENOTFOUND, "outbox message %d is not a failed message", id)
			}
			n += k
		}
		return nil
	})
	return int(n), err
}
