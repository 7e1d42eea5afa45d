package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/store/storetest"
)

// server is the orderbot binary's run() serving on a free port.
type server struct {
	t     *testing.T
	base  string
	admin string // the admin listener's base URL, "" when it is off
	logs  *syncBuffer
	stop  func() error
}

// startServer serves with env like `orderbot serve` does; tweaks change
// the settings that are not environment variables (timeouts, limits).
func startServer(t *testing.T, env map[string]string, tweaks ...func(*config)) *server {
	t.Helper()
	env["ORDERBOT_ADDR"] = "127.0.0.1:0"
	if env["ORDERBOT_ADMIN_ADDR"] == "" {
		env["ORDERBOT_ADMIN_ADDR"] = "127.0.0.1:0"
	}
	env["ORDERBOT_ENV_FILE"] = t.TempDir() + "/none.env"
	withTestDataKey(env)
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	logs := &syncBuffer{}
	go func() {
		cfg, err := loadConfig(getenv)
		if err == nil {
			for _, tweak := range tweaks {
				tweak(&cfg)
			}
			err = serve(ctx, cfg, pw, logs)
		}
		pw.CloseWithError(fmt.Errorf("run returned: %v", err))
		done <- err
	}()
	base, admin := make(chan string, 1), make(chan string, 1)
	// Behind a public URL the server also says where it listens.
	prefix := "orderbot is running on "
	if env["ORDERBOT_PUBLIC_URL"] != "" {
		prefix = "  listening on "
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), prefix); ok {
				base <- rest
			}
			if _, rest, ok := strings.Cut(sc.Text(), "admin (metrics, readiness, pprof): "); ok {
				admin <- rest
			}
		}
	}()
	s := &server{t: t, logs: logs, stop: func() error { cancel(); return <-done }}
	s.base = awaitURL(t, base, done)
	if env["ORDERBOT_ADMIN_ADDR"] != "off" {
		s.admin = awaitURL(t, admin, done)
	}
	return s
}

