package bot

import (
	"context"
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
		res.Note += s.words().sayf(" Refund of %s requested; the customer is told when it is done.", "已发起退款 %s，退款完成后会通知顾客。", s.words().money(rq.Amount))
		return
	}
	s.log.ErrorContext(ctx, "online refund failed", "order", rq.OrderNumber, "request", rq.RequestNumber, "method", rq.Method, "err", err)
	res.Note += s.words().sayf(" The refund of %s could not be requested (%v): please refund it in the payment provider's platform.",
		"退款 %s 未能发起（%v），请在支付平台手动退款。", s.words().money(rq.Amount), err)
}
