package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/orderbot/orderbot/adapters/wechatpay"
	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pay"
	"github.com/orderbot/orderbot/bot/refundretry"
)

// wechatPayProvider is the provider name payments and refunds are recorded under.
const wechatPayProvider = string(bot.PayWeChat)

// loadWeChatPay reads the WeChat Pay merchant settings; nil when
// ORDERBOT_WECHATPAY_MCH_ID is unset. The adapter checks the keys
// themselves when it is built.
func loadWeChatPay(get func(string) string, publicURL string) (*wechatpay.Config, error) {
	v := func(k string) string { return strings.TrimSpace(get("ORDERBOT_WECHATPAY_" + k)) }
	if v("MCH_ID") == "" {
		return nil, nil
	}
	if !strings.HasPrefix(publicURL, "https://") {
		return nil, errors.New("WeChat Pay (ORDERBOT_WECHATPAY_MCH_ID) needs ORDERBOT_PUBLIC_URL over https: WeChat opens the pay page and posts notifications there")
	}
	c := &wechatpay.Config{
		MchID: v("MCH_ID"), MchSerial: v("MCH_SERIAL"), PrivateKeyFile: v("PRIVATE_KEY_FILE"),
		APIv3Key: v("API_V3_KEY"), PublicKeyID: v("PUBLIC_KEY_ID"), PublicKeyFile: v("PUBLIC_KEY_FILE"),
		PlatformCertFiles: strings.Fields(v("PLATFORM_CERT_FILES")),
		AppID:             orDefault(v("APP_ID"), strings.TrimSpace(get("ORDERBOT_WECHAT_APP_ID"))),
		NotifyURL:         v("NOTIFY_URL"), TradePrefix: v("TRADE_PREFIX"), APIURL: v("API_URL"),
		PublicURL: publicURL,
	}
	if ttl := v("LINK_TTL"); ttl != "" {
		d, err := time.ParseDuration(ttl)
		if err != nil || d < time.Minute {
			return nil, fmt.Errorf("ORDERBOT_WECHATPAY_LINK_TTL=%q: want a duration of at least 1m such as 24h", ttl)
		}
		c.LinkTTL = d
	}
	switch {
	case c.MchSerial == "":
		return nil, errors.New("WeChat Pay needs ORDERBOT_WECHATPAY_MCH_SERIAL, the serial number of the merchant API certificate")
	case c.PrivateKeyFile == "":
		return nil, errors.New("WeChat Pay needs ORDERBOT_WECHATPAY_PRIVATE_KEY_FILE, the merchant API private key (apiclient_key.pem)")
	case len(c.APIv3Key) != 32:
		return nil, errors.New("WeChat Pay needs ORDERBOT_WECHATPAY_API_V3_KEY, the 32-character APIv3 key set in the 商户平台")
	case c.AppID == "":
		return nil, errors.New("WeChat Pay needs ORDERBOT_WECHATPAY_APP_ID (or ORDERBOT_WECHAT_APP_ID), the 公众号 app id bound to the merchant")
	case (c.PublicKeyID == "") != (c.PublicKeyFile == ""):
		return nil, errors.New("WeChat Pay needs both ORDERBOT_WECHATPAY_PUBLIC_KEY_ID and ORDERBOT_WECHATPAY_PUBLIC_KEY_FILE for the WeChat Pay public key")
	case c.PublicKeyID == "" && len(c.PlatformCertFiles) == 0:
		return nil, errors.New("WeChat Pay needs the WeChat Pay public key (ORDERBOT_WECHATPAY_PUBLIC_KEY_ID and _FILE) or platform certificates (ORDERBOT_WECHATPAY_PLATFORM_CERT_FILES)")
	}
	return c, nil
}

// wechatPayStore is what the WeChat Pay domain adapter reads and writes.
type wechatPayStore interface {
	pay.Store
	OrderByNumber(ctx context.Context, number string) (*bot.Order, error)
}

// wechatPayCore is the core's side of recording WeChat's money.
type wechatPayCore interface {
	pay.CheckoutOrders
	pay.Refunds
	refundretry.Staff
}

// RefundFailed tells staff a refund WeChat kept refusing is theirs to make
// by hand (refundretry.Staff, through the core set after it is built).
func (d *wechatPayDomain) RefundFailed(ctx context.Context, tx bot.Repo, r bot.RefundRequest, attempts int, reason string) error {
	return d.core.RefundFailed(ctx, tx, r, attempts, reason)
}

// wechatPayDomain gives the WeChat Pay adapter the pay domain
// (wechatpay.Payments and wechatpay.Orders), so that the adapter's types
// stay out of bot/. core is set once the core is built: the core needs
// the adapter's links first.
type wechatPayDomain struct {
	st   wechatPayStore
	core wechatPayCore
	shop string
	log  *slog.Logger
}

// Paid records a payment once per WeChat transaction id. Money WeChat
// took for an order that cannot take it any more (cancelled, or paid
// already) is recorded and raised to staff for a refund, like every
// provider's (pay.Checkout): never refused and lost.
func (d *wechatPayDomain) Paid(ctx context.Context, p wechatpay.Payment) error {
	pm := pay.Payment{Provider: wechatPayProvider, TxnID: p.TransactionID, Amount: p.Amount, At: p.PaidAt}
	err := pay.Checkout{Store: d.st, Orders: d.core}.Record(ctx, p.OrderNumber, pm)
	switch {
	case err == nil, errors.Is(err, pay.ErrAlreadyRecorded):
		return nil
	case errors.Is(err, bot.ErrNotFound), errors.Is(err, bot.ErrInvalid):
		return fmt.Errorf("%w: %w", wechatpay.ErrRejected, err)
	}
	return err
}

