package webchat

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
)

func TestChatSendReplies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()

	// No chat page first: the API itself hands out the customer cookie.
	res := e.postJSON(c, "/chat/api/send", map[string]string{"id": "m-1", "text": "menu"}, nil)
	if res.status != http.StatusOK {
		t.Fatalf("send: %d %s", res.status, res.body)
	}
	var ck *http.Cookie
	for _, x := range (&http.Response{Header: res.header}).Cookies() {
		if x.Name == customerCookie {
			ck = x
		}
	}
	if ck == nil || !validCustomerID(customerIDOf(ck.Value)) || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/chat" {
		t.Fatalf("customer cookie = %+v", ck)
	}
	var replies []message
	res.json(t, &replies)
	if len(replies) == 0 {
		t.Fatal("no replies to menu")
	}
	last := replies[len(replies)-1]
	if last.ID <= 0 || last.Text == "" || len(last.Options) == 0 {
		t.Fatalf("menu reply = %+v, want an id, a text and options", last)
	}
	for _, o := range last.Options {
		if o.Key == "" || o.Label == "" {
			t.Fatalf("option %+v lacks key or label", o)
		}
	}

	// The same replies are in the customer's feed, and only there.
	feed := e.feed(customerIDOf(ck.Value))
	if len(feed) != len(replies) || feed[len(feed)-1].ID != last.ID {
		t.Fatalf("feed has %d messages, replies %d", len(feed), len(replies))
	}

	// Pressing an option goes through as a button.
	res = e.postJSON(c, "/chat/api/send", map[string]string{"id": "m-2", "button": last.Options[0].Key}, nil)
	var next []message
	res.json(t, &next)
	if res.status != http.StatusOK || len(next) == 0 || next[0].ID <= last.ID {
		t.Fatalf("button: %d %+v", res.status, next)
	}
}

func TestChatSendDedup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	cust := e.customer(c)

	first := e.postJSON(c, "/chat/api/send", map[string]string{"id": "same-id", "text": "menu"}, nil)
	again := e.postJSON(c, "/chat/api/send", map[string]string{"id": "same-id", "text": "menu"}, nil)
	if first.status != http.StatusOK || again.status != http.StatusOK {
		t.Fatalf("statuses %d, %d", first.status, again.status)
	}
	var a, b []message
	first.json(t, &a)
	again.json(t, &b)
	if len(a) == 0 || len(a) != len(b) || a[0].ID != b[0].ID || a[0].Text != b[0].Text {
		t.Fatalf("repeat answered %+v, first %+v", b, a)
	}
	if n := len(e.feed(cust)); n != len(a) {
		t.Fatalf("feed has %d messages after a repeated send, want %d", n, len(a))
	}

	// Another customer using the same client id is a different message.
	other := e.client()
	e.customer(other)
	res := e.postJSON(other, "/chat/api/send", map[string]string{"id": "same-id", "text": "menu"}, nil)
	var o []message
	res.json(t, &o)
	if len(o) == 0 || o[0].ID == a[0].ID {
		t.Fatalf("other customer got %+v", o)
	}
}

func TestChatSendRejects(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name   string
		method string
		body   string
		status int
	}{
		{"oversized body", http.MethodPost, `{"id":"x","text":"` + strings.Repeat("a", 25<<10) + `"}`, http.StatusRequestEntityTooLarge},
		{"bad JSON", http.MethodPost, `{"id":"x","text":`, http.StatusBadRequest},
		{"not an object", http.MethodPost, `["menu"]`, http.StatusBadRequest},
		{"text too long", http.MethodPost, `{"id":"x","text":"` + strings.Repeat("a", 16<<10+1) + `"}`, http.StatusBadRequest},
		{"missing id", http.MethodPost, `{"text":"menu"}`, http.StatusBadRequest},
		{"id too long", http.MethodPost, `{"id":"` + strings.Repeat("a", 65) + `","text":"menu"}`, http.StatusBadRequest},
		{"id with odd characters", http.MethodPost, `{"id":"a b<","text":"menu"}`, http.StatusBadRequest},
		{"nothing said", http.MethodPost, `{"id":"x","text":"  "}`, http.StatusBadRequest},
		{"wrong method", http.MethodGet, ``, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.client()
			cust := e.customer(c)
			res := e.do(c, tt.method, "/chat/api/send", strings.NewReader(tt.body), map[string]string{"Content-Type": "application/json"})
			if res.status != tt.status {
				t.Fatalf("status %d, want %d (%s)", res.status, tt.status, res.body)
			}
			if msg := res.errorText(t); msg == "" {
				t.Fatalf("no error message in %s", res.body)
			}
			if n := len(e.feed(cust)); n != 0 {
				t.Fatalf("a refused send queued %d messages", n)
			}
		})
	}
}

