package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/bot/logctx"
	"github.com/orderbot/orderbot/conversation"
)

// apply carries out what the customer asked for. Rule violations become an
// Outcome the conversation explains; only storage failures are errors.
func (s *Service) apply(ctx context.Context, tx Repo, c *Customer, it conversation.Intent, e *lazyEnv, now time.Time, later *effects) (conversation.Outcome, error) {
	switch it := it.(type) {
	case conversation.PlaceOrder:
		return s.placeOrder(ctx, tx, c, it, now, later)
	case conversation.CancelOrder:
		return s.cancelOrder(ctx, tx, *c, it.Number, now, later)
	case conversation.FileAfterSales:
		return s.fileAfterSales(ctx, tx, *c, it, now, later)
	case conversation.RequestHuman:
		return s.requestHuman(ctx, tx, *c, it.Text, now)
	case conversation.RelayToStaff:
		return s.relayToStaff(ctx, tx, *c, it, now)
	case conversation.SetConsent:
		return s.setConsent(ctx, tx, *c, it, now)
	case conversation.ApplyCoupon:
		return s.applyCoupon(ctx, *c, it, e, now)
	}
	return conversation.Outcome{}, fmt.Errorf("unknown intent %T", it)
}

func (s *Service) placeOrder(ctx context.Context, tx Repo, c *Customer, it conversation.PlaceOrder, now time.Time, later *effects) (conversation.Outcome, error) {
	items := make([]OrderItem, 0, len(it.Lines))
	var reserved []OrderItem
	// The transaction also saves the conversation, so it commits even when
	// the order fails: give back what this attempt reserved before saying no.
	undo := func(out conversation.Outcome) (conversation.Outcome, error) {
		for _, r := range reserved {
			if err := tx.ReleaseStock(ctx, r.SKU, r.Qty); err != nil {
				return out, fmt.Errorf("release %s: %w", r.SKU, err)
			}
		}
		return out, nil
	}
	for _, l := range it.Lines {
		p, err := tx.Product(ctx, l.SKU)
		if errors.Is(err, ErrNotFound) || (err == nil && !p.Active) {
			return undo(conversation.Outcome{Problem: conversation.Unavailable, SKU: l.SKU})
		}
		if err != nil {
			return conversation.Outcome{}, fmt.Errorf("load product %s: %w", l.SKU, err)
		}
		if l.Qty < 1 || l.Qty > 99 {
			return undo(conversation.Outcome{Problem: conversation.OutOfStock, SKU: l.SKU})
		}
		err = tx.ReserveStock(ctx, l.SKU, l.Qty)
		if errors.Is(err, ErrOutOfStock) {
			return undo(conversation.Outcome{Problem: conversation.OutOfStock, SKU: l.SKU})
		}
		if err != nil {
			return conversation.Outcome{}, fmt.Errorf("reserve %s: %w", l.SKU, err)
		}
		item := OrderItem{SKU: p.SKU, Name: p.Name, NameZH: p.NameZH, UnitPrice: p.Price, Qty: l.Qty}
		reserved = append(reserved, item)
		items = append(items, item)
	}
	contact := Contact{Name: it.Contact.Name, Phone: it.Contact.Phone, Address: it.Contact.Address}
	o, err := NewOrder(*c, items, contact, now)
	if err != nil {
		return undo(conversation.Outcome{Problem: conversation.Internal})
	}
	err = s.priceOrder(ctx, tx, *c, o, it.Coupon, now)
	if out, refused := couponOutcome(err); refused {
		return undo(out)
	}
	if err != nil {
		return conversation.Outcome{}, fmt.Errorf("price order: %w", err)
	}
	o.PayMethod = s.cfg.Pay.method(c.Channel, string(it.PayMethod))
	var pay *conversation.PayInfo
	if s.cfg.Pay.Flow == PayFirst {
		pay = s.askPayment(o, now)
	}
	if err := tx.CreateOrder(ctx, o); err != nil {
		return conversation.Outcome{}, fmt.Errorf("create order: %w", err)
	}
	ctx = logctx.WithOrder(ctx, o.Number)
	c.Name, c.Phone, c.Address = contact.Name, contact.Phone, contact.Address
	if err := audit(ctx, tx, AuditEntry{Actor: CustomerActor(*c), Entity: "order", Ref: o.Number, Action: "place", To: string(Pending), At: now}); err != nil {
		return conversation.Outcome{}, err
	}
	if pay != nil {
		later.notices = append(later.notices, conversation.Notice{Kind: conversation.PaymentDue, OrderNumber: o.Number, Pay: pay})
	}
	// A rule decides only an order that exists: its stock is reserved.
	if err := s.autoApproveOrder(ctx, tx, *c, o, now, later); err != nil {
		return conversation.Outcome{}, err
	}
	if err := s.queueCards(ctx, tx, s.orderCard(o, *c), now); err != nil {
		return conversation.Outcome{}, err
	}
	ask, err := s.cfg.Care.ConsentPrompt(ctx, tx, *c, now)
	if err != nil {
		return conversation.Outcome{}, fmt.Errorf("consent prompt: %w", err)
	}
	return conversation.Outcome{Number: o.Number, AskConsent: ask}, nil
}

