package conversation

import "strings"

// orderDetail is everything a customer may want to know about an order, in
// the order they look for it: where it stands, what is in it, what happened.
func (t *turn) orderDetail(o OrderView) string {
	parts := []string{
		t.tr(msgOrderTitle, o.Number) + "\n" + t.tr(msgOrderStatus, t.statusWord(o.Status)),
		t.itemLines(o),
	}
	var notes []string
	if s := t.shipping(o.Carrier, o.Tracking); s != "" {
		notes = append(notes, s)
	}
	if r := strings.TrimSpace(o.RejectReason); r != "" {
		notes = append(notes, t.tr(msgRejectReason, r))
	}
	if p := t.payStatus(o); p != "" {
		notes = append(notes, p)
	}
	if o.CancelRequested {
		notes = append(notes, t.tr(msgCancelPendingNote))
	}
	if len(o.Requests) > 0 {
		notes = append(notes, t.requestLines(o.Requests)...)
	} else if o.OpenRequest != "" {
		notes = append(notes, t.tr(msgOpenRequest, o.OpenRequest))
	}
	if len(notes) > 0 {
		parts = append(parts, strings.Join(notes, "\n"))
	}
	if len(o.Timeline) > 0 {
		parts = append(parts, t.timeline(o.Timeline))
	}
	return strings.Join(parts, "\n\n")
}

func (t *turn) itemLines(o OrderView) string {
	lines := make([]string, 0, len(o.Items))
	for _, it := range o.Items {
		sub := int64(it.Qty) * it.UnitPrice
		lines = append(lines, t.tr(msgCartLine, t.itemName(it), t.money(it.UnitPrice), itoa(it.Qty), t.money(sub)))
	}
	total := t.priceLines(o.Subtotal, o.Discount, o.Shipping, o.Coupon, o.Total)
	if len(lines) == 0 {
		return total
	}
	return bullet(lines) + "\n" + total
}

// priceLines shows the amount to pay; when a coupon or shipping changed
// it, the parts it is made of first.
func (t *turn) priceLines(subtotal, discount, shipping int64, coupon string, total int64) string {
	if discount == 0 && shipping == 0 {
		return t.tr(msgTotal, t.money(total))
	}
	lines := []string{t.tr(msgSubtotalLine, t.money(subtotal))}
	if discount > 0 {
		lines = append(lines, t.tr(msgDiscountLine, coupon, t.money(discount)))
	}
	if shipping > 0 {
		lines = append(lines, t.tr(msgShippingLine, t.money(shipping)))
	}
	return strings.Join(append(lines, t.tr(msgToPay, t.money(total))), "\n")
}

// payStatus says whether the order is paid and how it is paid for.
func (t *turn) payStatus(o OrderView) string {
	key, ok := map[string]msgKey{
		"unpaid": msgPayUnpaid, "paid": msgPayPaid,
		"partially_refunded": msgPayPartRefunded, "refunded": msgPayRefunded,
	}[o.PaymentStatus]
	if !ok || (o.PaymentStatus == "unpaid" && (o.Status == "rejected" || o.Status == "cancelled")) {
		return ""
	}
	word := t.tr(key)
	if m := t.payMethodWord(o.PayMethod); m != "" {
		word += " · " + m
	}
	return t.tr(msgPayStatusLine, word)
}

func (t *turn) payMethodWord(m PayMethod) string {
	switch m {
	case PayCOD:
		return t.tr(msgPayMethodCOD)
	case PayTransfer:
		return t.tr(msgPayMethodXfer)
	case PayWeChat:
		return t.tr(msgPayMethodWeChat)
	case PayTelegram:
		return t.tr(msgPayMethodTG)
	}
	return string(m)
}

// shipping says who carries the parcel and its tracking number, as far as
// staff entered them.
func (t *turn) shipping(carrier, tracking string) string {
	carrier, tracking = strings.TrimSpace(carrier), strings.TrimSpace(tracking)
	switch {
	case carrier != "" && tracking != "":
		return t.tr(msgShipping, carrier, tracking)
	case tracking != "":
		return t.tr(msgTracking, tracking)
	case carrier != "":
		return t.tr(msgCarrier, carrier)
	}
	return ""
}

func (t *turn) timeline(entries []TimelineEntry) string {
	lines := []string{t.tr(msgTimelineHeading)}
	for _, e := range entries {
		lines = append(lines, t.date(e.At)+"  "+t.eventWord(e.Status))
	}
	return strings.Join(lines, "\n")
}

// requestLines say where each after-sales request of an order stands, with
// what staff wrote when they decided it (the return address, the reason).
func (t *turn) requestLines(rs []RequestView) []string {
	lines := make([]string, 0, len(rs))
	for _, r := range rs {
		line := t.tr(msgRequestLine, t.typeWord(r.Type), r.Number, t.requestStatusWord(r.Status))
		if note := strings.TrimSpace(r.Note); note != "" {
			line += "\n" + t.tr(msgRequestNote, note)
		}
		lines = append(lines, line)
	}
	return lines
}
