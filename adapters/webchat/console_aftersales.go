package webchat

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/orderbot/orderbot/bot"
)

func requestStatuses() []bot.RequestStatus {
	return []bot.RequestStatus{bot.Submitted, bot.Approved, bot.Resolved, bot.Declined}
}

func requestTypes() []bot.AfterSalesType {
	return []bot.AfterSalesType{bot.Return, bot.Refund, bot.Exchange, bot.Repair, bot.Complaint}
}

type requestRow struct {
	Request  *bot.AfterSales
	Customer string
}

type afterSalesListPage struct {
	V        *viewer
	Q        string
	Status   string
	Type     string
	Statuses []bot.RequestStatus
	Types    []bot.AfterSalesType
	Rows     []requestRow
	Next     string
}

func (h *Handler) afterSalesListPage(r *http.Request, vw *viewer) (string, any, error) {
	v, err := query(r)
	if err != nil {
		return "", nil, err
	}
	p, err := pageOf(v)
	if err != nil {
		return "", nil, err
	}
	f := bot.AfterSalesFilter{BeforeID: p.beforeID, Limit: p.limit + 1}
	if f.Query, err = searchText(v); err != nil {
		return "", nil, err
	}
	if f.Status = bot.RequestStatus(v.Get("status")); f.Status != "" && !slices.Contains(requestStatuses(), f.Status) {
		return "", nil, invalidParam("status must be one of submitted, approved, resolved, rejected")
	}
	if f.Type = bot.AfterSalesType(v.Get("type")); f.Type != "" && !f.Type.Valid() {
		return "", nil, invalidParam("type must be one of return, refund, exchange, repair, complaint")
	}
	rs, err := h.opts.Records.SearchAfterSales(r.Context(), f)
	if err != nil {
		return "", nil, fmt.Errorf("search after-sales: %w", err)
	}
	page := afterSalesListPage{V: vw, Q: f.Query, Status: string(f.Status), Type: string(f.Type),
		Statuses: requestStatuses(), Types: requestTypes()}
	if len(rs) > p.limit {
		rs = rs[:p.limit]
		page.Next = nextLink(r, rs[len(rs)-1].ID)
	}
	ids := make([]int64, len(rs))
	for i, a := range rs {
		ids[i] = a.CustomerID
	}
	cs, err := h.customersByID(r.Context(), ids)
	if err != nil {
		return "", nil, err
	}
	for _, a := range rs {
		page.Rows = append(page.Rows, requestRow{Request: a, Customer: customerName(cs[a.CustomerID], nil)})
	}
	return "after-sales-list", page, nil
}

type afterSalesPage struct {
	V        *viewer
	Request  *bot.AfterSales
	Customer bot.Customer
	Name     string
	Audit    []bot.AuditEntry
	Cards    []bot.WorkCard
}

func (h *Handler) afterSalesPage(r *http.Request, vw *viewer) (string, any, error) {
	if _, err := query(r); err != nil {
		return "", nil, err
	}
	number := r.PathValue("number")
	if number == "" || len(number) > 32 {
		return "", nil, errNoPage
	}
	ctx := r.Context()
	a, err := h.opts.Records.AfterSalesByNumber(ctx, number)
	if err != nil {
		return "", nil, fmt.Errorf("after-sales %s: %w", number, err)
	}
	page := afterSalesPage{V: vw, Request: a}
	cs, err := h.customersByID(ctx, []int64{a.CustomerID})
	if err != nil {
		return "", nil, err
	}
	page.Customer = cs[a.CustomerID]
	page.Name = customerName(page.Customer, nil)
	if page.Audit, err = h.opts.Records.Audit(ctx, "after_sales", a.Number); err != nil {
		return "", nil, fmt.Errorf("audit of %s: %w", number, err)
	}
	if page.Cards, err = h.svc.WorkCards(ctx, []bot.WorkItem{{Kind: bot.WorkAfterSales, ID: a.ID}}); err != nil {
		return "", nil, fmt.Errorf("card of %s: %w", number, err)
	}
	return "after-sales", page, nil
}