// customerOrder finds an order by number only among the customer's own.
func customerOrder(ctx context.Context, tx Repo, c Customer, number string) (*Order, error) {
	o, err := tx.OrderByNumber(ctx, number)
	if err != nil {
		return nil, err
	}
	if o.CustomerID != c.ID {
		return nil, ErrNotFound
	}
	return o, nil
}

func (s *Service) cancelOrder(ctx context.Context, tx Repo, c Customer, number string, now time.Time, later *effects) (conversation.Outcome, error) {
	o, err := customerOrder(ctx, tx, c, number)
	if errors.Is(err, ErrNotFound) {
		return conversation.Outcome{Problem: conversation.NotFound}, nil
	}
	if err != nil {
		return conversation.Outcome{}, fmt.Errorf("load order %s: %w", number, err)
	}
	ctx = logctx.WithOrder(ctx, o.Number)
	from := string(o.Status)
	cancelled, err := o.CancelByCustomer(CustomerActor(c), now)
	switch {
	case errors.Is(err, ErrDuplicate):
		return conversation.Outcome{Problem: conversation.AlreadyPending}, nil
	case errors.Is(err, ErrNotCancellable):
		return conversation.Outcome{Problem: conversation.NotCancellable}, nil
	case err != nil:
		return conversation.Outcome{}, err
	}
	if err := tx.UpdateOrder(ctx, o); err != nil {
		return conversation.Outcome{}, fmt.Errorf("cancel order %s: %w", number, err)
	}
	if !cancelled {
		if err := audit(ctx, tx, AuditEntry{Actor: CustomerActor(c), Entity: "order", Ref: o.Number, Action: "request cancel", From: from, To: "cancel_requested", At: now}); err != nil {
			return conversation.Outcome{}, err
		}
		return conversation.Outcome{Number: o.Number, Status: "cancel_requested"},
			s.queueCards(ctx, tx, s.cancelCard(o, c), now)
	}
	if err := s.release(ctx, tx, o); err != nil {
		return conversation.Outcome{}, err
	}
	if pc := s.closeOnCancel(o); pc != nil {
		later.close = append(later.close, *pc)
	}
	if err := audit(ctx, tx, AuditEntry{Actor: CustomerActor(c), Entity: "order", Ref: o.Number, Action: "cancel", From: from, To: string(Cancelled), At: now}); err != nil {
		return conversation.Outcome{}, err
	}
	return conversation.Outcome{Number: o.Number, Status: string(Cancelled)},
		s.queueCards(ctx, tx, s.orderCard(o, c), now)
}

// release gives back what an order held when it is cancelled or rejected,
// in the same transaction: its items' stock, and its coupon's use when
// the order was never paid (money taken keeps the discount it was given).
func (s *Service) release(ctx context.Context, tx Repo, o *Order) error {
	if err := releaseItems(ctx, tx, o); err != nil {
		return err
	}
	if o.Coupon == "" || o.PaymentStatus != Unpaid {
		return nil
	}
	if err := s.cfg.Pricing.GiveBack(ctx, tx, o.Coupon); err != nil {
		return fmt.Errorf("give back coupon %s of order %s: %w", o.Coupon, o.Number, err)
	}
	return nil
}

func releaseItems(ctx context.Context, tx Repo, o *Order) error {
	for _, it := range o.Items {
		if err := tx.ReleaseStock(ctx, it.SKU, it.Qty); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("release %s of order %s: %w", it.SKU, o.Number, err)
		}
	}
	return nil
}

