package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"campaignbot"
)

// qArrival reads, in one statement, whether a message was handled and who
// sent it: the chat path runs it for every message, where FindHandled and
// findPeople's four statements cost more than the rest of the lookup. The
// LEFT JOINs give one row whatever is found; ” is never a handled key.
const qArrival = `SELECT h.replies, h.message_key IS NOT NULL,
	a.chat_id, a.bound_at, p.id, p.name, p.department_id, d.name, p.telegram, p.wecom, p.created_at, p.updated_at,
	COALESCE((SELECT group_concat(r.role || ' ' || r.since, ',') FROM person_roles r WHERE r.person_id = p.id), ''),
	COALESCE((SELECT group_concat(c.department_id, ',') FROM person_in_charge c WHERE c.person_id = p.id), ''),
	COALESCE((SELECT group_concat(u.platform, ',') FROM person_unreachable u WHERE u.person_id = p.id), '')
FROM (SELECT 1) LEFT JOIN handled h ON h.message_key = ?
LEFT JOIN accounts a ON a.platform = ? AND a.account_id = ?
LEFT JOIN people p ON p.id = a.person_id
LEFT JOIN departments d ON d.id = p.department_id`

// FindArrival reports whether the message with messageKey was handled, and
// finds the person bound to the account, in one statement.
func (db *DB) FindArrival(ctx context.Context, messageKey string, platform campaignbot.Platform, accountID string) (*campaignbot.Arrival, error) {
	var (
		ar                     campaignbot.Arrival
		chatID, name, dept     sql.NullString
		telegram, wecom        sql.NullString
		bound, id, deptID      sql.NullInt64
		created, updated       sql.NullInt64
		roles, inCharge, unrch string
	)
	err := db.readRow(ctx, qArrival, messageKey, string(platform), accountID).Scan(&ar.Replies, &ar.Handled,
		&chatID, &bound, &id, &name, &deptID, &dept, &telegram, &wecom, &created, &updated,
		&roles, &inCharge, &unrch)
	if err != nil {
		return nil, fmt.Errorf("find arrival: %w", err)
	}
	if !id.Valid {
		return &ar, nil
	}
	p := &campaignbot.Person{ID: id.Int64, Name: name.String, DepartmentID: deptID.Int64, Department: dept.String,
		Telegram: telegram.String, WeCom: wecom.String, CreatedAt: decTime(created.Int64), UpdatedAt: decTime(updated.Int64)}
	for _, s := range splitList(roles) {
		role, since, _ := strings.Cut(s, " ")
		d, err := strconv.Atoi(since)
		if err != nil {
			return nil, fmt.Errorf("find arrival: role %q: %w", s, err)
		}
		p.Roles = append(p.Roles, campaignbot.RoleGrant{Role: campaignbot.Role(role), Since: campaignbot.Date(d)})
	}
	// The order findPeople gives: by day granted, then role.
	slices.SortFunc(p.Roles, func(x, y campaignbot.RoleGrant) int {
		return cmp.Or(cmp.Compare(x.Since, y.Since), cmp.Compare(x.Role, y.Role))
	})
	for _, s := range splitList(inCharge) {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("find arrival: department %q: %w", s, err)
		}
		p.InChargeOf = append(p.InChargeOf, id)
	}
	slices.Sort(p.InChargeOf)
	for _, s := range splitList(unrch) {
		p.Unreachable = append(p.Unreachable, campaignbot.Platform(s))
	}
	slices.Sort(p.Unreachable)
	ar.Person = p
	ar.Account = &campaignbot.Account{Platform: platform, AccountID: accountID, ChatID: chatID.String,
		PersonID: p.ID, BoundAt: decTime(bound.Int64)}
	return &ar, nil
}

// FindPersonByAccount returns the binding of a platform account and the
// person bound, ENOTFOUND if the account is not bound.
func (db *DB) FindPersonByAccount(ctx context.Context, platform campaignbot.Platform, accountID string) (*campaignbot.Account, *campaignbot.Person, error) {
	ar, err := db.FindArrival(ctx, "", platform, accountID)
	if err != nil {
		return nil, nil, err
	}
	if ar.Person == nil {
		return nil, nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "%s account %s is not bound", platform, accountID)
	}
	return ar.Account, ar.Person, nil
}

// splitList splits a group_concat list; empty gives none.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
