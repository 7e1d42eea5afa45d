package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/tier"
)

var _ tier.Repo = (*repo)(nil)

type tierRow struct {
	ID         int64
	Position   int
	Name       string
	NameZH     string `gorm:"column:name_zh"`
	NameEN     string `gorm:"column:name_en"`
	MinSpend   int64
	MinOrders  int
	WindowDays int
}

func (tierRow) TableName() string { return "tiers" }

type approvalRuleRow struct {
	ID        int64
	Position  int
	Name      string
	Kind      string
	MinTier   string
	MaxAmount int64
}

func (approvalRuleRow) TableName() string { return "approval_rules" }

type customerTierRow struct {
	CustomerID int64 `gorm:"primaryKey;autoIncrement:false"`
	Tier       string
	Pinned     bool
	Spend      int64
	Orders     int
	UpdatedAt  time.Time
}

func (customerTierRow) TableName() string { return "customer_tiers" }

// TierList returns the tiers, lowest first.
func (r *repo) TierList(ctx context.Context) ([]tier.Tier, error) {
	var rows []tierRow
	if err := r.db.WithContext(ctx).Order("position").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("tiers: %w", dbErr(err))
	}
	ts := make([]tier.Tier, len(rows))
	for i, row := range rows {
		ts[i] = tierFromRow(row)
	}
	return ts, nil
}

func tierFromRow(row tierRow) tier.Tier {
	return tier.Tier{
		Name: row.Name, NameZH: row.NameZH, NameEN: row.NameEN,
		MinSpend: row.MinSpend, MinOrders: row.MinOrders, WindowDays: row.WindowDays,
	}
}

// ReplaceTierList stores ts in place of every tier, in their order.
func (r *repo) ReplaceTierList(ctx context.Context, ts []tier.Tier) error {
	rows := make([]tierRow, len(ts))
	for i, t := range ts {
		rows[i] = tierRow{
			Position: i, Name: t.Name, NameZH: t.NameZH, NameEN: t.NameEN,
			MinSpend: t.MinSpend, MinOrders: t.MinOrders, WindowDays: t.WindowDays,
		}
	}
	return replaceAll(r.db.WithContext(ctx), &tierRow{}, rows, "tiers")
}

// ApprovalRules returns the approval rules in the order they were set.
func (r *repo) ApprovalRules(ctx context.Context) ([]tier.Rule, error) {
	var rows []approvalRuleRow
	if err := r.db.WithContext(ctx).Order("position").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("approval rules: %w", dbErr(err))
	}
	rs := make([]tier.Rule, len(rows))
	for i, row := range rows {
		rs[i] = tier.Rule{Name: row.Name, Kind: row.Kind, MinTier: row.MinTier, MaxAmount: row.MaxAmount}
	}
	return rs, nil
}

// ReplaceApprovalRules stores rs in place of every rule.
func (r *repo) ReplaceApprovalRules(ctx context.Context, rs []tier.Rule) error {
	rows := make([]approvalRuleRow, len(rs))
	for i, rule := range rs {
		rows[i] = approvalRuleRow{Position: i, Name: rule.Name, Kind: rule.Kind, MinTier: rule.MinTier, MaxAmount: rule.MaxAmount}
	}
	return replaceAll(r.db.WithContext(ctx), &approvalRuleRow{}, rows, "approval rules")
}

// replaceAll deletes every row of model's table and inserts rows; callers
// run it in a transaction, so readers see the old list or the new one.
func replaceAll[T any](db *gorm.DB, model *T, rows []T, what string) error {
	if err := db.Where("1 = 1").Delete(model).Error; err != nil {
		return fmt.Errorf("replace %s: %w", what, dbErr(err))
	}
	if len(rows) == 0 {
		return nil
	}
	if err := db.Create(&rows).Error; err != nil {
		return fmt.Errorf("replace %s: %w", what, dbErr(err))
	}
	return nil
}

// CustomerTier returns the customer's member row (bot.ErrNotFound when none).
func (r *repo) CustomerTier(ctx context.Context, customerID int64) (tier.Member, error) {
	var row customerTierRow
	if err := r.db.WithContext(ctx).Take(&row, customerID).Error; err != nil {
		return tier.Member{}, fmt.Errorf("tier of customer %d: %w", customerID, dbErr(err))
	}
	return memberFromRow(row), nil
}

// TierStanding returns in one statement the tier the customer holds, the
// one of their member row when it still exists and the first tier
// otherwise, and whether it is pinned; bot.ErrNotFound when there are no tiers.
func (r *repo) TierStanding(ctx context.Context, customerID int64) (tier.Tier, bool, error) {
	var rows []struct {
		Name       string
		NameZH     string `gorm:"column:name_zh"`
		NameEN     string `gorm:"column:name_en"`
		MinSpend   int64
		MinOrders  int
		WindowDays int
		Pinned     *bool
	}
	err := r.db.WithContext(ctx).Raw(`SELECT t.name, t.name_zh, t.name_en, t.min_spend, t.min_orders,
			t.window_days, ct.pinned
		FROM tiers t LEFT JOIN customer_tiers ct ON ct.customer_id = ? AND ct.tier = t.name
		ORDER BY CASE WHEN ct.customer_id IS NULL THEN 1 ELSE 0 END, t.position LIMIT 1`, customerID).
		Scan(&rows).Error
	if err != nil {
		return tier.Tier{}, false, fmt.Errorf("tier of customer %d: %w", customerID, dbErr(err))
	}
	if len(rows) == 0 {
		return tier.Tier{}, false, fmt.Errorf("tier of customer %d: %w", customerID, bot.ErrNotFound)
	}
	row := rows[0]
	t := tier.Tier{
		Name: row.Name, NameZH: row.NameZH, NameEN: row.NameEN,
		MinSpend: row.MinSpend, MinOrders: row.MinOrders, WindowDays: row.WindowDays,
	}
	return t, row.Pinned != nil && *row.Pinned, nil
}

