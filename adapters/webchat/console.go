package webchat

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
	"github.com/orderbot/orderbot/bot/tier"
)

// Records is what the staff console reads to find orders, customers and
// after-sales requests: the admin API's search queries and a few lookups.
// Decisions never go through it but through Service.
type Records interface {
	SearchOrders(ctx context.Context, f bot.OrderFilter) ([]*bot.Order, error)
	OrderByNumber(ctx context.Context, number string) (*bot.Order, error)
	SearchAfterSales(ctx context.Context, f bot.AfterSalesFilter) ([]*bot.AfterSales, error)
	AfterSalesByNumber(ctx context.Context, number string) (*bot.AfterSales, error)
	AfterSalesByOrder(ctx context.Context, orderID int64) ([]*bot.AfterSales, error)
	AfterSalesOfCustomer(ctx context.Context, customerID int64, n int) ([]*bot.AfterSales, error)
	SearchCustomers(ctx context.Context, f bot.CustomerFilter) ([]bot.Customer, error)
	CustomersByID(ctx context.Context, ids []int64) ([]bot.Customer, error)
	CustomerStats(ctx context.Context, ids []int64) (map[int64]bot.CustomerStats, error)
	// CustomerIdentities returns each customer's channel identities, its
	// own and those of the customers merged into it.
	CustomerIdentities(ctx context.Context, ids []int64) (map[int64][]bot.Identity, error)
	HandoffsOfCustomer(ctx context.Context, customerID int64, n int) ([]*bot.Handoff, error)
	Audit(ctx context.Context, entity, ref string) ([]bot.AuditEntry, error)
	WorkQueue(ctx context.Context, q bot.WorkQuery) ([]bot.WorkItem, error)
	WorkCounts(ctx context.Context) (map[bot.WorkKind]int, error)
}

// Page sizes of the console's lists.
const (
	defaultPage = 50
	maxPage     = 200
	maxQuery    = 100 // bytes of a search text
)

// langCookie remembers the console language a staff member chose.
const langCookie = "orderbot_staff_lang"

// badRequest is a query parameter the console cannot use; its message names
// the parameter and is shown to the staff member as it is.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func invalidParam(format string, a ...any) error { return &badRequest{msg: fmt.Sprintf(format, a...)} }

// errNoPage is an unknown number or id: the console answers 404.
var errNoPage = errors.New("no such page")

// consoleRoutes mounts the console's pages. Each needs a staff session.
func (h *Handler) consoleRoutes() {
	pages := map[string]consoleHandler{
		"/staff/orders":                     h.ordersPage,
		"/staff/orders/{number}":            h.orderPage,
		"/staff/customers":                  h.customersPage,
		"/staff/customers/{id}":             h.customerPage,
		"/staff/customers/{id}/transcripts": h.transcriptsPage,
		"/staff/after-sales":                h.afterSalesListPage,
		"/staff/after-sales/{number}":       h.afterSalesPage,
	}
	for pattern, fn := range pages {
		h.mux.Handle(pattern, only(http.MethodGet, h.requireStaff(h.consolePage(fn))))
	}
	h.mux.Handle("/staff/lang", only(http.MethodPost, h.requireStaff(h.requireCSRF(h.setLang))))
	h.privacyRoutes()
}

// consoleHandler renders one console page: it returns the template and its
// data, or an error the wrapper turns into the fitting page.
type consoleHandler func(r *http.Request, v *viewer) (string, any, error)

func (h *Handler) consolePage(fn consoleHandler) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, s staffRequest) {
		v := h.viewerOf(r, s)
		if h.opts.Records == nil {
			h.renderProblem(w, http.StatusNotFound, v, v.T("This page does not exist."))
			return
		}
		name, data, err := fn(r, v)
		var bad *badRequest
		switch {
		case err == nil:
			h.render(w, http.StatusOK, name, data)
		case errors.As(err, &bad):
			h.renderProblem(w, http.StatusBadRequest, v, bad.msg)
		case errors.Is(err, errNoPage), errors.Is(err, bot.ErrNotFound):
			h.renderProblem(w, http.StatusNotFound, v, v.T("Nothing has this number."))
		default:
			if r.Context().Err() == nil {
				h.log.Error("webchat: console page", "path", r.URL.Path, "err", err)
			}
			h.renderProblem(w, http.StatusInternalServerError, v, v.T("Something went wrong, please try again."))
		}
	}
}

type problemPage struct {
	V       *viewer
	Message string
}

func (h *Handler) renderProblem(w http.ResponseWriter, status int, v *viewer, msg string) {
	h.render(w, status, "problem", problemPage{V: v, Message: msg})
}

// setLang remembers the staff member's choice of language in a cookie and
// goes back to the page it was made on.
func (h *Handler) setLang(w http.ResponseWriter, r *http.Request, s staffRequest) {
	lang := r.PostForm.Get("lang")
	if lang != "zh" && lang != "en" {
		writeError(w, http.StatusBadRequest, "lang must be zh or en")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: langCookie, Value: lang, Path: "/staff", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteStrictMode,
	})
	http.Redirect(w, r, backTo(r.PostForm.Get("back")), http.StatusSeeOther)
}

// backTo is where a form may send the browser back to: a console path,
// never another site.
func backTo(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/staff") || strings.HasPrefix(s, "//") {
		return "/staff"
	}
	return u.RequestURI()
}

