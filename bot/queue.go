package bot

import (
	"context"
	"fmt"
	"time"
)

// WorkKind is one kind of item in the staff work queue.
type WorkKind string

// The kinds of work, in the order the queue ranks items of the same age.
const (
	WorkNew        WorkKind = "new"         // pending orders to approve or reject
	WorkFulfil     WorkKind = "fulfil"      // confirmed or shipped orders to move on
	WorkCancel     WorkKind = "cancel"      // cancel requests to decide
	WorkAfterSales WorkKind = "after_sales" // open after-sales requests
	WorkHandoff    WorkKind = "handoff"     // customers waiting for a person
)

// WorkKinds lists every kind, in rank order.
func WorkKinds() []WorkKind {
	return []WorkKind{WorkNew, WorkFulfil, WorkCancel, WorkAfterSales, WorkHandoff}
}

// Rank is the kind's place in WorkKinds; 0 for an unknown kind.
func (k WorkKind) Rank() int {
	for i, w := range WorkKinds() {
		if w == k {
			return i + 1
		}
	}
	return 0
}

// WorkItem is one item of the work queue: its kind, the id of the order,
// request or handoff, and since when it has waited.
type WorkItem struct {
	Kind WorkKind
	ID   int64
	At   time.Time
}

// Before reports whether w comes before o in the queue: oldest first, then
// by kind, then by id.
func (w WorkItem) Before(o WorkItem) bool {
	if !w.At.Equal(o.At) {
		return w.At.Before(o.At)
	}
	if w.Kind.Rank() != o.Kind.Rank() {
		return w.Kind.Rank() < o.Kind.Rank()
	}
	return w.ID < o.ID
}

// WorkQuery selects a page of the work queue, oldest first.
type WorkQuery struct {
	// Kind limits the page to one kind; "" is every kind.
	Kind WorkKind
	// After continues after the last item of the previous page.
	After *WorkItem
	Limit int
}

// WorkCards returns the current card of each item, in the items' order.
func (s *Service) WorkCards(ctx context.Context, items []WorkItem) ([]Card, error) {
	customers := map[int64]Customer{}
	customer := func(id int64) (Customer, error) {
		if c, ok := customers[id]; ok {
			return c, nil
		}
		c, err := s.store.Customer(ctx, id)
		if err == nil {
			customers[id] = c
		}
		return c, err
	}
	cards := make([]Card, 0, len(items))
	for _, it := range items {
		card, err := s.workCard(ctx, it, customer)
		if err != nil {
			return nil, fmt.Errorf("work card %s %d: %w", it.Kind, it.ID, err)
		}
		cards = append(cards, card)
	}
	return cards, nil
}

func (s *Service) workCard(ctx context.Context, it WorkItem, customer func(int64) (Customer, error)) (Card, error) {
	switch it.Kind {
	case WorkNew, WorkFulfil, WorkCancel:
		o, err := s.store.Order(ctx, it.ID)
		if err != nil {
			return Card{}, err
		}
		c, err := customer(o.CustomerID)
		if err != nil {
			return Card{}, err
		}
		if it.Kind == WorkCancel {
			return s.cancelCard(o, c), nil
		}
		return s.orderCard(o, c), nil
	case WorkAfterSales:
		r, err := s.store.AfterSales(ctx, it.ID)
		if err != nil {
			return Card{}, err
		}
		c, err := customer(r.CustomerID)
		if err != nil {
			return Card{}, err
		}
		return afterSalesCard(r, c), nil
	case WorkHandoff:
		h, err := s.store.Handoff(ctx, it.ID)
		if err != nil {
			return Card{}, err
		}
		c, err := customer(h.CustomerID)
		if err != nil {
			return Card{}, err
		}
		return handoffCard(h, c, ""), nil
	}
	return Card{}, fmt.Errorf("%w: work kind %q", ErrInvalid, it.Kind)
}

// RequiredRole is the weakest role allowed to take action on the item a
// card ref names; "" when there is no such action. Staff pages use it to
// leave out buttons the viewer cannot use; the core checks again.
func RequiredRole(cardRef, action string) Role {
	kind, _, err := parseRef(cardRef)
	if err != nil {
		return ""
	}
	return requiredRole(kind, action)
}
