package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema change of migration 16: money. Orders gain their price parts
// (subtotal, discount, shipping; total stays the amount to pay) and their
// payment state; payments keeps every payment and refund a provider
// reported, unique per (provider, txn_id) so a repeated notification counts
// once; coupons (a customer's uses are counted from orders.coupon); the
// shop's shipping fee rule.

type v16Order struct {
	Subtotal      int64      `gorm:"not null;default:0"`
	Discount      int64      `gorm:"not null;default:0"`
	Shipping      int64      `gorm:"not null;default:0"`
	Coupon        string     `gorm:"size:32;not null;default:''"`
	PaymentStatus string     `gorm:"size:24;not null;default:'unpaid';index:idx_orders_pay_due,priority:1"`
	PayMethod     string     `gorm:"size:24;not null;default:'cod'"`
	Paid          int64      `gorm:"not null;default:0"`
	Refunded      int64      `gorm:"not null;default:0"`
	PaymentRef    string     `gorm:"size:128;not null;default:''"`
	PayDue        *time.Time `gorm:"index:idx_orders_pay_due,priority:2"`
	PayReminded   bool       `gorm:"not null;default:false"`
}

func (v16Order) TableName() string { return "orders" }

type v16Payment struct {
	ID        int64     `gorm:"primaryKey"`
	OrderID   int64     `gorm:"not null;index:idx_payments_order"`
	Kind      string    `gorm:"size:16;not null"`
	Provider  string    `gorm:"size:32;not null;uniqueIndex:uq_payments_txn,priority:1"`
	TxnID     string    `gorm:"size:128;not null;uniqueIndex:uq_payments_txn,priority:2"`
	Amount    int64     `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
}

func (v16Payment) TableName() string { return "payments" }

type v16Coupon struct {
	ID                 int64      `gorm:"primaryKey"`
	Code               string     `gorm:"size:32;not null;uniqueIndex:uq_coupons_code"`
	PercentOff         int        `gorm:"not null"`
	AmountOff          int64      `gorm:"not null"`
	MinSpend           int64      `gorm:"not null"`
	Tier               string     `gorm:"size:32;not null"`
	StartsAt           *time.Time ``
	EndsAt             *time.Time ``
	MaxUses            int        `gorm:"not null"`
	MaxUsesPerCustomer int        `gorm:"not null"`
	Uses               int        `gorm:"not null"`
	Disabled           bool       `gorm:"not null"`
	CreatedBy          string     `gorm:"size:191;not null"`
	CreatedAt          time.Time  `gorm:"not null"`
}

func (v16Coupon) TableName() string { return "coupons" }

type v16ShippingRule struct {
	ID        int64     `gorm:"primaryKey;autoIncrement:false"`
	FlatFee   int64     `gorm:"not null"`
	FreeAbove int64     `gorm:"not null"`
	UpdatedBy string    `gorm:"size:191;not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

func (v16ShippingRule) TableName() string { return "shipping_rules" }

// migrateV16 checks before each change, so that a run cut short on MySQL
// can simply run again. Orders placed before it get subtotal = total: they
// had no discount or shipping.
func migrateV16(ddl *gorm.DB) error {
	m := ddl.Migrator()
	order := &v16Order{}
	for _, col := range []string{"Subtotal", "Discount", "Shipping", "Coupon", "PaymentStatus", "PayMethod",
		"Paid", "Refunded", "PaymentRef", "PayDue", "PayReminded"} {
		if m.HasColumn(order, col) {
			continue
		}
		if err := m.AddColumn(order, col); err != nil {
			return err
		}
	}
	if !m.HasIndex(order, "idx_orders_pay_due") {
		if err := m.CreateIndex(order, "idx_orders_pay_due"); err != nil {
			return err
		}
	}
	if err := ddl.Exec("UPDATE orders SET subtotal = total WHERE subtotal = 0 AND discount = 0 AND shipping = 0").Error; err != nil {
		return err
	}
	for _, t := range []any{&v16Payment{}, &v16Coupon{}, &v16ShippingRule{}} {
		if m.HasTable(t) {
			continue
		}
		if err := m.CreateTable(t); err != nil {
			return err
		}
	}
	return nil
}
