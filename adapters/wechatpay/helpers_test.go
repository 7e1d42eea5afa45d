package wechatpay

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/orderbot/orderbot/adapters/wechatpay/wechatpaytest"
)

const (
	testMchID    = "1900009191"
	testAppID    = "wxd678efh567hg6787"
	testAPIv3Key = "0123456789abcdefghijABCDEFGHIJ01"
	testPubKeyID = "PUB_KEY_ID_0119000091912025010100000000000001"
	testOpenID   = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
)

// testKeys are made once: RSA key generation is the slow part of a test.
var testKeys = sync.OnceValue(func() [3]*rsa.PrivateKey {
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

// env is an adapter talking to a fake WeChat Pay, with fakes of the domain.
type env struct {
	t        testing.TB
	fake     *wechatpaytest.Server
	a        *Adapter
	mux      *http.ServeMux
	pay      *fakePayments
	orders   *fakeOrders
	platform *rsa.PrivateKey
	forger   *rsa.PrivateKey
	// skew moves the adapter's clock (not WeChat's) for expiry tests.
	skew atomic.Int64
}

func (e *env) now() time.Time { return time.Now().Add(time.Duration(e.skew.Load())) }

// verifyBy says how the adapter verifies WeChat: the WeChat Pay public key
// or a platform certificate.
type verifyBy int

const (
	byPublicKey verifyBy = iota
	byCertificate
)

func newEnv(t testing.TB, by verifyBy, opts ...func(*Config)) *env {
	t.Helper()
	ks := testKeys()
	merchant, platform, forger := ks[0], ks[1], ks[2]
	dir := t.TempDir()
	der, err := x509.MarshalPKCS8PrivateKey(merchant)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := writePEM(t, dir, "apiclient_key.pem", "PRIVATE KEY", der)
	cfg := Config{
		MchID: testMchID, MchSerial: "3775B6A45ACD588826D15E583A95F5DD********", PrivateKeyFile: keyFile,
		APIv3Key: testAPIv3Key, AppID: testAppID, PublicURL: "https://shop.example.com/",
	}
	serial := testPubKeyID
	switch by {
	case byPublicKey:
		pub, err := x509.MarshalPKIXPublicKey(&platform.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		cfg.PublicKeyID, cfg.PublicKeyFile = testPubKeyID, writePEM(t, dir, "pub_key.pem", "PUBLIC KEY", pub)
	case byCertificate:
		cert := selfSigned(t, platform)
		serial = utils.GetCertificateSerialNumber(*cert)
		cfg.PlatformCertFiles = []string{writePEM(t, dir, "wechatpay_cert.pem", "CERTIFICATE", cert.Raw)}
	}
	e := &env{t: t, platform: platform, forger: forger, pay: newFakePayments(), orders: &fakeOrders{m: map[string]Order{}}}
	e.fake = wechatpaytest.New(t, wechatpaytest.Options{
		MchID: testMchID, AppID: testAppID, APIv3Key: testAPIv3Key,
		MerchantKey: &merchant.PublicKey, Platform: platform, Serial: serial,
	})
	cfg.APIURL = e.fake.URL()
	cfg.Clock = e.now
	for _, o := range opts {
		o(&cfg)
	}
	e.a, err = New(e.pay, e.orders, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.mux = http.NewServeMux()
	e.a.Register(e.mux)
	return e
}

func writePEM(t testing.TB, dir, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// selfSigned is a stand-in for a WeChat Pay platform certificate.
func selfSigned(t testing.TB, key *rsa.PrivateKey) *x509.Certificate {
	t.Helper()
	serial, _ := new(big.Int).SetString("5157F09EFDC096DE15EBE81A47057A7232F1B8E1", 16)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Tenpay.com Root CA test"},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// addOrder makes an order payable for amount fen.
func (e *env) addOrder(number string, amount int64) Order {
	o := Order{Number: number, Amount: amount, Description: "茶叶小铺-订单" + number}
	e.orders.set(o)
	e.pay.expect(number, amount)
	return o
}

// serve sends r through the adapter's routes.
func (e *env) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, r)
	return w
}

// fakePayments is the pay domain as the contract says: Paid is idempotent
// per transaction id and refuses an unknown order or a wrong amount.
type fakePayments struct {
	mu       sync.Mutex
	amounts  map[string]int64
	paid     map[string]Payment // by transaction id
	effects  []Payment          // one per payment recorded
	calls    int
	refunds  map[string]Refund // by refund id and status
	refundFx []Refund
	err      error // returned by every call when set
	// budget is how long the last call was given by its context.
	budget time.Duration
}

func newFakePayments() *fakePayments {
	return &fakePayments{amounts: map[string]int64{}, paid: map[string]Payment{}, refunds: map[string]Refund{}}
}

func (p *fakePayments) expect(number string, amount int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.amounts[number] = amount
}

func (p *fakePayments) Paid(ctx context.Context, pm Payment) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if d, ok := ctx.Deadline(); ok {
		p.budget = time.Until(d)
	}
	if p.err != nil {
		return p.err
	}
	want, ok := p.amounts[pm.OrderNumber]
	if !ok {
		return fmt.Errorf("%w: no order %s", ErrRejected, pm.OrderNumber)
	}
	if pm.Amount != want {
		return fmt.Errorf("%w: order %s is %d, paid %d", ErrRejected, pm.OrderNumber, want, pm.Amount)
	}
	if _, dup := p.paid[pm.TransactionID]; dup {
		return nil
	}
	p.paid[pm.TransactionID] = pm
	p.effects = append(p.effects, pm)
	return nil
}

func (p *fakePayments) Refunded(_ context.Context, r Refund) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.err != nil {
		return p.err
	}
	key := r.RefundID + "/" + r.Status
	if _, dup := p.refunds[key]; dup {
		return nil
	}
	p.refunds[key] = r
	p.refundFx = append(p.refundFx, r)
	return nil
}

func (p *fakePayments) recorded() ([]Payment, []Refund, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Payment(nil), p.effects...), append([]Refund(nil), p.refundFx...), p.calls
}

type fakeOrders struct {
	mu sync.Mutex
	m  map[string]Order
}

func (o *fakeOrders) set(order Order) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.m[order.Number] = order
}

func (o *fakeOrders) remove(number string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.m, number)
}

func (o *fakeOrders) Payable(_ context.Context, number string) (Order, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	order, ok := o.m[number]
	if !ok {
		return Order{}, fmt.Errorf("order %s: %w", number, ErrNotPayable)
	}
	return order, nil
}
