package wechatpay

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

// pay is the customer paying the order in WeChat: it returns the resource
// of the TRANSACTION.SUCCESS notification WeChat then sends.
func (f *fakePay) pay(no string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.orders[no]
	if o == nil {
		f.t.Fatalf("fake WeChat Pay: no order %s to pay", no)
	}
	if o.txnID == "" {
		f.seq++
		o.state, o.txnID, o.paidAt = "SUCCESS", fmt.Sprintf("42000%017d", f.seq), f.clock().Truncate(time.Second)
		if o.openID == "" {
			o.openID = "o-scanner-" + randomHex(4)
		}
	}
	return f.transaction(no, o)
}

// finishRefund is WeChat completing the refund: it returns the resource of
// the REFUND.SUCCESS notification.
func (f *fakePay) finishRefund(outRefundNo string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	rf := f.refunds[outRefundNo]
	if rf == nil {
		f.t.Fatalf("fake WeChat Pay: no refund %s", outRefundNo)
	}
	rf.status, rf.succeeded = "SUCCESS", f.clock().Truncate(time.Second)
	return map[string]any{
		"mchid": f.mchID, "out_trade_no": rf.outTradeNo, "transaction_id": rf.txnID, "out_refund_no": rf.outRefundNo,
		"refund_id": rf.refundID, "refund_status": rf.status, "success_time": rf.succeeded.Format(time.RFC3339),
		"user_received_account": "支付用户零钱",
		"amount":                map[string]any{"total": rf.total, "refund": rf.amount, "payer_total": rf.total, "payer_refund": rf.amount},
	}
}

// notification is the POST WeChat sends to the notify URL: the resource
// encrypted with the APIv3 key, the body signed at ts with key.
func (f *fakePay) notification(eventType string, resource map[string]any, ts time.Time, key *rsa.PrivateKey) *http.Request {
	return f.notificationSealed(eventType, resource, ts, key, f.apiV3Key)
}

// notificationSealed is a notification whose resource is encrypted with
// apiV3Key, which a test may set to another merchant's.
func (f *fakePay) notificationSealed(eventType string, resource map[string]any, ts time.Time, key *rsa.PrivateKey, apiV3Key string) *http.Request {
	plain, _ := json.Marshal(resource)
	nonce := randomHex(6) // 12 bytes, GCM's standard nonce size
	associated := "transaction"
	if strings.HasPrefix(eventType, "REFUND.") {
		associated = "refund"
	}
	block, _ := aes.NewCipher([]byte(apiV3Key))
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
	return f.signedRequest(body, ts, key)
}

// signedRequest is a POST of body to the notify URL signed at ts with key.
func (f *fakePay) signedRequest(body []byte, ts time.Time, key *rsa.PrivateKey) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/wechatpay/notify", bytes.NewReader(body))
	for k, vs := range f.signHeaders(body, ts, key) {
		r.Header[k] = vs
	}
	r.Header.Set("Content-Type", "application/json")
	return r
}
