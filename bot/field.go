package bot

import (
	"context"

	"campaignbot"
)

// The field-problem, review and ledger commands are being built in their
// own change; until then they answer that they are not available.

func (e *Engine) unavailable(ctx context.Context, c *Context) error {
	return c.userError(campaignbot.EINVALID, "err.unavailable")
}

func (e *Engine) cmdProblem(ctx context.Context, c *Context) error  { return e.unavailable(ctx, c) }
func (e *Engine) cmdProblems(ctx context.Context, c *Context) error { return e.unavailable(ctx, c) }
func (e *Engine) cmdConfirm(ctx context.Context, c *Context) error  { return e.unavailable(ctx, c) }
func (e *Engine) cmdReopen(ctx context.Context, c *Context) error   { return e.unavailable(ctx, c) }
func (e *Engine) cmdClaim(ctx context.Context, c *Context) error    { return e.unavailable(ctx, c) }
func (e *Engine) cmdProgress(ctx context.Context, c *Context) error { return e.unavailable(ctx, c) }
func (e *Engine) cmdResolve(ctx context.Context, c *Context) error  { return e.unavailable(ctx, c) }
func (e *Engine) cmdReview(ctx context.Context, c *Context) error   { return e.unavailable(ctx, c) }
func (e *Engine) cmdAssign(ctx context.Context, c *Context) error   { return e.unavailable(ctx, c) }
func (e *Engine) cmdLedger(ctx context.Context, c *Context) error   { return e.unavailable(ctx, c) }
func (e *Engine) problemStep(ctx context.Context, c *Context) error { return e.unavailable(ctx, c) }
