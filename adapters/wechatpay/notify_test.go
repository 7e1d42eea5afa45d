package wechatpay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// paidOrder is an order the customer opened with JSAPI and paid at the
// fake; it returns the notification resource WeChat sends for it.
func (e *env) paidOrder(number string, amount int64) map[string]any {
	e.t.Helper()
	e.addOrder(number, amount)
	if _, err := e.a.JSAPI(context.Background(), Order{Number: number, Amount: amount, Description: "订单"}, testOpenID); err != nil {
		e.t.Fatal(err)
	}
	return e.fake.Pay(number)
}

func TestNotifyPaidRecordsThePaymentOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		by   verifyBy
	}{{"public key", byPublicKey}, {"platform certificate", byCertificate}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.by)
			res := e.paidOrder("100001", 1280)
			w := e.serve(e.fake.Notification("TRANSACTION.SUCCESS", res, time.Now(), e.platform))
			if w.Code != http.StatusNoContent {
				t.Fatalf("notification: %d %s, want 204", w.Code, w.Body)
			}
			paid, _, calls := e.pay.recorded()
			if len(paid) != 1 || calls != 1 {
				t.Fatalf("payments recorded %d (calls %d), want 1", len(paid), calls)
			}
			p := paid[0]
			if p.OrderNumber != "100001" || p.Amount != 1280 || p.PayerTotal != 1280 || p.Currency != "CNY" ||
				p.TransactionID != res["transaction_id"] || p.Payer != testOpenID || p.TradeType != "JSAPI" {
				t.Errorf("payment = %+v", p)
			}
			if p.PaidAt.IsZero() || time.Since(p.PaidAt) > time.Minute {
				t.Errorf("paid at %v, want about now", p.PaidAt)
			}
			// WeChat gives up after 5 s: the domain must finish before.
			if b := e.pay.budget; b <= 0 || b > 4*time.Second {
				t.Errorf("the domain had %v to record the payment, want at most 4s", b)
			}
		})
	}
}

// WeChat repeats a notification until it gets 2xx, for about a day, and
// may send a repeat while the first is still being handled.
func TestNotifyDuplicatesHaveOneEffect(t *testing.T) {
	e := newEnv(t, byPublicKey)
	res := e.paidOrder("100002", 3800)
	var wg sync.WaitGroup
	codes := make([]int, 4)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each repeat is signed afresh, with its own nonce and time.
			codes[i] = e.serve(e.fake.Notification("TRANSACTION.SUCCESS", res, time.Now(), e.platform)).Code
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusNoContent {
			t.Errorf("notification %d: %d, want 204 (a repeat must be acknowledged, or WeChat keeps sending it)", i, c)
		}
	}
	if w := e.serve(e.fake.Notification("TRANSACTION.SUCCESS", res, time.Now(), e.platform)); w.Code != http.StatusNoContent {
		t.Errorf("late repeat: %d", w.Code)
	}
	paid, _, calls := e.pay.recorded()
	if len(paid) != 1 {
		t.Fatalf("%d payments recorded from %d notifications, want 1", len(paid), calls)
	}
	for _, p := range paid {
		if p.TransactionID != res["transaction_id"] {
			t.Errorf("transaction %q, want %q", p.TransactionID, res["transaction_id"])
		}
	}
}

func TestNotifyForgedIsUnauthorizedAndChangesNothing(t *testing.T) {
	e := newEnv(t, byPublicKey)
	res := e.paidOrder("100003", 1000)
	tampered := e.fake.Notification("TRANSACTION.SUCCESS", res, time.Now(), e.platform)
	body, _ := io.ReadAll(tampered.Body)
	tampered.Body = io.NopCloser(bytes.NewReader(bytes.Replace(body, []byte(`"EV-`), []byte(`"XX-`), 1)))
	otherSerial := e.fake.Notification("TRANSACTION.SUCCESS", res, time.Now(), e.platform)
	otherSerial.Header.Set("Wechatpay-Serial", "PUB_KEY_ID_OTHER")
	garbled := e.fake.Notification("TRANSACTION.SUCCESS", res, time.Now(), e.platform)
	garbled.Header.Set("Wechatpay-Signature", "bm90IGEgc2lnbmF0dXJl")
	for name, r := range map[string]*http.Request{
		"signed with another key":    e.fake.Notification("TRANSACTION.SUCCESS", res, time.Now(), e.forger),
		"body changed after signing": tampered,
		"unknown serial":             otherSerial,
		"garbled signature":          garbled,
	} {
		t.Run(name, func(t *testing.T) {
			w := e.serve(r)
			if w.Code != http.StatusUnauthorized {
				t.Errorf("%d %s, want 401", w.Code, w.Body)
			}
			var answer map[string]string
			if json.Unmarshal(w.Body.Bytes(), &answer) != nil || answer["code"] != "FAIL" {
				t.Errorf("answer %q is not WeChat's error format", w.Body)
			}
		})
	}
	if _, _, calls := e.pay.recorded(); calls != 0 {
		t.Errorf("the domain was called %d times for forged notifications", calls)
	}
}

