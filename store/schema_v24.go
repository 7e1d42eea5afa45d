package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema change of migration 24: idx_messages_pending lists the
// waiting messages of each kind (bulk or not) in id order, so that a claim
// reads the first few due ones of a kind instead of every waiting message:
// with a broadcast of 100,000 queued, a reply is still found at once.

type v24Message struct {
	ID          int64      `gorm:"primaryKey;index:idx_messages_pending,priority:5"`
	Bulk        bool       `gorm:"not null;default:false;index:idx_messages_pending,priority:1"`
	DeliveredAt *time.Time `gorm:"index:idx_messages_pending,priority:2"`
	FailedAt    *time.Time `gorm:"index:idx_messages_pending,priority:3"`
	HeldAt      *time.Time `gorm:"index:idx_messages_pending,priority:4"`
}

func (v24Message) TableName() string { return "messages" }

func migrateV24(ddl *gorm.DB) error {
	m := ddl.Migrator()
	if m.HasIndex(&v24Message{}, "idx_messages_pending") {
		return nil
	}
	return m.CreateIndex(&v24Message{}, "idx_messages_pending")
}
