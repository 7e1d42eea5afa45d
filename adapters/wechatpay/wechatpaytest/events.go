package wechatpaytest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// What happens at WeChat outside orderbot's calls: the customer pays, a
// refund completes, and WeChat notifies the merchant.

// Pay is the customer paying the order in WeChat: it returns the resource
// of the TRANSACTION.SUCCESS notification WeChat then sends.
func (f *Server) Pay(no string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.orders[no]
	if o == nil {
		f.t.Fatalf("fake WeChat Pay: no order %s to pay", no)
	}
	if o.TxnID == "" {
		f.seq++
		o.State, o.TxnID, o.PaidAt = "SUCCESS", fmt.Sprintf("42000%017d", f.seq), f.opts.Clock().Truncate(time.Second)
		if o.OpenID == "" {
			o.OpenID = "o-scanner-" + randomHex(4)
		}
	}
	return f.transaction(no, o)
}

// FinishRefund is WeChat completing the refund: it returns the resource of
// the REFUND.SUCCESS notification.
func (f *Server) FinishRefund(outRefundNo string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	rf := f.refunds[outRefundNo]
	if rf == nil {
		f.t.Fatalf("fake WeChat Pay: no refund %s", outRefundNo)
	}
	rf.Status, rf.Succeeded = "SUCCESS", f.opts.Clock().Truncate(time.Second)
	return map[string]any{
		"mchid": f.opts.MchID, "out_trade_no": rf.OutTradeNo, "transaction_id": rf.TxnID, "out_refund_no": rf.OutRefundNo,
		"refund_id": rf.RefundID, "refund_status": rf.Status, "success_time": rf.Succeeded.Format(time.RFC3339),
		"user_received_account": "支付用户零钱",
		"amount":                map[string]any{"total": rf.Total, "refund": rf.Amount, "payer_total": rf.Total, "payer_refund": rf.Amount},
	}
}

// Notification is the POST WeChat sends to the notify URL: the resource
// encrypted with the APIv3 key, the body signed at ts with key.
func (f *Server) Notification(eventType string, resource map[string]any, ts time.Time, key *rsa.PrivateKey) *http.Request {
	return f.NotificationSealed(eventType, resource, ts, key, f.opts.APIv3Key)
}

// NotificationSealed is a notification whose resource is encrypted with
// apiV3Key, which a test may set to another merchant's.
func (f *Server) NotificationSealed(eventType string, resource map[string]any, ts time.Time, key *rsa.PrivateKey, apiV3Key string) *http.Request {
	plain, _ := json.Marshal(resource)
	nonce := randomHex(6) // 12 bytes, GCM's standard nonce size
	associated := "transaction"
	if strings.HasPrefix(eventType, "REFUND.") {
		associated = "refund"
	}
	block, err := aes.NewCipher([]byte(apiV3Key))
	if err != nil {
		f.t.Fatalf("fake WeChat Pay: APIv3 key: %v", err)
	}
	gcm, _ := cipher.NewGCM(block)
	sealed := gcm.Seal(nil, []byte(nonce), plain, []byte(associated))
	f.mu.Lock()
	f.seq++
	id := fmt.Sprintf("EV-2018022511223320%03d", f.seq)
	f.mu.Unlock()
	body, _ := json.Marshal(map[string]any{
		"id": id, "create_time": ts.Format(time.RFC3339), "resource_type": "encrypt-resource",
		"event_type": eventType, "summary": "支付成功",
		"resource": map[string]string{
			"original_type": associated, "algorithm": "AEAD_AES_256_GCM",
			"ciphertext": base64.StdEncoding.EncodeToString(sealed), "associated_data": associated, "nonce": nonce,
		},
	})
	return f.SignedRequest(body, ts, key)
}

// SignedRequest is a POST of body to the notify path signed at ts with
// key, for a handler in the test (httptest) or, with Push, a server.
func (f *Server) SignedRequest(body []byte, ts time.Time, key *rsa.PrivateKey) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/wechatpay/notify", bytes.NewReader(body))
	for k, vs := range f.signHeaders(body, ts, key) {
		r.Header[k] = vs
	}
	r.Header.Set("Content-Type", "application/json")
	return r
}

// Push sends a notification request (Notification) to url, as WeChat
// posts to the notify URL, and returns the status it was answered with.
func (f *Server) Push(url string, n *http.Request) int {
	out, err := http.NewRequest(http.MethodPost, url, n.Body)
	if err != nil {
		f.t.Fatalf("fake WeChat Pay: notify %s: %v", url, err)
	}
	out.Header = n.Header.Clone()
	resp, err := http.DefaultClient.Do(out)
	if err != nil {
		f.t.Fatalf("fake WeChat Pay: notify %s: %v", url, err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

// PlatformKey is the key the fake signs with (Options.Platform), to sign
// notifications as WeChat.
func (f *Server) PlatformKey() *rsa.PrivateKey { return f.opts.Platform }
