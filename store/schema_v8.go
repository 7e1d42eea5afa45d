package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema change of migration 8, for the admin API: its bearer tokens
// (only their SHA-256 hashes), and the indexes that let staff find an order
// by phone or contact name, a request by its order number and a customer
// by name, phone or channel user id among many thousands.

type v8APIToken struct {
	ID         int64     `gorm:"primaryKey"`
	Name       string    `gorm:"size:64;not null;uniqueIndex:uq_api_tokens_name"`
	TokenHash  string    `gorm:"size:64;not null;uniqueIndex:uq_api_tokens_hash"`
	CreatedAt  time.Time `gorm:"not null"`
	LastUsedAt *time.Time
}

// The fields below repeat earlier columns only to name the new indexes.
// An InnoDB secondary index ends with the primary key, so each also serves
// "newest first" (ORDER BY id DESC) for an equality match.

type v8Order struct {
	ContactName  string `gorm:"size:200;not null;index:idx_orders_contact_name"`
	ContactPhone string `gorm:"size:64;not null;index:idx_orders_contact_phone"`
}

type v8AfterSales struct {
	OrderNumber string `gorm:"size:32;not null;index:idx_after_sales_order_number"`
}

type v8Customer struct {
	Name        string `gorm:"size:200;not null;index:idx_customers_name"`
	DisplayName string `gorm:"size:200;not null;index:idx_customers_display_name"`
	Phone       string `gorm:"size:64;not null;index:idx_customers_phone"`
	UserID      string `gorm:"size:191;not null;index:idx_customers_user_id"`
}

func (v8APIToken) TableName() string   { return "api_tokens" }
func (v8Order) TableName() string      { return "orders" }
func (v8AfterSales) TableName() string { return "after_sales" }
func (v8Customer) TableName() string   { return "customers" }

// migrateV8 checks before each change, so that a run cut short on MySQL can
// simply run again.
func migrateV8(ddl *gorm.DB) error {
	m := ddl.Migrator()
	if !m.HasTable(&v8APIToken{}) {
		if err := m.CreateTable(&v8APIToken{}); err != nil {
			return err
		}
	}
	indexes := []struct {
		model any
		name  string
	}{
		{&v8Order{}, "idx_orders_contact_name"},
		{&v8Order{}, "idx_orders_contact_phone"},
		{&v8AfterSales{}, "idx_after_sales_order_number"},
		{&v8Customer{}, "idx_customers_name"},
		{&v8Customer{}, "idx_customers_display_name"},
		{&v8Customer{}, "idx_customers_phone"},
		{&v8Customer{}, "idx_customers_user_id"},
	}
	for _, ix := range indexes {
		if m.HasIndex(ix.model, ix.name) {
			continue
		}
		if err := m.CreateIndex(ix.model, ix.name); err != nil {
			return err
		}
	}
	return nil
}
