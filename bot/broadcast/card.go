package broadcast

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// RefKind is the kind of a broadcast's card ref: "broadcast:<id>".
const RefKind = bot.RefBroadcast

// previewRunes bounds each text on the card: enough to judge it.
const previewRunes = 400

// card is the approval card: the texts as customers will read them, the
// segment and how many it reaches, and approve/reject while it waits.
func (s *Service) card(b Broadcast) bot.Card {
	if b.ID == 0 {
		return bot.Card{}
	}
	c := bot.Card{
		Ref:     RefKind + ":" + strconv.FormatInt(b.ID, 10),
		Title:   fmt.Sprintf("Broadcast #%d to %d customers", b.ID, b.Audience),
		Version: b.Version,
	}
	add := func(label, value string) {
		if value != "" {
			c.Fields = append(c.Fields, bot.CardField{Label: label, Value: value})
		}
	}
	add("中文", preview(b.TextZH))
	add("English", preview(b.TextEN))
	add("Picture", b.ImageURL)
	add("Coupon", b.Coupon)
	add("Segment", b.Segment.String())
	add("Audience", strconv.Itoa(b.Audience)+" customers who consented to promotions")
	send := "as soon as approved"
	if !b.SendAt.IsZero() {
		send = s.timeText(b.SendAt)
	}
	add("Sends", send)
	add("Written by", b.CreatedBy)
	switch b.Status {
	case Pending:
		c.Status = "Waiting for approval"
		c.Actions = []bot.CardAction{
			{ID: ActApprove, Label: "Approve", Style: "primary"},
			{ID: ActReject, Label: "Reject", Style: "danger"},
		}
	case Draft:
		c.Status = "Draft"
	default:
		c.Status = fmt.Sprintf("%s by %s at %s", strings.ToUpper(decidedVerb(b.Status)[:1])+decidedVerb(b.Status)[1:], b.DecidedBy, s.timeText(b.DecidedAt))
	}
	return c
}

func (s *Service) timeText(t time.Time) string {
	return t.In(s.cfg.Location).Format("2006-01-02 15:04 MST")
}

func preview(text string) string {
	r := []rune(text)
	if len(r) <= previewRunes {
		return text
	}
	return string(r[:previewRunes]) + "…"
}

// String words the segment for staff: "everyone who consented" when it
// selects no one in particular.
func (s Segment) String() string {
	var parts []string
	list := func(label string, vs []string) {
		if len(vs) > 0 {
			parts = append(parts, label+": "+strings.Join(vs, ", "))
		}
	}
	list("channels", s.Channels)
	list("languages", s.Langs)
	list("tiers", s.Tiers)
	list("tags", s.Tags)
	if !s.LastOrderAfter.IsZero() {
		parts = append(parts, "last order after "+s.LastOrderAfter.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if !s.LastOrderBefore.IsZero() {
		parts = append(parts, "last order before "+s.LastOrderBefore.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if s.MinSpent != nil {
		parts = append(parts, fmt.Sprintf("spent at least %d", *s.MinSpent))
	}
	if s.MaxSpent != nil {
		parts = append(parts, fmt.Sprintf("spent at most %d", *s.MaxSpent))
	}
	if len(parts) == 0 {
		return "everyone who consented"
	}
	return strings.Join(parts, "; ")
}

// queueCard posts or updates the broadcast's card on every staff channel.
func (s *Service) queueCard(ctx context.Context, tx bot.Repo, b Broadcast, now time.Time) error {
	card := s.card(b)
	msgs := make([]*bot.Message, 0, len(s.cfg.StaffChannels))
	for _, ch := range s.cfg.StaffChannels {
		cc := card
		msgs = append(msgs, &bot.Message{Channel: ch, Recipient: bot.StaffRecipient, Kind: bot.KindCard, Card: &cc, NextAt: now, CreatedAt: now})
	}
	if err := tx.Enqueue(ctx, msgs); err != nil {
		return fmt.Errorf("queue card of broadcast %d: %w", b.ID, err)
	}
	return nil
}
