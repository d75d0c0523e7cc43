package campaignbot

import (
	"slices"
	"time"
)

// Reach is what a message to one person can come to, as far as the store
// knows when it is queued.
type Reach int

const (
	// ReachBound: the person has an account that takes messages.
	ReachBound Reach = iota
	// ReachUnbound: the person has bound no account; nothing can be sent.
	ReachUnbound
	// ReachUnreachable: every account of the person refused the last
	// delivery (blocked the bot, left the app's visibility); a message is
	// queued all the same, in case that has changed, but may not arrive.
	ReachUnreachable
)

// ReachOf returns the reach of a message to p over accs, p's accounts.
func ReachOf(p *Person, accs []*Account) Reach {
	if len(accs) == 0 {
		return ReachUnbound
	}
	for _, a := range accs {
		if !slices.Contains(p.Unreachable, a.Platform) {
			return ReachBound
		}
	}
	return ReachUnreachable
}

// Delivery reports what became of a message to many people (an
// announcement) when it was queued, so that the sender is told the truth:
// how many get it now, how many only when quiet hours end (at HeldUntil),
// and who cannot be reached.
type Delivery struct {
	Now, Held int
	// HeldUntil is when the held messages go; zero when none is held.
	HeldUntil time.Time
	// Unbound and Unreachable name the people of the audience who have
	// no account, and those whose every account refused the last delivery
	// (queued all the same).
	Unbound, Unreachable []string
}

// Closest returns the word of known nearest to w, if it is within
// maxEdits edits (Levenshtein distance counted in characters, so that one
// wrong 汉字 is one edit) and not w itself; "" otherwise.
func Closest(w string, known []string, maxEdits int) string {
	best, bestD := "", maxEdits+1
	for _, k := range known {
		if d := editDistance([]rune(w), []rune(k)); d > 0 && d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
