package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/orderbot/orderbot/conversation"
)

// lazyEnv is what a conversation step may look at, with its costly parts
// (the catalog, the customer's orders, their tier, stock) loaded only once
// a step looks at them: most messages show none, and each is a query or
// more.
type lazyEnv struct {
	env   conversation.Env
	tx    Repo
	c     *Customer
	named []string // orders named by number (conversation.OrdersNamed), loaded with the orders
	// catalogVersion is the catalog's version the customer's lock read
	// (0: unknown, the catalog is not cached).
	catalogVersion int64
}

// newEnv is the Env of a step for c, with the catalog, the orders, the
// tier (unless c's is known) and stock left out until a step needs them.
// Loading the tier fills in c's.
func (s *Service) newEnv(tx Repo, c *Customer, catalogVersion int64, now time.Time, named []string) *lazyEnv {
	env := conversation.Env{
		Now:           now.In(s.cfg.Location), // the conversation shows times in Now's zone
		Currency:      s.cfg.Currency,
		ContactButton: s.cfg.ContactButton[c.Channel],
		TextOnly:      s.cfg.TextOnly[c.Channel],
		Profile:       conversation.Contact{Name: c.Name, Phone: c.Phone, Address: c.Address},
		Omitted:       conversation.NeedCatalog | conversation.NeedOrders | conversation.NeedTier | conversation.NeedStock,
	}
	if c.tierKnown {
		env.Tier = conversation.Tier{NameZH: c.Tier.NameZH, NameEN: c.Tier.NameEN}
		env.Omitted &^= conversation.NeedTier
	}
	if ms := s.cfg.Pay.methodsFor(c.Channel); len(ms) > 0 {
		env.PayMethods = make([]conversation.PayMethod, len(ms))
		for i, m := range ms {
			env.PayMethods[i] = conversation.PayMethod(m)
		}
	}
	return &lazyEnv{env: env, tx: tx, c: c, named: named, catalogVersion: catalogVersion}
}

// run runs a step (conversation.Step or Resolve) and, when it looked at a
// part of the Env that was left out, loads that part and runs it again:
// the step is pure, so the last run is the one it would have been with
// everything loaded. Each round loads a part or the stock of a product
// more, so the rounds end.
func (s *Service) run(ctx context.Context, e *lazyEnv, step func(conversation.Env) conversation.Result) (conversation.Result, error) {
	for {
		res := step(e.env)
		if res.Needs == 0 {
			return res, nil
		}
		if res.Needs&e.env.Omitted == 0 {
			return conversation.Result{}, fmt.Errorf("conversation step needs %b, which is loaded", res.Needs)
		}
		if res.Needs&conversation.NeedStock != 0 {
			if err := s.loadStock(ctx, e, res.StockOf); err != nil {
				return conversation.Result{}, err
			}
		}
		if err := s.load(ctx, e, res.Needs&^conversation.NeedStock); err != nil {
			return conversation.Result{}, err
		}
	}
}

// load loads the parts of the Env in need that are not loaded yet (all
// but stock, which is loaded by product).
func (s *Service) load(ctx context.Context, e *lazyEnv, need conversation.Needs) error {
	need &= e.env.Omitted &^ conversation.NeedStock
	if need&conversation.NeedCatalog != 0 {
		if err := s.loadCatalog(ctx, e); err != nil {
			return err
		}
	}
	if need&conversation.NeedOrders != 0 {
		if err := s.loadOrders(ctx, e); err != nil {
			return err
		}
	}
	if need&conversation.NeedTier != 0 {
		if err := s.knowStanding(ctx, e.tx, e.c); err != nil {
			return err
		}
		e.env.Tier = conversation.Tier{NameZH: e.c.Tier.NameZH, NameEN: e.c.Tier.NameEN}
	}
	e.env.Omitted &^= need
	return nil
}

