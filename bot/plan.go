package bot

import "campaignbot"

// SetPlan puts p in force for the requests handled from now on, so that a
// plan applied while the bot runs (a deadline moved) takes effect without a
// restart. Safe for concurrent use.
func (e *Engine) SetPlan(p *campaignbot.Plan) { e.plan.Store(p) }
