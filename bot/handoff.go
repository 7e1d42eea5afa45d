package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Authors of handoff lines.
const (
	LineCustomer = "customer"
	LineStaff    = "staff"
)

// HandoffLine is one message of a human handoff: what the customer wrote
// or what staff answered, in the order they were said.
type HandoffLine struct {
	ID         int64
	HandoffID  int64
	CustomerID int64
	Author     string // LineCustomer or LineStaff
	Actor      string // who on staff wrote it, "alice (slack)"; "" for the customer
	Channel    string // the channel it was written on
	Text       string
	Photos     int // photos sent with it
	At         time.Time
}

// Transcripts keeps what is said during handoffs. It lives outside the core
// (bot/handoff) with its own table, so that the text stays behind one
// narrow interface; every method gets the Repo of the transaction it takes
// part in, so a line is kept exactly when the message it records is sent.
type Transcripts interface {
	AddLine(ctx context.Context, tx Repo, l *HandoffLine) error
	// LastLines returns the handoff's latest n lines, oldest first, and
	// whether there are earlier ones.
	LastLines(ctx context.Context, tx Repo, handoffID int64, n int) ([]HandoffLine, bool, error)
}

// noTranscripts is the Transcripts of a core that keeps none: cards show
// only the message at hand.
type noTranscripts struct{}

func (noTranscripts) AddLine(context.Context, Repo, *HandoffLine) error { return nil }
func (noTranscripts) LastLines(context.Context, Repo, int64, int) ([]HandoffLine, bool, error) {
	return nil, false, nil
}

// cardLines is how many of a handoff's latest lines a card is built from;
// the platform's size then trims them further.
const cardLines = 30

// transcriptBudget is how many characters of conversation a staff channel
// shows on one card. The adapters cut any longer field at its end, which
// would lose the newest lines, so the core trims from the start instead:
// Telegram cuts a field at 500 characters, Slack a section at 3000 (after
// escaping, hence the margin); the console shows what it gets.
func transcriptBudget(channel string) int {
	switch channel {
	case Telegram:
		return 480
	case Slack:
		return 2400
	}
	return 4000
}

// handoffCard is the staff card of a handoff, with the conversation so far
// fitted to the staff channel it goes to.
func (s *Service) handoffCard(h *Handoff, c Customer, t transcript, channel string) Card {
	w := s.words()
	card := Card{
		Ref:    ref(refHandoff, h.ID),
		Title:  w.Say("Customer asks for a person: ", "客户请求人工客服：") + w.customerLabel(c),
		Fields: w.customerFields(c),
		Status: w.Say("Waiting since "+w.When(h.CreatedAt), zhJoin(w.When(h.CreatedAt), "起等待人工回复")),
	}
	if text := s.fitTranscript(t, h, transcriptBudget(channel)); text != "" {
		card.Fields = append(card.Fields, CardField{Label: w.Say("Conversation", "对话"), Value: text})
	}
	if h.Open {
		card.Actions = []CardAction{
			{ID: ActReply, Label: w.Say("Reply", "回复"), Input: "text", Style: "primary"},
			{ID: ActClose, Label: w.Say("End conversation", "结束对话")},
		}
	} else {
		card.Status = w.byAt("ended", h.ClosedBy, h.ClosedAt)
	}
	return card
}

// transcript is the latest lines of a handoff and whether earlier ones exist.
type transcript struct {
	lines   []HandoffLine
	earlier bool
}

