package wecom

import (
	"strings"
	"unicode/utf8"
)

// SplitText splits s into pieces of at most maxBytes bytes, breaking
// between paragraphs (blank lines) where it can, else between lines, else
// between characters; it never splits a UTF-8 sequence. Text that fits is
// returned whole; pieces with nothing but white space are dropped.
func SplitText(s string, maxBytes int) []string {
	if maxBytes < utf8.UTFMax {
		maxBytes = utf8.UTFMax
	}
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if len(s) <= maxBytes {
		return []string{s}
	}
	var out []string
	for _, p := range splitOn(s, maxBytes, []string{"\n\n", "\n"}) {
		p = strings.Trim(p, "\n")
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

// splitOn packs the pieces of s between seps[0] into chunks of at most max
// bytes, splitting an oversized piece on the next separator.
func splitOn(s string, max int, seps []string) []string {
	if len(s) <= max {
		return []string{s}
	}
	if len(seps) == 0 {
		return splitRunes(s, max)
	}
	sep := seps[0]
	var out []string
	var cur strings.Builder
	has := false
	for _, piece := range strings.Split(s, sep) {
		switch {
		case len(piece) > max:
			if has {
				out = append(out, cur.String())
			}
			sub := splitOn(piece, max, seps[1:])
			out = append(out, sub[:len(sub)-1]...)
			cur.Reset()
			cur.WriteString(sub[len(sub)-1])
			has = true
		case !has:
			cur.WriteString(piece)
			has = true
		case cur.Len()+len(sep)+len(piece) <= max:
			cur.WriteString(sep)
			cur.WriteString(piece)
		default:
			out = append(out, cur.String())
			cur.Reset()
			cur.WriteString(piece)
		}
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}

// splitRunes cuts s into chunks of at most max bytes at rune boundaries.
func splitRunes(s string, max int) []string {
	var out []string
	for len(s) > max {
		cut := 0
		for cut < len(s) {
			_, n := utf8.DecodeRuneInString(s[cut:])
			if cut+n > max {
				break
			}
			cut += n
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	return append(out, s)
}
