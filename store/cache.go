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

// CacheDelete removes a value; a missing one is no error.
func (r *repo) CacheDelete(ctx context.Context, name string) error {
	if err := r.db.WithContext(ctx).Where("name = ?", name).Delete(&cacheRow{}).Error; err != nil {
		return fmt.Errorf("cache delete %s: %w", name, dbErr(err))
	}
	return nil
}
