package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema change of migration 9: the shop's customer tiers, the approval
// rules that use them, and the tier each customer holds (a customer without
// a customer_tiers row holds the first tier); the default ladder is seeded.
// Also the tags and the note staff keep on customers.

type v9Tier struct {
	ID         int64  `gorm:"primaryKey"`
	Position   int    `gorm:"not null"`
	Name       string `gorm:"size:32;not null;uniqueIndex:uq_tiers_name"`
	NameZH     string `gorm:"column:name_zh;size:64;not null"`
	NameEN     string `gorm:"column:name_en;size:64;not null"`
	MinSpend   int64  `gorm:"not null"`
	MinOrders  int    `gorm:"not null"`
	WindowDays int    `gorm:"not null"`
}

func (v9Tier) TableName() string { return "tiers" }

type v9ApprovalRule struct {
	ID        int64  `gorm:"primaryKey"`
	Position  int    `gorm:"not null"`
	Name      string `gorm:"size:32;not null;uniqueIndex:uq_approval_rules_name"`
	Kind      string `gorm:"size:32;not null"`
	MinTier   string `gorm:"size:32;not null"`
	MaxAmount int64  `gorm:"not null"`
}

func (v9ApprovalRule) TableName() string { return "approval_rules" }

type v9CustomerTier struct {
	CustomerID int64       `gorm:"primaryKey;autoIncrement:false"`
	Customer   *v1Customer `gorm:"foreignKey:CustomerID"`
	Tier       string      `gorm:"size:32;not null;index:idx_customer_tiers_tier"`
	Pinned     bool        `gorm:"not null"`
	Spend      int64       `gorm:"not null"`
	Orders     int         `gorm:"not null"`
	UpdatedAt  time.Time   `gorm:"not null"`
}

func (v9CustomerTier) TableName() string { return "customer_tiers" }

type v9CustomerTag struct {
	CustomerID int64       `gorm:"primaryKey;autoIncrement:false"`
	Customer   *v1Customer `gorm:"foreignKey:CustomerID"`
	Tag        string      `gorm:"primaryKey;size:128;index:idx_customer_tags_tag"`
}

func (v9CustomerTag) TableName() string { return "customer_tags" }

type v9CustomerNote struct {
	CustomerID int64       `gorm:"primaryKey;autoIncrement:false"`
	Customer   *v1Customer `gorm:"foreignKey:CustomerID"`
	Text       string      `gorm:"column:note_text;not null"`
	UpdatedBy  string      `gorm:"size:255;not null"`
	UpdatedAt  time.Time   `gorm:"not null"`
}

func (v9CustomerNote) TableName() string { return "customer_notes" }

// v9DefaultTiers is the ladder a shop starts with: 普通/Regular, 银卡/Silver
// (¥1,000 or 3 orders), 金卡/Gold (¥5,000 or 10 orders), within 365 days.
func v9DefaultTiers() []v9Tier {
	return []v9Tier{
		{Position: 0, Name: "regular", NameZH: "普通", NameEN: "Regular", WindowDays: 365},
		{Position: 1, Name: "silver", NameZH: "银卡", NameEN: "Silver", MinSpend: 100000, MinOrders: 3, WindowDays: 365},
		{Position: 2, Name: "gold", NameZH: "金卡", NameEN: "Gold", MinSpend: 500000, MinOrders: 10, WindowDays: 365},
	}
}

// migrateV9 checks before each change, so that a run cut short on MySQL,
// whose DDL commits at once, completes when run again.
func migrateV9(ddl *gorm.DB) error {
	for _, m := range []any{&v9Tier{}, &v9ApprovalRule{}, &v9CustomerTier{}, &v9CustomerTag{}, &v9CustomerNote{}} {
		if ddl.Migrator().HasTable(m) {
			continue
		}
		if err := ddl.Migrator().CreateTable(m); err != nil {
			return err
		}
	}
	var n int64
	if err := ddl.Model(&v9Tier{}).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	seed := v9DefaultTiers()
	return ddl.Create(&seed).Error
}