func (s *Service) fileAfterSales(ctx context.Context, tx Repo, c Customer, it conversation.FileAfterSales, now time.Time, later *effects) (conversation.Outcome, error) {
	o, err := customerOrder(ctx, tx, c, it.Number)
	if errors.Is(err, ErrNotFound) {
		return conversation.Outcome{Problem: conversation.NotFound}, nil
	}
	if err != nil {
		return conversation.Outcome{}, fmt.Errorf("load order %s: %w", it.Number, err)
	}
	ctx = logctx.WithOrder(ctx, o.Number)
	r, err := NewAfterSales(c, o, AfterSalesType(it.Type), it.Reason, it.Media, now)
	switch {
	case errors.Is(err, ErrNotEligible):
		return conversation.Outcome{Problem: conversation.NotEligible}, nil
	case errors.Is(err, ErrNotFound):
		return conversation.Outcome{Problem: conversation.NotFound}, nil
	case err != nil:
		return conversation.Outcome{Problem: conversation.Internal}, nil
	}
	err = tx.CreateAfterSales(ctx, r)
	if errors.Is(err, ErrDuplicate) {
		return conversation.Outcome{Problem: conversation.AlreadyOpen}, nil
	}
	if err != nil {
		return conversation.Outcome{}, fmt.Errorf("file after-sales for %s: %w", o.Number, err)
	}
	if err := audit(ctx, tx, AuditEntry{Actor: CustomerActor(c), Entity: "after_sales", Ref: r.Number, Action: "file " + string(r.Type), To: string(Submitted), Note: o.Number, At: now}); err != nil {
		return conversation.Outcome{}, err
	}
	if err := s.autoApproveAfterSales(ctx, tx, c, o, r, now, later); err != nil {
		return conversation.Outcome{}, err
	}
	return conversation.Outcome{Number: r.Number}, s.queueCards(ctx, tx, s.afterSalesCard(r, c), now)
}

func (s *Service) requestHuman(ctx context.Context, tx Repo, c Customer, text string, now time.Time) (conversation.Outcome, error) {
	h, err := tx.OpenHandoff(ctx, c.ID)
	if errors.Is(err, ErrNotFound) {
		h = &Handoff{CustomerID: c.ID, Open: true, CreatedAt: now}
		if err = tx.CreateHandoff(ctx, h); err != nil {
			return conversation.Outcome{}, fmt.Errorf("create handoff: %w", err)
		}
		if err := audit(ctx, tx, AuditEntry{Actor: CustomerActor(c), Entity: "handoff", Ref: fmt.Sprint(h.ID), Action: "request", To: "open", At: now}); err != nil {
			return conversation.Outcome{}, err
		}
	}
	if err != nil {
		return conversation.Outcome{}, fmt.Errorf("open handoff: %w", err)
	}
	if text != "" {
		l := HandoffLine{HandoffID: h.ID, CustomerID: c.ID, Author: LineCustomer, Channel: c.Channel, Text: text, At: now}
		if err := s.addLine(ctx, tx, l); err != nil {
			return conversation.Outcome{}, err
		}
	}
	return conversation.Outcome{}, s.queueHandoffCard(ctx, tx, h, c, "", nil, now)
}

// relayToStaff passes what a customer writes during a handoff to staff. When
// staff have ended the handoff meanwhile, the conversation is told so.
func (s *Service) relayToStaff(ctx context.Context, tx Repo, c Customer, it conversation.RelayToStaff, now time.Time) (conversation.Outcome, error) {
	h, err := tx.OpenHandoff(ctx, c.ID)
	if errors.Is(err, ErrNotFound) {
		return conversation.Outcome{Problem: conversation.NotFound}, nil
	}
	if err != nil {
		return conversation.Outcome{}, fmt.Errorf("open handoff: %w", err)
	}
	l := HandoffLine{HandoffID: h.ID, CustomerID: c.ID, Author: LineCustomer, Channel: c.Channel, Text: it.Text, Photos: len(it.Media), At: now}
	if err := s.addLine(ctx, tx, l); err != nil {
		return conversation.Outcome{}, err
	}
	text := it.Text
	if text == "" && len(it.Media) > 0 {
		text = s.words().Say("(photo)", "（图片）")
	}
	return conversation.Outcome{}, s.queueHandoffCard(ctx, tx, h, c, text, it.Media, now)
}

// endHandoff closes the customer's open handoff when they leave the chat
// with staff (typing menu), and tells staff.
func (s *Service) endHandoff(ctx context.Context, tx Repo, c Customer, now time.Time) error {
	h, err := tx.OpenHandoff(ctx, c.ID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open handoff: %w", err)
	}
	h.Open, h.ClosedAt, h.ClosedBy = false, now, "the customer"
	if err := tx.UpdateHandoff(ctx, h); err != nil {
		return fmt.Errorf("close handoff: %w", err)
	}
	if err := audit(ctx, tx, AuditEntry{Actor: CustomerActor(c), Entity: "handoff", Ref: fmt.Sprint(h.ID), Action: "leave", From: "open", To: "closed", At: now}); err != nil {
		return err
	}
	return s.queueHandoffCard(ctx, tx, h, c, s.words().Say("The customer left the conversation.", "客户已离开对话。"), nil, now)
}

// audit writes one audit row in the transaction of the change it records.
func audit(ctx context.Context, tx Repo, e AuditEntry) error {
	if err := tx.AddAudit(ctx, e); err != nil {
		return fmt.Errorf("audit %s %s: %w", e.Entity, e.Ref, err)
	}
	return nil
}
