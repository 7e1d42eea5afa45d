package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/orderbot/orderbot/conversation"
)

// Membership is the customer tiers and the approval rules built on them, as
// the core's transactions need them. It lives outside the core (bot/tier)
// with its own storage; every method gets the Repo of the transaction it
// must take part in. A Service without one shows no tier and approves
// nothing by rule.
type Membership interface {
	// Standing returns the customer's tier as shown to staff and to the customer.
	Standing(ctx context.Context, tx Repo, customerID int64) (Standing, error)
	// Standings returns the tiers of many customers at once, for lists.
	Standings(ctx context.Context, tx Repo, customerIDs []int64) (map[int64]Standing, error)
	// Recompute re-evaluates the customer's tier after one of their orders
	// completed or was refunded; a pinned tier stays.
	Recompute(ctx context.Context, tx Repo, customerID int64, now time.Time) error
	// ApprovingRule names the rule that approves the item at once, or
	// returns "" when none does.
	ApprovingRule(ctx context.Context, tx Repo, it Approvable) (string, error)
}

// Standing is a customer's tier: its key and its names for people.
type Standing struct {
	Tier   string // the tier's key, e.g. "gold"; "" when the shop has no tiers
	NameZH string
	NameEN string
	Pinned bool // set by staff, not recomputed
}

// Approvable is an item an approval rule may decide: a new order (Kind
// "order") or an after-sales request (Kind is its type), with the amount
// at stake (the order's total).
type Approvable struct {
	CustomerID int64
	Kind       string
	Amount     int64
}

// ApprovableOrder is the kind of Approvable that is a new order.
const ApprovableOrder = "order"

// ruleActorPrefix marks a decision made by an approval rule in history and
// the audit trail: "rule:<name>".
const ruleActorPrefix = "rule:"

// RuleActor names an approval rule as the actor of its decisions.
func RuleActor(name string) string { return ruleActorPrefix + name }

// decidingRule returns the name of the rule that approved an item, from its
// history, or "".
func decidingRule(h []StatusChange) string {
	for _, c := range h {
		if (c.To == string(Confirmed) || c.To == string(Approved)) && strings.HasPrefix(c.Actor, ruleActorPrefix) {
			return strings.TrimPrefix(c.Actor, ruleActorPrefix)
		}
	}
	return ""
}

// noMembership is the Membership of a shop without tiers.
type noMembership struct{}

func (noMembership) Standing(context.Context, Repo, int64) (Standing, error) { return Standing{}, nil }
func (noMembership) Standings(context.Context, Repo, []int64) (map[int64]Standing, error) {
	return nil, nil
}
func (noMembership) Recompute(context.Context, Repo, int64, time.Time) error { return nil }
func (noMembership) ApprovingRule(context.Context, Repo, Approvable) (string, error) {
	return "", nil
}

// withStanding loads the customer's tier into c for cards and the conversation.
func (s *Service) withStanding(ctx context.Context, tx Repo, c *Customer) error {
	st, err := s.cfg.Membership.Standing(ctx, tx, c.ID)
	if err != nil {
		return fmt.Errorf("tier of customer %d: %w", c.ID, err)
	}
	c.Tier, c.tierKnown = st, true
	return nil
}

// knowStanding loads the customer's tier unless it is known already: a
// message's step asks for it only when it shows or uses it (a card, a
// coupon, the customer's own page), which most do not.
func (s *Service) knowStanding(ctx context.Context, tx Repo, c *Customer) error {
	if c.tierKnown {
		return nil
	}
	return s.withStanding(ctx, tx, c)
}

// customerWithStanding loads a customer and their tier.
func (s *Service) customerWithStanding(ctx context.Context, tx Repo, id int64) (Customer, error) {
	c, err := tx.Customer(ctx, id)
	if err != nil {
		return Customer{}, fmt.Errorf("load customer: %w", err)
	}
	return c, s.withStanding(ctx, tx, &c)
}

// customersWithStanding loads customers and their tiers, each once.
func (s *Service) customersWithStanding(ctx context.Context, ids []int64) (map[int64]Customer, error) {
	customers := make(map[int64]Customer, len(ids))
	for _, id := range ids {
		if _, ok := customers[id]; ok {
			continue
		}
		c, err := s.store.Customer(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("load customer %d: %w", id, err)
		}
		customers[id] = c
	}
	if err := s.addStandings(ctx, customers, ids); err != nil {
		return nil, err
	}
	return customers, nil
}

