package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot/logctx"
	"github.com/orderbot/orderbot/conversation"
)

// requiredRole is the weakest role allowed to take an action on a kind of
// card; "" means there is no such action.
func requiredRole(kind, action string) Role {
	switch kind + ":" + action {
	case "order:approve", "order:reject", "cancel:approve", "cancel:reject",
		"after_sales:approve", "after_sales:" + ActApproveNote, "after_sales:reject", "order:" + ActMarkPaid, "order:" + ActRefund,
		RefBroadcast + ":" + ActApprove, RefBroadcast + ":" + ActReject:
		return Approver
	case "order:ship", "order:deliver", "order:complete", "after_sales:resolve",
		"handoff:reply", "handoff:close", "survey:close":
		return Agent
	}
	return ""
}

func parseRef(s string) (kind string, id int64, err error) {
	kind, num, ok := strings.Cut(s, ":")
	id, perr := strconv.ParseInt(num, 10, 64)
	if !ok || perr != nil || id <= 0 {
		return "", 0, fmt.Errorf("%w: card %q", ErrNotFound, s)
	}
	switch kind {
	case refOrder, refCancel, refAfterSales, refHandoff, RefSurvey, RefBroadcast:
		return kind, id, nil
	}
	return "", 0, fmt.Errorf("%w: card %q", ErrNotFound, s)
}

// HandleStaffAction authorizes a staff member's button press and applies it
// in one transaction. When two staff decide at once, one decision stands
// and the other gets a *DecidedError naming who decided. On a refused action
// the result still carries the item's current card.
func (s *Service) HandleStaffAction(ctx context.Context, a StaffAction) (StaffResult, error) {
	kind, id, err := parseRef(a.Ref)
	if err != nil {
		return StaffResult{Note: s.words().refusal(err)}, err
	}
	ctx = logctx.Scope(ctx)
	var res StaffResult
	run := func() error {
		return s.store.InTx(ctx, func(tx Repo) error {
			var err error
			res, err = s.staffAction(ctx, tx, kind, id, a)
			return err
		})
	}
	err = run()
	if errors.Is(err, ErrConflict) {
		// Someone changed the item between our read and our write: run again
		// on the new state, which then explains who was first.
		err = run()
	}
	if err != nil {
		res.Note = s.words().refusal(err)
		return res, fmt.Errorf("%s on %s: %w", a.Action, a.Ref, err)
	}
	s.log.InfoContext(ctx, "staff action applied", "channel", a.Channel, "ref", a.Ref, "action", a.Action)
	s.kick()
	s.refundOnline(ctx, &res)
	if res.close != nil {
		s.closeAtProvider(ctx, []payClose{*res.close})
		res.close = nil
	}
	return res, nil
}

func (s *Service) staffAction(ctx context.Context, tx Repo, kind string, id int64, a StaffAction) (StaffResult, error) {
	need := requiredRole(kind, a.Action)
	if need == "" {
		return StaffResult{}, fmt.Errorf("%w: unknown action %q", ErrInvalid, a.Action)
	}
	if a.DedupKey != "" {
		// A repeat fails here and rolls back; the first one's effects stand.
		if err := tx.RecordInbound(ctx, a.DedupKey, s.now()); err != nil {
			return StaffResult{}, fmt.Errorf("staff event %s: %w", a.DedupKey, err)
		}
	}
	staff, err := tx.StaffMember(ctx, a.Channel, a.UserID)
	if errors.Is(err, ErrNotFound) {
		return StaffResult{}, fmt.Errorf("%w: %s:%s is not staff", ErrForbidden, a.Channel, a.UserID)
	}
	if err != nil {
		return StaffResult{}, fmt.Errorf("load staff: %w", err)
	}
	if !staff.Role.AtLeast(need) {
		return StaffResult{}, fmt.Errorf("%w: %s needs the %s role", ErrForbidden, a.Action, need)
	}
	switch kind {
	case refOrder, refCancel:
		return s.orderAction(ctx, tx, staff, kind, id, a)
	case refAfterSales:
		return s.afterSalesAction(ctx, tx, staff, id, a)
	case RefSurvey:
		card, err := s.cfg.Care.CardAction(ctx, tx, staff, id, a, s.now())
		return StaffResult{Card: card}, err
	case RefBroadcast:
		card, err := s.cfg.Broadcasts.CardAction(ctx, tx, staff, id, a, s.now())
		return StaffResult{Card: card}, err
	default:
		return s.handoffAction(ctx, tx, staff, id, a)
	}
}

func stale(a StaffAction, version int) error {
	if a.Version != version {
		return &StateError{Action: a.Action, Status: "changed since this card was shown"}
	}
	return nil
}

