package api

import (
	"net/http"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/tier"
)

// tierJSON is one step of the shop's ladder; thresholds in minor units and
// completed orders within the last window_days days, 0 when not asked.
type tierJSON struct {
	Name       string `json:"name"`
	NameZH     string `json:"name_zh"`
	NameEN     string `json:"name_en"`
	MinSpend   int64  `json:"min_spend"`
	MinOrders  int    `json:"min_orders"`
	WindowDays int    `json:"window_days"`
}

// ruleJSON is an approval rule: kind "order" or an after-sales type,
// approved at once for min_tier and above up to max_amount.
type ruleJSON struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	MinTier   string `json:"min_tier"`
	MaxAmount int64  `json:"max_amount"`
}

// tiersBody and rulesBody are the bodies of the PUTs: the whole list, as
// the GETs return it. items is required, so that a body missing it cannot
// remove every rule by mistake.
type tiersBody struct {
	Items *[]tierJSON `json:"items"`
}

type rulesBody struct {
	Items *[]ruleJSON `json:"items"`
}

func tiersOut(ts []tier.Tier) []tierJSON {
	out := make([]tierJSON, len(ts))
	for i, t := range ts {
		out[i] = tierJSON(t)
	}
	return out
}

func rulesOut(rs []tier.Rule) []ruleJSON {
	out := make([]ruleJSON, len(rs))
	for i, r := range rs {
		out[i] = ruleJSON(r)
	}
	return out
}

func (h *Handler) writeTiers(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.crm.Tiers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Items []tierJSON `json:"items"`
	}{tiersOut(ts)})
	return nil
}

func (h *Handler) writeRules(w http.ResponseWriter, r *http.Request) error {
	rs, err := h.crm.Rules(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Items []ruleJSON `json:"items"`
	}{rulesOut(rs)})
	return nil
}

func (h *Handler) listTiers(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	return h.writeTiers(w, r)
}

func (h *Handler) listRules(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	return h.writeRules(w, r)
}

// putTiers replaces the ladder, lowest tier first. The tiers service checks
// the role (admin) and the ladder, and audits the change.
func (h *Handler) putTiers(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	var b tiersBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	if b.Items == nil {
		return invalid("body: items is required")
	}
	ts := make([]tier.Tier, len(*b.Items))
	for i, t := range *b.Items {
		ts[i] = tier.Tier(t)
	}
	if err := h.crm.ReplaceTiers(r.Context(), who, ts); err != nil {
		return err
	}
	h.log.InfoContext(r.Context(), "api: tiers replaced", "token", who.UserID, "tiers", len(ts))
	return h.writeTiers(w, r)
}

// putRules replaces every approval rule; an empty list removes them all.
func (h *Handler) putRules(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	var b rulesBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	if b.Items == nil {
		return invalid("body: items is required")
	}
	rs := make([]tier.Rule, len(*b.Items))
	for i, rule := range *b.Items {
		rs[i] = tier.Rule(rule)
	}
	if err := h.crm.ReplaceRules(r.Context(), who, rs); err != nil {
		return err
	}
	h.log.InfoContext(r.Context(), "api: rules replaced", "token", who.UserID, "rules", len(rs))
	return h.writeRules(w, r)
}
