// Package bot is the chat engine: a platform-neutral request goes in,
// replies come out. Every platform adapter (console, Telegram, WeCom) only
// translates to and from it.
package bot

import (
	"context"

	"campaignbot"
)

// Request is one inbound chat event in platform-neutral form.
type Request struct {
	Platform campaignbot.Platform
	// AccountID is the platform's user id (Telegram numeric id as text,
	// WeCom UserID, console person name).
	AccountID string
	// ChatID is where replies go.
	ChatID string
	// MessageID is the platform's message id (or callback id); with
	// Platform and ChatID it identifies the message for de-duplication.
	MessageID string
	Text      string
	// Attachments are files already fetched into the attachment store.
	Attachments []campaignbot.Attachment
	// ReplyTo is the platform message id this message replies to, if any.
	ReplyTo string
	// Callback is the data of a pressed button, if this is a button press.
	Callback string
	Location *Location
}

// Location is a point the user shared.
type Location struct {
	Latitude, Longitude float64
}

// Reply is one message back to the requester.
type Reply struct {
	Text    string
	Buttons [][]campaignbot.Button
	Files   []campaignbot.Attachment
}

// Handler is what platform adapters call. *Engine implements it; adapters
// depend on this interface so they can be tested alone.
type Handler interface {
	// Handle processes one request and returns the replies to send back to
	// req.ChatID. Messages for other people (notifications) the engine puts
	// in the outbox itself. The same (Platform, ChatID, MessageID) handled
	// twice has its effects once.
	Handle(ctx context.Context, req *Request) ([]Reply, error)
}
