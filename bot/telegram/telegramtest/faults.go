package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/go-telegram/bot/models"
)

// Answers Telegram gives for the faults below (Bot API error descriptions).
const (
	descKickedGroup   = "Forbidden: bot was kicked from the group chat"
	descBlocked       = "Forbidden: bot was blocked by the user"
	descMigrated      = "Bad Request: group chat was upgraded to a supergroup chat"
	descPhotoRefused  = "Bad Request: PHOTO_INVALID_DIMENSIONS"
	descChatNotFound  = "Bad Request: chat not found"
	descWebhookActive = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
	descSetWebhook    = "Conflict: terminated by setWebhook request"
)

// faultState is the faults the fake plays and its webhook delivery; the
// Server's mu guards it.
type faultState struct {
	revoked   bool             // the token was revoked: every call is 401
	migrated  map[string]int64 // group → the supergroup it became
	kicked    map[string]bool  // groups the bot was removed from
	blocked   map[string]bool  // users who blocked the bot
	refuse    bool             // sendPhoto refuses every photo
	known     map[string]bool  // with strict chats: the chats that exist
	strict    bool
	localDir  string   // --local mode: getFile answers absolute paths here
	allowed   []string // allowed_updates in force ("" = all but a few)
	deliverer *webhookDeliverer
	webhooks  []Delivery
	proxy     string // webhook deliveries go to http://proxy + the URL's path
}

// Delivery is one webhook request the fake made.
type Delivery struct {
	UpdateID int64
	Status   int // the bot's HTTP status; 0 when the request failed
}

// RevokeToken makes every call answer 401 Unauthorized, as after the token
// was revoked in @BotFather; RestoreToken ends it.
func (s *Server) RevokeToken() { s.setFault(func(f *faultState) { f.revoked = true }) }

// RestoreToken undoes RevokeToken.
func (s *Server) RestoreToken() { s.setFault(func(f *faultState) { f.revoked = false }) }

// RestartUpdateIDs makes the next update's id start, which may be lower than
// those already given: Telegram does so after a week without updates. An
// offset beyond the new sequence then confirms nothing, and getUpdates
// answers from the oldest pending update at once, as Telegram does for an
// offset "in the future".
func (s *Server) RestartUpdateIDs(start int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextUpdate = start
}

// MigrateGroup makes group a supergroup with the id to: sends to group
// answer 400 with parameters.migrate_to_chat_id, and the two service
// messages Telegram sends (migrate_to_chat_id in the old chat,
// migrate_from_chat_id in the new) are queued as updates.
func (s *Server) MigrateGroup(group, to int64, fromUser int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.migrated == nil {
		s.faults.migrated = map[string]int64{}
	}
	s.faults.migrated[strconv.FormatInt(group, 10)] = to
	from := &models.User{ID: fromUser, FirstName: "admin"}
	now := int(time.Now().Unix())
	s.nextMessage++
	s.addUpdateLocked(models.Update{Message: &models.Message{ID: s.nextMessage, From: from, Date: now,
		Chat: models.Chat{ID: group, Type: models.ChatTypeGroup, Title: "campaign"}, MigrateToChatID: to}})
	s.nextMessage++
	s.addUpdateLocked(models.Update{Message: &models.Message{ID: s.nextMessage, From: from, Date: now,
		Chat: models.Chat{ID: to, Type: models.ChatTypeSupergroup, Title: "campaign"}, MigrateFromChatID: group}})
}

// RemoveFromGroup removes the bot from group: sends there answer 403, and
// the my_chat_member update (the bot now "left") is queued. AddToGroup
// brings it back.
func (s *Server) RemoveFromGroup(group, byUser int64) {
	s.groupMember(group, byUser, false)
}

// AddToGroup undoes RemoveFromGroup.
func (s *Server) AddToGroup(group, byUser int64) { s.groupMember(group, byUser, true) }

func (s *Server) groupMember(group, byUser int64, present bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.kicked == nil {
		s.faults.kicked = map[string]bool{}
	}
	s.faults.kicked[strconv.FormatInt(group, 10)] = !present
	bu := s.BotUser()
	old := models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: &bu}}
	now := models.ChatMember{Type: models.ChatMemberTypeLeft, Left: &models.ChatMemberLeft{User: &bu}}
	if present {
		old, now = now, old
	}
	s.addUpdateLocked(models.Update{MyChatMember: &models.ChatMemberUpdated{
		Chat: models.Chat{ID: group, Type: chatType(group), Title: "campaign"},
		From: models.User{ID: byUser, FirstName: "admin"}, Date: int(time.Now().Unix()),
		OldChatMember: old, NewChatMember: now,
	}})
}

