package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// ImagePoster is a staff channel that can post an image with text: an
// optional ability of a channel adapter (Slack, Telegram).
type ImagePoster interface {
	PostStaffImage(ctx context.Context, text, filename string, image []byte) error
}

// Claims is where replicas agree who posts each day's report to each
// channel, so it is posted once however many run.
type Claims interface {
	// ClaimReport takes (day, channel) until leaseUntil, when no one has it
	// or its holder's lease ran out before now, and it is not posted yet.
	ClaimReport(ctx context.Context, day, channel, owner string, now, leaseUntil time.Time) (bool, error)
	ReportPosted(ctx context.Context, day, channel, owner string, now time.Time) error
	// ReportFailed keeps the claim unposted until retryAt, when any replica
	// may claim it again.
	ReportFailed(ctx context.Context, day, channel, owner, reason string, retryAt time.Time) error
	// LastReportDay is the latest day claimed for channel, "" when none.
	LastReportDay(ctx context.Context, channel string) (string, error)
	// UnpostedReportDays lists the days from since on claimed for channel
	// and not posted (failed, or held by a replica now), oldest first.
	UnpostedReportDays(ctx context.Context, channel, since string) ([]string, error)
}

// DailyConfig configures the daily report.
type DailyConfig struct {
	Source  Source
	Claims  Claims
	Posters map[string]ImagePoster // by channel name
	Loc     *time.Location
	// At is the local time of day the report of yesterday is due.
	Hour, Minute         int
	Shop, Currency, Lang string
	Owner                string // this replica, as claims name it
	Clock                func() time.Time
	Log                  *slog.Logger
	Lease, RetryWait     time.Duration
}

// CatchUpDays is how far back missed reports are posted late: a week.
const CatchUpDays = 7

// Daily posts yesterday's report with its chart to the staff channels
// once a day, and posts the days it missed (the service was down) late.
type Daily struct {
	cfg     DailyConfig
	charter *Charter
}

