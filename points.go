package campaignbot

import (
	"regexp"
	"strings"
)

// pointStart matches the numbering that opens a point of a report: 一、
// （一） (1) 1. 1、 1) and the like.
var pointStart = regexp.MustCompile(`^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十0-9]+[)）]|[0-9]+[、.．)）])`)

// ReportPoints splits a report into the points a rectification item can
// be made from (SPEC §2: one item per point the office picks): where lines
// open with numbering, each numbered line and the lines after it up to the
// next; otherwise each paragraph.
func ReportPoints(text string) []string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	numbered := false
	for _, l := range lines {
		if pointStart.MatchString(l) {
			numbered = true
			break
		}
	}
	var points []string
	var cur []string
	flush := func() {
		if p := strings.TrimSpace(strings.Join(cur, "\n")); p != "" {
			points = append(points, p)
		}
		cur = nil
	}
	for _, l := range lines {
		switch {
		case numbered && pointStart.MatchString(l):
			flush()
		case !numbered && strings.TrimSpace(l) == "":
			flush()
			continue
		}
		cur = append(cur, strings.TrimSpace(l))
	}
	flush()
	return points
}
