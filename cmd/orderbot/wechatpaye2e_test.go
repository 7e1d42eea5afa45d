package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/adapters/wechatpay/wechatpaytest"
	"github.com/orderbot/orderbot/store/storetest"
)

const (
	e2eMchID    = "1900000001"
	e2eAppID    = "wx0123456789"
	e2eAPIv3Key = "0123456789abcdefghijABCDEFGHIJ01"
	e2ePubKeyID = "PUB_KEY_ID_0119000000012025"
)

// e2eKeys are the merchant's, WeChat's and a forger's keys, made once:
// RSA key generation is the slow part of these tests.
var e2eKeys = sync.OnceValue(func() [3]*rsa.PrivateKey {
	var ks [3]*rsa.PrivateKey
	for i := range ks {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		ks[i] = k
	}
	return ks
})

// shiftClock is the server's clock, moved forward by the test.
type shiftClock struct{ by atomic.Int64 }

func (c *shiftClock) Now() time.Time           { return time.Now().Add(time.Duration(c.by.Load())) }
func (c *shiftClock) advance(d time.Duration)  { c.by.Add(int64(d)) }
func (c *shiftClock) tweak() func(cfg *config) { return func(cfg *config) { cfg.Clock = c.Now } }

// wechatPayShop is the server's settings for a shop taking WeChat Pay
// from the fake, on backend; pay-first, so the pay link comes with the
// order.
func wechatPayShop(t *testing.T, backend string) (map[string]string, *wechatpaytest.Server) {
	t.Helper()
	ks := e2eKeys()
	merchant, platform := ks[0], ks[1]
	fake := wechatpaytest.New(t, wechatpaytest.Options{
		MchID: e2eMchID, AppID: e2eAppID, APIv3Key: e2eAPIv3Key,
		MerchantKey: &merchant.PublicKey, Platform: platform, Serial: e2ePubKeyID,
	})
	dir := t.TempDir()
	priv, err := x509.MarshalPKCS8PrivateKey(merchant)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&platform.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"ORDERBOT_DB": storetest.DSN(t, backend), "ORDERBOT_DEMO": "true",
		"ORDERBOT_PUBLIC_URL": "https://shop.example", "ORDERBOT_PAY_FLOW": "pay-first",
		"ORDERBOT_WECHATPAY_MCH_ID": e2eMchID, "ORDERBOT_WECHATPAY_MCH_SERIAL": "3775B6A45ACD5888",
		"ORDERBOT_WECHATPAY_PRIVATE_KEY_FILE": writeKey(t, dir, "apiclient_key.pem", "PRIVATE KEY", priv),
		"ORDERBOT_WECHATPAY_API_V3_KEY":       e2eAPIv3Key,
		"ORDERBOT_WECHATPAY_PUBLIC_KEY_ID":    e2ePubKeyID,
		"ORDERBOT_WECHATPAY_PUBLIC_KEY_FILE":  writeKey(t, dir, "pub_key.pem", "PUBLIC KEY", pub),
		"ORDERBOT_WECHATPAY_APP_ID":           e2eAppID,
		"ORDERBOT_WECHATPAY_API_URL":          fake.URL(),
	}, fake
}

// apiOrder is the admin API's view of an order.
type apiOrder struct {
	Number        string `json:"number"`
	Status        string `json:"status"`
	PaymentStatus string `json:"payment_status"`
	Total         int64  `json:"total"`
	History       []struct {
		Status string `json:"status"`
		By     string `json:"by"`
	} `json:"history"`
}

func (u *user) apiOrder(number string) apiOrder {
	u.s.t.Helper()
	var o apiOrder
	if err := json.Unmarshal(u.get("/api/v1/orders/"+number, http.StatusOK), &o); err != nil {
		u.s.t.Fatal(err)
	}
	return o
}

// steps counts the order's history entries that reached status.
func (o apiOrder) steps(status string) int {
	n := 0
	for _, h := range o.History {
		if h.Status == status {
			n++
		}
	}
	return n
}

