package webchat

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/orderbot/orderbot/bot"
)

type actionRequest struct {
	Ref      string `json:"ref"`
	Action   string `json:"action"`
	Version  int    `json:"version"`
	Reason   string `json:"reason"`
	Carrier  string `json:"carrier"`
	Tracking string `json:"tracking"`
	Text     string `json:"text"`
	// Amount is a refund's amount as staff type it ("12.50"); empty
	// refunds all that is left. Reference is a payment's transfer reference.
	Amount    string `json:"amount"`
	Reference string `json:"reference"`
}

type actionResponse struct {
	Card bot.Card `json:"card"`
	Note string   `json:"note,omitempty"`
}

func (req actionRequest) check() string {
	switch {
	case req.Ref == "" || len(req.Ref) > 100:
		return "ref is required"
	case req.Action == "" || len(req.Action) > 100:
		return "action is required"
	case len(req.Reason) > maxField || len(req.Text) > maxField:
		return "text is too long (at most 2000 bytes)"
	case len(req.Carrier) > 200 || len(req.Tracking) > 200 || len(req.Reference) > 200:
		return "carrier, tracking number and reference must be at most 200 bytes"
	}
	if _, err := req.amount(); err != nil {
		return "amount must be an amount of money such as 12.50"
	}
	return ""
}

// amount is the refund amount in minor units, 0 when none was typed.
func (req actionRequest) amount() (int64, error) {
	if a := strings.TrimSpace(req.Amount); a != "" {
		return bot.ParsePrice(a)
	}
	return 0, nil
}

// action carries out a card button press as the logged-in staff member. The
// core decides whether their role may and whether the card is still current;
// this only turns its answer into HTTP.
func (h *Handler) action(w http.ResponseWriter, r *http.Request, s staffRequest) {
	var req actionRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if msg := req.check(); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	amount, _ := req.amount() // its error was refused by check
	res, err := h.svc.HandleStaffAction(r.Context(), bot.StaffAction{
		Channel:   bot.WebChat,
		UserID:    s.staff.UserID,
		Ref:       req.Ref,
		Action:    req.Action,
		Version:   req.Version,
		Reason:    strings.TrimSpace(req.Reason),
		Carrier:   strings.TrimSpace(req.Carrier),
		Tracking:  strings.TrimSpace(req.Tracking),
		Text:      strings.TrimSpace(req.Text),
		Amount:    amount,
		Reference: strings.TrimSpace(req.Reference),
	})
	if err != nil {
		h.actionError(w, r, req.Ref, res, err)
		return
	}
	h.log.Info("webchat: staff action", "user", s.staff.UserID, "ref", req.Ref, "action", req.Action)
	writeJSON(w, http.StatusOK, actionResponse{Card: res.Card, Note: res.Note})
}

// actionError tells the staff member why an action did nothing and, when the
// card was out of date, sends the current one so the page can show it.
func (h *Handler) actionError(w http.ResponseWriter, r *http.Request, ref string, res bot.StaffResult, err error) {
	var decided *bot.DecidedError
	var state *bot.StateError
	switch {
	case errors.Is(err, bot.ErrForbidden):
		writeError(w, http.StatusForbidden, "your role cannot do this")
	case errors.As(err, &decided):
		writeJSON(w, http.StatusConflict, errorBody{
			Error: "already " + decided.Verb() + " by " + decided.By + " at " + decided.At.Local().Format("15:04"),
			Card:  h.currentCard(r.Context(), ref, res),
		})
	case errors.As(err, &state), errors.Is(err, bot.ErrConflict):
		writeJSON(w, http.StatusConflict, errorBody{
			Error: "this card changed, it now shows the current state",
			Card:  h.currentCard(r.Context(), ref, res),
		})
	case errors.Is(err, bot.ErrNotFound):
		writeError(w, http.StatusNotFound, "this item does not exist")
	case errors.Is(err, bot.ErrInvalid):
		writeError(w, http.StatusBadRequest, invalidMessage(err))
	default:
		if r.Context().Err() == nil {
			h.log.Error("webchat: staff action", "ref", ref, "err", err)
		}
		writeError(w, http.StatusInternalServerError, "something went wrong, please try again")
	}
}

// currentCard returns the item's card as it is now: the one the core sent
// with its error, or else one read again; nil when there is none.
func (h *Handler) currentCard(ctx context.Context, ref string, res bot.StaffResult) *bot.Card {
	if res.Card.Ref == ref {
		return &res.Card
	}
	kind, num, _ := strings.Cut(ref, ":")
	id, err := strconv.ParseInt(num, 10, 64)
	wk := map[string]bot.WorkKind{"order": bot.WorkNew, "cancel": bot.WorkCancel,
		"after_sales": bot.WorkAfterSales, "handoff": bot.WorkHandoff, bot.RefSurvey: bot.WorkSurvey}[kind]
	if err != nil || wk == "" {
		return nil
	}
	cards, err := h.svc.WorkCards(ctx, []bot.WorkItem{{Kind: wk, ID: id}})
	if err != nil || len(cards) != 1 {
		if err != nil && !errors.Is(err, bot.ErrNotFound) {
			h.log.Error("webchat: card after a stale action", "err", err)
		}
		return nil
	}
	return &cards[0].Card
}

// invalidMessage is the core's detail of an ErrInvalid error.
func invalidMessage(err error) string {
	if d := bot.InvalidDetail(err); d != "" {
		return d
	}
	return "that is not valid here"
}
