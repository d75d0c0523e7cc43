package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"campaignbot"
)

// qPersonByAccount finds the person behind a chat account in one statement:
// the chat path runs it for every message, where findPeople's four
// statements cost more than the rest of the lookup.
const qPersonByAccount = `SELECT a.chat_id, a.bound_at, p.id, p.name, p.department_id, d.name, p.telegram, p.wecom, p.created_at, p.updated_at,
	COALESCE((SELECT group_concat(r.role || ' ' || r.since, ',') FROM person_roles r WHERE r.person_id = p.id), ''),
	COALESCE((SELECT group_concat(c.department_id, ',') FROM person_in_charge c WHERE c.person_id = p.id), ''),
	COALESCE((SELECT group_concat(u.platform, ',') FROM person_unreachable u WHERE u.person_id = p.id), '')
FROM accounts a JOIN people p ON p.id = a.person_id JOIN departments d ON d.id = p.department_id
WHERE a.platform = ? AND a.account_id = ?`

// FindPersonByAccount returns the binding of a platform account and the
// person bound, ENOTFOUND if the account is not bound.
func (db *DB) FindPersonByAccount(ctx context.Context, platform campaignbot.Platform, accountID string) (*campaignbot.Account, *campaignbot.Person, error) {
	a := &campaignbot.Account{Platform: platform, AccountID: accountID}
	p := &campaignbot.Person{}
	var bound, created, updated int64
	var roles, inCharge, unreachable string
	err := db.readRow(ctx, qPersonByAccount, string(platform), accountID).Scan(
		&a.ChatID, &bound, &p.ID, &p.Name, &p.DepartmentID, &p.Department, &p.Telegram, &p.WeCom, &created, &updated,
		&roles, &inCharge, &unreachable)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, campaignbot.Errorf(campaignbot.ENOTFOUND, "%s account %s is not bound", platform, accountID)
	} else if err != nil {
		return nil, nil, fmt.Errorf("find person by account: %w", err)
	}
	a.PersonID, a.BoundAt = p.ID, decTime(bound)
	p.CreatedAt, p.UpdatedAt = decTime(created), decTime(updated)
	for _, s := range splitList(roles) {
		role, since, _ := strings.Cut(s, " ")
		d, err := strconv.Atoi(since)
		if err != nil {
			return nil, nil, fmt.Errorf("find person by account: role %q: %w", s, err)
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
			return nil, nil, fmt.Errorf("find person by account: department %q: %w", s, err)
		}
		p.InChargeOf = append(p.InChargeOf, id)
	}
	slices.Sort(p.InChargeOf)
	for _, s := range splitList(unreachable) {
		p.Unreachable = append(p.Unreachable, campaignbot.Platform(s))
	}
	slices.Sort(p.Unreachable)
	return a, p, nil
}

// splitList splits a group_concat list; empty gives none.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
