package telegram

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"campaignbot"
)

// apiError is a Bot API error answer to a call made without the library.
type apiError struct {
	Method      string
	Code        int
	Description string
	RetryAfter  int
}

func (e *apiError) Error() string {
	return fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Description)
}

// call posts params as JSON to a Bot API method and decodes the result.
// The library has no exported getUpdates, and its raw request machinery is
// unexported, so intake calls the API directly.
func (t *Telegram) call(ctx context.Context, method string, params, result any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("telegram %s: encode: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		t.cfg.serverURL+"/bot"+t.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("telegram %s: %w", method, redact(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.cfg.client.Do(req)
	if err != nil {
		return fmt.Errorf("telegram %s: %w", method, redact(err))
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		ErrorCode   int             `json:"error_code"`
		Description string          `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("telegram %s: HTTP %d: decode: %w", method, resp.StatusCode, err)
	}
	if !r.OK {
		return &apiError{Method: method, Code: r.ErrorCode, Description: r.Description, RetryAfter: r.Parameters.RetryAfter}
	}
	if err := json.Unmarshal(r.Result, result); err != nil {
		return fmt.Errorf("telegram %s: decode result: %w", method, err)
	}
	return nil
}

// redact drops the request URL, which holds the token, from a client error.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// pollLoop long-polls getUpdates until ctx ends. Each batch is stored
// before the offset that confirms it is requested.
//
// Telegram may restart the update_id sequence at a random, lower value
// after a week without updates: a batch below the offset is such a restart,
// and the offset follows it down (the old offset would confirm nothing, and
// the same updates would come back at once, for ever). A 401 or 409 is a
// fault of the deployment, reported until a poll succeeds again.
func (t *Telegram) pollLoop(ctx context.Context) {
	var offset int64
	delay := time.Duration(0)
	var fault string // raised while getUpdates fails with it
	for ctx.Err() == nil {
		if delay > 0 && !sleep(ctx, delay) {
			return
		}
		var raws []json.RawMessage
		pctx, cancel := context.WithTimeout(ctx, t.cfg.pollTimeout+15*time.Second)
		timeout := int(t.cfg.pollTimeout / time.Second)
		if fault != "" {
			timeout = 0 // a probe: answered at once, so the fault clears at once
		}
		err := t.call(pctx, "getUpdates", map[string]any{
			"offset":          offset,
			"timeout":         timeout,
			"limit":           pollLimit,
			"allowed_updates": allowedUpdates(),
		}, &raws)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			delay = nextDelay(delay, t.cfg.retryDelay, err)
			if code := pollFault(err); code != "" {
				if code != fault {
					fault = code
					t.raise(ctx, code, err)
				}
				continue
			}
			t.cfg.log.Warn("telegram getUpdates failed", "err", err, "retry_in", delay)
			continue
		}
		if fault != "" {
			t.clear(ctx, fault)
			fault = ""
		}
		if restarted(raws, offset) {
			t.cfg.log.Info("telegram restarted the update_id sequence at a lower value; following it", "offset", offset)
			offset = 0
		}
		next, err := t.saveBatch(ctx, raws)
		if next > offset {
			offset = next
			t.cfg.stored()
		}
		if err != nil {
			// The offset stays before the update that was not stored, so
			// Telegram sends it again.
			delay = nextDelay(delay, t.cfg.retryDelay, err)
			t.cfg.log.Error("telegram store update failed", "err", err, "retry_in", delay)
			continue
		}
		delay = 0
	}
}

// restarted reports whether a batch asked for with offset holds an update
// below it: Telegram restarted the update_id sequence.
func restarted(raws []json.RawMessage, offset int64) bool {
	if offset == 0 {
		return false
	}
	for _, raw := range raws {
		if id, err := updateID(raw); err == nil && id < offset {
			return true
		}
	}
	return false
}

// raise logs a fault of the deployment with what to fix and reports it.
func (t *Telegram) raise(ctx context.Context, code string, err error) {
	t.cfg.log.Error("telegram: fault of the deployment; updates are not received until it is fixed",
		"fault", code, "fix", campaignbot.T("en", "fault.advice."+code), "err", err)
	if t.cfg.faults != nil {
		t.cfg.faults.RaiseFault(ctx, campaignbot.Fault{Platform: campaignbot.PlatformTelegram, Code: code, Detail: err.Error()})
	}
}

// clear reports that a fault raised by the intake is gone.
func (t *Telegram) clear(ctx context.Context, code string) {
	t.cfg.log.Info("telegram: receiving again", "fault", code)
	if t.cfg.faults != nil {
		t.cfg.faults.ClearFault(ctx, campaignbot.PlatformTelegram, code)
	}
}

// saveBatch stores updates in order and returns the offset confirming the
// ones stored, stopping at the first failure.
func (t *Telegram) saveBatch(ctx context.Context, raws []json.RawMessage) (int64, error) {
	var next int64
	for _, raw := range raws {
		id, err := updateID(raw)
		if err != nil {
			t.cfg.log.Warn("telegram update without update_id skipped", "err", err)
			continue
		}
		if err := t.save(ctx, id, raw); err != nil {
			return next, err
		}
		next = max(next, id+1)
	}
	return next, nil
}

func updateID(raw []byte) (int64, error) {
	var head struct {
		ID int64 `json:"update_id"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return 0, fmt.Errorf("decode update: %w", err)
	}
	if head.ID <= 0 {
		return 0, fmt.Errorf("update_id %d", head.ID)
	}
	return head.ID, nil
}

func (t *Telegram) save(ctx context.Context, id int64, raw []byte) error {
	now := t.cfg.clock.Now()
	key := strconv.FormatInt(id, 10)
	in := &campaignbot.Inbound{Platform: campaignbot.PlatformTelegram, Key: key, Payload: raw, ReceivedAt: now}
	stored, err := t.store.SaveInbound(ctx, in)
	if err != nil {
		return fmt.Errorf("save update %d: %w", id, err)
	}
	if stored {
		return nil
	}
	// Stored before: Telegram sending it again, or, after it restarted the
	// update_id sequence, a new update with the id of an old one. Telegram
	// keeps an update at most a day, so a row older than that is an old
	// update; the new one is keyed by its id and content, which a
	// redelivery of it repeats.
	ages, ok := t.store.(inboundAges)
	if !ok {
		return nil
	}
	at, err := ages.InboundReceivedAt(ctx, campaignbot.PlatformTelegram, key)
	if err != nil {
		return fmt.Errorf("save update %d: %w", id, err)
	}
	if now.Sub(at) <= redeliveryWindow {
		return nil
	}
	sum := sha256.Sum256(raw)
	in.Key = key + "~" + hex.EncodeToString(sum[:8])
	if _, err := t.store.SaveInbound(ctx, in); err != nil {
		return fmt.Errorf("save update %d: %w", id, err)
	}
	return nil
}

// redeliveryWindow is how long Telegram may send an update again: it keeps
// unconfirmed updates for 24 hours.
const redeliveryWindow = 24 * time.Hour

// inboundAges is the store's answer to when an update was first stored;
// campaignbot's store has it.
type inboundAges interface {
	InboundReceivedAt(ctx context.Context, platform campaignbot.Platform, key string) (time.Time, error)
}

// nextDelay doubles the wait after a failure, or takes Telegram's
// retry_after.
func nextDelay(prev, base time.Duration, err error) time.Duration {
	var ae *apiError
	if errors.As(err, &ae) && ae.RetryAfter > 0 {
		return time.Duration(ae.RetryAfter) * time.Second
	}
	if prev == 0 {
		return base
	}
	return min(2*prev, maxRetryDelay)
}

// sleep waits d or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-tm.C:
		return true
	}
}

// Handler serves Telegram's webhook requests (mount it at POST
// WebhookPath). A request without the right secret header gets 401 and
// nothing is stored; a stored update gets 200 and is processed afterwards.
func (t *Telegram) Handler() http.Handler {
	return http.HandlerFunc(t.serveWebhook)
}

func (t *Telegram) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if t.cfg.secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(t.cfg.secret)) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	id, err := updateID(body)
	if err != nil {
		http.Error(w, "not a Telegram update", http.StatusBadRequest)
		return
	}
	if err := t.save(r.Context(), id, body); err != nil {
		// Telegram retries a failed delivery.
		t.cfg.log.Error("telegram store webhook update failed", "err", err)
		http.Error(w, "not stored", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
	t.cfg.stored()
}
