package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
)

// SeedCustomerCRM gives the customers 1..n of SeedOrders tags and member
// rows in bulk: every 100th customer the tag "vip", every 7th a tag of
// its own; every 50th is pinned to "gold", every 10th holds "regular".
func SeedCustomerCRM(ctx context.Context, s *Store, n int) error {
	db := s.db.WithContext(ctx).Session(&gorm.Session{CreateBatchSize: 1000})
	var tags []customerTagRow
	var tiers []customerTierRow
	for i := 1; i <= n; i++ {
		id := int64(i)
		if i%100 == 0 {
			tags = append(tags, customerTagRow{CustomerID: id, Tag: "vip"})
		}
		if i%7 == 0 {
			tags = append(tags, customerTagRow{CustomerID: id, Tag: fmt.Sprintf("t%d", i)})
		}
		switch {
		case i%50 == 0:
			tiers = append(tiers, customerTierRow{CustomerID: id, Tier: "gold", Pinned: true, UpdatedAt: nowUTC()})
		case i%10 == 0:
			tiers = append(tiers, customerTierRow{CustomerID: id, Tier: "regular", UpdatedAt: nowUTC()})
		}
	}
	for _, rows := range []any{&tags, &tiers} {
		if err := db.Create(rows).Error; err != nil {
			return fmt.Errorf("seed tags and tiers: %w", err)
		}
	}
	if s.dialect == dialectMySQL {
		return db.Exec("ANALYZE TABLE customer_tags, customer_tiers").Error
	}
	return db.Exec("ANALYZE").Error
}

// ExplainCustomerSearch returns the MySQL plan of the id query
// SearchCustomers runs for f, one line per step.
func ExplainCustomerSearch(ctx context.Context, s *Store, f bot.CustomerFilter) ([]string, error) {
	filter, err := s.customerFilter(ctx, f)
	if err != nil {
		return nil, err
	}
	sql := s.db.ToSQL(func(tx *gorm.DB) *gorm.DB {
		var ids []int64
		return idsQuery(tx, &customerRow{}, nil, filter, f.BeforeID, f.Limit).Scan(&ids)
	})
	return explain(ctx, s, sql)
}
