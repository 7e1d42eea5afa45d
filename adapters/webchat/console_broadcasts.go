package webchat

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
	"github.com/orderbot/orderbot/conversation"
)

// Broadcasts is what the console asks of promotions (bot/broadcast): the
// service checks roles, input and the two-people rule, and audits.
type Broadcasts interface {
	Create(ctx context.Context, staff bot.Staff, b broadcast.Broadcast) (broadcast.Broadcast, error)
	Get(ctx context.Context, id int64) (broadcast.Broadcast, broadcast.Report, error)
	List(ctx context.Context, beforeID int64, limit int) ([]broadcast.Broadcast, error)
	Preview(ctx context.Context, id int64) (int, error)
	// Count is how many would get a broadcast to the segment now.
	Count(ctx context.Context, staff bot.Staff, seg broadcast.Segment) (int, error)
	Act(ctx context.Context, staff bot.Staff, id int64, action string) (broadcast.Broadcast, error)
}

// broadcastPage is smaller than the other lists: each row that started
// sending counts its recipients.
const broadcastPage = 20

type broadcastRow struct {
	B broadcast.Broadcast
	// Report is counted only for a broadcast that started sending.
	Report  broadcast.Report
	Started bool
}

type broadcastsPage struct {
	V    *viewer
	Rows []broadcastRow
	Next string
}

type broadcastPageData struct {
	V      *viewer
	B      broadcast.Broadcast
	Report broadcast.Report
	// Customer is each language's text as its customers will read it.
	Customer []customerText
	// Now is how many the segment holds now, while it is still a draft or
	// waits for approval; -1 otherwise.
	Now     int
	Audit   []bot.AuditEntry
	Problem string
}

type customerText struct{ Lang, Text string }

// broadcastRoutes mounts the broadcast pages and their forms. Every staff
// member may look; the service decides who may do what.
func (h *Handler) broadcastRoutes() {
	h.mux.Handle("/staff/broadcasts", h.requireStaff(func(w http.ResponseWriter, r *http.Request, s staffRequest) {
		if r.Method == http.MethodPost {
			h.requireCSRF(h.createBroadcast)(w, r, s)
			return
		}
		h.consolePage(h.broadcastsList)(w, r, s)
	}))
	h.mux.Handle("/staff/broadcasts/new", only(http.MethodGet, h.requireStaff(h.consolePage(h.newBroadcast))))
	h.mux.Handle("/staff/broadcasts/{id}", only(http.MethodGet, h.requireStaff(h.consolePage(h.broadcastView))))
	h.mux.Handle("/staff/broadcasts/{id}/{action}", only(http.MethodPost, h.requireStaff(h.requireCSRF(h.actOnBroadcast))))
}

func (h *Handler) broadcastsList(r *http.Request, v *viewer) (string, any, error) {
	if h.opts.Broadcasts == nil {
		return "", nil, errNoPage
	}
	q, err := query(r)
	if err != nil {
		return "", nil, err
	}
	if q.Get("limit") == "" {
		q.Set("limit", strconv.Itoa(broadcastPage))
	}
	p, err := pageOf(q)
	if err != nil {
		return "", nil, err
	}
	list, err := h.opts.Broadcasts.List(r.Context(), p.beforeID, p.limit+1)
	if err != nil {
		return "", nil, err
	}
	page := broadcastsPage{V: v}
	if len(list) > p.limit {
		list = list[:p.limit]
		page.Next = nextLink(r, list[len(list)-1].ID)
	}
	for _, b := range list {
		row := broadcastRow{B: b}
		if !b.StartedAt.IsZero() {
			_, rep, err := h.opts.Broadcasts.Get(r.Context(), b.ID)
			if err != nil {
				return "", nil, err
			}
			row.Report, row.Started = rep, true
		}
		page.Rows = append(page.Rows, row)
	}
	return "broadcasts", page, nil
}