func (u *user) stock(sku string) int {
	u.s.t.Helper()
	var p struct {
		Stock int `json:"stock"`
	}
	if err := json.Unmarshal(u.get("/api/v1/products/"+sku, http.StatusOK), &p); err != nil {
		u.s.t.Fatal(err)
	}
	return p.Stock
}

// image waits for the next picture the customer is shown and returns it
// on the server s rather than the public URL it is published under.
func (u *user) image() string {
	u.s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var ms []message
		if err := json.Unmarshal(u.get(fmt.Sprintf("/chat/api/messages?after=%d", u.last), http.StatusOK), &ms); err != nil {
			u.s.t.Fatal(err)
		}
		for _, m := range ms {
			u.last = max(u.last, m.ID)
			if m.Image != "" {
				return strings.Replace(m.Image, "https://shop.example", u.s.base, 1)
			}
		}
	}
	u.s.t.Fatal("no picture reached the customer")
	return ""
}

// notify is WeChat posting a notification to the server's notify URL.
func (s *server) notify(fake *wechatpaytest.Server, r *http.Request) int {
	return fake.Push(s.base+"/wechatpay/notify", r)
}

// TestWeChatPayThroughTheServer runs WeChat Pay end to end: the real
// server, its real SDK client, and a fake WeChat Pay that signs like
// WeChat. A web chat customer is shown the Native QR code; paying marks
// the order paid once however often WeChat repeats the notification; a
// forged notification is refused and changes nothing; after-sales
// approval refunds through WeChat and the refund notification records it;
// an order left unpaid past its deadline is closed at WeChat, cancelled
// and its stock given back.
func TestWeChatPayThroughTheServer(t *testing.T) {
	for _, backend := range []string{"sqlite", "mysql"} {
		t.Run(backend, func(t *testing.T) {
			clk := &shiftClock{}
			env, fake := wechatPayShop(t, backend)
			platform, forger := e2eKeys()[1], e2eKeys()[2]
			s := startServer(t, env, clk.tweak())
			staff, buyer, idler := s.newUser(), s.newUser(), s.newUser()
			staff.login("demo", "demo")
			const sku = "TEA-LJ-250"
			stock := staff.stock(sku)

			buyer.get("/chat", http.StatusOK)
			n := buyer.orderConfirmedBy("pay_wechatpay", sku, 2, "Li Lei", "13800138000", "88 Wensan Road, Hangzhou")
			qr := buyer.image()
			if !strings.Contains(qr, "/wechatpay/qr?") {
				t.Fatalf("the web chat customer was shown %q, want the WeChat Pay QR", qr)
			}
			res, err := buyer.c.Get(qr)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			o := staff.apiOrder(n)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" {
				t.Fatalf("QR: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			if w := fake.Order(n); w.TradeType != "NATIVE" || w.Amount != o.Total || o.Total <= 0 {
				t.Fatalf("WeChat has %+v for order %+v", w, o)
			}

			paid := fake.Pay(n)
			for range 3 { // WeChat repeats a notification until it is answered, and after
				if code := s.notify(fake, fake.Notification("TRANSACTION.SUCCESS", paid, clk.Now(), platform)); code/100 != 2 {
					t.Fatalf("payment notification: %d", code)
				}
			}
			if o = staff.apiOrder(n); o.PaymentStatus != "paid" || o.steps("paid") != 1 {
				t.Fatalf("after the payment and its repeats: %+v", o)
			}
			buyer.waitFor("we've received your payment")

			idle := func() string {
				idler.get("/chat", http.StatusOK)
				m := idler.orderConfirmedBy("pay_wechatpay", sku, 1, "Han Meimei", "13900139000", "1 Xueyuan Road, Beijing")
				r, err := idler.c.Get(idler.image())
				if err != nil {
					t.Fatal(err)
				}
				r.Body.Close()
				return m
			}()
			if got := staff.stock(sku); got != stock-3 {
				t.Fatalf("stock %d after ordering 3 of %d", got, stock)
			}
			// Someone who knows the order claims WeChat took its money.
			forged := map[string]any{"appid": e2eAppID, "mchid": e2eMchID, "out_trade_no": idle, "trade_type": "NATIVE",
				"trade_state": "SUCCESS", "transaction_id": "4200000000000000000999", "success_time": clk.Now().Format(time.RFC3339),
				"amount": map[string]any{"total": staff.apiOrder(idle).Total, "payer_total": staff.apiOrder(idle).Total, "currency": "CNY"}}
			if code := s.notify(fake, fake.Notification("TRANSACTION.SUCCESS", forged, clk.Now(), forger)); code != http.StatusUnauthorized {
				t.Fatalf("forged notification: %d, want 401", code)
			}
			if o := staff.apiOrder(idle); o.PaymentStatus != "unpaid" || o.Status != "pending" {
				t.Fatalf("a forged notification changed the order: %+v", o)
			}

			// A customer who changes their mind: the cancel closes the
			// order at WeChat, so the QR code they hold no longer pays.
			quitter := s.newUser()
			quitter.get("/chat", http.StatusOK)
			q := quitter.orderConfirmedBy("pay_wechatpay", sku, 1, "Wang Fang", "13700137000", "9 Nanjing Road, Shanghai")
			if r, err := quitter.c.Get(quitter.image()); err != nil {
				t.Fatal(err)
			} else {
				r.Body.Close()
			}
			quitter.say("cancel " + q)
			if got := quitter.press("yes"); !strings.Contains(got, "cancelled") {
				t.Fatalf("cancel: %q", got)
			}
			if w := fake.Order(q); w.State != "CLOSED" {
				t.Fatalf("WeChat's order after the customer cancelled: %+v", w)
			}

			// The paid order goes through, then comes back.
			staff.act(staff.card("订单 "+n), "approve", nil, http.StatusOK)
			c := staff.act(staff.card("订单 "+n), "ship", map[string]string{"carrier": "SF Express", "tracking": "SF1234567890"}, http.StatusOK)
			staff.act(c, "deliver", nil, http.StatusOK)
			buyer.say("after-sales")
			buyer.press("order:" + n)
			buyer.press("type:return")
			buyer.say("One tin arrived dented.")
			buyer.press("done")
			req := requestNo.FindString(buyer.press("submit"))
			if req == "" {
				t.Fatalf("no request number: %+v", buyer.latest)
			}
			staff.act(staff.card("售后 "+req), "approve", nil, http.StatusOK)
			refunds := fake.Refunds(n)
			if len(refunds) != 1 || refunds[0].Amount != o.Total {
				t.Fatalf("refunds asked of WeChat: %+v", refunds)
			}
			done := fake.FinishRefund(refunds[0].OutRefundNo)
			for range 2 {
				if code := s.notify(fake, fake.Notification("REFUND.SUCCESS", done, clk.Now(), platform)); code/100 != 2 {
					t.Fatalf("refund notification: %d", code)
				}
			}
			if o := staff.apiOrder(n); o.PaymentStatus != "refunded" || o.steps("refunded") != 1 {
				t.Fatalf("after the refund: %+v", o)
			}
			buyer.waitFor("a refund of")
			stock = staff.stock(sku)

			// The other order is never paid. The deadline passes while the
			// server is down; the sweep when it is back closes it.
			if err := s.stop(); err != nil {
				t.Fatal(err)
			}
			clk.advance(25 * time.Hour)
			s = startServer(t, env, clk.tweak())
			staff = s.newUser()
			staff.login("demo", "demo")
			deadline := time.Now().Add(30 * time.Second)
			for staff.apiOrder(idle).Status != "cancelled" && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if o := staff.apiOrder(idle); o.Status != "cancelled" || o.PaymentStatus != "unpaid" {
				t.Fatalf("unpaid past its deadline: %+v\n%s", o, s.logs.String())
			}
			idler.s = s // the same browser, back on the restarted server
			idler.waitFor("didn't arrive in time")
			if w := fake.Order(idle); w.State != "CLOSED" {
				t.Fatalf("WeChat's order after the timeout: %+v", w)
			}
			if got := staff.stock(sku); got != stock+1 {
				t.Fatalf("stock %d after the timeout, want %d", got, stock+1)
			}
			if err := s.stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