// loadOrders loads the customer's recent orders and those named by number
// however old they are.
func (s *Service) loadOrders(ctx context.Context, e *lazyEnv) error {
	orders, err := e.tx.OrdersByCustomer(ctx, e.c.ID, recentOrders)
	if err != nil {
		return fmt.Errorf("load orders: %w", err)
	}
	if orders, err = addNamedOrders(ctx, e.tx, *e.c, orders, e.named); err != nil {
		return err
	}
	reqs, err := afterSalesOf(ctx, e.tx, orders)
	if err != nil {
		return err
	}
	e.env.Orders = make([]conversation.OrderView, 0, len(orders))
	for _, o := range orders {
		e.env.Orders = append(e.env.Orders, orderView(o, reqs[o.ID]))
	}
	return nil
}

// addNamedOrders appends the customer's orders named by number that are
// not among the recent ones. They are older, so the list stays newest
// first; another customer's number is simply not found. A request number
// ("S100008") names the order it is about.
func addNamedOrders(ctx context.Context, tx Repo, c Customer, orders []*Order, named []string) ([]*Order, error) {
next:
	for _, number := range named {
		if strings.HasPrefix(number, "S") {
			r, err := tx.AfterSalesByNumber(ctx, number)
			if errors.Is(err, ErrNotFound) || (err == nil && r.CustomerID != c.ID) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("load after-sales %s: %w", number, err)
			}
			number = r.OrderNumber
		}
		for _, o := range orders {
			if strings.EqualFold(o.Number, number) {
				continue next
			}
		}
		o, err := customerOrder(ctx, tx, c, number)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load order %s: %w", number, err)
		}
		orders = append(orders, o)
	}
	return orders, nil
}

// afterSalesOf loads the after-sales requests of the orders, by order, in
// one query. Only orders in a status that allows a request can have one,
// so only those are asked about.
func afterSalesOf(ctx context.Context, tx Repo, orders []*Order) (map[int64][]*AfterSales, error) {
	var ids []int64
	for _, o := range orders {
		if o.CanAfterSales() {
			ids = append(ids, o.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	reqs, err := tx.AfterSalesByOrders(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("load after-sales of %d orders: %w", len(ids), err)
	}
	byOrder := make(map[int64][]*AfterSales, len(ids))
	for _, r := range reqs {
		byOrder[r.OrderID] = append(byOrder[r.OrderID], r)
	}
	return byOrder, nil
}

// orderView is an order as its customer sees it, with its after-sales
// requests (reqs, oldest first).
func orderView(o *Order, reqs []*AfterSales) conversation.OrderView {
	v := conversation.OrderView{
		Number: o.Number, Status: string(o.Status), Total: o.Total, CreatedAt: o.CreatedAt,
		Subtotal: o.Subtotal, Discount: o.Discount, Shipping: o.Shipping, Coupon: o.Coupon,
		PaymentStatus: string(o.PaymentStatus), PayMethod: conversation.PayMethod(o.PayMethod),
		Carrier: o.Carrier, Tracking: o.Tracking, RejectReason: o.RejectReason,
		CancelRequested: o.CancelRequested, CanCancel: o.CanCancel(),
	}
	for _, it := range o.Items {
		v.Items = append(v.Items, conversation.ItemView{Name: it.Name, NameZH: it.NameZH, Qty: it.Qty, UnitPrice: it.UnitPrice})
	}
	for _, h := range o.History {
		if h.To == string(Pending) || h.To == string(Paid) || h.To == string(Refunded) || OrderStatus(h.To).known() {
			v.Timeline = append(v.Timeline, conversation.TimelineEntry{At: h.At, Status: h.To})
		}
	}
	if !o.CanAfterSales() {
		return v
	}
	for _, r := range reqs {
		if r.Status.Open() {
			v.OpenRequest = r.Number
		}
		v.Requests = append(v.Requests, conversation.RequestView{
			Number: r.Number, Type: conversation.AfterSalesType(r.Type), Status: string(r.Status), Note: r.DecisionReason,
		})
	}
	v.CanAfterSales = v.OpenRequest == ""
	return v
}

func (s OrderStatus) known() bool {
	switch s {
	case Pending, Confirmed, Rejected, Shipped, Delivered, Completed, Cancelled:
		return true
	}
	return false
}