func (h *Handler) broadcastView(r *http.Request, v *viewer) (string, any, error) {
	if _, err := query(r); err != nil {
		return "", nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 || h.opts.Broadcasts == nil {
		return "", nil, errNoPage
	}
	d, err := h.broadcastData(r.Context(), v, id)
	return "broadcast", d, err
}

// broadcastData is everything the broadcast's page shows.
func (h *Handler) broadcastData(ctx context.Context, v *viewer, id int64) (broadcastPageData, error) {
	b, rep, err := h.opts.Broadcasts.Get(ctx, id)
	if err != nil {
		return broadcastPageData{}, err
	}
	d := broadcastPageData{V: v, B: b, Report: rep, Now: -1}
	for _, l := range []struct {
		code string
		lang conversation.Lang
		text string
	}{{broadcast.LangZH, conversation.Chinese, b.TextZH}, {broadcast.LangEN, conversation.English, b.TextEN}} {
		if l.text != "" {
			d.Customer = append(d.Customer, customerText{Lang: l.code, Text: conversation.Promotion(l.lang, l.text, b.Coupon)})
		}
	}
	if b.Status == broadcast.Draft || b.Status == broadcast.Pending {
		if d.Now, err = h.opts.Broadcasts.Preview(ctx, id); err != nil {
			return d, err
		}
	}
	if d.Audit, err = h.opts.Records.Audit(ctx, "broadcast", strconv.FormatInt(id, 10)); err != nil {
		return d, err
	}
	return d, nil
}

// createBroadcast stores the form as a draft and shows it; a refusal shows
// the form again, as it was typed, with the reason.
func (h *Handler) createBroadcast(w http.ResponseWriter, r *http.Request, s staffRequest) {
	v := h.viewerOf(r, s)
	if h.opts.Broadcasts == nil {
		h.renderProblem(w, http.StatusNotFound, v, v.T("This page does not exist."))
		return
	}
	in := broadcastInput(r.PostForm)
	b, err := in.broadcast(h.opts.Location, h.opts.Currency)
	if err == nil && r.PostForm.Get("do") == "preview" {
		h.previewAudience(w, r, s, v, in, b.Segment)
		return
	}
	if err == nil {
		b, err = h.opts.Broadcasts.Create(r.Context(), s.staff, b)
	}
	if err == nil {
		h.log.Info("webchat: broadcast created", "user", s.staff.UserID, "broadcast", b.ID)
		http.Redirect(w, r, "/staff/broadcasts/"+strconv.FormatInt(b.ID, 10), http.StatusSeeOther)
		return
	}
	status, problem := h.broadcastRefusal(v, err)
	h.render(w, status, "broadcast-new", h.broadcastForm(r.Context(), v, in, problem))
}

// previewAudience shows the form again, as typed, with how many customers
// its segment reaches now; nothing is saved.
func (h *Handler) previewAudience(w http.ResponseWriter, r *http.Request, s staffRequest, v *viewer, in broadcastIn, seg broadcast.Segment) {
	n, err := h.opts.Broadcasts.Count(r.Context(), s.staff, seg)
	if err != nil {
		status, problem := h.broadcastRefusal(v, err)
		h.render(w, status, "broadcast-new", h.broadcastForm(r.Context(), v, in, problem))
		return
	}
	p := h.broadcastForm(r.Context(), v, in, "")
	p.Audience = &n
	h.render(w, http.StatusOK, "broadcast-new", p)
}

// actOnBroadcast is a button of the broadcast's page: submit, approve,
// reject or cancel. A refusal shows the page again with the reason.
func (h *Handler) actOnBroadcast(w http.ResponseWriter, r *http.Request, s staffRequest) {
	v := h.viewerOf(r, s)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	action := r.PathValue("action")
	known := action == broadcast.ActSubmit || action == broadcast.ActApprove || action == broadcast.ActReject || action == broadcast.ActCancel
	if err != nil || id < 1 || !known || h.opts.Broadcasts == nil {
		h.renderProblem(w, http.StatusNotFound, v, v.T("This page does not exist."))
		return
	}
	// The page this came from may be stale; the redirect shows it anew.
	v.Path = "/staff/broadcasts/" + strconv.FormatInt(id, 10)
	if _, err = h.opts.Broadcasts.Act(r.Context(), s.staff, id, action); err == nil {
		h.log.Info("webchat: broadcast "+action, "user", s.staff.UserID, "broadcast", id)
		http.Redirect(w, r, v.Path, http.StatusSeeOther)
		return
	}
	if errors.Is(err, bot.ErrNotFound) {
		h.renderProblem(w, http.StatusNotFound, v, v.T("Nothing has this number."))
		return
	}
	status, problem := h.broadcastRefusal(v, err)
	d, derr := h.broadcastData(r.Context(), v, id)
	if derr != nil {
		h.log.Error("webchat: broadcast page", "broadcast", id, "err", derr)
		h.renderProblem(w, http.StatusInternalServerError, v, v.T("Something went wrong, please try again."))
		return
	}
	d.Problem = problem
	h.render(w, status, "broadcast", d)
}

// broadcastRefusal is the status and the viewer's words for what the
// service (or the form) refused.
func (h *Handler) broadcastRefusal(v *viewer, err error) (int, string) {
	var bad *badRequest
	var decided *bot.DecidedError
	var state *bot.StateError
	switch {
	case errors.As(err, &bad):
		return http.StatusUnprocessableEntity, v.T(bad.msg)
	case errors.Is(err, broadcast.ErrTwoPeople):
		return http.StatusForbidden, v.T("The shop requires two people: someone other than who wrote a broadcast approves it.")
	case errors.Is(err, bot.ErrForbidden):
		return http.StatusForbidden, v.T("Your role does not allow this.")
	case errors.As(err, &decided):
		return http.StatusConflict, v.Decided(decided)
	case errors.As(err, &state), errors.Is(err, bot.ErrConflict):
		return http.StatusConflict, v.T("The broadcast has changed meanwhile; this no longer applies.")
	case errors.Is(err, bot.ErrInvalid):
		return http.StatusUnprocessableEntity, v.BroadcastProblem(bot.InvalidDetail(err))
	}
	h.log.Error("webchat: broadcast", "err", err)
	return http.StatusInternalServerError, v.T("Something went wrong, please try again.")
}
