package bot

import (
	"context"
	"fmt"
	"time"
)

// PaymentStatus is where an order's money is: unpaid → paid →
// partially_refunded | refunded. It runs beside OrderStatus: an order may be
// confirmed and unpaid, or paid and still pending (pay-first).
type PaymentStatus string

// The payment lifecycle.
const (
	Unpaid            PaymentStatus = "unpaid"
	Paid              PaymentStatus = "paid"
	PartiallyRefunded PaymentStatus = "partially_refunded"
	Refunded          PaymentStatus = "refunded"
)

// PayMethod is how the customer pays. The offline methods need no
// provider: staff see the money arrive and mark the order paid.
type PayMethod string

// The offline payment methods.
const (
	// PayCOD is cash on delivery: the order never waits for its money
	// before shipping and never times out unpaid.
	PayCOD PayMethod = "cod"
	// PayTransfer is a bank transfer or a payment QR code: the customer is
	// shown the shop's instructions and staff confirm the money arrived.
	PayTransfer PayMethod = "transfer"
	// PayWeChat is WeChat Pay, an online provider: the customer gets its
	// pay page or QR code (PayLinks) and its notification marks the order
	// paid.
	PayWeChat PayMethod = "wechatpay"
	// PayTelegram is Telegram Payments: an invoice in the customer's
	// Telegram chat, paid by card through the shop's provider. Offered to
	// Telegram customers only.
	PayTelegram PayMethod = "telegram"
)

// The staff actions on an order's money.
const (
	ActMarkPaid = "mark_paid"
	ActRefund   = "refund"
)

// PayFlow says whether staff approve an order before or after it is paid.
type PayFlow string

// The payment flows a shop chooses between (ORDERBOT_PAY_FLOW).
const (
	ApproveFirst PayFlow = "approve-first"
	PayFirst     PayFlow = "pay-first"
)

// AwaitsPayment reports whether the order waits for the customer's money:
// unpaid, not cash on delivery, and still open.
func (o *Order) AwaitsPayment() bool {
	return o.PaymentStatus == Unpaid && o.PayMethod != PayCOD && (o.Status == Pending || o.Status == Confirmed)
}

// payable reports whether money may still be taken for the order.
func (o *Order) payable() bool {
	return o.Status != Rejected && o.Status != Cancelled
}

// paymentChange records a payment step in the order's history, beside its
// status changes, so the timeline, the audit and a 409 can name it.
func (o *Order) paymentChange(to PaymentStatus, actor, note string, now time.Time) {
	o.History = append(o.History, StatusChange{From: string(o.PaymentStatus), To: string(to), At: now, Actor: actor, Note: note})
	o.PaymentStatus = to
	o.UpdatedAt = now
}

// MarkPaid records that the order's amount to pay arrived. amount must be
// exactly the order's total: a different sum is a mistake staff or a
// provider must sort out, not a payment. ref is the transfer reference or
// the provider's transaction id, if any.
func (o *Order) MarkPaid(actor string, amount int64, ref string, now time.Time) error {
	if o.PaymentStatus != Unpaid {
		for i := len(o.History) - 1; i >= 0; i-- {
			if h := o.History[i]; h.To == string(Paid) {
				return &DecidedError{Status: string(Paid), By: h.Actor, At: h.At}
			}
		}
		return &StateError{Action: "mark paid", Status: string(o.PaymentStatus)}
	}
	if !o.payable() {
		return &StateError{Action: "mark paid", Status: string(o.Status)}
	}
	if amount != o.Total {
		return fmt.Errorf("%w: the amount paid (%s) is not the order's total (%s)", ErrInvalid, money(amount), money(o.Total))
	}
	o.Paid, o.PaymentRef = amount, ref
	o.paymentChange(Paid, actor, ref, now)
	return nil
}

