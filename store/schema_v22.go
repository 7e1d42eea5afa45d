package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema change of migration 22: refunds a payment provider refused or
// could not be reached for, kept to be asked again (bot/refundretry). The
// due index serves the sweep; claims let one replica retry each.
type v22PendingRefund struct {
	ID            int64      `gorm:"primaryKey"`
	RequestNumber string     `gorm:"size:64;not null;uniqueIndex:uq_pending_refunds_request"`
	OrderNumber   string     `gorm:"size:64;not null"`
	Method        string     `gorm:"size:32;not null"`
	Amount        int64      `gorm:"not null"`
	Total         int64      `gorm:"not null"`
	Attempts      int        `gorm:"not null"`
	State         string     `gorm:"size:16;not null;index:idx_pending_refunds_due,priority:1"`
	NextAt        time.Time  `gorm:"not null;index:idx_pending_refunds_due,priority:2"`
	LastError     string     `gorm:"size:512;not null"`
	ClaimedBy     string     `gorm:"size:64;not null"`
	ClaimedUntil  *time.Time ``
	CreatedAt     time.Time  `gorm:"not null"`
	UpdatedAt     time.Time  `gorm:"not null"`
}

func (v22PendingRefund) TableName() string { return "pending_refunds" }

func migrateV22(ddl *gorm.DB) error {
	m := ddl.Migrator()
	if m.HasTable(&v22PendingRefund{}) {
		return nil
	}
	return m.CreateTable(&v22PendingRefund{})
}
