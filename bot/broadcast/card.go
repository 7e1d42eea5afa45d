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

// words words the card in the shop's staff language, as the core words
// its own cards.
type words struct{ bot.StaffWords }

func (s *Service) words() words {
	return words{bot.NewStaffWords(s.cfg.StaffLang, s.cfg.Location, s.cfg.Currency, s.now())}
}

// card is the approval card: the texts as customers will read them, the
// segment and how many it reaches, and approve/reject while it waits.
func (s *Service) card(b Broadcast) bot.Card {
	if b.ID == 0 {
		return bot.Card{}
	}
	w := s.words()
	c := bot.Card{
		Ref:     RefKind + ":" + strconv.FormatInt(b.ID, 10),
		Title:   fmt.Sprintf(w.Say("Broadcast #%d to %d customers", "营销消息 #%d，发给 %d 位顾客"), b.ID, b.Audience),
		Version: b.Version,
	}
	add := func(label, value string) {
		if value != "" {
			c.Fields = append(c.Fields, bot.CardField{Label: label, Value: value})
		}
	}
	add(w.Say("Chinese", "中文"), preview(b.TextZH))
	add(w.Say("English", "英文"), preview(b.TextEN))
	add(w.Say("Picture", "图片"), b.ImageURL)
	add(w.Say("Coupon", "优惠码"), b.Coupon)
	add(w.Say("Segment", "发送对象"), w.segment(b.Segment))
	add(w.Say("Audience", "人数"), fmt.Sprintf(w.Say("%d customers who agreed to promotions", "%d 位同意接收优惠消息的顾客"), b.Audience))
	send := w.Say("as soon as approved", "批准后立即发送")
	if !b.SendAt.IsZero() {
		send = w.When(b.SendAt)
	}
	add(w.Say("Sends", "发送时间"), send)
	add(w.Say("Written by", "创建人"), b.CreatedBy)
	switch b.Status {
	case Pending:
		c.Status = w.Say("Waiting for approval", "等待审批")
		c.Actions = []bot.CardAction{
			{ID: ActApprove, Label: w.Say("Approve", "批准"), Style: "primary"},
			{ID: ActReject, Label: w.Say("Reject", "拒绝"), Style: "danger"},
		}
	case Draft:
		c.Status = w.Say("Draft", "草稿")
	default:
		c.Status = fmt.Sprintf(w.Say("%s by %s at %s", "%[2]s 于 %[3]s %[1]s"), w.decision(b.Status), b.DecidedBy, w.When(b.DecidedAt))
	}
	return c
}

func (w words) decision(s Status) string {
	switch s {
	case Rejected:
		return w.Say("Rejected", "拒绝")
	case Cancelled:
		return w.Say("Cancelled", "取消")
	}
	return w.Say("Approved", "批准")
}

func preview(text string) string {
	r := []rune(text)
	if len(r) <= previewRunes {
		return text
	}
	return string(r[:previewRunes]) + "…"
}

// segment words the segment for staff: everyone who agreed when it
// selects no one in particular.
func (w words) segment(s Segment) string {
	var parts []string
	list := func(en, zh string, vs []string) {
		if len(vs) > 0 {
			parts = append(parts, w.Say(en, zh)+": "+strings.Join(vs, ", "))
		}
	}
	list("channels", "渠道", s.Channels)
	list("languages", "语言", s.Langs)
	list("tiers", "等级", s.Tiers)
	list("tags", "标签", s.Tags)
	if !s.LastOrderAfter.IsZero() {
		parts = append(parts, w.Say("last order after ", "最近下单晚于 ")+w.When(s.LastOrderAfter))
	}
	if !s.LastOrderBefore.IsZero() {
		parts = append(parts, w.Say("last order before ", "最近下单早于 ")+w.When(s.LastOrderBefore))
	}
	if s.MinSpent != nil {
		parts = append(parts, w.Say("spent at least ", "累计消费不低于 ")+w.Money(*s.MinSpent))
	}
	if s.MaxSpent != nil {
		parts = append(parts, w.Say("spent at most ", "累计消费不高于 ")+w.Money(*s.MaxSpent))
	}
	if len(parts) == 0 {
		return w.Say("everyone who agreed to promotions", "所有同意接收优惠消息的顾客")
	}
	return strings.Join(parts, w.Say("; ", "；"))
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
