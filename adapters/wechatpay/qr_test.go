package wechatpay

import (
	"bytes"
	"context"
	"image"
	_ "image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// decodeQR reads a QR code the way a phone's camera would.
func decodeQR(t *testing.T, png []byte) string {
	t.Helper()
	img, format, err := image.Decode(bytes.NewReader(png))
	if err != nil || format != "png" {
		t.Fatalf("not a PNG (%s): %v", format, err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("QR code does not decode: %v", err)
	}
	return res.GetText()
}

func TestQRCodeScansToTheNativeCodeURL(t *testing.T) {
	e := newEnv(t, byCertificate)
	e.addOrder("100020", 4500)
	w := e.get(e.a.QRURL("100020"), "")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("QR: %d %s %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	o := e.fake.Order("100020")
	if o.TradeType != "NATIVE" || o.Amount != 4500 {
		t.Fatalf("WeChat was asked for %+v, want a Native payment of 4500", o)
	}
	got := decodeQR(t, w.Body.Bytes())
	if got != o.CodeURL || !strings.HasPrefix(got, "weixin://wxpay/bizpayurl?pr=") {
		t.Errorf("QR says %q, want the code_url %q", got, o.CodeURL)
	}

	// Scanning and paying it ends in the same notification as JSAPI.
	res := e.fake.Pay("100020")
	if w := e.serve(e.fake.Notification("TRANSACTION.SUCCESS", res, time.Now(), e.platform)); w.Code != http.StatusNoContent {
		t.Fatalf("notification: %d", w.Code)
	}
	if paid, _, _ := e.pay.recorded(); len(paid) != 1 || paid[0].TradeType != "NATIVE" || paid[0].Amount != 4500 {
		t.Errorf("payments %+v", paid)
	}
	// Paid, the order is no longer payable: no new code.
	e.orders.remove("100020")
	if w := e.get(e.a.QRURL("100020"), ""); w.Code != http.StatusConflict {
		t.Errorf("QR of a paid order: %d, want 409", w.Code)
	}
}

func TestPrepayCarriesTheOrdersDeadline(t *testing.T) {
	e := newEnv(t, byPublicKey)
	payBy := time.Date(2026, 12, 1, 9, 30, 15, 500, time.UTC)
	if _, err := e.a.Native(context.Background(), Order{Number: "100023", Amount: 100, PayBy: payBy}); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.Order("100023").Expire; got != "2026-12-01T17:30:15+08:00" {
		t.Errorf("time_expire %q, want the order's deadline in WeChat's form", got)
	}
}

func TestQRLinkIsForOneOrder(t *testing.T) {
	e := newEnv(t, byPublicKey)
	e.addOrder("100021", 100)
	e.addOrder("100022", 100)
	link := e.a.QRURL("100021")
	if w := e.get(strings.Replace(link, "order=100021", "order=100022", 1), ""); w.Code != http.StatusForbidden {
		t.Errorf("another order's QR: %d, want 403", w.Code)
	}
	pay := e.a.PayPageURL("100021", testOpenID)
	if w := e.get(strings.Replace(pay, "/wechatpay/pay", "/wechatpay/qr", 1), ""); w.Code != http.StatusForbidden {
		t.Errorf("a pay-page link as QR link: %d, want 403", w.Code)
	}
	e.skew.Store(int64(25 * time.Hour))
	if w := e.get(link, ""); w.Code != http.StatusGone {
		t.Errorf("expired QR link: %d, want 410", w.Code)
	}
	if e.fake.OrderCount() != 0 {
		t.Error("bad QR links opened payments at WeChat")
	}
}

func TestQRCodeOfALongURL(t *testing.T) {
	want := "weixin://wxpay/bizpayurl?pr=" + strings.Repeat("Ab3", 40)
	png, err := QRCode(want)
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeQR(t, png); got != want {
		t.Errorf("decoded %q, want %q", got, want)
	}
}
