package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
)

// Broadcasts is what the API asks of promotions (bot/broadcast); the
// service checks roles and input.
type Broadcasts interface {
	Create(ctx context.Context, staff bot.Staff, b broadcast.Broadcast) (broadcast.Broadcast, error)
	Get(ctx context.Context, id int64) (broadcast.Broadcast, broadcast.Report, error)
	List(ctx context.Context, beforeID int64, limit int) ([]broadcast.Broadcast, error)
	Preview(ctx context.Context, id int64) (int, error)
	Act(ctx context.Context, staff bot.Staff, id int64, action string) (broadcast.Broadcast, error)
}

// broadcastBody is a new broadcast; send_at is RFC 3339, at once when empty.
type broadcastBody struct {
	TextZH   string       `json:"text_zh"`
	TextEN   string       `json:"text_en"`
	ImageURL string       `json:"image_url"`
	Coupon   string       `json:"coupon"`
	SendAt   string       `json:"send_at"`
	Segment  *segmentJSON `json:"segment"`
}

// segmentJSON is a broadcast's segment, in a new broadcast and in answers;
// an omitted list or bound does not narrow it.
type segmentJSON struct {
	Channels        []string `json:"channels"`
	Langs           []string `json:"langs"`
	Tiers           []string `json:"tiers"`
	Tags            []string `json:"tags"`
	LastOrderBefore string   `json:"last_order_before,omitempty"`
	LastOrderAfter  string   `json:"last_order_after,omitempty"`
	MinSpent        *int64   `json:"min_spent,omitempty"`
	MaxSpent        *int64   `json:"max_spent,omitempty"`
}

type broadcastJSON struct {
	ID        int64             `json:"id"`
	Status    string            `json:"status"`
	TextZH    string            `json:"text_zh"`
	TextEN    string            `json:"text_en"`
	ImageURL  string            `json:"image_url,omitempty"`
	Coupon    string            `json:"coupon,omitempty"`
	SendAt    string            `json:"send_at,omitempty"`
	Segment   segmentJSON       `json:"segment"`
	Audience  int               `json:"audience"`
	CreatedBy string            `json:"created_by"`
	CreatedAt string            `json:"created_at"`
	DecidedBy string            `json:"decided_by,omitempty"`
	DecidedAt string            `json:"decided_at,omitempty"`
	StartedAt string            `json:"started_at,omitempty"`
	Finished  string            `json:"finished_at,omitempty"`
	Report    *broadcast.Report `json:"report,omitempty"`
}

func (h *Handler) broadcastOut(b broadcast.Broadcast) broadcastJSON {
	orEmpty := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	s := b.Segment
	return broadcastJSON{
		ID: b.ID, Status: string(b.Status), TextZH: b.TextZH, TextEN: b.TextEN, ImageURL: b.ImageURL,
		Coupon: b.Coupon, SendAt: h.timeText(b.SendAt), Audience: b.Audience,
		Segment: segmentJSON{
			Channels: orEmpty(s.Channels), Langs: orEmpty(s.Langs), Tiers: orEmpty(s.Tiers), Tags: orEmpty(s.Tags),
			LastOrderBefore: h.timeText(s.LastOrderBefore), LastOrderAfter: h.timeText(s.LastOrderAfter),
			MinSpent: s.MinSpent, MaxSpent: s.MaxSpent,
		},
		CreatedBy: b.CreatedBy, CreatedAt: h.timeText(b.CreatedAt), DecidedBy: b.DecidedBy,
		DecidedAt: h.timeText(b.DecidedAt), StartedAt: h.timeText(b.StartedAt), Finished: h.timeText(b.FinishedAt),
	}
}

func (h *Handler) broadcasts() (Broadcasts, error) {
	if h.opts.Broadcasts == nil {
		return nil, notFound("broadcasts are not set up")
	}
	return h.opts.Broadcasts, nil
}

// broadcastErr answers the broadcast's refusals: bad input is 422 with
// the reason, as the contract has it for a segment matching nobody (400
// is for a request that is not even well formed); a decision made already
// or a status the action does not apply to is 409; the rest as everywhere.
func (h *Handler) broadcastErr(err error) error {
	var decided *bot.DecidedError
	var state *bot.StateError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, bot.ErrInvalid):
		return unprocessable("%s", bot.InvalidDetail(err))
	case errors.As(err, &decided):
		return &apiError{http.StatusConflict, codeConflict, "the broadcast was already " + decided.Verb() + " by " + decided.By + " at " + h.timeText(decided.At)}
	case errors.As(err, &state), errors.Is(err, bot.ErrConflict):
		return &apiError{http.StatusConflict, codeConflict, "the broadcast: " + err.Error()}
	case errors.Is(err, bot.ErrNotFound):
		return notFound("no such broadcast")
	}
	return err
}

