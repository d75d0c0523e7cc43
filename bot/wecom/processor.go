package wecom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"campaignbot"
	"campaignbot/bot"
)

// AttachmentSaver stores a fetched file; campaignbot.SubmissionService
// implements it.
type AttachmentSaver interface {
	SaveAttachment(ctx context.Context, name, mime string, data []byte) (*campaignbot.Attachment, error)
}

// Processor is WeCom's part of the intake (a bot.Decoder): it reads the
// callbacks the Receiver stored and turns them into bot requests, fetching
// their media.
type Processor struct {
	client *Client
	saver  AttachmentSaver
	logger *slog.Logger
	lang   string // of the reply to a file over the download limit
	roster Roster // nil: every sender's media is fetched
	// contacts follows a change of the address book; nil ignores them.
	contacts func(ctx context.Context, change *Message) error
}

// NewProcessor returns a Processor. Options: WithLogger, WithLang.
func NewProcessor(client *Client, saver AttachmentSaver, opts ...Option) *Processor {
	o := newOptions(opts)
	return &Processor{client: client, saver: saver, logger: o.logger, lang: o.lang, roster: o.roster, contacts: o.contacts}
}

// Route implements bot.Decoder: a callback's member is its sender and its
// chat.
func (p *Processor) Route(in *campaignbot.Inbound) bot.Route {
	msg, err := ParseMessage(in.Payload)
	if err != nil {
		return bot.Route{}
	}
	return bot.Route{Sender: msg.FromUserName, Chat: msg.FromUserName}
}

// Decode implements bot.Decoder for one stored callback.
func (p *Processor) Decode(ctx context.Context, ins []*campaignbot.Inbound) (*bot.Request, error) {
	msg, err := ParseMessage(ins[0].Payload)
	if err != nil {
		p.logger.Error("wecom: stored callback unreadable", "key", ins[0].Key, "err", err)
		return nil, bot.ErrIgnore
	}
	req, err := p.ToRequest(ctx, msg)
	var df *downloadFailure
	if errors.As(err, &df) {
		expires := ins[0].ReceivedAt.Add(MediaLifetime - time.Hour)
		if df.final {
			expires = ins[0].ReceivedAt // gone already: tell the member now
		}
		return nil, &bot.DownloadError{Expires: expires, Err: err}
	}
	return req, err
}

// MediaLifetime is how long WeCom keeps a member's media (media_id): media
// that cannot be fetched is tried again until shortly before then.
const MediaLifetime = 3 * 24 * time.Hour

// downloadFailure is a media/get that failed; final when WeCom no longer
// has the media.
type downloadFailure struct {
	err   error
	final bool
}

func (e *downloadFailure) Error() string { return e.err.Error() }
func (e *downloadFailure) Unwrap() error { return e.err }