// Refund records money given back. amount 0 refunds all that is left;
// more than is left is refused.
func (o *Order) Refund(actor string, amount int64, note string, now time.Time) error {
	if o.PaymentStatus != Paid && o.PaymentStatus != PartiallyRefunded {
		return &StateError{Action: "refund", Status: string(o.PaymentStatus)}
	}
	left := o.Paid - o.Refunded
	if amount == 0 {
		amount = left
	}
	if amount < 0 || amount > left {
		return fmt.Errorf("%w: a refund must be between 0.01 and %s", ErrInvalid, money(left))
	}
	o.Refunded += amount
	to := PartiallyRefunded
	if o.Refunded == o.Paid {
		to = Refunded
	}
	text := money(amount)
	if note != "" {
		text += " " + note
	}
	o.paymentChange(to, actor, text, now)
	return nil
}

// Expire cancels an order whose payment did not arrive in time.
func (o *Order) Expire(actor string, now time.Time) error {
	if !o.AwaitsPayment() || o.PayDue.IsZero() || now.Before(o.PayDue) {
		return &StateError{Action: "expire", Status: string(o.Status) + ", " + string(o.PaymentStatus)}
	}
	o.CancelRequested = false
	o.move(Cancelled, actor, "payment timed out", now)
	return nil
}

// PayConfig is how the shop takes money.
type PayConfig struct {
	// Flow says whether staff approve before or after payment.
	Flow PayFlow
	// Methods are offered to customers in this order; the first is the
	// default. Cash on delivery alone when empty.
	Methods []PayMethod
	// Instructions tell transfer customers how to pay (account, payee);
	// QRImage is the URL of the shop's payment QR picture.
	Instructions string
	QRImage      string
	// Timeout cancels an order still unpaid this long after the customer
	// was asked to pay; never when zero.
	Timeout time.Duration
	// Links gives the pay page or QR code of an online method; the
	// customer gets only the amount and due time when nil.
	Links PayLinks
}

// PayLinks is what the core needs of an online payment provider to tell a
// customer how to pay.
type PayLinks interface {
	// PayLink returns the page that takes the payment of the order for
	// the customer on channel as user (link), or the URL of a QR code
	// picture to scan (image); both empty when the method has none there.
	PayLink(method PayMethod, number, channel, user string) (link, image string)
}

// PaySettler is an ability some PayLinks have: the payment sweep settles
// an order with its provider before cancelling it unpaid.
type PaySettler interface {
	// Settle makes sure the order can no longer be paid at the provider,
	// and records a payment made meanwhile whose notification was lost
	// (the order is then paid, and the sweep leaves it). An error leaves
	// the order for the next sweep.
	Settle(ctx context.Context, method PayMethod, number string) error
}

// PayRefunder is an ability some PayLinks have: giving an online payment
// back when staff approve a refund or return request.
type PayRefunder interface {
	// Refund asks the provider to give amount of the order's payment
	// (total) back for the request; asking again for the same request is
	// safe. The provider's refund notification records it on the order.
	Refund(ctx context.Context, r RefundRequest) error
}

// RefundRequest is money to give back through the provider an order was
// paid with.
type RefundRequest struct {
	Method        PayMethod
	OrderNumber   string
	RequestNumber string
	Amount, Total int64
}

// methodsFor are the methods offered on a channel: a provider's method
// only where the customer can pay it (Telegram Payments in Telegram).
func (c PayConfig) methodsFor(channel string) []PayMethod {
	var out []PayMethod
	for _, m := range c.Methods {
		if m != PayTelegram || channel == Telegram {
			out = append(out, m)
		}
	}
	return out
}

// method picks the customer's choice when the shop offers it on their
// channel, else the shop's default there.
func (c PayConfig) method(channel, chosen string) PayMethod {
	ms := c.methodsFor(channel)
	for _, m := range ms {
		if string(m) == chosen {
			return m
		}
	}
	if len(ms) > 0 {
		return ms[0]
	}
	return PayCOD
}
