package api

import (
	"net/http"

	"github.com/orderbot/orderbot/bot"
)

// customerJSON is a customer. Tiers, tags, notes and promotion consent do
// not exist yet and are empty; one customer is one channel identity until
// customers can be merged.
type customerJSON struct {
	ID                int64          `json:"id"`
	Name              string         `json:"name"`
	Phone             string         `json:"phone"`
	Address           string         `json:"address"`
	Lang              string         `json:"lang"`
	Tier              string         `json:"tier"`
	PinnedTier        string         `json:"pinned_tier"`
	Tags              []string       `json:"tags"`
	Note              string         `json:"note"`
	Identities        []identityJSON `json:"identities"`
	OrderCount        int            `json:"order_count"`
	TotalSpent        int64          `json:"total_spent"`
	AverageOrderValue int64          `json:"average_order_value"`
	FirstOrderAt      *string        `json:"first_order_at"`
	LastOrderAt       *string        `json:"last_order_at"`
	PromotionsConsent consentJSON    `json:"promotions_consent"`
}

type identityJSON struct {
	Channel string `json:"channel"`
	UserID  string `json:"user_id"`
}

type consentJSON struct {
	Granted bool    `json:"granted"`
	At      *string `json:"at"`
	Channel string  `json:"channel"`
}

func (h *Handler) customerJSON(c bot.Customer, st bot.CustomerStats) customerJSON {
	out := customerJSON{
		ID: c.ID, Name: customerName(c), Phone: c.Phone, Address: c.Address, Lang: c.Lang,
		Tags: []string{}, Identities: []identityJSON{{Channel: c.Channel, UserID: c.UserID}},
		OrderCount: st.OrderCount, TotalSpent: st.TotalSpent,
	}
	if st.OrderCount > 0 {
		// Rounded to the nearest minor unit.
		out.AverageOrderValue = (st.TotalSpent + int64(st.OrderCount)/2) / int64(st.OrderCount)
		first, last := h.timeText(st.FirstOrderAt), h.timeText(st.LastOrderAt)
		out.FirstOrderAt, out.LastOrderAt = &first, &last
	}
	return out
}

func (h *Handler) customersJSON(r *http.Request, cs []bot.Customer) ([]customerJSON, error) {
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	stats, err := h.store.CustomerStats(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]customerJSON, len(cs))
	for i, c := range cs {
		out[i] = h.customerJSON(c, stats[c.ID])
	}
	return out, nil
}

func (h *Handler) listCustomers(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	v, err := query(r, "q", "cursor", "limit")
	if err != nil {
		return err
	}
	p, err := pageParams(v)
	if err != nil {
		return err
	}
	f := bot.CustomerFilter{Limit: p.limit + 1, BeforeID: p.beforeID}
	if f.Query, err = searchText(v); err != nil {
		return err
	}
	cs, err := h.store.SearchCustomers(r.Context(), f)
	if err != nil {
		return err
	}
	cs, next := nextCursor(cs, p.limit, func(c bot.Customer) int64 { return c.ID })
	items, err := h.customersJSON(r, cs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listJSON[customerJSON]{Items: items, NextCursor: next})
	return nil
}

func (h *Handler) getCustomer(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	id, ok := idParam(r.PathValue("id"))
	if !ok {
		return notFound("no customer %q", r.PathValue("id"))
	}
	cs, err := h.store.CustomersByID(r.Context(), []int64{id})
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return notFound("no customer %d", id)
	}
	items, err := h.customersJSON(r, cs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items[0])
	return nil
}