// Refunded records a successful refund once per refund; a closed or
// abnormal one is logged for staff to handle in the 商户平台.
func (d *wechatPayDomain) Refunded(ctx context.Context, r wechatpay.Refund) error {
	if r.Status != wechatpay.RefundSuccess {
		if r.Status != wechatpay.RefundProcessing {
			d.log.ErrorContext(ctx, "wechatpay refund failed: handle it in the merchant platform",
				"order", r.OrderNumber, "request", r.RequestNumber, "refund_no", r.RefundNumber, "status", r.Status)
		}
		return nil
	}
	err := pay.RecordRefund(ctx, d.st, d.core, r.OrderNumber, pay.Payment{
		Provider: wechatPayProvider, TxnID: "refund:" + r.RefundNumber, Amount: r.Amount, At: r.At,
	})
	switch {
	case err == nil, errors.Is(err, pay.ErrAlreadyRecorded):
		return nil
	case errors.Is(err, bot.ErrNotFound), errors.Is(err, bot.ErrInvalid):
		return fmt.Errorf("%w: %w", wechatpay.ErrRejected, err)
	}
	return err
}

// Payable is the order's amount to pay while it waits for WeChat Pay.
func (d *wechatPayDomain) Payable(ctx context.Context, number string) (wechatpay.Order, error) {
	o, err := d.st.OrderByNumber(ctx, number)
	if errors.Is(err, bot.ErrNotFound) {
		return wechatpay.Order{}, fmt.Errorf("%w: no order %s", wechatpay.ErrNotPayable, number)
	}
	if err != nil {
		return wechatpay.Order{}, fmt.Errorf("load order %s: %w", number, err)
	}
	if o.PayMethod != bot.PayWeChat || !o.AwaitsPayment() {
		return wechatpay.Order{}, fmt.Errorf("%w: order %s is %s, %s", wechatpay.ErrNotPayable, number, o.Status, o.PaymentStatus)
	}
	return wechatpay.Order{Number: o.Number, Amount: o.Total, Description: d.shop + "-订单" + o.Number, PayBy: o.PayDue}, nil
}

// wechatPayLinks gives WeChat customers the pay page (JSAPI, with their
// OpenID) and everyone else the Native QR code; refunds go through the
// retry queue.
type wechatPayLinks struct {
	a       *wechatpay.Adapter
	refunds *refundretry.Queue
}

func (l wechatPayLinks) PayLink(m bot.PayMethod, number, channel, user string) (link, image string) {
	switch {
	case m != bot.PayWeChat:
		return "", ""
	case channel == bot.WeChat:
		return l.a.PayPageURL(number, user), ""
	}
	return "", l.a.QRURL(number)
}

// openWeChatPay builds the WeChat Pay adapter over the pay domain; nils
// when it is not configured. The caller sets the domain's core.
func openWeChatPay(cfg config, st wechatPayStore, log *slog.Logger) (*wechatpay.Adapter, *wechatPayDomain, error) {
	if cfg.WeChatPay == nil {
		return nil, nil, nil
	}
	log = log.With("component", "wechatpay")
	dom := &wechatPayDomain{st: st, shop: cfg.Shop.Name, log: log}
	wcfg := *cfg.WeChatPay
	if cfg.Clock != nil {
		wcfg.Clock = cfg.Clock
	}
	a, err := wechatpay.New(dom, dom, log, wcfg)
	if err != nil {
		return nil, nil, fmt.Errorf("WeChat Pay (ORDERBOT_WECHATPAY_*): %w", err)
	}
	return a, dom, nil
}

// Settle, before the sweep cancels an unpaid order: a payment WeChat took
// (its notification lost) is recorded, otherwise the order is closed at
// WeChat so that it cannot be paid after it is cancelled here. A close
// refused because the customer paid in between records that payment.
func (l wechatPayLinks) Settle(ctx context.Context, m bot.PayMethod, number string) error {
	if m != bot.PayWeChat {
		return nil
	}
	state, err := l.a.Reconcile(ctx, number)
	if err != nil || state == wechatpay.TradeSuccess {
		return err
	}
	closeErr := l.a.Close(ctx, number)
	if closeErr == nil {
		return nil
	}
	if state, err = l.a.Reconcile(ctx, number); err == nil && state == wechatpay.TradeSuccess {
		return nil
	}
	return fmt.Errorf("close wechatpay order %s: %w", number, closeErr)
}

// Refund asks WeChat to give back an approved after-sales request's
// money; WeChat's refund notification then records it on the order. One
// WeChat refuses or cannot be reached for is kept and retried.
func (l wechatPayLinks) Refund(ctx context.Context, r bot.RefundRequest) error {
	if r.Method != bot.PayWeChat {
		return nil
	}
	return l.refunds.Refund(ctx, r)
}

// wechatRefunder is WeChat Pay's refund API for the retry queue. The
// out_refund_no comes from the request, so asking again is safe.
type wechatRefunder struct{ a *wechatpay.Adapter }

func (w wechatRefunder) Refund(ctx context.Context, r bot.RefundRequest) error {
	_, err := w.a.Refund(ctx, wechatpay.RefundRequest{
		OrderNumber: r.OrderNumber, RequestNumber: r.RequestNumber, Amount: r.Amount, Total: r.Total,
	})
	return err
}
