package main

// End-to-end tests fed with captured Telegram updates
// (bot/telegram/testdata, README there): what the Bot API really sends,
// not what campaignbot's or the library's types would encode.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"campaignbot"
	"campaignbot/bot/telegram/telegramtest"
)

// tgCaptured reads a captured update.
func tgCaptured(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "bot", "telegram", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// tgCapturedBatch reads a captured getUpdates answer: its updates.
func tgCapturedBatch(t *testing.T, name string) [][]byte {
	t.Helper()
	var answer struct {
		Result []json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(tgCaptured(t, name), &answer); err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, u := range answer.Result {
		out = append(out, u)
	}
	return out
}

// tgEdit changes fields of a captured update: keys are paths such as
// "message.text"; a nil value deletes the field. The update goes through
// generic JSON, never through campaignbot's or the library's types.
func tgEdit(t *testing.T, raw []byte, set map[string]any) []byte {
	t.Helper()
	var u map[string]any
	if err := json.Unmarshal(raw, &u); err != nil {
		t.Fatal(err)
	}
	for path, v := range set {
		keys := strings.Split(path, ".")
		m := u
		for _, k := range keys[:len(keys)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				t.Fatalf("captured update has no %s", path)
			}
			m = next
		}
		if v == nil {
			delete(m, keys[len(keys)-1])
		} else {
			m[keys[len(keys)-1]] = v
		}
	}
	out, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tgText is a private text message from user id, in the envelope of a
// captured one, with the next free update and message ids.
func (env *tgEnv) tgText(t *testing.T, id int64, text string) []byte {
	t.Helper()
	return tgEdit(t, tgCaptured(t, "text_message.json"), map[string]any{
		"update_id": 0, "message.message_id": env.nextUpdate.Add(1),
		"message.from.id": id, "message.chat.id": id, "message.text": text,
	})
}

// deliverRaw hands a captured update to the bot as Telegram would in the
// env's mode: queued for getUpdates, or posted to the webhook. Its
// update_id is renumbered: the captures come from different bots, and
// one bot's update ids only go up.
func (env *tgEnv) deliverRaw(t *testing.T, raw []byte) {
	t.Helper()
	if !env.webhook {
		if _, err := env.fake.AddRawUpdate(tgEdit(t, raw, map[string]any{"update_id": 0})); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw = tgEdit(t, raw, map[string]any{"update_id": env.nextUpdate.Add(1)})
	req, err := http.NewRequest(http.MethodPost, "http://"+env.addr+"/telegram/webhook", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", tgSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook answered %d, want 200", resp.StatusCode)
	}
}

// tgWaitSubmissions waits until the person has n submissions and returns
// them.
func tgWaitSubmissions(t *testing.T, db interface {
	FindSubmissions(context.Context, campaignbot.SubmissionFilter) ([]*campaignbot.Submission, error)
}, pid int64, n int) []*campaignbot.Submission {
	t.Helper()
	var subs []*campaignbot.Submission
	tgWaitFor(t, fmt.Sprintf("%d submissions", n), func() bool {
		var err error
		subs, err = db.FindSubmissions(context.Background(), campaignbot.SubmissionFilter{PersonID: &pid})
		return err == nil && len(subs) >= n
	})
	return subs
}

// tgAlbum sends the captured album after /note: its first photo, another
// person's message, then the second photo a while later (another poll, or
// another webhook call), and checks that it became one note with both
// photos and the caption.
func tgAlbum(t *testing.T, env *tgEnv) {
	db := env.openDB(t)
	pid := tgPersonID(t, db, "张三")
	page1, page2 := []byte("album page one"), []byte("album page two")
	// The largest size of each photo is the one fetched.
	env.fake.AddFile("eAADIAQ", "photos/file_a1.jpg", page1)
	env.fake.AddFile("CAAN5AAMgBA", "photos/file_a2.jpg", page2)
	u := env.user(100, "Tester")
	env.deliverRaw(t, env.tgText(t, 100, "/note"))
	env.deliverRaw(t, tgCaptured(t, "album_part1.json"))
	env.deliverRaw(t, env.tgText(t, 4242, "/help")) // someone else, between the photos
	time.Sleep(300 * time.Millisecond)
	env.deliverRaw(t, tgCaptured(t, "album_part2.json"))
	u.expect(t, tgAck(1, 2))
	subs := tgWaitSubmissions(t, db, pid, 1)
	if len(subs) != 1 || len(subs[0].Attachments) != 2 || subs[0].Text != "This is a media image." {
		t.Fatalf("submissions = %+v, want one note with the caption and both photos", subs)
	}
	env.requireStored(t, page1)
	env.requireStored(t, page2)
	time.Sleep(2 * time.Second) // a split album's second half would be answered by now
	if n := u.count(tgZh("submit.choose_for_content")); n != 0 {
		t.Errorf("asked %d times which task a photo is for", n)
	}
	if subs := tgSubmissions(t, db, pid); len(subs) != 1 {
		t.Errorf("%d submissions after the album, want 1", len(subs))
	}
}

// TestTelegramCapturedAlbumWebhook: in webhook mode each photo of an album
// is a call of its own.
func TestTelegramCapturedAlbumWebhook(t *testing.T) {
	t.Parallel()
	env := newTGEnv(t)
	env.webhook = true
	db := env.openDB(t)
	tgBind(t, db, "张三", 100)
	env.runMain(t)
	tgWaitFor(t, "setWebhook", func() bool { return env.fake.Webhook().URL != "" })
	tgAlbum(t, env)
}

// TestTelegramCapturedUpdates runs the captured updates through the bot
// in long-polling mode: an album in separate updates and polls, a long
// text in two messages, an edit, video, voice and stickers, a blocked
// bot, a group upgraded to a supergroup, a forum topic, and the ways an
// account is bound.
func TestTelegramCapturedUpdates(t *testing.T) {
	t.Parallel()
	env := newTGEnv(t)
	db := env.openDB(t)
	tgBind(t, db, "张三", 100)
	tgBind(t, db, "李四", 86815320)
	tgBind(t, db, "王五", 325645648)
	tgBind(t, db, "赵六", 1778088991)
	tgBind(t, db, "钱七", 5150)
	const oldGroup, newGroup = "-929935885", "-1001779449685"
	env.runMain(t, func(m *Main) { m.Config.Telegram.GroupChatID = oldGroup })
	zhang := env.user(100, "Tester")
	zid := tgPersonID(t, db, "张三")

	t.Run("album", func(t *testing.T) { tgAlbum(t, env) })

	t.Run("long text in two messages", func(t *testing.T) {
		// The client cut a text over 4096 characters there and sent the
		// rest as a second message.
		first := "/note " + strings.Repeat("学", telegramMaxText-len("/note "))
		env.deliverRaw(t, env.tgText(t, 100, first))
		env.deliverRaw(t, env.tgText(t, 100, "……以上是第一部分，这是剩下的部分。"))
		zhang.expect(t, tgAck(2, 0))
		subs := tgWaitSubmissions(t, db, zid, 2)
		want := strings.Repeat("学", telegramMaxText-len("/note ")) + "……以上是第一部分，这是剩下的部分。"
		if got := subs[len(subs)-1].Text; got != want && subs[0].Text != want {
			t.Errorf("the note holds %d characters, want the %d of both messages", len([]rune(got)), len([]rune(want)))
		}
		time.Sleep(2 * time.Second)
		if subs := tgSubmissions(t, db, zid); len(subs) != 2 {
			t.Errorf("%d submissions, want 2 (the album, the long text)", len(subs))
		}
		if n := zhang.count(tgZh("submit.choose_for_content")); n != 0 {
			t.Errorf("the rest of the text was taken for a message of its own")
		}
	})

	t.Run("edit", func(t *testing.T) {
		env.deliverRaw(t, tgCaptured(t, "edited_message.json"))
		zhang.expect(t, tgZh("tg.edited"))
		if subs := tgSubmissions(t, db, zid); len(subs) != 2 {
			t.Errorf("an edit changed the submissions: %d", len(subs))
		}
	})

	t.Run("video kept", func(t *testing.T) {
		li := env.user(86815320, "Ирина")
		clip := []byte("\x00\x00\x00\x18ftypmp42 a forwarded video")
		env.fake.AddFile("BAACAgIAAxkBAAMCZCh-D8QVRB7fOwjAjzmb0mSkLIkAAnopAAIgQEBJ8HF86bDwCy8vBA", "videos/file_v.mp4", clip)
		env.deliverRaw(t, env.tgText(t, 86815320, "/note"))
		env.deliverRaw(t, tgCaptured(t, "video.json"))
		li.expect(t, tgAck(1, 1))
		subs := tgWaitSubmissions(t, db, tgPersonID(t, db, "李四"), 1)
		if a := subs[0].Attachments; len(a) != 1 || a[0].MIME != "video/mp4" {
			t.Errorf("attachments = %+v, want the video", a)
		}
		env.requireStored(t, clip)
	})

	t.Run("voice and sticker answered, round video kept", func(t *testing.T) {
		wang := env.user(325645648, "Ilya")
		env.deliverRaw(t, env.tgText(t, 325645648, "/note"))
		env.deliverRaw(t, tgCaptured(t, "voice.json"))
		wang.expect(t, tgZh("tg.voice"))
		round := []byte("a round video")
		env.fake.AddFile("DQACAgIAAxkBAAMaaH0Gj64CGrVl8u_5tLczDONcKcMAAkFxAAL96uhLZQABXm8F-ah2NgQ", "video_notes/file_r.mp4", round)
		env.deliverRaw(t, tgCaptured(t, "video_note.json"))
		wang.expect(t, tgAck(1, 1)) // the note dialog was still open
		sticker := env.user(8679559480, "Mayel")
		env.deliverRaw(t, tgCaptured(t, "sticker.json"))
		sticker.expect(t, tgZh("tg.sticker"))
	})

	t.Run("blocked and unblocked", func(t *testing.T) {
		zid6 := tgPersonID(t, db, "赵六")
		unreachable := func() bool {
			p, err := db.FindPersonByID(context.Background(), zid6)
			if err != nil {
				t.Fatal(err)
			}
			for _, pl := range p.Unreachable {
				if pl == campaignbot.PlatformTelegram {
					return true
				}
			}
			return false
		}
		updates := tgCapturedBatch(t, "block_unblock.json")
		env.deliverRaw(t, updates[0])
		tgWaitFor(t, "赵六 unreachable after blocking the bot", unreachable)
		env.deliverRaw(t, updates[1])
		tgWaitFor(t, "赵六 reachable after unblocking", func() bool { return !unreachable() })
	})

	t.Run("group upgraded to a supergroup", func(t *testing.T) {
		for _, u := range tgCapturedBatch(t, "group_upgrade.json") {
			env.deliverRaw(t, u)
		}
		env.user(1270423426, "Bill").expect(t, tgZh("start.need_code")) // the batch's last update
		tgWaitFor(t, "the group followed to its new id", func() bool {
			to, err := db.ResolveChat(context.Background(), campaignbot.PlatformTelegram, oldGroup)
			return err == nil && to == newGroup
		})
	})

	t.Run("code posted in a forum topic", func(t *testing.T) {
		code := tgInvite(t, db, "孙八")
		env.deliverRaw(t, tgEdit(t, tgCaptured(t, "forum_topic_message.json"), map[string]any{
			"update_id": 0, "message.text": "/start@" + telegramtest.DefaultBotUsername + " " + code,
		}))
		const forum = -1001854699958
		var reply telegramtest.SentMessage
		tgWaitFor(t, "the answer in the topic", func() bool {
			for _, m := range env.fake.Sent(forum) {
				if m.Text == tgZh("start.code_in_group") {
					reply = m
					return true
				}
			}
			return false
		})
		if reply.Thread != "30" {
			t.Errorf("answered in thread %q, want the topic 30", reply.Thread)
		}
		// Revoked: nobody can use it now.
		other := env.user(5151, "other")
		env.deliverRaw(t, env.tgText(t, 5151, "/start "+code))
		other.expect(t, tgZh("start.expired_code"))
		if _, err := db.FindAccount(context.Background(), campaignbot.PlatformTelegram, "5151"); err == nil {
			t.Error("a code posted in a group still bound someone")
		}

		// A bare code in the topic's chatter is revoked too; chatter with
		// a long word that is no code gets no answer.
		bare := tgInvite(t, db, "孙八")
		before := len(env.fake.Sent(forum))
		env.deliverRaw(t, tgEdit(t, tgCaptured(t, "forum_topic_message.json"), map[string]any{
			"update_id": 0, "message.message_id": 46, "message.text": "Supercalifragilisticexpialidocious",
		}))
		env.deliverRaw(t, tgEdit(t, tgCaptured(t, "forum_topic_message.json"), map[string]any{
			"update_id": 0, "message.message_id": 47, "message.text": "我的邀请码是 " + bare + "，怎么用？",
		}))
		tgWaitFor(t, "the bare code answered", func() bool { return len(env.fake.Sent(forum)) > before })
		time.Sleep(500 * time.Millisecond)
		if sent := env.fake.Sent(forum)[before:]; len(sent) != 1 || sent[0].Text != tgZh("start.code_in_group") {
			var texts []string
			for _, m := range sent {
				texts = append(texts, m.Text)
			}
			t.Errorf("answers in the topic after the chatter: %q, want one, for the code", texts)
		}
		env.deliverRaw(t, env.tgText(t, 5151, "/start "+bare))
		other.expect(t, tgZh("start.expired_code"))
	})

	t.Run("a bound account keeps its person", func(t *testing.T) {
		code := tgInvite(t, db, "周九")
		qian := env.user(5150, "钱七")
		env.deliverRaw(t, env.tgText(t, 5150, "/start "+code))
		qian.expect(t, tgZh("start.already_bound", "钱七"))
		if acc, err := db.FindAccount(context.Background(), campaignbot.PlatformTelegram, "5150"); err != nil || acc.PersonID != tgPersonID(t, db, "钱七") {
			t.Errorf("account 5150 = %+v, %v, want still 钱七's", acc, err)
		}
		// The code was not spent: 周九 redeems it, pasting the whole link.
		zhou := env.user(5152, "周九")
		env.deliverRaw(t, env.tgText(t, 5152, "https://t.me/"+telegramtest.DefaultBotUsername+"?start="+code))
		zhou.expect(t, "周九")
		if acc, err := db.FindAccount(context.Background(), campaignbot.PlatformTelegram, "5152"); err != nil || acc.PersonID != tgPersonID(t, db, "周九") {
			t.Errorf("account 5152 = %+v, %v, want 周九's", acc, err)
		}
	})

	t.Run("numeric id in the roster", func(t *testing.T) {
		roster := filepath.Join(env.dir, "roster-ids.csv")
		if err := os.WriteFile(roster, []byte("name,department,roles,telegram,wecom,in_charge_of\n吴十,科技管理科,member,5153,,\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, out, stderr := run(t, nil, "", "roster", "import", "--db", env.db, roster); code != 0 {
			t.Fatalf("roster import: %d %s %s", code, out, stderr)
		}
		wu := env.user(5153, "吴十")
		env.deliverRaw(t, env.tgText(t, 5153, "/tasks"))
		wu.expect(t, tgZh("start.roster_bound", "吴十", "科技管理科", campaignbot.RoleMember.Title("zh")))
		if acc, err := db.FindAccount(context.Background(), campaignbot.PlatformTelegram, "5153"); err != nil || acc.PersonID != tgPersonID(t, db, "吴十") {
			t.Errorf("account 5153 = %+v, %v, want 吴十's", acc, err)
		}
	})

	t.Run("used keyboard edited away", func(t *testing.T) {
		env.deliverRaw(t, env.tgText(t, 100, "今天学习了第三章"))
		prompt := zhang.expect(t, tgZh("submit.choose_for_content"))
		var kb struct {
			InlineKeyboard [][]struct {
				Text         string `json:"text"`
				CallbackData string `json:"callback_data"`
			} `json:"inline_keyboard"`
		}
		if err := json.Unmarshal([]byte(prompt.ReplyMarkup), &kb); err != nil || len(kb.InlineKeyboard) == 0 {
			t.Fatalf("prompt markup %q: %v", prompt.ReplyMarkup, err)
		}
		b := kb.InlineKeyboard[0][0]
		env.fake.PressButton(100, prompt.MessageID, b.CallbackData)
		tgWaitFor(t, "the keyboard edited away", func() bool {
			for _, m := range env.fake.Sent(100) {
				if m.MessageID == prompt.MessageID {
					return m.Edits == 1 && m.ReplyMarkup == "" && strings.HasSuffix(m.Text, tgZh("tg.chosen", b.Text))
				}
			}
			return false
		})
	})
}

// telegramMaxText is Telegram's message length limit, in UTF-16 units
// (every character used here is one).
const telegramMaxText = 4096