// fitTranscript writes the lines, one a line, keeping the newest that fit
// in budget characters. When lines are left out it starts with "…" and
// says where the whole conversation is.
func (s *Service) fitTranscript(t transcript, h *Handoff, budget int) string {
	if len(t.lines) == 0 {
		return ""
	}
	hint := s.words().Say("… earlier messages: ", "… 更早的消息：") +
		fmt.Sprintf("%s/customers/%d/transcripts?handoff=%d", s.cfg.ConsoleURL, h.CustomerID, h.ID)
	room := budget - utf8.RuneCountInString(hint) - 1
	var kept []string
	used := 0
	for i := len(t.lines) - 1; i >= 0; i-- {
		line := s.lineText(t.lines[i])
		n := utf8.RuneCountInString(line) + 1
		if used+n > room {
			if len(kept) == 0 {
				// The newest line alone is too long: show its start.
				kept = append(kept, clipRunes(line, room))
			}
			t.earlier = true
			break
		}
		kept = append(kept, line)
		used += n
	}
	var b strings.Builder
	if t.earlier {
		b.WriteString(hint)
		b.WriteByte('\n')
	}
	for i := len(kept) - 1; i >= 0; i-- {
		b.WriteString(kept[i])
		if i > 0 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// lineText is one line of a card's conversation: "10:32 Customer: hello",
// in the shop's time zone.
func (s *Service) lineText(l HandoffLine) string {
	w := s.words()
	who := w.Say("Customer", "客户")
	if l.Author == LineStaff {
		who = w.actor(l.Actor)
	}
	text := l.Text
	if l.Photos > 0 {
		text = strings.TrimSpace(text + " " + w.Say(fmt.Sprintf("(%d photo(s))", l.Photos), fmt.Sprintf("（%d 张图片）", l.Photos)))
	}
	return fmt.Sprintf("%s %s: %s", l.At.In(s.cfg.Location).Format("01-02 15:04"), who, text)
}

func clipRunes(s string, n int) string {
	if n < 1 {
		return ""
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// transcriptOf loads what a handoff's card shows of its conversation.
func (s *Service) transcriptOf(ctx context.Context, tx Repo, handoffID int64) (transcript, error) {
	lines, earlier, err := s.cfg.Transcripts.LastLines(ctx, tx, handoffID, cardLines)
	if err != nil {
		return transcript{}, fmt.Errorf("transcript of handoff %d: %w", handoffID, err)
	}
	return transcript{lines: lines, earlier: earlier}, nil
}

// addLine records a message of the handoff in the transaction that sends it.
func (s *Service) addLine(ctx context.Context, tx Repo, l HandoffLine) error {
	if err := s.cfg.Transcripts.AddLine(ctx, tx, &l); err != nil {
		return fmt.Errorf("transcript of handoff %d: %w", l.HandoffID, err)
	}
	return nil
}

// queueHandoffCard posts or updates the handoff's card on every staff
// channel, each with as much of the conversation as it shows. With text,
// it is a message in the card's thread instead (KindThread), which
// channels without threads show by showing the card.
func (s *Service) queueHandoffCard(ctx context.Context, tx Repo, h *Handoff, c Customer, text string, media []string, now time.Time) error {
	t, err := s.transcriptOf(ctx, tx, h.ID)
	if err != nil {
		return err
	}
	msgs := make([]*Message, 0, len(s.cfg.StaffChannels))
	for _, ch := range s.cfg.StaffChannels {
		card := s.handoffCard(h, c, t, ch)
		card.Media = media
		m := &Message{Channel: ch, Recipient: StaffRecipient, Kind: KindCard, Card: &card, NextAt: now, CreatedAt: now}
		if text != "" {
			m.Kind, m.Text = KindThread, text
		}
		msgs = append(msgs, m)
	}
	if err := tx.Enqueue(ctx, msgs); err != nil {
		return fmt.Errorf("queue card of handoff %d: %w", h.ID, err)
	}
	return nil
}

// handoffCardFor is the handoff's card as one staff channel shows it.
func (s *Service) handoffCardFor(ctx context.Context, tx Repo, h *Handoff, c Customer, channel string) (Card, error) {
	t, err := s.transcriptOf(ctx, tx, h.ID)
	if err != nil {
		return Card{}, err
	}
	return s.handoffCard(h, c, t, channel), nil
}
