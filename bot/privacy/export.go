package privacy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// chatLinesKept bounds the web chat lines an export reads; the web chat
// keeps 30 days of them, far fewer in practice.
const chatLinesKept = 100000

// Export is a customer's data as they get it on request. Amounts are minor
// units, times RFC 3339 in the shop's zone.
type Export struct {
	ExportedAt   string           `json:"exported_at"`
	Customer     exportCustomer   `json:"customer"`
	Identities   []exportIdentity `json:"identities"`
	Orders       []exportOrder    `json:"orders"`
	AfterSales   []exportRequest  `json:"after_sales"`
	Conversation []exportLine     `json:"conversation"`
	// Consents is empty until customers can give consents.
	Consents []struct{} `json:"consents"`
	Tags     []string   `json:"tags"`
	Note     string     `json:"note"`
}

type exportCustomer struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	DisplayName   string `json:"display_name"`
	Phone         string `json:"phone"`
	Address       string `json:"address"`
	Lang          string `json:"lang"`
	Erased        bool   `json:"erased"`
	CreatedAt     string `json:"created_at"`
	LastMessageAt string `json:"last_message_at,omitempty"`
}

type exportIdentity struct {
	Channel string `json:"channel"`
	UserID  string `json:"user_id"`
}

type exportOrder struct {
	Number   string          `json:"number"`
	Status   string          `json:"status"`
	Channel  string          `json:"channel"`
	Items    []exportItem    `json:"items"`
	Total    int64           `json:"total"`
	Contact  exportContact   `json:"contact"`
	Carrier  string          `json:"carrier"`
	Tracking string          `json:"tracking"`
	Created  string          `json:"created_at"`
	History  []exportHistory `json:"history"`
}

type exportItem struct {
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	Qty       int    `json:"qty"`
	UnitPrice int64  `json:"unit_price"`
}

type exportContact struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Address string `json:"address"`
}

type exportHistory struct {
	At     string `json:"at"`
	Status string `json:"status"`
	By     string `json:"by"`
}

type exportRequest struct {
	Number         string          `json:"number"`
	OrderNumber    string          `json:"order_number"`
	Type           string          `json:"type"`
	Status         string          `json:"status"`
	Reason         string          `json:"reason"`
	Photos         []string        `json:"photos"`
	DecisionReason string          `json:"decision_reason"`
	Created        string          `json:"created_at"`
	History        []exportHistory `json:"history"`
}

// exportLine is one message of the conversation: from "customer" (what
// they typed in the web chat) or "shop" (every message sent to them).
type exportLine struct {
	At   string `json:"at"`
	From string `json:"from"`
	Text string `json:"text"`
}

// Export returns the customer's data; bot.ErrNotFound for an unknown one.
// Whether the caller may read it is the caller's to check (admin role).
func (s *Service) Export(ctx context.Context, customerID int64) (Export, error) {
	var out Export
	err := s.inTx(ctx, func(tx bot.Repo, r Repo) error {
		c, err := tx.Customer(ctx, customerID)
		if err != nil {
			return err
		}
		out = s.exportProfile(c)
		if err := s.exportOrders(ctx, tx, &out, customerID); err != nil {
			return err
		}
		if out.Conversation, err = s.exportConversation(ctx, tx, r, c); err != nil {
			return err
		}
		if out.Tags, err = r.CustomerTags(ctx, customerID); err != nil {
			return err
		}
		note, err := r.CustomerNote(ctx, customerID)
		if err != nil && !errors.Is(err, bot.ErrNotFound) {
			return err
		}
		out.Note = note.Text
		return nil
	})
	if err != nil {
		return Export{}, fmt.Errorf("export customer %d: %w", customerID, err)
	}
	return out, nil
}

func (s *Service) at(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.opts.Location).Format(time.RFC3339)
}

