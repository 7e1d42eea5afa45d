package wechatpay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments/jsapi"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments/native"
)

// Trade states WeChat reports for an order (trade_state).
const (
	TradeSuccess    = "SUCCESS"
	TradeNotPay     = "NOTPAY"
	TradeClosed     = "CLOSED"
	TradeRefund     = "REFUND"
	TradeUserPaying = "USERPAYING"
	TradePayError   = "PAYERROR"
)

// BridgeParams are the arguments of WeixinJSBridge.invoke(
// 'getBrandWCPayRequest', …), signed with the merchant key.
type BridgeParams struct {
	AppID     string `json:"appId"`
	TimeStamp string `json:"timeStamp"`
	NonceStr  string `json:"nonceStr"`
	Package   string `json:"package"`
	SignType  string `json:"signType"`
	PaySign   string `json:"paySign"`
}

// JSAPI opens a payment of o for the customer with openID (under the
// merchant's app id) and returns what the pay page hands to WeChat. WeChat
// answers a repeat with the same prepay id, so a reload of the page opens
// no second payment.
func (a *Adapter) JSAPI(ctx context.Context, o Order, openID string) (BridgeParams, error) {
	if err := checkOrder(o); err != nil {
		return BridgeParams{}, err
	}
	if openID == "" {
		return BridgeParams{}, errors.New("wechatpay jsapi: no payer OpenID")
	}
	req := jsapi.PrepayRequest{
		Appid:       core.String(a.cfg.AppID),
		Mchid:       core.String(a.cfg.MchID),
		Description: core.String(description(o)),
		OutTradeNo:  core.String(a.no.trade(o.Number)),
		NotifyUrl:   core.String(a.cfg.NotifyURL),
		Amount:      &jsapi.Amount{Total: core.Int64(o.Amount), Currency: core.String(Currency)},
		Payer:       &jsapi.Payer{Openid: core.String(openID)},
		TimeExpire:  payBy(o),
	}
	resp, _, err := a.api.jsapi.PrepayWithRequestPayment(ctx, req)
	if err != nil {
		return BridgeParams{}, apiErr("jsapi prepay", err)
	}
	return BridgeParams{
		AppID: *resp.Appid, TimeStamp: *resp.TimeStamp, NonceStr: *resp.NonceStr,
		Package: *resp.Package, SignType: *resp.SignType, PaySign: *resp.PaySign,
	}, nil
}

// Native opens a payment of o to be scanned and returns its code_url
// (valid 2 hours), to be shown as a QR code (QRCode).
func (a *Adapter) Native(ctx context.Context, o Order) (string, error) {
	if err := checkOrder(o); err != nil {
		return "", err
	}
	req := native.PrepayRequest{
		Appid:       core.String(a.cfg.AppID),
		Mchid:       core.String(a.cfg.MchID),
		Description: core.String(description(o)),
		OutTradeNo:  core.String(a.no.trade(o.Number)),
		NotifyUrl:   core.String(a.cfg.NotifyURL),
		Amount:      &native.Amount{Total: core.Int64(o.Amount), Currency: core.String(Currency)},
		TimeExpire:  payBy(o),
	}
	resp, _, err := a.api.native.Prepay(ctx, req)
	if err != nil {
		return "", apiErr("native prepay", err)
	}
	if resp.CodeUrl == nil || *resp.CodeUrl == "" {
		return "", errors.New("wechatpay native prepay: no code_url in the answer")
	}
	return *resp.CodeUrl, nil
}

func checkOrder(o Order) error {
	if !numberPart.MatchString(o.Number) || o.Amount <= 0 {
		return fmt.Errorf("wechatpay: order %q with amount %d cannot be paid", o.Number, o.Amount)
	}
	return nil
}

// beijing is the zone WeChat writes its times in: its examples of
// time_expire all end in +08:00, never Z.
var beijing = time.FixedZone("CST", 8*60*60)