func TestChatCookieValidated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	page := func(cookie string) []*http.Cookie {
		req := httptest.NewRequest(http.MethodGet, "/chat", nil)
		req.AddCookie(&http.Cookie{Name: customerCookie, Value: cookie})
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		return rec.Result().Cookies()
	}
	signed := e.cookie(e.clientWithChat(), "/chat", customerCookie)
	id, mac, _ := strings.Cut(signed, ".")
	for _, bad := range []string{
		"admin", strings.Repeat("g", 32), "../../etc/passwd", strings.Repeat("A", 32),
		// Made up: well formed, but not given out by this site.
		strings.Repeat("ab", 16), strings.Repeat("ab", 16) + "." + mac, id + "." + mac[1:], id + ".",
	} {
		got := page(bad)
		if len(got) != 1 || got[0].Value == bad || customerIDOf(got[0].Value) == id || customerOf(e.key(), got[0].Value) == "" {
			t.Errorf("cookie %q: the page set %v, want a fresh signed id", bad, got)
		}
	}
	// A cookie this site gave out is kept.
	if got := page(signed); len(got) != 0 {
		t.Errorf("a valid cookie was replaced by %v", got)
	}
	// An unsigned cookie of an existing customer, given out before cookies
	// were signed, keeps its customer and is signed.
	old := strings.Repeat("cd", 16)
	if _, err := e.st.LockCustomer(t.Context(), bot.WebChat, old); err != nil {
		t.Fatal(err)
	}
	if got := page(old); len(got) != 1 || customerOf(e.key(), got[0].Value) != old {
		t.Errorf("an old cookie became %v", got)
	}
}

func TestChatLongPoll(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	cust := e.customer(c)
	var hist historyResponse
	e.get(c, "/chat/api/history").json(t, &hist)
	if len(hist.Messages) != 0 || hist.Last != 0 {
		t.Fatalf("a new customer has history %+v", hist)
	}

	type result struct {
		res     response
		elapsed time.Duration
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		res := e.get(c, "/chat/api/messages?after=0")
		done <- result{res, time.Since(start)}
	}()
	time.Sleep(300 * time.Millisecond)
	notice := &bot.Message{Channel: bot.WebChat, Recipient: cust, Kind: bot.KindNotice, Text: "Your order was confirmed", NextAt: time.Now()}
	if err := e.st.Enqueue(t.Context(), []*bot.Message{notice}); err != nil {
		t.Fatal(err)
	}
	r := <-done
	var got []message
	r.res.json(t, &got)
	if r.res.status != http.StatusOK || len(got) != 1 || got[0].ID != notice.ID || got[0].Text != notice.Text || got[0].Kind != "notice" {
		t.Fatalf("poll answered %d %s", r.res.status, r.res.body)
	}
	if r.elapsed < 250*time.Millisecond || r.elapsed > 2*time.Second {
		t.Fatalf("poll took %s: it should wait for the message and return soon after it", r.elapsed)
	}

	// Nothing new: the poll waits its full time and answers an empty list.
	start = time.Now()
	res := e.get(c, "/chat/api/messages?after="+strconv.FormatInt(notice.ID, 10))
	if res.status != http.StatusOK || strings.TrimSpace(string(res.body)) != "[]" || time.Since(start) < 3*time.Second {
		t.Fatalf("idle poll: %d %s after %s", res.status, res.body, time.Since(start))
	}

	// History now has the notice and says where to poll from.
	e.get(c, "/chat/api/history").json(t, &hist)
	if len(hist.Messages) != 1 || hist.Last != notice.ID {
		t.Fatalf("history = %+v", hist)
	}

	if res := e.get(c, "/chat/api/messages?after=x"); res.status != http.StatusBadRequest {
		t.Fatalf("after=x: %d", res.status)
	}
}

func TestChatLongPollStopsWhenClientLeaves(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/chat/api/messages", nil)
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		e.h.ServeHTTP(rec, req)
		close(done)
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("the poll went on after the client left")
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	for _, path := range []string{"/chat", "/staff/login", "/chat/static/chat.js", "/chat/api/history"} {
		res := e.get(c, path)
		if res.status != http.StatusOK {
			t.Fatalf("%s: %d", path, res.status)
		}
		csp := res.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if res.header.Get("X-Content-Type-Options") != "nosniff" || res.header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", path, res.header)
		}
	}
	if csp := e.get(c, "/staff/login").header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("staff pages may be framed: %q", csp)
	}
	if res := e.get(c, "/chat/static/"); res.status != http.StatusNotFound {
		t.Errorf("static directory listing: %d", res.status)
	}
	// The pages carry no inline script.
	for _, path := range []string{"/chat", "/staff/login"} {
		if body := e.get(c, path).body; bytes.Contains(body, []byte("<script>")) {
			t.Errorf("%s has an inline script", path)
		}
	}
}

func TestPreferredLanguage(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", ""},
		{"zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"},
		{"en-US,en;q=0.9", "en-US"},
		{"en;q=0.5, zh-CN;q=0.9", "zh-CN"},
		{"*;q=1, fr;q=0, en;q=0.1", "en"},
		{"de, en", "de"},
	}
	for _, tt := range tests {
		if got := preferredLanguage(tt.header); got != tt.want {
			t.Errorf("preferredLanguage(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

// A long Chinese paste reaches the conversation, which asks for a shorter
// message in Chinese, instead of an English byte count from the adapter.
func TestLongChinesePasteRefusedInChinese(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	paste := strings.Repeat("这款茶叶的包装有破损", 500) // 5,000 characters, 15,000 bytes
	zh := map[string]string{"Accept-Language": "zh-CN"}
	e.postJSON(c, "/chat/api/send", map[string]string{"id": "long-0", "text": "菜单"}, zh)
	r := e.postJSON(c, "/chat/api/send", map[string]string{"id": "long-1", "text": paste}, zh)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var replies []message
	r.json(t, &replies)
	if len(replies) == 0 || !strings.Contains(replies[len(replies)-1].Text, "消息太长了") {
		t.Fatalf("replies %+v, want the conversation's Chinese refusal", replies)
	}
}
