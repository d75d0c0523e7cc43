package wecom

import (
	"errors"

	"campaignbot"
)

// ClassifyError turns an error of the client or robot into the
// *campaignbot.SendError the outbox dispatcher acts on; it is the one place
// that decides what a WeCom failure means (SPEC §6):
//   - a fault of the deployment — the server's IP not trusted (60020), the
//     secret (40001 at gettoken) or corp id (40013) refused — is a Fault:
//     delivery pauses, nothing is lost;
//   - an invalid robot key (93000) is a Fault of the campaign group alone;
//   - invalid recipients (81013, invaliduser, 60111) are Unreachable;
//   - 45009 holds back that member or that robot (ChatOnly); 45033 and
//     HTTP 429 the whole platform (RetryAfter);
//   - server and network failures are retryable; anything else WeCom
//     refused is Permanent.
func ClassifyError(err error) *campaignbot.SendError {
	if err == nil {
		return nil
	}
	var se *campaignbot.SendError
	if errors.As(err, &se) {
		return se
	}
	se = &campaignbot.SendError{Err: err}
	var (
		iu *InvalidUserError
		ae *APIError
		he *HTTPError
	)
	switch {
	case errors.As(err, &iu):
		se.Unreachable = true
	case errors.As(err, &ae):
		if code := FaultOf(ae); code != "" {
			se.Fault = &campaignbot.Fault{Platform: campaignbot.PlatformWeCom, Code: code, Detail: ae.Msg}
			if code == campaignbot.FaultWeComRobotKey {
				se.Fault.Chat = GroupChatID
			}
			break
		}
		switch ae.Code {
		case CodeFrequency:
			se.RetryAfter, se.ChatOnly = defaultRetryAfter, true
		case CodeConcurrency:
			se.RetryAfter = defaultRetryAfter
		case CodeSystemBusy, CodeInvalidToken, CodeTokenExpired, CodeInvalidCredential:
			// Transient: retry later. (40001 on a call other than gettoken
			// is a token WeCom no longer takes, which the client refetches.)
		case CodeUserNotFound, CodeAllInvalid:
			se.Unreachable = true
		default:
			se.Permanent = true
		}
	case errors.As(err, &he):
		switch {
		case he.Status == 429:
			se.RetryAfter = he.RetryAfter
		case he.Status >= 500:
		default:
			se.Permanent = true
		}
	case errors.Is(err, ErrTooLarge):
		se.Permanent = true
	default:
		var ce *campaignbot.Error
		if errors.As(err, &ce) {
			se.Permanent = true
		}
		// Network errors and timeouts stay retryable.
	}
	return se
}

// FaultOf returns the campaignbot fault code of a WeCom answer that is a
// fault of the deployment, "" for any other.
func FaultOf(ae *APIError) string {
	switch {
	case ae.Code == CodeIPNotTrusted:
		return campaignbot.FaultWeComIP
	case ae.Code == CodeInvalidCredential && ae.Path == pathToken:
		return campaignbot.FaultWeComSecret
	case ae.Code == CodeInvalidCorpID:
		return campaignbot.FaultWeComCorpID
	case ae.Code == CodeInvalidRobotKey:
		return campaignbot.FaultWeComRobotKey
	}
	return ""
}
