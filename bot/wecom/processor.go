package wecom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"campaignbot"
	"campaignbot/bot"
)

// DefaultTooLargeText is the reply to a file over the download limit.
const DefaultTooLargeText = "文件超过 20 MB，无法接收。请压缩或分成几个文件后再发送。"

// DefaultFailedText answers a callback given up after maxAttempts; %s is
// the reference in the log.
const DefaultFailedText = "抱歉，出了点问题，请稍后再试。参考编号：%s"

// pendingBatch is how many stored callbacks one pass of the Processor takes.
const pendingBatch = 100

// pollEvery is how often Run looks for stored callbacks without a wake-up,
// so that callbacks stored before a restart are processed.
const pollEvery = 30 * time.Second

// AttachmentSaver stores a fetched file; campaignbot.SubmissionService
// implements it.
type AttachmentSaver interface {
	SaveAttachment(ctx context.Context, name, mime string, data []byte) (*campaignbot.Attachment, error)
}

// Inbox is the part of campaignbot.InboundService the Processor reads.
type Inbox interface {
	PendingInbound(ctx context.Context, platform campaignbot.Platform, limit int) ([]*campaignbot.Inbound, error)
	MarkInboundProcessed(ctx context.Context, platform campaignbot.Platform, keys ...string) error
}

// Processor turns stored callbacks into bot requests, hands them to the
// engine and sends the replies. It runs apart from the Receiver so that
// WeCom is answered as soon as a callback is stored.
type Processor struct {
	client    *Client
	saver     AttachmentSaver
	handler   bot.Handler
	inbox     Inbox
	replies   campaignbot.Sender
	logger    *slog.Logger
	tooLarge  string
	failedFmt string
	wake      chan struct{}

	mu       sync.Mutex
	attempts map[string]int // failed attempts by callback key
}

// maxAttempts bounds how often a callback whose handling fails is tried
// before it is given up (logged), so one bad callback cannot block the rest.
const maxAttempts = 3

// NewProcessor returns a Processor. replies sends the engine's replies: a
// *Sender sends them at once; a sender that enqueues into the outbox paces
// them. Options: WithLogger.
func NewProcessor(client *Client, saver AttachmentSaver, handler bot.Handler, inbox Inbox, replies campaignbot.Sender, opts ...Option) *Processor {
	o := newOptions(opts)
	return &Processor{
		client:    client,
		saver:     saver,
		handler:   handler,
		inbox:     inbox,
		replies:   replies,
		logger:    o.logger,
		tooLarge:  DefaultTooLargeText,
		failedFmt: DefaultFailedText,
		wake:      make(chan struct{}, 1),
	}
}

// SetTooLargeText sets the reply to a file over the download limit (from
// the message catalog).
func (p *Processor) SetTooLargeText(s string) { p.tooLarge = s }

// SetFailedText sets the reply to a callback given up after repeated
// failures (from the message catalog); %s is the reference in the log.
func (p *Processor) SetFailedText(format string) { p.failedFmt = format }

// Wake tells Run that a callback was stored; it never blocks. Give it to
// the Receiver with WithNotify(p.Wake).
func (p *Processor) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run processes stored callbacks whenever woken, and every pollEvery, until
// ctx is done.
func (p *Processor) Run(ctx context.Context) error {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		if _, err := p.ProcessPending(ctx); err != nil && ctx.Err() == nil {
			p.logger.Error("wecom: process pending", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-p.wake:
		case <-t.C:
		}
	}
}

// ProcessPending processes the stored, unprocessed callbacks in order and
// returns how many it finished. A callback that failed for a passing reason
// (network, store) stays pending for the next pass.
func (p *Processor) ProcessPending(ctx context.Context) (int, error) {
	n := 0
	for {
		batch, err := p.inbox.PendingInbound(ctx, campaignbot.PlatformWeCom, pendingBatch)
		if err != nil {
			return n, fmt.Errorf("pending wecom callbacks: %w", err)
		}
		// Each member's callbacks in order (a failed one holds back that
		// member's later ones), different members' side by side.
		var mu sync.Mutex
		done := 0
		var errs []error
		bot.ProcessLanes(ctx, batch, senderOf, func(ctx context.Context, in *campaignbot.Inbound) bool {
			err := p.Process(ctx, in)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("callback %s: %w", in.Key, err))
				return false
			}
			done++
			return true
		})
		n += done
		// After a failure the next pass comes with the next wake-up or
		// poll, not at once: what failed gets time to recover.
		if len(batch) < pendingBatch || done == 0 || len(errs) > 0 {
			return n, errors.Join(errs...)
		}
	}
}

