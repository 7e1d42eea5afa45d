package bot

import (
	"context"
	"errors"
	"fmt"
)

// onlineRefund is the refund to ask the provider for when staff approve
// a refund or return request on an order paid online; nil otherwise.
func (s *Service) onlineRefund(ctx context.Context, tx Repo, r *AfterSales) (*RefundRequest, error) {
	if r.Type != Refund && r.Type != Return {
		return nil, nil
	}
	if _, ok := s.cfg.Pay.Links.(PayRefunder); !ok {
		return nil, nil
	}
	o, err := tx.Order(ctx, r.OrderID)
	if err != nil {
		return nil, fmt.Errorf("load order %s: %w", r.OrderNumber, err)
	}
	left := o.Paid - o.Refunded
	if o.PayMethod == PayCOD || o.PayMethod == PayTransfer || left <= 0 {
		return nil, nil
	}
	return &RefundRequest{Method: o.PayMethod, OrderNumber: o.Number, RequestNumber: r.Number, Amount: left, Total: o.Paid}, nil
}

// refundOnline asks the provider for the refund of an approved request,
// after its commit: a provider call inside the transaction would hold
// locks on a network call, and a rollback after it would leave money given
// back for a decision that never stood. A failure is told to the staff
// member who approved, to give the money back in the provider's platform.
func (s *Service) refundOnline(ctx context.Context, res *StaffResult) {
	rq := res.refund
	if rq == nil {
		return
	}
	res.refund = nil
	err := s.cfg.Pay.Links.(PayRefunder).Refund(ctx, *rq)
	if err == nil {
		res.Note += s.words().Sayf(" Refund of %s requested; the customer is told when it is done.", "已发起退款 %s，退款完成后会通知顾客。", s.words().Money(rq.Amount))
		return
	}
	if errors.Is(err, ErrRefundRetrying) {
		s.log.WarnContext(ctx, "online refund refused, retrying", "order", rq.OrderNumber, "request", rq.RequestNumber, "method", rq.Method, "err", err)
		res.Note += s.words().Sayf(" The refund of %s could not be requested yet (%v): it will be retried, and you will be told here if it keeps failing.",
			"退款 %s 暂未能发起（%v），系统会自动重试；如仍失败，会在这里通知您。", s.words().Money(rq.Amount), err)
		return
	}
	s.log.ErrorContext(ctx, "online refund failed", "order", rq.OrderNumber, "request", rq.RequestNumber, "method", rq.Method, "err", err)
	res.Note += s.words().Sayf(" The refund of %s could not be requested (%v): please refund it in the payment provider's platform.",
		"退款 %s 未能发起（%v），请在支付平台手动退款。", s.words().Money(rq.Amount), err)
}

// refundForRules asks the provider for the refunds of requests an
// approval rule approved, after their commit, as refundOnline does for a
// staff member's approval. No one pressed a button to be told of a
// failure, so a refund the provider refused outright is raised to every
// staff channel; one kept for a retry is raised by the retry when it
// gives up.
func (s *Service) refundForRules(ctx context.Context, rqs []RefundRequest) {
	if len(rqs) == 0 {
		return
	}
	refunder := s.cfg.Pay.Links.(PayRefunder)
	ctx = context.WithoutCancel(ctx)
	for _, rq := range rqs {
		err := refunder.Refund(ctx, rq)
		if err == nil || errors.Is(err, ErrRefundRetrying) {
			continue
		}
		s.log.ErrorContext(ctx, "online refund failed", "order", rq.OrderNumber, "request", rq.RequestNumber, "method", rq.Method, "err", err)
		err = s.store.InTx(ctx, func(tx Repo) error { return s.RefundFailed(ctx, tx, rq, 1, err.Error()) })
		if err != nil {
			s.log.ErrorContext(ctx, "refund failure not raised to staff", "order", rq.OrderNumber, "request", rq.RequestNumber, "err", err)
		}
	}
	s.kick()
}

// RefundFailed tells every staff channel, in tx, that the provider kept
// refusing the refund of an approved request (bot/refundretry gave up
// asking): staff must give the money back in the provider's platform and
// then record it with the order's Refund action.
func (s *Service) RefundFailed(ctx context.Context, tx Repo, r RefundRequest, attempts int, reason string) error {
	o, err := tx.OrderByNumber(ctx, r.OrderNumber)
	if err != nil {
		return fmt.Errorf("load order %s: %w", r.OrderNumber, err)
	}
	c, err := s.customerWithStanding(ctx, tx, o.CustomerID)
	if err != nil {
		return err
	}
	now, w := s.now(), s.words()
	if err := audit(ctx, tx, AuditEntry{Actor: "system (refund)", Entity: "order", Ref: o.Number, Action: "refund failed",
		Note: fmt.Sprintf("%s %d after %d attempts: %s", r.RequestNumber, r.Amount, attempts, reason), At: now}); err != nil {
		return err
	}
	text := w.Sayf("The refund of %s for request %s was refused (%s): refund it in the payment provider's platform, then press Refund.",
		"售后 %[2]s 的退款 %[1]s 被支付平台拒绝（%[3]s）：请在支付平台手动退款，再点“退款”。",
		w.Money(r.Amount), r.RequestNumber, reason)
	if attempts > 1 {
		text = w.Sayf("The refund of %s for request %s was refused %d times (%s): refund it in the payment provider's platform, then press Refund.",
			"售后 %[2]s 的退款 %[1]s 已被拒绝 %[3]d 次（%[4]s）：请在支付平台手动退款，再点“退款”。",
			w.Money(r.Amount), r.RequestNumber, attempts, reason)
	}
	return s.queueThread(ctx, tx, s.orderCard(o, c), text, now)
}
