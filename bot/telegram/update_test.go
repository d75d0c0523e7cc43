package telegram

import (
	"reflect"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"campaignbot"
	"campaignbot/bot"
)

func TestStripBotName(t *testing.T) {
	tests := []struct {
		in, want string
		forUs    bool
	}{
		{"/start ABC", "/start ABC", true},
		{"/start@Campaign_Bot ABC", "/start ABC", true},
		{"/help@campaign_bot", "/help", true},
		{"/help@campaign_bot\nmore", "/help\nmore", true},
		{"/help@other_bot", "/help@other_bot", false},
		{"mail me@campaign_bot", "mail me@campaign_bot", true},
		{"", "", true},
	}
	for _, tt := range tests {
		got, forUs := stripBotName(tt.in, "campaign_bot")
		if got != tt.want || forUs != tt.forUs {
			t.Errorf("stripBotName(%q) = %q, %v; want %q, %v", tt.in, got, forUs, tt.want, tt.forUs)
		}
	}
}

func TestDecode(t *testing.T) {
	user := &models.User{ID: 7, FirstName: "Li"}
	private := models.Chat{ID: 7, Type: models.ChatTypePrivate}
	group := models.Chat{ID: -100, Type: models.ChatTypeSupergroup}
	msg := func(chat models.Chat, text string) *models.Message {
		return &models.Message{ID: 11, From: user, Date: 1, Chat: chat, Text: text}
	}
	req := func(chat, text string) *bot.Request {
		return &bot.Request{Platform: campaignbot.PlatformTelegram, AccountID: "7", ChatID: chat, MessageID: "11", Text: text}
	}
	withReply := msg(private, "这是我的心得")
	withReply.ReplyToMessage = &models.Message{ID: 3, Chat: private, Date: 1}
	replyReq := req("7", "这是我的心得")
	replyReq.ReplyTo = "3"
	located := msg(private, "")
	located.Location = &models.Location{Latitude: 30.5, Longitude: 114.3}
	locReq := req("7", "")
	locReq.Location = &bot.Location{Latitude: 30.5, Longitude: 114.3}
	captioned := msg(private, "")
	captioned.Caption = "page 2"
	captioned.Photo = []models.PhotoSize{
		{FileID: "s", Width: 90, Height: 60, FileSize: 10},
		{FileID: "l", Width: 1280, Height: 960, FileSize: 900},
		{FileID: "m", Width: 320, Height: 240, FileSize: 100},
	}
	fromBot := msg(private, "hi")
	fromBot.From = &models.User{ID: 8, IsBot: true}

	tests := []struct {
		name  string
		u     models.Update
		req   *bot.Request
		files []fileRef
	}{
		{"private text", models.Update{Message: msg(private, "hello")}, req("7", "hello"), nil},
		{"reply", models.Update{Message: withReply}, replyReq, nil},
		{"location", models.Update{Message: located}, locReq, nil},
		{"caption and largest photo", models.Update{Message: captioned}, req("7", "page 2"),
			[]fileRef{{id: "l", name: "photo_11.jpg", mime: "image/jpeg", size: 900}}},
		{"group command", models.Update{Message: msg(group, "/ledger@campaign_bot publish")}, inGroup(req("-100", "/ledger publish")), nil},
		{"group chatter", models.Update{Message: msg(group, "good morning")}, nil, nil},
		{"invite link pasted in a group", models.Update{Message: msg(group, "我的链接 https://t.me/campaign_bot?start=Ab3_x-9 谁用过")},
			inGroup(req("-100", "/start Ab3_x-9")), nil},
		{"another bot's link in a group", models.Update{Message: msg(group, "https://t.me/other_bot?start=Ab3")}, nil, nil},
		{"edited message in a group", models.Update{EditedMessage: msg(group, "/help")}, nil, nil},
		{"from a bot", models.Update{Message: fromBot}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := decode(&tt.u, "campaign_bot")
			if !reflect.DeepEqual(ev.req, tt.req) {
				t.Errorf("req = %+v, want %+v", ev.req, tt.req)
			}
			if !reflect.DeepEqual(ev.files, tt.files) {
				t.Errorf("files = %+v, want %+v", ev.files, tt.files)
			}
		})
	}
}

func inGroup(r *bot.Request) *bot.Request {
	r.InGroup = true
	return r
}

