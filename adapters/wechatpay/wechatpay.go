// Package wechatpay is the WeChat Pay (API v3) payment provider: customers
// of the 公众号 pay on an H5 page inside WeChat (JSAPI), web-chat customers
// scan a QR code (Native), WeChat's payment and refund notifications are
// verified, decrypted and handed to the pay domain, and refunds go out
// through the v3 refund API.
//
// The amount sent to WeChat always comes from the order (Orders), never
// from the client; the links to the pay page and the QR code are signed and
// expire, so nobody can open another customer's order. Notifications are
// verified (signature with the WeChat Pay public key or platform
// certificate, a five-minute timestamp window) before anything is decrypted
// or recorded, and answered within WeChat's deadline. The handler keeps no
// state: WeChat repeats a notification for about a day, and Payments is
// idempotent per transaction and refund id, so a repeat has no second effect.
//
// github.com/wechatpay-apiv3/wechatpay-go, WeChat's official v3 SDK, stays
// inside this package.
package wechatpay

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// DefaultAPIURL is WeChat Pay's API base; the SDK has it built in.
const DefaultAPIURL = "https://api.mch.weixin.qq.com"

// Currency is the only currency domestic WeChat Pay takes: amounts are fen.
const Currency = "CNY"

// Errors the implementations of Payments and Orders wrap, so that this
// package can answer WeChat and the customer correctly.
var (
	// ErrRejected marks a notification the domain will never accept (an
	// unknown order, an amount that is not the order's): WeChat gets a 400
	// and nothing changes. Any other error gets a 500 and WeChat retries.
	ErrRejected = errors.New("wechatpay: notification rejected")
	// ErrNotPayable marks an order that cannot be paid (any more): paid,
	// cancelled, rejected, or unknown.
	ErrNotPayable = errors.New("wechatpay: order is not payable")
)

// Payments is what the notification handler and Reconcile need from the
// pay domain. Both methods are idempotent: WeChat repeats notifications,
// and a query may report a payment a notification reported already.
type Payments interface {
	// Paid records a successful payment, once per TransactionID; it
	// returns an error wrapping ErrRejected when the order is unknown or
	// the amount is not the order's amount to pay. A payment for an order
	// that was cancelled or timed out meanwhile is money received: it is
	// recorded and raised to staff for a refund, not rejected.
	Paid(ctx context.Context, p Payment) error
	// Refunded records the outcome of a refund, once per RefundID and
	// Status.
	Refunded(ctx context.Context, r Refund) error
}

// Orders is what the pay page and the QR code need to know of an order.
type Orders interface {
	// Payable returns the order's amount to pay; an error wrapping
	// ErrNotPayable when it cannot be paid now.
	Payable(ctx context.Context, number string) (Order, error)
}

// Order is an order waiting for payment.
type Order struct {
	Number string
	// Amount is the amount to pay in fen.
	Amount int64
	// Description is what the customer's WeChat bill shows, such as
	// "茶叶小铺-订单100001" (at most 127 bytes are sent).
	Description string
	// PayBy, when set, is when the order stops being payable (it
	// auto-cancels): WeChat refuses to take the money after it.
	PayBy time.Time
}

// Payment is a successful payment WeChat reported.
type Payment struct {
	OrderNumber   string // out_trade_no
	TransactionID string // WeChat's transaction_id, unique per payment
	Amount        int64  // amount.total, fen
	PayerTotal    int64  // amount.payer_total: what the payer paid after WeChat's coupons
	Currency      string
	PaidAt        time.Time
	// Payer is the payer's OpenID under the merchant's app id.
	Payer     string
	TradeType string // JSAPI or NATIVE
}

// Refund statuses, as WeChat names them.
const (
	RefundProcessing = "PROCESSING"
	RefundSuccess    = "SUCCESS"
	RefundClosed     = "CLOSED"
	RefundAbnormal   = "ABNORMAL"
)

// Refund is the state of a refund WeChat reported.
type Refund struct {
	OrderNumber   string // out_trade_no
	RequestNumber string // the after-sales request the refund was made for
	RefundNumber  string // out_refund_no
	RefundID      string // WeChat's refund_id
	TransactionID string
	Amount        int64 // amount.refund, fen
	Status        string
	// At is when the refund succeeded, or when WeChat reported a closed
	// or abnormal one.
	At time.Time
}

