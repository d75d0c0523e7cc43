package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"time"

	"campaignbot"
)

// HandlerFunc handles a command or a dialog step.
type HandlerFunc func(ctx context.Context, c *Context) error

// chain wraps a command's handler in the binding and role checks.
func (e *Engine) chain(cmd *Command) HandlerFunc {
	return e.requireBinding(cmd, e.requireRole(cmd, cmd.Handler))
}

// requireBinding lets unbound users reach only the commands open to them.
func (e *Engine) requireBinding(cmd *Command, next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, c *Context) error {
		if c.Person == nil && !cmd.Unbound {
			if c.Req.Platform == campaignbot.PlatformWeCom {
				// No invite binds on WeCom: only the roster does.
				return c.userError(campaignbot.EFORBIDDEN, "wecom.not_in_roster", c.Req.AccountID)
			}
			return c.userError(campaignbot.EFORBIDDEN, "err.not_bound")
		}
		return next(ctx, c)
	}
}

// requireRole refuses a command the person's roles do not allow.
func (e *Engine) requireRole(cmd *Command, next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, c *Context) error {
		if c.Person != nil && !cmd.Allowed(c.Person) {
			return c.userError(campaignbot.EFORBIDDEN, "err.forbidden", "/"+cmd.Name, e.roleNames(cmd.Roles))
		}
		return next(ctx, c)
	}
}

// recoverer turns a panic into an internal error with a reference id.
func (e *Engine) recoverer(next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, c *Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		return next(ctx, c)
	}
}

// roleNames renders roles in the catalog's language.
func (e *Engine) roleNames(roles []campaignbot.Role) string {
	s := ""
	for i, r := range roles {
		if i > 0 {
			s += e.cat.t("list.sep")
		}
		s += r.Title(e.cat.lang)
	}
	return s
}

// Allowed reports whether p may run cmd.
func (cmd *Command) Allowed(p *campaignbot.Person) bool {
	if len(cmd.Roles) == 0 {
		return true
	}
	return slices.ContainsFunc(cmd.Roles, p.HasRole)
}

// Invite guessing limits: at most maxGuesses wrong codes per guessWindow
// from one chat account, counted in the store so that a restart does not
// reset them.
const (
	maxGuesses  = 5
	guessWindow = 15 * time.Minute
)
