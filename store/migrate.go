package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migration is one numbered step of the schema. A step never changes once
// released: later changes are new steps, and a step's model structs are its
// own snapshot, not the row types the queries use.
type migration struct {
	version int
	name    string
	up      func(ddl *gorm.DB) error
}

// migrations lists every step in version order.
func migrations() []migration {
	return []migration{
		{version: 1, name: "initial schema", up: createSchemaV1},
		{version: 2, name: "held messages, card lookup, cache", up: migrateV2},
		{version: 3, name: "uploaded media", up: migrateV3},
		{version: 4, name: "staff prompts", up: migrateV4},
		{version: 5, name: "web chat limits and staff sessions", up: migrateV5},
		{version: 7, name: "outbox lease indexes", up: migrateV7},
		{version: 8, name: "admin API tokens, search indexes", up: migrateV8},
		{version: 9, name: "customer tiers and approval rules", up: migrateV9},
		{version: 10, name: "report indexes and daily report claims", up: migrateV10},
		{version: 12, name: "Chinese catalog texts, web chat history", up: migrateV12},
		{version: 13, name: "handoff transcripts, merged customers", up: migrateV13},
		{version: 14, name: "personal data sealed: wider columns, keyed search hashes", up: migrateV14},
		{version: 16, name: "prices, payments, coupons, shipping", up: migrateV16},
		{version: 17, name: "customer care: consent, surveys", up: migrateV17},
		{version: 19, name: "pictures of replies in the outbox", up: migrateV19},
		{version: 20, name: "bulk messages in the outbox", up: migrateV20},
		{version: 21, name: "broadcasts and their recipients", up: migrateV21},
		{version: 22, name: "pending refunds to retry", up: migrateV22},
		{version: 23, name: "report index on orders, work queue index of survey cards", up: migrateV23},
		{version: 24, name: "outbox index of waiting messages by kind", up: migrateV24},
		{version: 25, name: "catalog version for per-replica catalog caches", up: migrateV25},
		{version: 26, name: "fewer outbox indexes per reply", up: migrateV26},
	}
}

func latestVersion() int {
	ms := migrations()
	return ms[len(ms)-1].version
}

// migrationRow records an applied step.
type migrationRow struct {
	Version   int       `gorm:"primaryKey;autoIncrement:false"`
	Name      string    `gorm:"size:200;not null"`
	AppliedAt time.Time `gorm:"not null"`
}

func (migrationRow) TableName() string { return "schema_migrations" }

// mysqlTableOptions makes every table InnoDB in utf8mb4 with binary
// collation, whatever the database's defaults: Chinese text and emoji must
// fit, and platform ids and dedup keys are case-sensitive ("oAbC" and "oabc"
// are two WeChat users), as they are on SQLite.
const mysqlTableOptions = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"

// Migrate applies the steps the database lacks. Running it again, or on two
// replicas at once, is safe.
func (s *Store) Migrate(ctx context.Context) error {
	steps := migrations()
	if err := inVersionOrder(steps); err != nil {
		return err
	}
	return s.migrate(ctx, steps)
}

// inVersionOrder checks the list of steps. Steps are added on branches and
// merged: one out of order would make latestVersion wrong, and the schema
// check then refuse a database migrated to the end.
func inVersionOrder(steps []migration) error {
	for i := 1; i < len(steps); i++ {
		if steps[i].version <= steps[i-1].version {
			return fmt.Errorf("migration %d listed after %d: the steps must be in version order", steps[i].version, steps[i-1].version)
		}
	}
	return nil
}

func (s *Store) migrate(ctx context.Context, steps []migration) error {
	db := s.db.WithContext(ctx)
	if s.dialect == dialectSQLite {
		// SQLite's DDL is transactional and BEGIN IMMEDIATE shuts out other
		// processes, so all steps go in one transaction.
		return db.Transaction(func(tx *gorm.DB) error {
			return s.applySteps(ctx, tx, steps)
		})
	}
	// MySQL commits DDL at once, so replicas starting together take a named
	// lock instead; it belongs to a connection, hence the pinned one.
	return db.Connection(func(conn *gorm.DB) error {
		// A fresh statement for every call made on conn, as on any session.
		conn = conn.Session(&gorm.Session{})
		release, err := lockMigrations(conn)
		if err != nil {
			return err
		}
		defer release()
		return s.applySteps(ctx, conn, steps)
	})
}

func (s *Store) applySteps(ctx context.Context, db *gorm.DB, steps []migration) error {
	ddl := db
	if s.dialect == dialectMySQL {
		ddl = db.Set("gorm:table_options", mysqlTableOptions)
	}
	// A session, so that every call a step chains on ddl (Model(...).Count)
	// starts from this statement: without it the table of one call would
	// stay in the handle, and a later step's CreateIndex go to that table.
	ddl = ddl.Session(&gorm.Session{})
	if !db.Migrator().HasTable(&migrationRow{}) {
		if err := ddl.Migrator().CreateTable(&migrationRow{}); err != nil {
			return fmt.Errorf("create migrations table: %w", err)
		}
	}
	var versions []int
	if err := db.Model(&migrationRow{}).Pluck("version", &versions).Error; err != nil {
		return fmt.Errorf("read applied migrations: %w", err)
	}
	applied := make(map[int]bool, len(versions))
	for _, v := range versions {
		applied[v] = true
	}
	for _, m := range steps {
		if applied[m.version] {
			continue
		}
		if err := m.up(ddl); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		rec := migrationRow{Version: m.version, Name: m.name, AppliedAt: nowUTC()}
		// A duplicate means another process recorded the step first.
		if err := db.Create(&rec).Error; err != nil && !errors.Is(err, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("record migration %d: %w", m.version, err)
		}
		s.log.InfoContext(ctx, "migration applied", "version", m.version, "name", m.name)
	}
	return nil
}

// migrateLockTimeout is how long a replica waits for another one's
// migration before giving up.
const migrateLockTimeout = 120

// lockMigrations takes a MySQL named lock per database, so that tests or
// tenants migrating other databases on the same server do not wait.
func lockMigrations(conn *gorm.DB) (release func(), err error) {
	const name = "LEFT(CONCAT('orderbot_migrate:', DATABASE()), 64)"
	var got *int64
	if err := conn.Raw("SELECT GET_LOCK("+name+", ?)", migrateLockTimeout).Row().Scan(&got); err != nil {
		return nil, fmt.Errorf("take migration lock: %w", err)
	}
	if got == nil || *got != 1 {
		return nil, errors.New("take migration lock: timed out waiting for another migration")
	}
	return func() {
		var ignored *int64
		_ = conn.Raw("SELECT RELEASE_LOCK(" + name + ")").Row().Scan(&ignored)
	}, nil
}

// SchemaVersion returns the highest applied migration, 0 when none is.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	db := s.db.WithContext(ctx)
	if !db.Migrator().HasTable(&migrationRow{}) {
		return 0, nil
	}
	var v *int
	if err := db.Model(&migrationRow{}).Select("MAX(version)").Row().Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}
