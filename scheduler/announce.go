package scheduler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"campaignbot"
)

// MaxAnnouncement is the longest announcement text, in characters.
const MaxAnnouncement = 2000

// Announce enqueues text from the person to everyone the target concerns:
// "" for everyone (and the campaign group chats), a role (any word
// campaignbot.ParseRole accepts; a role wins over a department of the same
// name) or a department name. People on leave today still get it: an
// announcement is not a reminder. It returns how many people it goes to
// (those with at least one bound account). Role checks are the bot's; an
// unknown target or an empty or overlong text is EINVALID.
func (s *Scheduler) Announce(ctx context.Context, fromPersonID int64, target, text, key string) (int, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, campaignbot.Errorf(campaignbot.EINVALID, "an announcement needs text")
	} else if !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxAnnouncement {
		return 0, campaignbot.Errorf(campaignbot.EINVALID, "an announcement is at most %d characters of UTF-8 text", MaxAnnouncement)
	}
	d, err := s.load(ctx)
	if err != nil {
		return 0, err
	}
	from := d.byID[fromPersonID]
	if from == nil {
		return 0, campaignbot.Errorf(campaignbot.ENOTFOUND, "person %d not found", fromPersonID)
	}
	match, err := announceTarget(d, strings.TrimSpace(target))
	if err != nil {
		return 0, err
	}

	now := s.clock.Now()
	body := s.cat.t("announce.notice", text, from.Name)
	// The chat message that asked makes the announcement's key, so the
	// message processed again (after a crash) enqueues nothing new; without
	// one, the same announcement within a minute is enqueued once.
	if key == "" {
		key = strconv.FormatInt(now.Unix()/60, 10)
	}
	h := sha256.Sum256(fmt.Appendf(nil, "%d\x00%s\x00%s\x00%s", fromPersonID, target, text, key))
	id := hex.EncodeToString(h[:8])
	next := outsideQuiet(now, s.plan.Load())
	msg := func(key string, pl campaignbot.Platform, chat string, person int64) *campaignbot.OutboxMessage {
		return &campaignbot.OutboxMessage{
			Key: key, Platform: pl, ChatID: chat, PersonID: person,
			Kind: campaignbot.KindAnnouncement, Text: body, NextAt: next,
		}
	}
	var msgs []*campaignbot.OutboxMessage
	people := map[int64]bool{}
	for _, a := range d.accounts {
		if p := d.byID[a.PersonID]; p != nil && match(p) {
			people[p.ID] = true
			msgs = append(msgs, msg(fmt.Sprintf("announce:%s:%d:%s", id, p.ID, a.Platform), a.Platform, a.ChatID, p.ID))
		}
	}
	if target == "" {
		for _, pl := range s.groups {
			msgs = append(msgs, msg(fmt.Sprintf("announce:%s:group:%s", id, pl), pl, GroupChat, 0))
		}
	}
	if _, err := s.enqueue(ctx, msgs); err != nil {
		return 0, err
	}
	return len(people), nil
}

// announceTarget returns who an announcement target means.
func announceTarget(d *data, target string) (func(*campaignbot.Person) bool, error) {
	if target == "" {
		return func(*campaignbot.Person) bool { return true }, nil
	}
	if r, ok := campaignbot.ParseRole(target); ok {
		return func(p *campaignbot.Person) bool { return p.HasRole(r) }, nil
	}
	for _, dep := range d.departments {
		if dep.Name == target {
			return func(p *campaignbot.Person) bool { return p.DepartmentID == dep.ID }, nil
		}
	}
	return nil, campaignbot.Errorf(campaignbot.EINVALID, "%q is neither a role nor a department", target)
}