// senderOf returns the member who sent a stored callback, or "" if it
// cannot be read (Process then deals with it).
func senderOf(in *campaignbot.Inbound) string {
	msg, err := ParseMessage(in.Payload)
	if err != nil {
		return ""
	}
	return msg.FromUserName
}

// Process handles one stored callback: parse, build the request, call the
// engine, send the replies, mark it processed. It returns an error only when
// the callback should be tried again: a callback that fails maxAttempts
// times for a passing reason (network, the WeCom API, the store) is given
// up, logged and marked processed, so that it does not hold back the
// member's later messages for ever.
func (p *Processor) Process(ctx context.Context, in *campaignbot.Inbound) error {
	err := p.process(ctx, in)
	if err == nil {
		p.forget(in.Key)
		return nil
	}
	if ctx.Err() != nil {
		return err
	}
	if n := p.failed(in.Key); n < maxAttempts {
		p.logger.Warn("wecom: callback failed, will retry", "key", in.Key, "attempt", n, "err", err)
		return err
	}
	ref := "wc-" + in.Key
	p.logger.Error("wecom: callback failed, giving up", "key", in.Key, "ref", ref, "err", err)
	p.forget(in.Key)
	// Tell the member, rather than leave them waiting for an answer.
	if msg, perr := ParseMessage(in.Payload); perr == nil && msg.FromUserName != "" {
		notice := []bot.Reply{{Text: fmt.Sprintf(p.failedFmt, ref)}}
		if err := p.replyAs(ctx, in.Key, "failed", msg.FromUserName, notice); err != nil {
			p.logger.Error("wecom: failure notice", "key", in.Key, "err", err)
		}
	}
	return p.inbox.MarkInboundProcessed(ctx, campaignbot.PlatformWeCom, in.Key)
}

// process is Process but for the counting of attempts.
func (p *Processor) process(ctx context.Context, in *campaignbot.Inbound) (err error) {
	defer func() {
		if r := recover(); r != nil {
			p.logger.Error("wecom: panic processing callback", "key", in.Key, "panic", r)
			err = p.inbox.MarkInboundProcessed(ctx, campaignbot.PlatformWeCom, in.Key)
		}
	}()
	msg, err := ParseMessage(in.Payload)
	if err != nil {
		p.logger.Error("wecom: stored callback unreadable", "key", in.Key, "err", err)
		return p.inbox.MarkInboundProcessed(ctx, campaignbot.PlatformWeCom, in.Key)
	}
	req, err := p.ToRequest(ctx, msg)
	switch {
	case err == nil:
	case campaignbot.ErrorCode(err) == campaignbot.EINVALID:
		if err := p.reply(ctx, in.Key, msg.FromUserName, []bot.Reply{{Text: campaignbot.ErrorMessage(err)}}); err != nil {
			return err
		}
		return p.inbox.MarkInboundProcessed(ctx, campaignbot.PlatformWeCom, in.Key)
	case ClassifyError(err).Permanent:
		p.logger.Error("wecom: callback dropped", "key", in.Key, "err", err)
		return p.inbox.MarkInboundProcessed(ctx, campaignbot.PlatformWeCom, in.Key)
	default:
		return err
	}
	if req != nil {
		req.InboundKey = string(campaignbot.PlatformWeCom) + ":" + in.Key
		replies, err := p.handler.Handle(ctx, req)
		if err == nil {
			err = p.reply(ctx, in.Key, req.ChatID, replies)
		}
		if err != nil {
			// The engine answers users' mistakes itself; an error here is
			// the store or the outbox failing: try the callback again.
			return err
		}
	}
	return p.inbox.MarkInboundProcessed(ctx, campaignbot.PlatformWeCom, in.Key)
}

