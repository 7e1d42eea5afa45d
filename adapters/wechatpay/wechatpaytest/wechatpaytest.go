// Package wechatpaytest is a fake WeChat Pay API v3 server for tests: the
// adapter's own tests and end-to-end tests of the whole server speak to it
// through the real SDK. It checks the merchant's request signatures, signs
// its answers and notifications with a test platform key pair as WeChat
// does, records the orders and refunds it was asked for, and can play the
// customer paying and WeChat notifying the merchant.
package wechatpaytest

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"
)

// Options are the merchant the fake serves and the keys it uses.
type Options struct {
	MchID, AppID string
	// APIv3Key encrypts notification resources (32 characters).
	APIv3Key string
	// MerchantKey verifies the merchant's Authorization header.
	MerchantKey *rsa.PublicKey
	// Platform signs answers and notifications; Serial is sent as
	// Wechatpay-Serial (the public key id or the certificate's serial).
	Platform *rsa.PrivateKey
	Serial   string
	// Clock is WeChat's clock; time.Now when nil.
	Clock func() time.Time
}

// Server is WeChat Pay's API v3 as far as orderbot uses it: JSAPI and
// Native prepay, order query and close, refunds and their query.
type Server struct {
	t    testing.TB
	srv  *httptest.Server
	opts Options

	mu       sync.Mutex
	signer   *rsa.PrivateKey    // signs answers and notifications
	orders   map[string]*Order  // by out_trade_no
	refunds  map[string]*Refund // by out_refund_no
	calls    map[string]int     // by route pattern
	refusals []refusal          // next refund requests to refuse
	seq      int
}

// refusal is an answer the next refund request gets instead of a refund.
type refusal struct {
	status int
	code   string
}

// Order is what WeChat has for an out_trade_no.
type Order struct {
	Request   string // the canonical prepay request, to compare repeats
	TradeType string // JSAPI or NATIVE
	Amount    int64
	Expire    string
	OpenID    string
	State     string // NOTPAY, SUCCESS, CLOSED, REFUND
	PrepayID  string
	CodeURL   string
	TxnID     string
	NotifyURL string
	PaidAt    time.Time
}

// Refund is what WeChat has for an out_refund_no.
type Refund struct {
	OutTradeNo, OutRefundNo, RefundID, TxnID, Status, NotifyURL string
	Amount, Total                                               int64
	Created, Succeeded                                          time.Time
}

// New starts the fake; it stops when the test ends.
func New(t testing.TB, o Options) *Server {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	f := &Server{
		t: t, opts: o, signer: o.Platform,
		orders: map[string]*Order{}, refunds: map[string]*Refund{}, calls: map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v3/pay/transactions/jsapi", f.prepay("JSAPI"))
	mux.HandleFunc("POST /v3/pay/transactions/native", f.prepay("NATIVE"))
	mux.HandleFunc("GET /v3/pay/transactions/out-trade-no/{no}", f.query)
	mux.HandleFunc("POST /v3/pay/transactions/out-trade-no/{no}/close", f.close)
	mux.HandleFunc("POST /v3/refund/domestic/refunds", f.refund)
	mux.HandleFunc("GET /v3/refund/domestic/refunds/{no}", f.queryRefund)
	f.srv = httptest.NewServer(f.authorized(mux))
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the API base URL to configure the adapter with.
func (f *Server) URL() string { return f.srv.URL }

// SignWith makes the fake sign its answers with key from now on, such as
// a key that is not WeChat's.
func (f *Server) SignWith(key *rsa.PrivateKey) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signer = key
}

// RefuseRefunds makes the next n refund requests fail with status and
// WeChat's error code (such as 500 SYSTEM_ERROR or 403 NOT_ENOUGH); later
// ones are served again.
func (f *Server) RefuseRefunds(n, status int, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.refusals = append(f.refusals, refusal{status, code})
	}
}

var authHeader = regexp.MustCompile(`^WECHATPAY2-SHA256-RSA2048 mchid="([^"]*)",nonce_str="([^"]*)",timestamp="(\d+)",serial_no="([^"]*)",signature="([^"]*)"$`)

