package webchat

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// queuePage is the work queue page; the cards come by script.
type queuePage struct {
	V     *viewer
	Kind  string
	Kinds []bot.WorkKind
}

func (h *Handler) staffPage(w http.ResponseWriter, r *http.Request, s staffRequest) {
	v := h.viewerOf(r, s)
	kind := r.URL.Query().Get("kind")
	if kind != "" && bot.WorkKind(kind).Rank() == 0 {
		h.renderProblem(w, http.StatusBadRequest, v, kindProblem())
		return
	}
	h.render(w, http.StatusOK, "staff.html", queuePage{V: v, Kind: kind, Kinds: bot.WorkKinds()})
}

// KindName is a kind of work in words.
func (v *viewer) KindName(k bot.WorkKind) string {
	return v.T(map[bot.WorkKind]string{
		bot.WorkNew: "New orders", bot.WorkFulfil: "To ship or deliver", bot.WorkCancel: "Cancel requests",
		bot.WorkAfterSales: "After-sales", bot.WorkHandoff: "Handoffs waiting", bot.WorkSurvey: "Unhappy customers",
	}[k])
}

// kindProblem is the answer to an unknown kind of work, naming every kind.
func kindProblem() string {
	names := make([]string, 0, len(bot.WorkKinds()))
	for _, k := range bot.WorkKinds() {
		names = append(names, string(k))
	}
	return "kind must be one of " + strings.Join(names, ", ")
}

// queueResponse is a page of the work queue, oldest first: the cards and
// the pages of their items, the open items of each kind, where the next page starts ("" on the last),
// and the feed id to poll after for changes.
type queueResponse struct {
	Cards  []bot.Card        `json:"cards"`
	Links  map[string]string `json:"links"` // card ref → the item's console page
	Counts map[string]int    `json:"counts"`
	Next   string            `json:"next"`
	After  int64             `json:"after"`
}

// cards returns a page of the work queue. The end of the feed is read
// first, so a card changed in between comes again by the feed rather than
// being missed.
func (h *Handler) cards(w http.ResponseWriter, r *http.Request, s staffRequest) {
	if h.opts.Records == nil {
		writeError(w, http.StatusNotFound, "the work queue is not available")
		return
	}
	q, err := workQuery(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	resp, err := h.queue(r, q)
	if err != nil {
		if r.Context().Err() == nil {
			h.log.Error("webchat: work queue", "err", err)
		}
		writeError(w, http.StatusInternalServerError, "cards unavailable")
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (h *Handler) queue(r *http.Request, q bot.WorkQuery) (queueResponse, error) {
	ctx := r.Context()
	resp := queueResponse{Cards: []bot.Card{}, Counts: map[string]int{}, Links: map[string]string{}}
	var err error
	if resp.After, err = h.staffFeedEnd(ctx); err != nil {
		return resp, err
	}
	counts, err := h.opts.Records.WorkCounts(ctx)
	if err != nil {
		return resp, err
	}
	for k, n := range counts {
		resp.Counts[string(k)] = n
	}
	want := q.Limit
	q.Limit++
	items, err := h.opts.Records.WorkQueue(ctx, q)
	if err != nil {
		return resp, err
	}
	if len(items) > want {
		items = items[:want]
		resp.Next = queueCursor(items[want-1])
	}
	cards, err := h.svc.WorkCards(ctx, items)
	if err != nil {
		return resp, err
	}
	for _, c := range cards {
		resp.Cards = append(resp.Cards, c.Card)
		resp.Links[c.Ref] = cardLink(c)
	}
	return resp, nil
}

func workQuery(r *http.Request) (bot.WorkQuery, error) {
	v, err := query(r)
	if err != nil {
		return bot.WorkQuery{}, err
	}
	q := bot.WorkQuery{Kind: bot.WorkKind(v.Get("kind")), Limit: defaultPage}
	if q.Kind != "" && q.Kind.Rank() == 0 {
		return q, invalidParam("%s", kindProblem())
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPage {
			return q, invalidParam("limit must be a number from 1 to %d", maxPage)
		}
		q.Limit = n
	}
	if s := v.Get("cursor"); s != "" {
		it, ok := parseQueueCursor(s)
		if !ok {
			return q, invalidParam("cursor must be the next value of a previous page")
		}
		q.After = &it
	}
	return q, nil
}

// queueCursor names the last item of a page: its kind, time and id.
func queueCursor(it bot.WorkItem) string {
	return fmt.Sprintf("%s.%d.%d", it.Kind, it.At.UnixNano(), it.ID)
}

func parseQueueCursor(s string) (bot.WorkItem, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || bot.WorkKind(parts[0]).Rank() == 0 {
		return bot.WorkItem{}, false
	}
	at, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || at < 0 || id < 1 {
		return bot.WorkItem{}, false
	}
	return bot.WorkItem{Kind: bot.WorkKind(parts[0]), At: time.Unix(0, at).UTC(), ID: id}, true
}

// cardLink is the console page of a card's item: the order, the request,
// or for a handoff or an unhappy customer the customer.
func cardLink(c bot.WorkCard) string {
	switch kind, _, _ := strings.Cut(c.Ref, ":"); {
	case c.Number != "" && kind == "after_sales":
		return "/staff/after-sales/" + url.PathEscape(c.Number)
	case c.Number != "":
		return "/staff/orders/" + url.PathEscape(c.Number)
	}
	return "/staff/customers/" + strconv.FormatInt(c.CustomerID, 10)
}
