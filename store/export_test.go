package store

import (
	"context"

	"gorm.io/gorm"
)

// MigrateWithExtraStep runs the real migrations plus one more, so tests can
// watch the runner handle a step the schema does not have yet.
func MigrateWithExtraStep(ctx context.Context, s *Store, version int, up func(exec func(sql string) error) error) error {
	extra := migration{version: version, name: "test step", up: func(ddl *gorm.DB) error {
		return up(func(sql string) error { return ddl.Exec(sql).Error })
	}}
	return s.migrate(ctx, append(migrations(), extra))
}

// AppliedMigrations lists the recorded versions, with duplicates if any.
func AppliedMigrations(ctx context.Context, s *Store) ([]int, error) {
	var vs []int
	err := s.db.WithContext(ctx).Model(&migrationRow{}).Order("version").Pluck("version", &vs).Error
	return vs, err
}

// LatestVersion is the version this binary migrates to.
func LatestVersion() int { return latestVersion() }

// Retryable exposes the deadlock test of InTx.
var Retryable = retryable

// MigrationVersions lists the version of every step, in order.
func MigrationVersions() []int {
	var vs []int
	for _, m := range migrations() {
		vs = append(vs, m.version)
	}
	return vs
}

// MigrateWithDataStepBefore runs the real migrations with, just before the
// step of version, one that reads a table through its DDL handle the way a
// step that seeds data does.
func MigrateWithDataStepBefore(ctx context.Context, s *Store, version int) error {
	var steps []migration
	for _, m := range migrations() {
		if m.version == version {
			steps = append(steps, migration{version: 100000 + version, name: "test data step", up: func(ddl *gorm.DB) error {
				var n int64
				return ddl.Model(&migrationRow{}).Count(&n).Error
			}})
		}
		steps = append(steps, m)
	}
	return s.migrate(ctx, steps)
}