// authorized checks the merchant's request signature, as WeChat does,
// before any handler runs.
func (f *Server) authorized(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		m := authHeader.FindStringSubmatch(r.Header.Get("Authorization"))
		if m == nil || m[1] != f.opts.MchID {
			f.answer(w, http.StatusUnauthorized, apiError("SIGN_ERROR", "no or bad Authorization"))
			return
		}
		msg := fmt.Sprintf("%s\n%s\n%s\n%s\n%s\n", r.Method, r.URL.RequestURI(), m[3], m[2], body)
		sig, _ := base64.StdEncoding.DecodeString(m[5])
		sum := sha256.Sum256([]byte(msg))
		if rsa.VerifyPKCS1v15(f.opts.MerchantKey, crypto.SHA256, sum[:], sig) != nil {
			f.answer(w, http.StatusUnauthorized, apiError("SIGN_ERROR", "signature does not verify"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func apiError(code, msg string) map[string]string {
	return map[string]string{"code": code, "message": msg}
}

// signHeaders are the Wechatpay-* headers of a body sent at ts.
func (f *Server) signHeaders(body []byte, ts time.Time, key *rsa.PrivateKey) http.Header {
	nonce := randomHex(16)
	msg := fmt.Sprintf("%d\n%s\n%s\n", ts.Unix(), nonce, body)
	sum := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		f.t.Error(err)
	}
	h := http.Header{}
	h.Set("Wechatpay-Timestamp", fmt.Sprint(ts.Unix()))
	h.Set("Wechatpay-Nonce", nonce)
	h.Set("Wechatpay-Serial", f.opts.Serial)
	h.Set("Wechatpay-Signature", base64.StdEncoding.EncodeToString(sig))
	h.Set("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
	return h
}

// answer writes a signed JSON answer (or a signed empty one when v is nil).
func (f *Server) answer(w http.ResponseWriter, status int, v any) {
	var body []byte
	if v != nil {
		body, _ = json.Marshal(v)
		w.Header().Set("Content-Type", "application/json")
	}
	f.mu.Lock()
	key := f.signer
	f.mu.Unlock()
	for k, vs := range f.signHeaders(body, f.opts.Clock(), key) {
		w.Header()[k] = vs
	}
	w.Header().Set("Request-Id", randomHex(8))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// count counts a call by its route pattern, such as
// "POST /v3/refund/domestic/refunds". The caller holds f.mu.
func (f *Server) count(r *http.Request) {
	f.calls[r.Pattern]++
}

type prepayBody struct {
	AppID       string `json:"appid"`
	MchID       string `json:"mchid"`
	Description string `json:"description"`
	OutTradeNo  string `json:"out_trade_no"`
	NotifyURL   string `json:"notify_url"`
	TimeExpire  string `json:"time_expire"`
	Amount      struct {
		Total    int64  `json:"total"`
		Currency string `json:"currency"`
	} `json:"amount"`
	Payer *struct {
		OpenID string `json:"openid"`
	} `json:"payer"`
}

// timeExpire is the form of time_expire in WeChat's documentation.
var timeExpire = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$`)

func (f *Server) prepay(tradeType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var req prepayBody
		if err := json.Unmarshal(raw, &req); err != nil {
			f.answer(w, http.StatusBadRequest, apiError("PARAM_ERROR", err.Error()))
			return
		}
		openID := ""
		if req.Payer != nil {
			openID = req.Payer.OpenID
		}
		switch {
		case req.MchID != f.opts.MchID || req.AppID != f.opts.AppID:
			f.answer(w, http.StatusBadRequest, apiError("APPID_MCHID_NOT_MATCH", "appid and mchid do not match"))
			return
		case req.Amount.Total <= 0 || req.Amount.Currency != "CNY" || req.OutTradeNo == "" || req.Description == "" || req.NotifyURL == "":
			f.answer(w, http.StatusBadRequest, apiError("PARAM_ERROR", "missing or bad parameter"))
			return
		case req.TimeExpire != "" && !timeExpire.MatchString(req.TimeExpire):
			f.answer(w, http.StatusBadRequest, apiError("PARAM_ERROR", "time_expire 格式错误"))
			return
		case tradeType == "JSAPI" && openID == "":
			f.answer(w, http.StatusBadRequest, apiError("PARAM_ERROR", "payer.openid is required"))
			return
		}
		f.mu.Lock()
		f.count(r)
		canonical := tradeType + string(raw)
		o := f.orders[req.OutTradeNo]
		var status int
		var v any
		switch {
		case o != nil && o.TxnID != "":
			status, v = http.StatusBadRequest, apiError("ORDERPAID", "该订单已支付")
		case o != nil && o.State == "CLOSED":
			status, v = http.StatusBadRequest, apiError("ORDER_CLOSED", "订单已关闭")
		case o != nil && o.Request != canonical:
			status, v = http.StatusBadRequest, apiError("INVALID_REQUEST", "201 商户订单号重复")
		default:
			if o == nil {
				f.seq++
				o = &Order{Request: canonical, TradeType: tradeType, Amount: req.Amount.Total, OpenID: openID, State: "NOTPAY", Expire: req.TimeExpire,
					NotifyURL: req.NotifyURL, PrepayID: fmt.Sprintf("wx%014d", f.seq), CodeURL: "weixin://wxpay/bizpayurl?pr=" + randomHex(6)}
				f.orders[req.OutTradeNo] = o
			}
			status, v = http.StatusOK, map[string]string{"code_url": o.CodeURL}
			if tradeType == "JSAPI" {
				v = map[string]string{"prepay_id": o.PrepayID}
			}
		}
		f.mu.Unlock()
		f.answer(w, status, v)
	}
}

// transaction is the JSON WeChat gives for an order, in queries and in
// TRANSACTION.SUCCESS notifications. The caller holds f.mu.
func (f *Server) transaction(no string, o *Order) map[string]any {
	t := map[string]any{
		"appid": f.opts.AppID, "mchid": f.opts.MchID, "out_trade_no": no, "trade_type": o.TradeType,
		"trade_state": o.State, "trade_state_desc": o.State,
		"amount": map[string]any{"total": o.Amount, "currency": "CNY"},
	}
	if o.TxnID != "" {
		t["transaction_id"] = o.TxnID
		t["success_time"] = o.PaidAt.Format(time.RFC3339)
		t["bank_type"] = "OTHERS"
		t["payer"] = map[string]string{"openid": o.OpenID}
		t["amount"] = map[string]any{"total": o.Amount, "payer_total": o.Amount, "currency": "CNY", "payer_currency": "CNY"}
	}
	return t
}

func (f *Server) query(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.count(r)
	no := r.PathValue("no")
	o := f.orders[no]
	var status int
	var v any
	switch {
	case r.URL.Query().Get("mchid") != f.opts.MchID:
		status, v = http.StatusBadRequest, apiError("PARAM_ERROR", "mchid")
	case o == nil:
		status, v = http.StatusNotFound, apiError("ORDER_NOT_EXIST", "订单不存在")
	default:
		status, v = http.StatusOK, f.transaction(no, o)
	}
	f.mu.Unlock()
	f.answer(w, status, v)
}

func (f *Server) close(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.count(r)
	o := f.orders[r.PathValue("no")]
	var status int
	var v any
	switch {
	case o == nil:
		status, v = http.StatusNotFound, apiError("ORDER_NOT_EXIST", "订单不存在")
	case o.TxnID != "":
		status, v = http.StatusBadRequest, apiError("ORDERPAID", "该订单已支付")
	default:
		o.State = "CLOSED"
		status = http.StatusNoContent
	}
	f.mu.Unlock()
	f.answer(w, status, v)
}

type refundBody struct {
	OutTradeNo  string `json:"out_trade_no"`
	OutRefundNo string `json:"out_refund_no"`
	NotifyURL   string `json:"notify_url"`
	Amount      struct {
		Refund   int64  `json:"refund"`
		Total    int64  `json:"total"`
		Currency string `json:"currency"`
	} `json:"amount"`
}

func (f *Server) refund(w http.ResponseWriter, r *http.Request) {
	var req refundBody
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.OutRefundNo == "" {
		f.answer(w, http.StatusBadRequest, apiError("PARAM_ERROR", "bad body"))
		return
	}
	status, v := f.refundOf(r, req)
	f.answer(w, status, v)
}

func (f *Server) refundOf(r *http.Request, req refundBody) (int, any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count(r)
	if len(f.refusals) > 0 {
		no := f.refusals[0]
		f.refusals = f.refusals[1:]
		return no.status, apiError(no.code, "refused by the test")
	}
	if rf := f.refunds[req.OutRefundNo]; rf != nil {
		// A retry with the same out_refund_no is the same refund.
		return http.StatusOK, refundJSON(rf)
	}
	o := f.orders[req.OutTradeNo]
	switch {
	case o == nil || o.TxnID == "":
		return http.StatusNotFound, apiError("RESOURCE_NOT_EXISTS", "订单不存在")
	case req.Amount.Total != o.Amount || req.Amount.Refund <= 0:
		return http.StatusBadRequest, apiError("PARAM_ERROR", "amount")
	case f.refunded(req.OutTradeNo)+req.Amount.Refund > o.Amount:
		return http.StatusBadRequest, apiError("INVALID_REQUEST", "申请退款金额超过订单可退金额")
	}
	f.seq++
	rf := &Refund{OutTradeNo: req.OutTradeNo, OutRefundNo: req.OutRefundNo, RefundID: fmt.Sprintf("50000%010d", f.seq),
		TxnID: o.TxnID, Status: "PROCESSING", Amount: req.Amount.Refund, Total: o.Amount, Created: f.opts.Clock(), NotifyURL: req.NotifyURL}
	f.refunds[req.OutRefundNo] = rf
	o.State = "REFUND" // WeChat's trade state once a refund is under way
	return http.StatusOK, refundJSON(rf)
}

// refunded is what is being or was given back of an order. The caller
// holds f.mu.
func (f *Server) refunded(outTradeNo string) int64 {
	var sum int64
	for _, rf := range f.refunds {
		if rf.OutTradeNo == outTradeNo && rf.Status != "CLOSED" {
			sum += rf.Amount
		}
	}
	return sum
}

func refundJSON(rf *Refund) map[string]any {
	v := map[string]any{
		"refund_id": rf.RefundID, "out_refund_no": rf.OutRefundNo, "transaction_id": rf.TxnID,
		"out_trade_no": rf.OutTradeNo, "channel": "ORIGINAL", "user_received_account": "支付用户零钱",
		"create_time": rf.Created.Format(time.RFC3339), "status": rf.Status, "funds_account": "AVAILABLE",
		"amount": map[string]any{"total": rf.Total, "refund": rf.Amount, "payer_total": rf.Total, "payer_refund": rf.Amount,
			"settlement_refund": rf.Amount, "settlement_total": rf.Total, "discount_refund": 0, "currency": "CNY"},
	}
	if !rf.Succeeded.IsZero() {
		v["success_time"] = rf.Succeeded.Format(time.RFC3339)
	}
	return v
}

func (f *Server) queryRefund(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.count(r)
	rf := f.refunds[r.PathValue("no")]
	var status int
	var v any
	if rf == nil {
		status, v = http.StatusNotFound, apiError("RESOURCE_NOT_EXISTS", "退款单不存在")
	} else {
		status, v = http.StatusOK, refundJSON(rf)
	}
	f.mu.Unlock()
	f.answer(w, status, v)
}

// Calls is how many requests a route had, by its pattern such as
// "POST /v3/refund/domestic/refunds".
func (f *Server) Calls(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[route]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Order is a copy of the order WeChat has under out_trade_no (zero if none).
func (f *Server) Order(no string) Order {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o := f.orders[no]; o != nil {
		return *o
	}
	return Order{}
}

// OrderCount is how many orders WeChat has.
func (f *Server) OrderCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.orders)
}

// Refunds are copies of the refunds WeChat has for out_trade_no.
func (f *Server) Refunds(outTradeNo string) []Refund {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Refund
	for _, rf := range f.refunds {
		if rf.OutTradeNo == outTradeNo {
			out = append(out, *rf)
		}
	}
	return out
}
