package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/crm"
	"github.com/orderbot/orderbot/bot/tier"
)

// customerJSON is a customer with every channel identity it has (more
// than one once staff merged customers). PromotionsConsent's at and
// channel say when and where the customer last said yes or no (null and ""
// if never). PinnedTier is the tier staff pinned, "" when it is computed.
type customerJSON struct {
	ID                int64          `json:"id"`
	Name              string         `json:"name"`
	Phone             string         `json:"phone"`
	Address           string         `json:"address"`
	Lang              string         `json:"lang"`
	Tier              string         `json:"tier"`
	PinnedTier        string         `json:"pinned_tier"`
	Tags              []string       `json:"tags"`
	Note              string         `json:"note"`
	Identities        []identityJSON `json:"identities"`
	OrderCount        int            `json:"order_count"`
	TotalSpent        int64          `json:"total_spent"`
	AverageOrderValue int64          `json:"average_order_value"`
	FirstOrderAt      *string        `json:"first_order_at"`
	LastOrderAt       *string        `json:"last_order_at"`
	PromotionsConsent consentJSON    `json:"promotions_consent"`
}

type identityJSON struct {
	Channel string `json:"channel"`
	UserID  string `json:"user_id"`
}

type consentJSON struct {
	Granted bool    `json:"granted"`
	At      *string `json:"at"`
	Channel string  `json:"channel"`
}

func (h *Handler) customerJSON(c bot.Customer, st bot.CustomerStats, p Profile, ids []bot.Identity) customerJSON {
	out := customerJSON{
		ID: c.ID, Name: customerName(c), Phone: c.Phone, Address: c.Address, Lang: c.Lang,
		Tier: p.Standing.Tier, Tags: p.Tags, Note: p.Note,
		Identities: []identityJSON{{Channel: c.Channel, UserID: c.UserID}},
		OrderCount: st.OrderCount, TotalSpent: st.TotalSpent,
	}
	if len(ids) > 0 {
		out.Identities = out.Identities[:0]
		for _, i := range ids {
			out.Identities = append(out.Identities, identityJSON{Channel: i.Channel, UserID: i.UserID})
		}
	}
	if p.Standing.Pinned {
		out.PinnedTier = p.Standing.Tier
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	out.PromotionsConsent = consentJSON{Granted: p.Consent.Granted, Channel: p.Consent.Channel}
	if !p.Consent.At.IsZero() {
		at := h.timeText(p.Consent.At)
		out.PromotionsConsent.At = &at
	}
	if st.OrderCount > 0 {
		// Rounded to the nearest minor unit.
		out.AverageOrderValue = (st.TotalSpent + int64(st.OrderCount)/2) / int64(st.OrderCount)
		first, last := h.timeText(st.FirstOrderAt), h.timeText(st.LastOrderAt)
		out.FirstOrderAt, out.LastOrderAt = &first, &last
	}
	return out
}

func (h *Handler) customersJSON(r *http.Request, cs []bot.Customer) ([]customerJSON, error) {
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	stats, err := h.store.CustomerStats(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	profiles, err := h.crm.Profiles(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	identities, err := h.store.CustomerIdentities(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]customerJSON, len(cs))
	for i, c := range cs {
		out[i] = h.customerJSON(c, stats[c.ID], profiles[c.ID], identities[c.ID])
	}
	return out, nil
}

func (h *Handler) listCustomers(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	v, err := query(r, "q", "tier", "tag", "cursor", "limit")
	if err != nil {
		return err
	}
	p, err := pageParams(v)
	if err != nil {
		return err
	}
	f := bot.CustomerFilter{Limit: p.limit + 1, BeforeID: p.beforeID}
	if f.Query, err = searchText(v); err != nil {
		return err
	}
	if f.Tier, f.Tag, err = h.tierAndTag(r.Context(), v); err != nil {
		return err
	}
	cs, err := h.store.SearchCustomers(r.Context(), f)
	if err != nil {
		return err
	}
	cs, next := nextCursor(cs, p.limit, func(c bot.Customer) int64 { return c.ID })
	items, err := h.customersJSON(r, cs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listJSON[customerJSON]{Items: items, NextCursor: next})
	return nil
}

// tierAndTag reads the tier and tag filters: a tier the shop has, a tag
// as staff can set it.
func (h *Handler) tierAndTag(ctx context.Context, v url.Values) (string, string, error) {
	tierName, tag := v.Get("tier"), strings.TrimSpace(v.Get("tag"))
	if tag != "" {
		clean, err := crm.CleanTags([]string{tag})
		if err != nil {
			return "", "", invalid("tag: %s", bot.InvalidDetail(err))
		}
		tag = clean[0]
	}
	if tierName == "" {
		return "", tag, nil
	}
	ts, err := h.crm.Tiers(ctx)
	if err != nil {
		return "", "", err
	}
	if !slices.ContainsFunc(ts, func(t tier.Tier) bool { return t.Name == tierName }) {
		return "", "", invalid("tier: the shop has no tier %q", tierName)
	}
	return tierName, tag, nil
}

// customerID reads the path's customer id; 404 when it cannot be one.
func customerID(r *http.Request) (int64, error) {
	id, ok := idParam(r.PathValue("id"))
	if !ok {
		return 0, notFound("no customer %q", r.PathValue("id"))
	}
	return id, nil
}

func (h *Handler) getCustomer(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	id, err := customerID(r)
	if err != nil {
		return err
	}
	return h.writeCustomer(w, r, id)
}

func (h *Handler) writeCustomer(w http.ResponseWriter, r *http.Request, id int64) error {
	cs, err := h.store.CustomersByID(r.Context(), []int64{id})
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return notFound("no customer %d", id)
	}
	items, err := h.customersJSON(r, cs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items[0])
	return nil
}

// customerPatch is the body of PATCH /customers/{id}; a field left out
// (or null) stays as it is.
type customerPatch struct {
	Tags       *[]string `json:"tags"`
	Note       *string   `json:"note"`
	PinnedTier *string   `json:"pinned_tier"`
}

// patchCustomer changes tags and the note (any staff role) and the pinned
// tier (approver role; "" unpins), all or nothing, through the domain
// services, which check roles and input and audit each change.
func (h *Handler) patchCustomer(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	id, err := customerID(r)
	if err != nil {
		return err
	}
	var b customerPatch
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	if b.Tags == nil && b.Note == nil && b.PinnedTier == nil {
		return invalid("body: nothing to change: give tags, note or pinned_tier")
	}
	ch := CustomerChange{Note: b.Note, PinnedTier: b.PinnedTier}
	if b.Tags != nil {
		ch.Tags = append([]string{}, *b.Tags...)
	}
	err = h.crm.UpdateCustomer(r.Context(), who, id, ch)
	if errors.Is(err, bot.ErrNotFound) {
		return notFound("no customer %d", id)
	}
	if err != nil {
		return err
	}
	h.log.InfoContext(r.Context(), "api: customer changed", "token", who.UserID, "customer", id,
		"tags", b.Tags != nil, "note", b.Note != nil, "pinned_tier", b.PinnedTier != nil)
	return h.writeCustomer(w, r, id)
}
