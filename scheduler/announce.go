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
// announcement is not a reminder. Inside quiet hours it is held until they
// end. It reports who gets it now, who when quiet hours end, and who
// cannot be reached (no bound account, or every account refused the last
// delivery). Role checks are the bot's; an unknown target or an empty or
// overlong text is EINVALID.
func (s *Scheduler) Announce(ctx context.Context, fromPersonID int64, target, text, key string) (campaignbot.Delivery, error) {
	var rep campaignbot.Delivery
	text = strings.TrimSpace(text)
	if text == "" {
		return rep, campaignbot.Errorf(campaignbot.EINVALID, "an announcement needs text")
	} else if !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxAnnouncement {
		return rep, campaignbot.Errorf(campaignbot.EINVALID, "an announcement is at most %d characters of UTF-8 text", MaxAnnouncement)
	}
	d, err := s.load(ctx)
	if err != nil {
		return rep, err
	}
	from := d.byID[fromPersonID]
	if from == nil {
		return rep, campaignbot.Errorf(campaignbot.ENOTFOUND, "person %d not found", fromPersonID)
	}
	match, err := announceTarget(d, strings.TrimSpace(target))
	if err != nil {
		return rep, err
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
	held := next.After(now)
	msg := func(key string, pl campaignbot.Platform, chat string, person int64) *campaignbot.OutboxMessage {
		return &campaignbot.OutboxMessage{
			Key: key, Platform: pl, ChatID: chat, PersonID: person,
			Kind: campaignbot.KindAnnouncement, Text: body, NextAt: next,
		}
	}
	accounts := make(map[int64][]*campaignbot.Account, len(d.people))
	for _, a := range d.accounts {
		accounts[a.PersonID] = append(accounts[a.PersonID], a)
	}
	var msgs []*campaignbot.OutboxMessage
	for _, p := range d.people {
		if !match(p) {
			continue
		}
		accs := accounts[p.ID]
		switch campaignbot.ReachOf(p, accs) {
		case campaignbot.ReachUnbound:
			rep.Unbound = append(rep.Unbound, p.Name)
			continue
		case campaignbot.ReachUnreachable:
			rep.Unreachable = append(rep.Unreachable, p.Name)
		case campaignbot.ReachBound:
			if held {
				rep.Held++
			} else {
				rep.Now++
			}
		}
		for _, a := range accs {
			msgs = append(msgs, msg(fmt.Sprintf("announce:%s:%d:%s", id, p.ID, a.Platform), a.Platform, a.ChatID, p.ID))
		}
	}
	if target == "" {
		for _, pl := range s.groups {
			msgs = append(msgs, msg(fmt.Sprintf("announce:%s:group:%s", id, pl), pl, GroupChat, 0))
		}
	}
	if held {
		rep.HeldUntil = next
	}
	if _, err := s.enqueue(ctx, msgs); err != nil {
		return campaignbot.Delivery{}, err
	}
	return rep, nil
}

// announceTarget returns who an announcement target means.
func announceTarget(d *data, target string) (func(*campaignbot.Person) bool, error) {
	return campaignbot.AnnouncementAudience(target, d.departments)
}
