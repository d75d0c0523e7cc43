package campaignbot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar day, counted in days since 1970-01-01. Campaign dates
// (phase bounds, due dates, leave) are days in the plan's time zone, so they
// are kept apart from instants (time.Time) to avoid off-by-one-day errors at
// midnight.
type Date int32

// DateLayout is the textual form of a Date.
const DateLayout = "2006-01-02"

// DateOf returns the calendar day of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return NewDate(y, m, d)
}

// NewDate returns the Date for year, month and day.
func NewDate(y int, m time.Month, d int) Date {
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// ParseDate parses a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return 0, Errorf(EINVALID, "date %q is not YYYY-MM-DD", s)
	}
	return NewDate(t.Date()), nil
}

// Time returns midnight at the start of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	u := time.Unix(int64(d)*86400, 0).UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, loc)
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return d + Date(n) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return time.Weekday((int(d)%7 + 7 + 4) % 7) }

// ISOWeekStart returns the Monday of d's ISO week.
func (d Date) ISOWeekStart() Date {
	wd := int(d.Weekday())
	if wd == 0 {
		wd = 7
	}
	return d - Date(wd-1)
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	u := time.Unix(int64(d)*86400, 0).UTC()
	return fmt.Sprintf("%04d-%02d-%02d", u.Year(), u.Month(), u.Day())
}

// Clock gives the current time. The store, the bot and the scheduler read
// time only through a Clock so that tests can move it.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// SystemClock is the wall clock.
var SystemClock Clock = ClockFunc(time.Now)

// chatDates are the ways people write a day in chat (SPEC §4), each
// matching year (or ""), month and day: 2026-12-20, 2026/12/20, 2026.12.20,
// 2026年12月20日, 12月20日 (or 号), 12-20, 12/20 and 12.20.
var chatDates = []*regexp.Regexp{
	regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`),
	regexp.MustCompile(`^(\d{4})/(\d{1,2})/(\d{1,2})$`),
	regexp.MustCompile(`^(\d{4})\.(\d{1,2})\.(\d{1,2})$`),
	regexp.MustCompile(`^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$`),
	regexp.MustCompile(`^()(\d{1,2})月(\d{1,2})[日号]?$`),
	regexp.MustCompile(`^()(\d{1,2})-(\d{1,2})$`),
	regexp.MustCompile(`^()(\d{1,2})/(\d{1,2})$`),
	regexp.MustCompile(`^()(\d{1,2})\.(\d{1,2})$`),
}

// ParseChatDate parses a day as people write it in chat. A day given
// without its year is taken in the year that puts it nearest to near (the
// campaign's today): 1月5日 written in late December is next January's.
func ParseChatDate(s string, near Date) (Date, error) {
	s = strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + r - '０' // full-width digits from a Chinese keyboard
		}
		return r
	}, strings.TrimSpace(s))
	var m []string
	for _, re := range chatDates {
		if m = re.FindStringSubmatch(s); m != nil {
			break
		}
	}
	if m == nil {
		return 0, Errorf(EINVALID, "date %q is not a date such as 2026-12-20 or 12月20日", s)
	}
	month, _ := strconv.Atoi(m[2])
	day, _ := strconv.Atoi(m[3])
	if m[1] != "" {
		year, _ := strconv.Atoi(m[1])
		return validDate(s, year, month, day)
	}
	ny := near.Time(time.UTC).Year()
	var best Date
	found := false
	for _, y := range []int{ny - 1, ny, ny + 1} {
		d, err := validDate(s, y, month, day)
		if err != nil {
			continue // 2月29日 outside a leap year
		}
		if !found || abs(int(d-near)) < abs(int(best-near)) {
			best, found = d, true
		}
	}
	if !found {
		return 0, Errorf(EINVALID, "date %q is not a day of the calendar", s)
	}
	return best, nil
}

// validDate returns the day, refusing a month or day the calendar has not
// (time.Date would turn 2月30日 into 3月2日).
func validDate(s string, y, m, d int) (Date, error) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || d < 1 || t.Day() != d {
		return 0, Errorf(EINVALID, "date %q is not a day of the calendar", s)
	}
	return NewDate(y, time.Month(m), d), nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
