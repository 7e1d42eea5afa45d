package webchat

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pay"
)

// Coupons is the shop's coupons as the console manages them (bot/pay),
// which checks roles and audits.
type Coupons interface {
	Coupons(ctx context.Context) ([]pay.Coupon, error)
	CreateCoupon(ctx context.Context, staff bot.Staff, c pay.Coupon) (pay.Coupon, error)
	SetDisabled(ctx context.Context, staff bot.Staff, code string, disabled bool) (pay.Coupon, error)
}

type couponsPage struct {
	V       *viewer
	Coupons []pay.Coupon
	// Problem is why the last create was refused, shown above the form.
	Problem string
}

// couponRoutes mounts the coupon page and its forms (approver role; the
// service checks it again).
func (h *Handler) couponRoutes() {
	h.mux.Handle("/staff/coupons", h.requireStaff(func(w http.ResponseWriter, r *http.Request, s staffRequest) {
		if r.Method == http.MethodPost {
			h.requireCSRF(h.createCoupon)(w, r, s)
			return
		}
		h.consolePage(h.couponsList)(w, r, s)
	}))
	h.mux.Handle("/staff/coupons/{code}/{action}", only(http.MethodPost, h.requireStaff(h.requireCSRF(h.toggleCoupon))))
}

func (h *Handler) couponsList(r *http.Request, v *viewer) (string, any, error) {
	q, err := query(r)
	if err != nil {
		return "", nil, err
	}
	if h.opts.Coupons == nil || !v.Role.AtLeast(bot.Approver) {
		return "", nil, errNoPage
	}
	cs, err := h.opts.Coupons.Coupons(r.Context())
	if err != nil {
		return "", nil, err
	}
	return "coupons", couponsPage{V: v, Coupons: cs, Problem: q.Get("problem")}, nil
}

// couponForm reads the create form: amounts as staff type them ("10.00"),
// dates as local days (ends_at is the end of that day).
func (h *Handler) couponForm(f url.Values) (pay.Coupon, error) {
	c := pay.Coupon{Code: f.Get("code"), Tier: strings.TrimSpace(f.Get("tier"))}
	money := func(name string) (int64, error) {
		s := strings.TrimSpace(f.Get(name))
		if s == "" {
			return 0, nil
		}
		v, err := bot.ParsePrice(s)
		if err != nil {
			return 0, invalidParam("%s: want an amount such as 10.00", name)
		}
		return v, nil
	}
	count := func(name string) (int, error) {
		s := strings.TrimSpace(f.Get(name))
		if s == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, invalidParam("%s: want a whole number", name)
		}
		return n, nil
	}
	day := func(name string, end bool) (time.Time, error) {
		s := strings.TrimSpace(f.Get(name))
		if s == "" {
			return time.Time{}, nil
		}
		d, err := time.ParseInLocation(time.DateOnly, s, h.opts.Location)
		if err != nil {
			return d, invalidParam("%s: want a date such as 2026-12-31", name)
		}
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d.UTC(), nil
	}
	var err error
	if f.Get("kind") == "percent" {
		if c.PercentOff, err = count("value"); err != nil {
			return c, err
		}
	} else if c.AmountOff, err = money("value"); err != nil {
		return c, err
	}
	if c.MinSpend, err = money("min_spend"); err != nil {
		return c, err
	}
	if c.MaxUses, err = count("max_uses"); err != nil {
		return c, err
	}
	if c.MaxUsesPerCustomer, err = count("max_uses_per_customer"); err != nil {
		return c, err
	}
	if c.StartsAt, err = day("starts", false); err != nil {
		return c, err
	}
	c.EndsAt, err = day("ends", true)
	return c, err
}

func (h *Handler) createCoupon(w http.ResponseWriter, r *http.Request, s staffRequest) {
	if h.opts.Coupons == nil {
		writeError(w, http.StatusNotFound, "coupons are not set up")
		return
	}
	c, err := h.couponForm(r.PostForm)
	if err == nil {
		_, err = h.opts.Coupons.CreateCoupon(r.Context(), s.staff, c)
	}
	problem := ""
	var bad *badRequest
	switch {
	case err == nil:
		h.log.Info("webchat: coupon created", "user", s.staff.UserID, "coupon", pay.NormalizeCode(c.Code))
	case errors.Is(err, bot.ErrForbidden):
		writeError(w, http.StatusForbidden, "your role cannot do this")
		return
	case errors.As(err, &bad):
		problem = bad.msg
	case errors.Is(err, bot.ErrDuplicate):
		problem = "a coupon with this code exists"
	case errors.Is(err, bot.ErrInvalid):
		problem = bot.InvalidDetail(err)
	default:
		h.log.Error("webchat: create coupon", "err", err)
		problem = "something went wrong, please try again"
	}
	to := "/staff/coupons"
	if problem != "" {
		to += "?problem=" + url.QueryEscape(problem)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (h *Handler) toggleCoupon(w http.ResponseWriter, r *http.Request, s staffRequest) {
	action := r.PathValue("action")
	if h.opts.Coupons == nil || (action != "disable" && action != "enable") {
		writeError(w, http.StatusNotFound, "no such action")
		return
	}
	_, err := h.opts.Coupons.SetDisabled(r.Context(), s.staff, r.PathValue("code"), action == "disable")
	switch {
	case errors.Is(err, bot.ErrForbidden):
		writeError(w, http.StatusForbidden, "your role cannot do this")
		return
	case errors.Is(err, bot.ErrNotFound):
		writeError(w, http.StatusNotFound, "no such coupon")
		return
	case err != nil:
		h.log.Error("webchat: coupon "+action, "err", err)
		writeError(w, http.StatusInternalServerError, "something went wrong, please try again")
		return
	}
	h.log.Info("webchat: coupon "+action+"d", "user", s.staff.UserID, "coupon", r.PathValue("code"))
	http.Redirect(w, r, "/staff/coupons", http.StatusSeeOther)
}
