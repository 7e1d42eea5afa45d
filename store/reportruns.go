package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot/report"
)

var _ report.Claims = (*repo)(nil)

type reportRunRow struct {
	Day        string `gorm:"primaryKey"`
	Channel    string `gorm:"primaryKey"`
	Owner      string
	LeaseUntil time.Time
	PostedAt   *time.Time
	Attempts   int
	LastError  string
}

func (reportRunRow) TableName() string { return "report_runs" }

// ClaimReport takes the daily report of day for channel until lease ends:
// a new row, or one not posted whose lease has run out (its owner died or
// failed). It works the same on every database: a unique key and a guarded
// UPDATE, no row locks.
func (r *repo) ClaimReport(ctx context.Context, day, channel, owner string, now, leaseUntil time.Time) (bool, error) {
	row := reportRunRow{Day: day, Channel: channel, Owner: owner, LeaseUntil: dbTime(leaseUntil), Attempts: 1}
	err := r.db.WithContext(ctx).Create(&row).Error
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, gorm.ErrDuplicatedKey) {
		return false, fmt.Errorf("claim report %s %s: %w", day, channel, dbErr(err))
	}
	res := r.db.WithContext(ctx).Model(&reportRunRow{}).
		Where("day = ? AND channel = ? AND posted_at IS NULL AND lease_until < ?", day, channel, dbTime(now)).
		Updates(map[string]any{"owner": owner, "lease_until": dbTime(leaseUntil), "attempts": gorm.Expr("attempts + 1")})
	if res.Error != nil {
		return false, fmt.Errorf("claim report %s %s: %w", day, channel, dbErr(res.Error))
	}
	return res.RowsAffected == 1, nil
}

// ReportPosted marks the report posted, if owner still holds it.
func (r *repo) ReportPosted(ctx context.Context, day, channel, owner string, now time.Time) error {
	err := r.db.WithContext(ctx).Model(&reportRunRow{}).
		Where("day = ? AND channel = ? AND owner = ?", day, channel, owner).
		Updates(map[string]any{"posted_at": dbTime(now), "last_error": ""}).Error
	if err != nil {
		return fmt.Errorf("report %s %s posted: %w", day, channel, dbErr(err))
	}
	return nil
}

// ReportFailed records why posting failed and when it may be tried again.
func (r *repo) ReportFailed(ctx context.Context, day, channel, owner, reason string, retryAt time.Time) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	err := r.db.WithContext(ctx).Model(&reportRunRow{}).
		Where("day = ? AND channel = ? AND owner = ? AND posted_at IS NULL", day, channel, owner).
		Updates(map[string]any{"last_error": reason, "lease_until": dbTime(retryAt)}).Error
	if err != nil {
		return fmt.Errorf("report %s %s failed: %w", day, channel, dbErr(err))
	}
	return nil
}

// LastReportDay is the latest day claimed for channel ("" when none): days
// after it have not been tried yet.
func (r *repo) LastReportDay(ctx context.Context, channel string) (string, error) {
	var day *string
	err := r.db.WithContext(ctx).Model(&reportRunRow{}).Where("channel = ?", channel).
		Select("MAX(day)").Row().Scan(&day)
	if err != nil {
		return "", fmt.Errorf("last report day: %w", dbErr(err))
	}
	if day == nil {
		return "", nil
	}
	return *day, nil
}

// UnpostedReportDays lists the days from since on claimed for channel and
// not posted.
func (r *repo) UnpostedReportDays(ctx context.Context, channel, since string) ([]string, error) {
	var days []string
	err := r.db.WithContext(ctx).Model(&reportRunRow{}).
		Where("channel = ? AND day >= ? AND posted_at IS NULL", channel, since).
		Order("day").Pluck("day", &days).Error
	if err != nil {
		return nil, fmt.Errorf("unposted report days: %w", dbErr(err))
	}
	return days, nil
}
