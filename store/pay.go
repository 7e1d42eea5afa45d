package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pay"
)

var (
	_ pay.Repo         = (*repo)(nil)
	_ bot.UnpaidOrders = (*Store)(nil)
)

type couponRow struct {
	ID                 int64
	Code               string
	PercentOff         int
	AmountOff          int64
	MinSpend           int64
	Tier               string
	StartsAt           *time.Time
	EndsAt             *time.Time
	MaxUses            int
	MaxUsesPerCustomer int
	Uses               int
	Disabled           bool
	CreatedBy          string
	CreatedAt          time.Time
}

func (couponRow) TableName() string { return "coupons" }

type paymentRow struct {
	ID        int64
	OrderID   int64
	Kind      string
	Provider  string
	TxnID     string
	Amount    int64
	CreatedAt time.Time
}

func (paymentRow) TableName() string { return "payments" }

type shippingRuleRow struct {
	ID        int64
	FlatFee   int64
	FreeAbove int64
	UpdatedBy string
	UpdatedAt time.Time
}

func (shippingRuleRow) TableName() string { return "shipping_rules" }

func couponFromRow(r couponRow) pay.Coupon {
	c := pay.Coupon{
		ID: r.ID, Code: r.Code, PercentOff: r.PercentOff, AmountOff: r.AmountOff, MinSpend: r.MinSpend,
		Tier: r.Tier, MaxUses: r.MaxUses, MaxUsesPerCustomer: r.MaxUsesPerCustomer, Uses: r.Uses,
		Disabled: r.Disabled, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
	}
	if r.StartsAt != nil {
		c.StartsAt = r.StartsAt.UTC()
	}
	if r.EndsAt != nil {
		c.EndsAt = r.EndsAt.UTC()
	}
	return c
}

// CouponByCode returns the coupon of the code.
func (r *repo) CouponByCode(ctx context.Context, code string) (pay.Coupon, error) {
	var row couponRow
	err := r.db.WithContext(ctx).Where("code = ?", code).Take(&row).Error
	if err != nil {
		return pay.Coupon{}, fmt.Errorf("coupon %s: %w", code, dbErr(err))
	}
	return couponFromRow(row), nil
}

// CreateCoupon stores a new coupon.
func (r *repo) CreateCoupon(ctx context.Context, c *pay.Coupon) error {
	row := couponRow{
		Code: c.Code, PercentOff: c.PercentOff, AmountOff: c.AmountOff, MinSpend: c.MinSpend, Tier: c.Tier,
		StartsAt: nullTime(c.StartsAt), EndsAt: nullTime(c.EndsAt), MaxUses: c.MaxUses,
		MaxUsesPerCustomer: c.MaxUsesPerCustomer, CreatedBy: c.CreatedBy, CreatedAt: orNow(c.CreatedAt),
	}
	if err := r.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("create coupon %s: %w", c.Code, dbErr(err))
	}
	*c = couponFromRow(row)
	return nil
}

// ListCoupons returns every coupon, newest first.
func (r *repo) ListCoupons(ctx context.Context) ([]pay.Coupon, error) {
	var rows []couponRow
	if err := r.db.WithContext(ctx).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("coupons: %w", dbErr(err))
	}
	cs := make([]pay.Coupon, len(rows))
	for i, row := range rows {
		cs[i] = couponFromRow(row)
	}
	return cs, nil
}

// SetCouponDisabled turns a coupon off or on.
func (r *repo) SetCouponDisabled(ctx context.Context, code string, disabled bool) error {
	res := r.db.WithContext(ctx).Model(&couponRow{}).Where("code = ?", code).Update("disabled", disabled)
	if res.Error != nil {
		return fmt.Errorf("coupon %s: %w", code, dbErr(res.Error))
	}
	if res.RowsAffected == 0 {
		var n int64
		if err := r.db.WithContext(ctx).Model(&couponRow{}).Where("code = ?", code).Count(&n).Error; err != nil {
			return fmt.Errorf("coupon %s: %w", code, dbErr(err))
		}
		if n == 0 {
			return fmt.Errorf("coupon %s: %w", code, bot.ErrNotFound)
		}
	}
	return nil
}

