package campaignbot

import (
	"fmt"
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