// Block makes user block the bot: sends to them answer 403 and the
// my_chat_member update ("kicked") is queued. Unblock undoes it (a
// "member" update).
func (s *Server) Block(user int64) { s.block(user, true) }

// Unblock undoes Block.
func (s *Server) Unblock(user int64) { s.block(user, false) }

func (s *Server) block(user int64, blocked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.blocked == nil {
		s.faults.blocked = map[string]bool{}
	}
	s.faults.blocked[strconv.FormatInt(user, 10)] = blocked
	bu := s.BotUser()
	old := models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: &bu}}
	now := models.ChatMember{Type: models.ChatMemberTypeBanned, Banned: &models.ChatMemberBanned{User: &bu}}
	if !blocked {
		old, now = now, old
	}
	s.addUpdateLocked(models.Update{MyChatMember: &models.ChatMemberUpdated{
		Chat: models.Chat{ID: user, Type: models.ChatTypePrivate}, From: models.User{ID: user},
		Date: int(time.Now().Unix()), OldChatMember: old, NewChatMember: now,
	}})
}

// RefusePhotos makes sendPhoto refuse every photo (400
// PHOTO_INVALID_DIMENSIONS), as Telegram does for an image it cannot show
// as a photo; sendDocument still takes the file.
func (s *Server) RefusePhotos(refuse bool) { s.setFault(func(f *faultState) { f.refuse = refuse }) }

// StrictChats makes sends to a chat nobody wrote from answer 400 "chat not
// found", as Telegram does: a bot cannot write first. Chats become known
// when a queued update comes from them, or by KnowChat.
func (s *Server) StrictChats() { s.setFault(func(f *faultState) { f.strict = true }) }

// KnowChat makes chat one the bot may write to under StrictChats.
func (s *Server) KnowChat(chat int64) {
	s.setFault(func(f *faultState) { f.know(strconv.FormatInt(chat, 10)) })
}

// LocalMode makes getFile answer as a self-hosted Bot API server started
// with --local: file_path is an absolute path under dir, where the file is
// written, and the /file/ route serves nothing.
func (s *Server) LocalMode(dir string) { s.setFault(func(f *faultState) { f.localDir = dir }) }

// ProxyWebhooks sends webhook deliveries to http://addr with the path of
// the https URL the bot registered, as the reverse proxy that ends TLS in
// front of a real deployment does: Telegram delivers only to https URLs,
// and a test's bot listens on plain HTTP.
func (s *Server) ProxyWebhooks(addr string) { s.setFault(func(f *faultState) { f.proxy = addr }) }

// Deliveries returns every webhook request the fake made, in order.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.faults.webhooks)
}

func (s *Server) setFault(f func(*faultState)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.faults)
}

func (f *faultState) know(chat string) {
	if f.known == nil {
		f.known = map[string]bool{}
	}
	f.known[chat] = true
}

// tokenRevoked reports whether every call answers 401.
func (s *Server) tokenRevoked() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.revoked
}

// playFault answers a call that one of the faults concerns and returns the
// status; 0 when the call goes on as usual.
func (s *Server) playFault(w http.ResponseWriter, method string, p map[string]string) int {
	s.mu.Lock()
	f := &s.faults
	chat := p["chat_id"]
	isSend := method == "sendMessage" || method == "sendPhoto" || method == "sendDocument"
	switch {
	case isSend && f.migrated[chat] != 0:
		to := f.migrated[chat]
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error_code": 400, "description": descMigrated,
			"parameters": map[string]int64{"migrate_to_chat_id": to}})
		return http.StatusBadRequest
	case isSend && f.kicked[chat]:
		s.mu.Unlock()
		writeError(w, http.StatusForbidden, descKickedGroup, 0)
		return http.StatusForbidden
	case isSend && f.blocked[chat]:
		s.mu.Unlock()
		writeError(w, http.StatusForbidden, descBlocked, 0)
		return http.StatusForbidden
	case isSend && f.strict && !f.known[chat]:
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, descChatNotFound, 0)
		return http.StatusBadRequest
	case method == "sendPhoto" && f.refuse:
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, descPhotoRefused, 0)
		return http.StatusBadRequest
	case method == "getFile" && f.localDir != "":
		dir := f.localDir
		sf, ok := s.files[p["file_id"]]
		s.mu.Unlock()
		if !ok {
			writeError(w, http.StatusBadRequest, "Bad Request: invalid file_id", 0)
			return http.StatusBadRequest
		}
		path := filepath.Join(dir, filepath.FromSlash(sf.path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
			_ = os.WriteFile(path, sf.data, 0o644)
		}
		writeResult(w, models.File{FileID: sf.id, FileUniqueID: "u" + sf.id, FileSize: int64(len(sf.data)), FilePath: path})
		return http.StatusOK
	}
	s.mu.Unlock()
	return 0
}

