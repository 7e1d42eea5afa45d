package webchat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/tier"
)

// CRM is what the console shows and changes of a customer beyond contact
// details and orders: their tier, tags and note, and merging two records
// of one person. Roles, checks and audit are the domain's, as for the
// admin API.
type CRM interface {
	Profile(ctx context.Context, customerID int64) (Profile, error)
	Tiers(ctx context.Context) ([]tier.Tier, error)
	// UpdateCustomer makes the whole change or, on any error, none of it.
	UpdateCustomer(ctx context.Context, staff bot.Staff, customerID int64, ch CustomerChange) error
	// MergeCustomers makes customer other part of customer keep (approver
	// role); merging again what was merged changes nothing.
	MergeCustomers(ctx context.Context, staff bot.Staff, keepID, otherID int64) error
}

// Profile is what staff keep on a customer.
type Profile struct {
	Standing bot.Standing
	Tags     []string
	Note     string
}

// CustomerChange is a change staff make to a customer; nil fields stay.
// Empty but not nil Tags removes every tag; an empty PinnedTier unpins.
type CustomerChange struct {
	Tags       []string
	Note       *string
	PinnedTier *string
}

// crmRoutes mounts the forms that change a customer's record.
func (h *Handler) crmRoutes() {
	forms := map[string]func(r *http.Request, s staffRequest, id int64) error{
		"/staff/customers/{id}/profile": h.saveProfile,
		"/staff/customers/{id}/tier":    h.saveTier,
		"/staff/customers/{id}/merge":   h.mergeCustomer,
	}
	for pattern, fn := range forms {
		h.mux.Handle(pattern, only(http.MethodPost, h.requireStaff(h.requireCSRF(h.customerForm(fn)))))
	}
}

// customerForm runs a form that changes customer id and goes back to the
// customer's page, or shows what was wrong; a refused form changes nothing.
func (h *Handler) customerForm(fn func(r *http.Request, s staffRequest, id int64) error) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, s staffRequest) {
		v := h.viewerOf(r, s)
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id < 1 || h.opts.CRM == nil {
			h.renderProblem(w, http.StatusNotFound, v, v.T("Nothing has this number."))
			return
		}
		err = fn(r, s, id)
		var bad *badRequest
		switch {
		case err == nil:
			http.Redirect(w, r, fmt.Sprintf("/staff/customers/%d", id), http.StatusSeeOther)
		case errors.As(err, &bad):
			h.renderProblem(w, http.StatusBadRequest, v, bad.msg)
		case errors.Is(err, bot.ErrNotFound):
			h.renderProblem(w, http.StatusNotFound, v, v.T("Nothing has this number."))
		case errors.Is(err, bot.ErrForbidden):
			h.renderProblem(w, http.StatusForbidden, v, v.T("Your role does not allow this."))
		case errors.Is(err, bot.ErrConflict):
			h.renderProblem(w, http.StatusConflict, v, v.T("Not saved:")+" "+detail(err))
		case errors.Is(err, bot.ErrInvalid):
			h.renderProblem(w, http.StatusUnprocessableEntity, v, v.T("Not saved:")+" "+detail(err))
		default:
			h.log.Error("webchat: customer form", "path", r.URL.Path, "err", err)
			h.renderProblem(w, http.StatusInternalServerError, v, v.T("Something went wrong, please try again."))
		}
	}
}

// detail is the part of a domain error meant for people.
func detail(err error) string {
	if d := bot.InvalidDetail(err); d != "" {
		return d
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// saveProfile replaces the customer's tags (comma-separated) and note.
func (h *Handler) saveProfile(r *http.Request, s staffRequest, id int64) error {
	note := r.PostForm.Get("note")
	tags := []string{}
	for t := range strings.SplitSeq(r.PostForm.Get("tags"), ",") {
		tags = append(tags, t)
	}
	return h.opts.CRM.UpdateCustomer(r.Context(), s.staff, id, CustomerChange{Tags: tags, Note: &note})
}

// saveTier pins the customer to a tier, or unpins them ("").
func (h *Handler) saveTier(r *http.Request, s staffRequest, id int64) error {
	if _, ok := r.PostForm["pinned_tier"]; !ok {
		return invalidParam("pinned_tier is missing")
	}
	pin := r.PostForm.Get("pinned_tier")
	return h.opts.CRM.UpdateCustomer(r.Context(), s.staff, id, CustomerChange{PinnedTier: &pin})
}

// mergeCustomer merges the customer other_id into this one, once the staff
// member ticked that they mean it.
func (h *Handler) mergeCustomer(r *http.Request, s staffRequest, id int64) error {
	other, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("other_id")), 10, 64)
	if err != nil || other < 1 {
		return invalidParam("other_id must be a customer number")
	}
	if r.PostForm.Get("confirm") != "yes" {
		return invalidParam("tick the box to confirm the merge")
	}
	return h.opts.CRM.MergeCustomers(r.Context(), s.staff, id, other)
}

// customerProfile fills in the customer's tier, tags and note and the
// tiers staff may pin, when the console has a CRM.
func (h *Handler) customerProfile(ctx context.Context, id int64, page *customerPage) error {
	if h.opts.CRM == nil {
		return nil
	}
	p, err := h.opts.CRM.Profile(ctx, id)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	page.Profile = &p
	page.TagText = strings.Join(p.Tags, ", ")
	if page.Tiers, err = h.opts.CRM.Tiers(ctx); err != nil {
		return fmt.Errorf("tiers: %w", err)
	}
	return nil
}

// TierName is a tier's name in the viewer's language.
func (v *viewer) TierName(zh, en string) string {
	if v.Lang == "zh" && zh != "" {
		return zh
	}
	if en != "" {
		return en
	}
	return zh
}

// CanPin reports whether the viewer may pin a tier (as the API allows it).
func (v *viewer) CanPin() bool { return v.Role.AtLeast(bot.Approver) }
