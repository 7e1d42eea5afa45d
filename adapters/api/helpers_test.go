package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// t0 is when the seeded orders were placed: a fixed day, so date filters
// have something to select.
var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// testEnv is the API served by httptest in front of a real core on a real
// store, with one token per role.
type testEnv struct {
	t      *testing.T
	st     *store.Store
	svc    *bot.Service
	srv    *httptest.Server
	admin  string // token of "ops-admin"
	sync   string // token of "ops-sync", an approver
	agent  string // token of "ops-agent"
	logBuf *bytes.Buffer
}

// eachEnv runs fn on SQLite and on MySQL, each with a fresh environment.
func eachEnv(t *testing.T, fn func(t *testing.T, e *testEnv)) {
	storetest.Each(t, func(t *testing.T, st *store.Store) { fn(t, newEnv(t, st)) })
}

func newEnv(t *testing.T, st *store.Store) *testEnv {
	t.Helper()
	return newEnvWith(t, st, Options{Currency: "CNY"})
}

func newEnvWith(t *testing.T, st *store.Store, opts Options) *testEnv {
	t.Helper()
	logBuf := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logBuf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	svc := bot.NewService(st, log, bot.Config{StaffChannels: []string{bot.WebChat}}, nil)
	h := New(st, svc, NewCRM(st, log, nil, nil), log, opts)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e := &testEnv{t: t, st: st, svc: svc, srv: srv, logBuf: logBuf}
	e.admin = e.token("ops-admin", bot.Admin)
	e.sync = e.token("ops-sync", bot.Approver)
	e.agent = e.token("ops-agent", bot.Agent)
	must(t, st.UpsertProducts(t.Context(), []bot.Product{
		{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", Price: 3800, Stock: 100, Active: true},
	}))
	return e
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (e *testEnv) token(name string, role bot.Role) string {
	e.t.Helper()
	tok, hash, err := NewToken()
	must(e.t, err)
	must(e.t, e.st.CreateAPIToken(e.t.Context(), bot.APIToken{Name: name, Hash: hash, Role: role}, "test"))
	return tok
}

// customer stores a customer with the contact details of a checkout.
func (e *testEnv) customer(channel, user, name, phone string) bot.Customer {
	e.t.Helper()
	ctx := e.t.Context()
	c, err := e.st.LockCustomer(ctx, channel, user)
	must(e.t, err)
	c.Name, c.Phone, c.Address, c.Lang = name, phone, "1 Road", "zh"
	must(e.t, e.st.UpdateCustomer(ctx, c))
	return c
}

// order stores a pending order of qty teas for c, placed at.
func (e *testEnv) order(c bot.Customer, qty int, at time.Time) *bot.Order {
	e.t.Helper()
	items := []bot.OrderItem{{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", UnitPrice: 3800, Qty: qty}}
	o, err := bot.NewOrder(c, items, bot.Contact{Name: c.Name, Phone: c.Phone, Address: c.Address}, at)
	must(e.t, err)
	must(e.t, e.st.CreateOrder(e.t.Context(), o))
	return o
}

// move applies a change to a stored order as staff on another channel.
func (e *testEnv) move(o *bot.Order, change func(o *bot.Order) error) {
	e.t.Helper()
	must(e.t, change(o))
	must(e.t, e.st.UpdateOrder(e.t.Context(), o))
}

// shipped stores a shipped order of c with an after-sales request.
func (e *testEnv) request(c bot.Customer, typ bot.AfterSalesType) (*bot.Order, *bot.AfterSales) {
	e.t.Helper()
	o := e.order(c, 1, t0)
	e.move(o, func(o *bot.Order) error { return o.Approve("ann (slack)", t0.Add(time.Minute)) })
	e.move(o, func(o *bot.Order) error { return o.Ship("ann (slack)", "SF", "SF1", t0.Add(2*time.Minute)) })
	a, err := bot.NewAfterSales(c, o, typ, "broken lid", nil, t0.Add(time.Hour))
	must(e.t, err)
	must(e.t, e.st.CreateAfterSales(e.t.Context(), a))
	return o, a
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request with the token (none when ""), and body as JSON
// unless it is a string, sent as it is.
func (e *testEnv) do(method, path, token string, body any) response {
	e.t.Helper()
	res, err := e.send(method, path, token, body)
	must(e.t, err)
	return res
}

// send is do for goroutines other than the test's, which must not stop it.
func (e *testEnv) send(method, path, token string, body any) (response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, rd)
	if err != nil {
		return response{}, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: raw}, err
}

// ok decodes a 200 answer into v.
func (r response) ok(t testing.TB, v any) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", r.status, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// fails checks an error answer: its status, its code, and that its message
// contains want.
func (r response) fails(t testing.TB, status int, code, want string) string {
	t.Helper()
	var b struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatalf("status %d, error body %q is not the API's JSON: %v", r.status, r.body, err)
	}
	if r.status != status || b.Error.Code != code || !strings.Contains(b.Error.Message, want) {
		t.Fatalf("got %d %s %q, want %d %s with %q", r.status, b.Error.Code, b.Error.Message, status, code, want)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error Content-Type %q", ct)
	}
	return b.Error.Message
}

// snapshot is what a refused request must leave as it was: every order
// and request with its version and history, and the audit trail's length.
func (e *testEnv) snapshot() string {
	e.t.Helper()
	ctx := context.Background()
	os, err := e.st.SearchOrders(ctx, bot.OrderFilter{})
	must(e.t, err)
	as, err := e.st.SearchAfterSales(ctx, bot.AfterSalesFilter{})
	must(e.t, err)
	ps, err := e.st.Products(ctx, false)
	must(e.t, err)
	var audit []bot.AuditEntry
	for _, o := range os {
		a, err := e.st.Audit(ctx, "order", o.Number)
		must(e.t, err)
		audit = append(audit, a...)
	}
	for _, r := range as {
		a, err := e.st.Audit(ctx, "after_sales", r.Number)
		must(e.t, err)
		audit = append(audit, a...)
	}
	cat, err := e.st.Audit(ctx, "catalog", "")
	must(e.t, err)
	raw, err := json.Marshal([]any{os, as, ps, audit, cat})
	must(e.t, err)
	return string(raw)
}
