package webchat

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/tier"
)

type customerRow struct {
	Customer bot.Customer
	Name     string
}

type customersPage struct {
	V    *viewer
	Q    string
	Rows []customerRow
	Next string
}

func (h *Handler) customersPage(r *http.Request, vw *viewer) (string, any, error) {
	v, err := query(r)
	if err != nil {
		return "", nil, err
	}
	p, err := pageOf(v)
	if err != nil {
		return "", nil, err
	}
	q, err := searchText(v)
	if err != nil {
		return "", nil, err
	}
	cs, err := h.opts.Records.SearchCustomers(r.Context(), bot.CustomerFilter{Query: q, BeforeID: p.beforeID, Limit: p.limit + 1})
	if err != nil {
		return "", nil, fmt.Errorf("search customers: %w", err)
	}
	page := customersPage{V: vw, Q: q}
	if len(cs) > p.limit {
		cs = cs[:p.limit]
		page.Next = nextLink(r, cs[len(cs)-1].ID)
	}
	for _, c := range cs {
		page.Rows = append(page.Rows, customerRow{Customer: c, Name: customerName(c, nil)})
	}
	return "customers", page, nil
}

// handoffView is one handoff with its audit trail: who asked, replied and
// ended it, and when.
type handoffView struct {
	Handoff *bot.Handoff
	Audit   []bot.AuditEntry
	// Lines is the end of the conversation; Earlier says there is more.
	Lines   []bot.HandoffLine
	Earlier bool
}

type customerPage struct {
	V          *viewer
	Customer   bot.Customer
	Name       string
	Stats      bot.CustomerStats
	Average    int64
	Orders     []orderRow
	Next       string
	AfterSales []*bot.AfterSales
	Handoffs   []handoffView
	// MoreHandoffs is how many handoffs are shown when there are more.
	MoreHandoffs int
	// Care is consent and surveys, nil where the records keep none.
	Care *careView
	// Profile is the customer's tier, tags and note, nil without a CRM;
	// TagText is the tags as the form edits them; Tiers may be pinned.
	Profile *Profile
	TagText string
	Tiers   []tier.Tier
	// Identities are every channel identity of the customer, merged ones too.
	Identities []bot.Identity
}

// maxHandoffs is how many of a customer's handoffs their page shows.
const maxHandoffs = 20

// customerPage shows everything about one customer. Their orders are paged
// like a search; their requests are few (one per order at a time) and all
// shown, their handoffs the latest maxHandoffs.
func (h *Handler) customerPage(r *http.Request, vw *viewer) (string, any, error) {
	v, err := query(r)
	if err != nil {
		return "", nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return "", nil, errNoPage
	}
	p, err := pageOf(v)
	if err != nil {
		return "", nil, err
	}
	ctx := r.Context()
	rec := h.opts.Records
	cs, err := rec.CustomersByID(ctx, []int64{id})
	if err != nil {
		return "", nil, fmt.Errorf("customer %d: %w", id, err)
	}
	if len(cs) == 0 {
		return "", nil, errNoPage
	}
	page := customerPage{V: vw, Customer: cs[0], Name: customerName(cs[0], nil)}
	stats, err := rec.CustomerStats(ctx, []int64{id})
	if err != nil {
		return "", nil, fmt.Errorf("customer %d: %w", id, err)
	}
	page.Stats = stats[id]
	ids, err := rec.CustomerIdentities(ctx, []int64{id})
	if err != nil {
		return "", nil, fmt.Errorf("customer %d: %w", id, err)
	}
	page.Identities = ids[id]
	if page.Stats.OrderCount > 0 {
		page.Average = page.Stats.TotalSpent / int64(page.Stats.OrderCount)
	}
	if err := h.customerProfile(ctx, id, &page); err != nil {
		return "", nil, fmt.Errorf("customer %d: %w", id, err)
	}
	if err := h.customerHistory(r, id, p, &page); err != nil {
		return "", nil, fmt.Errorf("customer %d: %w", id, err)
	}
	if page.Care, err = h.careOf(r.Context(), id); err != nil {
		return "", nil, fmt.Errorf("customer %d: %w", id, err)
	}
	return "customer", page, nil
}

// customerHistory fills in the customer's orders (a page of them), their
// after-sales requests and their latest handoffs with their audit trails.
func (h *Handler) customerHistory(r *http.Request, id int64, p paging, page *customerPage) error {
	ctx, rec := r.Context(), h.opts.Records
	os, err := rec.SearchOrders(ctx, bot.OrderFilter{CustomerID: id, BeforeID: p.beforeID, Limit: p.limit + 1})
	if err != nil {
		return fmt.Errorf("orders: %w", err)
	}
	if len(os) > p.limit {
		os = os[:p.limit]
		page.Next = nextLink(r, os[len(os)-1].ID)
	}
	if page.Name == "" && len(os) > 0 {
		page.Name = os[0].Contact.Name // the name of their latest checkout
	}
	for _, o := range os {
		page.Orders = append(page.Orders, orderRow{Order: o, Customer: page.Name})
	}
	if page.AfterSales, err = rec.AfterSalesOfCustomer(ctx, id, 0); err != nil {
		return err
	}
	// A customer can ask for a person again and again; each handoff costs
	// a query, so the page shows the latest ones and says so.
	hs, err := rec.HandoffsOfCustomer(ctx, id, maxHandoffs+1)
	if err != nil {
		return err
	}
	if len(hs) > maxHandoffs {
		hs, page.MoreHandoffs = hs[:maxHandoffs], maxHandoffs
	}
	for _, ho := range hs {
		a, err := rec.Audit(ctx, "handoff", strconv.FormatInt(ho.ID, 10))
		if err != nil {
			return err
		}
		lines, earlier, err := h.handoffLines(ctx, ho.ID)
		if err != nil {
			return err
		}
		page.Handoffs = append(page.Handoffs, handoffView{Handoff: ho, Audit: a, Lines: lines, Earlier: earlier})
	}
	return nil
}

// IdentityOf is Identity for one of a customer's identities.
func (v *viewer) IdentityOf(i bot.Identity) string {
	return v.Identity(bot.Customer{Channel: i.Channel, UserID: i.UserID, DisplayName: i.DisplayName})
}

// Identity is how a customer is known on their channel, as staff read it:
// the channel's label and the platform's name or id, except for web chat
// visitors, whose id is a random token that means nothing to a person.
func (v *viewer) Identity(c bot.Customer) string {
	label := v.ChannelName(c.Channel)
	switch {
	case c.Channel == bot.WebChat:
		return label + " · " + v.T("Web chat visitor")
	case c.DisplayName != "":
		return label + " · " + c.DisplayName + " (" + c.UserID + ")"
	}
	return label + " · " + c.UserID
}