// awaitURL waits for the server to print a URL, or fails if it exits.
func awaitURL(t *testing.T, url <-chan string, done <-chan error) string {
	t.Helper()
	select {
	case u := <-url:
		return u
	case err := <-done:
		t.Fatalf("server did not start: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("server did not print its URLs")
	}
	return ""
}

// syncBuffer is a log the server writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// user is one browser with its own cookies.
type user struct {
	s      *server
	c      *http.Client
	seq    int
	last   int64
	csrf   string
	latest []message
}

type message struct {
	ID      int64  `json:"id"`
	Kind    string `json:"kind"`
	Text    string `json:"text"`
	Image   string `json:"image"`
	Options []struct {
		Key   string `json:"key"`
		Label string `json:"label"`
	} `json:"options"`
}

func (s *server) newUser() *user {
	jar, _ := cookiejar.New(nil)
	return &user{s: s, c: &http.Client{Jar: jar, Timeout: 40 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (u *user) do(req *http.Request, want int) []byte {
	u.s.t.Helper()
	res, err := u.c.Do(req)
	if err != nil {
		u.s.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		u.s.t.Fatalf("%s %s: status %d, want %d: %s", req.Method, req.URL.Path, res.StatusCode, want, body)
	}
	return body
}

func (u *user) get(path string, want int) []byte {
	u.s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u.s.base+path, nil)
	return u.do(req, want)
}

func (u *user) postJSON(path string, v any, want int) []byte {
	u.s.t.Helper()
	b, _ := json.Marshal(v)
	req, _ := http.NewRequest(http.MethodPost, u.s.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if u.csrf != "" {
		req.Header.Set("X-CSRF-Token", u.csrf)
	}
	return u.do(req, want)
}

// send is the chat page sending typed text or a pressed option.
func (u *user) send(text, button string) string {
	u.s.t.Helper()
	u.seq++
	body := u.postJSON("/chat/api/send", map[string]string{"id": fmt.Sprintf("m%d", u.seq), "text": text, "button": button}, http.StatusOK)
	if err := json.Unmarshal(body, &u.latest); err != nil {
		u.s.t.Fatalf("send reply %s: %v", body, err)
	}
	var all strings.Builder
	for _, m := range u.latest {
		u.last = max(u.last, m.ID)
		all.WriteString(m.Text + "\n")
	}
	return all.String()
}

func (u *user) say(text string) string  { return u.send(text, "") }
func (u *user) press(key string) string { return u.send("", key) }
func (u *user) offered(key string) bool {
	for _, m := range u.latest {
		for _, o := range m.Options {
			if o.Key == key {
				return true
			}
		}
	}
	return false
}

// waitFor long-polls the customer's feed until a message contains want.
func (u *user) waitFor(want string) string {
	u.s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var ms []message
		if err := json.Unmarshal(u.get(fmt.Sprintf("/chat/api/messages?after=%d", u.last), http.StatusOK), &ms); err != nil {
			u.s.t.Fatal(err)
		}
		for _, m := range ms {
			u.last = max(u.last, m.ID)
			if strings.Contains(m.Text, want) {
				return m.Text
			}
		}
	}
	u.s.t.Fatalf("no message containing %q reached the customer", want)
	return ""
}

// order places an order for qty of a demo tea through the chat's buttons
// and typed answers, and returns its number.
func (u *user) order(sku string, qty int, name, phone, address string) string {
	u.s.t.Helper()
	return u.orderConfirmedBy("confirm", sku, qty, name, phone, address)
}

// orderConfirmedBy places an order like order, confirming it with the
// button confirm (such as a payment method's).
func (u *user) orderConfirmedBy(confirm, sku string, qty int, name, phone, address string) string {
	u.s.t.Helper()
	u.say("menu")
	u.press("browse")
	if !u.offered("cat:Tea") {
		u.s.t.Fatalf("categories not offered: %+v", u.latest)
	}
	for _, key := range []string{"cat:Tea", "sku:" + sku, "add"} {
		u.press(key)
	}
	u.say(fmt.Sprint(qty))
	u.press("checkout")
	u.say(name)
	u.say(phone)
	u.say(address)
	n := orderNo.FindString(u.press(confirm))
	if n == "" {
		u.s.t.Fatalf("no order number: %+v", u.latest)
	}
	return n
}

var hiddenCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
var metaCSRF = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

func (u *user) login(name, password string) {
	u.s.t.Helper()
	m := hiddenCSRF.FindSubmatch(u.get("/staff/login", http.StatusOK))
	if m == nil {
		u.s.t.Fatal("login form has no csrf field")
	}
	form := url.Values{"user": {name}, "password": {password}, "csrf": {string(m[1])}}
	req, _ := http.NewRequest(http.MethodPost, u.s.base+"/staff/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	u.do(req, http.StatusSeeOther)
	m = metaCSRF.FindSubmatch(u.get("/staff", http.StatusOK))
	if m == nil {
		u.s.t.Fatal("console has no csrf token")
	}
	u.csrf = string(m[1])
}

type card struct {
	Ref     string `json:"ref"`
	Title   string `json:"title"`
	Status  string `json:"status"`
	Version int    `json:"version"`
	Actions []struct {
		ID string `json:"id"`
	} `json:"actions"`
}

// card finds the console's card whose title mentions all of words.
func (u *user) card(words ...string) card {
	u.s.t.Helper()
	var res struct{ Cards []card }
	if err := json.Unmarshal(u.get("/staff/api/cards", http.StatusOK), &res); err != nil {
		u.s.t.Fatal(err)
	}
next:
	for _, c := range res.Cards {
		for _, w := range words {
			if !strings.Contains(c.Title, w) {
				continue next
			}
		}
		return c
	}
	u.s.t.Fatalf("no card with %q among %+v", words, res.Cards)
	return card{}
}

func (u *user) act(c card, action string, fields map[string]string, want int) card {
	u.s.t.Helper()
	body := map[string]any{"ref": c.Ref, "action": action, "version": c.Version}
	for k, v := range fields {
		body[k] = v
	}
	var res struct{ Card card }
	_ = json.Unmarshal(u.postJSON("/staff/api/action", body, want), &res)
	return res.Card
}

var (
	orderNo   = regexp.MustCompile(`\b1\d{5}\b`)
	requestNo = regexp.MustCompile(`\bS1\d{5}\b`)
)

// TestWholeLoopThroughTheWebChat is the product's main promise, driven over
// HTTP against the real binary: browse, order, approval in the staff console,
// the customer told, lookup, shipping, delivery, after-sales and its
// approval, then a graceful shutdown.
func TestWholeLoopThroughTheWebChat(t *testing.T) {
	for _, backend := range []string{"sqlite", "mysql"} {
		t.Run(backend, func(t *testing.T) {
			s := startServer(t, map[string]string{"ORDERBOT_DB": storetest.DSN(t, backend), "ORDERBOT_DEMO": "true"})
			shopper, staff := s.newUser(), s.newUser()
			shopper.get("/chat", http.StatusOK)

			n := shopper.order("TEA-LJ-250", 2, "Li Lei", "13800138000", "88 Wensan Road, Hangzhou")

			staff.login("demo", "demo")
			c := staff.card("订单 " + n)
			c = staff.act(c, "approve", nil, http.StatusOK)
			if !strings.Contains(c.Status, "demo") {
				t.Fatalf("card after approval: %+v", c)
			}
			staff.act(c, "reject", map[string]string{"reason": "late"}, http.StatusConflict)
			shopper.waitFor(n)
			if got := shopper.say("order " + n); !strings.Contains(got, "Confirmed") {
				t.Fatalf("order lookup after approval: %q", got)
			}

			c = staff.act(staff.card("订单 "+n), "ship", map[string]string{"carrier": "SF Express", "tracking": "SF1234567890"}, http.StatusOK)
			shopper.waitFor("SF1234567890")
			staff.act(c, "deliver", nil, http.StatusOK)
			shopper.waitFor(n)

			shopper.say("after-sales")
			shopper.press("order:" + n)
			shopper.press("type:return")
			shopper.say("One tin arrived dented.")
			shopper.press("done")
			req := requestNo.FindString(shopper.press("submit"))
			if req == "" {
				t.Fatalf("no request number: %+v", shopper.latest)
			}
			staff.act(staff.card("售后 "+req), "approve", nil, http.StatusOK)
			shopper.waitFor(req)

			if err := s.stop(); err != nil {
				t.Fatalf("graceful shutdown: %v", err)
			}
		})
	}
}