func TestRoute(t *testing.T) {
	var tg Telegram
	tests := []struct {
		name    string
		payload string
		want    bot.Route
	}{
		{"private message", `{"update_id":1,"message":{"message_id":3,"from":{"id":7},"chat":{"id":7,"type":"private"},"text":"hi"}}`,
			bot.Route{Sender: "7", Chat: "7", Text: true}},
		{"text at the limit", `{"update_id":1,"message":{"message_id":3,"from":{"id":7},"chat":{"id":7,"type":"private"},"text":"` + strings.Repeat("长", MaxTextLen) + `"}}`,
			bot.Route{Sender: "7", Chat: "7", Text: true, Full: true}},
		{"edit", `{"update_id":9,"edited_message":{"message_id":3,"from":{"id":7},"chat":{"id":7,"type":"private"},"text":"hi!"}}`,
			bot.Route{Sender: "7", Chat: "7"}},
		{"group message", `{"update_id":2,"message":{"message_id":4,"from":{"id":7},"chat":{"id":-100,"type":"supergroup"},"text":"/help"}}`,
			bot.Route{Sender: "7", Chat: "-100", Text: true}},
		{"album photo", `{"update_id":3,"message":{"message_id":5,"from":{"id":7},"chat":{"id":7,"type":"private"},"media_group_id":"g1","photo":[]}}`,
			bot.Route{Sender: "7", Chat: "7", Group: "7/g1"}},
		{"channel post in a group", `{"update_id":4,"message":{"message_id":6,"chat":{"id":-100,"type":"supergroup"},"text":"news"}}`,
			bot.Route{Chat: "-100", Text: true}},
		{"button", `{"update_id":5,"callback_query":{"id":"cb1","from":{"id":7},"chat_instance":"c","data":"task:x"}}`,
			bot.Route{Sender: "7", Chat: "7"}},
		{"blocked", `{"update_id":6,"my_chat_member":{"chat":{"id":7,"type":"private"},"from":{"id":7},"date":1}}`,
			bot.Route{Sender: "7"}},
		{"not JSON", `<xml/>`, bot.Route{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tg.Route(&campaignbot.Inbound{Platform: campaignbot.PlatformTelegram, Key: "1", Payload: []byte(tt.payload)})
			if got != tt.want {
				t.Errorf("Route = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestDecodeMedia: video is kept as a file; voice, stickers and edits are
// answered; a message in a forum topic keeps its topic.
func TestDecodeMedia(t *testing.T) {
	user := &models.User{ID: 7, FirstName: "Li"}
	private := models.Chat{ID: 7, Type: models.ChatTypePrivate}
	msg := func() *models.Message { return &models.Message{ID: 11, From: user, Date: 1, Chat: private} }
	video := msg()
	video.Video = &models.Video{FileID: "v", FileSize: 300}
	round := msg()
	round.VideoNote = &models.VideoNote{FileID: "r", FileSize: 200}
	voice := msg()
	voice.Voice = &models.Voice{FileID: "o", FileSize: 100}
	sticker := msg()
	sticker.Sticker = &models.Sticker{FileID: "s"}
	topic := &models.Message{ID: 12, From: user, Date: 1, Text: "/help", MessageThreadID: 30, IsTopicMessage: true,
		Chat: models.Chat{ID: -100, Type: models.ChatTypeSupergroup, IsForum: true}}
	chatter := &models.Message{ID: 13, From: user, Date: 1, Text: "码 Ab3_x-9Ab3_x-9Ab3_x-", Chat: models.Chat{ID: -100, Type: models.ChatTypeSupergroup}}
	tests := []struct {
		name    string
		u       models.Update
		refusal string
		files   []fileRef
		thread  string
		text    string
	}{
		{"video", models.Update{Message: video}, "", []fileRef{{id: "v", name: "video_11.mp4", mime: "video/mp4", size: 300}}, "", ""},
		{"round video", models.Update{Message: round}, "", []fileRef{{id: "r", name: "video_note_11.mp4", mime: "video/mp4", size: 200}}, "", ""},
		{"voice", models.Update{Message: voice}, "tg.voice", nil, "", ""},
		{"sticker", models.Update{Message: sticker}, "tg.sticker", nil, "", ""},
		{"edit", models.Update{EditedMessage: msg()}, "tg.edited", nil, "", ""},
		{"forum topic", models.Update{Message: topic}, "", nil, "30", "/help"},
		{"code-shaped chatter in a group", models.Update{Message: chatter}, "", nil, "", chatter.Text},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := decode(&tt.u, "campaign_bot")
			if ev.req == nil {
				t.Fatal("no request")
			}
			if ev.refusal != tt.refusal || !reflect.DeepEqual(ev.files, tt.files) || ev.req.Thread != tt.thread || ev.req.Text != tt.text {
				t.Errorf("refusal %q, files %+v, thread %q, text %q; want %q, %+v, %q, %q",
					ev.refusal, ev.files, ev.req.Thread, ev.req.Text, tt.refusal, tt.files, tt.thread, tt.text)
			}
		})
	}
}
