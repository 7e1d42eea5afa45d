package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/orderbot/orderbot/bot"
)

type orderJSON struct {
	Number          string        `json:"number"`
	Status          string        `json:"status"`
	PaymentStatus   string        `json:"payment_status"`
	Channel         string        `json:"channel"`
	Customer        customerRef   `json:"customer"`
	Items           []itemJSON    `json:"items"`
	Subtotal        int64         `json:"subtotal"`
	Discount        int64         `json:"discount"`
	Shipping        int64         `json:"shipping"`
	Total           int64         `json:"total"`
	Currency        string        `json:"currency"`
	Contact         contactJSON   `json:"contact"`
	Carrier         string        `json:"carrier"`
	Tracking        string        `json:"tracking"`
	CancelRequested bool          `json:"cancel_requested"`
	Version         int           `json:"version"`
	CreatedAt       string        `json:"created_at"`
	History         []historyJSON `json:"history"`
}

type customerRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Tier string `json:"tier"`
}

type itemJSON struct {
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	Qty       int    `json:"qty"`
	UnitPrice int64  `json:"unit_price"`
}

type contactJSON struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Address string `json:"address"`
}

type historyJSON struct {
	At     string `json:"at"`
	Status string `json:"status"`
	By     string `json:"by"`
}

type listJSON[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// customerName is what staff call a customer: the name given at checkout,
// else the platform's display name.
func customerName(c bot.Customer) string {
	if c.Name != "" {
		return c.Name
	}
	return c.DisplayName
}

func (h *Handler) history(hs []bot.StatusChange) []historyJSON {
	out := make([]historyJSON, len(hs))
	for i, c := range hs {
		out[i] = historyJSON{At: h.timeText(c.At), Status: c.To, By: c.Actor}
	}
	return out
}

func (h *Handler) orderJSON(o *bot.Order, c bot.Customer, st bot.Standing) orderJSON {
	out := orderJSON{
		Number: o.Number, Status: string(o.Status), PaymentStatus: string(o.PaymentStatus), Channel: o.Channel,
		Subtotal: o.Subtotal, Discount: o.Discount, Shipping: o.Shipping,
		Customer: customerRef{ID: o.CustomerID, Name: customerName(c), Tier: st.Tier},
		Items:    make([]itemJSON, len(o.Items)), Total: o.Total, Currency: h.opts.Currency,
		Contact: contactJSON{Name: o.Contact.Name, Phone: o.Contact.Phone, Address: o.Contact.Address},
		Carrier: o.Carrier, Tracking: o.Tracking, CancelRequested: o.CancelRequested,
		Version: o.Version, CreatedAt: h.timeText(o.CreatedAt), History: h.history(o.History),
	}
	for i, it := range o.Items {
		out.Items[i] = itemJSON{SKU: it.SKU, Name: it.Name, Qty: it.Qty, UnitPrice: it.UnitPrice}
	}
	return out
}

// customersOf loads the customers of a page of items with one query.
func (h *Handler) customersOf(ctx context.Context, ids []int64) (map[int64]bot.Customer, error) {
	slices.Sort(ids)
	cs, err := h.store.CustomersByID(ctx, slices.Compact(ids))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bot.Customer, len(cs))
	for _, c := range cs {
		out[c.ID] = c
	}
	return out, nil
}

func (h *Handler) ordersJSON(ctx context.Context, os []*bot.Order) ([]orderJSON, error) {
	ids := make([]int64, len(os))
	for i, o := range os {
		ids[i] = o.CustomerID
	}
	// Before customersOf, which sorts and compacts ids in place.
	standings, err := h.crm.Standings(ctx, ids)
	if err != nil {
		return nil, err
	}
	cs, err := h.customersOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]orderJSON, len(os))
	for i, o := range os {
		out[i] = h.orderJSON(o, cs[o.CustomerID], standings[o.CustomerID])
	}
	return out, nil
}

// knownChannel reports whether s is a channel customers order on.
func knownChannel(s string) bool {
	switch s {
	case bot.WebChat, bot.Telegram, bot.Slack, bot.WeChat:
		return true
	}
	return false
}

func knownOrderStatus(s bot.OrderStatus) bool {
	switch s {
	case bot.Pending, bot.Confirmed, bot.Rejected, bot.Shipped, bot.Delivered, bot.Completed, bot.Cancelled:
		return true
	}
	return false
}

func (h *Handler) orderFilter(r *http.Request) (bot.OrderFilter, error) {
	v, err := query(r, "q", "status", "channel", "from", "to", "customer", "cursor", "limit")
	if err != nil {
		return bot.OrderFilter{}, err
	}
	var f bot.OrderFilter
	p, err := pageParams(v)
	if err != nil {
		return f, err
	}
	f.Limit, f.BeforeID = p.limit+1, p.beforeID
	if f.Query, err = searchText(v); err != nil {
		return f, err
	}
	if f.Status = bot.OrderStatus(v.Get("status")); f.Status != "" && !knownOrderStatus(f.Status) {
		return f, invalid("status must be one of pending, confirmed, rejected, cancelled, shipped, delivered, completed")
	}
	if f.Channel = v.Get("channel"); f.Channel != "" && !knownChannel(f.Channel) {
		return f, invalid("channel must be one of webchat, telegram, slack, wechat")
	}
	if s := v.Get("customer"); s != "" {
		var ok bool
		if f.CustomerID, ok = idParam(s); !ok {
			return f, invalid("customer must be a customer id")
		}
	}
	if f.From, err = dateParam(v, "from", h.opts.Location, false); err != nil {
		return f, err
	}
	if f.To, err = dateParam(v, "to", h.opts.Location, true); err != nil {
		return f, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, invalid("from must be before to")
	}
	return f, nil
}

func (h *Handler) listOrders(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	f, err := h.orderFilter(r)
	if err != nil {
		return err
	}
	os, err := h.store.SearchOrders(r.Context(), f)
	if err != nil {
		return err
	}
	os, next := nextCursor(os, f.Limit-1, func(o *bot.Order) int64 { return o.ID })
	items, err := h.ordersJSON(r.Context(), os)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listJSON[orderJSON]{Items: items, NextCursor: next})
	return nil
}

// order finds the order of the path's number; 404 when there is none.
func (h *Handler) order(ctx context.Context, number string) (*bot.Order, error) {
	if number == "" || len(number) > 32 {
		return nil, notFound("no order %q", number)
	}
	o, err := h.store.OrderByNumber(ctx, number)
	if errors.Is(err, bot.ErrNotFound) {
		return nil, notFound("no order %q", number)
	}
	if err != nil {
		return nil, fmt.Errorf("order %s: %w", number, err)
	}
	return o, nil
}

func (h *Handler) writeOrder(w http.ResponseWriter, r *http.Request, status int, o *bot.Order) error {
	items, err := h.ordersJSON(r.Context(), []*bot.Order{o})
	if err != nil {
		return err
	}
	writeJSON(w, status, items[0])
	return nil
}

func (h *Handler) getOrder(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	o, err := h.order(r.Context(), r.PathValue("number"))
	if err != nil {
		return err
	}
	return h.writeOrder(w, r, http.StatusOK, o)
}
