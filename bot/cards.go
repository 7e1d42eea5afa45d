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
	ActApprove = "approve"
	// ActApproveNote approves an after-sales request with a note for the
	// customer (where to send the goods, when the refund arrives). A
	// button of its own: a card's buttons need distinct actions.
	ActApproveNote = "approve_note"
	ActReject      = "reject"
	ActShip        = "ship"
	ActDeliver     = "deliver"
	ActComplete    = "complete"
	ActResolve     = "resolve"
	ActReply       = "reply"
	ActClose       = "close"
)

// decideActions are the buttons of anything awaiting approval.
func (w StaffWords) decideActions() []CardAction {
	return []CardAction{
		{ID: ActApprove, Label: w.Say("Approve", "批准"), Style: "primary"},
		{ID: ActReject, Label: w.Say("Reject", "拒绝"), Input: "reason", Style: "danger"},
	}
}

func ref(kind string, id int64) string { return fmt.Sprintf("%s:%d", kind, id) }

// lastChange says who made the item's latest change and when, e.g.
// "由 张三（网页后台）于 11月30日 10:32（UTC+8）批准".
func (w StaffWords) lastChange(h []StatusChange) string {
	if len(h) == 0 {
		return ""
	}
	last := h[len(h)-1]
	return w.byAt(last.To, last.Actor, last.At)
}

// customerLabel names a customer by name and channel, never by their
// platform id, which means nothing to staff.
func (w StaffWords) customerLabel(c Customer) string {
	name := c.DisplayName
	if name == "" {
		name = c.Name
	}
	if name == "" {
		return w.Sayf("%s customer", "%s客户", w.Channel(c.Channel))
	}
	return name + w.paren(w.Channel(c.Channel))
}

// tierText names the customer's tier, and says when staff set it by hand:
// "金卡（手动设定）", "Gold (set by staff)".
func (w StaffWords) tierText(t Standing) string {
	text := w.Say(t.NameEN, t.NameZH)
	if text == "" {
		text = strings.TrimSpace(t.NameEN + " " + t.NameZH)
	}
	if t.Pinned {
		text += w.paren(w.Say("set by staff", "手动设定"))
	}
	return text
}

// customerFields are the card fields that say who the customer is.
func (w StaffWords) customerFields(c Customer) []CardField {
	fs := []CardField{{Label: w.Say("Customer", "客户"), Value: w.customerLabel(c)}}
	if c.Tier.Tier != "" {
		fs = append(fs, CardField{Label: w.Say("Tier", "会员等级"), Value: w.tierText(c.Tier)})
	}
	return fs
}

// ruleField says which approval rule decided an item, when one did.
func (w StaffWords) ruleField(h []StatusChange) []CardField {
	if rule := decidingRule(h); rule != "" {
		return []CardField{{Label: w.Say("Approved by rule", "自动批准规则"), Value: rule}}
	}
	return nil
}

// itemLine is one line of an order on a card, with the product's Chinese
// name for Chinese staff when it has one.
func (w StaffWords) itemLine(it OrderItem) string {
	if w.zh {
		name := it.NameZH
		if name == "" {
			name = it.Name
		}
		return fmt.Sprintf("%s（%s）× %d，单价 %s", name, it.SKU, it.Qty, w.Money(it.UnitPrice))
	}
	return fmt.Sprintf("%d × %s (%s) @ %s", it.Qty, it.Name, it.SKU, w.Money(it.UnitPrice))
}

