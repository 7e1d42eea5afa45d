package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/conversation"
)

// Pricing prices orders: the shipping fee and coupons. It lives outside
// the core (bot/pay) with its own storage; every method gets the Repo of
// the transaction it takes part in. A Service without one charges no
// shipping and knows no coupons.
type Pricing interface {
	// Quote prices an order of subtotal for the customer with the coupon
	// code ("" for none). A coupon that does not apply is a *CouponError
	// and changes nothing.
	Quote(ctx context.Context, tx Repo, c Customer, subtotal int64, code string, now time.Time) (Quote, error)
	// Redeem takes one use of the quote's coupon in the transaction that
	// places the order, so that no more orders use it than it allows
	// (*CouponError when its uses ran out since the quote).
	Redeem(ctx context.Context, tx Repo, q Quote, now time.Time) error
	// GiveBack returns the use of coupon that an order took, in the
	// transaction that cancels the order before it was paid, so that the
	// use counts neither against the coupon's limit nor the customer's.
	GiveBack(ctx context.Context, tx Repo, coupon string) error
}

// Quote is what an order costs before it is placed.
type Quote struct {
	Subtotal int64
	Discount int64
	Shipping int64
	Coupon   string // the coupon's code as stored; "" when none applies
}

// Total is the amount to pay.
func (q Quote) Total() int64 { return q.Subtotal - q.Discount + q.Shipping }

// CouponError says why a coupon does not apply.
type CouponError struct {
	Code     string
	Problem  conversation.Problem // one of the conversation's Coupon* problems
	MinSpend int64                // for CouponMinSpend
}

func (e *CouponError) Error() string { return fmt.Sprintf("coupon %s: %s", e.Code, e.Problem) }

// noPricing is the Pricing of a shop without shipping fees or coupons.
type noPricing struct{}

func (noPricing) Quote(_ context.Context, _ Repo, _ Customer, subtotal int64, code string, _ time.Time) (Quote, error) {
	if code != "" {
		return Quote{}, &CouponError{Code: code, Problem: conversation.CouponUnknown}
	}
	return Quote{Subtotal: subtotal}, nil
}

func (noPricing) Redeem(context.Context, Repo, Quote, time.Time) error { return nil }

func (noPricing) GiveBack(context.Context, Repo, string) error { return nil }

// couponOutcome turns a refused coupon into what the conversation explains.
func couponOutcome(err error) (conversation.Outcome, bool) {
	var ce *CouponError
	if !errors.As(err, &ce) {
		return conversation.Outcome{}, false
	}
	return conversation.Outcome{Problem: ce.Problem, MinSpend: ce.MinSpend}, true
}

func quoteView(q Quote) *conversation.Quote {
	return &conversation.Quote{Subtotal: q.Subtotal, Discount: q.Discount, Shipping: q.Shipping, Total: q.Total(), Coupon: q.Coupon}
}

// cartSubtotal is what the lines cost at the catalog's prices; lines of
// products not sold leave it out, as the cart shows them. It looks each
// line up in the catalog's index: a cart costs the same to price in a
// catalog of 10,000 products as in one of 12.
func cartSubtotal(lines []conversation.CartLine, catalog *conversation.CatalogIndex) int64 {
	var total int64
	for _, l := range lines {
		if p, ok := catalog.Product(l.SKU); ok {
			total += p.Price * int64(l.Qty)
		}
	}
	return total
}

// cartQuote prices the cart of the conversation's state for the step to
// show: with its coupon when that applies, without when not.
func (s *Service) cartQuote(ctx context.Context, e *lazyEnv, st conversation.State, now time.Time) (*conversation.Quote, error) {
	if !st.NearSummary() {
		return nil, nil
	}
	if err := s.load(ctx, e, conversation.NeedCatalog); err != nil {
		return nil, err
	}
	if st.Coupon != "" { // a coupon may be for a tier
		if err := s.knowStanding(ctx, e.tx, e.c); err != nil {
			return nil, err
		}
	}
	subtotal := cartSubtotal(st.Cart, e.env.Index)
	q, err := s.cfg.Pricing.Quote(ctx, e.tx, *e.c, subtotal, st.Coupon, now)
	if _, refused := couponOutcome(err); refused {
		q, err = s.cfg.Pricing.Quote(ctx, e.tx, *e.c, subtotal, "", now)
	}
	if err != nil {
		return nil, fmt.Errorf("price the cart: %w", err)
	}
	return quoteView(q), nil
}

// applyCoupon checks a coupon the customer typed against their cart.
func (s *Service) applyCoupon(ctx context.Context, c Customer, it conversation.ApplyCoupon, e *lazyEnv, now time.Time) (conversation.Outcome, error) {
	if err := s.load(ctx, e, conversation.NeedCatalog); err != nil {
		return conversation.Outcome{}, err
	}
	q, err := s.cfg.Pricing.Quote(ctx, e.tx, c, cartSubtotal(it.Lines, e.env.Index), it.Code, now)
	if out, refused := couponOutcome(err); refused {
		return out, nil
	}
	if err != nil {
		return conversation.Outcome{}, fmt.Errorf("apply coupon: %w", err)
	}
	return conversation.Outcome{Quote: quoteView(q)}, nil
}

// priceOrder prices a new order and takes its coupon's use, in the
// transaction that places it.
func (s *Service) priceOrder(ctx context.Context, tx Repo, c Customer, o *Order, code string, now time.Time) error {
	q, err := s.cfg.Pricing.Quote(ctx, tx, c, o.Subtotal, code, now)
	if err != nil {
		return err
	}
	if err := s.cfg.Pricing.Redeem(ctx, tx, q, now); err != nil {
		return err
	}
	return o.SetPrice(q.Discount, q.Shipping, q.Coupon)
}