// CustomerTiers returns the member rows of those of the customers that have one.
func (r *repo) CustomerTiers(ctx context.Context, customerIDs []int64) (map[int64]tier.Member, error) {
	members := make(map[int64]tier.Member, len(customerIDs))
	if len(customerIDs) == 0 {
		return members, nil
	}
	var rows []customerTierRow
	if err := r.db.WithContext(ctx).Where("customer_id IN ?", customerIDs).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("tiers of %d customers: %w", len(customerIDs), dbErr(err))
	}
	for _, row := range rows {
		members[row.CustomerID] = memberFromRow(row)
	}
	return members, nil
}

func memberFromRow(row customerTierRow) tier.Member {
	return tier.Member{
		CustomerID: row.CustomerID, Tier: row.Tier, Pinned: row.Pinned,
		Spend: row.Spend, Orders: row.Orders, UpdatedAt: row.UpdatedAt.UTC(),
	}
}

// SaveCustomerTier inserts or replaces the customer's member row.
func (r *repo) SaveCustomerTier(ctx context.Context, m tier.Member) error {
	row := customerTierRow{
		CustomerID: m.CustomerID, Tier: m.Tier, Pinned: m.Pinned,
		Spend: m.Spend, Orders: m.Orders, UpdatedAt: orNow(m.UpdatedAt),
	}
	err := r.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "customer_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"tier", "pinned", "spend", "orders", "updated_at"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("save tier of customer %d: %w", m.CustomerID, dbErr(err))
	}
	return nil
}

// PinnedOutside counts the customers pinned to a tier not among names,
// and names one such tier.
func (r *repo) PinnedOutside(ctx context.Context, names []string) (string, int, error) {
	var rows []struct {
		Tier string
		N    int
	}
	q := r.db.WithContext(ctx).Model(&customerTierRow{}).Select("tier, COUNT(*) AS n").Where("pinned")
	if len(names) > 0 {
		q = q.Where("tier NOT IN ?", names)
	}
	if err := q.Group("tier").Order("tier").Scan(&rows).Error; err != nil {
		return "", 0, fmt.Errorf("pinned tiers: %w", dbErr(err))
	}
	if len(rows) == 0 {
		return "", 0, nil
	}
	total := 0
	for _, row := range rows {
		total += row.N
	}
	return rows[0].Tier, total, nil
}

// TierActivity counts the customer's orders completed at or after since
// and sums their totals, leaving out orders whose refund or return was
// carried out (an after-sales request of that type resolved).
func (r *repo) TierActivity(ctx context.Context, customerID int64, since time.Time) (tier.Activity, error) {
	var a struct {
		Orders int
		Spend  int64
	}
	err := r.db.WithContext(ctx).Raw(`SELECT COUNT(*) AS orders, COALESCE(SUM(o.total), 0) AS spend
		FROM orders o
		WHERE o.customer_id = ? AND o.status = ?
		AND EXISTS (SELECT 1 FROM order_history h
			WHERE h.order_id = o.id AND h.to_status = ? AND h.changed_at >= ?)
		AND NOT EXISTS (SELECT 1 FROM after_sales a
			WHERE a.order_id = o.id AND a.request_type IN ? AND a.status = ?)`,
		customerID, string(bot.Completed), string(bot.Completed), dbTime(since),
		[]string{string(bot.Refund), string(bot.Return)}, string(bot.Resolved)).Scan(&a).Error
	if err != nil {
		return tier.Activity{}, fmt.Errorf("activity of customer %d: %w", customerID, dbErr(err))
	}
	return tier.Activity{Orders: a.Orders, Spend: a.Spend}, nil
}

// TierSweepPage returns ids above afterID of customers holding a member
// row or a completed order, ascending. Each side is limited on its own, so
// that a page reads about limit rows of each index, not the whole table.
func (r *repo) TierSweepPage(ctx context.Context, afterID int64, limit int) ([]int64, error) {
	var ids []int64
	err := r.db.WithContext(ctx).Raw(`SELECT id FROM (
			SELECT id FROM (SELECT customer_id AS id FROM customer_tiers
				WHERE customer_id > ? ORDER BY customer_id LIMIT ?) held
			UNION SELECT id FROM (SELECT DISTINCT customer_id AS id FROM orders
				WHERE customer_id > ? AND status = ? ORDER BY customer_id LIMIT ?) ordered
		) sweep ORDER BY id LIMIT ?`,
		afterID, limit, afterID, string(bot.Completed), limit, limit).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("tier sweep page: %w", dbErr(err))
	}
	return ids, nil
}
