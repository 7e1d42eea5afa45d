package webchat

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/orderbot/orderbot/bot"
)

// orderStatuses are the statuses an order search may ask for, in lifecycle order.
func orderStatuses() []bot.OrderStatus {
	return []bot.OrderStatus{bot.Pending, bot.Confirmed, bot.Shipped, bot.Delivered, bot.Completed, bot.Rejected, bot.Cancelled}
}

func customerChannels() []string { return []string{bot.WebChat, bot.Telegram, bot.WeChat, bot.Slack} }

// orderRow is one order in a list, with its customer's name.
type orderRow struct {
	Order    *bot.Order
	Customer string
}

type ordersPage struct {
	V        *viewer
	Q        string
	Status   string
	Channel  string
	From, To string
	Statuses []bot.OrderStatus
	Channels []string
	Rows     []orderRow
	Next     string
}

func (h *Handler) orderFilter(v url.Values) (bot.OrderFilter, paging, error) {
	var f bot.OrderFilter
	p, err := pageOf(v)
	if err != nil {
		return f, p, err
	}
	f.Limit, f.BeforeID = p.limit+1, p.beforeID
	if f.Query, err = searchText(v); err != nil {
		return f, p, err
	}
	if f.Status = bot.OrderStatus(v.Get("status")); f.Status != "" && !slices.Contains(orderStatuses(), f.Status) {
		return f, p, invalidParam("status must be one of pending, confirmed, shipped, delivered, completed, rejected, cancelled")
	}
	if f.Channel = v.Get("channel"); f.Channel != "" && !slices.Contains(customerChannels(), f.Channel) {
		return f, p, invalidParam("channel must be one of webchat, telegram, wechat, slack")
	}
	if f.From, err = dateOf(v, "from", h.opts.Location, false); err != nil {
		return f, p, err
	}
	if f.To, err = dateOf(v, "to", h.opts.Location, true); err != nil {
		return f, p, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, p, invalidParam("from must not be after to")
	}
	return f, p, nil
}

func (h *Handler) ordersPage(r *http.Request, vw *viewer) (string, any, error) {
	v, err := query(r)
	if err != nil {
		return "", nil, err
	}
	f, p, err := h.orderFilter(v)
	if err != nil {
		return "", nil, err
	}
	os, err := h.opts.Records.SearchOrders(r.Context(), f)
	if err != nil {
		return "", nil, fmt.Errorf("search orders: %w", err)
	}
	page := ordersPage{V: vw, Q: f.Query, Status: string(f.Status), Channel: f.Channel,
		From: v.Get("from"), To: v.Get("to"), Statuses: orderStatuses(), Channels: customerChannels()}
	if len(os) > p.limit {
		os = os[:p.limit]
		page.Next = nextLink(r, os[len(os)-1].ID)
	}
	if page.Rows, err = h.orderRows(r.Context(), os); err != nil {
		return "", nil, err
	}
	return "orders", page, nil
}

// orderRows names the customer of each order with one query.
func (h *Handler) orderRows(ctx context.Context, os []*bot.Order) ([]orderRow, error) {
	ids := make([]int64, len(os))
	for i, o := range os {
		ids[i] = o.CustomerID
	}
	cs, err := h.customersByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	rows := make([]orderRow, len(os))
	for i, o := range os {
		rows[i] = orderRow{Order: o, Customer: customerName(cs[o.CustomerID], o)}
	}
	return rows, nil
}

func (h *Handler) customersByID(ctx context.Context, ids []int64) (map[int64]bot.Customer, error) {
	slices.Sort(ids)
	cs, err := h.opts.Records.CustomersByID(ctx, slices.Compact(ids))
	if err != nil {
		return nil, fmt.Errorf("customers: %w", err)
	}
	out := make(map[int64]bot.Customer, len(cs))
	for _, c := range cs {
		out[c.ID] = c
	}
	return out, nil
}

// customerName is what staff call a customer: the name given at checkout,
// else the platform's display name, else the order's contact.
func customerName(c bot.Customer, o *bot.Order) string {
	switch {
	case c.Name != "":
		return c.Name
	case c.DisplayName != "":
		return c.DisplayName
	case o != nil:
		return o.Contact.Name
	}
	return ""
}

type orderPage struct {
	V          *viewer
	Order      *bot.Order
	Customer   bot.Customer
	Name       string
	Subtotal   int64
	Audit      []bot.AuditEntry
	AfterSales []*bot.AfterSales
	Cards      []bot.WorkCard
}

func (h *Handler) orderPage(r *http.Request, vw *viewer) (string, any, error) {
	if _, err := query(r); err != nil {
		return "", nil, err
	}
	number := r.PathValue("number")
	if number == "" || len(number) > 32 {
		return "", nil, errNoPage
	}
	ctx := r.Context()
	o, err := h.opts.Records.OrderByNumber(ctx, number)
	if err != nil {
		return "", nil, fmt.Errorf("order %s: %w", number, err)
	}
	page := orderPage{V: vw, Order: o}
	cs, err := h.customersByID(ctx, []int64{o.CustomerID})
	if err != nil {
		return "", nil, err
	}
	page.Customer = cs[o.CustomerID]
	page.Name = customerName(page.Customer, o)
	for _, it := range o.Items {
		page.Subtotal += it.UnitPrice * int64(it.Qty)
	}
	if page.Audit, err = h.opts.Records.Audit(ctx, "order", o.Number); err != nil {
		return "", nil, fmt.Errorf("audit of order %s: %w", number, err)
	}
	if page.AfterSales, err = h.opts.Records.AfterSalesByOrder(ctx, o.ID); err != nil {
		return "", nil, fmt.Errorf("after-sales of order %s: %w", number, err)
	}
	items := []bot.WorkItem{{Kind: bot.WorkNew, ID: o.ID}}
	if o.CancelRequested {
		items = append(items, bot.WorkItem{Kind: bot.WorkCancel, ID: o.ID})
	}
	if page.Cards, err = h.svc.WorkCards(ctx, items); err != nil {
		return "", nil, fmt.Errorf("cards of order %s: %w", number, err)
	}
	return "order", page, nil
}
