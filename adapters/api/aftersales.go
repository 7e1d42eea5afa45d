package api

import (
	"context"
	"net/http"

	"github.com/orderbot/orderbot/bot"
)

type afterSalesJSON struct {
	Number         string        `json:"number"`
	OrderNumber    string        `json:"order_number"`
	Customer       customerRef   `json:"customer"`
	Type           string        `json:"type"`
	Status         string        `json:"status"`
	Reason         string        `json:"reason"`
	DecisionReason string        `json:"decision_reason"`
	PhotoCount     int           `json:"photo_count"`
	Version        int           `json:"version"`
	CreatedAt      string        `json:"created_at"`
	History        []historyJSON `json:"history"`
}

func (h *Handler) afterSalesJSON(ctx context.Context, as []*bot.AfterSales) ([]afterSalesJSON, error) {
	ids := make([]int64, len(as))
	for i, a := range as {
		ids[i] = a.CustomerID
	}
	standings, err := h.crm.Standings(ctx, ids)
	if err != nil {
		return nil, err
	}
	cs, err := h.customersOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]afterSalesJSON, len(as))
	for i, a := range as {
		out[i] = afterSalesJSON{
			Number: a.Number, OrderNumber: a.OrderNumber,
			Customer: customerRef{ID: a.CustomerID, Name: customerName(cs[a.CustomerID]), Tier: standings[a.CustomerID].Tier},
			Type:     string(a.Type), Status: string(a.Status), Reason: a.Reason, DecisionReason: a.DecisionReason,
			PhotoCount: len(a.Media), Version: a.Version, CreatedAt: h.timeText(a.CreatedAt), History: h.history(a.History),
		}
	}
	return out, nil
}

func knownRequestStatus(s bot.RequestStatus) bool {
	switch s {
	case bot.Submitted, bot.Approved, bot.Declined, bot.Resolved:
		return true
	}
	return false
}

func (h *Handler) listAfterSales(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	v, err := query(r, "q", "status", "type", "cursor", "limit")
	if err != nil {
		return err
	}
	p, err := pageParams(v)
	if err != nil {
		return err
	}
	f := bot.AfterSalesFilter{Limit: p.limit + 1, BeforeID: p.beforeID}
	if f.Query, err = searchText(v); err != nil {
		return err
	}
	if f.Status = bot.RequestStatus(v.Get("status")); f.Status != "" && !knownRequestStatus(f.Status) {
		return invalid("status must be one of submitted, approved, rejected, resolved")
	}
	if f.Type = bot.AfterSalesType(v.Get("type")); f.Type != "" && !f.Type.Valid() {
		return invalid("type must be one of return, refund, exchange, repair, complaint")
	}
	as, err := h.store.SearchAfterSales(r.Context(), f)
	if err != nil {
		return err
	}
	as, next := nextCursor(as, p.limit, func(a *bot.AfterSales) int64 { return a.ID })
	items, err := h.afterSalesJSON(r.Context(), as)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listJSON[afterSalesJSON]{Items: items, NextCursor: next})
	return nil
}

func (h *Handler) getAfterSales(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	a, err := h.afterSales(r.Context(), r.PathValue("number"))
	if err != nil {
		return err
	}
	return h.writeAfterSales(w, r, a)
}

func (h *Handler) writeAfterSales(w http.ResponseWriter, r *http.Request, a *bot.AfterSales) error {
	items, err := h.afterSalesJSON(r.Context(), []*bot.AfterSales{a})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items[0])
	return nil
}
