package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pay"
)

// Money is the shop's coupons and shipping rule (bot/pay); the service
// checks roles and audits changes.
type Money interface {
	Coupons(ctx context.Context) ([]pay.Coupon, error)
	CreateCoupon(ctx context.Context, staff bot.Staff, c pay.Coupon) (pay.Coupon, error)
	ShippingRule(ctx context.Context) (pay.Shipping, error)
	SaveShippingRule(ctx context.Context, staff bot.Staff, s pay.Shipping) (pay.Shipping, error)
}

// couponJSON is a coupon as architecture.md's "Coupon (POST body)", plus
// what the shop keeps about it. Amounts in minor units; times RFC 3339.
type couponJSON struct {
	Code               string `json:"code"`
	PercentOff         int    `json:"percent_off,omitempty"`
	AmountOff          int64  `json:"amount_off,omitempty"`
	MinSpend           int64  `json:"min_spend,omitempty"`
	Tier               string `json:"tier,omitempty"`
	StartsAt           string `json:"starts_at,omitempty"`
	EndsAt             string `json:"ends_at,omitempty"`
	MaxUses            int    `json:"max_uses,omitempty"`
	MaxUsesPerCustomer int    `json:"max_uses_per_customer,omitempty"`
}

type couponOut struct {
	couponJSON
	Uses      int    `json:"uses"`
	Disabled  bool   `json:"disabled"`
	CreatedBy string `json:"created_by"`
	CreatedAt string `json:"created_at"`
}

type shippingJSON struct {
	FlatFee   *int64 `json:"flat_fee"`
	FreeAbove *int64 `json:"free_above"`
}

type shippingOut struct {
	FlatFee   int64  `json:"flat_fee"`
	FreeAbove int64  `json:"free_above"`
	UpdatedBy string `json:"updated_by"`
	UpdatedAt string `json:"updated_at"`
}

func (h *Handler) money() (Money, error) {
	if h.opts.Money == nil {
		return nil, unprocessable("coupons and shipping are not set up on this server")
	}
	return h.opts.Money, nil
}

func (h *Handler) couponOut(c pay.Coupon) couponOut {
	return couponOut{
		couponJSON: couponJSON{
			Code: c.Code, PercentOff: c.PercentOff, AmountOff: c.AmountOff, MinSpend: c.MinSpend, Tier: c.Tier,
			StartsAt: h.timeText(c.StartsAt), EndsAt: h.timeText(c.EndsAt),
			MaxUses: c.MaxUses, MaxUsesPerCustomer: c.MaxUsesPerCustomer,
		},
		Uses: c.Uses, Disabled: c.Disabled, CreatedBy: c.CreatedBy, CreatedAt: h.timeText(c.CreatedAt),
	}
}

func (h *Handler) listCoupons(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	m, err := h.money()
	if err != nil {
		return err
	}
	if !who.Role.AtLeast(bot.Approver) {
		return &apiError{http.StatusForbidden, codeForbidden, "the token's role cannot do this: coupons need the approver role"}
	}
	cs, err := m.Coupons(r.Context())
	if err != nil {
		return err
	}
	out := make([]couponOut, len(cs))
	for i, c := range cs {
		out[i] = h.couponOut(c)
	}
	writeJSON(w, http.StatusOK, listJSON[couponOut]{Items: out})
	return nil
}

func optionalTime(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, invalid("%s must be an RFC 3339 time such as 2026-12-01T00:00:00+08:00", name)
	}
	return t.UTC(), nil
}

func (h *Handler) createCoupon(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	m, err := h.money()
	if err != nil {
		return err
	}
	var b couponJSON
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	c := pay.Coupon{
		Code: b.Code, PercentOff: b.PercentOff, AmountOff: b.AmountOff, MinSpend: b.MinSpend, Tier: b.Tier,
		MaxUses: b.MaxUses, MaxUsesPerCustomer: b.MaxUsesPerCustomer,
	}
	if c.StartsAt, err = optionalTime("starts_at", b.StartsAt); err != nil {
		return err
	}
	if c.EndsAt, err = optionalTime("ends_at", b.EndsAt); err != nil {
		return err
	}
	c, err = m.CreateCoupon(r.Context(), who, c)
	if errors.Is(err, bot.ErrDuplicate) {
		return &apiError{http.StatusConflict, codeConflict, "a coupon with code " + pay.NormalizeCode(b.Code) + " exists"}
	}
	if err != nil {
		return err
	}
	h.log.InfoContext(r.Context(), "api: coupon created", "token", who.UserID, "coupon", c.Code)
	writeJSON(w, http.StatusCreated, h.couponOut(c))
	return nil
}

func (h *Handler) writeShipping(w http.ResponseWriter, s pay.Shipping) {
	writeJSON(w, http.StatusOK, shippingOut{FlatFee: s.FlatFee, FreeAbove: s.FreeAbove, UpdatedBy: s.UpdatedBy, UpdatedAt: h.timeText(s.UpdatedAt)})
}

func (h *Handler) getShipping(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	m, err := h.money()
	if err != nil {
		return err
	}
	s, err := m.ShippingRule(r.Context())
	if err != nil {
		return err
	}
	h.writeShipping(w, s)
	return nil
}

// putShipping replaces the shipping rule (admin role); both fields are
// required, so a body missing one cannot zero it by mistake.
func (h *Handler) putShipping(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	m, err := h.money()
	if err != nil {
		return err
	}
	var b shippingJSON
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	if b.FlatFee == nil || b.FreeAbove == nil {
		return invalid("body: flat_fee and free_above are required (minor units; free_above 0 = never free)")
	}
	s, err := m.SaveShippingRule(r.Context(), who, pay.Shipping{FlatFee: *b.FlatFee, FreeAbove: *b.FreeAbove})
	if err != nil {
		return err
	}
	h.log.InfoContext(r.Context(), "api: shipping rule replaced", "token", who.UserID)
	h.writeShipping(w, s)
	return nil
}
