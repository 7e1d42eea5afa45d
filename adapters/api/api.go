// Package api is the admin REST API under /api/v1: a channel for staff tools
// and integrations. A request carries a bearer token that acts as a staff
// identity on the "api" channel, so its decisions go through the core's
// staff action path with the same roles, checks and audit as a button press
// in Slack or the staff console. Reads come from a narrow store interface
// declared here.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
	"github.com/orderbot/orderbot/bot/report"
)

// Store is the storage the API reads. Decisions do not go through it but
// through Core.
type Store interface {
	// Authenticate returns the staff identity of the token whose SHA-256 hex
	// is hash and records its use; bot.ErrNotFound for an unknown token.
	Authenticate(ctx context.Context, hash string, now time.Time) (bot.Staff, error)
	SearchOrders(ctx context.Context, f bot.OrderFilter) ([]*bot.Order, error)
	OrderByNumber(ctx context.Context, number string) (*bot.Order, error)
	SearchAfterSales(ctx context.Context, f bot.AfterSalesFilter) ([]*bot.AfterSales, error)
	AfterSalesByNumber(ctx context.Context, number string) (*bot.AfterSales, error)
	SearchCustomers(ctx context.Context, f bot.CustomerFilter) ([]bot.Customer, error)
	CustomersByID(ctx context.Context, ids []int64) ([]bot.Customer, error)
	CustomerStats(ctx context.Context, ids []int64) (map[int64]bot.CustomerStats, error)
	// CustomerIdentities returns each customer's channel identities, its
	// own and those of the customers merged into it.
	CustomerIdentities(ctx context.Context, ids []int64) (map[int64][]bot.Identity, error)
	Products(ctx context.Context, activeOnly bool) ([]bot.Product, error)
	Product(ctx context.Context, sku string) (bot.Product, error)
	Reports
}

// Core is what the API asks the core to do: the changes every staff
// channel makes.
type Core interface {
	HandleStaffAction(ctx context.Context, a bot.StaffAction) (bot.StaffResult, error)
	ImportCatalog(ctx context.Context, actor string, ps []bot.Product) error
}

// Options are the API's settings.
type Options struct {
	// Currency is the ISO 4217 code put in every Order, e.g. "CNY".
	Currency string
	// Location is the zone of the times the API returns and of date-only
	// query parameters; UTC when nil.
	Location *time.Location
	// Clock returns the current time; time.Now when nil.
	Clock func() time.Time
	// Timeout bounds the work of one request; 10 s when zero.
	Timeout time.Duration
	// ExportTimeout bounds an export, which streams for as long as its
	// rows take; 15 minutes when zero.
	ExportTimeout time.Duration
	// ShopName titles the report chart.
	ShopName string
	// StaffLang is the language of the report chart's labels, "zh" (the
	// default) or "en".
	StaffLang string
	// Privacy erases and exports customers' data; without it those
	// routes answer 404.
	Privacy Privacy
	// Care is customer care's follow-ups; their routes answer 404 without it.
	Care Care
	// Broadcasts are promotions; their routes answer 404 without it.
	Broadcasts Broadcasts
	// Money serves coupons and the shipping rule; their routes answer 422
	// when nil.
	Money Money
	// Sessions lets the staff console's logged-in browsers use the API
	// without a token; only bearer tokens are accepted when nil.
	Sessions Sessions
}

// Sessions recognises the staff console's sessions.
type Sessions interface {
	// SessionStaff returns the staff member of r's console session; ok is
	// false when r carries none that is live. A request that changes
	// something without the session's CSRF token is bot.ErrForbidden.
	SessionStaff(r *http.Request) (staff bot.Staff, ok bool, err error)
}

// maxBody bounds a request body; nothing the API accepts comes near it.
const maxBody = 64 << 10

// Handler serves /api/v1.
type Handler struct {
	store Store
	core  Core
	crm   CRM
	log   *slog.Logger
	opts  Options
	mux   *http.ServeMux
	// charter draws the report chart.
	charter func() (*report.Charter, error)
}

// New builds the API's handler.
func New(store Store, core Core, crm CRM, log *slog.Logger, opts Options) *Handler {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Currency == "" {
		opts.Currency = "CNY"
	}
	if opts.ExportTimeout <= 0 {
		opts.ExportTimeout = 15 * time.Minute
	}
	if opts.StaffLang == "" {
		opts.StaffLang = "zh"
	}
	h := &Handler{store: store, core: core, crm: crm, log: log, opts: opts, mux: http.NewServeMux()}
	// The chart's font is parsed once, on the first chart asked for.
	h.charter = sync.OnceValues(func() (*report.Charter, error) { return report.NewCharter(opts.StaffLang) })
	h.register()
	return h
}

