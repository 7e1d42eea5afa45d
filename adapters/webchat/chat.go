package webchat

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Limits of what a customer may send.
const (
	maxText     = 16 << 10 // the conversation refuses more than 500 characters, in the customer's language
	maxButton   = 256
	maxClientID = 64
)

// historySize is how many past messages the page shows when it opens.
const historySize = 50

// message is one message of the conversation as the page sees it: the
// bot's (kind reply or notice, with its outbox id) or the customer's own
// (kind "me", in the history only).
type message struct {
	ID      int64    `json:"id"`
	Kind    string   `json:"kind"`
	Text    string   `json:"text"`
	Options []option `json:"options,omitempty"`
	Lang    string   `json:"lang,omitempty"`  // "zh" or "en", for the page's chrome
	Image   string   `json:"image,omitempty"` // an http(s) picture shown above the text
	Photo   bool     `json:"photo,omitempty"` // the customer sent a photo
	At      string   `json:"at,omitempty"`    // RFC 3339 in the shop's time zone
	Time    string   `json:"time,omitempty"`  // as shown, in the shop's time zone

	at    time.Time // for ordering the two sides
	place int64     // the bot's message id, or the one a customer's message precedes
}

type option struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

type sendRequest struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Button string `json:"button"`
	// Label is the pressed button's label, only kept to show the
	// customer's side of the history; the core acts on Button.
	Label string `json:"label"`
	// Auto marks a message the page sent by itself (the greeting's "menu"
	// on a first visit), which the customer never saw as theirs and the
	// history does not show.
	Auto bool `json:"auto"`
}

type historyResponse struct {
	Messages []message `json:"messages"`
	Last     int64     `json:"last"`
}

// chatSend handles one customer message. The client's message id makes a
// retried request (lost response, double click) a repeat the core answers
// with the same replies instead of acting twice.
func (h *Handler) chatSend(w http.ResponseWriter, r *http.Request) {
	cust, ok := h.customer(w, r)
	if !ok {
		return
	}
	var req sendRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if msg := req.check(); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	line := bot.ChatLine{UserID: cust, ClientID: req.ID, Kind: "text", Text: req.Text}
	switch {
	case req.Auto:
		line.Kind = ""
	case req.Button != "":
		line.Kind, line.Text = "button", req.Label
	}
	h.converse(w, r, bot.Inbound{
		Channel:  bot.WebChat,
		UserID:   cust,
		DedupKey: dedupKey(cust, req.ID),
		Text:     req.Text,
		Button:   req.Button,
		LangHint: preferredLanguage(r.Header.Get("Accept-Language")),
	}, line)
}

// dedupKey is the core's dedup key of a customer's message: the client's
// id, which is only unique for that customer.
func dedupKey(customer, clientID string) string {
	return "webchat:" + customer + ":" + clientID
}

// converse passes one customer message to the core, keeps it for the
// history (line) and answers with the replies.
func (h *Handler) converse(w http.ResponseWriter, r *http.Request, in bot.Inbound, line bot.ChatLine) {
	line.At = h.opts.Clock()
	replies, err := h.svc.HandleInbound(r.Context(), in)
	if err != nil {
		if errors.Is(err, bot.ErrInvalid) {
			writeError(w, http.StatusBadRequest, "that message cannot be handled")
			return
		}
		h.log.Error("webchat: handle inbound", "err", err)
		writeError(w, http.StatusInternalServerError, "something went wrong, please try again")
		return
	}
	h.remember(r.Context(), line, replies)
	writeJSON(w, http.StatusOK, h.toMessages(replies, nil))
}

func (req sendRequest) check() string {
	switch {
	case !validClientID(req.ID):
		return badClientID
	case len(req.Text) > maxText:
		return "text is too long (at most 16 KiB)"
	case len(req.Button) > maxButton || len(req.Label) > maxButton:
		return "button is too long"
	case strings.TrimSpace(req.Text) == "" && req.Button == "":
		return "text or button is required"
	}
	return ""
}

const badClientID = "id must be 1-64 letters, digits, '-' or '_'"

