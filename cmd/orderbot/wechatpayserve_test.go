package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/store/storetest"
)

// writeKey writes der as a PEM file and returns its path.
func writeKey(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestServeWiresWeChatPay: with the merchant settings the server mounts
// WeChat Pay's routes; a notification signed by someone else is refused
// with 401, and a QR link not signed by orderbot with 403.
func TestServeWiresWeChatPay(t *testing.T) {
	dir := t.TempDir()
	merchant, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	platform, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := x509.MarshalPKCS8PrivateKey(merchant)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&platform.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, map[string]string{
		"ORDERBOT_DB": storetest.DSN(t, "sqlite"), "ORDERBOT_PUBLIC_URL": "https://shop.example",
		"ORDERBOT_WECHATPAY_MCH_ID": "1900000001", "ORDERBOT_WECHATPAY_MCH_SERIAL": "3775B6A45ACD5888",
		"ORDERBOT_WECHATPAY_PRIVATE_KEY_FILE": writeKey(t, dir, "apiclient_key.pem", "PRIVATE KEY", priv),
		"ORDERBOT_WECHATPAY_API_V3_KEY":       strings.Repeat("k", 32),
		"ORDERBOT_WECHATPAY_PUBLIC_KEY_ID":    "PUB_KEY_ID_0119000000012025",
		"ORDERBOT_WECHATPAY_PUBLIC_KEY_FILE":  writeKey(t, dir, "pub_key.pem", "PUBLIC KEY", pub),
		"ORDERBOT_WECHATPAY_APP_ID":           "wx0123456789",
		"ORDERBOT_WECHATPAY_API_URL":          "http://127.0.0.1:1",
	})
	req, err := http.NewRequest(http.MethodPost, s.base+"/wechatpay/notify", strings.NewReader(`{"id":"x","resource":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Wechatpay-Timestamp", strconv.FormatInt(time.Now().Unix(), 10))
	req.Header.Set("Wechatpay-Nonce", "n0nce")
	req.Header.Set("Wechatpay-Serial", "PUB_KEY_ID_0119000000012025")
	req.Header.Set("Wechatpay-Signature", "Zm9yZ2Vk")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged notification: %d, want 401", resp.StatusCode)
	}
	resp, err = http.Get(s.base + "/wechatpay/qr?order=100001&exp=9999999999&sig=forged")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unsigned QR link: %d", resp.StatusCode)
	}
}
