package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot"
)

// actionBody is the body of POST .../actions. Version is the one the
// caller last saw: a decision on anything newer is refused with 409.
type actionBody struct {
	Action   string `json:"action"`
	Version  *int   `json:"version"`
	Reason   string `json:"reason"`
	Carrier  string `json:"carrier"`
	Tracking string `json:"tracking"`
	// Amount is a refund's amount in minor units, all that is left when
	// omitted; Reference a payment's transfer reference (mark_paid).
	Amount    int64  `json:"amount"`
	Reference string `json:"reference"`
}

// check refuses what no action accepts; what each action needs (a reason
// to reject, a carrier to ship) the core checks.
func (b *actionBody) check() error {
	b.Reason, b.Carrier, b.Tracking = strings.TrimSpace(b.Reason), strings.TrimSpace(b.Carrier), strings.TrimSpace(b.Tracking)
	switch {
	case b.Version == nil || *b.Version < 1:
		return invalid("version is required: the version of the item you decide on")
	case utf8.RuneCountInString(b.Reason) > 1000:
		return invalid("reason must be at most 1000 characters")
	case utf8.RuneCountInString(b.Carrier) > 100 || utf8.RuneCountInString(b.Tracking) > 100:
		return invalid("carrier and tracking must be at most 100 characters each")
	case utf8.RuneCountInString(b.Reference) > 100:
		return invalid("reference must be at most 100 characters")
	case b.Amount < 0:
		return invalid("amount must be positive (minor units)")
	case b.Amount != 0 && b.Action != bot.ActRefund:
		return invalid("only refund takes an amount")
	}
	return nil
}

// orderActionRef maps the API's order actions to the card and button the
// core knows them by.
func orderActionRef(action string) (kind, act string, ok bool) {
	switch action {
	case bot.ActApprove, bot.ActReject, bot.ActShip, bot.ActDeliver, bot.ActComplete, bot.ActMarkPaid, bot.ActRefund:
		return "order", action, true
	case "approve_cancel":
		return "cancel", bot.ActApprove, true
	case "reject_cancel":
		return "cancel", bot.ActReject, true
	}
	return "", "", false
}

func (h *Handler) orderAction(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	var b actionBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	kind, act, ok := orderActionRef(b.Action)
	if !ok {
		return invalid("action must be one of approve, reject, ship, deliver, complete, approve_cancel, reject_cancel, mark_paid, refund")
	}
	if err := b.check(); err != nil {
		return err
	}
	o, err := h.order(r.Context(), r.PathValue("number"))
	if err != nil {
		return err
	}
	_, err = h.core.HandleStaffAction(r.Context(), b.staffAction(who, fmt.Sprintf("%s:%d", kind, o.ID), act))
	if err != nil {
		return h.conflict(err, "order "+o.Number, func() []bot.StatusChange {
			if o, err := h.store.OrderByNumber(r.Context(), o.Number); err == nil {
				return o.History
			}
			return nil
		})
	}
	h.log.InfoContext(r.Context(), "api: order action", "token", who.UserID, "order", o.Number, "action", b.Action)
	if o, err = h.store.OrderByNumber(r.Context(), o.Number); err != nil {
		return err
	}
	return h.writeOrder(w, r, http.StatusOK, o)
}

func (b *actionBody) staffAction(who bot.Staff, ref, action string) bot.StaffAction {
	return bot.StaffAction{
		Channel: who.Channel, UserID: who.UserID, Ref: ref, Action: action,
		Version: *b.Version, Reason: b.Reason, Carrier: b.Carrier, Tracking: b.Tracking,
		Amount: b.Amount, Reference: strings.TrimSpace(b.Reference),
	}
}

// conflict turns the core's "decided already", "not in that status" and
// "changed since" errors into a 409 that says who made the item's latest
// change and when; any other error it returns as it is.
func (h *Handler) conflict(err error, what string, history func() []bot.StatusChange) error {
	var decided *bot.DecidedError
	var state *bot.StateError
	switch {
	case errors.As(err, &decided):
		return &apiError{http.StatusConflict, codeConflict, fmt.Sprintf("%s was already %s by %s at %s", what, decided.Verb(), decided.By, h.timeText(decided.At))}
	case errors.As(err, &state), errors.Is(err, bot.ErrConflict):
		reason := "changed since the version you sent"
		if state != nil {
			reason = state.Error()
		}
		msg := what + ": " + reason
		if hs := history(); len(hs) > 0 {
			last := hs[len(hs)-1]
			msg += fmt.Sprintf("; last change: %s by %s at %s", last.To, last.Actor, h.timeText(last.At))
		}
		return &apiError{http.StatusConflict, codeConflict, msg}
	}
	return err
}

// requestAction reports whether action is a decision the API takes on an
// after-sales request.
func requestAction(action string) bool {
	return action == bot.ActApprove || action == bot.ActReject || action == bot.ActResolve
}

func (h *Handler) afterSalesAction(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	var b actionBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	if !requestAction(b.Action) {
		return invalid("action must be one of approve, reject, resolve")
	}
	if err := b.check(); err != nil {
		return err
	}
	a, err := h.afterSales(r.Context(), r.PathValue("number"))
	if err != nil {
		return err
	}
	_, err = h.core.HandleStaffAction(r.Context(), b.staffAction(who, fmt.Sprintf("after_sales:%d", a.ID), b.Action))
	if err != nil {
		return h.conflict(err, "request "+a.Number, func() []bot.StatusChange {
			if a, err := h.store.AfterSalesByNumber(r.Context(), a.Number); err == nil {
				return a.History
			}
			return nil
		})
	}
	h.log.InfoContext(r.Context(), "api: after-sales action", "token", who.UserID, "request", a.Number, "action", b.Action)
	if a, err = h.store.AfterSalesByNumber(r.Context(), a.Number); err != nil {
		return err
	}
	return h.writeAfterSales(w, r, a)
}

// afterSales finds the request of the path's number; 404 when there is none.
func (h *Handler) afterSales(ctx context.Context, number string) (*bot.AfterSales, error) {
	if number == "" || len(number) > 32 {
		return nil, notFound("no after-sales request %q", number)
	}
	a, err := h.store.AfterSalesByNumber(ctx, number)
	if errors.Is(err, bot.ErrNotFound) {
		return nil, notFound("no after-sales request %q", number)
	}
	if err != nil {
		return nil, fmt.Errorf("after-sales %s: %w", number, err)
	}
	return a, nil
}
