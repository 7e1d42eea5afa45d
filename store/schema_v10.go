package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema change of migration 10: indexes for the reports' queries, and
// the table where replicas claim the daily report so it is posted once.

// v10OrderHistory adds a covering index: a report reads, per order, when it
// was decided, confirmed and shipped without touching the rows.
type v10OrderHistory struct {
	OrderID    int64     `gorm:"index:idx_order_history_report,priority:1"`
	ToStatus   string    `gorm:"size:32;index:idx_order_history_report,priority:2"`
	FromStatus string    `gorm:"size:32;index:idx_order_history_report,priority:3"`
	ChangedAt  time.Time `gorm:"index:idx_order_history_report,priority:4"`
}

func (v10OrderHistory) TableName() string { return "order_history" }

// v10Order: a customer's orders before a day are counted from the index.
type v10Order struct {
	CustomerID int64     `gorm:"index:idx_orders_customer_created,priority:1"`
	CreatedAt  time.Time `gorm:"index:idx_orders_customer_created,priority:2"`
}

func (v10Order) TableName() string { return "orders" }

// v10OrderItem adds a covering index for the product sums of a report.
type v10OrderItem struct {
	OrderID   int64  `gorm:"index:idx_order_items_report,priority:1"`
	SKU       string `gorm:"size:64;index:idx_order_items_report,priority:2"`
	Qty       int    `gorm:"index:idx_order_items_report,priority:3"`
	UnitPrice int64  `gorm:"index:idx_order_items_report,priority:4"`
}

func (v10OrderItem) TableName() string { return "order_items" }

// v10AfterSales: requests filed in a range, and an order's resolved refunds.
type v10AfterSales struct {
	OrderID     int64     `gorm:"index:idx_after_sales_order_status,priority:1"`
	Status      string    `gorm:"size:32;index:idx_after_sales_order_status,priority:2"`
	RequestType string    `gorm:"size:32;index:idx_after_sales_order_status,priority:3"`
	CreatedAt   time.Time `gorm:"index:idx_after_sales_created"`
}

func (v10AfterSales) TableName() string { return "after_sales" }

// v10ReportRun is one day's daily report to one staff channel: claimed by
// a replica for a lease, then marked posted. (day, channel) is the primary
// key, so two replicas cannot both hold it.
type v10ReportRun struct {
	Day        string     `gorm:"primaryKey;size:10"`
	Channel    string     `gorm:"primaryKey;size:32"`
	Owner      string     `gorm:"size:191;not null"`
	LeaseUntil time.Time  `gorm:"not null"`
	PostedAt   *time.Time `gorm:"index:idx_report_runs_posted"`
	Attempts   int        `gorm:"not null"`
	LastError  string     `gorm:"not null"`
}

func (v10ReportRun) TableName() string { return "report_runs" }

func migrateV10(ddl *gorm.DB) error {
	m := ddl.Migrator()
	for _, ix := range []struct {
		model any
		name  string
	}{
		{&v10OrderHistory{}, "idx_order_history_report"},
		{&v10Order{}, "idx_orders_customer_created"},
		{&v10OrderItem{}, "idx_order_items_report"},
		{&v10AfterSales{}, "idx_after_sales_order_status"},
		{&v10AfterSales{}, "idx_after_sales_created"},
	} {
		if !m.HasIndex(ix.model, ix.name) {
			if err := m.CreateIndex(ix.model, ix.name); err != nil {
				return err
			}
		}
	}
	if m.HasTable(&v10ReportRun{}) {
		return nil
	}
	return m.CreateTable(&v10ReportRun{})
}
