package wecom

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"campaignbot"
)

// Intake stores a raw callback before WeCom is answered; it reports false
// for a key stored before. campaignbot.InboundService implements it.
type Intake interface {
	SaveInbound(ctx context.Context, in *campaignbot.Inbound) (bool, error)
}

// Receiver serves the application's callback URL (GET|POST /wecom/callback).
// GET answers WeCom's URL verification with the bare decrypted echostr.
// POST checks, decrypts and parses the message, stores it through Intake
// under its de-duplication key and only then answers 200 with an empty
// body; a stored message is processed afterwards (see WithNotify and
// Processor). Bad signatures, stale timestamps and replayed nonces get 401,
// other bad input 400; nothing is stored for either.
type Receiver struct {
	crypt  *Crypt
	intake Intake
	clock  campaignbot.Clock
	maxAge time.Duration
	notify func()
	logger *slog.Logger
	nonces *nonceCache
}

// NewReceiver returns the callback handler. Options: WithClock, WithMaxAge,
// WithNotify, WithLogger.
func NewReceiver(crypt *Crypt, intake Intake, opts ...Option) *Receiver {
	o := newOptions(opts)
	return &Receiver{
		crypt:  crypt,
		intake: intake,
		clock:  o.clock,
		maxAge: o.maxAge,
		notify: o.notify,
		logger: o.logger,
		nonces: &nonceCache{seen: map[string]nonceEntry{}},
	}
}

// ServeHTTP implements http.Handler.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		rc.verify(w, r)
	case http.MethodPost:
		rc.receive(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// statusOf maps a callback error to its HTTP status.
func statusOf(err error) int {
	if errors.Is(err, ErrSignature) || errors.Is(err, ErrStale) || errors.Is(err, ErrReplay) {
		return http.StatusUnauthorized
	}
	return http.StatusBadRequest
}

func (rc *Receiver) reject(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	rc.logger.Warn("wecom callback rejected", "method", r.Method, "status", status, "err", err)
	http.Error(w, http.StatusText(status), status)
}

func (rc *Receiver) verify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// A "+" of the echostr arrives as a space when WeCom's encoding is lost
	// on the way; base64 has no spaces.
	echostr := strings.ReplaceAll(q.Get("echostr"), " ", "+")
	ts := q.Get("timestamp")
	if err := CheckTimestamp(ts, rc.clock.Now(), rc.maxAge); err != nil {
		rc.reject(w, r, err)
		return
	}
	msg, err := rc.crypt.VerifyURL(q.Get("msg_signature"), ts, q.Get("nonce"), echostr)
	if err != nil {
		rc.reject(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(msg)
}

func (rc *Receiver) receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCallbackBody))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	q := r.URL.Query()
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	now := rc.clock.Now()
	if err := CheckTimestamp(ts, now, rc.maxAge); err != nil {
		rc.reject(w, r, err)
		return
	}
	plain, err := rc.crypt.DecryptMessage(q.Get("msg_signature"), ts, nonce, body)
	if err != nil {
		rc.reject(w, r, err)
		return
	}
	msg, err := ParseMessage(plain)
	if err != nil {
		rc.reject(w, r, err)
		return
	}
	key := msg.DedupKey()
	// WeCom's own retries repeat the nonce with the same message; the same
	// nonce on another message is a replay.
	if err := rc.nonces.reserve(ts+":"+nonce, key, now, rc.maxAge); err != nil {
		rc.reject(w, r, err)
		return
	}
	fresh, err := rc.intake.SaveInbound(r.Context(), &campaignbot.Inbound{
		Platform:   campaignbot.PlatformWeCom,
		Key:        key,
		Payload:    plain,
		ReceivedAt: now,
	})
	if err != nil {
		rc.nonces.release(ts+":"+nonce, key)
		rc.logger.Error("wecom callback: store", "key", key, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
	if fresh {
		rc.notify()
	}
}

// nonceCache remembers the nonces of signed callbacks within the freshness
// window, with the message each carried.
type nonceCache struct {
	mu   sync.Mutex
	seen map[string]nonceEntry
	// inserts counts reservations since the last sweep.
	inserts int
}

type nonceEntry struct {
	key string
	at  time.Time
}

// sweepEvery is how many reservations pass between sweeps of old nonces.
const sweepEvery = 1024

func (c *nonceCache) reserve(nonce, key string, now time.Time, maxAge time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.seen[nonce]; ok && e.key != key {
		return ErrReplay
	}
	c.seen[nonce] = nonceEntry{key: key, at: now}
	if c.inserts++; c.inserts >= sweepEvery {
		c.inserts = 0
		// Older entries cannot come back: their timestamps are stale now.
		for n, e := range c.seen {
			if now.Sub(e.at) > 2*maxAge {
				delete(c.seen, n)
			}
		}
	}
	return nil
}

func (c *nonceCache) release(nonce, key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.seen[nonce]; ok && e.key == key {
		delete(c.seen, nonce)
	}
}
