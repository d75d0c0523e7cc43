package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"campaignbot"
)

// qArrival reads, in one statement, whether a message was handled and who
// sent it: the chat path runs it for every message, where FindHandled and
// findPeople's four statements cost more than the rest of the lookup. The
// LEFT JOINs give one row whatever is found; ” is never a handled key.
// Migration 0013 dropped the roster's generation: -1 stands in for it, so
// the sender is read every time and never cached (senderCache.store keeps
// nothing older than generation 0).
const qArrival = `SELECT h.replies, h.message_key IS NOT NULL, g.n,
	a.chat_id, a.bound_at, p.id, p.name, p.department_id, d.name, p.telegram, p.wecom, p.created_at, p.updated_at,
	COALESCE((SELECT group_concat(r.role || ' ' || r.since, ',') FROM person_roles r WHERE r.person_id = p.id), ''),
	COALESCE((SELECT group_concat(c.department_id, ',') FROM person_in_charge c WHERE c.person_id = p.id), ''),
	COALESCE((SELECT group_concat(u.platform, ',') FROM person_unreachable u WHERE u.person_id = p.id), '')
FROM (SELECT -1 AS n) g LEFT JOIN handled h ON h.message_key = ?
LEFT JOIN accounts a ON g.n <> ? AND a.platform = ? AND a.account_id = ?
LEFT JOIN people p ON p.id = a.person_id
LEFT JOIN departments d ON d.id = p.department_id`

// senderCache keeps the senders read by FindArrival for as long as the
// roster's generation stays the same.
type senderCache struct {
	mu  sync.Mutex
	gen int64 // the generation the entries were read in
	m   map[senderKey]sender
}

type senderKey struct {
	platform campaignbot.Platform
	account  string
}

// sender is a cached account and person; both nil for an unbound account.
type sender struct {
	account *campaignbot.Account
	person  *campaignbot.Person
}

// maxCachedSenders bounds the cache; it is emptied when full. A roster is a
// few thousand people; only accounts that are not bound could fill it.
const maxCachedSenders = 1 << 14

// lookup returns the cached sender and the generation it belongs to, or
// generation 0 (never a roster's) if there is none.
func (c *senderCache) lookup(k senderKey) (sender, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[k]
	if !ok {
		return sender{}, 0
	}
	return s, c.gen
}

// store keeps s as read in generation gen, dropping every entry of an
// older generation.
func (c *senderCache) store(k senderKey, s sender, gen int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen < c.gen {
		return // read before a change another caller has seen
	}
	if gen != c.gen || c.m == nil || len(c.m) >= maxCachedSenders {
		c.m, c.gen = map[senderKey]sender{}, gen
	}
	c.m[k] = s
}

// FindArrival reports whether the message with messageKey was handled, and
// finds the person bound to the account, in one statement. The sender comes
// from memory while the roster is unchanged; callers get their own copy.
func (db *DB) FindArrival(ctx context.Context, messageKey string, platform campaignbot.Platform, accountID string) (*campaignbot.Arrival, error) {
	k := senderKey{platform, accountID}
	cached, known := db.senders.lookup(k)
	var (
		ar                     campaignbot.Arrival
		gen                    int64
		chatID, name, dept     sql.NullString
		telegram, wecom        sql.NullString
		bound, id, deptID      sql.NullInt64
		created, updated       sql.NullInt64
		roles, inCharge, unrch string
	)
	err := db.readRow(ctx, qArrival, messageKey, known, string(platform), accountID).Scan(&ar.Replies, &ar.Handled, &gen,
		&chatID, &bound, &id, &name, &deptID, &dept, &telegram, &wecom, &created, &updated,
		&roles, &inCharge, &unrch)
	if err != nil {
		return nil, fmt.Errorf("find arrival: %w", err)
	}
	if gen == known {
		ar.Account, ar.Person = cached.copy()
		return &ar, nil
	}
	if id.Valid {
		p := &campaignbot.Person{ID: id.Int64, Name: name.String, DepartmentID: deptID.Int64, Department: dept.String,
			Telegram: telegram.String, WeCom: wecom.String, CreatedAt: decTime(created.Int64), UpdatedAt: decTime(updated.Int64)}
		if err := parseSenderLists(p, roles, inCharge, unrch); err != nil {
			return nil, fmt.Errorf("find arrival: %w", err)
		}
		ar.Person = p
		ar.Account = &campaignbot.Account{Platform: platform, AccountID: accountID, ChatID: chatID.String,
			PersonID: p.ID, BoundAt: decTime(bound.Int64)}
	}
	s := sender{ar.Account, ar.Person}
	db.senders.store(k, s, gen)
	ar.Account, ar.Person = s.copy()
	return &ar, nil
}

// copy returns copies of the account and person that share nothing with s.
func (s sender) copy() (*campaignbot.Account, *campaignbot.Person) {
	if s.person == nil {
		return nil, nil
	}
	a, p := *s.account, *s.person
	p.Roles = slices.Clone(p.Roles)
	p.InChargeOf = slices.Clone(p.InChargeOf)
	p.Unreachable = slices.Clone(p.Unreachable)
	return &a, &p
}

// parseSenderLists fills p's roles, departments in charge and unreachable
// platforms from their group_concat lists, in the order findPeople gives.
func parseSenderLists(p *campaignbot.Person, roles, inCharge, unreachable string) error {
	for _, s := range splitList(roles) {
		role, since, _ := strings.Cut(s, " ")
		d, err := strconv.Atoi(since)
		if err != nil {
			return fmt.Errorf("role %q: %w", s, err)
		}
		p.Roles = append(p.Roles, campaignbot.RoleGrant{Role: campaignbot.Role(role), Since: campaignbot.Date(d)})
	}
	// By day granted, then role.
	slices.SortFunc(p.Roles, func(x, y campaignbot.RoleGrant) int {
		return cmp.Or(cmp.Compare(x.Since, y.Since), cmp.Compare(x.Role, y.Role))
	})
	for _, s := range splitList(inCharge) {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("department %q: %w", s, err)
		}
		p.InChargeOf = append(p.InChargeOf, id)
	}
	slices.Sort(p.InChargeOf)
	for _, s := range splitList(unreachable) {
		p.Unreachable = append(p.Unreachable, campaignbot.Platform(s))
	}
	slices.Sort(p.Unreachable)
	return nil
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