// viewer is who looks at a console page and how it speaks to them.
type viewer struct {
	Title string
	Name  string
	Role  bot.Role
	CSRF  string
	Lang  string
	Path  string // the page's path and query, to come back to after switching language
	Zone  string
	// CanCoupons shows the coupon page in the menu.
	CanCoupons bool
	// CanFollowUps shows the follow-up rules page in the menu.
	CanFollowUps bool
	// HasBroadcasts shows the broadcast pages in the menu.
	HasBroadcasts bool
	loc           *time.Location
	cur           string
	dict          map[string]string
}

func (h *Handler) viewerOf(r *http.Request, s staffRequest) *viewer {
	name := s.staff.Name
	if name == "" {
		name = s.staff.UserID
	}
	lang := h.opts.Lang
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "zh" || c.Value == "en") {
		lang = c.Value
	}
	return &viewer{
		Title: h.opts.Title, Name: name, Role: s.staff.Role, CSRF: csrfToken(s), Lang: lang,
		Path: r.URL.RequestURI(), Zone: h.opts.Location.String(), loc: h.opts.Location, cur: h.opts.Currency,
		CanCoupons:    h.opts.Coupons != nil && s.staff.Role.AtLeast(bot.Approver),
		CanFollowUps:  h.opts.FollowUps != nil && s.staff.Role.AtLeast(bot.Approver),
		HasBroadcasts: h.opts.Broadcasts != nil,
	}
}

// Can reports whether the viewer's role allows the action on the card.
func (v *viewer) Can(ref, action string) bool {
	need := bot.RequiredRole(ref, action)
	return need != "" && v.Role.AtLeast(need)
}

// query reads the page's query string and refuses one that is not valid
// UTF-8 or too long.
func query(r *http.Request) (url.Values, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, invalidParam("the address has a malformed query")
	}
	for name, vals := range v {
		for _, s := range vals {
			if !utf8.ValidString(s) || len(s) > 200 {
				return nil, invalidParam("%s is not valid text or too long", name)
			}
		}
	}
	return v, nil
}

// paging is a page of a list: its size and where it starts.
type paging struct {
	limit    int
	beforeID int64
}

func pageOf(v url.Values) (paging, error) {
	p := paging{limit: defaultPage}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPage {
			return p, invalidParam("limit must be a number from 1 to %d", maxPage)
		}
		p.limit = n
	}
	if s := v.Get("cursor"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 1 {
			return p, invalidParam("cursor must be the cursor of a page link")
		}
		p.beforeID = id
	}
	return p, nil
}

func searchText(v url.Values) (string, error) {
	q := strings.TrimSpace(v.Get("q"))
	if len(q) > maxQuery {
		return "", invalidParam("q must be at most %d bytes", maxQuery)
	}
	return q, nil
}

// dateOf reads a YYYY-MM-DD date in the shop's zone; end gives the start
// of the next day, so that "to" includes the day it names.
func dateOf(v url.Values, name string, loc *time.Location, end bool) (time.Time, error) {
	s := v.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, invalidParam("%s must be a date like 2026-01-31", name)
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

// nextLink is the address of the page after one that ended at id.
func nextLink(r *http.Request, id int64) string {
	v := r.URL.Query()
	v.Set("cursor", strconv.FormatInt(id, 10))
	return r.URL.Path + "?" + v.Encode()
}

// templateFuncs are the helpers the console's templates use to hand a
// piece of a page, with the viewer, to a shared template.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"followUpTier": func(p followUpsPage, current string) any {
			ts := p.Tiers
			// A rule's tier the shop no longer has stays chosen, so that
			// saving the rule's text does not widen it to every tier.
			if current != "" && !slices.ContainsFunc(ts, func(t tier.Tier) bool { return t.Name == current }) {
				ts = append(slices.Clip(ts), tier.Tier{Name: current, NameZH: current, NameEN: current})
			}
			return struct {
				V       *viewer
				Tiers   []tier.Tier
				Current string
			}{p.V, ts, current}
		},
		"hist": func(v *viewer, h []bot.StatusChange) any {
			return struct {
				V *viewer
				H []bot.StatusChange
			}{v, h}
		},
		"lines": func(v *viewer, l []bot.HandoffLine) any {
			return struct {
				V *viewer
				L []bot.HandoffLine
			}{v, l}
		},
		"audit": func(v *viewer, a []bot.AuditEntry) any {
			return struct {
				V *viewer
				A []bot.AuditEntry
			}{v, a}
		},
		"requests": func(v *viewer, r []*bot.AfterSales) any {
			return struct {
				V *viewer
				R []*bot.AfterSales
			}{v, r}
		},
		"orders": func(v *viewer, rows []orderRow, next string) any {
			return struct {
				V    *viewer
				Rows []orderRow
				Next string
			}{v, rows, next}
		},
		"bact": func(v *viewer, id int64, action, label, style string) any {
			return struct {
				V                    *viewer
				ID                   int64
				Action, Label, Style string
			}{v, id, action, label, style}
		},
		"bstatus": func(s string) broadcast.Status { return broadcast.Status(s) },
		"skipped": func(r broadcast.Report) int {
			n := 0
			for _, c := range r.Skipped {
				n += c
			}
			return n
		},
		"mul":       func(a int64, b int) int64 { return a * int64(b) },
		"hasPrefix": strings.HasPrefix,
	}
}
