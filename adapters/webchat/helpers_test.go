package webchat

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/handoff"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

const (
	alicePassword = "correct horse battery"
	bobPassword   = "agent password 1"
)

// testHashes hashes the seeded passwords once for all tests: bcrypt is
// slow on purpose, and slower still under the race detector.
var testHashes = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for user, pw := range map[string]string{"alice": alicePassword, "bob": bobPassword} {
		h, err := HashPassword(pw)
		if err != nil {
			panic(err)
		}
		out[user] = h
	}
	return out
})

// testEnv is a web chat served by httptest in front of a real core on a
// real SQLite store.
type testEnv struct {
	t    *testing.T
	logs *logBuffer // warnings and errors the handler logged
	st   *store.Store
	svc  *bot.Service
	h    *Handler
	srv  *httptest.Server
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	return newEnvOn(t, storetest.SQLite(t), Options{})
}

// eachEnv runs fn on SQLite and on MySQL (when configured), with opts.
func eachEnv(t *testing.T, opts Options, fn func(t *testing.T, e *testEnv)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, st *store.Store) { fn(t, newEnvOn(t, st, opts)) })
}

// newEnvOn serves the web chat on st; opts adds to the test defaults.
func newEnvOn(t *testing.T, st *store.Store, opts Options) *testEnv {
	t.Helper()
	return newEnvCore(t, st, opts, nil)
}

// newEnvCore is newEnvOn with the core's config changed by tune (when not
// nil), for a core with more than the defaults (customer care).
func newEnvCore(t *testing.T, st *store.Store, opts Options, tune func(cfg *bot.Config, log *slog.Logger)) *testEnv {
	t.Helper()
	ctx := t.Context()
	err := st.UpsertProducts(ctx, []bot.Product{
		{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", Category: "Tea", Price: 3800, Stock: 20, Active: true},
		{SKU: "MUG-1", Name: "Clay mug", NameZH: "陶杯", Category: "Cups", Price: 5600, Stock: 5, Active: true},
	})
	if err != nil {
		t.Fatalf("seed products: %v", err)
	}
	for _, s := range []struct {
		user, name, pw string
		role           bot.Role
	}{{"alice", "Alice", alicePassword, bot.Approver}, {"bob", "Bob", bobPassword, bot.Agent}} {
		hash := testHashes()[s.user]
		if err := st.SaveStaff(ctx, bot.Staff{Channel: bot.WebChat, UserID: s.user, Name: s.name, Role: s.role, PasswordHash: hash}); err != nil {
			t.Fatalf("seed staff: %v", err)
		}
	}
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), logs), &slog.HandlerOptions{Level: slog.LevelWarn}))
	transcripts := handoff.New(st)
	cfg := bot.Config{StaffChannels: []string{bot.WebChat}, Transcripts: transcripts}
	if tune != nil {
		tune(&cfg, log)
	}
	svc := bot.NewService(st, log, cfg, nil)
	opts.Title = "Test Shop"
	if opts.Records == nil {
		opts.Records = st
	}
	if opts.Reports == nil {
		opts.Reports = st
	}
	if opts.Transcripts == nil {
		opts.Transcripts = transcripts
	}
	if opts.PollWait == 0 {
		opts.PollWait = 3 * time.Second
	}
	opts.PollInterval = 20 * time.Millisecond
	h := New(svc, st, log, opts)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &testEnv{t: t, logs: logs, st: st, svc: svc, h: h, srv: srv}
}

// client is one browser: its own cookies, redirects not followed so tests
// can see them.
func (e *testEnv) client() *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r response) errorText(t *testing.T) string {
	t.Helper()
	var e struct{ Error string }
	r.json(t, &e)
	return e.Error
}

func (e *testEnv) do(c *http.Client, method, path string, body io.Reader, header map[string]string) response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (e *testEnv) get(c *http.Client, path string) response {
	e.t.Helper()
	return e.do(c, http.MethodGet, path, nil, nil)
}

func (e *testEnv) postJSON(c *http.Client, path string, v any, header map[string]string) response {
	e.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		e.t.Fatal(err)
	}
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range header {
		h[k] = v
	}
	return e.do(c, http.MethodPost, path, bytes.NewReader(b), h)
}

