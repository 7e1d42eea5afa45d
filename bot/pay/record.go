package pay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Payment is money a provider reported for an order: a payment or a refund.
type Payment struct {
	OrderID  int64
	Kind     string // KindPayment or KindRefund
	Provider string // e.g. "wechatpay", "telegram"
	TxnID    string // the provider's id of the transaction, unique per provider
	Amount   int64  // minor units
	// Reference is a second id of the charge, e.g. the card provider's
	// for a Telegram payment (what the shop refunds by); the order's
	// payment reference shows it beside TxnID.
	Reference string
	At        time.Time
}

// The kinds of Payment.
const (
	KindPayment = "payment"
	KindRefund  = "refund"
)

// Orders is what RecordPayment needs from the core: marking the order paid
// in the transaction that records the payment (bot.Service).
type Orders interface {
	// ApplyPayment marks the order paid by amount as actor, with ref, in
	// tx; bot.ErrInvalid when amount is not the order's total, a
	// *bot.StateError or *bot.DecidedError when it cannot be paid.
	ApplyPayment(ctx context.Context, tx bot.Repo, number, actor string, amount int64, ref string) (orderID int64, err error)
}

// ref is what the order keeps as its payment reference.
func (p Payment) ref() string {
	if p.Reference == "" {
		return p.TxnID
	}
	return p.TxnID + " / " + p.Reference
}

// ErrAlreadyRecorded says a provider reported a payment seen before: its
// one effect happened then.
var ErrAlreadyRecorded = errors.New("payment already recorded")

// RecordPayment is the one entry point of payment providers: it records
// the payment and marks the order paid, in one transaction, once per
// (provider, txn id) — a repeated notification returns ErrAlreadyRecorded
// and changes nothing. The amount must be the order's amount to pay; any
// refusal changes nothing.
func RecordPayment(ctx context.Context, st Store, orders Orders, number string, p Payment) error {
	p.Kind = KindPayment
	return record(ctx, st, number, p, "payment", "transaction id", func(tx bot.Repo) error {
		_, err := orders.ApplyPayment(ctx, tx, number, p.Provider, p.Amount, p.ref())
		return err
	})
}

// record stores p for the order and applies it with apply in one
// transaction. The payment row goes first: its unique key (provider, txn
// id, kind) makes a repeat fail there, before apply could touch the order.
func record(ctx context.Context, st Store, number string, p Payment, what, idName string, apply func(tx bot.Repo) error) error {
	if p.Provider == "" || p.TxnID == "" || p.Amount <= 0 {
		return fmt.Errorf("%w: a %s needs a provider, a %s and an amount", bot.ErrInvalid, what, idName)
	}
	if p.At.IsZero() {
		p.At = time.Now().UTC()
	}
	err := st.InTx(ctx, func(tx bot.Repo) error {
		r, err := repoOf(tx)
		if err != nil {
			return err
		}
		// The id alone keys the payment row: apply reads the whole order,
		// and only when the payment is new.
		if p.OrderID, err = r.OrderIDByNumber(ctx, number); err != nil {
			return err
		}
		if err := r.AddPayment(ctx, p); err != nil {
			return err
		}
		return apply(tx)
	})
	if errors.Is(err, bot.ErrDuplicate) {
		return ErrAlreadyRecorded
	}
	if err != nil {
		return fmt.Errorf("record %s %s %s for order %s: %w", p.Provider, what, p.TxnID, number, err)
	}
	return nil
}

// Refunds is what RecordRefund needs from the core (bot.Service).
type Refunds interface {
	// ApplyRefund records amount given back on the order as actor, with
	// ref, in tx; bot.ErrInvalid when it is more than is left to refund.
	ApplyRefund(ctx context.Context, tx bot.Repo, number, actor string, amount int64, ref string) (orderID int64, err error)
}

// RecordRefund records a refund a provider reported and applies it to the
// order, in one transaction, once per (provider, txn id): a repeated
// notification returns ErrAlreadyRecorded and changes nothing.
func RecordRefund(ctx context.Context, st Store, orders Refunds, number string, p Payment) error {
	p.Kind = KindRefund
	return record(ctx, st, number, p, "refund", "refund id", func(tx bot.Repo) error {
		_, err := orders.ApplyRefund(ctx, tx, number, p.Provider, p.Amount, p.TxnID)
		return err
	})
}