func (s *Service) orderCard(o *Order, c Customer) Card {
	w := s.words()
	var items []string
	for _, it := range o.Items {
		items = append(items, w.itemLine(it))
	}
	card := Card{
		Ref:   ref(refOrder, o.ID),
		Title: w.Sayf("Order %s · %s", "订单 %s · %s", o.Number, w.orderStatus(o.Status)),
		Fields: append(append(w.customerFields(c),
			CardField{Label: w.Say("Items", "商品"), Value: strings.Join(items, "\n")},
			w.priceField(o),
			w.paymentField(o)),
			CardField{Label: w.Say("Ship to", "收货信息"), Value: strings.Join([]string{o.Contact.Name, o.Contact.Phone, o.Contact.Address}, w.Say(", ", "，"))},
		),
		Status:  w.lastChange(o.History),
		Version: o.Version,
	}
	card.Fields = append(card.Fields, w.ruleField(o.History)...)
	if o.Tracking != "" {
		card.Fields = append(card.Fields, CardField{Label: w.Say("Tracking", "物流"), Value: o.Carrier + " " + o.Tracking})
	}
	if o.RejectReason != "" {
		card.Fields = append(card.Fields, CardField{Label: w.Say("Reject reason", "拒绝原因"), Value: o.RejectReason})
	}
	switch {
	case o.Status == Pending && s.payFirst(o):
		card.Actions = w.decideActions()[1:] // reject only: approval waits for the money
		card.Status += w.Say(" · awaiting payment", " · 等待客户付款")
	case o.Status == Pending:
		card.Actions = w.decideActions()
	case o.Status == Confirmed && o.CancelRequested:
		card.Status += w.Say(" · the customer asked to cancel", " · 客户已申请取消")
	case o.Status == Confirmed:
		card.Actions = []CardAction{{ID: ActShip, Label: w.Say("Mark shipped", "标记已发货"), Input: "shipping", Style: "primary"}}
	case o.Status == Shipped:
		card.Actions = []CardAction{{ID: ActDeliver, Label: w.Say("Mark delivered", "标记已送达"), Style: "primary"}}
	case o.Status == Delivered:
		card.Actions = []CardAction{{ID: ActComplete, Label: w.Say("Complete", "完成订单")}}
	}
	card.Actions = append(card.Actions, w.markPaidAction(o)...)
	return card
}

func (s *Service) cancelCard(o *Order, c Customer) Card {
	w := s.words()
	card := Card{
		Ref:   ref(refCancel, o.ID),
		Title: w.Sayf("Cancel request for order %s", "订单 %s 的取消申请", o.Number),
		Fields: append(w.customerFields(c),
			CardField{Label: w.Say("Order status", "订单状态"), Value: w.orderStatus(o.Status)},
			CardField{Label: w.Say("Total", "合计"), Value: w.Money(o.Total)},
		),
		Status:  w.lastChange(o.History),
		Version: o.Version,
	}
	if o.CancelRequested {
		card.Actions = w.decideActions()
	}
	return card
}

func (s *Service) afterSalesCard(r *AfterSales, c Customer) Card {
	w := s.words()
	card := Card{
		Ref: ref(refAfterSales, r.ID),
		Title: w.Sayf("After-sales %s · %s · order %s · %s", "售后 %s · %s · 订单 %s · %s",
			r.Number, w.requestType(r.Type), r.OrderNumber, w.requestStatus(r.Status)),
		Fields: append(w.customerFields(c),
			CardField{Label: w.Say("Type", "类型"), Value: w.requestType(r.Type)},
			CardField{Label: w.Say("Reason", "原因"), Value: r.Reason},
		),
		Status:  w.lastChange(r.History),
		Version: r.Version,
		Media:   r.Media,
	}
	card.Fields = append(card.Fields, w.ruleField(r.History)...)
	if r.DecisionReason != "" {
		card.Fields = append(card.Fields, CardField{Label: w.Say("Decision reason", "处理说明"), Value: r.DecisionReason})
	}
	switch r.Status {
	case Submitted:
		// An approval may tell the customer the next step: where to send
		// a return, when a refund arrives.
		decide := w.decideActions()
		card.Actions = []CardAction{decide[0],
			{ID: ActApproveNote, Label: w.Say("Approve with a note", "批准并留言"), Input: "note"}, decide[1]}
	case Approved:
		card.Actions = []CardAction{{ID: ActResolve, Label: w.Say("Mark resolved", "标记已解决"), Style: "primary"}}
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
// An erased customer has no address left to reach.
func (s *Service) notify(ctx context.Context, tx Repo, c Customer, n conversation.Notice, now time.Time) error {
	if c.Erased() {
		return nil
	}
	lang := conversation.ParseLang(c.Lang)
	n = s.withPayLink(n, c)
	r := conversation.RenderNotice(lang, n)
	m := &Message{
		Channel: c.Channel, Recipient: c.UserID, Kind: KindNotice, Text: r.Text, Options: r.Options,
		ImageURL: r.Image, Notice: &n, Lang: string(lang), NextAt: now, CreatedAt: now,
	}
	if err := tx.Enqueue(ctx, []*Message{m}); err != nil {
		return fmt.Errorf("queue notice %s: %w", n.Kind, err)
	}
	return nil
}