func (e *testEnv) postForm(c *http.Client, path string, form url.Values) response {
	e.t.Helper()
	return e.do(c, http.MethodPost, path, strings.NewReader(form.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

// cookie returns the value of a cookie the client holds for path.
func (e *testEnv) cookie(c *http.Client, path, name string) string {
	u, _ := url.Parse(e.srv.URL + path)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

var (
	formToken = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	metaToken = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)
)

// login logs the client in through the form and returns the console's
// CSRF token.
func (e *testEnv) login(c *http.Client, user, pw string) string {
	e.t.Helper()
	page := e.get(c, "/staff/login")
	m := formToken.FindSubmatch(page.body)
	if m == nil {
		e.t.Fatalf("no csrf field in login form: %s", page.body)
	}
	res := e.postForm(c, "/staff/login", url.Values{"user": {user}, "password": {pw}, "csrf": {string(m[1])}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/staff" {
		e.t.Fatalf("login %s: %d %s %s", user, res.status, res.header.Get("Location"), res.body)
	}
	console := e.get(c, "/staff")
	if console.status != http.StatusOK {
		e.t.Fatalf("console after login: %d", console.status)
	}
	m = metaToken.FindSubmatch(console.body)
	if m == nil {
		e.t.Fatalf("no csrf token in console: %s", console.body)
	}
	return string(m[1])
}

// sessionOf logs the client in and returns its session cookie.
func (e *testEnv) sessionOf(c *http.Client, user, pw string) string {
	e.t.Helper()
	e.login(c, user, pw)
	v := e.cookie(c, "/staff", sessionCookie)
	if v == "" {
		e.t.Fatal("no session cookie after login")
	}
	return v
}

// customer starts a chat and returns the customer id the page gave it.
func (e *testEnv) customer(c *http.Client) string {
	e.t.Helper()
	if res := e.get(c, "/chat"); res.status != http.StatusOK {
		e.t.Fatalf("chat page: %d", res.status)
	}
	id := customerIDOf(e.cookie(c, "/chat", customerCookie))
	if id == "" {
		e.t.Fatal("chat page set no customer cookie")
	}
	return id
}

// placeOrder gives the web chat customer a pending order directly through
// the store, so staff tests do not depend on the conversation's wording.
func (e *testEnv) placeOrder(customerID string) *bot.Order {
	e.t.Helper()
	ctx := e.t.Context()
	c, err := e.st.LockCustomer(ctx, bot.WebChat, customerID)
	if err != nil {
		e.t.Fatal(err)
	}
	o, err := bot.NewOrder(c, []bot.OrderItem{{SKU: "TEA-1", Name: "Green tea", UnitPrice: 3800, Qty: 2}},
		bot.Contact{Name: "Li Lei", Phone: "13800000000", Address: "1 Tea Road"}, time.Now().UTC())
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.CreateOrder(ctx, o); err != nil {
		e.t.Fatal(err)
	}
	return o
}

func (e *testEnv) order(id int64) *bot.Order {
	e.t.Helper()
	o, err := e.st.Order(e.t.Context(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

func (e *testEnv) feed(recipient string) []*bot.Message {
	e.t.Helper()
	ms, err := e.svc.Feed(e.t.Context(), bot.WebChat, recipient, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return ms
}

// customerIDOf is the customer id in a customer cookie's value.
func customerIDOf(cookie string) string {
	id, _, _ := strings.Cut(cookie, ".")
	return id
}

// clientWithChat is a client that opened the chat page.
func (e *testEnv) clientWithChat() *http.Client {
	e.t.Helper()
	c := e.client()
	e.customer(c)
	return c
}

// key is the key that signs sessions and customer cookies.
func (e *testEnv) key() []byte {
	e.t.Helper()
	k, err := e.svc.Secret(e.t.Context(), "webchat-session")
	if err != nil {
		e.t.Fatal(err)
	}
	return k
}

// logBuffer collects log output written from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testClock is a clock tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *testClock { return &testClock{now: time.Now()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// serveFrom serves one request as if it came from addr (host:port), past
// the test server, which would always say 127.0.0.1.
func (e *testEnv) serveFrom(addr string, req *http.Request) *http.Response {
	req.RemoteAddr = addr
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec.Result()
}

// setCookie gives the client a cookie for path, as a browser would send it.
func (e *testEnv) setCookie(c *http.Client, path, name, value string) {
	u, _ := url.Parse(e.srv.URL + path)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: path}})
}
