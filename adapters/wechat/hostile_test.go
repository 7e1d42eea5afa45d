package wechat

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// Requests that are not WeChat's, or are built to hurt, are refused fast,
// without a panic, and leave nothing behind.
func TestHostilePushesAreRefused(t *testing.T) {
	const mallory = "oMalloryMalloryMalloryMallo1"
	deep := func(depth int) string {
		return "<xml><FromUserName>" + mallory + "</FromUserName>" + strings.Repeat("<a>", depth) + strings.Repeat("</a>", depth) + "</xml>"
	}
	type attempt struct {
		name   string
		status int
		// build returns the query and body of the request.
		build func(e *env, msgID int64) (url.Values, string)
	}
	signed := func(body string) func(*env, int64) (url.Values, string) {
		return func(e *env, _ int64) (url.Values, string) {
			b, enc := e.wrap(body)
			return e.signedQuery(e.clock.Now().Unix(), enc), b
		}
	}
	text := func(e *env, id int64) string { return textXML(mallory, id, e.clock.Now().Unix(), "菜单") }
	common := []attempt{
		{"bad signature", http.StatusUnauthorized, func(e *env, id int64) (url.Values, string) {
			b, enc := e.wrap(text(e, id))
			q := e.signedQuery(e.clock.Now().Unix(), enc)
			q.Set("signature", strings.Repeat("a", 40))
			return q, b
		}},
		{"no signature", http.StatusUnauthorized, func(e *env, id int64) (url.Values, string) {
			b, enc := e.wrap(text(e, id))
			q := e.signedQuery(e.clock.Now().Unix(), enc)
			q.Del("signature")
			return q, b
		}},
		{"stale timestamp", http.StatusUnauthorized, func(e *env, id int64) (url.Values, string) {
			b, enc := e.wrap(text(e, id))
			return e.signedQuery(e.clock.Now().Add(-6*time.Minute).Unix(), enc), b
		}},
		{"future timestamp", http.StatusUnauthorized, func(e *env, id int64) (url.Values, string) {
			b, enc := e.wrap(text(e, id))
			return e.signedQuery(e.clock.Now().Add(6*time.Minute).Unix(), enc), b
		}},
		{"1 MiB body", http.StatusRequestEntityTooLarge, func(e *env, id int64) (url.Values, string) {
			b, enc := e.wrap(textXML(mallory, id, e.clock.Now().Unix(), strings.Repeat("菜", 1<<20/3)))
			return e.signedQuery(e.clock.Now().Unix(), enc), b
		}},
		{"100k-deep XML", http.StatusRequestEntityTooLarge, func(e *env, id int64) (url.Values, string) {
			return signed(deep(100_000))(e, id)
		}},
		// The deepest XML that fits the limit is parsed without harm (Go's
		// decoder stops at depth 10,000) and, not being a message, ignored.
		{"deep XML under the limit", http.StatusOK, func(e *env, id int64) (url.Values, string) {
			return signed(deep(6_000))(e, id)
		}},
		{"not XML", http.StatusBadRequest, func(e *env, id int64) (url.Values, string) { return signed("{\"menu\":1}")(e, id) }},
		{"malformed user", http.StatusBadRequest, func(e *env, id int64) (url.Values, string) {
			return signed(textXML("o<script>", id, e.clock.Now().Unix(), "菜单"))(e, id)
		}},
	}
	plainOnly := []attempt{
		{"encrypted push without a key", http.StatusBadRequest, func(e *env, id int64) (url.Values, string) {
			q := e.signedQuery(e.clock.Now().Unix(), "")
			q.Set("encrypt_type", "aes")
			return q, text(e, id)
		}},
	}
	safeOnly := []attempt{
		{"plain push in safe mode", http.StatusUnauthorized, func(e *env, id int64) (url.Values, string) {
			q := e.signedQuery(e.clock.Now().Unix(), "")
			q.Del("encrypt_type")
			q.Del("msg_signature")
			return q, text(e, id)
		}},
		{"bad msg_signature", http.StatusUnauthorized, func(e *env, id int64) (url.Values, string) {
			b, enc := e.wrap(text(e, id))
			q := e.signedQuery(e.clock.Now().Unix(), enc)
			q.Set("msg_signature", strings.Repeat("b", 40))
			return q, b
		}},
		{"envelope not encrypted with the key", http.StatusBadRequest, func(e *env, id int64) (url.Values, string) {
			const garbage = "bm90IGVuY3J5cHRlZCB3aXRoIHRoZSBrZXkgYXQgYWxsISEh"
			return e.signedQuery(e.clock.Now().Unix(), garbage), "<xml><Encrypt>" + garbage + "</Encrypt></xml>"
		}},
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				e := newEnv(t, st, options{safe: mode.safe})
				cases := append(common, plainOnly...)
				if mode.safe {
					cases = append(common, safeOnly...)
				}
				for _, c := range cases {
					t.Run(c.name, func(t *testing.T) {
						id := e.nextMsgID()
						q, body := c.build(e, id)
						res := e.post(q, body)
						if res.status != c.status {
							t.Fatalf("answered %d %q, want %d", res.status, res.body, c.status)
						}
						if res.elapsed > time.Second {
							t.Fatalf("took %s to refuse", res.elapsed)
						}
						e.nothingRecorded(mallory, id)
					})
				}
				// After all that the account still serves a real customer.
				if got := e.customer(alice).say("菜单"); !strings.Contains(got, "浏览商品") {
					t.Fatalf("menu after the attacks:\n%s", got)
				}
			})
		})
	}
}

// In plain mode the signature does not cover the body: a signed query seen
// once (in an access log, say) cannot carry another body.
func TestPlainSignatureCannotCarryAnotherBody(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), options{})
	const mallory = "oMalloryMalloryMalloryMallo1"
	q := e.signedQuery(e.clock.Now().Unix(), "")
	first := textXML(alice, e.nextMsgID(), e.clock.Now().Unix(), "菜单")
	if got := e.passive(e.post(q, first), alice); !strings.Contains(got, "浏览商品") {
		t.Fatalf("genuine push answered %q", got)
	}
	// WeChat's own retry, same query and body: answered again.
	if got := e.passive(e.post(q, first), alice); !strings.Contains(got, "浏览商品") {
		t.Fatalf("retry answered %q", got)
	}
	id := e.nextMsgID()
	forged := textXML(mallory, id, e.clock.Now().Unix(), "我的订单")
	if res := e.post(q, forged); res.status != http.StatusUnauthorized {
		t.Fatalf("another body with a used signature answered %d %q", res.status, res.body)
	}
	e.nothingRecorded(mallory, id)
}
