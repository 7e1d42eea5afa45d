package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema change of migration 21: broadcasts (promotions) and their
// recipients. A recipient row is unique per broadcast and customer, so a
// batch repeated after a crash or by a second replica cannot message a
// customer twice; it keeps the outbox message's id, from which the
// delivery report reads what was sent and what failed.

type v21Broadcast struct {
	ID          int64      `gorm:"primaryKey"`
	Status      string     `gorm:"size:24;not null;index:idx_broadcasts_due,priority:1"`
	TextZH      string     `gorm:"column:text_zh;type:text;not null"`
	TextEN      string     `gorm:"column:text_en;type:text;not null"`
	ImageURL    string     `gorm:"size:2000;not null"`
	Coupon      string     `gorm:"size:32;not null"`
	Segment     string     `gorm:"type:text;not null"`
	SendAt      *time.Time `gorm:"index:idx_broadcasts_due,priority:2"` // nil: as soon as approved
	Audience    int        `gorm:"not null"`
	CreatedBy   string     `gorm:"size:255;not null"`
	CreatedAt   time.Time  `gorm:"not null"`
	SubmittedAt *time.Time
	DecidedBy   string `gorm:"size:255;not null"`
	DecidedAt   *time.Time
	StartedAt   *time.Time
	FinishedAt  *time.Time
	Cursor      int64      `gorm:"column:cursor_id;not null"`
	LeaseOwner  string     `gorm:"size:64;not null"`
	LeaseUntil  *time.Time `gorm:""`
	Version     int        `gorm:"not null"`
}

type v21Recipient struct {
	ID          int64     `gorm:"primaryKey"`
	BroadcastID int64     `gorm:"not null;uniqueIndex:uq_broadcast_recipients,priority:1"`
	CustomerID  int64     `gorm:"not null;uniqueIndex:uq_broadcast_recipients,priority:2;index:idx_broadcast_recipients_customer"`
	Status      string    `gorm:"size:16;not null"`
	Reason      string    `gorm:"size:32;not null"`
	MessageID   *int64    `gorm:""`
	CreatedAt   time.Time `gorm:"not null"`
}

func (v21Broadcast) TableName() string { return "broadcasts" }
func (v21Recipient) TableName() string { return "broadcast_recipients" }

func migrateV21(ddl *gorm.DB) error {
	for _, m := range []any{&v21Broadcast{}, &v21Recipient{}} {
		if ddl.Migrator().HasTable(m) {
			continue
		}
		if err := ddl.Migrator().CreateTable(m); err != nil {
			return err
		}
	}
	return nil
}
