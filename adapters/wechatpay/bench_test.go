package wechatpay

import (
	"net/http"
	"testing"
	"time"
)

// BenchmarkNotify is one payment notification verified, decrypted and
// handed to the domain: what WeChat's 5-second deadline is spent on here.
func BenchmarkNotify(b *testing.B) {
	e := newEnv(b, byPublicKey)
	res := e.paidOrder("100099", 1000)
	reqs := make([]*http.Request, b.N)
	for i := range reqs {
		reqs[i] = e.fake.Notification("TRANSACTION.SUCCESS", res, time.Now(), e.platform)
	}
	b.ResetTimer()
	for _, r := range reqs {
		if w := e.serve(r); w.Code != http.StatusNoContent {
			b.Fatalf("%d", w.Code)
		}
	}
}