// ToRequest maps a callback message to a bot request: text; image, voice,
// video and file (fetched with GetMedia and stored as attachments);
// location; and menu clicks and template card buttons, whose key is the
// Text when it starts with "/" (a command) and the Callback otherwise. It
// returns bot.ErrIgnore for events the bot ignores (enter_agent, LOCATION
// reports, …), and the request with an EINVALID error whose message is the
// reply for media over the limit.
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
	case MsgTypeLink:
		// An article the member forwards is content, as text they typed:
		// its title, summary and address.
		var parts []string
		for _, f := range []string{msg.Title, msg.Description, msg.URL} {
			if f = strings.TrimSpace(f); f != "" {
				parts = append(parts, f)
			}
		}
		if len(parts) == 0 {
			return nil, bot.ErrIgnore
		}
		req.Text = strings.Join(parts, "\n")
	case MsgTypeImage, MsgTypeVoice, MsgTypeVideo, MsgTypeFile:
		if msg.MediaID == "" {
			return nil, bot.ErrIgnore
		}
		if member, err := p.member(ctx, msg.FromUserName); err != nil {
			return nil, err
		} else if !member {
			// Not kept: the engine tells a stranger to ask the office.
			return req, nil
		}
		att, err := p.fetch(ctx, msg)
		if errors.Is(err, ErrTooLarge) {
			return req, campaignbot.Errorf(campaignbot.EINVALID, "%s", campaignbot.T(p.lang, "err.file_too_large"))
		} else if err != nil {
			return nil, err
		}
		req.Attachments = []campaignbot.Attachment{*att}
	case MsgTypeLocation:
		req.Location = &bot.Location{Latitude: msg.LocationX, Longitude: msg.LocationY}
	case MsgTypeEvent:
		switch msg.Event {
		case EventSubscribe, EventUnsubscribe:
			// The member was added to the app's visible range (可见范围)
			// or removed from it: reachable again, or not.
			reachable := msg.Event == EventSubscribe
			req.Reachable = &reachable
		case EventChangeContact:
			if p.contacts != nil {
				if err := p.contacts(ctx, msg); err != nil {
					// Stored: the intake tries the event again.
					return nil, fmt.Errorf("follow change_contact %s: %w", msg.ChangeType, err)
				}
			}
			return nil, bot.ErrIgnore
		case EventClick, EventTemplateCardEvent:
			key := strings.TrimSpace(msg.EventKey)
			if key == "" {
				return nil, bot.ErrIgnore
			}
			key, label := SplitCardKey(key)
			if msg.Event == EventTemplateCardEvent && msg.ResponseCode != "" {
				p.pressed(ctx, msg, label)
			}
			if strings.HasPrefix(key, "/") {
				req.Text = key
			} else {
				req.Callback = key
			}
		default:
			return nil, bot.ErrIgnore
		}
	default:
		return nil, bot.ErrIgnore
	}
	return req, nil
}

// member reports whether userID is bound to someone in the roster.
func (p *Processor) member(ctx context.Context, userID string) (bool, error) {
	if p.roster == nil {
		return true, nil
	}
	_, err := p.roster.FindAccount(ctx, campaignbot.PlatformWeCom, userID)
	switch campaignbot.ErrorCode(err) {
	case "":
		return true, nil
	case campaignbot.ENOTFOUND:
		return false, nil
	}
	return false, err
}

// pressed updates the card a member pressed so that its buttons become one
// that shows the choice and cannot be pressed again (SPEC §6). It is done
// before the press is handled: a card pressed twice before the update
// lands is answered twice, not filed twice, and a failed update (the code
// used by a replay, or older than 72 hours) leaves the card as it was.
func (p *Processor) pressed(ctx context.Context, msg *Message, label string) {
	name := campaignbot.T(p.lang, "wecom.card_pressed")
	if label != "" {
		name = campaignbot.T(p.lang, "wecom.card_chosen", label)
	}
	if err := p.client.UpdateCardButton(ctx, msg.FromUserName, msg.ResponseCode, name); err != nil {
		p.logger.Warn("wecom: pressed card not updated", "user", msg.FromUserName, "task_id", msg.TaskID, "err", err)
	}
}

// fetch downloads a message's media and stores it.
func (p *Processor) fetch(ctx context.Context, msg *Message) (*campaignbot.Attachment, error) {
	data, name, mimeType, err := p.client.GetMedia(ctx, msg.MediaID)
	var ae *APIError
	switch {
	case errors.Is(err, ErrTooLarge):
		return nil, err
	case errors.As(err, &ae) && ae.Code == CodeInvalidMediaID:
		return nil, &downloadFailure{err: err, final: true}
	case err != nil:
		return nil, &downloadFailure{err: err}
	}
	// The member's file name beats the download's, which is often the media id.
	if msg.FileName != "" || msg.Title != "" || name == "" || name == msg.MediaID {
		name = msg.Name()
	}
	att, err := p.saver.SaveAttachment(ctx, name, mimeType, data)
	if err != nil {
		// Not the member's mistake (an empty download is WeCom's): a
		// passing failure, whatever the store's code, never a refusal.
		return nil, fmt.Errorf("save %s: %s", name, err.Error())
	}
	a := *att
	a.Platform = campaignbot.PlatformWeCom
	return &a, nil
}
