package scheduler

import (
	"time"

	"campaignbot"
)

// Rate is a delivery limit: at most N messages in any window of Per.
type Rate struct {
	N   int
	Per time.Duration
}

// Limits are a platform's delivery limits. A message must pass every Global
// rate and every rate of its chat: Group for the campaign group chat
// (ChatID "group"), PerChat for everyone else.
type Limits struct {
	Global  []Rate
	PerChat []Rate
	Group   []Rate
}

// telegramSpacing is the gap between two Telegram messages: 1/30 s and a
// margin. The gaps are kept when a message leaves, but the server counts
// arrivals, and a message held up on its way (a busy machine, a slow
// connection) lets the next ones arrive closer together; the margin absorbs
// 15 ms of such delay over any 30 messages, for 1.5% of the rate.
const telegramSpacing = time.Second/30 + 500*time.Microsecond

// DefaultLimits returns the limits of SPEC §6 for platform. The global
// Telegram limit is spread evenly (one message every telegramSpacing)
// rather than allowed in bursts of 30, so that no way of counting "30 a
// second" on the server side is exceeded. Unknown platforms (console) are
// unlimited.
func DefaultLimits(p campaignbot.Platform) Limits {
	switch p {
	case campaignbot.PlatformTelegram:
		return Limits{
			Global:  []Rate{{1, telegramSpacing}},
			PerChat: []Rate{{1, time.Second}},
			Group:   []Rate{{1, time.Second}, {20, time.Minute}},
		}
	case campaignbot.PlatformWeCom:
		return Limits{
			PerChat: []Rate{{30, time.Minute}, {1000, time.Hour}},
			Group:   []Rate{{20, time.Minute}},
		}
	}
	return Limits{}
}

// window enforces one Rate exactly: it remembers the send times of the
// last N messages (a sliding-window log), so it never lets N+1 messages
// into any window of Per, whatever clock drives it.
type window struct {
	rate  Rate
	times []time.Time // ring of the last rate.N send times
	next  int
}

func newWindow(r Rate) *window { return &window{rate: r} }

// readyAt returns the earliest instant at or after now when one more
// message may go.
func (w *window) readyAt(now time.Time) time.Time {
	if w.rate.N <= 0 || len(w.times) < w.rate.N {
		return now
	}
	// The ring is full: the oldest of the last N sends is at w.next.
	t := w.times[w.next].Add(w.rate.Per)
	if t.After(now) {
		return t
	}
	return now
}

func (w *window) record(t time.Time) {
	if w.rate.N <= 0 {
		return
	}
	if len(w.times) < w.rate.N {
		w.times = append(w.times, t)
		return
	}
	w.times[w.next] = t
	w.next = (w.next + 1) % w.rate.N
}

// idleSince reports whether nothing was recorded after t - Per, so the
// window no longer constrains anything and can be dropped.
func (w *window) idle(now time.Time) bool {
	if len(w.times) == 0 {
		return true
	}
	last := w.times[(w.next+len(w.times)-1)%len(w.times)]
	return !last.Add(w.rate.Per).After(now)
}

// limiter is a set of windows that must all allow a send.
type limiter []*window

func newLimiter(rates []Rate) limiter {
	l := make(limiter, 0, len(rates))
	for _, r := range rates {
		if r.N > 0 && r.Per > 0 {
			l = append(l, newWindow(r))
		}
	}
	return l
}

func (l limiter) readyAt(now time.Time) time.Time {
	t := now
	for _, w := range l {
		if r := w.readyAt(now); r.After(t) {
			t = r
		}
	}
	return t
}

func (l limiter) record(t time.Time) {
	for _, w := range l {
		w.record(t)
	}
}

func (l limiter) idle(now time.Time) bool {
	for _, w := range l {
		if !w.idle(now) {
			return false
		}
	}
	return true
}