// addStandings fills in the tier of loaded customers, with one lookup.
func (s *Service) addStandings(ctx context.Context, customers map[int64]Customer, ids []int64) error {
	standings, err := s.cfg.Membership.Standings(ctx, s.store, ids)
	if err != nil {
		return fmt.Errorf("tiers of customers: %w", err)
	}
	for id, c := range customers {
		c.Tier, c.tierKnown = standings[id], true
		customers[id] = c
	}
	return nil
}

// autoApproveOrder lets an approval rule decide a just placed order,
// through the order's guarded Approve. The customer's notice is added to
// later, to go out after the reply that says the order was placed.
func (s *Service) autoApproveOrder(ctx context.Context, tx Repo, c Customer, o *Order, now time.Time, later *effects) error {
	if s.payFirst(o) {
		return nil // no rule decides before the money is there
	}
	rule, err := s.cfg.Membership.ApprovingRule(ctx, tx, Approvable{CustomerID: c.ID, Kind: ApprovableOrder, Amount: o.Total})
	if err != nil || rule == "" {
		return err
	}
	if err := o.Approve(RuleActor(rule), now); err != nil {
		return fmt.Errorf("rule %s approves order %s: %w", rule, o.Number, err)
	}
	n := conversation.Notice{Kind: conversation.OrderConfirmed, OrderNumber: o.Number}
	s.approved(o, &n, now)
	if err := tx.UpdateOrder(ctx, o); err != nil {
		return fmt.Errorf("rule %s approves order %s: %w", rule, o.Number, err)
	}
	e := AuditEntry{Actor: RuleActor(rule), Entity: "order", Ref: o.Number, Action: "order approve", From: string(Pending), To: string(Confirmed), At: now}
	if err := audit(ctx, tx, e); err != nil {
		return err
	}
	later.notices = append(later.notices, n)
	return nil
}

// autoApproveAfterSales lets an approval rule decide a just filed request.
func (s *Service) autoApproveAfterSales(ctx context.Context, tx Repo, c Customer, o *Order, r *AfterSales, now time.Time, later *effects) error {
	rule, err := s.cfg.Membership.ApprovingRule(ctx, tx, Approvable{CustomerID: c.ID, Kind: string(r.Type), Amount: o.Total})
	if err != nil || rule == "" {
		return err
	}
	if err := r.Approve(RuleActor(rule), "", now); err != nil {
		return fmt.Errorf("rule %s approves request %s: %w", rule, r.Number, err)
	}
	if err := tx.UpdateAfterSales(ctx, r); err != nil {
		return fmt.Errorf("rule %s approves request %s: %w", rule, r.Number, err)
	}
	e := AuditEntry{Actor: RuleActor(rule), Entity: "after_sales", Ref: r.Number, Action: ActApprove, From: string(Submitted), To: string(Approved), At: now}
	if err := audit(ctx, tx, e); err != nil {
		return err
	}
	// A rule's approval gives the money back as a staff member's does.
	rq, err := s.onlineRefund(ctx, tx, r)
	if err != nil {
		return err
	}
	if rq != nil {
		later.refunds = append(later.refunds, *rq)
	}
	later.notices = append(later.notices, conversation.Notice{
		Kind: conversation.AfterSalesApproved, OrderNumber: r.OrderNumber, RequestNumber: r.Number,
		Type: conversation.AfterSalesType(r.Type),
	})
	return nil
}

// tierChanges reports whether moving an order or request into a state can
// change its customer's tier: an order completed, or its money given back.
func tierChanges(kind, action string, r *AfterSales) bool {
	switch {
	case kind == refOrder && (action == ActComplete || action == ActRefund):
		return true
	case kind == refAfterSales && action == ActResolve && r != nil:
		return r.Type == Refund || r.Type == Return
	}
	return false
}

// recomputeTier re-evaluates the customer's tier in the transaction of the
// change that may move it, and returns the customer with the tier now held.
func (s *Service) recomputeTier(ctx context.Context, tx Repo, c Customer, now time.Time) (Customer, error) {
	if err := s.cfg.Membership.Recompute(ctx, tx, c.ID, now); err != nil {
		return c, fmt.Errorf("recompute tier of customer %d: %w", c.ID, err)
	}
	return c, s.withStanding(ctx, tx, &c)
}
