package pay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Shipping is the shop's shipping fee rule: a flat fee per order, waived
// when the items cost at least FreeAbove (0: never waived).
type Shipping struct {
	FlatFee   int64
	FreeAbove int64
	UpdatedBy string
	UpdatedAt time.Time
}

// Fee is the shipping fee of an order whose items cost subtotal.
func (r Shipping) Fee(subtotal int64) int64 {
	if r.FreeAbove > 0 && subtotal >= r.FreeAbove {
		return 0
	}
	return r.FlatFee
}

// Validate refuses negative amounts.
func (r Shipping) Validate() error {
	if r.FlatFee < 0 || r.FreeAbove < 0 {
		return fmt.Errorf("%w: flat_fee and free_above must not be negative (minor units)", bot.ErrInvalid)
	}
	return nil
}

// rule is the saved rule, or the one from the environment.
func (s *Service) rule(ctx context.Context, r Repo) (Shipping, error) {
	rule, err := r.ShippingRule(ctx)
	if errors.Is(err, bot.ErrNotFound) {
		return s.shipping, nil
	}
	if err != nil {
		return Shipping{}, fmt.Errorf("shipping rule: %w", err)
	}
	return rule, nil
}

// ShippingRule returns the rule in force.
func (s *Service) ShippingRule(ctx context.Context) (Shipping, error) {
	var rule Shipping
	err := s.inTx(ctx, func(_ bot.Repo, r Repo) error {
		var err error
		rule, err = s.rule(ctx, r)
		return err
	})
	return rule, err
}

// SaveShippingRule replaces the rule (admin role), audited.
func (s *Service) SaveShippingRule(ctx context.Context, staff bot.Staff, rule Shipping) (Shipping, error) {
	if !staff.Role.AtLeast(bot.Admin) {
		return Shipping{}, fmt.Errorf("%w: changing shipping needs the admin role", bot.ErrForbidden)
	}
	if err := rule.Validate(); err != nil {
		return Shipping{}, err
	}
	rule.UpdatedBy, rule.UpdatedAt = staff.Actor(), s.now()
	err := s.inTx(ctx, func(tx bot.Repo, r Repo) error {
		if err := r.SaveShippingRule(ctx, rule); err != nil {
			return err
		}
		note := fmt.Sprintf("flat_fee=%d free_above=%d", rule.FlatFee, rule.FreeAbove)
		return tx.AddAudit(ctx, bot.AuditEntry{Actor: staff.Actor(), Entity: "shipping", Ref: "rule", Action: "replace", Note: note, At: rule.UpdatedAt})
	})
	if err != nil {
		return Shipping{}, fmt.Errorf("save shipping rule: %w", err)
	}
	return rule, nil
}