func (h *Handler) listBroadcasts(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	bs, err := h.broadcasts()
	if err != nil {
		return err
	}
	v, err := query(r, "limit", "cursor")
	if err != nil {
		return err
	}
	p, err := pageParams(v)
	if err != nil {
		return err
	}
	list, err := bs.List(r.Context(), p.beforeID, p.limit+1)
	if err != nil {
		return err
	}
	list, next := nextCursor(list, p.limit, func(b broadcast.Broadcast) int64 { return b.ID })
	out := make([]broadcastJSON, len(list))
	for i, b := range list {
		out[i] = h.broadcastOut(b)
	}
	writeJSON(w, http.StatusOK, listJSON[broadcastJSON]{Items: out, NextCursor: next})
	return nil
}

func (b broadcastBody) broadcast() (broadcast.Broadcast, error) {
	out := broadcast.Broadcast{TextZH: b.TextZH, TextEN: b.TextEN, ImageURL: b.ImageURL, Coupon: b.Coupon}
	var err error
	if out.SendAt, err = optionalTime("send_at", b.SendAt); err != nil {
		return out, err
	}
	if s := b.Segment; s != nil {
		out.Segment = broadcast.Segment{
			Channels: s.Channels, Langs: s.Langs, Tiers: s.Tiers, Tags: s.Tags, MinSpent: s.MinSpent, MaxSpent: s.MaxSpent,
		}
		if out.Segment.LastOrderBefore, err = optionalTime("segment.last_order_before", s.LastOrderBefore); err != nil {
			return out, err
		}
		if out.Segment.LastOrderAfter, err = optionalTime("segment.last_order_after", s.LastOrderAfter); err != nil {
			return out, err
		}
	}
	return out, nil
}

// createBroadcast stores a draft (agent role); it goes out only after
// submit and an approver's approval.
func (h *Handler) createBroadcast(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	bs, err := h.broadcasts()
	if err != nil {
		return err
	}
	if _, err := query(r); err != nil {
		return err
	}
	var body broadcastBody
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	b, err := body.broadcast()
	if err != nil {
		return err
	}
	if b, err = bs.Create(r.Context(), who, b); err != nil {
		return h.broadcastErr(err)
	}
	h.log.InfoContext(r.Context(), "api: broadcast created", "token", who.UserID, "broadcast", b.ID)
	writeJSON(w, http.StatusCreated, h.broadcastOut(b))
	return nil
}

// broadcastOf is the broadcasts and the id a route's path names.
func (h *Handler) broadcastOf(r *http.Request) (Broadcasts, int64, error) {
	bs, err := h.broadcasts()
	if err != nil {
		return nil, 0, err
	}
	id, ok := idParam(r.PathValue("id"))
	if !ok {
		return nil, 0, notFound("no such broadcast")
	}
	return bs, id, nil
}

func (h *Handler) getBroadcast(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	bs, id, err := h.broadcastOf(r)
	if err != nil {
		return err
	}
	if _, err := query(r); err != nil {
		return err
	}
	b, rep, err := bs.Get(r.Context(), id)
	if err != nil {
		return h.broadcastErr(err)
	}
	out := h.broadcastOut(b)
	out.Report = &rep
	writeJSON(w, http.StatusOK, out)
	return nil
}

// previewBroadcast counts whom the broadcast would reach now.
func (h *Handler) previewBroadcast(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	bs, id, err := h.broadcastOf(r)
	if err != nil {
		return err
	}
	if _, err := query(r); err != nil {
		return err
	}
	n, err := bs.Preview(r.Context(), id)
	if err != nil {
		return h.broadcastErr(err)
	}
	writeJSON(w, http.StatusOK, struct {
		ID       int64 `json:"id"`
		Audience int   `json:"audience"`
	}{id, n})
	return nil
}

// broadcastAction is one route per action: submit, approve, reject,
// cancel.
func (h *Handler) broadcastAction(action string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
		if _, err := query(r); err != nil {
			return err
		}
		if r.ContentLength != 0 {
			var none struct{}
			if err := decodeBody(w, r, &none); err != nil {
				return err
			}
		}
		return h.actOnBroadcast(w, r, who, action)
	}
}

// broadcastActions is POST .../actions {"action": ...}, the shape of the
// orders' and requests' actions.
func (h *Handler) broadcastActions(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	var body struct {
		Action string `json:"action"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	if body.Action == "" {
		return invalid("body: action is required (submit, approve, reject or cancel)")
	}
	return h.actOnBroadcast(w, r, who, body.Action)
}

func (h *Handler) actOnBroadcast(w http.ResponseWriter, r *http.Request, who bot.Staff, action string) error {
	bs, id, err := h.broadcastOf(r)
	if err != nil {
		return err
	}
	b, err := bs.Act(r.Context(), who, id, action)
	if err != nil {
		return h.broadcastErr(err)
	}
	h.log.InfoContext(r.Context(), "api: broadcast "+action, "token", who.UserID, "broadcast", id)
	writeJSON(w, http.StatusOK, h.broadcastOut(b))
	return nil
}
