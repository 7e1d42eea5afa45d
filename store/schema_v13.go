package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema change of migration 13: the transcripts of human handoffs
// (handoff_lines, read by handoff and by customer, in id order), and the
// pointer a customer merged into another keeps to it (customers.merged_into).

type v13HandoffLine struct {
	// The id ends both indexes, so that pages go by it on SQLite too
	// (InnoDB appends the primary key to every index anyway).
	ID         int64     `gorm:"primaryKey;index:idx_handoff_lines_handoff,priority:2;index:idx_handoff_lines_customer,priority:2"`
	HandoffID  int64     `gorm:"not null;index:idx_handoff_lines_handoff,priority:1"`
	CustomerID int64     `gorm:"not null;index:idx_handoff_lines_customer,priority:1"`
	Author     string    `gorm:"size:16;not null"`
	Actor      string    `gorm:"size:200;not null"`
	Channel    string    `gorm:"size:32;not null"`
	Text       string    `gorm:"type:text;not null"`
	Photos     int       `gorm:"not null"`
	At         time.Time `gorm:"not null"`
}

type v13Customer struct {
	MergedInto *int64 `gorm:"index:idx_customers_merged_into"`
}

func (v13HandoffLine) TableName() string { return "handoff_lines" }
func (v13Customer) TableName() string    { return "customers" }

// migrateV13 checks before each change, so that a run cut short on MySQL
// can simply run again.
func migrateV13(ddl *gorm.DB) error {
	m := ddl.Migrator()
	if !m.HasTable(&v13HandoffLine{}) {
		if err := m.CreateTable(&v13HandoffLine{}); err != nil {
			return err
		}
	}
	if !m.HasColumn(&v13Customer{}, "MergedInto") {
		if err := m.AddColumn(&v13Customer{}, "MergedInto"); err != nil {
			return err
		}
	}
	if !m.HasIndex(&v13Customer{}, "idx_customers_merged_into") {
		return m.CreateIndex(&v13Customer{}, "idx_customers_merged_into")
	}
	return nil
}
