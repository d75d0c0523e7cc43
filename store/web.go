package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"campaignbot"
)

// webTokenBytes is the entropy of login link and session tokens: 256 bits.
const webTokenBytes = 32

// newWebToken returns a random token, URL- and cookie-safe.
func newWebToken() string {
	b := make([]byte, webTokenBytes)
	rand.Read(b) // never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is what the store keeps of a token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateLoginLink stores a new single-use login link for the person, valid
// for campaignbot.LoginLinkTTL; only its hash is kept.
func (db *DB) CreateLoginLink(ctx context.Context, personID int64) (*campaignbot.LoginLink, error) {
	var l *campaignbot.LoginLink
	err := db.write(ctx, func(ctx context.Context, tx *Tx) error {
		if err := personExists(ctx, tx, personID); err != nil {
			return err
		}
		l = &campaignbot.LoginLink{Token: newWebToken(), PersonID: personID, ExpiresAt: tx.now.Add(campaignbot.LoginLinkTTL)}
		// Links nobody can use any more are forgotten as new ones are made.
		if _, err := tx.ExecContext(ctx, `DELETE FROM web_logins WHERE expires_at <= ?`, encTime(tx.now)); err != nil {
			return fmt.Errorf("forget login links: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO web_logins (token_hash, person_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			hashToken(l.Token), personID, encTime(tx.now), encTime(l.ExpiresAt))
		if err != nil {
			return constraintErr(err, "create login link")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// RedeemLoginLink marks the link used and starts a session, in one
// transaction: of two browsers racing with the same link, one signs in.
func (db *DB) RedeemLoginLink(ctx context.Context, token string) (*campaignbot.WebSession, error) {
	var s *campaignbot.WebSession
	err := db.write(ctx, func(ctx context.Context, tx *Tx) error {
		var personID, expires int64
		var used sql.NullInt64
		h := hashToken(token)
		err := tx.QueryRowContext(ctx, `SELECT person_id, expires_at, used_at FROM web_logins WHERE token_hash = ?`, h).
			Scan(&personID, &expires, &used)
		if errors.Is(err, sql.ErrNoRows) {
			return campaignbot.Errorf(campaignbot.ENOTFOUND, "login link not found")
		} else if err != nil {
			return fmt.Errorf("find login link: %w", err)
		}
		if used.Valid {
			return campaignbot.Errorf(campaignbot.EINVALID, "login link already used")
		}
		if !tx.now.Before(decTime(expires)) {
			return campaignbot.Errorf(campaignbot.EINVALID, "login link expired")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE web_logins SET used_at = ? WHERE token_hash = ?`, encTime(tx.now), h); err != nil {
			return fmt.Errorf("mark login link used: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE expires_at <= ?`, encTime(tx.now)); err != nil {
			return fmt.Errorf("forget sessions: %w", err)
		}
		s = &campaignbot.WebSession{
			Token: newWebToken(), PersonID: personID, CSRF: newWebToken(),
			CreatedAt: tx.now, ExpiresAt: tx.now.Add(campaignbot.WebSessionTTL),
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO web_sessions (token_hash, person_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			hashToken(s.Token), personID, s.CSRF, encTime(s.CreatedAt), encTime(s.ExpiresAt))
		if err != nil {
			return constraintErr(err, "create session")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// FindWebSession returns the live session with the token.
func (db *DB) FindWebSession(ctx context.Context, token string) (*campaignbot.WebSession, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var created, expires int64
	s := &campaignbot.WebSession{}
	err = tx.QueryRowContext(ctx, `SELECT person_id, csrf, created_at, expires_at FROM web_sessions WHERE token_hash = ? AND expires_at > ?`,
		hashToken(token), encTime(tx.now)).Scan(&s.PersonID, &s.CSRF, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "session not found")
	} else if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = decTime(created), decTime(expires)
	return s, tx.commit()
}

// DeleteWebSession ends a session; an unknown one is already ended.
func (db *DB) DeleteWebSession(ctx context.Context, token string) error {
	return db.write(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE token_hash = ?`, hashToken(token))
		return err
	})
}

// RecordAudit appends e to the audit log with the actor's name as it is now.
func (db *DB) RecordAudit(ctx context.Context, e *campaignbot.AuditEntry) error {
	if strings.TrimSpace(e.Action) == "" {
		return campaignbot.Errorf(campaignbot.EINVALID, "an audit entry needs an action")
	}
	return db.write(ctx, func(ctx context.Context, tx *Tx) error {
		e.At = tx.now
		err := tx.QueryRowContext(ctx, `INSERT INTO audit_log (at, person_id, actor, action, detail)
			VALUES (?, ?, COALESCE((SELECT name FROM people WHERE id = ?), ''), ?, ?) RETURNING id, actor`,
			encTime(e.At), nullID(e.PersonID), e.PersonID, e.Action, e.Detail).Scan(&e.ID, &e.Actor)
		if err != nil {
			return constraintErr(err, "record audit")
		}
		return nil
	})
}

// FindAudit returns the latest limit entries, newest first.
func (db *DB) FindAudit(ctx context.Context, limit int) ([]*campaignbot.AuditEntry, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, at, COALESCE(person_id, 0), actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("find audit: %w", err)
	}
	defer rows.Close()
	var out []*campaignbot.AuditEntry
	for rows.Next() {
		var e campaignbot.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.PersonID, &e.Actor, &e.Action, &e.Detail); err != nil {
			return nil, fmt.Errorf("scan audit: %w", err)
		}
		e.At = decTime(at)
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find audit: %w", err)
	}
	return out, tx.commit()
}

// UpdatePerson renames person id to e.Name and stores e as a roster import
// of that one entry would: the same checks, the same rules for roles and
// departments in charge.
func (db *DB) UpdatePerson(ctx context.Context, id int64, e campaignbot.RosterEntry) (*campaignbot.Person, error) {
	e.Name = strings.TrimSpace(e.Name)
	if err := checkRoster([]campaignbot.RosterEntry{e}); err != nil {
		return nil, err
	}
	var p *campaignbot.Person
	err := db.write(ctx, func(ctx context.Context, tx *Tx) error {
		old, err := findPeople(ctx, tx, campaignbot.PersonFilter{ID: &id})
		if err != nil {
			return err
		}
		if len(old) == 0 {
			return campaignbot.Errorf(campaignbot.ENOTFOUND, "person %d not found", id)
		}
		depts := map[string]int64{}
		for _, name := range slices.Concat(e.Departments, e.InChargeOf) {
			if depts[name], err = ensureDepartment(ctx, tx, name); err != nil {
				return err
			}
		}
		if _, err := storeEntry(ctx, tx, &e, depts, id); err != nil {
			return err
		}
		ps, err := findPeople(ctx, tx, campaignbot.PersonFilter{ID: &id})
		if err != nil {
			return err
		}
		p = ps[0]
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}