func (s *Service) exportProfile(c bot.Customer) Export {
	return Export{
		ExportedAt: s.at(s.opts.Clock()),
		Customer: exportCustomer{
			ID: c.ID, Name: c.Name, DisplayName: c.DisplayName, Phone: c.Phone, Address: c.Address,
			Lang: c.Lang, Erased: c.Erased(), CreatedAt: s.at(c.CreatedAt), LastMessageAt: s.at(c.LastInboundAt),
		},
		Identities:   []exportIdentity{{Channel: c.Channel, UserID: c.UserID}},
		Orders:       []exportOrder{},
		AfterSales:   []exportRequest{},
		Conversation: []exportLine{},
		Consents:     []struct{}{},
	}
}

func (s *Service) history(h []bot.StatusChange) []exportHistory {
	out := make([]exportHistory, len(h))
	for i, c := range h {
		out[i] = exportHistory{At: s.at(c.At), Status: c.To, By: c.Actor}
	}
	return out
}

// exportOrders adds the orders, oldest first, and their after-sales requests.
func (s *Service) exportOrders(ctx context.Context, tx bot.Repo, out *Export, customerID int64) error {
	orders, err := tx.OrdersByCustomer(ctx, customerID, 0)
	if err != nil {
		return err
	}
	slices.Reverse(orders)
	for _, o := range orders {
		eo := exportOrder{
			Number: o.Number, Status: string(o.Status), Channel: o.Channel, Total: o.Total,
			Contact: exportContact{Name: o.Contact.Name, Phone: o.Contact.Phone, Address: o.Contact.Address},
			Carrier: o.Carrier, Tracking: o.Tracking, Created: s.at(o.CreatedAt), History: s.history(o.History),
			Items: make([]exportItem, len(o.Items)),
		}
		for i, it := range o.Items {
			eo.Items[i] = exportItem{SKU: it.SKU, Name: it.Name, Qty: it.Qty, UnitPrice: it.UnitPrice}
		}
		out.Orders = append(out.Orders, eo)
		rs, err := tx.AfterSalesByOrder(ctx, o.ID)
		if err != nil {
			return err
		}
		for _, r := range rs {
			photos := r.Media
			if photos == nil {
				photos = []string{}
			}
			out.AfterSales = append(out.AfterSales, exportRequest{
				Number: r.Number, OrderNumber: r.OrderNumber, Type: string(r.Type), Status: string(r.Status),
				Reason: r.Reason, Photos: photos, DecisionReason: r.DecisionReason,
				Created: s.at(r.CreatedAt), History: s.history(r.History),
			})
		}
	}
	return nil
}

// exportConversation merges what the shop sent the customer (the outbox
// keeps 30 days) with what they typed in the web chat, oldest first.
func (s *Service) exportConversation(ctx context.Context, tx bot.Repo, r Repo, c bot.Customer) ([]exportLine, error) {
	type line struct {
		at time.Time
		exportLine
	}
	var lines []line
	if c.Channel == bot.WebChat && !c.Erased() {
		cls, err := r.ChatLines(ctx, c.UserID, chatLinesKept)
		if err != nil {
			return nil, err
		}
		for _, l := range cls {
			lines = append(lines, line{l.At, exportLine{From: "customer", Text: l.Text}})
		}
	}
	for after := int64(0); !c.Erased(); {
		ms, err := tx.Feed(ctx, c.Channel, c.UserID, after, 500)
		if err != nil {
			return nil, err
		}
		if len(ms) == 0 {
			break
		}
		for _, m := range ms {
			lines = append(lines, line{m.CreatedAt, exportLine{From: "shop", Text: m.Text}})
		}
		after = ms[len(ms)-1].ID
	}
	slices.SortStableFunc(lines, func(a, b line) int { return a.at.Compare(b.at) })
	out := make([]exportLine, len(lines))
	for i, l := range lines {
		out[i] = l.exportLine
		out[i].At = s.at(l.at)
	}
	return out, nil
}