// forget drops the count of failed attempts at the callback.
func (p *Processor) forget(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.attempts, key)
}

// failed counts a failed attempt at the callback and returns the count.
func (p *Processor) failed(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.attempts == nil {
		p.attempts = map[string]int{}
	}
	p.attempts[key]++
	return p.attempts[key]
}

// reply sends the replies to a callback. Each carries an idempotency key
// derived from the callback, so a replies sender that writes to the outbox
// queues them once however often the callback is processed.
func (p *Processor) reply(ctx context.Context, inKey, chatID string, replies []bot.Reply) error {
	return p.replyAs(ctx, inKey, "", chatID, replies)
}

// replyAs is reply with what names the replies among the callback's
// ("" for the engine's, "failed" for the failure notice).
func (p *Processor) replyAs(ctx context.Context, inKey, what, chatID string, replies []bot.Reply) error {
	for i, r := range replies {
		m := &campaignbot.OutboxMessage{
			Key:      fmt.Sprintf("reply:wecom:%s:%s%d", inKey, what, i),
			Platform: campaignbot.PlatformWeCom,
			ChatID:   chatID,
			Kind:     campaignbot.KindReply,
			Text:     r.Text,
			Buttons:  r.Buttons,
			Files:    r.Files,
		}
		if _, err := p.replies.Send(ctx, m); err != nil {
			return fmt.Errorf("reply to %s: %w", chatID, err)
		}
	}
	return nil
}

// ToRequest maps a callback message to a bot request: text; image, voice,
// video and file (fetched with GetMedia and stored as attachments);
// location; and menu clicks and template card buttons, whose key is the
// Text when it starts with "/" (a command) and the Callback otherwise. It
// returns nil for events the bot ignores (enter_agent, LOCATION reports, …)
// and an EINVALID error whose message is the reply for media over the limit.
func (p *Processor) ToRequest(ctx context.Context, msg *Message) (*bot.Request, error) {
	req := &bot.Request{
		Platform:  campaignbot.PlatformWeCom,
		AccountID: msg.FromUserName,
		ChatID:    msg.FromUserName,
		MessageID: msg.DedupKey(),
	}
	switch msg.MsgType {
	case MsgTypeText:
		req.Text = msg.Content
	case MsgTypeImage, MsgTypeVoice, MsgTypeVideo, MsgTypeFile:
		if msg.MediaID == "" {
			return nil, nil
		}
		att, err := p.fetch(ctx, msg)
		if err != nil {
			return nil, err
		}
		req.Attachments = []campaignbot.Attachment{*att}
	case MsgTypeLocation:
		req.Location = &bot.Location{Latitude: msg.LocationX, Longitude: msg.LocationY}
	case MsgTypeEvent:
		switch msg.Event {
		case EventClick, EventTemplateCardEvent:
			key := strings.TrimSpace(msg.EventKey)
			if key == "" {
				return nil, nil
			}
			if strings.HasPrefix(key, "/") {
				req.Text = key
			} else {
				req.Callback = key
			}
		default:
			return nil, nil
		}
	default:
		return nil, nil
	}
	return req, nil
}

// fetch downloads a message's media and stores it.
func (p *Processor) fetch(ctx context.Context, msg *Message) (*campaignbot.Attachment, error) {
	data, name, mimeType, err := p.client.GetMedia(ctx, msg.MediaID)
	if errors.Is(err, ErrTooLarge) {
		return nil, campaignbot.Errorf(campaignbot.EINVALID, "%s", p.tooLarge)
	} else if err != nil {
		return nil, err
	}
	// The member's file name beats the download's, which is often the media id.
	if msg.FileName != "" || msg.Title != "" || name == "" || name == msg.MediaID {
		name = msg.Name()
	}
	att, err := p.saver.SaveAttachment(ctx, name, mimeType, data)
	if err != nil {
		return nil, fmt.Errorf("save %s: %w", name, err)
	}
	a := *att
	a.Platform = campaignbot.PlatformWeCom
	return &a, nil
}
