package webchat

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
)

// broadcastIn is the create form as it was typed, to show it again when
// refused.
type broadcastIn struct {
	TextZH, TextEN, ImageURL, Coupon, SendAt string
	Channels, Langs                          []string
	Tiers, Tags                              string // comma-separated
	After, Before                            string // dates
	MinSpend, MaxSpend                       string // amounts as typed
}

func broadcastInput(f url.Values) broadcastIn {
	return broadcastIn{
		TextZH: f.Get("text_zh"), TextEN: f.Get("text_en"), ImageURL: strings.TrimSpace(f.Get("image_url")),
		Coupon: strings.TrimSpace(f.Get("coupon")), SendAt: strings.TrimSpace(f.Get("send_at")),
		Channels: f["channel"], Langs: f["lang"], Tiers: f.Get("tiers"), Tags: f.Get("tags"),
		After: strings.TrimSpace(f.Get("after")), Before: strings.TrimSpace(f.Get("before")),
		MinSpend: strings.TrimSpace(f.Get("min_spend")), MaxSpend: strings.TrimSpace(f.Get("max_spend")),
	}
}

// Checked reports whether a box of the form was ticked.
func (in broadcastIn) Checked(name, value string) bool {
	if name == "channel" {
		return slices.Contains(in.Channels, value)
	}
	return slices.Contains(in.Langs, value)
}

// broadcast reads the form: the send time and dates in the shop's zone,
// amounts as people type them. The service checks the rest.
func (in broadcastIn) broadcast(loc *time.Location, currency string) (broadcast.Broadcast, error) {
	b := broadcast.Broadcast{TextZH: in.TextZH, TextEN: in.TextEN, ImageURL: in.ImageURL, Coupon: in.Coupon}
	s := &b.Segment
	s.Channels, s.Langs = in.Channels, in.Langs
	s.Tiers, s.Tags = commaList(in.Tiers), commaList(in.Tags)
	var err error
	if in.SendAt != "" {
		if b.SendAt, err = localTime(in.SendAt, loc); err != nil {
			return b, invalidParam("%s", msgBadSendAt)
		}
	}
	if s.LastOrderAfter, err = localDay(in.After, loc); err != nil {
		return b, invalidParam("%s", msgBadAfter)
	}
	if s.LastOrderBefore, err = localDay(in.Before, loc); err != nil {
		return b, invalidParam("%s", msgBadBefore)
	}
	if s.MinSpent, err = amount(in.MinSpend, currency); err != nil {
		return b, invalidParam("%s", msgBadMinSpend)
	}
	if s.MaxSpent, err = amount(in.MaxSpend, currency); err != nil {
		return b, invalidParam("%s", msgBadMaxSpend)
	}
	return b, nil
}

// localTime reads a datetime-local field ("2026-12-01T09:30") or the same
// typed with a space.
func localTime(s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02T15:04", strings.Replace(s, " ", "T", 1), loc)
	return t.UTC(), err
}

// localDay is the start of a date in the shop's zone; zero when empty.
func localDay(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	return d.UTC(), err
}

// amount reads money as a person types it — "¥1,200", "1200.5", "１２００"
// — into minor units; nil when empty.
func amount(s, currency string) (*int64, error) {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '．' || r == '。':
			return '.'
		case r == ',' || r == '，' || unicode.IsSpace(r):
			return -1
		}
		return r
	}, s)
	for _, sym := range []string{currency, "¥", "￥", "元", "$", "RMB", "CNY"} {
		if sym != "" {
			s = strings.ReplaceAll(s, sym, "")
		}
	}
	if s == "" {
		return nil, nil
	}
	v, err := bot.ParsePrice(s)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func commaList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

type broadcastFormPage struct {
	V       *viewer
	In      broadcastIn
	Problem string
	// Audience is the count "Preview audience" asked for; nil before.
	Audience *int
	Channels []string
	Langs    []string
	// Tiers are the shop's tier names, a hint beside the field; none
	// without the CRM.
	Tiers []string
}

func (h *Handler) newBroadcast(r *http.Request, v *viewer) (string, any, error) {
	if _, err := query(r); err != nil {
		return "", nil, err
	}
	if h.opts.Broadcasts == nil {
		return "", nil, errNoPage
	}
	return "broadcast-new", h.broadcastForm(r.Context(), v, broadcastIn{}, ""), nil
}

func (h *Handler) broadcastForm(ctx context.Context, v *viewer, in broadcastIn, problem string) broadcastFormPage {
	p := broadcastFormPage{V: v, In: in, Problem: problem, Channels: broadcast.CustomerChannels(),
		Langs: []string{broadcast.LangZH, broadcast.LangEN}}
	if h.opts.CRM != nil {
		// Only a hint: the form works without it.
		if ts, err := h.opts.CRM.Tiers(ctx); err == nil {
			for _, t := range ts {
				p.Tiers = append(p.Tiers, t.Name)
			}
		}
	}
	return p
}
