package wechatpay

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var paramsInPage = regexp.MustCompile(`var params = (\{[^\n]*\});`)

// get requests a link the adapter made, as the customer's browser would.
func (e *env) get(link, acceptLanguage string) *httptest.ResponseRecorder {
	u, err := url.Parse(link)
	if err != nil {
		e.t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, u.RequestURI(), nil)
	if acceptLanguage != "" {
		r.Header.Set("Accept-Language", acceptLanguage)
	}
	return e.serve(r)
}

func TestPayPageOpensWeChatPayForTheOrdersAmount(t *testing.T) {
	e := newEnv(t, byPublicKey)
	e.addOrder("100010", 12800)
	link := e.a.PayPageURL("100010", testOpenID)
	if !strings.HasPrefix(link, "https://shop.example.com/wechatpay/pay?") {
		t.Fatalf("link %s is not on the public URL", link)
	}
	// An amount in the link is the client's number: it is ignored.
	w := e.get(link+"&amount=1&total=1", "zh-CN,zh;q=0.9")
	if w.Code != http.StatusOK {
		t.Fatalf("pay page: %d %s", w.Code, w.Body)
	}
	page := w.Body.String()
	for _, want := range []string{"订单 100010", "¥128.00", "立即支付", "getBrandWCPayRequest"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	m := paramsInPage.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no bridge parameters in the page:\n%s", page)
	}
	var p BridgeParams
	if err := json.Unmarshal([]byte(m[1]), &p); err != nil {
		t.Fatalf("bridge parameters %s: %v", m[1], err)
	}
	o := e.fake.Order("100010")
	if o.Amount != 12800 || o.OpenID != testOpenID || o.TradeType != "JSAPI" {
		t.Fatalf("WeChat was asked for %+v, want 12800 fen from %s by JSAPI", o, testOpenID)
	}
	if p.AppID != testAppID || p.Package != "prepay_id="+o.PrepayID || p.SignType != "RSA" {
		t.Errorf("bridge parameters %+v", p)
	}
	// WeChat checks paySign with the merchant's certificate.
	msg := p.AppID + "\n" + p.TimeStamp + "\n" + p.NonceStr + "\n" + p.Package + "\n"
	sig, _ := base64.StdEncoding.DecodeString(p.PaySign)
	sum := sha256.Sum256([]byte(msg))
	if err := rsa.VerifyPKCS1v15(&testKeys()[0].PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("paySign does not verify with the merchant key: %v", err)
	}
	for h, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"} {
		if got := w.Header().Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}

	// A reload is the same payment at WeChat.
	again := paramsInPage.FindStringSubmatch(e.get(link, "en-US,en").Body.String())
	if again == nil || !strings.Contains(again[1], o.PrepayID) {
		t.Errorf("reload: %v, want prepay id %s again", again, o.PrepayID)
	}
	if n := e.fake.OrderCount(); n != 1 {
		t.Errorf("WeChat has %d orders, want 1", n)
	}
}

func TestPayPageLinkIsForOneOrderOnePayerAndExpires(t *testing.T) {
	e := newEnv(t, byPublicKey)
	e.addOrder("100011", 5000)
	e.addOrder("100012", 9900)
	link := e.a.PayPageURL("100011", testOpenID)
	for name, mangled := range map[string]string{
		"other order":   strings.Replace(link, "order=100011", "order=100012", 1),
		"other payer":   strings.Replace(link, "openid="+testOpenID, "openid=oSomeoneElse", 1),
		"no payer":      strings.Replace(link, "openid="+testOpenID, "", 1),
		"later expiry":  regexp.MustCompile(`exp=\d+`).ReplaceAllString(link, "exp=9999999999"),
		"no signature":  regexp.MustCompile(`&?sig=[^&]*`).ReplaceAllString(link, ""),
		"a QR link":     e.a.QRURL("100011"),
		"garbled order": strings.Replace(link, "order=100011", "order=%ZZ", 1),
	} {
		t.Run(name, func(t *testing.T) {
			u, _ := url.Parse(mangled)
			u.Path = "/wechatpay/pay"
			w := e.get(u.String(), "zh-CN")
			if w.Code != http.StatusForbidden && w.Code != http.StatusBadRequest {
				t.Errorf("%d, want 403", w.Code)
			}
			if strings.Contains(w.Body.String(), "getBrandWCPayRequest") {
				t.Error("a page with a bad link offers to pay")
			}
		})
	}
	if n := e.fake.OrderCount(); n != 0 {
		t.Errorf("bad links opened %d payments at WeChat", n)
	}

	// Paid at WeChat, its notification not yet here: WeChat refuses a new
	// payment and the page says there is nothing to pay.
	if _, err := e.a.JSAPI(context.Background(), Order{Number: "100012", Amount: 9900, Description: "茶叶小铺-订单100012"}, testOpenID); err != nil {
		t.Fatal(err)
	}
	e.fake.Pay("100012")
	paidLink := e.a.PayPageURL("100012", testOpenID)
	if w := e.get(paidLink, "zh-CN"); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "无需支付") {
		t.Errorf("order paid at WeChat: %d %s", w.Code, w.Body)
	}

	e.skew.Store(int64(25 * time.Hour))
	w := e.get(link, "en")
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "expired") {
		t.Errorf("expired link: %d %s", w.Code, w.Body)
	}
	e.skew.Store(0)

	e.orders.remove("100011") // paid or cancelled meanwhile
	w = e.get(link, "zh-CN")
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "无需支付") {
		t.Errorf("order not payable: %d %s", w.Code, w.Body)
	}
	if e.fake.Order("100011").Amount != 0 {
		t.Errorf("an order that is not payable was opened at WeChat")
	}
}