func (s *Service) orderAction(ctx context.Context, tx Repo, staff Staff, kind string, id int64, a StaffAction) (StaffResult, error) {
	o, err := tx.Order(ctx, id)
	if err != nil {
		return StaffResult{}, fmt.Errorf("load order: %w", err)
	}
	ctx = logctx.WithOrder(ctx, o.Number)
	c, err := s.customerWithStanding(ctx, tx, o.CustomerID)
	if err != nil {
		return StaffResult{}, err
	}
	cardOf := func() Card {
		if kind == refCancel {
			return s.cancelCard(o, c)
		}
		return s.orderCard(o, c)
	}
	before := cardOf()
	from, now := o.Status, s.now()
	err = s.payGuard(o, kind, a.Action)
	var n conversation.Notice
	if err == nil {
		n, err = decideOrder(o, kind, a, staff.Actor(), now)
	}
	if err == nil {
		err = stale(a, before.Version)
	}
	if err == nil && n.Kind == conversation.OrderConfirmed {
		s.approved(o, &n, now)
	}
	n.Currency = s.cfg.Currency
	if err != nil {
		return StaffResult{Card: before}, err
	}
	if err := tx.UpdateOrder(ctx, o); err != nil {
		return StaffResult{Card: before}, fmt.Errorf("save order %s: %w", o.Number, err)
	}
	var closing *payClose
	if o.Status != from && o.Status.ReleasesStock() {
		if err := s.release(ctx, tx, o); err != nil {
			return StaffResult{}, err
		}
		closing = s.closeOnCancel(o)
	}
	if tierChanges(kind, a.Action, nil) {
		if c, err = s.recomputeTier(ctx, tx, c, now); err != nil {
			return StaffResult{}, err
		}
	}
	last := o.History[len(o.History)-1]
	if err := audit(ctx, tx, AuditEntry{Actor: staff.Actor(), Entity: "order", Ref: o.Number, Action: kind + " " + a.Action, From: last.From, To: last.To, Note: last.Note, At: now}); err != nil {
		return StaffResult{}, err
	}
	if err := s.notify(ctx, tx, c, n, now); err != nil {
		return StaffResult{}, err
	}
	if err := s.queueCards(ctx, tx, s.orderCard(o, c), now); err != nil {
		return StaffResult{}, err
	}
	if kind == refCancel {
		if err := s.queueCards(ctx, tx, s.cancelCard(o, c), now); err != nil {
			return StaffResult{}, err
		}
	}
	return StaffResult{Card: cardOf(), Note: s.words().orderNote(o.Number, last.To), close: closing}, nil
}

// decideOrder applies one staff action to an order through its guarded
// methods and returns what the customer is to be told.
func decideOrder(o *Order, kind string, a StaffAction, actor string, now time.Time) (conversation.Notice, error) {
	n := conversation.Notice{OrderNumber: o.Number}
	var err error
	switch kind + ":" + a.Action {
	case "order:approve":
		n.Kind, err = conversation.OrderConfirmed, o.Approve(actor, now)
	case "order:reject":
		n.Kind, n.Reason, err = conversation.OrderRejected, a.Reason, o.Reject(actor, a.Reason, now)
	case "order:ship":
		n.Kind, n.Carrier, n.Tracking = conversation.OrderShipped, a.Carrier, a.Tracking
		err = o.Ship(actor, a.Carrier, a.Tracking, now)
	case "order:deliver":
		n.Kind, err = conversation.OrderDelivered, o.Deliver(actor, now)
	case "order:complete":
		n.Kind, err = conversation.OrderCompleted, o.Complete(actor, now)
	case "cancel:approve":
		n.Kind, err = conversation.OrderCancelled, o.ApproveCancel(actor, now)
	case "cancel:reject":
		n.Kind, n.Reason, err = conversation.CancelRejected, a.Reason, o.RejectCancel(actor, a.Reason, now)
	case "order:" + ActMarkPaid:
		// Staff confirm the whole amount arrived; a provider's different
		// sum never gets here (see MarkPaid).
		n.Kind, n.Amount, err = conversation.PaymentReceived, o.Total, o.MarkPaid(actor, o.Total, a.Reference, now)
	case "order:" + ActRefund:
		before := o.Refunded
		err = o.Refund(actor, a.Amount, a.Reason, now)
		n.Kind, n.Amount = conversation.PaymentRefunded, o.Refunded-before
	default:
		err = fmt.Errorf("%w: unknown action %q", ErrInvalid, a.Action)
	}
	return n, err
}

