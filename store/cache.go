package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

type cacheRow struct {
	Name      string `gorm:"primaryKey"`
	Value     string `gorm:"column:cache_value"`
	ExpiresAt time.Time
}

func (cacheRow) TableName() string { return "cache" }

// CacheGet returns a value that has not expired (bot.ErrNotFound otherwise).
func (r *repo) CacheGet(ctx context.Context, name string, now time.Time) (string, error) {
	var row cacheRow
	err := r.db.WithContext(ctx).Where("name = ? AND expires_at > ?", name, dbTime(now)).Take(&row).Error
	if err != nil {
		return "", fmt.Errorf("cache %s: %w", name, dbErr(err))
	}
	return row.Value, nil
}

// CachePut stores or replaces a value until expires.
func (r *repo) CachePut(ctx context.Context, name, value string, expires time.Time) error {
	row := cacheRow{Name: name, Value: value, ExpiresAt: dbTime(expires)}
	err := r.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "name"}},
		DoUpdates: clause.AssignmentColumns([]string{"cache_value", "expires_at"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("cache put %s: %w", name, dbErr(err))
	}
	return nil
}

// CacheAdd stores value until expires unless an unexpired value is cached
// under name, and returns the value cached now: value when it was added (or
// was already there), the earlier one otherwise. Each step is one statement,
// so of several callers racing with different values exactly one wins, on
// every database and every replica.
func (r *repo) CacheAdd(ctx context.Context, name, value string, expires, now time.Time) (string, error) {
	db := r.db.WithContext(ctx)
	row := cacheRow{Name: name, Value: value, ExpiresAt: dbTime(expires)}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return "", fmt.Errorf("cache add %s: %w", name, dbErr(err))
	}
	// An expired value is not there: take its place, unless someone else
	// just did.
	err := db.Model(&cacheRow{}).Where("name = ? AND expires_at <= ?", name, dbTime(now)).
		Updates(map[string]any{"cache_value": value, "expires_at": dbTime(expires)}).Error
	if err != nil {
		return "", fmt.Errorf("cache add %s: %w", name, dbErr(err))
	}
	var stored cacheRow
	if err := db.Where("name = ?", name).Take(&stored).Error; err != nil {
		return "", fmt.Errorf("cache add %s: %w", name, dbErr(err))
	}
	return stored.Value, nil
}

// CacheDelete removes a value; a missing one is no error.
func (r *repo) CacheDelete(ctx context.Context, name string) error {
	if err := r.db.WithContext(ctx).Where("name = ?", name).Delete(&cacheRow{}).Error; err != nil {
		return fmt.Errorf("cache delete %s: %w", name, dbErr(err))
	}
	return nil
}
