package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema change of migration 23: an index that lets every report query
// read a date range of orders as an index range, and one that pages the
// unhappy customers' cards in the work queue.

// v23Order covers what the reports read of the orders of a range: the
// product sums filter on status and group on channel, the new and
// returning customers and the tiers need the customer. With it the
// product sums join a range of this index to order_items' covering index
// instead of scanning the orders' rows.
type v23Order struct {
	CreatedAt  time.Time `gorm:"index:idx_orders_report,priority:1"`
	Status     string    `gorm:"size:32;index:idx_orders_report,priority:2"`
	Channel    string    `gorm:"size:32;index:idx_orders_report,priority:3"`
	CustomerID int64     `gorm:"index:idx_orders_report,priority:4"`
}

func (v23Order) TableName() string { return "orders" }

// v23Survey: the open cards of unhappy customers, oldest answer first,
// read a page at a time for the work queue.
type v23Survey struct {
	CardOpen   bool       `gorm:"index:idx_care_surveys_card,priority:1"`
	AnsweredAt *time.Time `gorm:"index:idx_care_surveys_card,priority:2"`
}

func (v23Survey) TableName() string { return "care_surveys" }

func migrateV23(ddl *gorm.DB) error {
	m := ddl.Migrator()
	for _, ix := range []struct {
		model any
		name  string
	}{
		{&v23Order{}, "idx_orders_report"},
		{&v23Survey{}, "idx_care_surveys_card"},
	} {
		if !m.HasIndex(ix.model, ix.name) {
			if err := m.CreateIndex(ix.model, ix.name); err != nil {
				return err
			}
		}
	}
	return nil
}
