package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/orderbot/orderbot/conversation"
)

// env loads what a conversation step may look at: the catalog, the
// customer's recent orders, and the orders named by number (see
// conversation.OrdersNamed) however old they are.
func (s *Service) env(ctx context.Context, tx Repo, c Customer, now time.Time, named []string) (conversation.Env, error) {
	products, err := tx.Products(ctx, true)
	if err != nil {
		return conversation.Env{}, fmt.Errorf("load catalog: %w", err)
	}
	orders, err := tx.OrdersByCustomer(ctx, c.ID, recentOrders)
	if err != nil {
		return conversation.Env{}, fmt.Errorf("load orders: %w", err)
	}
	if orders, err = addNamedOrders(ctx, tx, c, orders, named); err != nil {
		return conversation.Env{}, err
	}
	env := conversation.Env{
		Now:           now.In(s.cfg.Location), // the conversation shows times in Now's zone
		Currency:      s.cfg.Currency,
		ContactButton: s.cfg.ContactButton[c.Channel],
		TextOnly:      s.cfg.TextOnly[c.Channel],
		Profile:       conversation.Contact{Name: c.Name, Phone: c.Phone, Address: c.Address},
		Tier:          conversation.Tier{NameZH: c.Tier.NameZH, NameEN: c.Tier.NameEN},
		Catalog:       make([]conversation.Product, 0, len(products)),
		Orders:        make([]conversation.OrderView, 0, len(orders)),
	}
	if ms := s.cfg.Pay.methodsFor(c.Channel); len(ms) > 0 {
		env.PayMethods = make([]conversation.PayMethod, len(ms))
		for i, m := range ms {
			env.PayMethods[i] = conversation.PayMethod(m)
		}
	}
	for _, p := range products {
		env.Catalog = append(env.Catalog, conversation.Product{
			SKU: p.SKU, Name: p.Name, NameZH: p.NameZH, Category: p.Category, CategoryZH: p.CategoryZH,
			Description: p.Description, DescriptionZH: p.DescriptionZH, ImageURL: p.ImageURL,
			Price: p.Price, Stock: p.Stock,
		})
	}
	for _, o := range orders {
		v, err := s.orderView(ctx, tx, o)
		if err != nil {
			return conversation.Env{}, err
		}
		env.Orders = append(env.Orders, v)
	}
	return env, nil
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

// orderView is an order as its customer sees it. Its after-sales requests
// cost a query, so they are loaded only for orders in a status that allows
// them: no other order can have one.
func (s *Service) orderView(ctx context.Context, tx Repo, o *Order) (conversation.OrderView, error) {
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
		return v, nil
	}
	reqs, err := tx.AfterSalesByOrder(ctx, o.ID)
	if err != nil {
		return v, fmt.Errorf("load after-sales of %s: %w", o.Number, err)
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
	return v, nil
}

func (s OrderStatus) known() bool {
	switch s {
	case Pending, Confirmed, Rejected, Shipped, Delivered, Completed, Cancelled:
		return true
	}
	return false
}