// updateType is the kind of update u is, as allowed_updates names it.
func updateType(u *models.Update) string {
	switch {
	case u.Message != nil:
		return "message"
	case u.EditedMessage != nil:
		return "edited_message"
	case u.ChannelPost != nil:
		return "channel_post"
	case u.EditedChannelPost != nil:
		return "edited_channel_post"
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.MyChatMember != nil:
		return "my_chat_member"
	case u.ChatMember != nil:
		return "chat_member"
	case u.MessageReaction != nil:
		return "message_reaction"
	}
	return "other"
}

// setAllowedLocked takes the allowed_updates of a getUpdates or setWebhook
// call: a list replaces the one in force (Telegram keeps it between calls);
// none keeps it. Pending updates of other types are dropped, as Telegram
// never sends them.
func (s *Server) setAllowedLocked(raw string) error {
	if raw != "" {
		var allowed []string
		if err := json.Unmarshal([]byte(raw), &allowed); err != nil {
			//lint:ignore ST1005 the text is the description Telegram itself answers with
			return errors.New("Bad Request: can't parse allowed_updates")
		}
		s.faults.allowed = allowed
	}
	if len(s.faults.allowed) == 0 {
		return nil
	}
	s.updates = slices.DeleteFunc(s.updates, func(u models.Update) bool {
		return !slices.Contains(s.faults.allowed, updateType(&u))
	})
	return nil
}

// noteChatLocked makes the chats of a queued update known (StrictChats).
func (s *Server) noteChatLocked(u *models.Update) {
	switch {
	case u.Message != nil:
		s.faults.know(strconv.FormatInt(u.Message.Chat.ID, 10))
	case u.CallbackQuery != nil:
		s.faults.know(strconv.FormatInt(u.CallbackQuery.From.ID, 10))
	case u.MyChatMember != nil:
		s.faults.know(strconv.FormatInt(u.MyChatMember.Chat.ID, 10))
	}
}

// webhookDeliverer posts pending updates to the webhook, one at a time in
// order, each until the bot answers 2xx, as Telegram does.
type webhookDeliverer struct {
	stop chan struct{}
	done chan struct{}
}

// Webhook delivery waits: Telegram retries a failed delivery after a
// growing pause; the fake keeps the pauses short for tests.
const (
	webhookRetryFirst = 50 * time.Millisecond
	webhookRetryMax   = time.Second
)

// startWebhookLocked starts delivering to the webhook in force, replacing
// a delivery to an earlier one.
func (s *Server) startWebhookLocked() {
	s.stopWebhookLocked()
	d := &webhookDeliverer{stop: make(chan struct{}), done: make(chan struct{})}
	s.faults.deliverer = d
	go s.deliver(d)
}

// stopWebhookLocked stops webhook delivery without waiting for it (a
// delivery in flight may still land).
func (s *Server) stopWebhookLocked() {
	if d := s.faults.deliverer; d != nil {
		close(d.stop)
		s.faults.deliverer = nil
	}
}

func (s *Server) deliver(d *webhookDeliverer) {
	defer close(d.done)
	client := &http.Client{Timeout: 10 * time.Second}
	wait := webhookRetryFirst
	for {
		s.mu.Lock()
		hook := s.webhook
		if len(s.updates) == 0 {
			wake := s.wake
			s.mu.Unlock()
			select {
			case <-wake:
				continue
			case <-d.stop:
				return
			}
		}
		u := s.updates[0]
		target := hook.URL
		if proxy := s.faults.proxy; proxy != "" {
			if pu, err := url.Parse(hook.URL); err == nil {
				target = "http://" + proxy + pu.RequestURI()
			}
		}
		body := s.payloadLocked(u)
		s.mu.Unlock()
		req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
		status := 0
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
			if hook.SecretToken != "" {
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hook.SecretToken)
			}
			if resp, err := client.Do(req); err == nil {
				status = resp.StatusCode
				resp.Body.Close()
			}
		}
		s.mu.Lock()
		s.faults.webhooks = append(s.faults.webhooks, Delivery{UpdateID: u.ID, Status: status})
		ok := status >= 200 && status < 300
		if ok {
			s.updates = slices.DeleteFunc(s.updates, func(x models.Update) bool { return x.ID == u.ID })
		}
		s.mu.Unlock()
		if ok {
			wait = webhookRetryFirst
			continue
		}
		select {
		case <-d.stop:
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, webhookRetryMax)
	}
}
