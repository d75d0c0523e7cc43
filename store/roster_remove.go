package store

import (
	"context"
	"database/sql"
	"fmt"

	"campaignbot"
)

// RemovePerson takes person id off the roster (the web console) and
// returns the person as they were; removing someone already removed is
// ENOTFOUND. RemovePeople is the same for the command line's names.
func (db *DB) RemovePerson(ctx context.Context, id int64) (*campaignbot.Person, error) {
	var gone *campaignbot.Person
	err := db.write(ctx, func(ctx context.Context, tx *Tx) error {
		var err error
		gone, err = removePerson(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return gone, nil
}

// removePerson takes person id off the roster: they owe nothing from now
// on, get no message, cannot use the bot or the web console, and are no
// longer listed; what they submitted, filed or answered keeps its author
// (FindPersonByID still finds them, with no roles). Their roles, the
// departments they were in charge of, chat bindings, invites, leave, web
// sessions and dialogs go. Their 工号 and WeCom UserID stay on the row, so
// that a later import names the same person back (BindRosterAccount skips
// removed people).
func removePerson(ctx context.Context, tx *Tx, id int64) (*campaignbot.Person, error) {
	ps, err := findPeople(ctx, tx, campaignbot.PersonFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	now := encTime(tx.now)
	res, err := tx.ExecContext(ctx, `UPDATE people SET removed_at = ?, updated_at = ? WHERE id = ? AND removed_at IS NULL`, now, now, id)
	if err != nil {
		return nil, fmt.Errorf("remove person: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, fmt.Errorf("remove person: %w", err)
	} else if n == 0 || len(ps) == 0 {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "person %d not found", id)
	}
	// Dialogs are keyed by chat account: those of the person's accounts go
	// before the accounts do.
	if _, err := tx.ExecContext(ctx, `DELETE FROM dialogs WHERE EXISTS (SELECT 1 FROM accounts a
		WHERE a.person_id = ? AND a.platform = dialogs.platform AND a.account_id = dialogs.account_id)`, id); err != nil {
		return nil, fmt.Errorf("remove person's dialogs: %w", err)
	}
	for _, table := range []string{"person_roles", "person_in_charge", "person_unreachable", "accounts", "invites", "leaves", "web_logins", "web_sessions"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE person_id = ?`, id); err != nil {
			return nil, fmt.Errorf("remove person's %s: %w", table, err)
		}
	}
	return ps[0], nil
}

// FindInvites returns the person's invite codes that are neither used nor
// expired, newest first.
func (db *DB) FindInvites(ctx context.Context, personID int64) ([]*campaignbot.Invite, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var invs []*campaignbot.Invite
	err = eachRow(ctx, tx, `SELECT code, created_at, expires_at FROM invites
		WHERE person_id = ? AND used_at IS NULL AND expires_at > ? ORDER BY created_at DESC, code`,
		[]any{personID, encTime(tx.now)}, func(rows *sql.Rows) error {
			inv := &campaignbot.Invite{PersonID: personID}
			var created, expires int64
			if err := rows.Scan(&inv.Code, &created, &expires); err != nil {
				return err
			}
			inv.CreatedAt, inv.ExpiresAt = decTime(created), decTime(expires)
			invs = append(invs, inv)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find invites: %w", err)
	}
	return invs, nil
}

// RevokeInvites ends every open invite code of the person at once, and
// reports how many there were.
func (db *DB) RevokeInvites(ctx context.Context, personID int64) (int, error) {
	var n int64
	err := db.write(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE invites SET expires_at = ? WHERE person_id = ? AND used_at IS NULL AND expires_at > ?`,
			encTime(tx.now), personID, encTime(tx.now))
		if err != nil {
			return fmt.Errorf("revoke invites: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
