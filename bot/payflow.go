package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/orderbot/orderbot/conversation"
)

// payInfo is how to pay the order, for the customer's notice.
func (s *Service) payInfo(o *Order) *conversation.PayInfo {
	p := &conversation.PayInfo{Amount: o.Total, Currency: s.cfg.Currency, Instructions: s.cfg.Pay.Instructions, Image: s.cfg.Pay.QRImage}
	if !o.PayDue.IsZero() {
		p.Due = o.PayDue.In(s.cfg.Location)
	}
	return p
}

// askPayment starts the payment clock of an order that now waits for its
// money and returns how to pay it; nil when nothing is to be paid now. The
// clock starts when the customer is told how to pay: at placing in
// pay-first, at approval in approve-first.
func (s *Service) askPayment(o *Order, now time.Time) *conversation.PayInfo {
	if !o.AwaitsPayment() {
		return nil
	}
	if s.cfg.Pay.Timeout > 0 && o.PayDue.IsZero() {
		o.PayDue = now.Add(s.cfg.Pay.Timeout)
	}
	return s.payInfo(o)
}

// payFirst reports whether the order must be paid before staff approve it.
func (s *Service) payFirst(o *Order) bool {
	return s.cfg.Pay.Flow == PayFirst && o.AwaitsPayment()
}

// payGuard refuses to approve an order that must be paid first.
func (s *Service) payGuard(o *Order, kind, action string) error {
	if kind == refOrder && action == ActApprove && o.Status == Pending && s.payFirst(o) {
		return &StateError{Action: "approve", Status: "pending, awaiting payment (pay-first)"}
	}
	return nil
}

// approved adds how to pay to the confirmation of an order approved in
// approve-first, and starts its payment clock.
func (s *Service) approved(o *Order, n *conversation.Notice, now time.Time) {
	if s.cfg.Pay.Flow != PayFirst {
		n.Pay = s.askPayment(o, now)
	}
}

// payWord names a payment method on a staff card.
func payWord(m PayMethod) string {
	switch m {
	case PayCOD:
		return "cash on delivery"
	case PayTransfer:
		return "transfer"
	}
	return string(m)
}

// paymentField says on a staff card where the order's money is.
func (s *Service) paymentField(o *Order) CardField {
	v := strings.ReplaceAll(string(o.PaymentStatus), "_", " ") + " · " + payWord(o.PayMethod)
	if o.Paid > 0 {
		v += " · paid " + s.money(o.Paid)
	}
	if o.PaymentRef != "" {
		v += " · ref " + o.PaymentRef
	}
	if o.Refunded > 0 {
		v += " · refunded " + s.money(o.Refunded)
	}
	if !o.PayDue.IsZero() && o.AwaitsPayment() {
		v += " · due " + o.PayDue.In(s.cfg.Location).Format("2006-01-02 15:04")
	}
	return CardField{Label: "Payment", Value: v}
}

// priceFields show the amount to pay and, when a coupon or shipping
// changed it, what it is made of.
func (s *Service) priceFields(o *Order) []CardField {
	if o.Discount == 0 && o.Shipping == 0 {
		return []CardField{{Label: "Total", Value: s.money(o.Total)}}
	}
	parts := []string{"items " + s.money(o.Subtotal)}
	if o.Discount > 0 {
		parts = append(parts, fmt.Sprintf("coupon %s −%s", o.Coupon, s.money(o.Discount)))
	}
	if o.Shipping > 0 {
		parts = append(parts, "shipping "+s.money(o.Shipping))
	}
	return []CardField{{Label: "Total", Value: s.money(o.Total) + " (" + strings.Join(parts, ", ") + ")"}}
}

// markPaidAction is the card button for money that arrived offline: a
// transfer any time the order is open, cash once the parcel is delivered
// (the courier collected it). The action itself is allowed on any unpaid
// open order (console, API).
func markPaidAction(o *Order) []CardAction {
	cashIn := o.PayMethod != PayCOD || o.Status == Delivered || o.Status == Completed
	if o.PaymentStatus != Unpaid || !o.payable() || !cashIn {
		return nil
	}
	return []CardAction{{ID: ActMarkPaid, Label: "Mark paid"}}
}

// ApplyPayment marks an order paid in tx for money a payment provider
// reported (bot/pay records the provider's transaction beside it): the
// customer is told, the cards updated, the change audited as actor.
func (s *Service) ApplyPayment(ctx context.Context, tx Repo, number, actor string, amount int64, ref string) (int64, error) {
	o, err := tx.OrderByNumber(ctx, number)
	if err != nil {
		return 0, fmt.Errorf("load order %s: %w", number, err)
	}
	now := s.now()
	if err := o.MarkPaid(actor, amount, ref, now); err != nil {
		return o.ID, err
	}
	if err := tx.UpdateOrder(ctx, o); err != nil {
		return o.ID, fmt.Errorf("save order %s: %w", number, err)
	}
	c, err := s.customerWithStanding(ctx, tx, o.CustomerID)
	if err != nil {
		return o.ID, err
	}
	if err := audit(ctx, tx, AuditEntry{Actor: actor, Entity: "order", Ref: o.Number, Action: "order " + ActMarkPaid, From: string(Unpaid), To: string(Paid), Note: ref, At: now}); err != nil {
		return o.ID, err
	}
	n := conversation.Notice{Kind: conversation.PaymentReceived, OrderNumber: o.Number, Amount: amount, Currency: s.cfg.Currency}
	if err := s.notify(ctx, tx, c, n, now); err != nil {
		return o.ID, err
	}
	return o.ID, s.queueCards(ctx, tx, s.orderCard(o, c), now)
}
