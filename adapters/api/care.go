package api

import (
	"context"
	"net/http"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/care"
)

// Care is what the API asks of customer care (bot/care): the follow-up
// rules and the one-off follow-ups staff schedule. The service checks the
// role and the input.
type Care interface {
	FollowUpRules(ctx context.Context) ([]care.FollowUpRule, error)
	SetFollowUpRules(ctx context.Context, staff bot.Staff, rs []care.FollowUpRule, tiers []string) error
	ScheduleFollowUp(ctx context.Context, staff bot.Staff, customerID int64, textZH, textEN string, at time.Time) (care.FollowUp, error)
}

type followUpRulesBody struct {
	Items *[]care.FollowUpRule `json:"items"`
}

// followUpBody schedules a visit; at is RFC 3339, now when empty.
type followUpBody struct {
	TextZH string `json:"text_zh"`
	TextEN string `json:"text_en"`
	At     string `json:"at"`
}

type followUpJSON struct {
	ID         int64  `json:"id"`
	CustomerID int64  `json:"customer_id"`
	DueAt      string `json:"due_at"`
	CreatedBy  string `json:"created_by"`
}

func (h *Handler) careOrFail() (Care, error) {
	if h.opts.Care == nil {
		return nil, notFound("customer care is not set up")
	}
	return h.opts.Care, nil
}

func (h *Handler) writeFollowUpRules(w http.ResponseWriter, r *http.Request, c Care) error {
	rs, err := c.FollowUpRules(r.Context())
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []care.FollowUpRule{}
	}
	writeJSON(w, http.StatusOK, struct {
		Items []care.FollowUpRule `json:"items"`
	}{rs})
	return nil
}

func (h *Handler) listFollowUpRules(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	c, err := h.careOrFail()
	if err != nil {
		return err
	}
	if _, err := query(r); err != nil {
		return err
	}
	return h.writeFollowUpRules(w, r, c)
}

// putFollowUpRules replaces every rule (admin role); tiers are checked
// against the shop's.
func (h *Handler) putFollowUpRules(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	c, err := h.careOrFail()
	if err != nil {
		return err
	}
	if _, err := query(r); err != nil {
		return err
	}
	var b followUpRulesBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	if b.Items == nil {
		return invalid("body: items is required")
	}
	ts, err := h.crm.Tiers(r.Context())
	if err != nil {
		return err
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	if err := c.SetFollowUpRules(r.Context(), who, *b.Items, names); err != nil {
		return err
	}
	h.log.InfoContext(r.Context(), "api: follow-up rules replaced", "token", who.UserID, "rules", len(*b.Items))
	return h.writeFollowUpRules(w, r, c)
}

// scheduleFollowUp schedules a one-off visit of a customer.
func (h *Handler) scheduleFollowUp(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	c, err := h.careOrFail()
	if err != nil {
		return err
	}
	id, ok := idParam(r.PathValue("id"))
	if !ok {
		return notFound("no such customer")
	}
	if _, err := query(r); err != nil {
		return err
	}
	var b followUpBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	var at time.Time
	if b.At != "" {
		if at, err = time.Parse(time.RFC3339, b.At); err != nil {
			return invalid("at must be an RFC 3339 time")
		}
	}
	f, err := c.ScheduleFollowUp(r.Context(), who, id, b.TextZH, b.TextEN, at)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, followUpJSON{ID: f.ID, CustomerID: f.CustomerID, DueAt: h.timeText(f.DueAt), CreatedBy: f.CreatedBy})
	return nil
}
