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
	total := t.tr(msgTotal, t.money(o.Total))
	if len(lines) == 0 {
		return total
	}
	return bullet(lines) + "\n" + total
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