// Register adds the API to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("/api/v1/", h)
}

// route is one authenticated route of the API.
type route struct {
	pattern string
	fn      handlerFunc
}

// routes lists every route behind a token; TestOpenAPIListsEveryRoute
// keeps openapi.json in step with it.
func (h *Handler) routes() []route {
	return []route{
		{"GET /api/v1/orders", h.listOrders},
		{"GET /api/v1/orders/{number}", h.getOrder},
		{"POST /api/v1/orders/{number}/actions", h.orderAction},
		{"GET /api/v1/after-sales", h.listAfterSales},
		{"GET /api/v1/after-sales/{number}", h.getAfterSales},
		{"POST /api/v1/after-sales/{number}/actions", h.afterSalesAction},
		{"GET /api/v1/products", h.listProducts},
		{"GET /api/v1/products/{sku}", h.getProduct},
		{"PUT /api/v1/products/{sku}", h.putProduct},
		{"GET /api/v1/customers", h.listCustomers},
		{"GET /api/v1/customers/{id}", h.getCustomer},
		{"PATCH /api/v1/customers/{id}", h.patchCustomer},
		{"POST /api/v1/customers/{id}/erase", h.eraseCustomer},
		{"GET /api/v1/customers/{id}/export", h.exportCustomer},
		{"POST /api/v1/customers/{id}/follow-ups", h.scheduleFollowUp},
		{"GET /api/v1/follow-up-rules", h.listFollowUpRules},
		{"PUT /api/v1/follow-up-rules", h.putFollowUpRules},
		{"POST /api/v1/customers/{id}/merge", h.mergeCustomer},
		{"GET /api/v1/tiers", h.listTiers},
		{"PUT /api/v1/tiers", h.putTiers},
		{"GET /api/v1/rules", h.listRules},
		{"PUT /api/v1/rules", h.putRules},
		{"GET /api/v1/coupons", h.listCoupons},
		{"POST /api/v1/coupons", h.createCoupon},
		{"GET /api/v1/broadcasts", h.listBroadcasts},
		{"POST /api/v1/broadcasts", h.createBroadcast},
		{"GET /api/v1/broadcasts/{id}", h.getBroadcast},
		{"GET /api/v1/broadcasts/{id}/preview", h.previewBroadcast},
		{"POST /api/v1/broadcasts/{id}/actions", h.broadcastActions},
		{"POST /api/v1/broadcasts/{id}/submit", h.broadcastAction(broadcast.ActSubmit)},
		{"POST /api/v1/broadcasts/{id}/approve", h.broadcastAction(broadcast.ActApprove)},
		{"POST /api/v1/broadcasts/{id}/reject", h.broadcastAction(broadcast.ActReject)},
		{"POST /api/v1/broadcasts/{id}/cancel", h.broadcastAction(broadcast.ActCancel)},
		{"GET /api/v1/shipping", h.getShipping},
		{"PUT /api/v1/shipping", h.putShipping},
		{"GET /api/v1/reports/summary", h.reportSummary},
		{"GET /api/v1/reports/chart.png", h.reportChart},
		{exportRoute, h.exportFile},
	}
}

// openAPIRoute is the one route that needs no token.
const openAPIRoute = "GET /api/v1/openapi.json"

func (h *Handler) register() {
	h.mux.HandleFunc(openAPIRoute, serveOpenAPI)
	for _, rt := range h.routes() {
		timeout := h.opts.Timeout
		if rt.pattern == exportRoute {
			timeout = h.opts.ExportTimeout
		}
		h.handle(rt.pattern, rt.fn, timeout)
	}
}

// ServeHTTP answers unknown routes and methods with the API's JSON errors
// rather than the mux's plain text.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if _, pattern := h.mux.Handler(r); pattern == "" {
		probe := &statusProbe{header: http.Header{}}
		h.mux.ServeHTTP(probe, r)
		if probe.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", probe.header.Get("Allow"))
			writeError(w, &apiError{http.StatusMethodNotAllowed, codeInvalid, r.Method + " is not allowed here"})
			return
		}
		writeError(w, &apiError{http.StatusNotFound, codeNotFound, "no such route"})
		return
	}
	h.mux.ServeHTTP(w, r)
}

// statusProbe records what the mux would answer to a request no route
// takes: 404, or 405 with the methods allowed.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(status int)      { p.status = status }

func (h *Handler) now() time.Time { return h.opts.Clock() }

// timeText is how the API writes a time: RFC 3339 in the shop's zone.
func (h *Handler) timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(h.opts.Location).Format(time.RFC3339)
}
