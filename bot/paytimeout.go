package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/bot/logctx"
	"github.com/orderbot/orderbot/conversation"
)

// UnpaidOrders is the storage of the payment sweep.
type UnpaidOrders interface {
	// OrdersAwaitingPayment returns open unpaid orders with a payment
	// deadline at or before remindBy that are still to be reminded, or
	// whose deadline is at or before now; oldest deadline first.
	OrdersAwaitingPayment(ctx context.Context, remindBy, now time.Time, limit int) ([]*Order, error)
}

const (
	paySweepEvery = time.Minute
	paySweepPage  = 100
	paySweepClaim = "payments:sweep"
)

// paySweepActor names the sweep in history and the audit trail.
const paySweepActor = "system (payment timeout)"

// SweepPayments reminds customers of orders unpaid halfway to their
// deadline, once, and cancels those unpaid at it, giving the stock back.
// One replica sweeps at a time (a claim in the shared cache), and each
// order changes in its own transaction under its version, so a reminder
// or a cancel happens exactly once even if two sweeps meet. It returns how
// many orders it changed.
func (s *Service) SweepPayments(ctx context.Context) (int, error) {
	if s.cfg.Pay.Timeout <= 0 {
		return 0, nil
	}
	src, ok := s.store.(UnpaidOrders)
	if !ok {
		return 0, fmt.Errorf("payment sweep: storage %T cannot list unpaid orders", s.store)
	}
	now := s.now()
	me := make([]byte, 16)
	if _, err := rand.Read(me); err != nil {
		return 0, fmt.Errorf("payment sweep claim: %w", err)
	}
	claim := hex.EncodeToString(me)
	got, err := s.store.CacheAdd(ctx, paySweepClaim, claim, now.Add(paySweepEvery-time.Second), now)
	if err != nil || got != claim {
		return 0, err
	}
	os, err := src.OrdersAwaitingPayment(ctx, now.Add(s.cfg.Pay.Timeout/2), now, paySweepPage)
	if err != nil {
		return 0, fmt.Errorf("payment sweep: %w", err)
	}
	changed := 0
	for _, o := range os {
		if err := s.settle(ctx, o, now); err != nil {
			s.log.WarnContext(logctx.WithOrder(ctx, o.Number), "payment sweep: provider not settled, retrying later", "err", err)
			continue
		}
		err := s.store.InTx(ctx, func(tx Repo) error { return s.payTimeout(ctx, tx, o.ID, now) })
		if errors.Is(err, ErrConflict) || errors.Is(err, errNothingDue) {
			continue // someone changed the order first: paid, cancelled, swept
		}
		if err != nil {
			return changed, fmt.Errorf("payment sweep of order %s: %w", o.Number, err)
		}
		changed++
	}
	if changed > 0 {
		s.kick()
	}
	return changed, nil
}

var errNothingDue = errors.New("nothing due")

// settle asks the order's online provider, before the order is cancelled
// unpaid, to stop taking its money and to report a payment it took: a
// notification may have been lost, and money taken must not be cancelled.
func (s *Service) settle(ctx context.Context, o *Order, now time.Time) error {
	st, ok := s.cfg.Pay.Links.(PaySettler)
	if !ok || now.Before(o.PayDue) {
		return nil
	}
	return st.Settle(ctx, o.PayMethod, o.Number)
}

// payTimeout reminds or cancels one order, on its state in tx.
func (s *Service) payTimeout(ctx context.Context, tx Repo, id int64, now time.Time) error {
	o, err := tx.Order(ctx, id)
	if err != nil {
		return err
	}
	ctx = logctx.WithOrder(ctx, o.Number)
	if !o.AwaitsPayment() || o.PayDue.IsZero() {
		return errNothingDue
	}
	c, err := s.customerWithStanding(ctx, tx, o.CustomerID)
	if err != nil {
		return err
	}
	n := conversation.Notice{OrderNumber: o.Number, Currency: s.cfg.Currency}
	from := o.Status
	switch {
	case !now.Before(o.PayDue):
		if err := o.Expire(paySweepActor, now); err != nil {
			return err
		}
		n.Kind = conversation.PaymentExpired
	case !o.PayReminded && !now.Before(o.PayDue.Add(-s.cfg.Pay.Timeout/2)):
		o.PayReminded = true
		n.Kind, n.Pay = conversation.PaymentReminder, s.payInfo(o)
	default:
		return errNothingDue
	}
	if err := tx.UpdateOrder(ctx, o); err != nil {
		return err
	}
	if n.Kind == conversation.PaymentExpired {
		if err := s.release(ctx, tx, o); err != nil {
			return err
		}
		e := AuditEntry{Actor: paySweepActor, Entity: "order", Ref: o.Number, Action: "payment timeout", From: string(from), To: string(Cancelled), At: now}
		if err := audit(ctx, tx, e); err != nil {
			return err
		}
		if err := s.queueCards(ctx, tx, s.orderCard(o, c), now); err != nil {
			return err
		}
	}
	return s.notify(ctx, tx, c, n, now)
}

// RunPaymentSweep sweeps every minute until ctx ends; a failed sweep is
// logged and the next one runs regardless.
func (s *Service) RunPaymentSweep(ctx context.Context) {
	if s.cfg.Pay.Timeout <= 0 {
		return
	}
	t := time.NewTicker(paySweepEvery)
	defer t.Stop()
	for {
		if _, err := s.SweepPayments(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "payment sweep failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