// payBy is the order's time_expire. It comes from the order, not the
// clock: WeChat treats a repeated prepay with other parameters as a
// conflict.
func payBy(o Order) *time.Time {
	if o.PayBy.IsZero() {
		return nil
	}
	t := o.PayBy.Truncate(time.Second).In(beijing)
	return &t
}

// Query asks WeChat for the state of the order's payment: the trade state
// and, when it is SUCCESS (or REFUND: paid, then refunded), the payment.
// An order WeChat never saw is an APIError with code ORDER_NOT_EXIST.
func (a *Adapter) Query(ctx context.Context, number string) (string, Payment, error) {
	t, _, err := a.api.jsapi.QueryOrderByOutTradeNo(ctx, jsapi.QueryOrderByOutTradeNoRequest{
		OutTradeNo: core.String(a.no.trade(number)), Mchid: core.String(a.cfg.MchID),
	})
	if err != nil {
		return "", Payment{}, apiErr("query order", err)
	}
	state := deref(t.TradeState)
	if state != TradeSuccess && state != TradeRefund {
		return state, Payment{}, nil
	}
	p, err := a.paymentOf(*t)
	return state, p, err
}

// Reconcile backs up a notification that did not come: it queries the
// order and, when it was paid, records the payment as the notification
// would have. It returns the trade state; an order WeChat never saw is
// NOTPAY. The pay domain's sweep calls it for unpaid orders.
func (a *Adapter) Reconcile(ctx context.Context, number string) (string, error) {
	state, p, err := a.Query(ctx, number)
	if IsAPIError(err, "ORDER_NOT_EXIST") {
		return TradeNotPay, nil
	}
	if err != nil {
		return "", err
	}
	if p.TransactionID == "" {
		return state, nil
	}
	if err := a.pay.Paid(ctx, p); err != nil {
		return state, fmt.Errorf("wechatpay reconcile %s: %w", number, err)
	}
	return state, nil
}

// Close closes the order's payment at WeChat, so that an order cancelled
// here cannot be paid there. Closing an order WeChat never saw is no error.
func (a *Adapter) Close(ctx context.Context, number string) error {
	_, err := a.api.jsapi.CloseOrder(ctx, jsapi.CloseOrderRequest{
		OutTradeNo: core.String(a.no.trade(number)), Mchid: core.String(a.cfg.MchID),
	})
	if err = apiErrOrNil("close order", err); IsAPIError(err, "ORDER_NOT_EXIST") {
		return nil
	}
	return err
}

// paymentOf reads a paid transaction, from a query or a notification.
func (a *Adapter) paymentOf(t payments.Transaction) (Payment, error) {
	if deref(t.Mchid) != a.cfg.MchID {
		return Payment{}, fmt.Errorf("%w: payment for merchant %q", ErrRejected, deref(t.Mchid))
	}
	order, ok := a.no.order(deref(t.OutTradeNo))
	if !ok || t.Amount == nil || t.Amount.Total == nil || deref(t.TransactionId) == "" {
		return Payment{}, fmt.Errorf("%w: payment without order %q, transaction or amount", ErrRejected, deref(t.OutTradeNo))
	}
	paidAt, err := time.Parse(time.RFC3339, deref(t.SuccessTime))
	if err != nil {
		return Payment{}, fmt.Errorf("%w: payment time %q", ErrRejected, deref(t.SuccessTime))
	}
	p := Payment{
		OrderNumber:   order,
		TransactionID: *t.TransactionId,
		Amount:        *t.Amount.Total,
		Currency:      deref(t.Amount.Currency),
		PaidAt:        paidAt,
		TradeType:     deref(t.TradeType),
	}
	if t.Amount.PayerTotal != nil {
		p.PayerTotal = *t.Amount.PayerTotal
	}
	if t.Payer != nil {
		p.Payer = deref(t.Payer.Openid)
	}
	return p, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
