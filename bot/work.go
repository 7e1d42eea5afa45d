package bot

import (
	"context"
	"fmt"
	"sort"
)

// openWorkLimit bounds each kind of item the staff console loads at once.
const openWorkLimit = 200

// openItems is every item that needs staff, as loaded.
type openItems struct {
	orders   []*Order
	cancels  []*Order
	requests []*AfterSales
	handoffs []*Handoff
}

func (w openItems) customerIDs() []int64 {
	var ids []int64
	for _, o := range append(w.orders, w.cancels...) {
		ids = append(ids, o.CustomerID)
	}
	for _, r := range w.requests {
		ids = append(ids, r.CustomerID)
	}
	for _, h := range w.handoffs {
		ids = append(ids, h.CustomerID)
	}
	return ids
}

// OpenWork returns the current card of every item that needs staff: orders
// to approve, ship or deliver, cancel requests, open after-sales requests and
// open handoffs, most recently changed first.
func (s *Service) OpenWork(ctx context.Context) ([]Card, error) {
	w, err := s.openItems(ctx)
	if err != nil {
		return nil, fmt.Errorf("open work: %w", err)
	}
	customers, err := s.customersWithStanding(ctx, w.customerIDs())
	if err != nil {
		return nil, fmt.Errorf("open work: %w", err)
	}
	type dated struct {
		card Card
		at   int64
	}
	var work []dated
	for _, o := range w.orders {
		work = append(work, dated{s.orderCard(o, customers[o.CustomerID]), o.UpdatedAt.UnixNano()})
	}
	for _, o := range w.cancels {
		work = append(work, dated{s.cancelCard(o, customers[o.CustomerID]), o.UpdatedAt.UnixNano()})
	}
	for _, r := range w.requests {
		work = append(work, dated{s.afterSalesCard(r, customers[r.CustomerID]), r.UpdatedAt.UnixNano()})
	}
	for _, h := range w.handoffs {
		// A list of open work names each item: the conversation is on
		// the handoff's own card.
		work = append(work, dated{s.handoffCard(h, customers[h.CustomerID], transcript{}, ""), h.CreatedAt.UnixNano()})
	}
	sort.SliceStable(work, func(i, j int) bool { return work[i].at > work[j].at })
	cards := make([]Card, len(work))
	for i, w := range work {
		cards[i] = w.card
	}
	return cards, nil
}

func (s *Service) openItems(ctx context.Context) (openItems, error) {
	var w openItems
	var err error
	if w.orders, err = s.store.OrdersByStatus(ctx, []OrderStatus{Pending, Confirmed, Shipped}, openWorkLimit); err != nil {
		return w, err
	}
	// Cancel requests are loaded on their own so that none is missed when
	// more orders are open than one page holds.
	if w.cancels, err = s.store.OrdersWithCancelRequest(ctx, openWorkLimit); err != nil {
		return w, err
	}
	if w.requests, err = s.store.AfterSalesByStatus(ctx, []RequestStatus{Submitted, Approved}, openWorkLimit); err != nil {
		return w, err
	}
	w.handoffs, err = s.store.OpenHandoffs(ctx, openWorkLimit)
	return w, err
}