func validClientID(id string) bool {
	if id == "" || len(id) > maxClientID {
		return false
	}
	for _, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

// chatMessages is the long poll through which the page receives what it did
// not ask for: notices sent when staff act on the customer's orders.
func (h *Handler) chatMessages(w http.ResponseWriter, r *http.Request) {
	cust, ok := h.customer(w, r)
	if !ok {
		return
	}
	after, err := parseAfter(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	release, err := h.holdPoll(r.Context(), cust, clientAddr(r))
	if err != nil {
		if !limited(w, err, "too many open chat windows") {
			h.log.Error("webchat: customer feed", "err", err)
			writeError(w, http.StatusInternalServerError, "feed unavailable")
		}
		return
	}
	defer release()
	ms, err := h.waitFeed(r.Context(), cust, after)
	if err != nil {
		if r.Context().Err() == nil {
			h.log.Error("webchat: customer feed", "err", err)
			writeError(w, http.StatusInternalServerError, "feed unavailable")
		}
		return
	}
	writeJSON(w, http.StatusOK, h.toMessages(ms, nil))
}

// chatHistory returns the last messages of both sides and the id to poll
// after, so a reloaded page shows the conversation so far.
func (h *Handler) chatHistory(w http.ResponseWriter, r *http.Request) {
	cust, ok := h.customer(w, r)
	if !ok {
		return
	}
	var all []*bot.Message
	var last int64
	for {
		ms, err := h.svc.Feed(r.Context(), bot.WebChat, cust, last)
		if err != nil {
			h.log.Error("webchat: customer history", "err", err)
			writeError(w, http.StatusInternalServerError, "history unavailable")
			return
		}
		if len(ms) == 0 {
			break
		}
		last = ms[len(ms)-1].ID
		all = append(all, ms...)
		if len(all) > historySize {
			all = all[len(all)-historySize:]
		}
	}
	out, err := h.withHistory(r.Context(), cust, all)
	if err != nil {
		h.log.Error("webchat: customer history", "err", err)
		writeError(w, http.StatusInternalServerError, "history unavailable")
		return
	}
	writeJSON(w, http.StatusOK, historyResponse{Messages: out, Last: last})
}

func parseAfter(r *http.Request) (int64, error) {
	s := r.URL.Query().Get("after")
	if s == "" {
		return 0, nil
	}
	after, err := strconv.ParseInt(s, 10, 64)
	if err != nil || after < 0 {
		return 0, errors.New("after must be a message id")
	}
	return after, nil
}

// waitFeed returns the recipient's messages after the given id as soon as
// there are any, or none after PollWait. It polls the database rather than
// waiting for a signal because the message may be queued by another replica.
func (h *Handler) waitFeed(ctx context.Context, recipient string, after int64) ([]*bot.Message, error) {
	deadline := time.NewTimer(h.opts.PollWait)
	defer deadline.Stop()
	tick := time.NewTicker(h.opts.PollInterval)
	defer tick.Stop()
	for {
		ms, err := h.svc.Feed(ctx, bot.WebChat, recipient, after)
		if err != nil {
			return nil, err
		}
		if len(ms) > 0 {
			return ms, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-deadline.C:
			return nil, nil
		case <-tick.C:
		}
	}
}

// toMessages turns the bot's messages into the page's; a picture comes
// with a fresh reply or from images, the kept ones by message id.
func (h *Handler) toMessages(ms []*bot.Message, images map[int64]string) []message {
	out := make([]message, 0, len(ms))
	for _, m := range ms {
		if m == nil || m.Kind == bot.KindCard {
			continue
		}
		pm := message{ID: m.ID, Kind: string(m.Kind), Text: m.Text, place: m.ID}
		if m.Lang != "" {
			pm.Lang = chromeLang(m.Lang)
		}
		pm.Image = bot.PictureURL(cmp.Or(m.ImageURL, images[m.ID]))
		h.stamp(&pm, m.CreatedAt)
		for _, o := range m.Options {
			pm.Options = append(pm.Options, option{Key: o.Key, Label: o.Label})
		}
		out = append(out, pm)
	}
	return out
}

// preferredLanguage returns the language tag the browser prefers most, as
// the core's language hint; the conversation decides what it matches.
func preferredLanguage(header string) string {
	type tag struct {
		name string
		q    float64
	}
	var tags []tag
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.TrimSpace(name)
		if name == "" || name == "*" || len(name) > 35 {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q <= 0 {
			continue // q=0 means "not this one"
		}
		tags = append(tags, tag{name, q})
	}
	if len(tags) == 0 {
		return ""
	}
	// Stable, so earlier entries win ties, as the header's order is a preference too.
	sort.SliceStable(tags, func(i, j int) bool { return tags[i].q > tags[j].q })
	return tags[0].name
}