func TestNotifyStaleTimestampIsRefused(t *testing.T) {
	e := newEnv(t, byPublicKey)
	res := e.paidOrder("100004", 1000)
	for name, ts := range map[string]time.Time{
		"six minutes old":       time.Now().Add(-6 * time.Minute),
		"a day old":             time.Now().Add(-24 * time.Hour),
		"six minutes in future": time.Now().Add(6 * time.Minute),
	} {
		t.Run(name, func(t *testing.T) {
			// Correctly signed: only the time gives the replay away.
			if w := e.serve(e.fake.Notification("TRANSACTION.SUCCESS", res, ts, e.platform)); w.Code != http.StatusUnauthorized {
				t.Errorf("%d %s, want 401", w.Code, w.Body)
			}
		})
	}
	if _, _, calls := e.pay.recorded(); calls != 0 {
		t.Errorf("the domain was called %d times for stale notifications", calls)
	}
	if w := e.serve(e.fake.Notification("TRANSACTION.SUCCESS", res, time.Now().Add(-4*time.Minute), e.platform)); w.Code != http.StatusNoContent {
		t.Errorf("four minutes old: %d, want 204", w.Code)
	}
}

func TestNotifyMalformedIsBadRequest(t *testing.T) {
	e := newEnv(t, byPublicKey)
	res := e.paidOrder("100005", 1000)
	now := time.Now()
	noNonce := e.fake.Notification("TRANSACTION.SUCCESS", res, now, e.platform)
	noNonce.Header.Del("Wechatpay-Nonce")
	badTime := e.fake.Notification("TRANSACTION.SUCCESS", res, now, e.platform)
	badTime.Header.Set("Wechatpay-Timestamp", "yesterday")
	resourceNotTransaction := e.fake.Notification("TRANSACTION.SUCCESS", map[string]any{"amount": "lots"}, now, e.platform)
	for name, tc := range map[string]struct {
		r    *http.Request
		want int
	}{
		"no nonce header":            {noNonce, http.StatusBadRequest},
		"timestamp not a number":     {badTime, http.StatusBadRequest},
		"signed, not JSON":           {e.fake.SignedRequest([]byte("<xml>hello</xml>"), now, e.platform), http.StatusBadRequest},
		"signed, no resource":        {e.fake.SignedRequest([]byte(`{"id":"EV-1","event_type":"TRANSACTION.SUCCESS"}`), now, e.platform), http.StatusBadRequest},
		"encrypted with another key": {e.fake.NotificationSealed("TRANSACTION.SUCCESS", res, now, e.platform, strings.Repeat("Z", 32)), http.StatusBadRequest},
		"resource not a transaction": {resourceNotTransaction, http.StatusBadRequest},
		"body over 64 KiB":           {e.fake.SignedRequest(bytes.Repeat([]byte("a"), 65<<10), now, e.platform), http.StatusRequestEntityTooLarge},
	} {
		t.Run(name, func(t *testing.T) {
			if w := e.serve(tc.r); w.Code != tc.want {
				t.Errorf("%d %s, want %d", w.Code, w.Body, tc.want)
			}
		})
	}
	if _, _, calls := e.pay.recorded(); calls != 0 {
		t.Errorf("the domain recorded something from malformed notifications (%d calls)", calls)
	}
}

func TestNotifyTheDomainRefuses(t *testing.T) {
	e := newEnv(t, byPublicKey)
	res := e.paidOrder("100006", 1000)
	// The shop changed the order's amount after the customer paid: the
	// domain refuses the payment and WeChat is told it is wrong.
	e.pay.expect("100006", 2000)
	if w := e.serve(e.fake.Notification("TRANSACTION.SUCCESS", res, time.Now(), e.platform)); w.Code != http.StatusBadRequest {
		t.Errorf("wrong amount: %d, want 400", w.Code)
	}
	otherMerchant := map[string]any{}
	for k, v := range res {
		otherMerchant[k] = v
	}
	otherMerchant["mchid"] = "1230000109"
	e.pay.expect("100006", 1000)
	if w := e.serve(e.fake.Notification("TRANSACTION.SUCCESS", otherMerchant, time.Now(), e.platform)); w.Code != http.StatusBadRequest {
		t.Errorf("another merchant's payment: %d, want 400", w.Code)
	}
	if paid, _, _ := e.pay.recorded(); len(paid) != 0 {
		t.Fatalf("recorded %+v", paid)
	}
	// A database that is down is not the notification's fault: 500, and
	// WeChat tries again later.
	e.pay.mu.Lock()
	e.pay.err = errors.New("database unavailable")
	e.pay.mu.Unlock()
	if w := e.serve(e.fake.Notification("TRANSACTION.SUCCESS", res, time.Now(), e.platform)); w.Code != http.StatusInternalServerError {
		t.Errorf("domain down: %d, want 500", w.Code)
	}
	e.pay.mu.Lock()
	e.pay.err = nil
	e.pay.mu.Unlock()
	if w := e.serve(e.fake.Notification("TRANSACTION.SUCCESS", res, time.Now(), e.platform)); w.Code != http.StatusNoContent {
		t.Errorf("retry after the outage: %d, want 204", w.Code)
	}
	if paid, _, _ := e.pay.recorded(); len(paid) != 1 {
		t.Errorf("after the retry %d payments, want 1", len(paid))
	}
}

func TestNotifyOtherEventsAreAcknowledged(t *testing.T) {
	e := newEnv(t, byPublicKey)
	w := e.serve(e.fake.Notification("MCHTRANSFER.BILL.FINISHED", map[string]any{"mchid": testMchID}, time.Now(), e.platform))
	if w.Code != http.StatusNoContent {
		t.Errorf("%d, want 204", w.Code)
	}
	if _, _, calls := e.pay.recorded(); calls != 0 {
		t.Errorf("the domain was called for an event it does not handle")
	}
}
