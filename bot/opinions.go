package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"campaignbot"
)

// opinionsShown bounds the opinions /opinions lists.
const opinionsShown = 30

// cmdOpinions lists the opinions for the head and the office: those waiting
// for an answer first, then the answered ones, newest first within each.
func (e *Engine) cmdOpinions(ctx context.Context, c *Context) error {
	ops, err := e.store.FindOpinions(ctx)
	if err != nil {
		return fmt.Errorf("find opinions: %w", err)
	}
	if len(ops) == 0 {
		c.Reply("opinions.none")
		return nil
	}
	names, err := e.personNames(ctx)
	if err != nil {
		return err
	}
	slices.SortStableFunc(ops, func(a, b *campaignbot.Opinion) int {
		if (a.Answer == "") != (b.Answer == "") {
			if a.Answer == "" {
				return -1
			}
			return 1
		}
		return int(b.Day - a.Day)
	})
	open := 0
	for _, op := range ops {
		if op.Answer == "" {
			open++
		}
	}
	var b strings.Builder
	b.WriteString(c.T("opinions.header", len(ops), open))
	for _, op := range ops[:min(len(ops), opinionsShown)] {
		author := c.T("opinions.anonymous")
		if !op.Anonymous {
			author = names[op.AuthorID]
		}
		state := c.T("opinions.open")
		if op.Answer != "" {
			state = c.T("opinions.answered", excerpt(op.Answer, 40))
		}
		b.WriteString("\n" + c.T("opinions.line", op.Number(), op.Day, author, excerpt(op.Text, 80), state))
	}
	if n := len(ops) - opinionsShown; n > 0 {
		b.WriteString("\n" + c.T("opinions.more", n))
	}
	b.WriteString("\n" + c.T("opinions.footer"))
	c.ReplyRendered(b.String())
	return nil
}

// cmdAnswer answers an opinion: `/answer N TEXT`. A named author is told
// the answer in chat; an anonymous opinion's answer can be published to
// the campaign group with `/answer N publish`.
func (e *Engine) cmdAnswer(ctx context.Context, c *Context) error {
	first, text, _ := strings.Cut(strings.TrimSpace(c.Args), " ")
	text = strings.TrimSpace(text)
	n, ok := parseNumber(first)
	if !ok || text == "" {
		return c.userError(campaignbot.EINVALID, "answer.usage")
	}
	op, err := e.store.FindOpinionByNumber(ctx, n)
	switch campaignbot.ErrorCode(err) {
	case "":
	case campaignbot.ENOTFOUND:
		return c.userError(campaignbot.ENOTFOUND, "answer.not_found", n)
	case campaignbot.ECONFLICT:
		return c.userError(campaignbot.ECONFLICT, "answer.ambiguous", n)
	default:
		return fmt.Errorf("find opinion: %w", err)
	}
	if text == "publish" || text == "发布" {
		return e.publishAnswer(ctx, c, op)
	}
	if n := utf8.RuneCountInString(text); n > MaxTextLen {
		return c.userError(campaignbot.EINVALID, "err.too_long", n, MaxTextLen)
	}
	if err := e.store.AnswerOpinion(ctx, op.ID, text, c.Person.ID); err != nil {
		return fmt.Errorf("answer opinion: %w", err)
	}
	if op.Anonymous {
		var buttons [][]campaignbot.Button
		if len(e.groups) > 0 {
			buttons = [][]campaignbot.Button{{{Text: c.T("answer.publish_button"), Data: fmt.Sprintf("/answer %d publish", op.Number())}}}
		}
		c.ReplyButtons(buttons, "answer.ok_anon", op.Number())
		return nil
	}
	sum := sha256.Sum256([]byte(text))
	key := fmt.Sprintf("notice:answer:%d:%s", op.ID, hex.EncodeToString(sum[:6]))
	notice := c.T("answer.notice", op.Day, excerpt(op.Text, 80), text)
	if err := e.tell(ctx, c, op.AuthorID, campaignbot.KindNotice, key, notice, nil); err != nil {
		return err
	}
	c.Reply("answer.ok_named", op.Number(), e.nameOf(ctx, c, op.AuthorID))
	return nil
}

// publishAnswer posts an answered opinion and its answer to the campaign
// group, once per answer.
func (e *Engine) publishAnswer(ctx context.Context, c *Context, op *campaignbot.Opinion) error {
	if op.Answer == "" {
		return c.userError(campaignbot.EINVALID, "answer.publish_unanswered", op.Number(), op.Number())
	}
	if len(e.groups) == 0 {
		return c.userError(campaignbot.EINVALID, "ledger.no_group")
	}
	text := c.T("answer.published_text", op.Day, op.Text, op.Answer)
	sum := sha256.Sum256([]byte(text))
	now := e.clock.Now()
	var msgs []*campaignbot.OutboxMessage
	for _, p := range e.groups {
		msgs = append(msgs, &campaignbot.OutboxMessage{
			Key:      fmt.Sprintf("answer:%s:%s", p, hex.EncodeToString(sum[:8])),
			Platform: p, ChatID: GroupChatID, Kind: campaignbot.KindAnnouncement,
			Text: text, Status: campaignbot.OutboxPending, NextAt: now,
		})
	}
	added, err := e.store.EnqueueOutbox(ctx, msgs)
	if err != nil {
		return fmt.Errorf("enqueue answer: %w", err)
	}
	if added == 0 {
		c.Reply("answer.already_published", op.Number())
		return nil
	}
	e.notify()
	c.Reply("answer.published", op.Number())
	return nil
}
