// Package pay is the money side of orders beside the core: the shipping
// fee, coupons, and the record of payments providers report. The core
// calls it through bot.Pricing inside the transaction that places an
// order; payment providers (adapters) call RecordPayment.
package pay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
)

// Repo is the storage pay needs. The store's transaction Repo implements
// it beside bot.Repo, so that a coupon's use is counted in the transaction
// of the order that uses it.
type Repo interface {
	// CouponByCode returns the coupon (bot.ErrNotFound when there is none).
	CouponByCode(ctx context.Context, code string) (Coupon, error)
	// CreateCoupon stores c and sets its ID; bot.ErrDuplicate when the code exists.
	CreateCoupon(ctx context.Context, c *Coupon) error
	// ListCoupons returns every coupon, newest first.
	ListCoupons(ctx context.Context) ([]Coupon, error)
	SetCouponDisabled(ctx context.Context, code string, disabled bool) error
	// TakeCouponUse adds one use to the coupon unless max (0: no limit)
	// are taken, in one statement; false when they are.
	TakeCouponUse(ctx context.Context, id int64, max int) (bool, error)
	// GiveBackCouponUse takes one use off the coupon (never below none).
	GiveBackCouponUse(ctx context.Context, code string) error
	// CouponUsesBy counts the customer's orders that used the code,
	// leaving out those cancelled or rejected before they were paid.
	CouponUsesBy(ctx context.Context, customerID int64, code string) (int, error)
	// ShippingRule returns the shop's rule; bot.ErrNotFound when none was saved.
	ShippingRule(ctx context.Context) (Shipping, error)
	SaveShippingRule(ctx context.Context, s Shipping) error
	// AddPayment stores a payment or refund a provider reported;
	// bot.ErrDuplicate when (Provider, TxnID) is stored already.
	AddPayment(ctx context.Context, p Payment) error
	// OrderIDByNumber returns the id of the order numbered number, in
	// one read of the orders table alone; bot.ErrNotFound when there is
	// none.
	OrderIDByNumber(ctx context.Context, number string) (int64, error)
}

// Store is what the Service needs around its Repo.
type Store interface {
	InTx(ctx context.Context, fn func(tx bot.Repo) error) error
}

// Service prices orders (bot.Pricing) and keeps coupons, the shipping
// rule and payments.
type Service struct {
	store    Store
	log      *slog.Logger
	clock    func() time.Time
	shipping Shipping // used until staff save a rule
}

var _ bot.Pricing = (*Service)(nil)

// New returns the pay service. clock is time.Now when nil; shipping is the
// rule in force until one is saved (from the environment).
func New(store Store, log *slog.Logger, clock func() time.Time, shipping Shipping) *Service {
	if clock == nil {
		clock = time.Now
	}
	return &Service{store: store, log: log, clock: clock, shipping: shipping}
}

func (s *Service) now() time.Time { return s.clock().UTC() }

func repoOf(tx bot.Repo) (Repo, error) {
	r, ok := tx.(Repo)
	if !ok {
		return nil, fmt.Errorf("pay: storage %T keeps no payments", tx)
	}
	return r, nil
}

func (s *Service) inTx(ctx context.Context, fn func(tx bot.Repo, r Repo) error) error {
	return s.store.InTx(ctx, func(tx bot.Repo) error {
		r, err := repoOf(tx)
		if err != nil {
			return err
		}
		return fn(tx, r)
	})
}

// Quote prices an order: the shipping rule's fee and the coupon's discount.
func (s *Service) Quote(ctx context.Context, tx bot.Repo, c bot.Customer, subtotal int64, code string, now time.Time) (bot.Quote, error) {
	r, err := repoOf(tx)
	if err != nil {
		return bot.Quote{}, err
	}
	rule, err := s.rule(ctx, r)
	if err != nil {
		return bot.Quote{}, err
	}
	q := bot.Quote{Subtotal: subtotal}
	if code = NormalizeCode(code); code != "" {
		cp, err := r.CouponByCode(ctx, code)
		if errors.Is(err, bot.ErrNotFound) {
			return bot.Quote{}, &bot.CouponError{Code: code, Problem: conversation.CouponUnknown}
		}
		if err != nil {
			return bot.Quote{}, fmt.Errorf("coupon %s: %w", code, err)
		}
		used, err := r.CouponUsesBy(ctx, c.ID, code)
		if err != nil {
			return bot.Quote{}, fmt.Errorf("uses of coupon %s: %w", code, err)
		}
		if ce := cp.check(subtotal, c.Tier.Tier, used, now); ce != nil {
			return bot.Quote{}, ce
		}
		q.Coupon, q.Discount = cp.Code, cp.Discount(subtotal)
	}
	// Free shipping goes by what the items cost before the discount: the
	// customer sees it on the cart before they enter a coupon.
	q.Shipping = rule.Fee(subtotal)
	return q, nil
}

// Redeem takes one use of the quote's coupon in the order's transaction.
// The limit is checked by the UPDATE itself, so concurrent orders cannot
// take more uses than the coupon has.
func (s *Service) Redeem(ctx context.Context, tx bot.Repo, q bot.Quote, now time.Time) error {
	if q.Coupon == "" {
		return nil
	}
	r, err := repoOf(tx)
	if err != nil {
		return err
	}
	cp, err := r.CouponByCode(ctx, q.Coupon)
	if err != nil {
		return fmt.Errorf("coupon %s: %w", q.Coupon, err)
	}
	ok, err := r.TakeCouponUse(ctx, cp.ID, cp.MaxUses)
	if err != nil {
		return fmt.Errorf("use coupon %s: %w", q.Coupon, err)
	}
	if !ok {
		return &bot.CouponError{Code: q.Coupon, Problem: conversation.CouponUsedUp}
	}
	return nil
}

// GiveBack returns the coupon use of an order cancelled before it was
// paid, in the cancel's transaction (bot.Pricing). A coupon deleted
// meanwhile has nothing to give back to.
func (s *Service) GiveBack(ctx context.Context, tx bot.Repo, coupon string) error {
	r, err := repoOf(tx)
	if err != nil {
		return err
	}
	err = r.GiveBackCouponUse(ctx, coupon)
	if errors.Is(err, bot.ErrNotFound) {
		return nil
	}
	return err
}
