package campaignbot

import (
	"context"
	"time"
)

// Fault is a fault of the deployment rather than of one message: the
// platform refuses every call until the operator fixes something (a revoked
// token, a server IP not in 企业可信IP, a second poller). Delivery pauses
// instead of failing messages, and resumes by itself once a probe succeeds
// (SPEC §5).
type Fault struct {
	Platform Platform
	// Code names the fault; the catalog's "fault.advice.CODE" says what to
	// fix, in words for the operator and the office.
	Code string
	// Chat is set when the fault holds one chat only (the campaign group
	// behind an invalid robot key); "" holds the whole platform.
	Chat string
	// Detail is the platform's own words (errmsg, description), for the log.
	Detail string
	// Since is when the fault was first seen; the reporter fills it.
	Since time.Time
}

// Fault codes.
const (
	FaultTelegramToken    = "telegram_token"    // 401 Unauthorized: token revoked or wrong
	FaultTelegramConflict = "telegram_conflict" // 409: a webhook or another poller
	FaultTelegramGroup    = "telegram_group"    // the bot is no longer in the campaign group
	FaultWeComIP          = "wecom_ip"          // 60020: server IP not in 企业可信IP
	FaultWeComSecret      = "wecom_secret"      // 40001 at gettoken: WECOM_SECRET wrong or reset
	FaultWeComCorpID      = "wecom_corpid"      // 40013: WECOM_CORP_ID wrong
	FaultWeComRobotKey    = "wecom_robot_key"   // 93000: WECOM_ROBOT_KEY invalid or robot removed
)

// FaultCodes returns the fault codes of platform p, so that their metrics
// can be shown at zero before any happens.
func FaultCodes(p Platform) []string {
	switch p {
	case PlatformTelegram:
		return []string{FaultTelegramToken, FaultTelegramConflict, FaultTelegramGroup}
	case PlatformWeCom:
		return []string{FaultWeComIP, FaultWeComSecret, FaultWeComCorpID, FaultWeComRobotKey}
	}
	return nil
}

// FaultReporter is told when a fault of the deployment starts and when it
// ends. Raise and Clear may be called again for a fault already raised or
// cleared; only changes count.
type FaultReporter interface {
	RaiseFault(ctx context.Context, f Fault)
	ClearFault(ctx context.Context, p Platform, code string)
}

// OutboxProgress records the parts of a message already delivered, for a
// sender that carries one outbox message as several platform messages: a
// retry, even by the next process, goes on from OutboxMessage.PartsSent.
type OutboxProgress interface {
	MarkOutboxParts(ctx context.Context, id int64, parts int) error
}

// ChatMoves follows chats that changed their id (a Telegram group that
// became a supergroup).
type ChatMoves interface {
	MoveChat(ctx context.Context, platform Platform, from, to string) error
	// ResolveChat returns where chat went, chat itself if it never moved.
	ResolveChat(ctx context.Context, platform Platform, chat string) (string, error)
}
