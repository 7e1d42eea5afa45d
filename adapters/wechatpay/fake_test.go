package wechatpay

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

// fakePay is WeChat Pay's API v3 as far as orderbot uses it: JSAPI and
// Native prepay, order query and close, refunds and their query. It checks
// the merchant's signature on every request and signs every answer and
// every notification with the platform key, exactly as WeChat does, so the
// real SDK verifies them.
type fakePay struct {
	t        testing.TB
	srv      *httptest.Server
	mchID    string
	appID    string
	apiV3Key string
	mchKey   *rsa.PublicKey  // verifies the merchant's Authorization
	platform *rsa.PrivateKey // signs answers and notifications
	serial   string          // Wechatpay-Serial: public key id or certificate serial
	clock    func() time.Time

	mu      sync.Mutex
	orders  map[string]*fakeOrder  // by out_trade_no
	refunds map[string]*fakeRefund // by out_refund_no
	calls   map[string]int         // by route pattern
	seq     int
}

type fakeOrder struct {
	request   string // the canonical prepay request, to compare repeats
	tradeType string
	amount    int64
	expire    string
	openID    string
	state     string
	prepayID  string
	codeURL   string
	txnID     string
	paidAt    time.Time
}

type fakeRefund struct {
	outTradeNo, outRefundNo, refundID, txnID, status string
	amount, total                                    int64
	created, succeeded                               time.Time
}

