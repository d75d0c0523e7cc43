package wecom

import (
	"errors"

	"campaignbot"
)

// ClassifyError turns an error of the client or robot into the
// *campaignbot.SendError the outbox dispatcher acts on: invalid recipients
// are Unreachable, frequency limits carry RetryAfter, server and network
// failures are retryable, and anything else WeCom refused is Permanent.
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
		switch ae.Code {
		case CodeFrequency, CodeConcurrency:
			se.RetryAfter = defaultRetryAfter
		case CodeSystemBusy, CodeInvalidToken, CodeTokenExpired:
			// Transient: retry later.
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