// TakeCouponUse counts one use unless the limit is reached: the WHERE of
// the UPDATE is the check, so concurrent transactions queue on the row and
// the ones beyond the limit find it full.
func (r *repo) TakeCouponUse(ctx context.Context, id int64, max int) (bool, error) {
	q := r.db.WithContext(ctx).Model(&couponRow{}).Where("id = ?", id)
	if max > 0 {
		q = q.Where("uses < ?", max)
	}
	res := q.UpdateColumn("uses", gorm.Expr("uses + 1"))
	if res.Error != nil {
		return false, fmt.Errorf("use coupon %d: %w", id, dbErr(res.Error))
	}
	return res.RowsAffected == 1, nil
}

// GiveBackCouponUse takes one use off the coupon, never below none.
func (r *repo) GiveBackCouponUse(ctx context.Context, code string) error {
	res := r.db.WithContext(ctx).Model(&couponRow{}).Where("code = ? AND uses > 0", code).UpdateColumn("uses", gorm.Expr("uses - 1"))
	if res.Error != nil {
		return fmt.Errorf("give back a use of coupon %s: %w", code, dbErr(res.Error))
	}
	return nil
}

// CouponUsesBy counts the customer's orders placed with the code, except
// those cancelled or rejected unpaid: their use was given back.
func (r *repo) CouponUsesBy(ctx context.Context, customerID int64, code string) (int, error) {
	var n int64
	err := r.db.WithContext(ctx).Model(&orderRow{}).
		Where("customer_id = ? AND coupon = ?", customerID, code).
		Where("NOT (status IN ? AND payment_status = ?)", []string{string(bot.Cancelled), string(bot.Rejected)}, string(bot.Unpaid)).
		Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("uses of coupon %s: %w", code, dbErr(err))
	}
	return int(n), nil
}

// ShippingRule returns the saved rule.
func (r *repo) ShippingRule(ctx context.Context) (pay.Shipping, error) {
	var row shippingRuleRow
	if err := r.db.WithContext(ctx).Where("id = 1").Take(&row).Error; err != nil {
		return pay.Shipping{}, fmt.Errorf("shipping rule: %w", dbErr(err))
	}
	return pay.Shipping{FlatFee: row.FlatFee, FreeAbove: row.FreeAbove, UpdatedBy: row.UpdatedBy, UpdatedAt: row.UpdatedAt.UTC()}, nil
}

// SaveShippingRule stores the one rule.
func (r *repo) SaveShippingRule(ctx context.Context, s pay.Shipping) error {
	row := shippingRuleRow{ID: 1, FlatFee: s.FlatFee, FreeAbove: s.FreeAbove, UpdatedBy: s.UpdatedBy, UpdatedAt: orNow(s.UpdatedAt)}
	err := r.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"flat_fee", "free_above", "updated_by", "updated_at"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("save shipping rule: %w", dbErr(err))
	}
	return nil
}

// AddPayment stores a provider's payment or refund.
func (r *repo) AddPayment(ctx context.Context, p pay.Payment) error {
	row := paymentRow{OrderID: p.OrderID, Kind: p.Kind, Provider: p.Provider, TxnID: p.TxnID, Amount: p.Amount, CreatedAt: orNow(p.At)}
	if err := r.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("payment %s %s: %w", p.Provider, p.TxnID, dbErr(err))
	}
	return nil
}

// OrderIDByNumber returns the id of the order numbered number.
func (r *repo) OrderIDByNumber(ctx context.Context, number string) (int64, error) {
	var ids []int64
	err := r.db.WithContext(ctx).Model(&orderRow{}).Where("number = ?", number).Limit(1).Pluck("id", &ids).Error
	if err != nil {
		return 0, fmt.Errorf("order %s: %w", number, dbErr(err))
	}
	if len(ids) == 0 {
		return 0, fmt.Errorf("order %s: %w", number, bot.ErrNotFound)
	}
	return ids[0], nil
}

// OrdersAwaitingPayment returns open unpaid orders due a reminder (their
// deadline at or before remindBy, not yet reminded) or a cancel (their
// deadline at or before now), oldest deadline first.
func (r *repo) OrdersAwaitingPayment(ctx context.Context, remindBy, now time.Time, limit int) ([]*bot.Order, error) {
	q := r.db.WithContext(ctx).
		Where("payment_status = ? AND pay_due <= ? AND status IN ?", string(bot.Unpaid), dbTime(remindBy),
			[]string{string(bot.Pending), string(bot.Confirmed)}).
		Where("pay_reminded = ? OR pay_due <= ?", false, dbTime(now)).
		Order("pay_due").Order("id").Limit(limit)
	os, err := r.findOrders(q)
	if err != nil {
		return nil, fmt.Errorf("orders awaiting payment: %w", err)
	}
	return os, nil
}
