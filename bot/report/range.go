// Package report computes the shop's numbers (KPIs) for a range of local
// days, draws them as a chart, exports orders, customers and after-sales
// for spreadsheets, and posts the daily report to the staff channels. Every
// KPI is defined once, in kpi.go; storage is reached through the narrow
// interfaces declared here, which the store implements.
package report

import (
	"fmt"
	"time"
)

// MaxDays is the longest range a report or an export accepts: a year, leap
// day included.
const MaxDays = 366

// Date is a calendar day in the shop's time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the local day of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date of the form YYYY-MM-DD", s)
	}
	return DateOf(t, time.UTC), nil
}

// String is YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Start is the instant the day begins in loc. time.Date normalises a
// midnight that a DST change skips to the first instant that exists.
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays is the day n days later (earlier for n < 0).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC), time.UTC)
}

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool {
	return d.Year < e.Year || d.Year == e.Year && (d.Month < e.Month || d.Month == e.Month && d.Day < e.Day)
}

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Range is the local days From to To, both included, in the shop's zone.
type Range struct {
	From, To Date
	Loc      *time.Location
}

// Day is the range of the single day d.
func Day(d Date, loc *time.Location) Range { return Range{From: d, To: d, Loc: loc} }

// Start is the first instant of the range.
func (r Range) Start() time.Time { return r.From.Start(r.Loc) }

// End is the first instant after the range: the start of the day after To.
func (r Range) End() time.Time { return r.To.AddDays(1).Start(r.Loc) }

// Days is the number of days in the range.
func (r Range) Days() int {
	a := time.Date(r.From.Year, r.From.Month, r.From.Day, 12, 0, 0, 0, time.UTC)
	b := time.Date(r.To.Year, r.To.Month, r.To.Day, 12, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours()/24) + 1
}

// Dates lists the days of the range in order.
func (r Range) Dates() []Date {
	out := make([]Date, 0, r.Days())
	for d := r.From; !r.To.Before(d); d = d.AddDays(1) {
		out = append(out, d)
	}
	return out
}

// FlagError is bad input, naming the flag or parameter at fault so the
// command line and the API can say which one.
type FlagError struct {
	Flag string
	Msg  string
}

func (e *FlagError) Error() string { return e.Flag + ": " + e.Msg }

// ParseRange reads a range from its two ends as typed by staff (flags
// "from" and "to"). An empty end defaults to the other one; both empty is
// yesterday in loc, seen from now.
func ParseRange(from, to string, loc *time.Location, now time.Time) (Range, error) {
	yesterday := DateOf(now, loc).AddDays(-1)
	r := Range{From: yesterday, To: yesterday, Loc: loc}
	var err error
	if from != "" {
		if r.From, err = ParseDate(from); err != nil {
			return Range{}, &FlagError{"from", err.Error()}
		}
		r.To = r.From
	}
	if to != "" {
		if r.To, err = ParseDate(to); err != nil {
			return Range{}, &FlagError{"to", err.Error()}
		}
		if from == "" {
			r.From = r.To
		}
	}
	if r.To.Before(r.From) {
		return Range{}, &FlagError{"from", fmt.Sprintf("%s is after to (%s)", r.From, r.To)}
	}
	if n := r.Days(); n > MaxDays {
		return Range{}, &FlagError{"to", fmt.Sprintf("the range has %d days, more than %d", n, MaxDays)}
	}
	return r, nil
}
