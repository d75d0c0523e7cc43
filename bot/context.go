package bot

import (
	"errors"

	"campaignbot"
)

// Context carries one request through middleware and handler, and collects
// the replies.
type Context struct {
	Req     *Request
	Person  *campaignbot.Person // nil until the account is bound
	Account *campaignbot.Account
	Cmd     *Command
	// Word is the command word as typed (name or alias).
	Word string
	// Args is the text after the command word.
	Args string
	// Text is the trimmed message text (or button data) outside commands.
	Text string
	// Dialog is the dialog in progress, if any.
	Dialog *campaignbot.Dialog

	e       *Engine
	replies []Reply
	// notices are the messages for other people the request queued.
	notices []notice
}

// Reply adds a reply with the catalog text for key.
func (c *Context) Reply(key string, args ...any) {
	c.replies = append(c.replies, Reply{Text: c.e.cat.t(key, args...)})
}

// ReplyButtons adds a reply with the catalog text for key and buttons.
func (c *Context) ReplyButtons(buttons [][]campaignbot.Button, key string, args ...any) {
	c.replies = append(c.replies, Reply{Text: c.e.cat.t(key, args...), Buttons: buttons})
}

// ReplyFiles adds a reply carrying files.
func (c *Context) ReplyFiles(files []campaignbot.Attachment, key string, args ...any) {
	c.replies = append(c.replies, Reply{Text: c.e.cat.t(key, args...), Files: files})
}

// ReplyRendered adds a reply whose text was rendered from catalog entries
// elsewhere (digests, lists built line by line with T).
func (c *Context) ReplyRendered(text string) {
	c.replies = append(c.replies, Reply{Text: text})
}

// T returns the catalog text for key.
func (c *Context) T(key string, args ...any) string { return c.e.cat.t(key, args...) }

// userError returns an error whose text (from the catalog) is shown to the
// user as is.
func (c *Context) userError(code, key string, args ...any) error {
	return &userError{code: code, text: c.e.cat.t(key, args...)}
}

func (c *Context) cmdName() string {
	if c.Cmd == nil {
		return ""
	}
	return c.Cmd.Name
}

// userError is an error meant for the user, already in their language.
type userError struct {
	code string
	text string
}

func (e *userError) Error() string { return e.text }

// Unwrap lets campaignbot.ErrorCode see the code.
func (e *userError) Unwrap() error { return &campaignbot.Error{Code: e.code, Message: e.text} }

func asUserError(err error, target **userError) bool { return errors.As(err, target) }