func (s *Service) afterSalesAction(ctx context.Context, tx Repo, staff Staff, id int64, a StaffAction) (StaffResult, error) {
	r, err := tx.AfterSales(ctx, id)
	if err != nil {
		return StaffResult{}, fmt.Errorf("load after-sales: %w", err)
	}
	ctx = logctx.WithOrder(ctx, r.OrderNumber)
	c, err := s.customerWithStanding(ctx, tx, r.CustomerID)
	if err != nil {
		return StaffResult{}, err
	}
	before, now := s.afterSalesCard(r, c), s.now()
	n := conversation.Notice{OrderNumber: r.OrderNumber, RequestNumber: r.Number, Type: conversation.AfterSalesType(r.Type)}
	switch a.Action {
	case ActApprove, ActApproveNote:
		if a.Action == ActApproveNote && strings.TrimSpace(a.Reason) == "" {
			return StaffResult{Card: before}, fmt.Errorf("%w: approving with a note needs the note", ErrInvalid)
		}
		n.Kind, n.Reason, err = conversation.AfterSalesApproved, a.Reason, r.Approve(staff.Actor(), a.Reason, now)
	case ActReject:
		n.Kind, n.Reason, err = conversation.AfterSalesRejected, a.Reason, r.Reject(staff.Actor(), a.Reason, now)
	default:
		n.Kind, err = conversation.AfterSalesResolved, r.Resolve(staff.Actor(), now)
	}
	if err == nil {
		err = stale(a, before.Version)
	}
	if err != nil {
		return StaffResult{Card: before}, err
	}
	if err := tx.UpdateAfterSales(ctx, r); err != nil {
		return StaffResult{Card: before}, fmt.Errorf("save after-sales %s: %w", r.Number, err)
	}
	if tierChanges(refAfterSales, a.Action, r) {
		if c, err = s.recomputeTier(ctx, tx, c, now); err != nil {
			return StaffResult{}, err
		}
	}
	last := r.History[len(r.History)-1]
	if err := audit(ctx, tx, AuditEntry{Actor: staff.Actor(), Entity: "after_sales", Ref: r.Number, Action: a.Action, From: last.From, To: last.To, Note: last.Note, At: now}); err != nil {
		return StaffResult{}, err
	}
	if err := s.notify(ctx, tx, c, n, now); err != nil {
		return StaffResult{}, err
	}
	card := s.afterSalesCard(r, c)
	res := StaffResult{Card: card, Note: s.words().requestNote(r.Number, string(r.Status))}
	if a.Action == ActApprove {
		if res.refund, err = s.onlineRefund(ctx, tx, r); err != nil {
			return StaffResult{}, err
		}
	}
	return res, s.queueCards(ctx, tx, card, now)
}

func (s *Service) handoffAction(ctx context.Context, tx Repo, staff Staff, id int64, a StaffAction) (StaffResult, error) {
	h, err := tx.Handoff(ctx, id)
	if err != nil {
		return StaffResult{}, fmt.Errorf("load handoff: %w", err)
	}
	c, err := s.customerWithStanding(ctx, tx, h.CustomerID)
	if err != nil {
		return StaffResult{}, err
	}
	now := s.now()
	if !h.Open {
		card, err := s.handoffCardFor(ctx, tx, h, c, staff.Channel)
		if err != nil {
			return StaffResult{}, err
		}
		return StaffResult{Card: card}, &DecidedError{Status: "ended", By: h.ClosedBy, At: h.ClosedAt}
	}
	n := conversation.Notice{Kind: conversation.StaffMessage, Text: strings.TrimSpace(a.Text)}
	if a.Action == ActClose {
		h.Open, h.ClosedAt, h.ClosedBy = false, now, staff.Actor()
		if err := tx.UpdateHandoff(ctx, h); err != nil {
			return StaffResult{}, fmt.Errorf("close handoff: %w", err)
		}
		n = conversation.Notice{Kind: conversation.HandoffEnded}
	} else if n.Text == "" || len([]rune(n.Text)) > 1000 {
		card, err := s.handoffCardFor(ctx, tx, h, c, staff.Channel)
		if err != nil {
			return StaffResult{}, err
		}
		return StaffResult{Card: card}, errReplyLength
	} else {
		l := HandoffLine{HandoffID: h.ID, CustomerID: c.ID, Author: LineStaff, Actor: staff.Actor(), Channel: staff.Channel, Text: n.Text, At: now}
		if err := s.addLine(ctx, tx, l); err != nil {
			return StaffResult{}, err
		}
	}
	if err := audit(ctx, tx, AuditEntry{Actor: staff.Actor(), Entity: "handoff", Ref: fmt.Sprint(h.ID), Action: a.Action, At: now}); err != nil {
		return StaffResult{}, err
	}
	if err := s.notify(ctx, tx, c, n, now); err != nil {
		return StaffResult{}, err
	}
	card, err := s.handoffCardFor(ctx, tx, h, c, staff.Channel)
	if err != nil {
		return StaffResult{}, err
	}
	w := s.words()
	note := w.Say("Conversation ended.", "对话已结束。")
	if a.Action == ActReply {
		note = w.Say("Sent to the customer.", "已发送给客户。")
	}
	return StaffResult{Card: card, Note: note}, s.queueHandoffCard(ctx, tx, h, c, "", nil, now)
}