func newFakePay(t testing.TB, mchID, appID, apiV3Key string, mchKey *rsa.PublicKey, platform *rsa.PrivateKey, serial string) *fakePay {
	f := &fakePay{
		t: t, mchID: mchID, appID: appID, apiV3Key: apiV3Key, mchKey: mchKey, platform: platform, serial: serial,
		clock:  time.Now,
		orders: map[string]*fakeOrder{}, refunds: map[string]*fakeRefund{}, calls: map[string]int{},
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

var authHeader = regexp.MustCompile(`^WECHATPAY2-SHA256-RSA2048 mchid="([^"]*)",nonce_str="([^"]*)",timestamp="(\d+)",serial_no="([^"]*)",signature="([^"]*)"$`)

// authorized checks the merchant's request signature, as WeChat does,
// before any handler runs.
func (f *fakePay) authorized(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		m := authHeader.FindStringSubmatch(r.Header.Get("Authorization"))
		if m == nil || m[1] != f.mchID {
			f.answer(w, http.StatusUnauthorized, apiError("SIGN_ERROR", "no or bad Authorization"))
			return
		}
		msg := fmt.Sprintf("%s\n%s\n%s\n%s\n%s\n", r.Method, r.URL.RequestURI(), m[3], m[2], body)
		sig, _ := base64.StdEncoding.DecodeString(m[5])
		sum := sha256.Sum256([]byte(msg))
		if rsa.VerifyPKCS1v15(f.mchKey, crypto.SHA256, sum[:], sig) != nil {
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
func (f *fakePay) signHeaders(body []byte, ts time.Time, key *rsa.PrivateKey) http.Header {
	nonce := randomHex(16)
	msg := fmt.Sprintf("%d\n%s\n%s\n", ts.Unix(), nonce, body)
	sum := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		f.t.Fatal(err)
	}
	h := http.Header{}
	h.Set("Wechatpay-Timestamp", fmt.Sprint(ts.Unix()))
	h.Set("Wechatpay-Nonce", nonce)
	h.Set("Wechatpay-Serial", f.serial)
	h.Set("Wechatpay-Signature", base64.StdEncoding.EncodeToString(sig))
	h.Set("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
	return h
}

// answer writes a signed JSON answer (or a signed empty one when v is nil).
func (f *fakePay) answer(w http.ResponseWriter, status int, v any) {
	var body []byte
	if v != nil {
		body, _ = json.Marshal(v)
		w.Header().Set("Content-Type", "application/json")
	}
	for k, vs := range f.signHeaders(body, f.clock(), f.platform) {
		w.Header()[k] = vs
	}
	w.Header().Set("Request-Id", randomHex(8))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// count counts a call by its route pattern, such as
// "POST /v3/refund/domestic/refunds".
func (f *fakePay) count(r *http.Request) {
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

func (f *fakePay) prepay(tradeType string) http.HandlerFunc {
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
		case req.MchID != f.mchID || req.AppID != f.appID:
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
		defer f.mu.Unlock()
		f.count(r)
		canonical := tradeType + string(raw)
		o := f.orders[req.OutTradeNo]
		switch {
		case o != nil && o.txnID != "":
			f.answer(w, http.StatusBadRequest, apiError("ORDERPAID", "该订单已支付"))
			return
		case o != nil && o.request != canonical:
			f.answer(w, http.StatusBadRequest, apiError("INVALID_REQUEST", "201 商户订单号重复"))
			return
		case o == nil:
			f.seq++
			o = &fakeOrder{request: canonical, tradeType: tradeType, amount: req.Amount.Total, openID: openID, state: "NOTPAY", expire: req.TimeExpire,
				prepayID: fmt.Sprintf("wx%014d", f.seq), codeURL: "weixin://wxpay/bizpayurl?pr=" + randomHex(6)}
			f.orders[req.OutTradeNo] = o
		}
		if tradeType == "JSAPI" {
			f.answer(w, http.StatusOK, map[string]string{"prepay_id": o.prepayID})
			return
		}
		f.answer(w, http.StatusOK, map[string]string{"code_url": o.codeURL})
	}
}

// transaction is the JSON WeChat gives for an order, in queries and in
// TRANSACTION.SUCCESS notifications.
func (f *fakePay) transaction(no string, o *fakeOrder) map[string]any {
	t := map[string]any{
		"appid": f.appID, "mchid": f.mchID, "out_trade_no": no, "trade_type": o.tradeType,
		"trade_state": o.state, "trade_state_desc": o.state,
		"amount": map[string]any{"total": o.amount, "currency": "CNY"},
	}
	if o.txnID != "" {
		t["transaction_id"] = o.txnID
		t["success_time"] = o.paidAt.Format(time.RFC3339)
		t["bank_type"] = "OTHERS"
		t["payer"] = map[string]string{"openid": o.openID}
		t["amount"] = map[string]any{"total": o.amount, "payer_total": o.amount, "currency": "CNY", "payer_currency": "CNY"}
	}
	return t
}

func (f *fakePay) query(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count(r)
	if r.URL.Query().Get("mchid") != f.mchID {
		f.answer(w, http.StatusBadRequest, apiError("PARAM_ERROR", "mchid"))
		return
	}
	no := r.PathValue("no")
	o := f.orders[no]
	if o == nil {
		f.answer(w, http.StatusNotFound, apiError("ORDER_NOT_EXIST", "订单不存在"))
		return
	}
	f.answer(w, http.StatusOK, f.transaction(no, o))
}

func (f *fakePay) close(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count(r)
	o := f.orders[r.PathValue("no")]
	switch {
	case o == nil:
		f.answer(w, http.StatusNotFound, apiError("ORDER_NOT_EXIST", "订单不存在"))
	case o.txnID != "":
		f.answer(w, http.StatusBadRequest, apiError("ORDERPAID", "该订单已支付"))
	default:
		o.state = "CLOSED"
		f.answer(w, http.StatusNoContent, nil)
	}
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

func (f *fakePay) refund(w http.ResponseWriter, r *http.Request) {
	var req refundBody
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.OutRefundNo == "" {
		f.answer(w, http.StatusBadRequest, apiError("PARAM_ERROR", "bad body"))
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count(r)
	if rf := f.refunds[req.OutRefundNo]; rf != nil {
		// A retry with the same out_refund_no is the same refund.
		f.answer(w, http.StatusOK, f.refundJSON(rf))
		return
	}
	o := f.orders[req.OutTradeNo]
	switch {
	case o == nil || o.txnID == "":
		f.answer(w, http.StatusNotFound, apiError("RESOURCE_NOT_EXISTS", "订单不存在"))
		return
	case req.Amount.Total != o.amount || req.Amount.Refund <= 0:
		f.answer(w, http.StatusBadRequest, apiError("PARAM_ERROR", "amount"))
		return
	case f.refunded(req.OutTradeNo)+req.Amount.Refund > o.amount:
		f.answer(w, http.StatusBadRequest, apiError("INVALID_REQUEST", "申请退款金额超过订单可退金额"))
		return
	}
	f.seq++
	rf := &fakeRefund{outTradeNo: req.OutTradeNo, outRefundNo: req.OutRefundNo, refundID: fmt.Sprintf("50000%010d", f.seq),
		txnID: o.txnID, status: "PROCESSING", amount: req.Amount.Refund, total: o.amount, created: f.clock()}
	f.refunds[req.OutRefundNo] = rf
	o.state = "REFUND" // WeChat's trade state once a refund is under way
	f.answer(w, http.StatusOK, f.refundJSON(rf))
}

func (f *fakePay) refunded(outTradeNo string) int64 {
	var sum int64
	for _, rf := range f.refunds {
		if rf.outTradeNo == outTradeNo && rf.status != "CLOSED" {
			sum += rf.amount
		}
	}
	return sum
}

func (f *fakePay) refundJSON(rf *fakeRefund) map[string]any {
	v := map[string]any{
		"refund_id": rf.refundID, "out_refund_no": rf.outRefundNo, "transaction_id": rf.txnID,
		"out_trade_no": rf.outTradeNo, "channel": "ORIGINAL", "user_received_account": "支付用户零钱",
		"create_time": rf.created.Format(time.RFC3339), "status": rf.status, "funds_account": "AVAILABLE",
		"amount": map[string]any{"total": rf.total, "refund": rf.amount, "payer_total": rf.total, "payer_refund": rf.amount,
			"settlement_refund": rf.amount, "settlement_total": rf.total, "discount_refund": 0, "currency": "CNY"},
	}
	if !rf.succeeded.IsZero() {
		v["success_time"] = rf.succeeded.Format(time.RFC3339)
	}
	return v
}

func (f *fakePay) queryRefund(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count(r)
	rf := f.refunds[r.PathValue("no")]
	if rf == nil {
		f.answer(w, http.StatusNotFound, apiError("RESOURCE_NOT_EXISTS", "退款单不存在"))
		return
	}
	f.answer(w, http.StatusOK, f.refundJSON(rf))
}

func (f *fakePay) callCount(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[key]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// order is a copy of the order WeChat has under out_trade_no (zero if none).
func (f *fakePay) order(no string) fakeOrder {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o := f.orders[no]; o != nil {
		return *o
	}
	return fakeOrder{}
}

func (f *fakePay) orderCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.orders)
}
