package pay

import (
	"context"
	"errors"
	"fmt"

	"github.com/orderbot/orderbot/bot"
)

func approver(staff bot.Staff, what string) error {
	if !staff.Role.AtLeast(bot.Approver) {
		return fmt.Errorf("%w: %s needs the approver role", bot.ErrForbidden, what)
	}
	return nil
}

// Coupons lists every coupon, newest first.
func (s *Service) Coupons(ctx context.Context) ([]Coupon, error) {
	var cs []Coupon
	err := s.inTx(ctx, func(_ bot.Repo, r Repo) error {
		var err error
		cs, err = r.ListCoupons(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list coupons: %w", err)
	}
	return cs, nil
}

// CreateCoupon adds a coupon (approver role), audited. A code in use is
// bot.ErrDuplicate; a coupon that is not valid, bot.ErrInvalid.
func (s *Service) CreateCoupon(ctx context.Context, staff bot.Staff, c Coupon) (Coupon, error) {
	if err := approver(staff, "creating coupons"); err != nil {
		return Coupon{}, err
	}
	c.Code = NormalizeCode(c.Code)
	if err := c.Validate(); err != nil {
		return Coupon{}, err
	}
	c.ID, c.Uses, c.Disabled, c.CreatedBy, c.CreatedAt = 0, 0, false, staff.Actor(), s.now()
	err := s.inTx(ctx, func(tx bot.Repo, r Repo) error {
		if err := r.CreateCoupon(ctx, &c); err != nil {
			return err
		}
		return tx.AddAudit(ctx, bot.AuditEntry{Actor: staff.Actor(), Entity: "coupon", Ref: c.Code, Action: "create", At: c.CreatedAt})
	})
	if err != nil {
		return Coupon{}, fmt.Errorf("create coupon %s: %w", c.Code, err)
	}
	return c, nil
}

// SetDisabled turns a coupon off or on again (approver role), audited. An
// order already placed with it keeps its discount.
func (s *Service) SetDisabled(ctx context.Context, staff bot.Staff, code string, disabled bool) (Coupon, error) {
	if err := approver(staff, "changing coupons"); err != nil {
		return Coupon{}, err
	}
	code = NormalizeCode(code)
	var c Coupon
	err := s.inTx(ctx, func(tx bot.Repo, r Repo) error {
		if err := r.SetCouponDisabled(ctx, code, disabled); err != nil {
			return err
		}
		var err error
		if c, err = r.CouponByCode(ctx, code); err != nil {
			return err
		}
		action := "enable"
		if disabled {
			action = "disable"
		}
		return tx.AddAudit(ctx, bot.AuditEntry{Actor: staff.Actor(), Entity: "coupon", Ref: code, Action: action, At: s.now()})
	})
	if err != nil && !errors.Is(err, bot.ErrNotFound) {
		err = fmt.Errorf("coupon %s: %w", code, err)
	}
	return c, err
}