// NewDaily checks cfg and prepares the chart font.
func NewDaily(cfg DailyConfig) (*Daily, error) {
	if cfg.Source == nil || cfg.Claims == nil || cfg.Loc == nil || cfg.Owner == "" {
		return nil, errors.New("daily report: source, claims, location and owner are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 10 * time.Minute
	}
	if cfg.RetryWait <= 0 {
		cfg.RetryWait = 5 * time.Minute
	}
	ch, err := NewCharter(cfg.Lang)
	if err != nil {
		return nil, err
	}
	return &Daily{cfg: cfg, charter: ch}, nil
}

// ParseReportTime reads ORDERBOT_REPORT_TIME: local "HH:MM", or "off".
// Empty is the default, 09:00.
func ParseReportTime(s string) (hour, minute int, on bool, err error) {
	switch strings.TrimSpace(s) {
	case "off":
		return 0, 0, false, nil
	case "":
		return 9, 0, true, nil
	}
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil || len(strings.TrimSpace(s)) != len("15:04") {
		return 0, 0, false, fmt.Errorf("ORDERBOT_REPORT_TIME=%q: want a local time HH:MM (e.g. 09:00) or off", s)
	}
	return t.Hour(), t.Minute(), true, nil
}

// Run ticks every interval until ctx ends.
func (d *Daily) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := d.Tick(ctx); err != nil && ctx.Err() == nil {
			d.cfg.Log.Warn("daily report", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// due is the latest day whose report is due at now: yesterday once the
// report time has passed today, the day before otherwise.
func (d *Daily) due(now time.Time) Date {
	local := now.In(d.cfg.Loc)
	today := DateOf(local, d.cfg.Loc)
	at := time.Date(today.Year, today.Month, today.Day, d.cfg.Hour, d.cfg.Minute, 0, 0, d.cfg.Loc)
	if local.Before(at) {
		return today.AddDays(-2)
	}
	return today.AddDays(-1)
}

// Tick posts every report that is due and that no replica has posted or
// holds: the day due, and the days since the last one claimed (at most
// CatchUpDays back) that were missed.
func (d *Daily) Tick(ctx context.Context) error {
	now := d.cfg.Clock()
	due := d.due(now)
	var errs []error
	for ch, poster := range d.cfg.Posters {
		days, err := d.pending(ctx, ch, due, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, day := range days {
			if err := d.post(ctx, ch, poster, day, day != due); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// pending lists the days to try for ch, oldest first: those claimed
// within CatchUpDays and not posted, and those after the last claimed up to
// due (the days the service missed). ClaimReport then skips any another
// replica holds.
func (d *Daily) pending(ctx context.Context, ch string, due Date, now time.Time) ([]Date, error) {
	last, err := d.cfg.Claims.LastReportDay(ctx, ch)
	if err != nil {
		return nil, err
	}
	if last == "" {
		// Never posted before: the first report is yesterday's, at the
		// report time, not the day before's at once.
		if due != DateOf(now, d.cfg.Loc).AddDays(-1) {
			return nil, nil
		}
		return []Date{due}, nil
	}
	since := due.AddDays(1 - CatchUpDays)
	open, err := d.cfg.Claims.UnpostedReportDays(ctx, ch, since.String())
	if err != nil {
		return nil, err
	}
	var days []Date
	for _, s := range open {
		day, err := ParseDate(s)
		if err != nil {
			return nil, fmt.Errorf("daily report: stored day %q: %w", s, err)
		}
		days = append(days, day)
	}
	l, err := ParseDate(last)
	if err != nil {
		return nil, fmt.Errorf("daily report: stored day %q: %w", last, err)
	}
	next := l.AddDays(1)
	if next.Before(since) {
		next = since
	}
	for day := next; !due.Before(day); day = day.AddDays(1) {
		days = append(days, day)
	}
	return days, nil
}

// post claims one day's report for one channel and posts it.
func (d *Daily) post(ctx context.Context, ch string, poster ImagePoster, day Date, late bool) error {
	now := d.cfg.Clock()
	ok, err := d.cfg.Claims.ClaimReport(ctx, day.String(), ch, d.cfg.Owner, now, now.Add(d.cfg.Lease))
	if err != nil || !ok {
		return err
	}
	text, png, err := d.render(ctx, day, late)
	if err == nil {
		err = poster.PostStaffImage(ctx, text, "report-"+day.String()+".png", png)
	}
	if err != nil {
		d.cfg.Log.Warn("daily report not posted", "day", day.String(), "channel", ch, "err", err)
		return d.cfg.Claims.ReportFailed(ctx, day.String(), ch, d.cfg.Owner, err.Error(), d.cfg.Clock().Add(d.cfg.RetryWait))
	}
	d.cfg.Log.Info("daily report posted", "day", day.String(), "channel", ch, "late", late)
	return d.cfg.Claims.ReportPosted(ctx, day.String(), ch, d.cfg.Owner, d.cfg.Clock())
}

// render is the report of day as text and its chart as PNG.
func (d *Daily) render(ctx context.Context, day Date, late bool) (string, []byte, error) {
	r := Day(day, d.cfg.Loc)
	cmp, err := Compare(ctx, d.cfg.Source, r)
	if err != nil {
		return "", nil, err
	}
	var text bytes.Buffer
	if late {
		text.WriteString(words(d.cfg.Lang).late + "\n")
	}
	if err := WriteText(&text, d.cfg.Shop, d.cfg.Currency, d.cfg.Lang, cmp); err != nil {
		return "", nil, err
	}
	chart, err := Compute(ctx, d.cfg.Source, ChartRange(r))
	if err != nil {
		return "", nil, err
	}
	var png bytes.Buffer
	if err := d.charter.WritePNG(&png, d.cfg.Shop, d.cfg.Currency, chart.Days); err != nil {
		return "", nil, err
	}
	return text.String(), png.Bytes(), nil
}
