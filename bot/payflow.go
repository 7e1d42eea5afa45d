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
	p := &conversation.PayInfo{Amount: o.Total, Currency: s.cfg.Currency, Method: conversation.PayMethod(o.PayMethod)}
	if o.PayMethod == PayTransfer {
		p.Instructions, p.Image = s.cfg.Pay.Instructions, s.cfg.Pay.QRImage
	}
	if o.PayMethod == PayTelegram {
		// The channel bills the order itself: an invoice of these parts.
		p.Subtotal, p.Discount, p.Shipping = o.Subtotal, o.Discount, o.Shipping
	}
	if !o.PayDue.IsZero() {
		p.Due = o.PayDue.In(s.cfg.Location)
	}
	return p
}

// withPayLink adds the online method's pay link or QR code for the
// customer who gets the notice: a WeChat user opens a page, others scan.
func (s *Service) withPayLink(n conversation.Notice, c Customer) conversation.Notice {
	if n.Pay == nil || s.cfg.Pay.Links == nil {
		return n
	}
	p := *n.Pay
	link, image := s.cfg.Pay.Links.PayLink(PayMethod(p.Method), n.OrderNumber, c.Channel, c.UserID)
	if link != "" || image != "" {
		p.Link, p.Image = link, image
	}
	n.Pay = &p
	return n
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

// payMethod names a payment method on a staff card.
func (w StaffWords) payMethod(m PayMethod) string {
	switch m {
	case PayCOD:
		return w.Say("cash on delivery", "货到付款")
	case PayTransfer:
		return w.Say("transfer", "转账")
	case PayWeChat:
		return w.Say("WeChat Pay", "微信支付")
	case PayTelegram:
		return w.Say("Telegram Payments (card)", "Telegram 支付（刷卡）")
	}
	return string(m)
}

// paymentStatus names where an order's money is, in words.
func (w StaffWords) paymentStatus(st PaymentStatus) string {
	switch st {
	case Unpaid:
		return w.Say("unpaid", "未付款")
	case Paid:
		return w.Say("paid", "已付款")
	case PartiallyRefunded:
		return w.Say("partially refunded", "部分退款")
	case Refunded:
		return w.Say("refunded", "已退款")
	}
	return strings.ReplaceAll(string(st), "_", " ")
}

// paymentField says on a staff card where the order's money is.
func (w StaffWords) paymentField(o *Order) CardField {
	v := w.paymentStatus(o.PaymentStatus) + " · " + w.payMethod(o.PayMethod)
	if o.Paid > 0 {
		v += w.Sayf(" · paid %s", " · 已收 %s", w.Money(o.Paid))
	}
	if o.PaymentRef != "" {
		v += w.Sayf(" · ref %s", " · 流水号 %s", o.PaymentRef)
	}
	if o.Refunded > 0 {
		v += w.Sayf(" · refunded %s", " · 已退 %s", w.Money(o.Refunded))
	}
	if !o.PayDue.IsZero() && o.AwaitsPayment() {
		v += w.Sayf(" · due %s", " · 付款截止 %s", w.When(o.PayDue))
	}
	return CardField{Label: w.Say("Payment", "付款"), Value: v}
}

// priceField shows the amount to pay and, when a coupon or shipping
// changed it, what it is made of.
func (w StaffWords) priceField(o *Order) CardField {
	label := w.Say("Total", "合计")
	if o.Discount == 0 && o.Shipping == 0 {
		return CardField{Label: label, Value: w.Money(o.Total)}
	}
	parts := []string{w.Sayf("items %s", "商品 %s", w.Money(o.Subtotal))}
	if o.Discount > 0 {
		parts = append(parts, w.Sayf("coupon %s −%s", "优惠券 %s −%s", o.Coupon, w.Money(o.Discount)))
	}
	if o.Shipping > 0 {
		parts = append(parts, w.Sayf("shipping %s", "运费 %s", w.Money(o.Shipping)))
	}
	return CardField{Label: label, Value: w.Money(o.Total) + w.paren(strings.Join(parts, w.Say(", ", "，")))}
}

// markPaidAction is the card button for money that arrived offline: a
// transfer any time the order is open, cash once the parcel is delivered
// (the courier collected it). The action itself is allowed on any unpaid
// open order (console, API).
func (w StaffWords) markPaidAction(o *Order) []CardAction {
	cashIn := o.PayMethod != PayCOD || o.Status == Delivered || o.Status == Completed
	if o.PaymentStatus != Unpaid || !o.payable() || !cashIn {
		return nil
	}
	return []CardAction{{ID: ActMarkPaid, Label: w.Say("Mark paid", "确认收款")}}
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

// ApplyRefund records in tx money a payment provider reported given back
// (bot/pay records the provider's refund beside it): the order becomes
// partially_refunded or refunded, the customer is told, the cards updated,
// the change audited as actor.
func (s *Service) ApplyRefund(ctx context.Context, tx Repo, number, actor string, amount int64, ref string) (int64, error) {
	o, err := tx.OrderByNumber(ctx, number)
	if err != nil {
		return 0, fmt.Errorf("load order %s: %w", number, err)
	}
	now, from := s.now(), o.PaymentStatus
	if err := o.Refund(actor, amount, ref, now); err != nil {
		return o.ID, err
	}
	if err := tx.UpdateOrder(ctx, o); err != nil {
		return o.ID, fmt.Errorf("save order %s: %w", number, err)
	}
	c, err := s.customerWithStanding(ctx, tx, o.CustomerID)
	if err != nil {
		return o.ID, err
	}
	if err := audit(ctx, tx, AuditEntry{Actor: actor, Entity: "order", Ref: o.Number, Action: "order " + ActRefund, From: string(from), To: string(o.PaymentStatus), Note: ref, At: now}); err != nil {
		return o.ID, err
	}
	n := conversation.Notice{Kind: conversation.PaymentRefunded, OrderNumber: o.Number, Amount: amount, Currency: s.cfg.Currency}
	if err := s.notify(ctx, tx, c, n, now); err != nil {
		return o.ID, err
	}
	return o.ID, s.queueCards(ctx, tx, s.orderCard(o, c), now)
}

// ApplyLatePayment keeps money a provider took for an order that can no
// longer take it, so that it is never lost: bot/pay has recorded the
// provider's transaction beside it in tx, and every staff channel is told
// to give it back. An order cancelled or rejected meanwhile (a payment
// timeout racing the customer) shows it paid, so staff record the refund
// with the existing refund action; its status stays. An order paid already
// another way (the customer paid twice) keeps its first payment, and the
// second one is written to its audit trail.
func (s *Service) ApplyLatePayment(ctx context.Context, tx Repo, number, actor string, amount int64, ref string) (int64, error) {
	o, err := tx.OrderByNumber(ctx, number)
	if err != nil {
		return 0, fmt.Errorf("load order %s: %w", number, err)
	}
	now, w := s.now(), s.words()
	var text string
	switch {
	case o.PaymentStatus == Unpaid && !o.payable():
		o.Paid, o.PaymentRef = amount, ref
		o.paymentChange(Paid, actor, ref+" (late)", now)
		if err := tx.UpdateOrder(ctx, o); err != nil {
			return o.ID, fmt.Errorf("save order %s: %w", number, err)
		}
		if err := audit(ctx, tx, AuditEntry{Actor: actor, Entity: "order", Ref: o.Number, Action: "order late_payment", From: string(Unpaid), To: string(Paid), Note: ref, At: now}); err != nil {
			return o.ID, err
		}
		text = w.Sayf("Payment of %s (%s) arrived after order %s was %s: refund it with the provider, then press Refund.",
			"订单 %[3]s 已%[4]s，之后才收到付款 %[1]s（%[2]s）：请在支付服务商处退款，再点“退款”。",
			w.Money(amount), ref, o.Number, w.orderStatus(o.Status))
	case o.PaymentStatus != Unpaid:
		// The order's money is its first payment; this one is only owed back.
		if err := audit(ctx, tx, AuditEntry{Actor: actor, Entity: "order", Ref: o.Number, Action: "order extra_payment", From: string(o.PaymentStatus), To: string(o.PaymentStatus), Note: fmt.Sprintf("%s %d", ref, amount), At: now}); err != nil {
			return o.ID, err
		}
		text = w.Sayf("A second payment of %s (%s) arrived for order %s, which was paid already (%s): refund this one with the provider.",
			"订单 %[3]s 已付款（%[4]s），又收到一笔付款 %[1]s（%[2]s）：请在支付服务商处退还这一笔。",
			w.Money(amount), ref, o.Number, o.PaymentRef)
	default:
		return o.ID, &StateError{Action: "record late payment", Status: string(o.Status) + ", " + string(o.PaymentStatus)}
	}
	c, err := s.customerWithStanding(ctx, tx, o.CustomerID)
	if err != nil {
		return o.ID, err
	}
	return o.ID, s.queueThread(ctx, tx, s.orderCard(o, c), text, now)
}
