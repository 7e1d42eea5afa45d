package store

import (
	"context"
	"database/sql"
	"time"

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

// MigrationsInOrder checks the real list of steps, and then the list with
// a step of version v added at the end.
func MigrationsInOrder(v int) (listed, withExtra error) {
	ms := migrations()
	extra := append(ms[:len(ms):len(ms)], migration{version: v, name: "test step"})
	return inVersionOrder(ms), inVersionOrder(extra)
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

// ForceLease leases messages to owner whatever their state, to set up a
// claim split between two dispatchers, which only races produce.
func ForceLease(ctx context.Context, s *Store, owner string, until time.Time, ids ...int64) error {
	return s.db.WithContext(ctx).Exec("UPDATE messages SET owner = ?, lease_until = ? WHERE id IN ?", owner, dbTime(until), ids).Error
}

// GiveBackOutOfTurn runs a claim's order check on the messages it leased
// to owner until until, and returns the ids it kept.
func GiveBackOutOfTurn(ctx context.Context, s *Store, owner string, until time.Time, ids ...int64) ([]int64, error) {
	var rows []messageRow
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	kept, err := s.giveBackOutOfTurn(ctx, owner, dbTime(until), rows)
	var out []int64
	for _, row := range kept {
		out = append(out, row.ID)
	}
	return out, err
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

// QueueDelivery queues a delivery record as MarkDelivered does on SQLite,
// without waiting for the connection: the next transaction writes it. The
// channel gives its outcome once one has.
func QueueDelivery(s *Store, owner string, id int64, at time.Time) <-chan error {
	d := &delivery{owner: owner, id: id, at: at, done: make(chan error, 1)}
	s.deliveries.add(d)
	return d.done
}

// ConnStats reports the store's connection pool.
func ConnStats(s *Store) sql.DBStats { return s.sqlDB.Stats() }
