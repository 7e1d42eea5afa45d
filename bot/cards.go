package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/orderbot/orderbot/conversation"
)

// Card refs name the item a card is about: "<kind>:<id>".
const (
	refOrder      = "order"
	refCancel     = "cancel"
	refAfterSales = "after_sales"
	refHandoff    = "handoff"
)

// The actions staff cards offer.
const (
	ActApprove  = "approve"
	ActReject   = "reject"
	ActShip     = "ship"
	ActDeliver  = "deliver"
	ActComplete = "complete"
	ActResolve  = "resolve"
	ActReply    = "reply"
	ActClose    = "close"
)

// decideActions are the buttons of anything awaiting approval.
func decideActions() []CardAction {
	return []CardAction{
		{ID: ActApprove, Label: "Approve", Style: "primary"},
		{ID: ActReject, Label: "Reject", Input: "reason", Style: "danger"},
	}
}

func ref(kind string, id int64) string { return fmt.Sprintf("%s:%d", kind, id) }

func money(minor int64) string { return fmt.Sprintf("%d.%02d", minor/100, minor%100) }

// money shows an amount on a staff card in the shop's currency.
func (s *Service) money(minor int64) string { return s.cfg.Currency + money(minor) }

// lastChange says who made the item's latest change and when, e.g.
// "Approved by alice (webchat) at 2026-11-23 10:32 UTC".
func lastChange(h []StatusChange) string {
	if len(h) == 0 {
		return ""
	}
	last := h[len(h)-1]
	by := last.Actor
	if strings.HasPrefix(by, "customer ") {
		by = "the customer"
	}
	return fmt.Sprintf("%s by %s at %s", changeWord(last.To), by, last.At.UTC().Format("2006-01-02 15:04 UTC"))
}

// changeWord is how a card names a change that led to a status.
func changeWord(to string) string {
	switch to {
	case string(Pending):
		return "Placed"
	case string(Confirmed), string(Approved):
		return "Approved"
	case "cancel_requested":
		return "Cancel requested"
	case "cancel_rejected":
		return "Cancel request rejected"
	}
	word := strings.ReplaceAll(to, "_", " ")
	if word == "" {
		return "Changed"
	}
	return strings.ToUpper(word[:1]) + word[1:]
}

func customerLabel(c Customer) string {
	name := c.DisplayName
	if name == "" {
		name = c.Name
	}
	return fmt.Sprintf("%s (%s %s)", name, c.Channel, c.UserID)
}

// tierText names the customer's tier on a card in both languages, since
// staff read either: "Gold 金卡", "Gold 金卡 (pinned)".
func tierText(t Standing) string {
	text := strings.TrimSpace(t.NameEN + " " + t.NameZH)
	if t.Pinned {
		text += " (pinned)"
	}
	return text
}

// customerFields are the card fields that say who the customer is.
func customerFields(c Customer) []CardField {
	fs := []CardField{{Label: "Customer", Value: customerLabel(c)}}
	if c.Tier.Tier != "" {
		fs = append(fs, CardField{Label: "Tier", Value: tierText(c.Tier)})
	}
	return fs
}

// ruleField says which approval rule decided an item, when one did.
func ruleField(h []StatusChange) []CardField {
	if rule := decidingRule(h); rule != "" {
		return []CardField{{Label: "Approved by rule", Value: rule}}
	}
	return nil
}

func (s *Service) orderCard(o *Order, c Customer) Card {
	var items []string
	for _, it := range o.Items {
		items = append(items, fmt.Sprintf("%d × %s (%s) @ %s", it.Qty, it.Name, it.SKU, s.money(it.UnitPrice)))
	}
	card := Card{
		Ref:   ref(refOrder, o.ID),
		Title: fmt.Sprintf("Order %s: %s", o.Number, o.Status),
		Fields: append(customerFields(c),
			CardField{Label: "Items", Value: strings.Join(items, "\n")},
			CardField{Label: "Total", Value: s.money(o.Total)},
			CardField{Label: "Ship to", Value: fmt.Sprintf("%s, %s, %s", o.Contact.Name, o.Contact.Phone, o.Contact.Address)},
		),
		Status:  lastChange(o.History),
		Version: o.Version,
	}
	card.Fields = append(card.Fields, ruleField(o.History)...)
	if o.Tracking != "" {
		card.Fields = append(card.Fields, CardField{Label: "Tracking", Value: o.Carrier + " " + o.Tracking})
	}
	if o.RejectReason != "" {
		card.Fields = append(card.Fields, CardField{Label: "Reject reason", Value: o.RejectReason})
	}
	switch {
	case o.Status == Pending:
		card.Actions = decideActions()
	case o.Status == Confirmed && o.CancelRequested:
		card.Status += " · cancel requested by the customer"
	case o.Status == Confirmed:
		card.Actions = []CardAction{{ID: ActShip, Label: "Mark shipped", Input: "shipping", Style: "primary"}}
	case o.Status == Shipped:
		card.Actions = []CardAction{{ID: ActDeliver, Label: "Mark delivered", Style: "primary"}}
	case o.Status == Delivered:
		card.Actions = []CardAction{{ID: ActComplete, Label: "Complete"}}
	}
	return card
}

