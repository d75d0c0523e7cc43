package telegram

// Messages are the only user-facing texts the adapter sends itself; every
// other text comes from the engine's catalog. They are kept here, in one
// place, in Chinese and English; main may replace them with WithMessages.
type Messages struct {
	// TooLarge answers a photo or document over Telegram's 20 MB download
	// limit, instead of passing it to the engine.
	TooLarge string
	// Failed answers an update that could not be processed after retries;
	// %s is the reference id that is in the log.
	Failed string
	// PrivateOnly answers /start sent in a group: invites are redeemed
	// only in a private chat with the bot.
	PrivateOnly string
	// GroupPrivate answers any other command sent in a group but /help:
	// replies carry personal data (tasks, invite codes, reports, overdue
	// names), so they are given only in a private chat.
	GroupPrivate string
}

// DefaultMessages returns the adapter's texts in lang: "en" for English,
// anything else for Chinese (zh-CN).
func DefaultMessages(lang string) Messages {
	if lang == "en" {
		return Messages{
			TooLarge:     "That file is larger than 20 MB, which Telegram does not let bots download. Please send a smaller file (compress it or split it) or a photo of the page.",
			Failed:       "Sorry, something went wrong. Please try again later. Reference: %s",
			PrivateOnly:  "Send /start CODE to me in a private chat, not in a group. A code posted in a group is no longer secret: ask the office for a new one.",
			GroupPrivate: "Please send me that in a private chat: in a group I answer only /help.",
		}
	}
	return Messages{
		TooLarge:     "文件超过 20 MB，Telegram 不允许机器人下载。请压缩或拆分后重新发送，或改发照片。",
		Failed:       "抱歉，出了点问题，请稍后再试。参考编号：%s",
		PrivateOnly:  "请在与我的私聊中发送 /start 邀请码，不要发在群里。发在群里的邀请码已不再保密，请向办公室索取新的邀请码。",
		GroupPrivate: "请在与我的私聊中发送这条命令：在群里我只回答 /help。",
	}
}
