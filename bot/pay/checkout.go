package pay

import (
	"context"
	"errors"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Refusals of Checkout.Check: the provider must not charge the customer.
var (
	ErrNotPayable  = errors.New("order is not awaiting payment")
	ErrWrongAmount = errors.New("amount is not the order's amount to pay")
)

// LateOrders keeps a payment its order cannot take (cancelled or rejected
// meanwhile, or paid already), so staff refund it (bot.Service).
type LateOrders interface {
	ApplyLatePayment(ctx context.Context, tx bot.Repo, number, actor string, amount int64, ref string) (int64, error)
}

// CheckoutOrders is what Checkout needs from the core.
type CheckoutOrders interface {
	Orders
	LateOrders
}

// Checkout serves a provider that asks before it charges (Telegram's
// pre-checkout query) and then reports the charge.
type Checkout struct {
	Store  Store
	Orders CheckoutOrders
	Now    func() time.Time
}

// Check reports whether the order may be charged amount now: nil, or
// bot.ErrNotFound, ErrNotPayable, ErrWrongAmount. It changes nothing.
func (c Checkout) Check(ctx context.Context, number string, amount int64) error {
	return c.Store.InTx(ctx, func(tx bot.Repo) error {
		o, err := tx.OrderByNumber(ctx, number)
		if err != nil {
			return err
		}
		// An order past its deadline that the sweep has not reached yet
		// is as good as cancelled.
		if !o.AwaitsPayment() || (!o.PayDue.IsZero() && !c.now().Before(o.PayDue)) {
			return ErrNotPayable
		}
		if amount != o.Total {
			return ErrWrongAmount
		}
		return nil
	})
}

func (c Checkout) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// Record records a charge the provider made (RecordPayment). It is every
// provider's one policy for money its order cannot take: a charge for an
// order cancelled or rejected meanwhile, or paid already another way, is
// never lost: it is recorded all the same, once per transaction, and
// raised to staff for a refund (LateOrders).
func (c Checkout) Record(ctx context.Context, number string, p Payment) error {
	err := RecordPayment(ctx, c.Store, c.Orders, number, p)
	var se *bot.StateError
	var de *bot.DecidedError
	if !errors.As(err, &se) && !errors.As(err, &de) {
		return err
	}
	p.Kind = KindPayment
	if p.At.IsZero() {
		p.At = c.now().UTC()
	}
	return record(ctx, c.Store, number, p, "late payment", "transaction id", func(tx bot.Repo) error {
		_, err := c.Orders.ApplyLatePayment(ctx, tx, number, p.Provider, p.Amount, p.ref())
		return err
	})
}
