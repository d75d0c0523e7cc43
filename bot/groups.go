package bot

import (
	"slices"

	"campaignbot"
)

// GroupChatID is the outbox chat id of the campaign group: each platform's
// sender maps it to the group it is configured with (a Telegram group chat
// id, a WeCom group robot).
const GroupChatID = "group"

// WithGroups names the platforms on which the deployment has a campaign
// group, so that /ledger publish posts there. main knows which are set up
// (TELEGRAM_GROUP_CHAT_ID, WECOM_ROBOT_KEY); the engine does not.
func WithGroups(platforms ...campaignbot.Platform) Option {
	return func(e *Engine) {
		for _, p := range platforms {
			if p != "" && !slices.Contains(e.groups, p) {
				e.groups = append(e.groups, p)
			}
		}
	}
}
