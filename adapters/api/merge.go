package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/orderbot/orderbot/bot"
)

// mergeBody is the body of POST /customers/{id}/merge.
type mergeBody struct {
	OtherID *int64 `json:"other_id"`
}

// mergeCustomer makes customer other_id part of customer {id} (approver
// role) and answers with the merged customer. Repeating a merge that was
// made answers the same and changes nothing; other_id merged into a third
// customer is 409; either id unknown, or {id} merged away, is 404.
func (h *Handler) mergeCustomer(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	id, err := customerID(r)
	if err != nil {
		return err
	}
	var b mergeBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	if b.OtherID == nil || *b.OtherID < 1 {
		return invalid("other_id: the id of the customer to merge into this one is required")
	}
	err = h.crm.MergeCustomers(r.Context(), who, id, *b.OtherID)
	switch {
	case errors.Is(err, bot.ErrNotFound):
		return notFound("no customer %d or %d", id, *b.OtherID)
	case errors.Is(err, bot.ErrConflict):
		return &apiError{http.StatusConflict, codeConflict, conflictDetail(err)}
	case err != nil:
		return err
	}
	h.log.InfoContext(r.Context(), "api: customers merged", "token", who.UserID, "customer", id, "other", *b.OtherID)
	return h.writeCustomer(w, r, id)
}

// conflictDetail is what a conflict error says after the sentinel.
func conflictDetail(err error) string {
	if _, detail, ok := strings.Cut(err.Error(), bot.ErrConflict.Error()+": "); ok {
		return detail
	}
	return "changed concurrently"
}
