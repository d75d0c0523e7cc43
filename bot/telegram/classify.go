package telegram

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"

	"campaignbot"
)

// What a Telegram failure means is decided here, in one place (SPEC §6):
// classify for sending, pollFault for receiving, photoRefused for a photo
// to send again as a document. (Group chats: Sender.Send makes a refusal of
// the campaign group a fault of that chat.)

// classify turns a library error into a *campaignbot.SendError. 401 is a fault
// of the deployment; 403, a blocked bot, a deactivated user or an unknown
// chat make the chat unreachable; 429 waits retry_after; other bad
// requests are permanent; server errors and timeouts are retried.
func classify(method string, err error) error {
	wrapped := err
	if !strings.HasPrefix(err.Error(), "telegram ") {
		wrapped = fmt.Errorf("telegram %s: %w", method, err)
	}
	var tmr *tgbot.TooManyRequestsError
	if errors.As(err, &tmr) {
		return &campaignbot.SendError{RetryAfter: time.Duration(max(tmr.RetryAfter, 1)) * time.Second, Err: wrapped}
	}
	msg := strings.ToLower(err.Error())
	switch {
	case errors.Is(err, tgbot.ErrorForbidden):
		// Blocked, deactivated, kicked from the group.
		return &campaignbot.SendError{Unreachable: true, Err: wrapped}
	case errors.Is(err, tgbot.ErrorBadRequest) &&
		(strings.Contains(msg, "chat not found") || strings.Contains(msg, "user is deactivated") ||
			strings.Contains(msg, "bot was blocked")):
		return &campaignbot.SendError{Unreachable: true, Err: wrapped}
	case errors.Is(err, tgbot.ErrorUnauthorized):
		return &campaignbot.SendError{Err: wrapped, Fault: &campaignbot.Fault{Platform: campaignbot.PlatformTelegram,
			Code: campaignbot.FaultTelegramToken, Detail: err.Error()}}
	case errors.Is(err, tgbot.ErrorBadRequest), errors.Is(err, tgbot.ErrorNotFound):
		return &campaignbot.SendError{Permanent: true, Err: wrapped}
	}
	return &campaignbot.SendError{Err: wrapped}
}

// classifyErr passes nil and *campaignbot.SendError through, and classifies
// the rest.
func classifyErr(err error) error {
	var se *campaignbot.SendError
	if err == nil || errors.As(err, &se) {
		return err
	}
	return classify("send", err)
}

// photoRefused reports whether sendPhoto failed because of the photo
// itself (PHOTO_INVALID_DIMENSIONS, IMAGE_PROCESS_FAILED, …), not the chat
// or the buttons.
func photoRefused(err error) bool {
	if !errors.Is(err, tgbot.ErrorBadRequest) {
		return false
	}
	var mig *tgbot.MigrateError
	if errors.As(err, &mig) {
		return false
	}
	msg := strings.ToUpper(err.Error())
	return strings.Contains(msg, "PHOTO") || strings.Contains(msg, "IMAGE")
}

// isPhoto reports whether Telegram shows files of this type as photos.
func isPhoto(mime string) bool {
	switch mime {
	case "image/jpeg", "image/png", "image/webp":
		return true
	}
	return false
}

// pollFault returns the fault code of a getUpdates failure that is a fault
// of the deployment, "" for a passing one.
func pollFault(err error) string {
	var ae *apiError
	if !errors.As(err, &ae) {
		return ""
	}
	switch ae.Code {
	case http.StatusUnauthorized:
		return campaignbot.FaultTelegramToken
	case http.StatusConflict:
		return campaignbot.FaultTelegramConflict
	}
	return ""
}
