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
	WorkSurvey     WorkKind = "survey"      // unhappy customers (bot/care) to follow up
)

// WorkKinds lists every kind, in rank order.
func WorkKinds() []WorkKind {
	return []WorkKind{WorkNew, WorkFulfil, WorkCancel, WorkAfterSales, WorkHandoff, WorkSurvey}
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
// request, handoff or survey, and since when it has waited.
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

// workLoader loads many items at once, so that a page of work costs a few
// queries rather than several per item. The SQL store has it; it is not
// part of Repo because only staff tools need it.
type workLoader interface {
	OrdersByID(ctx context.Context, ids []int64) ([]*Order, error)
	AfterSalesByID(ctx context.Context, ids []int64) ([]*AfterSales, error)
	HandoffsByID(ctx context.Context, ids []int64) ([]*Handoff, error)
	CustomersByID(ctx context.Context, ids []int64) ([]Customer, error)
}

// WorkCard is the card of a work item with what staff tools need to link
// to the item: the order's or request's number ("" for a handoff) and the
// customer's id.
type WorkCard struct {
	Card
	Number     string
	CustomerID int64
}

// WorkCards returns the current card of each item, in the items' order.
func (s *Service) WorkCards(ctx context.Context, items []WorkItem) ([]WorkCard, error) {
	l, ok := s.store.(workLoader)
	if !ok {
		return nil, fmt.Errorf("work cards: the store cannot load items by id")
	}
	return s.loadedCards(ctx, l, items)
}

// loadedCards is WorkCards with one query per kind of item and one for
// their customers.
func (s *Service) loadedCards(ctx context.Context, l workLoader, items []WorkItem) ([]WorkCard, error) {
	byID, customerIDs, err := loadWork(ctx, l, items)
	if err != nil {
		return nil, fmt.Errorf("work cards: %w", err)
	}
	customers, err := workCustomers(ctx, l, customerIDs)
	if err != nil {
		return nil, fmt.Errorf("work cards: %w", err)
	}
	if err := s.addStandings(ctx, customers, customerIDs); err != nil {
		return nil, fmt.Errorf("work cards: %w", err)
	}
	customer := func(id int64) (Customer, error) {
		if c, ok := customers[id]; ok {
			return c, nil
		}
		return Customer{}, fmt.Errorf("customer %d: %w", id, ErrNotFound)
	}
	surveys, err := s.surveyCards(ctx, items)
	if err != nil {
		return nil, fmt.Errorf("work cards: %w", err)
	}
	cards := make([]WorkCard, 0, len(items))
	for _, it := range items {
		if it.Kind == WorkSurvey {
			card, ok := surveys[it.ID]
			if !ok {
				return nil, fmt.Errorf("work card %s %d: %w", it.Kind, it.ID, ErrNotFound)
			}
			cards = append(cards, card)
			continue
		}
		card, err := s.loadedCard(ctx, it, byID, customer)
		if err != nil {
			return nil, fmt.Errorf("work card %s %d: %w", it.Kind, it.ID, err)
		}
		cards = append(cards, card)
	}
	return cards, nil
}

// surveyCards asks care for the cards of the page's unhappy customers, in
// one call: the surveys are care's, not the core's.
func (s *Service) surveyCards(ctx context.Context, items []WorkItem) (map[int64]WorkCard, error) {
	var ids []int64
	for _, it := range items {
		if it.Kind == WorkSurvey {
			ids = append(ids, it.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return s.cfg.Care.SurveyCards(ctx, s.store, ids)
}

// workCustomers loads the customers of a page of work with one query.
func workCustomers(ctx context.Context, l workLoader, ids []int64) (map[int64]Customer, error) {
	cs, err := l.CustomersByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	customers := make(map[int64]Customer, len(cs))
	for _, c := range cs {
		customers[c.ID] = c
	}
	return customers, nil
}

// loadWork loads the orders, requests and handoffs of the items, keyed
// "o<id>", "r<id>" and "h<id>", and lists their customers.
func loadWork(ctx context.Context, l workLoader, items []WorkItem) (map[string]any, []int64, error) {
	var orderIDs, requestIDs, handoffIDs []int64
	for _, it := range items {
		switch it.Kind {
		case WorkAfterSales:
			requestIDs = append(requestIDs, it.ID)
		case WorkHandoff:
			handoffIDs = append(handoffIDs, it.ID)
		case WorkSurvey:
		default:
			orderIDs = append(orderIDs, it.ID)
		}
	}
	orders, err := l.OrdersByID(ctx, orderIDs)
	if err != nil {
		return nil, nil, err
	}
	requests, err := l.AfterSalesByID(ctx, requestIDs)
	if err != nil {
		return nil, nil, err
	}
	handoffs, err := l.HandoffsByID(ctx, handoffIDs)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]any{}
	var customerIDs []int64
	for _, o := range orders {
		byID[fmt.Sprint("o", o.ID)] = o
		customerIDs = append(customerIDs, o.CustomerID)
	}
	for _, r := range requests {
		byID[fmt.Sprint("r", r.ID)] = r
		customerIDs = append(customerIDs, r.CustomerID)
	}
	for _, h := range handoffs {
		byID[fmt.Sprint("h", h.ID)] = h
		customerIDs = append(customerIDs, h.CustomerID)
	}
	return byID, customerIDs, nil
}

func (s *Service) loadedCard(ctx context.Context, it WorkItem, byID map[string]any, customer func(int64) (Customer, error)) (WorkCard, error) {
	switch it.Kind {
	case WorkAfterSales:
		r, ok := byID[fmt.Sprint("r", it.ID)].(*AfterSales)
		if !ok {
			return WorkCard{}, ErrNotFound
		}
		c, err := customer(r.CustomerID)
		return WorkCard{s.afterSalesCard(r, c), r.Number, c.ID}, err
	case WorkHandoff:
		h, ok := byID[fmt.Sprint("h", it.ID)].(*Handoff)
		if !ok {
			return WorkCard{}, ErrNotFound
		}
		c, err := customer(h.CustomerID)
		if err != nil {
			return WorkCard{}, err
		}
		// Handoffs are few among open work: one query each for the
		// conversation the console's card shows.
		card, err := s.handoffCardFor(ctx, s.store, h, c, WebChat)
		return WorkCard{card, "", c.ID}, err
	}
	o, ok := byID[fmt.Sprint("o", it.ID)].(*Order)
	if !ok {
		return WorkCard{}, ErrNotFound
	}
	c, err := customer(o.CustomerID)
	card := s.orderCard(o, c)
	if it.Kind == WorkCancel {
		card = s.cancelCard(o, c)
	}
	return WorkCard{card, o.Number, c.ID}, err
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
