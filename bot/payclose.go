package bot

import (
	"context"
	"time"

	"github.com/orderbot/orderbot/bot/logctx"
)

// payCloseTimeout bounds the provider calls made after a cancel, which
// the customer's or the staff member's answer waits for.
const payCloseTimeout = 10 * time.Second

// payClose is an order cancelled unpaid whose online payment provider must
// stop taking its money.
type payClose struct {
	method PayMethod
	number string
}

// closeOnCancel is the provider close an order cancelled or rejected now
// needs once that is committed; nil when it was paid, or is paid offline,
// or the provider cannot be asked.
func (s *Service) closeOnCancel(o *Order) *payClose {
	if _, ok := s.cfg.Pay.Links.(PaySettler); !ok {
		return nil
	}
	if o.PaymentStatus != Unpaid || o.PayMethod == "" || o.PayMethod == PayCOD || o.PayMethod == PayTransfer {
		return nil
	}
	return &payClose{method: o.PayMethod, number: o.Number}
}

// closeAtProvider makes sure orders cancelled unpaid (by the customer or
// staff; the payment sweep settles before it cancels) can no longer be
// paid at their provider (PaySettler). It runs after the cancel's commit:
// a provider call inside the transaction would hold locks on a network
// call, and a rollback after it would close the payment of an order that
// stays open. A payment the provider took meanwhile is recorded and raised
// to staff for a refund; a failure is logged, and a payment made after it
// still arrives as a late payment and is raised to staff the same way.
func (s *Service) closeAtProvider(ctx context.Context, cs []payClose) {
	if len(cs) == 0 {
		return
	}
	st := s.cfg.Pay.Links.(PaySettler)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), payCloseTimeout)
	defer cancel()
	for _, c := range cs {
		if err := st.Settle(ctx, c.method, c.number); err != nil {
			s.log.WarnContext(logctx.WithOrder(ctx, c.number), "cancelled order not closed at its payment provider", "method", c.method, "err", err)
		}
	}
}