func (s *Service) cancelCard(o *Order, c Customer) Card {
	card := Card{
		Ref:   ref(refCancel, o.ID),
		Title: fmt.Sprintf("Cancel request for order %s", o.Number),
		Fields: append(customerFields(c),
			CardField{Label: "Order status", Value: string(o.Status)},
			CardField{Label: "Total", Value: s.money(o.Total)},
		),
		Status:  lastChange(o.History),
		Version: o.Version,
	}
	if o.CancelRequested {
		card.Actions = decideActions()
	}
	return card
}

func afterSalesCard(r *AfterSales, c Customer) Card {
	card := Card{
		Ref:   ref(refAfterSales, r.ID),
		Title: fmt.Sprintf("After-sales %s (%s) for order %s: %s", r.Number, r.Type, r.OrderNumber, r.Status),
		Fields: append(customerFields(c),
			CardField{Label: "Type", Value: string(r.Type)},
			CardField{Label: "Reason", Value: r.Reason},
		),
		Status:  lastChange(r.History),
		Version: r.Version,
		Media:   r.Media,
	}
	card.Fields = append(card.Fields, ruleField(r.History)...)
	if r.DecisionReason != "" {
		card.Fields = append(card.Fields, CardField{Label: "Decision reason", Value: r.DecisionReason})
	}
	switch r.Status {
	case Submitted:
		card.Actions = decideActions()
	case Approved:
		card.Actions = []CardAction{{ID: ActResolve, Label: "Mark resolved", Style: "primary"}}
	}
	return card
}

// queueCards posts or updates the card on every staff channel.
func (s *Service) queueCards(ctx context.Context, tx Repo, card Card, now time.Time) error {
	msgs := make([]*Message, 0, len(s.cfg.StaffChannels))
	for _, ch := range s.cfg.StaffChannels {
		c := card
		msgs = append(msgs, &Message{Channel: ch, Recipient: StaffRecipient, Kind: KindCard, Card: &c, NextAt: now, CreatedAt: now})
	}
	if err := tx.Enqueue(ctx, msgs); err != nil {
		return fmt.Errorf("queue card %s: %w", card.Ref, err)
	}
	return nil
}

// queueThread tells every staff channel what happened on a card's item: in
// the card's thread where the channel has threads, by showing the card
// otherwise.
func (s *Service) queueThread(ctx context.Context, tx Repo, card Card, text string, now time.Time) error {
	msgs := make([]*Message, 0, len(s.cfg.StaffChannels))
	for _, ch := range s.cfg.StaffChannels {
		c := card
		msgs = append(msgs, &Message{Channel: ch, Recipient: StaffRecipient, Kind: KindThread, Text: text, Card: &c, NextAt: now, CreatedAt: now})
	}
	if err := tx.Enqueue(ctx, msgs); err != nil {
		return fmt.Errorf("queue thread message on %s: %w", card.Ref, err)
	}
	return nil
}

// notify queues a proactive message to the customer in their language.
func (s *Service) notify(ctx context.Context, tx Repo, c Customer, n conversation.Notice, now time.Time) error {
	lang := conversation.ParseLang(c.Lang)
	r := conversation.RenderNotice(lang, n)
	m := &Message{
		Channel: c.Channel, Recipient: c.UserID, Kind: KindNotice, Text: r.Text, Options: r.Options,
		Notice: &n, Lang: string(lang), NextAt: now, CreatedAt: now,
	}
	if err := tx.Enqueue(ctx, []*Message{m}); err != nil {
		return fmt.Errorf("queue notice %s: %w", n.Kind, err)
	}
	return nil
}
