package wechatpay

import (
	"context"
	"fmt"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/services/refunddomestic"
)

// RefundRequest asks WeChat to pay money of a paid order back.
type RefundRequest struct {
	OrderNumber string
	// RequestNumber is the after-sales request (or another stable key of
	// the staff decision) the refund is for. The refund's out_refund_no is
	// made from it, so a retried call is the same refund, never a second.
	RequestNumber string
	Amount        int64 // to refund, fen
	Total         int64 // the order's paid amount, fen
	Reason        string
}

// Refund asks WeChat for the refund and returns its state, usually
// PROCESSING: the outcome comes by the refund notification (or
// ReconcileRefund). Calling it again for the same request is safe; an
// amount WeChat cannot refund is an APIError (NOT_ENOUGH, INVALID_REQUEST).
func (a *Adapter) Refund(ctx context.Context, r RefundRequest) (Refund, error) {
	if !numberPart.MatchString(r.OrderNumber) || !numberPart.MatchString(r.RequestNumber) {
		return Refund{}, fmt.Errorf("wechatpay refund: order %q and request %q must be letters and digits", r.OrderNumber, r.RequestNumber)
	}
	if r.Amount <= 0 || r.Amount > r.Total {
		return Refund{}, fmt.Errorf("wechatpay refund: amount %d of %d cannot be refunded", r.Amount, r.Total)
	}
	req := refunddomestic.CreateRequest{
		OutTradeNo:  core.String(a.no.trade(r.OrderNumber)),
		OutRefundNo: core.String(a.no.refund(r.OrderNumber, r.RequestNumber)),
		NotifyUrl:   core.String(a.cfg.NotifyURL),
		Amount: &refunddomestic.AmountReq{
			Refund: core.Int64(r.Amount), Total: core.Int64(r.Total), Currency: core.String(Currency),
		},
	}
	if r.Reason != "" {
		req.Reason = core.String(truncate(r.Reason, 80))
	}
	resp, _, err := a.api.refunds.Create(ctx, req)
	if err != nil {
		return Refund{}, apiErr("refund", err)
	}
	return a.refundOf(resp), nil
}

// ReconcileRefund backs up a refund notification that did not come: it
// asks WeChat for the refund and records it when it is decided.
func (a *Adapter) ReconcileRefund(ctx context.Context, orderNumber, requestNumber string) (Refund, error) {
	resp, _, err := a.api.refunds.QueryByOutRefundNo(ctx, refunddomestic.QueryByOutRefundNoRequest{
		OutRefundNo: core.String(a.no.refund(orderNumber, requestNumber)),
	})
	if err != nil {
		return Refund{}, apiErr("query refund", err)
	}
	r := a.refundOf(resp)
	if r.Status == RefundProcessing {
		return r, nil
	}
	if err := a.pay.Refunded(ctx, r); err != nil {
		return r, fmt.Errorf("wechatpay reconcile refund %s: %w", r.RefundNumber, err)
	}
	return r, nil
}

func (a *Adapter) refundOf(resp *refunddomestic.Refund) Refund {
	r := Refund{
		RefundNumber:  deref(resp.OutRefundNo),
		RefundID:      deref(resp.RefundId),
		TransactionID: deref(resp.TransactionId),
	}
	r.OrderNumber, r.RequestNumber, _ = a.no.splitRefund(r.RefundNumber)
	if resp.Status != nil {
		r.Status = string(*resp.Status)
	}
	if resp.Amount != nil {
		r.Amount = deref(resp.Amount.Refund)
	}
	if resp.SuccessTime != nil {
		r.At = *resp.SuccessTime
	}
	return r
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// refundNotice is the decrypted resource of a REFUND.* notification.
type refundNotice struct {
	MchID         string `json:"mchid"`
	OutTradeNo    string `json:"out_trade_no"`
	TransactionID string `json:"transaction_id"`
	OutRefundNo   string `json:"out_refund_no"`
	RefundID      string `json:"refund_id"`
	RefundStatus  string `json:"refund_status"`
	SuccessTime   string `json:"success_time"`
	Amount        struct {
		Total  int64 `json:"total"`
		Refund int64 `json:"refund"`
	} `json:"amount"`
}

// refundOfNotice reads a refund notification; at is when WeChat sent it,
// the time of a refund that did not succeed.
func (a *Adapter) refundOfNotice(n refundNotice, at time.Time) (Refund, error) {
	if n.MchID != a.cfg.MchID {
		return Refund{}, fmt.Errorf("%w: refund for merchant %q", ErrRejected, n.MchID)
	}
	order, request, ok := a.no.splitRefund(n.OutRefundNo)
	if !ok || n.RefundID == "" || n.RefundStatus == "" {
		return Refund{}, fmt.Errorf("%w: refund %q without id or status, or not made here", ErrRejected, n.OutRefundNo)
	}
	r := Refund{
		OrderNumber: order, RequestNumber: request, RefundNumber: n.OutRefundNo, RefundID: n.RefundID,
		TransactionID: n.TransactionID, Amount: n.Amount.Refund, Status: n.RefundStatus, At: at,
	}
	if n.SuccessTime != "" {
		t, err := time.Parse(time.RFC3339, n.SuccessTime)
		if err != nil {
			return Refund{}, fmt.Errorf("%w: refund time %q", ErrRejected, n.SuccessTime)
		}
		r.At = t
	}
	return r, nil
}