// Config is the merchant's settings from the 商户平台 (pay.weixin.qq.com).
// Either the WeChat Pay public key (PublicKeyID and PublicKeyFile; what new
// merchants get) or platform certificates (PlatformCertFiles) verify what
// WeChat sends; with both, the key's id picks the public key and any other
// serial a certificate, for the months a merchant moves between them.
type Config struct {
	MchID string // 商户号
	// MchSerial is the serial number of the merchant API certificate.
	MchSerial string
	// PrivateKeyFile is the merchant API private key (apiclient_key.pem).
	PrivateKeyFile string
	// APIv3Key is the 32-character APIv3 key that encrypts notifications.
	APIv3Key string
	// PublicKeyID ("PUB_KEY_ID_…") and PublicKeyFile (pub_key.pem) are the
	// WeChat Pay public key.
	PublicKeyID   string
	PublicKeyFile string
	// PlatformCertFiles are WeChat Pay platform certificates (PEM files).
	PlatformCertFiles []string
	// AppID is the 公众号's app id the merchant is bound to; JSAPI payers'
	// OpenIDs are under it.
	AppID string
	// NotifyURL is the https URL of POST /wechatpay/notify, for payments
	// and refunds.
	NotifyURL string
	// TradePrefix (up to 8 letters, digits or _) goes before every order
	// number sent to WeChat, for a merchant that serves more than one
	// orderbot: out_trade_no must be unique per merchant.
	TradePrefix string
	// PublicURL is the base of the signed pay-page and QR links.
	PublicURL string
	// APIURL replaces scheme and host of every API call (tests point it at
	// a fake); DefaultAPIURL when empty.
	APIURL string
	// LinkTTL is how long a pay-page or QR link works (24 h when zero).
	LinkTTL time.Duration
	// HTTPClient makes the API calls; one with a 10-second timeout when nil.
	HTTPClient *http.Client
	// Clock returns the current time; time.Now when nil.
	Clock func() time.Time
}

// Defaults for the zero values of Config and limits of the handlers.
const (
	defaultLinkTTL     = 24 * time.Hour
	defaultHTTPTimeout = 10 * time.Second
	// notifyDeadline bounds the domain's work on a notification: WeChat
	// waits 5 s and retries what is not answered.
	notifyDeadline = 4 * time.Second
	// maxNotifyBody bounds a notification: real ones are about 1 KiB.
	maxNotifyBody = 64 << 10
	// timestampWindow is how far a notification's timestamp may be from
	// now: older ones are replays.
	timestampWindow = 5 * time.Minute
)

// Adapter talks to WeChat Pay and serves its routes.
type Adapter struct {
	pay    Payments
	orders Orders
	log    *slog.Logger
	cfg    Config
	api    *api
	notify *verifier
	links  links
	no     numbers
}

// New checks the configuration, loads the keys and builds the adapter.
func New(pay Payments, orders Orders, log *slog.Logger, cfg Config) (*Adapter, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	k, err := loadKeys(cfg)
	if err != nil {
		return nil, err
	}
	a, err := newAPI(cfg, k)
	if err != nil {
		return nil, err
	}
	return &Adapter{
		pay: pay, orders: orders, log: log, cfg: cfg, api: a,
		notify: &verifier{keys: k, apiV3Key: cfg.APIv3Key, now: cfg.Clock},
		links:  newLinks(cfg.APIv3Key, cfg.PublicURL, cfg.LinkTTL, cfg.Clock),
		no:     numbers{cfg.TradePrefix},
	}, nil
}

// Register mounts POST /wechatpay/notify (payment and refund
// notifications), GET /wechatpay/pay (the JSAPI pay page) and
// GET /wechatpay/qr (the Native QR code as PNG).
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /wechatpay/notify", a.serveNotify)
	mux.HandleFunc("GET /wechatpay/pay", a.servePayPage)
	mux.HandleFunc("GET /wechatpay/qr", a.serveQR)
}

func (a *Adapter) now() time.Time { return a.cfg.Clock() }
