package bot

import (
	"context"
	"fmt"
	"sort"
)

// openWorkLimit bounds each kind of item the staff console loads at once.
const openWorkLimit = 200

// OpenWork returns the current card of every item that needs staff: orders
// to approve, ship or deliver, cancel requests, open after-sales requests and
// open handoffs, most recently changed first.
func (s *Service) OpenWork(ctx context.Context) ([]Card, error) {
	type dated struct {
		card Card
		at   int64
	}
	var work []dated
	customers := map[int64]Customer{}
	customer := func(id int64) (Customer, error) {
		if c, ok := customers[id]; ok {
			return c, nil
		}
		c, err := s.customerWithStanding(ctx, s.store, id)
		customers[id] = c
		return c, err
	}
	orders, err := s.store.OrdersByStatus(ctx, []OrderStatus{Pending, Confirmed, Shipped}, openWorkLimit)
	if err != nil {
		return nil, fmt.Errorf("open work: %w", err)
	}
	for _, o := range orders {
		c, err := customer(o.CustomerID)
		if err != nil {
			return nil, fmt.Errorf("open work: customer of %s: %w", o.Number, err)
		}
		work = append(work, dated{s.orderCard(o, c), o.UpdatedAt.UnixNano()})
	}
	// Cancel requests are loaded on their own so that none is missed when
	// more orders are open than one page holds.
	cancels, err := s.store.OrdersWithCancelRequest(ctx, openWorkLimit)
	if err != nil {
		return nil, fmt.Errorf("open work: %w", err)
	}
	for _, o := range cancels {
		c, err := customer(o.CustomerID)
		if err != nil {
			return nil, fmt.Errorf("open work: customer of %s: %w", o.Number, err)
		}
		work = append(work, dated{s.cancelCard(o, c), o.UpdatedAt.UnixNano()})
	}
	requests, err := s.store.AfterSalesByStatus(ctx, []RequestStatus{Submitted, Approved}, openWorkLimit)
	if err != nil {
		return nil, fmt.Errorf("open work: %w", err)
	}
	for _, r := range requests {
		c, err := customer(r.CustomerID)
		if err != nil {
			return nil, fmt.Errorf("open work: customer of %s: %w", r.Number, err)
		}
		work = append(work, dated{afterSalesCard(r, c), r.UpdatedAt.UnixNano()})
	}
	handoffs, err := s.store.OpenHandoffs(ctx, openWorkLimit)
	if err != nil {
		return nil, fmt.Errorf("open work: %w", err)
	}
	for _, h := range handoffs {
		c, err := customer(h.CustomerID)
		if err != nil {
			return nil, fmt.Errorf("open work: customer of handoff %d: %w", h.ID, err)
		}
		work = append(work, dated{handoffCard(h, c, ""), h.CreatedAt.UnixNano()})
	}
	sort.SliceStable(work, func(i, j int) bool { return work[i].at > work[j].at })
	cards := make([]Card, len(work))
	for i, w := range work {
		cards[i] = w.card
	}
	return cards, nil
}
