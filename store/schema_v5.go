package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema changes of migration 5, for the web chat's defences: a log of
// recent uses of limited things (logins, uploads, new visitors), the slots
// of concurrent long polls, and staff sessions kept server-side so that
// logging out or changing a password ends them on every replica.

type v5RateEvent struct {
	ID     int64     `gorm:"primaryKey"`
	Name   string    `gorm:"size:191;not null;index:idx_rate_events_name,priority:1"`
	Amount int64     `gorm:"not null"`
	At     time.Time `gorm:"not null;index:idx_rate_events_name,priority:2;index:idx_rate_events_at"`
}

type v5PollSlot struct {
	Name      string    `gorm:"primaryKey;size:191;not null"`
	Slot      int       `gorm:"primaryKey;autoIncrement:false"`
	Holder    string    `gorm:"size:64;not null"`
	ExpiresAt time.Time `gorm:"not null;index:idx_poll_slots_expires"`
}

type v5StaffSession struct {
	ID        string    `gorm:"primaryKey;size:64;not null"`
	Channel   string    `gorm:"size:32;not null;index:idx_staff_sessions_user,priority:1"`
	UserID    string    `gorm:"size:191;not null;index:idx_staff_sessions_user,priority:2"`
	Grant     string    `gorm:"column:grant_hash;size:64;not null"`
	CreatedAt time.Time `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null;index:idx_staff_sessions_expires"`
}

type v5Media struct {
	CreatedAt time.Time `gorm:"not null;index:idx_media_created"`
}

func (v5RateEvent) TableName() string    { return "rate_events" }
func (v5PollSlot) TableName() string     { return "poll_slots" }
func (v5StaffSession) TableName() string { return "staff_sessions" }
func (v5Media) TableName() string        { return "media" }

// migrateV5 checks before each change, so that a run cut short on MySQL,
// where each DDL statement commits on its own, can simply run again.
func migrateV5(ddl *gorm.DB) error {
	m := ddl.Migrator()
	for _, t := range []any{&v5RateEvent{}, &v5PollSlot{}, &v5StaffSession{}} {
		if !m.HasTable(t) {
			if err := m.CreateTable(t); err != nil {
				return err
			}
		}
	}
	// The hourly prune looks for photos by age.
	if !m.HasIndex(&v5Media{}, "idx_media_created") {
		return m.CreateIndex(&v5Media{}, "idx_media_created")
	}
	return nil
}
