package webchat

import (
	"context"
	"math"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot"
)

// ChatHistory keeps what the outbox does not: the customer's own messages
// and the pictures shown with the bot's replies. The store given to New as
// its Guard provides it; without it the page shows only the bot's side.
type ChatHistory interface {
	SaveChatLine(ctx context.Context, l bot.ChatLine) error
	// ChatLines returns the customer's last n messages, oldest first.
	ChatLines(ctx context.Context, userID string, n int) ([]bot.ChatLine, error)
	SaveChatImages(ctx context.Context, images map[int64]string) error
	ChatImages(ctx context.Context, ids []int64) (map[int64]string, error)
	// PruneChatHistory deletes messages from before a time.
	PruneChatHistory(ctx context.Context, before time.Time) (int, error)
}

// historyTTL is how long the customer's messages are kept: as long as the
// dispatcher keeps the bot's delivered ones by default.
const historyTTL = 30 * 24 * time.Hour

// remember keeps the customer's message (unless it has no kind: the page
// sent it by itself) and the pictures of the replies.
// The message was handled whatever happens here, so a failure is only
// logged: the page still shows it until it is reloaded.
func (h *Handler) remember(ctx context.Context, line bot.ChatLine, replies []*bot.Message) {
	if h.history == nil {
		return
	}
	for _, m := range replies {
		if m != nil && m.ID > 0 && (line.BeforeID == 0 || m.ID < line.BeforeID) {
			line.BeforeID = m.ID
		}
	}
	if line.Kind != "" {
		line.Text = keptText(line.Text)
		if err := h.history.SaveChatLine(ctx, line); err != nil {
			h.log.Error("webchat: keep customer message", "err", err)
		}
	}
	images := map[int64]string{}
	for _, m := range replies {
		if m != nil && m.ID > 0 && bot.PictureURL(m.ImageURL) != "" {
			images[m.ID] = m.ImageURL
		}
	}
	if err := h.history.SaveChatImages(ctx, images); err != nil {
		h.log.Error("webchat: keep reply pictures", "err", err)
	}
}

// withHistory merges the bot's messages with the customer's, in the order
// they were written, keeping the last historySize. A customer's message
// goes just before its first reply; one without a reply goes before the
// first bot message written after it.
func (h *Handler) withHistory(ctx context.Context, cust string, bots []*bot.Message) ([]message, error) {
	out := h.toMessages(bots, nil)
	if h.history == nil {
		return out, nil
	}
	ids := make([]int64, 0, len(bots))
	for _, m := range bots {
		ids = append(ids, m.ID)
	}
	images, err := h.history.ChatImages(ctx, ids)
	if err != nil {
		return nil, err
	}
	out = h.toMessages(bots, images)
	lines, err := h.history.ChatLines(ctx, cust, historySize)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		m := h.lineMessage(l)
		m.ID, m.place = 0, l.BeforeID
		if m.place == 0 {
			m.place = math.MaxInt64
			for _, b := range out {
				if b.Kind != kindMine && b.at.After(l.At) {
					m.place = b.ID
					break
				}
			}
		}
		out = append(out, m)
	}
	// A bot message's place is its id; the customer's goes before it.
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.place != b.place {
			return a.place < b.place
		}
		return a.Kind == kindMine && b.Kind != kindMine
	})
	if len(out) > historySize {
		out = out[len(out)-historySize:]
	}
	return out, nil
}

// maxKeptText is the most of a customer's message the history keeps: what
// the page's input holds. The core refuses far less, so a longer text was
// a paste the customer was asked to shorten.
const maxKeptText = 2000

func keptText(s string) string {
	if utf8.RuneCountInString(s) <= maxKeptText {
		return s
	}
	return string([]rune(s)[:maxKeptText-1]) + "…"
}

// kindMine marks the customer's own messages in what the page gets.
const kindMine = "me"

func (h *Handler) lineMessage(l bot.ChatLine) message {
	m := message{Kind: kindMine, Text: l.Text, Photo: l.Kind == "photo"}
	h.stamp(&m, l.At)
	return m
}

// stamp sets the time a message shows, in the shop's time zone: the time
// alone for today, with the date before that.
func (h *Handler) stamp(m *message, at time.Time) {
	if at.IsZero() {
		at = h.opts.Clock()
	}
	m.at = at
	local := at.In(h.opts.Location)
	m.At = local.Format(time.RFC3339)
	m.Time = local.Format("15:04")
	if y, mo, d := h.opts.Clock().In(h.opts.Location).Date(); local.Year() != y || local.Month() != mo || local.Day() != d {
		m.Time = local.Format("2006-01-02 15:04")
	}
}

// pruneHistory deletes customer messages older than historyTTL.
func (h *Handler) pruneHistory(ctx context.Context, now time.Time) int {
	if h.history == nil {
		return 0
	}
	n, err := h.history.PruneChatHistory(ctx, now.Add(-historyTTL))
	if err != nil {
		h.log.Error("webchat: prune chat history", "err", err)
	}
	return n
}
