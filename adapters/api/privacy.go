package api

import (
	"context"
	"net/http"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/privacy"
)

// Privacy erases and exports one customer's personal data.
type Privacy interface {
	Erase(ctx context.Context, actor string, customerID int64) (privacy.Result, error)
	Export(ctx context.Context, customerID int64) (privacy.Export, error)
}

// eraseJSON is the answer to an erase: the same for a repeated one, which
// says it found the customer erased already.
type eraseJSON struct {
	ID            int64          `json:"id"`
	AlreadyErased bool           `json:"already_erased"`
	ErasedAt      string         `json:"erased_at"`
	Erased        privacy.Counts `json:"erased"`
	CardsUpdated  int            `json:"cards_updated"`
}

// privacyAdmin checks what erase and export share: no query, the admin
// role (both hand out or destroy a person's data), a customer id, a
// configured service.
func (h *Handler) privacyAdmin(r *http.Request, who bot.Staff, what string) (int64, error) {
	if _, err := query(r); err != nil {
		return 0, err
	}
	if !who.Role.AtLeast(bot.Admin) {
		return 0, &apiError{http.StatusForbidden, codeForbidden, what + " a customer's data needs the admin role"}
	}
	id, err := customerID(r)
	if err != nil {
		return 0, err
	}
	if h.opts.Privacy == nil {
		return 0, notFound("this server does not %s customers' data", what)
	}
	return id, nil
}

// eraseCustomer erases the customer's personal data: orders keep items and
// amounts, the audit trail names the token.
func (h *Handler) eraseCustomer(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	id, err := h.privacyAdmin(r, who, "erasing")
	if err != nil {
		return err
	}
	res, err := h.opts.Privacy.Erase(r.Context(), who.Actor(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, eraseJSON{
		ID: res.CustomerID, AlreadyErased: res.AlreadyErased, ErasedAt: h.timeText(res.ErasedAt),
		Erased: res.Counts, CardsUpdated: res.CardsQueued,
	})
	return nil
}

// exportCustomer answers with the customer's data as JSON.
func (h *Handler) exportCustomer(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	id, err := h.privacyAdmin(r, who, "exporting")
	if err != nil {
		return err
	}
	ex, err := h.opts.Privacy.Export(r.Context(), id)
	if err != nil {
		return err
	}
	h.log.InfoContext(r.Context(), "api: customer exported", "token", who.UserID, "customer", id)
	writeJSON(w, http.StatusOK, ex)
	return nil
}
